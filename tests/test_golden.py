"""Bit-identical results across the compiler's rebuild: every model of
``golden_models.py`` gives exactly the numbers recorded before it (spikes,
final states, traces), in runtime mode and in standalone mode with 1 and 2
threads."""
import numpy as np
import pytest

from neurocodegen import device, set_device
from golden_models import DATA, MODELS, collect, run_runtime, simulate


@pytest.fixture(scope="module")
def recorded():
    with np.load(DATA) as data:
        return {k: data[k] for k in data.files}


def _check(name, got, recorded, mode):
    expected = {k: v for k, v in recorded.items() if k.startswith(name + ".")}
    assert sorted(got) == sorted(expected)
    for key, values in expected.items():
        assert got[key].dtype == values.dtype, key
        assert np.array_equal(got[key], values), f"{key} differs in {mode}"


@pytest.mark.parametrize("name", list(MODELS))
def test_runtime_is_bit_identical(name, recorded):
    _check(name, run_runtime(name), recorded, "runtime mode")


@pytest.mark.parametrize("name", list(MODELS))
def test_standalone_is_bit_identical_for_1_and_2_threads(name, recorded, tmp_path):
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / name, threads=1)
    try:
        objects = simulate(name)
        _check(name, collect(name, objects), recorded, "standalone, 1 thread")
        device.run(threads=2)
        _check(name, collect(name, objects), recorded, "standalone, 2 threads")
    finally:
        set_device("runtime")
