"""Operations on a group's variables at a regular interval
(``G.run_regularly('v = vr', dt=...)``): one kernel over every neuron of
the group, in the slot and order the operation was given (Brian's default:
``start``), every ``period`` base steps."""
from .. import ir
from ..specs import RegularOperationSpec
from . import lowers
from .neurons import _KernelBuilder, _sympy, expanded


@lowers(RegularOperationSpec)
def lower_regular_operation(spec):
    group = spec.group
    builder = _KernelBuilder(group, ir.KIND_OPERATION, runner=spec)
    statements = [expanded(st, _sympy(group, st.expr)) for st in spec.statements]
    kernel = builder.kernel(ir.Kernel, f"run_regularly {spec.name} of {group.name}",
                            "state_update", ir.AllNeurons(group.name, group.N), statements)
    return [(spec.when, kernel)], None
