"""A NeuronGroup's spec to its kernels: state update, threshold, reset.

Every decision about a group's code is made here, as sympy and IR:
refractoriness, subexpression substitution, noise extraction, the
integration scheme and common subexpressions. Printing is the backends'.
"""
import sympy
from sympy.core.function import AppliedUndef

from .. import ir
from ..errors import EquationError
from ..integrators import ODESystem, integrate
from ..model.expressions import to_sympy
from ..model.sympy_functions import clip, int_, poisson, rand, randn
from ..specs import NeuronGroupSpec, TableFunction, UserFunction
from . import lowers
from .optimize import common_subexpressions

symbol = ir.symbol


# -- the model as sympy ------------------------------------------------------------

def is_stored_subexpression(eq):
    """``constant over dt`` subexpressions are computed once per step, at the
    start of the state update, and kept in an array like a parameter."""
    return eq.kind == "subexpression" and "constant over dt" in eq.flags


def subexpression_table(equations, kept=is_stored_subexpression):
    """name -> sympy expression with nested subexpressions substituted (except
    those ``kept`` says stay symbols: stored ones, read from their arrays)."""
    table = {}
    for name in equations.subexpr_names:  # topologically ordered
        if not kept(equations[name]):
            table[symbol(name)] = to_sympy(equations[name].expr).xreplace(table)
    return table


def _sympy(spec, expr):
    return to_sympy(expr).xreplace(subexpression_table(spec.equations))


def _noise_split(name, rhs, xi_names):
    """rhs = f + sum g_k xi_k; returns (f, {xi: g}) and checks linearity in xi."""
    noise = {}
    for xi in xi_names:
        g = sympy.expand(rhs).coeff(symbol(xi))
        if g != 0:
            if g.free_symbols & {symbol(x) for x in xi_names}:
                raise EquationError(f"The equation for '{name}' is not linear in the noise "
                                    f"term '{xi}'; stochastic terms must appear as g*{xi}.")
            noise[xi] = g
    f = rhs.xreplace({symbol(xi): 0 for xi in xi_names})
    return sympy.expand(f) if noise else f, noise


def state_update(spec):
    """The integration of ``spec``'s equations as ``(method, active, frozen)``:
    (target, sympy) statements for neurons that are not refractory, and for
    refractory ones (None when nothing is held; ``()`` when every variable is
    ``unless refractory``)."""
    eqs = spec.equations
    subs = subexpression_table(eqs)
    xi_names = sorted(eqs.stochastic_variables)
    rhs, noise = {}, {}
    for name in eqs.diff_eq_names:
        expr = to_sympy(eqs[name].expr).xreplace(subs)
        rhs[name], noise[name] = _noise_split(name, expr, xi_names)
    variables = tuple(eqs.diff_eq_names)
    if not variables:
        return None, (), None
    step_constant = {name for name, what in spec.functions
                     if isinstance(what, TableFunction) and what.constant_over_step}
    active = integrate(ODESystem(variables, rhs, noise, step_constant), spec.method)
    method, active = active.method, common_subexpressions(active.statements)
    frozen_names = [n for n in variables if "unless refractory" in eqs[n].flags]
    frozen = None
    if spec.refractory is not None and frozen_names:
        if len(frozen_names) == len(variables):
            frozen = ()
        else:
            rhs_f = {n: (0 if n in frozen_names else rhs[n]) for n in variables}
            noise_f = {n: ({} if n in frozen_names else noise[n]) for n in variables}
            frozen = common_subexpressions(
                integrate(ODESystem(variables, rhs_f, noise_f, step_constant),
                          method).statements)
    return method, active, frozen


def refractory_condition(spec):
    """``not_refractory`` as a sympy boolean. For a time, Brian's rule
    ``timestep(t - lastspike, dt) >= timestep(refractory, dt)``, written as
    a comparison of times so that it costs one subtraction per neuron
    (``t - lastspike`` is a whole number of steps up to rounding, and the
    margin of 0.001*dt is far larger than that rounding)."""
    lastspike, timestep = symbol("lastspike"), sympy.Function("timestep")
    if spec.refractory == "time":
        ref = symbol("_refractory")            # a constant, see NeuronGroup.before_run
    else:
        expr, is_condition = spec.refractory
        ref = _sympy(spec, expr)
        if is_condition:
            # as Brian: the condition only lets a neuron *leave* refractoriness
            return sympy.Or(symbol("not_refractory"), sympy.Not(ref))
    return sympy.GreaterThan(ir.T - lastspike,
                             (timestep(ref, ir.DT) - sympy.Float(0.001)) * ir.DT)


def expanded(statement, value):
    """``(target, sympy value)`` of one statement whose right-hand side is
    ``value``: ``v += x`` becomes ``(v, v + x)``."""
    target = symbol(statement.target)
    if statement.op != "=":
        value = {"+": target + value, "-": target - value,
                 "*": target * value, "/": target / value}[statement.op[0]]
    return statement.target, value


def unless_refractory(spec):
    """The variables of a group that only change while it is not refractory
    (flagged ``unless refractory``, in a group with refractoriness)."""
    if spec.refractory is None:
        return set()
    return {eq.name for eq in spec.equations.values() if "unless refractory" in eq.flags}


def guarded(statements, held, guard="not_refractory"):
    """Brian's conditional write: (target, value) pairs that write a variable
    of ``held`` keep its old value where the boolean ``guard`` is false (a
    refractory neuron's ``v`` ignores synaptic and other input; resets and
    ``run_on_event`` code are not guarded, as in Brian)."""
    return [(target, ir.Select(symbol(guard), value, symbol(target)) if target in held
             else value) for target, value in statements]


def reset_statements(spec):
    """The reset as (variable, sympy value) pairs, ``+=`` etc. expanded."""
    return [expanded(st, _sympy(spec, st.expr)) for st in spec.reset]


def _select_on_not_refractory(statements):
    """Rename each variable's final assignment to a temporary and choose
    between it and the old value with ``not_refractory``."""
    final = {target: k for k, (target, _) in enumerate(statements) if not target.startswith("_")}
    out, selects = [], []
    for k, (target, expr) in enumerate(statements):
        if final.get(target) == k:
            out.append((f"_{target}_active", expr))
            selects.append((target, ir.Select(symbol("not_refractory"),
                                              symbol(f"_{target}_active"), symbol(target))))
        else:
            out.append((target, expr))
    return out + selects


# -- IR ---------------------------------------------------------------------------------

class _KernelBuilder:
    """Turns (target, sympy) pairs and (condition, then, else) triples into IR
    statements of one kernel, numbering its random draws, and binds the names
    they use to the group's arrays and constants. ``runner``, when given, is
    the spec of another object acting on the group's arrays (an operation of
    ``run_regularly``): it owns the kernel's constants and random draws, and
    gives its period."""

    def __init__(self, spec, kind, runner=None):
        self.spec, self.kind = spec, kind
        self.runner = runner if runner is not None else spec
        self.tables, self.table_constants = {}, set()     # of TimedArrays
        self.functions = {}                                # of Functions
        self.used, self.draws = set(), 0
        self.arrays = {name: ir.Variable(name, ir.Array(spec.name, name, ir.DTYPES[dtype]),
                                         shared)
                       for name, dtype, shared in spec.variables}
        for name, source, source_name, dtype, shared, index in getattr(spec, "linked", ()):
            # read where it is linked: another group's array, at the index array
            self.arrays[name] = ir.Variable(
                name, ir.Array(source, source_name, ir.DTYPES[dtype]), shared,
                None if index is None else ir.Array(spec.name, index, "int32",
                                                    "state" if not index.startswith("_")
                                                    else "input"))

    def _draws_numbered(self, expr):
        """rand()/randn()/poisson() of the model string become draws from their own
        streams, numbered in statement order, then in order of the text."""
        calls = sorted(expr.atoms(rand, randn, poisson), key=lambda f: int(f.args[0]))
        tags = {}
        for call in calls:
            tags[call] = ir.stream(self.runner.rng_id, self.kind, self.draws)
            self.draws += 1
        table = {call: (ir.Uniform if isinstance(call, rand) else ir.Normal)(tag)
                 for call, tag in tags.items() if not isinstance(call, poisson)}
        table.update({call: ir.Poisson(tag, call.args[1].xreplace(table))
                      for call, tag in tags.items() if isinstance(call, poisson)})
        return expr.xreplace(table) if table else expr

    def _calls(self, expr):
        """Calls of the functions of the namespace: a TimedArray's become reads
        of its table (Brian's rule: the value at step ``k`` covers ``k*dt <=
        t < (k+1)*dt``, with Brian's guard against rounding,
        ``int((t/eps + 0.5)/K)`` where ``eps`` is the table's dt divided by
        ``K``; out of range, the first or last value), a user's Function's
        become calls of it."""
        functions = dict(self.runner.functions)
        calls = [c for c in expr.atoms(AppliedUndef) if type(c).__name__ in functions]
        if not calls:
            return expr
        table = {}
        for call in calls:
            name = type(call).__name__
            what = functions[name]
            if isinstance(what, UserFunction):
                local = f"_function_{name}"
                self.functions[local] = ir.UserFunction(self.runner.name, local, what.cpp_name,
                                                        what.cpp_code)
                table[call] = ir.Call(symbol(local), *call.args)
                continue
            local = f"_table_{name}"
            K, eps, rows, cols = (symbol(f"{local}_{what}")
                                  for what in ("K", "eps", "rows", "cols"))
            step = clip(int_((call.args[0] / eps + sympy.Float(0.5)) / K), 0, rows - 1)
            index = step
            self.table_constants |= {K.name, eps.name, rows.name}
            if what.ndim == 2:
                index = step * cols + clip(int_(call.args[1]), 0, cols - 1)
                self.table_constants.add(cols.name)
            self.tables[local] = ir.Array(self.runner.name, local, "float64", "input")
            table[call] = ir.Lookup(symbol(local), index)
        return expr.xreplace(table)

    def expr(self, expr):
        expr = self._calls(self._draws_numbered(sympy.sympify(expr)))
        self.used.update(s.name for s in expr.free_symbols)
        return expr

    def statements(self, items):
        out = []
        for item in items:
            if isinstance(item, ir.Assign):              # our own (noise draws)
                out.append(item)
            elif len(item) == 3:
                cond, then, other = item
                out.append(ir.If(self.expr(cond), tuple(self.statements(then)),
                                 tuple(self.statements(other))))
            else:
                target, expr = item
                self.used.add(target)
                out.append(ir.Assign(target, self.expr(expr)))
        return out

    def kernel(self, cls, name, op, space, statements, extra=(), **fields):
        body = tuple(self.statements(statements))
        self.used.update(extra)
        spec = self.runner
        externals = set(spec.externals)
        externals |= self.table_constants
        constants = [(n, ir.Constant(spec.name, n)) for n in sorted(self.used & externals)]
        if "N" in self.used:
            constants.append(("N", ir.Constant(spec.name, "N")))
        constants.append(("dt", ir.Constant(spec.name, "dt")))
        variables = tuple(self.arrays[n] for n in sorted(self.used) if n in self.arrays)
        scalars = frozenset(externals | {"t", "dt"} | set(self.tables) | set(self.functions)
                            | {n for n, v in self.arrays.items()
                               if v.scalar and v.array.owner == self.spec.name})
        return cls(name=name, owner=spec.name, op=op, space=space, period=spec.period,
                   statements=body, variables=variables, constants=tuple(constants),
                   scalars=scalars, tables=tuple(sorted(self.tables.items())),
                   functions=tuple(sorted(self.functions.items())), **fields)


def spikes_array(group, event="spike"):
    """The array a group's threshold (or the condition of its custom event)
    writes the indices that spiked (had the event) to."""
    return ir.Array(group, f"_{event}space", "int32", role="spikes")


def stored_subexpressions_kernel(spec):
    """The computation of the ``constant over dt`` subexpressions of
    ``spec`` (None if it has none) and its number of random draws. It runs
    before the start of each step, as Brian's ``SubexpressionUpdater``
    (``when='before_start'``), so that a StateMonitor at ``start`` records
    the value the step uses."""
    updates = _stored_subexpression_updates(spec)
    if not updates:
        return None, 0
    builder = _KernelBuilder(spec, ir.KIND_RAND_UPDATE)
    kernel = builder.kernel(ir.Kernel, f"constant over dt subexpressions of {spec.name}",
                            "state_update", ir.AllNeurons(spec.name, spec.N), updates)
    return kernel, builder.draws


def state_update_kernel(spec, first_draw=0):
    """The state update of ``spec`` (None if it has nothing to integrate),
    and the integration method used. Its random draws are numbered from
    ``first_draw`` (after those of the constant over dt subexpressions)."""
    method, active, frozen = state_update(spec)
    statements = []
    if spec.refractory is not None:
        statements.append(("not_refractory", refractory_condition(spec)))
    active = list(active)
    xi_names = sorted({s.name for _, e in active for s in sympy.sympify(e).free_symbols
                       if s.name == "xi" or s.name.startswith("xi_")})
    draws = [ir.Assign(xi, ir.Normal(ir.stream(spec.rng_id, ir.KIND_NOISE, k)))
             for k, xi in enumerate(xi_names)]
    if frozen is None:
        statements += draws + active
    elif frozen == ():
        # Every variable is frozen while refractory: compute the update for
        # all neurons and keep it only where not refractory (a select, which
        # vectorizes, instead of an unpredictable branch).
        statements += draws + _select_on_not_refractory(active)
    else:
        statements += draws     # both branches may use the noise
        statements.append((symbol("not_refractory"), active, list(frozen)))
    if not active and not statements:
        return None, method
    builder = _KernelBuilder(spec, ir.KIND_RAND_UPDATE)
    builder.draws = first_draw
    builder.used.update(xi_names)
    kernel = builder.kernel(ir.Kernel, f"state update of {spec.name} ({method})",
                            "state_update", ir.AllNeurons(spec.name, spec.N), statements)
    return kernel, method


def _stored_subexpression_updates(spec):
    table = subexpression_table(spec.equations)
    return [(name, to_sympy(spec.equations[name].expr).xreplace(table))
            for name in spec.equations.subexpr_names
            if is_stored_subexpression(spec.equations[name])]


def threshold_kernel(spec):
    refractory = spec.refractory is not None
    builder = _KernelBuilder(spec, ir.KIND_THRESHOLD)
    cond = symbol("_cond")
    on_spike = ()
    if refractory:
        cond = sympy.And(cond, symbol("not_refractory"))
        on_spike = ((builder.arrays["not_refractory"].array, sympy.false),
                    (builder.arrays["lastspike"].array, ir.T))
    return builder.kernel(ir.Threshold, f"threshold of {spec.name}", "threshold",
                          ir.AllNeurons(spec.name, spec.N),
                          [("_cond", _sympy(spec, spec.threshold))],
                          extra=("not_refractory",) if refractory else (),
                          condition=cond, spikes=spikes_array(spec.name), on_spike=on_spike)


def reset_kernel(spec):
    builder = _KernelBuilder(spec, ir.KIND_RESET)
    space = ir.SpikingNeurons(spec.name, spec.N, spikes_array(spec.name))
    return builder.kernel(ir.Kernel, f"reset of {spec.name}", "reset", space,
                          reset_statements(spec))


def event_kernel(spec, number, event, condition):
    """The check of a custom event's condition (refractoriness does not
    apply, as in Brian); its draws have streams of their own."""
    builder = _KernelBuilder(spec, ir.KIND_EVENT)
    builder.draws = 256 * number
    return builder.kernel(ir.Threshold, f"event {event!r} of {spec.name}", "threshold",
                          ir.AllNeurons(spec.name, spec.N), [("_cond", _sympy(spec, condition))],
                          condition=symbol("_cond"), spikes=spikes_array(spec.name, event))


@lowers(NeuronGroupSpec)
def lower_neuron_group(spec):
    """(slot, kernel) pairs of a group, and its integration method. The
    threshold and custom events are checked in the order of their names
    (Brian's thresholders are sorted by name)."""
    stored, draws = stored_subexpressions_kernel(spec)
    kernel, method = state_update_kernel(spec, first_draw=draws)
    out = [("before_start", stored)] if stored is not None else []
    out += [("groups", kernel)] if kernel is not None else []
    checks = {event: (number, condition)
              for number, (event, condition) in enumerate(spec.events)}
    if spec.threshold is not None:
        checks["spike"] = None
    for event in sorted(checks):
        if event == "spike":
            out.append(("thresholds", threshold_kernel(spec)))
        else:
            number, condition = checks[event]
            out.append(("thresholds", event_kernel(spec, number, event, condition)))
    if spec.threshold is not None and spec.reset:
        out.append(("resets", reset_kernel(spec)))
    return out, method
