"""Recording Brian2's numbers: what every ``*_models.py`` script here does
when it is run under Brian2 2.9 (``benchmarks/.venv-brian2/bin/python
tests/brian2_reference/<script>.py``)."""
import sys
from pathlib import Path

import numpy as np


def record(models, run_model, name):
    """Run each model of ``models`` under Brian2 (numpy target, no compiler
    needed) with ``run_model(brian2, model)`` and save every array to
    ``tests/data/brian2_<name>.npz`` with Brian2's version."""
    import brian2
    brian2.prefs.codegen.target = "numpy"
    recorded = {}
    for model in models:
        recorded.update(run_model(brian2, model))
        print(model, "recorded", file=sys.stderr)
    out = Path(__file__).resolve().parents[1] / "data" / f"brian2_{name}.npz"
    np.savez_compressed(out, brian2_version=brian2.__version__, **recorded)
    print(f"{len(recorded)} arrays from Brian2 {brian2.__version__} -> {out}")
