"""Synapses.connect(condition, p, n): the compiled creation (runtime/connect.py,
templates/cpp/connect.cpp.j2) against its numpy twin, thread counts, the
statistics of the draws, and the memory refusal."""
import numpy as np
import pytest

from neurocodegen import NeuronGroup, Synapses, seed, set_device, start_scope
from neurocodegen.errors import DimensionMismatchError
from neurocodegen.preferences import prefs
from neurocodegen.runtime import connect


@pytest.fixture
def target():
    """Restores the codegen target a test changes."""
    before = prefs.codegen.target
    yield
    prefs.codegen.target = before


def _made(target, calls, n_neurons=(120, 90), subgroups=False, threads=None,
          monkeypatch=None):
    """(S.i, S.j) after the connect calls ``calls`` (kwargs dicts), in a
    fresh scope with the same seed."""
    prefs.codegen.target = target
    if threads is not None:
        monkeypatch.setattr(connect, "creation_threads", lambda: threads)
    start_scope()
    seed(11)
    A = NeuronGroup(n_neurons[0], "x : 1\nv : volt")
    B = NeuronGroup(n_neurons[1], "x : 1")
    A.x = "i / 40.0"
    B.x = "1.5 - i / 30.0"
    source, dest = (A[10:100], B[5:80]) if subgroups else (A, B)
    S = Synapses(source, dest, "w : 1")
    for kwargs in calls:
        S.connect(**kwargs)
    return np.array(S.i), np.array(S.j)


CASES = {
    "skip_number": [dict(p=0.1)],
    "skip_condition_on_i": [dict(condition="i % 3 != 1 and i > 4", p=0.3)],
    "skip_p_of_x_pre": [dict(p="0.5 * x_pre")],
    "skip_condition_x_pre": [dict(condition="x_pre > 0.7", p=0.25)],
    "skip_all_and_none": [dict(condition="i < 7"), dict(condition="i > 100", p=0.0)],
    "pairs_condition_j": [dict(condition="i != j", p=0.2)],
    "pairs_x_post": [dict(condition="abs(x_pre - x_post) < 0.4", p=0.6)],
    "pairs_p_of_j": [dict(p="exp(-(i - j)**2 / 50.0)")],
    "pairs_rand_condition": [dict(condition="rand() < 0.3 and j > 2", p=0.5)],
    "n_copies": [dict(condition="i != j", p=0.05, n=2), dict(p=0.02, n=3)],
    "appending": [dict(p=0.05), dict(condition="j == i", p=1.0), dict(p="0.01 * j")],
    "comparison_as_number": [dict(p="0.5 * (i > j)")],
}


@pytest.mark.parametrize("subgroups", [False, True])
@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_and_numpy_make_the_same_synapses(case, subgroups, target):
    compiled = _made("cython", CASES[case], subgroups=subgroups)
    twin = _made("numpy", CASES[case], subgroups=subgroups)
    assert len(compiled[0]) > 0 or case == "skip_all_and_none"
    assert np.array_equal(compiled[0], twin[0]) and np.array_equal(compiled[1], twin[1])


@pytest.mark.parametrize("calls", [[dict(condition="i < 100", p=0.1)],
                                   [dict(condition="i != j", p="0.2 * x_pre")]])
def test_the_thread_count_does_not_change_the_synapses(calls, target, monkeypatch):
    made = [_made("cython", calls, n_neurons=(700, 500), threads=t, monkeypatch=monkeypatch)
            for t in (1, 2, 4)]
    for other in made[1:]:
        assert np.array_equal(made[0][0], other[0]) and np.array_equal(made[0][1], other[1])


@pytest.mark.parametrize("windows, room_sd", [("many", 10), ("one", -30), ("many", -30)])
def test_the_one_pass_walk_in_windows_and_without_room(windows, room_sd, target, monkeypatch):
    """The skip walk makes each row once, a window of rows at a time, into
    room for the expected count plus _ROOM_SD standard deviations; with
    windows of a few rows, or too little room (then the rows are counted and
    walked again), the synapses are the numpy twin's for 1, 2 and 3 threads."""
    calls = [dict(condition="i % 3 != 1", p=0.2, n=2), dict(p="0.4 * x_pre")]
    twin = _made("numpy", calls, n_neurons=(300, 200))
    monkeypatch.setattr(connect, "_ROOM_SD", room_sd)
    if windows == "many":
        monkeypatch.setattr(connect, "_WINDOW_SYNAPSES", 50)    # about 1 row each
    counted = []
    real_count = connect._module(None).skip_count
    monkeypatch.setattr(connect, "_module", lambda shape, real=connect._module: _Spy(
        real(shape), skip_count=lambda *a: counted.append(1) or real_count(*a)))
    for threads in (1, 2, 3):
        made = _made("cython", calls, n_neurons=(300, 200), threads=threads,
                     monkeypatch=monkeypatch)
        assert np.array_equal(made[0], twin[0]) and np.array_equal(made[1], twin[1])
    assert bool(counted) == (room_sd < 0)


class _Spy:
    """A module with some functions replaced."""
    def __init__(self, module, **replaced):
        self._module, self._replaced = module, replaced

    def __getattr__(self, name):
        return self._replaced.get(name) or getattr(self._module, name)


def test_the_count_is_binomial_and_the_skip_walk_uniform(target):
    prefs.codegen.target = "cython"
    seed(5)
    n, p = 1500, 0.04
    G = NeuronGroup(n, "v : 1")
    S = Synapses(G, G)
    S.connect(p=p)
    i, j = np.array(S.i), np.array(S.j)
    assert abs(len(i) - n * n * p) < 5 * np.sqrt(n * n * p * (1 - p))
    assert np.all(np.diff(i.astype(np.int64) * n + j) > 0)     # row order, j ascending
    # every row and every column is Binomial(n, p): a chi-square with n
    # degrees of freedom, within 6 of its standard deviations
    for counts in (np.bincount(i, minlength=n), np.bincount(j, minlength=n)):
        chi2 = np.sum((counts - n * p) ** 2 / (n * p * (1 - p)))
        assert abs(chi2 - n) < 6 * np.sqrt(2 * n), chi2


def test_standalone_mode_makes_the_same_synapses(tmp_path, target):
    runtime = _made("cython", CASES["pairs_x_post"] + CASES["skip_number"])
    set_device("cpp_standalone", adapt_threads=False, directory=str(tmp_path / "p"), build_on_run=False)
    try:
        standalone = _made("cython", CASES["pairs_x_post"] + CASES["skip_number"])
    finally:
        set_device("runtime")
    assert np.array_equal(runtime[0], standalone[0])
    assert np.array_equal(runtime[1], standalone[1])


@pytest.mark.parametrize("target_name", ["cython", "numpy"])
def test_too_many_synapses_are_refused_before_anything_changes(target_name, target,
                                                                monkeypatch):
    prefs.codegen.target = target_name
    G = NeuronGroup(400, "v : 1")
    S = Synapses(G, G, "w : 1", name="big")
    S.connect(i=[1, 2], j=[3, 4])
    monkeypatch.setattr(connect, "available_bytes", lambda: 10_000)
    allocated = []
    real_empty = np.empty
    monkeypatch.setattr(connect.np, "empty",
                        lambda *a, **k: allocated.append(a) or real_empty(*a, **k))
    with pytest.raises(MemoryError, match=r"'big'.*synapses.*bytes.*available"):
        S.connect(p=0.5)
    if target_name == "cython":
        assert not allocated                 # refused before allocating
    assert list(S.i) == [1, 2] and list(S.j) == [3, 4] and len(S.w) == 2


def test_condition_errors_are_still_clear():
    G = NeuronGroup(10, "v : volt")
    S = Synapses(G, G)
    with pytest.raises(DimensionMismatchError, match="v_pre"):
        S.connect("v_pre > 1", p=0.5)
    with pytest.raises(Exception, match="no_such_name"):
        S.connect("i < no_such_name")
    with pytest.raises(DimensionMismatchError, match="dimensionless"):
        S.connect(p="v_pre / mV * mV")
    assert len(S) == 0
    S.connect("v_pre > -1*mV", p=1.0)
    assert len(S) == 100
