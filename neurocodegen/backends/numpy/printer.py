"""IR expressions (sympy) to numpy code over whole index arrays.

Model names are printed as ``name_`` (as in C++), our own temporaries as
they are; ``_idx`` is the array of the kernel's indices.
"""
import sympy
from sympy.printing.numpy import NumPyPrinter


def local_name(name):
    return name if name.startswith("_") else name + "_"


class NumpyPrinter(NumPyPrinter):

    def __init__(self):
        super().__init__({"fully_qualified_modules": True})

    def _print_Symbol(self, expr):
        return local_name(expr.name)

    def _print_Lookup(self, expr):
        table, index = expr.args
        return f"{table.name}[numpy.asarray({self._print(index)}).astype(numpy.int64)]"

    def _print_Call(self, expr):
        function, *args = expr.args
        return f"{function.name}({', '.join(self._print(a) for a in args)})"

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Integer(self, expr):
        return f"{int(expr)}.0" if abs(int(expr)) < 2**53 else repr(float(expr))

    def _print_Rational(self, expr):
        return f"({expr.p}.0/{expr.q}.0)"

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_BooleanFalse(self, expr):
        return "False"

    def _print_Uniform(self, expr):
        return f"_support.uniform(_seed, _idx, _step, {int(expr.args[0])})"

    def _print_Normal(self, expr):
        return f"_support.normal(_seed, _idx, _step, {int(expr.args[0])})"

    def _print_Poisson(self, expr):
        return f"_support.poisson(_seed, _idx, _step, {int(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Binomial(self, expr):
        tag, *constants = expr.args
        return (f"_support.binomial(_seed, _idx, _step, {int(tag)}, "
                + ", ".join(self._print(c) for c in constants) + ")")

    def _print_And(self, expr):
        return self._pairwise("numpy.logical_and", expr.args)

    def _print_Or(self, expr):
        return self._pairwise("numpy.logical_or", expr.args)

    def _pairwise(self, function, args):
        """``function(function(a, b), c)``: sympy prints
        ``function.reduce((a, b, c))``, which fails when a scalar (a
        threshold ``False``) meets an array (``not_refractory``)."""
        printed = self._print(args[0])
        for arg in args[1:]:
            printed = f"{function}({printed}, {self._print(arg)})"
        return printed

    def _print_Select(self, expr):
        cond, a, b = (self._print(x) for x in expr.args)
        return f"numpy.where({cond}, {a}, {b})"

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in ("exprel", "clip", "timestep", "int_"):
            return f"_support.{name}({', '.join(self._print(a) for a in expr.args)})"
        return super()._print_Function(expr)

    def _print_Pow(self, expr, rational=False):
        base, exp = expr.as_base_exp()
        if base is sympy.E:
            return f"numpy.exp({self._print(exp)})"
        if exp.is_Number and float(exp) == 0.5:
            return f"numpy.sqrt({self._print(base)})"
        return f"numpy.power({self._print(base)}, {self._print(exp)})"
