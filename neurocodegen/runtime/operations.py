"""Operations at a regular interval: ``G.run_regularly(code, dt=...)``,
compiled into the run loop like the group's own kernels, and
``@network_operation``, a Python function called between time steps."""
import functools
import inspect

from ..errors import NeurocodegenError
from ..model.expressions import parse_statements
from ..model.namespace import bind_externals, resolve_external
from ..model.unitcheck import check_statements
from ..specs import EventOperationSpec, RegularOperationSpec
from ..units import Quantity
from ..units.dimensions import TIME
from .base import NetworkObject
from .device import get_device
from .groups import _in_group
from .functions import function_array
from .timedarray import table_array, table_constant


class RegularOperation(NetworkObject):
    """Statements run for every neuron of ``group`` every ``dt`` (made by
    :meth:`NeuronGroup.run_regularly`)."""

    #: names the statements in errors
    context = "run_regularly"

    def __init__(self, group, code, dt=None, clock=None, when="start", order=0, name=None):
        if dt is None and clock is None:
            clock = group.clock
        super().__init__(name or f"{group.name}_run_regularly*", dt=dt, clock=clock,
                         when=when, order=order)
        self.group = group
        self.code = code
        self.statements = parse_statements(code, self.context)
        self._externals = {}
        self._own_functions = {}

    def dependencies(self):
        return (self.group,)

    def before_run(self, namespace):
        group = self.group
        dims, types = group._dims_and_types()
        names = set().union(*(st.expr.identifiers for st in self.statements)) - set(dims)
        try:
            values = resolve_external(names, group.namespace, namespace)
            constants, functions = bind_externals(values, dims, types)
            for function in functions.values():
                function.code_spec(self.clock.dt_, self)
            check_statements(self.statements, dims, types, writable=group._writable(),
                             constants=constants, context=self.context)
        except NeurocodegenError as exc:
            raise _in_group(group, exc) from None
        self._externals = constants
        self._own_functions = functions

    @property
    def _functions(self):
        """The functions (TimedArrays, Functions) its statements call, and
        those of the group's subexpressions."""
        return {**self.group._functions, **self._own_functions}

    def spec(self, period):
        # the group's own constants (of its subexpressions) are passed too
        externals = sorted(set(self._externals) | set(self.group._externals))
        return RegularOperationSpec(name=self.name, group=self.group.spec(1),
                                    statements=tuple(self.statements),
                                    externals=tuple(externals),
                                    functions=tuple(
                                        (name, f.code_spec(self.clock.dt_, self))
                                        for name, f in sorted(self._functions.items())),
                                    rng_id=self._rng_id,
                                    period=period, when=self.when, order=self.order)

    def array(self, name):
        if name.startswith("_function_"):
            return function_array(self._functions, name, self.clock.dt_)
        return table_array(self._functions, name)

    def constant(self, name):
        if name == "dt":
            return self.clock.dt_
        if name.startswith("_table_"):
            return table_constant(self._functions, name, self.clock.dt_, self)
        if name in self._externals:
            return self._externals[name]
        return self.group.constant(name)

    def __repr__(self):
        return f"<RegularOperation {self.name!r} of {self.group.name!r}: {self.code!r}>"


class EventOperation(RegularOperation):
    """Statements run for the neurons of ``group`` that had a custom event
    in the step (made by :meth:`NeuronGroup.run_on_event`)."""

    context = "run_on_event"

    def __init__(self, group, event, code, when="after_resets", order=0):
        super().__init__(group, code, clock=group.clock, when=when, order=order,
                         name=f"{group.name}_{event}_resetter*")
        self.event = event

    def spec(self, period):
        operation = super().spec(period)
        return EventOperationSpec(name=self.name, group=operation.group, event=self.event,
                                  statements=operation.statements,
                                  externals=operation.externals, functions=operation.functions,
                                  rng_id=self._rng_id, period=period, when=self.when,
                                  order=self.order)


class NetworkOperation(NetworkObject):
    """A Python function called during a run every ``dt`` (made by
    ``@network_operation``), at the start of a time step (``when='start'``,
    before anything of that step) or at its end (``when='end'``), with the
    time as argument if it takes one. Runtime mode only: the compiled loop
    returns to Python at those steps."""

    def __init__(self, function, dt=None, clock=None, when="start", order=0,
                 name="networkoperation*"):
        if when not in ("start", "end"):
            raise ValueError(f"network_operation: when={when!r} is not supported; a Python "
                             f"function runs between time steps, at the 'start' or the "
                             f"'end' of a step. For statements at another slot, use "
                             f"G.run_regularly(..., when={when!r}).")
        super().__init__(name, dt=dt, clock=clock, when=when, order=order)
        self.function = function
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            parameters = {}
        self._takes_time = len(parameters) > 0

    def before_run(self, namespace):
        if get_device().standalone:
            raise NotImplementedError(
                f"network_operation {self.function.__name__!r} runs Python code during the "
                f"run, which a standalone program cannot do. Use G.run_regularly('...') for "
                f"statements on a group's variables, or split the run into several runs "
                f"and change values in between.")

    def spec(self, period):
        return None                          # no compiled code

    def __call__(self, t):
        """Call the function at time ``t`` (seconds)."""
        if self._takes_time:
            return self.function(Quantity(t, dim=TIME))
        return self.function()

    def __repr__(self):
        return f"<NetworkOperation {self.name!r}: {getattr(self.function, '__name__', '?')}>"


def network_operation(*args, dt=None, clock=None, when="start", order=0, name=None):
    """Decorator: ``@network_operation(dt=1*ms)`` above a function (of no
    argument, or of the time) makes it run during ``run()``, as Brian's."""
    def make(function):
        operation = NetworkOperation(function, dt=dt, clock=clock, when=when, order=order,
                                     name=name or "networkoperation*")
        functools.update_wrapper(operation, function)
        return operation
    if len(args) == 1 and callable(args[0]) and not isinstance(args[0], NetworkObject):
        return make(args[0])                  # @network_operation without arguments
    if args:
        raise TypeError("network_operation takes keyword arguments only (dt=, clock=, "
                        "when=, order=).")
    return make
