"""IR kernels to the contexts of the C++ templates.

The CPU's own decisions live here: each thread owns a range of every
group's neurons (whole blocks of ``ncg::BLOCK``); model variables are loaded
into locals at the top of a loop body and stored at its bottom; expressions
that are the same for every neuron are computed once per step, before the
loop; the normal draws of a state update are made a block of neurons at a
time (vectorised) and read per neuron.
"""
import sympy

from ... import ir
from ...errors import FunctionImplementationError
from ...lowering import schedule
from ...lowering.optimize import Hoister
from . import contexts as ctx
from ..layout import Layout
from .printer import CTYPES, CppPrinter, local_name
from .templates import FOLDER, render, support_code


def _template(name):
    return f"{FOLDER}/{name}"


class NetworkPrinter:
    """Prints the kernels of one :class:`~neurocodegen.ir.Program` into one
    run loop, declaring the arrays and constants it uses in a Layout."""

    def __init__(self, program):
        self.program = program
        self.layout = Layout()
        self.prefix = {owner: f"_ncg_o{k}" for k, owner in enumerate(ir.owners(program))}
        self.ranges = {}          # group -> Range of this thread's part

    # -- names --------------------------------------------------------------------------
    def array(self, array):
        """The C++ pointer of an IR array (declared in the layout)."""
        return self.layout.array(f"{self.prefix[array.owner]}_{array.name}", array.ref,
                                 CTYPES[array.dtype], array.role)

    def part(self, space):
        """(lo, hi, size) of this thread's part of the space's group."""
        group = getattr(space, "group", None)
        if group is None:                     # not split among threads
            return "", "", ""
        if group not in self.ranges:
            prefix = self.prefix.get(group) or f"_ncg_o{len(self.prefix)}"
            self.prefix.setdefault(group, prefix)
            self.ranges[group] = ctx.Range(f"{prefix}_lo", f"{prefix}_hi", space.size)
        r = self.ranges[group]
        return r.lo, r.hi, str(space.size)

    # -- one kernel ----------------------------------------------------------------------
    def kernel_context(self, kernel, statements, extra_reads=()):
        """The shared part of a block: constants, hoisted invariants, loads,
        the printed body and stores. ``statements`` are Assign/If (other
        statements are printed by the caller, which reads ``extra_reads``:
        loaded, and kept as locals when they are temporaries)."""
        variables = {v.name: v for v in kernel.variables}
        # Brian's scalar code: a shared variable set from shared values only
        # (``I0 = I0 + 0.1`` in run_regularly) is set once per step, before the
        # loop, not once per neuron
        scalar_code, statements = _scalar_code(statements, variables, kernel.scalars)
        # A shared variable the kernel writes changes within the loop; one it
        # only reads is loaded once, before the invariants that use it.
        changing = {n for n in _targets(statements) if n in variables}
        scalars = {ir.symbol(n) for n in kernel.scalars if n not in changing}
        hoist = Hoister(scalars, impure=ir.RANDOM)
        printer = CppPrinter({local: self.array(array) for local, array in kernel.tables},
                             {local: f.cpp_name for local, f in kernel.functions})
        used, written = set(extra_reads), set()

        def lower(items, known):
            """``known``: temporaries whose value is the same for every index,
            with that value, so that expressions using them are hoisted too
            (the integrators' shared terms, such as exp(-dt/tau))."""
            out, known = [], dict(known)
            for st in items:
                if isinstance(st, ir.If):
                    condition = st.condition.xreplace(known)
                    used.update(s.name for s in condition.free_symbols)
                    out.append(ctx.Branch(printer.doprint(hoist(condition)),
                                          tuple(lower(st.then, known)),
                                          tuple(lower(st.otherwise, known))))
                elif isinstance(st, _BufferRead):
                    out.append(ctx.Assign(local_name(st.target), st.text, declare=True))
                else:
                    expr = st.value.xreplace(known) if known else st.value
                    if st.target not in variables and st.target.startswith("_") \
                            and st.target not in extra_reads \
                            and not _is_bool(expr, booleans) and hoist.invariant(expr):
                        known[ir.symbol(st.target)] = expr
                        continue
                    used.update(s.name for s in expr.free_symbols)
                    if st.target in variables:
                        written.add(st.target)
                    boolean = _is_bool(expr, booleans)
                    if boolean:
                        booleans.add(st.target)
                    ctype = "bool" if boolean else "double"
                    out.append(ctx.Assign(local_name(st.target), printer.doprint(hoist(expr)),
                                          declare=st.target not in variables, ctype=ctype))
            return out

        booleans = {v.name for v in kernel.variables if v.array.dtype == "bool"}
        body = lower(statements, {})
        used |= written
        if "i" in used and "i" not in variables:      # the loop's index
            body.insert(0, ctx.Assign("i_", "(double)_ncg_i", declare=True))
        loads, stores, shared_loads = [], [], []
        for name in sorted(used):
            if name not in variables:
                continue
            v = variables[name]
            ctype = "bool" if v.array.dtype == "bool" else "double"
            const = "" if name in written else "const "
            index = "0" if v.scalar else \
                f"{self.array(v.index)}[_ncg_i]" if v.index is not None else "_ncg_i"
            if v.offset:
                index = f"{index} + {v.offset}"
            if v.scalar and name not in changing:
                shared_loads.append(ctx.Assign(local_name(name), f"{self.array(v.array)}[{index}]",
                                               declare=True, ctype=ctype))
                continue
            loads.append(ctx.Load(const + ctype, local_name(name), self.array(v.array), index))
            if name in written:
                stores.append(ctx.Store(self.array(v.array), local_name(name),
                                        CTYPES[v.array.dtype], index))
        constants = tuple(ctx.Constant(local_name(local), self.layout.constant(c.ref))
                          for local, c in kernel.constants)
        invariants = tuple(shared_loads) + tuple(
            ctx.Assign(sym.name, printer.doprint(expr), declare=True,
                       ctype="bool" if _is_bool(expr, booleans) else "double")
            for sym, expr in hoist.order)
        in_arrays = {ir.symbol(n): ir.symbol(f"{self.array(v.array)}[0]")
                     for n, v in variables.items() if v.scalar}
        scalar_writes = tuple(
            ctx.Store(self.array(variables[st.target].array),
                      printer.doprint(st.value.xreplace(in_arrays)),
                      CTYPES[variables[st.target].array.dtype])
            for st in scalar_code)
        lo, hi, size = self.part(kernel.space)
        return ctx.Kernel(comment=kernel.name, period=kernel.period,
                          t_expr=_t_expr(kernel.period), size=size, lo=lo, hi=hi,
                          constants=constants, invariants=invariants, loads=tuple(loads),
                          body=tuple(body), stores=tuple(stores),
                          scalar_writes=scalar_writes), printer

    def block(self, kernel):
        """The template context of one kernel."""
        return getattr(self, "_" + kernel.op)(kernel)

    def _state_update(self, kernel):
        variables = {v.name for v in kernel.variables}
        statements, buffers = _noise_blocks(_selects(kernel.statements), variables)
        statements, binomials = _binomial_blocks(statements)
        k, _ = self.kernel_context(kernel, statements)
        return ctx.StateUpdateBlock(k, noise=buffers, binomials=binomials,
                                    template=_template("stateupdate.cpp.j2"))

    def _threshold(self, kernel):
        reads = {s.name for s in kernel.condition.free_symbols}
        statements, buffers = _uniform_blocks(kernel.statements)
        k, printer = self.kernel_context(kernel, statements, extra_reads=reads)
        on_spike = tuple(ctx.Store(self.array(array), _value(value, printer), "")
                         for array, value in kernel.on_spike)
        return ctx.ThresholdBlock(k, condition=printer.doprint(kernel.condition),
                                  spikespace=self.array(kernel.spikes), on_spike=on_spike,
                                  uniforms=buffers, scan=_scan(kernel, statements, printer),
                                  template=_template("threshold.cpp.j2"))

    def _reset(self, kernel):
        k, _ = self.kernel_context(kernel, kernel.statements)
        return ctx.ResetBlock(k, spikespace=self.array(kernel.space.spikes),
                              template=_template("reset.cpp.j2"))

    def _spike_record(self, kernel):
        k, printer = self.kernel_context(kernel, (),
                                         extra_reads={v.name for v in kernel.variables})
        columns, increments, fill = [], [], ""
        for st in kernel.statements:
            if isinstance(st, ir.Append):
                fill = self.array(st.fill)
                columns += [ctx.Store(self.array(a), _value(v, printer), "")
                            for a, v in st.columns]
            else:
                increments.append(ctx.Store(self.array(st.array), _value(st.value, printer), ""))
        return ctx.SpikeMonitorBlock(k, spikespace=self.array(kernel.space.spikes), fill=fill,
                                     columns=tuple(columns), increments=tuple(increments),
                                     part=kernel.space.part,
                                     template=_template("spikemonitor.cpp.j2"))

    def _rate_record(self, kernel):
        k, _ = self.kernel_context(kernel, ())
        (append,) = kernel.statements
        (times, _), (counts, _) = append.columns
        return ctx.RateMonitorBlock(k, spikespace=self.array(kernel.space.spikes),
                                    fill=self.array(append.fill), times=self.array(times),
                                    counts=self.array(counts), part=kernel.space.part,
                                    template=_template("ratemonitor.cpp.j2"))

    def _state_record(self, kernel):
        k, _ = self.kernel_context(kernel, ())
        (snapshot,) = kernel.statements
        variables = {v.name: v for v in kernel.variables}
        columns = tuple((self.array(variables[_variable_name(value)].array), self.array(buf))
                        for buf, value in snapshot.columns)
        return ctx.StateMonitorBlock(k, times=self.array(snapshot.times),
                                     fill=self.array(snapshot.fill),
                                     record=self.array(kernel.space.record), columns=columns,
                                     template=_template("statemonitor.cpp.j2"))

    def _spike_generator(self, kernel):
        k, _ = self.kernel_context(kernel, ())
        return ctx.SpikeGeneratorBlock(k, spikespace=self.array(kernel.spikes),
                                       steps=self.array(kernel.steps),
                                       indices=self.array(kernel.indices),
                                       template=_template("spikegenerator.cpp.j2"))

    def _synapses_pre(self, kernel):
        k, _ = self.kernel_context(kernel, _increments(kernel.statements))
        space = kernel.space
        return ctx.SynapsesBlock(k, source_size=space.source_size,
                                 target_size=space.target_size,
                                 spikes=self.array(space.spikes),
                                 history=self.array(space.history),
                                 order=self.array(space.order) if space.order else "",
                                 offsets=self.array(space.offsets),
                                 delays=self.array(space.delays) if space.delays else "",
                                 posts=self.array(space.posts), post_first=space.post_first,
                                 template=_template("synapses.cpp.j2"))

    def _constant(self, kernel, local):
        """The Constant context of the kernel's run constant ``local``."""
        (ref,) = [c.ref for name, c in kernel.constants if name == local]
        return ctx.Constant(local, self.layout.constant(ref))

    def _history(self, kernel):
        space = kernel.space
        return ctx.HistoryBlock(f"{kernel.name}: this thread's spikes into its history",
                                history=self.array(space.history),
                                spikes=self.array(space.spikes), size=space.source_size,
                                depth=self._constant(kernel, "_depth"),
                                period=kernel.period, template=_template("history.cpp.j2"))

    def _meetings(self, kernels):
        """The blocks of pathways that share a meeting (see
        ``schedule.meetings``): their histories, the meeting, their
        deliveries, and for one that reads presynaptic variables a second
        meeting, so that their owners change them only once every thread
        has read them."""
        names = ", ".join(k.name for k in kernels)
        period = kernels[0].period                  # the same for all
        if any(k.space.reads_pre for k in kernels):
            condition = "_ncg_threads > 1"          # presynaptic variables are read
        else:                                       # this step's spikes, with a delay of 0
            condition = "_ncg_threads > 1 && ({})".format(" || ".join(
                f"_ncg_const[{self._constant(k, '_dmin').index}] == 0" for k in kernels))
        blocks = [self._history(k) for k in kernels]
        blocks.append(ctx.MeetBlock(f"threads meet: every thread's spikes reach {names}",
                                    condition, period, template=_template("meet.cpp.j2")))
        blocks += [self.block(k) for k in kernels]
        if any(k.space.reads_pre for k in kernels):
            blocks.append(ctx.MeetBlock(f"threads meet: {names} read presynaptic variables",
                                        "_ncg_threads > 1", period,
                                        template=_template("meet.cpp.j2")))
        return blocks

    def _synapses_post(self, kernel):
        k, _ = self.kernel_context(kernel, _increments(kernel.statements))
        space = kernel.space
        return ctx.PostSynapsesBlock(k, spikes=self.array(space.spikes),
                                     order=self.array(space.order),
                                     offsets=self.array(space.offsets),
                                     history=self.array(space.history) if space.history
                                     else "",
                                     delays=self.array(space.delays) if space.delays else "",
                                     template=_template("synapses_post.cpp.j2"))

    def _by_neuron(self, kernel, summed=""):
        # the template reads _summed: a local even when it is the same for
        # every synapse ('x_post = 1 : 1 (summed)' counts synapses)
        k, _ = self.kernel_context(kernel, kernel.statements,
                                   extra_reads={"_summed"} if summed else ())
        space = kernel.space
        return ctx.ByNeuronBlock(k, order=self.array(space.order),
                                 offsets=self.array(space.offsets), summed=summed,
                                 part=space.part,
                                 template=_template("synapses_by_neuron.cpp.j2"))

    def _synapses_update(self, kernel):
        return self._by_neuron(kernel)

    def _summed(self, kernel):
        return self._by_neuron(kernel, summed=self.array(kernel.target))

    def room_check(self, kernel):
        """After a step, return early when a recording kernel's buffers have
        no room for the next step's rows (the caller grows them)."""
        fill = self.array(kernel.fill)
        if kernel.room == "space":      # one row per index of this thread's part
            lo, hi, _ = self.part(kernel.space)
            return ctx.RoomCheck(fill, f"({hi} - {lo})")
        # one row per recording step: only checked before one
        return ctx.RoomCheck(fill, str(kernel.room),
                             f"(_ncg_step + 1) % {kernel.period} == 0 && ")

    # -- the network ------------------------------------------------------------------------
    def source(self):
        kernels = self.program.kernels
        meetings = {group[0]: group for group in schedule.meetings(kernels,
                                                                   self.program.barriers)}
        met = {k for group in meetings.values() for k in group}
        blocks = []
        for k, kernel in enumerate(kernels):
            if k in meetings:
                blocks += self._meetings([kernels[g] for g in meetings[k]])
            elif k not in met:
                blocks.append(self.block(kernel))
        checks = tuple(self.room_check(k) for k in self.program.kernels
                       if isinstance(k, ir.Record) and k.room is not None)
        # every array the program declares has a slot, used or not
        for array in self.program.arrays:
            self.array(array)
        arrays = tuple(ctx.Array(cname, ctype) for cname, ctype, _, _ in self.layout.array_refs)
        source = ctx.NetworkSource(arrays=arrays, constants=(),
                                   blocks=tuple(blocks), ranges=tuple(self.ranges.values()),
                                   room_checks=checks)
        return (support_code() + "\n" + self.user_functions() + "\n"
                + render(_template("network.cpp.j2"), source))

    def user_functions(self):
        """The C++ code of the users' functions the kernels call, as they
        wrote it, with internal linkage (in an anonymous namespace)."""
        code = {}
        for kernel in self.program.kernels:
            for _, f in kernel.functions:
                if f.cpp_code is None:
                    name = f.name[len("_function_"):]
                    raise FunctionImplementationError(
                        f"The function {name!r} called in {kernel.name} has no C++ "
                        f"implementation: give one with @implementation('cpp', code) (a C++ "
                        f"function named {f.cpp_name!r}), or run with "
                        f"prefs.codegen.target = 'numpy'.")
                if code.setdefault(f.cpp_name, f.cpp_code) != f.cpp_code:
                    raise FunctionImplementationError(
                        f"Two functions give different C++ code for the C++ name "
                        f"{f.cpp_name!r}; give one another name with "
                        f"@implementation('cpp', code, name=...).")
        if not code:
            return ""
        bodies = "\n".join(code[name].strip() for name in sorted(code))
        return f"namespace {{  // the users' functions\n{bodies}\n}}\n"


def _scan(kernel, statements, printer):
    """A condition every crossing neuron meets, for a first loop that finds
    the chunks of neurons with a crossing: the threshold's condition with
    its boolean variables (``not_refractory``) taken as true, since GCC
    does not vectorise a loop that loads booleans; "" when the statements
    before it read one, or nothing would be left."""
    booleans = {v.name for v in kernel.variables if v.array.dtype == "bool"}
    read = {s.name for st in statements if isinstance(st, ir.Assign)
            for s in sympy.sympify(st.value).free_symbols}    # (a _BufferRead reads a double)
    if booleans & read or any(not isinstance(st, (ir.Assign, _BufferRead)) for st in statements):
        return ""
    necessary = kernel.condition.xreplace({ir.symbol(b): sympy.true for b in booleans})
    if necessary in (sympy.true, sympy.false) or \
            {s.name for s in necessary.free_symbols} & booleans:
        return ""
    return printer.doprint(necessary)


def _scalar_code(statements, variables, scalars):
    """(scalar statements, the rest): the top-level assignments of a shared
    variable whose value uses only values that are the same for every index
    (Brian runs them once, as its scalar code, before the vector code)."""
    scalar, rest = [], []
    for st in statements:
        v = variables.get(getattr(st, "target", None)) if isinstance(st, ir.Assign) else None
        if v is not None and v.scalar and not ir.draws(st.value) \
                and not st.value.atoms(ir.Binomial) \
                and {s.name for s in st.value.free_symbols} <= set(scalars):
            scalar.append(st)
        else:
            rest.append(st)
    return scalar, rest


def _targets(statements):
    """The names that ``statements`` (Assign/If, nested) assign to."""
    for st in statements:
        if isinstance(st, ir.If):
            yield from _targets(st.then)
            yield from _targets(st.otherwise)
        elif hasattr(st, "target"):
            yield st.target


class _BufferRead:
    """``const double target = <text>``: a value read from a buffer."""

    def __init__(self, target, text):
        self.target, self.text = target, text


def _is_bool(expr, booleans):
    """Whether ``expr`` is a truth value (a name is one if it holds one)."""
    if isinstance(expr, sympy.Symbol):
        return expr.name in booleans
    if isinstance(expr, ir.Select):
        return _is_bool(expr.args[1], booleans)
    return isinstance(expr, (sympy.core.relational.Relational, sympy.And, sympy.Or, sympy.Not,
                             sympy.logic.boolalg.BooleanAtom))


def _selects(statements):
    """A branch whose sides only assign becomes both sides computed for
    every neuron, then a select per assigned name: the same numbers, in a
    loop without a branch, which the compiler vectorises (a refractory
    neuron's held variable, next to variables that keep integrating)."""
    out = []
    for st in statements:
        if not (isinstance(st, ir.If) and all(isinstance(s, ir.Assign) and
                                              not isinstance(s.value, ir.Uniform)
                                              for s in st.then + st.otherwise)):
            out.append(st)
            continue
        n = len(out)
        condition = ir.symbol(f"_c{n}")
        out.append(ir.Assign(f"_c{n}", st.condition))
        sides = []
        for side, items in (("t", st.then), ("e", st.otherwise)):
            renamed = {}
            for item in items:
                value = item.value.xreplace({ir.symbol(a): ir.symbol(b)
                                             for a, b in renamed.items()})
                renamed[item.target] = f"_{side}{n}_{item.target}"
                out.append(ir.Assign(renamed[item.target], value))
            sides.append(renamed)
        assigned = list(dict.fromkeys(a.target for a in st.then + st.otherwise))
        for name in assigned:
            if name.startswith("_"):       # the sides' own temporaries
                continue
            then = ir.symbol(sides[0].get(name, name))
            otherwise = ir.symbol(sides[1].get(name, name))
            out.append(ir.Assign(name, ir.Select(condition, then, otherwise)))
    return out


class IncrementIf(sympy.Function):
    """``ncg::increment_if(c, a)``: ``a`` where ``c`` holds, else -0.0,
    chosen by their bits (no branch)."""
    nargs = 2
    is_real = True


def _increments(statements):
    """A synapse's increment of a variable that its refractory target holds,
    ``x = c ? x + a : x``, becomes ``x = x + increment_if(c, a)`` (``a``
    or -0.0): the same
    bits (``x + -0.0`` is ``x``, signed zeros and NaNs included; a sum of
    two is the same in either order), but no branch, which a compiler makes
    of the select and which mispredicts at every refractory target
    (Brunel 12500: 25 % of the synapses' time)."""
    out = []
    for st in statements:
        value = st.value if isinstance(st, ir.Assign) else None
        if isinstance(value, ir.Select):
            condition, then, otherwise = value.args
            x = ir.symbol(st.target)
            if otherwise == x and isinstance(then, sympy.Add) and len(then.args) == 2 \
                    and x in then.args:
                increment, = (a for a in then.args if a != x)
                st = ir.Assign(st.target, x + IncrementIf(condition, increment))
        out.append(st)
    return out


def _uniform_blocks(statements):
    """The uniform draws of a threshold (``rand() < rates*dt``) become reads
    from buffers filled a block of neurons at a time: the same numbers
    (``ncg::rand_block`` equals ``ncg::rand``), but the draws vectorise."""
    buffers = {}

    def rewrite(expr):
        table = {}
        for draw in ir.draws(expr):
            if type(draw) is not ir.Uniform:
                continue
            tag = int(draw.args[0])
            if tag not in buffers:
                buffers[tag] = ctx.NoiseBuffer(f"_ncg_u{len(buffers)}", tag)
            table[draw] = ir.symbol(f"_u{list(buffers).index(tag)}")
        return expr.xreplace(table) if table else expr

    body = [ir.Assign(st.target, rewrite(st.value)) if isinstance(st, ir.Assign) else st
            for st in statements]
    reads = [_BufferRead(f"_u{k}", f"{b.name}[_ncg_i - _ncg_b]")
             for k, b in enumerate(buffers.values())]
    return reads + body, tuple(buffers.values())


def _binomial_blocks(statements):
    """Each binomial draw (PoissonInput) is made a block of neurons at a
    time (``ncg::binomial_block``, the numbers of ``ncg::binomial``), from
    a table of its distribution made once per step, and read per neuron."""
    buffers = {}

    def rewrite(expr):
        table = {}
        for draw in expr.atoms(ir.Binomial):
            tag, *constants = draw.args
            if draw not in buffers:
                buffers[draw] = ctx.BinomialBuffer(
                    f"_ncg_b{len(buffers)}", int(tag),
                    ", ".join(local_name(c.name) for c in constants))
            table[draw] = ir.symbol(f"_b{list(buffers).index(draw)}")
        return expr.xreplace(table) if table else expr

    body = [ir.Assign(st.target, rewrite(st.value)) if isinstance(st, ir.Assign) else st
            for st in statements]
    reads = [_BufferRead(f"_b{k}", f"{b.name}[_ncg_i - _ncg_b]")
             for k, b in enumerate(buffers.values())]
    return reads + body, tuple(buffers.values())


def _noise_blocks(statements, variables):
    """The normal draws that the IR assigns to temporaries (noise terms) become
    reads from buffers filled a block of neurons at a time: the same numbers
    (``ncg::randn_block`` equals ``ncg::randn``), but the draws vectorise."""
    buffers = {}

    def rewrite(items):
        out = []
        for st in items:
            if isinstance(st, ir.If):
                out.append(ir.If(st.condition, tuple(rewrite(st.then)),
                                 tuple(rewrite(st.otherwise))))
            elif isinstance(st, ir.Assign) and type(st.value) is ir.Normal \
                    and st.target not in variables:
                tag = int(st.value.args[0])
                if tag not in buffers:
                    buffers[tag] = ctx.NoiseBuffer(f"_ncg_xi{len(buffers)}", tag)
                out.append(_BufferRead(st.target, f"{buffers[tag].name}[_ncg_i - _ncg_b]"))
            else:
                out.append(st)
        return out

    statements = rewrite(statements)
    return statements, tuple(buffers.values())


def _t_expr(period):
    if period == 1:
        return "(double)_ncg_step * dt_"
    return f"(double)(_ncg_step / {period}) * dt_"


def _value(expr, printer):
    """C++ for a value written straight to an array: the loop index as an
    integer, ``t`` and constants as their locals, else printed."""
    if expr == ir.INDEX:
        return "_ncg_i"
    if isinstance(expr, sympy.Integer):
        return str(int(expr))
    return printer.doprint(expr)


def _variable_name(expr):
    if not isinstance(expr, sympy.Symbol):
        raise NotImplementedError(f"a monitor can only record variables, not {expr}")
    return expr.name


def generate(program):
    """(layout, C++ source of the run loop) of ``program``."""
    printer = NetworkPrinter(program)
    text = printer.source()
    return printer.layout, text
