"""Fuzzing the model-string parsers: random text and random well-formed-looking
expressions may be refused, but only ever with one of our own exceptions;
code-injection attempts are refused as syntax errors wherever a user can
write a model string."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurocodegen import NeuronGroup, ms, mV, nA, second
from neurocodegen.errors import ExpressionSyntaxError, NeurocodegenError
from neurocodegen.model.equations import Equations
from neurocodegen.model.expressions import FUNCTIONS, parse_expression, parse_statements
from neurocodegen.model.unitcheck import infer_dimension
from neurocodegen.units import get_dimensions

# Deterministic, so that the suite passes or fails the same way every time;
# 4 x 2,600 + 600 random texts per parser: over 10,000 cases in all.
FUZZ = settings(max_examples=2600, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))

NAMES = ["v", "w", "t", "dt", "i", "N", "tau", "I", "xi", "lastspike", "x1", "exp", "sin",
         "rand", "ms", "mV", "second", "pi", "e", "inf", "True", "False", "vv" * 40,
         "_v", "__v__", "if", "None", "print", "system", "import"]
UNITS = ["1", "volt", "mV", "second", "ms", "amp", "nA", "siemens", "Hz", "ms**-0.5",
         "volt/second", "metre**2", "boolean", "integer", "mV ** 2", "1/ms", "foo", "", "kg*"]
FLAGS = ["", " (unless refractory)", " (constant)", " (shared)", " (constant over dt)",
         " (shared, constant)", " (oops)", " (", " ()"]
BINARY = ["+", "-", "*", "/", "**", "%", "//", "<", ">", "<=", ">=", "==", "!=", " and ",
          " or ", "@", "&", "|", "^", "<<"]
SYNTAX = "v w t 0 1 2 . e + - * / % ( ) , : = < > ! & | ^ ~ # ' \" [ ] { } ; _ \n \t"
TEXT = st.text(alphabet=st.sampled_from(SYNTAX.split(" ") + [" ", "x", "é", "\x00"]),
               max_size=40) | st.text(max_size=40)

numbers = (st.integers(-10**20, 10**20).map(str)
           | st.floats(allow_nan=False, allow_infinity=False).map(repr)
           | st.sampled_from(["1e308", "1e-320", "0.0", "1e999", "0x10", "1_000", "07",
                              "1.5e3", "3j"]))
atoms = st.sampled_from(NAMES) | numbers


def _combine(children):
    binary = st.tuples(children, st.sampled_from(BINARY), children).map(
        lambda p: f"{p[0]}{p[1]}{p[2]}")
    unary = st.tuples(st.sampled_from(["-", "+", "not ", "~"]), children).map("".join)
    call = st.tuples(st.sampled_from(sorted(FUNCTIONS) + ["abs", "max", "foo"]),
                     st.lists(children, max_size=3)).map(
        lambda p: f"{p[0]}({', '.join(p[1])})")
    paren = children.map(lambda c: f"({c})")
    unit = st.tuples(children, st.sampled_from(["*ms", "*mV", "/second", "*nA"])).map("".join)
    return binary | unary | call | paren | unit


expressions = st.recursive(atoms, _combine, max_leaves=12)
DIMS = {"v": get_dimensions(mV), "w": get_dimensions(mV), "tau": get_dimensions(ms),
        "I": get_dimensions(nA), "x1": get_dimensions(1), "i": get_dimensions(1),
        "N": get_dimensions(1), "xi": get_dimensions(second ** -0.5),
        "lastspike": get_dimensions(ms), "ms": get_dimensions(ms), "mV": get_dimensions(mV),
        "second": get_dimensions(second), "pi": get_dimensions(1), "e": get_dimensions(1),
        "inf": get_dimensions(1)}


def _only_ours(function, *args):
    try:
        function(*args)
    except NeurocodegenError:
        pass


@FUZZ
@given(expressions | TEXT)
def test_parse_expression_raises_only_our_errors(text):
    _only_ours(parse_expression, text)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(NAMES),
                          st.sampled_from(["=", "+=", "-=", "*=", "/=", "**=", "==", ":="]),
                          expressions).map(lambda p: " ".join(p)) | TEXT,
                max_size=3).map("\n".join))
def test_parse_statements_raises_only_our_errors(text):
    _only_ours(parse_statements, text)


equation_lines = st.tuples(
    st.sampled_from(["dv/dt = ", "dw/dt = ", "v = ", "v : ", "dv/dx = ", "d/dt = ", ""]),
    expressions, st.sampled_from([" : ", " ", " :: "]), st.sampled_from(UNITS),
    st.sampled_from(FLAGS)).map("".join)


@FUZZ
@given(st.lists(equation_lines | TEXT, max_size=3).map("\n".join))
def test_equations_raise_only_our_errors(text):
    _only_ours(Equations, text)


@FUZZ
@given(expressions)
def test_infer_dimension_raises_only_our_errors(text):
    _only_ours(infer_dimension, text, DIMS, {"N": 10.0, "i": 1.0})


# -- injection attempts, wherever a model string can be written ----------------

ATTEMPTS = {
    "two statements": 'v = 0; system("ls")',
    "import": "__import__('os')",
    "dunder attribute": "v.__class__",
    "attribute": "v.real",
    "indexing": "x[0]",
    "lambda": "lambda: 1",
    "string": "'str'",
    "bytes": "b'x'",
    "f-string": "f'{v}'",
    "C++ line comment": "// c",
    "C block comment": "/* c */",
    "preprocessor": "#include <x>",
    "long identifier": "v" * 5000,
    "non-ASCII name": "v\u00e9",
    "NUL byte": "v\x00",
    "walrus": "(v := 1)",
    "comprehension": "[v for v in v]",
    "conditional expression": "v if v else 0",
    "exec": "exec('1')",
    "getattr": "getattr(v, 'x')",
    "ellipsis": "...",
    "complex literal": "1j",
}
MODEL = "dv/dt = -v/(10*ms) : 1"


def _in_model(text):
    NeuronGroup(1, f"dv/dt = ({text})/(10*ms) : 1", method="euler")


def _in_threshold(text):
    NeuronGroup(1, MODEL, threshold=text, method="euler")


def _in_reset(text):
    NeuronGroup(1, MODEL, threshold="v > 1", reset=text, method="euler")


def _in_reset_value(text):
    NeuronGroup(1, MODEL, threshold="v > 1", reset=f"v = {text}", method="euler")


def _in_assignment(text):
    G = NeuronGroup(1, MODEL, method="euler")
    G.v = text


PLACES = {"model": _in_model, "threshold": _in_threshold, "reset": _in_reset,
          "reset value": _in_reset_value, "G.v = '...'": _in_assignment}

# In a model's equation, the raw-text checks (non-ASCII, control characters,
# preprocessor lines) raise EquationError, a ValueError, where every other
# place raises ExpressionSyntaxError: see the report of this change.
KNOWN = {}   # (place, attempt) -> reason, for attempts that do not yet fail cleanly


def _cases():
    for place in PLACES:
        for name in ATTEMPTS:
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN[place, name])] \
                if (place, name) in KNOWN else []
            yield pytest.param(place, name, marks=marks, id=f"{place}-{name}")


@pytest.mark.parametrize("place, name", list(_cases()))
def test_injection_attempt_is_a_syntax_error(place, name):
    with pytest.raises(ExpressionSyntaxError) as err:
        PLACES[place](ATTEMPTS[name])
    assert isinstance(err.value, SyntaxError) and str(err.value)


# -- edge cases of unit inference (found by fuzzing) --------------------------

EDGE = [
    "v**1e308", "mV**1e999", "v**N**N**N**N",
    "v**(2**64)", "v**-1e-320", "2**10**10", "exp(1e308)*mV", "v**inf", "v**nan",
    "(" * 200 + "v" + ")" * 200, "-" * 10000 + "v", "v" + "+v" * 20000,
]


@pytest.mark.parametrize("text", EDGE, ids=lambda t: t[:20])
def test_unit_inference_edge_cases_raise_only_our_errors(text):
    try:
        infer_dimension(text, DIMS, {"N": 10.0})
    except NeurocodegenError:
        pass


def test_huge_exponent_in_a_model_is_a_unit_error():
    from neurocodegen import Network
    G = NeuronGroup(1, "dv/dt = -v**1e308/ms : volt", method="euler")
    with pytest.raises(NeurocodegenError):
        Network(G).run(0.1 * ms)
