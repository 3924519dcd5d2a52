"""The counter-based generator: known answers, and the compiled kernels
drawing exactly what the numpy twin draws."""
import platform

import numpy as np
import pytest

from neurocodegen import *  # noqa: F401,F403
from neurocodegen.streams import KIND_RESET, stream as stream_tag
from neurocodegen.runtime import random as ncg_random


def test_philox_known_answer():
    # Random123's known-answer test for Philox-4x32-10: counter 0, key 0.
    words = ncg_random.philox(0, np.array([0]), 0, 0)
    assert [int(w[0]) for w in words] == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]


def test_uniform_and_normal_statistics():
    u = ncg_random.rand(7, 200_000, 3, 1)
    n = ncg_random.randn(7, 200_000, 3, 2)
    assert 0 < u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / u.size)
    assert abs(n.mean()) < 5 / np.sqrt(n.size)
    assert abs(n.var() - 1) < 5 * np.sqrt(2 / n.size)


def test_twin_fma_rounds_once():
    """The numpy fma equals the exactly rounded a*b + c (computed with
    fractions), where a*b + c rounded twice differs."""
    from fractions import Fraction
    rng = np.random.default_rng(1)
    n = 20_000
    a = rng.standard_normal(n) * 10.0 ** rng.integers(-20, 5, n)
    b = rng.standard_normal(n) * 10.0 ** rng.integers(-20, 5, n)
    c = rng.standard_normal(n) * 10.0 ** rng.integers(-40, 5, n)
    # cancellation: c within a few ulp of -a*b
    c[:5000] = -(a[:5000] * b[:5000]) * (1 + rng.integers(-3, 4, 5000) * 2.0**-52)
    # a*b near half an ulp of c
    exponent = np.frexp(a[5000:10000] * b[5000:10000])[1]
    c[5000:10000] = np.ldexp(1.0, exponent + 53) * np.sign(rng.standard_normal(5000))
    # a*b = 2^-53 - 2^-111 lands on a tie with c = 1 + 2^-52 when rounded first
    a[0], b[0], c[0] = 1 + 2.0**-29, (1 - 2.0**-29) * 2.0**-53, 1 + 2.0**-52
    exact = np.array([float(Fraction(x) * Fraction(y) + Fraction(z))
                      for x, y, z in zip(a, b, c)])
    assert np.array_equal(ncg_random.fma(a, b, c), exact)
    assert ncg_random.fma(a, b, c)[0] == 1 + 2.0**-52 != a[0] * b[0] + c[0]
    assert np.count_nonzero(a * b + c != exact) > 1000


def test_compiled_rand_is_bit_equal_to_numpy_twin():
    seed(123)
    N = 50
    G = NeuronGroup(N, "x : 1", threshold="True", reset="x = rand()")
    net = Network(G)
    net.run(0.3 * ms)
    last_step = 2
    expected = ncg_random.rand(net._rng_key, N, last_step, stream_tag(G._rng_id, KIND_RESET, 0))
    assert np.array_equal(G.x[:], expected)


def test_same_seed_same_draws_different_seed_different():
    def draw(value):
        start_scope()
        seed(value)
        G = NeuronGroup(20, "x : 1")
        G.x = "randn()"
        return G.x[:].copy()
    assert np.array_equal(draw(1), draw(1))
    assert not np.array_equal(draw(1), draw(2))


def test_compiled_randn_scalar_path_is_bit_equal_to_numpy_twin():
    seed(9)
    # odd: the last index uses the first half of a Box-Muller pair; and more
    # pairs than the twin draws at once, so that its chunks are checked too
    N = 2 * ncg_random._CHUNK + 7
    G = NeuronGroup(N, "x : 1", threshold="True", reset="x = randn()")
    net = Network(G)
    net.run(0.2 * ms)
    expected = ncg_random.randn(net._rng_key, N, 1, stream_tag(G._rng_id, KIND_RESET, 0))
    assert np.array_equal(G.x[:], expected)


# ncg::philox has a version for AVX-512DQ and a plain one; check both on x86.
PHILOX_BUILDS = [[]] + ([["-mno-avx512dq"]] if platform.machine() in ("x86_64", "AMD64") else [])


@pytest.mark.parametrize("extra_flags", PHILOX_BUILDS, ids=lambda f: " ".join(f) or "native")
def test_block_draws_equal_scalar_draws_and_numpy(tmp_path, extra_flags):
    """ncg::randn_block (vectorized, used for xi) == ncg::randn == the twin."""
    import subprocess
    from neurocodegen.jit.toolchain import default_toolchain
    from neurocodegen.backends.cpu.templates import template_root
    program = tmp_path / "check.cpp"
    program.write_text('#include "ncg_support.hpp"\n#include <cstdio>\nint main(){\n'
                       '  static double block[300];\n'
                       '  ncg::randn_block(block, 77, 256, 300 - 256, 5, 9);\n'
                       '  ncg::randn_block(block + 300 - 256, 77, 300, 1, 5, 9);\n'
                       '  for (int i = 256; i < 301; ++i) {\n'
                       '    double a = i < 300 ? block[i - 256] : block[44];\n'
                       '    printf("%.17g %.17g\\n", a, ncg::randn(77, i, 5, 9)); }\n}\n')
    tc = default_toolchain()
    exe = tmp_path / "check"
    subprocess.run([tc.compiler, "-std=c++17", "-O3", "-march=native", *extra_flags,
                    "-ffp-contract=off", f"-I{template_root() / 'cpp'}", str(program), "-o", str(exe)], check=True)
    rows = [tuple(map(float, line.split())) for line in
            subprocess.run([str(exe)], capture_output=True, text=True).stdout.split("\n")
            if line]
    block, scalar = np.array(rows).T
    twin = ncg_random.randn(77, 301, 5, 9)[256:]
    assert np.array_equal(block, scalar)
    assert np.array_equal(scalar, twin)


def test_noise_statistics_of_compiled_xi():
    """Ornstein-Uhlenbeck with euler: stationary variance sigma**2/(2 - dt/tau)."""
    seed(4)
    tau, sigma, N = 10 * ms, 1.0, 20000  # noqa: F841
    G = NeuronGroup(N, "dv/dt = -v/tau + sigma*xi*tau**-0.5 : 1", method="euler")
    G.v = "sigma*sqrt(0.5)*randn()"
    run(50 * ms)
    v = G.v[:]
    expected = sigma**2 / (2 - 0.01)
    assert abs(v.mean()) < 5 * np.sqrt(expected / N)
    assert abs(v.var() - expected) < 5 * expected * np.sqrt(2 / N)


def test_64_bit_indices_in_cpp_equal_the_twin(tmp_path):
    """Counters hold 48 bits of index (10^10 synapses and more): the C++
    generator and its numpy twin agree above 2^32, and an index above 2^32
    does not repeat the draws of the index 2^32 below it."""
    import subprocess
    from neurocodegen.jit.toolchain import default_toolchain
    from neurocodegen.backends.cpu.templates import template_root
    indices = [5, 2**32 + 5, 2**40 + 12345, 2**47 + 3]
    program = tmp_path / "wide.cpp"
    calls = "\n".join(f'  printf("%.17g %.17g\\n", ncg::rand(99, {k}ull, 1234567, 7), '
                      f'ncg::randn(99, {k}ull, 1234567, 7));' for k in indices)
    program.write_text('#include "ncg_support.hpp"\n#include <cstdio>\nint main(){\n'
                       + calls + "\n}\n")
    exe = tmp_path / "wide"
    subprocess.run([default_toolchain().compiler, "-std=c++17", "-O2", "-ffp-contract=off",
                    f"-I{template_root() / 'cpp'}", str(program), "-o", str(exe)], check=True)
    rows = np.array([list(map(float, line.split())) for line in
                     subprocess.run([str(exe)], capture_output=True, text=True).stdout.split("\n")
                     if line])
    index = np.array(indices, dtype=np.uint64)
    assert np.array_equal(rows[:, 0], ncg_random.rand_at(99, index, 1234567, 7))
    assert np.array_equal(rows[:, 1], ncg_random.randn_at(99, index, 1234567, 7))
    assert len(set(rows[:, 0])) == len(indices)
    # below 2^32 the twin's per-index draws are those of whole-population draws
    assert ncg_random.rand_at(99, index[:1], 1234567, 7)[0] == \
        ncg_random.rand(99, 6, 1234567, 7)[5]


BINOMIAL_CASES = [(1000, 0.002, None), (100, 0.005, None), (10, 0.6, None), (3, 0.5, None),
                  (0, 0.3, None), (1000, 0.0, None), (1000, 0.002, 3.0),   # bound 3: restarts
                  (20, 0.9, 2.5)]


def _binomial_constants(n, p, bound):
    constants = ncg_random.binomial_constants(n, p)
    if bound is not None:
        constants["bound"] = bound
    return constants


def test_binomial_block_equals_scalar_draws_and_the_twin(tmp_path):
    """ncg::binomial_block (PoissonInput's, by blocks) == ncg::binomial ==
    runtime.random.binomial_at, restarts past the bound included."""
    import subprocess
    from neurocodegen.jit.toolchain import default_toolchain
    from neurocodegen.backends.cpu.templates import template_root
    keys = ("n", "P", "q", "qn", "bound", "reverse")
    calls = []
    for n, p, bound in BINOMIAL_CASES:
        args = ", ".join(repr(_binomial_constants(n, p, bound)[k]) for k in keys)
        calls.append(f"  check(ncg::binomial_table({args}), {args});")
    program = tmp_path / "binomial.cpp"
    program.write_text(
        '#include "ncg_support.hpp"\n#include <cstdio>\n'
        'static void check(const ncg::BinomialTable& t, double n, double P, double q,\n'
        '                  double qn, double bound, double reverse) {\n'
        '  static double block[1000];\n'
        '  for (int b = 0; b < 1000; b += ncg::BLOCK)\n'
        '    ncg::binomial_block(block + b, t, 77, b, b + ncg::BLOCK < 1000 ? ncg::BLOCK : 1000 - b,'
        ' 5, 9);\n'
        '  for (int i = 0; i < 1000; ++i)\n'
        '    printf("%.17g %.17g\\n", block[i], ncg::binomial(77, i, 5, 9, n, P, q, qn, bound,'
        ' reverse));\n}\n'
        'int main(){\n' + "\n".join(calls) + "\n}\n")
    exe = tmp_path / "binomial"
    tc = default_toolchain()
    subprocess.run([tc.compiler, *tc.cxxflags[:-2], f"-I{template_root() / 'cpp'}",
                    str(program), "-o", str(exe)], check=True)
    rows = np.loadtxt(subprocess.run([str(exe)], capture_output=True, text=True,
                                     check=True).stdout.splitlines())
    for k, (n, p, bound) in enumerate(BINOMIAL_CASES):
        block, scalar = rows[1000 * k:1000 * (k + 1)].T
        twin = ncg_random.binomial_at(77, np.arange(1000), 5, 9,
                                      **_binomial_constants(n, p, bound))
        assert np.array_equal(block, scalar), (n, p, bound)
        assert np.array_equal(scalar, twin), (n, p, bound)
        assert block.min() >= 0 and block.max() <= n
        if bound is not None:        # the draws beyond the bound were drawn again
            X = n - block if p > 0.5 else block
            assert X.max() <= bound


def test_binomial_draws_follow_the_binomial_distribution():
    """200,000 draws of the twin (the compiled code's numbers) against the
    probabilities of Binomial(n, p): each count within 5 standard deviations."""
    from math import comb
    for n, p in ((1000, 0.002), (10, 0.6), (50, 0.1)):
        draws = ncg_random.binomial_at(3, np.arange(200_000), 11, 2,
                                       **ncg_random.binomial_constants(n, p))
        counts = np.bincount(draws.astype(np.int64), minlength=n + 1)
        pmf = np.array([comb(n, k) * p**k * (1 - p)**(n - k) for k in range(n + 1)])
        expected = draws.size * pmf
        assert np.all(np.abs(counts - expected) <= 5 * np.sqrt(expected) + 1), (n, p)
