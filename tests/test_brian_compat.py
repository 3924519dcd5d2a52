"""Brian's conventions for neuron models (issue 14): the star import, statements
and equations as Brian writes them, sizes and zeros, reading and writing
state. Differential tests against Brian2 2.9's numbers recorded by
``tests/brian2_reference/neuron_models.py``, in runtime mode (C++ and numpy)
and in standalone mode."""
import builtins
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import neurocodegen
from neurocodegen import (DimensionMismatchError, EquationError, NeuronGroup, PoissonGroup,
                          SpikeMonitor, get_device, Hz, mV, ms, nA, prefs, run, set_device,
                          volt)

sys.path.insert(0, str(Path(__file__).parent / "brian2_reference"))
import neuron_models  # noqa: E402
import recording  # noqa: E402

@pytest.fixture(scope="module")
def brian2():
    return recording.load("neurons")


def _compare(got, brian2, name):
    """Spike indices, counts and sizes exactly; values within 1e-9
    (exp() and unit scalings round in the last bits)."""
    recording.compare(got, brian2, name)


@pytest.mark.parametrize("name", list(neuron_models.MODELS))
@pytest.mark.parametrize("target", ["cython", "numpy"])
def test_brian2_numbers_in_runtime_mode(name, target, brian2):
    prefs.codegen.target = target
    try:
        _compare(neuron_models.run_model(neurocodegen, name), brian2, name)
    finally:
        prefs.codegen.target = "cython"


@pytest.mark.parametrize("name", list(neuron_models.MODELS))
def test_brian2_numbers_in_standalone_mode(name, brian2, tmp_path):
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / name, threads=2)
    try:
        _compare(neuron_models.run_model(neurocodegen, name), brian2, name)
    finally:
        set_device("runtime")


# -- the star import -------------------------------------------------------------

def test_star_import_gives_brians_extra_names():
    namespace = {}
    exec("from neurocodegen import *", namespace)
    assert namespace["np"] is np
    assert namespace["prefs"] is prefs
    assert namespace["Quantity"] is neurocodegen.Quantity
    assert namespace["check_units"] is neurocodegen.units.check_units
    figure = namespace["plt"].figure()                 # matplotlib.pyplot, on first use
    assert type(figure).__name__ == "Figure"
    namespace["plt"].close(figure)


def test_plt_imports_matplotlib_only_when_used():
    code = ("import sys\nfrom neurocodegen import *\n"
            "assert 'matplotlib.pyplot' not in sys.modules\n"
            "plt.gcf()\nassert 'matplotlib.pyplot' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, env={
        "MPLBACKEND": "Agg", "PYTHONPATH": str(Path(neurocodegen.__file__).parents[1]),
        "PATH": "/usr/bin:/bin"})


def test_the_star_import_gives_numpys_names_without_its_slow_packages():
    code = ("import sys\nfrom neurocodegen import *\n"
            "assert exp is np.exp and linalg is np.linalg and random is np.random\n"
            "assert 'numpy.f2py' not in sys.modules and 'numpy.testing' not in sys.modules\n"
            "assert 'f2py' not in dir() and 'testing' not in dir()\n"
            "np.testing.assert_equal(1, 1)\n")
    subprocess.run([sys.executable, "-c", code], check=True, env={
        "PYTHONPATH": str(Path(neurocodegen.__file__).parents[1]), "PATH": "/usr/bin:/bin"})


# What `from brian2 import *` (Brian2 2.9, numpy 2) puts in place of Python's
# builtins: numpy's functions. (It also shadows `bytes` and `input`, by accident
# of pylab and of its `input` package; we leave those two as Python's.)
BRIAN_SHADOWED_BUILTINS = {"abs", "all", "any", "bool", "divmod", "max", "min", "pow",
                           "round", "sum"}


def test_star_import_changes_no_builtin_that_brians_keeps():
    namespace = {}
    exec("from neurocodegen import *", namespace)
    shadowed = {name for name in dir(builtins) if not name.startswith("_")
                and name in namespace and namespace[name] is not getattr(builtins, name)}
    assert shadowed == BRIAN_SHADOWED_BUILTINS
    for name in ("int", "float", "range", "len", "str", "list", "print"):
        assert namespace.get(name, getattr(builtins, name)) is getattr(builtins, name)


def test_check_units_checks_arguments_as_brian():
    @neurocodegen.check_units(v=volt, n=1, result=volt)
    def scaled(v, n):
        return v * n

    assert scaled(2 * mV, 3) == 6 * mV
    with pytest.raises(DimensionMismatchError, match="Function 'scaled' expected a quantity "
                                                     "with unit V for argument 'v'"):
        scaled(2 * ms, 3)


def test_openmp_threads_preference_gives_the_standalone_threads(tmp_path):
    try:
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path)
        assert get_device().default_threads() == 1                   # Brian's 0: no OpenMP
        prefs.devices.cpp_standalone.openmp_threads = 3
        assert get_device().default_threads() == 3
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path, threads=2)  # named: it wins
        assert get_device().default_threads() == 2
        assert not get_device().adapt_threads
        assert set_device("cpp_standalone", directory=tmp_path).adapt_threads   # the default
        with pytest.raises(TypeError, match=r"Unknown option.*: adapt_thread\."):
            set_device("cpp_standalone", directory=tmp_path, adapt_thread=False)
    finally:
        prefs.reset_to_defaults()
        set_device("runtime")


# -- statements and equations as Brian writes them -----------------------------------

def test_reset_statements_separated_by_semicolons_run_in_order():
    G = NeuronGroup(2, "v : 1\nw : 1", threshold="v > 1", reset="w = v; v = 0; w += 1  # c")
    G.v = [2, 0.5]
    run(0.1 * ms)
    assert list(G.w[:]) == [3, 0] and list(G.v[:]) == [0, 0.5]
    assert [s.code for s in G.reset] == ["w = v", "v = 0", "w += 1"]


def test_continued_equation_errors_name_the_users_line():
    with pytest.raises(EquationError, match="line 2 of the model: the ': unit' is missing "
                                            r"\(the next line starts a new definition\)"):
        NeuronGroup(1, """
                        dv/dt = -v/(10*ms)
                        dw/dt = -w/(10*ms) : 1""")


# -- sizes and zeros ------------------------------------------------------------------

@pytest.mark.parametrize("N, expected", [(4.0, 4), (np.float64(3), 3), (int(0.8 * 10), 8),
                                         (np.round(2.6), 3), (np.int64(5), 5)])
def test_a_size_given_as_a_whole_float_is_taken(N, expected):
    assert NeuronGroup(N, "v : 1").N == expected
    assert len(PoissonGroup(N, 5 * Hz)) == expected


@pytest.mark.parametrize("N, exception, fragment", [
    (10.5, TypeError, "must be a whole number, got 10.5"),
    (float("nan"), TypeError, "must be a whole number"),
    ("5", TypeError, "must be a whole number, got '5'"),
    (True, TypeError, "must be a whole number"),
    (0.0, ValueError, "at least 1, got 0"),
])
def test_a_size_that_is_not_a_whole_number_is_an_error(N, exception, fragment):
    with pytest.raises(exception, match=fragment):
        NeuronGroup(N, "v : 1")


def test_a_plain_zero_has_every_unit_in_assignments():
    G = NeuronGroup(3, "v : volt\nge : siemens")
    G.v = 5 * mV
    G.ge = 0
    G.v = np.zeros(3)
    G.v = "0"
    assert list(G.v_[:]) == [0, 0, 0]
    G.v = 5 * mV
    G.v["i > 0"] = 0
    G.v[G.v == 0] = -0.0
    assert list(G.v[:] / mV) == [5, 0, 0]
    with pytest.raises(DimensionMismatchError, match=r"Cannot set neurongroup\w*\.v \(unit V\) "
                                                     r"to 1 \(unit 1\)"):
        G.v = 1
    with pytest.raises(DimensionMismatchError, match="the expression has unit 1 but the "
                                                     "variable has unit V"):
        G.v = "1"


@pytest.mark.parametrize("mode", ["runtime", "standalone"])
def test_a_written_zero_compares_with_every_unit_in_model_strings(mode, tmp_path):
    if mode == "standalone":
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path)
    try:
        G = NeuronGroup(4, "dv/dt = 0*volt/second : volt", threshold="v > 0",
                        reset="v = 0", refractory="v != 0")
        G.v = np.array([-1, 0, 1, 2]) * mV
        spikes = SpikeMonitor(G)
        run(0.3 * ms)
        assert list(spikes.count[:]) == [0, 0, 1, 1]
        assert list(G.v_[:]) == [-1e-3, 0, 0, 0]
    finally:
        set_device("runtime")


def test_zero_is_special_only_as_a_written_number():
    G = NeuronGroup(1, "v : volt", threshold="v > 0*mV + 0")
    assert G.N == 1
    with pytest.raises(DimensionMismatchError, match="mixes units"):
        run(0.1 * ms)


# -- reading and writing state ----------------------------------------------------------

def test_subexpressions_read_with_units_and_names_from_the_script():
    scale = 2  # noqa: F841  (read by the subexpression, from this frame)
    G = NeuronGroup(3, "v : volt\nI = scale*v/(10*Mohm) : amp\nx = v/mV : 1")
    G.v = [1, 2, 3] * mV
    assert np.allclose(G.I / nA, [0.2, 0.4, 0.6])
    assert np.allclose(G.I_, [2e-10, 4e-10, 6e-10])
    assert list(G.x) == [1, 2, 3]


def test_indexing_with_conditions_and_arrays():
    G = NeuronGroup(10, "v : volt\nflag : boolean")
    G.v = "i*mV"
    x = 6.5 * mV
    assert list(G.v["i > 7"] / mV) == [8, 9]
    assert list(G.v["v > -50*mV and i < 2"] / mV) == [0, 1]
    assert list(G.v[G.v > x] / mV) == [7, 8, 9]
    assert list(G.v[np.arange(10) % 5 == 0] / mV) == [0, 5]
    assert list(G.v[[1, 3]] / mV) == [1, 3]
    H = NeuronGroup(10, "v : volt")
    assert np.allclose((G.v - H.v) / mV, np.arange(10))    # views of two groups
    G.v["v > x"] = "v + 10*mV"                        # names of the script in both strings
    G.flag["i % 2 == 0"] = True
    assert np.allclose(G.v[:] / mV, [0, 1, 2, 3, 4, 5, 6, 17, 18, 19])
    assert list(G.i[:]) == list(range(10)) and G.N == 10
    assert G.flag[:].sum() == 5
    with pytest.raises(EquationError, match=r"The index 'v' of group 'neurongroup\w*' must be "
                                            "a condition"):
        G.v["v"]
    with pytest.raises(DimensionMismatchError, match="compares values with different units"):
        G.v["v > 1"]
    with pytest.raises(DimensionMismatchError, match=r"Cannot set neurongroup\w*\.v"):
        G.v["i > 5"] = 3 * ms


def test_get_states_and_set_states_as_brian():
    G = NeuronGroup(3, """dv/dt = -v/(10*ms) : volt (unless refractory)
                          I = v/Mohm : amp
                          c : 1 (constant)
                          s : 1 (shared)""", threshold="v > 1*mV", refractory=2 * ms)
    states = G.get_states()
    assert list(states) == ["N", "i", "t", "dt", "t_in_timesteps", "v", "c", "s",
                            "lastspike", "not_refractory"]
    assert states["N"] == 3 and states["s"] == 0 and states["lastspike"].dim == ms.dim
    assert sorted(G.get_states(read_only_variables=False)) == \
        ["c", "lastspike", "not_refractory", "s", "v"]
    G.set_states({"v": [1, 2, 3] * mV, "c": [1, 2, 3], "s": 5})
    assert list(G.get_states(["v", "I"], units=False)) == ["v", "I"]
    assert np.allclose(G.get_states(["I"])["I"] / nA, [1, 2, 3])
    assert G.s[0] == 5
    G.set_states({"v": [4, 5, 6]}, units=False)
    assert list(G.v_[:]) == [4, 5, 6]
    with pytest.raises(DimensionMismatchError, match=r"Cannot set neurongroup\w*\.v \(unit V\)"):
        G.set_states({"v": [1, 2, 3]})
    with pytest.raises(EquationError, match=r"Cannot set neurongroup\w*\.I: it is read-only"):
        G.set_states({"I": [1, 2, 3] * nA})
    with pytest.raises(KeyError, match="no variable 'foo'"):
        G.set_states({"foo": 1})


def test_states_as_a_pandas_dataframe():
    pandas = pytest.importorskip("pandas", reason="format='pandas' needs pandas")
    G = NeuronGroup(3, "v : volt\nc : 1")
    G.v = [1, 2, 3] * mV
    frame = G.get_states(["v", "c"], units=False, format="pandas")
    assert isinstance(frame, pandas.DataFrame) and list(frame["v"]) == [1e-3, 2e-3, 3e-3]
    frame["c"] = [7, 8, 9]
    G.set_states(frame, units=False, format="pandas")
    assert list(G.c[:]) == [7, 8, 9]
    with pytest.raises(NotImplementedError, match="pass units=False"):
        G.get_states(format="pandas")


def test_the_star_import_logs_what_prefs_do_instead(caplog):
    caplog.set_level(logging.INFO, logger="neurocodegen.prefs")
    try:
        prefs.codegen.cpp.extra_compile_args = ["-O2"]
    finally:
        prefs.reset_to_defaults()
    assert "compiles with its own compiler flags" in caplog.records[0].getMessage()


# -- monitors -------------------------------------------------------------------------

def test_monitor_errors_say_what_is_recorded():
    G = NeuronGroup(2, "v : volt\nI = v/Mohm : amp", threshold="v > 0")
    with pytest.raises(ValueError, match="group 'neurongroup\\w*' has no variable 'x'"):
        neurocodegen.StateMonitor(G, ["v", "x"], record=True)
    with pytest.raises(NotImplementedError, match="'I' is a subexpression .* record the ones"):
        SpikeMonitor(G, variables=["v", "I"])
    with pytest.raises(ValueError, match="has no variable 'x' to record"):
        SpikeMonitor(G, variables="x")
    with pytest.raises(ValueError, match="record=False keeps no events"):
        SpikeMonitor(G, variables="v", record=False)
    counts = SpikeMonitor(G, record=False)
    G.v = [1, -1] * mV
    run(0.2 * ms)
    assert list(counts.count) == [2, 0] and counts.num_spikes == 2
    with pytest.raises(ValueError, match="record=False: it counts events"):
        counts.spike_trains()
    with pytest.raises(KeyError, match="does not record 'v' \\(it records: i, t;"):
        SpikeMonitor(G).values("v")


def test_a_shared_variable_read_whole_is_one_value_as_in_brian():
    G = NeuronGroup(4, """I0 : 1 (shared)
                          x : volt (shared)
                          v : 1""")
    G.I0, G.x = 1.5, 2 * mV
    assert np.ndim(G.I0[:]) == 0 and float(G.I0[:]) == 1.5
    assert np.ndim(G.x[:]) == 0 and G.x[:] == 2 * mV
    assert np.ndim(G[1:3].I0[:]) == 0
    assert np.shape(G.v[:]) == (4,)
