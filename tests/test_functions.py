"""Functions in model strings (issue 14, item 8): a user's Function (Python
for the numpy target, the user's C++ body for compiled code) and Brian's
documented built-ins. Differential tests against Brian2 2.9's numbers
recorded by ``tests/brian2_reference/function_models.py``, in runtime mode
(C++ and numpy) and standalone mode (1 and 2 threads)."""
import sys
from pathlib import Path

import numpy as np
import pytest

import neurocodegen
from neurocodegen import (DimensionMismatchError, Function, FunctionImplementationError,
                          Network, NeuronGroup, check_units, implementation, ms, mV, prefs,
                          set_device, volt)

sys.path.insert(0, str(Path(__file__).parent / "brian2_reference"))
import function_models  # noqa: E402
import recording  # noqa: E402

@pytest.fixture(scope="module")
def brian2():
    return recording.load("functions")


def _compare(got, brian2, name):
    """Spikes and integers exactly; values within 1e-9 of their scale
    (measured: below 1e-12)."""
    recording.compare(got, brian2, name, scaled_atol=1e-9)


@pytest.mark.parametrize("name", list(function_models.MODELS))
@pytest.mark.parametrize("target", ["cython", "numpy"])
def test_brian2_numbers_in_runtime_mode(name, target, brian2):
    prefs.codegen.target = target
    try:
        _compare(function_models.run_model(neurocodegen, name), brian2, name)
    finally:
        prefs.codegen.target = "cython"


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", list(function_models.MODELS))
def test_standalone_gives_the_runtime_numbers(name, threads, brian2, tmp_path):
    runtime = function_models.run_model(neurocodegen, name)
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / name, threads=threads)
    try:
        standalone = function_models.run_model(neurocodegen, name)
    finally:
        set_device("runtime")
    for key in runtime:                      # the same C++ code: the same bits
        assert np.array_equal(standalone[key], runtime[key]), key
    _compare(standalone, brian2, name)


# -- what a user gets wrong ---------------------------------------------------------------

def _run(eqs, namespace):
    neurocodegen.start_scope()
    G = NeuronGroup(2, eqs, namespace=namespace, method="euler")
    Network(G).run(0.2 * ms)
    return G


def test_a_function_without_cpp_code_says_how_to_run_it():
    twice = Function(lambda v: 2 * v, arg_units=[volt], return_unit=volt)
    eqs = "dv/dt = twice(v)/ms : volt"
    with pytest.raises(FunctionImplementationError,
                       match=r"The function 'twice' called in state update of neurongroup\w* "
                             r"\(euler\) has no C\+\+ implementation: give one with "
                             r"@implementation\('cpp', code\).*prefs.codegen.target = 'numpy'"):
        _run(eqs, {"twice": twice})
    prefs.codegen.target = "numpy"
    try:
        G = _run(eqs, {"twice": twice})                  # the Python function
    finally:
        prefs.codegen.target = "cython"
    assert list(G.v[:]) == [0, 0]


def test_a_functions_units_are_checked_in_model_strings():
    @check_units(v=volt, result=volt)
    def half(v):
        return v / 2
    f = Function(half)
    assert f.arg_dims == (volt.dim,) and f.dim is volt.dim
    with pytest.raises(DimensionMismatchError, match=r"calls half\(\) with 'v\*ms', which is"):
        _run("dv/dt = half(v*ms)/ms**2 : volt", {"half": f})
    with pytest.raises(DimensionMismatchError, match=r"calls half\(\) with 2 argument"):
        _run("dv/dt = half(v, v)/ms : volt", {"half": f})


def test_a_function_needs_its_units():
    with pytest.raises(ValueError, match="give the units of its arguments"):
        Function(lambda x: x)
    with pytest.raises(ValueError, match="give the unit of its value"):
        Function(lambda x: x, arg_units=[1])


@pytest.mark.parametrize("name, reason", [("_f", "names starting with '_'"),
                                          ("exp", "the name of a function"),
                                          ("double", "keyword"),
                                          ("a b", "not an identifier")])
def test_the_cpp_name_must_be_a_free_identifier(name, reason):
    with pytest.raises(ValueError, match=f"its C\\+\\+ name {name!r} cannot be used.*{reason}"):
        implementation("cpp", "double f(double x) { return x; }", name=name)(
            Function(lambda x: x, arg_units=[1], return_unit=1))


def test_only_cpp_implementations_are_taken():
    f = Function(lambda x: x, arg_units=[1], return_unit=1)
    with pytest.raises(ValueError, match="neurocodegen compiles C\\+\\+, not Cython"):
        f.implementations.add_implementation("cython", "cdef double f(double x): return x")


def test_the_python_function_is_checked_for_its_unit_in_the_numpy_target():
    wrong = Function(lambda v: v / mV, arg_units=[volt], return_unit=volt)
    prefs.codegen.target = "numpy"
    try:
        with pytest.raises(ValueError, match="returned a value of unit 1, but its return "
                                             "unit is V"):
            _run("dv/dt = (wrong(v) + 1*mV)/ms : volt", {"wrong": wrong})
    finally:
        prefs.codegen.target = "cython"


def test_timestep_takes_two_times():
    with pytest.raises(DimensionMismatchError, match=r"calls timestep\(t, dt\) with an "
                                                     r"argument that is not a time"):
        _run("n = timestep(t, 3) : integer\ndv/dt = 0*volt/ms : volt", {})
