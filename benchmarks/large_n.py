"""The tutorial's stochastic I-f model at very large N, as a standalone program.

    python benchmarks/large_n.py [--N 100000000] [--duration 0.1] [--threads 2]
                                 [--dir benchmarks/results/large_n]

Prints one JSON line: build and run times, spikes, the state memory per neuron
(``device.memory_per_neuron``) and the program's peak memory (its
``max_rss_bytes``). Spikes are counted per neuron (``SpikeMonitor(G,
record=False)``): recording every spike of 10^8 neurons would write gigabytes.
"""
import argparse
import json
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=float, default=1e8)
    parser.add_argument("--duration", type=float, default=0.1, help="seconds of model time")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dir", default=os.path.join(HERE, "results", "large_n"))
    args = parser.parse_args()

    from neurocodegen import (NeuronGroup, SpikeMonitor, device, ms, run, second, seed,
                              set_device)
    set_device("cpp_standalone", directory=args.dir, threads=args.threads)
    seed(2026)
    N = int(args.N)
    namespace = {"tau": 10 * ms, "sigma": 0.2}
    eqs = """
    dv/dt = (v0 - v)/tau + sigma*xi*tau**-0.5 : 1 (unless refractory)
    v0 : 1
    """
    t0 = time.perf_counter()
    G = NeuronGroup(N, eqs, threshold="v>1", reset="v=0", refractory=5 * ms, method="euler",
                    namespace=namespace)
    M = SpikeMonitor(G, record=False)
    G.v0 = "i*3.0/(N-1)"
    run(args.duration * second)   # records, writes, builds, runs, loads the results
    total = time.perf_counter() - t0
    steps = round(args.duration / 1e-4)
    result = {
        "N": N, "duration_s": args.duration, "threads": args.threads,
        "spikes": int(M.count.sum()),
        "compile_s": device.timings["compile_seconds"],
        "program_run_s": device.status["run_seconds"][-1],
        "program_total_s": device.status["seconds"],
        "script_total_s": total,
        "ns_per_neuron_step": device.status["run_seconds"][-1] / (N * steps) * 1e9,
        "state_bytes_per_neuron": device.memory_per_neuron,
        "program_max_rss_bytes": device.status["max_rss_bytes"],
        "program_max_rss_bytes_per_neuron": device.status["max_rss_bytes"] / N,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
