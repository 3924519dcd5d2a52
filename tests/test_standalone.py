"""Standalone mode: the tutorial's models as a generated C++ program, identical
to the runtime mode for any number of threads, re-run with run_args without
the compiler, and clear errors for damaged results."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from neurocodegen import *  # noqa: F401,F403
from neurocodegen.errors import StandaloneError
from test_tutorial import _spike_times  # the spec's spike-time cells


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    """One folder per model, shared by the tests of this module, so that a
    model is compiled once."""
    return tmp_path_factory.mktemp("standalone")


@pytest.fixture(autouse=True)
def back_to_runtime():
    yield
    set_device("runtime")


@pytest.mark.parametrize("eqs, tau, refractory, expected", [
    ("dv/dt = (1-v)/tau : 1", 10 * ms, False, [16, 32.1, 48.2]),
    ("dv/dt = (1-v)/tau : 1 (unless refractory)", 10 * ms, 5 * ms, [16, 37]),
    ("dv/dt = (1-v)/tau : 1", 5 * ms, 15 * ms, [8, 23, 38]),
], ids=["reset", "unless-refractory", "refractory"])
def test_spec_spike_times(projects, eqs, tau, refractory, expected):
    set_device("cpp_standalone", adapt_threads=False, directory=projects / "spikes")
    times, statemon = _spike_times(eqs, tau, refractory)
    np.testing.assert_allclose(times, expected, atol=1e-9)
    assert statemon.v.shape == (1, 500)
    np.testing.assert_allclose(statemon.t / ms, np.arange(500) * 0.1, atol=1e-12)
    if refractory and "unless" in eqs:
        held = (statemon.t / ms > 16.05) & (statemon.t / ms < 21.05)
        assert np.all(statemon.v[0][held] == 0)


def test_spec_exact_solution_and_memory_report(projects):
    set_device("cpp_standalone", adapt_threads=False, directory=projects / "exact")
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="exact")
    run(100 * ms)
    assert abs(G.v[0] - 0.9999546000702376) < 1e-12
    assert device.memory_per_neuron == 8          # one double
    assert device.status["complete"] and device.status["steps"] == 1000


def test_peak_memory_is_the_programs_own(projects):
    """status.json's max_rss_bytes counts the program, not the Python process
    that started it (Linux's getrusage() would include the parent's peak)."""
    ballast = np.ones(40_000_000)  # 320 MB resident in this process  # noqa: F841
    set_device("cpp_standalone", adapt_threads=False, directory=projects / "memory")
    N = 1_000_000
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(N, "dv/dt = -v/tau : 1", method="exact")  # noqa: F841
    run(1 * ms)
    state = device.memory_per_neuron * N
    assert state <= device.status["max_rss_bytes"] < state + 64e6


def _tutorial_model(name, N, record=(999, 0, 500, 3)):
    """The tutorial's I-f models and its adaptive-threshold model, with monitors."""
    seed(4321)
    if name == "adaptive":
        vr, vt0 = -70 * mV, -50 * mV
        constants = dict(tau=10 * ms, vr=vr, vt0=vt0, sigma=0.5 * (vt0 - vr),
                         v_drive=2 * (vt0 - vr), delta_vt0=5 * mV, tau_t=100 * ms)
        G = NeuronGroup(N, '''
            dv/dt = (v_drive+vr-v)/tau + sigma*xi*tau**-0.5 : volt
            dvt/dt = (vt0-vt)/tau_t : volt''', threshold="v>vt",
            reset="v = vr\nvt += delta_vt0", refractory=5 * ms, method="euler",
            namespace=constants)
        G.v = "rand()*(vt0-vr)+vr"
        G.vt = vt0
        variables = ["v", "vt"]
    else:
        noisy = name == "noisy-if"
        G = NeuronGroup(N, f'''
            dv/dt = (v0-v)/tau{"+sigma*xi*tau**-0.5" if noisy else ""} : 1 (unless refractory)
            v0 : 1''', threshold="v>1", reset="v=0", refractory=5 * ms,
            method="euler" if noisy else "exact",
            namespace=dict(tau=10 * ms, sigma=0.2) if noisy else dict(tau=10 * ms))
        G.v0 = "i*3.0/(N-1)"
        variables = ["v"]
    spikemon = SpikeMonitor(G)
    statemon = StateMonitor(G, variables, record=list(record))
    return G, spikemon, statemon, variables


def _results(G, spikemon, statemon, variables):
    out = {"i": spikemon.i, "t": spikemon.t_, "count": spikemon.count,
           "state_t": statemon.t_}
    for v in variables:
        out["M." + v] = getattr(statemon, v + "_")
        out["G." + v] = getattr(G, v + "_")
    return {k: np.array(a) for k, a in out.items()}


@pytest.mark.parametrize("name", ["if", "noisy-if", "adaptive"])
def test_identical_to_runtime_for_1_2_and_4_threads(projects, name):
    G, spikemon, statemon, variables = _tutorial_model(name, 1000)
    run(200 * ms)
    reference = _results(G, spikemon, statemon, variables)
    assert len(reference["i"]) > 1000
    start_scope()
    set_device("cpp_standalone", adapt_threads=False, directory=projects / name, build_on_run=False)
    G, spikemon, statemon, variables = _tutorial_model(name, 1000)
    run(200 * ms)
    device.build(threads=1)
    for threads in (1, 2, 4):
        if threads > 1:
            device.run(threads=threads)
        assert device.status["threads"] == threads
        got = _results(G, spikemon, statemon, variables)
        for key, expected in reference.items():
            assert np.array_equal(got[key], expected), (threads, key)
    assert isinstance(spikemon.i, np.memmap)       # monitors are not copied
    assert isinstance(statemon.v_.base, np.memmap)


def test_run_args_rerun_without_compiler(projects):
    directory = projects / "noisy-if-args"
    set_device("cpp_standalone", adapt_threads=False, directory=directory)
    G, spikemon, statemon, _ = _tutorial_model("noisy-if", 300, record=(299, 0, 7))
    run(100 * ms)
    before = _results(G, spikemon, statemon, ["v"])
    binary = directory / "network"
    built_at = binary.stat().st_mtime_ns
    new_v0 = np.linspace(3, 0, 300)
    device.run(run_args={G.v0: new_v0, "tau": 20 * ms, "sigma": 0.1})
    after = _results(G, spikemon, statemon, ["v"])
    assert binary.stat().st_mtime_ns == built_at
    assert not np.array_equal(before["count"], after["count"])
    assert np.array_equal(G.v0_, new_v0)
    # the same run in runtime mode gives the same spikes
    start_scope()
    set_device("runtime")
    G, spikemon, statemon, _ = _tutorial_model("noisy-if", 300, record=(299, 0, 7))
    G.v0 = new_v0
    G.namespace.update(tau=20 * ms, sigma=0.1)
    run(100 * ms)
    expected = _results(G, spikemon, statemon, ["v"])
    for key in ("i", "t", "count", "M.v"):
        assert np.array_equal(after[key], expected[key]), key


def test_run_args_errors_name_the_variable_and_units(projects):
    set_device("cpp_standalone", adapt_threads=False, directory=projects / "noisy-if-args")
    G, *_ = _tutorial_model("noisy-if", 300, record=(299, 0, 7))
    run(100 * ms)
    with pytest.raises(DimensionMismatchError, match=r"'tau' has unit s, but the value 3\. \* mvolt has unit V"):
        device.run(run_args={"tau": 3 * mV})
    with pytest.raises(DimensionMismatchError, match="neurongroup.v0"):
        device.run(run_args={G.v0: 3 * mV})
    with pytest.raises(KeyError, match="'taux' is not a constant.*sigma, tau"):
        device.run(run_args={"taux": 3 * ms})
    with pytest.raises(TypeError, match="key of run_args"):
        device.run(run_args={3: 1})


def test_second_build_writes_and_compiles_nothing(projects):
    script = f"""
import json
from neurocodegen import *
seed(7)
set_device("cpp_standalone", adapt_threads=False, directory={str(projects / "exact")!r})
tau = 10 * ms
G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="exact")
run(100 * ms)
assert abs(G.v[0] - 0.9999546000702376) < 1e-12
print(json.dumps(device.timings))
"""
    for attempt in range(2):      # the same script twice, each in a new process
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    timings = json.loads(done.stdout.splitlines()[-1])
    assert timings["files_written"] == [] and timings["compiled"] is False


def _two_runs():
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(3, "dv/dt = (2-v)/tau : 1", threshold="v>1", reset="v=0",
                    method="exact")
    M = SpikeMonitor(G)
    S = StateMonitor(G, "v", record=True)
    G.v = [0, 0.5, 0.9]
    run(20 * ms)
    G.v = 0.25
    run(10 * ms)
    return G, M, S


def test_several_runs_with_assignments_between(projects):
    script = _two_runs
    G, M, S = script()
    expected = (M.i, M.t_, S.v_, G.v_.copy())
    start_scope()
    set_device("cpp_standalone", adapt_threads=False, directory=projects / "two-runs", build_on_run=False)
    G, M, S = script()
    with pytest.raises(NotImplementedError, match=r"neurongroup_1\.v is not available yet"):
        G.v[0]
    with pytest.raises(NotImplementedError, match="spikemonitor"):
        M.count
    device.build()
    for a, b in zip((M.i, M.t_, S.v_, G.v_), expected):
        assert np.array_equal(a, b)
    assert S.v.shape == (3, 300)


def test_large_arrays_go_to_files_once_and_python_maps_them(projects, monkeypatch):
    """An array of at least SPOOL_BYTES is written to the project's spool
    folder when its run is recorded, not copied; Python's array then maps
    that file copy-on-write, so an assignment before the next run changes
    neither the file nor the first run. A synapse's indices are no result:
    the program does not write them back."""
    from neurocodegen.standalone import program
    G, M, S = _two_runs()
    expected = (M.i, M.t_, S.v_, G.v_.copy())
    start_scope()
    monkeypatch.setattr(program, "SPOOL_BYTES", 0)      # every array
    folder = projects / "spooled"
    set_device("cpp_standalone", adapt_threads=False, directory=folder, build_on_run=False)
    G, M, S = _two_runs()
    first, second = (folder / "spool" / f"set{n}.{G.name}.v.bin" for n in (0, 2))
    assert np.array_equal(np.fromfile(first), [0, 0.5, 0.9])   # not the 0.25 set after run 1
    assert np.array_equal(np.fromfile(second), [0.25] * 3)
    device.build()
    for a, b in zip((M.i, M.t_, S.v_, G.v_), expected):
        assert np.array_equal(a, b)
    assert f" file spool/{first.name}\n" in (folder / "program.txt").read_text()

    start_scope()
    P = NeuronGroup(4, "v : 1", threshold="True", reset="")
    Q = NeuronGroup(3, "v : 1")
    syn = Synapses(P, Q, "w : 1", on_pre="v_post += w")
    syn.connect(p=0.7)
    syn.w = "i + 0.1*j"
    set_device("cpp_standalone", adapt_threads=False, directory=folder / "syn")
    pre, post = syn.i[:], syn.j[:]
    run(0.3 * ms)
    assert isinstance(syn._arrays["_post"].base, np.memmap)
    assert np.array_equal(syn.j[:], post) and np.array_equal(syn.i[:], pre)
    expected = np.bincount(post, weights=pre + 0.1 * post, minlength=3) * 3
    assert np.allclose(Q.v[:], expected)
    results = {p.name for p in (folder / "syn" / "results").iterdir()}
    assert "synapses.w.bin" in results and "synapses._post.bin" not in results


def test_build_on_run_allows_one_run(projects):
    set_device("cpp_standalone", adapt_threads=False, directory=projects / "exact")
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="exact")  # noqa: F841
    run(100 * ms)
    with pytest.raises(NotImplementedError, match="build_on_run=False"):
        run(100 * ms)


def test_damaged_results_give_clear_errors(projects):
    directory = projects / "spikes"
    set_device("cpp_standalone", adapt_threads=False, directory=directory)
    _spike_times("dv/dt = (1-v)/tau : 1", 10 * ms, False)
    results = directory / "results"
    program = device.program
    with open(results / "spikemonitor.t.bin", "r+b") as f:
        f.truncate(12)
    with pytest.raises(StandaloneError, match=r"spikemonitor\.t\.bin is 12 bytes.*truncated"):
        program.load_results(directory, "results")
    (results / "statemonitor.v.json").write_text('{"dtype": "<f8", "sha')
    with pytest.raises(StandaloneError, match=r"statemonitor\.v\.json is damaged"):
        program.load_results(directory, "results")
    os.remove(results / "status.json")
    with pytest.raises(StandaloneError, match="did not finish"):
        program.load_results(directory, "results")
    device.run()            # a new run writes complete results again
    status = json.loads((results / "status.json").read_text())
    assert status["complete"] and [len(m.t) for m in program.monitors] == [500, 3]


def test_failing_program_reports_its_error(projects):
    set_device("cpp_standalone", adapt_threads=False, directory=projects / "exact")
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="exact")  # noqa: F841
    run(100 * ms)
    (projects / "exact" / "static" / "run0.constants.bin").write_bytes(b"")
    with pytest.raises(StandaloneError, match="exit status 1"):
        device.run(run_args={"tau": 5 * ms})


def test_growing_buffers_and_several_windows_identical_to_runtime(projects):
    """20,000 neurons for 200 ms: two threads meet after each window of 2^25
    neuron-steps, and their spike and state buffers grow within a window."""
    record = range(0, 20000, 7)
    G, spikemon, statemon, variables = _tutorial_model("noisy-if", 20000, record)
    run(200 * ms)
    reference = _results(G, spikemon, statemon, variables)
    start_scope()
    set_device("cpp_standalone", adapt_threads=False, directory=projects / "windows", threads=2)
    G, spikemon, statemon, variables = _tutorial_model("noisy-if", 20000, record)
    run(200 * ms)
    # more spikes than the first buffers of both threads hold (10,000 + 2^16 each)
    assert device.status["threads"] == 2 and len(reference["i"]) > 2 * (10000 + 2**16)
    got = _results(G, spikemon, statemon, variables)
    for key, expected in reference.items():
        assert np.array_equal(got[key], expected), key


def test_a_model_window_makes_threads_meet_more_often_with_the_same_results(projects):
    """program.txt's ``window <steps>`` (the smallest synaptic delay, once
    spikes travel) bounds how far threads run apart: with threads meeting at
    every step, results are the same bits as in one window of 2^25 steps."""
    set_device("cpp_standalone", adapt_threads=False, directory=projects / "window", build_on_run=False)
    G, spikemon, statemon, variables = _tutorial_model("noisy-if", 1000)
    run(50 * ms)
    device.build(threads=2)
    reference = _results(G, spikemon, statemon, variables)
    program = projects / "window" / "program.txt"
    assert "window" not in program.read_text()      # uncoupled neurons: unbounded
    program.write_text(program.read_text() + "window 1\n")
    device.run(threads=2)
    got = _results(G, spikemon, statemon, variables)
    for key, expected in reference.items():
        assert np.array_equal(got[key], expected), key
    program.write_text(program.read_text() + "window 0\n")
    with pytest.raises(StandaloneError, match="window 0"):
        device.run()


def _mixed_model():
    """Two groups and a monitor of each layout: spikes with and without their
    (i, t), states of unsorted and repeated indices (some threads record
    none of them) and of no index at all, at another period."""
    seed(11)
    namespace = {"tau": 10 * ms, "sigma": 0.2}
    G = NeuronGroup(1100, """dv/dt = (v0-v)/tau + sigma*xi*tau**-0.5 : 1 (unless refractory)
                             v0 : 1""", threshold="v>1", reset="v=0", refractory=2 * ms,
                    method="euler", namespace=namespace)
    G.v0 = "i*2.0/(N-1)"
    H = NeuronGroup(300, "dv/dt = (1.5-v)/tau : 1", threshold="v>1", reset="v=0",
                    method="exact", namespace=namespace)
    H.v = "rand()"
    spikes = SpikeMonitor(G, name="spikes")
    h_spikes = SpikeMonitor(H, name="h_spikes")
    counts = SpikeMonitor(H, record=False, name="counts")
    traces = StateMonitor(G, ["v", "v0"], record=[1099, 3, 700, 3, 0], name="traces")
    nothing = StateMonitor(H, "v", record=False, dt=0.5 * ms, name="nothing")
    run(30 * ms)
    return G, H, (spikes, h_spikes, counts, traces, nothing)


def _mixed_results(G, H, monitors):
    spikes, h_spikes, counts, traces, nothing = monitors
    out = {"G.v": G.v_, "H.v": H.v_, "counts": counts.count, "nothing.t": nothing.t_,
           "nothing.v": nothing.v_, "traces.t": traces.t_, "traces.v": traces.v_,
           "traces.v0": traces.v0_}
    for m in (spikes, h_spikes):
        out.update({m.name + ".i": m.i, m.name + ".t": m.t_, m.name + ".count": m.count})
    return {k: np.array(a) for k, a in out.items()}


def test_program_txt_names_roles_and_layouts_not_kinds(projects):
    """program.txt describes arrays by role and monitors by the layout of
    their recordings (events, snapshot): the driver knows no kind of object,
    and every layout gives runtime's bits for 1, 2 and 4 threads."""
    reference = _mixed_results(*_mixed_model())
    assert reference["nothing.v"].shape == (0, 60) and len(reference["h_spikes.i"]) > 100
    start_scope()
    directory = projects / "mixed"
    set_device("cpp_standalone", adapt_threads=False, directory=directory, build_on_run=False)
    objects = _mixed_model()
    device.build(threads=1)
    program = directory / "program.txt"
    text = program.read_text()
    lines = [line.split() for line in text.splitlines()]
    assert {words[0] for words in lines} == {"#", "slots", "seed", "group", "array",
                                             "recording", "unit", "set", "run"}
    recordings = {words[1]: words for words in lines if words[0] == "recording"}
    assert {name: words[2] for name, words in recordings.items()} == {
        "spikes": "events", "h_spikes": "events", "counts": "events",
        "traces": "snapshot", "nothing": "snapshot"}
    assert len(recordings["counts"]) == 5               # no columns: counts only
    assert [w for w in recordings["traces"] if w in ("time", "column")] == \
        ["time", "column", "column"]
    for threads in (1, 2, 4):
        if threads > 1:
            device.run(threads=threads)
        assert device.status["threads"] == threads
        got = _mixed_results(*objects)
        for key, expected in reference.items():
            assert got[key].shape == expected.shape, (threads, key)
            assert np.array_equal(got[key], expected), (threads, key)
    # a line the driver does not know is refused, not skipped
    program.write_text(text.replace(" snapshot ", " snapshots ", 1))
    with pytest.raises(StandaloneError, match="cannot understand this line"):
        device.run()
    program.write_text(text)


def test_a_recording_that_does_not_match_its_arrays_is_refused(projects):
    """A kind of monitor describes its recording (here with a recording()
    method); one that does not name exactly the buffers its generated code
    appends to is refused before a program is written."""
    from neurocodegen.specs import Column, Recording

    class ForgetfulMonitor(SpikeMonitor):
        def recording(self):                # forgets the spike times
            return Recording("events", self.source.N, (Column("i", "i"),))

    set_device("cpp_standalone", adapt_threads=False, directory=projects / "forgetful", build_on_run=False)
    G = NeuronGroup(10, "dv/dt = (2-v)/(10*ms) : 1", threshold="v>1", reset="v=0",
                    method="exact")
    M = ForgetfulMonitor(G)  # noqa: F841
    with pytest.raises(StandaloneError, match="recording of spikemonitor.*does not match"):
        run(1 * ms)


def test_programs_run_with_short_openmp_spins(monkeypatch):
    """Threads that wait at a barrier sleep after ~1000 spins (a 2-thread
    program on a loaded machine otherwise ran 1000x slower), unless the
    user chose GOMP_SPINCOUNT."""
    from neurocodegen.standalone.program import program_environment
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    assert program_environment()["GOMP_SPINCOUNT"] == "1000"
    monkeypatch.setenv("GOMP_SPINCOUNT", "infinite")
    assert program_environment()["GOMP_SPINCOUNT"] == "infinite"


def test_a_thread_without_memory_for_a_buffer_ends_the_program_with_the_message(projects):
    """Threads that meet every step (a delay of 0): when one of them cannot
    grow a recording's buffer, the program stops at once and says why,
    instead of leaving the other thread waiting in a step's meeting."""
    import resource
    directory = projects / "no-memory"
    set_device("cpp_standalone", directory=directory, build_on_run=False, threads=2,
               adapt_threads=False)
    G = NeuronGroup(20000, "dv/dt = (1.1 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    method="exact")
    S = Synapses(G, G, on_pre="v += 0.01")
    S.connect(j="i")
    M = StateMonitor(G, "v", record=True)         # noqa: F841 (160 kB a step: 1.6 GB in 1 s)
    run(1 * second)
    device.build(run=False)
    limit = 320 << 20                              # of address space: 530 MB would run

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run([str(directory / "network"), "--results", "results", "--threads", "2",
                           "--fixed-threads", "1"], cwd=directory, capture_output=True,
                          text=True, timeout=120, preexec_fn=cap)
    assert done.returncode == 1
    assert "not enough memory for the recording statemonitor" in done.stderr


def test_a_new_project_links_the_compiled_driver_from_the_cache(projects, monkeypatch):
    """The driver (main.cpp) is the same for every model: a project whose
    driver was compiled before compiles only its network.cpp, with make or
    without it."""
    from neurocodegen.jit import cache
    from neurocodegen.standalone import program
    spikes, commands = [], []
    for name in ("driver-first", "driver-second"):
        start_scope()
        set_device("cpp_standalone", directory=projects / name, adapt_threads=False)
        G = NeuronGroup(5, f"dv/dt = ({2 if name.endswith('first') else 3} - v)/(10*ms) : 1",
                        threshold="v > 1", reset="v = 0", method="exact")
        M = SpikeMonitor(G)
        run(20 * ms)
        spikes.append(M.count[:].copy())
        if name.endswith("first"):                # the second builds without make
            which, run_command = program.shutil.which, program.subprocess.run
            monkeypatch.setattr(program.shutil, "which",
                                lambda command: None if command == "make" else which(command))
            monkeypatch.setattr(program.subprocess, "run", lambda command, **kwargs: (
                commands.append(command), run_command(command, **kwargs))[1])
    compiled = [c for c in commands if "-o" in c]
    assert len(compiled) == 1 and "network.cpp" in compiled[0] and "main.o" in compiled[0]
    assert "-c" not in compiled[0]                # main.cpp not compiled again
    cached = [path.read_bytes() for path in cache.driver_objects().glob("*.o")]
    assert (projects / "driver-second" / "main.o").read_bytes() in cached
    assert (spikes[0] > 0).all() and (spikes[1] > spikes[0]).all()   # drive 3 fires faster
