"""neurocodegen: Brian-style spiking-neuron models compiled to C++.

``from neurocodegen import *`` gives what ``from brian2 import *`` gives a
tutorial user: units, the simulator classes and functions, numpy's names
(and ``np``), ``prefs``, and matplotlib's plotting functions and ``plt``
(imported on first use).
"""
import numpy as _np
import numpy as np  # noqa: F401  (Brian's star import gives np)

# numpy's names, as Brian's namespace includes them (``from numpy import *``),
# but for its f2py and testing packages: importing those took 100 ms, a
# quarter of ``import neurocodegen`` (``np.f2py`` and ``np.testing`` still work)
_numpy_names = [name for name in _np.__all__
                if name not in ("f2py", "testing", "test", "__version__")]
globals().update({name: getattr(_np, name) for name in _numpy_names})

__version__ = "0.1.0"  # after numpy's names, which include numpy's own __version__

from .errors import (CompilationError, DimensionMismatchError, EquationError,  # noqa: F401
                     FunctionImplementationError,
                     ExpressionSyntaxError, IntegrationError, NeurocodegenError,
                     PreferenceError, UndefinedNameError, UnitError)
from .units import *  # noqa: F401,F403
from .units import __all__ as _units_all
from .pylab import *  # noqa: F401,F403
from .pylab import __all__ as _pylab_all
from .model.equations import Equations  # noqa: F401
from .preferences import prefs  # noqa: F401
from .runtime.clock import Clock, defaultclock, seed  # noqa: F401
from .runtime.groups import NeuronGroup  # noqa: F401
from .runtime.monitors import EventMonitor, SpikeMonitor, StateMonitor  # noqa: F401
from .runtime.synapses import Synapses  # noqa: F401
from .runtime.poisson import PoissonGroup, PoissonInput  # noqa: F401
from .runtime.timedarray import TimedArray  # noqa: F401
from .runtime.functions import Function, implementation  # noqa: F401
from .runtime.spikegenerator import SpikeGeneratorGroup  # noqa: F401
from .runtime.ratemonitor import PopulationRateMonitor  # noqa: F401
from .runtime.network import Network  # noqa: F401
from .runtime.device import device, get_device, set_device  # noqa: F401
from .runtime.magic import collect, restore, run, show_source, start_scope, store  # noqa: F401
from .runtime.operations import network_operation  # noqa: F401
from .runtime.linked import linked_var  # noqa: F401
from .plotting import plot_if_curve, plot_raster, plot_rate, plot_state  # noqa: F401
from .sweep import sweep  # noqa: F401  (its grid() is neurocodegen.sweep.grid: pylab has grid)

_own = ["np", "prefs", "PreferenceError", "Equations", "NeuronGroup", "Synapses", "PoissonGroup",
        "PoissonInput", "TimedArray", "Function", "implementation", "SpikeGeneratorGroup",
        "PopulationRateMonitor", "EventMonitor", "SpikeMonitor",
        "StateMonitor", "Network", "Clock",
        "defaultclock", "seed", "run", "start_scope", "show_source", "store", "restore",
        "collect", "network_operation", "linked_var",
        "set_device", "get_device", "device",
        "NeurocodegenError", "DimensionMismatchError", "EquationError",
        "ExpressionSyntaxError", "IntegrationError", "UndefinedNameError", "UnitError",
        "CompilationError", "FunctionImplementationError",
        "plot_raster", "plot_state", "plot_rate", "plot_if_curve", "sweep"]
__all__ = sorted(set(_numpy_names) | set(_units_all) | set(_pylab_all) | set(_own))
