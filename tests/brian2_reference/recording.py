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


def load(name):
    """The arrays of ``tests/data/brian2_<name>.npz`` (checked to be Brian2
    2.9's), for the tests that compare with them."""
    path = Path(__file__).resolve().parents[1] / "data" / f"brian2_{name}.npz"
    with np.load(path) as data:
        assert str(data["brian2_version"]).startswith("2.9")
        return {k: data[k] for k in data.files if k != "brian2_version"}


def compare(got, reference, model, rtol=1e-9, scaled_atol=0.0, atol=1e-18):
    """``got`` (a model's arrays, keyed ``<model>.<name>``) against the
    recorded ones: the same keys and shapes; integers (spike indices, counts)
    exactly; floats within ``rtol``, and an absolute tolerance of ``atol``
    plus ``scaled_atol`` times the largest recorded magnitude."""
    import numpy.testing
    assert set(got) == {k for k in reference if k.startswith(model + ".")}
    for key, values in got.items():
        expected = reference[key]
        assert values.shape == expected.shape, key
        if expected.dtype.kind == "f":
            scale = np.max(np.abs(expected), initial=0)
            numpy.testing.assert_allclose(values, expected, rtol=rtol,
                                          atol=atol + scaled_atol * scale, err_msg=key)
        else:
            assert np.array_equal(values, expected), key
