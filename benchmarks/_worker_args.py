"""The command line shared by every benchmark worker (ours and Brian2's, NEST's,
ANNarchy's): imported from the worker's own folder, so that it runs in any of
the peers' virtual environments.

    WORKER [SYSTEM] MODEL [--N N] [--duration S] [--warmup S] [--dir DIR]
"""
import argparse


def parse_worker_args(with_system=False):
    parser = argparse.ArgumentParser()
    if with_system:
        parser.add_argument("system")
    parser.add_argument("model")
    parser.add_argument("--N", type=int, default=1)
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--warmup", type=float, default=0.01)
    parser.add_argument("--dir", default=None)
    return parser.parse_args()
