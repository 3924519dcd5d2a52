"""Operations on a group's variables: at a regular interval
(``G.run_regularly('v = vr', dt=...)``), one kernel over every neuron of
the group, in the slot and order the operation was given (Brian's default:
``start``), every ``period`` base steps; on a custom event
(``G.run_on_event('up', 'v = 0')``), one kernel over the neurons that had
the event in the step."""
from .. import ir
from ..specs import EventOperationSpec, RegularOperationSpec
from . import lowers
from .neurons import _KernelBuilder, _sympy, expanded, guarded, spikes_array, unless_refractory


@lowers(RegularOperationSpec)
def lower_regular_operation(spec):
    group = spec.group
    builder = _KernelBuilder(group, ir.KIND_OPERATION, runner=spec)
    statements = guarded([expanded(st, _sympy(group, st.expr)) for st in spec.statements],
                         unless_refractory(group))
    kernel = builder.kernel(ir.Kernel, f"run_regularly {spec.name} of {group.name}",
                            "state_update", ir.AllNeurons(group.name, group.N), statements)
    return [(spec.when, kernel)], None


@lowers(EventOperationSpec)
def lower_event_operation(spec):
    """``run_on_event``: the statements for each neuron that had the event,
    as a reset runs for each neuron that spiked."""
    group = spec.group
    builder = _KernelBuilder(group, ir.KIND_OPERATION, runner=spec)
    statements = [expanded(st, _sympy(group, st.expr)) for st in spec.statements]
    space = ir.SpikingNeurons(group.name, group.N, spikes_array(group.name, spec.event))
    kernel = builder.kernel(ir.Kernel, f"on event {spec.event!r} of {group.name}", "reset",
                            space, statements)
    return [(spec.when, kernel)], None
