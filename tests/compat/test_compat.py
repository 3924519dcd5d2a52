"""Differential compatibility suite (issue 14): every model of models.py run
with neurocodegen and compared with the numbers Brian2 2.9 gave for the same
script (brian2_results.json, written by record_brian2.py; Brian2 is not
needed here).

Tolerances (README.md says how they were calibrated):

* integers (spike counts, numbers of synapses, integer variables): exactly;
* floats of deterministic models (spike times, monitor means and extremes,
  final states): relative RTOL, absolute ATOL. Both simulators do the same
  arithmetic in the same order for these models; what differs is rounding in
  the last bits (C++'s exp/expm1/tanh against numpy's, constants folded at
  another place, unit scalings), about 1e-13 relative after the
  amplification of a few hundred ms of dynamics. A spike moved by one time
  step changes a time by dt (>= 1e-4 relative here) and fails;
* statistics of noisy models, ``{"mean": m, "se": s}``: our random numbers
  are not Brian's (a counter-based generator), so the two means are two
  independent estimates of the same expectation: they must agree within
  Z_MAX combined standard errors, |m1 - m2| <= Z_MAX*sqrt(s1**2 + s2**2).
  With Z_MAX = 5 a correct model fails with probability below 1e-6 per
  number (and, both runs being seeded, either always or never), while a
  wrong noise scaling (a missing sqrt(dt), a variance off by 2) moves a
  mean by tens of standard errors.
"""
import importlib.util
import json
import math
from pathlib import Path

import pytest

import neurocodegen
from neurocodegen import set_device

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("compat_models", HERE / "models.py")
models = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(models)

RTOL = 1e-9
ATOL = 1e-12
Z_MAX = 5.0

# A representative subset for standalone mode (one C++ program each): an
# adaptive IF with a SpikeMonitor of a variable, Hodgkin-Huxley with
# exponential_euler and rate subexpressions, rk4 with a refractory
# condition, (summed) synapses, and conductance noise.
STANDALONE = ["adex_firing_patterns", "hh_rate_subexpressions", "morris_lecar", "shared_run_regularly",
              "gap_junctions", "conductance_noise"]

# Models whose difference from Brian2 is a known neurocodegen bug: name -> reason.
KNOWN_DIFFERENCES = {}


@pytest.fixture(scope="module")
def brian2_results():
    recorded = json.loads((HERE / "brian2_results.json").read_text())
    assert recorded["brian2_version"].startswith("2.9")
    return recorded["models"]


def is_statistic(value):
    return isinstance(value, dict) and set(value) == {"mean", "se"}


def differences(got, expected, path="", rtol=RTOL):
    """Every place where ``got`` is not ``expected`` within the tolerances,
    as readable lines."""
    if is_statistic(expected):
        if not is_statistic(got):
            return [f"{path}: expected a statistic, got {got!r}"]
        bound = Z_MAX * math.hypot(got["se"], expected["se"])
        if not abs(got["mean"] - expected["mean"]) <= bound:
            z = abs(got["mean"] - expected["mean"]) / math.hypot(got["se"], expected["se"])
            return [f"{path}: {got['mean']:.6g} +- {got['se']:.3g} against Brian2's "
                    f"{expected['mean']:.6g} +- {expected['se']:.3g} ({z:.1f} standard errors)"]
        return []
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return [f"{path}: keys {sorted(got) if isinstance(got, dict) else got!r}, "
                    f"expected {sorted(expected)}"]
        return [line for key in expected
                for line in differences(got[key], expected[key], f"{path}.{key}", rtol)]
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{path}: {got!r}, expected {expected!r}"]
        return [line for k, (g, e) in enumerate(zip(got, expected))
                for line in differences(g, e, f"{path}[{k}]", rtol)]
    if isinstance(expected, float):
        if isinstance(got, (int, float)) and math.isclose(got, expected, rel_tol=rtol,
                                                          abs_tol=ATOL):
            return []
        return [f"{path}: {got!r}, expected {expected!r}"]
    # int, None, str: exactly (a bool is not an int here)
    if type(got) is not type(expected) or got != expected:
        return [f"{path}: {got!r}, expected {expected!r}"]
    return []


def check(name, got, brian2_results):
    got = json.loads(json.dumps(got))          # the same plain types as the recording
    found = differences(got, brian2_results[name], name, models.MODELS[name].rtol or RTOL)
    assert not found, "differences from Brian2:\n" + "\n".join(found[:20])


def _params(names):
    return [pytest.param(name, id=name, marks=pytest.mark.xfail(
                strict=True, reason=KNOWN_DIFFERENCES[name])
            if name in KNOWN_DIFFERENCES else ()) for name in names]


@pytest.mark.parametrize("name", _params(models.MODELS))
def test_runtime_mode_gives_brian2s_numbers(name, brian2_results):
    check(name, models.run_model(neurocodegen, name), brian2_results)


@pytest.mark.parametrize("name", _params(STANDALONE))
def test_standalone_mode_gives_brian2s_numbers(name, brian2_results, tmp_path):
    assert not models.MODELS[name].runtime_only
    set_device("cpp_standalone", directory=tmp_path / name)
    try:
        check(name, models.run_model(neurocodegen, name), brian2_results)
    finally:
        set_device("runtime")


# -- the comparison itself must be able to fail ----------------------------------

def test_comparison_catches_a_spike_one_step_late():
    expected = {"count": [3], "first_ms": [12.3]}
    assert differences({"count": [3], "first_ms": [12.3 + 1e-13]}, expected) == []
    assert differences({"count": [3], "first_ms": [12.4]}, expected) == [
        ".first_ms[0]: 12.4, expected 12.3"]
    assert differences({"count": [4], "first_ms": [12.3]}, expected) == [
        ".count[0]: 4, expected 3"]
    assert differences({"count": [3], "first_ms": [None]}, expected) != []


def test_comparison_of_statistics_uses_combined_standard_errors():
    brian = {"mean": 10.0, "se": 0.3}
    assert differences({"mean": 11.9, "se": 0.4}, brian) == []        # 3.8 se
    assert differences({"mean": 12.6, "se": 0.4}, brian) != []        # 5.2 se


def test_every_model_is_recorded_and_marked(brian2_results):
    assert set(brian2_results) == set(models.MODELS)
    assert len(models.MODELS) >= 30
    assert set(KNOWN_DIFFERENCES) <= set(models.MODELS)
