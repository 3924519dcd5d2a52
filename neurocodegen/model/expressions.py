"""Expressions and statements in model strings: a whitelisted subset of Python.

Model strings (right-hand sides of equations, thresholds, resets, string
assignments such as ``G.v = 'rand()*(vt0-vr)+vr'``) are parsed with Python's
:mod:`ast` and then checked against a whitelist: numbers, names, arithmetic,
comparisons, ``and``/``or``/``not``, calls of the functions in
:data:`FUNCTIONS` and of functions from the namespace (a TimedArray, checked
when the model is run). Anything else (attributes, indexing, strings, lambdas, ...)
raises :class:`~neurocodegen.errors.ExpressionSyntaxError` with a caret under
the offending part, so nothing a user writes can reach generated code
unchecked.

This module has no sympy import; :func:`to_sympy` imports it on first use.
"""
import ast
import functools
import keyword
import re
from dataclasses import dataclass, field

import numpy as np

from neurocodegen.errors import ExpressionSyntaxError, UndefinedNameError

#: Functions usable in model strings, with their number of arguments.
FUNCTIONS = {
    **{name: 1 for name in (
        "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh", "cosh",
        "tanh", "arcsin", "arccos", "arctan", "abs", "sign", "floor", "ceil",
        "exprel", "int")},
    "clip": 3,
    "timestep": 2,
    "rand": 0,
    "randn": 0,
    "poisson": 1,
}

#: Longest identifier we accept (generated code prefixes names, and very long
#: names are more likely an accident or an attack than a model).
MAX_NAME_LENGTH = 64

#: Deepest expression tree we accept (a chain ``a+b+...`` of n terms is n deep);
#: it keeps every recursive walker far from Python's recursion limit.
MAX_DEPTH = 200

#: Operators allowed in augmented assignments of statements.
STATEMENT_OPS = ("=", "+=", "-=", "*=", "/=")

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
           ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
_UNARYOPS = {ast.UAdd: "+", ast.USub: "-", ast.Not: "not"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
           ast.Eq: "==", ast.NotEq: "!="}
_AUGOPS = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/="}

_FORBIDDEN_OPS = {
    ast.BitAnd: "the operator '&' is not allowed; use 'and'",
    ast.BitOr: "the operator '|' is not allowed; use 'or'",
    ast.BitXor: "the operator '^' is not allowed; use '**' for powers",
    ast.Invert: "the operator '~' is not allowed; use 'not'",
    ast.LShift: "the operator '<<' is not allowed",
    ast.RShift: "the operator '>>' is not allowed",
    ast.MatMult: "the operator '@' is not allowed",
    ast.Is: "'is' is not allowed; use '=='",
    ast.IsNot: "'is not' is not allowed; use '!='",
    ast.In: "'in' is not allowed",
    ast.NotIn: "'not in' is not allowed",
}

_FORBIDDEN_NODES = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "indexing ('[...]') is not allowed",
    ast.Slice: "slices are not allowed",
    ast.Lambda: "'lambda' is not allowed",
    ast.IfExp: "conditional expressions ('a if c else b') are not allowed",
    ast.NamedExpr: "assignment expressions (':=') are not allowed",
    ast.Starred: "unpacking ('*x') is not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
}

_PREPROCESSOR = re.compile(
    r"#\s*(include|define|undef|ifdef|ifndef|if|elif|else|endif|pragma|error|line)\b")


@dataclass(frozen=True)
class Expression:
    """A validated expression.

    ``code`` is the user's text (surrounding whitespace removed), ``tree`` the
    validated :class:`ast.expr` whose source positions refer to ``code``,
    ``identifiers`` the names it takes from its model or namespace
    (variables, constants, and the functions it calls that are not built in,
    such as a TimedArray) and ``functions`` the function names it calls. Two
    expressions are equal when their code is.
    """

    code: str
    tree: ast.expr = field(compare=False, repr=False)
    identifiers: frozenset = field(compare=False, repr=False)
    functions: frozenset = field(compare=False, repr=False)

    def __str__(self):
        return self.code

    def segment(self, node):
        """The user's text for a sub-node of :attr:`tree`."""
        text = ast.get_source_segment(self.code, node)
        return text if text is not None else ast.unparse(node)


@dataclass(frozen=True)
class Statement:
    """One statement of a statement string such as a reset.

    ``op`` is one of :data:`STATEMENT_OPS`; ``code`` is the statement as
    written and ``lineno`` the 1-based number of its line in the whole string.
    """

    target: str
    op: str
    expr: Expression
    code: str
    lineno: int = 1

    def __str__(self):
        return self.code


# --------------------------------------------------------------------------
# error reporting

def _fail(context, line, reason, start, end=None, lineno=None):
    """Raise ExpressionSyntaxError quoting ``line`` with a caret under
    columns ``start:end`` (0-based)."""
    start = max(0, min(start, len(line)))
    end = start + 1 if end is None or end <= start else min(end, max(len(line), start + 1))
    where = f" (line {lineno})" if lineno is not None else ""
    message = (f"Invalid {context}{where} {line!r}: {reason}\n"
               f"    {line}\n    {' ' * start}{'^' * (end - start)}")
    raise ExpressionSyntaxError(message, line, start + 1, lineno or 1)


def check_text(context, line, lineno=None):
    """Checks on the raw text, before Python's parser sees it."""
    for pos, char in enumerate(line.split("#", 1)[0]):  # comments may be non-ASCII
        if ord(char) > 127:
            _fail(context, line, f"non-ASCII character {char!r}; names and operators "
                  "must be plain ASCII", pos, lineno=lineno)
        if char in "\x00\r\x0b\x0c":
            _fail(context, line, "control characters are not allowed", pos, lineno=lineno)
    match = _PREPROCESSOR.search(line)
    if match:
        _fail(context, line, "C preprocessor directives are not allowed in model strings",
              match.start(), match.end(), lineno=lineno)
    stripped = line.lstrip()
    for marker in ("//", "/*"):
        if stripped.startswith(marker):
            pos = len(line) - len(stripped)
            _fail(context, line, f"C-style comments ({marker!r}) are not allowed; "
                  "comments start with '#'", pos, pos + 2, lineno=lineno)


def _python_syntax_error(context, line, err, lineno):
    offset = (err.offset or 1) - 1
    end = (err.end_offset or 0) - 1 if err.end_lineno in (None, err.lineno) else None
    reason = err.msg or "invalid syntax"
    if "/*" in line or "*/" in line:
        reason += " (comments start with '#', not '/*')"
    _fail(context, line, reason, offset, end, lineno=lineno)


# --------------------------------------------------------------------------
# whitelist validation

def name_problem(name):
    """Why ``name`` is not an acceptable identifier, or None if it is."""
    if not name.isascii() or not name.isidentifier():
        return f"{name!r} is not a valid name (use ASCII letters, digits and '_')"
    if name.startswith("_"):
        return f"names starting with '_' are reserved ({name!r})"
    if keyword.iskeyword(name):
        return f"{name!r} is a Python keyword"
    if len(name) > MAX_NAME_LENGTH:
        return f"the name {name[:20]}... is longer than {MAX_NAME_LENGTH} characters"
    return None


def check_name(name, context="expression", line=None, start=0, lineno=None):
    """Raise ExpressionSyntaxError unless ``name`` is an acceptable identifier."""
    problem = name_problem(name)
    if problem:
        _fail(context, name if line is None else line, problem, start, start + len(name),
              lineno=lineno)


class _Validator:
    """Walks an ast, raising for anything outside the grammar."""

    def __init__(self, context, line, lineno):
        self.context = context
        self.line = line
        self.lineno = lineno
        self.identifiers = set()
        self.functions = set()
        self.depth = 0

    def fail(self, node, reason):
        start = getattr(node, "col_offset", 0)
        end = getattr(node, "end_col_offset", None)
        if getattr(node, "end_lineno", None) not in (None, getattr(node, "lineno", None)):
            end = None
        _fail(self.context, self.line, reason, start, end, lineno=self.lineno)

    def visit(self, node):
        self.depth += 1
        try:
            self._visit(node)
        finally:
            self.depth -= 1

    def _visit(self, node):
        if self.depth > MAX_DEPTH:
            self.fail(node, f"the expression is nested too deeply (more than {MAX_DEPTH} "
                      "levels); split it into subexpressions")
        kind = type(node)
        if kind is ast.Constant:
            value = node.value
            if type(value) is int and abs(value) >= 2**63:
                self.fail(node, "the integer is too large for a 64-bit integer; "
                          "write it as a float (e.g. 1e20)")
            if isinstance(value, bool) or type(value) in (int, float):
                return
            if isinstance(value, complex):
                self.fail(node, "complex numbers are not allowed")
            if isinstance(value, (str, bytes)):
                self.fail(node, "strings are not allowed")
            self.fail(node, f"{value!r} is not allowed")
        elif kind is ast.Name:
            check_name(node.id, self.context, self.line, node.col_offset, self.lineno)
            self.identifiers.add(node.id)
        elif kind is ast.UnaryOp:
            self._op(node, node.op, _UNARYOPS)
            self.visit(node.operand)
        elif kind is ast.BinOp:
            self._op(node, node.op, _BINOPS)
            self.visit(node.left)
            self.visit(node.right)
        elif kind is ast.BoolOp:
            for value in node.values:
                self.visit(value)
        elif kind is ast.Compare:
            for op in node.ops:
                self._op(node, op, _CMPOPS)
            self.visit(node.left)
            for value in node.comparators:
                self.visit(value)
        elif kind is ast.Call:
            self._call(node)
        elif kind in _FORBIDDEN_NODES:
            self.fail(node, _FORBIDDEN_NODES[kind])
        else:
            self.fail(node, f"{kind.__name__} is not allowed in model strings")

    def _op(self, node, op, allowed):
        if type(op) not in allowed:
            self.fail(node, _FORBIDDEN_OPS.get(type(op), f"{type(op).__name__} is not allowed"))

    def _call(self, node):
        func = node.func
        if type(func) is not ast.Name:
            self.visit(func)
            self.fail(node, "only calls of named functions are allowed")
        name = func.id
        check_name(name, self.context, self.line, func.col_offset, self.lineno)
        if node.keywords:
            self.fail(node, f"keyword arguments are not allowed (in the call of {name!r})")
        for arg in node.args:
            if type(arg) is ast.Starred:
                self.fail(arg, _FORBIDDEN_NODES[ast.Starred])
        if name not in FUNCTIONS:
            # a function of the namespace (a TimedArray): a name like any
            # other, resolved and checked (arguments, units) before a run
            self.identifiers.add(name)
            self.functions.add(name)
            for arg in node.args:
                self.visit(arg)
            return
        nargs = FUNCTIONS[name]
        if len(node.args) != nargs:
            plural = "argument" if nargs == 1 else "arguments"
            given = len(node.args)
            self.fail(node, f"{name}() takes {nargs} {plural}, but {given} "
                      + ("was" if given == 1 else "were") + " given")
        self.functions.add(name)
        for arg in node.args:
            self.visit(arg)


def parse_expression(code, context="expression", first_line=None):
    """Parse and validate one expression; ``context`` names it in errors
    (e.g. ``'threshold'``), ``first_line`` is the number of its first line in
    a longer text (a model), for the line numbers of errors.

    An expression may continue over several lines, which are joined as Brian
    joins them: the :class:`Expression`'s ``code`` is one line, without
    comments.
    """
    if isinstance(code, Expression):
        return code
    if not isinstance(code, str):
        raise TypeError(f"The {context} must be a string, not {type(code).__name__}")
    code = code.replace("\r\n", "\n")
    text = code.strip()
    lines = text.split("\n")
    multiline = len(lines) > 1
    if first_line is not None:
        first_line += code[:len(code) - len(code.lstrip())].count("\n")

    def lineno(number):          # of the number-th line of text, for messages
        if first_line is not None:
            return first_line + number - 1
        return number if multiline else None

    for number, line in enumerate(lines, 1):
        check_text(context, line, lineno(number))
    if not text or text.startswith("#"):
        _fail(context, code, "the expression is empty", 0, len(code) or 1)
    # Lines are parsed inside a pair of parentheses on lines of their own, so
    # that errors keep the columns and (one lower) the numbers of the user's lines.
    wrapped = f"(\n{text}\n)" if multiline else text
    try:
        tree = ast.parse(wrapped, mode="eval").body
    except (RecursionError, MemoryError):
        _fail(context, lines[0], "the expression is too long or nested too deeply", 0)
    except SyntaxError as err:
        number = max((err.lineno or 1) - multiline, 1)
        if number > len(lines):    # at our closing parenthesis: the text stops too early
            _fail(context, lines[-1], "the expression is incomplete", len(lines[-1]),
                  lineno=lineno(len(lines)))
        _python_syntax_error(context, lines[number - 1], err, lineno(number))
    if multiline:
        ast.increment_lineno(tree, -1)
        _MultilineValidator(context, lines, lineno).visit(tree)
    parts = (line.split("#", 1)[0].strip().removesuffix("\\").strip() for line in lines)
    joined = " ".join(part for part in parts if part)   # no comments, one line
    if joined != text:
        text, tree = joined, ast.parse(joined, mode="eval").body
    validator = _Validator(context, text, lineno(1))
    validator.visit(tree)
    return Expression(text, tree, frozenset(validator.identifiers),
                      frozenset(validator.functions))


class _MultilineValidator(_Validator):
    """Validator for an expression spread over several lines; ``lineno(k)``
    numbers its k-th line in error messages."""

    def __init__(self, context, lines, lineno):
        super().__init__(context, lines[0], lineno(1))
        self.lines = lines
        self.number_of = lineno

    def fail(self, node, reason):
        number = getattr(node, "lineno", 1)
        self.line, self.lineno = self.lines[number - 1], self.number_of(number)
        super().fail(node, reason)

    def visit(self, node):
        number = getattr(node, "lineno", None)
        if number is not None:
            self.line, self.lineno = self.lines[number - 1], self.number_of(number)
        super().visit(node)


def parse_statements(code, context="reset"):
    """Parse statements (``x = expr``, ``x += expr``, ...), one per line or
    several on a line separated by ``;`` (``'v = vr; w += b'``), as Brian does.

    Blank lines and ``#`` comments are skipped; anything but simple
    assignments is refused. Returns a tuple of :class:`Statement`.
    """
    if not isinstance(code, str):
        raise TypeError(f"The {context} must be a string, not {type(code).__name__}")
    statements = []
    all_lines = code.split("\n")
    multiline = len([line for line in all_lines if line.strip()]) > 1
    for number, raw in enumerate(all_lines, 1):
        line = raw.strip()
        lineno = number if multiline else None
        check_text(context, line, lineno)
        if not line or line.startswith("#"):
            continue
        try:
            body = ast.parse(line, mode="exec").body
        except (RecursionError, MemoryError):
            _fail(context, line, "the statement is too long or nested too deeply", 0,
                  lineno=lineno)
        except SyntaxError as err:
            _python_syntax_error(context, line, err, lineno)
        statements.extend(_statement(node, line, context, lineno, number) for node in body)
    if not statements:
        _fail(context, code, "there is no statement", 0, max(len(code), 1))
    return tuple(statements)


def _statement(node, line, context, lineno, number):
    validator = _Validator(context, line, lineno)
    if type(node) is ast.Assign:
        if len(node.targets) != 1:
            validator.fail(node, "chained assignments ('a = b = ...') are not allowed")
        target, op = node.targets[0], "="
    elif type(node) is ast.AugAssign:
        target = node.target
        if type(node.op) not in _AUGOPS:
            validator.fail(node, "only the assignments =, +=, -=, *= and /= are allowed")
        op = _AUGOPS[type(node.op)]
    elif type(node) is ast.Expr:
        validator.fail(node, "this is an expression, but a statement such as 'v = 0' "
                       "is needed")
    else:
        validator.fail(node, "only assignments such as 'v = 0' or 'v += 1' are allowed")
    if type(target) is not ast.Name:
        validator.visit(target)  # names what is wrong (indexing, attribute, ...)
        validator.fail(target, "the target of an assignment must be a variable name")
    check_name(target.id, context, line, target.col_offset, lineno)
    validator.visit(node.value)
    rhs = line[node.value.col_offset:node.value.end_col_offset] \
        if node.value.end_lineno == node.value.lineno else ast.unparse(node.value)
    expr = parse_expression(rhs, context)
    return Statement(target.id, op, expr, line[node.col_offset:node.end_col_offset], number)


# --------------------------------------------------------------------------
# numeric evaluation

def _exprel(x):
    x = np.asarray(x, dtype=float)
    safe = np.where(x == 0, 1.0, x)
    result = np.where(x == 0, 1.0, np.expm1(safe) / safe)
    return result[()] if result.ndim == 0 else result


def _int(x):
    result = np.trunc(np.asarray(x, dtype=float)).astype(np.int64)
    return result[()] if result.ndim == 0 else result


def _timestep(t, dt):
    """Brian's timestep(t, dt): the step number of a time, robust to rounding
    (truncated toward zero, as Brian's)."""
    result = np.trunc((np.asarray(t, dtype=float) + 1e-3 * dt) / dt).astype(np.int64)
    return result[()] if result.ndim == 0 else result


_NUMPY_FUNCTIONS = {
    "exp": np.exp, "log": np.log, "log10": np.log10, "sqrt": np.sqrt,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "sinh": np.sinh,
    "cosh": np.cosh, "tanh": np.tanh, "arcsin": np.arcsin, "arccos": np.arccos,
    "arctan": np.arctan, "abs": np.abs, "sign": np.sign, "floor": np.floor,
    "ceil": np.ceil, "exprel": _exprel, "int": _int, "clip": np.clip,
    "timestep": _timestep,
}

_NUMPY_BINOPS = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
    ast.Div: np.true_divide, ast.FloorDiv: np.floor_divide, ast.Mod: np.mod,
    ast.Pow: lambda a, b: np.power(np.asarray(a, dtype=float), b),
}

_NUMPY_CMPOPS = {
    ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater,
    ast.GtE: np.greater_equal, ast.Eq: np.equal, ast.NotEq: np.not_equal,
}


def evaluate(expr, values, rand=None, randn=None, poisson=None):
    """Evaluate an expression with numpy, by walking its validated tree.

    ``values`` maps every identifier to a float or array (SI units);
    ``rand``/``randn`` are called without arguments for each ``rand()`` /
    ``randn()`` in the expression, ``poisson`` with the value of its
    argument, and must return values of the right shape.
    """
    expr = parse_expression(expr)
    missing = sorted(expr.identifiers - set(values))
    if missing:
        raise UndefinedNameError(
            f"Cannot evaluate {expr.code!r}: " + ", ".join(repr(m) for m in missing)
            + (" is" if len(missing) == 1 else " are") + " not defined")
    for name, source in (("rand", rand), ("randn", randn), ("poisson", poisson)):
        if name in expr.functions and source is None:
            raise ValueError(f"Cannot evaluate {expr.code!r}: no random number "
                             f"source was given for {name}()")
    randoms = {"rand": rand, "randn": randn, "poisson": poisson}
    with np.errstate(all="ignore"):
        return _evaluate(expr.tree, values, randoms)


def _evaluate(node, values, randoms):
    kind = type(node)
    if kind is ast.Constant:
        return node.value
    if kind is ast.Name:
        return values[node.id]
    if kind is ast.BinOp:
        return _NUMPY_BINOPS[type(node.op)](_evaluate(node.left, values, randoms),
                                            _evaluate(node.right, values, randoms))
    if kind is ast.UnaryOp:
        operand = _evaluate(node.operand, values, randoms)
        if type(node.op) is ast.USub:
            return np.negative(operand)
        if type(node.op) is ast.Not:
            return np.logical_not(operand)
        return operand
    if kind is ast.Compare:
        left = _evaluate(node.left, values, randoms)
        result = True
        for op, right_node in zip(node.ops, node.comparators):
            right = _evaluate(right_node, values, randoms)
            result = np.logical_and(result, _NUMPY_CMPOPS[type(op)](left, right))
            left = right
        return result
    if kind is ast.BoolOp:
        combine = np.logical_and if type(node.op) is ast.And else np.logical_or
        return functools.reduce(combine, (_evaluate(v, values, randoms) for v in node.values))
    if kind is ast.Call:
        name = node.func.id
        args = [_evaluate(arg, values, randoms) for arg in node.args]
        if name in randoms:
            return randoms[name](*args)
        if name not in _NUMPY_FUNCTIONS:             # a function of the namespace
            return values[name](*args)
        return _NUMPY_FUNCTIONS[name](*args)
    raise AssertionError(f"unvalidated node {kind.__name__}")  # pragma: no cover


# --------------------------------------------------------------------------
# sympy

def to_sympy(expr):
    """The sympy form of an expression (names become real symbols)."""
    from neurocodegen.model.sympy_bridge import to_sympy as convert
    return convert(parse_expression(expr))


def sympy_to_code(sympy_expr):
    """Model-string text for a sympy expression (the inverse of :func:`to_sympy`)."""
    from neurocodegen.model.sympy_bridge import sympy_to_code as convert
    return convert(sympy_expr)
