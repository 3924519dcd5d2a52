"""Physical units: ``from neurocodegen.units import *`` gives every unit name
(``volt``, ``mV``, ``nsiemens``, ``umetre2``, ...), :class:`Quantity`,
:class:`Unit` and the dimension helpers, as ``brian2.units`` does.
"""
from ..errors import DimensionMismatchError, UnitError
from .checks import check_units
from .dimensions import DIMENSIONLESS, Dimension, get_dimension
from .quantity import (Quantity, Unit, fail_for_dimension_mismatch, get_dimensions,
                       get_or_create_dimension, have_same_dimensions,
                       is_dimensionless, is_scalar_type)
from .registry import (all_units, best_unit, dimension_name, format_dimension,
                       get_unit)

globals().update(all_units)

__all__ = [
    "Quantity", "Unit", "Dimension", "DIMENSIONLESS", "DimensionMismatchError",
    "UnitError", "get_dimension", "get_dimensions", "get_or_create_dimension",
    "have_same_dimensions", "is_dimensionless", "is_scalar_type",
    "fail_for_dimension_mismatch", "check_units", "all_units", "get_unit",
    "best_unit", "format_dimension", "dimension_name",
] + list(all_units)
