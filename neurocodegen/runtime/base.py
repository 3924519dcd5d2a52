"""What every object of a network shares: a unique name, a clock, a place in
the schedule, and the scope it was created in (see ``start_scope``)."""
import copy
import itertools
import sys
import weakref

from ..specs import SCHEDULE
from .clock import Clock, defaultclock

_live = weakref.WeakValueDictionary()   # name -> object
_creation = itertools.count()
_scope = {"id": 0, "rng_ids": itertools.count()}


def new_scope():
    _scope["id"] += 1
    _scope["rng_ids"] = itertools.count()


def current_scope():
    return _scope["id"]


def live_objects():
    """Every network object that still exists, in the order of creation."""
    return sorted(_live.values(), key=lambda o: o._creation_id)


def _unique_name(name):
    if not name.endswith("*"):
        if name in _live:
            raise ValueError(f"An object with the name '{name}' already exists.")
        return name
    stem = name[:-1]
    if stem not in _live:
        return stem
    for k in itertools.count(1):
        if f"{stem}_{k}" not in _live:
            return f"{stem}_{k}"


def assigned_values(owner, name, value, dim, size, check_units=True, evaluated=False,
                    noun="values"):
    """``value`` as the array assigned to ``owner.name`` (``size`` of them):
    its unit checked against ``dim`` (unless ``evaluated`` from a string,
    already checked, or ``check_units`` is False: ``G.v_ = ...``; a plain zero
    has every unit, as in Brian), one value or ``size`` values."""
    import numpy as np
    if not evaluated and check_units:
        check_assigned_unit(owner, name, value, dim)
    result = np.asarray(value)
    if result.ndim > 1 or (result.ndim == 1 and result.shape[0] not in (1, size)):
        raise ValueError(f"Cannot set {owner}.{name} ({size} {noun}) from an array of "
                         f"shape {result.shape}.")
    return result


def check_assigned_unit(owner, name, value, dim):
    """Raise DimensionMismatchError unless ``value`` has dimension ``dim`` or
    is a plain zero (which has every unit, as in Brian)."""
    from ..errors import DimensionMismatchError
    from ..units import format_dimension, get_dimensions
    from ..units.quantity import _is_plain_zero
    got = get_dimensions(value)
    if got is not dim and not _is_plain_zero(value):
        raise DimensionMismatchError(
            f"Cannot set {owner}.{name} (unit {format_dimension(dim)}) to {value!r} "
            f"(unit {format_dimension(got)}).", dim, got)


def split_plain(name, names):
    """Brian's ``v_`` for the values of ``v`` without their unit: ``(key,
    plain)`` with ``key`` the variable's name when ``name`` is ``key + '_'``
    and ``key`` is in ``names``, else ``(name, False)``."""
    plain = name.endswith("_") and name[:-1] in names
    return (name[:-1] if plain else name), plain


class NetworkObject:
    """Base class of groups and monitors, and the protocol every object of a
    network follows:

    - ``before_run(namespace)``: resolve names and check units;
    - ``spec(period)``: the frozen spec that lowering turns into kernels
      (``neurocodegen/specs.py``, ``neurocodegen/lowering/``);
    - ``array(name)`` and ``constant(name)``: the numpy array and the value
      that generated code refers to as ``(object name, name)``;
    - ``after_run(start, end)``: the times a run covered;
    - ``_stored_attributes``: the attributes ``Network.store`` copies;
    - ``dependencies()``: the objects it needs in the same network;
    - ``contained_objects``: the objects that join a network with it.
    """

    def __init__(self, name, dt=None, clock=None, when="start", order=0):
        if not isinstance(name, str) or not name.rstrip("*").replace("_", "a").isalnum() \
                or not name[0].isalpha():
            raise ValueError(f"Invalid object name {name!r}: use letters, digits and '_', "
                             "starting with a letter.")
        if dt is not None and clock is not None:
            raise ValueError("Give either dt or clock, not both.")
        if when not in SCHEDULE:
            raise ValueError(f"Unknown schedule slot {when!r}; use one of "
                             f"{', '.join(SCHEDULE)}.")
        self.name = _unique_name(name)
        _live[self.name] = self
        self.clock = clock if clock is not None else (
            Clock(dt, name=f"{self.name}_clock") if dt is not None else defaultclock)
        self.when = when
        self.order = order
        self._creation_id = next(_creation)
        self._scope = current_scope()
        self._rng_id = next(_scope["rng_ids"])
        self.active = True
        frame = sys._getframe(2)
        self._created_at = f"{frame.f_code.co_filename}:{frame.f_lineno}"

    def dependencies(self):
        """Other objects this one needs in the same network."""
        return ()

    @property
    def contained_objects(self):
        """Objects that belong to this one and join every network it joins
        (the operations of ``G.run_regularly``), as in Brian."""
        return tuple(getattr(self, "_contained", ()))

    def before_run(self, namespace):
        """Resolve external names and check units (nothing to do by default)."""

    #: the attributes that hold what a run changes, copied by ``store()``
    _stored_attributes = ()

    def _store_state(self):
        return {name: copy.deepcopy(getattr(self, name)) for name in self._stored_attributes}

    def _restore_state(self, state):
        for name, value in state.items():
            setattr(self, name, copy.deepcopy(value))   # the stored copy stays intact

    def after_run(self, start, end):
        """The run covered the times [start, end) (seconds; in standalone
        mode, the run recorded). Nothing to do by default."""

    def spec(self, period):
        raise NotImplementedError(f"{type(self).__name__} has no spec")

    def array(self, name):
        raise KeyError(f"{self!r} has no array {name!r}")

    def array_names(self):
        """The names :meth:`array` knows: those of the arrays it holds."""
        return list(getattr(self, "_arrays", ()))

    def constant(self, name):
        if name == "dt":
            return self.clock.dt_
        raise KeyError(f"{self!r} has no constant {name!r}")

    def wrap_error(self, exc):
        """``exc`` (raised while lowering this object) with its context added."""
        return exc

    def schedule_key(self):
        """Where the object runs in a step: its slot, its ``order``, then
        (as Brian breaks ties) its name."""
        return (SCHEDULE.index(self.when), self.order, self.name)

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"
