"""NEST versions of the benchmark models, for the peer in benchmarks/.venv-nest.

    python benchmarks/_worker_nest.py MODEL [--N N] [--duration S] [--warmup S]

Only the models NEST has a built-in equivalent for: `import`, `tutorial-small`
and `lif-det` (iaf_psc_delta, exact integration, constant current I_e chosen so
that the membrane potential relaxes to the same value as v0/v in the Brian
model, in mV).  noisy-lif / adaptive-threshold have no exact NEST twin (white
noise `xi` is not a NEST current generator) and are not run.  NEST's threshold
is `V_m >= V_th` and its refractory clamp counts steps, so spike counts are close
to, not necessarily equal to, Brian's.  Prints one JSON line like _worker.py.
"""
import argparse
import json
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("model")
parser.add_argument("--N", type=int, default=1)
parser.add_argument("--duration", type=float, default=1.0)
parser.add_argument("--warmup", type=float, default=0.01)
parser.add_argument("--dir", default=None)
args = parser.parse_args()

os.environ.setdefault("PYNEST_QUIET", "1")
t0 = time.perf_counter()
import nest  # noqa: E402
t_import = time.perf_counter() - t0
result = {"system": "nest", "model": args.model, "import_s": t_import,
          "version": getattr(nest, "__version__", "?")}
if args.model == "import":
    print(json.dumps(result))
    sys.exit(0)
if args.model not in ("tutorial-small", "lif-det"):
    print(json.dumps({**result, "error": f"no NEST version of {args.model}"}))
    sys.exit(3)

try:
    nest.verbosity = nest.VerbosityLevel.ERROR
except AttributeError:
    nest.set_verbosity("M_ERROR")
nest.ResetKernel()
nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": 1, "rng_seed": 2026})
C_m, tau_m = 250.0, 10.0  # pF, ms: I_e [pA] = v_inf [mV] * C_m / tau_m
N = args.N
if args.model == "tutorial-small":
    params = {"E_L": 0.0, "V_reset": 0.0, "V_th": 0.8, "t_ref": 5.0, "C_m": C_m,
              "tau_m": tau_m, "V_m": 0.0, "I_e": 1.0 * C_m / tau_m, "V_min": -1e9}
    pop = nest.Create("iaf_psc_delta", N, params=params)
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.1})
    nest.Connect(mm, pop[0])
else:
    params = {"E_L": 0.0, "V_reset": 0.0, "V_th": 1.0, "t_ref": 5.0, "C_m": C_m,
              "tau_m": tau_m, "V_m": 0.0, "V_min": -1e9}
    pop = nest.Create("iaf_psc_delta", N, params=params)
    pop.I_e = [i * 3.0 / (N - 1) * C_m / tau_m for i in range(N)]
    mm = None
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
