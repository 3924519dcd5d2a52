"""Model equations in Brian's syntax, parsed into immutable objects.

One equation per line (an expression may continue on the next lines)::

    dv/dt = (v0 - v)/tau : volt (unless refractory)   # differential equation
    I = g*(E - v) : amp                                # subexpression
    v0 : volt (constant)                               # parameter

``Equations`` is an ordered, immutable mapping from names to
:class:`SingleEquation`; it checks names, flags and the ordering of
subexpressions when it is built and units with :meth:`Equations.check_units`
once the names from the namespace are known.
"""
import ast
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from neurocodegen.errors import (
    DimensionMismatchError, EquationError, ExpressionSyntaxError, UndefinedNameError,
    UnitError)
from neurocodegen.model.expressions import (
    FUNCTIONS, Expression, check_text, name_problem, parse_expression)
from neurocodegen.model.unitcheck import (
    BOOLEAN, FLOAT, INTEGER, describe_dimension, infer_dimension, infer_type)
from neurocodegen.units.dimensions import DIMENSIONLESS, get_dimension

DIFFERENTIAL, SUBEXPRESSION, PARAMETER = "differential", "subexpression", "parameter"

#: Flags each kind of equation accepts.
ALLOWED_FLAGS = {
    DIFFERENTIAL: frozenset({"unless refractory", "event-driven", "clock-driven"}),
    SUBEXPRESSION: frozenset({"shared", "constant over dt", "summed"}),
    PARAMETER: frozenset({"constant", "shared", "linked"}),
}

SECOND = get_dimension(s=1)
#: Dimension of the white-noise symbols ``xi`` and ``xi_*``.
XI_DIMENSION = get_dimension(s=-0.5)

#: Names every group provides, with their dimension and type.
BUILTIN_DIMS = {"t": SECOND, "dt": SECOND, "i": DIMENSIONLESS, "N": DIMENSIONLESS,
                "lastspike": SECOND, "not_refractory": DIMENSIONLESS}
BUILTIN_TYPES = {"t": FLOAT, "dt": FLOAT, "i": INTEGER, "N": INTEGER,
                 "lastspike": FLOAT, "not_refractory": BOOLEAN}

#: Names of the mathematical constants in the default namespace.
CONSTANT_NAMES = frozenset({"pi", "e", "inf"})

#: Words the C++ and Cython code we generate cannot use as variable names.
TARGET_LANGUAGE_KEYWORDS = frozenset("""
    alignas alignof and_eq asm auto bitand bitor bool case catch char char16_t
    char32_t class compl const constexpr const_cast continue decltype default
    delete do double dynamic_cast enum explicit export extern float friend goto
    inline long mutable namespace new noexcept not_eq nullptr operator or_eq
    private protected public register reinterpret_cast short signed sizeof static
    static_assert static_cast struct switch template this thread_local throw
    typedef typeid typename union unsigned using virtual void volatile wchar_t
    xor xor_eq cdef cpdef ctypedef cimport include bint NULL gil nogil readonly
    std main printf malloc free pow fmod fabs INFINITY NAN M_PI true false
""".split())


def is_stochastic_name(name):
    """``xi`` and ``xi_<suffix>`` are white-noise symbols."""
    return name == "xi" or name.startswith("xi_")


def reserved_reason(name):
    """Why ``name`` cannot name a model variable, or None if it can."""
    if name in BUILTIN_DIMS:
        return "it is a built-in variable of every group"
    if is_stochastic_name(name):
        return "names 'xi' and 'xi_*' are reserved for white noise"
    if name in FUNCTIONS:
        return "it is the name of a function"
    if name in CONSTANT_NAMES or name in ("True", "False"):
        return "it is the name of a constant"
    if keyword.iskeyword(name) or name in TARGET_LANGUAGE_KEYWORDS:
        return "it is a keyword in Python or in the generated code"
    from neurocodegen.units import all_units
    if name in all_units:
        return "it is the name of a unit"
    return None


@dataclass(frozen=True)
class SingleEquation:
    """One line of a model.

    ``kind`` is ``'differential'``, ``'subexpression'`` or ``'parameter'``;
    ``dim`` the variable's dimension, ``dtype`` ``'float'``, ``'integer'`` or
    ``'boolean'``; ``expr`` the right-hand side (None for parameters);
    ``unit`` the unit as written; ``lineno``/``text`` locate it in the model.
    """

    kind: str
    name: str
    dim: object
    dtype: str = FLOAT
    expr: Expression = None
    flags: frozenset = frozenset()
    lineno: int = field(default=1, compare=False)
    text: str = field(default="", compare=False)
    unit: str = "1"

    def __str__(self):
        flags = f" ({', '.join(sorted(self.flags))})" if self.flags else ""
        if self.kind == DIFFERENTIAL:
            return f"d{self.name}/dt = {self.expr.code} : {self.unit}{flags}"
        if self.kind == SUBEXPRESSION:
            return f"{self.name} = {self.expr.code} : {self.unit}{flags}"
        return f"{self.name} : {self.unit}{flags}"

    @property
    def identifiers(self):
        return self.expr.identifiers if self.expr is not None else frozenset()

    def where(self):
        """'line 3: dv/dt = ...' for error messages."""
        return f"line {self.lineno}: {self.text.strip() or str(self)!r}"


# --------------------------------------------------------------------------
# parsing one line

_DIFF = re.compile(r"^d\s*(?P<name>[^\s/=:]+)\s*/\s*dt\s*=(?P<expr>.*)$", re.S)
_SUBEXPR = re.compile(r"^(?P<name>[^\s=:]+)\s*=(?!=)(?P<expr>.*)$", re.S)
_PARAM = re.compile(r"^(?P<name>[^\s=:]+)$")
_FLAGS = re.compile(r"\((?P<flags>[^()]*)\)\s*$")
_TYPE_HINTS = {"bool": "boolean", "int": "integer", "float": "1", "double": "1"}


#: The start of a line that begins a new definition, 'dx/dt =' or 'x =' (never
#: the continuation of an expression, which has no '=').
_DEFINITION_START = re.compile(r"^\s*(d\s*\w+\s*/\s*dt\s*=|\w+\s*=(?!=))")


def _line_error(lineno, line, reason, cls=EquationError):
    last = lineno + line.strip("\n").count("\n")
    where = f"line {lineno}" if last == lineno else f"lines {lineno}-{last}"
    quoted = "\n    ".join(part.strip() for part in line.strip("\n").split("\n"))
    return cls(f"Invalid equation in {where} of the model: {reason}\n    {quoted}")


def _without_comment(line):
    return line.split("#", 1)[0]


def logical_lines(text):
    """``(lineno, text)`` of each definition in a model string, as Brian reads
    it: an expression that has not reached its ``: unit`` continues on the
    next line (the lines are kept, joined by newlines, for error messages);
    blank lines and comments are skipped."""
    pending, start = [], 1
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        code = _without_comment(line).strip()
        if not code:
            if pending:
                pending.append(line)     # a comment inside a continued expression
            else:
                check_text("equation", line.strip(), number)
            continue
        if not pending:
            start = number
        elif _DEFINITION_START.match(code):
            joined = "\n".join(pending)
            raise _line_error(start, joined, "the ': unit' is missing (the next line "
                              "starts a new definition)")
        pending.append(line)
        if ":" in code:
            yield start, "\n".join(pending)
            pending = []
    if pending:
        yield start, "\n".join(pending)


def parse_unit(text, lineno=1, line=""):
    """``(dimension, dtype)`` for the unit part of an equation line."""
    text = text.strip()
    if text in ("1", ""):
        if not text:
            raise _line_error(lineno, line, "the unit after ':' is missing (use '1' for "
                              "dimensionless variables)", UnitError)
        return DIMENSIONLESS, FLOAT
    if text == "boolean":
        return DIMENSIONLESS, BOOLEAN
    if text == "integer":
        return DIMENSIONLESS, INTEGER
    if text in _TYPE_HINTS:
        raise _line_error(lineno, line, f"unknown unit {text!r}; write "
                          f"{_TYPE_HINTS[text]!r} instead", UnitError)
    try:
        expr = parse_expression(text, "unit")
    except ExpressionSyntaxError as err:
        raise _line_error(lineno, line, f"cannot read the unit {text!r}:\n{err}",
                          UnitError) from None
    return _unit_dimension(expr.tree, text, lineno, line), FLOAT


def _unit_dimension(node, text, lineno, line):
    from neurocodegen.units import get_dimensions, get_unit
    kind = type(node)
    if kind is ast.Name:
        try:
            return get_dimensions(get_unit(node.id))
        except UnitError:
            raise _line_error(lineno, line, f"unknown unit {node.id!r}", UnitError) from None
    if kind is ast.Constant and node.value == 1 and not isinstance(node.value, bool):
        return DIMENSIONLESS
    if kind is ast.BinOp and type(node.op) in (ast.Mult, ast.Div):
        left = _unit_dimension(node.left, text, lineno, line)
        right = _unit_dimension(node.right, text, lineno, line)
        return left * right if type(node.op) is ast.Mult else left / right
    if kind is ast.BinOp and type(node.op) is ast.Pow:
        exponent = _number(node.right)
        if exponent is not None:
            return _unit_dimension(node.left, text, lineno, line)**exponent
    raise _line_error(lineno, line, f"the unit {text!r} is not a product of unit names "
                      "and powers (e.g. 'volt', 'amp/meter**2', 'second**-0.5')", UnitError)


def _number(node):
    if type(node) is ast.Constant and type(node.value) in (int, float):
        return node.value
    if type(node) is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
        value = _number(node.operand)
        if value is not None:
            return -value if type(node.op) is ast.USub else value
    if type(node) is ast.BinOp and type(node.op) is ast.Div:
        a, b = _number(node.left), _number(node.right)
        if a is not None and b:
            return a / b
    return None


def _split_unit_and_flags(unit_part):
    """``'volt (constant, shared)'`` -> ``('volt', ['constant', 'shared'])``."""
    match = _FLAGS.search(unit_part)
    if match:
        before = unit_part[:match.start()].rstrip()
        if before and before[-1] not in "*/+-(":
            flags = [" ".join(flag.split()) for flag in match.group("flags").split(",")]
            return before.strip(), flags
    return unit_part.strip(), []


def parse_line(line, lineno=1):
    """Parse one definition of a model (one line, or several joined by
    newlines, see :func:`logical_lines`) into a SingleEquation (None for blank
    lines and comments)."""
    for number, part in enumerate(line.split("\n"), lineno):
        check_text("equation", part.strip(), number)  # ExpressionSyntaxError, as elsewhere
    text = "\n".join(_without_comment(part) for part in line.split("\n")).strip()
    if not text:
        return None
    if ":" not in text:
        raise _line_error(lineno, line, "expected 'dx/dt = expression : unit', "
                          "'x = expression : unit' or 'x : unit' (the ': unit' is missing)")
    definition, _, unit_part = text.rpartition(":")
    definition = definition.strip()
    unit_text, flags = _split_unit_and_flags(unit_part)
    for pattern, kind in ((_DIFF, DIFFERENTIAL), (_SUBEXPR, SUBEXPRESSION),
                          (_PARAM, PARAMETER)):
        match = pattern.match(definition)
        if match:
            break
    else:
        raise _line_error(lineno, line, "expected 'dx/dt = expression : unit', "
                          "'x = expression : unit' or 'x : unit'")
    name = match.group("name")
    context = f"equation for {name!r}"
    problem = name_problem(name)
    if problem:
        raise _line_error(lineno, line, problem)
    reason = reserved_reason(name)
    if reason:
        raise _line_error(lineno, line, f"{name!r} cannot be used as a variable name: "
                          f"{reason}")
    dim, dtype = parse_unit(unit_text, lineno, line)
    expr = None
    if kind != PARAMETER:
        expr = parse_expression(match.group("expr"), context, first_line=lineno)
    flags_set = frozenset(flags)
    for flag in flags:
        if flag not in ALLOWED_FLAGS[kind]:
            known = set().union(*ALLOWED_FLAGS.values())
            what = f"{kind} equation" if kind == DIFFERENTIAL else kind
            fits = ", ".join(repr(f) for f in sorted(ALLOWED_FLAGS[kind]))
            problem = (f"unknown flag {flag!r}" if flag not in known else
                       f"the flag {flag!r} cannot be used for a {what}")
            raise _line_error(lineno, line, f"{problem}; the flags of a {what} are {fits}")
    if len(flags_set) != len(flags):
        raise _line_error(lineno, line, "a flag is given twice")
    if kind == DIFFERENTIAL and dtype != FLOAT:
        raise _line_error(lineno, line, f"a differential equation cannot define "
                          f"{'an' if dtype == INTEGER else 'a'} {dtype} variable; "
                          "use a unit such as '1' or 'volt'")
    if expr is not None and kind != DIFFERENTIAL:
        noise = sorted(n for n in expr.identifiers if is_stochastic_name(n))
        if noise:
            raise _line_error(lineno, line, f"the noise term {noise[0]!r} can only appear "
                              "in differential equations")
    return SingleEquation(kind, name, dim, dtype, expr, flags_set, lineno, line,
                          unit_text)


# --------------------------------------------------------------------------
# the model

class Equations(Mapping):
    """An immutable, ordered mapping of variable names to :class:`SingleEquation`.

    ``Equations(text)`` parses a model string; ``eqs1 + eqs2`` (or
    ``eqs + 'text'``) concatenates two models.
    """

    def __init__(self, eqs=""):
        if isinstance(eqs, Equations):
            equations = list(eqs.values())
        elif isinstance(eqs, str):
            equations = [parse_line(line, number) for number, line in logical_lines(eqs)]
            equations = [eq for eq in equations if eq is not None]
        else:
            equations = list(eqs)
        self._equations = {}
        for eq in equations:
            if not isinstance(eq, SingleEquation):
                raise TypeError(f"Equations takes a string or SingleEquation objects, "
                                f"not {type(eq).__name__}")
            if eq.name in self._equations:
                first = self._equations[eq.name]
                raise EquationError(f"The variable {eq.name!r} is defined twice: in "
                                    f"{first.where()} and in {eq.where()}")
            self._equations[eq.name] = eq
        self._subexpr_order = self._sort_subexpressions()
        self._check_shared()

    # mapping ----------------------------------------------------------------
    def __getitem__(self, name):
        return self._equations[name]

    def __iter__(self):
        return iter(self._equations)

    def __len__(self):
        return len(self._equations)

    def __hash__(self):
        return hash(tuple(self._equations.values()))

    def __add__(self, other):
        if isinstance(other, str):
            other = Equations(other)
        if not isinstance(other, Equations):
            return NotImplemented
        return Equations([*self.values(), *other.values()])

    def __radd__(self, other):
        if isinstance(other, str):
            return Equations(other) + self
        return NotImplemented

    # views ------------------------------------------------------------------
    def _names(self, kind):
        return tuple(name for name, eq in self._equations.items() if eq.kind == kind)

    @property
    def diff_eq_names(self):
        """Variables defined by differential equations, in model order."""
        return self._names(DIFFERENTIAL)

    @property
    def parameter_names(self):
        return self._names(PARAMETER)

    @property
    def subexpr_names(self):
        """Subexpressions in an order where each comes after those it uses."""
        return self._subexpr_order

    @property
    def names(self):
        return tuple(self._equations)

    @property
    def dims(self):
        """name -> Dimension of every model variable."""
        return {name: eq.dim for name, eq in self._equations.items()}

    @property
    def dtypes(self):
        """name -> 'float' / 'integer' / 'boolean' of every model variable."""
        return {name: eq.dtype for name, eq in self._equations.items()}

    @property
    def stochastic_variables(self):
        """The noise symbols (``xi``, ``xi_*``) used, sorted."""
        return tuple(sorted({name for eq in self._equations.values()
                             for name in eq.identifiers if is_stochastic_name(name)}))

    @property
    def is_stochastic(self):
        return bool(self.stochastic_variables)

    @property
    def identifiers(self):
        """Names used by the model that it neither defines nor has built in:
        those to look up in the namespace."""
        used = {name for eq in self._equations.values() for name in eq.identifiers}
        return frozenset(name for name in used
                         if name not in self._equations and name not in BUILTIN_DIMS
                         and not is_stochastic_name(name))

    # checks -----------------------------------------------------------------
    def _sort_subexpressions(self):
        subexprs = {name: eq for name, eq in self._equations.items()
                    if eq.kind == SUBEXPRESSION}
        order, state = [], {}

        def visit(name, path):
            if state.get(name) == "done":
                return
            if state.get(name) == "active":
                cycle = path[path.index(name):] + [name]
                raise EquationError(
                    "Subexpressions refer to each other in a cycle: "
                    + " -> ".join(repr(n) for n in cycle)
                    + f" (line {subexprs[name].lineno})")
            state[name] = "active"
            for dep in sorted(subexprs[name].identifiers & subexprs.keys()):
                visit(dep, path + [name])
            state[name] = "done"
            order.append(name)

        for name in subexprs:
            visit(name, [])
        return tuple(order)

    def _check_shared(self):
        for eq in self._equations.values():
            if eq.kind != SUBEXPRESSION or "shared" not in eq.flags:
                continue
            for name in sorted(eq.identifiers):
                other = self._equations.get(name)
                if name == "i" or (other is not None and "shared" not in other.flags):
                    raise EquationError(
                        f"The shared subexpression {eq.name!r} ({eq.where()}) refers to "
                        f"{name!r}, which differs from neuron to neuron.")

    def check_units(self, external_dims=None, group_name=None, external_types=None,
                    constants=None):
        """Check every equation's units (and types).

        ``external_dims`` (and optionally ``external_types``, default float)
        give the names from the namespace; ``constants`` their values where
        they may serve as exponents. Built-in names (t, dt, i, N, lastspike,
        not_refractory, xi...) are known here.
        """
        dims = dict(external_dims or {})
        types = {name: FLOAT for name in dims} | dict(external_types or {})
        dims.update(BUILTIN_DIMS)
        types.update(BUILTIN_TYPES)
        for name in self.stochastic_variables:
            dims[name], types[name] = XI_DIMENSION, FLOAT
        dims.update(self.dims)
        types.update(self.dtypes)
        group = f", group {group_name!r}" if group_name else ""
        ordered = [self._equations[n] for n in self._subexpr_order] + \
            [self._equations[n] for n in self.diff_eq_names]
        for eq in ordered:
            kind = "differential equation" if eq.kind == DIFFERENTIAL else "subexpression"
            prefix = (f"Inconsistent units in {kind} defining variable {eq.name!r} "
                      f"(line {eq.lineno}{group})")
            try:
                found = infer_dimension(eq.expr, dims, constants)
                found_type = infer_type(eq.expr, types)
            except DimensionMismatchError as err:
                raise DimensionMismatchError(f"{prefix}: {err}", *err.dims) from None
            except UndefinedNameError as err:
                raise UndefinedNameError(f"In the {kind} for {eq.name!r} (line "
                                         f"{eq.lineno}{group}): {err}") from None
            except EquationError as err:
                raise EquationError(f"In the {kind} for {eq.name!r} (line "
                                    f"{eq.lineno}{group}): {err}") from None
            if eq.kind == DIFFERENTIAL:
                needed = eq.dim / SECOND
                what = f"d{eq.name}/dt needs"
            else:
                needed = eq.dim
                what = f"{eq.name!r} is declared as"
            if found is not needed:
                raise DimensionMismatchError(
                    f"{prefix}: expression {eq.expr.code!r} has unit "
                    f"{describe_dimension(found)}, but {what} "
                    f"{describe_dimension(needed)}.", found, needed)
            if (found_type == BOOLEAN) != (eq.dtype == BOOLEAN):
                raise EquationError(
                    f"Type mismatch in the {kind} for {eq.name!r} (line {eq.lineno}"
                    f"{group}): {eq.expr.code!r} is {found_type}, but {eq.name!r} is "
                    f"declared {eq.dtype}.")

    # display ----------------------------------------------------------------
    def __str__(self):
        return "\n".join(str(eq) for eq in self._equations.values())

    def __repr__(self):
        return f"Equations({str(self)!r})"

    def _repr_latex_(self):
        import sympy

        from neurocodegen.model.expressions import to_sympy
        rows = []
        for eq in self._equations.values():
            name = sympy.latex(sympy.Symbol(eq.name))
            if eq.kind == DIFFERENTIAL:
                lhs = rf"\frac{{\mathrm{{d}}{name}}}{{\mathrm{{d}}t}}"
            else:
                lhs = name
            rhs = sympy.latex(to_sympy(eq.expr)) + " " if eq.expr is not None else ""
            flags = rf"\quad\text{{({', '.join(sorted(eq.flags))})}}" if eq.flags else ""
            unit = rf"\left[{eq.unit}\right]".replace("**", "^")
            rows.append((rf"{lhs} &= {rhs}&& {unit}" if eq.expr is not None
                         else rf"{lhs} & && {unit}") + flags)
        return r"$$\begin{aligned}" + r"\\".join(rows) + r"\end{aligned}$$"

    def _repr_html_(self):
        """A table for notebooks: name, kind, expression, unit, flags."""
        from html import escape

        head = "".join(f"<th style='text-align:left'>{h}</th>"
                       for h in ("name", "kind", "expression", "unit", "flags"))
        rows = []
        for eq in self._equations.values():
            lhs = f"d{eq.name}/dt" if eq.kind == DIFFERENTIAL else eq.name
            expr = eq.expr.code if eq.expr is not None else ""
            unit = eq.unit if eq.dtype == FLOAT else eq.dtype
            cells = (lhs, eq.kind, expr, unit, ", ".join(sorted(eq.flags)))
            rows.append("<tr>" + "".join(
                f"<td style='text-align:left'><code>{escape(c)}</code></td>" if k in (0, 2)
                else f"<td style='text-align:left'>{escape(c)}</td>"
                for k, c in enumerate(cells)) + "</tr>")
        return ("<table class='neurocodegen-equations'><thead><tr>" + head
                + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
