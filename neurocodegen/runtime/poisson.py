"""Poisson inputs, compiled like the rest of the step.

``PoissonGroup``: N independent Poisson spike trains; each neuron spikes in
a time step with probability ``rates*dt``, drawn from the counter-based
generator (so the same seed gives the same spikes in runtime and standalone
mode, for any number of threads), as Brian's PoissonGroup does with its
threshold ``rand() < rates*dt``.

``PoissonInput``: the summed effect of N Poisson sources on a variable of
every neuron of a group, one binomial draw per neuron and step, without
neurons or synapses for the sources.
"""
import numpy as np

from ..errors import DimensionMismatchError
from ..specs import PoissonInputSpec
from ..units import get_dimensions
from ..units.dimensions import TIME
from .groups import NeuronGroup, _fmt, group_size
from .operations import RegularOperation
from .random import binomial_constants

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


class PoissonInput(RegularOperation):
    """``PoissonInput(target, target_var, N, rate, weight)``: ``N``
    independent Poisson sources of ``rate`` each add ``weight`` (a quantity
    with the unit of ``target_var``, or a string expression of the target's
    variables) to ``target_var`` of every neuron of ``target``, in the
    ``synapses`` slot of each step. As Brian does, the number of events in a
    step is drawn from the binomial distribution of N trials of probability
    ``rate*dt``, or from its normal approximation where N*p and N*(1-p) are
    both above 5."""

    context = "PoissonInput"

    def __init__(self, target, target_var, N, rate, weight, when="synapses", order=0,
                 name="poissoninput*"):
        if isinstance(N, (bool, np.bool_)) or not isinstance(N, (int, np.integer)) or N < 0:
            raise TypeError(f"PoissonInput: N (the number of sources) must be a whole "
                            f"number, got {N!r}.")
        got = get_dimensions(rate)
        if got is not _HERTZ or np.ndim(rate) != 0:
            raise DimensionMismatchError(
                f"The rate of a PoissonInput must be one rate (e.g. 10*Hz), got {rate!r} with "
                f"unit {_fmt(got)}.", got, _HERTZ)
        if not (np.isfinite(float(rate)) and float(rate) >= 0):
            raise ValueError(f"The rate of a PoissonInput must be finite and not negative, "
                             f"got {rate!r}.")
        if target_var not in getattr(target, "_arrays", {}):
            raise KeyError(f"PoissonInput: {target_var!r} is not a state variable of "
                           f"{target!r}.")
        if isinstance(weight, str):
            weight_code = f"({weight})"
        else:
            expected = target._dims_and_types()[0][target_var]
            if get_dimensions(weight) is not expected or np.ndim(weight) != 0:
                raise DimensionMismatchError(
                    f"The weight of a PoissonInput onto {target.name}.{target_var} (unit "
                    f"{_fmt(expected)}) must be one value with that unit, got {weight!r}.",
                    get_dimensions(weight), expected)
            weight_code = repr(weight) if get_dimensions(weight) is not get_dimensions(1) \
                else repr(float(weight))
        super().__init__(target, f"{target_var} += {weight_code}", when=when, order=order,
                         name=name)
        self.N, self.rate, self.weight, self.target_var = int(N), rate, weight, target_var

    def before_run(self, namespace):
        super().before_run(namespace)
        p = float(self.rate) * self.clock.dt_
        if p > 1:
            raise ValueError(f"PoissonInput {self.name!r}: rate*dt = {p:g} is more than one "
                             f"event per source and step; use a smaller dt or rate.")
        n = self.N
        self._normal = n * p > 5 and n * (1 - p) > 5        # Brian's approximation
        if self._normal:
            self._draw = {"_loc": n * p, "_scale": float(np.sqrt(n * p * (1 - p)))}
        else:
            self._draw = {f"_{k}": v for k, v in binomial_constants(n, p).items()}

    def spec(self, period):
        operation = super().spec(period)
        return PoissonInputSpec(name=self.name, group=operation.group,
                                statement=operation.statements[0], normal=self._normal,
                                externals=tuple(sorted(set(operation.externals)
                                                       | set(self._draw))),
                                functions=operation.functions, rng_id=self._rng_id, period=period,
                                when=self.when, order=self.order)

    def constant(self, name):
        if name in getattr(self, "_draw", {}):
            return self._draw[name]
        return super().constant(name)

    def __repr__(self):
        return (f"<PoissonInput {self.name!r}: {self.N} sources at {self.rate!r} onto "
                f"{self.group.name}.{self.target_var}>")
