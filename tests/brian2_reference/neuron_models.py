"""Neuron models written as Brian's documentation and examples write them,
for the conventions of issue 14 (statements with ';', equations continued
over lines with comments, sizes given as floats, plain zeros, indexing with
conditions, subexpressions read with units, get_states, monitors). The same
script runs under both simulators (``sim`` is ``brian2`` or
``neurocodegen``). Record the reference with Brian2 2.9:

    benchmarks/.venv-brian2/bin/python tests/brian2_reference/neuron_models.py

which writes tests/data/brian2_neurons.npz; tests/test_brian_compat.py runs
the same models with neurocodegen and compares.
"""

import numpy as np


def adex(sim):
    """Brette & Gerstner's adaptive exponential neuron (Brian's example),
    with an expression continued on the next line around a comment, a reset
    of two statements on one line, a size given as a float (numpy's round,
    which the star import gives) and a plain zero for a current."""
    pF, nS, mV, ms, nA = sim.pF, sim.nS, sim.mV, sim.ms, sim.nA
    ns = dict(C=281 * pF, gL=30 * nS, EL=-70.6 * mV, VT=-50.4 * mV, DeltaT=2 * mV,
              tauw=144 * ms, a=4 * nS, b=0.0805 * nA, Vr=-70.6 * mV, Vcut=-50.4 * mV + 5 * 2 * mV)
    eqs = """
    dvm/dt = (gL*(EL - vm) + gL*DeltaT*exp((vm - VT)/DeltaT)  # the exponential term
              + I - w)/C : volt
    # adaptation
    dw/dt = (a*(vm - EL) - w)/tauw : amp
    I : amp  # input current
    """
    G = sim.NeuronGroup(np.round(3.4), eqs, threshold="vm > Vcut", reset="vm = Vr; w += b",
                        method="euler", namespace=ns)
    G.vm = ns["EL"]
    G.w = 0
    G.I = np.array([0.6, 0.8, 1.5]) * nA
    return 200 * ms, {"G": G, "spikes": sim.SpikeMonitor(G),
                      "M": sim.StateMonitor(G, ["vm", "w"], record=[0, 2])}


def indexing(sim):
    """Assignments through conditions (``G.v['i > 5']``, ``G.v[G.v > x]``),
    boolean and integer arrays and strings, then a leaky model whose
    subexpression (using a unit name and an external constant) is read back
    with units after the run."""
    mV, ms, Mohm = sim.mV, sim.ms, sim.Mohm
    R = 50 * Mohm
    G = sim.NeuronGroup(int(0.8 * 10), """dv/dt = (El - v + R*I0)/(10*ms) : volt
                                          I = (v - El)/R + 0*mV/Mohm : amp
                                          El : volt (constant)
                                          I0 : amp""",
                        method="exact", namespace={"R": R})
    G.El = -70 * mV
    G.v = "El + i*2*mV"
    G.v["i > 5"] = -50 * mV
    G.v[G.v > -60 * mV] = "v + 1*mV"
    G.v[np.array([True, False] * 4)] -= 0.5 * mV
    G.v[[1, 3]] = -65 * mV
    G.I0["v > -67*mV"] = 0.2 * sim.nA
    G.El[G.i[:] < 2] = -72 * mV
    before = {"v": G.v_[:], "I0": G.I0_[:], "El": G.El_[:], "selected": G.v_["v > -62*mV"],
              "I": G.I_[:], "I_in_nA": G.I / sim.nA}
    before = {label: np.array(values) for label, values in before.items()}   # copies
    return 5 * ms, {"G": G}, before


def monitors(sim):
    """A StateMonitor of a subexpression (using t, a unit name, a constant and
    another subexpression), a parameter and a state variable; SpikeMonitors
    that keep times or only counts."""
    ms = sim.ms
    G = sim.NeuronGroup(4, """dv/dt = (El - v + drive)/(5*ms) : volt
                              drive = 30*mV*(1 + sin(2*pi*t/(7*ms))) : volt
                              excess = (v - El)/mV + 0.5*drive/mV : 1
                              El : volt (constant)""",
                        threshold="v > El + 20*mV", reset="v = El", method="euler")
    G.El = "-70*mV + i*mV"
    G.v = "El"
    M = sim.StateMonitor(G, ["excess", "El", "v", "drive"], record=[1, 3])
    return 40 * ms, {"G": G, "M": M, "spikes": sim.SpikeMonitor(G),
                     "counts": sim.SpikeMonitor(G, record=False)}


MODELS = {f.__name__: f for f in (adex, indexing, monitors)}


def collect(sim, name, objects):
    out = {}
    for label, obj in objects.items():
        key = f"{name}.{label}"
        kind = type(obj).__name__
        if kind == "NeuronGroup":
            states = obj.get_states(units=False, subexpressions=True)
            for var, values in states.items():
                out[f"{key}.{var}"] = np.array(values)
        elif kind == "StateMonitor":
            out[f"{key}.t"] = np.array(obj.t_)
            for var in obj.record_variables:
                out[f"{key}.{var}"] = np.array(getattr(obj, var + "_"))
            out[f"{key}.record"] = np.array(obj.record)
            out[f"{key}.last_of_last"] = np.array([getattr(obj[obj.record[-1]], var + "_")[-1]
                                                for var in obj.record_variables])
        elif obj.record:                               # SpikeMonitor
            out[f"{key}.i"], out[f"{key}.t"] = np.array(obj.i[:]), np.array(obj.t_[:])
            trains = obj.all_values()["t"]
            out[f"{key}.trains"] = np.array([len(trains[k]) for k in sorted(trains)])
            out[f"{key}.values"] = np.concatenate([np.array(obj.values("t")[k] / sim.ms)
                                                   for k in sorted(trains)])
        else:
            out[f"{key}.count"] = np.array(obj.count[:])
            out[f"{key}.num_spikes"] = np.array(obj.num_spikes)
    return out


def run_model(sim, name):
    sim.start_scope()
    sim.defaultclock.dt = 0.1 * sim.ms
    duration, objects, *before = MODELS[name](sim)
    net = sim.Network(*objects.values())
    net.run(duration)
    out = collect(sim, name, objects)
    for label, values in (before[0] if before else {}).items():
        out[f"{name}.before.{label}"] = np.array(values)
    return out


if __name__ == "__main__":
    from recording import record
    record(MODELS, run_model, "neurons")
