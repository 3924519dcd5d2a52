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


def meetings(kernels, barriers):
    """The meetings of a step: groups of adjacent positions of ``barriers``
    whose kernels deliver spikes (:class:`~neurocodegen.ir.ArrivingSynapses`)
    and share one meeting of the threads. Each pathway of a group first
    keeps this thread's spikes of the step in its history (it reads only the
    spike space), then the threads meet once, then each pathway delivers:
    CUBA's and COBAHH's excitatory and inhibitory synapses meet once a step,
    not twice. A pathway that reads presynaptic variables, which their
    owners write, meets alone (and again after its delivery); so does one
    of another period (a clock of its own). Any other
    barrier makes its program run on one thread
    (:func:`~neurocodegen.ir.needs_one_thread`), and so needs no meeting."""
    def shares(kernel):
        return isinstance(kernel.space, ir.ArrivingSynapses) and not kernel.space.reads_pre

    groups = []
    for k in barriers:
        if not isinstance(kernels[k].space, ir.ArrivingSynapses):
            continue
        if groups and groups[-1][-1] == k - 1 and shares(kernels[k - 1]) and shares(kernels[k]) \
                and kernels[k - 1].period == kernels[k].period:
            groups[-1] += (k,)
        else:
            groups.append((k,))
    return tuple(groups)
