"""One test per row of the spec's table (../shared/spec/README.md): every
cell of the Brian tutorial "part 1: Neurons", with the numbers it must give."""
import logging

import numpy as np
import pytest

from neurocodegen import *  # noqa: F401,F403


def test_units_cells_display_in_best_unit():
    assert str(20 * volt) == "20. V"
    assert str(1000 * amp) == "1. kA"
    assert str(1e6 * volt) == "1. MV"
    assert str(1000 * namp) == "1. uA"
    assert str(10 * nA * 5 * Mohm) == "50. mV"


def test_adding_amps_and_volts_names_both_operands_and_units():
    with pytest.raises(DimensionMismatchError) as err:
        5 * amp + 10 * volt
    message = str(err.value)
    assert "5. A" in message and "10. V" in message


def test_missing_tau_is_one_readable_error_at_run():
    eqs = '''
    dv/dt = 1-v : 1
    '''
    G = NeuronGroup(1, eqs)  # noqa: F841
    with pytest.raises(DimensionMismatchError) as err:
        run(100 * ms)
    message = str(err.value)
    for fragment in ("'v'", "1-v", "dimensionless", "Hz", "neurongroup"):
        assert fragment in message


def test_method_choice_is_logged(caplog):
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1")  # noqa: F841
    with caplog.at_level(logging.INFO):
        run(1 * ms)
    assert "using method 'exact'" in caplog.text


@pytest.mark.parametrize("method", ["exact", "linear"])
def test_exact_solution_after_100_ms(method):
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method=method)
    assert G.v[0] == 0
    run(100 * ms)
    assert abs(G.v[0] - 0.9999546000702376) < 1e-12


@pytest.mark.parametrize("record", [True, 0])
def test_statemonitor_times_and_values(record):
    tau = 10 * ms
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="exact")
    M = StateMonitor(G, "v", record=record)
    run(30 * ms)
    assert M.t.shape == (300,)
    np.testing.assert_allclose(M.t / ms, np.arange(300) * 0.1, atol=1e-12)
    np.testing.assert_allclose(M.v[0], 1 - exp(-M.t / tau), atol=1e-12)


def test_sine_drive_with_euler_and_exact_refused_with_reason():
    tau = 10 * ms  # noqa: F841
    eqs = "dv/dt = (sin(2*pi*100*Hz*t)-v)/tau : 1"
    G = NeuronGroup(1, eqs, method="euler")
    M = StateMonitor(G, "v", record=0)
    G.v = 5
    run(60 * ms)
    assert M.v[0][0] == 5 and abs(M.v[0][1] - 4.95) < 1e-12
    assert abs(M.v[0][-1]) < 1          # relaxed from 5 onto the sine drive
    start_scope()
    G2 = NeuronGroup(1, eqs, method="exact")  # noqa: F841
    with pytest.raises(IntegrationError, match="t"):
        run(1 * ms)


def _spike_times(eqs, tau_, refractory):
    tau = tau_  # noqa: F841
    G = NeuronGroup(1, eqs, threshold="v>0.8", reset="v = 0", refractory=refractory,
                    method="exact")
    statemon = StateMonitor(G, "v", record=0)
    spikemon = SpikeMonitor(G)
    run(50 * ms)
    return spikemon.t / ms, statemon


def test_threshold_and_reset_spike_times():
    times, _ = _spike_times("dv/dt = (1-v)/tau : 1", 10 * ms, False)
    np.testing.assert_allclose(times, [16, 32.1, 48.2], atol=1e-9)


def test_unless_refractory_holds_v_at_zero_for_5_ms():
    times, statemon = _spike_times("dv/dt = (1-v)/tau : 1 (unless refractory)", 10 * ms,
                                   5 * ms)
    np.testing.assert_allclose(times, [16, 37], atol=1e-9)
    t = statemon.t / ms
    v = statemon.v[0]
    held = (t > 16.05) & (t < 21.05)
    assert np.all(v[held] == 0)
    assert v[np.argmin(abs(t - 21.2))] > 0


def test_refractory_without_unless_delays_the_next_spike():
    times, _ = _spike_times("dv/dt = (1-v)/tau : 1", 5 * ms, 15 * ms)
    np.testing.assert_allclose(times, [8, 23, 38], atol=1e-9)


def test_many_neurons_random_start_and_raster():
    N = 100
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(N, "dv/dt = (2-v)/tau : 1", threshold="v>1", reset="v=0",
                    method="exact")
    G.v = "rand()"
    v_start = G.v[:].copy()
    assert len(np.unique(v_start)) == N and v_start.min() >= 0 and v_start.max() < 1
    spikemon = SpikeMonitor(G)
    run(50 * ms)
    assert len(spikemon.t) == len(spikemon.i) > N
    # a neuron that starts higher fires its first spike earlier
    first = {int(i): t for t, i in zip(spikemon.t_[::-1], spikemon.i[::-1])}
    lo, hi = np.argmin(v_start), np.argmax(v_start)
    assert first[hi] < first[lo]
    plot(spikemon.t / ms, spikemon.i, ".k")


def _if_curve(noisy):
    N = 100
    tau = 10 * ms  # noqa: F841
    v0_max = 3.  # noqa: F841
    duration = 1000 * ms
    sigma = 0.2  # noqa: F841
    noise = "+sigma*xi*tau**-0.5" if noisy else ""
    eqs = f'''
    dv/dt = (v0-v)/tau{noise} : 1 (unless refractory)
    v0 : 1
    '''
    G = NeuronGroup(N, eqs, threshold="v>1", reset="v=0", refractory=5 * ms,
                    method="euler" if noisy else "exact")
    M = SpikeMonitor(G)
    G.v0 = "i*v0_max/(N-1)"
    run(duration)
    return np.asarray(G.v0), np.asarray(M.count / duration)


def test_if_curve_no_spikes_below_one_rising_above():
    v0, rate = _if_curve(noisy=False)
    assert np.all(rate[v0 <= 1] == 0)
    above = rate[v0 > 1.05]
    assert np.all(above > 0) and np.all(np.diff(above) >= 0)
    # analytic rate of the LIF: 1/(ref + tau*log(v0/(v0-1))), within one step per spike
    expected = 1 / (5e-3 + 10e-3 * np.log(v0[v0 > 1.05] / (v0[v0 > 1.05] - 1)))
    assert np.all(abs(above - expected) / expected < 0.05)


def test_noisy_if_curve_is_sigmoidal_and_exact_is_refused():
    seed(11)
    v0, rate = _if_curve(noisy=True)
    assert rate[(v0 > 0.8) & (v0 <= 1)].sum() > 0     # noise makes sub-threshold fire
    assert rate[v0 < 0.3].sum() == 0
    assert rate[-1] > 80
    start_scope()
    tau = 10 * ms  # noqa: F841
    sigma = 0.2  # noqa: F841
    G = NeuronGroup(1, "dv/dt = -v/tau + sigma*xi*tau**-0.5 : 1", method="exact")  # noqa
    with pytest.raises(IntegrationError, match="stochastic"):
        run(1 * ms)


def test_adaptive_threshold_model():
    N = 1000
    tau = 10 * ms  # noqa: F841
    vr = -70 * mV
    vt0 = -50 * mV
    delta_vt0 = 5 * mV  # noqa: F841
    tau_t = 100 * ms  # noqa: F841
    sigma = 0.5 * (vt0 - vr)  # noqa: F841
    v_drive = 2 * (vt0 - vr)  # noqa: F841
    eqs = '''
    dv/dt = (v_drive+vr-v)/tau + sigma*xi*tau**-0.5 : volt
    dvt/dt = (vt0-vt)/tau_t : volt
    '''
    reset = '''
    v = vr
    vt += delta_vt0
    '''
    G = NeuronGroup(N, eqs, threshold="v>vt", reset=reset, refractory=5 * ms,
                    method="euler")
    spikemon = SpikeMonitor(G)
    M = StateMonitor(G, ["v", "vt"], record=True)
    G.v = "rand()*(vt0-vr)+vr"
    G.vt = vt0
    run(100 * ms)
    assert M.v.shape == M.vt.shape == (N, 1000)
    assert have_same_dimensions(M.vt, volt)
    # at a spike of neuron k, vt jumps by 5 mV (minus one step of relaxation)
    k = int(spikemon.i[0])
    step = int(round(float(spikemon.t[0] / defaultclock.dt)))
    jump = M.vt[k][step + 1] - M.vt[k][step]
    assert abs(jump - 5 * mV) < 0.1 * mV
    # without spikes, vt relaxes towards -50 mV: it never goes below
    assert np.all(M.vt_ >= -50e-3 - 1e-12)
    weights = ones(len(spikemon)) / (N * defaultclock.dt)
    counts, _, _ = hist(spikemon.t / ms, 100, histtype="stepfilled", facecolor="k",
                        weights=weights)
    assert counts.sum() > 0


def test_run_report_text_and_callable(capsys):
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="exact")  # noqa: F841
    run(5 * ms, report="text")
    out = capsys.readouterr().out
    assert "Starting simulation" in out and "100% simulated" in out
    calls = []
    run(5 * ms, report=lambda elapsed, done, start, duration: calls.append(done))
    assert calls[-1] == 1


def test_run_report_progress_bar_and_clock_time(capsys):
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="exact")
    run(5 * ms, report="progress")
    assert "100%" in capsys.readouterr().err
    assert abs(defaultclock.t - 5 * ms) < 1e-12 * second
    assert abs(G.t - 5 * ms) < 1e-12 * second
