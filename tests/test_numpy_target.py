"""The numpy target (``prefs.codegen.target = 'numpy'``): no compiler, the
same IR printed as whole-array numpy statements.

It runs the tutorial's tests and the compiled-model tests (every integrator,
noise, refractoriness, resets, clocks) unchanged, and gives the golden
models' numbers: identical spikes, states within 1e-9 of the C++ kernels
(``ncg::exp`` and numpy's ``exp`` may differ in the last bit; the random
numbers are the same)."""
import numpy as np
import pytest

from neurocodegen import prefs
from golden_models import DATA, MODELS, run_runtime
from test_compiled_models import *  # noqa: F401,F403  (run again, on numpy)
from test_tutorial import *  # noqa: F401,F403


@pytest.fixture(autouse=True)
def numpy_target():
    prefs.codegen.target = "numpy"
    yield
    prefs.codegen.target = "cython"


def test_show_source_is_the_generated_python():
    from neurocodegen import NeuronGroup, ms, run, show_source  # noqa: F401
    G = NeuronGroup(3, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",  # noqa: F841
                    method="euler")
    run(1 * ms)
    source = show_source()
    assert source.startswith("def run(") and "numpy" in source and "ncg::" not in source


@pytest.mark.parametrize("name", list(MODELS))
def test_golden_models(name):
    got = run_runtime(name)
    with np.load(DATA) as data:
        for key in [k for k in data.files if k.startswith(name + ".")]:
            expected = data[key]
            if expected.dtype.kind == "f" and not key.endswith((".t", ".lastspike")):
                np.testing.assert_allclose(got[key], expected, rtol=1e-9, atol=1e-12,
                                           err_msg=key)
            else:
                assert np.array_equal(got[key], expected), key


def test_constant_and_combined_thresholds_with_refractoriness():
    """A threshold that is one value (``False``) or combines conditions with
    and/or, under refractoriness: numpy gets the compiled spikes (a scalar
    condition once met the not_refractory array in one reduce and failed)."""
    from neurocodegen import NeuronGroup, SpikeMonitor, Network, ms, start_scope

    def spikes(target):
        prefs.codegen.target = target
        start_scope()
        groups = [NeuronGroup(5, "dv/dt = -v/(10*ms) : 1 (unless refractory)", threshold=cond,
                              reset="v = 0", refractory=2 * ms)
                  for cond in ("False", "v > 0.5 or i == 3 and t > 0.2*ms")]
        groups[1].v = [0, 1, 0, 0, 1]
        monitors = [SpikeMonitor(G) for G in groups]
        Network(*groups, *monitors).run(3 * ms)
        return [(list(M.i), list(M.t_)) for M in monitors]

    got = spikes("numpy")
    assert got == spikes("cython")
    assert got[0] == ([], []) and got[1][0] == [1, 4, 3, 3]      # 3 again after 2 ms
    assert np.allclose(got[1][1], [0, 0, 0.3e-3, 2.3e-3], rtol=0, atol=1e-12)
