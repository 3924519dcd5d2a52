"""ANNarchy versions of the benchmark models, for the peer in benchmarks/.venv-annarchy.

    python benchmarks/_worker_annarchy.py MODEL [--N N] [--duration S] [--warmup S] [--dir DIR]

MODEL: `import`, `tutorial-small`, `noisy-lif`, `lif-det`, `adaptive-threshold`
or `hodgkin-huxley`, the models of _worker.py written in ANNarchy's equation
language (units: ms, mV, nA, nF, uS; dt = 0.1 ms, one thread, seed 2026).
Prints one JSON line like _worker.py.  DIR is ANNarchy's compile directory
(generated code, CMake build, library); ANNarchy recompiles only what changed,
so a fresh DIR means a cold compile.  Without --dir a temporary folder is used
and removed at the end.  `first_run_s` is net.compile() (code generation,
CMake, make, load) plus the warm-up simulate(); `run_s` is the timed simulate().

Where ANNarchy's conventions differ from Brian's, the model is written so that
ANNarchy computes Brian's steps:
- Refractoriness.  At a spike ANNarchy sets a counter to int(refractory / dt)
  and skips the equations while it is > 0, so v is clamped for that many steps
  after the spike step.  Brian integrates again once
  timestep(t - lastspike) >= 50, i.e. clamps v for 49 steps, so refractory is
  4.9 ms here (int(4.9 / 0.1) = 49).  With 5 ms every interspike interval would
  be one step longer.
- Noise.  ANNarchy draws a random variable such as Normal(0, 1) once per step
  and treats it as an ordinary term: in `dv/dt = ... + sigma*Normal(0, 1)`
  its explicit Euler step adds dt*sigma*N(0, 1), whose standard deviation
  scales with dt instead of sqrt(dt).  So Brian's Euler-Maruyama step
  (`euler` with `xi`) is written as an assignment,
  v = v + dt*(v0 - v)/tau + sigma*sqrt(dt/tau)*Normal(0, 1),
  which ANNarchy also skips while the neuron is refractory.
- Exact integration (tutorial-small, lif-det) is ANNarchy's `exponential`
  method, v += (1 - exp(-dt/tau))*(v0 - v), exact for these linear equations.
- adaptive-threshold has no `(unless refractory)` in Brian: v and vt are
  integrated during the refractory period and only spikes are blocked.
  ANNarchy's refractory period would clamp them, so the model has none and its
  spike condition asks for 50 steps since the last spike instead (`t_last`,
  ANNarchy's time of the neuron's last spike).
- hodgkin-huxley: Brian's `exponential_euler` is ANNarchy's `exponential`
  method (each equation linear in its own variable, the others taken at the
  start of the step); `exprel` is a user function; `refractory="v > -40*mV"`
  (refractory while the condition held at the start of the step) is the
  variable `not_ref`, computed before the ODEs.  ANNarchy treats variables
  named g_* as synaptic conductances and zeroes them every step, so the
  conductances are gNa, gK and gl.
- simulate(T) runs ceil(T / dt) steps, and T = k*0.1 in floating point can be
  slightly above k*dt; simulate() below asks for (k - 1/2)*dt to get k steps.
With these, the deterministic counts are neurocodegen's (and Brian2's):
tutorial-small 47, lif-det 533540 / 5335452 / 53354544 at N = 10^4 / 10^5 /
10^6 (10 ms + 1 s), hodgkin-huxley all 100 per-neuron counts (10361 spikes).
"""
import json
import os
import shutil
import sys
import tempfile
import time
from importlib import metadata

from _worker_args import parse_worker_args

args = parse_worker_args()

# ANNarchy builds its extension with CMake, whose FindPython looks for the
# interpreter in $VIRTUAL_ENV first; without it, it finds the base Python,
# which lacks nanobind, and "CMake generation failed".
if sys.prefix != sys.base_prefix:
    os.environ["VIRTUAL_ENV"] = sys.prefix

t0 = time.perf_counter()
import ANNarchy as ann  # noqa: E402  (prints its banner on stdout)
t_import = time.perf_counter() - t0
result = {"system": "annarchy", "model": args.model, "import_s": t_import,
          "version": metadata.version("ANNarchy")}
if args.model == "import":
    print(json.dumps(result))
    sys.exit(0)
if args.model not in ("tutorial-small", "noisy-lif", "lif-det", "adaptive-threshold",
                      "hodgkin-huxley"):
    print(json.dumps({**result, "error": f"no ANNarchy version of {args.model}"}))
    sys.exit(3)

import numpy as np  # noqa: E402

DT = 0.1  # ms
SEED = 2026
TAU = 10.0  # ms
REFRACTORY = 4.9  # ms: 49 clamped steps, as Brian's 5 ms (see above)

net = ann.Network(dt=DT, seed=SEED)
net.config(num_threads=1)
N = args.N
state_mon = None

if args.model == "tutorial-small":
    neuron = ann.Neuron(
        parameters={"tau": TAU},
        equations=["dv/dt = (1.0 - v)/tau : init = 0.0, exponential"],
        spike="v > 0.8", reset="v = 0.0", refractory=REFRACTORY)
    pop = net.create(N, neuron)
    state_mon = net.monitor(pop[0], "v")
elif args.model in ("noisy-lif", "lif-det"):
    if args.model == "noisy-lif":
        update = "v = v + dt*(v0 - v)/tau + sigma*sqrt(dt/tau)*Normal(0.0, 1.0) : init = 0.0"
    else:
        update = "dv/dt = (v0 - v)/tau : init = 0.0, exponential"
    neuron = ann.Neuron(
        parameters={"tau": TAU, "sigma": 0.2, "v0": ann.Parameter(0.0, locality="local")},
        equations=[update],
        spike="v > 1.0", reset="v = 0.0", refractory=REFRACTORY)
    pop = net.create(N, neuron)
    v0_max = 3.0
    pop.v0 = [i * v0_max / (N - 1) for i in range(N)]
elif args.model == "adaptive-threshold":
    vr, vt0 = -70.0, -50.0
    neuron = ann.Neuron(
        parameters={"tau": TAU, "tau_t": 100.0, "vr": vr, "vt0": vt0, "delta_vt0": 5.0,
                    "sigma": 0.5 * (vt0 - vr), "v_drive": 2 * (vt0 - vr),
                    "refractory_steps": 50},
        equations=[
            "v = v + dt*(v_drive + vr - v)/tau + sigma*sqrt(dt/tau)*Normal(0.0, 1.0)",
            "vt = vt + dt*(vt0 - vt)/tau_t : init = -50.0",
        ],
        spike="(v > vt) and (t - t_last > (refractory_steps - 0.5)*dt)",
        reset="""
            v = vr
            vt = vt + delta_vt0
        """)
    pop = net.create(N, neuron)
    # the network's seed does not reach a RandomDistribution: give it its own generator
    pop.v = ann.Uniform(vr, vt0, rng=np.random.default_rng(SEED))
    state_mon = net.monitor(pop[0], ["v", "vt"])
else:  # hodgkin-huxley: Brian's examples/IF_curve_Hodgkin_Huxley.py; area 20000 um^2, so Cm = 0.2 nF,
    # gl = 0.01 uS, gNa = 20 uS, gK = 6 uS (uS*mV = nA, nA/nF = mV/ms)
    neuron = ann.Neuron(
        parameters={"Cm": 0.2, "gl": 0.01, "gNa": 20.0, "gK": 6.0, "El": -65.0,
                    "EK": -90.0, "ENa": 50.0, "VT": -63.0,
                    "I": ann.Parameter(0.0, locality="local")},
        functions="exprel(x) = ite(fabs(x) < 1e-16, 1.0, (exp(x) - 1.0)/x)",
        equations=[
            "not_ref = if v > -40.0: 0.0 else: 1.0",
            "dv/dt = (gl*(El - v) - gNa*(m*m*m)*h*(v - ENa) - gK*(n*n*n*n)*(v - EK) + I)/Cm"
            " : init = -65.0, exponential",
            "dm/dt = 0.32*4.0/exprel((13.0 - v + VT)/4.0)*(1.0 - m)"
            " - 0.28*5.0/exprel((v - VT - 40.0)/5.0)*m : exponential",
            "dn/dt = 0.032*5.0/exprel((15.0 - v + VT)/5.0)*(1.0 - n)"
            " - 0.5*exp((10.0 - v + VT)/40.0)*n : exponential",
            "dh/dt = 0.128*exp((17.0 - v + VT)/18.0)*(1.0 - h)"
            " - 4.0/(1.0 + exp((40.0 - v + VT)/5.0))*h : exponential",
        ],
        spike="(v > -40.0) and (not_ref > 0.5)", reset="")
    pop = net.create(N, neuron)
    pop.I = [0.7 * i / N for i in range(N)]
spike_mon = net.monitor(pop, "spike")


def simulate(seconds):
    """Run exactly round(seconds / dt) steps (none for 0 s)."""
    steps = round(seconds * 1000.0 / DT)
    if steps > 0:
        net.simulate((steps - 0.5) * DT)


def spike_counts():
    """Spikes per neuron since the last call (get() hands them over and clears them)."""
    spikes = spike_mon.get("spike")
    return np.array([len(spikes.get(i, ())) for i in range(N)])


directory = args.dir or tempfile.mkdtemp(prefix="annarchy-")
try:
    t1 = time.perf_counter()
    net.compile(directory=directory, silent=True)
    simulate(args.warmup)
    t_first = time.perf_counter() - t1
    counts_warm = spike_counts()
    t2 = time.perf_counter()
    simulate(args.duration)
    t_run = time.perf_counter() - t2
    counts_timed = spike_counts()
    result.update(first_run_s=t_first, run_s=t_run,
                  spikes=int(counts_warm.sum() + counts_timed.sum()),
                  spikes_timed=int(counts_timed.sum()))
    if args.model == "hodgkin-huxley":
        result["counts"] = [int(c) for c in counts_warm + counts_timed]
    if state_mon is not None:
        result["state_samples"] = int(len(state_mon.get("v")))
finally:
    if args.dir is None:
        shutil.rmtree(directory, ignore_errors=True)
print(json.dumps(result))
