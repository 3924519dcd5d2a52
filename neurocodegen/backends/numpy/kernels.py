"""IR kernels to one Python function of numpy statements.

Each kernel is a few whole-array statements over its index space (``_idx``:
all neurons, the spiking ones, or the recorded ones), so there is no loop
over indices; the time steps are a Python loop. Branches are computed on
both sides and merged with ``numpy.where``. Random draws are the C++
generator's numbers (its Python twin), indexed by ``_idx``.
"""
import sympy

from ... import ir
from ..layout import Layout
from .printer import NumpyPrinter, local_name


class _Code:
    """Lines of Python with an indentation level."""

    def __init__(self):
        self.lines, self.level = [], 0

    def __call__(self, line):
        self.lines.append("    " * self.level + line)

    def text(self):
        return "\n".join(self.lines) + "\n"


class NetworkWriter:
    """Writes the function ``run(_arrays, _consts, _seed, _step, _end)`` of
    one :class:`~neurocodegen.ir.Program`."""

    def __init__(self, program):
        self.program = program
        self.layout = Layout()
        self.prefix = {owner: f"_o{k}" for k, owner in enumerate(ir.owners(program))}
        for array in program.arrays:
            self.layout.array(self.name(array), array.ref, array.dtype, array.role)
        for kernel in program.kernels:     # users' Python functions, bound at each run
            for _, function in kernel.functions:
                self.layout.array(self.function_name(function), function.ref, "object",
                                  "function")
        self.constant = {c.ref: self.layout.constant(c.ref) for c in program.constants}
        self.printer = NumpyPrinter()

    def name(self, array):
        return f"{self.prefix[array.owner]}_{array.name}"

    def function_name(self, function):
        return f"{self.prefix[function.owner]}_{function.name}"

    def expr(self, expr):
        return self.printer.doprint(expr)

    # -- index spaces ---------------------------------------------------------------------
    def space(self, code, space):
        if isinstance(space, ir.AllNeurons):
            code(f"_idx = _all_{space.size}")
        elif isinstance(space, ir.SpikingNeurons):
            spikes = self.name(space.spikes)
            code(f"_idx = {spikes}[:{spikes}[{space.size}]]")
            if space.part is not None:                  # a subgroup's, from 0
                first, stop = space.part
                code(f"_idx = _idx[(_idx >= {first}) & (_idx < {stop})] - {first}")
        else:
            code(f"_idx = {self.name(space.record)}")

    # -- statements -------------------------------------------------------------------------
    def statements(self, code, items, renamed, defined):
        """Print Assign and If statements. ``renamed`` maps names assigned in
        the current branch to their branch-local names; ``defined`` holds the
        names that have a value before these statements (and grows)."""
        for st in items:
            if isinstance(st, ir.If):
                self.branch(code, st, renamed, defined)
            else:
                value = st.value.xreplace(_symbols(renamed))
                target = renamed.get(st.target, local_name(st.target))
                code(f"{target} = {self.expr(value)}")
                defined.add(st.target)

    def branch(self, code, st, renamed, defined):
        """Both sides on every index, merged where each target was assigned.
        Temporaries first assigned inside a side stay there."""
        n = len(code.lines)
        cond = f"_c{n}"
        code(f"{cond} = {self.expr(st.condition.xreplace(_symbols(renamed)))}")
        outer = _assigned(st.then) | _assigned(st.otherwise)
        merged = sorted(outer & defined)
        sides = []
        for side, items in (("t", st.then), ("e", st.otherwise)):
            local = dict(renamed)
            for target in _assigned(items):
                local[target] = f"_{side}{n}_{target}"
            for target in sorted(_assigned(items) & defined):   # starts from its value
                code(f"{local[target]} = {renamed.get(target, local_name(target))}")
            self.statements(code, items, local, set(defined))
            sides.append(local)
        for target in merged:
            name = renamed.get(target, local_name(target))
            code(f"{name} = numpy.where({cond}, {sides[0].get(target, name)}, "
                 f"{sides[1].get(target, name)})")

    def index(self, v):
        """Where a variable is read and written: 0, the loop's indices, or
        an index array at them."""
        if v.scalar:
            return "0"
        index = f"{self.name(v.index)}[_idx]" if v.index is not None else "_idx"
        return f"{index} + {v.offset}" if v.offset else index

    def loads(self, code, kernel, names):
        variables = {v.name: v for v in kernel.variables}
        for name in sorted(names & set(variables)):
            v = variables[name]
            code(f"{local_name(name)} = {self.name(v.array)}[{self.index(v)}]")

    def stores(self, code, kernel, written):
        variables = {v.name: v for v in kernel.variables}
        for name in sorted(written & set(variables)):
            v = variables[name]
            code(f"{self.name(v.array)}[{self.index(v)}] = {local_name(name)}")

    # -- kernels ------------------------------------------------------------------------------
    def kernel(self, code, kernel):
        code(f"# {kernel.name}")
        if kernel.period > 1:
            code(f"if _step % {kernel.period} == 0:")
        else:
            code("if True:")
        code.level += 1
        for local, constant in kernel.constants:
            code(f"{local_name(local)} = _consts[{self.constant[constant.ref]}]")
        for local, array in kernel.tables:
            code(f"{local} = {self.name(array)}")
        for local, function in kernel.functions:
            code(f"{local} = {self.function_name(function)}")
        period = f"(_step // {kernel.period})" if kernel.period > 1 else "_step"
        code(f"t_ = float({period}) * dt_")
        if not isinstance(kernel.space, (ir.ArrivingSynapses, ir.SpikingTargets,
                                         ir.SynapsesByNeuron)):
            self.space(code, kernel.space)
        getattr(self, "_" + kernel.op)(code, kernel)
        code.level -= 1

    def _body(self, code, kernel, reads=()):
        used = set(reads) | _used(kernel.statements)
        if "i" in used and "i" not in {v.name for v in kernel.variables}:
            code("i_ = _idx.astype(numpy.float64)")
        self.loads(code, kernel, used)
        defined = {v.name for v in kernel.variables} & used
        self.statements(code, kernel.statements, {}, defined)
        self.stores(code, kernel, _assigned(kernel.statements))

    def _state_update(self, code, kernel):
        self._body(code, kernel)

    def _reset(self, code, kernel):
        self._body(code, kernel)

    def _threshold(self, code, kernel):
        self._body(code, kernel, reads={s.name for s in kernel.condition.free_symbols})
        spikes = self.name(kernel.spikes)
        size = kernel.space.size
        code(f"_fired = _idx[numpy.broadcast_to({self.expr(kernel.condition)}, _idx.shape)]")
        code(f"{spikes}[:_fired.size] = _fired")
        code(f"{spikes}[{size}] = _fired.size")
        for array, value in kernel.on_spike:
            code(f"{self.name(array)}[_fired] = {self.expr(value)}")

    def _spike_generator(self, code, kernel):
        own = f"(_step // {kernel.period})" if kernel.period > 1 else "_step"
        steps, spikes = self.name(kernel.steps), self.name(kernel.spikes)
        code(f"_own = {own} % int(_period_steps) if _period_steps > 0 else {own}")
        code("_first, _last = int(_event_offset), int(_event_offset) + int(_nevents)")
        code(f"_a = _first + numpy.searchsorted({steps}[_first:_last], _own, 'left')")
        code(f"_z = _first + numpy.searchsorted({steps}[_first:_last], _own, 'right')")
        code(f"_fired = {self.name(kernel.indices)}[_a:_z]")
        code(f"{spikes}[:_fired.size] = _fired")
        code(f"{spikes}[{kernel.space.size}] = _fired.size")

    def _spike_record(self, code, kernel):
        self.loads(code, kernel, {v.name for v in kernel.variables})
        for st in kernel.statements:
            if isinstance(st, ir.Append):
                fill = self.name(st.fill)
                code(f"_n = {fill}[0]")
                for array, value in st.columns:
                    value = "_idx" if value == ir.INDEX else self.expr(value)
                    code(f"{self.name(array)}[_n:_n + _idx.size] = {value}")
                code(f"{fill}[0] = _n + _idx.size")
            else:
                index = "_idx" if st.index == ir.INDEX else self.expr(st.index)
                code(f"numpy.add.at({self.name(st.array)}, {index}, {self.expr(st.value)})")

    def _rate_record(self, code, kernel):
        (append,) = kernel.statements
        (times, _), (counts, _) = append.columns
        fill = self.name(append.fill)
        code("if _idx.size:")
        code(f"    {self.name(times)}[{fill}[0]] = t_")
        code(f"    {self.name(counts)}[{fill}[0]] = _idx.size")
        code(f"    {fill}[0] += 1")

    def _state_record(self, code, kernel):
        (snapshot,) = kernel.statements
        variables = {v.name: v for v in kernel.variables}
        fill = self.name(snapshot.fill)
        code(f"_row, _nrec = {fill}[0], {fill}[2]")
        code(f"{self.name(snapshot.times)}[_row] = t_")
        for array, value in snapshot.columns:
            source = self.name(variables[value.name].array)
            code(f"{self.name(array)}[_row * _nrec:(_row + 1) * _nrec] = {source}[_idx]")
        code(f"{fill}[0] = _row + 1")

    def _synapses_pre(self, code, kernel):
        """The arriving synapses (see ``ir.ArrivingSynapses``), a delay at a
        time; within one delay, in rounds in which no neuron written to
        appears twice, so that ``v_post += w`` adds every synapse's ``w`` in
        order, as one synapse after the other would."""
        space = kernel.space
        spikes, offsets = self.name(space.spikes), self.name(space.offsets)
        code(f"_fired = {spikes}[:{spikes}[{space.source_size}]]")
        self._arrivals(code, self.name(space.history), space.source_size)
        code(f"_pos = _support.ranges({offsets}[_fired], {offsets}[_fired + 1])")
        if space.delays is not None:
            code(f"_pos = _pos[{self.name(space.delays)}[_pos] == _d]")
        code(f"_arriving = {self.name(space.order)}[_pos]" if space.order is not None
             else "_arriving = _pos")
        self._in_rounds(code, kernel)
        code.level -= 1

    def _arrivals(self, code, history, size):
        """This step's events ``_fired`` (of a group of ``size``) into the ring
        ``history``; then a loop over the delays, the longest first, in which
        ``_fired`` are the events of ``_d`` steps ago (the caller closes it)."""
        width = size + 1
        code("_depth = int(_depth)")
        code(f"_now = (_step % _depth) * {width}")
        code(f"{history}[_now:_now + _fired.size] = _fired")
        code(f"{history}[_now + {size}] = _fired.size")
        code("for _d in range(int(_dmax), int(_dmin) - 1, -1):")
        code.level += 1
        code("if _d > _step:")
        code("    continue")
        code(f"_past = ((_step - _d) % _depth) * {width}")
        code(f"_fired = {history}[_past:_past + {history}[_past + {size}]]")

    def _in_rounds(self, code, kernel):
        """The kernel's statements over the synapses ``_arriving``, in rounds in
        which no neuron written to appears twice (see ``support.rounds``)."""
        written = _assigned(kernel.statements)
        keys = sorted({self.name(v.index) for v in kernel.variables
                       if v.name in written and v.index is not None})
        targets = ", ".join(f"{k}[_arriving]" for k in keys)
        code(f"for _idx in _support.rounds(_arriving, [{targets}]):")
        code.level += 1
        self._body(code, kernel)
        code.level -= 1

    def _synapses_update(self, code, kernel):
        """Every synapse (in order of target neuron; each its own values)."""
        space = kernel.space
        code(f"_idx = {self.name(space.order)}")
        self._body(code, kernel)

    def _summed(self, code, kernel):
        """The sum of ``_summed`` over each neuron's synapses (of the target or
        the source), added in creation order from 0 (``bincount`` adds in the
        order it is given)."""
        space = kernel.space
        self._synapses_update(code, kernel)
        neurons = f"numpy.repeat(numpy.arange({space.size}), " \
            f"numpy.diff({self.name(space.offsets)}))"
        first, stop = space.part or (0, space.size)        # a subgroup's neurons only
        code(f"{self.name(kernel.target)}[{first}:{stop}] = numpy.bincount({neurons}, "
             f"weights=numpy.broadcast_to(_summed, _idx.shape), "
             f"minlength={space.size})[{first}:{stop}]")

    def _synapses_post(self, code, kernel):
        """The synapses of the target neurons whose event arrives, neuron by
        neuron, each neuron's in creation order: now, or (with a history)
        after the pathway's delay, a delay at a time, the longest first."""
        space = kernel.space
        spikes, offsets = self.name(space.spikes), self.name(space.offsets)
        order = self.name(space.order)
        code(f"_fired = {spikes}[:{spikes}[{space.size}]]")
        if space.history is None:
            code(f"_arriving = {order}[_support.ranges({offsets}[_fired], {offsets}[_fired + 1])]")
            self._in_rounds(code, kernel)
            return
        self._arrivals(code, self.name(space.history), space.size)
        code(f"_pos = _support.ranges({offsets}[_fired], {offsets}[_fired + 1])")
        if space.delays is not None:
            code(f"_pos = _pos[{self.name(space.delays)}[_pos] == _d]")
        code(f"_arriving = {order}[_pos]")
        self._in_rounds(code, kernel)
        code.level -= 1

    def room_check(self, code, kernel):
        fill = self.name(kernel.fill)
        if kernel.room == "space":
            code(f"if {fill}[0] + {kernel.space.size} > {fill}[1]:")
        else:
            code(f"if (_step + 1) % {kernel.period} == 0 and {fill}[0] + {kernel.room} "
                 f"> {fill}[1]:")
        code("    return _step + 1")

    # -- the network ----------------------------------------------------------------------------
    def source(self):
        code = _Code()
        code("def run(_arrays, _consts, _seed, _step, _end):")
        code.level += 1
        names = [c for c, _, _, _ in self.layout.array_refs]
        if names:
            code(f"({', '.join(names)},) = _arrays")
        sizes = sorted({k.space.size for k in self.program.kernels
                        if isinstance(k.space, ir.AllNeurons)})
        for size in sizes:
            code(f"_all_{size} = numpy.arange({size})")
        code("while _step < _end:")
        code.level += 1
        for kernel in self.program.kernels:
            self.kernel(code, kernel)
        for kernel in self.program.kernels:
            if isinstance(kernel, ir.Record) and kernel.room is not None:
                self.room_check(code, kernel)
        code("_step += 1")
        code.level -= 1
        code("return _step")
        return code.text()


def _assigned(items):
    """Names assigned by statements (in branches too)."""
    out = set()
    for st in items:
        if isinstance(st, ir.If):
            out |= _assigned(st.then) | _assigned(st.otherwise)
        elif isinstance(st, ir.Assign):
            out.add(st.target)
    return out


def _used(items):
    """Names read or written by statements."""
    out = set()
    for st in items:
        if isinstance(st, ir.If):
            out |= {s.name for s in st.condition.free_symbols}
            out |= _used(st.then) | _used(st.otherwise)
        elif isinstance(st, ir.Assign):
            out |= {s.name for s in st.value.free_symbols} | {st.target}
    return out


def _symbols(renamed):
    return {ir.symbol(a): sympy.Symbol(b, real=True) for a, b in renamed.items()}


def generate(program):
    """(layout, Python source of the run function) of ``program``."""
    writer = NetworkWriter(program)
    return writer.layout, writer.source()
