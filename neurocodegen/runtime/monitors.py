"""Monitors: the compiled loop writes straight into their numpy buffers."""
import numpy as np

from ..specs import DTYPES, Column, Recording, SpikeMonitorSpec, StateMonitorSpec
from ..units import Quantity
from .base import NetworkObject
from .subgroup import whole
from ..units.dimensions import TIME



def _with_unit(values, dim):
    return values if dim.is_dimensionless else Quantity(values, dim=dim)


class SpikeMonitor(NetworkObject):
    """Records the spikes of a group: ``t``, ``i``, ``count``, ``num_spikes``,
    and the values of ``variables`` at each spike (``M.v``, ``values('v')``).
    With ``record=False`` only the per-neuron counts are kept."""

    _stored_attributes = ("_i", "_t", "_values", "_count", "_fill")

    def __init__(self, source, variables=None, record=True, when="thresholds", order=1,
                 name="spikemonitor*"):
        event = getattr(self, "event", "spike")
        if not (source._has_event(event) if hasattr(source, "_has_event")
                else getattr(source, "_spiking", False)):
            if event == "spike":
                raise ValueError(f"SpikeMonitor needs a group with a threshold; "
                                 f"{source!r} has none.")
            raise ValueError(f"EventMonitor: {source!r} has no event {event!r}.")
        super().__init__(name, clock=source.clock, when=when, order=order)
        self.source = source
        # a subgroup's spikes: those of its group's neurons first..stop-1
        self._group, self._first = whole(source)
        self.record = bool(record)
        #: The variables recorded at each event besides ``i`` and ``t``, as
        #: Brian's ``record_variables``.
        self.record_variables = self._recorded_variables(variables)
        self._count = np.zeros(source.N, dtype=np.int64)
        capacity = 1024 if self.record else 0
        self._i = np.zeros(capacity, dtype=np.int32)
        self._t = np.zeros(capacity, dtype=np.float64)
        table = self.source.variable_table() if self.record_variables else {}
        self._values = {v: np.zeros(capacity, dtype=DTYPES[table[v][1]])
                        for v in self.record_variables}
        self._fill = np.array([0, capacity], dtype=np.int64)
        self._pending = None     # why data cannot be read now (standalone), or None

    def _recorded_variables(self, variables):
        """The names of ``variables`` (a name or a list, as Brian takes it)
        checked against the source's stored variables; ``i`` and ``t`` are
        always recorded."""
        kind = type(self).__name__
        names = [variables] if isinstance(variables, str) else list(variables or ())
        names = [n for n in dict.fromkeys(names) if n not in ("i", "t")]
        if names and not self.record:
            raise ValueError(f"{kind} '{self.name}': variables={names!r} are recorded with "
                             "each event, but record=False keeps no events.")
        table = self.source.variable_table() if hasattr(self.source, "variable_table") else {}
        equations = getattr(self.source, "equations", {})
        for name in names:
            if name in table:
                continue
            if name in equations and equations[name].kind == "subexpression":
                raise NotImplementedError(
                    f"{kind} '{self.name}': '{name}' is a subexpression of "
                    f"'{self.source.name}'; a {kind} records stored variables "
                    f"({', '.join(sorted(table))}): record the ones '{name}' uses.")
            raise ValueError(f"{kind} '{self.name}': group '{self.source.name}' has no "
                             f"variable '{name}' to record (it has: "
                             f"{', '.join(sorted(table)) or 'none'}).")
        return tuple(names)

    def dependencies(self):
        """The group this monitor records from."""
        return (self._group,)

    def recording(self):
        """What this monitor records, for the standalone program: one row
        (index, time, the variables' values) per spike (at most one per
        neuron of the group)."""
        if not self.record:
            return Recording("events", self._group.N, ())
        dims = self.source._dims_and_types()[0] if self.record_variables else {}
        columns = (Column("i", "i"), Column("t", "t", TIME, time=True)) + tuple(
            Column("var_" + v, v, dims[v]) for v in self.record_variables)
        return Recording("events", self._group.N, columns)

    def spec(self, period):
        table = self.source.variable_table() if self.record_variables else {}
        variables = tuple((v, table[v][1], table[v][2]) for v in self.record_variables)
        return SpikeMonitorSpec(name=self.name, source=self._group.name, source_N=self._group.N,
                                first=self._first, size=self.source.N,
                                record=self.record, event=getattr(self, "event", "spike"),
                                period=period, when=self.when, order=self.order,
                                variables=variables)

    def array(self, name):
        """The array the compiled loop writes for ``name`` (i, t, count, fill,
        ``var_<name>``)."""
        if name.startswith("var_"):
            return self._values[name[4:]]
        return {"i": self._i, "t": self._t, "count": self._count, "fill": self._fill}[name]

    def set_array(self, name, values):
        """Replace the buffer ``name`` (``i``, ``t`` or ``var_<name>``) by a
        larger one."""
        if name.startswith("var_"):
            self._values[name[4:]] = values
        else:
            setattr(self, "_" + name, values)

    def _load_results(self, columns):
        """Take the columns of a standalone run: ``{"i": ..., "t": ...,
        <variable>: ...}`` (memory-mapped; empty when only counts are
        recorded)."""
        if columns:
            self._i, self._t = columns["i"], columns["t"]
            self._values = {v: columns[v] for v in self.record_variables}
            self._fill = np.array([len(self._i), len(self._i)], dtype=np.int64)

    def _check_available(self):
        if self._pending:
            raise NotImplementedError(self._pending.format(what=f"The data of {self.name}"))

    @property
    def count(self):
        """Spikes per neuron."""
        self._check_available()
        return self._count

    @property
    def num_spikes(self):
        return int(self.count.sum())

    def __len__(self):
        return self.num_spikes

    def _recorded(self, array):
        # memory-mapped standalone results are read-only: no copy needed
        self._check_available()
        view = array[:self._fill[0]]
        return view if isinstance(array, np.memmap) else view.copy()

    @property
    def i(self):
        return self._recorded(self._i)

    @property
    def t_(self):
        return self._recorded(self._t)

    @property
    def t(self):
        return Quantity(self.t_, dim=TIME)

    @property
    def it(self):
        return self.i, self.t

    def binned_rate(self, bin_size):
        """``(bins, rates)``: the start of each whole bin of ``bin_size`` (a
        multiple of dt) since t = 0 up to the time reached, and each neuron's
        rate in it (neurons x bins), as Brian 2.10's."""
        from .ratemonitor import bin_steps, binned_counts
        dt = self.clock.dt_
        steps = bin_steps(bin_size, dt)
        counts = binned_counts(self.i, self.t_, self.source.N, dt, steps, self.clock.t_)
        bins = np.arange(counts.shape[1]) * steps * dt
        return Quantity(bins, dim=TIME), Quantity(counts / (steps * dt), dim=TIME ** -1)

    def smooth_rate(self, window="gaussian", width=None):
        """Each neuron's rate in every time step, smoothed by ``window`` (see
        ``PopulationRateMonitor.smooth_rate``): neurons x steps, as Brian
        2.10's."""
        from .ratemonitor import smooth
        _, rates = self.binned_rate(self.clock.dt)
        return Quantity(smooth(np.asarray(rates), self.clock.dt_, window, width),
                        dim=TIME ** -1)

    def spike_trains(self):
        """dict: neuron index -> its spike times (sorted)."""
        return self.values("t")

    def _variable(self, var):
        """The recorded values of ``var`` at every event, in the order of ``t``
        (plain numbers)."""
        if var == "t":
            return self.t_
        if var == "i":
            return self.i
        if var not in self.record_variables:
            recorded = ", ".join(("i", "t") + self.record_variables)
            raise KeyError(f"{type(self).__name__} '{self.name}' does not record {var!r} "
                           f"(it records: {recorded}; add it to variables=[...]).")
        return self._recorded(self._values[var])

    def __getattr__(self, name):
        """``M.v`` (with its unit) and ``M.v_`` (plain) of a recorded variable."""
        if name.startswith("_") or "record_variables" not in self.__dict__:
            raise AttributeError(name)
        plain = name.endswith("_") and name[:-1] in self.record_variables
        key = name[:-1] if plain else name
        if key not in self.record_variables:
            raise AttributeError(f"{type(self).__name__} '{self.name}' has no attribute "
                                 f"{name!r} (it records: "
                                 f"{', '.join(('i', 't') + self.record_variables)}).")
        values = self._variable(key)
        return values if plain else _with_unit(values, self.source._dims_and_types()[0][key])

    def values(self, var):
        """Brian's ``values(var)``: neuron index -> the values of ``var`` at
        its spikes, in time order (``'t'``: the spike times)."""
        if not self.record:
            raise ValueError(f"{type(self).__name__} '{self.name}' was created with "
                             "record=False: it counts events (count, num_spikes) but keeps "
                             "no times or values.")
        values = self._variable(var)
        dim = TIME if var == "t" else self.source._dims_and_types()[0][var]
        order = np.argsort(self.i, kind="stable")
        parts = np.split(values[order], np.cumsum(self.count)[:-1])
        return {k: _with_unit(parts[k], dim) for k in range(self.source.N)}

    def all_values(self):
        """Brian's ``all_values()``: ``{'t': {neuron index: spike times},
        <variable>: {neuron index: its values}}``."""
        return {var: self.values(var) for var in ("t",) + self.record_variables}

    def __repr__(self):
        return f"<SpikeMonitor {self.name!r} of {self.source.name!r}: {self.num_spikes} spikes>"


class EventMonitor(SpikeMonitor):
    """Records a custom event of a group (``NeuronGroup(..., events={'up':
    'v > 1'})``) as a SpikeMonitor records spikes: ``t``, ``i``, ``count``,
    ``num_events``, ``event_trains()``."""

    def __init__(self, source, event, variables=None, record=True, when="thresholds",
                 order=1, name="eventmonitor*"):
        self.event = event
        super().__init__(source, variables=variables, record=record, when=when, order=order,
                         name=name)

    @property
    def num_events(self):
        return self.num_spikes

    def event_trains(self):
        return self.spike_trains()

    def __repr__(self):
        return (f"<EventMonitor {self.name!r} of {self.source.name!r} ({self.event!r}): "
                f"{self.num_spikes} events>")


class StateMonitor(NetworkObject):
    """Records variables of a group at every time step (or every ``dt``):
    ``M.t`` (times), ``M.v`` (shape: recorded neurons x times), ``M[k].v``."""

    _stored_attributes = ("_blocks", "_cache")

    def __init__(self, source, variables, record, dt=None, when="start", order=0,
                 name="statemonitor*"):
        super().__init__(name, dt=dt, clock=None if dt is not None else source.clock,
                         when=when, order=order)
        # a subgroup's neurons are its group's, from `start` on; indices are
        # the subgroup's (M.record, M[k]), as in Brian
        size = source.N
        source, self._first = whole(source)
        if isinstance(variables, str):
            variables = [variables]
        elif variables is True:
            variables = [n for n in source.variable_table() if n != "not_refractory"]
        table = source.variable_table()
        equations = getattr(source, "equations", {})
        computed = [v for v in variables if v not in table and v in equations
                    and equations[v].kind == "subexpression" and hasattr(source, "_evaluate")]
        for var in variables:
            if var not in table and var not in computed:
                raise ValueError(f"StateMonitor: group '{source.name}' has no variable "
                                 f"'{var}' (it has: {', '.join(sorted(table))}).")
        self.source = source
        #: What the user asked for, as Brian's ``record_variables``.
        self.record_variables = list(variables)
        #: Subexpressions are computed from the recorded values of what they use.
        self._computed = _subexpression_order(equations, computed)
        used = {name for sub in self._computed for name in equations[sub].identifiers}
        self.variables = tuple(v for v in variables if v in table) + tuple(
            sorted(v for v in used & set(table) if v not in variables))
        if record is True:
            indices = np.arange(size)
        elif record is False or record is None:
            indices = np.arange(0)
        elif isinstance(record, slice):
            indices = np.arange(size)[record]
        else:
            indices = np.atleast_1d(np.asarray(record))
        if indices.size and (indices.dtype.kind not in "iu" or indices.min() < 0
                             or indices.max() >= size):
            raise IndexError(f"StateMonitor: record={record!r} is not a set of neuron "
                             f"indices of group '{source.name}' (0..{size - 1}).")
        self.record = indices.astype(np.int32)
        self._record_in_group = self.record + np.int32(self._first)
        self._index_of = {int(k): row for row, k in enumerate(self.record)}
        self._dims = {v: source._dims_and_types()[0][v]
                      for v in self.variables + tuple(self._computed)}
        self._blocks = []       # (times, fill, {var: buffer}) per run
        self._cache = None
        self._pending = None     # why data cannot be read now (standalone), or None

    def dependencies(self):
        """The group this monitor records from."""
        return (self.source,)

    def prepare(self, n_rows):
        """Room for ``n_rows`` more recordings (called at the start of a run)."""
        n = len(self.record)
        block = (np.zeros(n_rows), np.array([0, n_rows, n], dtype=np.int64),
                 {v: np.zeros(n_rows * n) for v in self.variables})
        self._blocks.append(block)
        self._cache = None
        return block

    def bytes_needed(self, n_rows):
        """Memory that ``prepare(n_rows)`` would allocate, in bytes."""
        return 8 * n_rows * (1 + len(self.record) * len(self.variables))

    def trim(self):
        """Drop the unwritten rows of the last run's buffers (after a run that
        ended early or was interrupted) and blocks with nothing recorded."""
        if not self._blocks:
            return
        times, fill, buffers = self._blocks[-1]
        rows = int(fill[0])
        if rows < len(times):
            n = len(self.record)
            self._blocks[-1] = (times[:rows].copy(), np.array([rows, rows, n], dtype=np.int64),
                                {v: b[:rows * n].copy() for v, b in buffers.items()})
        if rows == 0:
            self._blocks.pop()
        self._cache = None

    def recording(self):
        """What this monitor records, for the standalone program: one row per
        recording step, with the values of the recorded neurons."""
        columns = (Column("times", "t", TIME, time=True),) + \
            tuple(Column("var_" + v, v, self._dims[v]) for v in self.variables)
        if hasattr(self.source, "connect"):     # synapses: recorded by their target's thread
            return Recording("snapshot", self.source._tgt.N, columns, index="record",
                             owner="owners")
        return Recording("snapshot", self.source.N, columns, index="record")

    def spec(self, period):
        table = self.source.variable_table()
        variables = tuple((v, table[v][1], table[v][2]) for v in self.variables)
        return StateMonitorSpec(name=self.name, source=self.source.name,
                                source_N=self.source.N, variables=variables, period=period,
                                when=self.when, order=self.order,
                                split_by_index=not hasattr(self.source, "connect"))

    def array(self, name):
        """The array the compiled loop writes for ``name`` in the current run."""
        if name == "record":
            return self._record_in_group
        if name == "owners":                  # the target neuron of each recorded synapse
            S = self.source
            return (S._arrays["_post"][self._record_in_group] + S._tgt_first).astype(np.int32)
        times, fill, buffers = self._blocks[-1]
        if name.startswith("var_"):
            return buffers[name[4:]]
        return {"times": times, "fill": fill}[name]

    def set_array(self, name, values):
        """Replace the buffer ``name`` of the current run by a larger one."""
        times, fill, buffers = self._blocks[-1]
        if name.startswith("var_"):
            buffers[name[4:]] = values
        else:
            self._blocks[-1] = (values, fill, buffers)
        self._cache = None

    def _load_results(self, columns):
        """Take the columns of a standalone run (memory-mapped): ``"t"``, the
        times, and one array (times x recorded neurons) per variable."""
        self._blocks = []
        self._cache = (columns["t"], {v: columns[v].T for v in self.variables})

    def _data(self):
        if self._pending:
            raise NotImplementedError(self._pending.format(what=f"The data of {self.name}"))
        if self._cache is None:
            n = len(self.record)
            rows = [int(f[0]) for _, f, _ in self._blocks]
            t = np.concatenate([b[0][:r] for b, r in zip(self._blocks, rows)] or [np.zeros(0)])
            data = {v: np.concatenate([b[2][v][:r * n].reshape(r, n).T
                                       for b, r in zip(self._blocks, rows)], axis=1)
                    if self._blocks else np.zeros((n, 0)) for v in self.variables}
            self._cache = (t, data)
        return self._cache

    @property
    def t(self):
        return Quantity(self._data()[0], dim=TIME)

    @property
    def t_(self):
        return self._data()[0]

    def _subexpression_values(self, name):
        """A recorded subexpression: evaluated from the recorded values of
        what it uses, with the group's constants (and functions) of its last
        run."""
        from ..model.expressions import evaluate
        t, data = self._data()
        equations = self.source.equations
        functions = {n: f.plain(self.source.clock.dt_) for n, f in self.source._functions.items()}
        values = {**self.source._externals, **functions, **data,
                  "i": self.record[:, None].astype(np.int64),
                  "t": t[None, :], "N": self.source.N, "dt": self.clock.dt_}
        if not t.size:
            return np.zeros((len(self.record), 0))
        for sub in self._computed:
            values[sub] = np.broadcast_to(evaluate(equations[sub].expr, values),
                                          (len(self.record), t.size))
        return values[name]

    def __getattr__(self, name):
        if name.startswith("_") or "variables" not in self.__dict__:
            raise AttributeError(name)
        plain = name.endswith("_") and name[:-1] in self.record_variables
        key = name[:-1] if plain else name
        if key not in self.record_variables:
            raise AttributeError(f"StateMonitor '{self.name}' does not record '{name}' "
                                 f"(it records: {', '.join(self.record_variables)}).")
        values = self._subexpression_values(key) if key in self._computed \
            else self._data()[1][key]
        return values if plain else _with_unit(values, self._dims[key])

    def __getitem__(self, index):
        rows = [self._index_of.get(int(k)) for k in np.atleast_1d(index)]
        if any(r is None for r in rows):
            raise IndexError(f"Neuron {index} is not recorded by '{self.name}'.")
        return _RecordedNeuron(self, rows[0] if np.ndim(index) == 0 else rows)

    def __repr__(self):
        return (f"<StateMonitor {self.name!r} of {self.source.name!r}: "
                f"{', '.join(self.record_variables)} of {len(self.record)} neurons>")


def _subexpression_order(equations, names):
    """``names`` and the subexpressions they use, each after those it uses."""
    needed, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo.extend(n for n in equations[name].identifiers
                        if n in equations and equations[n].kind == "subexpression")
    return tuple(n for n in equations.subexpr_names if n in needed) if needed else ()


class _RecordedNeuron:
    """``M[k]``: the recorded values of one neuron (``M[k].v``)."""

    def __init__(self, monitor, row):
        self._monitor, self._row = monitor, row

    def __getattr__(self, name):
        return getattr(self._monitor, name)[self._row]
