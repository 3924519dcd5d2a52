"""Small synapse models written once for Brian2 and for neurocodegen (the
same script runs under both: ``from brian2 import *`` or ``from neurocodegen
import *``). Record the reference with Brian2 2.9:

    benchmarks/.venv-brian2/bin/python tests/brian2_reference/synapse_models.py

which writes tests/data/brian2_synapses.npz; tests/test_synapses.py runs the
same models with neurocodegen and compares.
"""

import numpy as np


def delays_and_order(sim):
    """Heterogeneous delays (with values that round up and down), several
    synapses onto one neuron in one step, a constant-weight and a weighted
    pathway."""
    P = sim.NeuronGroup(3, "dv/dt = 1/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="euler", namespace={"ms": sim.ms})
    P.v = [0.5, 0.2, 0.0]
    Q = sim.NeuronGroup(4, "v : 1\ncount : 1")
    S = sim.Synapses(P, Q, "w : 1", on_pre="v_post += w\ncount += 1")
    S.connect(i=[0, 0, 1, 2, 2, 0], j=[0, 1, 1, 3, 1, 3])
    S.w = "1 + i + 0.5*j"
    S.delay = "j*0.5*ms + 0.25*ms + 0.03*ms*i"
    M = sim.StateMonitor(Q, "v", record=True)
    return 12 * sim.ms, {"P": P, "Q": Q, "S": S, "M": M}


def lif_network(sim):
    """80 leaky neurons driven above threshold, coupled by fixed random
    synapses (given as i, j arrays: the same connectivity in both), with
    excitatory and inhibitory weights and delays of 1 to 3 ms."""
    rng = np.random.RandomState(7)
    N = 80
    pre, post = np.nonzero(rng.rand(N, N) < 0.1)
    G = sim.NeuronGroup(N, "dv/dt = (I - v)/(10*ms) : 1\nI : 1", threshold="v > 1",
                        reset="v = 0", refractory=2 * sim.ms, method="exact",
                        namespace={"ms": sim.ms})
    G.v = rng.rand(N)
    G.I = 1.05 + 0.2 * rng.rand(N)
    S = sim.Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(i=pre, j=post)
    S.w = np.where(pre < 60, 0.05, -0.12)
    S.delay = (1 + rng.randint(0, 21, len(pre)) * 0.1) * sim.ms
    return 200 * sim.ms, {"G": G, "S": S, "spikes": sim.SpikeMonitor(G)}


def connect_patterns(sim):
    """connect() all to all, with a condition, and n."""
    A = sim.NeuronGroup(5, "v : 1", threshold="v > 1")
    B = sim.NeuronGroup(4, "v : 1")
    S1 = sim.Synapses(A, B, "w : 1")
    S1.connect()
    S2 = sim.Synapses(A, B, "w : 1")
    S2.connect(condition="i != j and j <= i + 1")
    S3 = sim.Synapses(A, A, "w : 1")
    S3.connect(condition="abs(i - j) == 1", n=2)
    return None, {"S1": S1, "S2": S2, "S3": S3}


def connect_generators(sim):
    """Brian's generator syntax for j, skip_if_invalid, conditions on pre- and
    postsynaptic variables, and p as an expression (0 or 1 here, so that the
    synapses do not depend on the random numbers)."""
    G = sim.NeuronGroup(6, "x : 1", threshold="x > 1")
    H = sim.NeuronGroup(5, "y : 1")
    G.x = "i*0.1"
    H.y = "i*0.1"
    S1 = sim.Synapses(G, H)
    S1.connect(j="i", skip_if_invalid=True)
    S2 = sim.Synapses(G, H)
    S2.connect(j="k for k in range(i-1, i+2) if k != i", skip_if_invalid=True)
    S3 = sim.Synapses(G, H)
    S3.connect(j="k for k in range(N_post) if abs(x_pre - y_post) < 0.15")
    S4 = sim.Synapses(G, H)
    S4.connect(j="2*k for k in range(0, 3)", skip_if_invalid=True)
    S5 = sim.Synapses(G, H)
    S5.connect(condition="i != j", p="1.0*(i > j + 1)")
    return None, {"S1": S1, "S2": S2, "S3": S3, "S4": S4, "S5": S5}


def stdp_traces(sim):
    """Brian's STDP rule (event-driven traces, on_pre and on_post) between
    regularly firing neurons at different rates, with delays: the weights,
    traces and lastupdate after the run depend on every spike's time."""
    ns = {"ms": sim.ms, "taupre": 20 * sim.ms, "taupost": 20 * sim.ms, "wmax": 0.01,
          "dApre": 0.01 * 0.01, "dApost": -0.01 * 0.01 * 1.05}
    P = sim.NeuronGroup(4, "dv/dt = (1 + 0.13*i)/(7*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="euler", namespace=ns)
    Q = sim.NeuronGroup(3, "dv/dt = (1 + 0.21*i)/(9*ms) : 1\ng : 1", threshold="v > 1",
                        reset="v = 0", method="euler", namespace=ns)
    S = sim.Synapses(P, Q, """w : 1
                              dApre/dt = -Apre/taupre : 1 (event-driven)
                              dApost/dt = -Apost/taupost : 1 (event-driven)""",
                     on_pre="""g_post += w
                               Apre += dApre
                               w = clip(w + Apost, 0, wmax)""",
                     on_post="""Apost += dApost
                                w = clip(w + Apre, 0, wmax)""", namespace=ns)
    S.connect()
    S.w = "0.005"
    S.delay = "i*0.3*ms"
    return 150 * sim.ms, {"P": P, "Q": Q, "S": S}


def summed_conductances(sim):
    """Clock-driven synaptic conductances (exact), summed into the targets'
    input every step before they are integrated, as in Brian's schedule."""
    ns = {"ms": sim.ms}
    P = sim.NeuronGroup(4, "dv/dt = (1 + 0.13*i)/(7*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="euler", namespace=ns)
    Q = sim.NeuronGroup(3, "dv/dt = (Isyn - v)/(20*ms) : 1\nIsyn : 1", method="euler",
                        namespace=ns)
    S = sim.Synapses(P, Q, """dg/dt = -g/(5*ms) : 1 (clock-driven)
                              w : 1
                              Isyn_post = w*g : 1 (summed)""", on_pre="g += 1",
                     namespace=ns)
    S.connect(condition="i != j")
    S.w = "0.1*i + 0.01*j"
    S.delay = "i*0.2*ms"
    M = sim.StateMonitor(Q, "v", record=True)
    MS = sim.StateMonitor(S, ["g", "w"], record=[0, 3, 7])
    return 60 * sim.ms, {"P": P, "Q": Q, "S": S, "M": M, "MS": MS}


def pathways_and_post_delays(sim):
    """Several presynaptic pathways (on_pre as a dict), each with its own
    delay (one of them per synapse), and a postsynaptic pathway with a
    delay: when each effect arrives, and Brian's order of pathways acting
    in one step (presynaptic ones by name, then the postsynaptic one)."""
    ns = {"ms": sim.ms}
    P = sim.NeuronGroup(3, "dv/dt = (1 + 0.2*i)/(5*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="euler", namespace=ns)
    Q = sim.NeuronGroup(4, "dv/dt = (1 + 0.15*i)/(6*ms) : 1\nx : 1\ny : 1",
                        threshold="v > 1", reset="v = 0", method="euler", namespace=ns)
    S = sim.Synapses(P, Q, "w : 1\nc : 1",
                     on_pre={"up": "x_post += w\nc += 1",
                             "down": "x_post *= 0.5\ny_post += 1"},
                     on_post="w = 0.9*w + 0.01*c",
                     delay={"up": 0.7 * sim.ms, "post": 2 * sim.ms}, namespace=ns)
    S.connect()
    S.w = "1 + i + 0.1*j"
    S.down.delay = "j*0.4*ms + 0.3*ms"
    M = sim.StateMonitor(Q, ["x", "y"], record=True)
    return 40 * sim.ms, {"P": P, "Q": Q, "S": S, "M": M}


def summed_presynaptic(sim):
    """Summed variables of the source: each presynaptic neuron's clock-driven
    synaptic conductances, summed over its outgoing synapses, slow it down
    (Iback); a subgroup P[1:3] as the source sets only its neurons (Ix)."""
    ns = {"ms": sim.ms}
    P = sim.NeuronGroup(4, """dv/dt = (1 + 0.13*i - Iback)/(7*ms) : 1
                              Iback : 1
                              Ix : 1""", threshold="v > 1", reset="v = 0",
                        method="euler", namespace=ns)
    P.Ix = -1
    Q = sim.NeuronGroup(3, "dv/dt = (1 + 0.21*i)/(9*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="euler", namespace=ns)
    S = sim.Synapses(P, Q, """dg/dt = -g/(5*ms) : 1 (clock-driven)
                              w : 1
                              Iback_pre = w*g : 1 (summed)""", on_pre="g += 1",
                     namespace=ns)
    S.connect(condition="i != j")
    S.w = "0.1*i + 0.07*j + 0.05"
    S.delay = "j*0.2*ms"
    T = sim.Synapses(P[1:3], Q, """c : 1
                                   Ix_pre = c*v_pre + 0.3*v_post : 1 (summed)""",
                     namespace=ns)
    T.connect(condition="j >= i")
    T.c = "0.5 + i + 0.25*j"
    M = sim.StateMonitor(P, ["v", "Iback", "Ix"], record=True)
    return 40 * sim.ms, {"P": P, "Q": Q, "S": S, "T": T, "M": M}


def subexpressions(sim):
    """Synaptic subexpressions, nested, of a presynaptic variable and a
    constant of the namespace, used by on_pre, by a clock-driven equation
    and through it by a summed variable."""
    ns = {"ms": sim.ms, "scale": 0.5}
    P = sim.NeuronGroup(3, "dv/dt = (1 + 0.2*i)/(5*ms) : 1\nx : 1", threshold="v > 1",
                        reset="v = 0", method="euler", namespace=ns)
    P.x = "i + 1"
    Q = sim.NeuronGroup(3, "dv/dt = (Isyn - v)/(10*ms) : 1\nIsyn : 1\nu : 1",
                        method="euler", namespace=ns)
    S = sim.Synapses(P, Q, """w : 1
                              w_eff = w*scale*x_pre : 1
                              w_twice = 2*w_eff : 1
                              dg/dt = (w_eff - g)/(5*ms) : 1 (clock-driven)
                              Isyn_post = g : 1 (summed)""", on_pre="u_post += w_twice",
                     method="euler", namespace=ns)
    S.connect(i=[0, 1, 2, 2], j=[0, 0, 1, 2])
    S.w = "0.5 + i - 0.25*j"
    M = sim.StateMonitor(Q, ["v", "u", "Isyn"], record=True)
    return 30 * sim.ms, {"P": P, "Q": Q, "S": S, "M": M}


MODELS = {f.__name__: f for f in (delays_and_order, lif_network, connect_patterns,
                                  connect_generators, stdp_traces, summed_conductances,
                                  pathways_and_post_delays, summed_presynaptic,
                                  subexpressions)}


def _optional(obj, var):
    """``obj.var_[:]`` as an array, or None if the object has no ``var``."""
    try:
        return np.array(getattr(obj, var + "_")[:])
    except (AttributeError, KeyError):
        return None


def collect(name, objects):
    out = {}
    for label, obj in objects.items():
        key = f"{name}.{label}"
        kind = type(obj).__name__
        if kind == "NeuronGroup":
            out[f"{key}.v"] = np.array(obj.v[:])
            optional = ("g", "Isyn")
        elif kind == "Synapses":
            out[f"{key}.i"], out[f"{key}.j"] = np.array(obj.i[:]), np.array(obj.j[:])
            optional = ("w", "Apre", "Apost", "lastupdate", "g", "c")
        elif kind == "StateMonitor":
            out[f"{key}.t"] = np.array(obj.t_)
            recorded = getattr(obj, "record_variables", None) or obj.variables
            for var in recorded:
                out[f"{key}.{var}"] = np.array(getattr(obj, var + "_"))
            optional = ()
        else:                                          # SpikeMonitor
            out[f"{key}.i"], out[f"{key}.t"] = np.array(obj.i[:]), np.array(obj.t_[:])
            optional = ()
        for var in optional:
            values = _optional(obj, var)
            if values is not None:
                out[f"{key}.{var}"] = values
    return out


def run_model(sim, name):
    sim.start_scope()
    sim.defaultclock.dt = 0.1 * sim.ms
    duration, objects = MODELS[name](sim)
    if duration is not None:
        net = sim.Network(*objects.values())
        net.run(duration, namespace={"ms": sim.ms})
    return collect(name, objects)


if __name__ == "__main__":
    from recording import record
    record(MODELS, run_model, "synapses")
