"""A parameter sweep of the noisy I-f model: sequential runs against sweep() on
local Dask workers, and the sweep's own cost per run.

    python benchmarks/sweep.py [--runs 16] [--N 10000] [--duration 1] [--workers 2]
                               [--repeat 3] [--overhead-runs 64]
                               [--dir benchmarks/results/sweep]

The model is built once as a standalone program (one thread per run). On a
fresh LocalCluster of ``--workers`` single-threaded worker processes, a first
sweep of the ``--runs`` parameter sets (values of ``tau``) is timed alone
(its workers import neurocodegen on their first task); then ``--repeat``
times, the same runs one after the other with ``device.run(run_args=...)``
in this process, and swept: interleaved, so that load from other work on the
machine falls on both; the medians are compared, and the best times (the
least disturbed by other work). The overhead per run is
the workers' time beyond the programs' own (``workers * sweep time - sum of
the runs' seconds``, divided by the runs); it also holds the programs'
slowdown when the cores are shared, so it is measured a second way too: a
sweep of ``--overhead-runs`` runs of a tiny program (100 neurons, 10 ms),
whose time is almost all the sweep's own. Prints a summary and one JSON
line. The spike counts of every sweep must equal the sequential ones (exit
status 1 otherwise).
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--N", type=float, default=1e4)
    parser.add_argument("--duration", type=float, default=1.0, help="seconds of model time")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--overhead-runs", type=int, default=64)
    parser.add_argument("--dir", default=os.path.join(HERE, "results", "sweep"))
    args = parser.parse_args()
    # the workers import this checkout
    root = os.path.dirname(HERE)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root,
                                                             os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, root)
    from distributed import Client, LocalCluster

    from neurocodegen import ms, second, sweep
    load_before = os.getloadavg()
    tiny, tiny_spikes = build(os.path.join(args.dir, "tiny"), 100, 10 * ms)
    device, M = build(os.path.join(args.dir, "model"), int(args.N), args.duration * second)
    sets = [{"tau": tau * ms} for tau in np.linspace(5, 20, args.runs)]
    sequential, swept = [], []

    def run_sequentially():
        start = time.perf_counter()
        spikes, program_s = [], 0.0
        for params in sets:
            device.run(run_args=params)
            spikes.append(int(M.num_spikes))
            program_s += device.status["wall_seconds"]
        wall = time.perf_counter() - start
        sequential.append({"wall_s": wall, "program_s": program_s, "spikes": spikes})

    def run_swept(client):
        start = time.perf_counter()
        table = sweep(device, sets, client=client, progress=False, summary=spike_count(M))
        wall = time.perf_counter() - start
        return {"wall_s": wall, "program_s": float(table["seconds"].sum()),
                "overhead_ms_per_run":
                    (args.workers * wall - table["seconds"].sum()) / args.runs * 1e3,
                "spikes": [int(n) for n in table["spikes"]]}

    start = time.perf_counter()
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        cluster_s = time.perf_counter() - start
        first = run_swept(client)
        for _ in range(args.repeat):
            run_sequentially()
            swept.append(run_swept(client))
        start = time.perf_counter()
        table = sweep(tiny, [{"tau": 10 * ms}] * args.overhead_runs, client=client,
                      progress=False, summary=spike_count(tiny_spikes))
        wall = time.perf_counter() - start
        tiny_overhead = (args.workers * wall - table["seconds"].sum()) / args.overhead_runs
        tiny_program = table["seconds"].mean()

    def median(rows, key):
        return statistics.median(r[key] for r in rows)

    sequential_s, swept_s = median(sequential, "wall_s"), median(swept, "wall_s")
    same = all(r["spikes"] == sequential[0]["spikes"] for r in sequential + swept + [first])
    result = {"runs": args.runs, "N": int(args.N), "duration_s": args.duration,
              "workers": args.workers, "cpus": os.cpu_count(), "repeat": args.repeat,
              "sequential_s": sequential_s, "swept_s": swept_s,
              "speedup": sequential_s / swept_s,
              "best_sequential_s": min(r["wall_s"] for r in sequential),
              "best_swept_s": min(r["wall_s"] for r in swept),
              "overhead_ms_per_run": median(swept, "overhead_ms_per_run"),
              "sequential_overhead_ms_per_run":
                  (sequential_s - median(sequential, "program_s")) / args.runs * 1e3,
              "cluster_start_s": cluster_s, "first_sweep_s": first["wall_s"],
              "tiny_program_ms": tiny_program * 1e3,
              "tiny_overhead_ms_per_run": tiny_overhead * 1e3, "same_spikes": same,
              "load_before": load_before, "load_after": os.getloadavg(),
              "sequential": [r["wall_s"] for r in sequential],
              "swept": [r["wall_s"] for r in swept]}
    print(f"{args.runs} runs of the noisy I-f model, N = {int(args.N)}, {args.duration} s, "
          f"1 thread each; {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, "
          f"{result['load_after'][0]:.2f} after; medians of {args.repeat}")
    print(f"  sequential (device.run):     {sequential_s:6.2f} s")
    print(f"  swept on {args.workers} workers:          {swept_s:6.2f} s = "
          f"{result['speedup']:.2f}x, overhead {result['overhead_ms_per_run']:.0f} ms per run")
    print(f"  best of {args.repeat}:                  {result['best_sequential_s']:6.2f} s "
          f"sequential, {result['best_swept_s']:.2f} s swept = "
          f"{result['best_sequential_s'] / result['best_swept_s']:.2f}x")
    print(f"  LocalCluster start:          {cluster_s:6.2f} s; first sweep on it "
          f"{first['wall_s']:.2f} s")
    print(f"  {args.overhead_runs} runs of a tiny program: overhead {tiny_overhead * 1e3:.0f} ms "
          f"per run beyond the program's {tiny_program * 1e3:.0f} ms")
    print(f"  same spikes in every sweep as sequentially: {same}")
    print(json.dumps(result))
    return 0 if same else 1


def spike_count(monitor):
    """The summary: the number of spikes of ``monitor`` (the run's object of
    that name; a second model's monitor is called spikemonitor_1)."""
    name = monitor.name
    return {"spikes": lambda run: run[name].num_spikes}


def build(directory, N, duration):
    """The noisy I-f model of N neurons as a standalone program: (its device,
    its SpikeMonitor)."""
    from neurocodegen import (
        NeuronGroup,
        SpikeMonitor,
        ms,
        run,
        seed,
        set_device,
        start_scope,
    )
    start_scope()
    device = set_device("cpp_standalone", directory=directory, build_on_run=False)
    seed(2026)
    G = NeuronGroup(N, """dv/dt = (v0 - v)/tau + sigma*xi*tau**-0.5 : 1 (unless refractory)
                          v0 : 1""", threshold="v>1", reset="v=0", refractory=5 * ms,
                    method="euler", namespace={"tau": 10 * ms, "sigma": 0.2})
    M = SpikeMonitor(G)
    G.v0 = "i*3.0/(N-1)"
    run(duration)
    device.build(run=False)
    return device, M


if __name__ == "__main__":
    sys.exit(main())
