"""Brian's ``check_units`` decorator."""
import functools

import numpy as np

from ..errors import DimensionMismatchError
from .dimensions import DIMENSIONLESS
from .quantity import describe, get_dimensions
from .registry import format_dimension

__all__ = ["check_units"]


def _expected_text(dim):
    if dim is DIMENSIONLESS:
        return "a dimensionless quantity"
    return f"a quantity with unit {format_dimension(dim)}"


def _is_bool(value):
    if isinstance(value, (bool, np.bool_)):
        return True
    return isinstance(value, np.ndarray) and value.dtype == bool


def check_units(**au):
    """Check the units of a function's arguments and result.

    ``@check_units(I=amp, R=ohm, result=volt)``. A spec is a unit (or any
    quantity: only its dimension counts), ``1`` for dimensionless, ``bool`` for
    a boolean, ``None`` for no check, or the name of another argument whose
    units this one must share. Arguments whose value is ``None`` are not
    checked. ``result`` may also be a function of the arguments' dimensions.
    Raises :class:`DimensionMismatchError` (``TypeError`` for ``bool``).
    """
    result_spec = au.pop("result", None)

    def decorator(f):
        import inspect

        signature = inspect.signature(f)
        arg_names = list(signature.parameters)
        unknown = set(au) - set(arg_names) - {
            n for n, p in signature.parameters.items() if p.kind == p.VAR_KEYWORD}
        if unknown and not any(p.kind == p.VAR_KEYWORD
                               for p in signature.parameters.values()):
            raise TypeError(f"check_units: {f.__name__}() has no argument(s) "
                            f"{', '.join(sorted(unknown))}")

        def check(name, value, spec, bound):
            if spec is None or value is None:
                return
            if spec is bool:
                if not _is_bool(value):
                    raise TypeError(f"Function '{f.__name__}' expected a boolean value "
                                    f"for argument '{name}' but got {describe(value)}")
                return
            if isinstance(spec, str):
                other = bound.get(spec)
                if get_dimensions(value) is not get_dimensions(other):
                    raise DimensionMismatchError(
                        f"Function '{f.__name__}' expected argument '{name}' to have "
                        f"the same units as argument '{spec}' "
                        f"({format_dimension(get_dimensions(other))}), but got "
                        f"{describe(value)} (unit is "
                        f"{format_dimension(get_dimensions(value))}).",
                        get_dimensions(value), get_dimensions(other))
                return
            expected = get_dimensions(spec)
            got = get_dimensions(value)
            if got is not expected:
                raise DimensionMismatchError(
                    f"Function '{f.__name__}' expected {_expected_text(expected)} for "
                    f"argument '{name}' but got {describe(value)} (unit is "
                    f"{format_dimension(got)}).", got, expected)

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            values = dict(bound.arguments)
            for p in signature.parameters.values():
                if p.kind == p.VAR_KEYWORD:
                    values.update(values.pop(p.name, {}))
            for name, spec in au.items():
                if name in values:
                    check(name, values[name], spec, values)
            result = f(*args, **kwargs)
            if result_spec is None:
                return result
            if result_spec is bool:
                if not _is_bool(result):
                    raise TypeError(f"The return value of function '{f.__name__}' was "
                                    f"expected to be a boolean value, but was "
                                    f"{describe(result)}")
                return result
            if callable(result_spec) and not hasattr(result_spec, "dim"):
                expected = result_spec(*[get_dimensions(values.get(n))
                                         for n in arg_names if n in au])
                expected = get_dimensions(expected)
            else:
                expected = get_dimensions(result_spec)
            got = get_dimensions(result)
            if got is not expected:
                raise DimensionMismatchError(
                    f"The return value of function '{f.__name__}' was expected to "
                    f"have unit {format_dimension(expected)} but was "
                    f"{describe(result)} (unit is {format_dimension(got)}).",
                    got, expected)
            return result

        wrapper._arg_names = arg_names
        wrapper._arg_units = [au.get(n) for n in arg_names]
        wrapper._return_unit = result_spec
        wrapper._orig_func = f
        return wrapper

    return decorator
