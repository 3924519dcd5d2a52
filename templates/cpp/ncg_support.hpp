// neurocodegen support code: random numbers and math helpers used by every
// generated kernel. Included verbatim in the generated source (so that it is
// part of the cache key).
//
// Random numbers come from Philox-4x32-10 (Salmon et al., "Parallel random
// numbers: as easy as 1, 2, 3", SC'11), a counter-based generator: a draw is a
// pure function of (key, counter). The key is the user's seed; the counter is
// (neuron index, time step, stream tag). Results therefore do not depend on
// the order in which neurons are processed, the number of threads, or on
// whether the code runs in the Python extension or in a standalone program.
// The Python twin is neurocodegen/runtime/random.py; both must stay bit-equal.
#pragma once
#include <cstdint>
#include <cmath>

namespace ncg {

struct Draw4 { uint32_t w[4]; };

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

// One block of 128 random bits for counter (index, step, tag) under key seed.
static inline Draw4 philox(uint64_t seed, uint32_t index, uint64_t step, uint32_t tag)
{
    uint32_t c[4] = {index, (uint32_t)step, (uint32_t)(step >> 32), tag};
    uint32_t k[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    for (int r = 0; r < 10; ++r) {
        philox_round(c, k);
        k[0] += 0x9E3779B9u;
        k[1] += 0xBB67AE85u;
    }
    return Draw4{{c[0], c[1], c[2], c[3]}};
}

// 53-bit uniform in the open interval (0, 1) from two 32-bit words.
static inline double to_uniform(uint32_t hi, uint32_t lo)
{
    const uint64_t bits = ((uint64_t)hi << 21) ^ (uint64_t)(lo >> 11);  // 53 bits
    return ((double)bits + 0.5) * (1.0 / 9007199254740992.0);
}

static inline double rand(uint64_t seed, uint32_t index, uint64_t step, uint32_t tag)
{
    const Draw4 d = philox(seed, index, step, tag);
    return to_uniform(d.w[0], d.w[1]);
}

// Standard normal by the Box-Muller transform (cosine branch).
static inline double randn(uint64_t seed, uint32_t index, uint64_t step, uint32_t tag)
{
    const Draw4 d = philox(seed, index, step, tag);
    const double u1 = to_uniform(d.w[0], d.w[1]);
    const double u2 = to_uniform(d.w[2], d.w[3]);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Brian's timestep(): the integer time step of a time, robust to rounding.
static inline int64_t timestep(double t, double dt)
{
    return (int64_t)std::floor((t + 1e-3 * dt) / dt);
}

static inline double exprel(double x)
{
    if (std::fabs(x) < 1e-16) return 1.0;
    if (x > 717) return INFINITY;
    return std::expm1(x) / x;
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
