"""IR expressions (sympy) to C++.

Names are mangled so that nothing a user may call a variable can clash with
C++: a model name ``v`` becomes the local ``v_``; names of our own (integrator
temporaries ``_k1_v``, hoisted invariants ``_lio_3``) start with ``_`` and are
printed as they are (the grammar forbids user names starting with ``_``).
"""
import sympy
from sympy.printing.c import C99CodePrinter

#: C++ types of the IR's dtypes.
CTYPES = {"float64": "double", "int32": "int32_t", "int64": "int64_t", "bool": "bool"}


def local_name(name):
    """The C++ local variable holding the model name ``name``."""
    return name if name.startswith("_") else name + "_"


class CppPrinter(C99CodePrinter):
    """Prints one kernel's expressions; the loop's index is ``_ncg_i``."""

    _number_symbols = set()

    def __init__(self, tables=None, functions=None):
        super().__init__({"full_prec": True})
        self.tables = tables or {}      # Lookup's table name -> C++ array
        self.functions = functions or {}   # Call's function name -> C++ function

    def _print_Lookup(self, expr):
        table, index = expr.args
        return f"{self.tables[table.name]}[(int64_t)({self._print(index)})]"

    def _print_Call(self, expr):
        function, *args = expr.args
        return f"{self.functions[function.name]}({', '.join(self._print(a) for a in args)})"

    def _print_Symbol(self, expr):
        return local_name(expr.name)

    def _print_BooleanTrue(self, expr):
        return "true"

    def _print_BooleanFalse(self, expr):
        return "false"

    def _print_Integer(self, expr):
        return f"{int(expr)}.0" if abs(int(expr)) < 2**53 else f"{float(expr)!r}"

    def _print_Rational(self, expr):
        return f"({expr.p}.0/{expr.q}.0)"

    def _print_exp(self, expr):
        return f"ncg::exp({self._print(expr.args[0])})"   # vectorizable, see ncg_support.hpp

    def _print_Pow(self, expr):
        base, exp = expr.as_base_exp()
        if base is sympy.E:
            return f"ncg::exp({self._print(exp)})"
        b = self.parenthesize(base, 100)
        if exp.is_Integer and 1 <= abs(int(exp)) <= 4:
            product = "*".join([b] * abs(int(exp)))
            return f"({product})" if exp > 0 else f"(1.0/({product}))"
        if exp.is_Number and float(exp) == 0.5:
            return f"sqrt({self._print(base)})"
        if exp.is_Number and float(exp) == -0.5:
            return f"(1.0/sqrt({self._print(base)}))"
        return f"pow({self._print(base)}, {self._print(exp)})"

    # Boolean operators without short-circuit: every operand is free of side
    # effects (random draws are pure functions of their counter), and '&'/'|'
    # on bools do not branch, so loops containing them still vectorize.
    # Comparisons mixed with other operands (a bool loaded from an array, as in
    # ``not_refractory | (v <= x)``) are a select on the comparisons instead:
    # GCC does not vectorize '&'/'|' between a comparison and a stored bool,
    # but does vectorize ``(v <= x) ? true : not_refractory``.
    def _bool_op(self, expr, op, if_true, if_false):
        def join(args):
            return "(" + f" {op} ".join(f"({self._print(a)})" for a in args) + ")"
        comparisons = [a for a in expr.args if isinstance(a, sympy.core.relational.Relational)]
        others = [a for a in expr.args if not isinstance(a, sympy.core.relational.Relational)]
        if not comparisons or not others:
            return join(expr.args)
        rest = join(others)
        return f"({join(comparisons)} ? {if_true or rest} : {if_false or rest})"

    def _print_And(self, expr):
        return self._bool_op(expr, "&", None, "false")

    def _print_Or(self, expr):
        return self._bool_op(expr, "|", "true", None)

    def _print_Abs(self, expr):
        return f"fabs({self._print(expr.args[0])})"

    def _print_sign(self, expr):
        return f"ncg::sign({self._print(expr.args[0])})"

    def _print_Mod(self, expr):
        a, b = (self._print(x) for x in expr.args)
        return f"ncg::mod({a}, {b})"

    def _print_Uniform(self, expr):
        return f"ncg::rand(_ncg_seed, (uint64_t)_ncg_i, (uint64_t)_ncg_step, {int(expr.args[0])}u)"

    def _print_Normal(self, expr):
        return f"ncg::randn(_ncg_seed, (uint64_t)_ncg_i, (uint64_t)_ncg_step, {int(expr.args[0])}u)"

    def _print_Poisson(self, expr):
        return (f"ncg::poisson(_ncg_seed, (uint64_t)_ncg_i, (uint64_t)_ncg_step, "
                f"{int(expr.args[0])}u, {self._print(expr.args[1])})")

    def _print_Binomial(self, expr):
        tag, *constants = expr.args
        return (f"ncg::binomial(_ncg_seed, (uint64_t)_ncg_i, (uint64_t)_ncg_step, {int(tag)}u, "
                + ", ".join(self._print(c) for c in constants) + ")")

    def _print_IncrementIf(self, expr):
        cond, a = (self._print(x) for x in expr.args)
        return f"ncg::increment_if({cond}, {a})"

    def _print_Select(self, expr):
        cond, a, b = (self._print(x) for x in expr.args)
        return f"({cond} ? {a} : {b})"

    def _print_Function(self, expr):
        name = type(expr).__name__
        args = ", ".join(self._print(a) for a in expr.args)
        if name in ("exprel", "clip", "timestep"):
            return f"ncg::{name}({args})"
        if name == "int_":
            return f"((double)(int64_t)({args}))"
        return super()._print_Function(expr)
