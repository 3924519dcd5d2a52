"""User functions that model strings may call, as Brian's ``Function`` and
``@implementation``: a Python function with its units, called by the numpy
target, and the C++ body a user gives for compiled code.

    @implementation('cpp', '''
    double usersin(double x) { return sin(x); }
    ''')
    @check_units(x=1, result=1)
    def usersin(x):
        return np.sin(x)

    G = NeuronGroup(1, 'dv/dt = usersin(2*pi*t/(10*ms))/ms : 1')

The C++ code is the user's own: it is placed, as written, in the generated
source (with internal linkage), and its function is called by the name of
the Python function (or ``name=``).
"""
import numpy as np

from ..model.equations import reserved_reason
from ..units import Quantity, format_dimension, get_dimensions
from ..units.dimensions import DIMENSIONLESS

class Function:
    """``Function(pyfunc, arg_units=[...], return_unit=...)``: ``pyfunc``
    callable from model strings, with arguments of the given units (a unit,
    or 1 for dimensionless) and a value of ``return_unit``. Without
    ``arg_units``, those of ``@check_units`` on ``pyfunc`` are taken. Add a
    C++ body with :func:`implementation` for compiled code."""

    #: model strings may call it (see ``model.unitcheck``)
    is_model_function = True

    def __init__(self, pyfunc, arg_units=None, return_unit=None, arg_names=None,
                 name=None, stateless=True):
        if not callable(pyfunc):
            raise TypeError(f"Function needs a Python function, got {pyfunc!r}.")
        self.pyfunc = pyfunc
        self.name = name or getattr(pyfunc, "__name__", "function")
        if arg_units is None:
            arg_units = getattr(pyfunc, "_arg_units", None)
            if arg_units is None or any(u is None for u in arg_units):
                raise ValueError(
                    f"Function {self.name!r}: give the units of its arguments, with "
                    f"arg_units=[...] or @check_units(...) on the Python function "
                    f"(every argument, and result=...).")
        if return_unit is None:
            return_unit = getattr(pyfunc, "_return_unit", None)
            if return_unit is None:
                raise ValueError(f"Function {self.name!r}: give the unit of its value, with "
                                 f"return_unit=... or @check_units(..., result=...).")
        if callable(return_unit) and not hasattr(return_unit, "dim"):
            raise NotImplementedError(
                f"Function {self.name!r}: a return unit computed from the arguments' "
                f"units is not supported; give one unit.")
        if not stateless:
            raise NotImplementedError(f"Function {self.name!r}: stateful functions are not "
                                      "supported (their values would depend on the order "
                                      "in which neurons are processed).")
        self.arg_dims = tuple(_dimension(u, self.name) for u in arg_units)
        self.dim = _dimension(return_unit, self.name)
        self.arg_names = tuple(arg_names or getattr(pyfunc, "_arg_names", None)
                               or (f"arg{k}" for k in range(len(self.arg_dims))))
        self.implementations = _Implementations(self)   # 'cpp' -> (name, code)

    def describe_args(self):
        """What it takes, for messages."""
        if not self.arg_dims:
            return "no arguments"
        return ", ".join(f"{n} ({format_dimension(d)})"
                         for n, d in zip(self.arg_names, self.arg_dims))

    def add_implementation(self, target, code, name=None):
        """C++ source for compiled code (``target='cpp'``), defining a
        function called ``name`` (by default the Python function's name)."""
        if target != "cpp":
            instead = ("neurocodegen compiles C++, not Cython" if target == "cython" else
                       "the numpy target calls the Python function itself"
                       if target == "numpy" else f"there is no target {target!r}")
            raise ValueError(f"Function {self.name!r}: an implementation for {target!r} "
                             f"cannot be used ({instead}); give the C++ code with "
                             f"@implementation('cpp', code).")
        if not isinstance(code, str):
            raise TypeError(f"Function {self.name!r}: the C++ implementation must be a "
                            f"string of C++ code, got {type(code).__name__}.")
        name = name or self.name
        if not name.isidentifier():
            reason = "it is not an identifier"
        elif name.startswith("_") or name.startswith("ncg"):
            reason = "names starting with '_' or 'ncg' are neurocodegen's"
        else:
            reason = reserved_reason(name)
        if reason:
            raise ValueError(f"Function {self.name!r}: its C++ name {name!r} cannot be used "
                             f"({reason}); give another with "
                             f"@implementation('cpp', code, name=...).")
        self.implementations[target] = (name, code)

    def code_spec(self, group_dt, group):
        """What the generated code of a caller needs to know."""
        from ..specs import UserFunction
        name, code = self.implementations.get("cpp", (self.name, None))
        return UserFunction(len(self.arg_dims), name, code)

    def plain(self, group_dt=None):
        """A numpy function of values in SI units, as the numpy target calls
        it: the Python function gets quantities of its arguments' units (as
        Brian calls it), and its value's unit is checked."""
        def call(*args):
            values = [a if d is DIMENSIONLESS else Quantity(np.asarray(a, dtype=float), dim=d)
                      for a, d in zip(args, self.arg_dims)]
            result = self.pyfunc(*values)
            got = get_dimensions(result)
            if got is not self.dim:
                raise ValueError(
                    f"Function {self.name!r} returned a value of unit "
                    f"{format_dimension(got)}, but its return unit is "
                    f"{format_dimension(self.dim)}.")
            return np.asarray(result, dtype=np.float64)
        return call

    def __call__(self, *args):
        return self.pyfunc(*args)

    def __repr__(self):
        return f"Function({self.name!r}: {self.describe_args()} -> {format_dimension(self.dim)})"


class _Implementations(dict):
    """A Function's implementations, with Brian's spelling
    ``f.implementations.add_implementation('cpp', code)``."""

    def __init__(self, function):
        super().__init__()
        self._function = function

    def add_implementation(self, target, code, name=None, **ignored):
        self._function.add_implementation(target, code, name)


def _dimension(unit, name):
    if unit is bool or isinstance(unit, str):
        raise NotImplementedError(f"Function {name!r}: boolean and integer arguments and "
                                  f"values are not supported; use units (or 1).")
    return get_dimensions(unit)


def implementation(target, code=None, name=None, **ignored):
    """Brian's decorator: give a function (a Python function, wrapped in a
    :class:`Function`, or a Function) its code for ``target`` (``'cpp'``)."""
    def decorate(function):
        if not isinstance(function, Function):
            function = Function(function)
        function.add_implementation(target, code, name)
        return function
    return decorate


def function_array(functions, key, group_dt):
    """The numpy function bound to ``_function_<name>`` among ``functions``."""
    return functions[key[len("_function_"):]].plain(group_dt)
