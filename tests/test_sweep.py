"""Parameter sweeps on a real Dask LocalCluster (2 worker processes, TCP on
localhost): the same numbers as sequential runs, bit for bit; a worker killed
mid-sweep loses no run; bad parameters fail before any task is sent; failed
and timed-out runs are reported in their rows."""
import builtins
import os
import shutil
import signal
import sys
import threading
import time

import numpy as np
import pytest

distributed = pytest.importorskip(
    "distributed", reason="sweeps need Dask: pip install 'dask[distributed]' (or '.[sweep]')")
pytest.importorskip("pandas", reason="sweeps return a pandas DataFrame: pip install pandas")

import cloudpickle  # noqa: E402  (a dependency of distributed)

from neurocodegen import *  # noqa: E402,F401,F403
from neurocodegen.sweep import SweepRun, _digest, _sees_folder, grid  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the runtime-mode build functions below travel to the workers by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])

N, DURATION = 4000, 1 * second
SETS = grid(tau=[5, 10, 15, 20] * ms, sigma=[0.1, 0.3])
SUMMARY = {
    "rate": lambda run: run["spikemonitor"].num_spikes / (run["neurongroup"].N * DURATION),
    "mean_v": lambda run: np.mean(run["neurongroup"].v),
}


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 single-threaded worker processes; they import
    this checkout and use the session's compile cache (both inherited
    from this process's environment)."""
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT,
                                                             os.environ.get("PYTHONPATH")]))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    """The noisy I-f model of the README as a standalone program, built once;
    the device object is kept, the current device goes back to runtime."""
    device = set_device("cpp_standalone", adapt_threads=False, directory=tmp_path_factory.mktemp("sweep") / "if",
                        build_on_run=False)
    seed(2024)
    tau, sigma = 10 * ms, 0.2  # noqa: F841
    G = NeuronGroup(N, '''dv/dt = (v0 - v)/tau + sigma*xi*tau**-0.5 : 1 (unless refractory)
                          v0 : 1''', threshold="v>1", reset="v=0", refractory=5 * ms,
                    method="euler")
    M = SpikeMonitor(G)
    S = StateMonitor(G, "v", record=[0, N - 1])
    G.v0 = "i*3.0/(N-1)"
    run(DURATION)
    device.build(run=False)
    set_device("runtime")
    return device, G, M, S


@pytest.fixture(scope="module")
def sequential(program):
    """The 8 parameter sets run one after the other with device.run."""
    device, G, M, S = program
    out = []
    for params in SETS:
        device.run(run_args=params, seed=5)
        out.append({"i": np.array(M.i), "t": np.array(M.t_), "v": np.array(S.v_),
                    "rate": M.num_spikes / (N * DURATION), "mean_v": np.mean(G.v)})
    return out


def _same_as_sequential(table, sequential):
    assert list(table["status"]) == ["ok"] * len(SETS), table["error"].tolist()
    for k, expected in enumerate(sequential):
        monitors = table["monitors"][k]
        assert np.array_equal(monitors["spikemonitor"].i, expected["i"])
        assert np.array_equal(monitors["spikemonitor"].t_, expected["t"])
        assert np.array_equal(monitors["statemonitor"].v_, expected["v"])
        assert table["rate"][k] == float(expected["rate"])
        assert table["mean_v"][k] == expected["mean_v"]


def test_grid_is_every_combination_last_name_fastest():
    sets = grid(tau=[5, 10] * ms, sigma=[0.1, 0.2, 0.3])
    assert len(sets) == 6
    assert [(float(s["tau"] / ms), s["sigma"]) for s in sets[:4]] == \
        [(5, 0.1), (5, 0.2), (5, 0.3), (10, 0.1)]
    with pytest.raises(TypeError, match="list of values for tau"):
        grid(tau=5 * ms)


def test_sweep_gives_exactly_the_sequential_results(program, sequential, client):
    device = program[0]
    table = sweep(device, SETS, seeds=5, summary=SUMMARY, monitors=True, client=client)
    assert list(table.columns) == ["tau", "sigma", "seed", "rate", "mean_v", "status",
                                   "error", "seconds", "worker", "monitors"]
    assert table.attrs["units"] == {"tau": "s", "rate": "Hz"}
    assert np.allclose(table["tau"], [0.005] * 2 + [0.01] * 2 + [0.015] * 2 + [0.02] * 2)
    assert (table["seed"] == 5).all() and (table["seconds"] > 0).all()
    assert table["worker"].nunique() == 2       # spread at once, on a fresh cluster too
    _same_as_sequential(table, sequential)
    # the workers saw the program folder: the monitors map the runs' files
    spikes = table["monitors"][3]["spikemonitor"]
    assert isinstance(spikes.i, np.memmap)
    assert str(spikes.i.filename).startswith(table.attrs["results_directory"])
    # the runs differ: the table is not one run repeated
    assert len(set(table["rate"])) == len(SETS)


def test_program_folder_shipped_to_workers(program, sequential, client):
    """ship=True: the workers run an unpacked copy and send the monitors back."""
    table = sweep(program[0], SETS, seeds=5, summary=SUMMARY, monitors=True,
                  client=client, ship=True)
    _same_as_sequential(table, sequential)
    assert not isinstance(table["monitors"][0]["spikemonitor"].i, np.memmap)


def test_a_worker_sees_the_folder_only_with_the_same_content(program, tmp_path):
    directory = program[0].directory
    copy = tmp_path / "copy"
    shutil.copytree(directory, copy)
    assert _sees_folder(str(copy), _digest(directory))
    (copy / "program.txt").write_text((copy / "program.txt").read_text() + "\n")
    assert not _sees_folder(str(copy), _digest(directory))
    assert not _sees_folder(str(tmp_path / "elsewhere"), _digest(directory))


def test_seeds_list_runs_every_set_with_every_seed(program, client):
    device, _, M, _ = program
    sets = [{"tau": 10 * ms}, {"tau": 20 * ms}]
    table = sweep(device, sets, seeds=[1, 2], client=client, progress=False,
                  summary={"spikes": lambda run: run[M].num_spikes})
    assert list(table["seed"]) == [1, 2, 1, 2]
    for k, (params, s) in enumerate([(sets[0], 1), (sets[0], 2), (sets[1], 1),
                                     (sets[1], 2)]):
        device.run(run_args=params, seed=s)
        assert table["spikes"][k] == M.num_spikes
    assert table["spikes"][0] != table["spikes"][1]


def test_client_given_as_a_scheduler_address(program, client):
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    table = sweep(program[0], grid(tau=[5, 10] * ms), client=address, progress=False,
                  summary={"spikes": lambda run: run["spikemonitor"].num_spikes})
    assert list(table["status"]) == ["ok", "ok"]
    assert set(table["worker"]) <= set(client.nthreads())


def test_array_parameters_of_a_group_variable(program, client):
    device, G, M, _ = program
    low, high = np.linspace(0, 1.5, N), np.linspace(3, 0, N)
    sets = [{(G, "v0"): low}, {"neurongroup.v0": high}]
    table = sweep(device, sets, client=client, progress=False,
                  summary={"spikes": lambda run: run["spikemonitor"].num_spikes})
    assert np.array_equal(table["neurongroup.v0"][1], high)
    for k, v0 in enumerate([low, high]):
        device.run(run_args={"neurongroup.v0": v0})
        assert table["spikes"][k] == M.num_spikes
    assert table["spikes"][0] < table["spikes"][1]


def test_bad_parameters_fail_before_any_task_is_sent(program, client, monkeypatch):
    device, G, _, _ = program

    def no_tasks(*args, **kwargs):
        raise AssertionError("a task was sent")

    monkeypatch.setattr(client, "submit", no_tasks)
    with pytest.raises(DimensionMismatchError,
                       match=r"constant 'tau' has unit s, but the value 3\. \* mvolt has unit V"):
        sweep(device, [{"tau": 10 * ms}, {"tau": 3 * mV}], client=client)
    with pytest.raises(KeyError, match="'taux' is not a constant.*sigma, tau"):
        sweep(device, grid(taux=[1, 2] * ms), client=client)
    with pytest.raises(DimensionMismatchError, match="neurongroup.v0"):
        sweep(device, [{(G, "v0"): 3 * mV}], client=client)
    with pytest.raises(ValueError, match="summary column 'tau'"):
        sweep(device, grid(tau=[1, 2] * ms), summary={"tau": len}, client=client)


def test_timeout_is_reported_as_such(program, client):
    with pytest.warns(UserWarning, match="2 of 2 runs failed or timed out"):
        table = sweep(program[0], grid(tau=[5, 10] * ms), client=client, timeout=0.002,
                      progress=False)
    assert list(table["status"]) == ["timeout", "timeout"]
    assert "stopped after 0.002 s (timeout)" in table["error"][0]


def test_a_failing_summary_fails_its_row_only(program, client):
    with pytest.warns(UserWarning, match="2 of 2 runs failed or timed out"):
        table = sweep(program[0], grid(tau=[5, 10] * ms), client=client, progress=False,
                      summary={"spikes": lambda run: run["spikemonitor"].num_spikes,
                               "wrong": lambda run: run["nosuchmonitor"].num_spikes})
    assert list(table["status"]) == ["failed", "failed"]
    assert "summary 'wrong': KeyError" in table["error"][0]
    assert "nosuchmonitor" in table["error"][0] and "spikemonitor" in table["error"][0]
    assert (table["spikes"] > 0).all()


def test_a_killed_worker_loses_no_run(program, sequential, client):
    """SIGKILL one worker process while it runs sweep tasks: the scheduler
    runs its tasks again elsewhere and every row is complete and right."""
    pids = client.run(os.getpid)
    killed = {}

    def kill_a_busy_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = [w for w, keys in client.processing().items()   # (numpy's any is here)
                    if builtins.any("neurocodegen-sweep" in str(k) for k in keys)]
            if busy:
                time.sleep(0.05)             # inside a run
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed["worker"] = busy[0]
            time.sleep(0.005)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    try:
        table = sweep(program[0], SETS, seeds=5, summary=SUMMARY, monitors=True,
                      client=client, progress=False)
    finally:
        killed.setdefault("worker", None)
        killer.join()
    assert killed["worker"] is not None
    _same_as_sequential(table, sequential)
    assert killed["worker"] not in set(client.nthreads())      # it really died
    client.wait_for_workers(2, timeout=60)                    # the nanny restarts it


def make_if(tau, sigma=0.2, threshold="v>1", N=500):
    """The I-f model in runtime mode, for a runtime-mode sweep."""
    G = NeuronGroup(N, '''dv/dt = (v0 - v)/tau + sigma*xi*tau**-0.5 : 1 (unless refractory)
                          v0 : 1''', threshold=threshold, reset="v=0", refractory=5 * ms,
                    method="euler")
    M = SpikeMonitor(G)
    G.v0 = "i*3.0/(N-1)"
    run(100 * ms)
    return {"spikes": M, "group": G}


@check_units(tau=second)
def make_if_checked(tau):
    return make_if(tau)


def test_runtime_mode_builds_in_the_workers(client):
    sets = grid(tau=[5, 10, 20] * ms) + [{"tau": 10 * ms, "threshold": "v>"}]
    with pytest.warns(UserWarning, match="1 of 4 runs"):
        table = sweep(make_if, sets, seeds=3, client=client, monitors=True,
                      summary={"spikes": lambda run: run["spikes"].num_spikes})
    assert list(table["status"]) == ["ok", "ok", "ok", "failed"]
    assert "ExpressionSyntaxError" in table["error"][3] and "v>" in table["error"][3]
    for k, params in enumerate(sets[:3]):
        start_scope()
        seed(3)
        expected = make_if(**params)["spikes"]
        assert table["spikes"][k] == expected.num_spikes
        assert np.array_equal(table["monitors"][k]["spikes"].i, expected.i)
        assert np.array_equal(table["monitors"][k]["spikes"].t_, expected.t_)


def test_runtime_mode_checks_arguments_before_sending(client, monkeypatch):
    monkeypatch.setattr(client, "submit", lambda *a, **k: pytest.fail("a task was sent"))
    with pytest.raises(TypeError, match="make_if\\(\\) cannot take .*'taux'"):
        sweep(make_if, [{"taux": 5 * ms}], client=client)
    with pytest.raises(DimensionMismatchError, match="argument 'tau' of make_if_checked"):
        sweep(make_if_checked, [{"tau": 5 * mV}], client=client)
    with pytest.raises(ValueError, match="timeout= needs the standalone device"):
        sweep(make_if, [{"tau": 5 * ms}], client=client, timeout=1)


def test_sweep_run_names_its_objects():
    run = SweepRun({"spikemonitor": 1}, {"tau": 5 * ms}, 3)
    assert run["spikemonitor"] == 1
    with pytest.raises(KeyError, match="no object named 'x'.*spikemonitor"):
        run["x"]
