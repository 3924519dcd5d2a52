"""sympy functions for the model-string functions sympy lacks.

``exprel``, ``clip``, ``int_`` (Python's ``int``: truncation toward zero),
``rand`` and ``randn``. The random functions take one integer argument, the
index of the call site in its expression, so that ``rand() - rand()`` stays
two independent draws instead of simplifying to 0; printers drop it.
"""
import sympy
from sympy import S


class exprel(sympy.Function):
    """(exp(x) - 1)/x, continued by 1 at x = 0."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return S.One
        if x.is_Float:
            return (sympy.exp(x) - 1) / x

    def fdiff(self, argindex=1):
        x = self.args[0]
        return (x * sympy.exp(x) - sympy.exp(x) + 1) / x**2

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return (sympy.exp(x) - 1) / x

    def _eval_is_real(self):
        return self.args[0].is_real


class clip(sympy.Function):
    """clip(x, low, high): x limited to [low, high]."""

    nargs = 3

    @classmethod
    def eval(cls, x, low, high):
        if x.is_Number and low.is_Number and high.is_Number:
            return sympy.Min(sympy.Max(x, low), high)

    def _eval_rewrite_as_Min(self, x, low, high, **kwargs):
        return sympy.Min(sympy.Max(x, low), high)

    def _eval_is_real(self):
        return all(arg.is_real for arg in self.args) or None


class int_(sympy.Function):
    """Python's int(): truncation toward zero; True/False give 1/0."""

    nargs = 1
    is_integer = True
    is_real = True

    @classmethod
    def eval(cls, x):
        if x is S.true:
            return S.One
        if x is S.false:
            return S.Zero
        if x.is_Number:
            return sympy.Integer(int(x))


class _RandomDraw(sympy.Function):
    """A random number: never evaluated numerically by sympy (its evalf would
    otherwise call mpmath's function of the same name)."""

    nargs = 1
    is_real = True

    def _eval_evalf(self, prec):
        return None


class rand(_RandomDraw):
    """A uniform random number in (0, 1); the argument numbers the call site."""


class randn(_RandomDraw):
    """A standard normal random number; the argument numbers the call site."""


class poisson(_RandomDraw):
    """``poisson(site, lam)``: a Poisson number of mean ``lam``; ``site``
    numbers the call site."""
    nargs = 2
