"""Exponential Euler for conditionally linear equations, as Brian2 does it.

Each right-hand side is split as ``dx/dt = A*x + B`` by Brian's rule: expand
it and collect the terms in ``x`` (sympy's ``collect``); the equation applies
when that leaves a term in ``x`` and a term without it, and nothing else.
(Brian also takes ``x + x**2``, a term in ``x`` and one in ``x**2``, and
drops the ``x**2``; here, as for ``x**2 + 1``, that is refused.) ``A`` and ``B`` may still depend on ``x`` inside
functions, through subexpressions (a Hodgkin-Huxley current
``gNa*m_inf(v)**3*h*(v - ENa)`` gives ``A = -gNa*m_inf(v)**3*h``): like every
other variable, they are held at their values at the start of the step, and
the equation is solved exactly over the step:
``x_new = -B/A + (x + B/A) * exp(A*dt)``. This is the standard scheme for
Hodgkin-Huxley gating variables.

When ``A`` and ``B`` do not depend on ``x`` (the equation is linear in ``x``),
they are computed from the expression as written (``A = df/dx``,
``B = f(x=0)``) rather than from its expansion: the same values with fewer
operations.
"""

from __future__ import annotations

import sympy

from neurocodegen.integrators.base import (ODESystem, StateUpdate, blend_boolean,
                                           boolean_parameters, divides_by, dt, finish,
                                           real_symbol)


def _linear_split(f: sympy.Expr, s: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr] | None:
    """``(df/dx, f(x=0))`` if ``f`` is linear in ``s`` as written, else None."""
    A = sympy.diff(f, s)
    if A.has(s) or A.has(sympy.DiracDelta):
        return None
    B = f.xreplace({s: 0})
    rest = f - A * s - B
    if B.has(sympy.nan, sympy.zoo) or (sympy.expand(rest) != 0 and sympy.cancel(rest) != 0):
        return None
    return A, B


def _split(system: ODESystem, x: str) -> tuple[sympy.Expr, sympy.Expr] | None:
    """``(A, B)`` with ``f = A*x + B`` by Brian's rule, or None if ``f`` cannot
    be written so (see the module's description)."""
    f = system.rhs[x]
    s = real_symbol(x)
    expanded = sympy.expand(f)
    if not expanded.has(s):
        return sympy.Integer(0), f
    parts = sympy.collect(expanded, s, evaluate=False)
    if s not in parts or not set(parts) <= {s, sympy.Integer(1)}:
        return None
    A, B = parts[s], parts.get(sympy.Integer(1), sympy.Integer(0))
    if not (A.has(s) or B.has(s)):
        return _linear_split(f, s) or (A, B)
    return A, B


def _formula(A: sympy.Expr, B: sympy.Expr, x: sympy.Symbol) -> sympy.Expr:
    if A == 0:
        return x + dt * B
    if B == 0:
        return x * sympy.exp(A * dt)
    return -B / A + (x + B / A) * sympy.exp(A * dt)


class ExponentialEulerScheme:
    name = "exponential_euler"
    description = ("x_new = -B/A + (x + B/A)*exp(A*dt) for dx/dt = A*x + B, with A and "
                   "B taken at the start of the step (conditionally linear equations).")

    def can_integrate(self, system: ODESystem) -> tuple[bool, str]:
        if system.is_stochastic:
            x = next(iter(system.noise))
            xi = next(iter(system.noise[x]))
            return False, (f"Method 'exponential_euler' does not apply to stochastic "
                           f"equations (noise {xi!r} in the equation for {x!r}); use "
                           f"'euler' or 'heun'.")
        for x in system.variables:
            if _split(system, x) is None:
                return False, (f"Method 'exponential_euler' needs each equation to be "
                               f"of the form A*{x} + B (Brian's conditionally linear "
                               f"equations), but the equation for {x!r} "
                               f"({system.rhs[x]}) has other terms in {x!r}; use 'rk4' or "
                               f"'euler'.")
        return True, ""

    def update(self, system: ODESystem) -> StateUpdate:
        temporaries, new = [], {}
        for x in system.variables:
            A, B = _split(system, x)
            s = real_symbol(x)
            BA = B / A if A != 0 and B != 0 else None
            if BA is not None and not any(divides_by(BA, flag)
                                          for flag in boolean_parameters(A, B)):
                name = f"_BA_{x}"
                temporaries.append((name, BA))
                ba = real_symbol(name)
                new[x] = -ba + (s + ba) * sympy.exp(A * dt)
            else:
                new[x] = blend_boolean(
                    lambda subs: [_formula(A.xreplace(subs), B.xreplace(subs), s)],
                    [A, B])[0]
        return finish(self.name, system, temporaries, new)


exponential_euler = ExponentialEulerScheme()
