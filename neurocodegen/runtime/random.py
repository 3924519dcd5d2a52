"""The Python twin of the compiled random number generator.

Philox-4x32-10 evaluated with numpy on whole arrays of counters; bit-for-bit
the same as ``templates/cpp/ncg_support.hpp``. Used for string assignments
such as ``G.v = 'rand()'``, which are evaluated in Python without compiling.

A draw is identified by (seed, index, step, tag): ``index`` is the neuron,
``step`` a time step or event number, ``tag`` names the stream (which kernel,
which ``rand()`` call). See :mod:`neurocodegen.streams` for the tags.
"""
import numpy as np

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = 0x9E3779B9
_W1 = 0xBB67AE85
_MASK = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)


def philox(seed, index, step, tag):
    """Four arrays of uint32 words for counters (index, step, tag) under ``seed``."""
    index = np.asarray(index, dtype=np.uint64)
    step = int(step)
    c0 = index & _MASK
    c1 = np.full_like(c0, step & 0xFFFFFFFF)
    # index bits 32..47 go to the high half of the step's word (see ncg::philox)
    c2 = (np.uint64((step >> 32) & 0xFFFFFFFF) ^ ((index >> _SHIFT) << np.uint64(16))) & _MASK
    c3 = np.full_like(c0, tag & 0xFFFFFFFF)
    k0, k1 = seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF
    for _ in range(10):
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = ((p1 >> _SHIFT) ^ c1 ^ np.uint64(k0), p1 & _MASK,
                          (p0 >> _SHIFT) ^ c3 ^ np.uint64(k1), p0 & _MASK)
        k0 = (k0 + _W0) & 0xFFFFFFFF
        k1 = (k1 + _W1) & 0xFFFFFFFF
    return c0, c1, c2, c3


_MASK52 = np.uint64(0xFFFFFFFFFFFFF)
_ONE_BITS = np.uint64(0x3FF0000000000000)


def _uniform(hi, lo):
    """52-bit uniforms in (0, 1), as ``ncg::to_uniform``."""
    bits = ((hi << np.uint64(20)) ^ (lo >> np.uint64(12))) & _MASK52
    return ((bits | _ONE_BITS).view(np.float64) - 1.0) + 1.1102230246251565e-16


# fma(a, b, c) = a*b + c with one rounding, as std::fma in the compiled code,
# which takes each Horner step of the polynomials below. numpy has no fma, so
# it is built from exact operations (Boldo and Melquiond, "Emulation of FMA
# and correctly rounded sums: proved algorithms using rounding to odd", IEEE
# Trans. Computers 57(4), 2008): a*b = uh + ul exactly (Dekker), c + uh =
# th + tl exactly (Knuth), and th + (tl + ul rounded to odd) rounds correctly.
# Exact as long as nothing overflows or falls below 2^-969, far from the
# values here.
_SPLITTER = 134217729.0   # 2^27 + 1


def _two_sum(a, b):
    """s, t with s = fl(a + b) and a + b = s + t exactly."""
    s = a + b
    b_part = s - a
    return s, (a - (s - b_part)) + (b - b_part)


def _split(a):
    """hi, lo with a = hi + lo, each with at most 26 significant bits."""
    t = _SPLITTER * a
    hi = t - (t - a)
    return hi, a - hi


def _two_product(a, b):
    """p, e with p = fl(a * b) and a * b = p + e exactly."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _sum_rounded_to_odd(a, b):
    """a + b rounded to odd: exact if representable, else the neighbour of the
    exact sum whose last significand bit is 1."""
    s, t = _two_sum(a, b)
    bits = s.view(np.uint64)
    inexact_even = (t != 0) & ((bits & np.uint64(1)) == 0)
    outward = (t > 0) == (s > 0)        # the exact sum lies beyond s, away from 0
    step = np.where(outward, bits + np.uint64(1), bits - np.uint64(1))
    return np.where(inexact_even, step, bits).view(np.float64)


def fma(a, b, c):
    """a*b + c rounded once (to nearest even), elementwise."""
    a, b, c = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (a, b, c)))
    uh, ul = _two_product(a, b)
    th, tl = _two_sum(c, uh)
    return th + _sum_rounded_to_odd(tl, ul)


def _log_unit(u):
    """log(u) for u in (0, 1), operation for operation as ``ncg::log_unit``."""
    b = u.view(np.uint64)
    e = ((b >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64) - 1023
    m = ((b & _MASK52) | _ONE_BITS).view(np.float64)
    high = m > 1.4142135623730951
    m = np.where(high, 0.5 * m, m)
    e = np.where(high, e + 1, e)
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    p = np.full_like(z, 1.0 / 23.0)
    for k in (21, 19, 17, 15, 13, 11, 9, 7, 5, 3):
        p = fma(p, z, 1.0 / k)
    p = fma(p, z, 1.0)
    return e.astype(np.float64) * 0.6931471805599453 + 2.0 * s * p


# Taylor coefficients of sin (from 1/17!) and cos (from 1/16!) in Horner order,
# with the sign of each step, exactly as written in ncg_support.hpp.
_SIN = [(-1, 355687428096000.0), (+1, 1307674368000.0), (-1, 6227020800.0),
        (+1, 39916800.0), (-1, 362880.0), (+1, 5040.0), (-1, 120.0), (+1, 6.0)]
_COS = [(+1, 20922789888000.0), (-1, 87178291200.0), (+1, 479001600.0),
        (-1, 3628800.0), (+1, 40320.0), (-1, 720.0), (+1, 24.0)]


def _horner(z, table):
    p = np.full_like(z, table[0][0] * (1.0 / table[0][1]))
    for sign, factorial in table[1:]:
        p = fma(p, z, sign * (1.0 / factorial))
    return p


def _sincos_turns(x):
    """cos and sin of 2*pi*x, as ``ncg::sincos_turns``."""
    q = np.floor(4.0 * x + 0.5)
    a = 6.283185307179586 * (x - 0.25 * q)
    z = a * a
    sa = a - a * z * _horner(z, _SIN)
    ca = 1.0 + z * fma(_horner(z, _COS), z, -0.5)
    k = q.astype(np.int64) & 3
    c = np.select([k == 0, k == 1, k == 2], [ca, -sa, -ca], sa)
    s = np.select([k == 0, k == 1, k == 2], [sa, ca, -sa], -ca)
    return c, s


def rand(seed, n, step, tag):
    """``n`` uniform numbers in (0, 1), one per index 0..n-1 (indices 2q and
    2q+1 share the Philox block of q: its first two words and its last two)."""
    w = philox(seed, np.arange((n + 1) // 2, dtype=np.uint64), step, tag)
    out = np.empty(2 * w[0].size)
    out[0::2], out[1::2] = _uniform(w[0], w[1]), _uniform(w[2], w[3])
    return out[:n]


_CHUNK = 8192


def randn(seed, n, step, tag):
    """``n`` standard normal numbers, one per index 0..n-1 (Box-Muller pairs:
    indices 2p and 2p+1 share the draw of pair p)."""
    pairs = (n + 1) // 2
    out = np.empty(2 * pairs)
    for first in range(0, pairs, _CHUNK):   # chunks that stay in cache: 3x faster
        index = np.arange(first, min(first + _CHUNK, pairs), dtype=np.uint64)
        w = philox(seed, index, step, tag)
        r = np.sqrt(-2.0 * _log_unit(_uniform(w[0], w[1])))
        c, s = _sincos_turns(_uniform(w[2], w[3]))
        out[2 * first:2 * first + 2 * index.size:2] = r * c
        out[2 * first + 1:2 * first + 2 * index.size:2] = r * s
    return out[:n]


def rand_at(seed, index, step, tag):
    """Uniform numbers for the given indices (an array), as ``ncg::rand``."""
    index = np.asarray(index, dtype=np.uint64)
    w = philox(seed, index >> np.uint64(1), step, tag)
    return np.where((index & np.uint64(1)) == 1, _uniform(w[2], w[3]), _uniform(w[0], w[1]))


def randn_at(seed, index, step, tag):
    """Standard normal numbers for the given indices (an array), as
    ``ncg::randn``: index 2p takes the cosine of pair p, 2p+1 the sine."""
    index = np.asarray(index, dtype=np.uint64)
    w = philox(seed, index >> np.uint64(1), step, tag)
    r = np.sqrt(-2.0 * _log_unit(_uniform(w[0], w[1])))
    c, s = _sincos_turns(_uniform(w[2], w[3]))
    return np.where((index & np.uint64(1)) == 1, r * s, r * c)


def _expm1_reduced(r):
    """expm1(r) for |r| <= 0.35, as ``ncg::expm1_reduced`` (a Horner
    polynomial of separate multiplications and additions)."""
    p = np.full_like(r, 1.0 / 6227020800.0)
    for factorial in (479001600.0, 39916800.0, 3628800.0, 362880.0, 40320.0, 5040.0,
                      720.0, 120.0, 24.0, 6.0):
        p = p * r + 1.0 / factorial
    p = p * r + 0.5
    return r + r * (r * p)


def exp(x):
    """exp(x), operation for operation as ``ncg::exp`` (x = k ln2 + r; 2^k
    built from its bits as two factors)."""
    x = np.asarray(x, dtype=np.float64)
    xc = np.clip(x, -745.2, 709.8)
    shifted = xc * 1.4426950408889634 + 6755399441055744.0
    k = shifted - 6755399441055744.0
    r = (xc - k * 0.6931471803691238) - k * 1.9082149292705877e-10
    ki = shifted.view(np.int64) - np.float64(6755399441055744.0).view(np.int64)
    half = np.where(ki < 0, -(-ki // 2), ki // 2)           # C++'s division truncates
    lo = ((ki - half + 1023) << 52).view(np.float64)
    hi = ((half + 1023) << 52).view(np.float64)
    y = (_expm1_reduced(r) + 1.0) * hi * lo
    y = np.where(x > 709.782712893384, np.inf, y)
    y = np.where(x < -745.1332191019412, 0.0, y)
    return np.where(x != x, x, y)


#: e^-600, the factor by which ``poisson_at`` carries its terms (as
#: ``ncg::POISSON_SCALE``).
POISSON_SCALE = 2.6503965530043108e-261


def poisson_at(seed, index, step, tag, lam):
    """Poisson numbers of mean ``lam`` (a number or an array beside
    ``index``) for the given indices, as ``ncg::poisson``: the same
    inversion, index by index in lockstep (the same operations in the same
    order, so the same numbers)."""
    index = np.asarray(index, dtype=np.uint64)
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), index.shape).copy()
    out = np.zeros(index.shape)
    valid = lam > 0.0
    out[lam > 1e7] = np.nan
    valid &= ~(lam > 1e7)
    lam = lam[valid]
    U = rand_at(seed, index[valid], step, tag)
    level = np.floor(lam / 600.0)
    p = exp(-(lam - level * 600.0))
    F = np.where(level > 0.0, 0.0, p)
    k = np.zeros(lam.shape)
    active = ((level > 0.0) | (U > F)) & (p > 0.0)
    while active.any():
        a = np.flatnonzero(active)
        k[a] += 1.0
        p[a] = (p[a] * lam[a]) / k[a]
        scale = a[(level[a] > 0.0) & (p[a] > 1e200)]
        p[scale] *= POISSON_SCALE
        level[scale] -= 1.0
        done = a[level[a] == 0.0]
        F[done] += p[done]
        active[a] = ((level[a] > 0.0) | (U[a] > F[a])) & (p[a] > 0.0)
    out[valid] = k
    return out


#: The room for the table of ``binomial_table`` (``ncg::BINOMIAL_TABLE``).
BINOMIAL_TABLE = 32


def binomial_constants(n, p):
    """The constants of a binomial draw by inversion (``ncg::binomial``):
    ``P = min(p, 1-p)``, ``q = 1 - P``, ``qn = q**n``, the bound of the
    search and whether ``p > 1/2`` (then the draw is ``n - X``), computed
    as Brian computes them. The draw is only used where ``n*P <= 5`` (else
    Brian's normal approximation), so the bound is below 30."""
    reverse = p > 0.5
    P = 1.0 - p if reverse else p
    q = 1.0 - P
    qn = float(np.exp(n * np.log(q)))
    bound = min(n, n * P + 10.0 * np.sqrt(n * P * q + 1))
    if int(bound) + 1 > BINOMIAL_TABLE:
        raise ValueError(f"a binomial draw of {n} trials of probability {p} searches "
                         f"{int(bound) + 1} values, more than the {BINOMIAL_TABLE} of its "
                         f"table; use the normal approximation")
    return {"n": float(n), "P": P, "q": q, "qn": qn, "bound": float(bound),
            "reverse": float(reverse)}


def binomial_table(n, P, q, qn, bound):
    """The cumulative probabilities ``F[k] = P(X <= k)`` for ``k <=
    floor(bound)``, summed with the operations of ``ncg::binomial_table``."""
    px = total = qn
    table = [total]
    for k in range(1, int(bound) + 1):
        px = ((n - float(k) + 1.0) * P * px) / (float(k) * q)
        total += px
        table.append(total)
    return np.array(table)


def binomial_at(seed, index, step, tag, n, P, q, qn, bound, reverse):
    """Binomial numbers for the given indices, as ``ncg::binomial``: for
    each uniform, the number of entries of the table below it; where it is
    above them all, again with the uniform of the next stream."""
    table = binomial_table(n, P, q, qn, bound)
    index = np.asarray(index, dtype=np.uint64)
    X = np.zeros(index.shape, dtype=np.int64)
    todo = np.arange(index.size)
    while todo.size:
        U = rand_at(seed, index.reshape(-1)[todo], step, tag)
        # the table never decreases: the entries below U are those before
        # the first one >= U
        found = np.searchsorted(table, U, side="left")
        X.reshape(-1)[todo] = found
        todo = todo[found == table.size]
        tag += 1
    return n - X if reverse else X.astype(np.float64)
