"""Equations: every line form, flag and unit spelling; the tutorial's models;
unit checking; namespace resolution."""
import math
import types

import numpy as np
import pytest

from neurocodegen.errors import DimensionMismatchError, EquationError, UndefinedNameError
from neurocodegen.model import (
    BUILTIN_DIMS, XI_DIMENSION, Equations, SingleEquation, default_namespace,
    parse_expression, parse_unit, resolve_external)
from neurocodegen.units import get_dimensions, mV, ms, volt
from neurocodegen.units.dimensions import DIMENSIONLESS, get_dimension

VOLT = get_dimension(m=2, kg=1, s=-3, A=-1)
SECOND = get_dimension(s=1)
AMP = get_dimension(A=1)
SIEMENS = get_dimension(m=-2, kg=-1, s=3, A=2)


def external_dims(eqs, namespace):
    values = resolve_external(eqs.identifiers, caller_namespace=namespace)
    return {name: get_dimensions(value) for name, value in values.items()}


# the tutorial ------------------------------------------------------------------------

TUTORIAL = [
    ("\ndv/dt = (1-v)/tau : 1\n", {"tau": 10 * ms}),
    ("\ndv/dt = (sin(2*pi*100*Hz*t)-v)/tau : 1\n", {"tau": 10 * ms}),
    ("\ndv/dt = (1-v)/tau : 1 (unless refractory)\n", {"tau": 10 * ms}),
    ("\ndv/dt = (2-v)/tau : 1\n", {"tau": 10 * ms, "N": 100}),
    ("\ndv/dt = (v0-v)/tau : 1 (unless refractory)\nv0 : 1\n",
     {"tau": 10 * ms, "v0_max": 3.0, "duration": 1000 * ms}),
    ("\ndv/dt = (v0-v)/tau+sigma*xi*tau**-0.5 : 1 (unless refractory)\nv0 : 1\n",
     {"tau": 10 * ms, "sigma": 0.2}),
    ("\ndv/dt = (v_drive+vr-v)/tau + sigma*xi*tau**-0.5 : volt\n"
     "dvt/dt = (vt0-vt)/tau_t : volt\n",
     {"tau": 10 * ms, "vr": -70 * mV, "vt0": -50 * mV, "tau_t": 100 * ms,
      "sigma": 0.5 * (20 * mV), "v_drive": 2 * (20 * mV)}),
]


@pytest.mark.parametrize("text, namespace", TUTORIAL)
def test_tutorial_equations_parse_and_check(text, namespace):
    eqs = Equations(text)
    assert "v" in eqs.diff_eq_names
    assert eqs["v"].lineno == 2
    eqs.check_units(external_dims(eqs, namespace), group_name="neurongroup")


def test_tutorial_details():
    eqs = Equations(TUTORIAL[5][0])
    assert eqs.is_stochastic and eqs.stochastic_variables == ("xi",)
    assert eqs.identifiers == {"tau", "sigma"}
    assert eqs["v"].flags == {"unless refractory"}
    assert eqs.parameter_names == ("v0",)
    adaptive = Equations(TUTORIAL[6][0])
    assert adaptive["v"].dim is VOLT and adaptive.diff_eq_names == ("v", "vt")
    assert not Equations(TUTORIAL[0][0]).is_stochastic


def test_tutorial_inconsistent_equation_message():
    eqs = Equations("\ndv/dt = 1-v : 1\n")
    with pytest.raises(DimensionMismatchError) as info:
        eqs.check_units({}, group_name="neurongroup")
    message = str(info.value)
    assert "\n" not in message
    for fragment in ("'v'", "'1-v'", "Hz", "hertz", "1 (dimensionless)", "neurongroup",
                     "line 2"):
        assert fragment in message


# line forms, units, flags --------------------------------------------------------------

@pytest.mark.parametrize("line, kind, name, dim, dtype, flags", [
    ("dv/dt = -v/tau : volt", "differential", "v", VOLT, "float", set()),
    ("d v_1 /dt=-v_1/tau:1", None, None, None, None, None),
    ("dv/dt = -v/tau : volt (unless refractory)", "differential", "v", VOLT, "float",
     {"unless refractory"}),
    ("I = g*(E - v) : amp", "subexpression", "I", AMP, "float", set()),
    ("I = g*(E - v) : amp (shared)", "subexpression", "I", AMP, "float", {"shared"}),
    ("I = g*E : amp (constant over dt)", "subexpression", "I", AMP, "float",
     {"constant over dt"}),
    ("I = g*E : amp (constant  over   dt, shared)", "subexpression", "I", AMP, "float",
     {"constant over dt", "shared"}),
    ("g : siemens/cm**2", "parameter", "g", SIEMENS / get_dimension(m=2), "float", set()),
    ("g : siemens (constant)", "parameter", "g", SIEMENS, "float", {"constant"}),
    ("g : siemens (shared, constant)", "parameter", "g", SIEMENS, "float",
     {"shared", "constant"}),
    ("j : amp/meter**2", "parameter", "j", AMP / get_dimension(m=2), "float", set()),
    ("x : mV", "parameter", "x", VOLT, "float", set()),
    ("x : second**-0.5", "parameter", "x", XI_DIMENSION, "float", set()),
    ("x : 1/second", "parameter", "x", get_dimension(s=-1), "float", set()),
    ("x : metre**(1/2)", "parameter", "x", get_dimension(m=0.5), "float", set()),
    ("x : 1", "parameter", "x", DIMENSIONLESS, "float", set()),
    ("flag : boolean", "parameter", "flag", DIMENSIONLESS, "boolean", set()),
    ("count : integer (constant)", "parameter", "count", DIMENSIONLESS, "integer",
     {"constant"}),
    ("active = v > 0 : boolean", "subexpression", "active", DIMENSIONLESS, "boolean", set()),
    ("x : volt # comment", "parameter", "x", VOLT, "float", set()),
])
def test_line_forms(line, kind, name, dim, dtype, flags):
    eqs = Equations(line)
    eq = next(iter(eqs.values()))
    assert isinstance(eq, SingleEquation)
    if kind is None:  # spacing variant of a differential equation
        assert eq.kind == "differential" and eq.name == "v_1"
        return
    assert (eq.kind, eq.name, eq.dim, eq.dtype, eq.flags) == (kind, name, dim, dtype, flags)
    assert eq.text == line


def test_parse_unit():
    assert parse_unit("volt") == (VOLT, "float")
    assert parse_unit("boolean") == (DIMENSIONLESS, "boolean")
    assert parse_unit("amp/meter**2")[0] is AMP / get_dimension(m=2)


def test_mapping_and_properties():
    eqs = Equations("""
        # a model
        dv/dt = (g_total*(E - v) + I_ext)/C : volt (unless refractory)
        I_ext = I_a + I_b : amp
        I_a = g_a*(E - v) : amp
        I_b = 2*I_a : amp
        g_total = g_a + g_b : siemens
        g_a : siemens (constant)
        g_b : siemens
        E : volt (constant, shared)
    """)
    assert eqs.names == ("v", "I_ext", "I_a", "I_b", "g_total", "g_a", "g_b", "E")
    assert list(eqs) == list(eqs.names) and len(eqs) == 8
    assert eqs.diff_eq_names == ("v",)
    assert eqs.parameter_names == ("g_a", "g_b", "E")
    order = eqs.subexpr_names
    assert set(order) == {"I_ext", "I_a", "I_b", "g_total"}
    assert order.index("I_a") < order.index("I_b") < order.index("I_ext")
    assert eqs.identifiers == {"C"}
    assert eqs.dims["E"] is VOLT and eqs.dtypes["g_b"] == "float"
    eqs.check_units({"C": get_dimension(m=-2, kg=-1, s=4, A=2)})
    with pytest.raises(TypeError):
        eqs["v"] = None
    assert eqs == Equations(str(eqs))
    assert hash(eqs) == hash(Equations(str(eqs)))


def test_str_is_normalised_and_reparses():
    eqs = Equations("dv/dt=(1-v)/tau:1(unless refractory)\nv0 :  1  (constant,shared)")
    assert str(eqs) == ("dv/dt = (1-v)/tau : 1 (unless refractory)\n"
                        "v0 : 1 (constant, shared)")
    assert Equations(str(eqs)) == eqs
    assert "Equations(" in repr(eqs)
    assert eqs._repr_latex_().startswith("$$")


def test_add():
    a = Equations("dv/dt = -v/tau : volt")
    b = Equations("w : 1")
    both = a + b
    assert both.names == ("v", "w")
    assert (a + "w : 1").names == ("v", "w")
    assert ("w : 1" + a).names == ("w", "v")
    with pytest.raises(EquationError, match="defined twice"):
        a + "v : volt"


def test_comments_may_be_non_ascii():
    assert Equations("v : volt  # membrane potential in \u00b5V").names == ("v",)
    assert parse_expression("v > 1  # \u00e9").identifiers == {"v"}


def test_empty_equations():
    eqs = Equations("\n  # nothing\n")
    assert len(eqs) == 0 and not eqs.is_stochastic


def test_check_units_builtins_and_noise():
    eqs = Equations("""
        dv/dt = (-v + sigma*xi_1*sqrt(tau) + w*xi_2*tau**0.5)/tau + k*(t - lastspike)/tau**2 : 1
        w = int(not_refractory) * i / N : 1
    """)
    assert eqs.stochastic_variables == ("xi_1", "xi_2")
    assert eqs.identifiers == {"sigma", "tau", "k"}
    eqs.check_units({"sigma": DIMENSIONLESS, "tau": SECOND, "k": DIMENSIONLESS})
    assert BUILTIN_DIMS["dt"] is SECOND


def test_check_units_subexpression_and_undefined():
    eqs = Equations("I = g*v : amp\ng : siemens")
    with pytest.raises(DimensionMismatchError, match=r"'I'.*'g\*v'.*siemens.*amp"):
        eqs.check_units({"v": DIMENSIONLESS})
    eqs.check_units({"v": VOLT})
    with pytest.raises(UndefinedNameError, match="'v'"):
        eqs.check_units({})


def test_check_units_exponent_constant():
    eqs = Equations("dv/dt = v/tau * (v/volt)**n : volt")
    eqs.check_units({"tau": SECOND, "n": DIMENSIONLESS, "volt": VOLT}, constants={"n": 2})
    eqs2 = Equations("dv/dt = volt*(tau/second)**n/tau : volt")
    eqs2.check_units({"tau": SECOND, "n": DIMENSIONLESS, "volt": VOLT, "second": SECOND})
    eqs3 = Equations("dv/dt = v*(tau**n)/tau**3 : volt")
    eqs3.check_units({"tau": SECOND, "n": DIMENSIONLESS}, constants={"n": 2})
    with pytest.raises(DimensionMismatchError, match="numeric constant"):
        eqs3.check_units({"tau": SECOND, "n": DIMENSIONLESS})


# namespace ---------------------------------------------------------------------------

def test_default_namespace():
    ns = default_namespace()
    assert ns["pi"] == math.pi and ns["e"] == math.e and ns["inf"] == math.inf
    assert ns["True"] is True and ns["False"] is False
    assert float(ns["mV"]) == pytest.approx(1e-3)
    from neurocodegen.model import namespace
    assert namespace.DEFAULT_NAMESPACE is ns
    with pytest.raises(TypeError):
        ns["x"] = 1


def test_resolve_external_precedence():
    caller = {"tau": 10 * ms, "ms": 5.0, "unused": object()}
    resolved = resolve_external({"tau", "ms", "volt", "pi"}, caller_namespace=caller)
    assert resolved["tau"] == 10 * ms and resolved["ms"] == 5.0
    assert resolved["volt"] == volt and resolved["pi"] == math.pi
    explicit = resolve_external({"tau", "mV"}, explicit_namespace={"tau": 2 * ms},
                                caller_namespace={"tau": 1 * ms})
    assert explicit["tau"] == 2 * ms and explicit["mV"] == mV
    with pytest.raises(UndefinedNameError, match="'tau'"):
        resolve_external({"tau"}, explicit_namespace={}, caller_namespace={"tau": 1 * ms})
    assert resolve_external({"x"}, caller_namespace={"x": np.float64(2)})["x"] == 2
    assert resolve_external({"x"}, caller_namespace={"x": np.array(2.0)})["x"] == 2


def test_resolve_external_errors():
    with pytest.raises(UndefinedNameError, match=r"'a', 'b'.*group 'g'"):
        resolve_external({"b", "a", "tau"}, caller_namespace={"tau": 1}, context="group 'g'")
    with pytest.raises(TypeError, match="module"):
        resolve_external({"x"}, caller_namespace={"x": types})
    with pytest.raises(TypeError, match="string"):
        resolve_external({"x"}, caller_namespace={"x": "1*mV"})
    with pytest.raises(TypeError, match="array"):
        resolve_external({"x"}, caller_namespace={"x": np.ones(3)})
    with pytest.raises(TypeError, match="function"):
        resolve_external({"x"}, caller_namespace={"x": len})
