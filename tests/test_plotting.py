"""Plot helpers, the progress reporter and the notebook display of models."""
import io
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from neurocodegen import (  # noqa: E402
    Equations, NeuronGroup, SpikeMonitor, StateMonitor, mV, ms, plot_if_curve, plot_raster,
    plot_rate, plot_state, run, second, seed, volt)
from neurocodegen.runtime.progress import make_reporter  # noqa: E402


@pytest.fixture
def figure():
    fig, axes = plt.subplots(figsize=(4, 3), dpi=50)
    yield fig, axes
    plt.close(fig)


def render(fig):
    """The figure as an RGB array (through a PNG, as a notebook would show it)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")
    buffer.seek(0)
    return plt.imread(buffer)


def drawn_pixels(axes):
    """Non-white pixels inside the axes only (data, not frame or labels)."""
    fig = axes.figure
    for item in (axes.xaxis, axes.yaxis, *axes.spines.values()):
        item.set_visible(False)
    image = render(fig)
    return int((image[..., :3].min(axis=2) < 0.9).sum()), float(image.var())


def lif_network(N=20, duration=100 * ms):
    seed(1)
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(N, '''dv/dt = (v0 - v)/tau : volt (unless refractory)
                          v0 : volt''',
                    threshold='v > 10*mV', reset='v = 0*mV', refractory=2 * ms,
                    method='exact')
    G.v0 = 'i*30*mV/(N-1)'
    G.v = 'rand()*10*mV'
    spikes = SpikeMonitor(G)
    states = StateMonitor(G, 'v', record=[0, 5, 19])
    run(duration)
    return G, spikes, states


def test_raster(figure):
    fig, axes = figure
    G, spikes, _ = lif_network()
    assert spikes.num_spikes > 10
    ax = plot_raster(spikes, axes=axes)
    assert ax is axes
    assert ax.get_xlabel() == "time (ms)"
    assert ax.get_ylabel() == "neuron index"
    x, y = ax.lines[0].get_data()
    assert np.allclose(x, spikes.t / ms) and np.array_equal(y, spikes.i)
    pixels, variance = drawn_pixels(ax)
    assert pixels > 10 and variance > 0


def test_raster_time_unit_and_current_axes(figure):
    fig, axes = figure
    _, spikes, _ = lif_network()
    ax = plot_raster(spikes, time_unit=second)
    assert ax is axes                     # the current axes by default
    assert ax.get_xlabel() == "time (s)"
    assert ax.lines[0].get_xdata().max() <= 0.1


def test_state_with_units(figure):
    fig, axes = figure
    G, _, states = lif_network()
    ax = plot_state(states, 'v', axes=axes)
    assert ax.get_xlabel() == "time (ms)"
    assert ax.get_ylabel() == "v (mV)"
    assert len(ax.lines) == 3
    assert [line.get_label() for line in ax.lines] == ["neuron 0", "neuron 5", "neuron 19"]
    assert np.allclose(ax.lines[2].get_ydata(), states[19].v / mV)
    assert drawn_pixels(ax)[1] > 0


def test_state_indices_and_units(figure):
    fig, axes = figure
    _, _, states = lif_network()
    ax = plot_state(states, 'v', indices=[5], var_unit=volt, time_unit=second, axes=axes)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time (s)", "v (V)")
    assert len(ax.lines) == 1
    assert np.allclose(ax.lines[0].get_ydata(), states[5].v / volt)
    with pytest.raises(IndexError, match="not recorded"):
        plot_state(states, 'v', indices=[3], axes=axes)
    with pytest.raises(Exception, match="mV|V"):
        plot_state(states, 'v', var_unit=ms, axes=axes)


def test_state_dimensionless(figure):
    fig, axes = figure
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, 'dv/dt = (1-v)/tau : 1', method='exact')
    M = StateMonitor(G, 'v', record=0)
    run(30 * ms)
    ax = plot_state(M, 'v', axes=axes)
    assert ax.get_ylabel() == "v"
    assert ax.get_xlabel() == "time (ms)"
    assert np.allclose(ax.lines[0].get_xdata(), np.arange(300) * 0.1)
    assert drawn_pixels(ax)[0] > 10


def test_rate(figure):
    fig, axes = figure
    G, spikes, _ = lif_network(N=50)
    ax = plot_rate(spikes, bin=5 * ms, axes=axes)
    assert ax.get_xlabel() == "time (ms)"
    assert ax.get_ylabel() == "rate (Hz)"
    x, y = ax.lines[0].get_data()
    assert x[0] == 0 and x[-1] == pytest.approx(100)
    # the mean population rate is the spike count per neuron per second
    assert np.mean(y[:-1]) == pytest.approx(spikes.num_spikes / (50 * 0.1))
    assert drawn_pixels(ax)[0] > 10


def test_rate_smoothed(figure):
    fig, axes = figure
    _, spikes, _ = lif_network(N=50)
    ax = plot_rate(spikes, bin=1 * ms, width=3 * ms, axes=axes)
    y = ax.lines[0].get_ydata()
    assert len(y) == 100 and np.all(y >= 0) and y.max() > 0
    ax2 = plot_rate(spikes, bin=1 * ms, width=5 * ms, window='flat', axes=axes)
    assert len(ax2.lines) == 2
    with pytest.raises(ValueError, match="window"):
        plot_rate(spikes, width=3 * ms, window='box', axes=axes)
    with pytest.raises(ValueError, match="bin"):
        plot_rate(spikes, bin=3, axes=axes)


def test_if_curve(figure):
    fig, axes = figure
    N = 30
    tau = 10 * ms  # noqa: F841
    v0_max = 3.  # noqa: F841
    G = NeuronGroup(N, '''dv/dt = (v0-v)/tau : 1 (unless refractory)
                          v0 : 1''', threshold='v>1', reset='v=0', refractory=5 * ms,
                    method='exact')
    M = SpikeMonitor(G)
    G.v0 = 'i*v0_max/(N-1)'
    duration = 200 * ms
    run(duration)
    ax = plot_if_curve(G.v0, M, duration, axes=axes, label='v0')
    assert ax.get_xlabel() == "v0"
    assert ax.get_ylabel() == "firing rate (Hz)"
    x, y = ax.lines[0].get_data()
    assert np.allclose(x, G.v0) and np.allclose(y, M.count / 0.2)
    assert np.all(y[x <= 1] == 0) and y[-1] > 0
    assert drawn_pixels(ax)[0] > 10


def test_if_curve_with_units(figure):
    fig, axes = figure
    G, spikes, _ = lif_network()
    ax = plot_if_curve(G.v0, spikes, 100 * ms, axes=axes)
    assert ax.get_xlabel() == "input (mV)"
    assert np.allclose(ax.lines[0].get_xdata(), G.v0 / mV)


def test_progress_reporter_on_stderr(capsys):
    pytest.importorskip("tqdm")
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(10, 'dv/dt = -v/tau : 1', method='exact')  # noqa: F841
    run(5 * ms, report=make_reporter('progress'))
    err = capsys.readouterr().err
    assert "100%" in err and "simulating" in err


def test_progress_reporter_calls_and_restarts():
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    report = make_reporter('progress', stream=stream)
    for done in (0.0, 0.25, 0.5, 1.0, 0.0, 1.0):
        report(0.1 * second, done, 0, 100)
    text = stream.getvalue()
    assert text.count("100%") >= 2             # two runs, two complete bars


def test_progress_without_tqdm(monkeypatch):
    from neurocodegen.runtime import progress
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setitem(progress._warned, "tqdm", False)
    stream = io.StringIO()
    with pytest.warns(UserWarning, match="tqdm"):
        report = progress.make_reporter('progress', stream=stream)
    report(1 * second, 0.5, 0, 100)
    report(2 * second, 1.0, 0, 100)
    assert "50% simulated" in stream.getvalue()
    assert "100% simulated in 2.00 s" in stream.getvalue()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")         # said only once
        progress.make_reporter('progress', stream=stream)


def test_make_reporter_other_values():
    f = lambda *args: None  # noqa: E731
    assert make_reporter(f) is f
    with pytest.raises(ValueError, match="progress"):
        make_reporter('bar')


def test_equations_html():
    eqs = Equations('''dv/dt = (v0 - v)/tau : volt (unless refractory)
                       I = g*(E - v) : amp
                       v0 : volt (constant)''')
    html = eqs._repr_html_()
    assert html.startswith("<table") and html.endswith("</table>")
    assert html.count("<tr>") == 4
    for text in ("dv/dt", "differential", "(v0 - v)/tau", "unless refractory",
                 "subexpression", "parameter", "constant", "amp"):
        assert text in html
    tricky = Equations('b = v < 1 : boolean\nv : 1')
    assert "v &lt; 1" in tricky._repr_html_()


def test_import_is_lazy():
    import subprocess
    code = ("import sys, neurocodegen; "
            "print('matplotlib.pyplot' in sys.modules, 'tqdm' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]
