"""Data types, the scheme registry and the automatic choice of a scheme.

An integration scheme turns an :class:`ODESystem` (the differential equations
of one group, already rewritten: subexpressions substituted, refractoriness
applied, noise extracted) into a :class:`StateUpdate`: an ordered list of
assignments that the code generator prints verbatim.

A scheme is any object with ``name``, ``description``,
``can_integrate(system) -> (bool, reason)`` and ``update(system) ->
StateUpdate``; schemes are registered by name with :func:`register`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping, Protocol, Sequence

import sympy

from neurocodegen.errors import IntegrationError

logger = logging.getLogger("neurocodegen.integrators")

#: Time and time step, as they appear in expressions.
t = sympy.Symbol("t", real=True)
dt = sympy.Symbol("dt", real=True)

#: Parameters that are known to be 0 or 1 and constant over one step (the
#: refractoriness rewrite multiplies right-hand sides by ``not_refractory``).
#: Schemes that divide by coefficients solve for both values separately
#: instead of dividing by them.
BOOLEAN_PARAMETERS = ("not_refractory",)

#: Functions that draw a new random number at each call.
RANDOM_FUNCTIONS = ("rand", "randn", "poisson")


def real_symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


def _as_real(expr) -> sympy.Expr:
    """``expr`` as a sympy expression in which every symbol is real."""
    expr = sympy.sympify(expr)
    swap = {s: real_symbol(s.name) for s in expr.free_symbols
            if isinstance(s, sympy.Symbol) and s != real_symbol(s.name)}
    return expr.xreplace(swap) if swap else expr


@dataclass(frozen=True, eq=False)
class ODESystem:
    """``dx/dt = rhs[x] + sum_k noise[x][xi_k] * xi_k`` for each x in ``variables``.

    Every other symbol is a parameter or constant over one step, except ``t``.
    Symbols given without ``real=True`` are converted, so that they match the
    symbols the schemes create. ``step_constant`` names the functions whose
    value stays the same over a time step when called with ``t`` (a
    TimedArray whose dt is a multiple of the step), as Brian's
    ``is_locally_constant``.
    """

    variables: tuple[str, ...]
    rhs: Mapping[str, sympy.Expr]
    noise: Mapping[str, Mapping[str, sympy.Expr]] = field(default_factory=dict)
    step_constant: frozenset[str] = frozenset()

    def __post_init__(self):
        variables = tuple(self.variables)
        if len(set(variables)) != len(variables):
            raise IntegrationError(f"Duplicate differential variable in {variables}.")
        if set(self.rhs) != set(variables):
            raise IntegrationError(
                f"The right-hand sides are for {sorted(self.rhs)} but the "
                f"differential variables are {list(variables)}.")
        unknown = set(self.noise) - set(variables)
        if unknown:
            raise IntegrationError(
                f"Noise terms given for {sorted(unknown)}, which are not "
                f"differential variables.")
        rhs = {x: _as_real(self.rhs[x]) for x in variables}
        noise = {}
        for x in variables:
            terms = {xi: _as_real(g) for xi, g in self.noise.get(x, {}).items()}
            terms = {xi: g for xi, g in terms.items() if g != 0}
            if terms:
                noise[x] = MappingProxyType(terms)
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "rhs", MappingProxyType(rhs))
        object.__setattr__(self, "noise", MappingProxyType(noise))
        object.__setattr__(self, "step_constant", frozenset(self.step_constant))
        clash = set(self.noise_names) & (set(variables) | {"t", "dt"})
        if clash:
            raise IntegrationError(
                f"The noise name {sorted(clash)[0]!r} is also a variable name.")

    # -- views used by the schemes ------------------------------------------
    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        return tuple(real_symbol(x) for x in self.variables)

    @property
    def is_stochastic(self) -> bool:
        return bool(self.noise)

    @property
    def noise_names(self) -> tuple[str, ...]:
        """Noise symbols in order of first appearance (model order)."""
        names: list[str] = []
        for x in self.variables:
            for xi in self.noise.get(x, {}):
                if xi not in names:
                    names.append(xi)
        return tuple(names)

    def varies_within_step(self, expr: sympy.Expr) -> sympy.Expr | None:
        """The first part of ``expr`` that may change during a time step (Brian's
        ``is_constant_over_dt``): ``t`` itself, except as an argument of a
        function of :attr:`step_constant`, or a random draw; None if none."""
        if expr == t:
            return expr
        name = type(expr).__name__
        if name in RANDOM_FUNCTIONS:
            return expr
        for arg in expr.args:
            if arg == t and name in self.step_constant:
                continue
            found = self.varies_within_step(arg)
            if found is not None:
                return found
        return None

    def g(self, x: str, xi: str) -> sympy.Expr:
        return self.noise.get(x, {}).get(xi, sympy.Integer(0))

    def multiplicative_noise(self) -> tuple[str, str] | None:
        """``(variable, state variable its noise factor depends on)`` for the
        first multiplicative noise term, or None if all noise is additive."""
        states = set(self.symbols)
        for x in self.variables:
            for xi, g in self.noise.get(x, {}).items():
                dep = sorted(s.name for s in g.free_symbols & states)
                if dep:
                    return x, dep[0]
        return None

    def __str__(self):
        lines = []
        for x in self.variables:
            terms = [str(self.rhs[x])]
            terms += [f"({g})*{xi}" for xi, g in self.noise.get(x, {}).items()]
            lines.append(f"d{x}/dt = " + " + ".join(terms))
        return "\n".join(lines)


@dataclass(frozen=True)
class StateUpdate:
    """Ordered assignments computing the new state from the old one.

    Temporaries are named ``_...``. The last assignment to each variable is
    its new value and no statement reads a variable after writing it, so the
    statements can be emitted in order as plain assignments. A noise symbol
    (``xi``, ``xi_1``) stands for one standard normal number per neuron and
    step.
    """

    method: str
    statements: tuple[tuple[str, sympy.Expr], ...]

    def __str__(self):
        return "\n".join(f"{name} = {expr}" for name, expr in self.statements)


class Scheme(Protocol):
    name: str
    description: str

    def can_integrate(self, system: ODESystem) -> tuple[bool, str]: ...

    def update(self, system: ODESystem) -> StateUpdate: ...


# -- helpers shared by the schemes -------------------------------------------

def finish(method: str, system: ODESystem,
           temporaries: Sequence[tuple[str, sympy.Expr]],
           new_values: Mapping[str, sympy.Expr]) -> StateUpdate:
    """Assemble a :class:`StateUpdate` from temporaries and new values.

    Drops temporaries nobody reads, and routes a new value through a
    temporary ``_<x>_new`` when a later new value still reads the old ``x``.
    """
    order = list(system.variables)
    finals: list[tuple[str, sympy.Expr]] = []
    copies: list[tuple[str, sympy.Expr]] = []
    for i, x in enumerate(order):
        expr = new_values[x]
        sym = real_symbol(x)
        if any(sym in new_values[y].free_symbols for y in order[i + 1:]):
            tmp = f"_{x}_new"
            finals.append((tmp, expr))
            copies.append((x, real_symbol(tmp)))
        else:
            finals.append((x, expr))
    statements = list(temporaries) + finals + copies
    # dead-code elimination of temporaries, back to front
    needed: set[sympy.Symbol] = set()
    kept: list[tuple[str, sympy.Expr]] = []
    for name, expr in reversed(statements):
        if name.startswith("_") and real_symbol(name) not in needed:
            continue
        kept.append((name, expr))
        needed |= expr.free_symbols
    kept.reverse()
    names = [n for n, _ in kept if n.startswith("_")]
    given = set(order) | {s.name for x in order for s in system.rhs[x].free_symbols}
    given |= {s.name for x in system.noise for g in system.noise[x].values()
              for s in g.free_symbols}
    if set(names) & given or len(set(names)) != len(names):
        raise IntegrationError(
            f"The temporary names of method {method!r} clash with names in "
            f"the equations; rename variables that start with '_'.")
    return StateUpdate(method, tuple(kept))


def boolean_parameters(*exprs: sympy.Expr) -> list[sympy.Symbol]:
    """The 0/1 parameters (see :data:`BOOLEAN_PARAMETERS`) used in ``exprs``."""
    found = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
    return [real_symbol(n) for n in BOOLEAN_PARAMETERS if real_symbol(n) in found]


def divides_by(expr: sympy.Expr, symbol: sympy.Symbol) -> bool:
    """Whether ``expr`` contains a negative power of something with ``symbol``."""
    for node in sympy.preorder_traversal(expr):
        if (isinstance(node, sympy.Pow) and node.exp.is_negative
                and symbol in node.base.free_symbols):
            return True
    return False


def blend_boolean(solve, exprs: Sequence[sympy.Expr]) -> list[sympy.Expr]:
    """Call ``solve(substitutions)`` and return its list of expressions
    without any division by a 0/1 parameter.

    ``solve({})`` is tried first; if the result divides by ``not_refractory``
    (e.g. ``b/a`` with ``a = -not_refractory/tau``), the solution is computed
    for ``not_refractory`` = 0 and = 1 and combined as
    ``s0 + not_refractory*(s1 - s0)``, exact for a 0/1 parameter.
    """
    result = solve({})
    for flag in boolean_parameters(*exprs):
        if not any(divides_by(r, flag) for r in result):
            continue
        s0 = solve({flag: sympy.Integer(0)})
        s1 = solve({flag: sympy.Integer(1)})
        result = [a if a == b else a + flag * (b - a) for a, b in zip(s0, s1)]
        # nested flags: recurse on what is left (not expected in practice)
        if any(divides_by(r, f) for r in result for f in boolean_parameters(*exprs)):
            raise IntegrationError(
                f"Could not remove the division by {flag} from the solution.")
        break
    return result


# -- registry and entry point -------------------------------------------------

_SCHEMES: dict[str, Scheme] = {}
#: Tried in this order when no method is given (as Brian2).
AUTOMATIC_ORDER = ("exact", "euler", "heun")


def register(name: str, scheme: Scheme) -> None:
    """Make ``scheme`` available as ``integrate(system, name)``."""
    if not name.isidentifier():
        raise ValueError(f"Method names must be identifiers, got {name!r}.")
    _SCHEMES[name] = scheme


def available_methods() -> tuple[str, ...]:
    return tuple(sorted(_SCHEMES))


def get_scheme(name: str) -> Scheme:
    try:
        return _SCHEMES[name]
    except KeyError:
        raise IntegrationError(
            f"Unknown integration method {name!r}; known methods are "
            f"{', '.join(repr(m) for m in available_methods())}.") from None


def integrate(system: ODESystem, method: str | Iterable[str] | None = None) -> StateUpdate:
    """The state update for ``system`` with ``method``.

    ``method`` is a registered name, a sequence of names (the first that
    applies is used) or None for the automatic choice among
    :data:`AUTOMATIC_ORDER`, which is logged at INFO level.
    """
    if isinstance(method, str):
        scheme = get_scheme(method)
        ok, reason = scheme.can_integrate(system)
        if not ok:
            raise IntegrationError(reason)
        return scheme.update(system)

    names = AUTOMATIC_ORDER if method is None else tuple(method)
    schemes = [get_scheme(n) for n in names]
    start = time.perf_counter()
    reasons = []
    for name, scheme in zip(names, schemes):
        ok, reason = scheme.can_integrate(system)
        if ok:
            try:
                result = scheme.update(system)
            except IntegrationError as err:
                reasons.append(f"{name}: {err}")
                continue
            if method is None:
                logger.info("No integration method specified, using method %r "
                            "(took %.2f s)", name, time.perf_counter() - start)
            else:
                logger.debug("Using integration method %r (took %.2f s)",
                             name, time.perf_counter() - start)
            return result
        reasons.append(f"{name}: {reason}")
    raise IntegrationError("No integration method applies to these equations ("
                           + "; ".join(reasons) + ").")
