"""TimedArray: values given at regular times, usable as a function of ``t``
(``ta(t)``) or of ``t`` and a neuron index (``ta(t, i)``) in every model
string, compiled as a table lookup."""
import math

import numpy as np

from ..units import Quantity, format_dimension, get_dimensions
from ..units.dimensions import DIMENSIONLESS, TIME
from .clock import check_time, defaultclock

#: How far from a whole number a ratio of time steps may be (relative).
_TOLERANCE = 1e-9


class TimedArray:
    """``TimedArray(values, dt)``: ``values[k]`` (a quantity or plain numbers,
    1-D) or ``values[k, i]`` (2-D: one column per neuron) holds for
    ``k*dt <= t < (k+1)*dt``; before the first step the first value, after
    the last step the last one, as in Brian. Call it in model strings,
    ``'I = ta(t) : amp'`` or ``'I = ta(t, i) : amp'``, or in Python with a
    time (``ta(3*ms)``)."""

    #: model strings may call it (see ``model.unitcheck``)
    is_model_function = True

    def __init__(self, values, dt, name="timedarray"):
        self.name = name
        self.dim = get_dimensions(values)
        array = np.asarray(values, dtype=np.float64)
        if array.ndim not in (1, 2) or array.size == 0:
            raise ValueError(f"TimedArray {name!r}: the values must be a non-empty 1-D array "
                             f"(one value per step) or 2-D array (steps x neurons), got "
                             f"shape {array.shape}.")
        bad = np.argwhere(~np.isfinite(array))
        if bad.size:
            where = tuple(int(k) for k in bad[0])
            raise ValueError(f"TimedArray {name!r}: the values must be finite, but the value "
                             f"at index {where if len(where) > 1 else where[0]} is "
                             f"{array[where]}.")
        self.dt_ = check_time(dt, f"The dt of TimedArray {name!r}")
        if not self.dt_ > 0 or math.isinf(self.dt_):
            raise ValueError(f"The dt of TimedArray {name!r} must be positive and finite, "
                             f"got {dt!r}.")
        self.values = array
        self.arg_dims = (TIME,) if array.ndim == 1 else (TIME, DIMENSIONLESS)

    @property
    def dt(self):
        return Quantity(self.dt_, dim=TIME)

    def describe_args(self):
        """What it takes, for messages."""
        return "a time, ta(t)" if self.values.ndim == 1 else \
            "a time and a neuron index, ta(t, i)"

    # -- the lookup, as Brian does it ---------------------------------------------------
    def run_constants(self, group_dt, group):
        """The constants of the table lookup in a group of time step
        ``group_dt``: ``K`` (Brian's upsampling factor against rounding),
        ``eps`` (dt/K), ``rows`` and ``cols``. The table's dt must be a
        multiple of the group's (or finer)."""
        ratio = self.dt_ / group_dt
        if ratio > 1 and abs(ratio - round(ratio)) > _TOLERANCE * ratio:
            raise ValueError(
                f"TimedArray {self.name!r} has dt = {self.dt_ * 1e3:g} ms, which is not a "
                f"multiple of the dt of {group!r} ({group_dt * 1e3:g} ms): its values would "
                f"not start at time steps. Give the TimedArray a dt that is a multiple of "
                f"{group_dt * 1e3:g} ms.")
        K = max(int(2 ** math.ceil(math.log2(8 / group_dt * self.dt_))), 1)
        return {"K": float(K), "eps": self.dt_ / K, "rows": float(self.values.shape[0]),
                "cols": float(self.values.shape[1] if self.values.ndim == 2 else 1)}

    def code_spec(self, group_dt, group):
        """What the generated code of a caller of time step ``group_dt``
        needs to know (checking that the dts fit): a table lookup, constant
        over the caller's step when its dt is a multiple of the step's (Brian's
        ``is_locally_constant``), so that ``exact`` integration may hold it."""
        from ..specs import TableFunction
        self.run_constants(group_dt, group)
        return TableFunction(self.values.ndim, self.dt_ >= group_dt * (1 - _TOLERANCE))

    def plain(self, group_dt):
        """A numpy function of ``t`` (and ``i``) in SI units, as compiled code
        computes it in a group of time step ``group_dt``."""
        c = self.run_constants(group_dt, "the group")

        def lookup(t, i=None):
            t = np.asarray(t, dtype=np.float64)
            step = np.clip(np.trunc((t / c["eps"] + 0.5) / c["K"]), 0, c["rows"] - 1)
            step = step.astype(np.int64)
            if self.values.ndim == 1:
                return self.values[step]
            column = np.clip(np.trunc(np.asarray(i, dtype=np.float64)), 0, c["cols"] - 1)
            return self.values[step, column.astype(np.int64)]
        return lookup

    def __call__(self, t, i=None):
        """The value at time ``t`` (a quantity), with the default clock's dt."""
        t_ = check_time(t, f"The time given to TimedArray {self.name!r}")
        if (self.values.ndim == 2) != (i is not None):
            raise TypeError(f"TimedArray {self.name!r} takes {self.describe_args()}.")
        value = self.plain(defaultclock.dt_)(t_, i)
        return value if self.dim is DIMENSIONLESS else Quantity(value, dim=self.dim)

    def __repr__(self):
        shape = "x".join(str(n) for n in self.values.shape)
        return (f"TimedArray({self.name!r}, {shape} values in {format_dimension(self.dim)}, "
                f"dt={self.dt_ * 1e3:g} ms)")


def table_array(functions, key):
    """The table of ``_table_<name>`` among ``functions`` (name -> TimedArray)."""
    return functions[key[len("_table_"):]].values.ravel()


def table_constant(functions, key, group_dt, group):
    """The value of ``_table_<name>_<what>`` (see ``TimedArray.run_constants``)."""
    name, _, what = key[len("_table_"):].rpartition("_")
    return functions[name].run_constants(group_dt, group)[what]
