"""Synapses: connections from a source group to a target group, with
per-synapse variables and pathways: statements run when a presynaptic (or
postsynaptic) event arrives, after the pathway's delay.

What is here: parameters per synapse (``w : volt``), ``on_pre`` and
``on_post`` (a string, or a dict of named pathways, each with its own delay)
writing synaptic, presynaptic (``x_pre``) and postsynaptic (``v_post``, or
``v`` unsuffixed) variables, delays (one per pathway, or per synapse),
``connect(i=, j=)``, ``connect()`` (all to all), ``connect(condition=...,
p=...)`` (``p`` a number or an expression), the generator syntax of ``j``,
``n=``, Brian's indexing (``S.w[2, 5]``, ``S.w['i > j']``), event-driven
equations (solved exactly since ``lastupdate``), clock-driven equations and
``(summed)`` variables of the target (``x_post = ...``) and of the source
(``x_pre = ...``). Storage is compact where it can be (see
:meth:`Synapses._prepare_pathway`).
"""
import dataclasses
import sys

import numpy as np

from ..errors import DimensionMismatchError, EquationError, NeurocodegenError, UndefinedNameError
from ..model.equations import Equations
from ..model.expressions import evaluate, parse_expression, parse_statements
from ..model.namespace import resolve_external
from ..model.unitcheck import check_statements, infer_dimension, infer_type
from ..specs import DTYPES, PathwaySpec, SynapsesSpec
from ..streams import KIND_CONNECT, stream
from ..units import Quantity, get_dimensions
from ..units.dimensions import DIMENSIONLESS, TIME
from . import connect as creation
from . import random as ncg_random
from .base import NetworkObject, assigned_values, split_plain
from .clock import check_time, random_state
from .device import VariableView
from .groups import _fmt, _in_group, _state_values, _states_pandas
from .subgroup import whole

SAMPLE_TAG = 4094          # the stream of sample(...)'s draws (connect's skip walk: 4095)

_INTERNAL = ("_pre", "_post", "_offsets", "_order_post", "_offsets_post", "_order_pre",
             "_offsets_pre")

#: Read-only synaptic variables, as in Brian: the number of synapses of each
#: synapse's target neuron (N_incoming) and of its source neuron
#: (N_outgoing), and the side whose neuron it counts.
_COUNTS = {"N_incoming": "post", "N_outgoing": "pre"}


class SynapticView(VariableView):
    """``S.w``: the values of a synaptic variable, indexed as Brian indexes
    them: ``S.w[2, 5]``, ``S.w[0, :]``, ``S.w['i > j']``, ``S.w[:]``."""

    __slots__ = ()

    def __getitem__(self, key):
        if isinstance(key, tuple) and any(k is None or k is Ellipsis for k in key):
            return self.get()[key]            # numpy's indexing (as plotting uses it)
        return self.get()[self.group._selected(key, sys._getframe(1))]

    def __setitem__(self, key, value):
        self.group._set_items(self.name, key, value)


class Synapses(NetworkObject):
    """``Synapses(source, target, model='w : volt', on_pre='v += w', delay=1*ms)``;
    then ``S.connect(...)`` creates synapses (see the module's docstring)."""

    _stored_attributes = ("_arrays", "_delay", "_connections", "_queue_for", "_by_source",
                          "_rows", "_run_constants")

    def __init__(self, source, target=None, model="", on_pre=None, on_post=None, pre=None,
                 post=None, delay=None, on_event=None, method=None, namespace=None, dt=None,
                 clock=None, order=0, name="synapses*"):
        target = source if target is None else target
        for role, group in (("source", source), ("target", target)):
            if not hasattr(whole(group)[0], "_arrays") or not hasattr(group, "N"):
                raise TypeError(f"The {role} of Synapses must be a NeuronGroup or a "
                                f"subgroup, got {group!r}.")
        super().__init__(name, dt=dt, clock=clock or source.clock, when="synapses",
                         order=order)
        on_pre = on_pre if on_pre is not None else pre
        on_post = on_post if on_post is not None else post
        self.source, self.target = source, target
        # the groups whose neurons they are: a subgroup's i (and j) count from
        # its first neuron, `_src_first` (`_tgt_first`) of its group
        self._src, self._src_first = whole(source)
        self._tgt, self._tgt_first = whole(target)
        self.equations = model if isinstance(model, Equations) else Equations(model)
        self.summed = []            # (equation name, "pre"|"post", variable it sets)
        # the other subexpressions: name -> equation, their expressions
        # substituted wherever the model uses them (as in a NeuronGroup)
        self._subexpressions = {}
        for eq in self.equations.values():
            if eq.kind == "subexpression" and "summed" in eq.flags:
                self.summed.append((eq.name, *self._summed_target(eq)))
                continue
            if eq.kind == "subexpression":
                if "constant over dt" in eq.flags:
                    raise NotImplementedError(
                        f"Synapses '{self.name}': the subexpression '{eq}' is 'constant over "
                        f"dt', which synapses do not support yet: remove the flag (it is "
                        f"then computed where it is used).")
                self._subexpressions[eq.name] = eq
            if eq.name in ("i", "j", "delay", "lastupdate", "N_incoming", "N_outgoing") or \
                    eq.name in self._src._arrays or eq.name in self._tgt._arrays:
                raise EquationError(
                    f"Synapses '{self.name}': the synaptic variable '{eq.name}' has the name "
                    f"of a variable of the source or target group, or of a built-in one; "
                    f"rename it (use '{eq.name}_post' to refer to the target's).")
        # the pathways: name -> PathwaySpec (its statements and event)
        self._pathways = _pathways(on_pre, on_post, on_event, self.name)
        for pathway in self._pathways.values():
            role, group = ("source", source) if pathway.side == "pre" else ("target", target)
            if not group._has_event(pathway.event):
                what = f"the {pathway.name!r} pathway" if pathway.name not in ("pre", "post") \
                    else f"on_{pathway.name}"
                if pathway.event == "spike":
                    raise ValueError(f"Synapses '{self.name}' run {what} when the {role} "
                                     f"spikes, but {group!r} has no threshold.")
                raise ValueError(f"Synapses '{self.name}' run {what} on the event "
                                 f"{pathway.event!r} of the {role}, but {group!r} has no "
                                 f"such event.")
            if pathway.name in self.equations:
                raise EquationError(f"Synapses '{self.name}': the pathway {pathway.name!r} has "
                                    f"the name of a synaptic variable; rename one of them.")
        self.event_driven = tuple(n for n in self.equations.diff_eq_names
                                  if "event-driven" in self.equations[n].flags)
        self.clock_driven = tuple(n for n in self.equations.diff_eq_names
                                  if n not in self.event_driven)
        self.method = method
        self.namespace = namespace
        self._arrays = {eq.name: np.zeros(0, dtype=DTYPES[eq.dtype])
                        for eq in self.equations.values() if eq.kind != "subexpression"}
        # each synapse's presynaptic neuron: while the synapses are stored by
        # source, the number of synapses of each source neuron (_rows) says
        # it, and no array of 4 bytes a synapse is kept unless the model's
        # code reads it (i, x_pre; see _keep_pre); else the array _pre
        self._rows = np.zeros(self.source.N, dtype=np.int64)
        self._arrays["_post"] = np.zeros(0, dtype=np.int32)
        if self.event_driven:
            self._arrays["lastupdate"] = np.zeros(0)
        if any(p.side == "pre" for p in self._pathways.values()):
            self._arrays["_offsets"] = np.zeros(self._src.N + 1, dtype=np.int64)
        if self._by_target:
            self._arrays.update(_order_post=np.zeros(0, dtype=np.int32),
                                _offsets_post=np.zeros(self._tgt.N + 1, dtype=np.int64))
        if self._sums_into_source:
            self._arrays.update(_order_pre=np.zeros(0, dtype=np.int32),
                                _offsets_pre=np.zeros(self._src.N + 1, dtype=np.int64))
        # compact storage: each pathway's one delay for every synapse (None:
        # per synapse, in _arrays[its delay variable]), and whether the
        # synapses are stored in the order a presynaptic spike takes them
        # (then no order is needed)
        self._delay = _pathway_delays(delay, self._pathways, self.name)
        self._by_source = True
        self._run_constants = {}
        self._connections = 0
        self._queue_for = None      # (synapses, dt) the queue arrays were made for
        self._externals, self._external_dims = {}, {}
        self._dirty = set()
        self._pending = None
        self._initialized = True

    @property
    def _by_target(self):
        """Whether kernels take the synapses by target neuron (on_post, clock-driven
        equations, summed variables of the target)."""
        return bool(any(p.side == "post" for p in self._pathways.values())
                    or self.clock_driven or any(side == "post" for _, side, _ in self.summed))

    @property
    def _sums_into_source(self):
        """Whether a kernel takes the synapses by source neuron (summed
        variables of the source)."""
        return any(side == "pre" for _, side, _ in self.summed)

    def _summed_target(self, eq):
        """("post", variable) of the target that ``eq`` (``x_post = ... (summed)``)
        sets, or ("pre", variable) of the source (``x_pre = ... (summed)``)."""
        side = next((s for s in ("pre", "post") if eq.name.endswith("_" + s)), None)
        if side is None:
            raise EquationError(
                f"Synapses '{self.name}': the summed variable '{eq.name}' must end in "
                f"'_post' (a variable of the target) or '_pre' (of the source).")
        var = eq.name[:-len(side) - 1]
        group = self.target if side == "post" else self.source
        group_eq = group.equations.get(var)
        if group_eq is None or group_eq.kind != "parameter":
            raise EquationError(
                f"Synapses '{self.name}': the summed variable '{eq}' sets '{var}' of "
                f"'{group.name}', which must be a parameter there (such as "
                f"'{var} : {eq.unit}').")
        if any(v == var and whole(self.source if s == "pre" else self.target)[0]
               is whole(group)[0] for _, s, v in self.summed):
            raise EquationError(        # as Brian: one sum per variable
                f"Synapses '{self.name}': the summed variable '{eq}' sets '{var}' of "
                f"'{group.name}', which another summed variable of these synapses "
                f"already sets.")
        return side, var

    # -- names and units -----------------------------------------------------------------
    def _dims_and_types(self):
        dims, types = {}, {}
        for eq in self.equations.values():
            dims[eq.name], types[eq.name] = eq.dim, eq.dtype
        for name in _INTERNAL:
            dims[name], types[name] = DIMENSIONLESS, "integer"
        for name in self._delay_variables():
            dims[name], types[name] = TIME, "float"
        for name in _COUNTS:
            dims[name], types[name] = DIMENSIONLESS, "integer"
        dims["lastupdate"], types["lastupdate"] = TIME, "float"
        dims.update(t=TIME, dt=TIME, N=DIMENSIONLESS)
        types.update(t="float", dt="float", N="integer")
        dims["i"], dims["j"] = DIMENSIONLESS, DIMENSIONLESS
        types["i"], types["j"] = "integer", "integer"
        for xi in self.equations.stochastic_variables:      # noise of clock-driven equations
            dims[xi], types[xi] = TIME ** -0.5, "float"
        return dims, types

    def _neuron_names(self):
        """name -> (where, group, variable) for every pre- and postsynaptic
        name a statement may use: ``x_pre``, ``x_post`` and unsuffixed
        postsynaptic ones (synaptic variables take precedence)."""
        names = {}
        for where, group, suffixes in (("pre", self.source, ("_pre",)),
                                       ("post", self.target, ("_post", ""))):
            for var in whole(group)[0]._arrays:
                for suffix in suffixes:
                    if var + suffix not in self._arrays and \
                            var + suffix not in self._subexpressions:
                        names[var + suffix] = (where, group, var)
        return names

    def before_run(self, namespace):
        """Check ``on_pre`` against the units of every name it uses, and
        prepare the synapses' order and delays for the run."""
        try:
            dims, types = self._dims_and_types()
            neuron = self._neuron_names()
            for name, (_, group, var) in neuron.items():
                gdims, gtypes = group._dims_and_types()
                dims[name], types[name] = gdims[var], gtypes[var]
            used, origin = set(), {}       # origin: where a name is first used, for errors
            for pathway in self._pathways.values():
                for st in pathway.statements:
                    names = st.expr.identifiers | {st.target}
                    used |= names
                    origin.update({n: f"{_context_of(pathway.name, pathway.side)}: "
                                      f"'{st.code}'" for n in names if n not in origin})
            if self.event_driven:
                used |= set(self.event_driven) | {"lastupdate"}
            for name in self.clock_driven + tuple(n for n, _, _ in self.summed) + \
                    tuple(self._subexpressions):
                used |= self.equations[name].expr.identifiers | {name}
                origin.update({n: f"the equation '{self.equations[name]}'"
                               for n in self.equations[name].expr.identifiers
                               if n not in origin})
            for name in self.event_driven:
                foreign = self._through_subexpressions(self.equations[name].expr.identifiers) \
                    & set(neuron)
                if foreign:
                    raise EquationError(
                        f"The event-driven equation '{self.equations[name]}' uses "
                        f"'{sorted(foreign)[0]}', a variable of a neuron: event-driven "
                        f"equations may only use synaptic variables and constants.")
                used |= self.equations[name].expr.identifiers
            try:
                values = resolve_external(sorted(used - set(dims)), self.namespace, namespace)
            except UndefinedNameError as exc:
                places = "; ".join(dict.fromkeys(origin[n] for n in exc.names if n in origin))
                raise UndefinedNameError(f"{exc} Used in {places}." if places else str(exc)) \
                    from None
            constants = {}
            for name, value in values.items():
                dims[name] = get_dimensions(value)
                types[name] = "boolean" if isinstance(value, (bool, np.bool_)) else "float"
                constants[name] = float(np.asarray(value))
            writable = {n for n in self.equations if "constant" not in self.equations[n].flags
                        and n not in self._subexpressions}
            writable |= {n for n, (_, group, var) in neuron.items()
                         if "constant" not in getattr(group.equations.get(var), "flags", ())}
            for pathway in self._pathways.values():
                check_statements(pathway.statements, dims, types, writable=writable,
                                 constants=constants, context=_context(pathway))
            if self.event_driven or self.clock_driven or self.summed or self._subexpressions:
                known = {n: dims[n] for n in values}
                known.update({n: dims[n] for n in neuron})
                # the synapse's neurons, their number and counts
                known.update({n: DIMENSIONLESS for n in ("i", "j", "N", *_COUNTS)})
                self.equations.check_units(known, group_name=self.name)
            for name, side, var in self.summed:
                group = self.target if side == "post" else self.source
                declared, expected = self.equations[name].dim, group._dims_and_types()[0][var]
                if declared is not expected:
                    raise DimensionMismatchError(
                        f"The summed variable '{self.equations[name]}' sets '{var}' of "
                        f"'{group.name}', which has unit {_fmt(expected)}, not "
                        f"{_fmt(declared)}.", declared, expected)
        except NeurocodegenError as exc:
            raise _in_group(self, exc) from None
        self._external_dims = {n: dims[n] for n in values}
        self._externals = constants
        self._guards = _guards(self._statements(), neuron)
        self._used = used | set(self._guards.values())
        if self._needs_pre():
            self._keep_pre()
        for name, side in _COUNTS.items():       # the code reads them: by neuron
            if name in self._used:
                self._set_internal(f"_{name}", self._neuron_counts(side).astype(np.int32))
        if (self._pathways or self._by_target or self._sums_into_source) and \
                self._queue_for != (len(self), self.clock.dt_):
            self._prepare_queue()

    def _through_subexpressions(self, names):
        """``names`` and every name the subexpressions among them use, nested."""
        names, todo = set(names), [n for n in names if n in self._subexpressions]
        while todo:
            new = self._subexpressions[todo.pop()].expr.identifiers - names
            names |= new
            todo += [n for n in new if n in self._subexpressions]
        return names

    def _statements(self):
        """The statements of every pathway."""
        return tuple(st for p in self._pathways.values() for st in p.statements)

    def _prepare_queue(self):
        """For each pathway, its synapses in the order its events take them
        and its delays in steps, rounded as Brian rounds them (see
        :meth:`_prepare_pathway`); the synapses of each source neuron
        (``_offsets``) and of each target neuron in creation order
        (``_order_post``, ``_offsets_post``)."""
        dt = self.clock.dt_
        if "_offsets" in self._arrays:              # by neurons of the source's group
            self._set_internal("_offsets", self._neuron_offsets("pre"))
        # the synapses of each target (source) neuron, in creation order
        for side, wanted, first in (("post", self._by_target, self._tgt_first),
                                    ("pre", self._sums_into_source, self._src_first)):
            if wanted:
                neurons = self._indices(side) + first       # neurons of the group
                self._set_internal("_order_" + side,
                                   np.argsort(neurons, kind="stable").astype(np.int32))
                self._set_internal("_offsets_" + side, self._neuron_offsets(side))
        for pathway in self._pathways.values():
            self._prepare_pathway(pathway, dt)
        self._queue_for = (len(self), dt)

    def _prepare_pathway(self, pathway, dt):
        """The order of a pathway's synapses: on the pre side by (presynaptic
        neuron, delay, postsynaptic neuron, creation), so that a thread finds
        the synapses of a spike, a delay and its own target neurons by binary
        search and each target neuron still receives its effects in Brian's
        order (effects on different neurons commute); none when the synapses
        are stored so and have one delay. On the post side by (postsynaptic
        neuron, delay, creation). A ring of past events deep enough for the
        longest delay while threads run up to the shortest delay apart."""
        p = pathway.name
        per_synapse = self._delay[p] is None
        arrays, dmin, dmax = self.pathway_layout(pathway, self._delays(p)
                                                 if per_synapse else self._delay[p], per_synapse)
        for name in (f"_{p}_order", f"_{p}_post_sorted", f"_{p}_delay_steps"):
            if name in arrays:
                self._set_internal(name, arrays[name])
            else:                    # left from an earlier storage of this pathway
                self._arrays.pop(name, None)
        size = self._src.N if pathway.side == "pre" else self._tgt.N
        old = self._run_constants.get(f"_{p}_depth", 1)
        depth = max(ring_depth(dmin, dmax), old)
        key = f"_{p}_history"
        if key not in self._arrays:
            self._arrays[key] = np.zeros(size + 1, dtype=np.int32)
        if depth != old:
            self._arrays[key] = _deeper_history(self._arrays[key], old, depth, size,
                                                self.clock.t_ / dt)
            self._dirty.add(key)
        self._run_constants.update({f"_{p}_depth": depth, f"_{p}_dmin": dmin,
                                    f"_{p}_dmax": dmax})

    def pathway_layout(self, pathway, delays, per_synapse):
        """What ``delays`` (seconds: one value, or one per synapse when
        ``per_synapse``) make of a pathway: (its arrays, shortest delay,
        longest delay), the delays in steps rounded as Brian rounds them. The
        arrays are its order, its targets in that order and its delays in
        that order, those it needs: none when its synapses are stored by
        source neuron and have one delay."""
        p, dt = pathway.name, self.clock.dt_
        steps = np.floor(np.atleast_1d(np.asarray(delays, dtype=np.float64)) / dt + 0.5) \
            .astype(np.int32)
        if per_synapse:
            steps = np.broadcast_to(steps, (len(self),))
        arrays = {}
        if pathway.side == "pre" and (per_synapse or not self._by_source):
            pre = self._pre_index() + self._src_first
            post = self._arrays["_post"] + self._tgt_first
            order = np.lexsort((np.arange(len(pre)), post, np.broadcast_to(steps, pre.shape),
                                pre)).astype(np.int32)
            arrays = {f"_{p}_order": order, f"_{p}_post_sorted": post[order]}
            if per_synapse:
                arrays[f"_{p}_delay_steps"] = steps[order]
        elif pathway.side == "post" and per_synapse:
            post = self._arrays["_post"] + self._tgt_first
            order = np.lexsort((np.arange(len(post)), steps, post)).astype(np.int32)
            arrays = {f"_{p}_order": order, f"_{p}_delay_steps": steps[order]}
        if not steps.size:
            return arrays, 0, 0
        return arrays, int(steps.min()), int(steps.max())

    def _neuron_offsets(self, side):
        """Where the synapses of each neuron of the source's ('pre') or the
        target's ('post') group start, in an order of the synapses by that
        neuron; counted a block at a time."""
        group, part, first = ((self._src, self.source, self._src_first) if side == "pre"
                              else (self._tgt, self.target, self._tgt_first))
        offsets = np.zeros(group.N + 1, dtype=np.int64)
        np.cumsum(self._neuron_counts(side), out=offsets[first + 1:first + 1 + part.N])
        offsets[first + 1 + part.N:] = offsets[first + part.N]
        return offsets

    def _pre_index(self):
        """Each synapse's presynaptic neuron (counted from the source's
        first): the array _pre, or made from _rows while the synapses are
        stored by source and no code needs the array."""
        if self._rows is None:
            return self._arrays["_pre"]
        return np.repeat(np.arange(len(self._rows), dtype=np.int32), self._rows)

    def _indices(self, side):
        """Each synapse's presynaptic ('pre') or postsynaptic ('post') neuron."""
        return self._pre_index() if side == "pre" else self._arrays["_post"]

    def _keep_pre(self):
        """Keep each synapse's presynaptic neuron in the array _pre from now
        on: the model's code reads it, or the synapses are no longer stored
        by source."""
        if self._rows is not None:
            self._arrays["_pre"] = self._pre_index()
            self._rows = None
            self._dirty.add("_pre")

    def _needs_pre(self):
        """Whether the model's code reads each synapse's presynaptic neuron:
        it uses ``i`` or a variable of the presynaptic neuron."""
        neuron = self._neuron_names()
        return bool({"i", "N_outgoing"} & self._used) or \
            any(neuron[n][0] == "pre" for n in self._used if n in neuron)

    def array_names(self):
        """The arrays :meth:`array` gives: those held, and _pre (made when asked for)."""
        return list(self._arrays) + (["_pre"] if "_pre" not in self._arrays else [])

    def _set_internal(self, name, value):
        """Set an internal array, marking it for the standalone program if it changed."""
        if name not in self._arrays or not np.array_equal(self._arrays[name], value):
            self._arrays[name] = value
            self._dirty.add(name)

    def window_constants(self):
        """The run constants of the shortest delay of each presynaptic
        pathway: threads may run that many steps apart."""
        return [f"_{p.name}_dmin" for p in self._pathways.values() if p.side == "pre"]

    def history_layout(self, key):
        """(depth constant, size of the group) of the ring of events ``key``."""
        p = self._pathways[key[1:-len("_history")]]
        return f"_{p.name}_depth", self._src.N if p.side == "pre" else self._tgt.N

    @property
    def memory_per_synapse(self):
        """Bytes per synapse of the arrays that grow with the synapses
        (indices, variables, delays, orders); one delay for all takes none."""
        n = len(self)
        return sum(a.nbytes for a in self._synaptic_arrays().values()) / n if n else 0.0

    def _synaptic_arrays(self):
        """name -> array of the arrays with a value per synapse (not the
        offsets, rings and counts, which have one per neuron)."""
        return {k: a for k, a in self._arrays.items()
                if not k.startswith("_offsets") and not k.endswith("_history")
                and k[1:] not in _COUNTS}

    # -- delays of the pathways -------------------------------------------------------------
    def _delay_variables(self):
        """The variable of each pathway's delay -> the pathway: ``delay`` for
        ``pre`` (as in Brian), ``<pathway>.delay`` for the others."""
        return {("delay" if p == "pre" else f"{p}.delay"): p for p in self._pathways}

    def _in_order(self, pathway):
        """Whether a presynaptic pathway needs no order and no per-synapse
        delays: one delay for all, and stored by source (then target) neuron."""
        return self._delay[pathway] is not None and self._by_source

    def _delays(self, pathway):
        """The delay of each synapse of ``pathway``, in seconds (one value
        broadcast when all have the same)."""
        if self._delay[pathway] is None:
            return self._arrays[_delay_variable(pathway)]
        return np.broadcast_to(np.float64(self._delay[pathway]), (len(self),))

    def _own_delays(self, pathway):
        """Per-synapse delays of ``pathway``, to be changed one by one."""
        if self._delay[pathway] is not None:
            self._arrays[_delay_variable(pathway)] = np.full(len(self), self._delay[pathway])
            self._delay[pathway] = None
            self._queue_for = None
        return self._arrays[_delay_variable(pathway)]

    # -- the protocol of simulation objects ------------------------------------------------
    def spec(self, period):
        if period != 1 or self.source.clock.dt_ != self.clock.dt_:
            raise NotImplementedError(f"Synapses '{self.name}' must have the dt of the network "
                                      f"and of its source group (for now).")
        neuron = self._neuron_names()
        names = []
        synaptic = {n for n in self.equations if n in self._arrays} | \
            ({"lastupdate"} if self.event_driven else set())
        for name in sorted(self._used & (synaptic | set(neuron) | set(_COUNTS))):
            if name == "lastupdate":
                names.append((name, "synapse", name, "float", False))
            elif name in _COUNTS:          # an array of the synapses, by neuron
                names.append((name, f"count_{_COUNTS[name]}", f"_{name}", "integer", False))
            elif name in self.equations:
                eq = self.equations[name]
                names.append((name, "synapse", name, eq.dtype, "shared" in eq.flags))
            else:
                where, group, var = neuron[name]
                _, dtype, shared = group.variable_table()[var]
                names.append((name, where, var, dtype, shared))
        return SynapsesSpec(name=self.name, source=self._src.name, source_N=self._src.N,
                            target=self._tgt.name, target_N=self._tgt.N,
                            equations=self.equations, pathways=self._pathway_specs(),
                            summed=tuple(self.summed),
                            method=self.method if isinstance(self.method, (str, type(None)))
                            else tuple(self.method), target_order=_order(self.target),
                            source_order=_order(self.source),
                            names=tuple(names), externals=tuple(sorted(self._externals)),
                            guards=tuple(sorted(self._guards.items())),
                            source_part=_part(self.source), target_part=_part(self.target),
                            rng_id=self._rng_id, period=period, order=self.order)

    def _pathway_specs(self):
        """The pathways with how their synapses are stored (see PathwaySpec)."""
        out = []
        for p, pathway in self._pathways.items():
            one = self._delay[p] is not None
            delayed = not one or int(np.floor(self._delay[p] / self.clock.dt_ + 0.5)) != 0
            out.append(dataclasses.replace(pathway, one_delay=one, in_order=self._in_order(p),
                                           delayed=delayed or pathway.side == "pre"))
        return tuple(out)

    def dependencies(self):
        return (self._src, self._tgt)

    def array(self, name):
        if name == "_pre":          # the generated code reads it: kept from now on
            self._keep_pre()
        return self._arrays[name]

    def constant(self, name):
        if name == "N":
            return len(self)
        if name == "dt":
            return self.clock.dt_
        if name in self._run_constants:
            return self._run_constants[name]
        return self._externals[name]

    def wrap_error(self, exc):
        return _in_group(self, exc)

    # -- creating synapses --------------------------------------------------------------------
    def connect(self, condition=None, i=None, j=None, p=1.0, n=1, skip_if_invalid=False,
                namespace=None, level=0):
        """Create synapses: ``connect()`` all to all; ``connect(i=..., j=...)``
        the given pairs; ``connect(condition='i != j', p=0.1)`` the pairs for
        which the condition holds, each with probability ``p``; ``n`` synapses
        for each pair. Pairs are created in order of ``i``, then ``j``; random
        choices come from the seeded counter-based generator (see ``seed``)."""
        if self._pending:
            raise NotImplementedError(f"Cannot connect '{self.name}' after a run in standalone "
                                      f"mode.")
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"connect(n={n!r}) of '{self.name}' must be a non-negative "
                             f"integer.")
        if not isinstance(p, str) and not 0 <= float(p) <= 1:
            raise ValueError(f"connect(p={p!r}) of '{self.name}' must be a probability, a "
                             f"number in [0, 1], or an expression.")
        for what, code in (("condition", condition), ("p", p), ("j", j)):
            counts = sorted(set(_COUNTS) & set(_words(code))) \
                if isinstance(code, str) else []
            if counts:          # as Brian: they are what connect() changes
                raise ValueError(f"connect({what}='{code}') of '{self.name}' cannot use "
                                 f"'{counts[0]}': it counts the synapses that connect() "
                                 f"makes.")
        n_pre, n_post = self.source.N, self.target.N
        frame = sys._getframe(level + 1)
        if isinstance(j, str):
            if i is not None or condition is not None or p != 1.0:
                raise TypeError(f"connect(j='{j}') of '{self.name}': write the condition and "
                                f"the probability inside the generator ('k for k in "
                                f"range(...) if ...'), without i, condition or p.")
            pre, post = self._generated(j, skip_if_invalid, namespace, frame)
        elif i is not None or j is not None:
            if condition is not None or i is None or j is None:
                raise TypeError(f"connect() of '{self.name}': give both i and j (arrays of "
                                f"indices), or a condition.")
            pre, post = np.broadcast_arrays(np.asarray(i), np.asarray(j))
            pre, post = pre.ravel(), post.ravel()
            for what, values, size, group in (("i", pre, n_pre, self.source),
                                              ("j", post, n_post, self.target)):
                if values.size and (values.dtype.kind not in "iu"):
                    raise TypeError(f"connect({what}=...) of '{self.name}' must be integer "
                                    f"indices, got {values.dtype}.")
                bad = (values < 0) | (values >= size)
                if bad.any():
                    if not skip_if_invalid:
                        raise IndexError(
                            f"connect({what}=...) of '{self.name}': index {values[bad][0]} is "
                            f"out of range for '{group.name}' ({size} neurons: 0..{size - 1}).")
            keep = (pre >= 0) & (pre < n_pre) & (post >= 0) & (post < n_post)
            pre, post = pre[keep], post[keep]
            if isinstance(p, str) or float(p) < 1:
                pre, post = self._sample(pre, post, p, namespace, frame)
        else:
            # compiled, threaded, n copies made (connect.py)
            pre, post, counts = creation.create(self, condition, p, n, namespace, frame)
            self._append(pre, post, in_order=True, counts=counts)
            return
        if n != 1:
            pre, post = np.repeat(pre, n), np.repeat(post, n)
        self._append(pre.astype(np.int32), post.astype(np.int32))

    def _probability(self, p, namespace, frame):
        """A function (i, j) -> probabilities for ``p``, a number or an
        expression of ``i``, ``j``, ``x_pre``, ``x_post`` and constants."""
        if not isinstance(p, str):
            return lambda ii, jj: float(p)
        expr = parse_expression(p, f"connect(p=...) of '{self.name}'")
        return self._pair_function(expr, namespace, frame, "p", DIMENSIONLESS)

    def _kept(self, ii, jj, probability, key, step):
        """Which pairs (i, j) a draw keeps, each with its probability: the
        draw is keyed by the pair and the connect call, so it does not depend
        on how the pairs are grouped."""
        p = probability(ii, jj)
        if np.ndim(p) == 0 and p >= 1:
            return np.ones(ii.size, dtype=bool)
        index = ii.astype(np.uint64) * np.uint64(self.target.N) + jj.astype(np.uint64)
        u = ncg_random.rand_at(key, index, step, stream(self._rng_id, KIND_CONNECT, 0))
        return u < p

    def _sample(self, pre, post, p, namespace, frame):
        """Keep each pair with probability p."""
        key, step = random_state.assignment_key()
        keep = self._kept(pre, post, self._probability(p, namespace, frame), key, step)
        return pre[keep], post[keep]

    def _generated(self, text, skip_if_invalid, namespace, frame):
        """Brian's generator syntax: ``j='i'`` (one target per source neuron)
        or ``j='EXPR for k in range(START, STOP[, STEP]) if COND'`` (the targets
        EXPR for each k, where COND holds; ``rand()`` in COND draws per pair)."""
        import ast
        context = f"connect(j='{text}') of '{self.name}'"
        source = f"({text.strip()})"
        try:
            tree = ast.parse(source, mode="eval").body
        except SyntaxError:
            tree = parse_expression(text, context)        # raises, pointing at the error
        n_pre = self.source.N
        ii = np.arange(n_pre)
        if not isinstance(tree, ast.GeneratorExp):
            expr = parse_expression(text, context)
            if "j" in expr.identifiers:
                raise EquationError(f"The target '{expr.code}' of {context} cannot use j: j "
                                    f"is what it defines.")
            target = self._pair_function(expr, namespace, frame, "j", DIMENSIONLESS)
            pre, post = ii, np.broadcast_to(target(ii, ii), ii.shape).astype(np.int64)
            return self._in_range(pre, post, skip_if_invalid, context)
        if len(tree.generators) != 1 or not isinstance(tree.generators[0].target, ast.Name):
            raise EquationError(f"The generator of {context} must have one 'for VAR in "
                                f"range(...)'.")
        gen = tree.generators[0]
        it = gen.iter
        segment = lambda node: ast.get_source_segment(source, node)  # noqa: E731
        keywords = {kw.arg: kw.value for kw in getattr(it, "keywords", ())}
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
                and it.func.id in ("range", "sample") and 1 <= len(it.args) <= 3
                and (not keywords if it.func.id == "range"
                     else len(keywords) == 1 and set(keywords) <= {"p", "size"})):
            raise EquationError(f"The generator of {context} must loop over range(...) or "
                                f"sample(..., p=...) or sample(..., size=...), got "
                                f"'{segment(it)}'.")
        var = gen.target.id
        bounds = [self._pair_function(parse_expression(segment(a), context), namespace,
                                      frame, "range", DIMENSIONLESS) for a in it.args]
        elt = parse_expression(segment(tree.elt), context)
        conditions = [parse_expression(segment(c), context) for c in gen.ifs]
        values = [np.broadcast_to(b(ii, ii), ii.shape).astype(np.int64) for b in bounds]
        start, stop, step = (([np.zeros(n_pre, np.int64)] if len(values) == 1 else []) +
                             values + ([np.ones(n_pre, np.int64)] if len(values) < 3 else []))
        if np.any(step == 0):
            raise ValueError(f"The range of {context} has a step of 0.")
        counts = np.maximum(0, -(-(stop - start) // step))
        pre = np.repeat(ii, counts)
        k = np.repeat(start, counts) + (np.arange(counts.sum()) - np.repeat(
            np.cumsum(counts) - counts, counts)) * np.repeat(step, counts)
        if elt.identifiers & {"j"}:
            raise EquationError(f"The target '{elt.code}' of {context} cannot use j: j is what "
                                f"it defines.")
        if it.func.id == "sample":        # Brian's random sample of the range
            (how, value), = keywords.items()
            keep = self._sampled(pre, k, counts, how,
                                 parse_expression(segment(value), context), var, namespace,
                                 frame, context)
            pre, k = pre[keep], k[keep]
        post = self._pair_function(elt, namespace, frame, "j", DIMENSIONLESS,
                                   rename={var: "j"})(pre, k)
        post = np.broadcast_to(post, pre.shape).astype(np.int64)
        pre, post = self._in_range(pre, post, skip_if_invalid, context)
        if conditions:
            if elt.code.strip() != var and any(var in c.identifiers for c in conditions):
                raise NotImplementedError(f"The condition of {context} uses '{var}' but the "
                                          f"target is '{elt.code}': write it in terms of j.")
            key, step_ = random_state.assignment_key()
            keep = np.ones(pre.size, dtype=bool)
            for cond in conditions:
                keep &= np.broadcast_to(self._pair_function(
                    cond, namespace, frame, "condition", None, rename={var: "j"},
                    rand_key=(key, step_))(pre, post), pre.shape)
            pre, post = pre[keep], post[keep]
        return pre, post

    def _sampled(self, pre, k, counts, how, expr, var, namespace, frame, context):
        """Which candidates (``pre``, ``k``; ``counts`` per presynaptic neuron,
        in order) Brian's ``sample(..., p=P)`` keeps (each with probability
        P, an expression that may use i and the loop variable) or
        ``sample(..., size=K)`` keeps (K of each neuron's candidates, all
        equally likely, in their order; K may use i). Each candidate's
        uniform is keyed by the connect call, its neuron and its place in
        the neuron's range."""
        first = np.repeat(np.cumsum(counts) - counts, counts)
        place = np.arange(pre.size) - first
        key, step = random_state.assignment_key()
        width = np.uint64(int(counts.max()) + 1 if counts.size else 1)
        u = ncg_random.rand_at(key, pre.astype(np.uint64) * width + place.astype(np.uint64),
                               step, stream(self._rng_id, KIND_CONNECT, SAMPLE_TAG))
        if how == "p":
            p = self._pair_function(expr, namespace, frame, "p", DIMENSIONLESS,
                                    rename={var: "j"})(pre, k)
            return u < p
        if var in expr.identifiers or "j" in expr.identifiers:
            raise EquationError(f"The size '{expr.code}' of {context} may depend on i, not on "
                                f"the targets.")
        ii = np.arange(self.source.N)
        size = np.broadcast_to(self._pair_function(expr, namespace, frame, "size",
                                                   DIMENSIONLESS)(ii, ii), ii.shape)
        if np.any(size != np.round(size)) or np.any(size < 0) or np.any(size > counts):
            bad = np.flatnonzero((size != np.round(size)) | (size < 0) | (size > counts))[0]
            raise ValueError(f"The size of {context} is {size[bad]:g} for i = {bad}, but must "
                             f"be a whole number from 0 to the {counts[bad]} values sampled.")
        # the `size` smallest uniforms of each neuron's candidates
        order = np.lexsort((u, pre))
        rank = np.empty(pre.size, dtype=np.int64)
        rank[order] = np.arange(pre.size) - first[order]
        return rank < size[pre]

    def _in_range(self, pre, post, skip_if_invalid, context):
        bad = (post < 0) | (post >= self.target.N)
        if bad.any() and not skip_if_invalid:
            raise IndexError(f"{context} gives the target {post[bad][0]} for i = "
                             f"{pre[bad][0]}, out of range for '{self.target.name}' "
                             f"({self.target.N} neurons: 0..{self.target.N - 1}); use "
                             f"skip_if_invalid=True to leave such pairs out.")
        return pre[~bad], post[~bad]

    def _pair_function(self, expr, namespace, frame, what, expected_dim, rename=None,
                       rand_key=None):
        """A function (i, j) -> values of ``expr`` over pairs: ``i``, ``j``,
        ``N_pre``, ``N_post``, ``x_pre``, ``x_post`` and constants; checks
        its units (``expected_dim``; None: a boolean condition). ``rename``
        maps a generator's loop variable to the name it is evaluated as."""
        for old, new in (rename or {}).items():
            if old in expr.identifiers and old != new:
                expr = parse_expression(_renamed(expr.code, old, new), what)
        return self._condition(expr, namespace, frame, expected_dim, what, rand_key)

    def _checked(self, expr, namespace, frame, expected_dim=None, what="condition"):
        """Check ``expr`` over pairs (names, units; None: a boolean condition);
        returns (values of N_pre, N_post and the external constants, the
        neuron names it may use: name -> (where, group, variable))."""
        dims, types = self._dims_and_types()
        neuron = {n: v for n, v in self._neuron_names().items() if n.endswith(("_pre", "_post"))}
        for name, (_, group, var) in neuron.items():
            gdims, gtypes = group._dims_and_types()
            dims[name], types[name] = gdims[var], gtypes[var]
        values = {"N_pre": self.source.N, "N_post": self.target.N}
        dims.update(N_pre=DIMENSIONLESS, N_post=DIMENSIONLESS)
        types.update(N_pre="integer", N_post="integer")
        external = sorted(expr.identifiers - set(dims))
        caller = {**frame.f_globals, **frame.f_locals}
        try:
            for name, value in resolve_external([n for n in external if n not in values],
                                                self.namespace if namespace is None
                                                else namespace, caller).items():
                dims[name], values[name] = get_dimensions(value), float(np.asarray(value))
                types[name] = "float"
            if expected_dim is None and infer_type(expr, types) != "boolean":
                raise EquationError(f"The {what} '{expr.code}' of connect() must be a "
                                    f"boolean expression (such as 'i != j').")
            dim = infer_dimension(expr, dims, values)
            if expected_dim is not None and dim is not expected_dim:
                raise DimensionMismatchError(
                    f"The {what} '{expr.code}' of connect() has unit {_fmt(dim)}, but must "
                    f"be dimensionless.", dim, expected_dim)
        except NeurocodegenError as exc:
            raise _in_group(self, exc) from None
        return values, neuron

    def _condition(self, expr, namespace, frame, expected_dim=None, what="condition",
                   rand_key=None):
        """A function (i, j) -> values for ``expr`` (by default a boolean condition)."""
        values, neuron = self._checked(expr, namespace, frame, expected_dim, what)

        def at(ii, jj):
            here = dict(values, i=ii, j=jj)
            for name, (where, group, var) in neuron.items():
                if name in expr.identifiers:
                    here[name] = np.asarray(group._values(var + "_"))[ii if where == "pre"
                                                                      else jj]
            draws = iter(range(4096))

            def rand():
                key, step = rand_key if rand_key is not None else \
                    random_state.assignment_key()
                index = ii.astype(np.uint64) * np.uint64(self.target.N) + \
                    jj.astype(np.uint64)
                return ncg_random.rand_at(key, index, step,
                                          stream(self._rng_id, KIND_CONNECT, 1 + next(draws)))
            return evaluate(expr, here, rand=rand)
        return at

    def _append(self, pre, post, in_order=False, counts=None):
        """Add the synapses (``pre``, ``post``); ``in_order``: they are sorted
        by (i, j) already (connect's creation makes them so). ``counts``
        (then ``pre`` is None; in order): the new synapses of each source
        neuron instead of their sources."""
        old = len(self)
        # still stored by source if the new synapses are sorted by (i, j) and
        # come after the old ones
        last_pre = self._pre_index()[-1:] if self._rows is None else \
            np.flatnonzero(self._rows)[-1:]
        last = last_pre, self._arrays["_post"][-1:]
        first_pre = pre[:1] if pre is not None else np.flatnonzero(counts)[:1]
        self._by_source = self._by_source and (
            _sorted_pairs(*last, first_pre, post[:1]) if in_order
            else _sorted_pairs(*last, pre, post))
        if not self._by_source:
            self._keep_pre()
        if self._rows is not None:
            self._rows += counts if counts is not None else _counts(pre, len(self._rows))
        else:
            if pre is None:
                pre = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
            self._arrays["_pre"] = np.concatenate([self._arrays["_pre"], pre]) if old else pre
        # the first synapses are taken as they are (no second full-size copy)
        self._arrays["_post"] = np.concatenate([self._arrays["_post"], post]) if old else post
        # variables, and per-synapse delays: 0 for the new synapses
        for name in [n for n in self.equations if n in self._arrays] + \
                (["lastupdate"] if self.event_driven else []) + \
                [_delay_variable(p) for p, delay in self._delay.items() if delay is None]:
            zeros = np.zeros(len(post), self._arrays[name].dtype)
            self._arrays[name] = np.concatenate([self._arrays[name], zeros]) if old else zeros
        self._dirty.update(n for n in self._arrays if not n.startswith("_") or
                           n in ("_pre", "_post"))
        return old

    # -- reading and writing synaptic variables --------------------------------------------------
    def __len__(self):
        return len(self._arrays["_post"])

    @property
    def N(self):
        return len(self)

    def __getattr__(self, name):
        if name.startswith("_") or "_arrays" not in self.__dict__:
            raise AttributeError(name)
        if name in ("i", "j"):
            self._check_available(name)
            return self._indices("pre" if name == "i" else "post").copy()
        key, plain = split_plain(name, self._subexpressions)
        if key in self._subexpressions:        # evaluated now, with units (w_eff_: without)
            self._check_available(key)
            eq = self._subexpressions[key]
            values = self._expression_values(eq, sys._getframe(1))
            return values if plain or eq.dim is DIMENSIONLESS else Quantity(values, dim=eq.dim)
        key, plain = split_plain(name, self._variables())
        if key in self._variables():
            return SynapticView(self, name)
        if name in self._pathways:
            return PathwayView(self, name)
        neuron = self._neuron_names()
        if name.endswith(("_pre", "_post")) and name in neuron:
            # x_pre, v_post: a neuron's variable at each synapse's neuron (read only)
            where, group, var = neuron[name]
            self._check_available(name)
            values = group._values(var)[self._indices(where)]
            return values
        raise AttributeError(f"Synapses '{self.name}' have no variable '{name}'.")

    def _variables(self):
        """The names of the synaptic variables (and of internal arrays)."""
        return set(self._arrays) | set(self._delay_variables()) | set(_COUNTS)

    def _values(self, name):
        """The values of variable ``name`` (``w_``: without unit)."""
        key, plain = split_plain(name, self._variables())
        self._check_available(key)
        dim = self._dims_and_types()[0][key]
        delays = self._delay_variables()
        if key in _COUNTS:
            return self._counted(key)
        values = self._delays(delays[key]) if key in delays else self._arrays[key]
        return values if plain or dim is DIMENSIONLESS else Quantity(values, dim=dim)

    def _neuron_counts(self, side):
        """The synapses of each neuron of the source ('pre') or the target
        ('post'), counted from the subgroup's first (int64)."""
        if side == "pre" and self._rows is not None:
            return self._rows
        part = self.source if side == "pre" else self.target
        return _counts(self._indices(side), part.N)

    def _counted(self, name):
        """``N_incoming`` or ``N_outgoing`` of each synapse (int32, as Brian's)."""
        side = _COUNTS[name]
        return self._neuron_counts(side).astype(np.int32)[self._indices(side)]

    @property
    def N_incoming_post(self):
        """The number of synapses of each neuron of the target (Brian's)."""
        self._check_available("N_incoming_post")
        return self._neuron_counts("post").astype(np.int32)

    @property
    def N_outgoing_pre(self):
        """The number of synapses of each neuron of the source (Brian's)."""
        self._check_available("N_outgoing_pre")
        return self._neuron_counts("pre").astype(np.int32)

    def _read_only(self, name):
        if name in _COUNTS:
            raise TypeError(f"{self.name}.{name} is read-only: the number of synapses of each "
                            f"synapse's {'target' if _COUNTS[name] == 'post' else 'source'} "
                            f"neuron (it changes with connect()).")

    def _set_items(self, name, index, value):
        """``S.w[index] = value``: ``index`` as :meth:`_selected` takes it."""
        key, plain = split_plain(name, self._variables())
        self._read_only(key)
        selected = self._selected(index, sys._getframe(2))
        if isinstance(value, str):
            expr = parse_expression(value, f"assignment to {self.name}.{key}")
            value = self._evaluate(expr, sys._getframe(2), f"{self.name}.{key}[...] = "
                                   f"'{value}'", self._dims_and_types()[0][key])
            value = np.broadcast_to(value, (len(self),))[selected]
        elif not plain:
            dim = self._dims_and_types()[0][key]
            if get_dimensions(value) is not dim:
                raise DimensionMismatchError(
                    f"Cannot set {self.name}.{key} (unit {_fmt(dim)}) to {value!r} "
                    f"(unit {_fmt(get_dimensions(value))}).", dim, get_dimensions(value))
        if self._pending:
            raise NotImplementedError(f"Cannot set {self.name}.{key} after a run in "
                                      f"standalone mode (yet).")
        delays = self._delay_variables()
        array = self._own_delays(delays[key]) if key in delays else self._arrays[key]
        array[selected] = np.asarray(value)
        self._dirty.add(key)
        if key in delays:
            self._queue_for = None

    def _selected(self, index, frame):
        """Synapse indices for Brian's ways of indexing synaptic variables: a
        pair ``(i, j)`` of presynaptic and postsynaptic selections (numbers,
        slices or arrays), a condition string (``'i > j'``), or an index of
        the synapses themselves (in creation order)."""
        if isinstance(index, str):
            expr = parse_expression(index, f"index of {self.name}")
            mask = self._evaluate(expr, frame, f"{self.name}['{index}']", None)
            return np.flatnonzero(np.broadcast_to(mask, (len(self),)))
        if isinstance(index, tuple):
            if len(index) != 2:
                raise IndexError(f"Index synapses of '{self.name}' by (i, j) pairs, a "
                                 f"condition string or synapse numbers, not {index!r}.")
            keep = np.ones(len(self), dtype=bool)
            for sel, values, size in ((index[0], self._pre_index(), self.source.N),
                                      (index[1], self._arrays["_post"], self.target.N)):
                chosen = np.arange(size)[sel] if isinstance(sel, slice) else np.asarray(sel)
                keep &= np.isin(values, chosen)
            return np.flatnonzero(keep)
        return index

    def _check_available(self, name):
        if self._pending:
            raise NotImplementedError(self._pending.format(what=f"{self.name}.{name}"))

    def __setattr__(self, name, value):
        if "_initialized" not in self.__dict__ or name.startswith("_"):
            return super().__setattr__(name, value)
        key, plain = split_plain(name, self._variables())
        if split_plain(name, self._subexpressions)[0] in self._subexpressions:
            raise AttributeError(f"'{name}' of synapses '{self.name}' is a subexpression and "
                                 f"cannot be assigned.")
        if key not in self._variables() or key.startswith("_"):
            if hasattr(type(self), name) or name in self.__dict__:
                return super().__setattr__(name, value)
            raise AttributeError(f"Synapses '{self.name}' have no variable '{name}'.")
        self._assign(key, value, sys._getframe(1), check_units=not plain)

    def _assign(self, name, value, frame, check_units=True):
        self._read_only(name)
        if self._pending:
            raise NotImplementedError(f"Cannot set {self.name}.{name} after a run in "
                                      f"standalone mode (yet).")
        dim = self._dims_and_types()[0][name]
        evaluated = isinstance(value, str)
        if evaluated:
            expr = parse_expression(value, f"assignment to {self.name}.{name}")
            value = self._evaluate(expr, frame, f"{self.name}.{name} = '{value}'", dim)
        values = assigned_values(self.name, name, value, dim, len(self), check_units,
                                 evaluated, noun="synapses")
        delays = self._delay_variables()
        if name in delays:
            self._queue_for = None
            if np.ndim(value) == 0 and not evaluated:       # one delay for all again
                self._arrays.pop(name, None)
                self._delay[delays[name]] = float(np.ravel(values)[0]) if np.size(values) \
                    else float(np.asarray(value))
                return
        array = self._own_delays(delays[name]) if name in delays else self._arrays[name]
        array[:] = values
        self._dirty.add(name)

    def _evaluate(self, expr, frame, what, expected_dim):
        """A string expression over the synapses, in numpy: synaptic
        variables, ``i``, ``j``, ``x_pre``, ``x_post``, constants, rand()."""
        dims, types = self._dims_and_types()
        neuron = self._neuron_names()
        values = {"j": self._arrays["_post"], "N": len(self),
                  "t": self.clock.t_, "dt": self.clock.dt_}
        if "i" in expr.identifiers or any(neuron[n][0] == "pre" for n in expr.identifiers
                                          if n in neuron):
            values["i"] = self._pre_index()      # made only when asked for
        for name in self.equations:
            if name in self._arrays:
                values[name] = self._arrays[name]
        if "pre" in self._pathways:
            values["delay"] = self._delays("pre")
        for name in _COUNTS:
            if name in expr.identifiers:
                values[name] = self._counted(name)
        for name in expr.identifiers & set(self._subexpressions):     # each, evaluated
            values[name] = self._expression_values(self._subexpressions[name], frame)
        for name, (where, group, var) in neuron.items():
            if name in expr.identifiers:
                gdims, gtypes = group._dims_and_types()
                dims[name], types[name] = gdims[var], gtypes[var]
                index = values["i"] if where == "pre" else values["j"]
                values[name] = group._arrays[var][index]
        caller = {**frame.f_globals, **frame.f_locals}
        try:
            external = sorted(expr.identifiers - set(dims))
            for name, value in resolve_external(external, self.namespace, caller).items():
                dims[name], values[name] = get_dimensions(value), float(np.asarray(value))
                types[name] = "float"
            dim = infer_dimension(expr, dims, values)
        except NeurocodegenError as exc:
            raise _in_group(self, exc) from None
        if expected_dim is None:
            if infer_type(expr, types) != "boolean":
                raise EquationError(f"The index '{expr.code}' of '{self.name}' must be a "
                                    f"condition (such as 'i > j').")
        elif dim is not expected_dim:
            raise DimensionMismatchError(
                f"Inconsistent units in '{what}': the expression has unit {_fmt(dim)} but "
                f"the variable has unit {_fmt(expected_dim)}.", dim, expected_dim)
        return evaluate(expr, values, **random_state.assignment_draws(self._rng_id, len(self)))

    def _expression_values(self, eq, frame):
        """A subexpression's values (SI, without units), one per synapse."""
        values = self._evaluate(eq.expr, frame, f"{self.name}.{eq.name}", eq.dim)
        return np.asarray(np.broadcast_to(values, (len(self),)))

    # -- Brian's get_states ------------------------------------------------------------------
    def _state_names(self, subexpressions=False, read_only_variables=True):
        """Brian's names: the synaptic variables, ``lastupdate``, the
        variables of each synapse's neurons (``v_pre``, ``v_post``, ``v``),
        the summed subexpressions if ``subexpressions``, then the read-only
        ones (counts, indices, sizes and times)."""
        names = [n for n, eq in self.equations.items() if n in self._arrays]
        names += ["lastupdate"] if self.event_driven else []
        summed = [name for name, _, _ in self.summed]
        names += [n for n in self._neuron_names() if n not in summed]
        names += summed + list(self._subexpressions) if subexpressions else []
        if read_only_variables:
            names += ["N", "N_incoming", "N_outgoing", "N_pre", "N_post", "i", "i_pre",
                      "i_post", "j"]
            names += [f"{t}{side}" for t in ("t", "dt", "t_in_timesteps")
                      for side in ("", "_pre", "_post")]
        return names

    def get_states(self, vars=None, units=True, format="dict", subexpressions=False,
                   read_only_variables=True, level=0):
        """A copy of the synapses' values, as Brian's ``get_states``:
        ``{name: values}`` of ``vars`` (default: the names of
        :meth:`_state_names`), one value per synapse (``N``, ``N_pre``,
        ``N_post`` and the times: one value), with units unless ``units`` is
        False; ``format='pandas'`` gives a pandas DataFrame (``units=False``)."""
        pandas = _states_pandas(format, units)
        names = self._state_names(subexpressions, read_only_variables) if vars is None \
            else list(vars)
        frame = sys._getframe(1 + level)
        states = {name: self._state(name, units, frame) for name in names}
        return states if format == "dict" else pandas.DataFrame(states)

    def set_states(self, values, units=True, format="dict", level=0):
        """Set synaptic variables from ``{name: values}`` (one per synapse, in
        creation order, or one for all; a pandas DataFrame with
        ``format='pandas'`` and ``units=False``), as Brian's ``set_states``;
        with ``units`` (the default) each value's unit is checked. Every name
        is checked before anything changes."""
        values = _state_values(values, format, units)
        writable = {n for n in self.equations if n in self._arrays} | \
            set(self._delay_variables()) | ({"lastupdate"} if self.event_driven else set())
        neuron = self._neuron_names()
        for name in values:
            if name in writable:
                continue
            if name in neuron:
                group, var = neuron[name][1:]
                raise TypeError(f"Cannot set {self.name}.{name} through the synapses: it is "
                                f"{group.name}.{var}; set it on '{group.name}'.")
            if name in self._state_names(True):
                raise TypeError(f"Cannot set {self.name}.{name}: it is read-only (a count, an "
                                f"index, a size, a time or a subexpression).")
            raise KeyError(f"Synapses '{self.name}' have no variable {name!r} to set.")
        frame = sys._getframe(1 + level)
        for name, value in values.items():
            self._assign(name, value, frame, check_units=units)

    def _state(self, name, units, frame):
        self._check_available(name)
        quantity = (lambda values, dim: Quantity(values, dim=dim)
                    if units and dim is not DIMENSIONLESS else values)
        sizes = {"N": len(self), "N_pre": self.source.N, "N_post": self.target.N}
        if name in sizes:
            return sizes[name]
        if name in ("i", "i_pre", "j", "i_post"):
            return self._indices("pre" if name.startswith("i") and name != "i_post"
                                 else "post").copy()
        for suffix, clock in (("", self.clock), ("_pre", self.source.clock),
                              ("_post", self.target.clock)):
            if name in ("t" + suffix, "dt" + suffix):
                return quantity(clock.t_ if name[0] == "t" else clock.dt_, TIME)
            if name == "t_in_timesteps" + suffix:
                return int(round(clock.t_ / clock.dt_))
        eq = self.equations.get(name)
        if eq is not None and eq.kind == "subexpression":      # summed or not: per synapse
            return quantity(self._expression_values(eq, frame), eq.dim)
        neuron = self._neuron_names()
        if name in neuron and name not in self._variables():
            where, group, var = neuron[name]
            return np.array(group._values(var if units else var + "_"))[self._indices(where)]
        if name not in self._variables() or name.startswith("_"):
            raise KeyError(f"Synapses '{self.name}' have no variable {name!r}.")
        values = np.array(self._values(name + "_"))
        if "shared" in getattr(self.equations.get(name), "flags", ()):
            values = values[0]                 # one value (as Brian's)
        return quantity(values, self._dims_and_types()[0][name])

    def variable_table(self):
        """name -> (array, model type, shared) of the synaptic variables."""
        return {eq.name: (self._arrays[eq.name], eq.dtype, "shared" in eq.flags)
                for eq in self.equations.values() if eq.name in self._arrays}

    def __repr__(self):
        return (f"<Synapses {self.name!r} from {self.source.name!r} to {self.target.name!r}: "
                f"{len(self)} synapses>")


def _words(code):
    """The names in ``code`` (words that are not numbers)."""
    import re
    return re.findall(r"\b[A-Za-z_]\w*\b", code)


def _renamed(code, old, new):
    """``code`` with the name ``old`` replaced by ``new`` (whole names only)."""
    import re
    return re.sub(rf"\b{re.escape(old)}\b", new, code)


def _counts(indices, size):
    """How many times each of 0..size-1 occurs in ``indices``: numpy's
    bincount, a block at a time (it makes an int64 copy of its input, as
    large as the synapses themselves)."""
    counts = np.zeros(size, dtype=np.int64)
    block = 1 << 24
    for start in range(0, len(indices), block):
        counts += np.bincount(indices[start:start + block], minlength=size)
    return counts


def _sorted_pairs(last_pre, last_post, pre, post):
    """Whether the pairs (``pre``, ``post``) are sorted (by pre, then post)
    and come after the pair (``last_pre``, ``last_post``) (empty: none),
    checked a block at a time, without full-size temporaries."""
    block = 1 << 22
    for start in range(0, len(pre), block):
        stop = min(len(pre), start + block)
        p = np.concatenate([last_pre, pre[start:stop]]).astype(np.int64)
        q = np.concatenate([last_post, post[start:stop]]).astype(np.int64)
        dp = np.diff(p)
        if (dp < 0).any() or ((dp == 0) & (np.diff(q) < 0)).any():
            return False
        last_pre, last_post = pre[stop - 1:stop], post[stop - 1:stop]
    return True


def ring_depth(dmin, dmax):
    """Steps of a pathway's ring of past events: its longest delay, while
    threads run up to its shortest delay (at least one step) apart."""
    return dmax + max(dmin, 1) + 1


def _deeper_history(history, depth, new_depth, n, step):
    """The spike history ring re-laid for ``new_depth`` steps, keeping the
    spikes of the last ``depth`` steps before ``step`` where they belong."""
    width = n + 1
    out = np.zeros(new_depth * width, dtype=np.int32)
    step = int(round(step))
    for back in range(1, min(depth, step) + 1):
        s = step - back
        out[(s % new_depth) * width:(s % new_depth + 1) * width] = \
            history[(s % depth) * width:(s % depth + 1) * width]
    return out


def _pathways(on_pre, on_post, on_event, name):
    """name -> PathwaySpec of each pathway, as Brian makes them: ``on_pre``
    and ``on_post`` each a string (the pathway 'pre' or 'post') or a dict
    of named pathways; ``on_event`` a string (the event of every pathway)
    or a dict (pathway -> event; 'spike' for the others)."""
    default, events = "spike", {}
    if isinstance(on_event, str):
        default = on_event
    elif on_event is not None:
        if not isinstance(on_event, dict) or \
                not all(isinstance(v, str) for v in on_event.values()):
            raise ValueError(f"Synapses '{name}': on_event is an event name or a dict of "
                             f"pathway names to event names, got {on_event!r}.")
        events = dict(on_event)
    pathways = {}
    for side, argument in (("pre", on_pre), ("post", on_post)):
        if not argument:
            continue
        named = argument.items() if isinstance(argument, dict) else [(side, argument)]
        for key, code in named:
            if not isinstance(key, str) or not key.isidentifier():
                raise TypeError(f"Synapses '{name}': the pathways of on_{side} are named by "
                                f"identifiers (strings), got {key!r}.")
            if key in pathways:
                raise ValueError(f"Synapses '{name}' have two pathways named {key!r}.")
            if not isinstance(code, str):
                raise TypeError(f"Synapses '{name}': the statements of the {key!r} pathway must "
                                f"be a string, got {code!r}.")
            pathways[key] = PathwaySpec(key, side, parse_statements(code, _context_of(key, side)),
                                        events.get(key, default))
    unknown = sorted(set(events) - set(pathways))
    if unknown:
        raise ValueError(f"Synapses '{name}': on_event names the pathway {unknown[0]!r}, which "
                         f"they do not have (pathways: {', '.join(pathways) or 'none'}).")
    return pathways


def _pathway_delays(delay, pathways, name):
    """pathway -> its one delay in seconds, as Brian takes ``delay``: one
    value (of the 'pre' pathway) or a dict by pathway; 0 for the others."""
    given = {} if delay is None else dict(delay) if isinstance(delay, dict) else {"pre": delay}
    for p in given:
        if p not in pathways:
            raise ValueError(f"Synapses '{name}': cannot set the delay of the pathway {p!r}, "
                             f"they have no such pathway (pathways: "
                             f"{', '.join(pathways) or 'none'}).")
    return {p: check_time(given[p], f"The delay of the {p!r} pathway of Synapses '{name}'")
            if p in given else 0.0 for p in pathways}


def _delay_variable(pathway):
    """The variable of a pathway's delay: ``delay`` for 'pre', as in Brian."""
    return "delay" if pathway == "pre" else f"{pathway}.delay"


def _context_of(name, side):
    """How errors name the statements of a pathway."""
    return f"on_{side}" if name == side else f"on_{side}['{name}']"


def _context(pathway):
    return _context_of(pathway.name, pathway.side)


class PathwayView:
    """``S.pre``, ``S.post`` or ``S.<name>``: one pathway of a Synapses; its
    ``delay`` reads and sets as ``S.delay`` does (``S.delay`` is
    ``S.pre.delay``, as in Brian)."""

    __slots__ = ("synapses", "name")

    def __init__(self, synapses, name):
        object.__setattr__(self, "synapses", synapses)
        object.__setattr__(self, "name", name)

    @property
    def event(self):
        return self.synapses._pathways[self.name].event

    def __getattr__(self, attr):
        if attr not in ("delay", "delay_"):
            raise AttributeError(f"The pathway {self.name!r} of '{self.synapses.name}' has "
                                 f"no attribute {attr!r} (it has 'delay').")
        return SynapticView(self.synapses, _delay_variable(self.name) + attr[len("delay"):])

    def __setattr__(self, attr, value):
        if attr not in ("delay", "delay_"):
            raise AttributeError(f"Only the delay of the pathway {self.name!r} of "
                                 f"'{self.synapses.name}' can be set.")
        self.synapses._assign(_delay_variable(self.name), value, sys._getframe(1),
                              check_units=attr == "delay")

    def __repr__(self):
        return f"<pathway {self.name!r} of {self.synapses.name!r}>"


def _guards(statements, neuron):
    """Brian's conditional write: a statement that writes a neuron variable
    flagged ``(unless refractory)`` only changes it where the neuron is not
    refractory. name -> the name of its neuron's ``not_refractory``."""
    guards = {}
    for st in statements:
        if st.target not in neuron:
            continue
        where, group, var = neuron[st.target]
        eq = group.equations.get(var) if hasattr(group, "equations") else None
        if getattr(group, "has_refractoriness", False) and eq is not None \
                and "unless refractory" in eq.flags:
            guards[st.target] = f"not_refractory_{where}"
    return guards


def check_summed(objects):
    """Refuse, as Brian does, two Synapses whose summed variables set the same
    variable of overlapping neurons: each sum replaces the values, so the
    last would win."""
    seen = {}
    for obj in objects:
        if not isinstance(obj, Synapses):
            continue
        for _, side, var in obj.summed:
            group = obj.source if side == "pre" else obj.target
            parent, first = whole(group)
            for other, (lo, hi) in seen.get((id(parent), var), ()):
                if lo < first + group.N and first < hi:
                    raise NotImplementedError(
                        f"The summed variables of Synapses '{other.name}' and '{obj.name}' "
                        f"both set '{var}' of '{parent.name}' (for the same neurons); Brian "
                        f"refuses this too: sum into separate variables of "
                        f"'{parent.name}' and add them.")
            seen.setdefault((id(parent), var), []).append((obj, (first, first + group.N)))


def _part(group):
    """(first, stop) of a subgroup in its group, None for a whole group."""
    parent, first = whole(group)
    return None if parent is group else (first, first + group.N)


def _order(group):
    """The order Brian gives a source or target: a subgroup's is its group's
    + 1 (so that a summed variable onto a subgroup is computed after the
    group's state update, as in Brian)."""
    parent, _ = whole(group)
    return parent.order + (0 if parent is group else 1)
