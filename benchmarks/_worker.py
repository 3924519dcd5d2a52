"""One measurement in a fresh process; run by benchmarks/run.py, prints one JSON line.

    python benchmarks/_worker.py SYSTEM MODEL [--N N] [--duration S] [--warmup S] [--dir DIR]

SYSTEM: ours | ours-standalone | ours-standalone-2t | brian2-cython | brian2-cpp |
brian2-numpy.  The same model code
runs on neurocodegen (`from neurocodegen import *`) and on Brian2
(`from brian2 import *`); run it with the Python that has the package.

Protocol: build the network, run(warmup) (compiles or loads the compiled code),
then run(duration), which is the timed call.  For brian2-cpp both run() calls
only generate code; device.build() compiles and runs the binary, and the timed
value is the binary's own time for the last run() (device._last_run_time).
Spike counts: `spikes` over warm-up + timed run (comparable across systems),
`spikes_timed` in the timed run only.
DIR: the compile cache (ours: set NEUROCODEGEN_CACHE_DIR in the environment,
brian2-cython: prefs.codegen.runtime.cython.cache_dir) or the standalone
project directory (brian2-cpp, ours-standalone*; these record run() calls and
build at the end, like brian2-cpp; their timed value is the program's own time
of the last run, status.json's run_seconds).
"""
import builtins
import json
import os
import sys
import time

from _worker_args import parse_worker_args

args = parse_worker_args(with_system=True)

t0 = time.perf_counter()
if args.system.startswith("ours"):
    import neurocodegen as _pkg
    from neurocodegen import *  # noqa: F401,F403
else:
    import brian2 as _pkg
    from brian2 import *  # noqa: F401,F403
t_import = time.perf_counter() - t0
result = {"system": args.system, "model": args.model, "import_s": t_import,
          "version": getattr(_pkg, "__version__", "?")}
if args.model == "import":
    print(json.dumps(result))
    sys.exit(0)

STANDALONE = {"brian2-cpp", "ours-standalone", "ours-standalone-2t"}
if args.system.startswith("ours-standalone"):
    threads = 2 if args.system.endswith("-2t") else 1
    # exactly `threads` (how they scale); the 2-thread worker then runs the
    # program again letting it choose 1 or 2 threads (adapt_run_s)
    set_device("cpp_standalone", directory=args.dir, build_on_run=False,  # noqa: F405
               threads=threads, adapt_threads=False)
elif args.system.startswith("brian2"):
    import logging
    logging.getLogger("brian2").setLevel(logging.ERROR)
    BrianLogger.log_level_error()  # noqa: F405
    prefs.logging.file_log = False  # noqa: F405
    if args.system == "brian2-cython":
        prefs.codegen.target = "cython"  # noqa: F405
        if args.dir:
            prefs.codegen.runtime.cython.cache_dir = args.dir  # noqa: F405
    elif args.system == "brian2-numpy":
        prefs.codegen.target = "numpy"  # noqa: F405
    elif args.system == "brian2-cpp":
        set_device("cpp_standalone", directory=args.dir, build_on_run=False)  # noqa: F405
        prefs.devices.cpp_standalone.openmp_threads = 0  # noqa: F405
    else:
        raise SystemExit(f"unknown system {args.system}")

defaultclock.dt = 0.1 * ms  # noqa: F405
seed(2026)  # noqa: F405
N = args.N
duration = args.duration * second  # noqa: F405
warmup = args.warmup * second  # noqa: F405
state_mon = None
created = []         # the model's Synapses: synapse count, bytes per synapse
connect_s = [0.0]    # wall time of their connect() calls


def connect(synapses, *pos, **kwds):
    """``synapses.connect(...)``, timed. For brian2-cpp connect() only generates
    code; the creation runs in the binary, where its code objects are profiled
    (see creation_in_binary)."""
    if args.system == "brian2-cpp":
        get_device().enable_profiling = True  # noqa: F405  the creation code objects only
    t = time.perf_counter()
    synapses.connect(*pos, **kwds)
    connect_s[0] += time.perf_counter() - t
    if args.system == "brian2-cpp":
        get_device().enable_profiling = False  # noqa: F405  (the proxy forwards no setattr)
    created.append(synapses)


def creation_in_binary():
    """brian2-cpp: the seconds of the binary's synapse creation code objects
    (std::clock, one thread), from its results/profiling_info.txt."""
    path = os.path.join(device.project_dir, "results", "profiling_info.txt")  # noqa: F405
    if not os.path.exists(path):
        return None
    with open(path) as f:
        rows = [line.split() for line in f if "synapses_create" in line]
    return sum(float(seconds) for _, seconds in rows) if rows else None

if args.model == "tutorial-small":
    tau = 10 * ms  # noqa: F405
    eqs = """
    dv/dt = (1-v)/tau : 1 (unless refractory)
    """
    G = NeuronGroup(N, eqs, threshold="v>0.8", reset="v = 0", refractory=5 * ms,  # noqa: F405
                    method="exact")
    state_mon = StateMonitor(G, "v", record=0)  # noqa: F405
    M = SpikeMonitor(G)  # noqa: F405
elif args.model in ("noisy-lif", "lif-det"):
    tau = 10 * ms  # noqa: F405
    v0_max = 3.0
    sigma = 0.2
    noisy = args.model == "noisy-lif"
    noise = "+sigma*xi*tau**-0.5" if noisy else ""
    eqs = f"""
    dv/dt = (v0-v)/tau{noise} : 1 (unless refractory)
    v0 : 1
    """
    G = NeuronGroup(N, eqs, threshold="v>1", reset="v=0", refractory=5 * ms,  # noqa: F405
                    method="euler" if noisy else "exact")
    M = SpikeMonitor(G)  # noqa: F405
    G.v0 = "i*v0_max/(N-1)"
elif args.model == "adaptive-threshold":
    tau = 10 * ms  # noqa: F405
    vr = -70 * mV  # noqa: F405
    vt0 = -50 * mV  # noqa: F405
    delta_vt0 = 5 * mV  # noqa: F405
    tau_t = 100 * ms  # noqa: F405
    sigma = 0.5 * (vt0 - vr)
    v_drive = 2 * (vt0 - vr)
    eqs = """
    dv/dt = (v_drive+vr-v)/tau + sigma*xi*tau**-0.5 : volt
    dvt/dt = (vt0-vt)/tau_t : volt
    """
    reset = """
    v = vr
    vt += delta_vt0
    """
    G = NeuronGroup(N, eqs, threshold="v>vt", reset=reset, refractory=5 * ms,  # noqa: F405
                    method="euler")
    M = SpikeMonitor(G)  # noqa: F405
    state_mon = StateMonitor(G, ["v", "vt"], record=0)  # noqa: F405
    G.v = "rand()*(vt0-vr)+vr"
    G.vt = vt0
elif args.model == "hodgkin-huxley":
    # Brian2's examples/IF_curve_Hodgkin_Huxley.py (default dt 0.1 ms); run with --warmup 0
    # so that the spike counts are those of the example's single run(2*second).
    num_neurons = N
    area = 20000 * umetre**2  # noqa: F405
    Cm = 1 * ufarad * cm**-2 * area  # noqa: F405
    gl = 5e-5 * siemens * cm**-2 * area  # noqa: F405
    El = -65 * mV  # noqa: F405
    EK = -90 * mV  # noqa: F405
    ENa = 50 * mV  # noqa: F405
    g_na = 100 * msiemens * cm**-2 * area  # noqa: F405
    g_kd = 30 * msiemens * cm**-2 * area  # noqa: F405
    VT = -63 * mV  # noqa: F405
    eqs = Equations("""
    dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
    dm/dt = 0.32*(mV**-1)*4*mV/exprel((13.*mV-v+VT)/(4*mV))/ms*(1-m)-0.28*(mV**-1)*5*mV/exprel((v-VT-40.*mV)/(5*mV))/ms*m : 1
    dn/dt = 0.032*(mV**-1)*5*mV/exprel((15.*mV-v+VT)/(5*mV))/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
    dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
    I : amp
    """)  # noqa: F405
    G = NeuronGroup(num_neurons, eqs, threshold="v > -40*mV", refractory="v > -40*mV",  # noqa: F405
                    method="exponential_euler")
    G.v = El
    G.I = "0.7*nA * i / num_neurons"
    M = SpikeMonitor(G)  # noqa: F405
elif args.model == "cuba":
    # Brian2's examples/CUBA.py (Vogels & Abbott 2005 benchmark): N LIF neurons with
    # exponential currents, 80 % excitatory, connection probability 0.02 (80 inputs
    # per neuron at N = 4000; with --N 40000 the same 80 inputs: p = 80/N)
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms  # noqa: F405
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV  # noqa: F405
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    P = NeuronGroup(N, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms,  # noqa: F405
                    method="exact")
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV  # noqa: F405
    P.gi = 0 * mV  # noqa: F405
    we = (60 * 0.27 / 10) * mV  # noqa: F405  excitatory synaptic weight (voltage)
    wi = (-20 * 4.5 / 10) * mV  # noqa: F405  inhibitory synaptic weight
    p_connect = 80.0 / N
    Ce = Synapses(P, P, on_pre="ge += we")  # noqa: F405
    Ci = Synapses(P, P, on_pre="gi += wi")  # noqa: F405
    connect(Ce, f"i<{int(0.8 * N)}", p=p_connect)
    connect(Ci, f"i>={int(0.8 * N)}", p=p_connect)
    M = SpikeMonitor(P)  # noqa: F405
elif args.model in ("cobahh", "cobahh-1000"):
    # Brian2's examples/COBAHH.py (Brette et al. 2007 benchmark 3): N Hodgkin-Huxley
    # neurons with conductance synapses, exponential Euler, p = 0.02 (80 % excitatory;
    # the example's subgroups P[:3200], P[3200:] written as conditions on i).
    # cobahh-1000: the GeNN / Brian2GeNN benchmark's variant (brian2genn's
    # benchmarks/COBAHH.py): 1000 synapses per neuron (p = 1000/N), each with its own
    # weight 'w : siemens (constant)' = rand() * 1e-9 nS, so the coupling is
    # effectively zero and the network's activity that of the initial conditions
    area = 20000 * umetre ** 2  # noqa: F405
    Cm = (1 * ufarad * cm ** -2) * area  # noqa: F405
    gl = (5e-5 * siemens * cm ** -2) * area  # noqa: F405
    El, EK, ENa = -60 * mV, -90 * mV, 50 * mV  # noqa: F405
    g_na = (100 * msiemens * cm ** -2) * area  # noqa: F405
    g_kd = (30 * msiemens * cm ** -2) * area  # noqa: F405
    VT = -63 * mV  # noqa: F405
    taue, taui = 5 * ms, 10 * ms  # noqa: F405
    Ee, Ei = 0 * mV, -80 * mV  # noqa: F405
    we, wi = 6 * nS, 67 * nS  # noqa: F405
    eqs = Equations("""
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-g_na*(m*m*m)*h*(v-ENa)-g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    """)  # noqa: F405
    P = NeuronGroup(N, model=eqs, threshold="v>-20*mV", refractory=3 * ms,  # noqa: F405
                    method="exponential_euler")
    if args.model == "cobahh":
        Ce = Synapses(P, P, on_pre="ge+=we")  # noqa: F405
        Ci = Synapses(P, P, on_pre="gi+=wi")  # noqa: F405
        p_connect = 80.0 / N
    else:
        Ce = Synapses(P, P, "w : siemens (constant)", on_pre="ge+=w")  # noqa: F405
        Ci = Synapses(P, P, "w : siemens (constant)", on_pre="gi+=w")  # noqa: F405
        p_connect = 1000.0 / N
    connect(Ce, f"i<{int(0.8 * N)}", p=p_connect)
    connect(Ci, f"i>={int(0.8 * N)}", p=p_connect)
    if args.model == "cobahh-1000":
        Ce.w = "rand() * 1e-9*nS"
        Ci.w = "rand() * 1e-9*nS"
    P.v = "El + (randn() * 5 - 5)*mV"
    P.ge = "(randn() * 1.5 + 4) * 10.*nS"
    P.gi = "(randn() * 12 + 20) * 10.*nS"
    M = SpikeMonitor(P)  # noqa: F405
elif args.model == "stdp":
    # Brian2's examples/synapses/STDP.py (Song, Miller and Abbott 2000): N Poisson
    # inputs at 15 Hz onto one neuron through plastic synapses (event-driven traces)
    taum, taupre, taupost = 10 * ms, 20 * ms, 20 * ms  # noqa: F405
    Ee, vt, vr, El = 0 * mV, -54 * mV, -60 * mV, -74 * mV  # noqa: F405
    taue = 5 * ms  # noqa: F405
    F = 15 * Hz  # noqa: F405
    gmax = .01
    dApre = .01
    dApost = -dApre * taupre / taupost * 1.05
    dApost *= gmax
    dApre *= gmax
    eqs_neurons = """
    dv/dt = (ge * (Ee-v) + El - v) / taum : volt
    dge/dt = -ge / taue : 1
    """
    poisson_input = PoissonGroup(N, rates=F)  # noqa: F405
    neurons = NeuronGroup(1, eqs_neurons, threshold="v>vt", reset="v = vr",  # noqa: F405
                          method="euler")
    S = Synapses(poisson_input, neurons,  # noqa: F405
                 """w : 1
                    dApre/dt = -Apre / taupre : 1 (event-driven)
                    dApost/dt = -Apost / taupost : 1 (event-driven)""",
                 on_pre="""ge += w
                        Apre += dApre
                        w = clip(w + Apost, 0, gmax)""",
                 on_post="""Apost += dApost
                         w = clip(w + Apre, 0, gmax)""")
    connect(S)
    S.w = "rand() * gmax"
    M = SpikeMonitor(poisson_input)  # noqa: F405
elif args.model in ("poisson-input", "poisson-explicit"):
    # Brunel (2000)'s external drive onto N LIF neurons (his model's neurons, without
    # the recurrent synapses): C_EXT independent Poisson sources per neuron, each at
    # 120 Hz with J = 0.1 mV. poisson-input: one PoissonInput (a binomial draw per
    # neuron and step); poisson-explicit: the same input as N*C_EXT Poisson neurons,
    # each with one synapse onto its neuron.
    C_EXT = 100
    tau, theta, Vr, J = 20 * ms, 20 * mV, 10 * mV, 0.1 * mV  # noqa: F405
    nu_ext = 120 * Hz  # noqa: F405
    neurons = NeuronGroup(N, "dv/dt = -v/tau : volt (unless refractory)",  # noqa: F405
                          threshold="v > theta", reset="v = Vr", refractory=2 * ms,  # noqa: F405
                          method="exact")
    if args.model == "poisson-input":
        external = PoissonInput(neurons, "v", C_EXT, nu_ext, weight=J)  # noqa: F405
    else:
        sources = PoissonGroup(N * C_EXT, rates=nu_ext)  # noqa: F405
        external = Synapses(sources, neurons, on_pre="v += J")  # noqa: F405
        connect(external, j=f"i // {C_EXT}")
    M = SpikeMonitor(neurons)  # noqa: F405
elif args.model == "brunel":
    # Brunel (2000), as Brian's examples/frompapers/Brunel_2000.py: N = N_E + N_I
    # LIF neurons (N_I = N_E/4), connection probability 0.1, delay 1.5 ms, g = 5,
    # external drive nu_ext = 2 nu_thr as a PoissonInput of C_E sources per neuron
    N_E = int(round(N / 1.25))
    C_E = int(0.1 * N_E)
    tau, theta, V_r, tau_rp = 20 * ms, 20 * mV, 10 * mV, 2 * ms  # noqa: F405
    J, D, g = 0.1 * mV, 1.5 * ms, 5.0  # noqa: F405
    nu_ext = 2 * theta / (J * C_E * tau)
    neurons = NeuronGroup(N, "dv/dt = -v/tau : volt (unless refractory)",  # noqa: F405
                          threshold="v > theta", reset="v = V_r", refractory=tau_rp,
                          method="exact")
    exc = Synapses(neurons, neurons, on_pre="v += J", delay=D)  # noqa: F405
    connect(exc, f"i < {N_E}", p=0.1)
    inh = Synapses(neurons, neurons, on_pre="v += -g*J", delay=D)  # noqa: F405
    connect(inh, f"i >= {N_E}", p=0.1)
    external = PoissonInput(neurons, "v", C_E, nu_ext, weight=J)  # noqa: F405
    M = SpikeMonitor(neurons)  # noqa: F405
else:
    raise SystemExit(f"unknown model {args.model}")

t1 = time.perf_counter()
run(warmup)  # noqa: F405
t_first = time.perf_counter() - t1
n_warm = None if args.system in STANDALONE else int(M.num_spikes)
t2 = time.perf_counter()
run(duration)  # noqa: F405
t_run = time.perf_counter() - t2

if args.system == "brian2-cpp":
    t3 = time.perf_counter()
    device.build(directory=args.dir, compile=True, run=True, debug=False)  # noqa: F405
    result["build_s"] = time.perf_counter() - t3
    result["compile_s"] = device.timers["compile"]["make"]  # noqa: F405
    result["binary_s"] = device.timers["run_binary"]  # noqa: F405
    result["first_run_s"] = result["build_s"]  # codegen is in run(); build = compile + run
    result["codegen_s"] = t_first + t_run
    result["run_s"] = float(device._last_run_time)  # noqa: F405
elif args.system in STANDALONE:
    t3 = time.perf_counter()
    device.build()  # noqa: F405
    result["build_s"] = time.perf_counter() - t3
    result["compile_s"] = device.timings["compile_seconds"]  # noqa: F405
    result["binary_s"] = device.status["wall_seconds"]  # noqa: F405
    result["first_run_s"] = result["build_s"]
    result["codegen_s"] = t_first + t_run
    result["run_s"] = device.status["run_seconds"][-1]  # noqa: F405
    result["max_rss_bytes"] = device.status["max_rss_bytes"]  # noqa: F405
    result["bytes_per_neuron"] = device.memory_per_neuron  # noqa: F405
    if threads > 1:  # the same program, choosing its threads as users get it by default
        device.run(adapt_threads=True)  # noqa: F405
        result["adapt_run_s"] = device.status["run_seconds"][-1]  # noqa: F405
        result["adapt_steps"] = device.status["steps_by_threads"]  # noqa: F405
if args.system in STANDALONE:
    t_spk = M.t[:] / second  # noqa: F405
    result["spikes"] = int(len(t_spk))
    result["spikes_timed"] = int((t_spk >= args.warmup - 1e-12).sum())
else:
    result["first_run_s"] = t_first
    result["run_s"] = t_run
    result["spikes"] = int(M.num_spikes)
    result["spikes_timed"] = int(M.num_spikes) - n_warm
if created:  # synapse creation: wall time of connect(); count; our bytes per synapse
    result["connect_s"] = connect_s[0]
    if args.system == "brian2-cpp":  # connect() only generated code: time in the binary
        result["codegen_connect_s"] = connect_s[0]
        result["connect_s"] = creation_in_binary()
    sizes = [len(S) for S in created]
    total = builtins.sum(sizes)  # the star import's sum is numpy's
    result["synapses"] = int(total)
    if args.system.startswith("ours") and total:
        result["bytes_per_synapse"] = builtins.sum(  # weighted by each Synapses' count
            S.memory_per_synapse * n for S, n in zip(created, sizes)) / total
if args.model == "hodgkin-huxley":  # small N: per-neuron counts for a detailed comparison
    result["counts"] = [int(c) for c in M.count[:]]
if state_mon is not None:
    result["state_samples"] = int(len(state_mon.t))
print(json.dumps(result))
