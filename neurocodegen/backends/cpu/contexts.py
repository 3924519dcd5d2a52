"""The typed contexts the C++ templates print: one dataclass per template.

Everything is decided and printed before a context is made (see
``kernels.py``); a template only lays out loops and memory from one context.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Array:
    """A pointer unpacked from the argument table: ``ctype* cname``."""
    cname: str
    ctype: str


@dataclass(frozen=True)
class Constant:
    """``const ctype cname = _ncg_const[index];``"""
    cname: str
    index: int
    ctype: str = "double"


@dataclass(frozen=True)
class Load:
    """``ctype local = array[index];`` at the top of a loop body."""
    ctype: str
    local: str
    array: str
    index: str = "_ncg_i"


@dataclass(frozen=True)
class Store:
    """``array[index] = (ctype)local;`` at the bottom of a loop body."""
    array: str
    local: str
    ctype: str
    index: str = "_ncg_i"


@dataclass(frozen=True)
class Assign:
    """``[const ctype] target = expr;``"""
    target: str
    expr: str
    declare: bool = False
    ctype: str = "double"


@dataclass(frozen=True)
class Branch:
    """``if (condition) {then} else {otherwise}``"""
    condition: str
    then: tuple
    otherwise: tuple


@dataclass(frozen=True)
class Kernel:
    """What every per-neuron loop shares: its clock, constants, invariants
    and the loads/statements/stores of its body."""
    comment: str
    period: int               # acts every `period` base steps
    t_expr: str               # C++ for the time of this object's clock
    size: str                 # the group's N
    lo: str                   # this thread's neurons: [lo, hi)
    hi: str
    constants: tuple
    invariants: tuple         # Assign, before the loop (hoisted, per step)
    loads: tuple
    body: tuple               # Assign or Branch
    stores: tuple
    scalar_writes: tuple = ()  # Store of a shared variable, once per step before the loop


@dataclass(frozen=True)
class NoiseBuffer:
    """A block of standard normals for one noise term: ``double name[BLOCK]``
    filled by ``ncg::randn_block`` with stream ``tag``."""
    name: str
    tag: int


@dataclass(frozen=True)
class BinomialBuffer:
    """A block of binomial draws: ``double name[BLOCK]`` filled by
    ``ncg::binomial_block`` with stream ``tag``, from the table
    ``name_table`` that ``ncg::binomial_table(constants)`` makes."""
    name: str
    tag: int
    constants: str            # the table's arguments: n, P, q, qn, bound, reverse


@dataclass(frozen=True)
class StateUpdateBlock:
    kernel: Kernel
    noise: tuple = ()         # NoiseBuffer per noise term
    binomials: tuple = ()     # BinomialBuffer per binomial draw
    template: str = "stateupdate.cpp.j2"


@dataclass(frozen=True)
class ThresholdBlock:
    kernel: Kernel
    condition: str
    spikespace: str
    on_spike: tuple = ()      # Store(array, value) for each spiking neuron
    uniforms: tuple = ()      # NoiseBuffer of uniform draws, filled a block at a time
    scan: str = ""            # a condition that every crossing neuron meets and whose
                              # loop vectorises ("": none, one loop)
    template: str = "threshold.cpp.j2"


@dataclass(frozen=True)
class ResetBlock:
    kernel: Kernel            # its loop runs over the spikes of this step
    spikespace: str
    template: str = "reset.cpp.j2"


@dataclass(frozen=True)
class SpikeMonitorBlock:
    """For each spike of this step: append a row to growable buffers and
    increment counters."""
    kernel: Kernel            # header: constants, t
    spikespace: str
    fill: str                 # int64[2]: rows written, capacity ("" if no rows)
    columns: tuple            # Store(buffer, value) of a row; index _ncg_n
    increments: tuple         # Store(array, value) added at _ncg_i
    part: tuple = None        # (first, stop) of a subgroup
    template: str = "spikemonitor.cpp.j2"


@dataclass(frozen=True)
class StateMonitorBlock:
    """One row per step: the time, and each column at the recorded indices."""
    kernel: Kernel            # header: constants, t
    times: str                # double buffer of recording times
    fill: str                 # int64[3]: rows written, capacity, neurons recorded
    record: str               # int32 indices recorded
    columns: tuple            # (source array, buffer array) per variable
    template: str = "statemonitor.cpp.j2"


@dataclass(frozen=True)
class SynapsesBlock:
    """The synapses whose spike arrives now (see ``ir.ArrivingSynapses``);
    the constants ``_depth``, ``_dmin`` and ``_dmax`` are in the kernel.
    ``order`` "": stored in order; ``delays`` "": one delay."""
    kernel: Kernel
    source_size: int
    target_size: int
    spikes: str
    history: str
    order: str
    offsets: str
    delays: str
    posts: str
    post_first: int
    template: str = "synapses.cpp.j2"


@dataclass(frozen=True)
class HistoryBlock:
    """A pathway keeps this thread's spikes of the step in its ``history``
    (a ring of ``depth`` spike spaces of a group of ``size``), before the
    threads meet to deliver them."""
    comment: str
    history: str
    spikes: str
    size: int
    depth: Constant
    period: int               # every that many steps
    template: str = "history.cpp.j2"


@dataclass(frozen=True)
class MeetBlock:
    """The threads meet (``ncg_meet``, see network.cpp.j2) when the C++
    ``condition`` holds."""
    comment: str
    condition: str
    period: int               # every that many steps
    template: str = "meet.cpp.j2"


@dataclass(frozen=True)
class PostSynapsesBlock:
    """The synapses of the target neurons of this thread whose event
    arrives: now (``history`` ""), or after the pathway's delay (``delays``
    "": one delay)."""
    kernel: Kernel
    spikes: str
    order: str
    offsets: str
    history: str = ""
    delays: str = ""
    template: str = "synapses_post.cpp.j2"


@dataclass(frozen=True)
class ByNeuronBlock:
    """Every synapse, by this thread's neurons of the target (or the source);
    with ``summed`` (an array of that group), each neuron gets the sum of its
    synapses' ``_summed``."""
    kernel: Kernel
    order: str
    offsets: str
    summed: str = ""
    part: tuple = None        # (first, stop): only these neurons (a subgroup)
    template: str = "synapses_by_neuron.cpp.j2"


@dataclass(frozen=True)
class Range:
    """``const int64_t lo/hi``: this thread's part of a group of ``size``."""
    lo: str
    hi: str
    size: int


@dataclass(frozen=True)
class RoomCheck:
    """After a step: return early ``when`` a monitor buffer (``fill``: int64
    written, capacity) has no room for ``needed`` more entries."""
    fill: str
    needed: str
    when: str = ""            # C++ prefix such as ``(_ncg_step + 1) % 10 == 0 && ``


@dataclass(frozen=True)
class NetworkSource:
    """The whole compiled run loop of one network."""
    arrays: tuple
    constants: tuple          # network-wide constants (sizes)
    blocks: tuple
    ranges: tuple = field(default=())         # Range per group
    room_checks: tuple = field(default=())    # RoomCheck per monitor


@dataclass(frozen=True)
class ModuleSource:
    """The Cython wrapper around the C++ run loop."""
    cpp_file: str


@dataclass(frozen=True)
class SpikeGeneratorBlock:
    """The spikes of this step from a sorted table of (step, index) events:
    this thread's neurons among them, into its part of the spike space."""
    kernel: Kernel
    spikespace: str
    steps: str                # event steps, sorted
    indices: str              # event neurons, ascending within a step
    template: str = "spikegenerator.cpp.j2"


@dataclass(frozen=True)
class RateMonitorBlock:
    """If neurons spiked in this step: append a row (time, how many) to
    growable buffers."""
    kernel: Kernel
    spikespace: str
    fill: str
    times: str
    counts: str
    part: tuple = None        # (first, stop) of a subgroup
    template: str = "ratemonitor.cpp.j2"
