"""Lowering: specs to kernel IR, one module per object kind.

A lowering function takes one spec and returns ``(slot, kernel)`` pairs (the
slot of Brian's schedule each kernel runs in; ``(slot, kernel, order)`` for a
kernel whose order in its slot is not its object's) and a note for the log
(the integration method a group got, or None). Register one with
``@lowers(SpecType)``; :func:`lower_network` orders every kernel of a
network into one :class:`~neurocodegen.ir.Program`.
"""
from .. import ir

_LOWERINGS = {}


def lowers(spec_type):
    """Register the decorated function as the lowering of ``spec_type``."""
    def register(function):
        _LOWERINGS[spec_type] = function
        return function
    return register


class LoweringError(Exception):
    """A lowering failed for one spec: ``spec`` and the original ``error``."""

    def __init__(self, spec, error):
        super().__init__(str(error))
        self.spec, self.error = spec, error


def lower_network(specs):
    """The :class:`~neurocodegen.ir.Program` of ``specs``, which are in
    schedule order (slot, order, name). Kernels of one slot run in the
    order of their objects' ``order``, then, as Brian's, in the order of the
    names of Brian's objects that do their work (:func:`brian_name`), then
    in the order of ``specs``."""
    from . import inputs, monitors, neurons, operations, synapses  # noqa: F401  (they register)
    from .schedule import synchronisation
    from ..errors import NeurocodegenError
    placed, methods = [], {}
    for rank, spec in enumerate(specs):
        try:
            kernels, note = _LOWERINGS[type(spec)](spec)
        except NeurocodegenError as exc:
            raise LoweringError(spec, exc) from exc
        if note is not None:
            methods[spec.name] = note
        for slot, kernel, *order in kernels:      # a kernel may have its own order
            placed.append((ir.SCHEDULE.index(slot), order[0] if order else spec.order,
                           brian_name(spec, kernel), rank, kernel))
    kernels = tuple(k for *_, k in sorted(placed, key=lambda p: p[:4]))
    return ir.Program(arrays=_arrays(kernels), constants=_constants(kernels),
                      kernels=kernels, barriers=synchronisation(kernels), methods=methods)


def brian_name(spec, kernel):
    """The name of the object that does ``kernel``'s work in Brian. Brian
    breaks ties of slot and order by these names, and a group's parts are
    named after the group: ``neurongroup_1_stateupdater`` runs before
    ``neurongroup_stateupdater`` (where ``neurongroup`` would come first)."""
    from ..specs import NeuronGroupSpec, SynapsesSpec
    if isinstance(spec, NeuronGroupSpec):
        if kernel.op == "threshold":                      # the spike or a custom event
            return f"{spec.name}_{kernel.spikes.name[1:-len('space')]}_thresholder"
        return {"state_update": f"{spec.name}_stateupdater",
                "reset": f"{spec.name}_spike_resetter"}.get(kernel.op, spec.name)
    if isinstance(spec, SynapsesSpec):
        if kernel.op == "summed":
            return f"{spec.name}_summed_variable_{kernel.target.name}"
        if kernel.op in ("synapses_pre", "synapses_post"):
            return f"{spec.name}_{kernel.space.pathway}"
        return {"synapses_update": f"{spec.name}_stateupdater"}.get(kernel.op, spec.name)
    return spec.name


def _arrays(kernels):
    """Every array the kernels use, once, in order of first use."""
    seen = {}
    for kernel in kernels:
        for array in ir.arrays_of(kernel):
            seen.setdefault(array.ref, array)
    return tuple(seen.values())


def _constants(kernels):
    seen = {}
    for kernel in kernels:
        for _, constant in kernel.constants:
            seen.setdefault(constant.ref, constant)
    return tuple(seen.values())
