"""A Synapses' spec to its kernels: the ``pre`` pathway runs ``on_pre`` for
every synapse whose presynaptic spike arrives in this step (Brian's
``synapses`` slot: after thresholds, before resets)."""
import dataclasses

from .. import ir
from ..model.expressions import to_sympy
from ..specs import SynapsesSpec
from . import lowers
from .neurons import spikes_array, _KernelBuilder


def on_pre_statements(spec):
    """``on_pre`` as (target, sympy value) pairs, ``+=`` etc. expanded."""
    statements = []
    for st in spec.on_pre:
        value = to_sympy(st.expr)
        target = ir.symbol(st.target)
        if st.op != "=":
            value = {"+": target + value, "-": target - value,
                     "*": target * value, "/": target / value}[st.op[0]]
        statements.append((st.target, value))
    return statements


class _SynapseBuilder(_KernelBuilder):
    """Binds the names of ``on_pre``: synaptic variables at the synapse,
    ``x_pre``/``x_post`` (and unsuffixed postsynaptic names) at the
    synapse's neurons, ``i``/``j`` to its indices."""

    def __init__(self, spec):
        self.spec, self.kind = spec, ir.KIND_ON_PRE
        self.used, self.draws = set(), 0
        pre = ir.Array(spec.name, "_pre", "int32")
        post = ir.Array(spec.name, "_post", "int32")
        self.arrays = {"i": ir.Variable("i", pre), "j": ir.Variable("j", post)}
        for name, where, variable, dtype, shared in spec.names:
            owner = {"synapse": spec.name, "pre": spec.source, "post": spec.target}[where]
            index = {"synapse": None, "pre": pre, "post": post}[where]
            self.arrays[name] = ir.Variable(name, ir.Array(owner, variable, ir.DTYPES[dtype]),
                                            shared, None if shared else index)

    def kernel(self, *args, **kwargs):
        kernel = super().kernel(*args, **kwargs)
        constants = kernel.constants + tuple(
            (name, ir.Constant(self.spec.name, name)) for name in ("_depth", "_dmin", "_dmax"))
        scalars = kernel.scalars - {"i", "j"}
        return type(kernel)(**{**kernel.__dict__, "constants": constants, "scalars": scalars})


@lowers(SynapsesSpec)
def lower_synapses(spec):
    if not spec.on_pre:
        return [], None
    name = spec.name
    space = ir.ArrivingSynapses(
        synapses=name, source=spec.source, source_size=spec.source_N, target=spec.target,
        target_size=spec.target_N, spikes=spikes_array(spec.source),
        history=ir.Array(name, "_history", "int32", "history"),
        order=ir.Array(name, "_order", "int32", "internal"),
        offsets=ir.Array(name, "_offsets", "int64", "internal"),
        delays=ir.Array(name, "_delay_steps", "int32", "internal"),
        posts=ir.Array(name, "_post_sorted", "int32", "internal"))
    builder = _SynapseBuilder(spec)
    statements = on_pre_statements(spec)
    kernel = builder.kernel(ir.Kernel, f"on_pre of {name}", "synapses_pre", space, statements)
    pre = {n for n, where, *_ in spec.names if where == "pre"}
    written = {target for target, _ in statements}
    space = dataclasses.replace(space, reads_pre=bool(pre & builder.used),
                                writes_pre=bool(pre & written))
    return [("synapses", dataclasses.replace(kernel, space=space))], None

