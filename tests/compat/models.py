"""Small models written as Brian's user guide and examples write them, for
the differential compatibility suite (issue 14). Each model is a function
``model(sim)`` where ``sim`` is the simulator module (``brian2`` or
``neurocodegen``): it builds its objects, calls ``sim.run`` itself (so that
names in model strings come from the function's own variables, as in a
script), and returns the numbers a user reads back: spike counts and times,
monitor means and extremes, final states.

A model is *deterministic* (the same arithmetic in both simulators: its
numbers must agree up to rounding) or *noisy* (it draws random numbers,
which differ between the simulators: it returns statistics as
``{"mean": m, "se": s}``, with ``s`` the standard error of ``m`` estimated
from the same run). ``record_brian2.py`` runs them under Brian2 and
``test_compat.py`` under neurocodegen; README.md lists what each checks.
"""
# ruff: noqa: F841  (constants are read by name from the model strings, as in scripts)
import numpy as np

MODELS = {}


class Model:
    """A model function with how it compares: ``noisy`` (statistics),
    ``runtime_only`` (uses what standalone mode lacks), ``rtol`` (a
    relative tolerance of its own for floats, None for the suite's)."""

    def __init__(self, func, noisy, runtime_only=False, rtol=None):
        self.func, self.noisy, self.runtime_only, self.rtol = func, noisy, runtime_only, rtol
        self.name = func.__name__


def deterministic(func=None, *, runtime_only=False, rtol=None):
    if func is None:
        return lambda f: deterministic(f, runtime_only=runtime_only, rtol=rtol)
    MODELS[func.__name__] = Model(func, False, runtime_only, rtol)
    return func


def noisy(func):
    MODELS[func.__name__] = Model(func, True)
    return func


def run_model(sim, name):
    """A fresh scope, Brian's default dt, then the model; its numbers."""
    sim.start_scope()
    sim.defaultclock.dt = 0.1 * sim.ms
    return MODELS[name].func(sim)


# -- what a user reads back, as plain JSON numbers ------------------------------

def floats(values):
    return [float(x) for x in np.ravel(np.asarray(values))]


def ints(values):
    return [int(x) for x in np.ravel(np.asarray(values))]


def spikes(monitor, ms):
    """Per neuron: how many spikes, the first and the last spike time (ms)."""
    trains = monitor.spike_trains()
    first = [float(trains[k][0] / ms) if len(trains[k]) else None for k in sorted(trains)]
    last = [float(trains[k][-1] / ms) if len(trains[k]) else None for k in sorted(trains)]
    return {"count": ints(monitor.count[:]), "first_ms": first, "last_ms": last,
            "num_spikes": int(monitor.num_spikes)}


def trace(values):
    """Mean, minimum and maximum over time of each recorded neuron's trace
    (values shaped neurons x time), and its value at a few time points."""
    values = np.asarray(values)
    points = np.linspace(0, values.shape[1] - 1, 5).astype(int)
    return {"mean": floats(values.mean(axis=1)), "min": floats(values.min(axis=1)),
            "max": floats(values.max(axis=1)), "at": floats(values[:, points])}


def sample(values):
    """The mean of independent samples and its standard error."""
    values = np.ravel(np.asarray(values, dtype=float))
    return {"mean": float(values.mean()),
            "se": float(values.std(ddof=1) / np.sqrt(len(values)))}


def variance(values):
    """A sample variance and its standard error for roughly normal samples:
    var * sqrt(2 / (n - 1))."""
    values = np.ravel(np.asarray(values, dtype=float))
    var = float(values.var(ddof=1))
    return {"mean": var, "se": var * float(np.sqrt(2.0 / (len(values) - 1)))}


def poisson_count(count):
    """A total count of independent rare events: Poisson, se = sqrt(count)."""
    return {"mean": float(count), "se": float(np.sqrt(max(count, 1)))}


# -- integrate-and-fire models ---------------------------------------------------

@deterministic
def lif_tutorial(sim):
    """Brian's tutorial LIF: (unless refractory), a refractory period, exact
    integration, a per-neuron drive set from a string."""
    ms = sim.ms
    N = 4
    tau = 10 * ms
    v0_max = 3.
    eqs = """
    dv/dt = (v0 - v)/tau : 1 (unless refractory)
    v0 : 1
    """
    G = sim.NeuronGroup(N, eqs, threshold="v > 1", reset="v = 0", refractory=5 * ms,
                        method="exact")
    G.v0 = "i*v0_max/(N - 1)"
    M = sim.StateMonitor(G, "v", record=[1, 3])
    S = sim.SpikeMonitor(G)
    sim.run(50 * ms)
    return {"spikes": spikes(S, ms), "v": trace(M.v), "v_end": floats(G.v)}


@deterministic
def adex_firing_patterns(sim):
    """Brette & Gerstner's adaptive exponential IF with Naud et al. (2008)
    parameter sets (tonic, adapting, initial burst, regular bursting) as
    per-neuron parameters; a SpikeMonitor records w at each spike."""
    pF, nS, mV, ms, pA = sim.pF, sim.nS, sim.mV, sim.ms, sim.pA
    DeltaT, VT = 2 * mV, -50 * mV
    Vcut = VT + 5 * DeltaT
    eqs = """
    dvm/dt = (gL*(EL - vm) + gL*DeltaT*exp((vm - VT)/DeltaT) + I - w)/C : volt
    dw/dt = (a*(vm - EL) - w)/tauw : amp
    C : farad
    gL : siemens
    EL : volt
    a : siemens
    b : amp
    tauw : second
    Vr : volt
    I : amp
    """
    G = sim.NeuronGroup(4, eqs, threshold="vm > Vcut", reset="vm = Vr; w += b",
                        method="euler")
    G.C = [200, 200, 130, 200] * pF
    G.gL = [10, 12, 18, 10] * nS
    G.EL = [-70, -70, -58, -58] * mV
    G.a = [2, 2, 4, 2] * nS
    G.b = [0, 60, 120, 100] * pA
    G.tauw = [30, 300, 150, 120] * ms
    G.Vr = [-58, -58, -50, -46] * mV
    G.I = [500, 500, 400, 210] * pA
    G.vm = G.EL
    M = sim.StateMonitor(G, ["vm", "w"], record=True)
    S = sim.SpikeMonitor(G, variables="w")
    sim.run(300 * ms)
    w_at_spikes = S.values("w")
    return {"spikes": spikes(S, ms), "vm": trace(M.vm / mV), "w": trace(M.w / pA),
            "w_at_last_spike": [float(w_at_spikes[k][-1] / pA) for k in sorted(w_at_spikes)]}


# The quadratic term multiplies a last-bit difference (the constants
# 0.04/ms/mV folded in another order) by about 1e4 on each upstroke: after
# 200 ms of bursting u differs by up to 6e-9 relative; spikes are the same.
@deterministic(rtol=1e-7)
def izhikevich_types(sim):
    """Izhikevich (2003) as in Brian's documentation: regular spiking,
    intrinsically bursting, chattering, fast spiking and low-threshold
    spiking neurons from per-neuron a, b, c, d."""
    ms, mV = sim.ms, sim.mV
    eqs = """
    dv/dt = (0.04/ms/mV)*v**2 + (5/ms)*v + 140*mV/ms - u + I : volt
    du/dt = a*(b*v - u) : volt/second
    a : 1/second
    b : 1/second
    c : volt
    d : volt/second
    I : volt/second
    """
    G = sim.NeuronGroup(5, eqs, threshold="v >= 30*mV", reset="v = c; u += d",
                        method="euler")
    G.a = [0.02, 0.02, 0.02, 0.1, 0.02] / ms
    G.b = [0.2, 0.2, 0.2, 0.2, 0.25] / ms
    G.c = [-65, -55, -50, -65, -65] * mV
    G.d = [8, 4, 2, 2, 2] * mV / ms
    G.I = 10 * mV / ms
    G.v = -65 * mV
    G.u = "b*v"
    M = sim.StateMonitor(G, "u", record=True)
    S = sim.SpikeMonitor(G)
    sim.run(200 * ms)
    return {"spikes": spikes(S, ms), "u": trace(M.u / (mV / ms)), "v_end": floats(G.v / mV)}


@deterministic
def quadratic_if(sim):
    """A quadratic integrate-and-fire neuron integrated with rk2."""
    ms, mV = sim.ms, sim.mV
    tau = 10 * ms
    eqs = """
    dv/dt = (v**2/(10*mV) + I)/tau : volt
    I : volt
    """
    G = sim.NeuronGroup(3, eqs, threshold="v > 20*mV", reset="v = -20*mV", method="rk2")
    G.I = [0.5, 1.0, 3.0] * mV
    G.v = -20 * mV
    S = sim.SpikeMonitor(G)
    M = sim.StateMonitor(G, "v", record=True)
    sim.run(100 * ms)
    return {"spikes": spikes(S, ms), "v": trace(M.v / mV)}


@deterministic
def exponential_if(sim):
    """Fourcaud-Trocme's exponential integrate-and-fire with a refractory
    period, current steps per neuron."""
    ms, mV, Mohm, nA = sim.ms, sim.mV, sim.Mohm, sim.nA
    tau, EL, VT, DeltaT, R = 20 * ms, -65 * mV, -50 * mV, 3 * mV, 100 * Mohm
    eqs = """
    dv/dt = (-(v - EL) + DeltaT*exp((v - VT)/DeltaT) + R*I)/tau : volt (unless refractory)
    I : amp
    """
    G = sim.NeuronGroup(4, eqs, threshold="v > -30*mV", reset="v = -68*mV",
                        refractory=3 * ms, method="euler")
    G.v = EL
    G.I = "0.1*nA + i*0.05*nA"
    S = sim.SpikeMonitor(G)
    M = sim.StateMonitor(G, "v", record=True)
    sim.run(150 * ms)
    return {"spikes": spikes(S, ms), "v": trace(M.v / mV)}


@deterministic
def adaptive_threshold(sim):
    """Brian's adaptive threshold example (a threshold variable that jumps
    at each spike and relaxes), driven by constant inputs instead of
    Poisson spikes."""
    mV, ms = sim.mV, sim.ms
    eqs = """
    dv/dt = (I - v)/(10*ms) : volt
    dvt/dt = (10*mV - vt)/(15*ms) : volt
    I : volt
    """
    reset = """
    v = 0*mV
    vt += 3*mV
    """
    IF = sim.NeuronGroup(3, model=eqs, reset=reset, threshold="v > vt", method="exact")
    IF.vt = 10 * mV
    IF.I = [12, 20, 40] * mV
    S = sim.SpikeMonitor(IF)
    M = sim.StateMonitor(IF, "vt", record=True)
    sim.run(200 * ms)
    return {"spikes": spikes(S, ms), "vt": trace(M.vt / mV)}


@noisy
def adaptive_threshold_poisson(sim):
    """Brian's adaptive threshold example as written there: each neuron gets
    its own 500 Hz Poisson train through Synapses."""
    mV, ms, Hz = sim.mV, sim.ms, sim.Hz
    sim.seed(2024)
    N = 200
    eqs = """
    dv/dt = -v/(10*ms) : volt
    dvt/dt = (10*mV - vt)/(15*ms) : volt
    """
    reset = """
    v = 0*mV
    vt += 3*mV
    """
    IF = sim.NeuronGroup(N, model=eqs, reset=reset, threshold="v > vt", method="exact")
    IF.vt = 10 * mV
    PG = sim.PoissonGroup(N, 500 * Hz)
    C = sim.Synapses(PG, IF, on_pre="v += 3*mV")
    C.connect(j="i")
    S = sim.SpikeMonitor(IF)
    P = sim.SpikeMonitor(PG, record=False)
    sim.run(200 * ms)
    return {"count": sample(S.count[:]), "vt_end": sample(IF.vt / mV),
            "input_spikes": poisson_count(P.num_spikes)}


@deterministic
def refractory_time(sim):
    """A refractory period given as a time: a (unless refractory) variable
    clamped, another (w) integrating through it; lastspike and
    not_refractory read back."""
    ms = sim.ms
    eqs = """
    dv/dt = (I - v)/(5*ms) : 1 (unless refractory)
    dw/dt = -w/(20*ms) : 1
    I : 1
    """
    G = sim.NeuronGroup(3, eqs, threshold="v > 1", reset="v = 0; w += 1", refractory=4 * ms,
                        method="exact")
    G.I = [1.5, 3, 10]
    S = sim.SpikeMonitor(G)
    sim.run(42.05 * ms)
    return {"spikes": spikes(S, ms), "w_end": floats(G.w), "v_end": floats(G.v),
            "lastspike": floats(G.lastspike / ms), "not_refractory": ints(G.not_refractory)}


@deterministic
def refractory_expression(sim):
    """Refractory periods given as expressions: a per-neuron parameter
    (refractory='ref') and a string of i."""
    ms = sim.ms
    eqs = """
    dv/dt = 2/(5*ms) : 1 (unless refractory)
    ref : second
    """
    G = sim.NeuronGroup(3, eqs, threshold="v > 1", reset="v = 0", refractory="ref",
                        method="euler")
    G.ref = [0, 1, 5] * ms
    H = sim.NeuronGroup(3, "dv/dt = 2/(5*ms) : 1 (unless refractory)", threshold="v > 1",
                        reset="v = 0", refractory="(1 + 2*i)*ms", method="euler")
    SG, SH = sim.SpikeMonitor(G), sim.SpikeMonitor(H)
    sim.run(30 * ms)
    return {"G": spikes(SG, ms), "H": spikes(SH, ms)}


@deterministic
def refractory_condition(sim):
    """A refractory condition (Brian: refractory while it holds after a
    spike): a neuron whose v = sin(2*pi*phase) crosses 0.5 once per period
    spikes once per crossing."""
    ms, Hz = sim.ms, sim.Hz
    eqs = """
    dphase/dt = f : 1
    v = sin(2*pi*phase) : 1
    f : Hz
    """
    G = sim.NeuronGroup(3, eqs, threshold="v > 0.5", refractory="v > 0.5", method="euler")
    G.f = [40, 75, 110] * Hz
    S = sim.SpikeMonitor(G)
    sim.run(100 * ms)
    return {"spikes": spikes(S, ms), "phase_end": floats(G.phase)}


# -- conductance-based models -----------------------------------------------------

@deterministic
def hh_rate_subexpressions(sim):
    """Hodgkin & Huxley (1952) with the rates as subexpressions of v (exprel
    where the rate has a removable singularity), integrated with
    exponential_euler; spikes detected with a refractory condition."""
    um, cm, uF, msiemens, mV, ms, nA = (sim.umetre, sim.cmetre, sim.ufarad, sim.msiemens,
                                        sim.mV, sim.ms, sim.nA)
    area = 20000 * um**2
    Cm = 1 * uF / cm**2 * area
    gl = 0.3 * msiemens / cm**2 * area
    gNa = 120 * msiemens / cm**2 * area
    gK = 36 * msiemens / cm**2 * area
    El, ENa, EK = 10.6 * mV, 115 * mV, -12 * mV
    eqs = """
    dv/dt = (gl*(El - v) - gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) + I)/Cm : volt
    dm/dt = alpham*(1 - m) - betam*m : 1
    dn/dt = alphan*(1 - n) - betan*n : 1
    dh/dt = alphah*(1 - h) - betah*h : 1
    alpham = (0.1/mV)*10*mV/exprel((-v + 25*mV)/(10*mV))/ms : Hz
    betam = 4*exp(-v/(18*mV))/ms : Hz
    alphah = 0.07*exp(-v/(20*mV))/ms : Hz
    betah = 1/(exp((-v + 30*mV)/(10*mV)) + 1)/ms : Hz
    alphan = (0.01/mV)*10*mV/exprel((-v + 10*mV)/(10*mV))/ms : Hz
    betan = 0.125*exp(-v/(80*mV))/ms : Hz
    I : amp
    """
    G = sim.NeuronGroup(3, eqs, threshold="v > 50*mV", refractory="v > 50*mV",
                        method="exponential_euler")
    G.v = 0 * mV
    G.m, G.n, G.h = 0.05, 0.32, 0.6
    G.I = [0.5, 2, 6] * nA      # 2.5, 10 and 30 uA/cm**2
    sim.defaultclock.dt = 0.01 * ms
    M = sim.StateMonitor(G, ["v", "m", "alpham"], record=True)
    S = sim.SpikeMonitor(G)
    sim.run(50 * ms)
    return {"spikes": spikes(S, ms), "v": trace(M.v / mV), "m": trace(M.m),
            "alpham": trace(M.alpham / (1 / ms)), "h_end": floats(G.h)}


@deterministic
def hh_traub_exprel(sim):
    """The Hodgkin-Huxley model of Brian's IF-curve example (Traub & Miles
    rates written inline with exprel) for a range of currents."""
    um, cm, uF, msiemens, mV, ms, nA = (sim.umetre, sim.cmetre, sim.ufarad, sim.msiemens,
                                        sim.mV, sim.ms, sim.nA)
    num_neurons = 5
    area = 20000 * um**2
    Cm = 1 * uF * cm**-2 * area
    gl = 5e-5 * sim.siemens * cm**-2 * area
    El, EK, ENa = -65 * mV, -90 * mV, 50 * mV
    g_na = 100 * msiemens * cm**-2 * area
    g_kd = 30 * msiemens * cm**-2 * area
    VT = -63 * mV
    eqs = """
    dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
    dm/dt = 0.32*(mV**-1)*4*mV/exprel((13.*mV-v+VT)/(4*mV))/ms*(1-m)-0.28*(mV**-1)*5*mV/exprel((v-VT-40.*mV)/(5*mV))/ms*m : 1
    dn/dt = 0.032*(mV**-1)*5*mV/exprel((15.*mV-v+VT)/(5*mV))/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
    dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
    I : amp
    """
    group = sim.NeuronGroup(num_neurons, eqs, threshold="v > -40*mV", refractory="v > -40*mV",
                            method="exponential_euler")
    group.v = El
    group.I = "0.7*nA * i / num_neurons"
    S = sim.SpikeMonitor(group)
    M = sim.StateMonitor(group, "v", record=True)
    sim.defaultclock.dt = 0.02 * ms
    sim.run(100 * ms)
    return {"spikes": spikes(S, ms), "v": trace(M.v / mV)}


@deterministic
def wang_buzsaki(sim):
    """Wang & Buzsaki (1996) interneuron with the rates written as in the
    paper (x/(exp(x) - 1), not exprel): m as an instantaneous subexpression,
    h and n with rate subexpressions, integrated with rk4 (Brian's
    exponential_euler refuses this form: v appears inside exp() in a
    denominator)."""
    uF, msiemens, mV, ms, uA = sim.ufarad, sim.msiemens, sim.mV, sim.ms, sim.uA
    Cm = 1 * uF
    gL, EL = 0.1 * msiemens, -65 * mV
    ENa, EK = 55 * mV, -90 * mV
    gNa, gK = 35 * msiemens, 9 * msiemens
    eqs = """
    dv/dt = (-gNa*m**3*h*(v-ENa) - gK*n**4*(v-EK) - gL*(v-EL) + Iapp)/Cm : volt
    m = alpham/(alpham+betam) : 1
    alpham = -0.1/mV*(v+35*mV)/(exp(-0.1/mV*(v+35*mV))-1)/ms : Hz
    betam = 4*exp(-(v+60*mV)/(18*mV))/ms : Hz
    dh/dt = 5*(alphah*(1-h)-betah*h) : 1
    alphah = 0.07*exp(-(v+58*mV)/(20*mV))/ms : Hz
    betah = 1./(exp(-0.1/mV*(v+28*mV))+1)/ms : Hz
    dn/dt = 5*(alphan*(1-n)-betan*n) : 1
    alphan = -0.01/mV*(v+34*mV)/(exp(-0.1/mV*(v+34*mV))-1)/ms : Hz
    betan = 0.125*exp(-(v+44*mV)/(80*mV))/ms : Hz
    Iapp : amp
    """
    neuron = sim.NeuronGroup(3, eqs, threshold="v > -20*mV", refractory="v > -20*mV",
                             method="rk4")
    neuron.v = -70 * mV
    neuron.h = 1
    neuron.Iapp = [0.5, 1, 2] * uA
    sim.defaultclock.dt = 0.02 * ms
    M = sim.StateMonitor(neuron, ["v", "m"], record=True)
    S = sim.SpikeMonitor(neuron)
    sim.run(100 * ms)
    return {"spikes": spikes(S, ms), "v": trace(M.v / mV), "m": trace(M.m)}


@deterministic
def morris_lecar(sim):
    """Morris & Lecar (1981) with Rinzel & Ermentrout's parameters (currents
    per membrane area, tanh/cosh subexpressions), integrated with rk4."""
    uF, cm, msiemens, mV, ms, uA = (sim.ufarad, sim.cmetre, sim.msiemens, sim.mV, sim.ms,
                                    sim.uA)
    C = 20 * uF / cm**2
    gL, gCa, gK = 2 * msiemens / cm**2, 4.4 * msiemens / cm**2, 8 * msiemens / cm**2
    VL, VCa, VK = -60 * mV, 120 * mV, -84 * mV
    V1, V2, V3, V4 = -1.2 * mV, 18 * mV, 2 * mV, 30 * mV
    phi = 0.04 / ms
    eqs = """
    dv/dt = (I - gL*(v - VL) - gCa*m_inf*(v - VCa) - gK*w*(v - VK))/C : volt
    dw/dt = phi*(w_inf - w)/tau_w : 1
    m_inf = 0.5*(1 + tanh((v - V1)/V2)) : 1
    w_inf = 0.5*(1 + tanh((v - V3)/V4)) : 1
    tau_w = 1/cosh((v - V3)/(2*V4)) : 1
    I : amp/meter**2
    """
    G = sim.NeuronGroup(4, eqs, threshold="v > 0*mV", refractory="v > 0*mV", method="rk4")
    G.v = -60 * mV
    G.w = "w_inf"
    G.I = [60, 90, 100, 150] * uA / cm**2
    sim.defaultclock.dt = 0.05 * ms
    M = sim.StateMonitor(G, ["v", "w"], record=True)
    S = sim.SpikeMonitor(G)
    sim.run(400 * ms)
    return {"spikes": spikes(S, ms), "v": trace(M.v / mV), "w": trace(M.w)}


@deterministic
def fitzhugh_nagumo(sim):
    """FitzHugh-Nagumo (dimensionless, time constants in ms) integrated with
    heun; 'spikes' are upward crossings of v = 1 (refractory while v > 1)."""
    ms = sim.ms
    tau, tauw, a, b = 1 * ms, 12.5 * ms, 0.7, 0.8
    eqs = """
    dv/dt = (v - v**3/3 - w + I)/tau : 1
    dw/dt = (v + a - b*w)/tauw : 1
    I : 1
    """
    G = sim.NeuronGroup(3, eqs, threshold="v > 1", refractory="v > 1", method="heun")
    G.v, G.w = -1.2, -0.6
    G.I = [0.2, 0.5, 1.0]
    M = sim.StateMonitor(G, ["v", "w"], record=True)
    S = sim.SpikeMonitor(G)
    sim.run(200 * ms)
    return {"spikes": spikes(S, ms), "v": trace(M.v), "w": trace(M.w)}


@deterministic
def integrators_pendulum(sim):
    """The same nonlinear pendulum integrated with every explicit scheme
    (euler, rk2, rk4, heun) in one group each, and a linear oscillator with
    'exact' against which the scheme's coefficients show."""
    ms = sim.ms
    eqs = """
    dx/dt = y/(2*ms) : 1
    dy/dt = -sin(x)/(2*ms) - 0.1*y/ms : 1
    """
    groups = {}
    for method in ("euler", "rk2", "rk4", "heun"):
        groups[method] = sim.NeuronGroup(2, eqs, method=method)
        groups[method].x = [0.5, 2.5]
    linear = sim.NeuronGroup(2, """dx/dt = y/(5*ms) - x/(3*ms) : 1
                                   dy/dt = -y/(4*ms) : 1""", method="exact")
    linear.x = [1, -0.5]
    linear.y = [0.5, 2]
    groups["exact"] = linear
    sim.run(20 * ms)
    return {f"{method}_{var}": floats(getattr(G, var)) for method, G in groups.items()
            for var in ("x", "y")}


# -- inputs and stimuli -------------------------------------------------------

@deterministic
def timedarray_input(sim):
    """A LIF driven by a TimedArray current (Brian's user-guide stimulus with
    values held for 10 ms) and a 2-D TimedArray indexed by (t, i)."""
    ms, mV, nA, Mohm = sim.ms, sim.mV, sim.nA, sim.Mohm
    stimulus = sim.TimedArray(np.hstack([[c, c, c, 0, 0] for c in [0.2, 0.5, 0.9]]) * nA,
                              dt=10 * ms)
    per_neuron = sim.TimedArray(np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 2.0]]), dt=25 * ms)
    R, tau = 50 * Mohm, 10 * ms
    eqs = """
    dv/dt = (-v + R*stimulus(t)*(1 + per_neuron(t, i)))/tau : volt
    """
    G = sim.NeuronGroup(3, eqs, threshold="v > 15*mV", reset="v = 0*mV", method="euler")
    S = sim.SpikeMonitor(G)
    M = sim.StateMonitor(G, "v", record=True)
    sim.run(160 * ms)
    return {"spikes": spikes(S, ms), "v": trace(M.v / mV)}


@deterministic
def constant_over_dt(sim):
    """A time-dependent input declared (constant over dt), so that exact
    integration takes it as a parameter over each step."""
    ms = sim.ms
    eqs = """
    dv/dt = (I - v)/(8*ms) : 1
    I = 1.2 + sin(2*pi*t/(13*ms) + i) : 1 (constant over dt)
    """
    G = sim.NeuronGroup(3, eqs, threshold="v > 1", reset="v = 0", method="exact")
    M = sim.StateMonitor(G, ["v", "I"], record=True)
    S = sim.SpikeMonitor(G)
    sim.run(60 * ms)
    return {"spikes": spikes(S, ms), "v": trace(M.v), "I": trace(M.I)}


@deterministic
def spikegen_synapses(sim):
    """A SpikeGeneratorGroup (Brian's user-guide form) driving a LIF through
    Synapses with per-synapse weights and delays."""
    ms = sim.ms
    indices = np.array([0, 2, 1, 0, 1, 2, 0])
    times = np.array([1, 2, 3, 10, 10.5, 20, 20.2]) * ms
    inp = sim.SpikeGeneratorGroup(3, indices, times)
    G = sim.NeuronGroup(4, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="exact")
    S = sim.Synapses(inp, G, "w : 1", on_pre="v += w")
    S.connect()
    S.w = "0.3 + 0.2*j"
    S.delay = "(i + j)*1.5*ms"
    SM = sim.SpikeMonitor(G)
    M = sim.StateMonitor(G, "v", record=True)
    sim.run(40 * ms)
    return {"spikes": spikes(SM, ms), "v": trace(M.v), "n_synapses": len(S)}


@noisy
def poisson_group_drive(sim):
    """A PoissonGroup whose rates differ per neuron, each train driving its
    own LIF one to one."""
    ms, Hz, mV = sim.ms, sim.Hz, sim.mV
    sim.seed(11)
    N = 200
    P = sim.PoissonGroup(N, rates=np.where(np.arange(N) % 2 == 0, 100, 300) * Hz)
    G = sim.NeuronGroup(N, "dv/dt = -v/(10*ms) : volt", threshold="v > 10*mV",
                        reset="v = 0*mV", method="exact")
    S = sim.Synapses(P, G, on_pre="v += 2*mV")
    S.connect(j="i")
    PM = sim.SpikeMonitor(P)
    GM = sim.SpikeMonitor(G)
    M = sim.StateMonitor(G, "v", record=True)
    sim.run(200 * ms)
    counts = np.asarray(PM.count[:])
    return {"input_100Hz": poisson_count(counts[::2].sum()),
            "input_300Hz": poisson_count(counts[1::2].sum()),
            "output_count": sample(GM.count[:]),
            "time_mean_v": sample(np.asarray(M.v / mV).mean(axis=1))}


@noisy
def poisson_input(sim):
    """PoissonInput onto a LIF: many independent inputs summed into one
    variable."""
    ms, Hz, mV = sim.ms, sim.Hz, sim.mV
    sim.seed(12)
    N = 200
    G = sim.NeuronGroup(N, "dv/dt = (-70*mV - v)/(20*ms) : volt", threshold="v > -55*mV",
                        reset="v = -70*mV", method="exact")
    G.v = -70 * mV
    inp = sim.PoissonInput(G, "v", N=100, rate=40 * Hz, weight=0.3 * mV)
    S = sim.SpikeMonitor(G)
    M = sim.StateMonitor(G, "v", record=True)
    sim.run(200 * ms)
    return {"count": sample(S.count[:]),
            "time_mean_v": sample(np.asarray(M.v / mV)[:, 500:].mean(axis=1))}


@noisy
def poisson_threshold(sim):
    """Poisson neurons the user-guide way: threshold='rand() < rate*dt'."""
    ms, Hz = sim.ms, sim.Hz
    sim.seed(13)
    G = sim.NeuronGroup(100, "rate : Hz", threshold="rand() < rate*dt")
    G.rate = "(1 + i % 4)*20*Hz"
    S = sim.SpikeMonitor(G)
    sim.run(200 * ms)
    counts = np.asarray(S.count[:])
    return {"count_20Hz": poisson_count(counts[0::4].sum()),
            "count_80Hz": poisson_count(counts[3::4].sum())}


@noisy
def ou_process(sim):
    """An Ornstein-Uhlenbeck process (xi) integrated with euler: the mean and
    variance across neurons after several time constants."""
    ms = sim.ms
    sim.seed(14)
    tau, sigma, mu = 5 * ms, 0.8, 0.3
    G = sim.NeuronGroup(2000, "dx/dt = (mu - x)/tau + sigma*sqrt(2/tau)*xi : 1",
                        method="euler")
    sim.run(40 * ms)
    x = np.asarray(G.x)
    return {"mean": sample(x), "variance": variance(x)}


@noisy
def milstein_gbm(sim):
    """A geometric Brownian motion (multiplicative noise) integrated with
    milstein: log x after 100 ms has mean (mu - sigma**2/2)*T."""
    ms, second = sim.ms, sim.second
    sim.seed(15)
    mu, sigma = 2 / second, 1.5 / second**0.5
    G = sim.NeuronGroup(2000, "dx/dt = mu*x + sigma*x*xi : 1", method="milstein")
    G.x = 1
    sim.run(100 * ms)
    logx = np.log(np.asarray(G.x))
    return {"log_mean": sample(logx), "log_variance": variance(logx)}


@noisy
def conductance_noise(sim):
    """Destexhe's point-conductance model: excitatory and inhibitory
    conductances as OU processes (xi_e, xi_i) in a conductance-based LIF."""
    ms, mV, nS, pF = sim.ms, sim.mV, sim.nS, sim.pF
    sim.seed(16)
    C, gL, EL = 200 * pF, 10 * nS, -65 * mV
    Ee, Ei = 0 * mV, -75 * mV
    taue, taui = 3 * ms, 10 * ms
    ge0, gi0, sigmae, sigmai = 12 * nS, 40 * nS, 6 * nS, 12 * nS
    eqs = """
    dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v))/C : volt (unless refractory)
    dge/dt = -(ge - ge0)/taue + sigmae*sqrt(2/taue)*xi_e : siemens
    dgi/dt = -(gi - gi0)/taui + sigmai*sqrt(2/taui)*xi_i : siemens
    """
    G = sim.NeuronGroup(200, eqs, threshold="v > -52*mV", reset="v = -65*mV",
                        refractory=2 * ms, method="euler")
    G.v, G.ge, G.gi = EL, ge0, gi0
    S = sim.SpikeMonitor(G)
    M = sim.StateMonitor(G, ["v", "ge"], record=True)
    sim.run(300 * ms)
    return {"count": sample(S.count[:]),
            "time_mean_v": sample(np.asarray(M.v / mV)[:, 500:].mean(axis=1)),
            "time_mean_ge": sample(np.asarray(M.ge / nS)[:, 500:].mean(axis=1)),
            "ge_variance": variance(np.asarray(M.ge / nS)[:, -1])}


@noisy
def random_initial_state(sim):
    """Initial values drawn with rand() in a string (the CUBA example's
    'v = vr + rand()*(vt - vr)') then a deterministic drive."""
    ms, mV = sim.ms, sim.mV
    sim.seed(17)
    vr, vt = -60 * mV, -50 * mV
    G = sim.NeuronGroup(500, "dv/dt = (-49*mV - v)/(20*ms) : volt", threshold="v > vt",
                        reset="v = vr", method="exact")
    G.v = "vr + rand()*(vt - vr)"
    v0 = np.asarray(G.v / mV)
    S = sim.SpikeMonitor(G)
    sim.run(100 * ms)
    return {"v0": sample(v0), "count": sample(S.count[:]), "v_end": sample(G.v / mV)}


# -- synapses --------------------------------------------------------------------

@deterministic
def stdp_spikegen(sim):
    """Brian's STDP rule (event-driven traces, clipped weights) between
    scheduled presynaptic spikes and regularly firing postsynaptic neurons."""
    ms = sim.ms
    taupre = taupost = 20 * ms
    wmax, Apre = 0.01, 0.001
    Apost = -Apre * taupre / taupost * 1.05
    pre = sim.SpikeGeneratorGroup(4, [0, 1, 2, 3, 0, 1, 2, 3],
                                  [5, 12, 18, 30, 55, 61, 70, 85] * ms)
    post = sim.NeuronGroup(3, "dv/dt = (1 + 0.3*i)/(25*ms) : 1", threshold="v > 1",
                           reset="v = 0", method="euler")
    S = sim.Synapses(pre, post,
                     """w : 1
                     dapre/dt = -apre/taupre : 1 (event-driven)
                     dapost/dt = -apost/taupost : 1 (event-driven)""",
                     on_pre="""v_post += w
                     apre += Apre
                     w = clip(w + apost, 0, wmax)""",
                     on_post="""apost += Apost
                     w = clip(w + apre, 0, wmax)""")
    S.connect()
    S.w = "0.005 + 0.0005*i - 0.0003*j"
    M = sim.SpikeMonitor(post)
    sim.run(100 * ms)
    return {"spikes": spikes(M, ms), "w": floats(S.w[:]), "apre": floats(S.apre[:]),
            "apost": floats(S.apost[:])}


@deterministic
def gap_junctions(sim):
    """Brian's gap-junction example: a (summed) current through all-to-all
    electrical synapses."""
    ms = sim.ms
    N = 10
    v0 = 1.05
    tau = 10 * ms
    neuron_eqs = """
    dv/dt = (v0 - v + Igap)/tau : 1
    Igap : 1 # gap junction current
    """
    neurons = sim.NeuronGroup(N, neuron_eqs, threshold="v > 1", reset="v = 0",
                              method="exact")
    neurons.v = "i*1.0/(N - 1)"
    S = sim.Synapses(neurons, neurons, """
                     w : 1 # gap junction conductance
                     Igap_post = w*(v_pre - v_post) : 1 (summed)
                     """)
    S.connect()
    S.w = 0.02
    trace_mon = sim.StateMonitor(neurons, ["v", "Igap"], record=[0, 5, 9])
    spike_mon = sim.SpikeMonitor(neurons)
    sim.run(100 * ms)
    return {"spikes": spikes(spike_mon, ms), "v": trace(trace_mon.v),
            "Igap": trace(trace_mon.Igap)}


@deterministic
def alpha_synapses(sim):
    """Clock-driven synaptic conductances (an alpha shape) summed into the
    postsynaptic neuron, triggered by a SpikeGeneratorGroup."""
    ms, mV, nS, pF = sim.ms, sim.mV, sim.nS, sim.pF
    tau_s = 2 * ms
    inp = sim.SpikeGeneratorGroup(2, [0, 1, 0, 1], [2, 4, 6, 20] * ms)
    G = sim.NeuronGroup(2, """dv/dt = (gL*(-70*mV - v) + gsyn*(0*mV - v))/(200*pF) : volt
                              gsyn : siemens
                              gL : siemens""", threshold="v > -55*mV", reset="v = -70*mV",
                        method="euler")
    G.v = -70 * mV
    G.gL = [10, 12] * nS
    S = sim.Synapses(inp, G, """
                     dg/dt = (x - g)/tau_s : siemens (clock-driven)
                     dx/dt = -x/tau_s : siemens (clock-driven)
                     gsyn_post = g : siemens (summed)
                     w : siemens
                     """, on_pre="x += w", method="euler")
    S.connect()
    S.w = "(4 + 2*i + j)*nS"
    M = sim.StateMonitor(G, ["v", "gsyn"], record=True)
    SM = sim.SpikeMonitor(G)
    sim.run(40 * ms)
    return {"spikes": spikes(SM, ms), "v": trace(M.v / mV), "gsyn": trace(M.gsyn / nS)}


@deterministic
def cuba_deterministic(sim):
    """A small current-based network in the CUBA example's form (exc/inh
    subgroups, exponential currents, refractory), with a fixed
    connectivity pattern and graded initial voltages instead of random."""
    ms, mV = sim.ms, sim.mV
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    P = sim.NeuronGroup(40, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                        method="exact")
    P.v = "Vr + (i % 7)*(Vt - Vr)/7.5"
    P.ge = P.gi = 0
    we = (60 * 0.27 / 10) * mV
    wi = (-20 * 4.5 / 10) * mV
    Ce = sim.Synapses(P[:32], P, on_pre="ge += we")
    Ci = sim.Synapses(P[32:], P, on_pre="gi += wi")
    Ce.connect(condition="(i + 3*j) % 5 == 0")
    Ci.connect(condition="(2*i + j) % 4 == 1")
    s_mon = sim.SpikeMonitor(P)
    sim.run(100 * ms)
    return {"spikes": spikes(s_mon, ms), "n_exc": len(Ce), "n_inh": len(Ci),
            "v_end": floats(P.v / mV)}


# -- groups, monitors and running ------------------------------------------------

@deterministic
def subgroup_monitors(sim):
    """Subgroups (G[:6], G[6:]) with their own i in assignments, and
    monitors on subgroups (indices relative to the subgroup)."""
    ms = sim.ms
    G = sim.NeuronGroup(10, """dv/dt = (I - v)/(10*ms) : 1
                               I : 1""", threshold="v > 1", reset="v = 0", method="exact")
    exc, inh = G[:6], G[6:]
    exc.I = "1.1 + 0.2*i"
    inh.I = "3 - 0.5*i"
    SM = sim.SpikeMonitor(inh)
    M = sim.StateMonitor(exc, "v", record=[0, 5])
    sim.run(50 * ms)
    return {"spikes": spikes(SM, ms), "i": ints(SM.i[:]), "v": trace(M.v),
            "I": floats(G.I), "inh_N": int(inh.N)}


@deterministic
def linked_inputs(sim):
    """Brian's linked variables: each neuron of G reads a variable of a
    smaller driving group through an index (no copy), every step."""
    ms = sim.ms
    drive = sim.NeuronGroup(3, "dx/dt = (1.5 + 0.5*i - x)/(5*ms) : 1", threshold="x > 1",
                            reset="x = 0", method="exact")
    G = sim.NeuronGroup(9, """dv/dt = (I - v)/(10*ms) : 1
                              I : 1 (linked)""", threshold="v > 0.8", reset="v = 0",
                        method="euler")
    G.I = sim.linked_var(drive, "x", index=np.arange(9) // 3)
    SM = sim.SpikeMonitor(G)
    M = sim.StateMonitor(G, "v", record=[0, 4, 8])
    sim.run(40 * ms)
    return {"spikes": spikes(SM, ms), "v": trace(M.v), "x": floats(drive.x)}


@deterministic
def subgroup_synapses(sim):
    """Synapses from one subgroup onto another, with i and j relative to each."""
    ms = sim.ms
    G = sim.NeuronGroup(8, """dv/dt = (I - v)/(5*ms) : 1
                              I : 1""", threshold="v > 1", reset="v = 0", method="exact")
    G.I[:3] = 2
    S = sim.Synapses(G[:3], G[3:], "w : 1", on_pre="v_post += w")
    S.connect(condition="j >= i")
    S.w = "0.2 + 0.1*j"
    M = sim.SpikeMonitor(G)
    sim.run(30 * ms)
    return {"spikes": spikes(M, ms), "i": ints(S.i[:]), "j": ints(S.j[:]),
            "v_end": floats(G.v)}


@deterministic
def custom_events(sim):
    """A custom event (Brian's user guide: events={'name': condition}),
    code run on it, and an EventMonitor recording a variable."""
    ms = sim.ms
    G = sim.NeuronGroup(3, """dv/dt = (1 + 0.5*i)/(10*ms) : 1
                              counter : integer""",
                        threshold="v > 1", reset="v = 0",
                        events={"half_way": "v > 0.5 and counter < 20"}, method="euler")
    G.run_on_event("half_way", "counter += 1")
    E = sim.EventMonitor(G, "half_way", variables="v")
    S = sim.SpikeMonitor(G)
    sim.run(30 * ms)
    return {"spikes": spikes(S, ms), "counter": ints(G.counter), "events": int(E.num_events),
            "event_v_max": float(np.max(E.v)), "event_t_last": float(E.t[-1] / ms)}


@deterministic
def run_regularly_ops(sim):
    """run_regularly at its own dt: an operation that halves v every 3 ms and
    one that counts."""
    ms = sim.ms
    G = sim.NeuronGroup(3, """dv/dt = (1.5 + 0.5*i - v)/(10*ms) : 1
                              ticks : integer""",
                        threshold="v > 1", reset="v = 0", method="exact")
    G.run_regularly("v = 0.5*v", dt=3 * ms)
    G.run_regularly("ticks += 1", dt=7 * ms)
    S = sim.SpikeMonitor(G)
    M = sim.StateMonitor(G, "v", record=True)
    sim.run(40 * ms)
    return {"spikes": spikes(S, ms), "ticks": ints(G.ticks), "v": trace(M.v)}


@deterministic(runtime_only=True)
def store_restore(sim):
    """The user guide's store/restore loop: the same network run from the
    same stored state for several input strengths."""
    ms = sim.ms
    G = sim.NeuronGroup(5, """dv/dt = (I - v + 0.1*i)/(10*ms) : 1
                              I : 1 (shared)""", threshold="v > 1", reset="v = 0",
                        method="exact")
    M = sim.SpikeMonitor(G)
    sim.store()
    counts = []
    for I in [0.95, 1.2, 2.0]:
        sim.restore()
        G.I = I
        sim.run(30 * ms)
        counts.append(ints(M.count[:]))
    return {"counts": counts, "v_end": floats(G.v)}


@deterministic
def multiple_clocks(sim):
    """Groups with their own dt, and a StateMonitor with a coarser dt."""
    ms = sim.ms
    eqs = "dv/dt = (2 - v)/(10*ms) : 1"
    fine = sim.NeuronGroup(1, eqs, threshold="v > 1", reset="v = 0", method="euler",
                           dt=0.05 * ms)
    coarse = sim.NeuronGroup(1, eqs, threshold="v > 1", reset="v = 0", method="euler",
                             dt=0.5 * ms)
    default = sim.NeuronGroup(1, eqs, threshold="v > 1", reset="v = 0", method="euler")
    M = sim.StateMonitor(fine, "v", record=0, dt=1 * ms)
    monitors = [sim.SpikeMonitor(G) for G in (fine, coarse, default)]
    sim.run(50 * ms)
    return {"fine": spikes(monitors[0], ms), "coarse": spikes(monitors[1], ms),
            "default": spikes(monitors[2], ms), "monitor_t": floats(M.t[:5] / ms),
            "monitor_n": len(M.t), "v": trace(M.v)}


@deterministic
def shared_variables(sim):
    """(shared) parameters and subexpressions; a shared value changed
    between two runs and read back with [:] (one value)."""
    ms = sim.ms
    eqs = """
    dv/dt = (drive + 0.1*i - v)/tau : 1
    drive = I0*(1 + 0.5*sin(2*pi*t/(20*ms))) : 1 (shared)
    I0 : 1 (shared)
    tau : second (shared, constant)
    """
    G = sim.NeuronGroup(4, eqs, threshold="v > 1", reset="v = 0", method="euler")
    G.I0 = 1.1
    G.tau = 8 * ms
    S = sim.SpikeMonitor(G)
    M = sim.StateMonitor(G, "drive", record=[0])
    sim.run(25 * ms)
    G.I0 = 1.6
    sim.run(25 * ms)
    return {"spikes": spikes(S, ms), "I0": float(G.I0[:]), "drive": trace(M.drive)}


@deterministic
def shared_run_regularly(sim):
    """run_regularly writing a shared variable: Brian runs a statement on a
    shared variable once (scalar code), not once per neuron."""
    ms = sim.ms
    G = sim.NeuronGroup(4, """dv/dt = (I0 + 0.1*i - v)/(8*ms) : 1
                              I0 : 1 (shared)""", threshold="v > 1", reset="v = 0",
                        method="euler")
    G.I0 = 1.1
    G.run_regularly("I0 = I0 + 0.1", dt=10 * ms)
    S = sim.SpikeMonitor(G)
    sim.run(50 * ms)
    return {"spikes": spikes(S, ms), "I0": float(G.I0[:])}


@deterministic
def integer_variables(sim):
    """Integer variables: set from expressions with % and int(), counted in a
    reset, used in the equations."""
    ms = sim.ms
    G = sim.NeuronGroup(6, """dv/dt = (1 + 0.4*k)/(10*ms) : 1
                              k : integer (constant)
                              n : integer
                              level = int(v*4) : integer""",
                        threshold="v > 1", reset="v = 0; n += 1", method="euler")
    G.k = "i % 3"
    G.v = "floor(i/2)*0.3"
    M = sim.StateMonitor(G, "level", record=[0, 5])
    sim.run(37 * ms)
    return {"n": ints(G.n), "k": ints(G.k), "level": ints(G.level),
            "level_trace_max": ints(np.max(M.level, axis=1))}


@deterministic
def population_rate(sim):
    """PopulationRateMonitor of regularly firing neurons: binned and smoothed
    rates."""
    ms, Hz = sim.ms, sim.Hz
    G = sim.NeuronGroup(20, "dv/dt = (1 + 0.1*i)/(5*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="euler")
    R = sim.PopulationRateMonitor(G)
    sim.run(50 * ms)
    smooth = R.smooth_rate(window="gaussian", width=1 * ms) / Hz
    return {"rate_mean": float(np.mean(R.rate / Hz)), "rate_max": float(np.max(R.rate / Hz)),
            "smooth_mean": float(np.mean(smooth)), "smooth_max": float(np.max(smooth)),
            "n": len(R.t)}


@deterministic
def get_set_states(sim):
    """set_states with units, get_states (with a subexpression) after a run."""
    ms, mV = sim.ms, sim.mV
    G = sim.NeuronGroup(3, """dv/dt = (El - v)/tau : volt
                              El : volt
                              tau : second
                              dist = v - El : volt""", method="exact")
    G.set_states({"v": [-50, -60, -70] * mV, "El": [-65, -55, -70] * mV,
                  "tau": [10, 20, 5] * ms})
    sim.run(12 * ms)
    states = G.get_states(["v", "dist", "tau"], subexpressions=True)
    return {"v": floats(states["v"] / mV), "dist": floats(states["dist"] / mV),
            "tau": floats(states["tau"] / ms)}
