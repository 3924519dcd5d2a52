"""The argument table of a generated run loop, shared by the backends. No
sympy here: a warm run uses only this."""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Layout:
    """The argument table of one generated run loop: which array each pointer
    is and which value each constant slot holds. Slots hold references, not
    values: ``(object name, array name)`` for an array, with its C++ type and
    its role (see :class:`neurocodegen.ir.Array`), and ``(object name,
    constant name)`` for a constant. The table is stored with the source (see
    :mod:`neurocodegen.jit.cache`), and :meth:`bind` turns it into arrays and
    values at every run, so a warm run needs neither sympy nor the code
    generator."""

    array_refs: list = field(default_factory=list)    # (name, type, ref, role) per slot
    constant_refs: list = field(default_factory=list)  # ref per slot

    def array(self, cname, ref, ctype, role="state"):
        """Declare the array ``ref`` as the pointer ``cname`` (once)."""
        if all(cname != c for c, _, _, _ in self.array_refs):
            self.array_refs.append((cname, ctype, tuple(ref), role))
        return cname

    def constant(self, ref):
        """The slot of constant ``ref`` (a new one for each call)."""
        self.constant_refs.append(tuple(ref))
        return len(self.constant_refs) - 1

    def bind(self, array, constant):
        """(arrays, constants) for this run: ``array(ref)`` and
        ``constant(ref)`` give each value."""
        return [array(ref) for _, _, ref, _ in self.array_refs], self.bind_constants(constant)

    def bind_constants(self, constant):
        """The constants alone (float64 array), as :meth:`bind` gives them."""
        return np.array([constant(ref) for ref in self.constant_refs], dtype=np.float64)

    def to_json(self):
        return {"arrays": [[c, t, list(r), role] for c, t, r, role in self.array_refs],
                "constants": [list(r) for r in self.constant_refs]}

    @classmethod
    def from_json(cls, data):
        return cls([(c, t, tuple(r), role) for c, t, r, role in data["arrays"]],
                   [tuple(r) for r in data["constants"]])
