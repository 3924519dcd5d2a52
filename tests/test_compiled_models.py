"""Real simulations through the compiled path, checked against analytic
solutions, reference trajectories and sampling statistics (tolerances stated
next to each assertion)."""
import math

import numpy as np
import pytest

from neurocodegen import *  # noqa: F401,F403

OSC = '''
dx/dt = v/tau : 1
dv/dt = -x/tau : 1
'''


def _oscillator_error(method, dt):
    """Max error of the harmonic oscillator after 100 ms against cos/sin."""
    start_scope()
    defaultclock.dt = dt
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, OSC, method=method)
    G.x = 1
    run(100 * ms)
    return float(np.max([abs(G.x[0] - math.cos(10.0)), abs(G.v[0] + math.sin(10.0))]))


# -- 1. integration methods ------------------------------------------------------

@pytest.mark.parametrize("method", ["exact", "linear"])
def test_exact_oscillator_matches_cos_sin(method):
    # exact integration of a linear system: round-off only
    assert _oscillator_error(method, 0.1 * ms) < 1e-9


@pytest.mark.parametrize("method, order, tol", [
    ("euler", 1, 0.1), ("rk2", 2, 1e-3), ("heun", 1, 0.1), ("rk4", 4, 1e-7)])
def test_oscillator_error_shrinks_at_the_right_order(method, order, tol):
    coarse = _oscillator_error(method, 0.2 * ms)
    fine = _oscillator_error(method, 0.1 * ms)
    assert fine < tol
    # halving dt divides the global error by 2**order (within 20 %)
    ratio = coarse / fine
    assert 0.8 * 2 ** order < ratio < 1.2 * 2 ** order, (coarse, fine, ratio)


def test_euler_oscillator_reference_trajectory():
    # explicit Euler on the oscillator: y_{n+1} = A y_n, checked step by step
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, OSC, method="euler")
    M = StateMonitor(G, ["x", "v"], record=0)
    G.x = 1
    run(10 * ms)
    h = 0.01
    A = np.array([[1, h], [-h, 1]])
    y = np.array([1.0, 0.0])
    ref = []
    for _ in range(100):
        ref.append(y)
        y = A @ y
    ref = np.array(ref)
    np.testing.assert_allclose(M.x[0], ref[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(M.v[0], ref[:, 1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["euler", "rk2", "rk4", "heun", "milstein",
                                    "exponential_euler", "exact"])
def test_every_method_relaxes_to_the_exact_exponential(method):
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method=method)
    run(20 * ms)
    expected = 1 - math.exp(-2.0)
    # heun and milstein take an Euler step for the drift, as in Brian2
    tol = {"euler": 2e-3, "milstein": 2e-3, "heun": 2e-3}.get(method, 1e-5)
    assert abs(G.v[0] - expected) < tol


def test_exponential_euler_gating_variable_is_exact_relaxation():
    # HH-style gating with voltage-dependent (but constant in time) rates
    eqs = '''
    dm/dt = alpha*(1-m) - beta*m : 1
    alpha = 0.1/mV*(v+40*mV)/(1-exp(-(v+40*mV)/(10*mV)))/ms : Hz
    beta = 4*exp(-(v+65*mV)/(18*mV))/ms : Hz
    v : volt (constant)
    '''
    G = NeuronGroup(3, eqs, method="exponential_euler")
    M = StateMonitor(G, "m", record=True)
    G.v = [-70, -50, -20] * mV
    G.m = 0.5
    run(5 * ms)
    v = np.array([-70.0, -50.0, -20.0])
    alpha = 0.1 * (v + 40) / (1 - np.exp(-(v + 40) / 10)) * 1e3
    beta = 4 * np.exp(-(v + 65) / 18) * 1e3
    m_inf, k = alpha / (alpha + beta), alpha + beta
    t = np.asarray(M.t_)
    expected = m_inf[:, None] + (0.5 - m_inf[:, None]) * np.exp(-k[:, None] * t[None, :])
    np.testing.assert_allclose(M.m, expected, rtol=0, atol=1e-10)


def test_milstein_geometric_brownian_motion_statistics():
    # dv = -v/tau dt + b v o dW (Stratonovich, as Brian2's milstein) with
    # b = sigma/sqrt(tau): log v(T) is Gaussian with mean -(T/tau) and variance
    # b**2 T. N = 10000, T = tau.
    seed(3)
    N = 10000
    tau = 10 * ms  # noqa: F841
    sigma = 0.5
    G = NeuronGroup(N, "dv/dt = -v/tau + sigma*v*xi*tau**-0.5 : 1", method="milstein")
    G.v = 1
    run(10 * ms)
    v = np.asarray(G.v)
    assert np.all(v > 0)
    logv = np.log(v)
    var = sigma ** 2
    # 5 standard errors, plus 0.01 for the O(dt) weak bias (dt/tau = 0.01)
    assert abs(logv.mean() - (-1)) < 5 * math.sqrt(var / N) + 0.01
    assert abs(logv.var() - var) < 5 * var * math.sqrt(2 / N) + 0.01
    assert abs(v.mean() - math.exp(-1 + var / 2)) < 5 * v.std() / math.sqrt(N) + 0.005


# -- 2. stochastic integration statistics ---------------------------------------

def test_ornstein_uhlenbeck_stationary_statistics():
    seed(7)
    N = 10000
    tau = 10 * ms  # noqa: F841
    sigma = 0.5
    G = NeuronGroup(N, "dv/dt = -v/tau + sigma*xi*tau**-0.5 : 1", method="euler")
    G.v = "sigma*sqrt(0.5)*randn()"
    run(100 * ms)
    v = np.asarray(G.v)
    h = 0.01
    var = sigma ** 2 / (2 - h)      # Euler-Maruyama stationary variance
    assert abs(v.mean()) < 5 * math.sqrt(var / N)
    assert abs(v.var() - var) < 5 * var * math.sqrt(2 / N)


def test_ornstein_uhlenbeck_from_zero_relaxes_to_stationary_variance():
    seed(8)
    N = 10000
    tau = 10 * ms  # noqa: F841
    sigma = 1.0
    G = NeuronGroup(N, "dv/dt = -v/tau + sigma*xi*tau**-0.5 : 1", method="euler")
    M = StateMonitor(G, "v", record=np.arange(0, N, 10))
    run(100 * ms)
    v = np.asarray(G.v)
    h = 0.01
    var = sigma ** 2 / (2 - h) * (1 - (1 - h) ** 2000)
    assert abs(v.mean()) < 5 * math.sqrt(var / N)
    assert abs(v.var() - var) < 5 * var * math.sqrt(2 / N)
    # time correlation over one tau is exp(-1) (1000 neurons, 5 standard errors)
    a, b = M.v[:, 500], M.v[:, 600]
    r = np.corrcoef(a, b)[0, 1]
    assert abs(r - (1 - h) ** 100) < 5 * (1 - r ** 2) / math.sqrt(1000)


def test_two_independent_noise_terms_add_variances():
    seed(9)
    N = 10000
    tau = 10 * ms  # noqa: F841
    sa, sb = 0.3, 0.4
    eqs = "dv/dt = -v/tau + sa*xi_a*tau**-0.5 + sb*xi_b*tau**-0.5 : 1"
    G = NeuronGroup(N, eqs, method="euler")
    run(100 * ms)
    v = np.asarray(G.v)
    var = (sa ** 2 + sb ** 2) / (2 - 0.01) * (1 - 0.99 ** 2000)
    assert abs(v.mean()) < 5 * math.sqrt(var / N)
    assert abs(v.var() - var) < 5 * var * math.sqrt(2 / N)


def test_named_noise_in_two_equations_independent_same_name_shared():
    seed(10)
    N = 10000
    tau = 10 * ms  # noqa: F841
    eqs = '''
    dx/dt = -x/tau + xi_a*tau**-0.5 : 1
    dy/dt = -y/tau + xi_b*tau**-0.5 : 1
    dz/dt = -z/tau + xi_a*tau**-0.5 : 1
    '''
    G = NeuronGroup(N, eqs, method="euler")
    run(50 * ms)
    x, y, z = np.asarray(G.x), np.asarray(G.y), np.asarray(G.z)
    assert abs(np.corrcoef(x, y)[0, 1]) < 5 / math.sqrt(N)
    # the same noise variable in two equations is the same noise
    np.testing.assert_allclose(x, z, rtol=0, atol=1e-12)
    assert x.std() > 0.5


# -- 3. seeds ----------------------------------------------------------------------

def _noisy_lif(seed_value):
    start_scope()
    seed(seed_value)
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(50, "dv/dt = (1.1-v)/tau + 0.3*xi*tau**-0.5 : 1",
                    threshold="v>1", reset="v=0", method="euler")
    G.v = "rand()"
    S = SpikeMonitor(G)
    M = StateMonitor(G, "v", record=[0, 7])
    run(50 * ms)
    return S.t_.copy(), S.i.copy(), np.asarray(G.v).copy(), np.asarray(M.v).copy()


def test_same_seed_gives_bit_identical_results():
    a = _noisy_lif(5)
    b = _noisy_lif(5)
    assert len(a[0]) > 0
    for x, y in zip(a, b):
        assert np.array_equal(x, y)


def test_different_seeds_differ():
    a = _noisy_lif(5)
    b = _noisy_lif(6)
    assert not np.array_equal(a[2], b[2])
    assert not np.array_equal(a[3], b[3])


# -- 4. refractoriness ---------------------------------------------------------------

REF_EQS = '''
dv/dt = (2-v)/tau : 1 (unless refractory)
ref : second (constant)
'''


@pytest.mark.parametrize("expr, scale", [
    ("ref", 1), ("2*ref", 2), ("ref + 0*ms", 1)])
def test_refractory_as_per_neuron_parameter(expr, scale):
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(3, REF_EQS, threshold="v>1", reset="v=0", refractory=expr,
                    method="exact")
    G.ref = np.array([0, 2, 5]) / scale * ms
    S = SpikeMonitor(G)
    run(60 * ms)
    trains = S.spike_trains()
    # v = 2(1-exp(-t/tau)) crosses 1 in the update of the 70th step: first spike
    # at 6.9 ms; v is held at 0 until ref has passed, so the interval is 7.0 ms
    # without refractoriness and ref + 6.9 ms with it (as in the tutorial)
    for k, isi_ms in enumerate([7.0, 8.9, 11.9]):
        t = np.asarray(trains[k] / ms)
        assert len(t) >= 4 and abs(t[0] - 6.9) < 1e-6
        np.testing.assert_allclose(np.diff(t), isi_ms, atol=1e-6)


def test_refractory_as_external_time_name():
    tau = 10 * ms  # noqa: F841
    r_ext = 2 * ms  # noqa: F841
    G = NeuronGroup(1, "dv/dt = (2-v)/tau : 1 (unless refractory)", threshold="v>1",
                    reset="v=0", refractory="r_ext", method="exact")
    S = SpikeMonitor(G)
    run(30 * ms)
    np.testing.assert_allclose(np.asarray(S.t / ms), [6.9, 15.8, 24.7], atol=1e-6)


def test_boolean_refractory_blocks_spikes_while_true():
    tau = 10 * ms  # noqa: F841
    eqs = "dv/dt = (2-v)/tau : 1"
    # after a reset to 0.8 the condition v > 0.5 stays true: v climbs over the
    # threshold again but the neuron is refractory, so it spikes only once
    G = NeuronGroup(1, eqs, threshold="v>1", reset="v=0.8", refractory="v > 0.5",
                    method="exact")
    S = SpikeMonitor(G)
    M = StateMonitor(G, "v", record=0)
    run(50 * ms)
    assert S.num_spikes == 1
    assert np.asarray(M.v[0]).max() > 1.5      # far above threshold, no spike
    assert not G.not_refractory[0]


def test_boolean_refractory_from_a_decaying_variable():
    tau = 10 * ms  # noqa: F841
    eqs = '''
    dv/dt = (2-v)/tau : 1 (unless refractory)
    dw/dt = -w/tau : 1
    '''
    G = NeuronGroup(1, eqs, threshold="v>1", reset="v=0\nw=1", refractory="w > 0.5",
                    method="exact")
    S = SpikeMonitor(G)
    run(60 * ms)
    isi = np.diff(np.asarray(S.t / ms))
    # refractory while exp(-t/tau) > 0.5, i.e. about tau*ln 2 = 6.93 ms, then 7 ms
    assert len(isi) >= 2
    np.testing.assert_allclose(isi, 14.0, atol=0.21)


def test_threshold_reached_during_refractory_period_does_not_spike():
    tau = 5 * ms  # noqa: F841
    # no (unless refractory): v is back over threshold after ~5.6 ms, but the
    # 15 ms refractory period suppresses spikes
    G = NeuronGroup(1, "dv/dt = (3-v)/tau : 1", threshold="v>1", reset="v=0",
                    refractory=15 * ms, method="exact")
    S = SpikeMonitor(G)
    run(40 * ms)
    np.testing.assert_allclose(np.diff(np.asarray(S.t / ms)), 15.0, atol=1e-6)


def test_lastspike_and_not_refractory_after_run():
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(3, REF_EQS, threshold="v>1", reset="v=0", refractory="2*ref",
                    method="exact")
    G.ref = [0.5, 500, 0.5] * ms
    S = SpikeMonitor(G)
    G.v = [0, 0, -1e9]                         # neuron 2 never reaches threshold
    run(30 * ms)
    trains = S.spike_trains()
    ls = np.asarray(G.lastspike_)
    assert have_same_dimensions(G.lastspike, second)
    assert abs(ls[0] - float(trains[0][-1])) < 1e-12
    assert abs(ls[1] - 6.9e-3) < 1e-9 and len(trains[1]) == 1
    assert ls[2] < -1                          # never spiked
    assert G.not_refractory.dtype == np.bool_
    assert list(G.not_refractory) == [True, False, True]


# -- 5. model features -------------------------------------------------------------

def test_subexpressions_with_units_in_equation_threshold_and_reset():
    E = -50 * mV  # noqa: F841
    I_min = 0.05 * nA  # noqa: F841
    eqs_sub = '''
    dv/dt = I/C : volt
    I = g*(E - v) : amp
    g : siemens (constant)
    C : farad (constant)
    '''
    eqs_inline = '''
    dv/dt = g*(E - v)/C : volt
    g : siemens (constant)
    C : farad (constant)
    '''
    A = NeuronGroup(1, eqs_sub, threshold="I < I_min", reset="v -= 3*I/g",
                    method="exact")
    B = NeuronGroup(1, eqs_inline, threshold="g*(E - v) < I_min",
                    reset="v -= 3*g*(E - v)/g", method="exact")
    for G in (A, B):
        G.g = 10 * nS
        G.C = 200 * pF
        G.v = -70 * mV
    SA, SB = SpikeMonitor(A), SpikeMonitor(B)
    MA, MB = StateMonitor(A, "v", record=0), StateMonitor(B, "v", record=0)
    run(100 * ms)
    # E - v = 20 mV exp(-t/20 ms) < 5 mV first at t = 20 ms ln 4 = 27.73 ms
    assert abs(float(SA.t[0] / ms) - 27.7) < 0.1 + 1e-9
    np.testing.assert_allclose(SA.t_, SB.t_, atol=1e-12)
    assert SA.num_spikes >= 3
    np.testing.assert_allclose(MA.v_[0], MB.v_[0], rtol=1e-9, atol=1e-15)
    # after a reset E - v is four times larger: 4 * 5 mV = 20 mV below E
    k = int(round(float(SA.t[0] / defaultclock.dt)))
    assert abs(MA.v_[0][k + 1] - (-70e-3)) < 0.2e-3
    assert have_same_dimensions(A.I, amp)


def test_integer_and_boolean_variables_and_multiline_reset():
    tau = 10 * ms  # noqa: F841
    eqs = '''
    dv/dt = (2-v)/tau : 1
    count : integer
    fired : boolean
    w : 1
    u : 1
    '''
    reset = '''
    v = 0
    count += 1
    fired = True
    w *= 2
    u /= 4
    '''
    G = NeuronGroup(2, eqs, threshold="v>1", reset=reset, method="exact")
    G.w = 1
    G.u = 1
    G.v = [0, -1e9]
    S = SpikeMonitor(G)
    run(30 * ms)
    assert G.count.dtype == np.int32 and G.fired.dtype == np.bool_
    n = int(S.count[0])
    assert n == 4                            # spikes at 6.9, 13.9, 20.9, 27.9 ms
    assert list(G.count) == [n, 0]
    assert list(G.fired) == [True, False]
    np.testing.assert_allclose(G.w, [2.0 ** n, 1.0])
    np.testing.assert_allclose(G.u, [4.0 ** -n, 1.0])


def test_rand_threshold_poisson_firing():
    seed(12)
    N = 1000
    rate = 100 * Hz  # noqa: F841
    G = NeuronGroup(N, "v : 1", threshold="rand() < rate*dt")
    S = SpikeMonitor(G)
    run(1 * second)
    p = 0.01
    n_trials = N * 10000
    mean, sd = n_trials * p, math.sqrt(n_trials * p * (1 - p))
    assert abs(S.num_spikes - mean) < 5 * sd
    counts = np.asarray(S.count)
    # per-neuron counts: binomial(10000, 0.01) variance 99, within 5 standard errors
    assert abs(counts.var(ddof=1) - 99) < 5 * 99 * math.sqrt(2 / (N - 1))


def test_rand_in_reset_statement():
    seed(13)
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1000, "dv/dt = (2-v)/tau : 1", threshold="v>1",
                    reset="v = 0.5*rand()", method="exact")
    run(8 * ms)                                   # every neuron spikes once at 6.9 ms
    v = np.asarray(G.v)
    # after the reset v0 ~ U(0, 0.5), then 1 ms of exact relaxation
    v0 = 2 + (v - 2) * math.exp(0.1)
    assert v0.min() >= -1e-9 and v0.max() < 0.5 + 1e-9
    assert abs(v0.mean() - 0.25) < 5 * 0.5 / math.sqrt(12 * 1000)
    assert len(np.unique(v0)) == 1000


def test_two_consecutive_runs_equal_one_long_run():
    tau = 10 * ms  # noqa: F841

    def build():
        G = NeuronGroup(5, "dv/dt = (v0-v)/tau : 1\nv0 : 1", threshold="v>1",
                        reset="v=0", refractory=2 * ms, method="rk4")
        G.v0 = [1.2, 1.5, 2, 3, 4]
        return G, SpikeMonitor(G), StateMonitor(G, "v", record=True)

    G, S, M = build()
    run(50 * ms)
    run(50 * ms)
    one = (S.t_.copy(), S.i.copy(), np.asarray(M.v).copy(), np.asarray(G.v).copy())
    start_scope()
    G, S, M = build()
    run(100 * ms)
    two = (S.t_, S.i, np.asarray(M.v), np.asarray(G.v))
    assert M.v.shape == (5, 1000)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def test_changing_an_external_constant_between_runs_takes_effect():
    from neurocodegen.jit import cache
    tau = 10 * ms
    target = 1.0
    G = NeuronGroup(1, "dv/dt = (target-v)/tau : 1", method="exact")
    run(10 * ms)
    v1 = G.v[0]
    assert abs(v1 - (1 - math.exp(-1))) < 1e-12
    source = show_source()
    built = cache.stats["compiled"] + cache.stats["loaded_from_disk"]
    target = 3.0
    tau = 5 * ms  # noqa: F841
    run(10 * ms)
    assert abs(G.v[0] - (3 + (v1 - 3) * math.exp(-2))) < 1e-12
    assert show_source() == source                      # same generated code
    assert cache.stats["compiled"] + cache.stats["loaded_from_disk"] == built


def test_small_defaultclock_dt():
    defaultclock.dt = 0.05 * ms
    tau = 10 * ms
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="euler")
    M = StateMonitor(G, "v", record=0)
    run(10 * ms)
    assert M.t.shape == (200,)
    np.testing.assert_allclose(M.t / ms, np.arange(200) * 0.05, atol=1e-12)
    np.testing.assert_allclose(M.v[0], 1 - 0.995 ** np.arange(200), atol=1e-12)
    # Euler's global error is about (dt/2tau) * max(x exp(-x)) = 9.2e-4 here
    np.testing.assert_allclose(M.v[0], 1 - exp(-M.t / tau), atol=1e-3)


def test_group_with_own_dt_next_to_default_group_and_monitors():
    tau = 10 * ms
    slow = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="exact", dt=0.5 * ms)
    fast = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="exact")
    Ms = StateMonitor(slow, "v", record=0)
    Mf = StateMonitor(fast, "v", record=0)
    run(20 * ms)
    assert Ms.t.shape == (40,) and Mf.t.shape == (200,)
    np.testing.assert_allclose(Ms.t / ms, np.arange(40) * 0.5, atol=1e-12)
    np.testing.assert_allclose(Ms.v[0], 1 - exp(-Ms.t / tau), atol=1e-12)
    np.testing.assert_allclose(Mf.v[0], 1 - exp(-Mf.t / tau), atol=1e-12)
    assert abs(slow.v[0] - fast.v[0]) < 1e-12


# -- 6. errors at run time -----------------------------------------------------------

def test_threshold_unit_error_names_expression_and_units():
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : volt", threshold="v > 1", reset="v = 0*mV")  # noqa
    with pytest.raises(DimensionMismatchError) as err:
        run(1 * ms)
    message = str(err.value)
    for fragment in ("threshold", "v > 1", "volt", "dimensionless"):
        assert fragment in message


def test_reset_unit_error_names_statement_and_units():
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : volt", threshold="v > 1*mV",  # noqa: F841
                    reset="v = 5*nA")
    with pytest.raises(DimensionMismatchError) as err:
        run(1 * ms)
    message = str(err.value)
    for fragment in ("reset", "v = 5*nA", "volt", "amp"):
        assert fragment in message


@pytest.mark.parametrize("threshold", ["v + 1", "v"])
def test_non_boolean_threshold_is_refused(threshold):
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", threshold=threshold)  # noqa: F841
    with pytest.raises(EquationError, match="boolean"):
        run(1 * ms)


def test_partly_frozen_model_with_noise_on_the_free_variable():
    """v is held while refractory, w is noisy and keeps integrating through
    the refractory period (its noise is drawn for both branches)."""
    seed(11)
    eqs = """dv/dt = (1.5 - v)/(10*ms) : 1 (unless refractory)
             dw/dt = -w/(30*ms) + 0.3*xi/sqrt(30*ms) : 1"""
    G = NeuronGroup(400, eqs, threshold="v > 1", reset="v = 0", refractory=5 * ms,
                    method="euler")
    M = StateMonitor(G, ["v", "w"], record=[0])
    S = SpikeMonitor(G)
    run(30 * ms)
    first = S.t[S.i == 0][0]
    held = (M.t > first + 0.05 * ms) & (M.t < first + 4.95 * ms)
    assert held.sum() > 40 and np.all(M.v[0][held] == 0)
    assert np.all(np.diff(M.w[0][held]) != 0)               # w still moves
    assert 0.15 < np.std(G.w[:]) < 0.25     # 0.3*sqrt((1 - exp(-2))/2) = 0.197


def test_string_assignment_with_subexpressions_that_use_constants():
    """Assigning with a string evaluates only the subexpressions the string
    uses, each with the constants it needs (Brian's HH examples set v and the
    conductances from strings while their rates use VT, mV, ms)."""
    VT = -63 * mV  # noqa: F841
    G = NeuronGroup(3, """dv/dt = -v/(10*ms) : volt
                          alpha = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
                          g : siemens""")
    G.v = "-65*mV + i*mV"
    G.g = "(i + 1)*nS"
    assert np.allclose(G.v / mV, [-65, -64, -63]) and np.allclose(G.g / nS, [1, 2, 3])
    x = (13 - (-65) + (-63)) / 4.0
    assert np.isclose(float(G.alpha[0] / Hz), 0.32 * 4 / (np.expm1(x) / x) * 1e3)


def test_shared_variables_in_hoisted_expressions():
    """An expression of shared variables alone (-I, dt/tau) is the same for
    every neuron: it is computed once per step, after the shared values are
    loaded (it was printed before their load: a C++ compile error)."""
    G = NeuronGroup(3, """dv/dt = (I - v)/tau : 1
                          I : 1 (shared)
                          tau : second (shared, constant)""", method="exact")
    G.I, G.tau = 2, 5 * ms
    run(1 * ms)
    np.testing.assert_allclose(G.v[:], 2 * (1 - np.exp(-1 / 5)), rtol=1e-12)
