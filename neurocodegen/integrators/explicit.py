"""Explicit schemes written in Brian2's notation and interpreted generically.

A scheme is a few lines ``name = expression`` ending in ``x_new = ...``. In
the expressions, ``x`` is the state (of each variable in turn), ``t`` and
``dt`` time and time step, ``f(y, s)`` the deterministic right-hand side
evaluated with the state replaced by ``y`` and time by ``s``, ``g(y, s)`` the
noise factor and ``dW`` the Wiener increment (``sqrt(dt)*xi``).

Several noise sources: every term of a line's top-level sum that contains
``dW`` is summed over the noise sources, with ``g`` and ``dW`` taken for the
same source. A line that uses ``g`` outside of a ``dW`` term (such as
Milstein's supporting value) is computed once per noise source and may only
be used inside ``dW`` terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sympy
from sympy.core.function import AppliedUndef
from sympy.parsing.sympy_parser import parse_expr

from neurocodegen.integrators.base import ODESystem, StateUpdate, dt, finish, real_symbol, t

_F, _G = sympy.Function("f"), sympy.Function("g")
_X, _T, _DT, _DW = sympy.symbols("x t dt dW")
_STOCHASTIC = (None, "additive", "multiplicative")


def _parse(description: str) -> list[tuple[str, sympy.Expr]]:
    lines = []
    for raw in description.replace(";", "\n").splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        name, sep, expr = line.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ValueError(f"Expected 'name = expression', got {line!r}.")
        local = {"f": _F, "g": _G, "x": _X, "t": _T, "dt": _DT, "dW": _DW}
        local.update({n: sympy.Symbol(n) for n, _ in lines})
        lines.append((name, parse_expr(expr, local_dict=local)))
    if not lines or lines[-1][0] != "x_new":
        raise ValueError("The last line of a scheme must define 'x_new'.")
    return lines


@dataclass(frozen=True)
class ExplicitScheme:
    """An explicit scheme given by its ``description`` (see module docstring).

    ``stochastic`` is None (deterministic equations only), ``'additive'`` or
    ``'multiplicative'``; ``check`` is an optional further applicability test
    returning a reason to refuse, or None.
    """

    name: str
    description: str
    stochastic: str | None = None
    check: Callable[[ODESystem], str | None] | None = None
    lines: tuple = field(init=False, repr=False, compare=False)
    kinds: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.stochastic not in _STOCHASTIC:
            raise ValueError(f"stochastic must be one of {_STOCHASTIC}.")
        lines = _parse(self.description)
        kinds: dict[str, str] = {}  # 'plain' | 'noise' (one per noise source)
        for name, expr in lines:
            noise_temps = {s for s in expr.free_symbols if kinds.get(s.name) == "noise"}
            if expr.has(_DW) or not (expr.has(_G) or noise_temps):
                kind = "plain"
                for term in sympy.Add.make_args(expr):
                    if not term.has(_DW) and (term.has(_G) or term.free_symbols & noise_temps):
                        raise ValueError(
                            f"In {name} = {expr}, the term {term} uses g outside of a dW term.")
            else:
                kind = "noise"
            if (expr.has(_DW) or expr.has(_G)) and self.stochastic is None:
                raise ValueError("A deterministic scheme cannot use dW or g.")
            kinds[name] = kind
        object.__setattr__(self, "lines", tuple(lines))
        object.__setattr__(self, "kinds", kinds)

    # -- applicability --------------------------------------------------------
    def can_integrate(self, system: ODESystem) -> tuple[bool, str]:
        if system.is_stochastic and self.stochastic is None:
            x = next(iter(system.noise))
            xi = next(iter(system.noise[x]))
            return False, (
                f"Method {self.name!r} cannot integrate stochastic equations "
                f"(noise {xi!r} in the equation for {x!r}); use 'euler' for "
                f"additive noise or 'heun'/'milstein'.")
        if self.stochastic == "additive":
            found = system.multiplicative_noise()
            if found:
                x, dep = found
                return False, (
                    f"Method {self.name!r} only integrates additive noise, but the "
                    f"noise factor in the equation for {x!r} depends on {dep!r} "
                    f"(multiplicative noise); use 'heun' or 'milstein'.")
        if self.check is not None:
            reason = self.check(system)
            if reason:
                return False, reason
        return True, ""

    # -- interpretation -------------------------------------------------------
    def _temp(self, name: str, var: str, xi: str | None) -> sympy.Symbol:
        if self.kinds[name] == "noise":
            return real_symbol(f"_{name}_{var}_{xi}")
        return real_symbol(f"_{name}_{var}")

    def _eval(self, expr, system: ODESystem, var: str, xi: str | None):
        """``expr`` of the scheme for variable ``var`` (and noise source ``xi``)."""
        if expr == _X:
            return real_symbol(var)
        if expr == _T:
            return t
        if expr == _DT:
            return dt
        if expr == _DW:
            return sympy.sqrt(dt) * real_symbol(xi)
        if isinstance(expr, sympy.Symbol):
            if expr.name in self.kinds:
                return self._temp(expr.name, var, xi)
            return expr
        if isinstance(expr, AppliedUndef):
            state, time = expr.args
            subs = {real_symbol(u): self._eval(state, system, u, xi) for u in system.variables}
            subs[t] = self._eval(time, system, var, xi)
            base = system.rhs[var] if expr.func == _F else system.g(var, xi)
            return base.xreplace(subs)
        if expr.args:
            return expr.func(*(self._eval(a, system, var, xi) for a in expr.args))
        return expr

    def _line(self, expr, system: ODESystem, var: str):
        terms = sympy.Add.make_args(expr)
        plain = [self._eval(a, system, var, None) for a in terms if not a.has(_DW)]
        noisy = [self._eval(a, system, var, xi) for a in terms if a.has(_DW)
                 for xi in system.noise_names]
        return sympy.Add(*plain, *noisy)

    def update(self, system: ODESystem) -> StateUpdate:
        temporaries = []
        for name, expr in self.lines[:-1]:
            for var in system.variables:
                if self.kinds[name] == "noise":
                    for xi in system.noise_names:
                        temporaries.append((f"_{name}_{var}_{xi}",
                                            self._eval(expr, system, var, xi)))
                else:
                    temporaries.append((f"_{name}_{var}", self._line(expr, system, var)))
        final = self.lines[-1][1]
        new = {var: self._line(final, system, var) for var in system.variables}
        return finish(self.name, system, temporaries, new)


def _milstein_check(system: ODESystem) -> str | None:
    """Refuse interacting noise sources (non-zero cross terms L^j g^k)."""
    names = system.noise_names
    for x in system.variables:
        for k in names:
            gk = system.g(x, k)
            for u in system.variables:
                dgk = sympy.diff(gk, real_symbol(u))
                if dgk == 0:
                    continue
                for j in names:
                    if j != k and sympy.expand(system.g(u, j) * dgk) != 0:
                        return (
                            f"Method 'milstein' supports several noise sources only "
                            f"when they do not interact, but the noise factor of {k!r} "
                            f"in the equation for {x!r} depends on {u!r}, which "
                            f"receives noise {j!r}; use 'heun'.")
    return None


euler = ExplicitScheme("euler", "x_new = x + dt*f(x,t) + dW*g(x,t)", stochastic="additive")

rk2 = ExplicitScheme("rk2", """
    k = dt*f(x, t)
    x_new = x + dt*f(x + k/2, t + dt/2)
""")

rk4 = ExplicitScheme("rk4", """
    k1 = dt*f(x, t)
    k2 = dt*f(x + k1/2, t + dt/2)
    k3 = dt*f(x + k2/2, t + dt/2)
    k4 = dt*f(x + k3, t + dt)
    x_new = x + (k1 + 2*k2 + 2*k3 + k4)/6
""")

#: Stochastic Heun (Stratonovich): predictor, then trapezoidal corrector.
#: Stochastic Heun (Stratonovich) exactly as Brian2 defines it: an Euler step
#: for the drift, the Heun average for the noise. (For deterministic equations
#: this is Euler's method, as in Brian2; use 'rk2' for a second-order step.)
heun = ExplicitScheme("heun", """
    xbar = x + dW*g(x, t)
    x_new = x + dt*f(x, t) + dW/2*(g(x, t) + g(xbar, t + dt))
""", stochastic="multiplicative")

#: Derivative-free Milstein for Stratonovich equations, like Brian2's
#: 'milstein' (and 'heun'), so that a Brian script gets Brian's solution:
#: x + f dt + g dW + g g'/2 dW**2, with g g' by a central difference. (Brian2's
#: one-sided difference from x + f dt + g sqrt(dt) leaves an O(sqrt(dt)) bias,
#: strong order 1/2; the central difference keeps strong order 1.)
milstein = ExplicitScheme("milstein", """
    xp = x + sqrt(dt)*g(x, t)
    xm = x - sqrt(dt)*g(x, t)
    x_new = x + dt*f(x, t) + dW*g(x, t) + (g(xp, t) - g(xm, t))*dW**2/(4*sqrt(dt))
""", stochastic="multiplicative", check=_milstein_check)

SCHEMES = (euler, rk2, rk4, heun, milstein)
