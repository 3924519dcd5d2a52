"""ns per created synapse of Synapses.connect (and peak RSS):
python benchmarks/connect_speed.py [brunel|cuba|large] [threads]"""
import resource
import sys
import time

from neurocodegen import NeuronGroup, Synapses, seed

CASES = {"brunel": (12500, "i < 10000", 0.1),
         "cuba": (4000, "i < 3200", 0.02),
         "large": (160000, None, 1250 / 160000)}


def main(case="brunel", threads=None):
    if threads is not None:
        from neurocodegen.runtime import connect
        connect.creation_threads = lambda: int(threads)
    n, condition, p = CASES[case]
    seed(1)
    G = NeuronGroup(n, "v : 1")
    S = Synapses(G, G, "w : 1")
    start = time.perf_counter()
    S.connect(condition, p=p)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{case}: {len(S)} synapses in {seconds:.3f} s: "
          f"{seconds / len(S) * 1e9:.2f} ns per synapse, threads {threads}, "
          f"peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main(*sys.argv[1:])
