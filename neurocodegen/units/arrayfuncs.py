"""Units through numpy functions (``np.mean``, ``np.concatenate``, ...).

:meth:`Quantity.__array_function__` looks the function up in :data:`HANDLED`;
each handler checks the dimensions of the arguments that must agree, calls the
function on plain arrays and attaches the result's dimension. Functions not
listed fall back to numpy's default handling of ndarray subclasses.
"""
import numpy as np

from .dimensions import DIMENSIONLESS
from .quantity import (Quantity, _require_dimensionless, _same_dims, _strip,
                       _wrap, get_dimensions)

HANDLED = {}


def _strip_kwargs(kwargs):
    return {k: _strip(v) for k, v in kwargs.items()}


def call_keep(func, first, args, kwargs, dim):
    """``func(first, *args, **kwargs)`` on plain values, result given ``dim``."""
    out = kwargs.get("out")
    result = func(_strip(first), *_strip(args), **_strip_kwargs(kwargs))
    if isinstance(out, Quantity):
        out.dim = dim
        return out
    return _wrap(result, dim)


def _register(names, handler):
    for name in names:
        module = np
        for part in name.split("."):
            module = getattr(module, part, None)
            if module is None:
                break
        if module is not None:
            HANDLED[module] = handler


def _keep(func, args, kwargs):
    return call_keep(func, args[0], args[1:], kwargs, get_dimensions(args[0]))


def _square(func, args, kwargs):
    return call_keep(func, args[0], args[1:], kwargs, get_dimensions(args[0]) ** 2)


def _plain(func, args, kwargs):
    return func(*_strip(args), **_strip_kwargs(kwargs))


def _compare_first_two(func, args, kwargs):
    a, b = args[0], args[1] if len(args) > 1 else kwargs.get("b", kwargs.get("v"))
    _same_dims(func.__name__, [a, b], [get_dimensions(a), get_dimensions(b)], True)
    return _plain(func, args, kwargs)


def _multiply_two(func, args, kwargs):
    dim = get_dimensions(args[0]) * get_dimensions(args[1])
    return _wrap(_plain(func, args, kwargs), dim)


def _prod(func, args, kwargs):
    dim = get_dimensions(args[0])
    if dim is DIMENSIONLESS:
        return _plain(func, args, kwargs)
    return np.multiply.reduce(args[0], *args[1:], **{
        k: v for k, v in kwargs.items() if k in ("axis", "keepdims", "out")})


def _dimensionless_only(func, args, kwargs):
    _require_dimensionless(func.__name__, [args[0]], [get_dimensions(args[0])])
    return _plain(func, args, kwargs)


def _join(func, args, kwargs):
    seq = list(args[0])
    dims = [get_dimensions(x) for x in seq]
    dim = _same_dims(func.__name__, seq, dims, allow_zero=False) if seq else DIMENSIONLESS
    return _wrap(func(_strip(seq), *_strip(args[1:]), **_strip_kwargs(kwargs)), dim)


def _append(func, args, kwargs):
    arr = args[0]
    values = args[1] if len(args) > 1 else kwargs["values"]
    dim = _same_dims("append", [arr, values],
                     [get_dimensions(arr), get_dimensions(values)], allow_zero=False)
    return _wrap(_plain(func, args, kwargs), dim)


def _where(func, args, kwargs):
    if len(args) < 3:
        return _plain(func, args, kwargs)
    x, y = args[1], args[2]
    dim = _same_dims("where", [x, y], [get_dimensions(x), get_dimensions(y)], True)
    return _wrap(_plain(func, args, kwargs), dim)


def _clip(func, args, kwargs):
    kwargs = dict(kwargs)
    args = list(args)
    while len(args) < 3:
        args.append(None)
    a, lo, hi = args[:3]
    lo = kwargs.pop("a_min", kwargs.pop("min", lo))
    hi = kwargs.pop("a_max", kwargs.pop("max", hi))
    bounds = [b for b in (lo, hi) if b is not None]
    dim = _same_dims("clip", [a] + bounds, [get_dimensions(x) for x in [a] + bounds],
                     allow_zero=True)
    out = kwargs.pop("out", None)
    result = np.clip(_strip(a), _strip(lo), _strip(hi), out=_strip(out),
                     **_strip_kwargs(kwargs))
    if isinstance(out, Quantity):
        out.dim = dim
        return out
    return _wrap(result, dim)


def _linspace(func, args, kwargs):
    start = args[0] if args else kwargs["start"]
    stop = args[1] if len(args) > 1 else kwargs["stop"]
    dim = _same_dims("linspace", [start, stop],
                     [get_dimensions(start), get_dimensions(stop)], True)
    result = _plain(func, args, kwargs)
    if isinstance(result, tuple):  # retstep=True
        return _wrap(result[0], dim), _wrap(result[1], dim)
    return _wrap(result, dim)


def _interp(func, args, kwargs):
    x, xp, fp = args[:3]
    _same_dims("interp", [x, xp], [get_dimensions(x), get_dimensions(xp)], False)
    return _wrap(_plain(func, args, kwargs), get_dimensions(fp))


def _trapezoid(func, args, kwargs):
    y = args[0]
    x = args[1] if len(args) > 1 else kwargs.get("x")
    if x is None:
        x = args[2] if len(args) > 2 else kwargs.get("dx", 1.0)
    return _wrap(_plain(func, args, kwargs), get_dimensions(y) * get_dimensions(x))


def _histogram(func, args, kwargs):
    a = args[0]
    dim = get_dimensions(a)
    bins = args[1] if len(args) > 1 else kwargs.get("bins")
    if isinstance(bins, (Quantity, list)):
        _same_dims("histogram", [a, bins], [dim, get_dimensions(bins)], False)
    rng = args[2] if len(args) > 2 else kwargs.get("range")
    if rng is not None:
        for r in rng:
            _same_dims("histogram", [a, r], [dim, get_dimensions(r)], True)
    # counts stay plain (as in Brian), also with weights that have units, so that
    # plotting code such as matplotlib's hist works unchanged
    counts, edges = _plain(func, args, kwargs)
    return counts, _wrap(edges, dim)


def _unique(func, args, kwargs):
    result = _plain(func, args, kwargs)
    dim = get_dimensions(args[0])
    if isinstance(result, tuple):
        return (_wrap(result[0], dim),) + tuple(result[1:])
    return _wrap(result, dim)


def _atleast(func, args, kwargs):
    if len(args) == 1:
        return _keep(func, args, kwargs)
    return [_keep(func, (a,), kwargs) for a in args]


_register([
    "mean", "average", "sum", "nansum", "nanmean", "median", "nanmedian", "max",
    "amax", "min", "amin", "nanmax", "nanmin", "ptp", "std", "nanstd", "cumsum",
    "nancumsum", "diff", "ediff1d", "sort", "ravel", "reshape", "transpose",
    "squeeze", "copy", "round", "around", "fix", "flip", "fliplr", "flipud", "roll",
    "tile", "repeat", "take", "expand_dims", "moveaxis", "swapaxes", "rot90",
    "broadcast_to", "resize", "trim_zeros", "percentile", "quantile",
    "nanpercentile", "nanquantile", "diagonal", "trace", "real", "imag",
    "nan_to_num", "linalg.norm", "partition", "compress", "extract", "delete",
    "sort_complex", "triu", "tril", "diag",
], _keep)
_register(["var", "nanvar"], _square)
_register(["prod", "nanprod"], _prod)
_register(["cumprod", "nancumprod"], _dimensionless_only)
_register(["concatenate", "stack", "vstack", "hstack", "dstack", "column_stack",
           "row_stack"], _join)
_register(["append"], _append)
_register(["where"], _where)
_register(["clip"], _clip)
_register(["linspace"], _linspace)
_register(["isclose", "allclose", "array_equal", "array_equiv", "searchsorted"],
          _compare_first_two)
_register(["argmax", "argmin", "argsort", "nonzero", "shape", "ndim", "size",
           "count_nonzero", "argwhere", "flatnonzero", "nanargmax", "nanargmin"],
          _plain)
_register(["dot", "inner", "outer", "cross", "tensordot", "kron", "convolve",
           "vdot"], _multiply_two)
_register(["trapezoid", "trapz"], _trapezoid)
_register(["interp"], _interp)
_register(["histogram"], _histogram)
_register(["unique"], _unique)
_register(["atleast_1d", "atleast_2d", "atleast_3d"], _atleast)
