"""From model objects to the typed contexts the C++ templates print.

This module owns the memory layout (which array each pointer is, which
constant each slot holds) and every decision about the generated code:
refractoriness, subexpression substitution, noise extraction, the integration
scheme and hoisting of loop-invariant expressions. Templates only print.
"""
import logging
from dataclasses import dataclass

import sympy

from .codegen import printers
from .codegen.printers import CppPrinter, local_name, stream_tag
from .codegen.layout import Layout, ObjectClock  # noqa: F401  (re-exported)
from .codegen.render import (Assign, Branch, Constant, Kernel, Load, NoiseBuffer, ResetBlock,
                             StateUpdateBlock, Store, ThresholdBlock)
from .errors import EquationError
from .integrators import ODESystem, integrate
from .model.expressions import to_sympy

logger = logging.getLogger("neurocodegen.codegen")

CTYPES = {"float": "double", "integer": "int32_t", "boolean": "bool"}
T, DT = sympy.Symbol("t", real=True), sympy.Symbol("dt", real=True)


# ---------------------------------------------------------------------------
# symbolic preparation, done once per group and kept on the group
# ---------------------------------------------------------------------------

def is_stored_subexpression(eq):
    """``constant over dt`` subexpressions are computed once per step, at the
    start of the state update, and kept in an array like a parameter."""
    return eq.kind == "subexpression" and "constant over dt" in eq.flags


def subexpression_table(equations):
    """name -> sympy expression with nested subexpressions substituted (except
    stored ones, which stay symbols read from their arrays)."""
    table = {}
    for name in equations.subexpr_names:  # topologically ordered
        if not is_stored_subexpression(equations[name]):
            table[sympy.Symbol(name, real=True)] = \
                to_sympy(equations[name].expr).xreplace(table)
    return table


def stored_subexpression_updates(equations):
    """(name, sympy expression) for each stored subexpression, in order."""
    table = subexpression_table(equations)
    return [(name, to_sympy(equations[name].expr).xreplace(table))
            for name in equations.subexpr_names if is_stored_subexpression(equations[name])]


def _noise_split(name, rhs, xi_names):
    """rhs = f + sum g_k xi_k; returns (f, {xi: g}) and checks linearity in xi."""
    noise = {}
    for xi in xi_names:
        sym = sympy.Symbol(xi, real=True)
        g = sympy.expand(rhs).coeff(sym)
        if g != 0:
            if g.free_symbols & {sympy.Symbol(x, real=True) for x in xi_names}:
                raise EquationError(f"The equation for '{name}' is not linear in the noise "
                                    f"term '{xi}'; stochastic terms must appear as g*{xi}.")
            noise[xi] = g
    f = rhs.xreplace({sympy.Symbol(xi, real=True): 0 for xi in xi_names})
    return sympy.expand(f) if noise else f, noise


def state_update(group):
    """The integration of ``group``'s equations, as ``(method, active, frozen)``
    statement lists: ``active`` for neurons that are not refractory, ``frozen``
    (or None) for refractory ones when some variables are ``unless refractory``.
    """
    eqs = group.equations
    subs = subexpression_table(eqs)
    xi_names = sorted(eqs.stochastic_variables)
    rhs, noise = {}, {}
    for name in eqs.diff_eq_names:
        expr = to_sympy(eqs[name].expr).xreplace(subs)
        rhs[name], noise[name] = _noise_split(name, expr, xi_names)
    variables = tuple(eqs.diff_eq_names)
    if not variables:
        return None, (), None
    active = integrate(ODESystem(variables, rhs, noise), group.method)
    method, active = active.method, common_subexpressions(active.statements)
    frozen_names = [n for n in variables if "unless refractory" in eqs[n].flags]
    frozen = None
    if group.has_refractoriness and frozen_names:
        if len(frozen_names) == len(variables):
            frozen = ()
        else:
            rhs_f = {n: (0 if n in frozen_names else rhs[n]) for n in variables}
            noise_f = {n: ({} if n in frozen_names else noise[n]) for n in variables}
            frozen = common_subexpressions(
                integrate(ODESystem(variables, rhs_f, noise_f), method).statements)
    return method, active, frozen


# ---------------------------------------------------------------------------
# loop-invariant hoisting
# ---------------------------------------------------------------------------

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


def _select_on_not_refractory(statements):
    """Rename each variable's final assignment to a temporary and choose
    between it and the old value with ``not_refractory``."""
    final = {target: k for k, (target, _) in enumerate(statements) if not target.startswith("_")}
    out, selects = [], []
    for k, (target, expr) in enumerate(statements):
        if final.get(target) == k:
            out.append((f"_{target}_active", expr))
            selects.append(Assign(local_name(target), f"not_refractory_ ? _{target}_active : "
                                                      f"{local_name(target)}"))
        else:
            out.append((target, expr))
    return out + selects


class Hoister:
    """Replaces subexpressions that depend only on per-step scalars (constants,
    dt, t) by ``_lio_k`` symbols computed once per step, outside the loop."""

    def __init__(self, scalars):
        self.scalars = set(scalars)
        self.table = {}   # expression -> symbol
        self.order = []   # (symbol, expression)

    def _invariant(self, expr):
        return (expr.free_symbols <= self.scalars and
                not any(type(f).__name__ in ("rand", "randn") for f in expr.atoms(sympy.Function)))

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


# ---------------------------------------------------------------------------
# kernels of one group
# ---------------------------------------------------------------------------

@dataclass
class GroupLowering:
    """Builds the blocks of one group into a shared :class:`Layout`."""

    group: object
    index: int             # the group's position among the network's objects
    slot: str              # C++ prefix of this group's arrays, e.g. _ncg_g0
    layout: Layout
    clock: ObjectClock
    externals: dict        # name -> float value (SI); only the names matter here

    def __post_init__(self):
        g = self.group
        self.lo, self.hi = f"{self.slot}_lo", f"{self.slot}_hi"
        self.spikespace = (self.layout.array(f"{self.slot}__spikespace",
                                             ("group", self.index, "_spikespace"), "int32_t")
                           if g.threshold is not None else None)

    # -- helpers --------------------------------------------------------------
    def _variables(self):
        return self.group.variable_table()   # name -> (array, dtype, shared)

    def _array_cname(self, name):
        _, dtype, _ = self._variables()[name]
        return self.layout.array(f"{self.slot}_{name}", ("group", self.index, name),
                                 CTYPES[dtype])

    def _kernel(self, comment, statements, reads=(), tag_kind=0):
        """Print ``statements`` into a Kernel. Items are ``(target, sympy expr)``,
        ``(condition, then_items, else_items)`` or ready :class:`Assign` objects
        (our own C++, e.g. random draws). Model variables that are read are
        loaded, those written are stored; other targets are declared locals."""
        variables = self._variables()
        scalars = {sympy.Symbol(n, real=True) for n in self.externals} | {T, DT}
        scalars |= {sympy.Symbol(n, real=True) for n, v in variables.items() if v[2]}
        hoist = Hoister(scalars)
        printer = CppPrinter(stream_tag(self.group._rng_id, tag_kind, 0))
        used, written = set(reads), set()

        def lower(items):
            out = []
            for item in items:
                if isinstance(item, Assign):
                    if not item.declare:           # our own write to a model variable
                        written.add(item.target[:-1])
                    out.append(item)
                elif len(item) == 3:   # (condition, then, else)
                    cond, then, other = item
                    used.update(s.name for s in cond.free_symbols)
                    out.append(Branch(printer.doprint(hoist(cond)), tuple(lower(then)),
                                      tuple(lower(other))))
                else:
                    target, expr = item
                    expr = sympy.sympify(expr)
                    used.update(s.name for s in expr.free_symbols)
                    written.add(target)
                    ctype = "bool" if isinstance(expr, sympy.logic.boolalg.Boolean) else "double"
                    out.append(Assign(local_name(target), printer.doprint(hoist(expr)),
                                      declare=target not in variables, ctype=ctype))
            return out

        body = lower(statements)
        used |= written
        loads, stores, constants = [], [], []
        if "i" in used:
            body.insert(0, Assign("i_", "(double)_ncg_i", declare=True))
        for name in sorted(used):
            if name in variables:
                array, dtype, shared = variables[name]
                ctype = "bool" if dtype == "boolean" else "double"
                const = "" if name in written else "const "
                index = "0" if shared else "_ncg_i"
                loads.append(Load(const + ctype, local_name(name), self._array_cname(name), index))
                if name in written:
                    stores.append(Store(self._array_cname(name), local_name(name),
                                        CTYPES[dtype], index))
            elif name in self.externals:
                constants.append(Constant(local_name(name),
                                          self.layout.constant(("ext", self.index, name))))
        if "N" in used:
            constants.append(Constant("N_", self.layout.constant(("N", self.index))))
        constants.append(Constant("dt_", self.layout.constant(("dt", self.index))))
        invariants = tuple(Assign(sym.name, printer.doprint(expr), declare=True)
                           for sym, expr in hoist.order)
        return Kernel(comment=comment, period=self.clock.period,
                      t_expr=self.clock.t_expr("dt_"), size=str(self.group.N),
                      lo=self.lo, hi=self.hi,
                      constants=tuple(constants), invariants=invariants,
                      loads=tuple(loads), body=tuple(body), stores=tuple(stores))

    # -- blocks ---------------------------------------------------------------
    def state_update_block(self):
        g = self.group
        method, active, frozen = g.state_update_code()
        statements = stored_subexpression_updates(g.equations)
        if g.has_refractoriness:
            statements.append(("not_refractory", g.refractory_condition()))
        active = list(active)
        xi_names = sorted({s.name for _, e in active for s in sympy.sympify(e).free_symbols
                           if s.name == "xi" or s.name.startswith("xi_")})
        # Each noise term's normals are drawn a block of neurons at a time
        # (vectorized), then read per neuron.
        buffers = tuple(NoiseBuffer(f"_ncg_xi{k}", stream_tag(g._rng_id, printers.KIND_NOISE, k))
                        for k in range(len(xi_names)))
        draws = [Assign(local_name(xi), f"{buf.name}[_ncg_i - _ncg_b]", declare=True)
                 for xi, buf in zip(xi_names, buffers)]
        if frozen is None:
            statements += draws + active
        elif frozen == ():
            # Every variable is frozen while refractory: compute the update for
            # all neurons and keep it only where not refractory (a select, which
            # vectorizes, instead of an unpredictable branch).
            statements += draws + _select_on_not_refractory(active)
        else:
            statements.append((sympy.Symbol("not_refractory", real=True),
                               draws + active, list(frozen)))
        if not active and not statements:
            return None
        kernel = self._kernel(f"state update of {g.name} ({method})", statements,
                              tag_kind=printers.KIND_RAND_UPDATE)
        return StateUpdateBlock(kernel, noise=buffers)

    def threshold_block(self):
        g = self.group
        refr = g.has_refractoriness
        kernel = self._kernel(f"threshold of {g.name}", [("_cond", g.threshold_sympy())],
                              reads=("not_refractory",) if refr else (),
                              tag_kind=printers.KIND_THRESHOLD)
        return ThresholdBlock(kernel=kernel,
                              condition="_cond && not_refractory_" if refr else "_cond",
                              spikespace=self.spikespace, refractory=refr,
                              lastspike=self._array_cname("lastspike") if refr else "",
                              not_refractory=self._array_cname("not_refractory") if refr else "")

    def reset_block(self):
        g = self.group
        kernel = self._kernel(f"reset of {g.name}", g.reset_sympy(),
                              tag_kind=printers.KIND_RESET)
        return ResetBlock(kernel=kernel, spikespace=self.spikespace)
