"""The counter-based generator: known answers, and the compiled kernels
drawing exactly what the numpy twin draws."""
import numpy as np

from neurocodegen import *  # noqa: F401,F403
from neurocodegen.codegen.printers import KIND_RESET, stream_tag
from neurocodegen.runtime import random as ncg_random


def test_philox_known_answer():
    # Random123's known-answer test for Philox-4x32-10: counter 0, key 0.
    words = ncg_random.philox(0, np.array([0]), 0, 0)
    assert [int(w[0]) for w in words] == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]


def test_uniform_and_normal_statistics():
    u = ncg_random.rand(7, 200_000, 3, 1)
    n = ncg_random.randn(7, 200_000, 3, 2)
    assert 0 < u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / u.size)
    assert abs(n.mean()) < 5 / np.sqrt(n.size)
    assert abs(n.var() - 1) < 5 * np.sqrt(2 / n.size)


def test_compiled_rand_is_bit_equal_to_numpy_twin():
    seed(123)
    N = 50
    G = NeuronGroup(N, "x : 1", threshold="True", reset="x = rand()")
    net = Network(G)
    net.run(0.3 * ms)
    last_step = 2
    expected = ncg_random.rand(net._rng_key, N, last_step, stream_tag(G._rng_id, KIND_RESET, 0))
    assert np.array_equal(G.x[:], expected)


def test_same_seed_same_draws_different_seed_different():
    def draw(value):
        start_scope()
        seed(value)
        G = NeuronGroup(20, "x : 1")
        G.x = "randn()"
        return G.x[:].copy()
    assert np.array_equal(draw(1), draw(1))
    assert not np.array_equal(draw(1), draw(2))
