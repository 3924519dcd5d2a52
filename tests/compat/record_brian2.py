"""Run every model of models.py under Brian2 and record its numbers.

    benchmarks/.venv-brian2/bin/python tests/compat/record_brian2.py [model ...]

writes tests/compat/brian2_results.json (with Brian2's version); with model
names, re-records only those and keeps the others. Brian2 runs with the
numpy target (no compile time; the same arithmetic as its C++ targets up to
rounding).
"""
import json
import sys
import time
from pathlib import Path

import brian2

from models import MODELS, run_model

RESULTS = Path(__file__).resolve().parent / "brian2_results.json"


def main(names):
    brian2.prefs.codegen.target = "numpy"
    recorded = json.loads(RESULTS.read_text())["models"] if names and RESULTS.exists() else {}
    for name in names or MODELS:
        start = time.perf_counter()
        recorded[name] = run_model(brian2, name)
        print(f"{name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    RESULTS.write_text(json.dumps({"brian2_version": brian2.__version__,
                                   "models": {k: recorded[k] for k in sorted(recorded)}},
                                  indent=1) + "\n")
    print(f"{len(recorded)} models from Brian2 {brian2.__version__} -> {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
