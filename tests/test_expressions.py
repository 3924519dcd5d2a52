"""Expressions and statements: parsing, evaluation, sympy, dimensions, types."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocodegen.errors import (
    DimensionMismatchError, EquationError, ExpressionSyntaxError, UndefinedNameError)
from neurocodegen.model import (
    Expression, Statement, check_statements, check_threshold, evaluate, infer_dimension,
    infer_type, parse_expression, parse_statements, sympy_to_code, to_sympy)
from neurocodegen.units.dimensions import DIMENSIONLESS, get_dimension

VOLT = get_dimension(m=2, kg=1, s=-3, A=-1)
SECOND = get_dimension(s=1)
HERTZ = get_dimension(s=-1)


# parsing ---------------------------------------------------------------------

@pytest.mark.parametrize("code, identifiers, functions", [
    ("(1-v)/tau", {"v", "tau"}, set()),
    ("v>0.8", {"v"}, set()),
    ("rand()*(vt0-vr)+vr", {"vt0", "vr"}, {"rand"}),
    ("i*v0_max/(N-1)", {"i", "v0_max", "N"}, set()),
    ("(sin(2*pi*100*Hz*t)-v)/tau", {"pi", "Hz", "t", "v", "tau"}, {"sin"}),
    ("(v0-v)/tau+sigma*xi*tau**-0.5", {"v0", "v", "tau", "sigma", "xi"}, set()),
    ("a < b <= c and not d or e != f", set("abcdef"), set()),
    ("clip(x, 0, 1) + exprel(x) + int(x > 0) + randn()", {"x"}, {"clip", "exprel", "int",
                                                               "randn"}),
    ("True", set(), set()),
    ("  v > 1  # comment", {"v"}, set()),
    ("(a +\n b)", {"a", "b"}, set()),
    ("a  # continued as Brian does\n + b", {"a", "b"}, set()),
])
def test_parse_expression(code, identifiers, functions):
    expr = parse_expression(code)
    assert isinstance(expr, Expression)
    assert expr.identifiers == identifiers
    assert expr.functions == functions
    lines = (line.split("#")[0].strip() for line in code.split("\n"))
    assert expr.code == " ".join(line for line in lines if line)  # one line, no comment
    assert parse_expression(expr) is expr


def test_expression_equality_and_hash():
    assert parse_expression("v + 1") == parse_expression(" v + 1 ")
    assert len({parse_expression("v"), parse_expression("v")}) == 1


def test_parse_statements():
    stmts = parse_statements("""
        v = vr
        # a comment

        vt += delta_vt0  # trailing comment
        w -= 1
        x *= 2
        y /= 2
    """)
    assert [(s.target, s.op, s.expr.code) for s in stmts] == [
        ("v", "=", "vr"), ("vt", "+=", "delta_vt0"), ("w", "-=", "1"),
        ("x", "*=", "2"), ("y", "/=", "2")]
    assert stmts[1].lineno == 5
    assert stmts[1].code == "vt += delta_vt0"
    assert all(isinstance(s, Statement) for s in stmts)
    assert parse_statements("v = 0")[0].lineno == 1


def test_syntax_error_message_has_caret_and_context():
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_expression("v > 0.8 and x[0]", "threshold")
    lines = str(info.value).split("\n")
    assert "threshold" in lines[0] and "'v > 0.8 and x[0]'" in lines[0]
    assert lines[1].strip() == "v > 0.8 and x[0]"
    assert lines[2].index("^") == lines[1].index("x[0]")
    assert isinstance(info.value, SyntaxError)


def test_statement_error_names_line():
    with pytest.raises(ExpressionSyntaxError, match="line 3"):
        parse_statements("v = 0\n\nw = x.y")


# evaluation --------------------------------------------------------------------

def test_evaluate_arrays():
    x = np.array([-1.5, 0.0, 2.0])
    np.testing.assert_allclose(evaluate("exprel(x)", {"x": x}),
                               [np.expm1(-1.5) / -1.5, 1.0, np.expm1(2) / 2])
    np.testing.assert_array_equal(evaluate("int(x)", {"x": x}), [-1, 0, 2])
    np.testing.assert_array_equal(evaluate("int(x > 0)", {"x": x}), [0, 0, 1])
    np.testing.assert_array_equal(evaluate("0 < x <= 2 and not x == 2", {"x": x}),
                                  [False, False, False])
    np.testing.assert_array_equal(evaluate("x < 0 or x > 1", {"x": x}), [True, False, True])
    np.testing.assert_allclose(evaluate("clip(x, -1, 1)", {"x": x}), [-1, 0, 1])
    np.testing.assert_allclose(evaluate("x // 1 + x % 1", {"x": x}), x)
    assert evaluate("2**-1", {}) == 0.5
    assert evaluate("abs(-3) + sign(-2) + floor(1.5) + ceil(1.5)", {}) == 3 - 1 + 1 + 2
    assert math.isinf(evaluate("1/x", {"x": 0.0}))


def test_evaluate_random_and_tutorial_assignments():
    rng = np.random.default_rng(1)
    values = evaluate("rand()*(vt0-vr)+vr", {"vt0": -0.05, "vr": -0.07},
                      rand=lambda: rng.random(1000))
    assert values.shape == (1000,) and values.min() >= -0.07 and values.max() < -0.05
    i = np.arange(100)
    v0 = evaluate("i*v0_max/(N-1)", {"i": i, "v0_max": 3.0, "N": 100})
    assert v0[0] == 0 and v0[-1] == pytest.approx(3.0)
    with pytest.raises(ValueError, match="rand"):
        evaluate("rand()", {})


def test_evaluate_undefined_name():
    with pytest.raises(UndefinedNameError, match="'tau'"):
        evaluate("v/tau", {"v": 1.0})


# sympy ---------------------------------------------------------------------------

@pytest.mark.parametrize("code", [
    "(1-v)/tau", "v > 0.8", "rand()*(vt0-vr)+vr", "(v0-v)/tau+sigma*xi*tau**-0.5",
    "exp(-t/tau)*sqrt(x) + log(y) + log10(z)", "abs(x) + arcsin(x) + arccos(x) + arctan(x)",
    "floor(x) + ceil(x) + sign(x) + x // y + x % y", "clip(v, 0, 1) + exprel(v)",
    "int(v > 0) + randn()", "a < b and (c >= d or not e == f)", "sinh(x)*cosh(x)/tanh(x)",
    "True", "1.0000000000000002*x",
])
def test_sympy_round_trip(code):
    sym = to_sympy(code)
    back = sympy_to_code(sym)
    assert to_sympy(back) == sym
    parse_expression(back)


def test_to_sympy_details():
    import sympy
    v, tau = sympy.Symbol("v", real=True), sympy.Symbol("tau", real=True)
    assert to_sympy("(1-v)/tau") == (1 - v) / tau
    assert to_sympy("rand() - rand()") != 0
    assert to_sympy("exprel(0)") == 1
    assert to_sympy("int(2.7)") == 2 and to_sympy("int(-2.7)") == -2
    assert isinstance(to_sympy("a < b < c"), sympy.And)


numbers = st.floats(min_value=-10, max_value=10, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def arithmetic(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(["x", "y", "2", "0.5", "3"]))
    op = draw(st.sampled_from(["+", "-", "*"]))
    return f"({draw(arithmetic(depth - 1))} {op} {draw(arithmetic(depth - 1))})"


@settings(max_examples=40, deadline=None)
@given(arithmetic(), numbers, numbers)
def test_evaluate_agrees_with_sympy(code, x, y):
    import sympy
    sym = to_sympy(code)
    expected = float(sym.subs({sympy.Symbol("x", real=True): x,
                               sympy.Symbol("y", real=True): y}))
    assert evaluate(code, {"x": x, "y": y}) == pytest.approx(expected, rel=1e-9, abs=1e-9)


# dimensions and types -------------------------------------------------------------

DIMS = {"v": VOLT, "w": DIMENSIONLESS, "tau": SECOND, "mV": VOLT, "n": DIMENSIONLESS,
        "b": DIMENSIONLESS, "k": DIMENSIONLESS, "xi": get_dimension(s=-0.5)}
TYPES = {"v": "float", "w": "float", "tau": "float", "mV": "float", "n": "integer",
         "b": "boolean", "k": "integer", "xi": "float"}


@pytest.mark.parametrize("code, dim", [
    ("v + 5*mV", VOLT), ("v/tau", VOLT / SECOND), ("v > 0*mV", DIMENSIONLESS),
    ("sqrt(v*v)", VOLT), ("tau**-0.5", get_dimension(s=-0.5)), ("w**w", DIMENSIONLESS),
    ("exp(-tau/tau)", DIMENSIONLESS), ("abs(v) + clip(v, mV, 2*mV)", VOLT),
    ("sign(v)", DIMENSIONLESS), ("int(w)", DIMENSIONLESS), ("v % mV", VOLT),
    ("v // mV", DIMENSIONLESS), ("xi*tau**0.5", DIMENSIONLESS), ("rand()", DIMENSIONLESS),
    ("tau**n2", SECOND**2),
])
def test_infer_dimension(code, dim):
    assert infer_dimension(code, DIMS | {"n2": DIMENSIONLESS}, constants={"n2": 2}) is dim


def test_dimension_mismatch_message():
    with pytest.raises(DimensionMismatchError) as info:
        infer_dimension("w + 5*mV", DIMS)
    message = str(info.value)
    assert "'w + 5*mV'" in message and "'w' is 1" in message and "'5*mV' is V" in message
    assert info.value.dims == (DIMENSIONLESS, VOLT)


@pytest.mark.parametrize("code, kind", [
    ("v + 1", "float"), ("n + k", "integer"), ("n / k", "float"), ("v > 1", "boolean"),
    ("b and v > 1", "boolean"), ("not b", "boolean"), ("int(v)", "integer"),
    ("int(b)", "integer"), ("abs(n)", "integer"), ("1", "integer"), ("1.0", "float"),
    ("True", "boolean"), ("b == True", "boolean"), ("n**2", "float"),
])
def test_infer_type(code, kind):
    assert infer_type(code, TYPES) == kind


def test_check_threshold_and_statements():
    assert check_threshold("v > 5*mV", DIMS, TYPES).code == "v > 5*mV"
    stmts = check_statements("v = 5*mV\nv += mV\nw *= 2\nb = v > mV", DIMS, TYPES,
                             writable={"v", "w", "b"})
    assert len(stmts) == 4
    with pytest.raises(DimensionMismatchError, match=r"'w = 5\*mV'.*'w' has unit 1.*V"):
        check_statements("w = 5*mV", DIMS, TYPES, writable={"w"})
    with pytest.raises(DimensionMismatchError, match="dimensionless"):
        check_statements("v *= mV", DIMS, TYPES, writable={"v"})
    with pytest.raises(EquationError, match="read-only"):
        check_statements("tau = 1", DIMS, TYPES, writable={"v"})
