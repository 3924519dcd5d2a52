"""Devices: where ``run()`` happens. The runtime device (the default) runs each
``run()`` at once through the compiled Python extension; the standalone
device, chosen with ``set_device('cpp_standalone', directory=...)``, records
the runs, writes a whole C++ program (the same generated run loop, driven by
:file:`templates/cpp/standalone_main.cpp`), builds it, runs it as a separate
process and loads its results back."""
import numbers
import os

import numpy as np

from ..units import get_dimensions

_NOT_YET = ("{what} is not available yet: in standalone mode the simulation runs when "
            "the program is built and run (at the end of run() with build_on_run=True, "
            "or at device.build()).")


class RuntimeDevice:
    """Each ``run()`` runs at once, in this process."""
    name = "runtime"
    standalone = False

    def __repr__(self):
        return "<RuntimeDevice>"


class StandaloneDevice:
    """Records the runs of one network and turns them into a C++ program in
    ``directory``; see :func:`set_device`. ``threads`` is the default number of
    OpenMP threads of its runs (if None, Brian's
    ``prefs.devices.cpp_standalone.openmp_threads`` when a run starts; its 0,
    Brian's "no OpenMP", is one thread).

    With ``adapt_threads`` (the default), ``threads`` is the most a run uses:
    the program times its steps on that many threads and on fewer (halving
    down to 1), and runs on whichever is fastest, timing them again now and
    then, so that a second thread never makes a small network slower.
    Results do not depend on the threads. ``adapt_threads=False`` runs on
    exactly ``threads`` (to measure how they scale). ``probe_steps``, if set,
    is how many steps each choice is timed over (by default at least 0.5 ms
    and 16 steps, or 20 ms; a test sets 1 to change threads every step;
    every round then times each choice 4 times)."""
    name = "cpp_standalone"
    standalone = True

    def __init__(self, directory="output", build_on_run=True, threads=None, adapt_threads=True):
        self.directory = directory
        self.build_on_run = build_on_run
        self.threads = None if threads is None else _check_threads(threads)
        self.adapt_threads = bool(adapt_threads)
        self.probe_steps = None
        self.reinit()

    def default_threads(self):
        """The threads of a run that does not name them."""
        if self.threads is not None:
            return self.threads
        from ..preferences import prefs
        return _check_threads(max(1, prefs.devices.cpp_standalone.openmp_threads))

    def reinit(self):
        """Forget the recorded network and runs (the directory stays)."""
        self.program = None         # standalone.program.Program, once a run is recorded
        self.network = None
        self.has_been_run = False
        self.timings = {}
        self.status = None

    def __repr__(self):
        return f"<StandaloneDevice directory={self.directory!r} threads={self.threads}>"

    # -- recording ------------------------------------------------------------
    def record_run(self, network, objects, generated, start, end, constant):
        """Called by ``Network.run``: remember this run instead of running it.
        ``generated`` is the C++ backend's output, ``constant`` gives the
        value of a constant reference."""
        from ..backends.layout import Layout
        from ..standalone.program import SPOOL, Program
        layout, sources = Layout.from_json(generated["layout"]), generated["sources"]
        if self.has_been_run and self.build_on_run:
            raise NotImplementedError(
                "With build_on_run=True the program is built and run at the end of the "
                "first run(); for several run() calls use set_device('cpp_standalone', "
                "build_on_run=False) and call device.build() after the last one.")
        if self.program is None:
            self.program = Program(objects, layout, sources, network._rng_key,
                                   serial=generated.get("serial", False))
            self.network = network
        elif network is not self.network or objects != self.program.objects \
                or sources != self.program.sources:
            raise NotImplementedError(
                "In standalone mode every run() must simulate the same objects (one "
                "program has one network); create all groups and monitors before the "
                "first run(), and use Network.add before it.")
        self.program.record_run(start, end, layout.bind_constants(constant),
                                spool=os.path.join(self.directory, SPOOL))
        for obj in self.program.stateful:
            obj._pending = _NOT_YET
        for monitor in self.program.monitors:
            monitor._pending = _NOT_YET
        if self.build_on_run:
            self.build()

    # -- building and running -------------------------------------------------
    def build(self, directory=None, compile=True, run=True, threads=None, run_args=None,
              clean=False):
        """Write the program to ``directory`` (only files whose content changed),
        compile it (when ``compile``, through its Makefile: only what changed)
        and run it (when ``run``; see :meth:`run` for ``threads``/``run_args``)."""
        from ..standalone import program as standalone
        if self.program is None:
            raise RuntimeError("Nothing to build: call run() first (in standalone mode "
                               "run() records the simulation).")
        if directory is not None:
            self.directory = directory
        self.timings.update(standalone.write_project(self.program, self.directory, clean))
        if compile:
            self.timings.update(standalone.compile_project(self.directory))
        if run:
            self.run(threads=threads, run_args=run_args)

    def run(self, run_args=None, threads=None, seed=None, results_directory="results",
            adapt_threads=None):
        """Run the built program (no compiler involved) and load its results.

        ``run_args`` changes values for this run only, without rebuilding:
        ``{G.v0: array, G.tau: 20*ms, 'tau': 20*ms}`` (a group variable as
        ``G.x``, ``(G, 'x')`` or ``'G.x'``; an external constant by its name).
        ``threads``, ``adapt_threads`` (default: the device's) and ``seed``
        (default: the script's) change the run too; results do not depend on
        the threads. ``device.status`` then tells the steps run on each number
        of threads (``steps_by_threads``)."""
        from ..standalone import program as standalone
        if self.program is None:
            raise RuntimeError("Nothing to run: call run() and device.build() first.")
        overrides = self.program.overrides(run_args or {})
        adapt = self.adapt_threads if adapt_threads is None else bool(adapt_threads)
        status = standalone.run_program(self.directory, results_directory,
                                        _check_threads(threads or self.default_threads()),
                                        seed, overrides, adapt_threads=adapt,
                                        probe_steps=self.probe_steps)
        self.program.load_results(self.directory, results_directory)
        self.status = status
        self.timings["run_seconds"] = status["wall_seconds"]
        self.has_been_run = True

    @property
    def memory_per_neuron(self):
        """Bytes of state per neuron in the recorded network (all groups)."""
        return None if self.program is None else self.program.bytes_per_neuron()


def _check_threads(threads):
    if not isinstance(threads, numbers.Integral) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}.")
    return int(threads)


_current = {"device": RuntimeDevice()}


def set_device(name, directory="output", build_on_run=True, threads=None, **kwargs):
    """Choose where ``run()`` happens: ``'runtime'`` (the default, also
    ``'cython'``) or ``'cpp_standalone'`` (also ``'standalone'``), Brian's
    spelling. Standalone options: ``directory`` of the generated program,
    ``build_on_run`` (build and run at the end of the first ``run()``), and
    ``threads`` (OpenMP threads; by default
    ``prefs.devices.cpp_standalone.openmp_threads``, or 1), and
    ``adapt_threads`` (default True: use fewer threads where they are faster;
    see :class:`StandaloneDevice`)."""
    if name in ("runtime", "cython"):
        _current["device"] = RuntimeDevice()
    elif name in ("cpp_standalone", "standalone"):
        unknown = set(kwargs) - {"adapt_threads"}
        if unknown:
            raise TypeError(f"Unknown option(s) for the standalone device: "
                            f"{', '.join(sorted(unknown))}.")
        _current["device"] = StandaloneDevice(directory, build_on_run, threads, **kwargs)
    else:
        raise ValueError(f"Unknown device {name!r}; use 'runtime' or 'cpp_standalone'.")
    return _current["device"]


def get_device():
    """The current device (see :func:`set_device`)."""
    return _current["device"]


class _DeviceProxy:
    """``device``: always the current device, as in Brian."""

    def __getattr__(self, name):
        return getattr(_current["device"], name)

    def __setattr__(self, name, value):
        setattr(_current["device"], name, value)

    def __repr__(self):
        return repr(_current["device"])


device = _DeviceProxy()


class VariableView:
    """``G.v``: a handle on a group's variable that acts like its values
    (numpy functions, arithmetic and attributes go to the values), is
    indexed as Brian indexes it (``G.v['i > 5']``, ``G.v[G.v > x]``, numbers,
    slices, arrays; see ``NeuronGroup._selected``) and, in standalone mode,
    can key ``run_args``."""

    __slots__ = ("group", "name")
    __hash__ = object.__hash__

    def __init__(self, group, name):
        self.group, self.name = group, name

    def get(self):
        """The values (a Quantity, or an array if dimensionless)."""
        return self.group._values(self.name)

    def __array__(self, dtype=None, copy=None):
        values = np.asarray(self.get())
        return values if dtype is None else values.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = [x.get() if isinstance(x, VariableView) else x for x in inputs]
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        args = [a.get() if isinstance(a, VariableView) else a for a in args]
        return func(*args, **kwargs)

    def __getitem__(self, key):
        return self.group._get_items(self.name, key)

    def __setitem__(self, key, value):
        self.group._set_items(self.name, key, value)

    def __len__(self):
        return self.group.N

    def __iter__(self):
        return iter(self.get())

    def __getattr__(self, name):
        return getattr(self.get(), name)

    def __repr__(self):
        if self.group._pending:
            return f"<{self.group.name}.{self.name}: values after the standalone run>"
        return repr(self.get())

    def __str__(self):
        return repr(self) if self.group._pending else str(self.get())

    def __float__(self):
        return float(self.get())


def _delegate(op):
    def method(self, *args):
        args = [a.get() if isinstance(a, VariableView) else a for a in args]  # G.x - H.x
        return getattr(self.get(), op)(*args)
    method.__name__ = op
    return method


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "radd", "rsub", "rmul",
            "rtruediv", "rfloordiv", "rmod", "rpow", "lt", "le", "gt", "ge", "eq", "ne",
            "neg", "pos", "abs"):
    setattr(VariableView, f"__{_op}__", _delegate(f"__{_op}__"))


def run_args_key(key):
    """(group, variable) or ('ext', name) for one key of ``run_args``."""
    if isinstance(key, VariableView):
        return key.group, key.name
    if isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], str):
        return key
    if isinstance(key, str):
        return key
    raise TypeError(f"Cannot use {key!r} as a key of run_args: give a group variable "
                    f"(G.v, (G, 'v') or 'G.v') or the name of an external constant.")


def check_dimension(what, value, expected):
    """Raise a clear error when ``value`` does not have dimension ``expected``."""
    from ..errors import DimensionMismatchError
    from ..units import format_dimension
    got = get_dimensions(value)
    if got is not expected:
        raise DimensionMismatchError(
            f"run_args: {what} has unit {format_dimension(expected)}, but the value "
            f"{value!r} has unit {format_dimension(got)}.", got, expected)
