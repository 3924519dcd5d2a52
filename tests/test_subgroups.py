"""Subgroups: G[a:b] shares its neurons' state with G, with its own i and N
(Brian's numbers for subgroup monitors are in test_inputs.py's subgroups
model, in every mode)."""
import numpy as np
import pytest

from neurocodegen import (Network, NeuronGroup, SpikeMonitor, StateMonitor, mV, ms)
from neurocodegen.errors import DimensionMismatchError


def test_a_subgroup_is_a_view_with_its_own_indices():
    G = NeuronGroup(10, "v : volt\nx : 1")
    A, B, last = G[2:5], G[5:], G[-1]
    assert (A.N, len(B), last.N) == (3, 5, 1)
    A.v = "i*mV + 0.5*mV"                       # i from 0 in the subgroup
    B.x = "N"                                   # N is the subgroup's
    B.v[B.i > 2] = 2 * mV
    assert np.allclose(G.v / mV, [0, 0, 0.5, 1.5, 2.5, 0, 0, 0, 2, 2])
    assert list(G.x) == [0] * 5 + [5] * 5
    assert np.allclose(A.v["v > 1*mV"] / mV, [1.5, 2.5])
    G.v = 0 * mV                                # the group's values are the subgroup's
    assert np.all(A.v == 0 * mV)


@pytest.mark.parametrize("item, exception, fragment", [
    (slice(None, None, 2), IndexError, "contiguous range"),
    (slice(5, 5), IndexError, "non-empty"),
    ("v", TypeError, "with a slice"),
])
def test_bad_subgroups_are_refused(item, exception, fragment):
    G = NeuronGroup(10, "v : volt")
    with pytest.raises(exception, match=fragment):
        G[item]


def test_subgroup_assignment_and_monitor_errors_name_the_subgroup():
    G = NeuronGroup(10, "v : volt", threshold="v > 1*mV")
    sub = G[3:6]
    with pytest.raises(DimensionMismatchError, match="unit"):
        sub.v = 3
    with pytest.raises(IndexError, match=r"0\.\.2"):
        StateMonitor(sub, "v", record=[3])
    M = SpikeMonitor(sub)                        # the group need not be kept: G is found
    Network(G, M).run(1 * ms)
    assert M.count.shape == (3,)
