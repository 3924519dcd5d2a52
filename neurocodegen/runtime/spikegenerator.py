"""SpikeGeneratorGroup: neurons that spike at given times."""
import math
import warnings

import numpy as np

from ..errors import DimensionMismatchError
from ..specs import SpikeGeneratorSpec
from ..units import format_dimension, get_dimensions
from ..units.dimensions import TIME
from .base import NetworkObject
from .clock import check_time
from .device import get_device
from .groups import _BUILTINS


class SpikeGeneratorGroup(NetworkObject):
    """``SpikeGeneratorGroup(N, indices, times, period=0*ms)``: neuron
    ``indices[k]`` spikes at ``times[k]``, in the time step that holds it
    (Brian's rule: ``int((t + 0.001*dt)/dt)``), repeated every ``period`` if
    given. A source of spikes for monitors and Synapses like any group.
    ``set_spikes`` gives new spikes between runs."""

    _stored_attributes = ("_spikespace", "_indices_given", "_times_given", "_period", "_steps",
                          "_indices", "_period_steps", "_dt")

    _spiking = True            # its spikes can drive Synapses

    def _has_event(self, event):
        return event == "spike"

    def __init__(self, N, indices, times, dt=None, clock=None, period=None,
                 when="thresholds", order=0, sorted=False, name="spikegeneratorgroup*"):
        if isinstance(N, (bool, np.bool_)) or not isinstance(N, (int, np.integer)) or N < 1:
            raise TypeError(f"SpikeGeneratorGroup: N must be an integer of at least 1, "
                            f"got {N!r}.")
        super().__init__(name, dt=dt, clock=clock, when=when, order=order)
        self.N = int(N)
        self._arrays = {}              # no state variables (as a group: none to set)
        self._dirty, self._pending = set(), None
        self._spikespace = np.zeros(self.N + 1, dtype=np.int32)
        # a standalone program holds every table its runs use, one after the
        # other; each run reads its own (the run constants _event_offset, _nevents)
        self._used_steps = np.zeros(0, dtype=np.int64)
        self._used_indices = np.zeros(0, dtype=np.int32)
        self._in_use = False       # the current table is used by a recorded run
        self.set_spikes(indices, times, period, sorted)

    def set_spikes(self, indices, times, period=None, sorted=False):
        """New spikes (and period) for the next run. Spikes before the time
        the group has reached are never emitted."""
        times_ = _times(times, self.name)
        indices = np.asarray(indices)
        if indices.ndim != 1 and indices.size != 1 or indices.size != times_.size:
            raise ValueError(f"SpikeGeneratorGroup '{self.name}': {indices.size} indices "
                             f"but {times_.size} times; give one index per spike time.")
        indices = indices.ravel()
        if indices.size and (indices.dtype.kind not in "iu" and
                             not np.all(indices == np.round(indices))):
            raise TypeError(f"SpikeGeneratorGroup '{self.name}': indices must be integers.")
        indices = indices.astype(np.int64)
        if indices.size and (indices.min() < 0 or indices.max() >= self.N):
            bad = indices[(indices < 0) | (indices >= self.N)][0]
            raise ValueError(f"SpikeGeneratorGroup '{self.name}': index {bad} is out of "
                             f"range; indices must lie in [0, {self.N}).")
        if times_.size and (not np.all(np.isfinite(times_)) or times_.min() < 0):
            bad = times_[~(np.isfinite(times_) & (times_ >= 0))][0]
            raise ValueError(f"SpikeGeneratorGroup '{self.name}': spike times must be finite "
                             f"and not negative, got {bad * 1e3:g} ms.")
        period_ = 0.0 if period is None else check_time(period, f"The period of '{self.name}'")
        if period_ < 0 or math.isinf(period_):
            raise ValueError(f"The period of '{self.name}' must be finite and not negative, "
                             f"got {period!r}.")
        if self._in_use:           # keep the table of the runs recorded before
            self._used_steps = np.concatenate([self._used_steps, self._steps])
            self._used_indices = np.concatenate([self._used_indices, self._indices])
            self._in_use = False
        self._indices_given, self._times_given, self._period = indices, times_, period_
        self._prepare()

    def _prepare(self):
        """The table of events for the group's dt: steps sorted, indices
        ascending within a step; checks that need the dt."""
        dt = self.clock.dt_
        steps = ((self._times_given + 1e-3 * dt) / dt).astype(np.int64)   # Brian's binning
        order = np.lexsort((self._indices_given, steps))
        steps, indices = steps[order], self._indices_given[order]
        twice = (np.diff(steps) == 0) & (np.diff(indices) == 0)
        if twice.any():
            k = int(np.flatnonzero(twice)[0])
            raise ValueError(
                f"SpikeGeneratorGroup '{self.name}': neuron {indices[k]} spikes twice in the "
                f"time step at {steps[k] * dt * 1e3:g} ms (dt = {dt * 1e3:g} ms); a neuron "
                f"spikes at most once per step.")
        period_steps = 0
        if self._period:
            period_steps = int(round(self._period / dt))
            if abs(period_steps * dt - self._period) > 1e-9 * self._period or period_steps < 1:
                raise ValueError(f"The period of '{self.name}' ({self._period * 1e3:g} ms) "
                                 f"must be a multiple of its dt ({dt * 1e3:g} ms).")
            if steps.size and steps[-1] >= period_steps:
                raise ValueError(f"The period of '{self.name}' ({self._period * 1e3:g} ms) "
                                 f"must be longer than its last spike time "
                                 f"({self._times_given.max() * 1e3:g} ms).")
        self._steps, self._indices = steps, indices.astype(np.int32)
        self._period_steps, self._dt = period_steps, dt

    # -- the protocol of simulation objects -------------------------------------------------
    def before_run(self, namespace):
        if self.clock.dt_ != self._dt:
            self._prepare()
        now = int(round(self.clock.t_ / self.clock.dt_))
        if not self._period_steps and self._steps.size and self._steps[0] < now:
            missed = int(np.sum(self._steps < now))
            warnings.warn(f"SpikeGeneratorGroup '{self.name}': {missed} spike(s) are "
                          f"earlier than the start of this run (t = {self.clock.t_ * 1e3:g} "
                          f"ms) and are not emitted.", UserWarning, stacklevel=4)
        if get_device().standalone:
            self._in_use = True

    def spec(self, period):
        return SpikeGeneratorSpec(name=self.name, N=self.N, period=period, when=self.when,
                                  order=self.order)

    def array(self, name):
        if name == "_spikespace":
            return self._spikespace
        if name == "_steps":
            return np.concatenate([self._used_steps, self._steps])
        return np.concatenate([self._used_indices, self._indices])

    def constant(self, name):
        return {"dt": self.clock.dt_, "N": self.N, "_period_steps": self._period_steps,
                "_event_offset": self._used_steps.size, "_nevents": self._steps.size}[name]

    # -- what monitors and Synapses ask of a group --------------------------------------------
    def variable_table(self):
        return {}

    def _dims_and_types(self):
        return ({n: d for n, (d, _) in _BUILTINS.items()},
                {n: t for n, (_, t) in _BUILTINS.items()})

    @property
    def i(self):
        return np.arange(self.N)

    @property
    def t(self):
        return self.clock.t

    def __len__(self):
        return self.N

    def __repr__(self):
        return f"SpikeGeneratorGroup({self.N}, name={self.name!r})"


def _times(times, name):
    """Spike times in seconds (a flat float array), or a clear error."""
    dim = get_dimensions(times)
    if dim is not TIME:
        raise DimensionMismatchError(
            f"The spike times of SpikeGeneratorGroup '{name}' must be times (e.g. "
            f"[1, 2]*ms), got values with unit {format_dimension(dim)}.", dim, TIME)
    return np.asarray(times, dtype=np.float64).ravel()
