"""Inputs' specs to their kernels: a SpikeGeneratorGroup's spikes are read
from its table of events, in the thresholds slot (where a group's spikes
are made)."""
from .. import ir
from ..specs import SpikeGeneratorSpec
from . import lowers
from .neurons import spikes_array


@lowers(SpikeGeneratorSpec)
def lower_spike_generator(spec):
    constants = tuple((name, ir.Constant(spec.name, name))
                      for name in ("_period_steps", "_nevents", "dt"))
    kernel = ir.Generator(name=f"spikes of {spec.name}", owner=spec.name,
                          op="spike_generator", space=ir.AllNeurons(spec.name, spec.N),
                          period=spec.period, statements=(), constants=constants,
                          spikes=spikes_array(spec.name),
                          steps=ir.Array(spec.name, "_steps", "int64", "input"),
                          indices=ir.Array(spec.name, "_indices", "int32", "input"))
    return [(spec.when, kernel)], None
