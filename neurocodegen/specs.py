"""Specs: frozen descriptions of simulation objects, all that lowering reads.

``before_run`` turns each object into a spec: its model (parsed), sizes, the
names of the constants it takes from the namespace (not their values: those
are passed at run time) and its place in the schedule. Lowering functions
(``neurocodegen.lowering``) are pure functions of specs, and the key of the
lowering memo is :func:`key` of the specs: a field added to a spec is part of
the key without anyone remembering to add it. No sympy here, so that a warm
run (memo hit) never imports it.
"""
import hashlib
import json
from dataclasses import dataclass, fields, is_dataclass

from .model.equations import Equations
from .model.expressions import Expression, Statement

#: The slots of one time step, in order (Brian's default schedule).
SLOTS = ("start", "groups", "thresholds", "synapses", "resets", "end")

#: Every place in a step an object may take: each slot, with Brian's
#: ``before_<slot>`` and ``after_<slot>`` around it.
SCHEDULE = tuple(f"{where}{slot}" for slot in SLOTS for where in ("before_", "", "after_"))

#: Model types (``float``, ``integer``, ``boolean``) as numpy dtype names.
DTYPES = {"float": "float64", "integer": "int32", "boolean": "bool"}


@dataclass(frozen=True)
class TableFunction:
    """A TimedArray a model calls: read from its table of ``ndim`` (1 or 2)
    dimensions; ``constant_over_step`` when its dt is a multiple of the
    caller's, so that ``exact`` integration may hold ``ta(t)`` over a step."""
    ndim: int
    constant_over_step: bool


@dataclass(frozen=True)
class UserFunction:
    """A user's ``Function`` a model calls, with ``nargs`` arguments: in C++
    the function ``cpp_name`` defined by ``cpp_code`` (None without a C++
    implementation); the numpy target calls the Python function."""
    nargs: int
    cpp_name: str
    cpp_code: str = None


@dataclass(frozen=True)
class NeuronGroupSpec:
    name: str
    N: int
    equations: Equations
    threshold: Expression = None
    reset: tuple = ()                  # Statement
    refractory: object = None          # None, "time", or (Expression, is_condition)
    method: object = None              # name, None (automatic), or a tuple of names
    events: tuple = ()                 # (name, Expression) of its custom events
    externals: tuple = ()              # sorted names taken from the namespace
    functions: tuple = ()              # (name, TableFunction | UserFunction) it calls
    rng_id: int = 0
    period: int = 1                    # acts every `period` base steps
    order: int = 0
    # (name, source group, its variable, model type, shared, index array or None)
    # of each linked variable
    linked: tuple = ()

    @property
    def variables(self):
        """(name, model type, shared) of each stored variable, in array order."""
        out = []
        for eq in self.equations.values():
            if "linked" in eq.flags:
                continue
            if eq.kind != "subexpression" or "constant over dt" in eq.flags:
                out.append((eq.name, eq.dtype, "shared" in eq.flags))
        if self.refractory is not None:
            out += [("lastspike", "float", False), ("not_refractory", "boolean", False)]
        return tuple(out)


@dataclass(frozen=True)
class SpikeMonitorSpec:
    name: str
    source: str
    source_N: int
    record: bool = True
    event: str = "spike"               # or a custom event of the source
    first: int = 0                     # a subgroup: neurons first..first+size-1,
    size: int = None                   # recorded with indices from 0
    period: int = 1
    when: str = "thresholds"
    order: int = 1
    variables: tuple = ()              # (name, model type, shared) recorded at each event


@dataclass(frozen=True)
class PopulationRateMonitorSpec:
    name: str
    source: str
    source_N: int
    first: int = 0                     # a subgroup, as in SpikeMonitorSpec
    size: int = None
    period: int = 1
    when: str = "end"
    order: int = 0


@dataclass(frozen=True)
class StateMonitorSpec:
    name: str
    source: str
    source_N: int
    variables: tuple                   # (name, model type, shared) of the recorded ones
    period: int = 1
    when: str = "start"
    order: int = 0
    # the source's indices are owned by the thread whose part they fall in
    # (a group's neurons); synapses are owned by their target's thread, which
    # the monitor's input array `owners` names
    split_by_index: bool = True


@dataclass(frozen=True)
class PathwaySpec:
    """One pathway of a Synapses: its ``statements`` run for a synapse when
    an ``event`` of its ``side`` ('pre': the source neuron, 'post': the
    target neuron) arrives, after the pathway's delay. ``name``: 'pre',
    'post' or a key of an ``on_pre``/``on_post`` dict. How its synapses are
    stored: ``one_delay`` (no per-synapse delays); on the pre side,
    ``in_order`` (stored by source, then target neuron: no order needed); on
    the post side, ``delayed`` (False: a delay of 0, no spike history)."""
    name: str
    side: str
    statements: tuple
    event: str = "spike"
    one_delay: bool = True
    in_order: bool = False
    delayed: bool = True


@dataclass(frozen=True)
class SynapsesSpec:
    """Synapses from ``source`` to ``target``. ``names`` says where each name
    of ``on_pre`` lives: ``(name, "synapse"|"pre"|"post", variable, model
    type, shared)``, or ``"count_pre"|"count_post"`` for ``N_outgoing`` and
    ``N_incoming`` (an array of the synapses with a count per neuron of the
    source or target, read at the synapse's neuron); ``i`` and ``j`` are the
    synapse's pre- and postsynaptic indices."""
    name: str
    source: str
    source_N: int
    target: str
    target_N: int
    equations: Equations
    pathways: tuple = ()               # PathwaySpec, in the order they were given
    summed: tuple = ()                 # (equation name, "pre"|"post", variable it sets)
    method: object = None              # of clock-driven equations
    target_order: int = 0              # summed variables run just before the target
    source_order: int = 0              # ... or the source
    names: tuple = ()
    externals: tuple = ()
    functions: tuple = ()              # (not supported in Synapses yet)
    guards: tuple = ()                 # (written neuron name, its not_refractory name)
    source_part: tuple = None          # (first, stop) when the source is a subgroup
    target_part: tuple = None          # ... and the target
    rng_id: int = 0
    period: int = 1
    order: int = 0


@dataclass(frozen=True)
class SpikeGeneratorSpec:
    """A SpikeGeneratorGroup of ``N`` neurons: its spikes come from a table
    of events (values given at run time)."""
    name: str
    N: int
    period: int = 1
    when: str = "thresholds"
    order: int = 0


@dataclass(frozen=True)
class RegularOperationSpec:
    """``group.run_regularly(code, dt=...)``: ``statements`` run for every
    neuron of ``group`` every ``period`` base steps. ``externals`` are the
    names it takes from the namespace, its own and those of the group's
    subexpressions."""
    name: str
    group: NeuronGroupSpec
    statements: tuple                  # Statement
    externals: tuple = ()
    functions: tuple = ()              # its own and its group's (see NeuronGroupSpec)
    rng_id: int = 0
    period: int = 1
    when: str = "start"
    order: int = 0


@dataclass(frozen=True)
class EventOperationSpec:
    """``group.run_on_event(event, code)``: ``statements`` for the neurons
    of ``group`` that had ``event`` in this step."""
    name: str
    group: NeuronGroupSpec
    event: str
    statements: tuple
    externals: tuple = ()
    functions: tuple = ()
    rng_id: int = 0
    period: int = 1
    when: str = "after_resets"
    order: int = 0


@dataclass(frozen=True)
class PoissonInputSpec:
    """``PoissonInput(group, target_var, N, rate, weight)``: each step, every
    neuron's ``statement`` (``target_var += weight``) with the weight
    multiplied by a binomial draw (or, where Brian approximates it, a normal
    one: ``normal``); the draw's constants are run-time values."""
    name: str
    group: NeuronGroupSpec
    statement: object                  # Statement
    normal: bool = False
    externals: tuple = ()
    functions: tuple = ()
    rng_id: int = 0
    period: int = 1
    when: str = "synapses"
    order: int = 0


def canonical(value):
    """``value`` as plain JSON data: dataclasses field by field (tagged with
    their type), model strings as their text. Anything else is an error, so
    that a new kind of field cannot silently drop out of the key."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [canonical(v) for v in value]
    if isinstance(value, Equations):
        return str(value)
    if isinstance(value, Expression):
        return value.code
    if isinstance(value, Statement):
        return [value.target, value.op, value.expr.code]
    if is_dataclass(value):
        return {"type": type(value).__name__,
                **{f.name: canonical(getattr(value, f.name)) for f in fields(value)}}
    raise TypeError(f"cannot describe {type(value).__name__} {value!r} in a spec key")


def key(specs, *extra):
    """sha256 of the specs (in order) and of ``extra`` JSON-able values."""
    payload = json.dumps([canonical(s) for s in specs] + list(extra), sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


# -- what an object records, for the standalone program -------------------------

@dataclass(frozen=True)
class Column:
    """A growable array of a recording: ``array`` is its name among its
    owner's arrays, ``name`` the name of its result (``<owner>.<name>.bin``,
    and its key for the owner's ``_load_results``). The ``time`` column
    tells the steps of events apart, and in a snapshot holds one value per
    row where the others hold one per recorded index."""
    array: str
    name: str
    dim: object = None          # physical dimension of the values (None: dimensionless)
    time: bool = False


@dataclass(frozen=True)
class Recording:
    """What an object records, for the standalone driver. ``layout`` is
    ``"events"``, rows appended at any step (one per spike of the ``size``
    indices, at most one per index and step), or ``"snapshot"``, one row per
    recording step with a value for each index listed in the input array
    ``index`` (indices of ``size``)."""
    layout: str
    size: int
    columns: tuple
    index: str = None
    owner: str = None         # snapshot: an input array of the index of `size` whose
                              # thread records each listed index (a synapse's target)
