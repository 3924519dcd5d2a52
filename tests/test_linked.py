"""Linked variables (issue 14, item 7): ``I : amp (linked)`` and
``G.I = linked_var(H, 'x', index=...)``. The Brian2 model
``linked_variables`` (tests/test_inputs.py) checks the numbers in every
mode; these tests check the order of the groups' updates and the errors."""
import numpy as np
import pytest

from neurocodegen import NeuronGroup, linked_var, mV, ms, nA, run, start_scope
from neurocodegen.errors import DimensionMismatchError, EquationError


def test_groups_of_one_slot_run_in_the_order_of_brians_part_names():
    """Brian breaks ties of slot and order by the names of a group's parts:
    'grp_1_stateupdater' runs before 'grp_stateupdater', so 'grp_1' reads
    'grp''s x before it is updated (Brian2 2.9 gives y = 0.45; in the order
    of the groups' own names it would be 0.55)."""
    start_scope()
    H = NeuronGroup(1, "dx/dt = 1/ms : 1", method="euler", name="grp")
    G = NeuronGroup(1, "dy/dt = x/ms : 1\nx : 1 (linked)", method="euler", name="grp_1")
    G.x = linked_var(H, "x")
    run(1 * ms)
    assert H.x[0] == pytest.approx(1.0)
    assert G.y[0] == pytest.approx(0.45)


def _groups():
    start_scope()
    H = NeuronGroup(4, "x : amp\ns : 1 (shared)\nf : 1")
    G = NeuronGroup(4, "v : volt\nI : amp (linked)\nk : integer\nf : 1")
    return H, G


def test_reading_a_linked_variable_reads_the_source_at_the_index():
    H, G = _groups()
    H.x = [1, 2, 3, 4] * nA
    G.k = [3, 3, 0, 1]
    G.I = linked_var(H.x, index="k")
    assert np.array_equal(G.I_, [4e-9, 4e-9, 1e-9, 2e-9])
    H.x = [5, 6, 7, 8] * nA                     # no copy: read where it is linked
    assert np.array_equal(G.I / nA, [8, 8, 5, 6])


def test_wrong_units_name_the_variables_and_units():
    H, G = _groups()
    with pytest.raises(DimensionMismatchError, match=r"Cannot link 'I' of group "
                       r"'neurongroup_1' \(A \(amp\)\) to 'f' of group 'neurongroup' "
                       r"\(1 \(dimensionless\)\): the units differ"):
        G.I = linked_var(H, "f")


def test_sizes_and_indices_are_checked():
    H, _ = _groups()
    G = NeuronGroup(3, "I : amp (linked)\nf : 1")
    with pytest.raises(ValueError, match=r"\(N=3\) to 'x' of group 'neurongroup' \(N=4\) "
                       r"without an index: the sizes differ"):
        G.I = linked_var(H, "x")
    with pytest.raises(IndexError, match=r"must hold one index of 'neurongroup' \(0..3\) "
                       r"for each of its 3 neurons"):
        G.I = linked_var(H, "x", index=[0, 1, 4])
    with pytest.raises(IndexError, match="must hold one index"):
        G.I = linked_var(H, "x", index=[0, 1])
    with pytest.raises(ValueError, match="index='f'.*must be an integer variable"):
        G.I = linked_var(H, "x", index="f")
    G.I = linked_var(H, "x", index=[3, 0, 0])
    assert np.array_equal(G.I_, H.x_[[3, 0, 0]])


def test_a_shared_variable_is_linked_without_an_index():
    H, G = _groups()
    G2 = NeuronGroup(2, "c : 1 (linked)")
    H.s = 0.5
    G2.c = linked_var(H, "s")                   # any size: it is one value
    assert np.array_equal(G2.c, [0.5, 0.5])
    with pytest.raises(ValueError, match="to the shared variable 's' of group "
                       "'neurongroup' with an index"):
        G2.c = linked_var(H, "s", index=[0, 1])


def test_unknown_variables_and_plain_values_are_refused():
    H, G = _groups()
    with pytest.raises(ValueError, match="has no stored variable 'y' to link to"):
        G.I = linked_var(H, "y")
    with pytest.raises(TypeError, match="'I' of group 'neurongroup_1' is a linked "
                       "variable: assign linked_var"):
        G.I = 5 * nA


def test_a_linked_variable_must_be_linked_before_running():
    start_scope()
    G = NeuronGroup(2, "v : volt\nI : amp (linked)")  # noqa: F841  (run() finds it)
    with pytest.raises(EquationError, match="'I' of group 'neurongroup' is \\(linked\\) "
                       "but linked to nothing"):
        run(0.1 * ms)


def test_a_linked_variable_is_read_only_in_its_group():
    start_scope()
    H = NeuronGroup(2, "x : amp")
    G = NeuronGroup(2, "v : volt\nI : amp (linked)", threshold="v > 1*mV",
                    reset="I = 0*nA", namespace={"mV": mV, "nA": nA})
    G.I = linked_var(H.x)
    with pytest.raises(EquationError, match="Cannot assign to 'I' in the reset statement"
                       r".*read-only \(a constant, a linked variable"):
        run(0.1 * ms)
