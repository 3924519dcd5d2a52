"""NEST versions of the benchmark models, for the peer in benchmarks/.venv-nest.

    python benchmarks/_worker_nest.py MODEL [--N N] [--duration S] [--warmup S]

MODEL: `import`, `tutorial-small`, `lif-det` or `noisy-lif`.  Each is an
iaf_psc_delta population in mV (E_L = V_reset = 0, C_m = 250 pF), so the Brian
model's dimensionless v is V_m in mV, and a constant current
I_e = v_inf * C_m / tau_m lets V_m relax to the Brian model's v_inf (1 in
tutorial-small, v0 = i*3/(N-1) in the others).  Prints one JSON line like
_worker.py.

Refractoriness: Brian integrates v again once timestep(t - lastspike) >= 50, so
v is clamped in the 49 steps after the spike step; iaf_psc_delta clamps V_m for
t_ref / h steps after it, so t_ref = 4.9 ms (with 5 ms, lif-det at N = 10^4 has
529042 spikes instead of Brian's 533540; with 4.9 ms it has exactly 533540).
NEST's threshold is `V_m >= V_th` where Brian's is `v > 1`, so deterministic
counts may still differ by a spike where v lands exactly on the threshold.

noisy-lif is a statistical twin, not an exact one.  Brian's Euler-Maruyama step
is v += h/tau*(v0 - v) + sigma*sqrt(h/tau)*N(0, 1) (h = 0.1 ms, tau = 10 ms,
sigma = 0.2), skipped while refractory.  iaf_psc_delta propagates V_m over a
step with a constant current I exactly: V_m = P33*V_m + P30*(I_e + I), with
P33 = exp(-h/tau_m) and P30 = tau_m/C_m*(1 - P33).  One noise_generator with
dt = h gives each target its own Gaussian current, drawn anew every step ("All
targets of a noise generator receive different currents", NEST's
noise_generator documentation).  We choose
- tau_m = -h / ln(1 - h/tau) = 9.94992 ms, so that P33 = 1 - h/tau, Euler's decay
  per step (with tau_m = 10 ms NEST would integrate the leak exactly, unlike
  Brian's `euler`, and fires 0.27% fewer spikes at N = 10^4);
- I_e = v0*C_m/tau_m, so that P30*I_e = h/tau*v0;
- std = sigma*sqrt(h/tau)/P30 = 50.25 pA, so that the noise adds
  sigma*sqrt(h/tau) = 0.02 mV per step.
Then each NEST step has the distribution of Brian's step.  What differs: the
random numbers (so spike counts agree only within statistical tolerance), and
the noise's timing: iaf_psc_delta applies the current received in one step
during the next, and the connection has NEST's default delay of 1 ms, so the
first 1.1 ms run without noise and afterwards each step uses a draw made 11
steps earlier, which, the draws being independent, changes nothing.  A current
that arrives while the neuron is refractory is dropped, as Brian's
`(unless refractory)` drops the noise term.
"""
import json
import math
import os
import sys
import time

from _worker_args import parse_worker_args

args = parse_worker_args()

os.environ.setdefault("PYNEST_QUIET", "1")
t0 = time.perf_counter()
import nest  # noqa: E402
t_import = time.perf_counter() - t0
result = {"system": "nest", "model": args.model, "import_s": t_import,
          "version": getattr(nest, "__version__", "?")}
if args.model == "import":
    print(json.dumps(result))
    sys.exit(0)
if args.model not in ("tutorial-small", "lif-det", "noisy-lif"):
    print(json.dumps({**result, "error": f"no NEST version of {args.model}"}))
    sys.exit(3)

H = 0.1  # ms, the resolution (Brian's defaultclock.dt)
TAU = 10.0  # ms, tau of the Brian models
C_M = 250.0  # pF
T_REF = 49 * H  # ms: Brian's 5 ms refractory period clamps v for 49 steps (see above)
SIGMA = 0.2  # noisy-lif's sigma, in mV here


def create_lif(n, v_inf, tau_m, v_th):
    """n iaf_psc_delta neurons starting at 0 mV whose V_m relaxes to v_inf[i] mV."""
    params = {"E_L": 0.0, "V_reset": 0.0, "V_th": v_th, "t_ref": T_REF, "C_m": C_M,
              "tau_m": tau_m, "V_m": 0.0, "V_min": -1e9}
    pop = nest.Create("iaf_psc_delta", n, params=params)
    pop.I_e = [v * C_M / tau_m for v in v_inf]
    return pop


try:
    nest.verbosity = nest.VerbosityLevel.ERROR
except AttributeError:
    nest.set_verbosity("M_ERROR")
nest.ResetKernel()
nest.SetKernelStatus({"resolution": H, "local_num_threads": 1, "rng_seed": 2026})
N = args.N
mm = None
if args.model == "tutorial-small":
    pop = create_lif(N, [1.0] * N, TAU, 0.8)
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": H})
    nest.Connect(mm, pop[0])
elif args.model == "lif-det":
    pop = create_lif(N, [i * 3.0 / (N - 1) for i in range(N)], TAU, 1.0)
else:  # noisy-lif: Euler's decay per step and noise per step (see the docstring)
    tau_m = -H / math.log(1 - H / TAU)
    pop = create_lif(N, [i * 3.0 / (N - 1) for i in range(N)], tau_m, 1.0)
    p30 = tau_m / C_M * (1 - math.exp(-H / tau_m))  # mV per pA over one step
    noise = nest.Create("noise_generator",
                        params={"mean": 0.0, "std": SIGMA * math.sqrt(H / TAU) / p30, "dt": H})
    nest.Connect(noise, pop, syn_spec={"delay": 1.0})
sr = nest.Create("spike_recorder")
nest.Connect(pop, sr)

t1 = time.perf_counter()
nest.Simulate(args.warmup * 1000.0)
t_first = time.perf_counter() - t1
n_warm = sr.n_events
t2 = time.perf_counter()
nest.Simulate(args.duration * 1000.0)
t_run = time.perf_counter() - t2
result.update(first_run_s=t_first, run_s=t_run, spikes=int(sr.n_events),
              spikes_timed=int(sr.n_events - n_warm))
if mm is not None:
    result["state_samples"] = int(mm.n_events)
print(json.dumps(result))
