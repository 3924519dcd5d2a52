"""Exponential Euler for conditionally linear equations.

Each equation must be linear in its own variable, ``dx/dt = A(y) x + B(y)``
with ``A`` and ``B`` free of ``x`` (they may depend on the other variables
and on ``t``). Holding ``A`` and ``B`` at their values at the start of the
step, the equation is solved exactly:
``x_new = -B/A + (x + B/A) * exp(A*dt)``. This is the standard scheme for
Hodgkin-Huxley gating variables.
"""

from __future__ import annotations

import sympy

from neurocodegen.integrators.base import (ODESystem, StateUpdate, blend_boolean,
                                           boolean_parameters, divides_by, dt, finish,
                                           real_symbol)


def _split(system: ODESystem, x: str) -> tuple[sympy.Expr, sympy.Expr] | None:
    """``(A, B)`` with ``f = A*x + B``, or None if ``f`` is not linear in ``x``."""
    f = system.rhs[x]
    s = real_symbol(x)
    A = sympy.diff(f, s)
    if A.has(s) or A.has(sympy.DiracDelta):
        return None
    B = f.xreplace({s: 0})
    rest = f - A * s - B
    if B.has(sympy.nan, sympy.zoo) or (sympy.expand(rest) != 0 and sympy.cancel(rest) != 0):
        return None
    return A, B


def _formula(A: sympy.Expr, B: sympy.Expr, x: sympy.Symbol) -> sympy.Expr:
    if A == 0:
        return x + dt * B
    if B == 0:
        return x * sympy.exp(A * dt)
    return -B / A + (x + B / A) * sympy.exp(A * dt)


class ExponentialEulerScheme:
    name = "exponential_euler"
    description = ("x_new = -B/A + (x + B/A)*exp(A*dt) for dx/dt = A*x + B, "
                   "with A and B not depending on x (conditionally linear equations).")

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
                               f"linear in its own variable, but the equation for {x!r} "
                               f"({system.rhs[x]}) is not linear in {x!r}; use 'rk4' or "
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
