"""The libm-free exp, expm1 and exprel of the generated code (ncg_support.hpp)
stay within 2 ulp of the C library over the whole double range."""
import subprocess

import numpy as np

from neurocodegen.jit.toolchain import default_toolchain
from neurocodegen.backends.cpu.templates import template_root

PROGRAM = r'''
#include "ncg_support.hpp"
#include <cstdio>
#include <cmath>
int main() {
    double x;
    while (std::scanf("%lf", &x) == 1)
        std::printf("%.17g %.17g %.17g %.17g %.17g\n", ncg::exp(x), std::exp(x),
                    ncg::expm1(x), std::expm1(x), ncg::exprel(x));
}
'''


def test_exp_expm1_exprel_within_two_ulp(tmp_path):
    source = tmp_path / "check.cpp"
    source.write_text(PROGRAM)
    exe = tmp_path / "check"
    tc = default_toolchain()
    subprocess.run([tc.compiler, *tc.cxxflags[:-2], f"-I{template_root() / 'cpp'}",
                    str(source), "-o", str(exe)], check=True)
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-745, 709, 20000), rng.uniform(-1, 1, 20000),
                        rng.uniform(-1e-8, 1e-8, 5000), [0.0, 1.0, -1.0, 709.7, -745.1]])
    out = subprocess.run([str(exe)], input="\n".join(repr(float(v)) for v in x), text=True,
                         capture_output=True, check=True).stdout
    ours, libm, ours_m1, libm_m1, exprel = np.loadtxt(out.splitlines()).T

    def ulps(a, b):
        return np.abs(a - b) / np.spacing(np.abs(b))

    assert ulps(ours, libm).max() <= 2
    assert ulps(ours_m1, libm_m1).max() <= 2
    nonzero = x != 0
    assert ulps(exprel[nonzero], libm_m1[nonzero] / x[nonzero]).max() <= 3
    assert exprel[~nonzero][0] == 1.0
