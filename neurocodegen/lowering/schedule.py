"""The synchronisation points of a time step.

One step runs Brian's slots in order (start, groups, thresholds, synapses,
resets, end). Threads own a range of every group's indices; a kernel is
*thread-local* when each thread reads and writes only what it owns (a state
update, a threshold, a reset, a monitor of a group's spikes or states): then
threads need not meet between kernels, nor between steps. A kernel that
reads what another thread wrote in the same step (the spikes of every thread,
as synaptic propagation) needs a barrier before it, and spikes that travel
with a delay of d steps let threads run d steps apart: the *window*.
"""
from .. import ir

#: Index spaces whose kernels touch only the indices a thread owns.
THREAD_LOCAL_SPACES = (ir.AllNeurons, ir.SpikingNeurons, ir.RecordedIndices,
                       ir.SpikingTargets, ir.SynapsesByTarget)


def synchronisation(kernels):
    """(barriers, window): the positions in ``kernels`` before which threads
    must meet within a step, and how many steps they may run between
    meetings (None: unbounded)."""
    barriers = tuple(k for k, kernel in enumerate(kernels)
                     if not isinstance(kernel.space, THREAD_LOCAL_SPACES)
                     or getattr(kernel.space, "touches_pre", False))
    # The delays of synapses are values of the run, not of the code: their
    # kernel meets the other threads itself when a delay is 0 (or when it
    # reads presynaptic variables), and the standalone program bounds the
    # window by the shortest delay of its runs (standalone/program.py).
    delays = [kernel.min_delay for kernel in kernels if getattr(kernel, "min_delay", None)]
    window = min(delays) if delays else None
    return barriers, window
