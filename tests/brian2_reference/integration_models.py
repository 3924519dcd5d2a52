"""Models whose numbers depend on how Brian integrates (issue 14, item 3):
exponential Euler on Hodgkin-Huxley equations whose rates are subexpressions
of v, the automatic choice of a method, and a refractory condition. The same
script runs under both simulators (``sim`` is ``brian2`` or
``neurocodegen``). Record the reference with Brian2 2.9:

    benchmarks/.venv-brian2/bin/python tests/brian2_reference/integration_models.py

which writes tests/data/brian2_integration.npz; tests/test_brian_integration.py
runs the same models with neurocodegen and compares.
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from neuron_models import collect  # noqa: E402


def wang_buzsaki(sim):
    """Wang & Buzsaki's interneuron (Brian's example, 1996): the sodium
    activation m is instantaneous, a subexpression of v, so the equation of v
    is only conditionally linear (``m(v)**3*(v - ENa)``); Brian's exponential
    Euler holds its coefficients at the start of the step. A spike is a
    crossing of -20 mV, the neuron refractory while above it."""
    mV, ms, uA, uF, msiemens = sim.mV, sim.ms, sim.uA, sim.ufarad, sim.msiemens
    ns = dict(Cm=1 * uF, gL=0.1 * msiemens, EL=-65 * mV, ENa=55 * mV, EK=-90 * mV,
              gNa=35 * msiemens, gK=9 * msiemens)
    eqs = """
    dv/dt = (-gNa*m**3*h*(v-ENa)-gK*n**4*(v-EK)-gL*(v-EL)+Iapp)/Cm : volt
    m = alpha_m/(alpha_m+beta_m) : 1
    alpha_m = 0.1/mV*10*mV/exprel(-(v+35*mV)/(10*mV))/ms : Hz
    beta_m = 4*exp(-(v+60*mV)/(18*mV))/ms : Hz
    dh/dt = 5*(alpha_h*(1-h)-beta_h*h) : 1
    alpha_h = 0.07*exp(-(v+58*mV)/(20*mV))/ms : Hz
    beta_h = 1./(exp(-0.1/mV*(v+28*mV))+1)/ms : Hz
    dn/dt = 5*(alpha_n*(1-n)-beta_n*n) : 1
    alpha_n = 0.01/mV*10*mV/exprel(-(v+34*mV)/(10*mV))/ms : Hz
    beta_n = 0.125*exp(-(v+44*mV)/(80*mV))/ms : Hz
    Iapp : amp
    """
    G = sim.NeuronGroup(3, eqs, threshold="v > -20*mV", refractory="v > -20*mV",
                        method="exponential_euler", namespace=ns)
    G.v = -70 * mV
    G.h = 1
    G.Iapp = np.array([0.5, 1.0, 2.0]) * uA
    return 60 * ms, {"G": G, "spikes": sim.SpikeMonitor(G),
                     "M": sim.StateMonitor(G, ["v", "m", "h"], record=[0, 2])}


def traub_miles(sim):
    """Brian's COBAHH example neuron (Traub and Miles' HH model) with its rates
    written as subexpressions of v, integrated with exponential Euler, and a
    refractory period given as a time."""
    mV, ms, nS, pF, umetre, cm, msiemens, siemens, ufarad = (
        sim.mV, sim.ms, sim.nS, sim.pF, sim.umetre, sim.cm, sim.msiemens, sim.siemens,
        sim.ufarad)
    area = 20000 * umetre ** 2
    ns = dict(Cm=(1 * ufarad * cm ** -2) * area, gl=(5e-5 * siemens * cm ** -2) * area,
              El=-60 * mV, EK=-90 * mV, ENa=50 * mV,
              g_na=(100 * msiemens * cm ** -2) * area, g_kd=(30 * msiemens * cm ** -2) * area,
              VT=-63 * mV)
    eqs = """
    dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
    dm/dt = alpha_m*(1-m) - beta_m*m : 1
    dn/dt = alpha_n*(1-n) - beta_n*n : 1
    dh/dt = alpha_h*(1-h) - beta_h*h : 1
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    I : amp
    """
    G = sim.NeuronGroup(4, eqs, threshold="v > -20*mV", refractory=3 * ms,
                        method="exponential_euler", namespace=ns)
    G.v = "El + i*mV"
    G.I = "(0.2 + 0.3*i)*nA"
    return 50 * ms, {"G": G, "spikes": sim.SpikeMonitor(G),
                     "M": sim.StateMonitor(G, ["v", "n"], record=[1, 3])}


def automatic_timedarray(sim):
    """No method given: the equation reads a TimedArray of t whose dt is a
    multiple of the group's, which Brian holds constant over a step, so
    'exact' applies (Euler's numbers differ); the second equation calls
    sin(t), so its group gets 'euler'."""
    mV, ms = sim.mV, sim.ms
    drive = sim.TimedArray(np.array([0.0, 10.0, -5.0, 20.0, 3.0]) * mV, dt=2 * ms)
    G = sim.NeuronGroup(2, """dv/dt = (drive(t) - v)/tau : volt
                              tau : second (constant)""", namespace={"drive": drive})
    G.tau = [3, 7] * ms
    H = sim.NeuronGroup(2, "dv/dt = (sin(2*pi*t/(3*ms))*mV - v)/(4*ms) : volt")
    H.v = "i*mV"
    return 12 * ms, {"G": G, "H": H, "MG": sim.StateMonitor(G, "v", record=True),
                     "MH": sim.StateMonitor(H, "v", record=True)}


def refractory_condition(sim):
    """A refractory condition only lets a neuron leave refractoriness: a
    neuron whose v (a subexpression of t) is above threshold for a while in
    each period spikes once per crossing. The variable that is frozen while
    refractory (unless refractory) measures the time outside."""
    ms = sim.ms
    G = sim.NeuronGroup(3, """v = sin(2*pi*(t/(5*ms) + i/3.0)) : 1
                              doutside/dt = 1/ms : 1 (unless refractory)""",
                        threshold="v > 0.5", refractory="v > 0.5", method="euler")
    return 32 * ms, {"G": G, "spikes": sim.SpikeMonitor(G)}


MODELS = {f.__name__: f for f in (wang_buzsaki, traub_miles, automatic_timedarray,
                                  refractory_condition)}


def run_model(sim, name):
    sim.start_scope()
    sim.defaultclock.dt = 0.05 * sim.ms
    duration, objects = MODELS[name](sim)
    net = sim.Network(*objects.values())
    net.run(duration)
    return collect(sim, name, objects)


if __name__ == "__main__":
    from recording import record
    record(MODELS, run_model, "integration")
