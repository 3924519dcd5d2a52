"""Quick plots of monitors, with unit-aware axis labels.

The names follow brian2tools (``plot_raster``, ``plot_state``, ``plot_rate``)
but take the monitors themselves::

    plot_raster(spikemon)                  # x: time (ms), y: neuron index
    plot_state(statemon, 'v')              # y: v (mV), one line per neuron
    plot_rate(spikemon, bin=2*ms)          # population rate (Hz)
    plot_if_curve(G.v0, spikemon, 1*second, label='v0')

Each function draws into ``axes`` (default: the current axes) and returns
it. matplotlib is imported only when one of them is called.
"""
import numpy as np

from .units import Quantity, best_unit, get_dimensions, get_unit, ms
from .units.dimensions import DIMENSIONLESS
from .units.dimensions import TIME

__all__ = ["plot_raster", "plot_state", "plot_rate", "plot_if_curve"]



def _axes(axes):
    if axes is None:
        import matplotlib.pyplot as plt
        axes = plt.gca()
    return axes


def _unit_for(unit, dim, values):
    """The unit to show values of dimension ``dim`` in: ``unit`` if given
    (checked), else the best one for ``values``."""
    if unit is None:
        # the unit that reads best for the largest value: an axis spans the
        # data, and values near 0 (a reset) must not pull it to uV
        if values is not None:
            v = np.abs(np.asarray(values, dtype=float))
            v = v[np.isfinite(v)]
            values = [v.max()] if v.size and v.max() > 0 else None
        return best_unit(dim, values)
    if isinstance(unit, str):
        unit = get_unit(unit)
    if get_dimensions(unit) is not dim:
        from .errors import DimensionMismatchError
        raise DimensionMismatchError(
            f"Cannot show values with unit {best_unit(dim)} in {unit}", dim,
            get_dimensions(unit))
    return unit


def _label(name, unit, dim):
    """``'v (mV)'`` or just ``'v'`` for dimensionless values."""
    if dim is DIMENSIONLESS:
        return name
    return f"{name} ({unit})"


def _scaled(values, unit):
    return np.asarray(values, dtype=float) / float(np.asarray(unit))


def _time_unit(time_unit):
    return _unit_for(time_unit if time_unit is not None else ms, TIME, None)


def plot_raster(spikemon, time_unit=ms, axes=None, **kwds):
    """Raster plot of a SpikeMonitor: one dot per spike, time on x, neuron
    index on y. ``kwds`` go to ``axes.plot`` (default: black dots)."""
    axes = _axes(axes)
    time_unit = _time_unit(time_unit)
    kwds.setdefault("marker", ".")
    kwds.setdefault("color", "k")
    kwds.setdefault("linestyle", "none")
    axes.plot(_scaled(spikemon.t_, time_unit), spikemon.i, **kwds)
    axes.set_xlabel(_label("time", time_unit, TIME))
    axes.set_ylabel("neuron index")
    n = getattr(getattr(spikemon, "source", None), "N", None)
    if n is not None:
        axes.set_ylim(-1, n)
    return axes


def plot_state(statemon, varname, indices=None, time_unit=ms, var_unit=None, axes=None,
               **kwds):
    """The recorded values of ``varname`` over time, one line per neuron.

    ``indices``: the neurons to show (group indices, default every recorded
    one); ``var_unit``: the unit of the y axis (default the best unit of the
    values, e.g. mV). With several neurons (up to 10), each line is labelled
    ``neuron k`` for a legend.
    """
    axes = _axes(axes)
    time_unit = _time_unit(time_unit)
    values = getattr(statemon, varname)
    dim = get_dimensions(values)
    plain = np.asarray(values, dtype=float)
    record = np.asarray(statemon.record)
    if indices is None:
        rows, shown = np.arange(len(record)), record
    else:
        shown = np.atleast_1d(np.asarray(indices))
        position = {int(k): row for row, k in enumerate(record)}
        missing = [int(k) for k in shown if int(k) not in position]
        if missing:
            raise IndexError(f"plot_state: neuron(s) {missing} are not recorded by "
                             f"'{statemon.name}' (it records {record.tolist()}).")
        rows = np.array([position[int(k)] for k in shown], dtype=int)
    var_unit = _unit_for(var_unit, dim, plain[rows] if plain.size else None)
    t = _scaled(statemon.t_, time_unit)
    y = plain[rows].T / (1.0 if dim is DIMENSIONLESS else float(np.asarray(var_unit)))
    lines = axes.plot(t, y, **kwds)
    if 1 < len(lines) <= 10 and "label" not in kwds:
        for line, k in zip(lines, shown):
            line.set_label(f"neuron {int(k)}")
    axes.set_xlabel(_label("time", time_unit, TIME))
    axes.set_ylabel(_label(varname, var_unit, dim))
    return axes


def population_rate(spikemon, bin=1 * ms, width=None, window="gaussian", duration=None):
    """``(bin_starts, rate)``: the population firing rate of a SpikeMonitor's
    group in Hz (spikes per neuron per second) in bins of ``bin``; with
    ``width`` it is smoothed by a ``'gaussian'`` (``width`` is its standard
    deviation) or ``'flat'`` (``width`` is its length) window."""
    bin_ = float(bin)
    if get_dimensions(bin) is not TIME or not bin_ > 0:
        raise ValueError(f"plot_rate: bin must be a positive time, got {bin!r}")
    t = spikemon.t_
    n = spikemon.source.N
    if duration is None:
        from .runtime.magic import magic_network
        end = float(magic_network().t_)
        if t.size and t.max() >= end:
            end = float(t.max()) + bin_
    else:
        end = float(duration)
    n_bins = max(1, int(np.ceil(end / bin_ - 1e-9)))
    counts, _ = np.histogram(t, bins=n_bins, range=(0.0, n_bins * bin_))
    rate = counts / (n * bin_)
    if width is not None:
        w = float(width) / bin_
        if window == "gaussian":
            half = max(1, int(np.ceil(3 * w)))
            x = np.arange(-half, half + 1)
            kernel = np.exp(-0.5 * (x / max(w, 1e-12)) ** 2)
        elif window == "flat":
            kernel = np.ones(max(1, int(round(w))))
        else:
            raise ValueError(f"plot_rate: window must be 'gaussian' or 'flat', "
                             f"got {window!r}")
        rate = np.convolve(rate, kernel / kernel.sum(), mode="same")
    return Quantity(np.arange(n_bins) * bin_, dim=TIME), rate


def plot_rate(spikemon, bin=1 * ms, width=None, window="gaussian", time_unit=ms,
              duration=None, axes=None, **kwds):
    """Population rate (Hz) of a SpikeMonitor's group over time, binned in
    ``bin`` and optionally smoothed (``width``, ``window``: see
    :func:`population_rate`). ``duration`` defaults to the time the magic
    network has run. A PopulationRateMonitor is plotted step by step
    (smoothed with its ``smooth_rate`` if ``width`` is given)."""
    axes = _axes(axes)
    time_unit = _time_unit(time_unit)
    if hasattr(type(spikemon), "rate_"):                  # a PopulationRateMonitor
        rate = spikemon.rate_ if width is None else \
            np.asarray(spikemon.smooth_rate(window, width))
        axes.plot(_scaled(spikemon.t_, time_unit), rate, **kwds)
        axes.set_xlabel(_label("time", time_unit, TIME))
        axes.set_ylabel("rate (Hz)")
        return axes
    starts, rate = population_rate(spikemon, bin, width, window, duration)
    x = _scaled(starts, time_unit)
    if width is None:
        kwds.setdefault("where", "post")
        axes.step(np.append(x, x[-1] + float(bin) / float(np.asarray(time_unit))),
                  np.append(rate, rate[-1]), **kwds)
    else:
        axes.plot(x + 0.5 * float(bin) / float(np.asarray(time_unit)), rate, **kwds)
    axes.set_xlabel(_label("time", time_unit, TIME))
    axes.set_ylabel("rate (Hz)")
    return axes


def plot_if_curve(values, spikemon, duration, axes=None, label=None, **kwds):
    """Firing rate (Hz) of each neuron, ``spikemon.count/duration``, against
    ``values`` (one per neuron, e.g. ``G.v0``). ``label`` names the x axis
    (default ``'input'``); its unit is added for quantities with units."""
    if get_dimensions(duration) is not TIME:
        raise ValueError(f"plot_if_curve: duration must be a time, got {duration!r}")
    axes = _axes(axes)
    rate = np.asarray(spikemon.count / float(duration), dtype=float)
    dim = get_dimensions(values)
    plain = np.asarray(values, dtype=float)
    if plain.shape != rate.shape:
        raise ValueError(f"plot_if_curve: {plain.size} values for {rate.size} neurons")
    unit = _unit_for(None, dim, plain)
    x = plain if dim is DIMENSIONLESS else _scaled(plain, unit)
    axes.plot(x, rate, **kwds)
    axes.set_xlabel(_label(label or "input", unit, dim))
    axes.set_ylabel("firing rate (Hz)")
    return axes
