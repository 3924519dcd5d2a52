"""Operations at a regular interval: ``G.run_regularly(code, dt=...)``,
compiled into the run loop like the group's own kernels."""
from ..errors import NeurocodegenError
from ..model.expressions import parse_statements
from ..model.namespace import bind_externals, resolve_external
from ..model.unitcheck import check_statements
from ..specs import RegularOperationSpec
from .base import NetworkObject
from .groups import _in_group
from .functions import function_array
from .timedarray import table_array, table_constant


class RegularOperation(NetworkObject):
    """Statements run for every neuron of ``group`` every ``dt`` (made by
    :meth:`NeuronGroup.run_regularly`)."""

    def __init__(self, group, code, dt=None, clock=None, when="start", order=0, name=None):
        if dt is None and clock is None:
            clock = group.clock
        super().__init__(name or f"{group.name}_run_regularly*", dt=dt, clock=clock,
                         when=when, order=order)
        self.group = group
        self.code = code
        self.statements = parse_statements(code, "run_regularly")
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
                             constants=constants, context="run_regularly")
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
