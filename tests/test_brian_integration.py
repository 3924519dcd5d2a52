"""Integration as Brian2 does it (issue 14, item 3): exponential Euler on
conditionally linear equations (Hodgkin-Huxley with rates as subexpressions
of v), the automatic choice of a method, and refractory conditions.
Differential tests against Brian2 2.9's numbers recorded by
``tests/brian2_reference/integration_models.py``, in runtime mode (C++ and
numpy) and standalone mode (1 and 2 threads)."""
import logging
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

import neurocodegen
from neurocodegen import (IntegrationError, Network, NeuronGroup, SpikeMonitor, ms, prefs, run,
                          set_device)
from neurocodegen.integrators import ODESystem, integrate

sys.path.insert(0, str(Path(__file__).parent / "brian2_reference"))
import integration_models  # noqa: E402
import recording  # noqa: E402

@pytest.fixture(scope="module")
def brian2():
    return recording.load("integration")


def _compare(got, brian2, name):
    """Spikes exactly; values within 1e-9 of their scale. Measured: the
    Hodgkin-Huxley traces differ from Brian's by up to 2e-11 (relative),
    from exp() and the order of floating-point operations; the others by
    less than 1e-12."""
    recording.compare(got, brian2, name, scaled_atol=1e-9)


@pytest.mark.parametrize("name", list(integration_models.MODELS))
@pytest.mark.parametrize("target", ["cython", "numpy"])
def test_brian2_numbers_in_runtime_mode(name, target, brian2):
    prefs.codegen.target = target
    try:
        _compare(integration_models.run_model(neurocodegen, name), brian2, name)
    finally:
        prefs.codegen.target = "cython"


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", ["wang_buzsaki", "automatic_timedarray",
                                  "refractory_condition"])
def test_standalone_gives_the_runtime_numbers(name, threads, brian2, tmp_path):
    runtime = integration_models.run_model(neurocodegen, name)
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / name, threads=threads)
    try:
        standalone = integration_models.run_model(neurocodegen, name)
    finally:
        set_device("runtime")
    assert set(standalone) == set(runtime)
    for key in runtime:                      # the same C++ code: the same bits
        assert np.array_equal(standalone[key], runtime[key]), key
    _compare(standalone, brian2, name)


# -- exponential Euler as Brian splits the equations -----------------------------------

def _system(**rhs):
    return ODESystem(tuple(rhs), {x: sympy.sympify(e) for x, e in rhs.items()})


def test_exponential_euler_holds_coefficients_that_depend_on_the_variable():
    """dv/dt = -g(v)*v + c*g(v): A = -g(v) and B = c*g(v), at the start of the step."""
    update = integrate(_system(v="-exp(v)*v + 3*exp(v)"), "exponential_euler")
    values = {"v": 0.5, "dt": 0.1}
    for name, expr in update.statements:             # temporaries, then the new v
        values[name] = float(expr.subs({sympy.Symbol(k, real=True): x
                                        for k, x in values.items()}))
    A, B = -np.exp(0.5), 3 * np.exp(0.5)
    expected = -B / A + (0.5 + B / A) * np.exp(A * 0.1)
    assert values["v"] == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("rhs", ["v**2/tau", "exp(v)/tau", "v*(1 + v)"])
def test_exponential_euler_refuses_what_brian_refuses(rhs):
    """Brian's rule: after expanding, the terms in v must all be v times a
    coefficient and at least one must be (exp(v) alone is refused too).
    Brian takes v*(1 + v) as dv/dt = v, dropping v**2: refused here."""
    with pytest.raises(IntegrationError, match="of the form A\\*v \\+ B"):
        integrate(_system(v=rhs), "exponential_euler")


def test_exponential_euler_linear_equations_keep_their_written_form():
    """A linear equation's A and B come from the expression as written (not
    its expansion), so recorded models keep their numbers."""
    update = integrate(_system(v="(El - v)/tau", w="(v - w)/tau"), "exponential_euler")
    assert "exp(-dt/tau)" in str(update)


# -- the automatic choice, in Brian's order ---------------------------------------------

def _chosen(caplog, group_eqs, **kwargs):
    neurocodegen.start_scope()
    with caplog.at_level(logging.INFO, logger="neurocodegen"):
        Network(NeuronGroup(1, group_eqs, **kwargs)).run(0.1 * ms)
    found = [r.getMessage() for r in caplog.records if "using method" in r.getMessage()]
    assert len(found) == 1, found
    return found[0].split("using method ")[1].split()[0].strip("'")


@pytest.mark.parametrize("eqs, method", [
    ("dv/dt = -v/(10*ms) : 1", "exact"),
    ("dv/dt = (sin(2*pi*t/ms) - v)/(10*ms) : 1", "euler"),          # t: not constant
    ("dv/dt = (rand() - v)/(10*ms) : 1", "euler"),                   # a draw: not constant
    ("dv/dt = -v**2/(10*ms) : 1", "euler"),
    ("dv/dt = -v/(10*ms) + 0.1*xi/sqrt(ms) : 1", "euler"),           # additive noise
    ("dv/dt = -v/(10*ms) + 0.1*v*xi/sqrt(ms) : 1", "heun"),          # multiplicative
])
def test_automatic_method_choice_follows_brians_order(eqs, method, caplog):
    assert _chosen(caplog, eqs) == method


def test_a_timedarray_of_t_is_constant_over_a_step_only_if_its_dt_is_a_multiple(caplog):
    from neurocodegen import TimedArray
    coarse = TimedArray([0.0, 1.0], dt=0.2 * ms)     # the default clock's dt is 0.1 ms
    fine = TimedArray([0.0, 1.0], dt=0.05 * ms)
    ns = {"coarse": coarse, "fine": fine}
    assert _chosen(caplog, "dv/dt = (coarse(t) - v)/(10*ms) : 1", namespace=ns) == "exact"
    caplog.clear()
    assert _chosen(caplog, "dv/dt = (fine(t) - v)/(10*ms) : 1", namespace=ns) == "euler"
    caplog.clear()
    with pytest.raises(IntegrationError, match="depends on time 't'"):
        _chosen(caplog, "dv/dt = (coarse(t + 1*ms) - v)/(10*ms) : 1", method="exact",
                namespace=ns)


# -- refractory conditions ----------------------------------------------------------------

@pytest.mark.parametrize("mode", ["runtime", "standalone"])
def test_a_refractory_condition_gives_one_spike_per_crossing(mode, tmp_path):
    """v = sin(...) is above the threshold for a third of each period: the
    neuron spikes when it crosses, stays refractory while above, and leaves
    when it falls below; 6 periods give 6 spikes, one period apart."""
    if mode == "standalone":
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path)
    try:
        neurocodegen.start_scope()
        G = NeuronGroup(1, "v = sin(2*pi*t/(5*ms)) : 1", threshold="v > 0.5",
                        refractory="v > 0.5")
        spikes = SpikeMonitor(G)
        run(30 * ms)
        times = np.asarray(spikes.t / ms)
    finally:
        set_device("runtime")
    assert len(times) == 6
    np.testing.assert_allclose(np.diff(times), 5, atol=0.11)


@pytest.mark.parametrize("mode", ["cython", "numpy", "standalone"])
def test_a_constant_over_dt_subexpression_is_recorded_with_the_value_its_step_uses(
        mode, tmp_path):
    """Brian computes (constant over dt) subexpressions before the start of
    a step, so a StateMonitor records the value that step integrates with:
    I = t/ms at t, and v grows by I*dt/ms over the step (also for a draw)."""
    if mode == "standalone":
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path)
    else:
        prefs.codegen.target = mode
    try:
        neurocodegen.start_scope()
        G = NeuronGroup(2, """dv/dt = (I + u)/ms : 1
                              I = t/ms : 1 (constant over dt)
                              u = rand() : 1 (constant over dt)""", method="euler")
        M = neurocodegen.StateMonitor(G, ["v", "I", "u"], record=True)
        run(2 * ms)
        t, v, I, u = np.asarray(M.t / ms), np.asarray(M.v), np.asarray(M.I), np.asarray(M.u)
    finally:
        set_device("runtime")
        prefs.codegen.target = "cython"
    np.testing.assert_allclose(I, np.broadcast_to(t, I.shape), rtol=1e-12)
    np.testing.assert_allclose(np.diff(v, axis=1), 0.1 * (I + u)[:, :-1], rtol=1e-9)
    assert len(np.unique(u)) == u.size                  # a fresh draw per neuron and step
