"""Network: collects objects, compiles their run loop once, and runs it."""
import collections
import functools
import logging
import math
import os
import signal
import sys
import threading
import time
import warnings

import numpy as np

from ..backends import get_backend
from ..errors import MonitorMemoryError, NumericalFaultError
from ..jit import cache
from ..preferences import prefs
from ..specs import key as spec_key
from ..units import Quantity, second
from . import base
from .clock import check_time, random_state
from .device import get_device
from .groups import NeuronGroup
from .monitors import StateMonitor
from .operations import NetworkOperation
from .synapses import check_summed

logger = logging.getLogger("neurocodegen.run")

#: Time steps per call into compiled code are adapted to take about this long,
#: so that Ctrl-C and progress reports are served quickly.
CHUNK_SECONDS = 0.1

#: What to do when a group's floating-point state holds NaN or inf after a
#: chunk of time steps: ``'raise'`` a :class:`SimulationError`, ``'warn'``
#: (once per variable and run) and go on, or ``'off'`` (no check).
nan_check = "raise"

#: A run ends on a whole time step (as Brian's Clock counts them: the nearest
#: step when the end time is within BRIAN_EPSILON_DT steps of it, else the
#: next one); when it is further than STEP_TOLERANCE steps from one, a
#: warning says so.
STEP_TOLERANCE = 1e-6
BRIAN_EPSILON_DT = 1e-4


def _caller_namespace(level):
    """The names where ``run`` was called: its locals, then its globals (not
    copied: a script's globals hold thousands of names once it imports ``*``)."""
    frame = sys._getframe(level + 1)
    if frame.f_locals is frame.f_globals:            # a module's code
        return frame.f_globals
    return collections.ChainMap(frame.f_locals, frame.f_globals)


class Network:
    """A set of groups and monitors advanced together: ``Network(G, M).run(100*ms)``."""

    def __init__(self, *objects):
        self.objects = []
        self.t_ = 0.0
        self._rng_key = None
        self._last_code = None       # (memo key, generated code, its loaded loop or None)
        self._stored = {}            # name -> what store() kept
        self.add(*objects)

    def add(self, *objects):
        """Add groups and monitors (or lists of them) to the network."""
        for obj in objects:
            if isinstance(obj, (list, tuple, set)):
                self.add(*obj)
            elif not isinstance(obj, base.NetworkObject):
                raise TypeError(f"Cannot add {obj!r} to a network.")
            elif obj not in self.objects:
                self.objects.append(obj)
                self.add(*obj.contained_objects)

    def remove(self, *objects):
        """Take objects (or lists of them) out of the network."""
        for obj in objects:
            if isinstance(obj, (list, tuple, set)):
                self.remove(*obj)
            elif obj not in self.objects:
                raise ValueError(f"{obj!r} is not part of this network.")
            else:
                self.objects.remove(obj)
                self.remove(*[o for o in obj.contained_objects if o in self.objects])

    def store(self, name="default", filename=None):
        """Keep the state of every object (variables, synapses, what monitors
        recorded) and the time under ``name``, in memory or, with
        ``filename``, in that file (pickled). ``restore(name)`` goes back."""
        if get_device().standalone:
            raise NotImplementedError("store() works in runtime mode; in standalone mode the "
                                      "program runs once, at the end.")
        if self._rng_key is None:               # the random numbers of the next run
            self._rng_key = random_state.network_key()
        snapshot = {"t": self.t_, "rng_key": self._rng_key,
                    "objects": {o.name: o._store_state() for o in self.objects}}
        if filename is None:
            self._stored[name] = snapshot
            return
        import pickle
        try:
            with open(filename, "rb") as f:
                stored = pickle.load(f)
        except FileNotFoundError:
            stored = {}
        stored[name] = snapshot
        with open(filename, "wb") as f:
            pickle.dump(stored, f)

    def restore(self, name="default", filename=None, restore_random_state=False):
        """Go back to the state stored under ``name``. As in Brian, later
        random numbers are new ones unless ``restore_random_state`` is True
        (then a run after the restore repeats the one after the store)."""
        if filename is None:
            stored = self._stored
        else:
            import pickle
            with open(filename, "rb") as f:
                stored = pickle.load(f)
        if name not in stored:
            raise KeyError(f"Nothing was stored under {name!r}"
                           + (f" in {filename}" if filename else "") + "; stored: "
                           + (", ".join(repr(k) for k in stored) or "nothing") + ".")
        snapshot = stored[name]
        missing = [o.name for o in self.objects if o.name not in snapshot["objects"]]
        if missing:
            raise KeyError(f"Cannot restore {name!r}: {', '.join(missing)} "
                           f"{'was' if len(missing) == 1 else 'were'} not part of the "
                           f"network when it was stored.")
        for o in self.objects:
            o._restore_state(snapshot["objects"][o.name])
        self._advance_time(self.objects, snapshot["t"])
        self._rng_key = snapshot["rng_key"] if restore_random_state else None

    @property
    def t(self):
        return Quantity(self.t_, dim=second.dim)

    def _objects_for_run(self):
        objects = list(self.objects)
        for obj in list(objects):
            for dep in obj.dependencies():
                if dep not in objects:
                    raise ValueError(f"{obj!r} records from {dep!r}, which is not part of "
                                     "the network; add it too.")
        return sorted((o for o in objects if o.active), key=lambda o: o.schedule_key())

    def run(self, duration, report=None, report_period=10 * second, namespace=None, level=0):
        """Advance the network by ``duration``; names in model strings are looked
        up in ``namespace`` or, by default, where ``run`` was called."""
        duration_ = check_time(duration, "The run duration")
        if not duration_ >= 0 or math.isinf(duration_):
            raise ValueError(f"The run duration must be a finite, non-negative time, "
                             f"got {duration!r}.")
        if nan_check not in ("raise", "warn", "off"):
            raise ValueError(f"network.nan_check must be 'raise', 'warn' or 'off', "
                             f"not {nan_check!r}.")
        if namespace is None:
            namespace = _caller_namespace(level + 1)
        objects = self._objects_for_run()
        if not objects:
            raise ValueError("The network has no objects to run; create a NeuronGroup "
                             "(and call run() where it is visible) or add objects.")
        base_dt = min(o.clock.dt_ for o in objects)
        periods = {}
        for o in objects:
            period = o.clock.dt_ / base_dt
            if abs(period - round(period)) > 1e-9 * period:
                raise ValueError(f"The dt of {o!r} ({o.clock.dt}) is not a multiple of the "
                                 f"smallest dt in the network ({base_dt * 1e3:g} ms).")
            periods[o] = int(round(period))
        start = int(round(self.t_ / base_dt))
        n_steps = _whole_steps(start, duration_, base_dt)
        self._advance_time(objects, self.t_)        # the clocks start where the network is
        for o in objects:
            o.before_run(namespace)
        check_summed(objects)
        if self._rng_key is None:
            self._rng_key = random_state.network_key()
        specs = [spec for spec in (o.spec(periods[o]) for o in objects) if spec is not None]
        device = get_device()
        if device.standalone:
            generated = self._code(objects, specs, get_backend("cpp"))
            self._last_sources = generated["sources"]
            device.record_run(self, objects, generated, start, start + n_steps,
                              _references(objects)[1])
            self._advance_time(objects, (start + n_steps) * base_dt)
            for o in objects:
                o.after_run(start * base_dt, self.t_)
            return
        state_monitors = [o for o in objects if isinstance(o, StateMonitor)]
        rows = {}
        for o in state_monitors:
            first = -(-start // periods[o])
            last = -(-(start + n_steps) // periods[o])
            rows[o] = last - first
        check_memory(rows)
        try:
            for o in state_monitors:
                o.prepare(rows[o])
            backend = get_backend(prefs.codegen.target)
            generated = self._code(objects, specs, backend)
            self._last_sources = generated.get("sources") or {"network.py": generated["code"]}
            loop = self._loop(backend, generated)
            self._run_loop(loop, objects, start, start + n_steps, report, report_period,
                           base_dt, [(o, periods[o]) for o in objects
                                     if isinstance(o, NetworkOperation)])
        finally:
            # Whatever stopped the run, the monitors keep exactly what was
            # written and ``t`` is the time reached (set by ``_run_loop``).
            for o in state_monitors:
                o.trim()
            for o in objects:
                o.after_run(start * base_dt, self.t_)

    def _advance_time(self, objects, t):
        """The network, and the clocks of its objects, are at time ``t``."""
        self.t_ = t
        for o in objects:               # Brian's defaultclock.t, G.t
            o.clock.t_ = t

    def _code(self, objects, specs, backend):
        """What ``backend`` generated for these specs: from the lowering memo
        if they were generated before (no sympy needed), else lowered and
        printed now. The memo's key is the hash of the specs."""
        key = spec_key(specs, backend.name, backend.fingerprint(), _compiler_fingerprint())
        if self._last_code is not None and self._last_code[0] == key:
            return self._last_code[1]              # as the last run() of this network
        memo = cache.load_memo(key)
        if memo is not None:
            for o in objects:
                method = memo["methods"].get(o.name)
                if method and getattr(o, "method", "") is None:
                    logger.info("No integration method specified for group '%s', using "
                                "method '%s' (as before, from the cache)", o.name, method)
            self._last_code = (key, memo["generated"], None)
            return memo["generated"]
        from ..lowering import LoweringError, lower_network
        try:
            program = lower_network(specs)
        except LoweringError as exc:
            owner = next(o for o in objects if o.name == exc.spec.name)
            raise owner.wrap_error(exc.error) from None
        generated = backend.generate(program)
        cache.store_memo(key, {"generated": generated, "methods": program.methods})
        self._last_code = (key, generated, None)
        return generated

    def _loop(self, backend, generated):
        """The compiled loop of ``generated``: the last run's again when it
        ran the same code (a run() of a network that ran before reads and
        hashes neither the memo nor the sources: 0.6 ms)."""
        key, last, loop = self._last_code
        if last is not generated or loop is None:
            loop = backend.load(generated)
            if last is generated:
                self._last_code = (key, generated, loop)
        return loop

    def _run_loop(self, loop, objects, step, end, report, report_period, dt, operations=()):
        """Call the compiled loop in chunks of about ``CHUNK_SECONDS`` each,
        and network operations (``(operation, period)``) between steps.

        ``self.t_`` follows the step reached after every chunk, so that an
        exception between chunks (Ctrl-C, a numerical fault, an error in a
        ``report`` function) leaves the network where the simulation stopped.
        Ctrl-C is held back while a chunk runs and raised after it."""
        starting = [(o, p) for o, p in operations if o.when == "start"]
        ending = [(o, p) for o, p in operations if o.when == "end"]
        recorders = [(o, o.recording()) for o in objects if hasattr(o, "recording")]
        checker = _FaultChecker([o for o in objects if isinstance(o, NeuronGroup)])
        array, constant = _references(objects)
        arrays, consts = loop.bind(array, constant)
        chunk = 64
        t0 = time.perf_counter()
        reporter = _Reporter(report, report_period, step, end)
        with _DeferredInterrupt() as interrupt:
            while step < end:
                if any([grow(o, recording) for o, recording in recorders]):
                    arrays, _ = loop.bind(array, constant)   # buffers were reallocated
                for operation, period in starting:          # before anything of `step`
                    if step % period == 0:
                        operation(step * dt)
                # stop before the next step that starts with an operation, and
                # after the next one that ends with one
                stop = min([end, step + chunk]
                           + [_next_multiple(step + 1, p) for _, p in starting]
                           + [_next_multiple(step, p) + 1 for _, p in ending])
                tick = time.perf_counter()
                reached = loop.run(arrays, consts, self._rng_key, step, stop)
                spent = time.perf_counter() - tick
                step = reached
                self._advance_time(objects, step * dt)
                for operation, period in ending:            # after all of `step - 1`
                    if (step - 1) % period == 0:
                        operation((step - 1) * dt)
                interrupt.raise_if_pending(self.t_)
                checker.check(step * dt, spent)
                if reached == stop and spent < CHUNK_SECONDS / 2:
                    chunk *= 2
                reporter.update(step)
        reporter.finish()
        logger.debug("Ran %d steps in %.3f s", end, time.perf_counter() - t0)


@functools.lru_cache(maxsize=None)
def _compiler_fingerprint():
    """What identifies the code that turns specs into generated code (the
    model parser, integrators, IR, lowering and backends): the path, size and
    modification time of each of its files, so that a change to any of them,
    released or not, makes new memo entries (a stat per file: a warm run
    must not read them all)."""
    import hashlib
    from .. import __version__
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256(__version__.encode())
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in ("__pycache__", "runtime",
                                                                  "jit", "standalone", "units"))
        for name in sorted(f for f in files if f.endswith(".py")):
            stat = os.stat(os.path.join(folder, name))
            digest.update(f"{folder[len(root):]}/{name} {stat.st_size} "
                          f"{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def grow(obj, recording):
    """Make room in ``obj``'s growable buffers for one more step (as the run
    loop checks it: a row per index of the group for events, one row for a
    snapshot), doubling them; True if they moved. The one growth routine of
    the in-process mode, for every kind that records (the standalone driver
    has its own, in C++, over per-thread buffers)."""
    fill = obj.array("fill")
    room = recording.size if recording.layout == "events" else 1
    if not recording.columns or fill[0] + room <= fill[1]:
        return False
    rows, capacity = int(fill[0]), max(2 * int(fill[1]), int(fill[0]) + room)
    for column in recording.columns:
        width = 1 if recording.layout == "events" or column.time else int(fill[2])
        old = obj.array(column.array)
        new = np.zeros(capacity * width, dtype=old.dtype)
        new[:rows * width] = old[:rows * width]
        obj.set_array(column.array, new)
    fill[1] = capacity
    return True


def _next_multiple(step, period):
    """The first multiple of ``period`` at or after ``step``."""
    return -(-step // period) * period


def _references(objects):
    """The functions that give the array and the constant of an ``(object
    name, name)`` reference of generated code."""
    by_name = {o.name: o for o in objects}
    return (lambda ref: by_name[ref[0]].array(ref[1]),
            lambda ref: by_name[ref[0]].constant(ref[1]))


def _whole_steps(start, duration, dt):
    """The number of time steps of ``dt`` a run of ``duration`` takes from
    step ``start``, counted as Brian's ``Clock`` does: the run ends on the
    step nearest to its end time if that is within ``BRIAN_EPSILON_DT``
    steps of it, else on the next step (Brian rounds up: 42.05 ms at
    dt = 0.1 ms is 421 steps). A warning when the duration is not a
    multiple of ``dt`` (further than ``STEP_TOLERANCE`` steps from one)."""
    end = start + duration / dt
    nearest = round(end)
    steps = (nearest if abs(end - nearest) <= BRIAN_EPSILON_DT else math.ceil(end)) - start
    if abs(end - nearest) > STEP_TOLERANCE:
        warnings.warn(f"The run duration {duration * 1e3:g} ms is not a multiple of the time "
                      f"step dt = {dt * 1e3:g} ms ({duration / dt:.6g} steps); running "
                      f"{steps} steps ({steps * dt * 1e3:g} ms) instead.", UserWarning,
                      stacklevel=4)
    return steps


def available_memory():
    """Bytes of memory available for new allocations (None if unknown)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(rows):
    """Refuse a run whose StateMonitors (``monitor -> rows to record``) would
    need more memory than is available, before allocating anything."""
    needs = {m: m.bytes_needed(n) for m, n in rows.items()}
    total = sum(needs.values())
    if not needs or total < 2**26:  # 64 MiB: not worth a look
        return
    available = available_memory()
    if available is not None and total > available:
        biggest = max(needs, key=needs.get)
        raise MonitorMemoryError(
            f"Recording this run needs {total / 1e9:.3g} GB for StateMonitors "
            f"({biggest.name!r}: {len(biggest.variables)} variable(s) of "
            f"{len(biggest.record)} neurons for {rows[biggest]} time steps, "
            f"{needs[biggest] / 1e9:.3g} GB), but only {available / 1e9:.3g} GB of memory "
            f"is available. Record fewer neurons (record=[...]) or variables, use a larger "
            f"dt for the monitor, or run for a shorter time.")



class _FaultChecker:
    """Looks for NaN and inf in the floating-point state of groups after each
    chunk (see ``nan_check``)."""

    def __init__(self, groups):
        self.mode = nan_check
        self.warned = set()
        self.arrays = [(g, name, a) for g in groups for name, a in g._arrays.items()
                       if a.dtype.kind == "f"] if self.mode != "off" else []
        self.t_before = None

    def check(self, t, spent):
        before, self.t_before = self.t_before, t
        for group, name, array in self.arrays:
            if (group.name, name) in self.warned or np.isfinite(array).all():
                continue
            bad = np.flatnonzero(~np.isfinite(array))
            where = (f"between t = {before * 1e3:g} ms and " if before is not None
                     else "by ")
            message = (f"Variable {name!r} of group {group.name!r} is "
                       f"{array[bad[0]]} for neuron {bad[0]} ({bad.size} of {array.size} "
                       f"values are NaN or inf); it became so {where}t = {t * 1e3:g} ms. "
                       f"The simulation stopped at t = {t * 1e3:g} ms. Check the "
                       f"equations, parameters and dt (network.nan_check = 'warn' or "
                       f"'off' to go on).")
            if self.mode == "raise":
                raise NumericalFaultError(message, group.name, name, int(bad[0]), t)
            self.warned.add((group.name, name))
            warnings.warn(message, RuntimeWarning, stacklevel=5)



class _DeferredInterrupt:
    """Holds SIGINT back while compiled code runs, so that KeyboardInterrupt
    is raised between chunks, when the network state is consistent (a signal
    arriving just after a chunk returns would otherwise lose the step it
    reached). Only in the main thread and when Python's default handler is
    installed; a second Ctrl-C while waiting raises at once."""

    def __init__(self):
        self.pending = False
        self.previous = None

    def _handler(self, signum, frame):
        if self.pending:
            raise KeyboardInterrupt
        self.pending = True

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self.previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def raise_if_pending(self, t):
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt(f"simulation interrupted at t = {t * 1e3:g} ms")

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        if self.pending and exc[0] is None:
            raise KeyboardInterrupt
        return False


class _Reporter:
    """Brian's ``report=``: 'text'/'stdout', 'stderr', or a callable
    ``report(elapsed, completed, start, duration)``, called every
    ``report_period`` of wall-clock time and at the end."""

    def __init__(self, report, period, start, end):
        if report == "progress":             # a tqdm bar (text if tqdm is missing)
            from .progress import make_reporter
            report = make_reporter(report)
        if report not in (None, "text", "stdout", "stderr") and not callable(report):
            raise ValueError(f"report must be 'text', 'stdout', 'stderr', 'progress' or a "
                             f"function, got {report!r}")
        self.report, self.start, self.end = report, start, end
        self.period = check_time(period, "report_period")
        self.t0 = self.last = time.perf_counter()
        if report in ("text", "stdout", "stderr"):
            self._print(f"Starting simulation for {end - start} time steps")

    def _print(self, text):
        print(text, file=sys.stderr if self.report == "stderr" else sys.stdout, flush=True)

    def _emit(self, step):
        elapsed = time.perf_counter() - self.t0
        done = (step - self.start) / max(1, self.end - self.start)
        if callable(self.report):
            self.report(elapsed * second, done, self.start, self.end - self.start)
        elif done < 1:
            remaining = elapsed / done - elapsed if done > 0 else float("nan")
            self._print(f"{done:.0%} simulated in {elapsed:.1f} s, "
                        f"estimated {remaining:.0f} s remaining.")
        else:
            self._print(f"100% simulated in {elapsed:.2f} s")

    def update(self, step):
        if self.report is not None and time.perf_counter() - self.last >= self.period:
            self.last = time.perf_counter()
            self._emit(step)

    def finish(self):
        if self.report is not None:
            self._emit(self.end)

