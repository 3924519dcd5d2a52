"""What generated numpy code calls besides numpy: the functions of model
strings that numpy lacks, and the counter-based random numbers (the Python
twin of the C++ generator, so that draws are the same numbers)."""
import numpy

from ...runtime import random as _random


def timestep(t, dt):
    """Brian's timestep(): the integer time step of a time, robust to rounding."""
    return numpy.floor((t + 1e-3 * dt) / dt)


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
