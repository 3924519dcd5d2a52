"""What generated numpy code calls besides numpy: the functions of model
strings that numpy lacks, and the counter-based random numbers (the Python
twin of the C++ generator, so that draws are the same numbers)."""
import numpy

from ...runtime import random as _random


def timestep(t, dt):
    """Brian's timestep(): the integer time step of a time, robust to rounding
    (truncated toward zero, as Brian's, also for negative times)."""
    return numpy.trunc((t + 1e-3 * dt) / dt)


def exprel(x):
    """(exp(x) - 1)/x, and 1 at 0."""
    x = numpy.asarray(x, dtype=numpy.float64)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        return numpy.where(x == 0.0, 1.0, numpy.expm1(x) / numpy.where(x == 0.0, 1.0, x))


def clip(x, low, high):
    return numpy.minimum(numpy.maximum(x, low), high)


def int_(x):
    """Python's int(): truncation toward zero, as a float."""
    return numpy.trunc(x)


def uniform(seed, index, step, stream):
    return _random.rand_at(seed, index, step, stream)


def normal(seed, index, step, stream):
    return _random.randn_at(seed, index, step, stream)


def poisson(seed, index, step, stream, lam):
    return _random.poisson_at(seed, index, step, stream, lam)


def binomial(seed, index, step, stream, n, P, q, qn, bound, reverse):
    return _random.binomial_at(seed, index, step, stream, n, P, q, qn, bound, reverse)


def ranges(starts, ends):
    """The concatenation of ``arange(starts[k], ends[k])`` over k, in order."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return numpy.zeros(0, dtype=numpy.int64)
    first = numpy.repeat(starts - numpy.cumsum(lengths) + lengths, lengths)
    return first + numpy.arange(total)


def rounds(indices, keys):
    """``indices`` split into rounds, in order, such that within a round no
    value of any of ``keys`` (arrays beside ``indices``) repeats: the k-th
    time a key's value appears goes to round k (or later)."""
    if not keys or indices.size == 0:
        return [indices]
    rank = numpy.zeros(indices.size, dtype=numpy.int64)
    for key in keys:
        order = numpy.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = numpy.r_[True, sorted_key[1:] != sorted_key[:-1]]
        group_start = numpy.maximum.accumulate(numpy.where(starts, numpy.arange(key.size), 0))
        occurrence = numpy.empty(key.size, dtype=numpy.int64)
        occurrence[order] = numpy.arange(key.size) - group_start
        rank = numpy.maximum(rank, occurrence)
    return [indices[rank == r] for r in range(int(rank.max()) + 1)]
