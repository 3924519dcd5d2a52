"""Clocks and the random-number seed: the little global state Brian's API needs."""
import os

from ..errors import DimensionMismatchError
from ..units import Quantity, get_dimensions, ms
from ..units.dimensions import TIME



def check_time(value, what):
    """``value`` as a float in seconds, or a clear error naming ``what``."""
    dim = get_dimensions(value)
    if dim is not TIME:
        raise DimensionMismatchError(
            f"{what} must be a time (e.g. 0.1*ms), got {value!r} with unit "
            f"{dim}", dim, TIME)
    return float(value)


class Clock:
    """A time step. ``defaultclock.dt = 0.05*ms`` changes it for every object
    that does not have its own clock."""

    def __init__(self, dt=0.1 * ms, name="clock"):
        self.name = name
        self.dt = dt
        self.t_ = 0.0   # the time reached by the last run of a network using it

    @property
    def t(self):
        """The current time of this clock (set by ``run()``)."""
        return Quantity(self.t_, dim=TIME)

    @property
    def dt(self):
        return Quantity(self.dt_, dim=TIME)

    @dt.setter
    def dt(self, value):
        dt = check_time(value, "dt")
        if not dt > 0:
            raise ValueError(f"dt must be positive, got {value!r}")
        self.dt_ = dt

    def __repr__(self):
        return f"Clock(dt={self.dt!r}, name={self.name!r})"


defaultclock = Clock(name="defaultclock")


def _splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


class RandomState:
    """The user's seed and the counters that make every stream distinct.

    ``seed(n)`` makes a script reproducible: the n-th network created after it
    and the n-th string assignment draw the same numbers every time, in every
    mode and for any number of threads."""

    def __init__(self):
        self.reseed(None)

    def reseed(self, value):
        if value is None:
            value = int.from_bytes(os.urandom(8), "little")
        self.seed = int(value) & 0xFFFFFFFFFFFFFFFF
        self.networks = 0
        self.assignments = 0

    def network_key(self):
        self.networks += 1
        return _splitmix64(self.seed ^ _splitmix64(self.networks))

    def assignment_key(self):
        """(key, step) for one string assignment."""
        self.assignments += 1
        return _splitmix64(self.seed ^ 0x5EED5EED5EED5EED), self.assignments

    def assignment_draws(self, object_id, size):
        """``{"rand": f, "randn": f, "poisson": f}`` for evaluating one string assignment over
        ``size`` indices of an object: the k-th call in the string draws from
        the object's k-th assignment stream (see ``neurocodegen.streams``)."""
        from ..streams import KIND_ASSIGN, stream
        from . import random as ncg_random
        key, step = self.assignment_key()
        calls = iter(range(4096))

        def rand():
            return ncg_random.rand(key, size, step, stream(object_id, KIND_ASSIGN, next(calls)))

        def randn():
            return ncg_random.randn(key, size, step, stream(object_id, KIND_ASSIGN, next(calls)))

        def poisson(lam):
            return ncg_random.poisson_at(key, range(size), step,
                                         stream(object_id, KIND_ASSIGN, next(calls)), lam)

        return {"rand": rand, "randn": randn, "poisson": poisson}


random_state = RandomState()


def seed(value=None):
    """Seed the random numbers of compiled code and string expressions
    (``rand()``, ``randn()``, ``xi``). ``seed()`` without a value picks a new
    random seed. Also seeds numpy's global generator, as Brian does."""
    import numpy as np
    random_state.reseed(value)
    np.random.seed(None if value is None else int(value) % 2**32)
