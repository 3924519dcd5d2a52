"""A Synapses' spec to its kernels: each pathway runs its statements for
every synapse whose event arrives in this step (Brian's ``synapses`` slot:
after thresholds, before resets; presynaptic pathways before the other
objects of the slot, postsynaptic ones after them)."""
import dataclasses

import sympy

from .. import ir
from ..errors import IntegrationError
from ..integrators import ODESystem, integrate
from ..model.expressions import to_sympy
from ..specs import SynapsesSpec
from . import lowers
from .neurons import (_KernelBuilder, _noise_split, expanded, guarded, spikes_array,
                      subexpression_table)


def _sympy(spec, expr):
    """``expr`` (a parsed expression) as sympy, the synapses' subexpressions
    substituted (not the summed ones: those set a neuron's variable)."""
    table = subexpression_table(spec.equations, kept=lambda eq: "summed" in eq.flags)
    return to_sympy(expr).xreplace(table)


def event_driven_updates(spec):
    """The exact solution of the event-driven equations over the time since
    the synapse's last event, as (target, sympy value) pairs; they run
    before a pathway's statements, as in Brian."""
    names = _event_driven(spec)
    if not names:
        return []
    rhs = {n: _sympy(spec, spec.equations[n].expr) for n in names}
    try:
        update = integrate(ODESystem(names, rhs, {n: {} for n in names}), "exact")
    except IntegrationError as exc:
        raise IntegrationError(
            f"The event-driven equations of Synapses '{spec.name}' must have an exact "
            f"solution (linear, with constant coefficients): {exc}") from None
    elapsed = ir.T - ir.symbol("lastupdate")
    return [(target, sympy.sympify(value).xreplace({ir.DT: elapsed}))
            for target, value in update.statements]


def pathway_statements(spec, statements):
    """A pathway's statements as (target, sympy value) pairs, ``+=`` etc.
    expanded, after the event-driven updates and before ``lastupdate = t``;
    a neuron variable flagged ``(unless refractory)`` is written only where
    the neuron is not refractory, as in Brian."""
    out = event_driven_updates(spec)
    written = [expanded(st, _sympy(spec, st.expr)) for st in statements]
    for guard in sorted(set(g for _, g in spec.guards)):      # Brian's conditional write
        written = guarded(written, {n for n, g in spec.guards if g == guard}, guard)
    out += written
    if _event_driven(spec):
        out.append(("lastupdate", ir.T))
    return out


def _event_driven(spec):
    eqs = spec.equations
    return tuple(n for n in eqs.diff_eq_names if "event-driven" in eqs[n].flags)


class _SynapseBuilder(_KernelBuilder):
    """Binds the names of ``on_pre``: synaptic variables at the synapse,
    ``x_pre``/``x_post`` (and unsuffixed postsynaptic names) at the
    synapse's neurons, ``i``/``j`` to its indices."""

    def __init__(self, spec):
        self.spec, self.kind = spec, ir.KIND_ON_PRE
        self.runner = spec
        self.tables, self.table_constants, self.functions = {}, set(), {}
        self.used, self.draws = set(), 0
        # the synapses' indices: kept by the object, never changed by a run
        pre = ir.Array(spec.name, "_pre", "int32", "internal")
        post = ir.Array(spec.name, "_post", "int32", "internal")
        self.arrays = {"i": ir.Variable("i", pre), "j": ir.Variable("j", post)}
        first = {"synapse": 0, "pre": (spec.source_part or (0,))[0],
                 "post": (spec.target_part or (0,))[0]}
        for name, where, variable, dtype, shared in spec.names:
            if where.startswith("count_"):
                # N_incoming, N_outgoing: the synapses' count of each neuron
                # of their part, at the synapse's neuron
                side = where[len("count_"):]
                self.arrays[name] = ir.Variable(
                    name, ir.Array(spec.name, variable, ir.DTYPES[dtype], "internal"), False,
                    pre if side == "pre" else post, 0)
                continue
            owner = {"synapse": spec.name, "pre": spec.source, "post": spec.target}[where]
            index = {"synapse": None, "pre": pre, "post": post}[where]
            # i and j count from a subgroup's first neuron: its group's arrays
            # are read further on
            self.arrays[name] = ir.Variable(name, ir.Array(owner, variable, ir.DTYPES[dtype]),
                                            shared, None if shared else index,
                                            0 if shared else first[where])

    def kernel(self, *args, pathway=None, **kwargs):
        """A kernel of the synapses; with ``pathway``, the constants of its
        delays (``_depth``, ``_dmin``, ``_dmax``: its ring of spikes and its
        delays in steps, values of the run)."""
        kernel = super().kernel(*args, **kwargs)
        constants = kernel.constants + tuple(
            (name, ir.Constant(self.spec.name, f"_{pathway.name}{name}"))
            for name in ("_depth", "_dmin", "_dmax") if pathway is not None)
        scalars = kernel.scalars - {"i", "j"}
        return type(kernel)(**{**kernel.__dict__, "constants": constants, "scalars": scalars})


@lowers(SynapsesSpec)
def lower_synapses(spec):
    """The pathways, in Brian's order: every ``pre`` pathway runs before the
    other objects of the synapses slot (order -1), every ``post`` pathway
    after them (order 1)."""
    kernels = []
    method = None
    if any(n for n in spec.equations.diff_eq_names
           if "event-driven" not in spec.equations[n].flags):
        kernel, method = _state_update(spec)
        kernels.append(("groups", kernel))
    # summed variables: just before the state update of the group they set
    # (Brian's order target.order - 1, or source.order - 1; for the same
    # order, after the synapses' own update)
    for name, side, var in spec.summed:
        order = spec.target_order if side == "post" else spec.source_order
        kernels.append(("groups", _summed(spec, name, side, var), order - 1))
    for pathway in spec.pathways:
        if pathway.side == "pre":
            kernels.append(("synapses", _pre_pathway(spec, pathway), -1))
        else:
            kernels.append(("synapses", _post_pathway(spec, pathway), 1))
    return kernels, method


def _by_neuron(spec, statements, side="post"):
    """Every synapse by target neuron (``side`` 'post') or by source neuron
    ('pre'), for (target, sympy value) ``statements``."""
    name = spec.name
    used = {s.name for _, value in statements for s in sympy.sympify(value).free_symbols}
    if side == "post":
        other = {n for n, where, *_ in spec.names if where == "pre"}
        group, size, part = spec.target, spec.target_N, spec.target_part
    else:
        # synapses belong to the thread of their target neuron: what it writes
        # in them (clock- and event-driven variables, the pathways' targets) and
        # the target's variables are another thread's
        other = {n for n, where, *_ in spec.names if where == "post"} | \
            set(spec.equations.diff_eq_names) | {"lastupdate"} | \
            {st.target for pathway in spec.pathways for st in pathway.statements}
        group, size, part = spec.source, spec.source_N, spec.source_part
    return ir.SynapsesByNeuron(synapses=name, group=group, size=size,
                               order=ir.Array(name, f"_order_{side}", "int32", "internal"),
                               offsets=ir.Array(name, f"_offsets_{side}", "int64", "internal"),
                               side=side, touches_other=bool(other & used), part=part)


def _state_update(spec):
    """The clock-driven equations, integrated every step for every synapse,
    by the thread that owns its target neuron."""
    eqs = spec.equations
    names = tuple(n for n in eqs.diff_eq_names if "event-driven" not in eqs[n].flags)
    xi_names = sorted(eqs.stochastic_variables)
    rhs, noise = {}, {}
    for n in names:
        rhs[n], noise[n] = _noise_split(n, _sympy(spec, eqs[n].expr), xi_names)
    update = integrate(ODESystem(names, rhs, noise), spec.method)
    # the noise of each synapse: a draw of the counter-based generator at
    # (synapse, step), whichever thread integrates it
    used = sorted({s.name for _, value in update.statements
                   for s in sympy.sympify(value).free_symbols} & set(xi_names))
    statements = [ir.Assign(xi, ir.Normal(ir.stream(spec.rng_id, ir.KIND_NOISE, k)))
                  for k, xi in enumerate(used)] + list(update.statements)
    kernel = _SynapseBuilder(spec).kernel(
        ir.Kernel, f"state update of {spec.name} ({update.method})", "synapses_update",
        _by_neuron(spec, update.statements), statements)
    return kernel, update.method


def _summed(spec, name, side, var):
    statements = [("_summed", _sympy(spec, spec.equations[name].expr))]
    # the variable is a parameter of the target (source) group (a float:
    # checked at run()), summed by the thread that owns its neuron
    group = spec.target if side == "post" else spec.source
    return _SynapseBuilder(spec).kernel(
        ir.Summed, f"summed variable {name} of {spec.name}", "summed",
        _by_neuron(spec, statements, side), statements,
        target=ir.Array(group, var, "float64"))


def _writes_pre(spec, builder, statements):
    pre = {n for n, where, *_ in spec.names if where == "pre"}
    return bool(pre & builder.used), bool(pre & {target for target, _ in statements})


def _post_pathway(spec, pathway):
    """The synapses of the target neurons whose event arrives: at once (a
    delay of 0), or through a ring of their past events."""
    name, p = spec.name, pathway.name
    builder = _SynapseBuilder(spec)
    statements = pathway_statements(spec, pathway.statements)
    by_delay = pathway.delayed and not pathway.one_delay
    space = ir.SpikingTargets(
        synapses=name, group=spec.target, size=spec.target_N, pathway=p,
        spikes=spikes_array(spec.target, pathway.event),
        order=ir.Array(name, f"_{p}_order" if by_delay else "_order_post", "int32", "internal"),
        offsets=ir.Array(name, "_offsets_post", "int64", "internal"),
        history=ir.Array(name, f"_{p}_history", "int32", "history") if pathway.delayed
        else None,
        delays=ir.Array(name, f"_{p}_delay_steps", "int32", "internal") if by_delay else None)
    kernel = builder.kernel(ir.Kernel, f"{p} pathway of {name}", "synapses_post", space,
                            statements, pathway=pathway)
    # a presynaptic neuron's variable belongs to another thread, which may be
    # at another step or writing it: a postsynaptic pathway that reads or
    # writes one runs the program on one thread
    reads, writes = _writes_pre(spec, builder, statements)
    return dataclasses.replace(kernel, space=dataclasses.replace(space, writes_pre=writes,
                                                                 reads_pre=reads))


def _pre_pathway(spec, pathway):
    """The synapses whose presynaptic event arrives after its delay."""
    name, p = spec.name, pathway.name
    in_order = pathway.in_order
    space = ir.ArrivingSynapses(
        synapses=name, source=spec.source, source_size=spec.source_N, target=spec.target,
        target_size=spec.target_N, spikes=spikes_array(spec.source, pathway.event),
        history=ir.Array(name, f"_{p}_history", "int32", "history"),
        offsets=ir.Array(name, "_offsets", "int64", "internal"),
        # compact storage: no order when the synapses are stored in it, no
        # per-synapse delays when there is one delay
        order=None if in_order else ir.Array(name, f"_{p}_order", "int32", "internal"),
        delays=None if pathway.one_delay
        else ir.Array(name, f"_{p}_delay_steps", "int32", "internal"),
        posts=ir.Array(name, "_post", "int32", "internal") if in_order
        else ir.Array(name, f"_{p}_post_sorted", "int32", "internal"),
        post_first=(spec.target_part or (0,))[0] if in_order else 0, pathway=p)
    builder = _SynapseBuilder(spec)
    statements = pathway_statements(spec, pathway.statements)
    kernel = builder.kernel(ir.Kernel, f"{p} pathway of {name}", "synapses_pre", space,
                            statements, pathway=pathway)
    reads, writes = _writes_pre(spec, builder, statements)
    space = dataclasses.replace(space, reads_pre=reads, writes_pre=writes)
    return dataclasses.replace(kernel, space=space)
