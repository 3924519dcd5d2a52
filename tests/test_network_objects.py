"""Network: add, remove, collect, store/restore, and @network_operation."""
import numpy as np
import pytest

from neurocodegen import (Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, collect,
                          defaultclock, ms, network_operation, restore, run, second, seed,
                          set_device, start_scope, store)

tau = 1 * second     # a global name that a test's local `tau` hides
_recorded = None     # a monitor that only this global name refers to, in a test


def _noisy_group():
    G = NeuronGroup(20, "dv/dt = -v/(10*ms) + 0.5*xi/sqrt(ms) : 1", threshold="v > 0.3",
                    reset="v = 0", method="euler")
    return G


def test_network_operations_run_between_steps_at_their_dt():
    G = NeuronGroup(3, "dv/dt = -v/(10*ms) : 1\nx : 1", method="euler")
    M = StateMonitor(G, "v", record=0)
    calls = []

    @network_operation(dt=1 * ms)
    def kick(t):                             # at the start of steps 0, 10, 20, ...
        calls.append(round(float(t / ms), 6))
        G.v[:] = G.v[:] + 1

    @network_operation(dt=2 * ms, when="end")
    def copy():                              # after everything of steps 0, 20, 40
        G.x[:] = G.v[:]

    Network(G, M, kick, copy).run(5 * ms)
    assert calls == [0, 1, 2, 3, 4]
    v = M.v[0]
    assert v[0] == 1 and v[10] == pytest.approx(1 + 0.99 ** 10)   # the monitor sees the kick
    # x holds v after the step starting at 4 ms: the kick at 4 ms and one decay step
    assert G.x[0] == pytest.approx((v[40]) * 0.99)


def test_network_operation_is_refused_in_standalone_mode(tmp_path):
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / "no")
    try:
        G = NeuronGroup(1, "v : 1")

        @network_operation
        def f():
            pass
        with pytest.raises(NotImplementedError, match="run_regularly"):
            Network(G, f).run(1 * ms)
    finally:
        set_device("runtime")
    with pytest.raises(ValueError, match="'start' or the 'end'"):
        network_operation(when="thresholds")(lambda: None)


def test_store_and_restore_go_back_in_time_with_fresh_random_numbers():
    seed(11)
    G = _noisy_group()
    S = Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect(p=0.2)
    S.w = "0.01*i"
    M = SpikeMonitor(G)
    net = Network(G, S, M)
    net.run(5 * ms)
    net.store()
    stored_v, stored_spikes, n_synapses = G.v[:].copy(), M.num_spikes, len(S)
    net.run(20 * ms)
    first = (G.v[:].copy(), M.i[:].copy())
    S.connect(i=0, j=1)                           # more synapses, then back
    net.restore()
    assert net.t == 5 * ms and defaultclock.t == 5 * ms
    assert np.array_equal(G.v[:], stored_v) and M.num_spikes == stored_spikes
    assert len(S) == n_synapses
    net.run(20 * ms)                              # Brian: new random numbers
    assert not np.array_equal(G.v[:], first[0])
    net.restore(restore_random_state=True)        # ... unless asked to repeat
    net.run(20 * ms)
    net.restore(restore_random_state=True)
    net.run(20 * ms)
    again = G.v[:].copy()
    net.restore(restore_random_state=True)
    net.run(20 * ms)
    assert np.array_equal(G.v[:], again)


def test_store_to_a_file_and_the_magic_functions(tmp_path):
    G = _noisy_group()
    run(2 * ms)
    store("two", filename=tmp_path / "state.pkl")
    v = G.v[:].copy()
    run(3 * ms)
    restore("two", filename=tmp_path / "state.pkl")
    assert np.array_equal(G.v[:], v) and defaultclock.t == 2 * ms
    with pytest.raises(KeyError, match="Nothing was stored under 'three'"):
        restore("three")


def test_run_runs_the_objects_named_where_it_is_called():
    global _recorded
    earlier = NeuronGroup(1, "v : 1")                 # of an earlier scope: not run
    start_scope()
    tau = 10 * ms  # noqa: F841                       the model's: hides the module's tau
    G = NeuronGroup(2, "dv/dt = -v/tau : 1", method="exact")
    G.v = 1
    in_a_list_only = [StateMonitor(G, "v", record=0)]  # no name refers to it: not run
    _recorded = StateMonitor(G, "v", record=1)
    try:
        names = {o.name for o in collect()}
        assert G.name in names and _recorded.name in names
        assert in_a_list_only[0].name not in names and earlier.name not in names
        run(1 * ms)
        assert len(_recorded.t) == 10 and len(in_a_list_only[0].t) == 0
        assert G.v[0] == pytest.approx(np.exp(-0.1))
    finally:
        _recorded = None


def test_a_network_run_again_reuses_its_code_until_the_code_changes(monkeypatch):
    from neurocodegen.jit import cache
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", method="exact")
    G.v = 1
    net = Network(G)
    net.run(1 * ms)
    asked, load_memo = [], cache.load_memo
    monkeypatch.setattr(cache, "load_memo", lambda key: asked.append(key) or load_memo(key))
    net.run(1 * ms)
    assert asked == []                                # the same code: not looked up again
    M = StateMonitor(G, "v", record=0)
    net.add(M)
    net.run(1 * ms)
    assert len(asked) == 1 and len(M.t) == 10         # other code: looked up (or made)
    assert G.v[0] == pytest.approx(np.exp(-0.3))


def test_add_remove_and_collect():
    G = _noisy_group()
    H = NeuronGroup(2, "v : 1")
    G.run_regularly("v = 0", dt=1 * ms)
    M = SpikeMonitor(G)
    found = collect()
    assert set(found) == {G, H, M} | set(G.contained_objects)
    net = Network(found)
    net.remove(H, M)
    assert H not in net.objects and M not in net.objects
    assert G.contained_objects[0] in net.objects
    net.run(1 * ms)
    with pytest.raises(ValueError, match="not part of this network"):
        net.remove(M)
