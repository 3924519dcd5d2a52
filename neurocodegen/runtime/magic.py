"""Brian's "magic" functions: ``run()`` finds the objects you created,
``start_scope()`` forgets the earlier ones."""
import sys

from . import base
from .network import Network


class MagicNetwork(Network):
    """The network behind the global ``run()``: its objects are those visible
    where ``run()`` is called and created since the last ``start_scope()``."""

    def collect(self, level):
        # the objects of this scope that a name refers to, found by identity
        # in one pass over the names (a script that imports * has thousands:
        # an isinstance() of each took 0.6 ms a run)
        frame = sys._getframe(level + 1)
        scope = {id(o): o for o in base.live_objects() if o._scope == base.current_scope()}
        ids = set(scope)
        named = ids.intersection(map(id, frame.f_locals.values()))
        if frame.f_globals is not frame.f_locals:
            named |= ids.intersection(map(id, frame.f_globals.values()))
        found = [o for key, o in scope.items() if key in named]
        self.objects = []
        self.add(*found)


_magic = {"network": None}


def magic_network():
    if _magic["network"] is None:
        _magic["network"] = MagicNetwork()
    return _magic["network"]


def start_scope():
    """Start afresh: objects created before are not part of the next ``run()``,
    and time starts again at 0."""
    base.new_scope()
    _magic["network"] = None


def run(duration, report=None, report_period=None, namespace=None, level=0):
    """Run every group and monitor you created (since ``start_scope()``) for
    ``duration``. Names in model strings are looked up where ``run`` is called."""
    net = magic_network()
    net.collect(level + 1)
    kwargs = {} if report_period is None else {"report_period": report_period}
    net.run(duration, report=report, namespace=namespace, level=level + 1, **kwargs)


def collect(level=0):
    """The objects ``run()`` would run: those visible where ``collect()`` is
    called, created since the last ``start_scope()`` (for ``Network(collect())``)."""
    net = MagicNetwork()
    net.collect(level + 1)
    return list(net.objects)


def store(name="default", filename=None, level=0):
    """Store the state of every object ``run()`` would run (see
    ``Network.store``)."""
    net = magic_network()
    net.collect(level + 1)
    net.store(name, filename)


def restore(name="default", filename=None, restore_random_state=False, level=0):
    """Go back to a state kept by ``store()`` (see ``Network.restore``)."""
    net = magic_network()
    net.collect(level + 1)
    net.restore(name, filename, restore_random_state)


def show_source(obj=None):
    """The generated code of the last run (of ``obj``'s network if given): C++,
    or Python with ``prefs.codegen.target = 'numpy'``."""
    net = magic_network() if obj is None or not isinstance(obj, Network) else obj
    sources = getattr(net, "_last_sources", None)
    if sources is None:
        raise RuntimeError("Nothing has been compiled yet: call run() first.")
    return sources.get("network.cpp") or sources["network.py"]
