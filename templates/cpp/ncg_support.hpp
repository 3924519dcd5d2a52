// neurocodegen support code: random numbers and math helpers used by every
// generated kernel. Included verbatim in the generated source (so that it is
// part of the cache key).
//
// Random numbers come from Philox-4x32-10 (Salmon et al., "Parallel random
// numbers: as easy as 1, 2, 3", SC'11), a counter-based generator: a draw is a
// pure function of (key, counter). The key is the user's seed; the counter is
// (index, time step, stream tag): 48 bits of index (neurons, synapses), 48
// of step and 32 of stream, packed into Philox's four 32-bit words as
// (index low, step low, step high | index high << 16, tag), so that an index
// below 2^32 and a step below 2^48 give the words of a 32-bit index. Results therefore do not depend on
// the order in which neurons are processed, the number of threads, or on
// whether the code runs in the Python extension or in a standalone program.
// The Python twin is neurocodegen/runtime/random.py; both must stay bit-equal.
#pragma once
#include <cstdint>
#include <cmath>
#include <cstring>
#include <algorithm>

namespace ncg {

struct Draw4 { uint32_t w[4]; };

// philox(seed, index, step, tag): one block of 128 random bits for the counter
// (index, step, tag) under the key seed.
static inline uint32_t counter_word2(uint64_t index, uint64_t step)
{
    return (uint32_t)(step >> 32) ^ ((uint32_t)(index >> 32) << 16);
}

#if defined(__AVX512DQ__)
// With AVX-512DQ, GCC vectorizes the rounds best with every word in a 64-bit
// lane whose low 32 bits count (half the instructions of the 32-bit version,
// 1.1 -> 0.57 ns per normal on an AMD EPYC). Same bits as the version below.
static inline Draw4 philox(uint64_t seed, uint64_t index, uint64_t step, uint32_t tag)
{
    const uint64_t low = 0xFFFFFFFFull;
    uint64_t c0 = index & low, c1 = step & low, c2 = counter_word2(index, step), c3 = tag;
    uint64_t k0 = seed & low, k1 = seed >> 32;
#pragma GCC unroll 10
    for (int r = 0; r < 10; ++r) {
        const uint64_t p0 = (c0 & low) * 0xD2511F53ull;
        const uint64_t p1 = (c2 & low) * 0xCD9E8D57ull;
        c0 = (p1 >> 32) ^ c1 ^ k0;
        c1 = p1;
        c2 = (p0 >> 32) ^ c3 ^ k1;
        c3 = p0;
        k0 = (k0 + 0x9E3779B9u) & low;
        k1 = (k1 + 0xBB67AE85u) & low;
    }
    return Draw4{{(uint32_t)c0, (uint32_t)c1, (uint32_t)c2, (uint32_t)c3}};
}
#else
static inline void philox_round(uint32_t c[4], const uint32_t k[2])
{
    const uint64_t p0 = (uint64_t)0xD2511F53u * c[0];
    const uint64_t p1 = (uint64_t)0xCD9E8D57u * c[2];
    const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    const uint32_t c1 = c[1], c3 = c[3];
    c[0] = hi1 ^ c1 ^ k[0];
    c[1] = lo1;
    c[2] = hi0 ^ c3 ^ k[1];
    c[3] = lo0;
}

static inline Draw4 philox(uint64_t seed, uint64_t index, uint64_t step, uint32_t tag)
{
    uint32_t c[4] = {(uint32_t)index, (uint32_t)step, counter_word2(index, step), tag};
    uint32_t k[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
#pragma GCC unroll 10
    for (int r = 0; r < 10; ++r) {
        philox_round(c, k);
        k[0] += 0x9E3779B9u;
        k[1] += 0xBB67AE85u;
    }
    return Draw4{{c[0], c[1], c[2], c[3]}};
}
#endif

static inline uint64_t as_bits(double x) { uint64_t b; std::memcpy(&b, &x, 8); return b; }
static inline double from_bits(uint64_t b) { double x; std::memcpy(&x, &b, 8); return x; }

// 52-bit uniform in the open interval (0, 1) from two 32-bit words, built
// from the bits of a double in [1, 2) so that it vectorizes (no int->double).
static inline double to_uniform(uint32_t hi, uint32_t lo)
{
    const uint64_t bits = (((uint64_t)hi << 20) ^ (uint64_t)(lo >> 12)) & 0xFFFFFFFFFFFFFull;
    return (from_bits(0x3FF0000000000000ull | bits) - 1.0) + 1.1102230246251565e-16;
}

// The polynomials below take each Horner step as one std::fma: a single
// rounding, so the same bits on every machine (unlike a contraction left to
// the compiler, which -ffp-contract=off forbids), and 1.77 -> 1.47 ns per
// normal on an AMD EPYC (one instruction instead of a dependent pair).
// Where the CPU has no FMA, libm's fma gives the same bits, slowly.

// log(u) for u in (0, 1): u = 2^e * m with m in [sqrt(1/2), sqrt(2)), and
// log(m) = 2 atanh(s), s = (m-1)/(m+1), by its series (|s| < 0.172, 11 terms).
// Branch-free and libm-free: the same bits in every build, and vectorizable.
static inline double log_unit(double u)
{
    const uint64_t b = as_bits(u);
    const uint64_t mant = b & 0xFFFFFFFFFFFFFull;
    // mantissa above sqrt(2): halve m (exponent field - 1) and add 1 to e
    const uint64_t high = (mant + 0x95F619980C432ull) >> 52;   // 0 or 1, no branch
    // the exponent as a double, exactly, without an int->double conversion
    const double e = (from_bits(0x4330000000000000ull | (((b >> 52) & 0x7FF) + high))
                      - 4503599627370496.0) - 1023.0;
    const double m = from_bits((mant | 0x3FF0000000000000ull) - (high << 52));
    const double s = (m - 1.0) / (m + 1.0);
    const double z = s * s;
    double p = 1.0 / 23.0;
    p = std::fma(p, z, 1.0 / 21.0); p = std::fma(p, z, 1.0 / 19.0); p = std::fma(p, z, 1.0 / 17.0);
    p = std::fma(p, z, 1.0 / 15.0); p = std::fma(p, z, 1.0 / 13.0); p = std::fma(p, z, 1.0 / 11.0);
    p = std::fma(p, z, 1.0 / 9.0);  p = std::fma(p, z, 1.0 / 7.0);  p = std::fma(p, z, 1.0 / 5.0);
    p = std::fma(p, z, 1.0 / 3.0);  p = std::fma(p, z, 1.0);
    return e * 0.6931471805599453 + 2.0 * s * p;
}

// cos and sin of 2*pi*x for x in (0, 1): quadrant q = round(4x), remainder
// angle in [-pi/4, pi/4] by Taylor polynomials, then a rotation by q*pi/2.
static inline void sincos_turns(double x, double* c, double* s)
{
    // q = 4x rounded to the nearest integer (4x is never a tie here: x has its
    // 2^-53 bit set), by the add-and-subtract 1.5*2^52 trick; its low bits are k.
    const double rounded = 4.0 * x + 6755399441055744.0;
    const double q = rounded - 6755399441055744.0;
    const double a = 6.283185307179586 * (x - 0.25 * q);
    const double z = a * a;
    double sp = -1.0 / 355687428096000.0;                   // -1/17!
    sp = std::fma(sp, z, 1.0 / 1307674368000.0); sp = std::fma(sp, z, -1.0 / 6227020800.0);
    sp = std::fma(sp, z, 1.0 / 39916800.0);      sp = std::fma(sp, z, -1.0 / 362880.0);
    sp = std::fma(sp, z, 1.0 / 5040.0);          sp = std::fma(sp, z, -1.0 / 120.0);
    sp = std::fma(sp, z, 1.0 / 6.0);
    const double sa = a - a * z * sp;
    double cp = 1.0 / 20922789888000.0;                     // 1/16!
    cp = std::fma(cp, z, -1.0 / 87178291200.0);   cp = std::fma(cp, z, 1.0 / 479001600.0);
    cp = std::fma(cp, z, -1.0 / 3628800.0);       cp = std::fma(cp, z, 1.0 / 40320.0);
    cp = std::fma(cp, z, -1.0 / 720.0);           cp = std::fma(cp, z, 1.0 / 24.0);
    cp = std::fma(cp, z, -0.5);
    const double ca = 1.0 + z * cp;
    // rotate by k quarter turns with bit operations (exact, no branch):
    // odd k swaps cos and sin; k = 1, 2 negates cos; k = 2, 3 negates sin.
    const uint64_t k = as_bits(rounded) & 3;                 // q mod 4
    const uint64_t swap = 0 - (k & 1);                       // all ones if odd
    const uint64_t cb = as_bits(ca), sb = as_bits(sa);
    const uint64_t neg_c = ((k + 1) >> 1 & 1) << 63, neg_s = (k >> 1) << 63;
    *c = from_bits(((cb & ~swap) | (sb & swap)) ^ neg_c);
    *s = from_bits(((sb & ~swap) | (cb & swap)) ^ neg_s);
}

// The uniform of `index`: indices 2q and 2q+1 share the Philox block of q
// (its first two words and its last two), so one block makes two uniforms.
static inline double rand(uint64_t seed, uint64_t index, uint64_t step, uint32_t tag)
{
    const Draw4 d = philox(seed, index >> 1, step, tag);
    return (index & 1) ? to_uniform(d.w[2], d.w[3]) : to_uniform(d.w[0], d.w[1]);
}

// A binomial number of successes in n trials of probability p, by
// inversion (numpy's rk_binomial_inversion, as Brian's PoissonInput): the
// smallest X with U <= F[X], F[k] = P(X <= k), for one uniform U. The
// search stops at a bound: where U is above F[floor(bound)], it starts again
// with the next uniform (streams tag, tag+1, ...; rarely). The table of F is
// made once per step from the constants of binomial_constants() in
// runtime/random.py (P = min(p, 1-p), q = 1-P, qn = q^n, the bound, and
// whether p > 1/2, then the draw is n - X): p_0 = qn, p_k = p_{k-1} (n-k+1)
// P / (k q), each F[k] their running sum. binomial_at in runtime/random.py
// makes the same table with the same operations, so the same numbers.
// The bound is at most 29 (N*P <= 5 where the normal approximation is not
// used), so the table has room for every entry.
static const int BINOMIAL_TABLE = 32;

struct BinomialTable {
    double F[BINOMIAL_TABLE];   // F[k] for k < K
    int K;                      // floor(bound) + 1 entries
    double n, reverse;
};

static inline BinomialTable binomial_table(double n, double P, double q, double qn,
                                           double bound, double reverse)
{
    BinomialTable t;
    t.K = (int)bound + 1;
    t.n = n;
    t.reverse = reverse;
    double px = qn, F = qn;
    t.F[0] = F;
    for (int k = 1; k < t.K; ++k) {
        px = ((n - (double)k + 1.0) * P * px) / ((double)k * q);
        F += px;
        t.F[k] = F;
    }
    return t;
}

// The entries of the table below U: X, or K where U is above them all.
static inline int binomial_search(const BinomialTable& t, double U)
{
    int X = 0;
    while (X < t.K && U > t.F[X]) ++X;
    return X;
}

// X for the index after its first uniform passed the bound: the uniforms of
// the streams after `tag`, until one is within it.
static inline int binomial_again(const BinomialTable& t, uint64_t seed, uint64_t index,
                                 uint64_t step, uint32_t tag)
{
    int X = t.K;
    while (X == t.K) X = binomial_search(t, rand(seed, index, step, ++tag));
    return X;
}

static inline double binomial_value(const BinomialTable& t, double X)
{
    return t.reverse != 0.0 ? t.n - X : X;
}

static inline double binomial(uint64_t seed, uint64_t index, uint64_t step, uint32_t tag,
                              double n, double P, double q, double qn, double bound,
                              double reverse)
{
    const BinomialTable t = binomial_table(n, P, q, qn, bound, reverse);
    int X = binomial_search(t, rand(seed, index, step, tag));
    if (X == t.K) X = binomial_again(t, seed, index, step, tag);
    return binomial_value(t, (double)X);
}

// Two standard normals (Box-Muller) from the counter (pair, step, tag).
static inline void normal_pair(uint64_t seed, uint64_t pair, uint64_t step, uint32_t tag,
                               double* n0, double* n1)
{
    const Draw4 d = philox(seed, pair, step, tag);
    const double r = std::sqrt(-2.0 * log_unit(to_uniform(d.w[0], d.w[1])));
    double c, s;
    sincos_turns(to_uniform(d.w[2], d.w[3]), &c, &s);
    *n0 = r * c;
    *n1 = r * s;
}

// The normal for one index: normals come in pairs, index 2p and 2p+1 share
// the draw for pair p. randn_block gives exactly the same numbers, faster.
static inline double randn(uint64_t seed, uint64_t index, uint64_t step, uint32_t tag)
{
    double n0, n1;
    normal_pair(seed, index >> 1, step, tag, &n0, &n1);
    return (index & 1) ? n1 : n0;
}

// Normals for indices first, first+1, ..., first+n-1 (first must be even),
// written to out[0..n). The loop over pairs has no branches: compilers
// vectorize it.
static const int BLOCK = 256;

// Neurons a threshold scans at a time for a crossing (see threshold.cpp.j2).
static const int SCAN = 64;

// The first neuron of thread `thread`'s part of a group of n neurons split
// among `threads`: parts are whole blocks, so every thread draws the same
// random numbers for a neuron as one thread would.
static inline int64_t part_begin(int64_t n, int thread, int threads)
{
    const int64_t blocks = (n + BLOCK - 1) / BLOCK;
    const int64_t first = blocks * thread / threads * BLOCK;
    return first < n ? first : n;
}

static inline void randn_block(double* __restrict out, uint64_t seed, uint64_t first, int n,
                               uint64_t step, uint32_t tag)
{
    double n0[BLOCK / 2], n1[BLOCK / 2];
    const int pairs = (n + 1) / 2;
    const uint64_t p0 = first >> 1;
    for (int p = 0; p < pairs; ++p)
        normal_pair(seed, p0 + (uint64_t)p, step, tag, &n0[p], &n1[p]);
    for (int p = 0; p < n / 2; ++p) {
        out[2 * p] = n0[p];
        out[2 * p + 1] = n1[p];
    }
    if (n & 1) out[n - 1] = n0[pairs - 1];
}

// [first, last) of the synapses [begin, end) (sorted by delay) with `delay`.
static inline void delay_range(const int32_t* delays, int64_t begin, int64_t end, int32_t delay,
                               int64_t* first, int64_t* last)
{
    int64_t a = begin, z = end;                       // first delay >= `delay`
    while (a < z) { const int64_t m = (a + z) / 2; if (delays[m] < delay) a = m + 1; else z = m; }
    int64_t b = a; z = end;                           // first delay > `delay`
    while (b < z) { const int64_t m = (b + z) / 2; if (delays[m] <= delay) b = m + 1; else z = m; }
    *first = a;
    *last = b;
}

// The first of the sorted posts[begin, end) that is >= value (end if
// none): a binary search whose steps are conditional moves, not branches
// (the comparisons are as likely true as false: a branch would be
// mispredicted every other step).
static inline int64_t first_at_least(const int32_t* posts, int64_t begin, int64_t end,
                                     int32_t value)
{
    int64_t base = begin, n = end - begin;
    while (n > 0) {
        const int64_t half = n / 2;
        const bool below = posts[base + half] < value;
        base = below ? base + half + 1 : base;
        n = below ? n - half - 1 : half;
    }
    return base;
}

// [first, last) of the synapses [begin, end) (sorted by postsynaptic
// neuron, as those of one delay) whose neuron is in [lo, hi).
// `whole`: [lo, hi) holds every target (one thread), nothing to look at.
// Where all of them are, the first and the last synapse tell: the
// searches' loads would each miss the cache (a spike's synapses are far
// from the last one's), one after the other. A side that the first or the
// last synapse settles is not searched (with 2 threads each searches one).
static inline void post_range(const int32_t* posts, int64_t begin, int64_t end, int32_t lo,
                              int32_t hi, bool whole, int64_t* first, int64_t* last)
{
    if (whole || begin == end) {
        *first = begin;
        *last = end;
        return;
    }
    const int64_t c = posts[begin] >= lo ? begin : first_at_least(posts, begin, end, lo);
    *first = c;
    *last = posts[end - 1] < hi ? end : first_at_least(posts, c, end, hi);
}

// Ask for the cache lines of the synapses [begin, end) (sorted by
// postsynaptic neuron, counted from 0 to n) that the targets [lo, hi) likely
// have: a row's targets are spread evenly over the group, so the part
// [lo, hi) of n lies near the same part of the row. At most PREFETCH_LINES
// lines: a long row's later lines come in while its first are delivered.
// Asking for every line of a step's rows at once, before delivering them,
// waits for the memory once, not once per row (CUBA, 40000 neurons: the
// delivery took 13 to 30 % fewer cycles than when only a row's first line
// was asked for; the whole run, medians of 8 alternated runs, 2 % less on
// 1 thread and 3 % on 2).
static const int64_t PREFETCH_LINES = 8;
static inline void prefetch_part(const int32_t* posts, int64_t begin, int64_t end, int64_t lo,
                                 int64_t hi, int64_t n)
{
    const int64_t length = end - begin, per_line = 64 / sizeof(int32_t);
    if (length <= 0 || n <= 0) return;
    lo = lo < 0 ? 0 : lo;
    hi = hi > n ? n : hi;
    const int64_t first = begin + length * lo / n;
    int64_t last = begin + length * hi / n;
    last = last < first + PREFETCH_LINES * per_line ? last : first + PREFETCH_LINES * per_line;
    for (int64_t x = first - first % per_line; x < last; x += per_line)
        __builtin_prefetch(posts + x);
}

// [*first, *last): the synapses in [begin, end) (sorted by delay, then by
// postsynaptic neuron) with delay `delay` and a postsynaptic neuron in
// [lo, hi).
static inline void synapse_range(const int32_t* delays, const int32_t* posts, int64_t begin,
                                 int64_t end, int32_t delay, int32_t lo, int32_t hi, bool whole,
                                 int64_t* first, int64_t* last)
{
    int64_t a, b;
    delay_range(delays, begin, end, delay, &a, &b);
    post_range(posts, a, b, lo, hi, whole, first, last);
}

// Uniforms for indices first, ..., first+n-1, written to out[0..n): the
// numbers of ncg::rand, in a loop that compilers vectorise.
static inline void rand_block(double* __restrict out, uint64_t seed, uint64_t first, int n,
                              uint64_t step, uint32_t tag)
{
    if (n > 0 && (first & 1)) {             // an odd first index: the second of its pair
        *out++ = rand(seed, first++, step, tag);
        --n;
    }
    const uint64_t pair = first >> 1;
    for (int q = 0; q < n / 2; ++q) {        // both uniforms of each block
        const Draw4 d = philox(seed, pair + (uint64_t)q, step, tag);
        out[2 * q] = to_uniform(d.w[0], d.w[1]);
        out[2 * q + 1] = to_uniform(d.w[2], d.w[3]);
    }
    if (n & 1) out[n - 1] = rand(seed, first + (uint64_t)(n - 1), step, tag);
}

// The binomial draws of indices first, ..., first+n-1 (as ncg::binomial),
// written to out[0..n): their uniforms a block at a time, then X counted
// one table entry at a time over the whole block, in loops that compilers
// vectorise, until no uniform is above the entry (a few entries: the block's
// largest uniform is below 1 - 1/n or so).
static inline void binomial_block(double* __restrict out, const BinomialTable& t, uint64_t seed,
                                  uint64_t first, int n, uint64_t step, uint32_t tag)
{
    double U[BLOCK];
    rand_block(U, seed, first, n, step, tag);
    for (int i = 0; i < n; ++i) out[i] = 0.0;
    for (int k = 0; k < t.K; ++k) {
        const double f = t.F[k];
        int above = 0;
        for (int i = 0; i < n; ++i) {
            out[i] += U[i] > f ? 1.0 : 0.0;
            above |= U[i] > f;
        }
        if (!above) break;
    }
    const double K = (double)t.K;
    for (int i = 0; i < n; ++i)
        if (out[i] == K) out[i] = (double)binomial_again(t, seed, first + (uint64_t)i, step, tag);
    for (int i = 0; i < n; ++i) out[i] = binomial_value(t, out[i]);
}

// Brian's timestep(): the integer time step of a time, robust to rounding
// (truncated toward zero, as Brian's, also for negative times).
static inline int64_t timestep(double t, double dt)
{
    return (int64_t)((t + 1e-3 * dt) / dt);
}

// exp and expm1 without libm and without branches, so that loops calling
// them vectorize (libm's are scalar calls unless -ffast-math): x = k ln2 + r
// with |r| <= ln2/2 (Cody-Waite), a degree-13 Taylor polynomial for
// expm1(r), and 2^k built from its bits. Within 2 ulp of the exact result.
static inline double expm1_reduced(double r)   // expm1(r) for |r| <= 0.35
{
    double p = 1.0 / 6227020800.0;                              // 1/13!
    p = p * r + 1.0 / 479001600.0; p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;   p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;     p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;       p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;        p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    return r + r * (r * p);
}

// k and r for x = k ln2 + r; returns 2^k as two factors (so that results
// in the subnormal range are still right).
static inline double reduce_exp(double x, double* r, double* scale_lo)
{
    const double xc = x < -745.2 ? -745.2 : (x > 709.8 ? 709.8 : x);
    const double shifted = xc * 1.4426950408889634 + 6755399441055744.0;
    const double k = shifted - 6755399441055744.0;
    *r = (xc - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
    const int64_t ki = (int64_t)(as_bits(shifted) - as_bits(6755399441055744.0));
    const int64_t half = ki / 2;
    *scale_lo = from_bits((uint64_t)(ki - half + 1023) << 52);
    return from_bits((uint64_t)(half + 1023) << 52);
}

static inline double exp(double x)
{
    double r, lo;
    const double hi = reduce_exp(x, &r, &lo);
    double y = (expm1_reduced(r) + 1.0) * hi * lo;
    y = x > 709.782712893384 ? INFINITY : y;
    y = x < -745.1332191019412 ? 0.0 : y;
    return x != x ? x : y;
}

static inline double expm1(double x)
{
    double r, lo;
    const double hi = reduce_exp(x, &r, &lo);
    const double p = expm1_reduced(r);
    const double scale = hi * lo;                          // 2^k (inf for k = 1024)
    double y = scale * p + (scale - 1.0);                  // exact for k = 0
    y = x > 700.0 ? (p + 1.0) * hi * lo - 1.0 : y;         // where 2^k alone overflows
    y = x > 709.782712893384 ? INFINITY : y;
    y = x < -40.0 ? -1.0 : y;
    return x != x ? x : y;
}

// A Poisson number of mean lam (Brian's poisson(lam)), by inversion: the
// smallest k with U <= F(k), the cumulative sum of p_k = p_{k-1}*lam/k from
// p_0 = exp(-lam), with one uniform U = ncg::rand(seed, index, step, tag).
// Only + * / and ncg::exp (no libm), so runtime/random.py's poisson_at
// gives the same bits. Where exp(-lam) would underflow (lam > 600) the
// terms are carried scaled by POISSON_SCALE^-level (POISSON_SCALE = e^-600,
// a constant written the same in both), scaled down whenever they pass
// 1e200 until level is 0 (before the terms near the mean, which are never
// below 1e-61 then); U cannot be reached while level > 0. The search takes
// about lam steps. lam <= 0 or NaN gives 0; lam above 1e7 gives NaN.
static const double POISSON_SCALE = 2.6503965530043108e-261;

static inline double poisson(uint64_t seed, uint64_t index, uint64_t step, uint32_t tag,
                             double lam)
{
    if (!(lam > 0.0)) return 0.0;
    if (lam > 1e7) return NAN;
    const double U = rand(seed, index, step, tag);
    double level = std::floor(lam / 600.0);
    double p = ncg::exp(-(lam - level * 600.0));
    double F = level > 0.0 ? 0.0 : p;
    double k = 0.0;
    while ((level > 0.0 || U > F) && p > 0.0) {
        k += 1.0;
        p = (p * lam) / k;
        if (level > 0.0 && p > 1e200) {
            p *= POISSON_SCALE;
            level -= 1.0;
        }
        if (level == 0.0) F += p;
    }
    return k;
}

// (exp(x) - 1)/x, and 1 at 0.
static inline double exprel(double x)
{
    const double y = ncg::expm1(x) / x;
    return x == 0.0 ? 1.0 : y;
}

// a where c holds, else -0.0 (which added to x gives x, signed zeros and
// NaNs included), by their bits: no branch (see kernels.py's _increments).
static inline double increment_if(bool c, double a)
{
    const uint64_t m = 0 - (uint64_t)c;
    return from_bits((as_bits(a) & m) | (0x8000000000000000ull & ~m));
}

static inline double clip(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

static inline double sign(double x)
{
    return (double)((0.0 < x) - (x < 0.0));
}

// Python's modulo: the result has the sign of the divisor.
static inline double mod(double a, double b)
{
    const double r = std::fmod(a, b);
    return (r != 0.0 && ((r < 0.0) != (b < 0.0))) ? r + b : r;
}

}  // namespace ncg
