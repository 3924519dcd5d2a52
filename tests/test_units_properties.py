"""Property-based tests of the unit algebra (hypothesis)."""
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocodegen.errors import DimensionMismatchError
from neurocodegen.units import (DIMENSIONLESS, Quantity, all_units, get_dimension,
                                get_dimensions)
from neurocodegen.units.dimensions import Dimension

settings.register_profile("units", max_examples=150, deadline=None)
settings.load_profile("units")

exponents = st.integers(min_value=-3, max_value=3)
dimensions = st.builds(get_dimension, m=exponents, kg=exponents, s=exponents,
                       A=exponents, K=st.integers(-1, 1), mol=st.integers(-1, 1),
                       cd=st.just(0))
magnitudes = st.floats(min_value=1e-6, max_value=1e6)
values = st.builds(lambda x, neg: -x if neg else x, magnitudes, st.booleans())
arrays = st.lists(values, min_size=1, max_size=5).map(np.array)
unit_names = st.sampled_from(sorted(all_units))


def q(value, dim):
    return Quantity(value, dim)


@given(values, dimensions, values, dimensions)
def test_multiply_then_divide(a, da, b, db):
    x, y = q(a, da), q(b, db)
    back = (x * y) / y
    assert get_dimensions(back) is da
    assert float(np.asarray(back)) == pytest.approx(a, rel=1e-12)


@given(arrays, dimensions, values, dimensions)
def test_multiply_then_divide_arrays(a, da, b, db):
    back = (q(a, da) * q(b, db)) / q(b, db)
    assert get_dimensions(back) is da
    np.testing.assert_allclose(np.asarray(back), a, rtol=1e-12)


@given(values, dimensions, values, dimensions)
def test_addition_raises_exactly_when_dims_differ(a, da, b, db):
    x, y = q(a, da), q(b, db)
    if da is db:
        total = x + y
        assert get_dimensions(total) is da
        assert float(np.asarray(total)) == pytest.approx(a + b, rel=1e-9, abs=1e-9)
    else:
        with pytest.raises(DimensionMismatchError):
            x + y
        with pytest.raises(DimensionMismatchError):
            x - y
        with pytest.raises(DimensionMismatchError):
            x < y


@given(values, dimensions, st.integers(min_value=-3, max_value=3))
def test_integer_powers(a, da, n):
    result = q(a, da) ** n
    assert get_dimensions(result) is da ** n
    assert float(np.asarray(result)) == pytest.approx(a ** n, rel=1e-9)


@given(magnitudes, dimensions)
def test_square_doubles_sqrt_halves(a, da):
    x = q(a, da)
    assert get_dimensions(x ** 2).exponents == tuple(2 * e for e in da.exponents)
    root = np.sqrt(x)
    assert get_dimensions(root) is da ** 0.5
    back = root ** 2
    assert get_dimensions(back) is da
    assert float(np.asarray(back)) == pytest.approx(a, rel=1e-9)


@given(values, dimensions)
def test_dimensionless_results_are_plain(a, da):
    x = q(a, da)
    ratio = x / x
    assert not isinstance(ratio, Quantity)
    assert ratio == pytest.approx(1.0)


@given(arrays, dimensions)
def test_reductions_keep_dimension(a, da):
    x = q(a, da)
    for result, expected in [(np.sum(x), a.sum()), (x.mean(), a.mean()),
                             (np.max(x), a.max()), (x.min(), a.min()),
                             (np.std(x), a.std())]:
        assert get_dimensions(result) is da
        assert float(np.asarray(result)) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert get_dimensions(x.var()) is da ** 2


@given(arrays, dimensions)
def test_repr_round_trip(a, da):
    ns = {}
    exec("from neurocodegen.units import *\nfrom numpy import array", ns)
    x = q(a, da)
    back = eval(repr(x), ns)
    assert get_dimensions(back) is da
    np.testing.assert_allclose(np.asarray(back), a, rtol=1e-6)


@given(arrays, dimensions)
def test_str_uses_one_unit_and_pickles(a, da):
    x = q(a, da)
    text = str(x)
    assert text.startswith("[")
    y = pickle.loads(pickle.dumps(x))
    assert y.dim is da
    np.testing.assert_array_equal(np.asarray(y), a)


@given(unit_names, values)
def test_every_unit_scales_values(name, a):
    unit = all_units[name]
    x = a * unit
    assert get_dimensions(x) is unit.dim
    if unit.dim is DIMENSIONLESS:
        assert not isinstance(x, Quantity)
    assert float(np.asarray(x)) == pytest.approx(a * float(unit), rel=1e-12)
    # value / unit gives back the plain number
    assert float(np.asarray(x / unit)) == pytest.approx(a, rel=1e-9)


@given(dimensions, dimensions)
def test_dimension_algebra(da, db):
    assert isinstance(da * db, Dimension)
    assert (da * db) / db is da
    assert (da / da) is DIMENSIONLESS
