"""Monitors' specs to their kernels: a SpikeMonitor appends (index, time) of
each spike, and the values of its variables, and counts spikes per neuron; a PopulationRateMonitor appends
(time, number of spikes) for each step with spikes (a row per thread, summed
when read); a StateMonitor appends one row of values of its recorded neurons
per step."""
import dataclasses

import sympy

from .. import ir
from ..specs import PopulationRateMonitorSpec, SpikeMonitorSpec, StateMonitorSpec
from . import lowers
from .neurons import spikes_array


def _source_variables(spec):
    """The recorded variables of a monitor's source, as kernel variables."""
    return tuple(ir.Variable(name, ir.Array(spec.source, name, ir.DTYPES[dtype]), shared)
                 for name, dtype, shared in spec.variables)


@lowers(SpikeMonitorSpec)
def lower_spike_monitor(spec):
    def buffer(name, dtype, role="growable"):
        return ir.Array(spec.name, name, dtype, role)

    fill = buffer("fill", "int64", "fill")
    # a subgroup's index counts from its first neuron: its group's arrays are read further on
    variables = tuple(v if v.scalar else dataclasses.replace(v, offset=spec.first)
                      for v in _source_variables(spec))
    statements = []
    if spec.record:
        statements.append(ir.Append(fill, ((buffer("i", "int32"), ir.INDEX),
                                           (buffer("t", "float64"), ir.T))
                                    + tuple((buffer("var_" + v.name, v.array.dtype),
                                             ir.symbol(v.name)) for v in variables)))
    statements.append(ir.Increment(buffer("count", "int64", "counter"), ir.INDEX,
                                   sympy.Integer(1)))
    space = ir.SpikingNeurons(spec.source, spec.source_N, spikes_array(spec.source, spec.event),
                              part=_part(spec))
    kernel = ir.Record(name=f"{spec.event} monitor {spec.name} of {spec.source}", owner=spec.name,
                       op="spike_record", space=space, period=spec.period,
                       statements=tuple(statements), variables=variables,
                       constants=(("dt", ir.Constant(spec.name, "dt")),),
                       fill=fill, room="space" if spec.record else None)
    return [(spec.when, kernel)], None


@lowers(StateMonitorSpec)
def lower_state_monitor(spec):
    def buffer(name, role="growable", dtype="float64"):
        return ir.Array(spec.name, name, dtype, role)

    variables = _source_variables(spec)
    fill = buffer("fill", "fill", "int64")
    columns = tuple((buffer("var_" + v.name), ir.symbol(v.name)) for v in variables)
    space = ir.RecordedIndices(spec.source, spec.source_N, buffer("record", "input", "int32"),
                               split_by_index=spec.split_by_index,
                               owners=None if spec.split_by_index
                               else buffer("owners", "input", "int32"))
    kernel = ir.Record(name=f"state monitor {spec.name} of {spec.source}", owner=spec.name,
                       op="state_record", space=space, period=spec.period,
                       statements=(ir.Snapshot(fill, buffer("times"), columns),),
                       variables=variables,
                       constants=(("dt", ir.Constant(spec.name, "dt")),),
                       fill=fill, room=1)
    return [(spec.when, kernel)], None


@lowers(PopulationRateMonitorSpec)
def lower_rate_monitor(spec):
    fill = ir.Array(spec.name, "fill", "int64", "fill")
    row = ((ir.Array(spec.name, "t", "float64", "growable"), ir.T),
           (ir.Array(spec.name, "count", "int32", "growable"), ir.SPIKE_COUNT))
    space = ir.SpikingNeurons(spec.source, spec.source_N, spikes_array(spec.source),
                              part=_part(spec))
    kernel = ir.Record(name=f"rate monitor {spec.name} of {spec.source}", owner=spec.name,
                       op="rate_record", space=space, period=spec.period,
                       statements=(ir.Append(fill, row),),
                       constants=(("dt", ir.Constant(spec.name, "dt")),),
                       fill=fill, room="space")
    return [(spec.when, kernel)], None


def _part(spec):
    """(first, stop) of a subgroup source, or None for a whole group."""
    size = spec.source_N if spec.size is None else spec.size
    return None if spec.first == 0 and size == spec.source_N else (spec.first,
                                                                    spec.first + size)
