"""Exact integration of linear systems with constant coefficients.

For ``dx/dt = A x + b`` with ``A`` and ``b`` free of ``t`` and of the state,
the new state is ``x* + exp(A dt) (x - x*)`` with the fixed point
``x* = -A^-1 b`` when ``A`` is invertible, and otherwise read off
``exp(M dt)`` for the augmented matrix ``M = [[A, b], [0, 0]]``.

Most neuron models give a (block-)triangular ``A`` once the variables are
ordered by dependency (``v`` driven by ``ge`` and ``gi``, which only decay);
then ``exp(A dt)`` is built directly from divided differences of ``exp``,
which is much faster than sympy's Jordan-form ``Matrix.exp``, used only for
genuinely coupled systems.
"""

from __future__ import annotations

import math
from graphlib import CycleError, TopologicalSorter

import sympy

from neurocodegen.errors import IntegrationError
from neurocodegen.integrators.base import (ODESystem, StateUpdate, blend_boolean, dt,
                                           finish, t)


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    return sympy.factor_terms(sympy.cancel(expr))


def linear_system(system: ODESystem) -> tuple[sympy.Matrix, sympy.Matrix]:
    """``(A, b)`` with ``dx/dt = A x + b``; raises IntegrationError with the
    reason when the system is not linear with constant coefficients."""
    states = system.symbols
    zero = {s: 0 for s in states}
    n = len(states)
    A = sympy.zeros(n, n)
    b = sympy.zeros(n, 1)
    for i, x in enumerate(system.variables):
        f = system.rhs[x]
        varying = system.varies_within_step(f)
        if varying is not None:
            what = "time 't'" if varying == t else f"a random number ({varying.func.__name__}())"
            raise IntegrationError(
                f"Exact integration requires constant coefficients, but the equation "
                f"for {x!r} depends on {what} ({f}); use 'rk4', 'exponential_euler' "
                f"or 'euler'.")
        for j, s in enumerate(states):
            a = sympy.diff(f, s)
            nonlinear = sorted(u.name for u in a.free_symbols & set(states))
            if nonlinear or a.has(sympy.DiracDelta):
                raise IntegrationError(
                    f"Exact integration requires linear equations with constant "
                    f"coefficients, but in the equation for {x!r} the coefficient of "
                    f"{s.name!r} ({a}) depends on {(nonlinear or [s.name])[0]!r}; use "
                    f"'exponential_euler', 'rk4' or 'euler'.")
            A[i, j] = a
        b[i] = f.xreplace(zero)
        rest = f - sum((A[i, j] * s for j, s in enumerate(states)), b[i])
        if sympy.expand(rest) != 0 and sympy.cancel(rest) != 0:
            raise IntegrationError(
                f"Exact integration requires linear equations, but the equation "
                f"for {x!r} ({f}) is not linear in the state variables.")
    return A, b


def _divided_difference(nodes: tuple[sympy.Expr, ...]) -> sympy.Expr:
    """Divided difference of ``lambda -> exp(lambda*dt)`` over ``nodes``."""
    first = nodes[0]
    if all(sympy.cancel(node - first) == 0 for node in nodes[1:]):
        k = len(nodes) - 1
        return dt**k * sympy.exp(first * dt) / math.factorial(k)
    # symmetric in its nodes: put a node different from the first one last
    i = next(i for i, node in enumerate(nodes) if sympy.cancel(node - first) != 0)
    nodes = nodes[:i] + nodes[i + 1:] + (nodes[i],)
    gap = sympy.cancel(nodes[-1] - first)
    return (_divided_difference(nodes[1:]) - _divided_difference(nodes[:-1])) / gap


def _expm_upper_triangular(T: sympy.Matrix) -> sympy.Matrix:
    """``exp(T dt)`` for upper-triangular ``T``: entry (i, j) is the sum over
    paths i = s0 < ... < sk = j of T[s0,s1]...T[sk-1,sk] times the divided
    difference of exp over the diagonal entries T[s0,s0] ... T[sk,sk]."""
    n = T.rows
    F = sympy.zeros(n, n)

    def paths(i, j):
        if i == j:
            yield (i,)
            return
        for k in range(i + 1, j + 1):
            if T[i, k] != 0:
                for rest in paths(k, j):
                    yield (i,) + rest

    for i in range(n):
        for j in range(i, n):
            total = sympy.Integer(0)
            for path in paths(i, j):
                weight = sympy.Mul(*(T[p, q] for p, q in zip(path, path[1:])))
                total += weight * _divided_difference(tuple(T[p, p] for p in path))
            F[i, j] = sympy.factor_terms(total)
    return F


def _expm(T: sympy.Matrix, triangular: bool) -> sympy.Matrix:
    if T.is_diagonal():
        return sympy.diag(*(sympy.exp(T[i, i] * dt) for i in range(T.rows)))
    if triangular:
        return _expm_upper_triangular(T)
    try:
        F = (T * dt).exp()
    except (NotImplementedError, ValueError, ZeroDivisionError) as err:
        raise IntegrationError(
            f"Exact integration could not compute the matrix exponential of the "
            f"coupled system ({err}); use 'rk4' or 'euler'.") from None
    if F.has(sympy.I):
        # complex eigenvalues: all symbols are real, so the real part is the value
        F = F.applyfunc(lambda e: sympy.expand_complex(e).as_real_imag()[0])
    if F.has(sympy.I):
        raise IntegrationError(
            "Exact integration could not write the solution of the coupled system "
            "without complex numbers; use 'rk4' or 'euler'.")
    return F.applyfunc(lambda e: sympy.factor_terms(sympy.signsimp(e)))


def _solve(A: sympy.Matrix, b: sympy.Matrix, x: list[sympy.Symbol]) -> list[sympy.Expr]:
    n = len(x)
    deps = {i: {j for j in range(n) if j != i and A[i, j] != 0} for i in range(n)}
    try:
        order = list(TopologicalSorter(deps).static_order())[::-1]
        triangular = True
    except CycleError:
        order, triangular = list(range(n)), False
    T = A.extract(order, order)
    c = b.extract(order, [0])
    xs = sympy.Matrix([x[i] for i in order])
    if all(e == 0 for e in c):
        new = _expm(T, triangular) * xs
    elif all(sympy.cancel(T[i, i]) != 0 for i in range(n)) and (triangular or T.det() != 0):
        fixed = (T.upper_triangular_solve(-c) if triangular else T.LUsolve(-c))
        fixed = fixed.applyfunc(_tidy)
        F = _expm(T, triangular)
        new = fixed + F * (xs - fixed)
    else:
        M = sympy.zeros(n + 1, n + 1)
        M[:n, :n] = T
        M[:n, n] = c
        F = _expm(M, triangular)
        new = F[:n, :n] * xs + F[:n, n]
    result = [None] * n
    for position, i in enumerate(order):
        result[i] = new[position]
    return result


class ExactScheme:
    """Linear equations with constant coefficients, solved symbolically."""

    name = "exact"
    description = ("Exact solution x(t+dt) = x* + exp(A*dt)*(x - x*) of linear equations "
                   "dx/dt = A*x + b with A, b free of t and of the state variables.")

    def can_integrate(self, system: ODESystem) -> tuple[bool, str]:
        if system.is_stochastic:
            x = next(iter(system.noise))
            xi = next(iter(system.noise[x]))
            return False, (f"The equation for {x!r} is stochastic (noise {xi!r}): exact "
                           f"integration does not apply to stochastic equations, use "
                           f"'euler' or 'heun'.")
        try:
            linear_system(system)
        except IntegrationError as err:
            return False, str(err)
        return True, ""

    def update(self, system: ODESystem) -> StateUpdate:
        A, b = linear_system(system)
        x = list(system.symbols)
        new = blend_boolean(lambda subs: _solve(A.xreplace(subs), b.xreplace(subs), x),
                            list(A) + list(b))
        return finish(self.name, system, [], dict(zip(system.variables, new)))


exact = ExactScheme()
