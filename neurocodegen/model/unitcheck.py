"""Dimension and type inference for expressions, and the checks built on it.

Errors quote the user's expression, the offending part of it and the units
involved, e.g. ``Expression 'v + 5*mV' mixes units: 'v' is 1 (dimensionless)
and '5*mV' is V (volt).``
"""
import ast

from neurocodegen.errors import DimensionMismatchError, EquationError, UndefinedNameError
from neurocodegen.model.expressions import (
    FUNCTIONS, Expression, evaluate, parse_expression, parse_statements)
from neurocodegen.units.dimensions import BASE_SYMBOLS, DIMENSIONLESS, TIME

FLOAT, INTEGER, BOOLEAN = "float", "integer", "boolean"

#: Functions whose argument must be dimensionless and whose value is too.
_DIMENSIONLESS_FUNCTIONS = frozenset((
    "exp", "log", "log10", "sin", "cos", "tan", "sinh", "cosh", "tanh",
    "arcsin", "arccos", "arctan", "exprel"))


def _base_form(dim):
    """Base-unit form such as ``1/s`` or ``kg m^2/(s^3 A)``."""
    def term(symbol, exponent):
        return symbol if exponent == 1 else f"{symbol}^{exponent:g}"
    up = [term(s, e) for s, e in zip(BASE_SYMBOLS, dim.exponents) if e > 0]
    down = [term(s, -e) for s, e in zip(BASE_SYMBOLS, dim.exponents) if e < 0]
    text = " ".join(up) or "1"
    if down:
        text += "/" + (down[0] if len(down) == 1 else f"({' '.join(down)})")
    return text


def describe_dimension(dim):
    """Readable unit of a dimension, e.g. ``'1 (dimensionless)'``, ``'V (volt)'``,
    ``'Hz (hertz, 1/s)'``."""
    from neurocodegen.units import dimension_name, format_dimension
    short = format_dimension(dim)
    if dim is DIMENSIONLESS:
        return f"{short} (dimensionless)" if short != "dimensionless" else "1 (dimensionless)"
    base = _base_form(dim) if sum(e != 0 for e in dim.exponents) <= 2 else short
    extra = [name for name in (dimension_name(dim), base) if name != short]
    extra = list(dict.fromkeys(extra))
    return f"{short} ({', '.join(extra)})" if extra else short


def _undefined(name, expr):
    return UndefinedNameError(
        f"The name {name!r} used in {expr.code!r} is not defined: it is neither a "
        "model variable nor in the namespace")


def _constant_value(node, constants):
    """Numeric value of an exponent, or None if it is not a constant."""
    wrapper = Expression(ast.unparse(node), node, frozenset(
        n.id for n in ast.walk(node) if type(n) is ast.Name), frozenset(
        n.func.id for n in ast.walk(node) if type(n) is ast.Call))
    if wrapper.functions & {"rand", "randn", "poisson"} or not wrapper.identifiers <= set(constants or ()):
        return None
    try:
        return float(evaluate(wrapper, constants or {}))
    except (TypeError, ValueError):
        return None


def is_zero_literal(node):
    """Whether ``node`` is a written zero (``0``, ``0.0``, ``-0``): a number that
    has every unit, so ``v == 0`` and ``v = 0`` hold for a ``v`` in volts, as a
    plain zero does for Brian's quantities."""
    while type(node) is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
        node = node.operand
    return (type(node) is ast.Constant and type(node.value) in (int, float)
            and node.value == 0)


class _DimensionInference:
    def __init__(self, expr, dims, constants):
        self.expr = expr
        self.dims = dims
        self.constants = constants

    def mismatch(self, what, *parts):
        """``parts`` are (node, dim) pairs named in the message."""
        described = " and ".join(
            f"{self.expr.segment(node)!r} is {describe_dimension(dim)}" for node, dim in parts)
        raise DimensionMismatchError(
            f"Expression {self.expr.code!r} {what}: {described}.",
            *(dim for _, dim in parts))

    def visit(self, node):
        kind = type(node)
        if kind is ast.Constant:
            return DIMENSIONLESS
        if kind is ast.Name:
            try:
                dim = self.dims[node.id]
            except KeyError:
                raise _undefined(node.id, self.expr) from None
            if hasattr(dim, "arg_dims"):
                raise DimensionMismatchError(
                    f"Expression {self.expr.code!r} uses {node.id!r} as a value, but it is "
                    f"a function (a TimedArray), not a number: call it, {node.id}(t).")
            return dim
        if kind is ast.UnaryOp:
            dim = self.visit(node.operand)
            return DIMENSIONLESS if type(node.op) is ast.Not else dim
        if kind is ast.BinOp:
            return self.binop(node)
        if kind is ast.Compare:
            operands = [node.left, *node.comparators]
            dims = [self.visit(operand) for operand in operands]
            for (a, da), (b, db) in zip(zip(operands, dims), zip(operands[1:], dims[1:])):
                if da is not db and not (is_zero_literal(a) or is_zero_literal(b)):
                    self.mismatch("compares values with different units", (a, da), (b, db))
            return DIMENSIONLESS
        if kind is ast.BoolOp:
            for value in node.values:
                self.visit(value)
            return DIMENSIONLESS
        if kind is ast.Call:
            return self.call(node)
        raise AssertionError(f"unvalidated node {kind.__name__}")  # pragma: no cover

    def binop(self, node):
        op = type(node.op)
        left = self.visit(node.left)
        right = self.visit(node.right)
        if op in (ast.Add, ast.Sub, ast.Mod):
            if left is not right:
                self.mismatch("mixes units", (node.left, left), (node.right, right))
            return left
        if op is ast.Mult:
            return left * right
        if op in (ast.Div, ast.FloorDiv):
            return left / right
        # power
        if right is not DIMENSIONLESS:
            self.mismatch("raises to a power with units; exponents must be dimensionless",
                          (node.right, right))
        if left is DIMENSIONLESS:
            return DIMENSIONLESS
        exponent = _constant_value(node.right, self.constants)
        if exponent is None:
            raise DimensionMismatchError(
                f"Expression {self.expr.code!r} raises {self.expr.segment(node.left)!r}, "
                f"which has units ({describe_dimension(left)}), to the power "
                f"{self.expr.segment(node.right)!r}; the exponent of a quantity with "
                "units must be a numeric constant.", left)
        return left**exponent

    def call(self, node):
        name = node.func.id
        dims = [self.visit(arg) for arg in node.args]
        if name in self.dims:                        # a function of the namespace
            return self.external_call(node, self.dims[name], dims)
        if name not in FUNCTIONS:
            raise UndefinedNameError(
                f"Expression {self.expr.code!r} calls the unknown function {name!r}: it is "
                f"neither a built-in function ({', '.join(sorted(FUNCTIONS))}) nor a "
                "TimedArray of the namespace.")
        if name in ("rand", "randn"):
            return DIMENSIONLESS
        if name in _DIMENSIONLESS_FUNCTIONS or name in ("int", "poisson"):
            if dims[0] is not DIMENSIONLESS:
                self.mismatch(f"calls {name}() with an argument that has units "
                              "(it must be dimensionless)", (node.args[0], dims[0]))
            return DIMENSIONLESS
        if name == "sqrt":
            return dims[0]**0.5
        if name == "sign":
            return DIMENSIONLESS
        if name == "timestep":                       # Brian's timestep(t, dt): a step number
            for arg, dim in zip(node.args, dims):
                if dim is not TIME:
                    self.mismatch("calls timestep(t, dt) with an argument that is not a "
                                  "time", (arg, dim))
            return DIMENSIONLESS
        if name == "clip":
            for arg, dim in zip(node.args[1:], dims[1:]):
                if dim is not dims[0]:
                    self.mismatch("calls clip() with bounds whose units differ from "
                                  "the value's", (node.args[0], dims[0]), (arg, dim))
            return dims[0]
        return dims[0]  # abs, floor, ceil


    def external_call(self, node, function, dims):
        """A call of a function of the namespace: ``function`` has
        ``arg_dims`` (one dimension per argument) and ``dim`` (its value's)."""
        name = node.func.id
        signature = getattr(function, "arg_dims", None)
        if signature is None:
            raise DimensionMismatchError(
                f"Expression {self.expr.code!r} calls {name!r}, which is not a function "
                "(a TimedArray) but a value.")
        if len(dims) != len(signature):
            raise DimensionMismatchError(
                f"Expression {self.expr.code!r} calls {name}() with {len(dims)} "
                f"argument(s); it takes {len(signature)} ({function.describe_args()}).")
        for arg, got, needed in zip(node.args, dims, signature):
            if got is not needed:
                raise DimensionMismatchError(
                    f"Expression {self.expr.code!r} calls {name}() with "
                    f"{self.expr.segment(arg)!r}, which is {describe_dimension(got)}; "
                    f"{name}() takes {function.describe_args()}.", got, needed)
        return function.dim


def infer_dimension(expr, dims, constants=None):
    """The dimension of ``expr`` given ``dims`` (name -> Dimension) of its names.

    ``constants`` (name -> float) lets names serve as exponents of quantities
    with units (``x**n``). Raises DimensionMismatchError or UndefinedNameError.
    """
    expr = parse_expression(expr)
    return _DimensionInference(expr, dims, constants).visit(expr.tree)


class _TypeInference:
    def __init__(self, expr, types):
        self.expr = expr
        self.types = types

    def fail(self, node, reason):
        raise EquationError(f"Expression {self.expr.code!r}: {reason} "
                            f"(in {self.expr.segment(node)!r}).")

    def numeric(self, node):
        kind = self.visit(node)
        if kind == BOOLEAN:
            self.fail(node, f"{self.expr.segment(node)!r} is a boolean, but a number is "
                      "needed here; convert it with int(...)")
        return kind

    def boolean(self, node):
        kind = self.visit(node)
        if kind != BOOLEAN:
            self.fail(node, f"{self.expr.segment(node)!r} is a number ({kind}), but "
                      "'and', 'or' and 'not' need booleans (e.g. comparisons)")
        return kind

    def visit(self, node):
        kind = type(node)
        if kind is ast.Constant:
            value = node.value
            return BOOLEAN if isinstance(value, bool) else \
                INTEGER if isinstance(value, int) else FLOAT
        if kind is ast.Name:
            try:
                return self.types[node.id]
            except KeyError:
                raise _undefined(node.id, self.expr) from None
        if kind is ast.UnaryOp:
            if type(node.op) is ast.Not:
                return self.boolean(node.operand)
            return self.numeric(node.operand)
        if kind is ast.BinOp:
            left, right = self.numeric(node.left), self.numeric(node.right)
            if type(node.op) in (ast.Div, ast.Pow):
                return FLOAT
            return INTEGER if left == right == INTEGER else FLOAT
        if kind is ast.Compare:
            operands = [node.left, *node.comparators]
            kinds = [self.visit(operand) for operand in operands]
            ordering = any(type(op) not in (ast.Eq, ast.NotEq) for op in node.ops)
            if BOOLEAN in kinds and (ordering or len(set(kinds)) > 1):
                self.fail(node, "booleans can only be compared with == or != to booleans")
            return BOOLEAN
        if kind is ast.BoolOp:
            for value in node.values:
                self.boolean(value)
            return BOOLEAN
        if kind is ast.Call:
            name = node.func.id
            if name in ("rand", "randn"):
                return FLOAT
            if name in ("int", "poisson"):
                self.visit(node.args[0])
                return INTEGER
            if name == "timestep":
                for arg in node.args:
                    self.numeric(arg)
                return INTEGER
            kinds = [self.numeric(arg) for arg in node.args]
            if name in ("abs", "sign", "clip") and all(k == INTEGER for k in kinds):
                return INTEGER
            return FLOAT
        raise AssertionError(f"unvalidated node {kind.__name__}")  # pragma: no cover


def infer_type(expr, types):
    """``'float'``, ``'integer'`` or ``'boolean'``: the type of ``expr`` given the
    types of its names. Raises EquationError for booleans used as numbers and
    numbers used as booleans."""
    expr = parse_expression(expr)
    return _TypeInference(expr, types).visit(expr.tree)


def _types_for(dims, types):
    """Types default to float for names that have a dimension but no type."""
    return {name: FLOAT for name in dims} | dict(types or {})


def check_threshold(expr, dims, types=None, constants=None, context="threshold"):
    """Check that a threshold (or other condition) is a consistent boolean
    expression; returns the parsed Expression."""
    expr = parse_expression(expr, context)
    try:
        infer_dimension(expr, dims, constants)
        kind = infer_type(expr, _types_for(dims, types))
    except DimensionMismatchError as err:
        raise DimensionMismatchError(f"Inconsistent units in the {context} "
                                     f"{expr.code!r}: {err}", *err.dims) from None
    if kind != BOOLEAN:
        raise EquationError(
            f"The {context} {expr.code!r} must be a boolean expression such as "
            f"'v > 1', but it is a number ({kind}).")
    return expr


def check_statements(statements, dims, types=None, writable=None, constants=None,
                     context="reset"):
    """Check statements (e.g. a reset): every target must be in ``writable``
    (all names of ``dims`` if None), ``=``/``+=``/``-=`` need the target's
    unit, ``*=``/``/=`` a dimensionless value. Returns the statements."""
    if isinstance(statements, str):
        statements = parse_statements(statements, context)
    types = _types_for(dims, types)
    writable = set(dims) if writable is None else set(writable)
    for stmt in statements:
        where = f"{context} statement {stmt.code!r}" + (
            f" (line {stmt.lineno})" if stmt.lineno > 1 else "")
        if stmt.target not in writable or stmt.target not in dims:
            if stmt.target in dims:
                raise EquationError(f"Cannot assign to {stmt.target!r} in the {where}: "
                                    "it is read-only (a constant, a linked variable, a "
                                    "subexpression or a built-in variable).")
            raise UndefinedNameError(f"Cannot assign to {stmt.target!r} in the {where}: "
                                     "it is not a variable of the model.")
        target_dim = dims[stmt.target]
        try:
            value_dim = infer_dimension(stmt.expr, dims, constants)
            value_type = infer_type(stmt.expr, types)
        except DimensionMismatchError as err:
            raise DimensionMismatchError(f"Inconsistent units in the {where}: {err}",
                                         *err.dims) from None
        needed = target_dim if stmt.op in ("=", "+=", "-=") else DIMENSIONLESS
        if value_dim is not needed and not is_zero_literal(stmt.expr.tree):
            role = (f"variable {stmt.target!r} has unit {describe_dimension(target_dim)}"
                    if stmt.op in ("=", "+=", "-=") else
                    f"'{stmt.op}' needs a dimensionless value")
            raise DimensionMismatchError(
                f"Inconsistent units in the {where}: {role}, but the right-hand side "
                f"{stmt.expr.code!r} has unit {describe_dimension(value_dim)}.",
                needed, value_dim)
        target_type = types.get(stmt.target, FLOAT)
        if (target_type == BOOLEAN) != (value_type == BOOLEAN) or \
                (target_type == BOOLEAN and stmt.op != "="):
            raise EquationError(
                f"Type mismatch in the {where}: {stmt.target!r} is {target_type} but "
                f"{stmt.expr.code!r} is {value_type}"
                + ("; booleans can only be assigned with '='" if target_type == BOOLEAN
                   else "; convert booleans with int(...)") + ".")
    return tuple(statements)
