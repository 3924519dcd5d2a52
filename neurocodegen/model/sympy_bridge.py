"""Conversion between validated expressions and sympy, both ways.

Imported only when sympy is needed (``import neurocodegen`` stays fast).
"""
import ast
import functools
import math

import sympy
from sympy.codegen.cfunctions import log10
from sympy.printing.str import StrPrinter

from neurocodegen.model import sympy_functions as sf

_FUNCTIONS = {
    "exp": sympy.exp, "log": sympy.log, "log10": log10, "sqrt": sympy.sqrt,
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "sinh": sympy.sinh,
    "cosh": sympy.cosh, "tanh": sympy.tanh, "arcsin": sympy.asin,
    "arccos": sympy.acos, "arctan": sympy.atan, "abs": sympy.Abs,
    "sign": sympy.sign, "floor": sympy.floor, "ceil": sympy.ceiling,
    "exprel": sf.exprel, "clip": sf.clip, "int": sf.int_,
    "timestep": sympy.Function("timestep"),    # as the refractory rule writes it
}

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: sympy.floor(a / b),
    ast.Mod: lambda a, b: sympy.Mod(a, b),
    ast.Pow: lambda a, b: a**b,
}

_CMPOPS = {ast.Lt: sympy.Lt, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.GtE: sympy.Ge,
           ast.Eq: sympy.Eq, ast.NotEq: sympy.Ne}


@functools.lru_cache(maxsize=4096)
def symbol(name):
    """The sympy symbol for a model-string name (always real)."""
    return sympy.Symbol(name, real=True)


def to_sympy(expr):
    """sympy form of a validated :class:`~neurocodegen.model.expressions.Expression`."""
    counter = iter(range(1_000_000))
    return _convert(expr.tree, counter)


def _convert(node, counter):
    kind = type(node)
    if kind is ast.Constant:
        value = node.value
        if isinstance(value, bool):
            return sympy.true if value else sympy.false
        if isinstance(value, int):
            return sympy.Integer(value)
        if math.isinf(value):
            return sympy.oo
        return sympy.Float(value)
    if kind is ast.Name:
        return symbol(node.id)
    if kind is ast.BinOp:
        return _BINOPS[type(node.op)](_convert(node.left, counter),
                                      _convert(node.right, counter))
    if kind is ast.UnaryOp:
        operand = _convert(node.operand, counter)
        if type(node.op) is ast.USub:
            return -operand
        if type(node.op) is ast.Not:
            return sympy.Not(operand)
        return operand
    if kind is ast.Compare:
        terms = []
        left = _convert(node.left, counter)
        for op, right_node in zip(node.ops, node.comparators):
            right = _convert(right_node, counter)
            terms.append(_CMPOPS[type(op)](left, right))
            left = right
        return terms[0] if len(terms) == 1 else sympy.And(*terms)
    if kind is ast.BoolOp:
        combine = sympy.And if type(node.op) is ast.And else sympy.Or
        return combine(*(_convert(v, counter) for v in node.values))
    if kind is ast.Call:
        name = node.func.id
        if name == "rand":
            return sf.rand(sympy.Integer(next(counter)))
        if name == "randn":
            return sf.randn(sympy.Integer(next(counter)))
        if name == "poisson":
            site = sympy.Integer(next(counter))
            return sf.poisson(site, _convert(node.args[0], counter))
        args = (_convert(arg, counter) for arg in node.args)
        if name not in _FUNCTIONS:                   # a function of the namespace
            return sympy.Function(name, real=True)(*args)
        return _FUNCTIONS[name](*args)
    raise AssertionError(f"unvalidated node {kind.__name__}")  # pragma: no cover


class ModelStringPrinter(StrPrinter):
    """Prints sympy expressions in model-string syntax (parseable by
    :func:`~neurocodegen.model.expressions.parse_expression`)."""

    _RENAMED = {"Abs": "abs", "asin": "arcsin", "acos": "arccos", "atan": "arctan",
                "ceiling": "ceil", "int_": "int"}
    _RELATIONAL = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in ("rand", "randn"):
            return f"{name}()"
        if name == "poisson":
            return f"poisson({self._print(expr.args[1])})"
        name = self._RENAMED.get(name, name)
        return f"{name}({', '.join(self._print(arg) for arg in expr.args)})"

    _print_Abs = _print_ceiling = _print_asin = _print_acos = _print_atan = _print_Function
    _print_floor = _print_sign = _print_exp = _print_log = _print_Function

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Exp1(self, expr):
        return "e"

    def _print_Infinity(self, expr):
        return "inf"

    def _print_NegativeInfinity(self, expr):
        return "-inf"

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_BooleanFalse(self, expr):
        return "False"

    def _print_Relational(self, expr):
        op = self._RELATIONAL[expr.rel_op]
        return f"{self._wrap(expr.lhs)} {op} {self._wrap(expr.rhs)}"

    def _wrap(self, expr):
        text = self._print(expr)
        return f"({text})" if expr.is_Relational or expr.is_Boolean and not expr.is_Atom \
            else text

    def _print_And(self, expr):
        return " and ".join(f"({self._print(arg)})" for arg in expr.args)

    def _print_Or(self, expr):
        return " or ".join(f"({self._print(arg)})" for arg in expr.args)

    def _print_Not(self, expr):
        return f"not ({self._print(expr.args[0])})"

    def _print_Mod(self, expr):
        a, b = expr.args
        return f"({self._print(a)}) % ({self._print(b)})"

    def _print_Pow(self, expr, rational=False):
        # StrPrinter writes x**(1/2) as sqrt(x) and 1/x; both parse fine
        return super()._print_Pow(expr, rational)

    def _print_ImaginaryUnit(self, expr):
        raise ValueError("complex numbers cannot appear in model strings")

    def emptyPrinter(self, expr):
        raise ValueError(f"{type(expr).__name__} cannot be written as a model string")


def sympy_to_code(expr):
    """Model-string text for a sympy expression."""
    return ModelStringPrinter({"full_prec": True}).doprint(sympy.sympify(expr))
