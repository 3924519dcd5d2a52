"""The table of named units and how quantities are displayed.

Every SI base and derived unit is generated with every SI prefix and with
powers 2 and 3 (``mvolt``, ``umetre2``, ``cmetre3``, ...), as Brian names them,
plus Brian's short names (``mV``, ``nA``, ``ms``, ``cm2``, ...). Display picks,
for one whole array, the prefixed unit in which the values are closest to 10
(in a log sense), as Brian does; dimensions without a named unit are shown as
a named unit over/times a power of a base unit (``V/s``), else in base units.
"""
import re

import sys

import numpy as np

from ..errors import UnitError
from .dimensions import BASE_NAMES, BASE_SYMBOLS, DIMENSIONLESS, Dimension, get_dimension
from .quantity import Unit

__all__ = ["all_units", "get_unit", "best_unit", "format_dimension",
           "dimension_name", "PREFIXES"]

#: SI prefixes and their powers of ten.
PREFIXES = {"y": -24, "z": -21, "a": -18, "f": -15, "p": -12, "n": -9, "u": -6,
            "m": -3, "c": -2, "d": -1, "": 0, "da": 1, "h": 2, "k": 3, "M": 6,
            "G": 9, "T": 12, "P": 15, "E": 18, "Z": 21, "Y": 24}
#: Prefixes considered when choosing a unit for display (steps of 1000).
DISPLAY_PREFIXES = ("y", "z", "a", "f", "p", "n", "u", "m", "", "k", "M", "G",
                    "T", "P", "E", "Z", "Y")

# (name, symbol, base-unit exponents, power of ten of the scale, shown, aliases)
# "shown" units are used for display and for naming dimensions in messages;
# the first one registered for a dimension wins.
_DEFINITIONS = [
    ("metre", "m", dict(m=1), 0, True, ("meter",)),
    ("kilogram", "kg", dict(kg=1), 0, True, ()),
    ("gram", "g", dict(kg=1), -3, True, ()),
    ("second", "s", dict(s=1), 0, True, ()),
    ("amp", "A", dict(A=1), 0, True, ("ampere",)),
    ("kelvin", "K", dict(K=1), 0, True, ()),
    ("mole", "mol", dict(mol=1), 0, True, ("mol",)),
    ("candela", "cd", dict(cd=1), 0, True, ()),
    ("volt", "V", dict(m=2, kg=1, s=-3, A=-1), 0, True, ()),
    ("ohm", "ohm", dict(m=2, kg=1, s=-3, A=-2), 0, True, ()),
    ("siemens", "S", dict(m=-2, kg=-1, s=3, A=2), 0, True, ()),
    ("farad", "F", dict(m=-2, kg=-1, s=4, A=2), 0, True, ()),
    ("coulomb", "C", dict(s=1, A=1), 0, True, ()),
    ("hertz", "Hz", dict(s=-1), 0, True, ()),
    ("watt", "W", dict(m=2, kg=1, s=-3), 0, True, ()),
    ("joule", "J", dict(m=2, kg=1, s=-2), 0, True, ()),
    ("newton", "N", dict(m=1, kg=1, s=-2), 0, True, ()),
    ("pascal", "Pa", dict(m=-1, kg=1, s=-2), 0, True, ()),
    ("molar", "M", dict(m=-3, mol=1), 3, True, ()),
    ("litre", "l", dict(m=3), -3, False, ("liter",)),
    ("tesla", "T", dict(kg=1, s=-2, A=-1), 0, False, ()),
    ("weber", "Wb", dict(m=2, kg=1, s=-2, A=-1), 0, False, ()),
    ("henry", "H", dict(m=2, kg=1, s=-2, A=-2), 0, False, ()),
    ("becquerel", "Bq", dict(s=-1), 0, False, ()),
    ("gray", "Gy", dict(m=2, s=-2), 0, False, ()),
    ("sievert", "Sv", dict(m=2, s=-2), 0, False, ()),
    ("katal", "kat", dict(mol=1, s=-1), 0, False, ()),
    ("lumen", "lm", dict(cd=1), 0, False, ()),
    ("lux", "lx", dict(m=-2, cd=1), 0, False, ()),
    ("radian", "rad", dict(), 0, False, ()),
    ("steradian", "sr", dict(), 0, False, ()),
]

#: Brian's short names: (short name, long name).
_SHORT = [("mV", "mvolt"), ("mA", "mamp"), ("uA", "uamp"), ("nA", "namp"),
          ("pA", "pamp"), ("pF", "pfarad"), ("nF", "nfarad"), ("uF", "ufarad"),
          ("nS", "nsiemens"), ("uS", "usiemens"), ("mS", "msiemens"),
          ("ms", "msecond"), ("us", "usecond"), ("ns", "nsecond"),
          ("Hz", "hertz"), ("kHz", "khertz"), ("MHz", "Mhertz"),
          ("cm", "cmetre"), ("mm", "mmetre"), ("um", "umetre"), ("nm", "nmetre"),
          ("cm2", "cmetre2"), ("cm3", "cmetre3"), ("mm2", "mmetre2"),
          ("mm3", "mmetre3"), ("um2", "umetre2"), ("um3", "umetre3"),
          ("mM", "mmolar"), ("uM", "umolar"), ("nM", "nmolar"),
          ("ml", "mlitre"), ("ul", "ulitre")]

#: Every unit name (long, prefixed, powered, aliases, short) -> Unit.
all_units = {}
_DISPLAY = {}   # Dimension -> candidate Units for display (distinct scales)
_PRIMARY = {}   # Dimension -> (Unit, long name) of the unprefixed shown unit
_POWERED = {}   # the same for their squares and cubes (``V^2``)


def _latex(name):
    """LaTeX for a display name such as ``uA``, ``um^2`` or ``mV/s^2``."""
    parts = []
    for token in re.split(r"( |/)", name):
        if token == " ":
            parts.append(r"\,")
        elif token == "/":
            parts.append("/")
        elif token:
            symbol, _, power = token.partition("^")
            if len(symbol) > 1 and symbol[0] == "u":
                text = rf"\mu\mathrm{{{symbol[1:]}}}"
            else:
                text = rf"\mathrm{{{symbol}}}"
            parts.append(text + (f"^{{{power}}}" if power else ""))
    return "".join(parts)


def _build():
    for name, symbol, exps, exp10, shown, aliases in _DEFINITIONS:
        base_dim = get_dimension(**exps)
        dims = {power: base_dim ** power for power in (1, 2, 3)}
        prefixes = [""] if name == "kilogram" else PREFIXES
        for prefix in prefixes:
            for power in (1, 2, 3):
                dim = dims[power]
                scale = float(f"1e{(PREFIXES[prefix] + exp10) * power}")
                suffix = "" if power == 1 else str(power)
                display = prefix + symbol + ("" if power == 1 else f"^{power}")
                unit = Unit(scale, dim, name=display, expr=prefix + name + suffix,
                            latex=_latex(display))
                for long_name in (name,) + aliases:
                    all_units.setdefault(prefix + long_name + suffix, unit)
                if shown and prefix in DISPLAY_PREFIXES:
                    candidates = _DISPLAY.setdefault(dim, [])
                    if all(c.scale != scale for c in candidates):
                        candidates.append(unit)
                if shown and prefix == "":
                    table = _PRIMARY if power == 1 else _POWERED
                    table.setdefault(dim, (unit, name))
    for short, long_name in _SHORT:
        all_units[short] = all_units[long_name]


_build()

# Preference order for compound names such as V/s or A/m^2.
_COMPOUND_UNITS = ("volt", "amp", "farad", "siemens", "ohm", "coulomb", "metre",
                   "second", "kilogram", "mole", "molar", "watt", "joule",
                   "newton", "pascal", "kelvin", "candela", "hertz")
_COMPOUND_POWERS = (-1, 1, -2, 2, -3, 3, -0.5, 0.5)
_BASE_DIMS = [Dimension(tuple(int(i == j) for j in range(7))) for i in range(7)]
_compound_cache = {}
_candidate_cache = {}


def _compound(dim):
    """``(unit_name, base_index, power)`` with dim == unit * base**power, or None."""
    if dim in _compound_cache:
        return _compound_cache[dim]
    found = None
    for name in _COMPOUND_UNITS:
        unit = all_units[name]
        for power in _COMPOUND_POWERS:
            for i, base in enumerate(_BASE_DIMS):
                if unit.dim * base ** power is dim:
                    found = (name, i, power)
                    break
            if found:
                break
        if found:
            break
    _compound_cache[dim] = found
    return found


def _single_base(dim):
    return sum(1 for e in dim.exponents if e != 0) == 1


def format_dimension(dim):
    """Short unit text for a dimension: ``1``, ``V``, ``Hz``, ``V/s``, ``m^2 s^-1``."""
    dim = getattr(dim, "dim", dim)
    if dim is DIMENSIONLESS:
        return "1"
    if dim in _PRIMARY:
        return _PRIMARY[dim][0].name
    if dim in _POWERED and not _single_base(dim):
        return _POWERED[dim][0].name
    if not _single_base(dim):
        found = _compound(dim)
        if found:
            name, i, power = found
            return _compound_texts(all_units[name], i, power)[0]
    return str(dim)


def dimension_name(dim):
    """A word for a dimension in messages: ``volt``, ``hertz``, ``dimensionless``."""
    dim = getattr(dim, "dim", dim)
    if dim is DIMENSIONLESS:
        return "dimensionless"
    if dim in _PRIMARY:
        return _PRIMARY[dim][1]
    return format_dimension(dim)


def _compound_texts(unit, base_index, power):
    """(display name, python expression) of ``unit * base**power``."""
    p = abs(power)
    p_text = "" if p == 1 else f"^{p:g}"
    p_expr = "" if p == 1 else f" ** {p:g}"
    sep, op = ("/", " / ") if power < 0 else (" ", " * ")
    return (unit.name + sep + BASE_SYMBOLS[base_index] + p_text,
            unit.expr + op + BASE_NAMES[base_index] + p_expr)


def _base_form_expr(dim):
    parts = []
    for name, e in zip(BASE_NAMES, dim.exponents):
        if e:
            parts.append(name if e == 1 else f"{name} ** {e:g}")
    return " * ".join(parts)


def _candidates(dim):
    """Display units for ``dim`` (cached)."""
    if dim in _DISPLAY:
        return _DISPLAY[dim]
    if dim in _candidate_cache:
        return _candidate_cache[dim]
    found = None if _single_base(dim) else _compound(dim)
    if found:
        name, i, power = found
        cands = []
        for unit in _DISPLAY[all_units[name].dim]:
            text, expr = _compound_texts(unit, i, power)
            cands.append(Unit(unit.scale, dim, name=text, expr=expr, latex=_latex(text)))
    else:
        text = str(dim)
        cands = [Unit(1.0, dim, name=text, expr=_base_form_expr(dim), latex=_latex(text))]
    _candidate_cache[dim] = cands
    return cands


_ONE = Unit(1.0, DIMENSIONLESS, name="1", expr="1", latex="1")


def best_unit(dim, values=None):
    """The unit in which ``values`` (SI, any shape) read best: the largest
    magnitude between 1 and 1000 (so one tiny value does not drag a whole
    trace into a smaller unit)."""
    dim = getattr(dim, "dim", dim)
    if dim is DIMENSIONLESS:
        return _ONE
    cands = _candidates(dim)
    base = next((c for c in cands if c.scale == 1.0), cands[0])
    if values is None or len(cands) == 1:
        return base
    try:
        v = np.abs(np.asarray(values, dtype=float)).ravel()
    except (TypeError, ValueError):
        return base
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return base
    largest = np.log10(v.max())

    def distance(c):   # how far the largest value lands from [1, 1000)
        x = largest - np.log10(c.scale)
        return max(-x, x - 2.999999, 0.0), -c.scale
    return min(cands, key=distance)


def get_unit(name):
    """The unit called ``name`` (``'mV'``, ``'nsiemens'``); a Dimension gives the
    unprefixed unit for it (``volt`` for the dimension of volt)."""
    if isinstance(name, Dimension):
        if name is DIMENSIONLESS:
            return _ONE
        return _PRIMARY[name][0] if name in _PRIMARY else best_unit(name)
    try:
        return all_units[name]
    except (KeyError, TypeError):
        pass
    import difflib

    close = difflib.get_close_matches(str(name), list(all_units), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnitError(f"Unknown unit {name!r}{hint}")


# -- formatting quantities ------------------------------------------------------
def _number_text(values, precision, python_code):
    if python_code:  # shortest text that reads back to exactly the same floats
        with np.printoptions(floatmode="unique", threshold=sys.maxsize):
            if values.ndim == 0:
                return np.array2string(values)
            return np.array_repr(values)
    return np.array2string(values, precision=precision)


def format_in(q, unit=None, precision=None, python_code=False):
    """Text for quantity ``q`` in ``unit`` (best unit if None): ``20. V`` or,
    with ``python_code``, ``20. * volt``."""
    values = np.asarray(q)
    if unit is None:
        if q.dim is DIMENSIONLESS:
            text = _number_text(values, precision, python_code)
            return f"{type(q).__name__}({text})" if python_code else text
        unit = best_unit(q.dim, values)
    scale = float(np.asarray(unit))
    text = _number_text(values / scale if scale != 1.0 else values, precision,
                        python_code)
    if python_code:
        # Exact round trip: in the best unit when that reads back to the same
        # floats and is not longer than the SI form, else in the SI unit.
        si_unit = get_unit(q.dim)
        si_text = _number_text(values, precision, python_code)
        if (scale != 1.0 and (len(si_text) < len(text)
                              or not np.array_equal(values / scale * scale, values))):
            text, unit = si_text, si_unit
        return f"{text} * {repr(unit)}"
    return f"{text} {unit}"


def format_latex(q):
    """LaTeX for notebooks: ``$20.0\\,\\mathrm{V}$``."""
    values = np.asarray(q)
    unit = best_unit(q.dim, values)
    scaled = values / unit.scale
    if scaled.ndim == 0:
        number = f"{float(scaled):.15g}" if np.isrealobj(scaled) else str(scaled)
        if number.lstrip("-").isdigit():
            number += ".0"
    else:
        number = np.array2string(scaled, separator=", ").replace("\n", " ")
        number = number.replace("[", r"\left[").replace("]", r"\right]")
    if q.dim is DIMENSIONLESS:
        return f"${number}$"
    return f"${number}\\,{unit.latex}$"
