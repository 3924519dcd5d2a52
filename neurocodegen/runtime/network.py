"""Network: collects objects, compiles their run loop once, and runs it."""
import json
import logging
import sys
import time


from ..build import cache
from ..codegen.layout import Layout, ObjectClock
from ..codegen.render import (Constant, ModuleSource, NetworkSource, render, support_code,
                              template_fingerprint)
from ..units import Quantity, second
from . import base
from .clock import check_time, random_state
from .groups import NeuronGroup
from .monitors import SpikeMonitor, StateMonitor

logger = logging.getLogger("neurocodegen.run")

#: Time steps per call into compiled code are adapted to take about this long,
#: so that Ctrl-C and progress reports are served quickly.
CHUNK_SECONDS = 0.1


def _caller_namespace(level):
    frame = sys._getframe(level + 1)
    return {**frame.f_globals, **frame.f_locals}


class Network:
    """A set of groups and monitors advanced together: ``Network(G, M).run(100*ms)``."""

    def __init__(self, *objects):
        self.objects = []
        self.t_ = 0.0
        self._rng_key = None
        self.add(*objects)

    def add(self, *objects):
        for obj in objects:
            if isinstance(obj, (list, tuple, set)):
                self.add(*obj)
            elif not isinstance(obj, base.NetworkObject):
                raise TypeError(f"Cannot add {obj!r} to a network.")
            elif obj not in self.objects:
                self.objects.append(obj)

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
        if duration_ < 0:
            raise ValueError(f"The run duration must not be negative, got {duration!r}.")
        if namespace is None:
            namespace = _caller_namespace(level + 1)
        objects = self._objects_for_run()
        if not objects:
            raise ValueError("The network has no objects to run; create a NeuronGroup "
                             "(and call run() where it is visible) or add objects.")
        base_dt = min(o.clock.dt_ for o in objects)
        clocks = {}
        for o in objects:
            period = o.clock.dt_ / base_dt
            if abs(period - round(period)) > 1e-9 * period:
                raise ValueError(f"The dt of {o!r} ({o.clock.dt}) is not a multiple of the "
                                 f"smallest dt in the network ({base_dt * 1e3:g} ms).")
            clocks[o] = ObjectClock(int(round(period)), o.clock.dt_)
        start = int(round(self.t_ / base_dt))
        n_steps = int(round(duration_ / base_dt))
        for o in objects:
            if isinstance(o, NeuronGroup):
                o.before_run(namespace)
        for o in objects:
            if isinstance(o, StateMonitor):
                first = -(-start // clocks[o].period)
                last = -(-(start + n_steps) // clocks[o].period)
                o.prepare(last - first)
        layout, sources = self._code(objects, clocks)
        module = cache.get_module(sources, "module.pyx")
        self._last_sources = sources
        if self._rng_key is None:
            self._rng_key = random_state.network_key()

        def resolve(ref):
            kind, index, *key = ref
            obj = objects[index]
            if kind == "group":
                return obj._spikespace if key[0] == "_spikespace" else obj._arrays[key[0]]
            if kind == "monitor":
                return obj.buffer(key[0])
            if kind == "ext":
                return obj._externals[key[0]]
            if kind == "N":
                return obj.N
            if kind == "dt":
                return clocks[obj].dt
            raise ValueError(f"unknown reference {ref!r}")

        self._run_loop(module, layout, resolve, objects, start, start + n_steps,
                       report, report_period)
        self.t_ = (start + n_steps) * base_dt

    def _describe(self, objects, clocks):
        """What determines the generated code of this network, as JSON."""
        index = {o: k for k, o in enumerate(objects)}
        described = []
        for o in objects:
            item = {"type": type(o).__name__, "when": o.when, "order": o.order,
                    "period": clocks[o].period}
            if isinstance(o, NeuronGroup):
                item.update(o.describe())
            elif isinstance(o, SpikeMonitor):
                item.update(source=index[o.source], record=o.record)
            else:
                item.update(source=index[o.source], variables=list(o.variables),
                            n_record=len(o.record))
            described.append(item)
        return json.dumps(described, sort_keys=True)

    def _code(self, objects, clocks):
        """(layout, sources) of this network: from the lowering memo if this
        network was generated before (no sympy needed), else generated now."""
        key = cache.memo_key(self._describe(objects, clocks), template_fingerprint())
        memo = cache.load_memo(key)
        if memo is not None:
            for o, method in zip(objects, memo["methods"]):
                if isinstance(o, NeuronGroup) and o.method is None and method:
                    logger.info("No integration method specified for group '%s', using "
                                "method '%s' (as before, from the cache)", o.name, method)
            return lower_layout_from(memo), memo["sources"]
        layout, source = self._lower(objects, clocks)
        sources = {"network.cpp": source,
                   "module.pyx": render("cython/module.pyx.j2", ModuleSource("network.cpp"))}
        methods = [o.state_update_code()[0] if isinstance(o, NeuronGroup) else None
                   for o in objects]
        cache.store_memo(key, {"sources": sources, "layout": layout.to_json(),
                               "methods": methods})
        return layout, sources

    def _lower(self, objects, clocks):
        from .. import lower
        layout = lower.Layout()
        slots = {}
        checks, net_constants = [], []
        groups = [o for o in objects if isinstance(o, NeuronGroup)]
        for k, g in enumerate(groups):
            slots[g] = lower.GroupLowering(g, objects.index(g), f"_ncg_g{k}", layout,
                                           clocks[g], g._externals)
        by_slot = {}
        for k, o in enumerate(objects):
            clock = clocks[o]
            if isinstance(o, NeuronGroup):
                gl = slots[o]
                made = [("groups", gl.state_update_block())]
                if o.threshold is not None:
                    made += [("thresholds", gl.threshold_block())]
                    if o.reset:
                        made += [("resets", gl.reset_block())]
                for when, block in made:
                    if block is not None:
                        by_slot.setdefault(when, []).append((o.order, o._creation_id, block))
                continue
            slot = f"_ncg_m{k}"
            gl = slots[o.source]
            if isinstance(o, SpikeMonitor):
                block = o.lower(layout, k, slot, clock, gl.slot)
                if o.record:
                    checks.append((block.fill, block.size))
            else:
                arrays = {v: gl._array_cname(v) for v in o.variables}
                block = o.lower(layout, k, slot, clock, arrays)
            by_slot.setdefault(o.when, []).append((o.order, o._creation_id, block))
            net_constants.append(Constant(f"{slot}_dt", layout.constant(("dt", k))))
        ordered = [b for when in base.SCHEDULE
                   for _, _, b in sorted(by_slot.get(when, []), key=lambda x: x[:2])]
        ctx = NetworkSource(arrays=layout.array_decls, constants=tuple(net_constants),
                            blocks=tuple(ordered), spike_checks=tuple(checks))
        text = support_code() + "\n" + render("cpp/network.cpp.j2", ctx)
        return layout, text

    def _run_loop(self, module, layout, resolve, objects, step, end, report, report_period):
        monitors = [o for o in objects if isinstance(o, SpikeMonitor) and o.record]
        arrays, consts = layout.bind(resolve)
        chunk = 64
        t0 = time.perf_counter()
        reporter = _Reporter(report, report_period, step, end)
        while step < end:
            if any([m.ensure_room(m.source.N) for m in monitors]):
                arrays, _ = layout.bind(resolve)    # spike buffers were reallocated
            stop = min(end, step + chunk)
            tick = time.perf_counter()
            reached = module.run(arrays, consts, self._rng_key, step, stop)
            spent = time.perf_counter() - tick
            if reached == stop and spent < CHUNK_SECONDS / 2:
                chunk *= 2
            step = reached
            reporter.update(step)
        reporter.finish()
        logger.debug("Ran %d steps in %.3f s", end, time.perf_counter() - t0)


def lower_layout_from(memo):
    return Layout.from_json(memo["layout"])


class _Reporter:
    """Brian's ``report=``: 'text'/'stdout', 'stderr', or a callable
    ``report(elapsed, completed, start, duration)``, called every
    ``report_period`` of wall-clock time and at the end."""

    def __init__(self, report, period, start, end):
        if report not in (None, "text", "stdout", "stderr") and not callable(report):
            raise ValueError(f"report must be 'text', 'stdout', 'stderr' or a function, "
                             f"got {report!r}")
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

