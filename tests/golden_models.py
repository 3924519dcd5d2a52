"""Small models whose every number was recorded before the compiler's middle
was rebuilt (issue "Architecture for networks"): spike trains, final states
and recorded traces must stay bit-identical in runtime mode and in
standalone mode with 1 and 2 threads. ``python tests/golden_models.py``
records them again into ``tests/data/golden.npz`` (only do that on purpose:
the file is the reference).

Each model function builds its objects in a fresh scope and returns
``(duration, {label: object})``; :func:`collect` reads back what it made.
"""
import sys
from pathlib import Path

import numpy as np

# Hz and nA: string assignments find them in these modules' globals
from neurocodegen import (NeuronGroup, SpikeMonitor, StateMonitor, Equations, defaultclock,  # noqa: F401
                          Hz, mV, ms, nA, cm, msiemens, siemens, ufarad, umetre, seed)

DATA = Path(__file__).parent / "data" / "golden.npz"


def tutorial_refractory():
    G = NeuronGroup(2, "dv/dt = (1-v)/tau : 1 (unless refractory)", threshold="v>0.8",
                    reset="v = 0", refractory=5 * ms, method="exact",
                    namespace={"tau": 10 * ms})
    G.v = [0.0, 0.5]
    return 100 * ms, {"G": G, "S": SpikeMonitor(G), "M": StateMonitor(G, "v", record=True)}


def tutorial_random_start():
    G = NeuronGroup(300, "dv/dt = (2-v)/tau : 1", threshold="v>1", reset="v=0",
                    method="exact", namespace={"tau": 10 * ms})
    G.v = "rand()"
    M = StateMonitor(G, "v", record=[0, 299, 7], dt=0.5 * ms)
    return 50 * ms, {"G": G, "S": SpikeMonitor(G), "M": M}


def noisy_if():
    eqs = """
    dv/dt = (v0 - v)/tau + sigma*xi*tau**-0.5 : 1 (unless refractory)
    v0 : 1
    """
    G = NeuronGroup(1000, eqs, threshold="v>1", reset="v=0", refractory=5 * ms,
                    method="euler", namespace={"tau": 10 * ms, "sigma": 0.2})
    G.v0 = "i*3.0/(N-1)"
    return 100 * ms, {"G": G, "S": SpikeMonitor(G)}


def adaptive_threshold():
    vr, vt0 = -70 * mV, -50 * mV
    constants = dict(tau=10 * ms, vr=vr, vt0=vt0, sigma=0.5 * (vt0 - vr),
                     v_drive=2 * (vt0 - vr), delta_vt0=5 * mV, tau_t=100 * ms)
    G = NeuronGroup(700, """
        dv/dt = (v_drive+vr-v)/tau + sigma*xi*tau**-0.5 : volt
        dvt/dt = (vt0-vt)/tau_t : volt""", threshold="v>vt",
        reset="v = vr\nvt += delta_vt0", refractory=5 * ms, method="euler",
        namespace=constants)
    G.v = "rand()*(vt0-vr)+vr"
    G.vt = vt0
    return 100 * ms, {"G": G, "S": SpikeMonitor(G),
                      "M": StateMonitor(G, ["v", "vt"], record=[0, 1, 699])}


def partly_frozen():
    """Only v is held while refractory; w keeps integrating (a branch in the
    state update), a subexpression, randn() in the reset, a counts-only
    monitor and a time-valued refractory expression."""
    eqs = """
    dv/dt = (I - v + w)/tau : 1 (unless refractory)
    dw/dt = -w/tau_w : 1
    I = 1.5 + 0.2*sin(freq*t) : 1
    freq : Hz (constant)
    """
    G = NeuronGroup(50, eqs, threshold="v > 1", reset="v = 0\nw += 0.1*randn()",
                    refractory="(2 + 0.02*i)*ms", method="heun",
                    namespace={"tau": 10 * ms, "tau_w": 30 * ms})
    G.freq = "(100 + i)*Hz"
    G.v = "0.9*rand()"
    return 80 * ms, {"G": G, "S": SpikeMonitor(G, record=False),
                     "M": StateMonitor(G, ["v", "w"], record=[3, 40])}


def hodgkin_huxley():
    """Brian's IF_curve_Hodgkin_Huxley: exponential Euler, a boolean refractory."""
    area = 20000 * umetre ** 2
    ns = dict(area=area, Cm=1 * ufarad * cm ** -2 * area, gl=5e-5 * siemens * cm ** -2 * area,
              El=-65 * mV, EK=-90 * mV, ENa=50 * mV,
              g_na=100 * msiemens * cm ** -2 * area, g_kd=30 * msiemens * cm ** -2 * area,
              VT=-63 * mV, num_neurons=20)
    eqs = Equations("""
    dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
    dm/dt = 0.32*(mV**-1)*4*mV/exprel((13.*mV-v+VT)/(4*mV))/ms*(1-m)-0.28*(mV**-1)*5*mV/exprel((v-VT-40.*mV)/(5*mV))/ms*m : 1
    dn/dt = 0.032*(mV**-1)*5*mV/exprel((15.*mV-v+VT)/(5*mV))/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
    dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
    I : amp
    """)
    G = NeuronGroup(20, eqs, threshold="v > -40*mV", refractory="v > -40*mV",
                    method="exponential_euler", namespace=ns)
    G.v = -65 * mV
    G.I = "0.7*nA * i / num_neurons"
    return 100 * ms, {"G": G, "S": SpikeMonitor(G)}


MODELS = {f.__name__: f for f in (tutorial_refractory, tutorial_random_start, noisy_if,
                                  adaptive_threshold, partly_frozen, hodgkin_huxley)}


def build(name):
    """A fresh scope, the seed, then the model: (duration, objects)."""
    from neurocodegen import start_scope
    start_scope()
    defaultclock.dt = 0.1 * ms
    seed(2026)
    return MODELS[name]()


def collect(name, objects):
    """Every number the model's objects hold after the run, by key."""
    out = {}
    for label, obj in objects.items():
        key = f"{name}.{label}"
        if isinstance(obj, NeuronGroup):
            for var in sorted(obj._arrays):
                out[f"{key}.{var}"] = np.array(obj._arrays[var])
        elif isinstance(obj, SpikeMonitor):
            out[f"{key}.count"] = np.array(obj.count)
            if obj.record:
                out[f"{key}.i"], out[f"{key}.t"] = np.array(obj.i), np.array(obj.t_)
        else:
            out[f"{key}.t"] = np.array(obj.t_)
            for var in obj.variables:
                out[f"{key}.{var}"] = np.array(getattr(obj, var + "_"))
    return out


def simulate(name):
    """Build and run one model on the current device; what it holds after."""
    from neurocodegen import Network
    duration, objects = build(name)
    Network(*objects.values()).run(duration, namespace={})
    return objects


def run_runtime(name):
    return collect(name, simulate(name))


if __name__ == "__main__":
    # Record in runtime mode (standalone mode equals it; the test checks both).
    _ = nA  # the HH model's namespace uses unit names through Equations
    recorded = {}
    for model in MODELS:
        recorded.update(run_runtime(model))
        print(model, "recorded", file=sys.stderr)
    DATA.parent.mkdir(exist_ok=True)
    np.savez_compressed(DATA, **recorded)
    print(f"{len(recorded)} arrays -> {DATA}")
