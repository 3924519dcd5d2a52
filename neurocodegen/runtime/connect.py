"""Creating synapses from a condition and a probability:
``S.connect(condition, p=..., n=...)``.

Python decides how; the compiled code (``templates/cpp/connect.cpp.j2``)
only walks the rows. Two ways:

* **skip**: neither the condition nor ``p`` depends on the postsynaptic
  neuron (``j``, ``x_post``) or on ``rand()``. The condition and ``p`` are
  evaluated here, once per presynaptic neuron ``i``, and each row is walked
  by geometric jumps: ``j += 1 + floor(log(u) * (1/log1p(-p)))``, ``u`` the
  k-th uniform of row ``i`` (the two uniforms of each Philox block of index
  ``i*(N_post//2 + 1) + k//2``, stream ``SKIP_TAG``). The
  work is proportional to the synapses made, not to the pairs.
* **pairs**: anything else. Every pair (i, j) is visited; the condition and
  ``p`` are printed to C++ from their sympy form; the pair is kept when the
  condition holds and ``rand < p``, keyed exactly as the numpy path keys it
  (``Synapses._kept``).

The skip walk makes each row once: its count is binomial, so room is made
for the expected total plus ten standard deviations (checked against the
memory available before anything is allocated), the rows are walked window
by window, each thread a share of each window (of equal expected synapses)
into a buffer of its own that is then copied in row order, and the arrays
are cut to the synapses made.
The pairs kind runs two passes over rows shared among threads: count each
row, sum the counts (the exact total, checked against the memory), then
fill ``_pre``/``_post`` in row order. Every row has its own random numbers,
so the synapses do not depend on the thread count. With ``prefs.codegen.target = 'numpy'`` the same synapses are
made in numpy (``_skip_numpy`` and ``_pairs_numpy``, the twins).
"""
import dataclasses
import functools
import os
from dataclasses import dataclass

import numpy as np

from ..model.expressions import parse_expression
from ..streams import KIND_CONNECT, stream
from ..units.dimensions import DIMENSIONLESS
from . import random as ncg_random
from .clock import random_state

#: The stream occurrence of the skip walk's uniforms (the pairs' draws use
#: 0, and the condition's rand() calls 1, 2, ...).
SKIP_TAG = 4095

#: Rows a thread takes at a time (whole rows: each is written where it belongs).
_ROWS_PER_TAKE = 16


def available_bytes():
    """The memory this machine can give without swapping (None where it is
    unknown); a function of its own, so that tests can replace it."""
    from .network import available_memory
    return available_memory()


def creation_threads():
    """The threads that create synapses: the standalone device's threads, or
    every core in runtime mode (the synapses do not depend on the number)."""
    from .device import get_device
    device = get_device()
    if device.standalone:
        return device.default_threads()
    try:
        return len(os.sched_getaffinity(0)) or 1      # the cores this process may use
    except AttributeError:
        return os.cpu_count() or 1


@dataclass(frozen=True)
class _Shape:
    """What a pairs-kind connect compiles to: printed expressions and the
    C++ locals they read (the values of constants are arguments)."""
    condition: str            # C++ boolean expression
    probability: str          # C++ expression, "_ncg_p" for a number
    constants: tuple          # C++ names of the constants, in argument order
    loads: tuple              # _Load, in argument order


@dataclass(frozen=True)
class _Load:
    """``const ctype local = arrays[index][i or j];``"""
    ctype: str
    local: str
    where: str                # "pre" (indexed by i) or "post" (by j)
    index: int


def create(synapses, condition, p, n, namespace, frame):
    """The synapses ``connect(condition, p=p, n=n)`` makes (``n`` copies of
    each pair, consecutively), in order of (i, j): (pre, post, None), int32
    arrays of their sources and targets, or (None, post, counts), the number
    of synapses of each source neuron instead of their sources."""
    S = synapses
    what = f"connect(condition=...) of '{S.name}'"
    if isinstance(condition, str):
        cond = parse_expression(condition, what)
    elif condition in (None, True):
        cond = None
    else:
        raise TypeError(f"{what} must be a string, got {condition!r}.")
    prob = parse_expression(p, f"connect(p=...) of '{S.name}'") if isinstance(p, str) \
        else float(p)
    checked = {}
    for name, expr, dim in (("condition", cond, None), ("p", prob, DIMENSIONLESS)):
        if not isinstance(expr, (float, type(None))):
            checked[name] = S._checked(expr, namespace, frame, dim, name)
    key, step = random_state.assignment_key()
    by_pair = [e for e in (cond, prob) if not isinstance(e, (float, type(None)))
               and _uses_pairs(e, S)]
    from ..preferences import prefs
    compiled = prefs.codegen.target != "numpy"
    if by_pair:
        try:
            if not compiled:
                raise _NotPrintable()
            pre, post = _pairs_compiled(S, cond, prob, n, key, step, checked)
        except _NotPrintable:       # the numpy target, or what sympy cannot hold
            compiled = False
            pre, post = _pairs_numpy(S, cond, prob, namespace, frame, (key, step))
            _check_memory(S, len(pre) * n, sources=True)
    else:
        rows, log1mp = _rows(S, cond, prob, namespace, frame)
        if compiled:
            return _skip_compiled(S, rows, log1mp, n, key, step)
        pre, post = _skip_numpy(S, rows, log1mp, key, step)
        _check_memory(S, len(pre) * n, sources=True)
    if not compiled and n != 1:
        pre, post = np.repeat(pre, n), np.repeat(post, n)
    return pre, post, None


def _uses_pairs(expr, S):
    """Whether ``expr`` must be evaluated per pair: it uses ``j``, a
    postsynaptic variable or a random number."""
    post = {name for name, (where, _, _) in S._neuron_names().items() if where == "post"}
    return bool({"j"} & expr.identifiers or post & expr.identifiers or
                {"rand", "randn", "poisson"} & expr.functions)


# -- the memory check --------------------------------------------------------------------------

def bytes_per_synapse(S):
    """Bytes each synapse takes in the arrays ``S`` holds (all of them, as
    the run will fill them)."""
    return sum(a.itemsize for a in S._synaptic_arrays().values())


def _check_memory(S, count, at_most=False, sources=False):
    """Refuse to make ``count`` synapses (``at_most``: up to that many) more
    than the memory holds; ``sources``: they are made with an array of
    their sources (4 bytes each) that ``S`` may not keep."""
    old = len(S)
    needed = (count + old) * bytes_per_synapse(S) if old else count * bytes_per_synapse(S)
    if sources and "_pre" not in S._arrays:
        needed += 4 * count
    available = available_bytes()
    if available is not None and needed > available:
        raise MemoryError(
            f"Synapses '{S.name}': connect() would make {'up to ' if at_most else ''}"
            f"{count:,} synapses, which need "
            f"{needed / 2**30:.2f} GiB ({needed:,} bytes, {bytes_per_synapse(S)} per synapse), "
            f"but only {available / 2**30:.2f} GiB ({available:,} bytes) are available.")


# -- skip: rows walked by geometric jumps ------------------------------------------------------

def _rows(S, cond, prob, namespace, frame):
    """Per presynaptic neuron: whether its row takes part (bool), and
    log1p(-p) of its row (-inf: every j; 0: none)."""
    ii = np.arange(S.source.N)
    jj = np.zeros_like(ii)
    if cond is None:
        rows = np.ones(ii.size, dtype=bool)
    else:
        rows = np.broadcast_to(np.asarray(S._pair_function(
            cond, namespace, frame, "condition", None)(ii, jj), dtype=bool), ii.shape)
    if isinstance(prob, float):
        p = np.full(ii.size, prob)
    else:
        p = np.broadcast_to(np.asarray(S._pair_function(
            prob, namespace, frame, "p", DIMENSIONLESS)(ii, jj), dtype=float), ii.shape)
    with np.errstate(all="ignore"):
        log1mp = np.where(p >= 1, -np.inf, np.where(p > 0, np.log1p(-p), 0.0))
    return np.ascontiguousarray(rows, dtype=np.uint8), np.ascontiguousarray(log1mp)


def _skip_tag(S):
    return stream(S._rng_id, KIND_CONNECT, SKIP_TAG)


def _skip_numpy(S, rows, log1mp, key, step, block=4096):
    """The skip walk in numpy, ``block`` rows at a time, one draw per row
    and iteration: the twin of ``connect.cpp.j2``'s ``skip_row``."""
    n_post = S.target.N
    tag = _skip_tag(S)
    found_pre, found_post = [], []
    for first in range(0, rows.size, block):
        ii = np.arange(first, min(rows.size, first + block))
        ii = ii[rows[ii].astype(bool) & (log1mp[ii] != 0)]
        every = np.isneginf(log1mp[ii])
        pre, post = [], []
        full = ii[every]
        if full.size:
            pre.append(np.repeat(full, n_post))
            post.append(np.tile(np.arange(n_post), full.size))
        ii = ii[~every]
        inverse = 1.0 / log1mp[ii]
        j = np.full(ii.size, -1, dtype=np.int64)
        base = ii.astype(np.uint64) * np.uint64(n_post // 2 + 1)
        k = 0
        while ii.size:
            w = ncg_random.philox(key, base + np.uint64(k // 2), step, tag)
            u = ncg_random._uniform(w[0], w[1]) if k % 2 == 0 else \
                ncg_random._uniform(w[2], w[3])
            gap = np.floor(ncg_random._log_unit(u) * inverse)
            j = j + 1 + np.where(gap < n_post, gap, float(n_post)).astype(np.int64)
            inside = j < n_post
            ii, j, inverse, base = ii[inside], j[inside], inverse[inside], base[inside]
            pre.append(ii)
            post.append(j)
            k += 1
        if pre:
            pre, post = np.concatenate(pre), np.concatenate(post)
            by_row = np.lexsort((post, pre))       # row order, j ascending
            found_pre.append(pre[by_row])
            found_post.append(post[by_row])
    return _joined(found_pre, found_post)


def _joined(found_pre, found_post):
    """The pairs found block by block, as two int32 arrays."""
    if not found_pre:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    return (np.concatenate(found_pre).astype(np.int32),
            np.concatenate(found_post).astype(np.int32))


#: Synapses a window of the one-pass skip walk makes, about (its rows are
#: shared among the threads, which meet once per window).
_WINDOW_SYNAPSES = 1 << 18

#: Standard deviations above the expected count that the one pass makes room
#: for: a row's count is binomial, and a total further above its mean has a
#: probability below 10^-20 (then the rows are counted and walked again).
_ROOM_SD = 10


def _skip_compiled(S, rows, log1mp, n, key, step):
    """The skip walk in one pass, into room for as many synapses as the
    rows make but with a negligible probability (the memory check is on
    that bound), then cut to the synapses made. Should the rows make more,
    they are counted first and walked again. (None, post, the synapses of
    each row): the rows' counts say the sources."""
    module = _module(None)
    n_pre, n_post, tag, threads = S.source.N, S.target.N, _skip_tag(S), creation_threads()
    p = np.where(rows.astype(bool), -np.expm1(log1mp), 0.0)   # log1mp = -inf: p = 1
    expected = n_post * float(p.sum())
    spread = np.sqrt(n_post * float((p * (1 - p)).sum()))
    room = min(n_post * int(np.count_nonzero(p)),
               max(0, int(np.ceil(expected + _ROOM_SD * spread)) + 64))
    cuts = _shares(n_post * p, expected, threads)
    counted = False
    while True:
        _check_memory(S, room * n, at_most=not counted)
        post, by_row = np.empty(room * n, dtype=np.int32), np.zeros(n_pre, dtype=np.int64)
        made = module.skip_once(n_post, key, step, tag, rows, log1mp, n, cuts, by_row, post,
                                threads)
        if made >= 0:
            break
        post = None                          # more than the room: count them exactly
        counts = np.zeros(n_pre + 1, dtype=np.int64)
        module.skip_count(n_pre, n_post, key, step, tag, rows, log1mp, counts, threads)
        room, counted = int(counts.sum()), True
    post.resize(made * n, refcheck=False)    # the room beyond was never touched
    return None, post, by_row


def _shares(expected_by_row, expected, threads):
    """Where each thread's share of each window of rows starts (then the
    number of rows): windows of about _WINDOW_SYNAPSES expected synapses,
    each split into ``threads`` shares of equal expected synapses (a
    condition such as ``i >= 3200`` leaves whole stretches of rows empty)."""
    windows = max(1, int(np.ceil(expected / _WINDOW_SYNAPSES)))
    shares = windows * threads
    before = np.cumsum(expected_by_row) - expected_by_row     # expected in the rows before
    starts = np.searchsorted(before, expected * np.arange(1, shares) / shares, side="left")
    return np.concatenate([[0], starts, [len(expected_by_row)]]).astype(np.int64)


# -- pairs: every pair visited -----------------------------------------------------------------

def _pairs_numpy(S, cond, prob, namespace, frame, rand_key):
    """The pairs where ``cond`` holds, drawn with probability ``prob``,
    evaluated a block of presynaptic neurons at a time."""
    n_pre, n_post = S.source.N, S.target.N
    evaluate_at = None if cond is None else \
        S._pair_function(cond, namespace, frame, "condition", None, rand_key=rand_key)
    probability = (lambda ii, jj: prob) if isinstance(prob, float) else \
        S._pair_function(prob, namespace, frame, "p", DIMENSIONLESS, rand_key=rand_key)
    found_pre, found_post = [], []
    block = max(1, (1 << 22) // max(1, n_post))
    key, step = rand_key
    for first in range(0, n_pre, block):
        ii, jj = np.meshgrid(np.arange(first, min(n_pre, first + block)),
                             np.arange(n_post), indexing="ij")
        ii, jj = ii.ravel(), jj.ravel()
        if evaluate_at is not None:
            keep = np.broadcast_to(np.array(evaluate_at(ii, jj), dtype=bool), ii.shape)
            ii, jj = ii[keep], jj[keep]
        keep = S._kept(ii, jj, probability, key, step)
        found_pre.append(ii[keep])
        found_post.append(jj[keep])
    return _joined(found_pre, found_post)


def _pairs_compiled(S, cond, prob, n, key, step, checked):
    """The pairs kind in compiled code: the expressions printed from sympy."""
    from ..backends.cpu.printer import CTYPES
    constants, values, loads, arrays = [], [], [], []
    names = {}
    for expr_values, neuron in checked.values():
        names.update(neuron)
        for name, value in expr_values.items():
            if name not in constants:
                constants.append(name)
                values.append(float(value))
    used = set().union(*(e.identifiers for e in (cond, prob) if not isinstance(e, (float,
                                                                                 type(None)))))
    for name in sorted(used & set(names)):
        where, group, var = names[name]
        values_of = np.ascontiguousarray(group._values(var + "_"))
        loads.append(_Load(CTYPES[values_of.dtype.name], name + "_", where, len(loads)))
        arrays.append(values_of)
    p_value = prob if isinstance(prob, float) else 1.0
    shape = _Shape(condition=_printed(cond) if cond is not None else "true",
                   probability="_ncg_p" if isinstance(prob, float) else _printed(prob),
                   constants=tuple(c + "_" for c in constants), loads=tuple(loads))
    module = _module(shape)
    tag = stream(S._rng_id, KIND_CONNECT, 0)
    consts = np.array(values + [p_value], dtype=np.float64)
    return _two_passes(S, module, n, lambda fill, counts, pre, post: module.pairs(
        fill, S.source.N, S.target.N, key, step, tag, consts, arrays, n,
        counts, pre, post, creation_threads()))


def _printed(expr):
    """C++ for a checked expression (through sympy and the C++ printer).
    Its k-th ``rand()`` draws per pair from the stream ``tag + 1 + k`` (``tag``
    the pairs' own stream), as the numpy path draws it."""
    from ..model.sympy_bridge import to_sympy
    try:
        converted = to_sympy(expr)
    except TypeError:    # a comparison used as a number ('1.0*(i > j)'): not in sympy
        raise _NotPrintable() from None
    return _printer().doprint(converted)


@functools.lru_cache(maxsize=None)
def _printer():
    """The C++ printer of connect's expressions (made once: its module imports sympy)."""
    from ..backends.cpu.printer import CppPrinter

    class ConnectPrinter(CppPrinter):
        def _print_rand(self, e):
            return f"ncg::rand(_ncg_seed, _ncg_pair, _ncg_step, tag + {1 + int(e.args[0])}u)"
    return ConnectPrinter()


class _NotPrintable(Exception):
    """An expression that is made in numpy (the twin) instead of C++."""


# -- both kinds --------------------------------------------------------------------------------

def _two_passes(S, module, n, run):
    """Count the synapses of every row, check the memory, allocate, fill."""
    counts = np.zeros(S.source.N + 1, dtype=np.int64)
    empty = np.zeros(0, dtype=np.int32)
    run(False, counts, empty, empty)
    total = int(counts.sum()) * n
    _check_memory(S, total, sources=True)
    offsets = np.zeros_like(counts)           # first synapse of each row
    np.cumsum(counts[:-1] * n, out=offsets[1:])
    pre, post = np.empty(total, dtype=np.int32), np.empty(total, dtype=np.int32)
    run(True, offsets, pre, post)
    return pre, post


_modules = {}     # _Context -> module, for this process


def _module(shape):
    """The compiled creation code for a pairs shape (None: the skip walk),
    from the compile cache. Its sources are remembered there too (keyed by
    the shape and the templates), so that a warm process neither imports
    Jinja nor renders them (about 70 ms of a first connect())."""
    from ..jit import cache
    context = _Context(shape)
    if context not in _modules:
        key = cache.memo_key({"connect": dataclasses.asdict(context)}, _templates())
        memo = cache.load_memo(key)
        sources = memo.get("sources") if memo else None
        if not isinstance(sources, dict):
            from ..backends.cpu.templates import render, support_code
            sources = {"connect.cpp": support_code() + "\n" + render("cpp/connect.cpp.j2",
                                                                       context),
                       "connect.pyx": render("cython/connect.pyx.j2", context)}
            cache.store_memo(key, {"sources": sources})
        _modules[context] = cache.get_module(sources, "connect.pyx")
    return _modules[context]


@functools.lru_cache(maxsize=None)
def _templates():
    """The templates' fingerprint, once per process."""
    from ..backends.cpu.templates import template_fingerprint
    return template_fingerprint()


@dataclass(frozen=True)
class _Context:
    """What connect.cpp.j2 and connect.pyx.j2 print: the pairs shape, or
    None for the skip walk alone."""
    shape: _Shape = None
    rows_per_take: int = _ROWS_PER_TAKE

