"""The model language: expressions, statements, equations, unit checking and
namespace lookup. Nothing here imports sympy until it is needed."""
from neurocodegen.model.equations import (
    ALLOWED_FLAGS, BUILTIN_DIMS, BUILTIN_TYPES, XI_DIMENSION, Equations, SingleEquation,
    is_stochastic_name, parse_unit, reserved_reason)
from neurocodegen.model.expressions import (
    FUNCTIONS, Expression, Statement, evaluate, parse_expression, parse_statements,
    sympy_to_code, to_sympy)
from neurocodegen.model.namespace import default_namespace, resolve_external
from neurocodegen.model.unitcheck import (
    check_statements, check_threshold, describe_dimension, infer_dimension, infer_type)

__all__ = [
    "ALLOWED_FLAGS", "BUILTIN_DIMS", "BUILTIN_TYPES", "XI_DIMENSION", "Equations",
    "SingleEquation", "is_stochastic_name", "parse_unit", "reserved_reason",
    "FUNCTIONS", "Expression", "Statement", "evaluate", "parse_expression",
    "parse_statements", "sympy_to_code", "to_sympy", "default_namespace",
    "resolve_external", "check_statements", "check_threshold", "describe_dimension",
    "infer_dimension", "infer_type",
]
