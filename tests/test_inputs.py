"""Inputs and operations: run_regularly, TimedArray (and the other input
kinds as they come). Brian2's recorded numbers (``tests/brian2_reference/
input_models.py``) are the reference; runtime mode, the numpy target and
standalone mode with 1 and 2 threads give the same numbers bit for bit."""
import sys
from pathlib import Path

import numpy as np
import pytest

import neurocodegen
from neurocodegen import (EventMonitor, Network, NeuronGroup, PoissonGroup, PoissonInput,
                          Synapses,
                          PopulationRateMonitor, kHz, seed, start_scope,
                          SpikeGeneratorGroup, plot_rate,
                          SpikeMonitor, StateMonitor,
                          TimedArray, Hz, mV, ms, nA, prefs, set_device)
from neurocodegen.errors import (DimensionMismatchError, EquationError,
                                 UndefinedNameError)

sys.path.insert(0, str(Path(__file__).parent / "brian2_reference"))
import input_models  # noqa: E402

REFERENCE = Path(__file__).parent / "data" / "brian2_inputs.npz"


def _by_step_then_index(arrays):
    """Spikes of one step in index order: ours are (as every group's), where
    a SpikeGeneratorGroup in Brian keeps the order of the given times within
    a step (docs/coming-from-brian.md)."""
    out = dict(arrays)
    for key in arrays:
        for kind in ("spikes", "events"):
            if key.endswith(f"{kind}_i"):
                stem = key[:-len(f"{kind}_i")]
                i, t = arrays[key], arrays[f"{stem}{kind}_t"]
                order = np.lexsort((i, np.round(t / 1e-7)))
                out[key], out[f"{stem}{kind}_t"] = i[order], t[order]
    return out


def _compare(got, reference):
    got = _by_step_then_index(got)
    reference = _by_step_then_index({key: reference[key] for key in got})
    for key, value in got.items():
        expected = reference[key]
        assert value.shape == expected.shape, key
        if value.dtype.kind in "iu":
            assert np.array_equal(value, expected), key
        else:
            np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-15, err_msg=key)


@pytest.mark.parametrize("name", list(input_models.MODELS))
def test_brian2_gives_the_same_numbers(name):
    with np.load(REFERENCE) as brian2:
        _compare(input_models.run_model(neurocodegen, name), brian2)


@pytest.mark.parametrize("name", list(input_models.MODELS))
def test_every_mode_gives_the_same_bits(name, tmp_path):
    reference = input_models.run_model(neurocodegen, name)
    prefs.codegen.target = "numpy"
    try:
        got = input_models.run_model(neurocodegen, name)
    finally:
        prefs.codegen.target = "cython"
    for threads in (1, 2):
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / f"{name}{threads}", threads=threads,
                   build_on_run=False)
        try:
            standalone = input_models.run_model(neurocodegen, name, neurocodegen.device.build)
        finally:
            set_device("runtime")
        for key in reference:
            assert np.array_equal(standalone[key], reference[key]), (threads, key)
    for key in reference:
        np.testing.assert_allclose(got[key], reference[key], rtol=1e-13, err_msg=key)


# -- run_regularly ------------------------------------------------------------------------

def test_run_regularly_counts_and_joins_every_network():
    G = NeuronGroup(4, "x : 1\ny : 1")
    G.run_regularly("x += 1", dt=1 * ms)              # not kept: it belongs to G
    op = G.run_regularly("y = rand()", dt=0.5 * ms, when="end")
    assert op in G.contained_objects
    Network(G).run(10 * ms)
    assert list(G.x) == [10] * 4                      # t = 0, 1, ..., 9 ms
    assert np.all((G.y > 0) & (G.y < 1)) and len(set(G.y)) == 4
    Network(G).run(0.5 * ms)                          # a new network, the same clock
    assert list(G.x) == [11] * 4


def test_run_regularly_errors_name_the_statement():
    G = NeuronGroup(2, "v : volt\nc : 1 (constant)")
    G.run_regularly("v = 3", dt=1 * ms)
    with pytest.raises(DimensionMismatchError, match="run_regularly statement 'v = 3'"):
        Network(G).run(1 * ms)
    H = NeuronGroup(2, "v : volt\nc : 1 (constant)")
    H.run_regularly("c = 2", dt=1 * ms)
    with pytest.raises(EquationError, match="read-only"):
        Network(H).run(1 * ms)


# -- TimedArray ---------------------------------------------------------------------------

def test_timed_array_values_hold_over_their_step():
    ta = TimedArray([1, 2, 3] * nA, dt=0.3 * ms)
    assert [float(ta(t * ms) / nA) for t in (0, 0.29, 0.3, 0.65, 5)] == [1, 1, 2, 3, 3]
    G = NeuronGroup(2, "I = ta(t) : amp\nJ : amp")
    Network(G).run(0.4 * ms)
    G.J = "ta(t)"                                     # a string assignment at t = 0.4 ms
    assert np.all(G.I == 2 * nA) and np.all(G.J == 2 * nA)


def test_timed_array_drives_poisson_rates():
    stim = TimedArray([0, 0, 400] * Hz, dt=100 * ms)  # noqa: F841
    P = PoissonGroup(100, rates="stim(t)")
    M = SpikeMonitor(P)
    Network(P, M).run(300 * ms)
    assert M.num_spikes > 0 and np.all(M.t >= 200 * ms)
    assert abs(M.num_spikes - 4000) < 5 * np.sqrt(4000)


@pytest.mark.parametrize("model, exception, fragment", [
    ("dv/dt = ta(i)/nA/ms : 1", DimensionMismatchError, "ta() takes a time"),
    ("dv/dt = ta(t, i)/nA/ms : 1", DimensionMismatchError, "with 2 argument(s)"),
    ("dv/dt = ta/nA/ms : 1", DimensionMismatchError, "not a number"),
    ("dv/dt = ta(t)/ms : 1", DimensionMismatchError, "has unit A/s"),
    ("dv/dt = tb(t)/ms : 1", UndefinedNameError, "'tb'"),
])
def test_timed_array_misuse_is_refused(model, exception, fragment):
    ta = TimedArray([1, 2] * nA, dt=1 * ms)  # noqa: F841  (found by the group)
    G = NeuronGroup(1, model)
    with pytest.raises(exception) as info:
        Network(G).run(1 * ms)
    assert fragment in str(info.value)


def test_timed_array_bad_values_and_dt_are_refused():
    with pytest.raises(ValueError, match=r"finite, but the value at index 1 is nan"):
        TimedArray([1, np.nan] * mV, dt=1 * ms)
    with pytest.raises(DimensionMismatchError, match="must be a time"):
        TimedArray([1, 2], dt=1 * mV)
    ta = TimedArray([1, 2], dt=0.25 * ms)  # noqa: F841
    G = NeuronGroup(1, "x = ta(t) : 1")
    with pytest.raises(ValueError, match="not a multiple of the dt"):
        Network(G).run(1 * ms)


def test_timed_array_in_standalone_mode_reads_its_values(tmp_path):
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / "ta", threads=2)
    try:
        ta = TimedArray(np.arange(5.0)[:, None] * [1.0, -1.0] * mV, dt=1 * ms)  # noqa: F841
        G = NeuronGroup(2, "dv/dt = (ta(t, i) - v)/(0.1*ms) : volt", method="euler")
        M = StateMonitor(G, "v", record=True)
        Network(G, M).run(5 * ms)
        assert np.allclose(M.v[:, -1], [4, -4] * mV, atol=1e-9 * mV)
    finally:
        set_device("runtime")


# -- SpikeGeneratorGroup ------------------------------------------------------------------

def test_spike_generator_steps_and_new_spikes_between_runs():
    SG = SpikeGeneratorGroup(3, [0, 2, 1], [0.05, 0.0999, 1.0] * ms)
    M = SpikeMonitor(SG)
    net = Network(SG, M)
    net.run(2 * ms)
    # Brian's binning: step int((t + 0.001*dt)/dt): 0.0999 ms is in step 1
    assert list(M.i) == [0, 2, 1] and np.allclose(M.t / ms, [0, 0.1, 1.0])
    SG.set_spikes([1, 1], [1.0, 3.0] * ms)          # 1.0 ms is past: not emitted
    with pytest.warns(UserWarning, match="1 spike"):
        net.run(2 * ms)
    assert list(M.i) == [0, 2, 1, 1] and np.isclose(M.t[-1] / ms, 3.0)


@pytest.mark.parametrize("args, exception, fragment", [
    (([0, 3], [1, 2] * ms), ValueError, "index 3 is out of range"),
    (([0, 1], [-1, 2] * ms), ValueError, "not negative, got -1 ms"),
    (([0, 0], [1, 1.05] * ms), ValueError, "neuron 0 spikes twice in the time step at 1 ms"),
    (([0, 1], [1, 2]), DimensionMismatchError, "must be times"),
    (([0, 1, 2], [1, 2] * ms), ValueError, "3 indices but 2 times"),
    (([0], [5] * ms, None, None, 5 * ms), ValueError, "longer than its last spike"),
])
def test_spike_generator_bad_input_is_refused(args, exception, fragment):
    with pytest.raises(exception) as info:
        SG = SpikeGeneratorGroup(3, *args)
        Network(SG).run(1 * ms)
    assert fragment in str(info.value)


def _two_tables():
    start_scope()
    SG = SpikeGeneratorGroup(3, [0, 2], [0.5, 1.5] * ms)
    M = SpikeMonitor(SG)
    net = Network(SG, M)
    net.run(2 * ms)
    SG.set_spikes([1, 0], [0.2, 0.7] * ms, period=1 * ms)   # repeats every ms
    net.run(3 * ms)
    return M


def test_spike_generator_set_spikes_between_standalone_runs(tmp_path):
    reference = _two_tables()
    expected = ([0, 2, 1, 0, 1, 0, 1, 0], [0.5, 1.5, 2.2, 2.7, 3.2, 3.7, 4.2, 4.7])
    assert list(reference.i) == expected[0] and np.allclose(reference.t / ms, expected[1])
    for threads in (1, 2):
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / f"sg{threads}", threads=threads,
                   build_on_run=False)
        try:
            M = _two_tables()
            neurocodegen.device.build()
            assert list(M.i) == expected[0] and np.allclose(M.t / ms, expected[1])
        finally:
            set_device("runtime")


# -- PopulationRateMonitor ----------------------------------------------------------------

def test_population_rate_of_a_spike_pattern_and_its_plot():
    SG = SpikeGeneratorGroup(4, [0, 1, 2, 3, 0], [0, 0, 0.2, 0.2, 0.2] * ms)
    R = PopulationRateMonitor(SG)
    Network(SG, R).run(0.5 * ms)
    assert np.allclose(R.t / ms, [0, 0.1, 0.2, 0.3, 0.4])
    # 2 of 4 neurons in a 0.1 ms step: 5000 Hz; 3 of 4: 7500 Hz
    assert np.allclose(R.rate / Hz, [5000, 0, 7500, 0, 0])
    flat = R.smooth_rate("flat", width=0.3 * ms)
    assert np.allclose(flat / Hz, [5000 / 3, 12500 / 3, 7500 / 3, 2500, 0])
    import matplotlib.pyplot as plt
    plt.close("all")                  # a figure left open by another test is not ours
    axes = plot_rate(R, width=0.1 * ms)
    assert len(axes.lines) == 1 and len(axes.lines[0].get_xdata()) == 5
    plt.close("all")


@pytest.mark.parametrize("window, width, exception, fragment", [
    ("gaussian", None, TypeError, "needs a width"),
    (np.ones(3), 1 * ms, TypeError, "only with a predefined window"),
    (np.ones(4), None, TypeError, "odd number"),
    ("triangle", 1 * ms, ValueError, "Unknown window"),
    ("flat", 1 * mV, DimensionMismatchError, "must be a time"),
])
def test_smooth_rate_bad_windows_are_refused(window, width, exception, fragment):
    G = NeuronGroup(2, "v : 1", threshold="v > 1")
    R = PopulationRateMonitor(G)
    Network(G, R).run(1 * ms)
    with pytest.raises(exception, match=fragment):
        R.smooth_rate(window, width)


# -- PoissonInput -------------------------------------------------------------------------

def _poisson_inputs():
    start_scope()                       # the same object ids, so the same streams
    seed(3)
    G = NeuronGroup(2000, "x : 1\ny : volt\nz : 1")
    inputs = [PoissonInput(G, "x", 100, 50 * Hz, 1),             # N*p = 0.5: inversion
              PoissonInput(G, "y", 20000, 10 * Hz, 0.5 * mV),    # N*p = 20: normal
              PoissonInput(G, "z", 10, 6000 * Hz, "0.5 + 0.5")]  # p = 0.6: n - X
    Network(G, *inputs).run(100 * ms)
    return G


def test_poisson_input_counts_are_binomial():
    """1000 steps of Binomial(N, p): per neuron, mean 1000*N*p and variance
    1000*N*p*(1-p); the means over 2000 neurons are checked within 5 of
    their standard deviations, the variances within 10 %."""
    G = _poisson_inputs()
    for values, n, p, weight in ((G.x, 100, 0.005, 1), (G.y / mV, 20000, 0.001, 0.5),
                                 (G.z, 10, 0.6, 1)):
        values = np.asarray(values) / weight
        mean, var = 1000 * n * p, 1000 * n * p * (1 - p)
        assert abs(values.mean() - mean) < 5 * np.sqrt(var / values.size)
        assert abs(values.var() / var - 1) < 0.1


def test_poisson_input_gives_the_same_bits_in_every_mode(tmp_path):
    reference = _poisson_inputs()
    reference = [np.array(getattr(reference, v + "_")) for v in "xyz"]
    prefs.codegen.target = "numpy"
    try:
        G = _poisson_inputs()
        assert all(np.array_equal(getattr(G, v + "_"), r) for v, r in zip("xyz", reference))
    finally:
        prefs.codegen.target = "cython"
    for threads in (1, 2):
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / f"pi{threads}", threads=threads)
        try:
            G = _poisson_inputs()
            assert all(np.array_equal(getattr(G, v + "_"), r)
                       for v, r in zip("xyz", reference)), threads
        finally:
            set_device("runtime")


@pytest.mark.parametrize("args, exception, fragment", [
    (("v", 10, 5 * mV, 1 * mV), DimensionMismatchError, "must be one rate"),
    (("v", 10, 5 * Hz, 1 * nA), DimensionMismatchError, "(unit V) must be one value"),
    (("w", 10, 5 * Hz, 1 * mV), KeyError, "'w' is not a state variable"),
    (("v", -1, 5 * Hz, 1 * mV), TypeError, "whole number"),
    (("v", 10, 20 * kHz, 1 * mV), ValueError, "rate*dt = 2"),
    (("v", 10, 5 * Hz, "1*nA"), DimensionMismatchError, "PoissonInput statement"),
])
def test_poisson_input_bad_arguments_are_refused(args, exception, fragment):
    G = NeuronGroup(3, "v : volt")
    with pytest.raises(exception) as info:
        P = PoissonInput(G, *args)
        Network(G, P).run(1 * ms)
    assert fragment in str(info.value)


# -- custom events ------------------------------------------------------------------------

def test_custom_event_errors_name_the_event():
    G = NeuronGroup(2, "v : 1", threshold="v > 1", events={"up": "v > 0.5"})
    with pytest.raises(ValueError, match="no custom event 'down'"):
        G.run_on_event("down", "v = 0")
    G.run_on_event("up", "v = 0")
    with pytest.raises(ValueError, match="already runs code on the event 'up'"):
        G.run_on_event("up", "v = 1")
    with pytest.raises(ValueError, match="has no event 'down'"):
        EventMonitor(G, "down")
    with pytest.raises(ValueError, match="on the event 'down' of the source"):
        Synapses(G, G, on_pre="v += 1", on_event={"pre": "down"})
    with pytest.raises(ValueError, match="'spike' cannot name a custom event"):
        NeuronGroup(2, "v : 1", events={"spike": "v > 1"})
    H = NeuronGroup(2, "v : volt", events={"up": "v > 1"})
    with pytest.raises(DimensionMismatchError, match="v > 1"):
        Network(H).run(1 * ms)


def test_binned_and_smoothed_rates_of_monitors():
    SG = SpikeGeneratorGroup(2, [0, 1, 0, 0], [0, 0.1, 0.25, 0.9] * ms)
    M = SpikeMonitor(SG)
    R = PopulationRateMonitor(SG)
    Network(SG, M, R).run(1 * ms)
    bins, rates = M.binned_rate(0.5 * ms)
    assert np.allclose(bins / ms, [0, 0.5])
    assert np.allclose(rates / Hz, [[4000, 2000], [2000, 0]])
    bins, rates = R.binned_rate(0.5 * ms)
    assert np.allclose(rates / Hz, [3000, 1000])       # (3 spikes / 2 neurons) / 0.5 ms
    smoothed = M.smooth_rate("flat", width=0.3 * ms)
    assert smoothed.shape == (2, 10)
    assert np.allclose(np.asarray(smoothed).sum(axis=0) / 2,
                       np.asarray(R.smooth_rate("flat", 0.3 * ms)))
    with pytest.raises(ValueError, match="multiple of the monitor's dt"):
        M.binned_rate(0.25 * ms)
