"""Synapses: differential tests against Brian2 2.9's numbers (recorded by
``tests/brian2_reference/synapse_models.py``), the same in runtime mode, on
the numpy target and in standalone mode, and clear errors for bad input."""
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from neurocodegen import (Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor,
                          StateMonitor, Synapses, device, have_same_dimensions, mV, ms, prefs,
                          second, seed, set_device, start_scope)
import neurocodegen
from neurocodegen.errors import DimensionMismatchError, EquationError, UndefinedNameError

sys.path.insert(0, str(Path(__file__).parent / "brian2_reference"))
import synapse_models  # noqa: E402

REFERENCE = Path(__file__).parent / "data" / "brian2_synapses.npz"
# values that pass through exp() (ours and numpy's may differ in the last bits), or
# that the numpy target sums in another order than C++
ROUNDED = {"lif_network.G.v", "stdp_traces.S.w", "stdp_traces.S.Apre", "stdp_traces.S.Apost",
           "stdp_traces.P.v", "stdp_traces.Q.v", "summed_conductances.M.v",
           "summed_conductances.Q.v", "summed_conductances.P.v", "pathways_and_post_delays.P.v",
           "pathways_and_post_delays.Q.v",
           *(f"summed_presynaptic.{k}"
             for k in ("P.v", "Q.v", "S.g", "M.v", "M.Iback", "M.Ix")),
           *(f"subexpressions.{k}" for k in ("Q.v", "M.v", "S.g", "Q.Isyn", "M.Isyn"))}


@pytest.fixture(scope="module")
def brian2():
    with np.load(REFERENCE) as data:
        assert str(data["brian2_version"]).startswith("2.9")
        return {k: data[k] for k in data.files}


def _compare(got, brian2, name):
    for key, values in got.items():
        expected = brian2[key]
        assert values.shape == expected.shape, key
        if key in ROUNDED:                # exp() of two libraries: within rounding
            np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-15, err_msg=key)
        else:
            assert np.array_equal(values, expected), key


@pytest.mark.parametrize("name", list(synapse_models.MODELS))
@pytest.mark.parametrize("target", ["cython", "numpy"])
def test_brian2_numbers_in_runtime_mode(name, target, brian2):
    prefs.codegen.target = target
    try:
        _compare(synapse_models.run_model(neurocodegen, name), brian2, name)
    finally:
        prefs.codegen.target = "cython"


@pytest.mark.parametrize("name", ["delays_and_order", "lif_network", "stdp_traces",
                                  "pathways_and_post_delays",
                                  "summed_conductances", "summed_presynaptic",
                                  "subexpressions"])
def test_brian2_numbers_in_standalone_mode(name, brian2, tmp_path):
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / name, threads=2)
    try:
        _compare(synapse_models.run_model(neurocodegen, name), brian2, name)
    finally:
        set_device("runtime")


STDP = dict(model="""w : 1
                     dApre/dt = -Apre/(20*ms) : 1 (event-driven)
                     dApost/dt = -Apost/(20*ms) : 1 (event-driven)""",
            on_pre="""v_post += w
                      Apre += 0.01
                      w = clip(w + Apost, -0.2, 0.2)""",
            on_post="""Apost -= 0.0105
                       w = clip(w + Apre, -0.2, 0.2)""")


SUMMED = dict(model="""dg/dt = -g/(5*ms) : 1 (clock-driven)
                       w : 1
                       x_post = w*g : 1 (summed)""", on_pre="v_post += w\ng += 1")
# the drive of each neuron: a sum over its outgoing synapses (~30), by the
# thread that owns it
SUMMED_PRE = dict(model="""w : 1
                           I_pre = 0.035 + 0.1*w : 1 (summed)""", on_pre="v_post += w")


PATHWAYS = dict(model="w : 1\nc : 1",
                on_pre={"up": "v_post += w", "down": "v_post -= 0.5*w\nc += 1"},
                on_post="w = clip(w + 0.001*c, -0.2, 0.2)")


def _coupled(delay, on_pre):
    """1500 noisy neurons (6 blocks of 256: every thread has some), random
    excitatory and inhibitory synapses."""
    start_scope()
    seed(1)
    G = NeuronGroup(1500, """dv/dt = (I - v)/(10*ms) + 0.3*xi/sqrt(10*ms) : 1
                             I : 1
                             x : 1""", threshold="v > 1", reset="v = 0", refractory=2 * ms,
                    method="euler")
    G.v = "rand()"
    G.I = "1.0 + 0.1*rand()"
    G.x = "i*0.001"
    models = {"stdp": STDP, "summed": SUMMED, "summed-pre": SUMMED_PRE, "pathways": PATHWAYS}
    S = Synapses(G, G, **(models.get(on_pre) or dict(model="w : 1", on_pre=on_pre)))
    S.connect(condition="i != j", p=0.02)
    S.w = "0.2*(rand() - 0.6)"
    if on_pre == "pathways":         # their own delays; postsynaptic ones per synapse
        S.up.delay = delay
        S.down.delay = "(0.5 + 0.1*(i % 3))*ms"
        S.post.delay = "(i % 4)*0.3*ms"
    else:
        S.delay = delay
    M = SpikeMonitor(G)
    Network(G, S, M).run(60 * ms)
    return G, S, M


def _numbers(G, S, M):
    return [np.array(M.i), np.array(M.t_), np.array(G.v_), np.array(G.x_), np.array(S.w_)]


@pytest.mark.parametrize("delay, on_pre, threads", [
    (0 * ms, "v_post += w", 4),                        # threads meet within each step
    (1.5 * ms, "v_post += w", 4),                      # ... every 15 steps
    ("(0.5 + 0.1*(i % 7))*ms", "v_post += w", 4),      # heterogeneous: every 5 steps
    (1 * ms, "v_post += w*(1 + x_pre)", 4),            # reads the source: every step
    (1 * ms, "v_post += w\nx_pre += 0.001", 1),       # writes the source: one thread
    (1 * ms, "stdp", 4),                               # on_post on the owner's thread
    (1 * ms, "pathways", 4),                           # two on_pre, a delayed on_post
    (1 * ms, "summed", 4),                             # clock-driven g, summed into x
    (1 * ms, "summed-pre", 4),                         # w summed into the source's I
], ids=["delay-0", "delay-1.5ms", "heterogeneous", "reads-pre", "writes-pre", "stdp",
        "pathways", "summed", "summed-pre"])
def test_threads_own_their_targets_and_give_the_same_bits(delay, on_pre, threads, tmp_path):
    """Each thread applies the effects onto the target neurons it owns, in
    Brian's order for each neuron: the same numbers as runtime mode for 1,
    2 and 4 threads."""
    reference = _numbers(*_coupled(delay, on_pre))
    assert len(reference[0]) > 2000
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / "net", build_on_run=False)
    try:
        objects = _coupled(delay, on_pre)
        device.build(threads=1)
        program = (tmp_path / "net" / "program.txt").read_text()
        if delay == 1.5 * ms:         # threads run up to the shortest delay apart
            assert "window 15\n" in program
        for n in (1, 2, 4):
            if n > 1:
                device.run(threads=n)
            assert device.status["threads"] == min(n, threads)
            for got, expected in zip(_numbers(*objects), reference):
                assert np.array_equal(got, expected), n
    finally:
        set_device("runtime")


def test_delays_round_as_brian_and_effects_show_one_step_later():
    """A spike at step n with a delay of d steps acts in the synapses slot of
    step n + d; a StateMonitor (start of a step) sees it at step n + d + 1.
    Delays round to the nearest step, halves up (Brian's int(d/dt + 0.5))."""
    P = NeuronGroup(1, "v : 1", threshold="t > 0.95*ms and t < 1.05*ms")
    Q = NeuronGroup(4, "v : 1")
    S = Synapses(P, Q, on_pre="v += 1")
    S.connect(i=0, j=[0, 1, 2, 3])
    S.delay = [0, 0.04, 0.06, 0.55] * ms
    M = StateMonitor(Q, "v", record=True)
    Network(P, Q, S, M).run(3 * ms)
    first = [M.t[np.argmax(M.v[k] > 0)] / ms for k in range(4)]
    np.testing.assert_allclose(first, [1.1, 1.1, 1.2, 1.7], atol=1e-9)


def test_on_pre_writes_pre_post_and_synaptic_variables():
    P = NeuronGroup(2, "x : 1", threshold="i == 0 or t > 0.45*ms", reset="")
    Q = NeuronGroup(2, "y : 1")
    S = Synapses(P, Q, "w : 1\nhits : 1", on_pre="y_post += w\nx_pre += 1\nhits += 1")
    S.connect()
    S.w = "i + 10*j"
    Network(P, Q, S).run(1 * ms)
    # neuron 0 spikes in all 10 steps, neuron 1 in the last 5
    assert list(P.x[:]) == [20, 10]                   # two synapses each, per spike
    assert list(S.hits[:]) == [10, 10, 5, 5]
    assert list(Q.y[:]) == [10 * 0 + 5 * 1, 10 * 10 + 5 * 11]


def test_connect_with_probability_is_binomial_and_seeded():
    def build():
        start_scope()         # the same script again: the same streams
        seed(3)
        A = NeuronGroup(200, "v : 1", threshold="v > 1", name="A")
        S = Synapses(A, A, "w : 1", name="S")
        S.connect(condition="i != j", p=0.1)
        result = np.array(S.i), np.array(S.j)
        del S, A
        return result

    i1, j1 = build()
    i2, j2 = build()
    assert np.array_equal(i1, i2) and np.array_equal(j1, j2)
    n, p = 200 * 199, 0.1
    assert abs(len(i1) - n * p) < 5 * np.sqrt(n * p * (1 - p))
    assert not np.any(i1 == j1)
    assert np.all(np.diff(i1 * 200 + j1) > 0)        # created in order of i, then j


def test_string_assignments_of_synaptic_variables():
    seed(5)
    A = NeuronGroup(3, "v : volt", threshold="v > 1*volt")
    B = NeuronGroup(2, "u : volt")
    B.u = [1, 2] * mV
    S = Synapses(A, B, "w : volt", on_pre="u += w")
    S.connect()
    S.w = "u_post + j*mV"
    assert np.allclose(S.w[:] / mV, [1, 3, 1, 3, 1, 3])
    S.delay = "i*ms"
    assert np.allclose(S.delay[:] / ms, [0, 0, 1, 1, 2, 2])
    S.w = "rand()*mV"
    assert len(set(S.w_[:])) == 6 and len(S) == 6 and list(S.i) == [0, 0, 1, 1, 2, 2]


BAD = [
    (dict(model="v : 1"), EquationError, "has the name of a variable of the source or target"),
    (dict(model="s = 2*w : 1 (constant over dt)\nw : 1"), NotImplementedError,
     "constant over dt"),
    (dict(model="w : 1\nu = 2*w : 1"), EquationError, "has the name of a variable of the source"),
    (dict(model="x = 1 : 1 (summed)"), EquationError, "must end in '_post'"),
    (dict(model="x_post = 1 : 1 (summed)"), EquationError, "must be a parameter"),
    (dict(on_pre={"p1": "v += 1"}, delay={"p2": 1 * ms}), ValueError, "no such pathway"),
    (dict(on_pre="v += 1", delay={"post": 1 * ms}), ValueError, "no such pathway"),
    (dict(on_pre={"1x": "v += 1"}), TypeError, "identifiers"),
    (dict(model="w : 1", on_pre={"w": "v += 1"}), EquationError, "name of a synaptic"),
    (dict(on_pre="v += 1", on_event={"up": "spike"}), ValueError, "on_event names"),
    (dict(on_pre={"up": "v += 1"}, on_post={"up": "v -= 1"}), ValueError, "two pathways"),
    (dict(model="x_pre = 1 : 1 (summed)"), EquationError, "sets 'x' of 'neurongroup.*must "
                                                          "be a parameter there"),
    (dict(model="w : 1\nu_pre = w : 1 (summed)\nu_post = 2*w : 1 (summed)"), EquationError,
     "which another summed variable of these synapses already sets"),
]


@pytest.mark.parametrize("kwargs, exception, fragment", BAD,
                         ids=[str(k) for k, _, _ in BAD])
def test_refused_models(kwargs, exception, fragment):
    G = NeuronGroup(2, "v : 1\nu : 1", threshold="v > 1")
    with pytest.raises(exception, match=fragment):
        Synapses(G, G, **kwargs)


def test_on_pre_unit_errors_name_the_statement_and_units():
    G = NeuronGroup(2, "v : volt", threshold="v > 1*volt")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w")
    S.connect()
    with pytest.raises(DimensionMismatchError) as info:
        Network(G, S).run(1 * ms)
    message = str(info.value)
    assert "v_post += w" in message and "V" in message and S.name in message
    S2 = Synapses(G, G, "w : volt", on_pre="v_post += w*gain")
    S2.connect()
    with pytest.raises(UndefinedNameError, match="gain"):
        Network(G, S2).run(1 * ms)


def test_connect_errors_name_the_index_and_the_range():
    A = NeuronGroup(3, "v : 1", threshold="v > 1", name="A3")
    B = NeuronGroup(2, "v : 1", name="B2")
    S = Synapses(A, B)
    with pytest.raises(IndexError, match=r"index 2 is out of range for 'B2' \(2 neurons"):
        S.connect(i=[0, 1], j=[1, 2])
    S.connect(i=[0, 1], j=[1, 2], skip_if_invalid=True)
    assert list(S.i) == [0] and list(S.j) == [1]
    with pytest.raises(ValueError, match="probability"):
        S.connect(p=1.5)
    with pytest.raises(EquationError, match="boolean"):
        S.connect(condition="i + j")
    with pytest.raises(DimensionMismatchError):
        S.connect(condition="i > 3*mV")


def test_lowering_places_on_pre_in_the_synapses_slot():
    from neurocodegen.lowering import lower_network
    G = NeuronGroup(5, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    method="exact", name="Gs")
    S = Synapses(G, G, "w : 1", on_pre="v_post += w", name="Ss")
    S.connect(condition="i != j")
    objects = [G, S]
    for o in objects:
        o.before_run({})
    program = lower_network([o.spec(1) for o in objects])
    assert [k.op for k in program.kernels] == ["state_update", "threshold", "synapses_pre",
                                               "reset"]
    kernel = program.kernels[2]
    bound = {v.name: (v.array.owner, v.array.name, v.index.name if v.index else None)
             for v in kernel.variables}
    assert bound == {"v_post": ("Gs", "v", "_post"), "w": ("Ss", "w", None)}
    assert program.barriers == (2,)            # it reads the spikes of every thread


def test_pathways_that_deliver_this_steps_spikes_share_one_meeting():
    """CUBA's excitatory and inhibitory pathways: each keeps its spikes in
    its history, then the threads meet once a step, then each delivers; a
    pathway that reads presynaptic variables meets alone, before and after."""
    from neurocodegen.backends.cpu.kernels import generate
    from neurocodegen.lowering import lower_network
    from neurocodegen.lowering.schedule import meetings
    G = NeuronGroup(5, "dv/dt = -v/(10*ms) : 1\nge : 1\ngi : 1", threshold="v > 1",
                    reset="v = 0", method="exact", name="Gm")
    Se = Synapses(G, G, on_pre="ge_post += 1", name="Sme")
    Si = Synapses(G, G, on_pre="gi_post += 1", name="Smi")
    Sp = Synapses(G, G, on_pre="v_post += v_pre", name="Smp")
    for S in (Se, Si, Sp):
        S.connect(condition="i != j")
    objects = [G, Se, Si, Sp]
    for o in objects:
        o.before_run({})
    program = lower_network([o.spec(1) for o in objects])
    assert [k.op for k in program.kernels] == ["state_update", "threshold", "synapses_pre",
                                               "synapses_pre", "synapses_pre", "reset"]
    assert meetings(program.kernels, program.barriers) == ((2, 3), (4,))
    _, source = generate(program)
    assert source.count("ncg_meet(_ncg_threads);") == 3
    history = source.index("pre pathway of Smi: this thread's spikes into its history")
    assert history < source.index("threads meet: every thread's spikes reach pre pathway of "
                                  "Sme, pre pathway of Smi") < source.index(
        "        // pre pathway of Sme\n")


def test_indexing_synaptic_variables_as_brian():
    A = NeuronGroup(3, "v : volt", threshold="v > 1*volt")
    B = NeuronGroup(4, "u : volt")
    S = Synapses(A, B, "w : volt", on_pre="u += w")
    S.connect()
    S.w = "(i + 10*j)*mV"
    assert np.allclose(S.w[2, 3] / mV, [32])
    assert np.allclose(S.w[0, :] / mV, [0, 10, 20, 30])
    assert np.allclose(S.w["i > j"] / mV, [1, 2, 12])
    assert np.allclose(S.w_[1:3], [0.01, 0.02])
    S.w[1, :] = 5 * mV
    S.w["j == 0"] = "-i*mV"
    assert np.allclose(S.w[:] / mV, [0, 10, 20, 30, -1, 5, 5, 5, -2, 12, 22, 32])
    assert len(S.w) == 12 and np.isclose(np.mean(S.w) / mV, 11.5)
    with pytest.raises(DimensionMismatchError, match="unit V"):
        S.w[0, 0] = 3
    with pytest.raises(EquationError, match="must be a condition"):
        S.w["i + j"]


def test_generator_syntax_errors_name_the_generator():
    A = NeuronGroup(6, "x : 1", threshold="x > 1", name="Gen6")
    B = NeuronGroup(5, "y : 1", name="Gen5")
    S = Synapses(A, B)
    with pytest.raises(IndexError, match=r"connect\(j='i'\).*target 5 for i = 5.*'Gen5'"):
        S.connect(j="i")
    with pytest.raises(EquationError, match="range"):
        S.connect(j="k for k in [1, 2]")
    with pytest.raises(TypeError, match="inside the generator"):
        S.connect(j="k for k in range(3)", p=0.5)
    with pytest.raises(DimensionMismatchError, match="dimensionless"):
        S.connect(p="1*mV")


def test_probability_as_an_expression_is_drawn_per_pair():
    seed(9)
    A = NeuronGroup(300, "x : 1", threshold="x > 1")
    A.x = "i/300.0"
    S = Synapses(A, A)
    S.connect(p="x_pre")                 # neuron i connects with probability i/300
    n = 300 * np.arange(300) / 300.0
    counts = np.bincount(S.i, minlength=300)
    assert abs(counts.sum() - n.sum()) < 5 * np.sqrt((n * (1 - n / 300)).sum())
    assert counts[:30].sum() < counts[-30:].sum()
    T = Synapses(A, A)
    T.connect(j="k for k in range(N_post) if rand() < 0.1")
    assert abs(len(T) - 9000) < 5 * np.sqrt(9000 * 0.9)


def test_event_driven_equations_are_checked():
    G = NeuronGroup(2, "v : 1", threshold="v > 1")
    S = Synapses(G, G, "dA/dt = -A**2/(10*ms) : 1 (event-driven)", on_pre="A += 1")
    S.connect()
    with pytest.raises(neurocodegen.IntegrationError, match="event-driven equations of "
                                                           "Synapses"):
        Network(G, S).run(1 * ms)
    T = Synapses(G, G, "dA/dt = (v_post - A)/(10*ms) : 1 (event-driven)", on_pre="A += 1")
    T.connect()
    with pytest.raises(EquationError, match="variable of a neuron"):
        Network(G, T).run(1 * ms)
    with pytest.raises(EquationError, match="belongs to Synapses models"):
        NeuronGroup(2, "dv/dt = -v/(10*ms) : 1 (event-driven)")


def test_stdp_traces_decay_exactly_between_events():
    """A trace set by one presynaptic spike and read by a postsynaptic spike
    later has decayed by exp(-dt_between/tau) exactly; the weight follows."""
    P = NeuronGroup(1, "v : 1", threshold="t > 0.95*ms and t < 1.05*ms")
    Q = NeuronGroup(1, "v : 1", threshold="t > 5.95*ms and t < 6.05*ms")
    S = Synapses(P, Q, """w : 1
                          dApre/dt = -Apre/(20*ms) : 1 (event-driven)""",
                 on_pre="Apre += 0.5", on_post="w += Apre")
    S.connect()
    Network(P, Q, S).run(10 * ms)
    assert np.isclose(S.w[:][0], 0.5 * np.exp(-5 / 20), rtol=1e-12)
    assert np.isclose(S.lastupdate[:][0] / ms, 6.0)


def test_run_args_change_synaptic_weights_without_compiling(tmp_path):
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / "ra", build_on_run=False)
    try:
        P = NeuronGroup(2, "v : 1", threshold="t > 0.45*ms and t < 0.55*ms")
        Q = NeuronGroup(2, "v : 1")
        S = Synapses(P, Q, "w : 1", on_pre="v_post += w")
        S.connect(j="i")
        S.w = [1.0, 2.0]
        Network(P, Q, S).run(1 * ms)
        device.build()
        assert list(Q.v[:]) == [1.0, 2.0]
        device.run(run_args={S.w: np.array([10.0, 20.0])})
        assert list(Q.v[:]) == [10.0, 20.0]
    finally:
        set_device("runtime")


def _arrivals(delays, one_delay=None):
    """Q.v over 2 ms of a network whose source neurons spike at steps 3 and
    5, through synapses with ``delays`` (or ``one_delay`` for all); 600
    neurons, so that two threads own parts of each group."""
    P = NeuronGroup(600, "v : 1", threshold="(t > 0.25*ms and t < 0.35*ms) or "
                                             "(i == 1 and t > 0.45*ms and t < 0.55*ms)")
    Q = NeuronGroup(600, "v : 1")
    S = Synapses(P, Q, "w : 1", on_pre="v_post = 2*v_post + w")   # order matters
    S.connect(i=[0, 1, 1, 2, 599], j=[0, 0, 599, 599, 0])
    S.w = "1 + i + 10*j"
    S.delay = one_delay if one_delay is not None else delays
    M = StateMonitor(Q, "v", record=[0, 599])
    Network(P, Q, S, M).run(2 * ms)
    return S, M


def test_run_args_change_delays_without_compiling(tmp_path):
    """run_args give a built program other delays, one or one per synapse,
    longer than its ring of past events held, or 0; the program then gives
    what the runtime mode gives with those delays, on 1 and 2 threads."""
    per_synapse = np.array([0.1, 0.2, 0.3, 0.4, 0.2]) * ms
    other = np.array([0.9, 0.0, 0.5, 1.2, 0.5]) * ms
    expected = {}
    for name, delays in (("built", per_synapse), ("other", other), ("one", 0.7 * ms),
                         ("zero", 0 * ms)):
        start_scope()
        expected[name] = np.array(_arrivals(delays)[1].v)
    start_scope()
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / "delays", build_on_run=False)
    try:
        S, M = _arrivals(per_synapse)
        device.build(threads=2)
        assert np.array_equal(M.v, expected["built"])
        for threads in (1, 2):
            device.run(run_args={S.delay: other}, threads=threads)
            assert np.array_equal(M.v, expected["other"]), threads
        device.probe_steps = 1               # threads chosen step by step, the ring re-laid
        device.run(run_args={S.delay: other}, threads=2, adapt_threads=True)
        assert device.status["thread_changes"] > 2
        assert np.array_equal(M.v, expected["other"])
        device.probe_steps = None
        for name in ("one", "zero"):
            device.run(run_args={S.pre.delay: {"one": 0.7, "zero": 0.0}[name] * ms}, threads=2)
            assert np.array_equal(M.v, expected[name]), name
        device.run(threads=2)                               # as built again
        assert np.array_equal(M.v, expected["built"])
        with pytest.raises(DimensionMismatchError, match=r"delay.*unit s"):
            device.run(run_args={S.delay: 0.5})
        with pytest.raises(ValueError, match="one delay or 5"):
            device.run(run_args={S.delay: np.ones(3) * ms})
    finally:
        set_device("runtime")

    start_scope()
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / "one", build_on_run=False)
    try:
        S, M = _arrivals(None, one_delay=0.2 * ms)     # one delay: no per-synapse arrays
        device.build(threads=2)
        device.run(run_args={S.delay: 0.7 * ms}, threads=2)
        assert np.array_equal(M.v, expected["one"])
        with pytest.raises(ValueError, match="built with one delay for all synapses"):
            device.run(run_args={S.delay: other})
    finally:
        set_device("runtime")


def _noisy_synapses():
    start_scope()
    seed(8)
    G = NeuronGroup(100, "v : 1")
    S = Synapses(G, G, "dx/dt = -x/(5*ms) + 0.3*sqrt(2/(5*ms))*xi : 1 (clock-driven)",
                 method="euler")
    S.connect(p=0.5)
    Network(G, S).run(100 * ms)
    return np.array(S.x[:])


def test_noise_in_clock_driven_synaptic_equations(tmp_path):
    """An Ornstein-Uhlenbeck variable per synapse (sd 0.3): after 20 time
    constants, the mean over ~5000 synapses is within 5 standard errors of
    0 and the sd within 5 % of 0.3; each synapse draws at (synapse, step),
    so standalone mode with 1 and 2 threads gives the same bits."""
    x = _noisy_synapses()
    assert abs(x.mean()) < 5 * 0.3 / np.sqrt(x.size)
    assert abs(x.std() / 0.3 - 1) < 0.05
    for threads in (1, 2):
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / f"sn{threads}", threads=threads)
        try:
            assert np.array_equal(_noisy_synapses(), x)
        finally:
            set_device("runtime")


def _stored(how, target="cython"):
    """A recurrent network whose synapses are stored compactly (one connect
    call by source, one delay) or not (shuffled creation, per-synapse delays)."""
    start_scope()
    prefs.codegen.target = target
    try:
        G = NeuronGroup(40, "dv/dt = (I - v)/(10*ms) : 1\nI : 1", threshold="v > 1",
                        reset="v = 0", method="exact")
        G.I = "1.1 + 0.2*i/N"
        S = Synapses(G, G[5:35], "w : 1", on_pre="v_post += w", delay=1 * ms)
        rng = np.random.default_rng(3)
        pre, post = np.nonzero(rng.random((40, 30)) < 0.3)
        if how == "shuffled":
            perm = rng.permutation(len(pre))
            pre, post = pre[perm], post[perm]
        S.connect(i=pre, j=post)
        S.w = "0.002*j - 0.001*i"
        if how == "per-synapse delays":
            S.delay = "1*ms + 0*ms*i"
        M = SpikeMonitor(G)
        Network(G, S, M).run(60 * ms)
        return (np.array(M.i), np.array(M.t_), np.array(G.v_)), S
    finally:
        prefs.codegen.target = "cython"


@pytest.mark.parametrize("target", ["cython", "numpy"])
def test_compact_storage_gives_the_same_numbers(target):
    """Synapses created by source with one delay store their targets and
    variables only (4 bytes per synapse, 12 with a float64 weight); created
    in another order or with per-synapse delays they also keep an order and
    delays, and every way gives the same numbers."""
    compact, S = _stored("compact", target)
    assert S.memory_per_synapse == 12 and len(compact[0]) > 100
    for how in ("shuffled", "per-synapse delays"):
        numbers, S = _stored(how, target)
        assert S.memory_per_synapse > 12, how
        for got, expected in zip(numbers, compact):
            assert np.array_equal(got, expected), how


def test_one_delay_for_all_until_one_synapse_gets_its_own():
    G = NeuronGroup(3, "v : 1", threshold="v > 1")
    S = Synapses(G, G, on_pre="v += 1", delay=2 * ms)
    S.connect()
    assert S.memory_per_synapse == 4 and np.allclose(S.delay / ms, 2)
    S.delay[1] = 3 * ms                       # this synapse's own delay: per-synapse delays
    assert S.memory_per_synapse == 12 and list(S.delay[:3] / ms) == [2, 3, 2]
    S.delay = 1 * ms                          # one delay for all again
    assert S.memory_per_synapse == 4 and np.allclose(S.delay_, 1e-3)
    with pytest.raises(DimensionMismatchError):
        S.delay = 1 * mV


@pytest.mark.parametrize("target", ["cython", "numpy"])
def test_postsynaptic_delays_round_as_brian_and_arrive_in_order(target):
    """A postsynaptic spike at step n acts through a synapse with a delay of d
    steps in step n + d (a StateMonitor sees it one step later); two
    presynaptic pathways of one step act in the order of their names."""
    prefs.codegen.target = target
    try:
        Q = NeuronGroup(1, "v : 1", threshold="t > 0.95*ms and t < 1.05*ms")
        P = NeuronGroup(3, "x : 1\ny : 1", threshold="t > 0.95*ms and t < 1.05*ms")
        S = Synapses(P, Q, on_post="x_pre += 1",
                     on_pre={"b": "y_pre = y_pre + 1", "a": "y_pre = 2*y_pre"})
        S.connect(i=[0, 1, 2], j=0)
        S.post.delay = [0, 0.24, 0.26] * ms
        M = StateMonitor(P, ["x", "y"], record=True)
        Network(P, Q, S, M).run(2 * ms)
        first = [M.t[np.argmax(M.x[k] > 0)] / ms for k in range(3)]
        np.testing.assert_allclose(first, [1.1, 1.3, 1.4], atol=1e-9)
        assert list(P.y[:]) == [1, 1, 1]          # 'a' (y = 2*0) before 'b' (y = 0 + 1)
        assert np.allclose(S.post.delay / ms, [0, 0.24, 0.26]) and np.allclose(S.b.delay, 0)
    finally:
        prefs.codegen.target = "cython"


def _summed_pre():
    """Three source neurons with known outgoing synapses: ``x_pre`` sums
    ``w*y_pre`` over each neuron's synapses; ``z_pre`` sums onto the
    subgroup P[1:] only (neuron 0 keeps its value); P integrates ``x``,
    set before its state update in every step (Brian's order)."""
    start_scope()
    P = NeuronGroup(3, """dv/dt = x/ms : 1
                          x : 1
                          y : 1
                          z : 1""", method="euler", name="P")
    P.y = [1, 2, 3]
    P.z = -1
    Q = NeuronGroup(4, "u : 1", name="Q")
    S = Synapses(P, Q, "w : 1\nx_pre = w*y_pre : 1 (summed)", name="S")
    S.connect(i=[2, 0, 1, 0, 2, 2], j=[0, 1, 1, 3, 3, 2])
    S.w = [0.1, 0.2, 0.3, 0.4, 0.5, 0.7]
    T = Synapses(P[1:], Q, "c : 1\nz_pre = c*y_pre : 1 (summed)", name="T")
    T.connect(i=[1, 0, 1], j=[0, 2, 3])             # P[1:]'s 1 is P's 2
    T.c = [0.25, 0.5, 0.125]
    Network(P, Q, S, T).run(1 * ms)
    return np.array(P.x_), np.array(P.z_), np.array(P.v_)


def test_summed_variables_of_the_source_by_hand(tmp_path):
    """Each source neuron's sum over its outgoing synapses, added in creation
    order from 0 (as Brian's template loops over the synapses in index
    order): bit-identical in runtime mode, on the numpy target and in
    standalone mode with 1 and 2 threads."""
    w, y = [0.1, 0.2, 0.3, 0.4, 0.5, 0.7], [1.0, 2.0, 3.0]
    x = [0.0 + w[1] * y[0] + w[3] * y[0],            # neuron 0: synapses 1, 3
         0.0 + w[2] * y[1],                          # neuron 1: synapse 2
         0.0 + w[0] * y[2] + w[4] * y[2] + w[5] * y[2]]   # neuron 2: synapses 0, 4, 5
    z = [-1.0, 0.0 + 0.5 * y[1], 0.0 + 0.25 * y[2] + 0.125 * y[2]]
    v = [10 * 0.1 * xi for xi in x]                  # 10 Euler steps of dv/dt = x/ms
    got = _summed_pre()
    assert got[0].tolist() == x and got[1].tolist() == z
    np.testing.assert_allclose(got[2], v, rtol=1e-14)
    prefs.codegen.target = "numpy"
    try:
        for a, b in zip(_summed_pre(), got):
            assert np.array_equal(a, b)
    finally:
        prefs.codegen.target = "cython"
    for threads in (1, 2):
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / f"sp{threads}", threads=threads)
        try:
            for a, b in zip(_summed_pre(), got):
                assert np.array_equal(a, b), threads
        finally:
            set_device("runtime")


def test_summed_variables_of_the_source_lowering_and_threads():
    """A sum of the source runs by source neuron, in the groups slot at the
    source's order - 1, on the thread that owns the neuron; reading what the
    target's threads own (a postsynaptic variable, or a clock-driven synaptic
    one) makes the program run on one thread. Its order arrays exist only
    when a model sums into the source."""
    from neurocodegen import ir
    from neurocodegen.lowering import lower_network
    P = NeuronGroup(5, "dv/dt = -v/(10*ms) : 1\nx : 1", method="exact", name="Ps", order=2)
    Q = NeuronGroup(4, "u : 1", name="Qs")
    cases = {"w*v_pre": False, "w*u_post": True, "w*g": True}
    for expr, serial in cases.items():
        S = Synapses(P, Q, f"w : 1\ndg/dt = -g/ms : 1 (clock-driven)\nx_pre = {expr} : 1 "
                     f"(summed)")
        S.connect()
        for o in (P, Q, S):
            o.before_run({})
        program = lower_network([o.spec(1) for o in (P, Q, S)])
        (kernel,) = [k for k in program.kernels if k.op == "summed"]
        assert isinstance(kernel.space, ir.SynapsesByNeuron)
        assert (kernel.space.side, kernel.space.group, kernel.space.size) == ("pre", "Ps", 5)
        assert kernel.space.order.name == "_order_pre" and kernel.target.owner == "Ps"
        assert ir.needs_one_thread(kernel) is serial, expr
    ops = [k.op for k in program.kernels]
    # the synapses' own update (order 0), the sum (order 2 - 1), P's update (order 2)
    assert ops.index("synapses_update") < ops.index("summed") < ops.index("state_update")
    U = Synapses(P, Q, "w : 1\nu_post = w : 1 (summed)")
    assert "_order_pre" not in U._arrays and "_order_post" in U._arrays


def test_two_synapses_summing_into_the_same_variable_are_refused():
    """As in Brian: two Synapses setting one variable of overlapping neurons
    (the last would win); disjoint subgroups are fine."""
    P = NeuronGroup(4, "x : 1", name="Pd")
    S1 = Synapses(P, P, "x_pre = 1 : 1 (summed)", name="S1")
    S2 = Synapses(P[2:], P, "x_pre = 2 : 1 (summed)", name="S2")
    S3 = Synapses(P, P[:2], "x_post = 3 : 1 (summed)", name="S3")
    for s in (S1, S2, S3):
        s.connect()
    with pytest.raises(NotImplementedError, match="'S1' and 'S2' both set 'x' of 'Pd'"):
        Network(P, S1, S2).run(0.1 * ms)
    with pytest.raises(NotImplementedError, match="'S1' and 'S3'"):
        Network(P, S1, S3).run(0.1 * ms)
    Network(P, S2, S3).run(0.1 * ms)
    assert P.x[:].tolist() == [3 * 4, 3 * 4, 2 * 4, 2 * 4]


def test_summed_variable_of_the_source_unit_error_names_both():
    P = NeuronGroup(2, "x : 1", name="Pu")
    S = Synapses(P, P, "w : volt\nx_pre = w : volt (summed)", name="Su")
    S.connect()
    with pytest.raises(DimensionMismatchError, match=r"'x_pre = w : volt \(summed\)' sets 'x' "
                                                     r"of 'Pu', which has unit 1, not V"):
        Network(P, S).run(0.1 * ms)


def test_a_state_monitor_of_synapses_records_on_the_owners_threads(tmp_path):
    """Each thread records the synapses of its target neurons (1500 neurons:
    every thread has some): the program runs on every thread, with the
    numbers of runtime mode."""
    def network():
        start_scope()
        seed(4)
        G = NeuronGroup(1500, "dv/dt = (1.1 - v)/(10*ms) + 0.3*xi/sqrt(10*ms) : 1",
                        threshold="v > 1", reset="v = 0", method="euler")
        S = Synapses(G, G, **STDP)
        S.connect(condition="i != j", p=0.02)
        S.w = "0.1*rand()"
        S.delay = 1 * ms
        M = StateMonitor(S, ["w", "Apre"], record=np.arange(0, len(S), 397))
        Network(G, S, M).run(30 * ms)
        return M
    reference = network()
    expected = [np.array(reference.w), np.array(reference.Apre), np.array(reference.t_)]
    assert expected[0].shape == (len(reference.record), 300) and expected[1].any()
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / "net", build_on_run=False)
    try:
        M = network()
        device.build(threads=1)
        for n in (1, 2, 4):
            if n > 1:
                device.run(threads=n)
            assert device.status["threads"] == n
            assert device.status["steps_by_threads"] == {str(n): 300}   # adapt_threads=False
            for got, want in zip([np.array(M.w), np.array(M.Apre), np.array(M.t_)], expected):
                assert np.array_equal(got, want), n
    finally:
        set_device("runtime")


def test_threads_chosen_during_a_run_give_the_numbers_of_one(tmp_path):
    """The program may change its number of threads between windows (it
    times them and keeps the fastest): every spike space and history of past
    spikes is laid out again, and the recordings split anew. With a probe of
    1 or 2 steps it changes them all the time; the numbers are those of the
    runtime mode all the same (noise, delays of 0 and 1 ms, STDP, Poisson
    input, monitors of neurons, synapses and rates)."""
    from neurocodegen import Hz, PoissonGroup, PopulationRateMonitor

    def network():
        start_scope()
        seed(5)
        G = NeuronGroup(1500, "dv/dt = (1.1 - v)/(10*ms) + 0.3*xi/sqrt(10*ms) : 1",
                        threshold="v > 1", reset="v = 0", refractory=1 * ms, method="euler")
        S = Synapses(G, G, **STDP)
        S.connect(condition="i != j", p=0.02)
        S.w = "0.1*rand()"
        S.delay = "(1 + (i % 3))*ms"
        now = Synapses(G[:700], G[300:], on_pre="v_post += 0.02")      # delay 0: meet each step
        now.connect(p=0.01)
        P = PoissonGroup(300, rates=80 * Hz)
        inp = Synapses(P, G, on_pre="v_post += 0.05", delay=0.5 * ms)
        inp.connect(p=0.05)
        monitors = [SpikeMonitor(G), StateMonitor(G, "v", record=[0, 749, 1499]),
                    StateMonitor(S, "w", record=np.arange(0, len(S), 301)),
                    PopulationRateMonitor(G[200:900])]
        Network(G, S, now, P, inp, *monitors).run(40 * ms)
        return G, S, monitors

    def numbers(G, S, monitors):
        spikes, v, w, rate = monitors
        return [np.array(spikes.i), np.array(spikes.t_), np.array(v.v), np.array(w.w),
                np.array(rate.rate_), np.array(G.v), np.array(S.w)]

    expected = numbers(*network())
    assert len(expected[0]) > 500
    set_device("cpp_standalone", directory=tmp_path / "net", build_on_run=False)
    try:
        objects = network()
        device.build(threads=1)
        for threads, probe in ((2, 1), (4, 2)):
            device.probe_steps = probe
            device.run(threads=threads)
            used = device.status["steps_by_threads"]
            assert set(used) == {str(t) for t in (threads, 2, 1)}, used
            assert device.status["thread_changes"] >= 10
            for got, want in zip(numbers(*objects), expected):
                assert np.array_equal(got, want), threads
    finally:
        set_device("runtime")


@pytest.mark.parametrize("target", ["cython", "numpy"])
def test_summed_variables_and_synaptic_equations_may_use_i_and_j(target):
    prefs.codegen.target = target
    try:
        P = NeuronGroup(3, "x : 1")
        Q = NeuronGroup(2, "y : 1")
        S = Synapses(P, Q, """w : 1
                              dg/dt = -g/(10*ms*(1 + j)) : 1 (clock-driven)
                              y_post = w*(i + 1) : 1 (summed)
                              x_pre = j + 0.5 : 1 (summed)""", method="exact")
        S.connect()
        S.w = "1 + 10*j"
        S.g = 1
        Network(P, Q, S).run(1 * ms)
        assert list(Q.y[:]) == [6, 66] and list(P.x[:]) == [2, 2, 2]
        np.testing.assert_allclose(S.g[:], np.exp(-1 / (10 * (1 + S.j[:]))), rtol=1e-12)
    finally:
        prefs.codegen.target = "cython"


def test_generator_samples_as_brian():
    """``sample(N_post, size=K)``: K distinct targets for every source neuron,
    in ascending order, every target equally likely; ``sample(..., p=P)``:
    each kept with probability P; seeded, so the same synapses every time."""
    def made(generator):
        start_scope()
        seed(5)
        P = NeuronGroup(400, "x : 1")
        Q = NeuronGroup(300, "y : 1")
        S = Synapses(P, Q)
        S.connect(j=generator)
        return np.array(S.i), np.array(S.j)
    i, j = made("k for k in sample(N_post, size=20)")
    assert (np.bincount(i, minlength=400) == 20).all()
    for n in (0, 17, 399):
        targets = j[i == n]
        assert (np.diff(targets) > 0).all() and targets.min() >= 0 and targets.max() < 300
    hits = np.bincount(j, minlength=300)            # 8000 draws over 300 targets
    expected = 400 * 20 / 300
    assert ((hits - expected) ** 2 / expected).sum() < 300 + 5 * np.sqrt(600)
    assert all(np.array_equal(a, b) for a, b in
               zip(made("k for k in sample(N_post, size=20)"), (i, j)))
    i, j = made("k for k in sample(N_post, p=0.1)")
    assert abs(len(i) - 12000) < 5 * np.sqrt(12000 * 0.9)
    i, j = made("k for k in sample(i % 250, i % 250 + 50, size=5 + i % 2) if k != i % 250")
    assert set(np.unique(j - i % 250)) <= set(range(1, 50))
    counts = np.bincount(i, minlength=400)
    assert (counts <= 5 + np.arange(400) % 2).all() and counts.sum() > 0.85 * 2200


@pytest.mark.parametrize("generator, fragment", [
    ("k for k in sample(N_post, size=400)", "from 0 to the 300 values"),
    ("k for k in sample(N_post, size=j)", "may depend on i"),
    ("k for k in sample(N_post, q=0.1)", r"sample\(\.\.\., p=\.\.\.\)"),
])
def test_generator_sample_errors(generator, fragment):
    P = NeuronGroup(4, "x : 1")
    Q = NeuronGroup(300, "y : 1")
    S = Synapses(P, Q)
    with pytest.raises((ValueError, EquationError), match=fragment):
        S.connect(j=generator, skip_if_invalid=True)
    assert len(S) == 0


@pytest.mark.parametrize("condition, p", [("i != j", 0.3), ("i > 3", "0.2 + 0.001*j"),
                                          (None, 0.05)])
def test_connect_makes_synapses_in_order_and_stores_them_compactly(condition, p):
    """Every way connect() creates pairs gives them sorted by (i, j): stored
    by source with no order array (4 bytes a synapse, the targets)."""
    G = NeuronGroup(300, "v : 1", threshold="v > 1")
    S = Synapses(G, G, on_pre="v += 1", delay=1 * ms)
    S.connect(condition, p=p)
    S.connect(i=[299], j=[299])                     # not before the last pair: in order
    key = S.i.astype(np.int64) * 300 + S.j
    assert len(S) > 1000 and (np.diff(key) >= 0).all()
    Network(G, S).run(0.1 * ms)
    assert S.memory_per_synapse == 4
    S.connect(i=[0], j=[0])                         # before it: an order is needed
    Network(G, S).run(0.1 * ms)
    assert S.memory_per_synapse > 8             # the sources kept, an order and targets


@pytest.mark.parametrize("on_pre, kept", [("v_post += w", False),
                                           ("v_post += w*(1 + 0.01*i)", True),
                                           ("v_post += w*x_pre", True)])
def test_each_synapse_source_is_kept_only_where_the_code_reads_it(on_pre, kept):
    """Stored by source, the synapses say their sources by the count of each
    source neuron's synapses; the array of each synapse's source (4 bytes a
    synapse) is kept only when the code reads i or a presynaptic variable.
    Either way S.i, indexing by (i, j) and by condition, x_pre and the
    numbers of a run are those of synapses that keep it (created out of
    order)."""
    pairs = [(0, 3), (0, 7), (2, 1), (2, 5), (2, 9), (5, 0), (9, 9)]
    results = []
    for order in (pairs, pairs[::-1]):
        start_scope()
        G = NeuronGroup(10, "v : 1\nx : 1", threshold="v > 1", reset="v = 0")
        G.x = "i*0.1"
        G.v = "1.5*(i == 0) + 1.5*(i == 2) + 1.5*(i == 9)"
        S = Synapses(G, G, "w : 1", on_pre=on_pre)
        S.connect(i=[p for p, _ in order], j=[q for _, q in order])
        S.w = "1 + 0.1*j"
        in_order = order is pairs
        assert S.memory_per_synapse == (12 if in_order else 16)
        by_pair = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(S.i, S.j))}
        assert sorted(by_pair) == pairs
        assert sorted(S.w[2, :]) == [1.1, 1.5, 1.9] and list(S.w[2, 5]) == [1.5]
        assert sorted(S.w["i > j"]) == [1.0, 1.1]
        assert sorted(zip(S.i, S.x_pre)) == [(p, p * 0.1) for p, _ in pairs]
        Network(G, S).run(0.3 * ms)
        if in_order:
            assert S.memory_per_synapse == (16 if kept else 12)
        results.append((np.array(G.v), sorted(zip(S.i, S.j, S.w))))
    assert np.array_equal(results[0][0], results[1][0]) and results[0][1] == results[1][1]
    assert (results[0][0] != 0).any()


def test_store_and_restore_give_back_the_synapses_and_their_sources():
    G = NeuronGroup(20, "v : 1", threshold="v > 1")
    S = Synapses(G, G, on_pre="v += 1")
    S.connect(condition="i != j", p=0.3)
    net = Network(G, S)
    net.store()
    before = (S.i, S.j)
    S.connect(i=[0], j=[0])                         # out of order: the sources are kept
    assert S.memory_per_synapse == 8 and len(S) == len(before[0]) + 1
    net.restore()
    assert S.memory_per_synapse == 4
    assert np.array_equal(S.i, before[0]) and np.array_equal(S.j, before[1])
    S.connect(i=[19], j=[19])                       # after the last: counted
    assert S.memory_per_synapse == 4 and list(S.i[-1:]) == [19]


def test_n_incoming_and_n_outgoing_count_each_synapse_neurons_synapses():
    """As Brian's (its test_synapses' values): read only, per synapse and per
    neuron, in indexing, conditions and assignments."""
    G = NeuronGroup(5, "v : 1")
    S = Synapses(G, G, "w : 1")
    S.connect(i=[0, 0, 0, 1, 1, 2], j=[2, 1, 2, 3, 2, 1])
    assert list(S.N_outgoing[0, :]) == [3, 3, 3] and list(S.N_outgoing[2, :]) == [1]
    assert list(S.N_outgoing_pre) == [3, 2, 1, 0, 0]
    assert list(S.N_incoming[:, 2]) == [3, 3, 3] and list(S.N_incoming[:, 3]) == [1]
    assert list(S.N_incoming_post) == [0, 2, 3, 1, 0]
    assert list(S.N_incoming) == [3, 2, 3, 1, 3, 2]
    S.w = "1.0/N_incoming"
    assert np.allclose(S.w, [1 / 3, 1 / 2, 1 / 3, 1, 1 / 3, 1 / 2])
    assert list(S.w["N_outgoing > 2"]) == list(S.w[:3])
    for assign in (lambda: setattr(S, "N_incoming", 3),
                   lambda: S.N_outgoing.__setitem__(0, 1)):
        with pytest.raises(TypeError, match="N_(incoming|outgoing) is read-only"):
            assign()
    P = Synapses(G[2:], G[:3], "w : 1")                  # subgroups: their neurons counted
    P.connect(i=[0, 0, 2], j=[1, 2, 2])
    assert list(P.N_outgoing_pre) == [2, 0, 1] and list(P.N_incoming_post) == [0, 1, 2]


@pytest.mark.parametrize("mode", ["runtime", "standalone"])
def test_code_reads_n_incoming_and_n_outgoing(mode, tmp_path):
    """``v_post += w/N_incoming`` normalises each target's input: one spike
    of every source gives each target w in all (by hand), with 1 and 2
    threads; N_outgoing reads each synapse's source's count."""
    if mode == "standalone":
        set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / "n",
                   build_on_run=False)
    try:
        sources = SpikeGeneratorGroup(4, [0, 1, 2, 3], [0, 0, 0, 0] * ms)
        targets = NeuronGroup(300, "v : 1\nu : 1")
        S = Synapses(sources, targets, on_pre="v_post += 0.5/N_incoming\nu_post += N_outgoing")
        S.connect(condition="(i + j) % 3 != 0 or j % 2 == 0")
        Network(sources, targets, S).run(0.3 * ms)
        if mode == "standalone":
            device.build(threads=1)
        runs = [(np.array(targets.v), np.array(targets.u))]
        if mode == "standalone":
            device.run(threads=2)
            runs.append((np.array(targets.v), np.array(targets.u)))
        ii, jj = np.array(S.i), np.array(S.j)
        outgoing = np.bincount(ii, minlength=4)
        for v, u in runs:
            received = np.bincount(jj, minlength=300) > 0
            assert np.allclose(v, 0.5 * received) and received.sum() == 300
            assert np.array_equal(u, np.bincount(jj, weights=outgoing[ii], minlength=300))
        assert S.memory_per_synapse == 8       # the sources: N_outgoing reads them
    finally:
        set_device("runtime")


def test_synapses_get_states_as_brian():
    """The names of Brian2 2.9's Synapses.get_states (a model with an
    event-driven variable and a delay), their values and units."""
    G = NeuronGroup(5, "v : 1", threshold="v > 1", reset="")
    G.v = "i*0.1"
    S = Synapses(G, G, """w : 1
                          dA/dt = -A/(10*ms) : 1 (event-driven)""", on_pre="v += w",
                 delay=1 * ms)
    S.connect(i=[0, 0, 1, 2, 2, 2], j=[1, 2, 2, 0, 3, 4])
    S.w = "j*0.5"
    states = S.get_states()
    assert sorted(states) == sorted(
        "A N N_incoming N_outgoing N_post N_pre dt dt_post dt_pre i i_post i_pre j "
        "lastupdate t t_in_timesteps t_in_timesteps_post t_in_timesteps_pre t_post t_pre "
        "v v_post v_pre w".split())
    assert states["N"] == 6 and states["N_pre"] == states["N_post"] == 5
    assert list(states["N_incoming"]) == [1, 2, 2, 1, 1, 1]
    assert list(states["N_outgoing"]) == [2, 2, 1, 3, 3, 3]
    assert list(states["i_pre"]) == [0, 0, 1, 2, 2, 2] == list(states["i"])
    assert list(states["i_post"]) == list(states["j"]) == [1, 2, 2, 0, 3, 4]
    assert np.allclose(states["v_pre"], [0, 0, 0.1, 0.2, 0.2, 0.2])
    assert np.allclose(states["v"], states["v_post"]) and np.allclose(states["w"], 0.5 * S.j)
    assert have_same_dimensions(states["lastupdate"], second) and states["dt"] == 0.1 * ms
    assert list(S.get_states(read_only_variables=False)) == ["w", "A", "lastupdate", "v_pre",
                                                             "v_post", "v"]
    S.w = 9                                            # a copy
    assert np.allclose(states["w"], 0.5 * S.j)
    with pytest.raises(KeyError, match="no variable 'x'"):
        S.get_states(["x"])


def test_synapses_get_states_gives_summed_expressions_with_subexpressions():
    G = NeuronGroup(4, "v : 1\nx : 1")
    S = Synapses(G, G, """w : 1
                          g : 1
                          x_post = w*g : 1 (summed)""")
    S.connect(i=[0, 1, 2], j=[1, 2, 2])
    S.w, S.g = "i + 1", 2
    assert "x_post" not in S.get_states()
    assert list(S.get_states(subexpressions=True)["x_post"]) == [2, 4, 6]
    pytest.importorskip("pandas", reason="format='pandas' needs pandas")
    frame = S.get_states(["w", "i"], units=False, format="pandas")
    assert list(frame["w"]) == [1, 2, 3] and list(frame["i"]) == [0, 1, 2]


def test_synapses_set_states_checks_every_name_before_setting():
    G = NeuronGroup(4, "v : 1", threshold="v > 1")
    S = Synapses(G, G, "w : volt", on_pre="v += w/volt", delay=1 * ms)
    S.connect(i=[0, 1, 2], j=[1, 2, 2])
    S.set_states({"w": [1, 2, 3] * mV, "delay": [1, 2, 3] * ms})
    assert np.allclose(S.w_, [1e-3, 2e-3, 3e-3]) and np.allclose(S.delay_, [1e-3, 2e-3, 3e-3])
    for bad, error, fragment in (
            ({"w": [0, 0, 0] * mV, "i": [0, 0, 0]}, TypeError, f"{S.name}.i: it is read-only"),
            ({"w": [0, 0, 0] * mV, "v_post": [1, 2, 3]}, TypeError,
             f"v_post through the synapses: it is {G.name}.v"),
            ({"w": [0, 0, 0] * mV, "x": 1}, KeyError, "no variable 'x' to set"),
            ({"w": [1, 2, 3]}, DimensionMismatchError, f"Cannot set {S.name}.w (unit V)")):
        with pytest.raises(error, match=re.escape(fragment)):
            S.set_states(bad)
        assert np.allclose(S.w_, [1e-3, 2e-3, 3e-3])       # nothing changed
    pytest.importorskip("pandas", reason="format='pandas' needs pandas")
    import pandas
    S.set_states(pandas.DataFrame({"w": [1e-3, 2e-3, 4e-3]}), units=False, format="pandas")
    assert np.allclose(S.w_, [1e-3, 2e-3, 4e-3])


def test_synaptic_subexpressions_are_read_and_used_in_strings_as_brian():
    """A subexpression of synaptic and presynaptic variables and a constant:
    read (with units, or without: w_eff_), in conditions, assignments and
    get_states, as Brian gives them (by hand); read only."""
    G = NeuronGroup(3, "v : 1\nx : volt", threshold="v > 1")
    G.x = "(i + 1)*mV"
    S = Synapses(G, G, """w : 1
                          w_eff = w*scale*x_pre : volt
                          w_twice = 2*w_eff : volt""", on_pre="v += w_twice/mV")
    scale = 0.5
    S.connect(i=[0, 1, 2], j=[1, 2, 0])
    S.w = [1, 2, 3]
    assert np.allclose(S.w_eff / mV, [0.5, 2, 4.5]) and np.allclose(S.w_twice_, [1e-3, 4e-3, 9e-3])
    assert list(S.w["w_eff > 1*mV"]) == [2, 3]
    S.w = "w_twice/mV"
    assert list(S.w) == [1, 4, 9]
    assert np.allclose(S.get_states(["w_eff"], units=False)["w_eff"], [0.5e-3, 4e-3, 13.5e-3])
    assert "w_twice" in S.get_states(subexpressions=True) and "w_eff" not in S.get_states()
    with pytest.raises(AttributeError, match="'w_eff' of synapses .* is a subexpression"):
        S.w_eff = 1 * mV


def test_a_subexpression_of_n_incoming_normalises_in_the_code():
    """``w_eff = w*x_pre/N_incoming`` in on_pre (the units of the equations
    checked with N_incoming known): by hand, 1/2 + 2/2 into neuron 0 and 3/1
    into neuron 1."""
    P = NeuronGroup(3, "v : 1\nx : 1", threshold="v > 1", reset="v = 0")
    P.v, P.x = 2, "i + 1"
    Q = NeuronGroup(2, "v : 1")
    S = Synapses(P, Q, """w : 1
                          w_eff = w*x_pre/N_incoming : 1""", on_pre="v_post += w_eff")
    S.connect(i=[0, 1, 2], j=[0, 0, 1])
    S.w = 1
    Network(P, Q, S).run(0.1 * ms)
    assert list(Q.v) == [1.5, 3.0] and list(S.w_eff) == [0.5, 1.0, 3.0]


def test_an_on_post_that_reads_the_source_runs_on_one_thread(tmp_path):
    """A presynaptic neuron's variable belongs to another thread, which may
    be at another step: an on_post that reads one makes the program serial
    (with the numbers of runtime mode)."""
    def network():
        start_scope()
        seed(7)
        G = NeuronGroup(1500, "dv/dt = (1.2 + 0.001*i - v)/(10*ms) : 1", threshold="v > 1",
                        reset="v = 0", method="exact")
        S = Synapses(G, G, "w : 1", on_pre="v_post += 0.01", on_post="w += v_pre")
        S.connect(condition="i != j", p=0.01)
        S.delay = 1 * ms
        Network(G, S).run(20 * ms)
        return S
    expected = np.array(network().w)
    assert expected.any()
    set_device("cpp_standalone", adapt_threads=False, directory=tmp_path / "net", threads=2)
    try:
        S = network()
        assert device.status["threads"] == 1 and np.array_equal(np.array(S.w), expected)
    finally:
        set_device("runtime")


def _held_zeros(target):
    """Neurons 0-4 are refractory all run long and hold v = -0.0; neurons
    5-9 take the synapses' input (on_pre increments, compiled without a
    branch: x + increment_if(c, a), which must give x where c is false)."""
    start_scope()
    prefs.codegen.target = target
    try:
        P = NeuronGroup(1, "", threshold="True")
        G = NeuronGroup(10, "dv/dt = 0/ms : 1 (unless refractory)\nr : second",
                        threshold="v > 100", refractory="r", method="exact")
        G.r = "(i < 5)*1*second"
        G.lastspike = 0 * ms
        G.v = -0.0
        S = Synapses(P, G, "w : 1", on_pre="v_post += w")
        S.connect()
        S.w = "0.5 - 0.1*j"
        Network(P, G, S).run(1 * ms)
        return np.array(G.v_)
    finally:
        prefs.codegen.target = "cython"


def test_a_refractory_target_holds_its_value_to_the_bit():
    v = _held_zeros("cython")
    assert np.all(np.signbit(v[:5])) and np.all(v[:5] == 0)
    w, expected = 0.5 - 0.1 * np.arange(5, 10), np.full(5, -0.0)
    for _ in range(10):                 # one spike per step
        expected = expected + w
    assert np.array_equal(v[5:], expected)
    assert np.array_equal(v.view(np.uint64), _held_zeros("numpy").view(np.uint64))
