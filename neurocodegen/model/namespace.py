"""Looking up the names a model uses but does not define.

Brian's precedence: an explicit namespace (``run(..., namespace={...})``)
replaces the caller's; otherwise the caller's locals and globals (merged by
the caller into one mapping) are searched; the default namespace (units,
``pi``, ``e``, ``inf``, ``True``, ``False``) comes last.
"""
import math
import numbers
import types
from types import MappingProxyType

import numpy as np

from neurocodegen.errors import UndefinedNameError

_default_namespace = None


def default_namespace():
    """The read-only default namespace (built on first use)."""
    global _default_namespace
    if _default_namespace is None:
        from neurocodegen.units import all_units
        names = dict(all_units)
        names.update({"pi": math.pi, "e": math.e, "inf": math.inf,
                      "True": True, "False": False})
        _default_namespace = MappingProxyType(names)
    return _default_namespace


def __getattr__(name):
    if name == "DEFAULT_NAMESPACE":
        return default_namespace()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _describe(value):
    if isinstance(value, types.ModuleType):
        return "a module"
    if callable(value):
        return "a function or class"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, np.ndarray) and value.size != 1:
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"


def is_function(value):
    """Whether ``value`` is a function model strings may call (a TimedArray)."""
    return getattr(value, "is_model_function", False) is True


def check_value(name, value, context=""):
    """Raise TypeError unless ``value`` is a real scalar number or quantity,
    or a function model strings may call."""
    if is_function(value) or isinstance(value, (bool, np.bool_)) or (
            isinstance(value, numbers.Real) and not isinstance(value, np.ndarray)):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0 and \
            value.dtype.kind in "biuf":
        return value
    where = f" in {context}" if context else ""
    hint = (" (arrays are not supported in model strings; set per-neuron values "
            "on the group instead)" if isinstance(value, np.ndarray) else "")
    raise TypeError(f"The name {name!r} used{where} refers to {_describe(value)}, "
                    f"but model strings need a number or a quantity{hint}.")


def resolve_external(names, explicit_namespace=None, caller_namespace=None, context=""):
    """Values for ``names``: from ``explicit_namespace`` if given, else from
    ``caller_namespace``, then from the default namespace.

    Raises UndefinedNameError listing every name not found, and TypeError for
    values that are not numbers or quantities. ``context`` (e.g.
    ``"group 'neurongroup'"``) is named in errors.
    """
    primary = explicit_namespace if explicit_namespace is not None else \
        (caller_namespace or {})
    defaults = default_namespace()
    resolved, missing = {}, []
    for name in sorted(names):
        if name in primary:
            value = primary[name]
        elif name in defaults:
            value = defaults[name]
        else:
            missing.append(name)
            continue
        resolved[name] = check_value(name, value, context)
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        plural = len(missing) > 1
        where = f" in {context}" if context else ""
        source = "the given namespace" if explicit_namespace is not None else \
            "the surrounding code"
        error = UndefinedNameError(
            f"The name{'s' if plural else ''} {listed} used{where} "
            f"{'are' if plural else 'is'} not defined: {'they are' if plural else 'it is'} "
            f"neither a model variable, nor in {source}, nor a unit or constant.")
        error.names = missing
        raise error
    return resolved


def bind_externals(values, dims, types=None):
    """Record in ``dims`` (and ``types``) what each resolved external of
    ``values`` is: a number's unit, or a function itself (the unit checker
    reads its signature). Returns ``(constants, functions)``: the numbers as
    floats in SI units, and the functions."""
    from neurocodegen.units import get_dimensions
    constants, functions = {}, {}
    for name, value in values.items():
        if is_function(value):
            dims[name] = functions[name] = value
            if types is not None:
                types[name] = "float"
            continue
        dims[name] = get_dimensions(value)
        if types is not None:
            types[name] = "boolean" if isinstance(value, (bool, np.bool_)) else "float"
        constants[name] = float(np.asarray(value))
    return constants, functions
