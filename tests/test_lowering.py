"""Lowering without a compiler: specs to IR, asserted on the IR's structure
(as Devito's ``assert_structure``), the specs' key, and one golden kernel."""
import sympy
import pytest

from neurocodegen import NeuronGroup, SpikeMonitor, StateMonitor, ms, start_scope
from neurocodegen import ir
from neurocodegen.backends.cpu.kernels import generate
from neurocodegen.lowering import LoweringError, lower_network
from neurocodegen.specs import canonical, key
from neurocodegen.streams import KIND_NOISE, KIND_RESET, stream

NOISY = """
dv/dt = (v0 - v)/tau + sigma*xi*tau**-0.5 : 1 (unless refractory)
v0 : 1
"""
NS = {"tau": 10 * ms, "sigma": 0.2}


def specs_of(*objects):
    for o in objects:
        o.before_run(NS)
    return [o.spec(1) for o in objects]


def structure(program):
    """(op, owner, space kind) of each kernel, in run order."""
    return [(k.op, k.owner, type(k.space).__name__) for k in program.kernels]


def test_noisy_group_and_monitors_in_brians_schedule_order():
    G = NeuronGroup(10, NOISY, threshold="v > 1", reset="v = 0", refractory=5 * ms,
                    method="euler", name="G")
    S = SpikeMonitor(G, name="S")
    M = StateMonitor(G, "v", record=[1, 2], name="M")
    program = lower_network(specs_of(M, G, S))
    assert structure(program) == [
        ("state_record", "M", "RecordedIndices"),      # 'start'
        ("state_update", "G", "AllNeurons"),           # 'groups'
        ("threshold", "G", "AllNeurons"),              # 'thresholds', order 0
        ("spike_record", "S", "SpikingNeurons"),       # 'thresholds', order 1
        ("reset", "G", "SpikingNeurons")]              # 'resets'
    assert program.methods == {"G": "euler"}
    assert program.barriers == ()                      # uncoupled neurons: no barrier


def test_state_update_draws_noise_and_selects_on_refractoriness():
    G = NeuronGroup(10, NOISY, threshold="v > 1", reset="v = 0", refractory=5 * ms,
                    method="euler", name="G")
    update = lower_network(specs_of(G)).kernels[0]
    first, noise, *rest = update.statements
    assert first.target == "not_refractory"
    assert noise == ir.Assign("xi", ir.Normal(stream(G._rng_id, KIND_NOISE, 0)))
    final = rest[-1]
    assert final.target == "v" and isinstance(final.value, ir.Select)
    assert {v.name for v in update.variables} == {"v", "v0", "lastspike", "not_refractory"}
    assert {name for name, _ in update.constants} == {"tau", "sigma", "_refractory", "dt"}
    assert "tau" in update.scalars and "v" not in update.scalars


def test_random_draws_are_numbered_in_the_order_of_the_text():
    G = NeuronGroup(4, "v : 1\nw : 1", threshold="v > 1",
                    reset="v = rand() + 2*randn()\nw = rand()", name="G")
    reset = lower_network(specs_of(G)).kernels[-1]
    draws = [sorted(ir.draws(st.value), key=lambda d: int(d.args[0]))
             for st in reset.statements]
    assert [[(type(d), int(d.args[0]) & 0xFFF) for d in ds] for ds in draws] == \
        [[(ir.Uniform, 0), (ir.Normal, 1)], [(ir.Uniform, 2)]]
    assert all(int(d.args[0]) >> 12 == (G._rng_id << 4) | KIND_RESET
               for ds in draws for d in ds)


def test_spike_monitor_appends_and_counts_with_an_increment():
    G = NeuronGroup(3, "v : 1", threshold="v > 1", name="G")
    S = SpikeMonitor(G, name="S")
    kernel = lower_network(specs_of(G, S)).kernels[-1]
    append, count = kernel.statements
    assert [a.name for a, _ in append.columns] == ["i", "t"]
    assert [v for _, v in append.columns] == [ir.INDEX, ir.T]
    assert count == ir.Increment(ir.Array("S", "count", "int64", "counter"), ir.INDEX,
                                 sympy.Integer(1))
    assert kernel.room == "space" and kernel.space.spikes.role == "spikes"


def test_partly_frozen_noisy_model_draws_noise_for_both_branches():
    """v is held while refractory, w is noisy and keeps integrating: the noise
    is drawn before the branch (this model failed to compile before)."""
    G = NeuronGroup(5, """dv/dt = -v/(10*ms) : 1 (unless refractory)
                          dw/dt = -w/(30*ms) + 0.3*xi/sqrt(30*ms) : 1""",
                    threshold="v > 1", reset="v = 0", refractory=2 * ms, method="euler",
                    name="G")
    update = lower_network(specs_of(G)).kernels[0]
    kinds = [type(st).__name__ for st in update.statements]
    assert kinds == ["Assign", "Assign", "If"]
    assert update.statements[1].target == "xi"
    then, otherwise = update.statements[2].then, update.statements[2].otherwise
    for side in (then, otherwise):
        assert any("xi" in {s.name for s in st.value.free_symbols} for st in side)


def test_spec_key_is_complete_and_stable():
    def group(threshold):
        start_scope()     # the same random streams (rng_id) for each
        return NeuronGroup(10, NOISY, threshold=threshold, reset="v = 0",
                           refractory=5 * ms, method="euler", name="G")

    a = specs_of(group("v > 1"))
    b = specs_of(group("v > 1"))
    c = specs_of(group("v > 1.5"))
    assert key(a) == key(b) != key(c)
    assert canonical(a[0])["threshold"] == "v > 1"
    with pytest.raises(TypeError, match="cannot describe"):
        canonical(object())


def test_lowering_error_names_the_spec():
    G = NeuronGroup(2, "dv/dt = -v**2/(10*ms) : 1", method="exact", name="Bad")
    with pytest.raises(LoweringError) as info:
        lower_network(specs_of(G))
    assert info.value.spec.name == "Bad" and "Exact integration" in str(info.value)


GOLDEN_THRESHOLD = """\
        // threshold of Gold
        {
            const double dt_ = (double)_ncg_const[2];
            const double t_ = (double)_ncg_step * dt_;
            (void)t_;
            int32_t _ncg_nspikes = 0;
            // few neurons cross in a step: a loop that vectorises finds the
            // chunks of ncg::SCAN neurons where one may, and only those are
            // taken one neuron at a time
            for (int64_t _ncg_c = _ncg_o0_lo; _ncg_c < _ncg_o0_hi; _ncg_c += ncg::SCAN) {
                const int64_t _ncg_ce = _ncg_c + ncg::SCAN < _ncg_o0_hi ? _ncg_c + ncg::SCAN : _ncg_o0_hi;
                int _ncg_any = 0;
                for (int64_t _ncg_i = _ncg_c; _ncg_i < _ncg_ce; ++_ncg_i) {
                const double v_ = _ncg_o0_v[_ncg_i];
                const bool _cond = v_ > 1.0;
                    _ncg_any |= (int)(_cond);
                }
"""


def test_golden_threshold_kernel():
    """The C++ of one small kernel, exactly: a change to the printer or the
    templates that alters generated code shows up here first."""
    G = NeuronGroup(7, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", method="exact",
                    name="Gold")
    _, source = generate(lower_network(specs_of(G)))
    start = source.index("        // threshold of Gold")
    text = "\n".join(line for line in source[start:].splitlines()[:20] if line.strip())
    assert text + "\n" == GOLDEN_THRESHOLD


def test_schedule_needs_no_barrier_for_thread_local_kernels_only():
    from dataclasses import dataclass
    from neurocodegen.lowering.schedule import synchronisation

    G = NeuronGroup(10, NOISY, threshold="v > 1", reset="v = 0", refractory=5 * ms,
                    method="euler", name="Sched")
    kernels = lower_network(specs_of(G, SpikeMonitor(G, name="SchedS"))).kernels
    assert synchronisation(kernels) == ()

    @dataclass(frozen=True)
    class AllSpikesOfAllThreads:      # a space no thread owns alone
        group: str
        size: int

    crossing = ir.Kernel(name="p", owner="S", op="propagate",
                         space=AllSpikesOfAllThreads("Sched", 10), period=1, statements=())
    assert synchronisation(kernels + (crossing,)) == (len(kernels),)
