"""Inputs' specs to their kernels: a SpikeGeneratorGroup's spikes are read
from its table of events, in the thresholds slot (where a group's spikes
are made); a PoissonInput adds its weight times a binomial draw to a
variable of every neuron, each step (in the synapses slot by default)."""
from .. import ir
from ..specs import PoissonInputSpec, SpikeGeneratorSpec
from . import lowers
from .neurons import _KernelBuilder, _sympy, expanded, guarded, spikes_array, unless_refractory

#: The run-time constants of a PoissonInput's draw (see
#: ``runtime.random.binomial_constants``; ``_loc``/``_scale`` for Brian's
#: normal approximation).
BINOMIAL_CONSTANTS = ("_n", "_P", "_q", "_qn", "_bound", "_reverse")
NORMAL_CONSTANTS = ("_loc", "_scale")


@lowers(SpikeGeneratorSpec)
def lower_spike_generator(spec):
    constants = tuple((name, ir.Constant(spec.name, name))
                      for name in ("_period_steps", "_event_offset", "_nevents", "dt"))
    kernel = ir.Generator(name=f"spikes of {spec.name}", owner=spec.name,
                          op="spike_generator", space=ir.AllNeurons(spec.name, spec.N),
                          period=spec.period, statements=(), constants=constants,
                          spikes=spikes_array(spec.name),
                          steps=ir.Array(spec.name, "_steps", "int64", "input"),
                          indices=ir.Array(spec.name, "_indices", "int32", "input"))
    return [(spec.when, kernel)], None


@lowers(PoissonInputSpec)
def lower_poisson_input(spec):
    group = spec.group
    tag = ir.stream(spec.rng_id, ir.KIND_INPUT, 0)
    if spec.normal:
        loc, scale = (ir.symbol(n) for n in NORMAL_CONSTANTS)
        draw = loc + scale * ir.Normal(tag)
    else:
        draw = ir.Binomial(tag, *(ir.symbol(n) for n in BINOMIAL_CONSTANTS))
    st = spec.statement
    # rand() in the weight: draws of their own kind (the binomial's restarts
    # take the streams after its own)
    builder = _KernelBuilder(group, ir.KIND_OPERATION, runner=spec)
    statement, = guarded([expanded(st, _sympy(group, st.expr) * draw)],
                         unless_refractory(group))
    kernel = builder.kernel(ir.Kernel, f"PoissonInput {spec.name} of {group.name}",
                            "state_update", ir.AllNeurons(group.name, group.N), [statement])
    return [(spec.when, kernel)], None
