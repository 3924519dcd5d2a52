"""Numerical integration: schemes as data, applicability checks, registry.

>>> import sympy
>>> from neurocodegen.integrators import ODESystem, integrate
>>> v, tau = sympy.symbols("v tau", real=True)
>>> print(integrate(ODESystem(("v",), {"v": (1 - v) / tau}), "exact"))
v = (v - 1)*exp(-dt/tau) + 1
"""

from neurocodegen.integrators.base import (AUTOMATIC_ORDER, BOOLEAN_PARAMETERS, ODESystem,
                                           Scheme, StateUpdate, available_methods,
                                           get_scheme, integrate, register)
from neurocodegen.integrators.exact import ExactScheme, exact, linear_system
from neurocodegen.integrators.explicit import SCHEMES as _EXPLICIT
from neurocodegen.integrators.explicit import ExplicitScheme
from neurocodegen.integrators.exponential_euler import (ExponentialEulerScheme,
                                                        exponential_euler)

for _scheme in (exact, exponential_euler, *_EXPLICIT):
    register(_scheme.name, _scheme)
register("linear", exact)

__all__ = [
    "AUTOMATIC_ORDER", "BOOLEAN_PARAMETERS", "ODESystem", "StateUpdate", "Scheme",
    "ExplicitScheme", "ExactScheme", "ExponentialEulerScheme", "integrate", "register",
    "available_methods", "get_scheme", "linear_system",
]
