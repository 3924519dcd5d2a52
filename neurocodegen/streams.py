"""Streams of the counter-based random number generator.

A draw is a pure function of (seed, index, step, stream). The 32-bit stream
names who draws: (object id << 16) | (kind << 12) | call site, so that every
``rand()`` of every kernel of every object has numbers of its own. Indices
and steps are 64-bit (see ``ncg::philox`` and ``runtime/random.py``).
"""
(KIND_NOISE, KIND_RAND_UPDATE, KIND_THRESHOLD, KIND_RESET, KIND_ASSIGN, KIND_REFRACTORY,
 KIND_CONNECT, KIND_ON_PRE, KIND_OPERATION, KIND_INPUT, KIND_EVENT) = range(11)


def stream(object_id, kind, occurrence):
    """The stream of call site ``occurrence`` of a ``kind`` kernel of an object."""
    if not 0 <= occurrence < 4096:
        raise ValueError("too many random draws in one kernel")
    return ((object_id & 0xFFFF) << 16) | (kind << 12) | occurrence
