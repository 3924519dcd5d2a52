"""Small models of inputs and operations, written once for Brian2 and for
neurocodegen (the same code runs under both: ``sim`` is the module). Each
model builds, runs, calls ``finish()`` and returns its numbers as plain
arrays. Record the
reference with Brian2 2.9:

    benchmarks/.venv-brian2/bin/python tests/brian2_reference/input_models.py

which writes tests/data/brian2_inputs.npz; tests/test_inputs.py runs the
same models with neurocodegen and compares.
"""
import gc

import numpy as np


def regular_operations(sim, finish):
    """run_regularly at several dts and slots, against a StateMonitor (which
    records at the start of a step, Brian's tie broken by name) and a reset."""
    ns = {"ms": sim.ms, "vr": 0.25}
    G = sim.NeuronGroup(3, "dv/dt = (1 + 0.2*i)/(5*ms) : 1\ncount : 1\nlast : 1",
                        threshold="v > 1", reset="v = 0", method="euler", namespace=ns)
    G.run_regularly("v = vr*i\ncount += 1", dt=2.7 * sim.ms)
    G.run_regularly("last = v", dt=0.5 * sim.ms, when="end")
    M = sim.StateMonitor(G, ["v", "last"], record=True)
    S = sim.SpikeMonitor(G)
    net = sim.Network(G, M, S)
    net.run(10 * sim.ms, namespace=ns)
    finish()
    return {"v": M.v_[:], "last": M.last_[:], "count": G.count_[:], "spikes_i": S.i[:],
            "spikes_t": S.t_[:]}


def timed_arrays(sim, finish):
    """1-D and 2-D TimedArrays with units, with a dt coarser than, equal to
    and finer than the group's, read in equations, a threshold and a reset,
    and past their end (the last value holds)."""
    ta = sim.TimedArray([1.0, 3.0, 2.0, 4.0] * sim.nA, dt=0.3 * sim.ms)
    tb = sim.TimedArray(np.arange(12.0).reshape(4, 3) * 0.1, dt=0.1 * sim.ms)
    tc = sim.TimedArray(np.linspace(0, 1, 50), dt=0.05 * sim.ms)
    ns = {"ms": sim.ms, "nA": sim.nA, "ta": ta, "tb": tb, "tc": tc}
    G = sim.NeuronGroup(3, """dv/dt = (ta(t)/nA + tb(t, i) - v)/(2*ms) : 1
                              dw/dt = tc(t)/ms : 1
                              x : 1""",
                        threshold="v > 1.5 + tb(t, 2 - i)", reset="v = 0\nx += ta(t)/nA",
                        method="euler", namespace=ns)
    M = sim.StateMonitor(G, ["v", "w"], record=True)
    S = sim.SpikeMonitor(G)
    net = sim.Network(G, M, S)
    net.run(6 * sim.ms, namespace=ns)
    finish()
    return {"v": M.v_[:], "w": M.w_[:], "x": G.x_[:], "spikes_i": S.i[:],
            "spikes_t": S.t_[:]}


def spike_generator(sim, finish):
    """Spike times between time steps and on them (Brian's binning), a
    period, and the spikes driving Synapses with delays."""
    ns = {"ms": sim.ms}
    indices = [3, 1, 0, 2, 1, 7, 5, 6, 4]
    times = [0.0, 0.1, 0.1, 0.35, 1.0, 1.0, 2.95, 0.2999999, 3.0] * sim.ms
    SG = sim.SpikeGeneratorGroup(8, indices, times, period=4 * sim.ms)
    G = sim.NeuronGroup(8, "dv/dt = -v/(3*ms) : 1", namespace=ns)
    S = sim.Synapses(SG, G, "w : 1", on_pre="v += w", namespace=ns)
    S.connect(condition="j >= i")
    S.w = "0.1 + 0.01*i*j"
    S.delay = "(i % 3)*0.25*ms"
    M = sim.SpikeMonitor(SG)
    V = sim.StateMonitor(G, "v", record=True)
    net = sim.Network(SG, G, S, M, V)
    net.run(10 * sim.ms, namespace=ns)
    finish()
    return {"spikes_i": M.i[:], "spikes_t": M.t_[:], "v": V.v_[:]}


def population_rate(sim, finish):
    """Regular firing at rates spread over the group, over two runs; the
    rate and its Gaussian and flat smoothing."""
    ns = {"ms": sim.ms}
    G = sim.NeuronGroup(50, "dv/dt = (1 + 0.05*i)/(4*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="euler", namespace=ns)
    G.v = "i/50.0"
    R = sim.PopulationRateMonitor(G)
    net = sim.Network(G, R)
    net.run(12 * sim.ms, namespace=ns)
    net.run(8.3 * sim.ms, namespace=ns)
    finish()
    return {"t": R.t_[:], "rate": R.rate_[:],
            "gaussian": np.asarray(R.smooth_rate("gaussian", width=0.7 * sim.ms) / sim.Hz),
            "flat": np.asarray(R.smooth_rate("flat", width=1.1 * sim.ms) / sim.Hz)}


def custom_events(sim, finish):
    """A custom event beside the threshold: its own monitor, code run on it
    after the resets, and synapses driven by it; refractoriness does not
    hold it back."""
    ns = {"ms": sim.ms}
    G = sim.NeuronGroup(4, """dv/dt = (1.2 + 0.1*i - v)/(3*ms) : 1 (unless refractory)
                              ups : 1""",
                        threshold="v > 1", reset="v = 0", refractory=1 * sim.ms,
                        events={"up": "v > 0.6 and ups < 3"}, method="euler", namespace=ns)
    G.run_on_event("up", "ups += 1")
    H = sim.NeuronGroup(4, "x : 1")
    S = sim.Synapses(G, H, "w : 1", on_pre="x += w", on_event={"pre": "up"}, namespace=ns)
    S.connect(j="i")
    S.w = "1 + i"
    S.delay = "0.3*ms"
    E = sim.EventMonitor(G, "up")
    M = sim.SpikeMonitor(G)
    net = sim.Network(G, H, S, E, M)
    net.run(12 * sim.ms, namespace=ns)
    finish()
    return {"events_i": E.i[:], "events_t": E.t_[:], "spikes_i": M.i[:], "spikes_t": M.t_[:],
            "ups": G.ups_[:], "x": H.x_[:]}


def refractory_writes(sim, finish):
    """Brian's conditional write: synapses and run_regularly change a
    variable flagged (unless refractory) only where the neuron is not
    refractory; a reset and run_on_event code change it anyway."""
    ns = {"ms": sim.ms, "mV": sim.mV, "tau": 20 * sim.ms}
    G = sim.NeuronGroup(3, """dv/dt = -v/tau : volt (unless refractory)
                              w : volt""",
                        threshold="v > 20*mV", reset="v = 10*mV", refractory=2 * sim.ms,
                        events={"low": "v < 12*mV"}, method="exact", namespace=ns)
    G.run_regularly("v += 0.3*mV\nw += 0.1*mV", dt=0.5 * sim.ms)
    G.run_on_event("low", "v += 0.01*mV")
    SG = sim.SpikeGeneratorGroup(1, np.zeros(100, int), (np.arange(100) * 0.1 + 0.05) * sim.ms)
    S = sim.Synapses(SG, G, on_pre="v += (1.5 + 0.2*j)*mV", namespace=ns)
    S.connect()
    M = sim.SpikeMonitor(G)
    V = sim.StateMonitor(G, "v", record=True)
    net = sim.Network(G, SG, S, M, V)
    net.run(10 * sim.ms, namespace=ns)
    finish()
    return {"spikes_i": M.i[:], "spikes_t": M.t_[:], "v": V.v_[:], "w": G.w_[:]}


def subgroups(sim, finish):
    """Subgroups: assignments with their own i and N, conditions, and
    monitors whose indices are the subgroup's."""
    ns = {"ms": sim.ms}
    G = sim.NeuronGroup(600, "dv/dt = (I - v)/(10*ms) : 1\nI : 1", threshold="v > 1",
                        reset="v = 0", method="exact", namespace=ns)
    fast, slow = G[250:520], G[520:]
    G.I = 1.2
    fast.I = "1.5 + 0.5*i/N"
    slow.v = "0.9*i/N"
    fast.v["i > 100"] = 0.5
    M = sim.SpikeMonitor(fast)
    R = sim.PopulationRateMonitor(slow)
    S = sim.StateMonitor(fast, "v", record=[0, 100, 269])
    net = sim.Network(G, M, R, S)
    net.run(20 * sim.ms, namespace=ns)
    finish()
    return {"spikes_i": M.i[:], "spikes_t": M.t_[:], "count": M.count[:], "rate": R.rate_[:],
            "v": S.v_[:], "I": G.I_[:]}


def subgroup_synapses(sim, finish):
    """Synapses from and onto subgroups: i and j count from a subgroup's
    first neuron, pre- and postsynaptic variables are the right neurons',
    a summed variable sets only its subgroup's neurons, on_post runs for
    the target subgroup's spikes."""
    ns = {"ms": sim.ms}
    P = sim.NeuronGroup(20, "dv/dt = (1 + 0.05*i)/(4*ms) : 1\nx : 1", threshold="v > 1",
                        reset="v = 0", method="euler", namespace=ns)
    P.x = "i*0.1"
    Q = sim.NeuronGroup(10, """dv/dt = (Isyn - v)/(10*ms) : 1
                              Isyn : 1
                              y : 1""", threshold="v > 0.6", reset="v = 0",
                        method="euler", namespace=ns)
    Q.Isyn = 0.3
    Pe, Pi, Qs = P[:15], P[15:], Q[3:8]
    S1 = sim.Synapses(Pe, Qs, "w : 1", on_pre="v_post += w*(1 + 0.1*i + 0.01*j + x_pre)",
                      on_post="w += 0.01", namespace=ns)
    S1.connect(condition="j <= i % 5")
    S1.w = "0.02*j"
    S1.delay = "(i % 4)*0.2*ms"
    S2 = sim.Synapses(Pi, Q, on_pre="y_post += 1 + i", namespace=ns)
    S2.connect(j="i + 2")
    S3 = sim.Synapses(Pe, Q[5:], """w2 : 1
                                    dg/dt = -g/(3*ms) : 1 (clock-driven)
                                    Isyn_post = w2*g : 1 (summed)""", on_pre="g += 1",
                      method="exact", namespace=ns)
    S3.connect(condition="i == j + 2")
    S3.w2 = "0.5 + 0.1*j"
    M = sim.SpikeMonitor(Q)
    net = sim.Network(P, Q, S1, S2, S3, M)
    net.run(30 * sim.ms, namespace=ns)
    finish()
    return {"spikes_i": M.i[:], "spikes_t": M.t_[:], "v": Q.v_[:], "y": Q.y_[:],
            "Isyn": Q.Isyn_[:], "w": S1.w_[:], "S1_i": S1.i[:], "S1_j": S1.j[:],
            "S3_i": S3.i[:], "S3_j": S3.j[:]}


def monitor_variables(sim, finish):
    """SpikeMonitor and EventMonitor with variables: the values at each
    event (before the reset, as the monitors come right after the
    thresholds), by neuron with values() and all_values()."""
    ns = {"ms": sim.ms, "mV": sim.mV}
    G = sim.NeuronGroup(4, """dv/dt = (20*mV + 3*i*mV - v)/(4*ms) : volt
                              w : 1
                              n : integer""",
                        threshold="v > 15*mV", reset="v = 0*mV; w += 0.5; n += 1",
                        events={"half": "v > 8*mV and w < 1"}, method="exact", namespace=ns)
    S = sim.SpikeMonitor(G, variables=["v", "w", "n"])
    E = sim.EventMonitor(G, "half", variables="w")
    net = sim.Network(G, S, E)
    net.run(20 * sim.ms, namespace=ns)
    finish()
    by_neuron = S.all_values()
    return {"spikes_i": S.i[:], "spikes_t": S.t_[:], "spikes_v": np.asarray(S.v / sim.mV),
            "spikes_w": np.asarray(S.w), "spikes_n": np.asarray(S.n),
            "v_of_2": np.asarray(S.values("v")[2] / sim.mV),
            "t_of_3": np.asarray(by_neuron["t"][3] / sim.ms), "n_of_1": by_neuron["n"][1],
            "events_i": E.i[:], "events_t": E.t_[:], "events_w": np.asarray(E.w)}


def linked_variables(sim, finish):
    """Linked variables: read every step from another group, at the same
    index, at an index array, at an integer variable's index, and a shared
    variable; in equations, a threshold and a reset."""
    ns = {"ms": sim.ms, "nA": sim.nA, "nF": sim.nF, "mV": sim.mV}
    H = sim.NeuronGroup(4, """dx/dt = ((1 + i)*nA - x)/(2*ms) : amp
                              s : 1 (shared)""", method="exact", namespace=ns)
    H.s = 0.5
    G = sim.NeuronGroup(6, """dv/dt = (I + J)/nF : volt
                              I : amp (linked)
                              J : amp (linked)
                              k : integer
                              c : 1 (linked)
                              n : 1""",
                        threshold="v > 2*mV*c", reset="v = 0*mV; n += I/nA",
                        method="euler", namespace=ns)
    G.k = [3, 2, 1, 0, 0, 1]
    G.I = sim.linked_var(H, "x", index=[0, 1, 2, 3, 3, 0])
    G.J = sim.linked_var(H.x, index="k")
    G.c = sim.linked_var(H, "s")
    K = sim.NeuronGroup(4, "dw/dt = y/(nA*ms) : 1\ny : amp (linked)", method="euler",
                        namespace=ns)
    K.y = sim.linked_var(H.x)
    S = sim.SpikeMonitor(G)
    net = sim.Network(H, G, K, S)
    net.run(5 * sim.ms, namespace=ns)
    finish()
    return {"v": np.asarray(G.v / sim.mV), "n": G.n_[:], "w": K.w_[:],
            "I": np.asarray(G.I / sim.nA), "spikes_i": S.i[:], "spikes_t": S.t_[:]}


MODELS = {f.__name__: f for f in (regular_operations, timed_arrays, spike_generator,
                                  population_rate, custom_events, refractory_writes,
                                  subgroups, subgroup_synapses, monitor_variables,
                                  linked_variables)}


def run_model(sim, name, finish=lambda: None):
    """The numbers of model ``name``; ``finish()`` is called after its runs
    and before they are read (a standalone program's build)."""
    gc.collect()          # earlier models' objects gone: the automatic names
    sim.start_scope()     # (which order ties in a step, as in Brian) are the same
    sim.defaultclock.dt = 0.1 * sim.ms
    return {f"{name}.{key}": np.asarray(value)
            for key, value in MODELS[name](sim, finish).items()}


if __name__ == "__main__":
    from recording import record
    record(MODELS, run_model, "inputs")
