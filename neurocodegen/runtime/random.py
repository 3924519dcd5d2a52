"""The Python twin of the compiled random number generator.

Philox-4x32-10 evaluated with numpy on whole arrays of counters; bit-for-bit
the same as ``templates/cpp/ncg_support.hpp``. Used for string assignments
such as ``G.v = 'rand()'``, which are evaluated in Python without compiling.

A draw is identified by (seed, index, step, tag): ``index`` is the neuron,
``step`` a time step or event number, ``tag`` names the stream (which kernel,
which ``rand()`` call). See :mod:`neurocodegen.runtime.streams` for the tags.
"""
import numpy as np

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = 0x9E3779B9
_W1 = 0xBB67AE85
_MASK = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)


def philox(seed, index, step, tag):
    """Four arrays of uint32 words for counters (index, step, tag) under ``seed``."""
    index = np.asarray(index, dtype=np.uint64)
    step = int(step)
    c0 = index & _MASK
    c1 = np.full_like(c0, step & 0xFFFFFFFF)
    c2 = np.full_like(c0, (step >> 32) & 0xFFFFFFFF)
    c3 = np.full_like(c0, tag & 0xFFFFFFFF)
    k0, k1 = seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF
    for _ in range(10):
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = ((p1 >> _SHIFT) ^ c1 ^ np.uint64(k0), p1 & _MASK,
                          (p0 >> _SHIFT) ^ c3 ^ np.uint64(k1), p0 & _MASK)
        k0 = (k0 + _W0) & 0xFFFFFFFF
        k1 = (k1 + _W1) & 0xFFFFFFFF
    return c0, c1, c2, c3


def _uniform(hi, lo):
    bits = (hi << np.uint64(21)) ^ (lo >> np.uint64(11))
    return (bits.astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


def rand(seed, n, step, tag):
    """``n`` uniform numbers in (0, 1), one per index 0..n-1."""
    w = philox(seed, np.arange(n, dtype=np.uint64), step, tag)
    return _uniform(w[0], w[1])


def randn(seed, n, step, tag):
    """``n`` standard normal numbers, one per index 0..n-1."""
    w = philox(seed, np.arange(n, dtype=np.uint64), step, tag)
    u1, u2 = _uniform(w[0], w[1]), _uniform(w[2], w[3])
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(6.283185307179586 * u2)
