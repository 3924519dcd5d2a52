"""NeuronGroup: state arrays, model strings, and their checks."""
import sys

import numpy as np

from ..errors import DimensionMismatchError, EquationError, NeurocodegenError
from ..model.equations import Equations
from ..model.expressions import evaluate, parse_expression, parse_statements
from ..model.namespace import bind_externals, resolve_external
from ..model.unitcheck import (check_statements, check_threshold, infer_dimension,
                               infer_type, is_zero_literal)
from ..specs import DTYPES, NeuronGroupSpec
from ..units import Quantity
from ..units.dimensions import DIMENSIONLESS, TIME
from .base import NetworkObject, assigned_values, check_assigned_unit, split_plain
from .clock import check_time, random_state
from .device import VariableView
from .functions import function_array
from .timedarray import table_array, table_constant

_BUILTINS = {"t": (TIME, "float"), "dt": (TIME, "float"),
             "i": (DIMENSIONLESS, "integer"), "N": (DIMENSIONLESS, "integer")}


#: What get_states gives besides the variables, as Brian does.
_READ_ONLY = ("N", "i", "t", "dt", "t_in_timesteps")


def _in_group(group, exc):
    """Re-raise ``exc`` (one of ours) with the group's name and origin added."""
    where = f"created at {group._created_at}"
    if f"'{group.name}'" not in str(exc):
        where = f"in group '{group.name}', " + where
    message = f"{exc}\n({where})"
    if isinstance(exc, DimensionMismatchError):
        return DimensionMismatchError(message, *exc.dims)
    new = type(exc).__new__(type(exc))
    new.__dict__.update(exc.__dict__)
    new.args = (message,)
    if hasattr(new, "message"):
        new.message = message
    return new


def group_size(N):
    """The number of neurons ``N`` as an int: a whole number, also given as a
    float (``NeuronGroup(int(0.8*N))``, ``NeuronGroup(round(x))``: numpy's
    ``round`` of the star import returns a float, and Brian takes ``int(N)``)."""
    if isinstance(N, (float, np.floating)) and np.isfinite(N) and N == int(N):
        N = int(N)
    if isinstance(N, (bool, np.bool_)) or not isinstance(N, (int, np.integer)):
        raise TypeError(f"The number of neurons N must be a whole number, got {N!r}.")
    if N < 1:
        raise ValueError(f"The number of neurons N must be at least 1, got {N}.")
    if N >= 2**31:
        raise ValueError(f"N = {N} is too large (the limit is 2**31 - 1).")
    return int(N)


class NeuronGroup(NetworkObject):
    """A group of ``N`` neurons sharing one model.

    ``model`` is a string of equations (or :class:`Equations`); ``threshold``
    a boolean expression; ``reset`` one or more statements; ``refractory`` a
    time, an expression of time, or a boolean expression; ``method`` the
    integration scheme ('exact', 'euler', 'rk4', ...; chosen automatically if
    omitted); ``namespace`` a dict of external constants (default: the names
    visible where ``run()`` is called); ``events`` a dict of custom events,
    name -> condition, checked every step like the threshold (see
    ``run_on_event`` and ``EventMonitor``).
    """

    _stored_attributes = ("_arrays", "_spikespace", "_eventspaces")

    def __init__(self, N, model, method=None, threshold=None, reset=None,
                 refractory=False, events=None, namespace=None, dt=None, clock=None,
                 order=0, name="neurongroup*"):
        N = group_size(N)
        super().__init__(name, dt=dt, clock=clock, when="groups", order=order)
        self.N = N
        self.equations = model if isinstance(model, Equations) else Equations(model)
        for eq in self.equations.values():
            synaptic = eq.flags & {"event-driven", "clock-driven", "summed"}
            if synaptic:
                raise EquationError(f"The flag '{sorted(synaptic)[0]}' of '{eq}' belongs to "
                                    f"Synapses models, not to a NeuronGroup.")
        self.method = method
        self.namespace = namespace
        self.threshold = parse_expression(threshold, "threshold") if threshold else None
        self.reset = parse_statements(reset, "reset") if reset else ()
        if reset and threshold is None:
            raise EquationError(f"Group '{self.name}' has a reset but no threshold.")
        self._init_refractory(refractory)
        self._events = _parse_events(events, self.name)
        self._arrays = {}
        self._links = {}          # linked variable -> Link (runtime/linked.py)
        for eq in self.equations.values():
            if "linked" in eq.flags:
                continue
            if eq.kind != "subexpression" or "constant over dt" in eq.flags:
                size = 1 if "shared" in eq.flags else self.N
                self._arrays[eq.name] = np.zeros(size, dtype=DTYPES[eq.dtype])
        if self.has_refractoriness:
            self._arrays["lastspike"] = np.full(self.N, -1e4)
            self._arrays["not_refractory"] = np.ones(self.N, dtype=np.bool_)
        self._spikespace = np.zeros(self.N + 1, dtype=np.int32)
        self._eventspaces = {name: np.zeros(self.N + 1, dtype=np.int32)
                             for name in self._events}
        self._externals = {}
        self._functions = {}      # TimedArrays and Functions the model calls
        self._external_dims = {}
        self._dirty = set()       # variables assigned since the last run (standalone)
        self._pending = None      # why values cannot be read now (standalone), or None
        self._contained = []      # operations of run_regularly
        self._initialized = True

    # -- model description ---------------------------------------------------
    def _init_refractory(self, refractory):
        self.refractory = refractory
        self.has_refractoriness = refractory is not False and refractory is not None
        self._refractory_expr = None
        if isinstance(refractory, str):
            self._refractory_expr = parse_expression(refractory, "refractory")
        elif self.has_refractoriness:
            check_time(refractory, "refractory")

    def variable_table(self):
        """name -> (array, dtype, shared) for every stored variable."""
        table = {}
        for name, array in self._arrays.items():
            eq = self.equations.get(name)
            dtype = eq.dtype if eq is not None else (
                "boolean" if name == "not_refractory" else "float")
            table[name] = (array, dtype, eq is not None and "shared" in eq.flags)
        return table

    @property
    def _spiking(self):
        """Whether it makes spikes (it has a threshold), to drive Synapses."""
        return self.threshold is not None

    def _writable(self):
        """The variables that statements (a reset, ``run_regularly``) may
        write: stored ones, except ``(constant)`` parameters."""
        return {n for n in self.variable_table()
                if n not in self.equations or "constant" not in self.equations[n].flags}

    def _has_event(self, event):
        """Whether the group makes the event ``event`` ('spike': it has a
        threshold)."""
        return self._spiking if event == "spike" else event in self._events

    def run_on_event(self, event, code, when="after_resets", order=None):
        """Run the statements ``code`` for the neurons that had the event
        ``event`` in this step, in the slot ``when`` (Brian's default:
        after the resets). Returns the operation, which joins every network
        the group joins."""
        from .operations import EventOperation
        if not self._has_event(event) or event == "spike":
            known = ", ".join(repr(e) for e in sorted(self._events)) or "none"
            raise ValueError(f"Group '{self.name}' has no custom event {event!r} (its events: "
                             f"{known}; for spikes, give a reset).")
        if any(getattr(o, "event", None) == event for o in self._contained):
            raise ValueError(f"Group '{self.name}' already runs code on the event {event!r}.")
        operation = EventOperation(self, event, code, when=when,
                                   order=self.order if order is None else order)
        self._contained.append(operation)
        return operation

    def run_regularly(self, code, dt=None, clock=None, when="start", order=0, name=None):
        """Run the statements ``code`` for every neuron every ``dt`` (the
        group's clock by default), in the schedule slot ``when``, as Brian's
        ``run_regularly``; compiled like the rest of the step. Returns the
        operation, which joins every network the group joins."""
        from .operations import RegularOperation
        operation = RegularOperation(self, code, dt=dt, clock=clock, when=when, order=order,
                                     name=name)
        self._contained.append(operation)
        return operation

    def _dims_and_types(self):
        dims, types = {}, {}
        for name, (dim, dtype) in _BUILTINS.items():
            dims[name], types[name] = dim, dtype
        for eq in self.equations.values():
            dims[eq.name], types[eq.name] = eq.dim, eq.dtype
        if self.has_refractoriness:
            dims["lastspike"], types["lastspike"] = TIME, "float"
            dims["not_refractory"], types["not_refractory"] = DIMENSIONLESS, "boolean"
        for xi in self.equations.stochastic_variables:
            dims[xi], types[xi] = TIME ** -0.5, "float"
        return dims, types

    def _external_names(self):
        names = set(self.equations.identifiers)
        if self.threshold is not None:
            names |= self.threshold.identifiers
        for st in self.reset:
            names |= st.expr.identifiers
        if self._refractory_expr is not None:
            names |= self._refractory_expr.identifiers
        for condition in self._events.values():
            names |= condition.identifiers
        own, _ = self._dims_and_types()
        return sorted(names - set(own))

    def dependencies(self):
        """The groups whose variables it links to."""
        return tuple(link.source for link in self._links.values())

    def _linked_names(self):
        return [eq.name for eq in self.equations.values() if "linked" in eq.flags]

    def before_run(self, run_namespace):
        """Resolve external names and check every unit; called by ``run()``."""
        unlinked = [n for n in self._linked_names() if n not in self._links]
        if unlinked:
            raise EquationError(f"'{unlinked[0]}' of group '{self.name}' is (linked) but "
                                f"linked to nothing: set {self.name}.{unlinked[0]} = "
                                "linked_var(H, 'x') before running.")
        try:
            values = resolve_external(self._external_names(), self.namespace, run_namespace)
            dims, types = self._dims_and_types()
            constants, functions = bind_externals(values, dims, types)
            for function in functions.values():      # e.g. a TimedArray's dt fits ours
                function.code_spec(self.clock.dt_, self)
            external_dims = {n: dims[n] for n in values}
            self._external_dims = external_dims
            self.equations.check_units(external_dims, group_name=self.name)
            if self.threshold is not None:
                check_threshold(self.threshold, dims, types, constants=constants)
            for condition in self._events.values():
                check_threshold(condition, dims, types, constants=constants)
            if self.reset:
                check_statements(self.reset, dims, types, writable=self._writable(),
                                 constants=constants)
            if self._refractory_expr is not None:
                kind = infer_type(self._refractory_expr, types)
                self._refractory_is_condition = kind == "boolean"
                if kind != "boolean":
                    dim = infer_dimension(self._refractory_expr, dims, constants)
                    if dim is not TIME:
                        raise DimensionMismatchError(
                            f"refractory='{self._refractory_expr.code}' must be a time or "
                            f"a boolean condition, but has unit {dim}.", dim, TIME)
        except NeurocodegenError as exc:
            raise _in_group(self, exc) from None
        if self.has_refractoriness and self._refractory_expr is None:
            constants["_refractory"] = float(self.refractory)
        self._externals = constants
        self._functions = functions

    # -- the protocol of simulation objects (see runtime/base.py) ---------------
    def spec(self, period):
        """Everything about this group that shapes its generated code (not
        values: those are passed at run time), after :meth:`before_run`."""
        refractory = (None if not self.has_refractoriness else
                      "time" if self._refractory_expr is None else
                      (self._refractory_expr, self._refractory_is_condition))
        method = self.method if isinstance(self.method, (str, type(None))) \
            else tuple(self.method)
        return NeuronGroupSpec(name=self.name, N=self.N, equations=self.equations,
                               threshold=self.threshold, reset=tuple(self.reset),
                               refractory=refractory, method=method,
                               events=tuple(sorted(self._events.items())),
                               externals=tuple(sorted(self._externals)),
                               functions=self._function_specs(), rng_id=self._rng_id,
                               period=period, order=self.order,
                               linked=tuple((n, link.source.name, link.source_name,
                                             link.source.variable_table()[link.source_name][1],
                                             link.source.variable_table()[link.source_name][2],
                                             link.index_array)
                                            for n, link in sorted(self._links.items())))

    def _function_specs(self):
        """(name, what its code needs) of the functions the model calls."""
        return tuple((name, f.code_spec(self.clock.dt_, self))
                     for name, f in sorted(self._functions.items()))

    def array(self, name):
        """The numpy array the compiled code uses for ``name``."""
        if name == "_spikespace":
            return self._spikespace
        if name.startswith("_") and name.endswith("space") and name[1:-5] in self._eventspaces:
            return self._eventspaces[name[1:-5]]
        if name.startswith("_table_"):
            return table_array(self._functions, name)
        if name.startswith("_function_"):
            return function_array(self._functions, name, self.clock.dt_)
        if name.startswith("_linked_"):
            return self._links[name[8:]].index
        return self._arrays[name]

    def constant(self, name):
        """The value of the run-time constant ``name`` (SI units)."""
        if name == "N":
            return self.N
        if name == "dt":
            return self.clock.dt_
        if name.startswith("_table_"):
            return table_constant(self._functions, name, self.clock.dt_, self)
        return self._externals[name]

    def wrap_error(self, exc):
        """``exc`` (one of ours) with this group's name and origin added."""
        return _in_group(self, exc)

    # -- state variables as attributes -----------------------------------------
    def __getattr__(self, name):
        if name.startswith("_") or "_arrays" not in self.__dict__:
            raise AttributeError(name)
        key, plain = split_plain(name, self._arrays)
        if key in self._arrays:
            return VariableView(self, name)
        if name == "i":
            return np.arange(self.N)
        key, plain = split_plain(name, self._links)
        if key in self._links:                          # read where it is linked
            link = self._links[key]
            values = np.asarray(getattr(link.source, link.source_name + "_")[:])
            index = self._arrays[link.index] if isinstance(link.index, str) else link.index
            values = np.broadcast_to(values if index is None else values[index], (self.N,))
            return values.copy() if plain else Quantity(values, dim=self.equations[key].dim)
        if name in ("t", "t_"):
            return self.clock.t if name == "t" else self.clock.t_
        key, plain = split_plain(name, self.equations.subexpr_names)
        if key in self.equations.subexpr_names:        # evaluated now, with units (I_: without)
            values = self._evaluate(self.equations[key].expr, sys._getframe(1),
                                    f"{self.name}.{key}")
            return np.asarray(values) if plain else values
        raise AttributeError(f"'{self.name}' has no state variable or attribute '{name}'")

    def __setattr__(self, name, value):
        if "_initialized" not in self.__dict__ or name.startswith("_"):
            return super().__setattr__(name, value)
        key, plain = split_plain(name, self._arrays)
        if name in self._linked_names():
            from .linked import make_link
            self._links[name] = make_link(self, name, value)
            return
        if key not in self._arrays:
            if name in self.equations:
                raise AttributeError(f"'{name}' of group '{self.name}' is a subexpression "
                                     "and cannot be assigned.")
            if hasattr(type(self), name) or name in self.__dict__:
                return super().__setattr__(name, value)
            raise AttributeError(f"Group '{self.name}' has no state variable '{name}'.")
        self._assign(key, value, sys._getframe(1), check_units=not plain)

    def _values(self, name):
        """The values of variable ``name`` (``v_``: without unit)."""
        key, plain = split_plain(name, self._arrays)
        if self._pending:
            raise NotImplementedError(self._pending.format(what=f"{self.name}.{key}"))
        array = self._arrays[key]
        dim = self._dims_and_types()[0][key]
        if plain or dim is DIMENSIONLESS:
            return array
        return Quantity(array, dim=dim)

    def _selected(self, index, frame, part=None, name=None):
        """The neurons ``G.v[index]`` means: for a condition string (``'i > 5'``,
        ``'v > -50*mV'``, with the names of the model and of ``frame``) their
        indices, else ``index`` itself (numbers, slices, integer or boolean
        arrays, as numpy takes them). With ``part`` (first, stop), those of
        the subgroup ``name`` (indices from its first neuron)."""
        first, stop = part if part is not None else (0, self.N)
        if not isinstance(index, str):
            return index if part is None else np.arange(stop - first)[index]
        owner = f"group '{self.name}'" if name is None else f"'{name}'"
        expr = parse_expression(index, f"index of {name or self.name}")
        mask = self._evaluate(expr, frame, f"{name or self.name}['{index}']", part=part)
        if np.asarray(mask).dtype != np.bool_:
            raise EquationError(f"The index '{expr.code}' of {owner} must be a condition "
                                f"such as 'i > 5' or 'v > -50*mV'.")
        return np.flatnonzero(np.broadcast_to(mask, (stop - first,)))

    def _get_items(self, name, index):
        """``G.v[index]``, through a VariableView; a shared variable's
        ``G.x[:]`` is its one value (a scalar, as in Brian)."""
        values = self._values(name)
        if isinstance(index, slice) and index == slice(None) and self._is_shared(name):
            return values[0]
        return values[self._selected(index, sys._getframe(2))]

    def _is_shared(self, name):
        key, _ = split_plain(name, self._arrays)
        return "shared" in getattr(self.equations.get(key), "flags", ())

    def _set_items(self, name, index, value):
        """``G.v[index] = value``, through a VariableView: ``index`` as
        :meth:`_selected` takes it, ``value`` with units (a plain zero has
        every unit), or a string evaluated for the selected neurons."""
        key, plain = split_plain(name, self._arrays)
        if self._pending:
            raise NotImplementedError(
                f"Cannot set part of {self.name}.{key} after a run in standalone mode: its "
                f"values are only known when the program runs. Assign the whole variable "
                f"({self.name}.{key} = ...) or use run_args.")
        frame = sys._getframe(2)
        selected = self._selected(index, frame)
        array = self._arrays[key]
        dim = self._dims_and_types()[0][key]
        if isinstance(value, str):
            expr = parse_expression(value, f"assignment to {self.name}.{key}")
            value = self._evaluate(expr, frame, f"{self.name}.{key}[...] = '{value}'",
                                   expected_dim=dim)
            value = np.broadcast_to(value, array.shape)[selected]
        elif not plain:
            check_assigned_unit(self.name, key, value, dim)
        array[selected] = np.asarray(value)
        self._dirty.add(key)

    # -- Brian's get_states and set_states ------------------------------------
    def _state_names(self, subexpressions=False, read_only_variables=True):
        """Brian's order: the built-in read-only values, then the variables."""
        names = list(_READ_ONLY) if read_only_variables else []
        for name, eq in self.equations.items():
            if name in self._arrays or (subexpressions and eq.kind == "subexpression"):
                names.append(name)
        return names + [n for n in ("lastspike", "not_refractory") if n in self._arrays]

    def get_states(self, vars=None, units=True, format="dict", subexpressions=False,
                   read_only_variables=True, level=0):
        """A copy of the variables' values, as Brian's ``get_states``: ``{name:
        values}`` of ``vars`` (default: every variable, with ``N``, ``i``,
        ``t`` and ``dt`` unless ``read_only_variables`` is False, and the
        subexpressions if ``subexpressions``), with units unless ``units`` is
        False; ``format='pandas'`` gives a pandas DataFrame (``units=False``)."""
        pandas = _states_pandas(format, units)
        names = self._state_names(subexpressions, read_only_variables) if vars is None \
            else list(vars)
        frame = sys._getframe(1 + level)
        states = {}
        for name in names:
            states[name] = self._state(name, units, frame)
        return states if format == "dict" else pandas.DataFrame(states)

    def _state(self, name, units, frame):
        if name in self._arrays:
            shared = "shared" in getattr(self.equations.get(name), "flags", ())
            values = np.array(self._values(name if units else name + "_"))
            values = values[0] if shared else values
            dim = self._dims_and_types()[0][name]
            return Quantity(values, dim=dim) if units and dim is not DIMENSIONLESS else values
        if name in ("N", "i"):
            return self.N if name == "N" else np.arange(self.N)
        if name in ("t", "dt"):
            value = self.clock.t_ if name == "t" else self.clock.dt_
            return Quantity(value, dim=TIME) if units else value
        if name == "t_in_timesteps":
            return int(round(self.clock.t_ / self.clock.dt_))
        eq = self.equations.get(name)
        if eq is None:
            raise KeyError(f"Group '{self.name}' has no variable {name!r}.")
        values = self._evaluate(eq.expr, frame, f"{self.name}.{name}")
        return values if units else np.asarray(values)

    def set_states(self, values, units=True, format="dict", level=0):
        """Set variables from ``{name: values}`` (or a pandas DataFrame with
        ``format='pandas'`` and ``units=False``), as Brian's ``set_states``;
        with ``units`` (the default) each value's unit is checked."""
        values = _state_values(values, format, units)
        for name in values:
            if name not in self._arrays:
                raise (EquationError(f"Cannot set {self.name}.{name}: it is read-only (a "
                                     "subexpression or a built-in value).")
                       if name in self.equations or name in _READ_ONLY else
                       KeyError(f"Group '{self.name}' has no variable {name!r}."))
        frame = sys._getframe(1 + level)
        for name, value in values.items():
            self._assign(name, value, frame, check_units=units)

    def _assign(self, name, value, frame, check_units=True):
        array = self._arrays[name]
        dim = self._dims_and_types()[0][name]
        evaluated = isinstance(value, str)
        if evaluated:
            expr = parse_expression(value, f"assignment to {self.name}.{name}")
            value = self._evaluate(expr, frame, f"{self.name}.{name} = '{value}'",
                                   expected_dim=dim)
        array[:] = assigned_values(self.name, name, value, dim, len(array), check_units,
                                   evaluated)
        self._dirty.add(name)

    def _evaluate(self, expr, frame, what, expected_dim=None, part=None):
        """Evaluate a string expression over the whole group, in numpy, or
        over the neurons ``range(*part)`` (a subgroup: ``i`` counts from its
        first neuron and ``N`` is its size)."""
        dims, types = self._dims_and_types()
        stale = sorted(expr.identifiers & (set(self._arrays) | set(self.equations)))
        if self._pending and stale:
            raise NotImplementedError(self._pending.format(
                what=f"'{expr.code}' (it uses {self.name}.{stale[0]})"))
        first, stop = part if part is not None else (0, self.N)
        values = {"i": np.arange(stop - first), "N": stop - first, "t": self.clock.t_,
                  "dt": self.clock.dt_}
        for n, (array, _, shared) in self.variable_table().items():
            values[n] = array[0] if shared else array[first:stop]
        # the subexpressions the expression uses, directly or through others
        subexpressions, names = [], set(expr.identifiers)
        for sub in reversed(self.equations.subexpr_names):     # users before what they use
            if sub in names:
                subexpressions.insert(0, sub)
                names |= self.equations[sub].expr.identifiers
        external = sorted(names - set(dims) - set(self.equations))
        caller = {**frame.f_globals, **frame.f_locals}
        try:
            resolved = resolve_external(external, self.namespace, caller)
            constants, functions = bind_externals(resolved, dims, types)
            values.update(constants)
            values.update({n: f.plain(self.clock.dt_) for n, f in functions.items()})
            for sub in subexpressions:                           # in dependency order
                values[sub] = evaluate(self.equations[sub].expr, values)
            dim = infer_dimension(expr, dims, values)
        except NeurocodegenError as exc:
            raise _in_group(self, exc) from None
        if expected_dim is not None and dim is not expected_dim \
                and not is_zero_literal(expr.tree):
            raise DimensionMismatchError(
                f"Inconsistent units in '{what}': the expression has unit {_fmt(dim)} but "
                f"the variable has unit {_fmt(expected_dim)}.", dim, expected_dim)
        result = evaluate(expr, values,
                          **random_state.assignment_draws(self._rng_id, stop - first))
        if expected_dim is None and dim is not DIMENSIONLESS:
            return Quantity(result, dim=dim)
        return result

    def __getitem__(self, item):
        """``G[10:50]``: a subgroup, a view of neurons 10..49 that shares their
        state (see ``runtime/subgroup.py``)."""
        from .subgroup import Subgroup
        return Subgroup.of(self, item)

    def __len__(self):
        return self.N

    def __repr__(self):
        return f"NeuronGroup({self.N}, name={self.name!r})"


def _states_pandas(format, units):
    """``get_states``' format checked: pandas for ``format='pandas'``
    (``units=False``), None for 'dict'."""
    if format not in ("dict", "pandas"):
        raise NotImplementedError(f"get_states(format={format!r}): the formats are "
                                  "'dict' and 'pandas'.")
    return _pandas("get_states", units) if format == "pandas" else None


def _state_values(values, format, units):
    """``set_states``' values as ``{name: values}``: the format checked, and
    a pandas DataFrame's columns taken (``format='pandas'``, ``units=False``)."""
    if format not in ("dict", "pandas"):
        raise NotImplementedError(f"set_states(format={format!r}): the formats are "
                                  "'dict' and 'pandas'.")
    if format == "pandas":
        _pandas("set_states", units)
        return {column: values[column].to_numpy() for column in values.columns}
    return values


def _pandas(what, units):
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(f"{what}(format='pandas') needs pandas: {exc}") from None
    if units:
        raise NotImplementedError(f"{what}(format='pandas') works without units, as in "
                                  "Brian: pass units=False.")
    return pandas


def _parse_events(events, group):
    """``events`` (name -> condition) as name -> Expression, checked."""
    from ..model.expressions import check_name
    out = {}
    for name, condition in (events or {}).items():
        if not isinstance(name, str) or name == "spike":
            raise ValueError(f"Group '{group}': {name!r} cannot name a custom event ('spike' "
                             "is the threshold's).")
        check_name(name, "event name")
        out[name] = parse_expression(condition, f"event '{name}'")
    return out


def _fmt(dim):
    from ..units import format_dimension
    return format_dimension(dim)
