"""PopulationRateMonitor: the fraction of a group that spikes in each time
step, as a rate, and its smoothing."""
import logging

import numpy as np

from ..specs import Column, PopulationRateMonitorSpec, Recording
from ..units import Quantity
from ..units.dimensions import TIME
from .base import NetworkObject
from .clock import check_time
from .subgroup import whole

logger = logging.getLogger("neurocodegen.monitors")


class PopulationRateMonitor(NetworkObject):
    """``PopulationRateMonitor(group)``: ``t`` (every time step of the runs)
    and ``rate``, the number of neurons that spiked in the step divided by
    ``N*dt`` (Hz), recorded at the end of each step, as in Brian.
    ``smooth_rate(window, width)`` smooths it."""

    _stored_attributes = ("_t", "_count", "_fill", "_steps")

    def __init__(self, source, name="ratemonitor*"):
        if not getattr(source, "_spiking", False):
            raise ValueError(f"PopulationRateMonitor needs a group with a threshold; "
                             f"{source!r} has none.")
        super().__init__(name, clock=source.clock, when="end", order=0)
        self.source = source
        self._group, self._first = whole(source)              # a subgroup's group
        capacity = 256
        self._t = np.zeros(capacity, dtype=np.float64)
        self._count = np.zeros(capacity, dtype=np.int32)
        self._fill = np.array([0, capacity], dtype=np.int64)
        self._steps = []          # (first, end) time step of each run, of its clock
        self._pending = None      # why data cannot be read now (standalone), or None

    def dependencies(self):
        return (self._group,)

    def recording(self):
        """For the standalone program: a row (time, spikes) for each thread
        and step in which its neurons spiked."""
        return Recording("events", self._group.N,
                         (Column("t", "t", TIME, time=True), Column("count", "count")))

    def spec(self, period):
        return PopulationRateMonitorSpec(name=self.name, source=self._group.name,
                                         source_N=self._group.N, first=self._first,
                                         size=self.source.N, period=period,
                                         when=self.when, order=self.order)

    def after_run(self, start, end):
        dt = self.clock.dt_
        first, last = int(round(start / dt)), int(round(end / dt))
        if last > first:
            self._steps.append((first, last))

    def array(self, name):
        return {"t": self._t, "count": self._count, "fill": self._fill}[name]

    def set_array(self, name, values):
        setattr(self, "_" + name, values)

    def _load_results(self, columns):
        self._t, self._count = columns["t"], columns["count"]
        self._fill = np.array([len(self._t), len(self._t)], dtype=np.int64)

    # -- what it recorded ------------------------------------------------------------------
    def _check_available(self):
        if self._pending:
            raise NotImplementedError(self._pending.format(what=f"The data of {self.name}"))

    @property
    def t_(self):
        self._check_available()
        dt = self.clock.dt_
        steps = [np.arange(a, b) for a, b in self._steps]
        return np.concatenate(steps) * dt if steps else np.zeros(0)

    @property
    def t(self):
        return Quantity(self.t_, dim=TIME)

    @property
    def rate_(self):
        """Spikes in each step over N*dt, in Hz (plain numbers)."""
        t = self.t_
        dt = self.clock.dt_
        rows = int(self._fill[0])
        spikes = np.zeros(len(t))
        if rows:
            # the row of each recorded step (steps are whole numbers of dt)
            where = np.searchsorted(np.round(t / dt), np.round(self._t[:rows] / dt))
            np.add.at(spikes, where, self._count[:rows])
        return spikes / (self.source.N * dt)

    @property
    def rate(self):
        return Quantity(self.rate_, dim=TIME ** -1)

    def smooth_rate(self, window="gaussian", width=None):
        """The rate smoothed by ``window``: ``'gaussian'`` (``width`` its
        standard deviation), ``'flat'`` (``width`` rounded to an odd number
        of steps) or an array of an odd number of weights; as Brian's."""
        return Quantity(smooth(self.rate_, self.clock.dt_, window, width), dim=TIME ** -1)

    def binned_rate(self, bin_size):
        """``(bins, rates)``: the start of each whole bin of ``bin_size`` (a
        multiple of dt) from the first recorded step, and the mean rate in
        it, as Brian 2.10's."""
        t, rate = self.t_, self.rate_
        steps = bin_steps(bin_size, self.clock.dt_)
        n = len(rate) // steps
        binned = rate[:n * steps].reshape(n, steps).mean(axis=1)
        start = t[0] if len(t) else 0.0
        return (Quantity(start + np.arange(n) * steps * self.clock.dt_, dim=TIME),
                Quantity(binned, dim=TIME ** -1))

    def __len__(self):
        return len(self.t_)

    def __repr__(self):
        return f"<PopulationRateMonitor {self.name!r}, recording {self.source.name!r}>"


def bin_steps(bin_size, dt):
    """Time steps in a bin of ``bin_size``, which must be a multiple of dt."""
    size = check_time(bin_size, "The bin_size")
    steps = size / dt
    if not steps >= 1 or abs(steps - round(steps)) > 1e-6:
        raise ValueError(f"The bin_size ({size * 1e3:g} ms) must be a multiple of the "
                         f"monitor's dt ({dt * 1e3:g} ms).")
    return int(round(steps))


def binned_counts(i, t, n, dt, steps, end):
    """Events per index (``n`` of them) in whole bins of ``steps`` time
    steps of ``dt`` over [0, end): an (n, bins) array."""
    bins = int(round(end / dt)) // steps
    which = np.floor(np.round(np.asarray(t) / dt) / steps).astype(np.int64)
    keep = which < bins
    counts = np.zeros((n, bins))
    np.add.at(counts, (np.asarray(i)[keep], which[keep]), 1)
    return counts


def smooth(rate, dt, window="gaussian", width=None):
    """Brian's ``smooth_rate`` on plain rates of steps of ``dt`` seconds."""
    if width is None and isinstance(window, str):
        raise TypeError("smooth_rate needs a width with a predefined window "
                        "(e.g. width=5*ms).")
    if width is not None and not isinstance(window, str):
        raise TypeError("smooth_rate takes a width only with a predefined window "
                        "('gaussian' or 'flat').")
    if isinstance(window, str):
        width_ = check_time(width, "The width of smooth_rate")
        if window == "gaussian":
            half = int(np.round(2 * width_ / dt))
            weights = np.exp(-np.arange(-half, half + 1) ** 2 * 1.0 / (2 * (width_ / dt) ** 2))
        elif window == "flat":
            n = int(width_ / 2 / dt) * 2 + 1
            if abs(n * dt - width_) > 1e-6 * dt:
                logger.info("smooth_rate: width adjusted from %g ms to %g ms (an odd number "
                            "of time steps)", width_ * 1e3, n * dt * 1e3)
            weights = np.ones(n)
        else:
            raise ValueError(f"Unknown window {window!r}: use 'gaussian', 'flat' or an array "
                             "of weights.")
    else:
        weights = np.asarray(window, dtype=np.float64)
        if weights.ndim != 1 or len(weights) % 2 != 1:
            raise TypeError("The window of smooth_rate must be a 1-D array of an odd number "
                            f"of weights, got shape {weights.shape}.")
    weights = weights * 1.0 / sum(weights)
    if np.ndim(rate) == 2:                     # one row per neuron
        return np.array([np.convolve(row, weights, mode="same") for row in rate])
    return np.convolve(rate, weights, mode="same")
