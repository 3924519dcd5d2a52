"""The Jinja environment and the typed contexts our templates print.

Python decides everything here; a template only prints loops and memory
layout from one context object. This is the only module that imports Jinja.
"""
from dataclasses import dataclass, field
from importlib import resources


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


@dataclass(frozen=True)
class NoiseBuffer:
    """A block of standard normals for one noise term: ``double name[BLOCK]``
    filled by ``ncg::randn_block`` with stream ``tag``."""
    name: str
    tag: int


@dataclass(frozen=True)
class StateUpdateBlock:
    kernel: Kernel
    noise: tuple = ()         # NoiseBuffer per noise term
    template: str = "stateupdate.cpp.j2"


@dataclass(frozen=True)
class ThresholdBlock:
    kernel: Kernel
    condition: str
    spikespace: str
    refractory: bool          # set lastspike / not_refractory for spikers
    lastspike: str = ""
    not_refractory: str = ""
    template: str = "threshold.cpp.j2"


@dataclass(frozen=True)
class ResetBlock:
    kernel: Kernel            # its loop runs over the spikes of this step
    spikespace: str
    template: str = "reset.cpp.j2"


@dataclass(frozen=True)
class SpikeMonitorBlock:
    comment: str
    period: int
    t_expr: str
    spikespace: str
    size: str                 # the group's N
    lo: str                   # first neuron of this thread's part
    indices: str              # int32 buffer of neuron indices
    times: str                # double buffer of spike times
    counts: str               # int64 per-neuron counts
    fill: str                 # int64[2]: number written, capacity
    start: int = 0            # subgroup range [start, stop)
    stop: str = ""
    template: str = "spikemonitor.cpp.j2"


@dataclass(frozen=True)
class StateMonitorBlock:
    comment: str
    period: int
    t_expr: str
    times: str                # double buffer of recording times
    fill: str                 # int64[3]: rows written, capacity, neurons recorded
    record: str               # int32 indices recorded
    columns: tuple            # (source array, buffer array) per variable
    template: str = "statemonitor.cpp.j2"


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


def template_root():
    """Where the templates are: the installed package ``neurocodegen.templates``
    or, in a source checkout that was not installed, ``templates/`` beside the
    package folder."""
    import importlib.util
    from pathlib import Path
    if importlib.util.find_spec("neurocodegen.templates") is not None:
        return resources.files("neurocodegen.templates")
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if (checkout / "cpp").is_dir():
        return checkout
    raise FileNotFoundError("neurocodegen's templates are missing from this installation; "
                            "reinstall the package.")


def _environment():
    from jinja2 import Environment, FunctionLoader, StrictUndefined

    root = template_root()

    def load(name):
        return (root / name).read_text()

    return Environment(loader=FunctionLoader(load), undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                       autoescape=False)


_env = None


def render(template, context):
    """Render ``template`` (a path under templates/) with ``context`` as ``c``."""
    global _env
    if _env is None:
        _env = _environment()
    return _env.get_template(template).render(c=context)


def template_fingerprint():
    """sha256 over every template file: part of the lowering memo's key."""
    import hashlib
    digest = hashlib.sha256()
    root = template_root()
    for folder in ("cpp", "cython"):
        for entry in sorted((root / folder).iterdir(), key=lambda p: p.name):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


def support_code():
    """The C++ support header, pasted into each generated source."""
    return (template_root() / "cpp" / "ncg_support.hpp").read_text()
