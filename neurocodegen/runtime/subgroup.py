"""Subgroups: ``G[10:50]``, a view of neurons 10..49 of a group.

A subgroup shares its neurons' state with the group (nothing is copied and
nothing runs twice); it has its own ``i`` (from 0) and ``N``, so that
assignments, string expressions, monitors (whose indices are the
subgroup's, as in Brian) and Synapses treat it as a group of its own.
"""
import sys

import numpy as np

from ..model.expressions import parse_expression
from .base import NetworkObject, assigned_values, check_assigned_unit, split_plain
from .device import VariableView


class Subgroup(NetworkObject):
    """Neurons ``start`` .. ``stop - 1`` of ``group`` (made by ``group[start:stop]``)."""

    def __init__(self, group, start, stop):
        self.group, self.start, self.stop = group, start, stop
        self.N = stop - start
        super().__init__(f"{group.name}_subgroup*", clock=group.clock, when=group.when,
                         order=group.order)
        self._initialized = True

    @classmethod
    def of(cls, group, item):
        """The subgroup ``group[item]``: a slice with step 1, or one index."""
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            item = slice(item, item + 1 if item != -1 else None)
        if not isinstance(item, slice):
            raise TypeError(f"A subgroup of '{group.name}' is taken with a slice (G[10:50]) "
                            f"or one index, not {item!r}.")
        start, stop, step = item.indices(group.N)
        if step != 1 or stop <= start:
            raise IndexError(f"{group.name}[{item.start}:{item.stop}"
                             + (f":{item.step}" if item.step is not None else "")
                             + "]: a subgroup is a non-empty contiguous range of neurons "
                             "(step 1).")
        return cls(group, start, stop)

    # -- what a network, monitors and Synapses ask of it ------------------------------------
    def dependencies(self):
        return (self.group,)

    def spec(self, period):
        return None                          # it runs nothing: its group does

    @property
    def _spiking(self):
        return self.group._spiking

    def _has_event(self, event):
        return self.group._has_event(event)

    @property
    def _pending(self):
        return self.group._pending

    @property
    def equations(self):
        return self.group.equations

    @property
    def has_refractoriness(self):
        return self.group.has_refractoriness

    def variable_table(self):
        return self.group.variable_table()

    def _dims_and_types(self):
        return self.group._dims_and_types()

    # -- state: views of the group's arrays ----------------------------------------------------
    def __getattr__(self, name):
        if name.startswith("_") or "_initialized" not in self.__dict__:
            raise AttributeError(name)
        key, _ = split_plain(name, self.group._arrays)
        if key in self.group._arrays:
            return VariableView(self, name)
        if name == "i":
            return np.arange(self.N)
        if name in ("t", "t_"):
            return getattr(self.group, name)
        key, plain = split_plain(name, self.group.equations.subexpr_names)
        if key in self.group.equations.subexpr_names:
            values = self._evaluate(self.group.equations[key].expr, sys._getframe(1),
                                    f"{self.name}.{key}")
            return np.asarray(values) if plain else values
        raise AttributeError(f"'{self.name}' has no state variable or attribute '{name}'")

    def __setattr__(self, name, value):
        if "_initialized" not in self.__dict__ or name.startswith("_") \
                or name in self.__dict__:
            return super().__setattr__(name, value)
        key, plain = split_plain(name, self.group._arrays)
        if key not in self.group._arrays:
            raise AttributeError(f"Subgroup '{self.name}' has no state variable '{name}'.")
        self._set_items(name, slice(None), value, frame=sys._getframe(1), whole=True)

    def _values(self, name):
        values = self.group._values(name)
        return values if self.group._is_shared(name) else values[self.start:self.stop]

    def _evaluate(self, expr, frame, what, expected_dim=None):
        return self.group._evaluate(expr, frame, what, expected_dim,
                                    part=(self.start, self.stop))

    def _selected(self, index, frame):
        """Indices of the subgroup (from 0) that ``index`` selects."""
        return self.group._selected(index, frame, part=(self.start, self.stop),
                                    name=self.name)

    def _get_items(self, name, index):
        if isinstance(index, slice) and index == slice(None) and self.group._is_shared(name):
            return self._values(name)[0]             # the one value, as for the group
        return self._values(name)[self._selected(index, sys._getframe(2))]

    def _set_items(self, name, index, value, frame=None, whole=False):
        """``sub.v[index] = value`` (and ``sub.v = value``): the group's
        neurons of the selected ones get the values."""
        group = self.group
        key, plain = split_plain(name, group._arrays)
        if group._pending:
            raise NotImplementedError(
                f"Cannot set {self.name}.{key} (part of {group.name}.{key}) after a run in "
                f"standalone mode: its values are only known when the program runs. Assign "
                f"the whole variable or use run_args.")
        frame = frame or sys._getframe(2)
        selected = self._selected(index, frame)
        dim = group._dims_and_types()[0][key]
        if isinstance(value, str):
            expr = parse_expression(value, f"assignment to {self.name}.{key}")
            value = self._evaluate(expr, frame, f"{self.name}.{key} = '{value}'",
                                   expected_dim=dim)
            value = np.broadcast_to(value, (self.N,))[selected]
        elif whole:
            value = assigned_values(self.name, key, value, dim, self.N, not plain)
        elif not plain:
            check_assigned_unit(self.name, key, value, dim)
        group._arrays[key][self.start + selected] = np.asarray(value)
        group._dirty.add(key)

    def __len__(self):
        return self.N

    def __repr__(self):
        return f"<Subgroup {self.name!r} of {self.group.name!r}: {self.start}..{self.stop - 1}>"


def whole(group):
    """(the group, the index of its first neuron) of a group or a subgroup."""
    if isinstance(group, Subgroup):
        return group.group, group.start
    return group, 0
