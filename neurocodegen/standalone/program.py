"""The standalone program: its files, its build and its results.

A project directory holds ``network.cpp`` (the same generated run loop as the
runtime mode), ``main.cpp`` (the model-independent driver, with the
``ncg_support.hpp`` it includes; compiled once into ``main.o``, an object
file that the compile cache keeps for every later project), a ``Makefile``,
``program.txt`` (the argument table, the recordings and the schedule of runs,
read by the driver) and ``static/`` (initial values, constants and input
arrays). Files are only rewritten when their content changes, so ``make``
rebuilds only what changed. A run writes ``results/``: one ``.bin`` file per
array with a JSON header beside it (dtype, shape, unit) and ``status.json``
last.

program.txt names arrays by their role (see :class:`neurocodegen.ir.Array`)
and an object that records data (a monitor) by its :class:`Recording`: how
its rows are laid out and merged across threads (``events`` or
``snapshot``) and which arrays are its columns, so that the driver knows no
kind of object. Its grammar is in the header of ``standalone_main.cpp``.
"""
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

from ..backends.cpu.templates import template_root
from ..errors import CompilationError, StandaloneError
from ..jit.toolchain import default_toolchain
from ..runtime.synapses import ring_depth
from ..units import format_dimension

BINARY = "network"

# An array set from Python of at least this many bytes is written to a file
# of the project's SPOOL folder when its run is recorded (Program._snapshot).
SPOOL_BYTES = 256 * 2**20
SPOOL = "spool"

# the numpy dtype (as program.txt writes it) of each C++ type of the layout
_DTYPES = {"double": "f8", "int64_t": "i8", "int32_t": "i4", "bool": "b1"}


def recording_of(obj):
    """The :class:`~neurocodegen.specs.Recording` of an object with a fill
    array in the layout: what its ``recording()`` method says."""
    describe = getattr(type(obj), "recording", None)   # not a recorded variable's name
    if describe is None:
        raise StandaloneError(f"{obj!r} records data, but the standalone program does not "
                              f"know how: its kind has no recording() description.")
    return describe(obj)


class Program:
    """One network's runs, recorded for a standalone program."""

    def __init__(self, objects, layout, sources, seed, serial=False):
        self.objects, self.layout, self.sources, self.seed = objects, layout, sources, seed
        self.serial = serial        # one thread only (kernels that read every thread's data)
        self.by_name = {o.name: o for o in objects}
        self.groups = [o for o in objects if hasattr(o, "_spikespace")]   # neurons
        # objects whose state arrays Python sets (groups, synapses)
        self.stateful = [o for o in objects if hasattr(o, "_arrays")]
        self.slot = {ref: k for k, (_, _, ref, _) in enumerate(layout.array_refs)}
        # an object with a fill array appends to growable buffers: it records
        self.fill_slot = {owner: k for k, (_, _, (owner, _), role)
                          in enumerate(layout.array_refs) if role == "fill"}
        self.monitors = [o for o in objects if o.name in self.fill_slot]
        self.recordings = {m: self._checked_recording(m) for m in self.monitors}
        self.ops = []           # ("set", slot, values) and ("run", start, end, constants)

    def _checked_recording(self, obj):
        """``obj``'s recording, checked against the layout: its columns are
        exactly its growable arrays, and a snapshot's indices an input array."""
        recording = recording_of(obj)
        roles = {key: role for _, _, (owner, key), role in self.layout.array_refs
                 if owner == obj.name}
        growable = {key for key, role in roles.items() if role == "growable"}
        columns = {c.array for c in recording.columns}
        index_ok = (recording.layout == "events" and recording.index is None
                    and recording.owner is None) or \
            (recording.layout == "snapshot" and roles.get(recording.index) == "input"
             and (recording.owner is None or roles.get(recording.owner) == "input"))
        if columns != growable or not index_ok or \
                (columns and sum(c.time for c in recording.columns) != 1):
            raise StandaloneError(
                f"The recording of {obj.name} ({recording}) does not match its arrays in the "
                f"generated code ({roles}).")
        return recording

    # -- recording --------------------------------------------------------------
    def group_slots(self, group):
        """(variable, slot) of each of ``group``'s arrays the program uses."""
        return [(name, self.slot[(group.name, name)]) for name in group.array_names()
                if (group.name, name) in self.slot
                and self.layout.array_refs[self.slot[(group.name, name)]][3] != "history"]

    def record_run(self, start, end, constants, spool=None):
        """Remember a run and the values it starts from; arrays of at least
        SPOOL_BYTES go to files in the folder ``spool`` (see :meth:`_snapshot`)."""
        first = not any(op[0] == "run" for op in self.ops)
        for obj in self.stateful:
            for name, slot in self.group_slots(obj):
                if first or name in obj._dirty:
                    self.ops.append(("set", slot, self._snapshot(obj, name, spool)))
            obj._dirty.clear()
        self.ops.append(("run", start, end, constants))

    def _snapshot(self, obj, name, spool):
        """The values of ``obj``'s array ``name`` as a run starts: a copy, or
        for a large array the Path of a file in ``spool`` written with them.
        Python's array then becomes a copy-on-write map of that file: its
        pages are the program's file, read once, and Python's later changes
        stay in Python. A network of 10^9 synapses is so held once, not
        three times (array, copy, file)."""
        array = obj.array(name)
        if spool is None or array.nbytes < SPOOL_BYTES:
            return array.copy()
        path = Path(spool) / f"set{len(self.ops)}.{obj.name}.{name}.bin"
        write_array(path, array)
        obj._arrays[name] = np.memmap(path, dtype=array.dtype, mode="c",
                                      shape=array.shape).view(np.ndarray)
        return path

    def overrides(self, run_args):
        """``run_args`` as (set lines, const lines, layout lines) of an
        override file: the set lines as (slot, values), the const lines as
        (index, value), the layout lines as text (``history``, ``window``)."""
        from ..runtime.device import check_dimension, run_args_key
        sets, consts, layout, shortest = [], [], [], []
        for key, value in run_args.items():
            target = run_args_key(key)
            if isinstance(target, str) and "." in target:
                group_name, variable = target.split(".", 1)
                matches = [g for g in self.stateful if g.name == group_name]
                if not matches:
                    raise KeyError(f"run_args: no group named {group_name!r} in this program "
                                   f"(groups: {', '.join(g.name for g in self.stateful)}).")
                target = (matches[0], variable)
            if isinstance(target, str):
                consts += self._constant_override(target, value, check_dimension)
                continue
            group, variable = target
            slots = dict(self.group_slots(group)) if group in self.stateful else {}
            if variable in getattr(group, "_delay_variables", dict)() and group in self.stateful:
                dmin = self._delay_override(group, variable, value, check_dimension,
                                            sets, consts, layout)
                if dmin:                        # a presynaptic pathway's, not 0
                    shortest.append(dmin)
                continue
            if variable not in slots:
                raise KeyError(f"run_args: {getattr(group, 'name', group)}.{variable} is not "
                               f"a variable of a group this program simulates.")
            check_dimension(f"{group.name}.{variable}", value,
                            group._dims_and_types()[0][variable])
            array = group._arrays[variable]
            values = np.broadcast_to(np.asarray(value, dtype=array.dtype), array.shape)
            sets.append((slots[variable], values))
        window = self._window()
        if shortest and (window is None or min(shortest) < window):
            layout.append(f"window {min(shortest)}")
        return sets, consts, layout

    def _delay_override(self, S, variable, value, check_dimension, sets, consts, layout):
        """The lines that give the pathway of ``S``'s delay ``variable`` the
        delays ``value`` (one, or one per synapse): its order and delays
        (when the program stores them), its shortest and longest delay, and
        a deeper ring of past events (a ``history`` line) if it needs one.
        Returns the shortest delay in
        steps of a presynaptic pathway (it bounds the threads' window), else
        None."""
        p = S._delay_variables()[variable]
        what = f"{S.name}.{variable}"
        check_dimension(what, value, S._dims_and_types()[0][variable])
        delays = np.asarray(value, dtype=np.float64)
        if delays.ndim and delays.shape != (len(S),):
            raise ValueError(f"run_args: {what} needs one delay or {len(S)} (one per "
                             f"synapse), got shape {delays.shape}.")
        if not np.all(np.isfinite(delays)) or np.any(delays < 0):
            raise ValueError(f"run_args: {what} must be finite and not negative.")
        per_synapse = (S.name, f"_{p}_delay_steps") in self.slot
        if (S.name, f"_{p}_history") not in self.slot and np.any(delays > 0):
            raise ValueError(f"run_args: the program was built with no delay for {what}, so "
                             f"it keeps no past events; set {what} before run() and build "
                             f"again.")
        if delays.ndim and not per_synapse and np.any(delays != delays.flat[0]):
            raise ValueError(
                f"run_args: the program was built with one delay for all synapses of "
                f"{what}, so run_args may give it one value, not one per synapse; set "
                f"{what} to per-synapse values before run() and build again.")
        arrays, dmin, dmax = S.pathway_layout(S._pathways[p], delays if per_synapse
                                              else delays.flat[0], per_synapse)
        for name, values in arrays.items():
            if (S.name, name) in self.slot:
                sets.append((self.slot[(S.name, name)], values))
        for key, number in ((f"_{p}_dmin", dmin), (f"_{p}_dmax", dmax)):
            consts += [(k, float(number)) for k, owner in self._constant_slots(key)
                       if owner == S.name]
        depth = ring_depth(dmin, dmax)
        if depth > self._depth(S.name, f"_{p}_depth"):       # the built ring is too short
            consts += [(k, float(depth)) for k, owner in self._constant_slots(f"_{p}_depth")
                       if owner == S.name]
            _, size = S.history_layout(f"_{p}_history")
            layout.append(f"history {self.slot[(S.name, f'_{p}_history')]} {depth} {size}")
        return dmin if S._pathways[p].side == "pre" else None

    def _constant_override(self, name, value, check_dimension):
        external = [(k, owner, key) for k, (owner, key) in enumerate(self.layout.constant_refs)
                    if self.by_name[owner] in self.stateful and key not in ("N", "dt")
                    and key in getattr(self.by_name[owner], "_externals", ())]
        indices = [k for k, _, key in external if key == name]
        if not indices:
            known = sorted({key for _, _, key in external if not key.startswith("_")})
            raise KeyError(f"run_args: {name!r} is not a constant of this program's models "
                           f"(constants: {', '.join(known) or 'none'}).")
        for k in indices:
            group = self.by_name[self.layout.constant_refs[k][0]]
            check_dimension(f"the constant {name!r}", value, group._external_dims[name])
        if np.ndim(value) != 0:
            raise ValueError(f"run_args: the constant {name!r} must be one value, "
                             f"got shape {np.shape(value)}.")
        return [(k, float(np.asarray(value))) for k in indices]

    # -- describing the program -------------------------------------------------
    def _constant_slots(self, name):
        """(constant slot, owner) of each constant called ``name``."""
        return [(k, owner) for k, (owner, key) in enumerate(self.layout.constant_refs)
                if key == name]

    def _depth(self, owner, key):
        """The ring of events of ``owner`` (a Synapses) whose depth is the
        constant ``key``, as deep as its deepest run needs, so that one
        layout serves every run."""
        runs = [op[3] for op in self.ops if op[0] == "run"]
        return max([1] + [int(c[k]) for k, o in self._constant_slots(key) if o == owner
                          for c in runs])

    def _run_constants(self, constants):
        """A run's constants with every ring's depth at its deepest."""
        constants = np.array(constants, dtype=np.float64)
        for k, (owner, key) in enumerate(self.layout.constant_refs):
            if key.endswith("_depth") and hasattr(self.by_name[owner], "history_layout"):
                constants[k] = self._depth(owner, key)
        return constants

    def _window(self):
        """Steps threads may run apart: at most the shortest synaptic delay
        of a presynaptic pathway in any run (None: unbounded; a delay of 0
        makes threads meet within each step instead, in the generated code)."""
        runs = [op[3] for op in self.ops if op[0] == "run"]
        keys = {(o.name, key) for o in self.objects
                for key in getattr(o, "window_constants", list)()}
        delays = [int(c[k]) for k, ref in enumerate(self.layout.constant_refs) if ref in keys
                  for c in runs if int(c[k]) > 0]
        return min(delays) if delays else None

    # -- describing the program -------------------------------------------------
    def stems(self):
        """slot -> file stem of each array written to the results."""
        return {k: f"{owner}.{key}" for k, (_, _, (owner, key), role)
                in enumerate(self.layout.array_refs) if role in ("state", "counter")}

    def describe(self):
        """program.txt, and the static files it names: (text, {path: bytes})."""
        lines = ["# written by neurocodegen; read by main.cpp",
                 f"slots {len(self.layout.array_refs)}", f"seed {self.seed}"]
        window = self._window()
        if window is not None:
            lines.append(f"window {window}")
        if self.serial:
            lines.append("serial")
        files = {}
        stems = self.stems()
        lines += [f"group {g.N}" for g in self.groups]
        for slot, (cname, ctype, (owner, key), role) in enumerate(self.layout.array_refs):
            obj = self.by_name[owner]
            if role in ("state", "counter"):
                array = obj.array(key)
                lines.append(f"array {slot} {role} {array.dtype.str[1:]} {array.size} "
                             f"{stems[slot]}")
                dim = obj._dims_and_types()[0][key] if role == "state" else None
                lines.append(f"unit {stems[slot]} {_unit(dim)}")
            elif role == "internal":          # kept across steps and runs, not a result
                array = obj.array(key)
                lines.append(f"array {slot} state {array.dtype.str[1:]} {array.size} -")
            elif role == "history":           # the program lays it out for its threads
                depth, size = obj.history_layout(key)
                lines.append(f"history {slot} {self._depth(owner, depth)} {size}")
            elif role == "spikes":
                lines.append(f"array {slot} spikes i4 {obj.N} -")
            elif role == "input":
                dtype = _DTYPES[ctype]
                values = np.ascontiguousarray(obj.array(key), dtype=dtype)
                path = f"static/{owner}.{key}.bin"
                files[path] = values.tobytes()
                lines.append(f"array {slot} input {dtype} {values.size} {path}")
            # fill and growable arrays are the recordings' (per thread)
        for m, recording in self.recordings.items():
            words = ["recording", m.name, recording.layout, str(self.fill_slot[m.name]),
                     str(recording.size)]
            if recording.index is not None:
                words.append(str(self.slot[(m.name, recording.index)]))
            if recording.owner is not None:
                words.append(f"owner {self.slot[(m.name, recording.owner)]}")
            for c in recording.columns:
                slot = self.slot[(m.name, c.array)]
                words.append(f"{'time' if c.time else 'column'} {slot} "
                             f"{_DTYPES[self.layout.array_refs[slot][1]]} {m.name}.{c.name}")
            lines.append(" ".join(words))
            lines += [f"unit {m.name}.{c.name} {_unit(c.dim)}" for c in recording.columns]
        runs = 0
        for n, op in enumerate(self.ops):
            if op[0] == "set" and isinstance(op[2], Path):       # already in its file
                path = f"{SPOOL}/{op[2].name}"
                files[path] = op[2]
                lines.append(f"set {op[1]} file {path}")
            elif op[0] == "set":
                owner, key = self.layout.array_refs[op[1]][2]
                lines.append(_set_line(op[1], op[2], f"static/set{n}.{owner}.{key}.bin", files))
            else:
                _, start, end, constants = op
                path = f"static/run{runs}.constants.bin"
                files[path] = self._run_constants(constants).tobytes()
                lines.append(f"run {start} {end} {path}")
                runs += 1
        return "\n".join(lines) + "\n", files

    def bytes_per_neuron(self):
        """State memory of the program (arrays and spike spaces) per neuron."""
        neurons = sum(g.N for g in self.groups)
        total = 0
        for cname, ctype, (owner, key), role in self.layout.array_refs:
            obj = self.by_name[owner]
            if role == "spikes":
                total += (obj.N + 1) * 4
            elif role in ("state", "counter"):
                total += obj.array(key).nbytes
        return total / neurons

    # -- results ------------------------------------------------------------------
    def load_results(self, directory, results):
        """Read the results of a run into the groups (copied) and monitors
        (memory-mapped)."""
        folder = Path(directory) / results
        status = read_status(folder)
        stems = self.stems()
        loaded = {stem: load_array(folder, stem) for stem in stems.values()}
        monitors = {m: self._load_recording(folder, m, recording)
                    for m, recording in self.recordings.items()}
        # everything is read and checked: now change the objects
        for slot, stem in stems.items():
            owner, key = self.layout.array_refs[slot][2]
            self.by_name[owner].array(key)[...] = loaded[stem]
        for m, columns in monitors.items():
            m._load_results(columns)
        for obj in self.stateful + self.monitors:
            obj._pending = None
        return status

    def _load_recording(self, folder, m, recording):
        """{column name: array} of ``m``'s recording: events as (rows,), a
        snapshot's time as (rows,) and its other columns as (rows, indices)."""
        columns = {c.name: load_array(folder, f"{m.name}.{c.name}")
                   for c in recording.columns if c.time or recording.layout == "events"}
        if recording.layout == "snapshot":
            rows = len(columns[next(c.name for c in recording.columns if c.time)])
            shape = (rows, len(m.array(recording.index)))
            columns.update({c.name: load_array(folder, f"{m.name}.{c.name}", shape)
                            for c in recording.columns if not c.time})
        return columns


def _unit(dim):
    return "1" if dim is None else format_dimension(dim)


def _set_line(slot, values, path, files):
    """``set`` a state array: one value for all, or a file of values."""
    flat = values.ravel()
    if flat.size and (flat == flat[0]).all() and np.isfinite(flat[0]):
        return f"set {slot} fill {float(flat[0])!r}"
    files[path] = np.ascontiguousarray(flat).tobytes()
    return f"set {slot} file {path}"


def write_array(path, array):
    """Write ``array``'s values to the file ``path`` as they lie in memory,
    without a copy; a map of the file it replaces keeps the old values."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    np.ascontiguousarray(array).tofile(tmp)
    os.replace(tmp, path)


def _copy_file(source, target, tmp_suffix=".tmp"):
    """Copy ``source`` to ``target`` whole or not at all (through a temporary
    file beside it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + tmp_suffix)
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def _write_if_changed(path, data):
    """Write ``data`` (bytes) to ``path`` unless it already holds exactly that;
    True if written. ``data`` may be the Path of a file written earlier
    (copied unless it is ``path`` itself)."""
    path = Path(path)
    if isinstance(data, Path):
        if path.exists() and path.resolve() == data.resolve():
            return False
        _copy_file(data, path)
        return True
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def program_flags(toolchain):
    """The runtime's compiler flags, less those for a shared library, plus OpenMP."""
    return [f for f in toolchain.cxxflags if f not in ("-fPIC", "-fvisibility=hidden")] + \
        ["-fopenmp"]


DRIVER = ("main.cpp", "ncg_support.hpp")   # the driver's sources, the same for every model


def makefile(toolchain):
    return ("# written by neurocodegen: `make` rebuilds the program when a source changed\n"
            f"CXX = {toolchain.compiler}\n"
            f"CXXFLAGS = {' '.join(program_flags(toolchain))}\n\n"
            f"{BINARY}: main.o network.cpp\n"
            f"\t$(CXX) $(CXXFLAGS) network.cpp main.o -o {BINARY}\n\n"
            f"main.o: {' '.join(DRIVER)}\n"
            "\t$(CXX) $(CXXFLAGS) -c main.cpp -o main.o\n")


def _driver_key(directory, toolchain):
    """The cache's name for the driver's object file: a hash of its sources
    and of what compiles them."""
    import hashlib
    digest = hashlib.sha256(json.dumps(toolchain.fingerprint(), sort_keys=True).encode())
    digest.update(" ".join(program_flags(toolchain)).encode())
    for name in DRIVER:
        digest.update(name.encode() + b"\0" + (directory / name).read_bytes())
    return digest.hexdigest()[:32]


def _driver_object(directory, toolchain):
    """Put the driver's object file in the project from the compile cache when
    the project's is missing or older than its sources (the driver is 6.7 s
    of a 7 s build); returns the cached file's path, for storing one."""
    from ..jit import cache
    cached = cache.driver_objects() / f"{_driver_key(directory, toolchain)}.o"
    target = directory / "main.o"
    newest = max((directory / name).stat().st_mtime_ns for name in DRIVER)
    if (not target.exists() or target.stat().st_mtime_ns < newest) and cached.exists():
        _copy_file(cached, target)                          # now newer than its sources
    return cached


def _keep_driver_object(directory, cached):
    """Store the project's driver object file in the compile cache."""
    target = directory / "main.o"
    if cached.exists() or not target.exists():
        return
    try:
        _copy_file(target, cached, f".{os.getpid()}.tmp")   # other processes may store it too
    except OSError:                          # the cache is an optimisation
        pass


def write_project(program, directory, clean=False):
    """Write the project files that changed; returns timings."""
    start = time.perf_counter()
    directory = Path(directory)
    if clean:
        for name in ("static", "results", BINARY):
            path = directory / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    text, files = program.describe()
    files.update({"network.cpp": program.sources["network.cpp"].encode(),
                  "main.cpp": (template_root() / "cpp" / "standalone_main.cpp").read_bytes(),
                  "ncg_support.hpp": (template_root() / "cpp" / "ncg_support.hpp").read_bytes(),
                  "Makefile": makefile(default_toolchain()).encode(),
                  "program.txt": text.encode()})
    written = [name for name, data in files.items() if _write_if_changed(directory / name, data)]
    for folder in ("static", SPOOL):         # inputs of an earlier version of the program
        stale = set(p.name for p in (directory / folder).glob("*")) - \
            {Path(f).name for f in files if f.startswith(folder + "/")}
        for name in stale:
            (directory / folder / name).unlink()
    return {"write_seconds": time.perf_counter() - start, "files_written": written}


def compile_project(directory):
    """Build the program with make (only if a source changed); returns timings."""
    directory = Path(directory)
    binary = directory / BINARY
    before = binary.stat().st_mtime_ns if binary.exists() else None
    start = time.perf_counter()
    toolchain = default_toolchain()
    cached = _driver_object(directory, toolchain)
    flags = program_flags(toolchain)
    if shutil.which("make"):
        commands = [["make", "-s", BINARY]]
    else:                                    # no make: compile what is out of date
        def stamp(name):
            return (directory / name).stat().st_mtime_ns if (directory / name).exists() else -1
        commands = []
        if stamp("main.o") < max(stamp(name) for name in DRIVER):
            commands.append([toolchain.compiler, *flags, "-c", "main.cpp", "-o", "main.o"])
        if commands or before is None or before < stamp("network.cpp"):
            commands.append([toolchain.compiler, *flags, "network.cpp", "main.o", "-o", BINARY])
    for command in commands:
        result = subprocess.run(command, cwd=directory, capture_output=True, text=True)
        if result.returncode != 0:
            log = directory / "compiler.log"
            log.write_text(result.stdout + result.stderr)
            raise CompilationError(
                f"Building the standalone program in {directory} failed.\n"
                f"  command: {' '.join(command)}\n  log:     {log}\n"
                f"{result.stderr.strip()[-4000:]}", command=command,
                source_path=str(directory / "network.cpp"), log=result.stdout + result.stderr)
    _keep_driver_object(directory, cached)
    compiled = binary.exists() and binary.stat().st_mtime_ns != before
    return {"compile_seconds": time.perf_counter() - start, "compiled": compiled}


def run_program(directory, results, threads, seed, overrides, scratch=None, timeout=None,
                adapt_threads=True, probe_steps=None):
    """Run the built program; ``overrides`` from :meth:`Program.overrides`.
    Returns its status.json, with ``wall_seconds`` added. ``threads`` is the
    most it runs on; fewer where they are faster unless ``adapt_threads`` is
    false (see :class:`~neurocodegen.runtime.device.StandaloneDevice`).

    ``scratch`` is the folder for the override file of ``run_args`` (default:
    ``directory``); runs that share a program folder at the same time (a
    sweep) give each its own. ``timeout`` (seconds) stops the program and
    raises :class:`subprocess.TimeoutExpired`."""
    directory = Path(directory)
    if not (directory / BINARY).exists():
        raise StandaloneError(f"There is no built program in {directory}: call "
                              f"device.build() first.")
    command = [f"./{BINARY}", "--results", str(results), "--threads", str(threads)]
    if seed is not None:
        command += ["--seed", str(int(seed))]
    if not adapt_threads:
        command += ["--fixed-threads", "1"]
    if probe_steps is not None:
        command += ["--probe-steps", str(int(probe_steps))]
    sets, consts, layout = overrides
    if sets or consts or layout:
        # paths as the program reads them: from its folder, without spaces
        scratch = os.path.relpath(directory if scratch is None else scratch, directory)
        if any(c.isspace() for c in scratch):
            raise StandaloneError(f"The folder for run_args, {scratch!r} (from {directory}), "
                                  f"has a space in its path; the program cannot read it.")
        lines, files = [], {}
        for n, (slot, values) in enumerate(sets):
            path = os.path.normpath(os.path.join(scratch, "run_args", f"{n}.bin"))
            lines.append(_set_line(slot, values, path, files))
        lines += [f"const {k} {value!r}" for k, value in consts] + layout
        for path, data in files.items():
            _write_if_changed(directory / path, data)
        override = os.path.normpath(os.path.join(scratch, "run_args.txt"))
        (directory / override).write_text("\n".join(lines) + "\n")
        command += ["--override", override]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=directory, capture_output=True, text=True,
                            timeout=timeout, env=program_environment())
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise StandaloneError(
            f"The standalone program in {directory} failed (exit status {result.returncode}):"
            f"\n{(result.stderr or result.stdout).strip()[-4000:]}")
    status = read_status(directory / results)
    status["wall_seconds"] = wall
    return status


def program_environment():
    """The environment of a run: this process's, with OpenMP's threads
    waiting at a barrier for at most ~1000 spins before they sleep (unless
    GOMP_SPINCOUNT is set). libgomp's default spins for long: when another
    process holds a core, a thread that waits every step for a descheduled
    one burns its time slice, and a 2-thread CUBA took 15.7 s instead of
    15 ms; with 1000 spins, 15 ms, and the same on an idle machine."""
    env = dict(os.environ)
    env.setdefault("GOMP_SPINCOUNT", "1000")
    return env


def read_status(folder):
    path = Path(folder) / "status.json"
    try:
        status = json.loads(path.read_text())
    except FileNotFoundError:
        raise StandaloneError(f"No results in {folder}: the standalone program has not run "
                              f"there, or did not finish ({path.name} is missing). Run it "
                              f"again with device.run().") from None
    except (OSError, ValueError) as exc:
        raise StandaloneError(f"{path} is damaged ({exc}); run the program again.") from None
    if not isinstance(status, dict) or status.get("complete") is not True:
        raise StandaloneError(f"{path} says the run did not complete; run it again.")
    return status


def load_array(folder, stem, shape=None):
    """The array ``stem`` of a results folder, memory-mapped read-only, after
    checking its file against its JSON header."""
    folder = Path(folder)
    header_path, data_path = folder / f"{stem}.json", folder / f"{stem}.bin"
    try:
        header = json.loads(header_path.read_text())
        dtype, stored = np.dtype(header["dtype"]), tuple(int(n) for n in header["shape"])
    except FileNotFoundError:
        raise StandaloneError(f"The results file {header_path} is missing; run the program "
                              f"again.") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StandaloneError(f"The results header {header_path} is damaged ({exc!r}); run "
                              f"the program again.") from None
    expected = int(np.prod(stored)) * dtype.itemsize
    actual = data_path.stat().st_size if data_path.exists() else None
    if actual != expected:
        found = "missing" if actual is None else f"{actual} bytes"
        raise StandaloneError(
            f"The results file {data_path} is {found}, but its header says {stored} values "
            f"of {dtype} ({expected} bytes): it is truncated or damaged. Run the program "
            f"again (device.run()).")
    if shape is not None and int(np.prod(shape)) == int(np.prod(stored)):
        stored = tuple(shape)
    if expected == 0:
        return np.zeros(stored, dtype=dtype)
    return np.memmap(data_path, dtype=dtype, mode="r", shape=stored)

