"""``Quantity``: a numpy array that carries a physical :class:`Dimension`.

Values are stored in SI base units; the dimension travels through arithmetic,
numpy ufuncs and the common numpy functions (see :mod:`.arrayfuncs`). Any
result that is dimensionless comes back as a plain numpy array or scalar, so
``x/mV`` is an ordinary number. Quantities only live at the API boundary; the
compiler works with :class:`Dimension` and plain floats.
"""
import numbers

import numpy as np

from ..errors import DimensionMismatchError
from .dimensions import DIMENSIONLESS, Dimension

__all__ = [
    "Quantity",
    "Unit",
    "get_dimensions",
    "have_same_dimensions",
    "is_dimensionless",
    "is_scalar_type",
    "fail_for_dimension_mismatch",
    "get_or_create_dimension",
]


# ---------------------------------------------------------------------------
# helpers on arbitrary objects
# ---------------------------------------------------------------------------
def is_scalar_type(obj):
    """True for Python/numpy numbers and 0-d arrays (with or without units)."""
    if isinstance(obj, np.ndarray):
        return obj.ndim == 0
    return isinstance(obj, (numbers.Number, np.generic))


def get_dimensions(obj):
    """The :class:`Dimension` of ``obj``; ``DIMENSIONLESS`` for plain numbers/arrays."""
    if isinstance(obj, Dimension):
        return obj
    if isinstance(obj, Quantity):
        return obj.dim
    if isinstance(obj, (list, tuple)):
        return _sequence_dim(obj)
    dim = getattr(obj, "dim", None)
    return dim if isinstance(dim, Dimension) else DIMENSIONLESS


def is_dimensionless(obj):
    """Whether ``obj`` (a quantity, number, array or Dimension) has no dimension."""
    return get_dimensions(obj) is DIMENSIONLESS


def have_same_dimensions(obj1, obj2):
    """Whether the two objects have the same dimension (plain numbers are dimensionless)."""
    return get_dimensions(obj1) is get_dimensions(obj2)


def _is_plain_zero(obj):
    """A value without units that is zero: it is allowed to have "any" dimension."""
    if isinstance(obj, Quantity) or isinstance(obj, (str, bytes)) or obj is None:
        return False
    try:
        return bool(np.all(np.asarray(obj) == 0))
    except (TypeError, ValueError):
        return False


def describe(obj):
    """Short text for an operand in an error message: ``5. A``, ``[1. 2.] mV``, ``3``."""
    with np.printoptions(threshold=6, edgeitems=2):
        if isinstance(obj, Quantity):
            return str(obj)
        return np.array2string(np.asarray(obj)) if isinstance(obj, np.ndarray) else str(obj)


def fail_for_dimension_mismatch(obj1, obj2=None, error_message=None, **error_quantities):
    """Raise :class:`DimensionMismatchError` unless ``obj1`` and ``obj2`` agree.

    ``obj2=None`` means "must be dimensionless". A plain (unit-less) zero matches
    any dimension, as in Brian. ``error_message`` may contain ``{name}``
    placeholders filled from ``error_quantities`` (formatted only on failure).
    Returns the two dimensions.
    """
    dim1 = get_dimensions(obj1)
    dim2 = DIMENSIONLESS if obj2 is None else get_dimensions(obj2)
    if dim1 is dim2:
        return dim1, dim2
    if obj2 is not None and (_is_plain_zero(obj1) or _is_plain_zero(obj2)):
        return dim1, dim2
    from .registry import format_dimension

    if error_message is None:
        error_message = "Dimension mismatch"
    else:
        error_message = error_message.format(
            **{k: describe(v) for k, v in error_quantities.items()})
    if obj2 is None or isinstance(obj2, (Dimension, Unit)):
        raise DimensionMismatchError(
            f"{error_message} (unit is {format_dimension(dim1)}).", dim1)
    raise DimensionMismatchError(
        f"{error_message} (units are {format_dimension(dim1)} and "
        f"{format_dimension(dim2)}).", dim1, dim2)


_BASE_ALIASES = {
    0: ("m", "metre", "meter", "length"),
    1: ("kg", "kilogram", "mass"),
    2: ("s", "second", "time"),
    3: ("A", "amp", "ampere", "current"),
    4: ("K", "kelvin", "temperature"),
    5: ("mol", "mole", "substance"),
    6: ("cd", "candela", "candle", "luminosity"),
}
_BASE_INDEX = {alias: i for i, names in _BASE_ALIASES.items() for alias in names}


def get_or_create_dimension(*args, **kwds):
    """Brian's helper: a Dimension from 7 exponents or keywords (``m=1, s=-1`` or
    ``length=1, time=-1``)."""
    if args:
        exps = tuple(args[0]) if len(args) == 1 else tuple(args)
        if len(exps) != 7 or kwds:
            raise TypeError("Need exactly 7 exponents or keyword arguments")
        return Dimension(exps)
    exps = [0] * 7
    for key, value in kwds.items():
        if key not in _BASE_INDEX:
            raise TypeError(f"Unknown base dimension {key!r}")
        exps[_BASE_INDEX[key]] = value
    return Dimension(exps)


def _strip(obj):
    """Plain values: Quantities become ndarray views; lists/tuples recursively."""
    if isinstance(obj, Quantity):
        return obj.view(np.ndarray)
    if isinstance(obj, list):
        return [_strip(o) for o in obj]
    if isinstance(obj, tuple):
        return tuple(_strip(o) for o in obj)
    return obj


def _sequence_dim(seq):
    """Common dimension of the (possibly nested) elements of a list/tuple."""
    found = None
    first = None
    stack = [seq]
    while stack:
        item = stack.pop()
        for x in item:
            if isinstance(x, (list, tuple)):
                stack.append(x)
                continue
            d = x.dim if isinstance(x, Quantity) else DIMENSIONLESS
            if found is None:
                found, first = d, x
            elif d is not found:
                if not isinstance(x, Quantity) and _is_plain_zero(x):
                    continue
                if not isinstance(first, Quantity) and _is_plain_zero(first):
                    found, first = d, x
                    continue
                fail_for_dimension_mismatch(
                    first, x, "All elements must have the same units: {a} vs {b}",
                    a=first, b=x)
    return DIMENSIONLESS if found is None else found


def _wrap(value, dim):
    """A ufunc/function result with ``dim``: plain when dimensionless, else Quantity."""
    if dim is DIMENSIONLESS:
        if isinstance(value, Quantity):
            return value.view(np.ndarray)
        return value
    if isinstance(value, np.ndarray):
        result = value.view(Quantity)
        result.dim = dim
        return result
    return Quantity(value, dim)


# ---------------------------------------------------------------------------
# ufunc dimension rules
# ---------------------------------------------------------------------------
_SAME_KEEP = {"add", "subtract", "remainder", "fmod", "hypot", "nextafter"}
_SAME_KEEP_ZERO = {"maximum", "minimum", "fmax", "fmin", "clip"}
_COMPARE = {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"}
_KEEP1 = {"negative", "positive", "absolute", "fabs", "rint", "floor", "ceil",
          "trunc", "conjugate", "spacing"}
_PLAIN_ANY = {"sign", "isnan", "isinf", "isfinite", "signbit", "logical_not",
              "logical_and", "logical_or", "logical_xor"}
_POWERS = {"sqrt": 0.5, "cbrt": 1 / 3, "square": 2, "reciprocal": -1}
_SYMBOLS = {"add": "+", "subtract": "-", "remainder": "%", "fmod": "%",
            "equal": "==", "not_equal": "!=", "less": "<", "less_equal": "<=",
            "greater": ">", "greater_equal": ">=", "multiply": "*",
            "divide": "/", "true_divide": "/", "floor_divide": "//", "power": "**"}


def _op_text(name, inputs):
    args = [describe(x) for x in inputs]
    if name in _SYMBOLS and len(args) == 2:
        return f"{args[0]} {_SYMBOLS[name]} {args[1]}"
    return f"{name}({', '.join(args)})"


def _mismatch(name, inputs, dims):
    from .registry import format_dimension

    units = " and ".join(format_dimension(d) for d in dims)
    raise DimensionMismatchError(
        f"Cannot calculate {_op_text(name, inputs)}, units do not match "
        f"(units are {units}).", *dims)


def _require_dimensionless(name, inputs, dims):
    bad = [(x, d) for x, d in zip(inputs, dims) if d is not DIMENSIONLESS]
    if not bad:
        return DIMENSIONLESS
    from .registry import format_dimension

    what = ", ".join(f"{describe(x)} has unit {format_dimension(d)}" for x, d in bad)
    raise DimensionMismatchError(
        f"Cannot calculate {_op_text(name, inputs)}: the argument must be "
        f"dimensionless, but {what}.", *[d for _, d in bad])


def _same_dims(name, inputs, dims, allow_zero):
    """The common dimension of ``inputs`` or a DimensionMismatchError."""
    result = None
    for x, d in zip(inputs, dims):
        if allow_zero and not isinstance(x, Quantity) and _is_plain_zero(x):
            continue
        if result is None:
            result = d
        elif d is not result:
            _mismatch(name, inputs, dims)
    return dims[0] if result is None else result


def _power_dim(name, inputs, dims, plain):
    if dims[1] is not DIMENSIONLESS:
        _require_dimensionless(name, inputs[1:], dims[1:])
    if dims[0] is DIMENSIONLESS:
        return DIMENSIONLESS
    exponent = np.asarray(plain[1])
    if exponent.size == 0:
        return dims[0]
    first = exponent.flat[0]
    if exponent.size > 1 and not np.all(exponent == first):
        raise DimensionMismatchError(
            f"Cannot calculate {_op_text(name, inputs)}: a quantity with units "
            "can only be raised to a single exponent, not an array of different "
            "exponents.", dims[0])
    return dims[0] ** float(first)


def _call_dim(ufunc, inputs, dims, plain):
    """Result dimension(s) of ``ufunc(*inputs)``, or raise DimensionMismatchError."""
    name = ufunc.__name__
    if name in _SAME_KEEP:
        return _same_dims(name, inputs, dims, allow_zero=name in ("add", "subtract"))
    if name in _SAME_KEEP_ZERO:
        return _same_dims(name, inputs, dims, allow_zero=True)
    if name in _COMPARE:
        if name in ("equal", "not_equal") and any(
                x is None or isinstance(x, str) for x in inputs):
            return DIMENSIONLESS
        _same_dims(name, inputs, dims, allow_zero=True)
        return DIMENSIONLESS
    if name in ("multiply", "matmul", "vecdot"):
        return dims[0] * dims[1]
    if name in ("divide", "true_divide", "floor_divide"):
        return dims[0] / dims[1]
    if name == "divmod":
        _same_dims(name, inputs, dims, allow_zero=False)
        return (DIMENSIONLESS, dims[0])
    if name in ("power", "float_power"):
        return _power_dim(name, inputs, dims, plain)
    if name in _POWERS:
        return dims[0] ** _POWERS[name]
    if name in _KEEP1:
        return dims[0]
    if name == "copysign":
        return dims[0]
    if name == "modf":
        return (dims[0], dims[0])
    if name in _PLAIN_ANY:
        return DIMENSIONLESS
    if name == "arctan2":
        _same_dims(name, inputs, dims, allow_zero=True)
        return DIMENSIONLESS
    return _require_dimensionless(name, inputs, dims)


def _reduce_dim(ufunc, method, dim, plain, kwargs):
    name = ufunc.__name__
    if dim is DIMENSIONLESS or name in _PLAIN_ANY:
        return DIMENSIONLESS
    if name in ("add", "maximum", "minimum", "fmax", "fmin"):
        return dim
    if name == "multiply" and method == "reduce":
        arr = np.asarray(plain[0])
        axis = kwargs.get("axis", 0)
        if axis is None:
            count = arr.size
        else:
            axes = axis if isinstance(axis, tuple) else (axis,)
            count = int(np.prod([arr.shape[a] for a in axes]))
        return dim ** count
    from .registry import format_dimension

    raise DimensionMismatchError(
        f"Cannot calculate {name}.{method} of a quantity with unit "
        f"{format_dimension(dim)}.", dim)


# ---------------------------------------------------------------------------
# Quantity
# ---------------------------------------------------------------------------
class Quantity(np.ndarray):
    """A numpy array of SI values with a physical dimension ``.dim``.

    ``Quantity(value, dim=None)``: ``dim`` defaults to the dimension of
    ``value`` (dimensionless for plain numbers). Usually made by multiplying
    with a unit: ``3 * mV``.
    """

    def __new__(cls, value=0.0, dim=None, dtype=None, copy=False):
        if dim is not None and not isinstance(dim, Dimension):
            raise TypeError(
                f"dim must be a Dimension, not {type(dim).__name__}; to attach a "
                "unit, multiply by it (e.g. 3 * mV)")
        if isinstance(value, (list, tuple)):
            vdim = _sequence_dim(value)
            arr = np.array(_strip(value), dtype=dtype)
        else:
            vdim = get_dimensions(value)
            if copy:
                arr = np.array(value, dtype=dtype, copy=True)
            else:
                arr = np.asarray(value, dtype=dtype)
        obj = arr.view(cls)
        obj.dim = vdim if dim is None else dim
        return obj

    def __array_finalize__(self, obj):
        self.dim = getattr(obj, "dim", DIMENSIONLESS)

    @staticmethod
    def with_dimensions(value, *args, **keywords):
        """``Quantity.with_dimensions(2, get_dimension(m=1))`` or ``(2, m=1)``."""
        dim = args[0] if args and isinstance(args[0], Dimension) else \
            get_or_create_dimension(*args, **keywords)
        return Quantity(value, dim)

    # -- attributes -------------------------------------------------------
    @property
    def dimensions(self):
        return self.dim

    @property
    def is_dimensionless(self):
        return self.dim is DIMENSIONLESS

    def has_same_dimensions(self, other):
        return self.dim is get_dimensions(other)

    # -- numpy protocols ---------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain, dims = [], []
        for x in inputs:
            if isinstance(x, Quantity):
                plain.append(x.view(np.ndarray))
                dims.append(x.dim)
            elif isinstance(x, (list, tuple)):
                q = Quantity(x)
                plain.append(q.view(np.ndarray))
                dims.append(q.dim)
            else:
                plain.append(x)
                dims.append(DIMENSIONLESS)
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(_strip(o) for o in out)
        for key in ("initial", "where"):
            if isinstance(kwargs.get(key), Quantity):
                kwargs[key] = kwargs[key].view(np.ndarray)

        if method in ("__call__", "outer"):
            rdim = _call_dim(ufunc, inputs, dims, plain)
        elif method in ("reduce", "accumulate", "reduceat"):
            rdim = _reduce_dim(ufunc, method, dims[0], plain, kwargs)
        elif method == "at":
            call_inputs = [inputs[0]] + list(inputs[2:])
            rdim = _call_dim(ufunc, call_inputs, [dims[0]] + dims[2:], plain)
            if rdim is not dims[0]:
                _mismatch(ufunc.__name__, call_inputs, [dims[0]] + dims[2:])
        else:
            return NotImplemented

        result = getattr(ufunc, method)(*plain, **kwargs)
        if method == "at":
            return None
        if out is not None:
            for o, d in zip(out, rdim if isinstance(rdim, tuple) else (rdim,)):
                if isinstance(o, Quantity):
                    o.dim = d
            return out[0] if len(out) == 1 else out
        if isinstance(rdim, tuple):
            return tuple(_wrap(r, d) for r, d in zip(result, rdim))
        return _wrap(result, rdim)

    def __array_function__(self, func, types, args, kwargs):
        handler = _arrayfuncs.HANDLED.get(func)
        if handler is not None:
            return handler(func, args, kwargs)
        return super().__array_function__(func, types, args, kwargs)

    def __reduce__(self):
        reconstruct, args, state = super().__reduce__()
        return reconstruct, args, (state, self.dim)

    def __setstate__(self, state):
        ndstate, dim = state
        super().__setstate__(ndstate)
        self.dim = dim

    # -- indexing ---------------------------------------------------------
    def __getitem__(self, key):
        result = super().__getitem__(key)
        if isinstance(result, np.ndarray):
            return result
        return _wrap(result, self.dim)

    def __setitem__(self, key, value):
        fail_for_dimension_mismatch(
            self, value, "Inconsistent units in assignment of {v}", v=value)
        super().__setitem__(key, _strip(value))

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d quantity")
        for i in range(len(self)):
            yield self[i]

    def fill(self, value):
        fail_for_dimension_mismatch(self, value, "Inconsistent units in fill: {v}",
                                    v=value)
        super().fill(_strip(value))

    def tolist(self):
        """Nested lists of 0-d quantities (plain floats when dimensionless)."""
        values = np.asarray(self).tolist()
        if self.dim is DIMENSIONLESS:
            return values

        def convert(v):
            return [convert(x) for x in v] if isinstance(v, list) else Quantity(v, self.dim)
        return convert(values)

    # -- methods that keep (or change) the unit ---------------------------
    def _keep(self, name, *args, **kwargs):
        return _arrayfuncs.call_keep(getattr(np.ndarray, name), self, args, kwargs,
                                     self.dim)

    def mean(self, *args, **kwargs):
        return self._keep("mean", *args, **kwargs)

    def sum(self, *args, **kwargs):
        return self._keep("sum", *args, **kwargs)

    def std(self, *args, **kwargs):
        return self._keep("std", *args, **kwargs)

    def max(self, *args, **kwargs):
        return self._keep("max", *args, **kwargs)

    def min(self, *args, **kwargs):
        return self._keep("min", *args, **kwargs)

    def cumsum(self, *args, **kwargs):
        return self._keep("cumsum", *args, **kwargs)

    def round(self, *args, **kwargs):
        return self._keep("round", *args, **kwargs)

    def var(self, *args, **kwargs):
        return _arrayfuncs.call_keep(np.ndarray.var, self, args, kwargs, self.dim ** 2)

    def prod(self, *args, **kwargs):
        return np.multiply.reduce(self, *args, **kwargs) if not kwargs.get(
            "dtype") else np.prod(self, *args, **kwargs)

    def clip(self, min=None, max=None, *args, **kwargs):
        return np.clip(self, min, max, *args, **kwargs)

    def dot(self, other, *args, **kwargs):
        return np.dot(self, other, *args, **kwargs)

    def searchsorted(self, v, *args, **kwargs):
        fail_for_dimension_mismatch(self, v, "searchsorted: {a} and {b}", a=self, b=v)
        return np.asarray(self).searchsorted(_strip(v), *args, **kwargs)

    # -- conversion and display -------------------------------------------
    def in_unit(self, unit, precision=None):
        """Text of the values in ``unit`` (e.g. ``(3*mV).in_unit(uvolt)``)."""
        fail_for_dimension_mismatch(self, unit, "Cannot show {q} in {u}", q=self, u=unit)
        return _registry.format_in(self, unit, precision=precision)

    def in_best_unit(self, precision=None):
        return _registry.format_in(self, None, precision=precision)

    def get_best_unit(self):
        return _registry.best_unit(self.dim, self.view(np.ndarray))

    def __str__(self):
        return _registry.format_in(self, None)

    def __repr__(self):
        return _registry.format_in(self, None, python_code=True)

    def __format__(self, spec):
        if not spec:
            return str(self)
        if self.ndim == 0:
            unit = self.get_best_unit()
            value = float(np.asarray(self) / np.asarray(unit))
            return f"{format(value, spec)} {unit.name}" if self.dim is not \
                DIMENSIONLESS else format(value, spec)
        return super().__format__(spec)

    def _repr_latex_(self):
        return _registry.format_latex(self)

    def _repr_html_(self):
        import html

        return html.escape(str(self))


class Unit(Quantity):
    """A named unit, e.g. ``mvolt`` (shown as ``mV``). A 0-d read-only Quantity;
    arithmetic on units gives plain :class:`Quantity` objects.

    ``name`` is the display text (``mV``), ``expr`` a Python expression that
    evaluates to the unit under ``from neurocodegen.units import *`` (``mvolt``),
    ``latex`` its LaTeX form.
    """

    def __new__(cls, value=1.0, dim=DIMENSIONLESS, name=None, expr=None, latex=None):
        obj = np.array(float(value)).view(cls)
        obj.dim = dim
        obj.name = name if name is not None else str(dim)
        obj.expr = expr if expr is not None else obj.name
        obj.latex = latex if latex is not None else rf"\mathrm{{{obj.name}}}"
        obj.flags.writeable = False
        return obj

    def __array_finalize__(self, obj):
        self.dim = getattr(obj, "dim", DIMENSIONLESS)
        self.name = getattr(obj, "name", None)
        self.expr = getattr(obj, "expr", None)
        self.latex = getattr(obj, "latex", None)

    @property
    def scale(self):
        return float(np.asarray(self))

    def __str__(self):
        return self.name

    def __repr__(self):
        return self.expr

    def _repr_latex_(self):
        return f"${self.latex}$"

    def __hash__(self):
        return hash((self.scale, self.dim))

    def __reduce__(self):
        return (Unit, (self.scale, self.dim, self.name, self.expr, self.latex))

    # Units are shared constants: ``u *= 2`` rebinds the name instead.
    def __iadd__(self, other):
        return NotImplemented

    __isub__ = __imul__ = __itruediv__ = __ifloordiv__ = __ipow__ = __imod__ = __iadd__


from . import arrayfuncs as _arrayfuncs  # noqa: E402  (needs Quantity)
from . import registry as _registry  # noqa: E402  (needs Unit)
