"""Linked variables, as Brian's: ``I : amp (linked)`` in a group's model and
``G.I = linked_var(H, 'x', index=...)``: each neuron of ``G`` reads ``H``'s
variable ``x`` (at its own index, or at ``index[i]``) every time step; no
copy is made, and ``G`` cannot write it."""
from dataclasses import dataclass

import numpy as np

from ..errors import DimensionMismatchError
from ..model.unitcheck import describe_dimension


@dataclass(frozen=True)
class LinkedVariable:
    """What ``linked_var`` gives: the group, its variable, the index."""
    group: object
    name: str
    index: object = None


def linked_var(group_or_view, name=None, index=None):
    """Link to ``name`` of ``group_or_view`` (a group, or a view such as
    ``H.x`` without ``name``). ``index``: an integer array (one entry per
    neuron of the linking group) or the name of an integer variable of the
    linking group; without it both groups must have the same size."""
    if name is None:
        group, name = getattr(group_or_view, "group", None), getattr(group_or_view, "name", None)
        if group is None:
            raise TypeError(f"linked_var({group_or_view!r}): give a group and a variable "
                            "name, linked_var(H, 'x'), or a variable, linked_var(H.x).")
        name = name[:-1] if name.endswith("_") and name[:-1] in group.variable_table() else name
    else:
        group = group_or_view
    if name not in group.variable_table():
        raise ValueError(f"linked_var: group '{group.name}' has no stored variable '{name}' "
                         f"to link to (it has: {', '.join(sorted(group.variable_table()))}).")
    return LinkedVariable(group, name, index)


@dataclass(frozen=True)
class Link:
    """A checked link of ``variable`` of a group: the source group and its
    variable, and the index: None (the same index), the name of an integer
    variable of the linking group, or an int32 array."""
    variable: str
    source: object
    source_name: str
    index: object = None

    @property
    def index_array(self):
        """The name of the linking group's array of indices, or None."""
        if self.index is None:
            return None
        return self.index if isinstance(self.index, str) else f"_linked_{self.variable}"


def make_link(group, name, target):
    """``target`` (a :class:`LinkedVariable`) checked for ``name`` of
    ``group``: units, sizes and indices as Brian checks them."""
    if not isinstance(target, LinkedVariable):
        raise TypeError(f"'{name}' of group '{group.name}' is a linked variable: assign "
                        f"linked_var(H, 'x') (or linked_var(H.x)) to it, not {target!r}.")
    source, source_name = target.group, target.name
    eq = group.equations[name]
    dim = source._dims_and_types()[0][source_name]
    if dim is not eq.dim:
        raise DimensionMismatchError(
            f"Cannot link '{name}' of group '{group.name}' ({describe_dimension(eq.dim)}) to "
            f"'{source_name}' of group '{source.name}' ({describe_dimension(dim)}): the units "
            "differ.", eq.dim, dim)
    shared = source.variable_table()[source_name][2]
    index = target.index
    if index is None:
        if not shared and source.N != group.N:
            raise ValueError(
                f"Cannot link '{name}' of group '{group.name}' (N={group.N}) to "
                f"'{source_name}' of group '{source.name}' (N={source.N}) without an index: "
                "the sizes differ; give index=[...] (an index into "
                f"'{source.name}' for each neuron of '{group.name}').")
        return Link(name, source, source_name)
    if shared:
        raise ValueError(f"Cannot link '{name}' of group '{group.name}' to the shared "
                         f"variable '{source_name}' of group '{source.name}' with an index.")
    if isinstance(index, str):
        table = group.variable_table()
        if index not in table or table[index][1] != "integer":
            raise ValueError(f"linked_var(..., index={index!r}) for '{name}' of group "
                             f"'{group.name}': the index must be an integer variable of "
                             f"'{group.name}' or an array.")
        return Link(name, source, source_name, index)
    values = np.asarray(index)
    if values.shape != (group.N,) or values.dtype.kind not in "iu" or \
            (values.size and (values.min() < 0 or values.max() >= source.N)):
        raise IndexError(f"linked_var(..., index=...) for '{name}' of group '{group.name}' "
                         f"must hold one index of '{source.name}' (0..{source.N - 1}) for "
                         f"each of its {group.N} neurons.")
    return Link(name, source, source_name, values.astype(np.int32))
