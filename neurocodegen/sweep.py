"""Parameter sweeps: many runs of one model, spread over the cores of one
machine or the machines of a cluster by Dask's ``distributed`` scheduler.

``sweep(device, grid(tau=[5, 10, 20]*ms), seeds=[1, 2], summary={...})``
runs every parameter set with every seed and returns a pandas DataFrame with
one row per run (see :func:`sweep`). Two kinds of target:

* the standalone device: the program is built once, on the client; a run is
  ``device.run(run_args=..., seed=...)`` on a worker (a separate process of
  the built program, no compiler needed). A worker that does not see the
  program folder (another file system) gets it as a tar archive;
* a function that builds and runs a model in runtime mode: a run calls it in
  a worker with the parameter set as keyword arguments (the compile cache is
  shared where the file system is, so a model compiles once).

Dask does the distributing: a worker that dies loses no result, since the
scheduler runs its tasks again on another worker. A task may therefore run
twice: each attempt writes into a folder of its own and publishes it in one
``os.rename``.
"""
import contextlib
import gc
import hashlib
import inspect
import io
import itertools
import os
import pickle
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .units import format_dimension, get_dimensions

__all__ = ["SweepRun", "grid", "sweep"]

#: Columns of the table besides the parameters and summaries.
RESERVED = ("seed", "status", "error", "seconds", "worker", "monitors")


def grid(axes=None, /, **named):
    """Every combination of the given values, as the parameter sets of a
    :func:`sweep`: ``grid(tau=[5, 10]*ms, sigma=[0.1, 0.2])`` gives 4 dicts,
    the last name varying fastest. A key that is not a Python name (a group
    variable such as ``G.v0``, or ``'neurongroup.v0'``) goes in a dict:
    ``grid({G.v0: [v0_low, v0_high]}, tau=[5, 10]*ms)``."""
    axes = {**(axes or {}), **named}
    for key, values in axes.items():
        if np.ndim(values) == 0 or isinstance(values, (str, bytes)):
            raise TypeError(f"grid: give a list of values for {_column(key)}, "
                            f"got {values!r}.")
    keys = list(axes)
    return [dict(zip(keys, values)) for values in itertools.product(*(list(axes[k])
                                                                      for k in keys))]


class SweepRun:
    """What a summary function receives: one run's objects by name
    (``run['spikemonitor']`` or ``run[M]``: a monitor holding this run's
    data), its parameters (``run.params``, by column name) and ``run.seed``."""

    def __init__(self, objects, params, seed):
        self.objects, self.params, self.seed = objects, params, seed

    def __getitem__(self, key):
        name = getattr(key, "name", key)
        try:
            return self.objects[name]
        except KeyError:
            raise KeyError(f"This run has no object named {name!r} (objects: "
                           f"{', '.join(sorted(self.objects))}).") from None

    def __repr__(self):
        return f"<SweepRun seed={self.seed} params={self.params} objects={sorted(self.objects)}>"


def sweep(target, run_args, seeds=None, summary=None, monitors=False, client=None,
          threads=1, timeout=None, ship=None, progress=True):
    """Run a model once per parameter set (and per seed) on Dask workers.

    ``target``: the standalone device (``device``, after ``run()``: the
    program is built once here and re-run with each parameter set, as
    ``device.run(run_args=...)``), or a function that builds and runs a
    model in runtime mode, called in a worker as ``target(**params)`` and
    returning its objects (a dict by name, a list, a ``Network``; ``None``:
    those of its last ``run()``).

    ``run_args``: a list of parameter sets, dicts as for ``device.run``
    (``{'tau': 5*ms, G.v0: values}``), or a :func:`grid`. Every name and unit
    is checked before any run starts. ``seeds``: ``None`` (the script's
    seed), one seed for every run, or a list: each parameter set runs once
    per seed (standalone: as ``device.run(seed=...)``; runtime: ``seed()``
    before ``target`` is called).

    ``summary``: ``{column: function}``; each function gets a
    :class:`SweepRun` (``run['spikemonitor'].num_spikes``) and returns the
    value of its column, computed on the worker. ``monitors=True`` adds a
    column ``monitors``: each run's monitors by name (runtime mode: also by
    the keys of the dict ``target`` returned), with all their data
    (memory-mapped from ``<program folder>/sweeps/`` when the workers share
    the file system, else transferred).

    ``client``: ``None`` starts a LocalCluster with one single-threaded
    worker process per core for this sweep; an address (``'tcp://host:8786'``)
    connects to a running scheduler; a ``distributed.Client`` or a cluster
    object (``dask_jobqueue.SLURMCluster``) is used as it is.

    ``threads``: OpenMP threads of each standalone run. ``timeout``: seconds
    after which a standalone run is stopped and reported as ``'timeout'``.
    ``ship``: ``None`` sends the program folder to workers that do not see
    it, ``True`` always (workers run a copy), ``False`` never.
    ``progress``: one progress bar for the whole sweep.

    Returns a pandas DataFrame, one row per run: the parameters (quantities
    as numbers in SI units, their units in ``df.attrs['units']``), ``seed``,
    the summaries, ``status`` (``'ok'``, ``'failed'`` or ``'timeout'``),
    ``error`` (the program's or the function's message), ``seconds`` (the
    run's own time), ``worker``, and ``monitors`` when asked for. A failed
    run does not stop the others; a warning counts them."""
    pandas = _require("pandas")
    distributed = _require("distributed")
    sets = _parameter_sets(run_args)
    summary = _checked_summary(summary, sets)
    jobs = [_Job(k, params, seed, None) for k, (params, seed)
            in enumerate(itertools.product(sets, _seed_list(seeds)))]
    if callable(target) and not hasattr(target, "standalone"):
        if timeout is not None:
            raise ValueError("sweep: timeout= needs the standalone device: a runtime-mode "
                             "run is a function call in the worker, which cannot be stopped.")
        if threads != 1:
            raise ValueError("sweep: threads= is the number of threads of a standalone "
                             "run; a runtime-mode run has one.")
        spec = _runtime_spec(target, jobs, summary, monitors)
        task = _run_runtime
    else:
        spec = _standalone_spec(target, jobs, summary, monitors, threads, timeout)
        task = _run_standalone
    # everything is checked: now the cluster
    with _connected(client, distributed) as dask_client:
        if task is _run_runtime:
            _check_single_threaded(dask_client)
        else:
            _decide_shipping(dask_client, spec, ship)
        rows = _submit(dask_client, distributed, task, spec, jobs, progress)
    table = _table(pandas, jobs, rows, summary, monitors, spec)
    failed = table.index[table["status"] != "ok"].tolist()
    if failed:
        warnings.warn(f"sweep: {len(failed)} of {len(table)} runs failed or timed out (rows "
                      f"{', '.join(map(str, failed[:10]))}{', ...' if len(failed) > 10 else ''});"
                      f" their messages are in the 'error' column.", stacklevel=2)
    return table


# -- the parameter sets ---------------------------------------------------------

@dataclass
class _Job:
    """One run: its row, parameters (as given), seed, and what its task
    needs (standalone: the program's override lines; runtime: the keyword
    arguments)."""
    index: int
    params: dict
    seed: object
    args: object


def _parameter_sets(run_args):
    if isinstance(run_args, dict):
        raise TypeError("sweep: run_args is a list of parameter sets (dicts); for every "
                        "combination of values use grid(...).")
    sets = list(run_args)
    for params in sets:
        if not isinstance(params, dict):
            raise TypeError(f"sweep: each parameter set is a dict, got {params!r}.")
    if not sets:
        raise ValueError("sweep: no parameter sets to run.")
    return sets


def _seed_list(seeds):
    if seeds is None or np.ndim(seeds) == 0:
        return [None if seeds is None else int(seeds)]
    return [int(s) for s in seeds]


def _column(key):
    """The table's name for a key of run_args: ``'tau'``, ``'neurongroup.v0'``."""
    from .runtime.device import run_args_key
    target = run_args_key(key)
    if isinstance(target, str):
        return target
    group, variable = target
    return f"{getattr(group, 'name', group)}.{variable}"


def _checked_summary(summary, sets):
    summary = dict(summary or {})
    taken = {_column(k) for params in sets for k in params} | set(RESERVED)
    for name, function in summary.items():
        if not isinstance(name, str) or not callable(function):
            raise TypeError(f"sweep: summary maps column names to functions of a run, got "
                            f"{name!r}: {function!r}.")
        if name in taken:
            raise ValueError(f"sweep: the summary column {name!r} has the name of a "
                             f"parameter or of one of the columns {', '.join(RESERVED)}.")
    return summary


def _standalone_spec(target, jobs, summary, monitors, threads, timeout):
    """Build the program (only what changed), check every parameter set
    against it, and describe what a worker needs to run it."""
    from .runtime.device import _check_threads, _DeviceProxy, get_device
    device = get_device() if isinstance(target, _DeviceProxy) else target
    if not getattr(device, "standalone", False):
        raise TypeError(f"sweep: the target is the standalone device (set_device("
                        f"'cpp_standalone', ...), then run()) or a function that builds and "
                        f"runs a model; got {target!r}.")
    device.build(run=False)
    program = device.program
    for job in jobs:
        job.args = program.overrides(job.params)      # the names and units are checked here
        job.params = {_column(k): v for k, v in job.params.items()}
    directory = Path(device.directory).resolve()
    keep = directory / "sweeps" / (time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]) \
        if monitors else None
    spec = _StandaloneSpec(program=pickle.dumps(program), directory=str(directory),
                           digest=_digest(directory), archive=None, ship=False,
                           threads=_check_threads(threads), timeout=timeout, summary=summary,
                           monitors=bool(monitors), keep=None if keep is None else str(keep))
    return spec


def _runtime_spec(build, jobs, summary, monitors):
    """Check each parameter set against ``build``'s arguments (and their units,
    when it is decorated with ``@check_units``)."""
    from .runtime.device import check_dimension
    signature = inspect.signature(build)
    units = dict(zip(getattr(build, "_arg_names", ()), getattr(build, "_arg_units", ())))
    name = getattr(build, "__name__", repr(build))
    for job in jobs:
        for key, value in job.params.items():
            if not isinstance(key, str):
                raise TypeError(f"sweep: the parameters of {name}() are its keyword "
                                f"arguments, given by name; got the key {key!r}.")
            unit = units.get(key)           # None (no check), a unit, bool or a name
            if unit is not None and not isinstance(unit, str) and unit is not bool:
                check_dimension(f"the argument {key!r} of {name}()", value,
                                get_dimensions(unit))
        try:
            signature.bind(**job.params)
        except TypeError as exc:
            raise TypeError(f"sweep: {name}() cannot take the parameters "
                            f"{job.params!r}: {exc} (its arguments: "
                            f"{', '.join(signature.parameters)}).") from None
        job.args = job.params
    return _RuntimeSpec(build=build, summary=summary, monitors=bool(monitors))


# -- talking to Dask -------------------------------------------------------------

def _require(module):
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"sweep needs {module}: pip install 'neurocodegen[sweep]' (or "
                          f"pip install 'dask[distributed]' pandas).") from None


@contextlib.contextmanager
def _connected(client, distributed):
    """A Client: ``client`` itself, one connected to an address or a
    cluster, or one of a LocalCluster started (and closed) here."""
    if isinstance(client, distributed.Client):
        yield client
    elif client is None:
        with distributed.LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                                      processes=True, dashboard_address=None) as cluster, \
                distributed.Client(cluster) as own:
            yield own
    elif isinstance(client, str) or hasattr(client, "scheduler_address"):
        with distributed.Client(client) as own:
            yield own
    else:
        raise TypeError(f"sweep: client is None (a local cluster), a scheduler address, a "
                        f"distributed.Client or a cluster; got {client!r}.")


def _check_single_threaded(client):
    threaded = {w: n for w, n in client.nthreads().items() if n > 1}
    if threaded:
        raise ValueError(f"sweep: a runtime-mode sweep needs workers with one thread each "
                         f"(a model is built and run in the worker's Python), but "
                         f"{', '.join(f'{w} has {n}' for w, n in threaded.items())}; start "
                         f"them with --nthreads 1 (LocalCluster(threads_per_worker=1)).")


def _decide_shipping(client, spec, ship):
    """Send the program folder along when ``ship`` says so, or (``None``) when
    a worker does not see it with the same content."""
    if ship is None:                            # only workers that need it unpack it
        # a worker that dies meanwhile has no say (its replacement checks for itself)
        seen = client.run(_sees_folder, spec.directory, spec.digest, on_error="ignore")
        if not all(seen.values()):
            spec.archive = _pack(spec.directory)
    elif ship:
        spec.archive, spec.ship = _pack(spec.directory), True


def _submit(client, distributed, task, spec, jobs, progress):
    """Run the jobs; ``{index: row}``. A task that raised, or whose worker
    died too often, is a failed row: the others go on."""
    import cloudpickle  # Dask's own (summaries may be lambdas)

    from .runtime.progress import _tqdm
    token = f"neurocodegen-sweep-{uuid.uuid4().hex[:8]}"
    # The spec waits on the scheduler (a Dask Variable), not on a worker: the runs
    # depend on no task, so the scheduler spreads them over the idle workers at
    # once (it would send tasks that need a worker's data to that worker), and
    # no worker's death can lose it. Each worker fetches it once (_spec_of).
    described = distributed.Variable(token, client=client)
    described.set(cloudpickle.dumps(spec))
    futures = [client.submit(task, token, job, key=f"{token}-{job.index}") for job in jobs]
    by_key = {f.key: job for f, job in zip(futures, jobs)}
    tqdm = _tqdm() if progress else None
    bar = tqdm(total=len(jobs), desc="sweep", unit="run") if tqdm else None
    if progress and bar is None:
        distributed.progress(futures)          # no tqdm: Dask's own bar
    rows = {}
    try:
        for future in distributed.as_completed(futures):
            job = by_key[future.key]
            try:
                rows[job.index] = future.result()
            except Exception as exc:            # noqa: BLE001 (reported in its row)
                rows[job.index] = _row("failed", f"{type(exc).__name__}: {exc}")
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        client.cancel(futures)
        described.delete()
    return rows


def _table(pandas, jobs, rows, summary, monitors, spec):
    """The DataFrame: one row per job, numbers in SI units."""
    records, units = [], {}

    def cell(column, plain):
        value, unit = plain
        if unit is not None:
            units.setdefault(column, unit)
        return value

    for job in jobs:
        row = rows[job.index]
        record = {_column(k): cell(_column(k), _plain(v)) for k, v in job.params.items()}
        record["seed"] = job.seed
        for name in summary:
            record[name] = cell(name, row["summary"].get(name, (None, None)))
        record.update(status=row["status"], error=row["error"], seconds=row["seconds"],
                      worker=row["worker"])
        if monitors:
            record["monitors"] = _received_monitors(row["monitors"], spec)
        records.append(record)
    table = pandas.DataFrame.from_records(records)
    table.attrs["units"] = units
    if getattr(spec, "keep", None):
        table.attrs["results_directory"] = spec.keep
    return table


def _received_monitors(sent, spec):
    """A run's monitors by name: unpickled, or loaded (memory-mapped) from
    the results folder the run kept."""
    if sent is None:
        return None
    if isinstance(sent, bytes):
        return pickle.loads(sent)
    copy = pickle.loads(spec.program)                  # objects of its own for this row
    copy.load_results(spec.directory, sent)
    return {m.name: m for m in copy.monitors}


def _plain(value):
    """(value for the table, unit or None): a quantity as its number(s) in SI
    units; an array copied (not a view of a results file)."""
    array = np.asarray(value) if not isinstance(value, (str, bytes)) else None
    if array is None or array.dtype == object:
        return value, None
    dim = get_dimensions(value)
    unit = None if format_dimension(dim) == "1" else format_dimension(dim)
    return (array.item() if array.ndim == 0 else np.array(array)), unit


def _row(status, error=None, seconds=None, summary=None, monitors=None):
    from distributed import get_worker
    try:
        worker = get_worker().address
    except ValueError:                      # not in a worker (the client's own report)
        worker = None
    return {"status": status, "error": error, "seconds": seconds, "summary": summary or {},
            "monitors": monitors, "worker": worker}


# -- on a worker ----------------------------------------------------------------

_specs = {}                                 # token -> spec of the latest sweeps, per process
_specs_lock = threading.Lock()


def _spec_of(token):
    """The spec of the sweep ``token``, fetched from the scheduler once per
    worker process."""
    from distributed import Variable, get_client
    with _specs_lock:
        if token not in _specs:
            blob = Variable(token, client=get_client()).get(timeout=60)
            _specs[token] = pickle.loads(blob)
            while len(_specs) > 4:
                _specs.pop(next(iter(_specs)))
        return _specs[token]


# -- on a worker: standalone ------------------------------------------------------

@dataclass
class _StandaloneSpec:
    """What every standalone task needs; each worker fetches it once (_spec_of)."""
    program: bytes          # the pickled Program: each run loads results into its own copy
    directory: str          # the program folder, on the client
    digest: str             # of the files a run reads (see _digest)
    archive: object         # those files as a tar (bytes), or None
    ship: bool              # run from the archive even where the folder is seen
    threads: int
    timeout: object
    summary: dict
    monitors: bool
    keep: object            # where runs keep their results for the client, or None


_folders = {}                               # (directory, digest, ship) -> (folder, shared)
_folders_lock = threading.Lock()


def _run_files(directory):
    """The files a run of the built program reads."""
    from .standalone.program import BINARY
    directory = Path(directory)
    return [directory / BINARY, directory / "program.txt",
            *sorted((directory / "static").glob("*"))]


def _digest(directory):
    """sha256 of the files a run reads (None if one is missing)."""
    digest = hashlib.sha256()
    for path in _run_files(directory):
        if not path.is_file():
            return None
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _sees_folder(directory, digest):
    return digest is not None and _digest(directory) == digest


def _pack(directory):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in _run_files(directory):
            tar.add(path, arcname=path.relative_to(directory).as_posix())
    return buffer.getvalue()


def _worker_directory():
    from distributed import get_worker
    return Path(get_worker().local_directory)


def _program_folder(spec):
    """(folder to run the program in, whether it is the client's own)."""
    from .errors import StandaloneError
    key = (spec.directory, spec.digest, spec.ship)
    with _folders_lock:
        if key not in _folders:
            if not spec.ship and _sees_folder(spec.directory, spec.digest):
                _folders[key] = (Path(spec.directory), True)
            elif spec.archive is None:
                raise StandaloneError(
                    f"The program folder {spec.directory} is not on this worker's file "
                    f"system (or differs from the client's); call sweep(..., ship=True) to "
                    f"send it to every worker.")
            else:
                folder = _worker_directory() / "neurocodegen-programs" / spec.digest
                if not folder.exists():
                    folder.parent.mkdir(parents=True, exist_ok=True)
                    unpacking = Path(tempfile.mkdtemp(dir=folder.parent))
                    with tarfile.open(fileobj=io.BytesIO(spec.archive)) as tar:
                        _extract(tar, unpacking)
                    _publish(unpacking, folder)
                _folders[key] = (folder, False)
        return _folders[key]


def _extract(tar, where):
    if hasattr(tarfile, "data_filter"):         # Python >= 3.10.12: no links out, no devices
        tar.extractall(where, filter="data")
    else:
        tar.extractall(where)                   # our own archive


def _publish(attempt, final):
    """Move a finished folder into place; if an earlier attempt of the same
    task got there first, keep that one."""
    try:
        os.rename(attempt, final)
    except OSError:
        if not final.exists():
            raise
        shutil.rmtree(attempt, ignore_errors=True)


def _run_standalone(token, job):
    """One run of the built program, in a results folder of its own."""
    from .errors import StandaloneError
    from .standalone.program import run_program
    spec = _spec_of(token)
    folder, shared = _program_folder(spec)
    keep = spec.keep is not None and shared     # the client reads the results in place
    base = Path(spec.keep) if keep else _worker_directory()
    base.mkdir(parents=True, exist_ok=True)
    attempt = Path(tempfile.mkdtemp(prefix=f"{job.index}.", dir=base))
    try:
        try:
            status = run_program(folder, attempt / "results", spec.threads, job.seed,
                                 job.args, scratch=attempt, timeout=spec.timeout)
        except subprocess.TimeoutExpired:
            return _row("timeout", f"the run was stopped after {spec.timeout} s (timeout)")
        except StandaloneError as exc:
            return _row("failed", str(exc))
        program = pickle.loads(spec.program)
        program.load_results(folder, attempt / "results")
        values, error = _summarise(spec.summary, SweepRun(program.by_name, job.params,
                                                          job.seed))
        monitors = None
        if keep:
            final = base / str(job.index)
            _publish(attempt, final)
            monitors = str(final / "results")
        elif spec.monitors:
            monitors = pickle.dumps({m.name: m for m in program.monitors})
        return _row("failed" if error else "ok", error, status["wall_seconds"], values,
                    monitors)
    finally:
        shutil.rmtree(attempt, ignore_errors=True)


def _summarise(summary, run):
    """({column: (value, unit)}, error message or None): each function's
    value, made plain here (no view of a results file leaves the worker)."""
    values, errors = {}, []
    for name, function in summary.items():
        try:
            values[name] = _plain(function(run))
        except Exception as exc:                # noqa: BLE001 (reported in its row)
            errors.append(f"summary {name!r}: {type(exc).__name__}: {exc}")
    return values, "; ".join(errors) or None


# -- on a worker: runtime mode -----------------------------------------------------

@dataclass
class _RuntimeSpec:
    build: object
    summary: dict
    monitors: bool


def _run_runtime(token, job):
    """One run in the worker's Python: ``build(**params)`` after a fresh scope
    (and ``seed``)."""
    from .runtime.clock import defaultclock, seed
    from .runtime.device import set_device
    from .runtime.magic import magic_network, start_scope
    from .units import ms
    spec = _spec_of(token)
    set_device("runtime")
    start_scope()
    defaultclock.dt = 0.1 * ms
    gc.collect()                # objects of earlier runs free their names
    if job.seed is not None:
        seed(job.seed)
    start = time.perf_counter()
    try:
        returned = spec.build(**job.args)
    except Exception as exc:                    # noqa: BLE001 (reported in its row)
        return _row("failed", f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
    seconds = time.perf_counter() - start
    objects = _objects(returned, magic_network())
    values, error = _summarise(spec.summary, SweepRun(objects, job.params, job.seed))
    monitors = None
    if spec.monitors:           # sent pickled: no object of this run outlives the task
        monitors = pickle.dumps({key: o for key, o in objects.items()
                                 if callable(getattr(type(o), "recording", None))})
    return _row("failed" if error else "ok", error, seconds, values, monitors)


def _objects(returned, magic):
    """{name: object} of what a build function returned."""
    from .runtime.network import Network
    if returned is None:
        returned = magic.objects
    if isinstance(returned, Network):
        returned = returned.objects
    if isinstance(returned, dict):
        objects = {getattr(o, "name", k): o for k, o in returned.items()}
        return {**objects, **returned}          # by the dict's keys too
    if not isinstance(returned, (list, tuple, set)):
        returned = [returned]
    return {o.name: o for o in returned}
