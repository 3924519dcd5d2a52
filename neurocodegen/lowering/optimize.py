"""Rewrites of sympy statements that every target profits from."""
import sympy


def common_subexpressions(statements):
    """Compute each subexpression shared by several integrator statements once.

    Valid for a state update because no statement reads a variable after it
    is written (the integrator's contract), so a shared term means the same
    thing wherever it appears. Each shared term is emitted just before the
    first statement that needs it, after the temporaries it uses."""
    if len(statements) < 2:
        return list(statements)
    exprs = [sympy.sympify(e) for _, e in statements]
    names = sympy.numbered_symbols("_cse_", real=True)
    replacements, reduced = sympy.cse(exprs, symbols=names)
    if not replacements:
        return list(statements)
    pending = dict(replacements)          # symbol -> expression, in cse order
    order = [sym for sym, _ in replacements]
    out = []

    def emit_needed(expr):
        needed = [sym for sym in order if sym in pending and sym in expr.free_symbols]
        for sym in needed:
            value = pending.pop(sym)
            emit_needed(value)            # its own shared terms first
            out.append((sym.name, value))

    for (target, _), expr in zip(statements, reduced):
        emit_needed(expr)
        out.append((target, expr))
    return out


class Hoister:
    """Replaces subexpressions that depend only on per-step scalars (constants,
    dt, t) by ``_lio_k`` symbols computed once per step, outside the loop."""

    def __init__(self, scalars, impure=()):
        self.scalars = set(scalars)
        self.impure = tuple(impure)      # function classes never hoisted (random draws)
        self.table = {}   # expression -> symbol
        self.order = []   # (symbol, expression)

    def invariant(self, expr):
        """Whether ``expr`` is the same for every index of the loop."""
        return self._invariant(expr)

    def _invariant(self, expr):
        return (expr.free_symbols <= self.scalars
                and not (self.impure and expr.atoms(*self.impure)))

    def _name(self, expr):
        if expr not in self.table:
            sym = sympy.Symbol(f"_lio_{len(self.order) + 1}", real=True)
            self.table[expr] = sym
            self.order.append((sym, expr))
        return self.table[expr]

    def __call__(self, expr):
        if expr.is_Atom or isinstance(expr, sympy.logic.boolalg.BooleanAtom):
            return expr
        if self._invariant(expr):
            return self._name(expr)
        if isinstance(expr, (sympy.Add, sympy.Mul)):
            fixed = [a for a in expr.args if self._invariant(a)]
            rest = [self(a) for a in expr.args if not self._invariant(a)]
            if len(fixed) > 1 or (fixed and not fixed[0].is_Atom):
                fixed = [self._name(expr.func(*fixed))]
            return expr.func(*fixed, *rest, evaluate=False)
        return expr.func(*[self(a) for a in expr.args])
