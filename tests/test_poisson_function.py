"""``poisson(lam)`` in model strings (issue 14, item 8), as Brian documents
it: a Poisson number of mean ``lam``. Brian draws it with numpy's
algorithms (multiplication of uniforms below 10, PTRS above) and its own
generator, so its numbers cannot be compared; its distribution can. Ours
is inversion on the counter-based generator (``ncg::poisson``), whose
Python twin (``runtime.random.poisson_at``) the numpy target and string
assignments use: the same bits in every mode and thread count."""
import numpy as np
import pytest

from neurocodegen import (DimensionMismatchError, Network, NeuronGroup, defaultclock, ms,
                          prefs, seed, set_device, start_scope)
import neurocodegen
from neurocodegen.runtime import random as ncg_random

#: Means from 0 (always 0) through the small ones (the common rate*dt), past
#: 600 (where exp(-lam) is carried scaled) to 2500.
LAMS = (0.0, 0.3, 4.0, 25.0, 900.0, 2500.0)
EACH = 4000
STEPS = 5


def _model(finish=None):
    """The draws of a run (``finish``: a standalone program's build), and
    then of a string assignment (the Python twin) in runtime mode."""
    start_scope()
    seed(11)
    defaultclock.dt = 0.1 * ms
    G = NeuronGroup(len(LAMS) * EACH, "lam : 1\nk : integer\ntotal : 1")
    G.lam = np.repeat(LAMS, EACH)
    G.run_regularly("k = poisson(lam)\ntotal += poisson(0.5*lam)", dt=defaultclock.dt)
    Network(G).run(STEPS * defaultclock.dt)
    if finish is not None:
        finish()
        return {"k": G.k[:], "total": G.total[:]}
    assigned = G.k[:].copy()
    G.k = "poisson(lam)"
    return {"k": assigned, "total": G.total[:], "assigned": G.k[:]}


def _check_poisson(values, lam):
    """Mean and variance of ``values`` (n draws of mean ``lam``) within 5
    standard deviations of their sampling distribution: the mean's sd is
    sqrt(lam/n), the sample variance's sqrt((lam + 2 lam^2)/n) (Poisson's
    fourth central moment is lam + 3 lam^2). At 5 sd a correct generator
    fails one check in 10^6; a mean off by 1 % at lam = 25 is 6 sd away."""
    n = values.size
    assert abs(values.mean() - lam) <= 5 * np.sqrt(lam / n), (lam, values.mean())
    assert abs(values.var(ddof=1) - lam) <= 5 * np.sqrt((lam + 2 * lam ** 2) / n), \
        (lam, values.var(ddof=1))


@pytest.fixture(scope="module")
def runtime():
    return _model()


def test_draws_are_poisson(runtime):
    for key, scale in (("k", 1.0), ("total", 0.5 * STEPS), ("assigned", 1.0)):
        values = runtime[key].reshape(len(LAMS), EACH)
        assert np.all(values == np.round(values)) and values.min() >= 0
        for lam, row in zip(LAMS, values):
            if lam == 0:
                assert not row.any()
            else:
                _check_poisson(row, scale * lam)


def test_small_means_have_poissons_zero_probability():
    """P(0) = exp(-lam), within 5 sd of a binomial proportion, at lam = 0.3
    (where the inversion stops at its first term)."""
    draws = ncg_random.poisson_at(3, np.arange(200000), 0, 7, 0.3)
    p0 = np.exp(-0.3)
    assert abs(np.mean(draws == 0) - p0) <= 5 * np.sqrt(p0 * (1 - p0) / draws.size)


def test_the_python_twin_has_the_bits_of_ncg_exp():
    """The twin of ncg::exp that starts the search: within an ulp of
    numpy's exp (the same bits as C++ are checked through the modes below)."""
    x = np.linspace(-700, 0, 100001)
    assert np.max(np.abs(ncg_random.exp(x) / np.exp(x) - 1)) <= 4.5e-16


def test_every_mode_gives_the_same_bits(runtime, tmp_path):
    prefs.codegen.target = "numpy"
    try:
        numpy_target = _model()
    finally:
        prefs.codegen.target = "cython"
    for key in runtime:
        assert np.array_equal(numpy_target[key], runtime[key]), key
    for threads in (1, 2):
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / f"p{threads}", threads=threads,
                   build_on_run=False)
        try:
            standalone = _model(neurocodegen.device.build)
        finally:
            set_device("runtime")
        for key in standalone:
            assert np.array_equal(standalone[key], runtime[key]), (threads, key)


def test_the_mean_must_be_dimensionless():
    G = NeuronGroup(2, "v : volt\nk : integer")
    with pytest.raises(DimensionMismatchError,
                       match=r"'poisson\(v\)'.*calls poisson\(\) with an argument that has units"):
        G.run_regularly("k = poisson(v)")
        Network(G).run(0.1 * ms)
