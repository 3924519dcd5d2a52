"""The synchronisation points of a time step.

One step runs Brian's slots in order (start, groups, thresholds, synapses,
resets, end). Threads own a range of every group's indices; a kernel is
*thread-local* when each thread reads and writes only what it owns (a state
update, a threshold, a reset, a monitor of a group's spikes or states): then
threads need not meet between kernels, nor between steps. A kernel that
reads what another thread wrote in the same step (the spikes of every thread,
as synaptic propagation) needs a barrier before it, and spikes that travel
with a delay of d steps let threads run d steps apart: the *window*, which
the standalone program takes from the delays of its runs.
"""
from .. import ir

#: Index spaces whose kernels touch only the indices a thread owns.
THREAD_LOCAL_SPACES = (ir.AllNeurons, ir.SpikingNeurons, ir.RecordedIndices,
                       ir.SpikingTargets, ir.SynapsesByNeuron)


def synchronisation(kernels):
    """The positions in ``kernels`` before which threads must meet within a
    step. How many steps threads may run apart is a value of each run (the
    shortest synaptic delay, a run constant), which the standalone program
    computes from the runs it records (``standalone/program.py``); kernels
    over arriving synapses meet the other threads themselves when a delay
    is 0 or they read presynaptic variables."""
    return tuple(k for k, kernel in enumerate(kernels)
                 if not isinstance(kernel.space, THREAD_LOCAL_SPACES)
                 or getattr(kernel.space, "touches_other", False))
