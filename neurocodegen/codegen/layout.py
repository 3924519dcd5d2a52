"""The argument table of a generated run loop, and where each object sits on
the base clock. No sympy here: a warm run uses only this."""
from dataclasses import dataclass, field

import numpy as np

from .render import Array


@dataclass
class Layout:
    """The argument table of one generated run loop. Slots hold references,
    not values: ``("group", 0, "v")`` for an array, ``("ext", 0, "tau")`` for a
    constant. The table is stored with the source (see :mod:`..jit.cache`),
    and :meth:`bind` turns it into arrays and values at every run, so a warm
    run needs neither sympy nor the code generator."""

    array_refs: list = field(default_factory=list)    # (cname, ctype, ref) per slot
    constant_refs: list = field(default_factory=list)  # ref per slot

    def array(self, cname, ref, ctype):
        """Declare the array ``ref`` as the pointer ``cname`` (once)."""
        if all(cname != c for c, _, _ in self.array_refs):
            self.array_refs.append((cname, ctype, ref))
        return cname

    def constant(self, ref):
        self.constant_refs.append(ref)
        return len(self.constant_refs) - 1

    @property
    def array_decls(self):
        return tuple(Array(cname, ctype) for cname, ctype, _ in self.array_refs)

    def bind(self, resolve):
        """(arrays, constants) for this run: ``resolve(ref)`` gives each value."""
        return [resolve(ref) for _, _, ref in self.array_refs], self.bind_constants(resolve)

    def bind_constants(self, resolve):
        """The constants alone (float64 array), as :meth:`bind` gives them."""
        return np.array([resolve(ref) for ref in self.constant_refs], dtype=np.float64)

    def to_json(self):
        return {"arrays": [[c, t, list(r)] for c, t, r in self.array_refs],
                "constants": [list(r) for r in self.constant_refs]}

    @classmethod
    def from_json(cls, data):
        return cls([(c, t, tuple(r)) for c, t, r in data["arrays"]],
                   [tuple(r) for r in data["constants"]])


@dataclass(frozen=True)
class ObjectClock:
    """Where an object sits on the base clock of a run."""
    period: int          # acts every `period` base steps
    dt: float            # its own dt, in seconds

    def t_expr(self, dt_cname):
        if self.period == 1:
            return f"(double)_ncg_step * {dt_cname}"
        return f"(double)(_ncg_step / {self.period}) * {dt_cname}"
