"""Tests of neurocodegen.units: registry, arithmetic, numpy, display, checks."""
import copy
import pickle

import numpy as np
import pytest

import neurocodegen.units as units
from neurocodegen.errors import DimensionMismatchError, UnitError
from neurocodegen.units import (DIMENSIONLESS, Quantity, Unit, all_units, amp, best_unit,
                                check_units, cm2, dimension_name,
                                fail_for_dimension_mismatch, farad, format_dimension,
                                get_dimension, get_dimensions, get_or_create_dimension,
                                get_unit, have_same_dimensions, hertz, is_dimensionless,
                                kilogram, metre, mmolar, mole, Mohm, ms, mV, mvolt, nA,
                                namp, nS, ohm, second, siemens, um2, volt)

V_DIM = get_dimension(m=2, kg=1, s=-3, A=-1)


def star_namespace():
    ns = {}
    exec("from neurocodegen.units import *\nfrom numpy import array", ns)
    return ns


# -- registry ------------------------------------------------------------------
BASE_AND_DERIVED = [
    ("metre", 1.0, dict(m=1)), ("meter", 1.0, dict(m=1)),
    ("kilogram", 1.0, dict(kg=1)), ("gram", 1e-3, dict(kg=1)),
    ("second", 1.0, dict(s=1)), ("amp", 1.0, dict(A=1)), ("ampere", 1.0, dict(A=1)),
    ("kelvin", 1.0, dict(K=1)), ("mole", 1.0, dict(mol=1)), ("mol", 1.0, dict(mol=1)),
    ("candela", 1.0, dict(cd=1)),
    ("volt", 1.0, dict(m=2, kg=1, s=-3, A=-1)),
    ("ohm", 1.0, dict(m=2, kg=1, s=-3, A=-2)),
    ("siemens", 1.0, dict(m=-2, kg=-1, s=3, A=2)),
    ("farad", 1.0, dict(m=-2, kg=-1, s=4, A=2)),
    ("coulomb", 1.0, dict(s=1, A=1)), ("hertz", 1.0, dict(s=-1)),
    ("watt", 1.0, dict(m=2, kg=1, s=-3)), ("joule", 1.0, dict(m=2, kg=1, s=-2)),
    ("newton", 1.0, dict(m=1, kg=1, s=-2)), ("pascal", 1.0, dict(m=-1, kg=1, s=-2)),
    ("molar", 1000.0, dict(m=-3, mol=1)), ("litre", 1e-3, dict(m=3)),
    ("liter", 1e-3, dict(m=3)),
]


@pytest.mark.parametrize("name,scale,exps", BASE_AND_DERIVED)
def test_base_and_derived_units(name, scale, exps):
    unit = all_units[name]
    assert isinstance(unit, Unit)
    assert unit.dim is get_dimension(**exps)
    assert float(unit) == pytest.approx(scale)
    assert getattr(units, name) is unit
    assert name in units.__all__


PREFIXES = [("y", 1e-24), ("z", 1e-21), ("a", 1e-18), ("f", 1e-15), ("p", 1e-12),
            ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("c", 1e-2), ("d", 1e-1),
            ("da", 1e1), ("h", 1e2), ("k", 1e3), ("M", 1e6), ("G", 1e9),
            ("T", 1e12), ("P", 1e15), ("E", 1e18), ("Z", 1e21), ("Y", 1e24)]


@pytest.mark.parametrize("prefix,factor", PREFIXES)
@pytest.mark.parametrize("base", ["volt", "amp", "siemens", "farad", "second",
                                  "metre", "hertz", "ohm", "molar", "gram"])
def test_every_prefix(prefix, factor, base):
    unit = all_units[prefix + base]
    plain = all_units[base]
    assert unit.dim is plain.dim
    assert float(unit) == pytest.approx(factor * float(plain), rel=1e-12)


@pytest.mark.parametrize("name,long_name", [
    ("mV", "mvolt"), ("mA", "mamp"), ("uA", "uamp"), ("nA", "namp"), ("pA", "pamp"),
    ("pF", "pfarad"), ("nF", "nfarad"), ("uF", "ufarad"), ("nS", "nsiemens"),
    ("uS", "usiemens"), ("mS", "msiemens"), ("ms", "msecond"), ("us", "usecond"),
    ("ns", "nsecond"), ("Hz", "hertz"), ("kHz", "khertz"), ("MHz", "Mhertz"),
    ("cm", "cmetre"), ("mm", "mmetre"), ("um", "umetre"), ("nm", "nmetre"),
    ("cm2", "cmetre2"), ("cm3", "cmetre3"), ("mm2", "mmetre2"), ("um2", "umetre2"),
    ("um3", "umetre3"), ("mM", "mmolar"), ("uM", "umolar"), ("nM", "nmolar"),
    ("ml", "mlitre"), ("ul", "ulitre"), ("Mohm", "Mohm"), ("kohm", "kohm"),
    ("mmol", "mmole"), ("umol", "umole"),
])
def test_short_names(name, long_name):
    assert all_units[name] is all_units[long_name]
    assert name in units.__all__


def test_powers():
    assert float(units.metre2) == 1.0 and units.metre2.dim is get_dimension(m=2)
    assert units.metre3.dim is get_dimension(m=3)
    assert float(cm2) == pytest.approx(1e-4)
    assert float(units.cm3) == pytest.approx(1e-6)
    assert float(um2) == pytest.approx(1e-12)
    assert units.mvolt2.dim is V_DIM ** 2
    assert float(units.mvolt2) == pytest.approx(1e-6)


def test_get_unit_and_suggestions():
    assert get_unit("mV") is mV
    assert get_unit(V_DIM) is volt
    with pytest.raises(UnitError) as err:
        get_unit("mVolt")
    assert "'mVolt'" in str(err.value) and "mvolt" in str(err.value)


def test_star_import_exports():
    ns = star_namespace()
    for name in ["mV", "nS", "Hz", "Quantity", "Unit", "check_units",
                 "DimensionMismatchError", "get_dimensions", "umetre2", "mvolt2"]:
        assert name in ns
    assert set(units.__all__) >= set(all_units)


# -- display -----------------------------------------------------------------------
@pytest.mark.parametrize("make,text", [
    (lambda: 20 * volt, "20. V"),
    (lambda: 1000 * amp, "1. kA"),
    (lambda: 1e6 * volt, "1. MV"),
    (lambda: 1000 * namp, "1. uA"),
    (lambda: 10 * nA * 5 * Mohm, "50. mV"),
    (lambda: np.array([1., 2., 3.]) * mV, "[1. 2. 3.] mV"),
    (lambda: -70 * mV, "-70. mV"),
    (lambda: 100 * ms, "100. ms"),
    (lambda: 0.5 * second, "500. ms"),
    (lambda: 5 * volt / second, "5. V/s"),
    (lambda: 3 * um2, "3. um^2"),
    (lambda: 5 * mmolar, "5. mM"),
    (lambda: 2 * kilogram, "2. kg"),
    (lambda: (np.array([1., 2., 3.]) * mV).var(), "0.66666667 mV^2"),
])
def test_display(make, text):
    assert str(make()) == text


def test_units_display_by_name():
    assert str(mV) == "mV" and repr(mV) == "mvolt"
    assert str(ohm) == "ohm" and str(Mohm) == "Mohm" and str(hertz) == "Hz"


@pytest.mark.parametrize("make", [
    lambda: 20 * volt, lambda: np.array([1., 2.]) * mV, lambda: 5 * volt / second,
    lambda: 1000 * namp, lambda: np.arange(6.).reshape(2, 3) * nS,
    lambda: 3 * um2, lambda: 7 * mmolar, lambda: Quantity(5.0),
    lambda: 3 * metre ** 2 * kilogram / second ** 4 / amp,
    lambda: 2 * volt / second ** 0.5,
])
def test_repr_round_trip(make):
    q = make()
    back = eval(repr(q), star_namespace())
    assert get_dimensions(back) is get_dimensions(q)
    np.testing.assert_allclose(np.asarray(back), np.asarray(q), rtol=1e-7)


def test_repr_examples():
    assert repr(20 * volt) == "20. * volt"
    assert repr(np.array([1., 2.]) * mV) == "array([1., 2.]) * mvolt"


def test_notebook_reprs():
    assert (20 * volt)._repr_latex_() == r"$20.0\,\mathrm{V}$"
    assert r"\mu\mathrm{m}^{2}" in (3 * um2)._repr_latex_()
    assert (20 * volt)._repr_html_() == "20. V"
    assert "mV" in (np.array([1., 2.]) * mV)._repr_latex_()


def test_format_dimension_and_names():
    assert format_dimension(DIMENSIONLESS) == "1"
    for unit, text in [(volt, "V"), (hertz, "Hz"), (amp, "A"), (farad, "F"),
                       (siemens, "S"), (ohm, "ohm"), (second, "s"), (metre, "m"),
                       (kilogram, "kg"), (mole, "mol"), (units.kelvin, "K"),
                       (units.candela, "cd"), (units.watt, "W"), (units.joule, "J"),
                       (units.newton, "N"), (units.pascal, "Pa"),
                       (units.coulomb, "C"), (units.molar, "M")]:
        assert format_dimension(unit.dim) == text
    assert format_dimension(V_DIM / second.dim) == "V/s"
    assert format_dimension(amp.dim / second.dim) == "A/s"
    assert format_dimension(V_DIM / second.dim ** 2) == "V/s^2"
    assert format_dimension(second.dim ** -0.5) == "s^-0.5"
    assert dimension_name(hertz.dim) == "hertz"
    assert dimension_name(V_DIM) == "volt"
    assert dimension_name(DIMENSIONLESS) == "dimensionless"


def test_best_unit():
    assert best_unit(V_DIM, [0.02, 0.05]) is mV
    assert best_unit(V_DIM) is volt
    assert best_unit(V_DIM, [0.0, np.nan]) is volt
    assert str(best_unit(second.dim, np.array([1e-3]))) == "ms"


def test_format_with_spec_and_in_unit():
    assert f"{3 * mV:.2f}" == "3.00 mV"
    assert (3 * mV).in_unit(units.uvolt) == "3000. uV"
    with pytest.raises(DimensionMismatchError):
        (3 * mV).in_unit(amp)


# -- arithmetic --------------------------------------------------------------------
def test_mismatch_message():
    with pytest.raises(DimensionMismatchError) as err:
        5 * amp + 10 * volt
    msg = str(err.value)
    assert msg == ("Cannot calculate 5. A + 10. V, units do not match "
                   "(units are A and V).")
    assert isinstance(err.value, ValueError)
    assert err.value.dims == (amp.dim, V_DIM)


def test_arithmetic_dimensions():
    q = 3 * mV
    assert isinstance(q, Quantity) and not isinstance(q, Unit)
    assert q.dim is V_DIM and q.shape == ()
    assert (q * nA).dim is V_DIM * amp.dim
    assert (q / ms).dim is V_DIM / second.dim
    assert (q ** 2).dim is V_DIM ** 2
    assert (1 / ms).dim is hertz.dim
    assert (-q).dim is V_DIM and (+q).dim is V_DIM and abs(-q) == q
    assert float(q - 1 * mV) == pytest.approx(2e-3)
    with pytest.raises(DimensionMismatchError):
        q + 1
    with pytest.raises(DimensionMismatchError):
        q - 1 * second
    assert (q + 0).dim is V_DIM   # plain zero matches any unit, as in Brian
    assert sum([1 * mV, 2 * mV]) == 3 * mV


def test_dimensionless_results_are_plain():
    x = np.array([1., 2., 3.]) * mV
    ratio = x / mV
    assert type(ratio) is np.ndarray
    np.testing.assert_allclose(ratio, [1, 2, 3])
    single = (3 * mV) / (1 * mV)
    assert not isinstance(single, Quantity)
    assert single == pytest.approx(3.0)
    assert not isinstance(mV * (1 / mV), Quantity)


def test_power_rules():
    assert (2 * mV) ** 2 == 4 * units.mvolt2
    assert (np.array([2., 3.]) * mV ** 2).dim is V_DIM ** 2
    assert 2 ** ((3 * mV) / mV) == pytest.approx(8.0)
    with pytest.raises(DimensionMismatchError):
        (2 * mV) ** np.array([1, 2])
    with pytest.raises(DimensionMismatchError):
        2 ** (3 * mV)
    with pytest.raises(DimensionMismatchError):
        (2 * mV) ** (1 * mV)
    assert ((2 * mV) ** np.array([2, 2])).dim is V_DIM ** 2


def test_comparisons():
    x = np.array([1., 2., 3.]) * mV
    np.testing.assert_array_equal(x > 1.5 * mV, [False, True, True])
    np.testing.assert_array_equal(x >= 0, [True, True, True])
    assert (1 * mV) < (1 * volt)
    assert 1 * mV == 1e-3 * volt
    with pytest.raises(DimensionMismatchError):
        x < 1 * nA
    with pytest.raises(DimensionMismatchError):
        x > 1
    assert not (1 * mV == None)  # noqa: E711


def test_float_and_int():
    assert float(5 * mV) == pytest.approx(0.005)   # SI value, as in Brian
    assert float(Quantity(2.0)) == 2.0
    assert np.asarray(3 * mV) == pytest.approx(0.003)
    assert type(np.asarray(np.array([1, 2]) * mV)) is np.ndarray


# -- indexing ------------------------------------------------------------------------
def test_indexing_and_setitem():
    x = np.arange(6.).reshape(2, 3) * mV
    assert x[0].dim is V_DIM and x[0].shape == (3,)
    elem = x[1, 2]
    assert isinstance(elem, Quantity) and elem.shape == () and elem == 5 * mV
    assert x[x > 2 * mV].shape == (3,)
    assert x[:, 1].dim is V_DIM
    assert [float(v / mV) for v in x[0]] == [0.0, 1.0, 2.0]
    x[0, 0] = 10 * mV
    assert x[0, 0] == 10 * mV
    x[1] = 0
    assert np.all(x[1] == 0 * mV)
    with pytest.raises(DimensionMismatchError):
        x[0, 1] = 3 * nA
    with pytest.raises(DimensionMismatchError):
        x[0, 1] = 3


def test_inplace():
    x = np.array([1., 2.]) * mV
    x += 1 * mV
    np.testing.assert_allclose(x / mV, [2, 3])
    x *= 2
    np.testing.assert_allclose(x / mV, [4, 6])
    with pytest.raises(DimensionMismatchError):
        x += 1 * nA
    u = mV
    u *= 2     # units are constants: rebinding, mV itself is unchanged
    assert float(mV) == pytest.approx(1e-3) and float(u) == pytest.approx(2e-3)


def test_pickle_and_copy():
    x = np.array([1., 2.]) * mV
    for y in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x), x.copy()):
        assert y.dim is V_DIM
        np.testing.assert_allclose(np.asarray(y), np.asarray(x))
    u = pickle.loads(pickle.dumps(mV))
    assert isinstance(u, Unit) and str(u) == "mV" and u.dim is V_DIM


def test_quantity_constructor():
    assert Quantity(5).dim is DIMENSIONLESS
    assert Quantity(3 * mV).dim is V_DIM
    q = Quantity([1 * mV, 2 * mV])
    assert q.dim is V_DIM and q.shape == (2,)
    with pytest.raises(DimensionMismatchError):
        Quantity([1 * mV, 2 * nA])
    assert Quantity(2.0, V_DIM) == 2 * volt
    with pytest.raises(TypeError):
        Quantity(2.0, volt)
    assert Quantity.with_dimensions(2, m=1) == 2 * metre


# -- numpy -----------------------------------------------------------------------------
def test_ufuncs_dimensionless():
    assert np.exp(Quantity(0.0)) == 1.0
    assert np.exp((2 * mV) / mV) == pytest.approx(np.exp(2))
    with pytest.raises(DimensionMismatchError) as err:
        np.exp(1 * mV)
    assert "exp" in str(err.value) and "1. mV" in str(err.value) and "V" in str(err.value)
    for f in (np.log, np.sin, np.cos, np.tanh, np.log10):
        with pytest.raises(DimensionMismatchError):
            f(3 * mV)


def test_ufuncs_with_units():
    assert np.sqrt(4 * units.metre2) == 2 * metre
    assert np.sqrt(4 * mV).dim is V_DIM ** 0.5
    assert np.square(3 * mV) == 9 * units.mvolt2
    assert np.abs(-3 * mV) == 3 * mV
    assert np.floor(3.7 * volt) == 3 * volt
    assert np.ceil(3.2 * volt).dim is V_DIM
    assert np.rint(3.2 * volt).dim is V_DIM
    sign = np.sign(np.array([-3., 2.]) * mV)
    assert type(sign) is np.ndarray
    np.testing.assert_array_equal(sign, [-1, 1])
    assert np.maximum(1 * mV, 2 * mV) == 2 * mV
    np.testing.assert_allclose(np.minimum(np.array([-1., 1.]) * mV, 0) / mV, [-1, 0])
    with pytest.raises(DimensionMismatchError):
        np.maximum(1 * mV, 2 * nA)
    assert np.isnan(np.array([np.nan]) * mV)[0]


def test_reductions_and_functions_keep_units():
    x = np.array([1., 2., 3., 4.]) * mV
    for result, value in [(np.mean(x), 2.5), (x.mean(), 2.5), (np.sum(x), 10),
                          (x.sum(), 10), (np.max(x), 4), (x.max(), 4),
                          (np.min(x), 1), (x.min(), 1), (np.median(x), 2.5),
                          (np.std(x), np.std([1, 2, 3, 4])),
                          (x.std(), np.std([1, 2, 3, 4]))]:
        assert isinstance(result, Quantity) and result.dim is V_DIM
        assert float(result / mV) == pytest.approx(value)
    assert x.var().dim is V_DIM ** 2 and np.var(x).dim is V_DIM ** 2
    assert float(x.var() / units.mvolt2) == pytest.approx(1.25)
    for result in [np.clip(x, 2 * mV, 3 * mV), x.clip(2 * mV, 3 * mV),
                   np.cumsum(x), np.diff(x), np.sort(x), np.ravel(x),
                   np.concatenate([x, x]), np.where(x > 2 * mV, x, 0 * mV)]:
        assert result.dim is V_DIM
    np.testing.assert_allclose(np.clip(x, 2 * mV, 3 * mV) / mV, [2, 2, 3, 3])
    with pytest.raises(DimensionMismatchError):
        np.clip(x, 2 * nA, 3 * nA)
    with pytest.raises(DimensionMismatchError):
        np.concatenate([x, np.ones(2)])
    assert np.prod(np.array([2., 3.]) * mV).dim is V_DIM ** 2
    assert np.dot(np.array([1., 2.]) * mV, np.array([1., 2.]) * nA).dim is V_DIM * amp.dim
    assert type(np.argmax(x)) is not Quantity
    m = np.arange(6.).reshape(2, 3) * mV
    np.testing.assert_allclose(m.sum(axis=0) / mV, [3, 5, 7])
    np.testing.assert_allclose(np.mean(m, axis=1) / mV, [1, 4])
    assert np.linspace(0 * mV, 10 * mV, 3)[1] == 5 * mV
    assert np.allclose(x, x)


# -- helpers and check_units --------------------------------------------------------------
def test_helpers():
    assert get_dimensions(3) is DIMENSIONLESS
    assert get_dimensions(np.ones(3)) is DIMENSIONLESS
    assert get_dimensions(3 * mV) is V_DIM
    assert have_same_dimensions(3 * mV, volt)
    assert not have_same_dimensions(3 * mV, 3)
    assert is_dimensionless(3) and is_dimensionless(mV / volt)
    assert not is_dimensionless(mV)
    assert get_or_create_dimension(m=1, s=-1) is get_dimension(m=1, s=-1)
    assert get_or_create_dimension(length=1) is metre.dim
    fail_for_dimension_mismatch(3 * mV, volt)
    with pytest.raises(DimensionMismatchError) as err:
        fail_for_dimension_mismatch(3 * mV, 3 * nA, "Bad {x}", x=3 * mV)
    assert "Bad 3. mV" in str(err.value)
    with pytest.raises(DimensionMismatchError):
        fail_for_dimension_mismatch(3 * mV)


def test_check_units():
    @check_units(I=amp, R=ohm, result=volt)
    def voltage(I, R):
        return I * R

    assert voltage(1 * nA, 1 * Mohm) == 1 * mV
    with pytest.raises(DimensionMismatchError) as err:
        voltage(1 * mV, 1 * Mohm)
    assert "'I'" in str(err.value) and "voltage" in str(err.value)
    with pytest.raises(DimensionMismatchError):
        voltage(1, 1 * Mohm)

    @check_units(x=1, flag=bool, y="x", result=1)
    def f(x, flag, y=None):
        return x

    assert f(3, True) == 3
    assert f(3, False, 4) == 3
    with pytest.raises(TypeError):
        f(3, 1)
    with pytest.raises(DimensionMismatchError):
        f(3 * mV, True)
    with pytest.raises(DimensionMismatchError):
        f(3, True, 2 * mV)

    @check_units(v=volt, result=amp)
    def wrong(v):
        return v

    with pytest.raises(DimensionMismatchError) as err:
        wrong(1 * mV)
    assert "return value" in str(err.value)
    assert voltage._arg_names == ["I", "R"] and voltage._return_unit is volt
    assert voltage.__name__ == "voltage"


def test_import_is_light():
    import subprocess
    import sys

    # only what neurocodegen.units itself adds (the parent package may import more)
    code = ("import sys, neurocodegen; before = set(sys.modules); "
            "import neurocodegen.units; new = set(sys.modules) - before; "
            "print(any(m.split('.')[0] in ('sympy', 'matplotlib', 'scipy') "
            "for m in new))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
