"""Cold compile, warm start and small-network run time of the tutorial model.

    python benchmarks/compile_and_run.py [--repeat 5]

Each measurement runs in a fresh Python process (as a user's script would):
  import      `import neurocodegen`
  cold        first run() of the tutorial model with an empty cache (codegen + compile)
  warm        the same script again: run() overhead with the module cached on disk
  run 1 s     simulating 1 neuron for 1 s of model time (10^4 steps), module loaded
Prints medians with min-max over the repetitions.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

MODEL = r'''
import json, time
t0 = time.perf_counter()
from neurocodegen import *
t_import = time.perf_counter() - t0
tau = 10*ms
eqs = """
dv/dt = (1-v)/tau : 1 (unless refractory)
"""
G = NeuronGroup(1, eqs, threshold='v>0.8', reset='v = 0', refractory=5*ms, method='exact')
M = StateMonitor(G, 'v', record=0)
S = SpikeMonitor(G)
t1 = time.perf_counter()
run(1*ms)
t_first = time.perf_counter() - t1
t2 = time.perf_counter()
run(1*second)
t_run = time.perf_counter() - t2
print(json.dumps({"import": t_import, "first_run": t_first, "run_1s": t_run,
                  "spikes": S.num_spikes}))
'''


def measure(cache_dir):
    env = {**os.environ, "NEUROCODEGEN_CACHE_DIR": cache_dir}
    out = subprocess.run([sys.executable, "-c", MODEL], env=env, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def summary(values):
    return f"{statistics.median(values):8.3f} s  ({min(values):.3f}-{max(values):.3f})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cold, warm = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache_dir:
            cold.append(measure(cache_dir))
            warm.append(measure(cache_dir))
    print(f"import neurocodegen        {summary([r['import'] for r in cold + warm])}")
    print(f"cold first run() (compile) {summary([r['first_run'] for r in cold])}")
    print(f"warm first run() (cached)  {summary([r['first_run'] for r in warm])}")
    print(f"1 neuron x 1 s run()       {summary([r['run_1s'] for r in warm])}")
    print(f"spikes in 1 s: {warm[0]['spikes']}")


if __name__ == "__main__":
    main()
