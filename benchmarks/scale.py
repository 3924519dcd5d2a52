"""A Brunel (2000) network at scale: how many synapses fit, how fast they are
made, and how fast they run.

N leaky integrate-and-fire neurons (80 % excitatory), each with 1000
excitatory and 250 inhibitory inputs on average (connection probability
1250/N, Brunel's in-degree at any size), a 1.5 ms delay, g = 5 and the
external drive of Brian's Brunel_2000 example (a PoissonInput at twice the
threshold rate). At N = 1.6e6 that is 2e9 synapses.

    python benchmarks/scale.py --N 1600000            # 2e9 synapses, 100 ms
    python benchmarks/scale.py --N 1600000 --standalone /tmp/scale --threads 2
    python benchmarks/scale.py --N 3200000 --standalone /tmp/scale --threads 2   # 4e9
    python benchmarks/scale.py --N 6400000            # 8e9: refused before allocating

It prints one JSON line: synapses, bytes per synapse, creation time (total
and per synapse), the time of a 100 ms run (and per biological second),
spikes, the mean rate and the peak memory of the process. Runtime mode runs
on one thread (creation uses every core). With ``--standalone DIR`` the run
is a standalone program in DIR with ``--threads`` threads: the line adds the
time to record the run (the synapses' targets are written to DIR/spool
once), to write and compile the project, the program's own run time and
its peak memory. When the synapses would not fit in the memory available,
connect() refuses before allocating and the line says so.
"""
import argparse
import json
import resource
import time

from neurocodegen import (NeuronGroup, PoissonInput, SpikeMonitor, Synapses, device, mV, ms,
                          run, seed, set_device)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--N", type=int, default=1_600_000, help="neurons (default 1.6e6)")
    parser.add_argument("--duration", type=float, default=100.0, help="ms of the timed run")
    parser.add_argument("--standalone", metavar="DIR", default=None,
                        help="run as a standalone program built in DIR")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads of the standalone program (default 1)")
    args = parser.parse_args()
    if args.standalone:
        set_device("cpp_standalone", directory=args.standalone, build_on_run=False,
                   threads=args.threads)
    N = args.N
    N_E = int(0.8 * N)
    C_E = 1000
    p = 1250 / N
    # noqa: F841 below: the model strings read these names
    tau, theta, V_r, tau_rp = 20 * ms, 20 * mV, 10 * mV, 2 * ms  # noqa: F841
    J, D, g = 0.1 * mV, 1.5 * ms, 5.0  # noqa: F841
    nu_ext = 2 * theta / (J * C_E * tau)
    seed(1)
    neurons = NeuronGroup(N, "dv/dt = -v/tau : volt (unless refractory)",
                          threshold="v > theta", reset="v = V_r", refractory=tau_rp,
                          method="exact")
    neurons.v = "rand()*theta"                   # no first volley of every neuron at once
    exc = Synapses(neurons, neurons, on_pre="v += J", delay=D)
    inh = Synapses(neurons, neurons, on_pre="v += -g*J", delay=D)
    result = {"N": N, "p": p}
    start = time.perf_counter()
    try:
        exc.connect(f"i < {N_E}", p=p)
        inh.connect(f"i >= {N_E}", p=p)
    except MemoryError as exc_info:
        result.update(refused=str(exc_info), refused_after_s=time.perf_counter() - start,
                      max_rss_gib=_max_rss_gib())
        print(json.dumps(result))
        return
    created = time.perf_counter() - start
    synapses = len(exc) + len(inh)
    per_synapse = (exc.memory_per_synapse * len(exc) + inh.memory_per_synapse * len(inh)) \
        / synapses
    result.update(synapses=synapses, bytes_per_synapse=per_synapse,
                  synapse_gib=per_synapse * synapses / 2**30, creation_s=created,
                  creation_ns_per_synapse=created / synapses * 1e9)
    drive = PoissonInput(neurons, "v", C_E, nu_ext, weight=J)   # noqa: F841 (run() finds it)
    M = SpikeMonitor(neurons, record=False)
    if args.standalone:
        start = time.perf_counter()
        run(args.duration * ms)           # records the run (in this frame: run() finds it all)
        result["record_s"] = time.perf_counter() - start
        _build_and_run(result, M, args.duration)
        return
    start = time.perf_counter()
    run(1 * ms)                                   # compiles (or loads) the run loop
    result["first_run_s"] = time.perf_counter() - start
    before = int(M.num_spikes)
    start = time.perf_counter()
    run(args.duration * ms)
    elapsed = time.perf_counter() - start
    spikes = int(M.num_spikes) - before
    result.update(run_ms=args.duration, run_s=elapsed,
                  run_s_per_biological_s=elapsed / (args.duration / 1000), spikes=spikes,
                  rate_hz=spikes / N / (args.duration / 1000), max_rss_gib=_max_rss_gib())
    print(json.dumps(result))


def _build_and_run(result, M, duration):
    """Build and run the recorded program; adds its timings and peak memory
    to ``result`` and prints it."""
    device.build()
    status, timings = device.status, device.timings
    run_s = status["run_seconds"][0]
    spikes = int(M.num_spikes)
    result.update(threads=status["threads"], steps_by_threads=status["steps_by_threads"],
                  run_ms=duration, run_s=run_s,
                  run_s_per_biological_s=run_s / (duration / 1000),
                  program_wall_s=timings["run_seconds"], write_s=timings["write_seconds"],
                  compile_s=timings["compile_seconds"], spikes=spikes,
                  rate_hz=spikes / result["N"] / (duration / 1000),
                  program_max_rss_gib=status["max_rss_bytes"] / 2**30,
                  max_rss_gib=_max_rss_gib())
    print(json.dumps(result))


def _max_rss_gib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20     # KiB -> GiB


if __name__ == "__main__":
    main()
