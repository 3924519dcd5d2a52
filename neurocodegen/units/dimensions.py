"""Physical dimensions: exponents over the seven SI base units.

A :class:`Dimension` is small, immutable and interned: two equal dimensions are
the same object, so ``is`` and ``==`` agree and hashing is cheap. The compiler
works with these and plain floats; :class:`~neurocodegen.units.quantity.Quantity`
is only for the user-facing API.
"""
from fractions import Fraction

#: Base units in the order of the exponent tuple, with their symbols.
BASE_SYMBOLS = ("m", "kg", "s", "A", "K", "mol", "cd")
BASE_NAMES = ("metre", "kilogram", "second", "amp", "kelvin", "mole", "candela")


def _clean(exponent):
    """Exponents are stored as exact ints where possible, else floats."""
    f = Fraction(exponent).limit_denominator(1000)
    if f.denominator == 1:
        return int(f)
    return float(f)


class Dimension:
    """An immutable tuple of seven exponents; use :func:`get_dimension` to make one."""

    __slots__ = ("exponents", "_hash")
    _interned = {}

    def __new__(cls, exponents):
        exponents = tuple(_clean(e) for e in exponents)
        if len(exponents) != 7:
            raise ValueError("A dimension needs exactly 7 exponents")
        existing = cls._interned.get(exponents)
        if existing is not None:
            return existing
        self = object.__new__(cls)
        object.__setattr__(self, "exponents", exponents)
        object.__setattr__(self, "_hash", hash(exponents))
        cls._interned[exponents] = self
        return self

    def __setattr__(self, name, value):
        raise AttributeError("Dimension objects are immutable")

    def __reduce__(self):
        return (Dimension, (self.exponents,))

    # algebra ------------------------------------------------------------
    def __mul__(self, other):
        if not isinstance(other, Dimension):
            return NotImplemented
        return Dimension(a + b for a, b in zip(self.exponents, other.exponents))

    def __truediv__(self, other):
        if not isinstance(other, Dimension):
            return NotImplemented
        return Dimension(a - b for a, b in zip(self.exponents, other.exponents))

    def __pow__(self, power):
        if not (abs(power) < 1e6) and not self.is_dimensionless:   # also inf and nan
            from ..errors import DimensionMismatchError
            raise DimensionMismatchError(
                f"Cannot raise a quantity with unit {self} to the power {power!r}.", self)
        return Dimension(a * power for a in self.exponents)

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return self._hash

    @property
    def is_dimensionless(self):
        return self is DIMENSIONLESS

    # display --------------------------------------------------------------
    def __str__(self):
        """Base-unit form, e.g. ``m^2 kg s^-3 A^-1``; ``1`` if dimensionless."""
        parts = []
        for symbol, e in zip(BASE_SYMBOLS, self.exponents):
            if e == 0:
                continue
            parts.append(symbol if e == 1 else f"{symbol}^{e:g}")
        return " ".join(parts) if parts else "1"

    def __repr__(self):
        return f"Dimension({self.exponents!r})"


DIMENSIONLESS = Dimension((0,) * 7)
TIME = Dimension((0, 0, 1, 0, 0, 0, 0))   # second


def get_dimension(m=0, kg=0, s=0, A=0, K=0, mol=0, cd=0):
    """The dimension with the given base-unit exponents, e.g. ``get_dimension(s=-1)``."""
    return Dimension((m, kg, s, A, K, mol, cd))
