"""PoissonGroup: N independent Poisson spike trains, compiled like any group.

Each neuron spikes in a time step with probability ``rates*dt``, drawn from
the counter-based generator (so the same seed gives the same spikes in
runtime and standalone mode, for any number of threads), as Brian's
PoissonGroup does with its threshold ``rand() < rates*dt``.
"""
import numpy as np

from ..errors import DimensionMismatchError
from ..units import get_dimensions
from ..units.dimensions import TIME
from .groups import NeuronGroup, _fmt, group_size

_HERTZ = TIME ** -1


class PoissonGroup(NeuronGroup):
    """``PoissonGroup(N, rates)``: ``rates`` is a rate (``15*Hz``), an array
    of N rates, or a string expression of ``t`` and ``i``
    (``'r0*(1 + sin(2*pi*f*t))'``), evaluated every step. ``G.rates`` can be
    set between runs when it is not an expression."""

    def __init__(self, N, rates, dt=None, clock=None, namespace=None, order=0,
                 name="poissongroup*"):
        N = group_size(N)
        if isinstance(rates, str):
            model = f"rates = {rates} : Hz"
        else:
            got = get_dimensions(rates)
            if got is not _HERTZ:
                raise DimensionMismatchError(
                    f"The rates of a PoissonGroup must be rates (e.g. 15*Hz), got {rates!r} "
                    f"with unit {_fmt(got)}.", got, _HERTZ)
            values = np.asarray(rates, dtype=np.float64)
            if values.ndim > 1 or (values.ndim == 1 and values.size not in (1, N)):
                raise ValueError(f"PoissonGroup({N}, rates=...): give one rate or {N}, not an "
                                 f"array of shape {values.shape}.")
            if not np.all(np.isfinite(values)) or np.any(values < 0):
                raise ValueError(f"The rates of a PoissonGroup must be finite and not "
                                 f"negative, got {rates!r}.")
            model = "rates : Hz"
        super().__init__(N, model, threshold="rand() < rates*dt", namespace=namespace,
                         dt=dt, clock=clock, order=order, name=name)
        if not isinstance(rates, str):
            self.rates = rates

    def __repr__(self):
        return f"PoissonGroup({self.N}, name={self.name!r})"
