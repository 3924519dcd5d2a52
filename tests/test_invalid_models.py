"""Invalid model strings: each must raise the right exception with a message
that says what is wrong. One row per case: (where, text, exception, fragment)."""
import os

import pytest

from neurocodegen.errors import (
    DimensionMismatchError, EquationError, ExpressionSyntaxError, IntegrationError,
    UndefinedNameError, UnitError)
from neurocodegen.model import (
    Equations, check_statements, check_threshold, parse_expression, resolve_external)
from neurocodegen.units import get_dimensions, ms
from neurocodegen.units.dimensions import DIMENSIONLESS, get_dimension

VOLT = get_dimension(m=2, kg=1, s=-3, A=-1)
DIMS = {"v": DIMENSIONLESS, "w": DIMENSIONLESS, "u": VOLT, "mV": VOLT,
        "tau": get_dimension(s=1), "b": DIMENSIONLESS}
TYPES = {"b": "boolean"}
WRITABLE = {"v", "w", "u", "b"}
NAMESPACE = {"tau": 10 * ms, "n": 2}


def run_case(where, text):
    if where == "expression":
        parse_expression(text, "expression")
    elif where == "threshold":
        check_threshold(text, DIMS, TYPES)
    elif where == "reset":
        check_statements(text, DIMS, TYPES, writable=WRITABLE)
    elif where == "equations":
        Equations(text)
    elif where == "model":
        eqs = Equations(text)
        values = resolve_external(eqs.identifiers, caller_namespace=NAMESPACE)
        eqs.check_units({k: get_dimensions(v) for k, v in values.items()},
                        group_name="neurongroup")
    elif where == "namespace":
        resolve_external({"x"}, caller_namespace={"x": eval(text, {"os": os})})
    elif where == "synapses":
        _synapses_case(text)
    else:  # pragma: no cover
        raise AssertionError(where)


def _synapses_case(text):
    """A Synapses from a group to itself: ``text`` is the Python of its
    keyword arguments (and of ``connect=``, ``index=``), then a short run."""
    from neurocodegen import Network, NeuronGroup, Synapses, mV
    kwargs = eval(f"dict({text})", {"ms": ms, "mV": mV})
    connect, index = kwargs.pop("connect", {}), kwargs.pop("index", None)
    G = NeuronGroup(4, "dv/dt = -v/(10*ms) : 1\nu : volt", threshold="v > 1")
    S = Synapses(G, G, **kwargs)
    S.connect(**connect)
    if index is not None:
        S.w[index]
    Network(G, S).run(0.1 * ms)


CASES = [
    # grammar: syntax and whitelist
    ("threshold", "v >", ExpressionSyntaxError, "invalid syntax"),
    ("threshold", "v.__class__", ExpressionSyntaxError, "attribute access"),
    ("threshold", "x[0] > 1", ExpressionSyntaxError, "indexing"),
    ("threshold", "lambda: 1", ExpressionSyntaxError, "'lambda' is not allowed"),
    ("threshold", "'str'", ExpressionSyntaxError, "strings are not allowed"),
    ("threshold", 'f"{v}" > 1', ExpressionSyntaxError, "strings are not allowed"),
    ("threshold", "// comment", ExpressionSyntaxError, "'//'"),
    ("threshold", "/* c */ v > 0", ExpressionSyntaxError, "C-style comments"),
    ("threshold", "#include <x>", ExpressionSyntaxError, "preprocessor"),
    ("threshold", "__import__('os')", ExpressionSyntaxError, "'__import__'"),
    ("threshold", "v\u00e9 > 1", ExpressionSyntaxError, "non-ASCII"),
    ("threshold", "v > 1 if w else 0", ExpressionSyntaxError, "conditional expressions"),
    ("threshold", "(v := 1) > 0", ExpressionSyntaxError, "':='"),
    ("threshold", 'system("rm")', ExpressionSyntaxError, "strings are not allowed"),
    ("threshold", "exp(v, w) > 0", ExpressionSyntaxError, "exp() takes 1 argument"),
    ("threshold", "rand(1) > 0", ExpressionSyntaxError, "rand() takes 0 arguments"),
    ("threshold", "exp(x=1) > 0", ExpressionSyntaxError, "keyword arguments"),
    ("threshold", "exp(*v) > 0", ExpressionSyntaxError, "unpacking"),
    ("threshold", "v > 0 & w > 0", ExpressionSyntaxError, "use 'and'"),
    ("threshold", "1j > 0", ExpressionSyntaxError, "complex numbers"),
    ("threshold", "[v] > 0", ExpressionSyntaxError, "lists are not allowed"),
    ("threshold", "v is None", ExpressionSyntaxError, "'is' is not allowed"),
    ("threshold", "_v > 0", ExpressionSyntaxError, "starting with '_'"),
    ("threshold", "a" * 65 + " > 0", ExpressionSyntaxError, "longer than 64"),
    ("threshold", "  ", ExpressionSyntaxError, "empty"),
    ("threshold", "v > 0; w", ExpressionSyntaxError, "Invalid threshold"),
    ("expression", "+".join(["v"] * 300), ExpressionSyntaxError, "nested too deeply"),
    ("expression", "(" * 300 + "v" + ")" * 300, ExpressionSyntaxError, "Invalid expression"),
    ("expression", "v * 99999999999999999999", ExpressionSyntaxError, "too large"),
    ("expression", "v + ~w", ExpressionSyntaxError, "use 'not'"),
    ("expression", "v.real", ExpressionSyntaxError, "Invalid expression 'v.real'"),
    # statements
    ("reset", 'v = 0; system("rm")', ExpressionSyntaxError, "a statement such as"),
    ("reset", "v = 0; w = v[0]", ExpressionSyntaxError, "indexing"),
    ("reset", "v = 0;; w = 1", ExpressionSyntaxError, "invalid syntax"),
    ("reset", "import os", ExpressionSyntaxError, "only assignments"),
    ("reset", "v == 0", ExpressionSyntaxError, "a statement such as"),
    ("reset", "v.x = 1", ExpressionSyntaxError, "attribute access"),
    ("reset", "v[0] = 1", ExpressionSyntaxError, "indexing"),
    ("reset", "v **= 2", ExpressionSyntaxError, "only the assignments"),
    ("reset", "if v > 1: v = 0", ExpressionSyntaxError, "only assignments"),
    ("reset", "a = b = 0", ExpressionSyntaxError, "chained assignments"),
    ("reset", "v = 0\n#define X 1", ExpressionSyntaxError, "line 2"),
    ("reset", "v = 0\nw = os.system('ls')", ExpressionSyntaxError, "attribute access"),
    # types and units in thresholds and resets
    ("threshold", "v + 1", EquationError, "must be a boolean expression"),
    ("threshold", "v > 5*mV", DimensionMismatchError, "'5*mV' is V"),
    ("threshold", "exp(u) > 0", DimensionMismatchError, "calls exp()"),
    ("threshold", "b + 1 > 0", EquationError, "int(...)"),
    ("threshold", "v > 0 and w", EquationError, "need booleans"),
    ("threshold", "undefined_name > 0", UndefinedNameError, "'undefined_name'"),
    ("reset", "w = 5*mV", DimensionMismatchError, "variable 'w' has unit 1"),
    ("reset", "u *= mV", DimensionMismatchError, "'*=' needs a dimensionless value"),
    ("reset", "tau = 1", EquationError, "read-only"),
    ("reset", "unknown = 1", UndefinedNameError, "not a variable of the model"),
    ("reset", "b += 1", EquationError, "booleans can only be assigned"),
    # equation lines
    ("equations", "dv/dt = -v/tau", EquationError, "': unit' is missing"),
    ("equations", "dv/dt = -v/tau\ndw/dt = -w/tau : 1", EquationError,
     "line 1 of the model: the ': unit' is missing (the next line starts a new definition)"),
    ("equations", "w : 1\ndv/dt = -v/tau  # continued\n  + w[0] : 1", ExpressionSyntaxError,
     "Invalid equation for 'v' (line 3) '  + w[0]': indexing"),
    ("equations", "dv/dt = -v/tau\n  + : 1", ExpressionSyntaxError, "(line 2)"),
    ("equations", "dv/dt = -v/tau\n  + 1 : voltz", UnitError, "lines 1-2 of the model"),
    ("equations", "dv/dt = -v/tau : voltz", UnitError, "unknown unit 'voltz'"),
    ("equations", "v : 2*volt", UnitError, "not a product of unit names"),
    ("equations", "v : bool", UnitError, "'boolean'"),
    ("equations", "v : volt (foo)", EquationError, "unknown flag 'foo'"),
    ("equations", "v : volt ()", EquationError, "unknown flag ''"),
    ("equations", "dv/dt = -v/tau : 1 (constant)", EquationError,
     "the flag 'constant' cannot be used for a differential"),
    ("equations", "v : 1 (unless refractory)", EquationError, "'unless refractory'"),
    ("equations", "x = w : 1 (constant)", EquationError, "cannot be used for a subexpression"),
    ("equations", "v : 1 (shared, shared)", EquationError, "given twice"),
    ("equations", "v : 1\nv : volt", EquationError, "'v' is defined twice"),
    ("equations", "dv/dt = -v/tau : 1\nv = 1 : 1", EquationError, "line 2"),
    ("equations", "t : second", EquationError, "built-in variable"),
    ("equations", "N : integer", EquationError, "built-in variable"),
    ("equations", "xi : 1", EquationError, "white noise"),
    ("equations", "xi_1 : 1", EquationError, "white noise"),
    ("equations", "volt : 1", EquationError, "name of a unit"),
    ("equations", "exp : 1", EquationError, "name of a function"),
    ("equations", "pi : 1", EquationError, "name of a constant"),
    ("equations", "lambda : 1", EquationError, "keyword"),
    ("equations", "double : 1", EquationError, "keyword"),
    ("equations", "_v : 1", EquationError, "starting with '_'"),
    ("equations", "v\u00e9 : 1", ExpressionSyntaxError, "non-ASCII character"),
    ("equations", "1v : 1", EquationError, "not a valid name"),
    ("equations", "a = b : 1\nb = a : 1", EquationError, "cycle"),
    ("equations", "a = w*xi : 1", EquationError, "only appear in differential"),
    ("equations", "dn/dt = 1/tau : integer", EquationError, "cannot define an integer"),
    ("equations", "this is not an equation : 1", EquationError, "expected"),
    ("equations", "x = w[0] : 1", ExpressionSyntaxError, "indexing"),
    ("equations", 'dv/dt = __import__("os") : 1', ExpressionSyntaxError, "__import__"),
    ("equations", "I = w : 1 (shared)\nw : 1", EquationError, "shared subexpression 'I'"),
    ("equations", "v : 1\n#include <stdio.h>", ExpressionSyntaxError, "preprocessor"),
    ("equations", "dv/dt = -v/\u03c4 : 1  # caf\u00e9", ExpressionSyntaxError, "non-ASCII"),
    # unit checking of whole models
    ("model", "dv/dt = 1-v : 1", DimensionMismatchError, "dv/dt needs Hz (hertz"),
    ("model", "dv/dt = -v/tau + xi : 1", DimensionMismatchError, "'xi' is s^-0.5"),
    ("model", "dv/dt = -v/tau : volt\nI = v : amp", DimensionMismatchError,
     "subexpression defining variable 'I'"),
    ("model", "dv/dt = (v + 5*mV)/tau : 1", DimensionMismatchError, "mixes units"),
    ("model", "dv/dt = -v/undefined : 1", UndefinedNameError, "'undefined'"),
    ("model", "dv/dt = -system(v)/tau : 1", UndefinedNameError, "'system'"),
    ("model", "x = w : boolean\nw : 1", EquationError, "declared boolean"),
    ("model", "dv/dt = v**tau/tau : volt", DimensionMismatchError,
     "exponents must be dimensionless"),
    ("model", "dv/dt = v**n/tau : volt", DimensionMismatchError, "numeric constant"),
    ("model", "dv/dt = exp(v)/tau : volt", DimensionMismatchError, "calls exp()"),
    # Synapses: models, pathways, connect() and indices
    ("synapses", "model='w : volt', on_pre='v_post += w'", DimensionMismatchError,
     "v_post += w"),
    ("synapses", "on_pre='v_post += undefined_x'", UndefinedNameError,
     "'undefined_x' used is not defined: it is neither a model variable, nor in the "
     "surrounding code, nor a unit or constant. Used in on_pre: 'v_post += undefined_x'"),
    ("synapses", "connect=dict(condition='i != k_unknown')", UndefinedNameError,
     "'k_unknown'"),
    ("synapses", "connect=dict(condition='v_pre + 1')", EquationError, "boolean"),
    ("synapses", "connect=dict(p='1*mV')", DimensionMismatchError, "dimensionless"),
    ("synapses", "connect=dict(i=[0, 7], j=[1, 1])", IndexError, "index 7 is out of range"),
    ("synapses", "connect=dict(j='k for k in sample(N_post, size=10)')", ValueError,
     "from 0 to the 4 values"),
    ("synapses", "on_pre='v += 1', delay=1*mV", DimensionMismatchError, "delay"),
    ("synapses", "model='dA/dt = -A*v_post/(10*ms) : 1 (event-driven)', on_pre='A += 1'",
     EquationError, "event-driven equations may only use synaptic"),
    ("synapses", "model='dA/dt = -A**2/(10*ms) : 1 (event-driven)', on_pre='A += 1'",
     IntegrationError, "exact solution"),
    ("synapses", "on_pre={'up': 'v += 1'}, delay={'down': 1*ms}", ValueError,
     "no such pathway"),
    ("synapses", "model='w : 1\\nu_post = w : 1 (summed)'", DimensionMismatchError,
     "sets 'u'"),
    ("synapses", "model='w : 1', index='i >'", ExpressionSyntaxError, "invalid syntax"),
    ("synapses", "model='w : 1\\nw_eff = 2*w : volt', on_pre='v += 1'", DimensionMismatchError,
     "Inconsistent units in subexpression defining variable 'w_eff'"),
    ("synapses", "model='w : 1\\nw_eff = 2*w : 1', on_pre='w_eff += 1'", EquationError,
     "Cannot assign to 'w_eff' in the on_pre statement 'w_eff += 1': it is read-only"),
    ("synapses", "model='w : 1\\nw_eff = 2*w : 1 (constant over dt)'", NotImplementedError,
     "is 'constant over dt', which synapses do not support yet"),
    ("synapses", "connect=dict(condition='N_incoming > 1')", ValueError,
     "cannot use 'N_incoming': it counts the synapses that connect() makes"),
    ("synapses", "on_pre='N_outgoing = 2'", EquationError,
     "Cannot assign to 'N_outgoing' in the on_pre statement 'N_outgoing = 2': it is read-only"),
    # namespace values
    ("namespace", "os", TypeError, "refers to a module"),
    ("namespace", "'1*mV'", TypeError, "refers to a string"),
]


@pytest.mark.parametrize("where, text, exception, fragment", CASES,
                         ids=[f"{w}:{t[:30]}" for w, t, _, _ in CASES])
def test_invalid(where, text, exception, fragment):
    with pytest.raises(exception) as info:
        run_case(where, text)
    assert fragment in str(info.value)


def test_enough_cases():
    assert len(CASES) >= 45


def test_reset_writing_a_constant_parameter_is_refused_at_run():
    """``(constant)`` means constant: a reset that writes it is an error that
    names the statement, before any code is generated."""
    from neurocodegen import NeuronGroup, Network, ms as _ms
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1\ng : 1 (constant)", threshold="v > 1",
                    reset="v = 0\ng = 2")
    with pytest.raises(EquationError) as info:
        Network(G).run(1 * _ms, namespace={})
    message = str(info.value)
    assert "'g'" in message and "read-only (a constant" in message and "g = 2" in message
