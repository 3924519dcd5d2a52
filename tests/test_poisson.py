"""PoissonGroup: counts as a Poisson process gives them (within 5 standard
deviations), rates as numbers, arrays or expressions of t, the same spikes
in runtime and standalone mode for any number of threads, and clear errors."""
import numpy as np
import pytest

from neurocodegen import (Hz, Network, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses,
                          mV, ms, second, seed, set_device, start_scope)
from neurocodegen.errors import DimensionMismatchError


def _model():
    start_scope()
    seed(4)
    P = PoissonGroup(2000, rates=np.linspace(5, 50, 2000) * Hz)
    Q = PoissonGroup(1000, rates="20*Hz*(1 + sin(2*pi*10*Hz*t))")
    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : volt")
    S = Synapses(P, G, on_pre="v += 0.1*mV")
    S.connect()
    objects = [P, Q, G, S, SpikeMonitor(P), SpikeMonitor(Q)]
    Network(*objects).run(1 * second)
    return objects


def test_counts_are_poisson_and_rates_can_be_expressions():
    P, Q, G, S, MP, MQ = _model()
    expected = np.linspace(5, 50, 2000).sum()               # rate * 1 s, summed
    assert abs(MP.num_spikes - expected) < 5 * np.sqrt(expected)
    assert abs(MQ.num_spikes - 20000) < 5 * np.sqrt(20000)   # whole periods: mean 20 Hz
    high, low = MP.count[-200:].sum(), MP.count[:200].sum()
    assert high > 5 * low
    assert G.v[0] > 0 * mV                                   # the spikes reached a target


@pytest.mark.parametrize("threads", [1, 2])
def test_standalone_gives_the_same_spikes(threads, tmp_path):
    reference = [np.array(m.i) for m in _model()[-2:]]
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / "pg", threads=threads)
    try:
        got = [np.array(m.i) for m in _model()[-2:]]
    finally:
        set_device("runtime")
    for a, b in zip(got, reference):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("rates, exception, fragment", [
    (5 * mV, DimensionMismatchError, "must be rates"),
    (np.ones(3) * Hz, ValueError, "give one rate or 5"),
    (-1 * Hz, ValueError, "not negative"),
    ("5*mV", DimensionMismatchError, "rates"),
])
def test_bad_rates_are_refused(rates, exception, fragment):
    with pytest.raises(exception, match=fragment):
        G = PoissonGroup(5, rates)
        Network(G).run(1 * ms)
