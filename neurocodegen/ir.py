"""The kernel IR: what lowering produces and every backend prints.

Target-neutral: expressions are sympy, arrays are named by (object, array)
and typed with numpy dtype names, loops are *index spaces* (all neurons of a
group, the neurons that spiked this step, the indices a monitor records) and
no C++ or numpy text appears anywhere. A backend decides how to loop, which
locals to load, how to draw random numbers and how to print; see
``backends/cpu`` and ``backends/numpy``.

Random numbers are counter-based: a draw is a pure function of (seed, array
index, time step, stream), where the stream (32 bits) names the object, the
kind of kernel and the call site (:mod:`neurocodegen.streams`). Indices and steps are
64-bit, so a draw is defined for 10^10 synapses as for 10 neurons.
"""
from dataclasses import dataclass, field

import sympy

from .specs import DTYPES, SCHEDULE  # noqa: F401  (model types; the slots of a step)
from .streams import (KIND_ASSIGN, KIND_EVENT, KIND_INPUT, KIND_NOISE,  # noqa: F401
                      KIND_ON_PRE, KIND_OPERATION, KIND_RAND_UPDATE, KIND_RESET,
                      KIND_THRESHOLD, stream)


class Uniform(sympy.Function):
    """A uniform draw in (0, 1) for the loop's index; the argument is its stream."""
    nargs = 1
    is_real = True

    def _eval_evalf(self, prec):
        return None


class Normal(Uniform):
    """A standard normal draw for the loop's index; the argument is its stream."""


class Binomial(sympy.Function):
    """A binomial draw for the loop's index: ``Binomial(stream, n, P, q, qn,
    bound, reverse)`` with the constants of
    ``runtime.random.binomial_constants`` (a PoissonInput's events)."""
    nargs = 7
    is_real = True

    def _eval_evalf(self, prec):
        return None


class Poisson(sympy.Function):
    """``Poisson(stream, lam)``: a Poisson draw of mean ``lam`` for the
    loop's index (``ncg::poisson`` and its twin ``runtime.random.poisson_at``)."""
    nargs = 2
    is_real = True

    def _eval_evalf(self, prec):
        return None


class Select(sympy.Function):
    """``Select(condition, a, b)``: ``a`` where ``condition`` holds, else ``b``,
    without a branch (a conditional move where the target has one)."""
    nargs = 3

    def _eval_is_real(self):
        return self.args[1].is_real and self.args[2].is_real


class Lookup(sympy.Function):
    """``Lookup(table, index)``: the value at ``index`` (a whole number, in
    range) of the kernel's table named ``table`` (a symbol; the kernel's
    ``tables`` bind it to an array): a TimedArray's values."""
    nargs = 2
    is_real = True


class Call(sympy.Function):
    """``Call(function, *args)``: a user's function (a symbol; the kernel's
    ``functions`` bind it to a :class:`UserFunction`) applied to ``args``."""
    is_real = True


@dataclass(frozen=True)
class UserFunction:
    """A user's function called by an object's kernels: in C++ the function
    ``cpp_name`` that ``cpp_code`` defines (None: it has no C++ code); the
    numpy target calls the Python function bound to ``(owner, name)``."""
    owner: str
    name: str
    cpp_name: str
    cpp_code: str = None

    @property
    def ref(self):
        return (self.owner, self.name)


def draws(expr):
    """The random draws in ``expr`` (Uniform and Normal)."""
    return expr.atoms(Uniform) if isinstance(expr, sympy.Basic) else set()


#: The kinds of random draws (never hoisted out of a loop, never merged).
RANDOM = (Uniform, Binomial, Poisson)


# -- arrays and values ----------------------------------------------------------------

@dataclass(frozen=True)
class Array:
    """An array of a simulation object. ``role`` says what the run loop and
    the standalone program do with it:

    - ``state``: a model variable; set from Python, read back after a run;
    - ``spikes``: this step's spiking indices, per thread (scratch);
    - ``counter``: per-index counts kept across runs (a monitor's ``count``);
    - ``growable``: a buffer appended to, with a ``fill`` array (written,
      capacity, ...) beside it;
    - ``fill``: the fill counters of growable buffers;
    - ``input``: read-only indices given by the user (a monitor's ``record``);
    - ``internal``: kept by the object across steps and runs, not a result
      (a synapse ordering);
    - ``history``: a ring of past spike lists of a group, one slot per step
      laid out as its spike space (indices by thread part, then a count per
      thread), so each thread writes its own part.
    """
    owner: str
    name: str
    dtype: str
    role: str = "state"

    @property
    def ref(self):
        return (self.owner, self.name)


@dataclass(frozen=True)
class Constant:
    """A value fixed for one run (an external constant, ``N``, ``dt``),
    passed to the kernels without recompiling."""
    owner: str
    name: str

    @property
    def ref(self):
        return (self.owner, self.name)


@dataclass(frozen=True)
class Variable:
    """A model name that a kernel reads or writes, stored in ``array`` at the
    loop's index, or at ``index[loop index]`` when ``index`` (an integer
    array) is given: a synapse reads its pre- and postsynaptic neurons'
    variables so. ``scalar``: at index 0, a ``shared`` variable."""
    name: str
    array: Array
    scalar: bool = False
    index: Array = None
    offset: int = 0          # read at index[i] + offset (a subgroup's first neuron)


# -- index spaces -----------------------------------------------------------------------

@dataclass(frozen=True)
class AllNeurons:
    """Every index of a group: 0 .. size-1."""
    group: str
    size: int


@dataclass(frozen=True)
class SpikingNeurons:
    """The indices of ``group`` that crossed the threshold in this step, as
    its threshold kernel wrote them into ``spikes``; with ``part`` (first,
    stop), only those of a subgroup: ``INDEX`` counts from its first neuron."""
    group: str
    size: int
    spikes: Array
    part: tuple = None


@dataclass(frozen=True)
class RecordedIndices:
    """The indices listed in ``record`` (of a group of ``size``). With
    ``split_by_index`` False (synapses, which belong to the thread of their
    target neuron), threads cannot split them by index."""
    group: str
    size: int
    record: Array
    split_by_index: bool = True
    owners: Array = None      # with split_by_index False: the index whose thread owns each


@dataclass(frozen=True)
class ArrivingSynapses:
    """The synapses of a pathway whose presynaptic spike arrives in this step,
    in Brian's order: by spike step (the longest delay first), then by
    presynaptic neuron, then by synapse creation. The spikes of each step are
    kept in ``history``, a ring of ``depth`` spike lists of the source (each
    ``source_size`` + 1 long: indices, then their number); the synapses of
    presynaptic neuron p are ``order[offsets[p]:offsets[p+1]]``, sorted by
    delay (``delays``, in steps, in the same order). ``depth``, ``dmin`` and
    ``dmax`` are constants of the run, so changing delays does not recompile.
    Within one neuron and delay, synapses are sorted by postsynaptic neuron
    (``posts``, counted from ``post_first``): a thread takes those of the
    target neurons it owns (owner computes), and every target neuron still
    gets its effects in Brian's order. Not thread-local: it reads the spikes
    of every thread.

    Compact storage: ``order`` is None when the synapses are stored in that
    order already (synapse = position; ``posts`` is then the synapses' own
    ``_post``), and ``delays`` is None when every synapse has the one delay
    ``dmin`` (= ``dmax``)."""
    synapses: str
    source: str
    source_size: int
    target: str
    target_size: int
    spikes: Array
    history: Array
    order: Array
    offsets: Array
    delays: Array
    posts: Array             # the postsynaptic neuron of each synapse, in `order`
    post_first: int = 0      # what posts count from (a subgroup target's first neuron)
    reads_pre: bool = False  # reads variables of presynaptic neurons
    writes_pre: bool = False
    pathway: str = "pre"     # its name (Brian orders pathways of one order by name)


@dataclass(frozen=True)
class SpikingTargets:
    """The synapses of the target neurons whose event arrives in this step (a
    postsynaptic pathway): for each such neuron p of ``group``, in order,
    its synapses ``order[offsets[p]:offsets[p+1]]`` in creation order.
    Thread-local: a thread takes the events of the neurons it owns, and so
    the synapses it owns. With a ``history`` (a delay that is not 0), the
    events of ``d`` steps ago arrive, each thread keeping its own neurons'
    in its part of the ring (laid out as in ``ArrivingSynapses``), the
    longest delay first; ``delays`` (None: one delay) gives each synapse's,
    the synapses of each neuron then sorted by delay in ``order``."""
    synapses: str
    group: str
    size: int
    spikes: Array
    order: Array
    offsets: Array
    writes_pre: bool = False
    pathway: str = "post"
    history: Array = None
    delays: Array = None
    reads_pre: bool = False  # reads presynaptic variables, which other threads own


@dataclass(frozen=True)
class SynapsesByNeuron:
    """Every synapse, taken neuron by neuron of ``group``: the target
    (``side`` 'post') or the source ('pre'), each neuron's synapses in
    creation order: ``order[offsets[p]:offsets[p+1]]``. Thread-local: a
    thread takes the neurons of ``group`` it owns, unless the kernel touches
    what other threads own (``touches_other``: with 'post', presynaptic
    variables; with 'pre', postsynaptic variables or synaptic ones that the
    synapses' own kernels write, as those belong to the target's thread).
    With ``part`` (first, stop), only those neurons (a subgroup)."""
    synapses: str
    group: str
    size: int
    order: Array
    offsets: Array
    side: str = "post"
    touches_other: bool = False
    part: tuple = None


# -- statements -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Assign:
    """``target = value``: a variable of the kernel if ``target`` names one,
    else a temporary."""
    target: str
    value: sympy.Basic


@dataclass(frozen=True)
class If:
    condition: sympy.Basic
    then: tuple
    otherwise: tuple = ()


@dataclass(frozen=True)
class Increment:
    """``array[index] += value`` where several loop iterations may hit the
    same element: CUDA prints it as an atomic add, CPU threads as a write by
    the thread that owns the element."""
    array: Array
    index: sympy.Basic
    value: sympy.Basic


@dataclass(frozen=True)
class Append:
    """Append a row (one value per column) to growable buffers whose fill
    counters are ``fill[0]`` (written) and ``fill[1]`` (capacity)."""
    fill: Array
    columns: tuple            # (Array, sympy value) pairs


@dataclass(frozen=True)
class Snapshot:
    """Append one row per step to growable buffers: ``times`` gets ``t`` and
    each column's buffer gets its value at every index of the kernel's
    space, in the space's order (row-major: step, then index)."""
    fill: Array               # written rows, capacity, indices per row
    times: Array
    columns: tuple            # (Array, sympy value) pairs


# -- kernels ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kernel:
    """One operation of one object in one time step: ``statements`` for each
    index of ``space``, every ``period`` base steps. ``variables`` bind model
    names to arrays, ``constants`` local names to per-run values; ``t``,
    ``dt`` and ``i`` (the index) are always defined."""
    name: str                 # for comments and messages: "threshold of G"
    owner: str
    op: str                   # state_update, threshold, reset, spike_record, state_record
    space: object
    period: int
    statements: tuple
    variables: tuple = ()
    constants: tuple = ()     # (local name, Constant)
    scalars: frozenset = frozenset()   # names that are the same for every index
    tables: tuple = ()        # (local name, Array) read by Lookup
    functions: tuple = ()     # (local name, UserFunction) applied by Call


@dataclass(frozen=True)
class Threshold(Kernel):
    """A kernel whose statements compute ``condition``; every index where it
    holds is appended to ``spikes`` and gets ``on_spike`` (array, value)
    writes, in index order."""
    condition: sympy.Basic = sympy.true
    spikes: Array = None
    on_spike: tuple = ()


@dataclass(frozen=True)
class Generator(Kernel):
    """The spikes of a SpikeGeneratorGroup: the events of the current step
    (of the group's own clock, modulo the constant ``_period_steps`` when it
    is not 0) are read from ``steps`` (sorted; ``_nevents`` of them from
    ``_event_offset``: a standalone program holds the tables of all its runs)
    and ``indices`` (ascending within a step) into ``spikes``."""
    spikes: Array = None
    steps: Array = None
    indices: Array = None


@dataclass(frozen=True)
class Summed(Kernel):
    """A kernel over :class:`SynapsesByNeuron` whose statements compute
    ``_summed`` for each synapse; ``target[p]`` (a variable of the space's
    group) becomes the sum over the synapses of neuron p, added in creation
    order from 0."""
    target: Array = None


@dataclass(frozen=True)
class Record(Kernel):
    """A monitor's kernel: its statements are :class:`Append` and
    :class:`Increment`. ``room`` is how many rows one step may append to the
    growable buffers (``'space'``: one per index of the space, ``1``: one),
    so that the run loop can stop for more room before they are full."""
    fill: Array = None
    room: object = None


@dataclass(frozen=True)
class Program:
    """What one network runs each time step, in order: its arrays, its
    constants and its kernels. ``barriers`` are the positions of kernels
    before which threads meet within a step (see ``lowering/schedule.py``)."""
    arrays: tuple
    constants: tuple
    kernels: tuple
    barriers: tuple = ()
    methods: dict = field(default_factory=dict, compare=False)   # group -> integration method


def arrays_of(kernel):
    """Every array ``kernel`` touches, in a fixed order: its space's, its
    variables', then those of its special statements."""
    space = kernel.space
    out = [getattr(space, name, None) for name in ("spikes", "record", "owners", "history",
                                                   "order", "offsets", "delays", "posts")]
    for v in kernel.variables:
        out += [v.array, v.index]
    out += [array for _, array in kernel.tables]
    if isinstance(kernel, Threshold):
        out += [kernel.spikes] + [a for a, _ in kernel.on_spike]
    if isinstance(kernel, Record):
        out.append(kernel.fill)
    if isinstance(kernel, Generator):
        out += [kernel.spikes, kernel.steps, kernel.indices]
    if isinstance(kernel, Summed):
        out.append(kernel.target)
    for st in kernel.statements:
        if isinstance(st, Increment):
            out.append(st.array)
        elif isinstance(st, Append):
            out += [st.fill] + [a for a, _ in st.columns]
        elif isinstance(st, Snapshot):
            out += [st.fill, st.times] + [a for a, _ in st.columns]
    return [a for a in out if a is not None]


def owners(program):
    """The names of the objects whose arrays or kernels ``program`` has, in
    order of first appearance (printers number them for short names)."""
    seen = {}
    for name in [a.owner for a in program.arrays] + [k.owner for k in program.kernels]:
        seen.setdefault(name, len(seen))
    return list(seen)


def needs_one_thread(kernel):
    """Whether ``kernel`` makes its program run on one thread: its effects
    would race between the threads that own the data (presynaptic variables
    written by synapses that belong to their targets' threads; a loop by
    neuron that reads what other threads own; synapses recorded by index; a
    shared variable written, whose one value every thread would write)."""
    space = kernel.space
    linked = isinstance(space, (AllNeurons, SpikingNeurons, RecordedIndices)) and \
        any(v.index is not None for v in kernel.variables)    # another group's variable
    shared = {v.name for v in kernel.variables if v.scalar}   # one value for every thread
    return bool(getattr(space, "writes_pre", False) or getattr(space, "touches_other", False)
                or (isinstance(space, SpikingTargets) and space.reads_pre)
                or (getattr(space, "split_by_index", True) is False
                    and getattr(space, "owners", None) is None) or linked
                or shared & set(_assigned(kernel.statements)))


def _assigned(statements):
    for st in statements:
        if isinstance(st, If):
            yield from _assigned(st.then)
            yield from _assigned(st.otherwise)
        elif isinstance(st, Assign):
            yield st.target


def symbol(name):
    return sympy.Symbol(name, real=True)


T, DT, INDEX = symbol("t"), symbol("dt"), symbol("i")

#: In a kernel over spiking neurons: how many spiked in this step (in the
#: part of the thread that runs it).
SPIKE_COUNT = symbol("_spike_count")
