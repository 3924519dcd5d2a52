"""Robustness of runs and of the compile cache: interrupts, numerical faults,
bad durations, oversized monitors, concurrent builds, damaged caches, the
size limit and the ``python -m neurocodegen cache`` command."""
import errno
import fcntl
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

from neurocodegen import NeuronGroup, SpikeMonitor, StateMonitor, ms, second
from neurocodegen.jit import cache
from neurocodegen.jit.toolchain import default_toolchain
from neurocodegen.errors import CacheError, SimulationError
from neurocodegen.runtime import network as network_module
from neurocodegen.runtime.network import Network

DT = 0.1e-3


def _env(cache_dir, **extra):
    return {**os.environ, "NEUROCODEGEN_CACHE_DIR": str(cache_dir), **extra}


# -- 1. interrupts -------------------------------------------------------------

INTERRUPTED = textwrap.dedent('''
    import json, time
    import numpy as np
    from neurocodegen import *
    from neurocodegen.runtime.network import Network
    G = NeuronGroup(20000, 'dv/dt = (1.5-v)/(10*ms) : 1', threshold='v>1', reset='v=0',
                    method='exact')
    M = StateMonitor(G, 'v', record=[0, 1])
    S = SpikeMonitor(G)
    net = Network(G, M, S)
    import builtins                  # the star import brings numpy's bool, float, int
    net.run(1*ms)                    # compile before the timed part
    print("ready", flush=True)

    def state():
        return {"t": net.t_, "mt": M.t_.tolist()[-3:], "rows": len(M.t_),
                "shape": list(M.v.shape), "spikes": len(S.t_), "count": S.count.sum().item(),
                "max_spike_t": S.t_.max().item() if len(S.t_) else None,
                "diff_ok": builtins.bool(np.allclose(np.diff(M.t_), 1e-4))}
    try:
        net.run(1000*second)
        print(json.dumps({"finished": True}), flush=True)
    except KeyboardInterrupt:
        print(json.dumps({"interrupted": state()}), flush=True)
    net.run(5*ms)
    print(json.dumps({"continued": state()}), flush=True)
''')


def test_sigint_leaves_a_consistent_network_that_runs_on(tmp_path):
    proc = subprocess.Popen([sys.executable, "-u", "-c", INTERRUPTED], env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        first = json.loads(proc.stdout.readline())
        latency = time.monotonic() - sent
        second = json.loads(proc.stdout.readline())
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    finally:
        proc.kill()
    assert "interrupted" in first, first
    assert latency < 1.0
    got = first["interrupted"]
    steps = round(got["t"] / DT)
    assert 1e-3 < got["t"] < 1000 and abs(got["t"] - steps * DT) < 1e-9
    assert got["rows"] == steps == got["shape"][1] and got["shape"][0] == 2
    assert got["mt"][-1] == pytest.approx(got["t"] - DT)
    assert got["spikes"] == got["count"] > 0 and got["max_spike_t"] < got["t"]
    after = second["continued"]
    assert after["t"] == pytest.approx(got["t"] + 5e-3)
    assert after["rows"] == round(after["t"] / DT) and after["diff_ok"]
    assert after["mt"][-1] == pytest.approx(after["t"] - DT)


def _recorded_network(n=5):
    G = NeuronGroup(n, "dv/dt = (1.5-v)/(10*ms) : 1", threshold="v>1", reset="v=0",
                    method="exact")
    M = StateMonitor(G, "v", record=True)
    S = SpikeMonitor(G)
    return Network(G, M, S), G, M, S


def _assert_consistent(net, M, S):
    t = float(net.t)
    steps = round(t / DT)
    assert abs(t - steps * DT) < 1e-12
    assert len(M.t_) == steps == M.v.shape[1]
    assert M.t_[-1] == pytest.approx(t - DT)
    assert np.all(S.t_ < t) and len(S.t_) == S.count.sum()


def test_exception_between_chunks_keeps_the_time_reached():
    net, G, M, S = _recorded_network()
    calls = []

    def report(elapsed, done, start, duration):
        calls.append(done)
        if len(calls) == 3:
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        net.run(10 * second, report=report, report_period=0 * second)
    assert 0 < float(net.t) < 10
    _assert_consistent(net, M, S)
    assert sum(len(b[0]) for b in M._blocks) == len(M.t_)   # trimmed to what was written
    reached = float(net.t)
    net.run(2 * ms)
    assert float(net.t) == pytest.approx(reached + 2e-3)
    _assert_consistent(net, M, S)


def test_duration_between_steps_runs_up_to_the_next_step_as_brian():
    # Brian's Clock ends a run on the next step unless the end time is
    # within 1e-4 dt of a step: 0.45 ms is 5 steps, 0.3 ms + 0.42 ms is
    # 3 + 5 (round() would give 4 and 4).
    net, G, M, S = _recorded_network()
    with pytest.warns(UserWarning, match=r"running 5 steps"):
        net.run(0.45 * ms)
    assert float(net.t) == pytest.approx(0.5e-3)
    net.run(0.3 * ms)
    with pytest.warns(UserWarning, match=r"running 5 steps"):
        net.run(0.42 * ms)
    assert float(net.t) == pytest.approx(1.3e-3)
    _assert_consistent(net, M, S)


# -- 2. numerical faults -------------------------------------------------------

def _exploding_network():
    G = NeuronGroup(3, "dv/dt = k*v/ms : 1\nk : 1", method="euler", name="blowup*")
    G.v = 1
    G.k = np.array([0.0, 0.0, 1.0])
    M = StateMonitor(G, "v", record=True)
    return Network(G, M), G, M


def test_nan_or_inf_raises_naming_group_variable_neuron_and_time():
    net, G, M = _exploding_network()
    with pytest.raises(SimulationError) as err:
        net.run(2 * second)
    message = str(err.value)
    assert "'v'" in message and "'blowup" in message and "neuron 2" in message
    assert err.value.variable == "v" and err.value.index == 2
    assert err.value.t == pytest.approx(float(net.t))
    assert 0.5 < float(net.t) < 2 and f"t = {float(net.t) * 1e3:g} ms" in message
    assert len(M.t_) == round(float(net.t) / DT) == M.v.shape[1]


@pytest.mark.parametrize("mode", ["warn", "off"])
def test_nan_check_can_warn_or_be_off(monkeypatch, mode):
    monkeypatch.setattr(network_module, "nan_check", mode)
    net, G, M = _exploding_network()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.run(1 * second)
    faults = [w for w in caught if "NaN or inf" in str(w.message)]
    assert len(faults) == (1 if mode == "warn" else 0)
    assert float(net.t) == pytest.approx(1.0)
    assert not np.isfinite(G.v_[2])


def test_bad_nan_check_setting_is_refused(monkeypatch):
    monkeypatch.setattr(network_module, "nan_check", "maybe")
    net, _, _ = _exploding_network()
    with pytest.raises(ValueError, match="nan_check"):
        net.run(1 * ms)


# -- 3. durations and monitor sizes ------------------------------------------

def test_duration_not_a_multiple_of_dt_is_rounded_with_a_warning():
    net, G, M, S = _recorded_network()
    with pytest.warns(UserWarning, match=r"not a multiple of the time step.*6 steps"):
        net.run(0.57 * ms)
    assert float(net.t) == pytest.approx(0.6e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.run(0.3 * ms)      # 2.9999999999999996 steps: float noise, no warning
    assert float(net.t) == pytest.approx(0.9e-3)
    _assert_consistent(net, M, S)


@pytest.mark.parametrize("bad", [-1 * ms, float("inf") * second, float("nan") * second])
def test_negative_infinite_or_nan_durations_are_refused(bad):
    net, *_ = _recorded_network()
    with pytest.raises(ValueError, match="finite, non-negative"):
        net.run(bad)


def test_state_monitor_larger_than_memory_is_refused_before_allocating():
    net, G, M, S = _recorded_network(n=1000)
    with pytest.raises(MemoryError) as err:
        net.run(1e6 * second)
    assert isinstance(err.value, SimulationError)
    message = str(err.value)
    available = network_module.available_memory()
    assert "GB" in message and f"{available / 1e9:.3g} GB" in message
    assert float(net.t) == 0 and M._blocks == [] and len(M.t_) == 0
    net.run(1 * ms)
    _assert_consistent(net, M, S)


# -- 4. the cache under concurrency ------------------------------------------

BUILD = textwrap.dedent('''
    import json, sys, time
    from neurocodegen import *
    from neurocodegen.jit import cache
    start_at = float(sys.argv[2])
    while time.time() < start_at:
        time.sleep(0.005)
    G = NeuronGroup(2, 'dv/dt = ({drive}-v)/(10*ms) : 1', method='euler')
    run(1*ms)
    print(json.dumps(cache.stats))
''')


@pytest.mark.slow
def test_many_processes_build_shared_and_distinct_models(tmp_path):
    drives = [1.25] * 8 + [2.0 + k for k in range(8)]
    start_at = time.time() + 4.0     # after every process has imported neurocodegen
    procs = [subprocess.Popen([sys.executable, "-c", BUILD.format(drive=d), "x",
                               str(start_at)], env=_env(tmp_path),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for d in drives]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(r["compiled"] for r in results[:8]) == 1
    assert all(r["compiled"] == 1 for r in results[8:])
    entries = cache.entries(tmp_path)
    assert len(entries) == 9
    assert not list(tmp_path.glob(".build-*"))


def _fake_sources(tag="x"):
    return {"network.cpp": f"// {tag}\n", "module.pyx": "# never compiled\n"}


def test_lock_timeout_names_the_lock_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCODEGEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "LOCK_TIMEOUT", 0.2)
    sources = _fake_sources("locked")
    key = cache.compute_key(sources, default_toolchain())
    (tmp_path / "locks").mkdir()
    lock_path = tmp_path / "locks" / f"{key}.lock"
    with open(lock_path, "a") as holder:     # another "process" is building this key
        fcntl.flock(holder, fcntl.LOCK_EX)
        start = time.monotonic()
        with pytest.raises(CacheError) as err:
            cache.get_module(sources, "module.pyx")
        assert time.monotonic() - start < 2
    assert str(lock_path) in str(err.value) and "0.2 s" in str(err.value)


# -- 5. the cache under faults -----------------------------------------------

@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    """A cache folder holding one compiled entry, and the sources of that entry."""
    root = tmp_path_factory.mktemp("golden-cache")
    old = os.environ.get("NEUROCODEGEN_CACHE_DIR")
    os.environ["NEUROCODEGEN_CACHE_DIR"] = str(root)
    try:
        G = NeuronGroup(2, "dv/dt = (0.75-v)/(10*ms) : 1", method="euler")
        net = Network(G)
        net.run(0.1 * ms)
        sources = net._last_sources
    finally:
        if old is None:
            del os.environ["NEUROCODEGEN_CACHE_DIR"]
        else:
            os.environ["NEUROCODEGEN_CACHE_DIR"] = old
    shutil.rmtree(root / "sources")
    return root, sources


@pytest.fixture
def damaged(golden, tmp_path, monkeypatch):
    """A private copy of the golden cache, used as the cache, with a fresh
    in-process state; yields (root, entry, sources)."""
    root = tmp_path / "cache"
    shutil.copytree(golden[0], root)
    monkeypatch.setenv("NEUROCODEGEN_CACHE_DIR", str(root))
    monkeypatch.setattr(cache, "_loaded", {})
    monkeypatch.setattr(cache, "_private_root", None)
    monkeypatch.setattr(cache, "stats", dict.fromkeys(cache.stats, 0))
    (entry,) = [e for *_, e in cache.entries(root)]
    return root, entry, golden[1]


def _binary(entry):
    return next(entry.glob("_ncg_*" + default_toolchain().ext_suffix))


def _truncate(entry):
    path = _binary(entry)
    path.write_bytes(path.read_bytes()[:4096])


def _scribble(entry):
    path = _binary(entry)
    data = bytearray(path.read_bytes())
    data[len(data) // 2:len(data) // 2 + 64] = b"\xcc" * 64
    path.write_bytes(bytes(data))


def _wrong_manifest(entry):
    manifest = json.loads((entry / "manifest.json").read_text())
    manifest["key"] = "0" * 64
    (entry / "manifest.json").write_text(json.dumps(manifest))


DAMAGE = {
    "truncated binary": _truncate,
    "scribbled binary": _scribble,
    "missing binary": lambda entry: _binary(entry).unlink(),
    "manifest of another key": _wrong_manifest,
    "manifest not JSON": lambda entry: (entry / "manifest.json").write_text("{oops"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_entry_is_moved_aside_and_rebuilt(damaged, damage):
    root, entry, sources = damaged
    DAMAGE[damage](entry)
    with pytest.warns(RuntimeWarning, match="damaged"):
        module = cache.get_module(sources, "module.pyx")
    assert cache.stats["compiled"] == 1 and callable(module.run)
    assert cache._entry_problem(entry, entry.name, default_toolchain()) is None
    assert len(list((root / "broken").iterdir())) == 1


def test_missing_manifest_is_an_unpublished_entry_and_is_rebuilt(damaged):
    root, entry, sources = damaged
    (entry / "manifest.json").unlink()
    module = cache.get_module(sources, "module.pyx")
    assert cache.stats["compiled"] == 1 and callable(module.run)


def test_a_module_that_fails_to_load_is_rebuilt_once(damaged, monkeypatch):
    root, entry, sources = damaged
    real_load, calls = cache._load, []

    def flaky_load(*args):
        calls.append(1)
        if len(calls) == 1:
            raise ImportError("undefined symbol: something")
        return real_load(*args)

    monkeypatch.setattr(cache, "_load", flaky_load)
    with pytest.warns(RuntimeWarning, match="undefined symbol"):
        module = cache.get_module(sources, "module.pyx")
    assert callable(module.run) and cache.stats["compiled"] == 1 and len(calls) == 2


def test_a_module_that_never_loads_gives_a_cache_error(damaged, monkeypatch):
    root, entry, sources = damaged

    def broken_load(*args):
        raise OSError("cannot map segment")

    monkeypatch.setattr(cache, "_load", broken_load)
    with pytest.warns(RuntimeWarning), pytest.raises(CacheError, match="even after rebuilding"):
        cache.get_module(sources, "module.pyx")
    assert cache.stats["compiled"] == 1


def test_unusable_cache_folder_falls_back_to_a_private_one_with_one_warning(
        tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NEUROCODEGEN_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(cache, "_private_root", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first, second = cache._usable_root(), cache._usable_root()
    assert first == second and first.is_dir() and blocker.is_file()
    assert len([w for w in caught if "not usable" in str(w.message)]) == 1
    shutil.rmtree(first)


def test_missing_cache_folder_is_created(tmp_path, monkeypatch):
    root = tmp_path / "not" / "yet"
    monkeypatch.setenv("NEUROCODEGEN_CACHE_DIR", str(root))
    assert cache._usable_root() == root and root.is_dir()


def test_full_disk_gives_a_clear_cache_error(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCODEGEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "_loaded", {})

    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(pathlib.Path, "write_text", no_space)
    with pytest.raises(CacheError, match="disk is full") as err:
        cache.get_module(_fake_sources("full"), "module.pyx")
    assert str(tmp_path) in str(err.value)
    assert not list(tmp_path.glob(".build-*")) and not cache.entries(tmp_path)


# -- 6. size limit, ``cache info`` and ``cache clear`` -------------------------

def _fake_entry(root, key, megabytes, age):
    entry = root / key[:2] / key
    entry.mkdir(parents=True)
    (entry / "blob.so").write_bytes(b"\0" * int(megabytes * 1e6))
    (entry / "manifest.json").write_text(json.dumps({"key": key}))
    then = time.time() - age
    os.utime(entry / "manifest.json", (then, then))
    return entry


def test_eviction_removes_least_recently_used_entries_but_never_the_kept_one(tmp_path):
    keys = [c * 64 for c in "abcd"]
    for age, key in zip((400, 300, 200, 100), keys):
        _fake_entry(tmp_path, key, 1, age)
    removed = cache.evict(tmp_path, keep=keys[0], limit=int(2.5e6))
    assert removed == [keys[1], keys[2]]
    assert sorted(k for *_, k, _ in cache.entries(tmp_path)) == [keys[0], keys[3]]


def test_loading_marks_an_entry_as_used(damaged):
    root, entry, sources = damaged
    manifest = entry / "manifest.json"
    os.utime(manifest, (1e9, 1e9))
    cache.get_module(sources, "module.pyx")
    assert cache.stats["loaded_from_disk"] == 1
    assert time.time() - manifest.stat().st_mtime < 60


def test_a_build_evicts_old_entries_over_the_limit(damaged, monkeypatch):
    root, entry, sources = damaged
    old = _fake_entry(root, "e" * 64, 0.5, 1000)
    shutil.rmtree(entry)
    monkeypatch.setenv("NEUROCODEGEN_CACHE_MAX_MB", "0.1")
    cache.get_module(sources, "module.pyx")
    assert cache.stats["compiled"] == 1
    assert not old.exists()
    assert [k for *_, k, _ in cache.entries(root)] == [entry.name]   # just built: kept


def _cli(root, *args):
    out = subprocess.run([sys.executable, "-m", "neurocodegen", "cache", *args],
                         env=_env(root), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_cache_info_and_clear_commands(damaged):
    root, entry, sources = damaged
    _fake_entry(root, "f" * 64, 0.25, 10)
    (root / "sources").mkdir()
    (root / "sources" / "memo.json").write_text("{}")
    info = _cli(root, "info")
    assert str(root) in info and "entries:   2" in info and "MB" in info
    cleared = _cli(root, "clear")
    assert "Removed 2 of 2 entries" in cleared
    assert cache.entries(root) == [] and not (root / "sources").exists()
    assert "entries:   0" in _cli(root, "info")


def test_cache_info_of_a_folder_that_does_not_exist(tmp_path):
    assert "entries:   0" in _cli(tmp_path / "nowhere", "info")
    assert not (tmp_path / "nowhere").exists()
