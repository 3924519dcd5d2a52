"""Models that call functions (issue 14, item 8): a user's Function with a
C++ implementation, written as Brian's user guide writes it, and the
built-in functions Brian documents. The same script runs under both
simulators (``sim`` is ``brian2`` or ``neurocodegen``). Record the
reference with Brian2 2.9:

    benchmarks/.venv-brian2/bin/python tests/brian2_reference/function_models.py

which writes tests/data/brian2_functions.npz; tests/test_functions.py runs the
same models with neurocodegen and compares.
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from neuron_models import collect  # noqa: E402


def user_functions(sim):
    """A Python function with @check_units and a C++ body, and a Function of
    a function with units, in a differential equation and a subexpression."""
    mV, ms, volt = sim.mV, sim.ms, sim.volt

    @sim.implementation("cpp", """
    double usersin(double x) { return sin(x); }
    """)
    @sim.check_units(x=1, result=1)
    def usersin(x):
        return np.sin(x)

    def soft(v):
        return 2 * mV * np.log(1 + np.exp(v / (2 * mV)))

    softplus = sim.implementation(
        "cpp", "double softplus_cpp(double v) { return 0.002*log(1 + exp(v/0.002)); }",
        name="softplus_cpp")(sim.Function(soft, arg_units=[volt], return_unit=volt))
    G = sim.NeuronGroup(3, """dv/dt = (usersin(2*pi*t/(7*ms))*10*mV - v + drive)/(5*ms) : volt
                              drive = softplus(v + i*5*mV) : volt""",
                        method="euler", namespace={"usersin": usersin, "softplus": softplus})
    G.v = "-i*3*mV"
    return 20 * ms, {"G": G, "M": sim.StateMonitor(G, ["v", "drive"], record=[0, 2])}


def builtins(sim):
    """Brian's documented functions in a state update and a subexpression:
    exprel, clip, int, floor, ceil, sign, abs, sqrt, log10, timestep."""
    ms = sim.ms
    G = sim.NeuronGroup(4, """
        dv/dt = (clip(x, -0.5, 0.8) + sign(x)*sqrt(abs(x)) + exprel(x) - v)/(3*ms) : 1
        x = sin(2*pi*t/(5*ms) + i + 0.3) : 1
        k = int(3.7*x) + floor(2.5*x) + ceil(2.5*x) + log10(2 + x) : 1
        n = timestep(t, 0.3*ms) + timestep(lastspike, dt) : integer
        """, threshold="v > 0.6", reset="v = 0", refractory=1 * ms, method="euler")
    return 10 * ms, {"G": G, "spikes": sim.SpikeMonitor(G),
                     "M": sim.StateMonitor(G, ["v", "k", "n"], record=True)}


MODELS = {f.__name__: f for f in (user_functions, builtins)}


def run_model(sim, name):
    sim.start_scope()
    sim.defaultclock.dt = 0.1 * sim.ms
    duration, objects = MODELS[name](sim)
    net = sim.Network(*objects.values())
    net.run(duration)
    return collect(sim, name, objects)


if __name__ == "__main__":
    from recording import record
    record(MODELS, run_model, "functions")
