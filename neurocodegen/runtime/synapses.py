"""Synapses: connections from a source group to a target group, with
per-synapse variables and ``on_pre`` statements run when a presynaptic spike
arrives, after its delay.

What is here: parameters per synapse (``w : volt``), ``on_pre`` (a string)
writing synaptic, presynaptic (``x_pre``) and postsynaptic (``v_post``, or
``v`` unsuffixed) variables, ``delay`` (scalar or per synapse),
``connect(i=, j=)``, ``connect()`` (all to all), ``connect(condition=...,
p=...)``, ``n=``. Not yet: differential equations of synapses, ``(summed)``
variables, ``on_post`` and pathway dicts, the generator syntax of ``j``;
each is refused with a clear error.
"""
import sys

import numpy as np

from ..errors import DimensionMismatchError, EquationError, NeurocodegenError
from ..model.equations import Equations
from ..model.expressions import evaluate, parse_expression, parse_statements
from ..model.namespace import resolve_external
from ..model.unitcheck import check_statements, infer_dimension, infer_type
from ..specs import DTYPES, SynapsesSpec
from ..streams import KIND_ASSIGN, KIND_CONNECT, stream
from ..units import Quantity, get_dimensions
from ..units.dimensions import DIMENSIONLESS, TIME
from . import random as ncg_random
from .base import NetworkObject, split_plain
from .clock import check_time, random_state
from .groups import _fmt, _in_group

_INTERNAL = ("_pre", "_post", "_order", "_offsets", "_delay_steps", "_post_sorted",
             "_history")


class Synapses(NetworkObject):
    """``Synapses(source, target, model='w : volt', on_pre='v += w', delay=1*ms)``;
    then ``S.connect(...)`` creates synapses (see the module's docstring)."""

    def __init__(self, source, target=None, model="", on_pre=None, on_post=None, pre=None,
                 post=None, delay=None, method=None, namespace=None, dt=None, clock=None,
                 order=0, name="synapses*"):
        target = source if target is None else target
        for role, group in (("source", source), ("target", target)):
            if not hasattr(group, "_arrays") or not hasattr(group, "N"):
                raise TypeError(f"The {role} of Synapses must be a NeuronGroup, got {group!r}.")
        if getattr(source, "threshold", None) is None:
            raise ValueError(f"The source of Synapses must have a threshold (it sends spikes); "
                             f"{source!r} has none.")
        super().__init__(name, dt=dt, clock=clock or source.clock, when="synapses",
                         order=order)
        on_pre = on_pre if on_pre is not None else pre
        if on_post is not None or post is not None:
            raise NotImplementedError(f"Synapses '{self.name}': on_post (postsynaptic "
                                      "pathways) is not supported yet.")
        if isinstance(on_pre, dict):
            raise NotImplementedError(f"Synapses '{self.name}': several pathways (on_pre as a "
                                      "dict) are not supported yet; give one string.")
        self.source, self.target = source, target
        self.equations = model if isinstance(model, Equations) else Equations(model)
        for eq in self.equations.values():
            if eq.kind != "parameter":
                raise NotImplementedError(
                    f"Synapses '{self.name}': '{eq}' is a {eq.kind}; synapses support "
                    f"parameters (such as 'w : volt') for now, not differential equations "
                    f"or subexpressions.")
            if eq.name in ("i", "j", "delay", "lastupdate", "N_incoming", "N_outgoing") or \
                    eq.name in source._arrays or eq.name in target._arrays:
                raise EquationError(
                    f"Synapses '{self.name}': the synaptic variable '{eq.name}' has the name "
                    f"of a variable of the source or target group, or of a built-in one; "
                    f"rename it (use '{eq.name}_post' to refer to the target's).")
        self.on_pre = parse_statements(on_pre, "on_pre") if on_pre else ()
        self.method = method
        self.namespace = namespace
        self._arrays = {eq.name: np.zeros(0, dtype=DTYPES[eq.dtype])
                        for eq in self.equations.values()}
        self._arrays["_pre"] = np.zeros(0, dtype=np.int32)
        self._arrays["_post"] = np.zeros(0, dtype=np.int32)
        if self.on_pre:
            self._arrays["delay"] = np.zeros(0)
            self._arrays.update(_order=np.zeros(0, dtype=np.int32),
                                _offsets=np.zeros(source.N + 1, dtype=np.int64),
                                _delay_steps=np.zeros(0, dtype=np.int32),
                                _post_sorted=np.zeros(0, dtype=np.int32),
                                _history=np.zeros(source.N + 1, dtype=np.int32))
        self._delay = 0.0 if delay is None else check_time(delay, "The delay of Synapses")
        self._run_constants = {"_depth": 1, "_dmin": 0, "_dmax": 0}
        self._connections = 0
        self._queue_for = None      # (synapses, dt) the queue arrays were made for
        self._externals, self._external_dims = {}, {}
        self._dirty = set()
        self._pending = None
        self._initialized = True

    # -- names and units -----------------------------------------------------------------
    def _dims_and_types(self):
        dims, types = {}, {}
        for eq in self.equations.values():
            dims[eq.name], types[eq.name] = eq.dim, eq.dtype
        for name in _INTERNAL:
            dims[name], types[name] = DIMENSIONLESS, "integer"
        dims["delay"], types["delay"] = TIME, "float"
        dims.update(t=TIME, dt=TIME, N=DIMENSIONLESS)
        types.update(t="float", dt="float", N="integer")
        dims["i"], dims["j"] = DIMENSIONLESS, DIMENSIONLESS
        types["i"], types["j"] = "integer", "integer"
        return dims, types

    def _neuron_names(self):
        """name -> (where, group, variable) for every pre- and postsynaptic
        name a statement may use: ``x_pre``, ``x_post`` and unsuffixed
        postsynaptic ones (synaptic variables take precedence)."""
        names = {}
        for where, group, suffixes in (("pre", self.source, ("_pre",)),
                                       ("post", self.target, ("_post", ""))):
            for var in group._arrays:
                for suffix in suffixes:
                    if var + suffix not in self._arrays:
                        names[var + suffix] = (where, group, var)
        return names

    def before_run(self, namespace):
        """Check ``on_pre`` against the units of every name it uses, and
        prepare the synapses' order and delays for the run."""
        try:
            dims, types = self._dims_and_types()
            neuron = self._neuron_names()
            for name, (_, group, var) in neuron.items():
                gdims, gtypes = group._dims_and_types()
                dims[name], types[name] = gdims[var], gtypes[var]
            used = set()
            for st in self.on_pre:
                used |= st.expr.identifiers | {st.target}
            values = resolve_external(sorted(used - set(dims)), self.namespace, namespace)
            constants = {}
            for name, value in values.items():
                dims[name] = get_dimensions(value)
                types[name] = "boolean" if isinstance(value, (bool, np.bool_)) else "float"
                constants[name] = float(np.asarray(value))
            writable = {n for n in self.equations if "constant" not in self.equations[n].flags}
            writable |= {n for n, (_, group, var) in neuron.items()
                         if "constant" not in getattr(group.equations.get(var), "flags", ())}
            check_statements(self.on_pre, dims, types, writable=writable, constants=constants,
                             context="on_pre")
        except NeurocodegenError as exc:
            raise _in_group(self, exc) from None
        self._external_dims = {n: dims[n] for n in values}
        self._externals = constants
        self._used = used
        if self.on_pre and self._queue_for != (len(self), self.clock.dt_):
            self._prepare_queue()

    def _prepare_queue(self):
        """Synapses sorted by (presynaptic neuron, delay, postsynaptic neuron,
        creation), with the offsets of each neuron's synapses: a thread finds
        the synapses of a spike, a delay and its own target neurons by binary
        search, and each target neuron still receives its effects in Brian's
        order (effects on different neurons commute). Delays in steps,
        rounded as Brian rounds them; a spike history deep enough for the
        longest delay while threads run up to the shortest delay apart."""
        dt = self.clock.dt_
        steps = np.floor(self._arrays["delay"] / dt + 0.5).astype(np.int32)
        pre, post = self._arrays["_pre"], self._arrays["_post"]
        order = np.lexsort((np.arange(len(pre)), post, steps, pre)).astype(np.int32)
        offsets = np.zeros(self.source.N + 1, dtype=np.int64)
        np.cumsum(np.bincount(pre, minlength=self.source.N), out=offsets[1:])
        for name, value in (("_order", order), ("_delay_steps", steps[order]),
                            ("_offsets", offsets), ("_post_sorted", post[order])):
            if not np.array_equal(self._arrays[name], value):
                self._arrays[name] = value
                self._dirty.add(name)
        dmin = int(steps.min()) if len(steps) else 0
        dmax = int(steps.max()) if len(steps) else 0
        depth = max(dmax + max(dmin, 1) + 1, self._run_constants["_depth"])
        if depth != self._run_constants["_depth"]:
            self._arrays["_history"] = _deeper_history(self._arrays["_history"],
                                                       self._run_constants["_depth"], depth,
                                                       self.source.N, self.clock.t_ / dt)
            self._dirty.add("_history")
        self._run_constants = {"_depth": depth, "_dmin": dmin, "_dmax": dmax}
        self._queue_for = (len(self), dt)

    # -- the protocol of simulation objects ------------------------------------------------
    def spec(self, period):
        if period != 1 or self.source.clock.dt_ != self.clock.dt_:
            raise NotImplementedError(f"Synapses '{self.name}' must have the dt of the network "
                                      f"and of its source group (for now).")
        neuron = self._neuron_names()
        names = []
        for name in sorted(self._used & (set(self.equations) | set(neuron))):
            if name in self.equations:
                eq = self.equations[name]
                names.append((name, "synapse", name, eq.dtype, "shared" in eq.flags))
            else:
                where, group, var = neuron[name]
                _, dtype, shared = group.variable_table()[var]
                names.append((name, where, var, dtype, shared))
        return SynapsesSpec(name=self.name, source=self.source.name, source_N=self.source.N,
                            target=self.target.name, target_N=self.target.N,
                            equations=self.equations, on_pre=tuple(self.on_pre),
                            names=tuple(names), externals=tuple(sorted(self._externals)),
                            rng_id=self._rng_id, period=period, order=self.order)

    def dependencies(self):
        return (self.source, self.target)

    def array(self, name):
        return self._arrays[name]

    def constant(self, name):
        if name == "N":
            return len(self)
        if name == "dt":
            return self.clock.dt_
        if name in self._run_constants:
            return self._run_constants[name]
        return self._externals[name]

    def wrap_error(self, exc):
        return _in_group(self, exc)

    # -- creating synapses --------------------------------------------------------------------
    def connect(self, condition=None, i=None, j=None, p=1.0, n=1, skip_if_invalid=False,
                namespace=None, level=0):
        """Create synapses: ``connect()`` all to all; ``connect(i=..., j=...)``
        the given pairs; ``connect(condition='i != j', p=0.1)`` the pairs for
        which the condition holds, each with probability ``p``; ``n`` synapses
        for each pair. Pairs are created in order of ``i``, then ``j``; random
        choices come from the seeded counter-based generator (see ``seed``)."""
        if self._pending:
            raise NotImplementedError(f"Cannot connect '{self.name}' after a run in standalone "
                                      f"mode.")
        if isinstance(j, str):
            raise NotImplementedError(f"Synapses '{self.name}': the generator syntax "
                                      f"j='...' is not supported yet; use condition=.")
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"connect(n={n!r}) of '{self.name}' must be a non-negative "
                             f"integer.")
        if isinstance(p, str) or not 0 <= float(p) <= 1:
            raise ValueError(f"connect(p={p!r}) of '{self.name}' must be a probability, a "
                             f"number in [0, 1] (expressions for p are not supported yet).")
        n_pre, n_post = self.source.N, self.target.N
        if i is not None or j is not None:
            if condition is not None or i is None or j is None:
                raise TypeError(f"connect() of '{self.name}': give both i and j (arrays of "
                                f"indices), or a condition.")
            pre, post = np.broadcast_arrays(np.asarray(i), np.asarray(j))
            pre, post = pre.ravel(), post.ravel()
            for what, values, size, group in (("i", pre, n_pre, self.source),
                                              ("j", post, n_post, self.target)):
                if values.size and (values.dtype.kind not in "iu"):
                    raise TypeError(f"connect({what}=...) of '{self.name}' must be integer "
                                    f"indices, got {values.dtype}.")
                bad = (values < 0) | (values >= size)
                if bad.any():
                    if not skip_if_invalid:
                        raise IndexError(
                            f"connect({what}=...) of '{self.name}': index {values[bad][0]} is "
                            f"out of range for '{group.name}' ({size} neurons: 0..{size - 1}).")
            keep = (pre >= 0) & (pre < n_pre) & (post >= 0) & (post < n_post)
            pre, post = pre[keep], post[keep]
            if float(p) < 1:
                pre, post = self._sample(pre, post, float(p))
        else:
            frame = sys._getframe(level + 1)
            pre, post = self._pairs(condition, float(p), namespace, frame)
        if n != 1:
            pre, post = np.repeat(pre, n), np.repeat(post, n)
        self._append(pre.astype(np.int32), post.astype(np.int32))

    def _sample(self, pre, post, p):
        """Keep each pair with probability p, drawn by (pair, connect call)."""
        key, step = random_state.assignment_key()
        self._connections += 1
        index = pre.astype(np.uint64) * np.uint64(self.target.N) + post.astype(np.uint64)
        u = ncg_random.rand_at(key, index, step, stream(self._rng_id, KIND_CONNECT, 0))
        return pre[u < p], post[u < p]

    def _pairs(self, condition, p, namespace, frame):
        """The pairs (i, j) where ``condition`` holds, drawn with probability p,
        evaluated a block of presynaptic neurons at a time."""
        n_pre, n_post = self.source.N, self.target.N
        expr = None
        if isinstance(condition, str):
            expr = parse_expression(condition, f"connect(condition=...) of '{self.name}'")
        elif condition not in (None, True):
            raise TypeError(f"connect(condition=...) of '{self.name}' must be a string, "
                            f"got {condition!r}.")
        if expr is not None:
            evaluate_at = self._condition(expr, namespace, frame)
        found_pre, found_post = [], []
        block = max(1, (1 << 22) // max(1, n_post))
        key, step = random_state.assignment_key()
        tag = stream(self._rng_id, KIND_CONNECT, 0)
        for first in range(0, n_pre, block):
            ii, jj = np.meshgrid(np.arange(first, min(n_pre, first + block)),
                                 np.arange(n_post), indexing="ij")
            ii, jj = ii.ravel(), jj.ravel()
            keep = np.ones(ii.size, dtype=bool) if expr is None else \
                np.array(evaluate_at(ii, jj), dtype=bool)
            if p < 1:
                index = ii.astype(np.uint64) * np.uint64(n_post) + jj.astype(np.uint64)
                keep &= ncg_random.rand_at(key, index, step, tag) < p
            found_pre.append(ii[keep])
            found_post.append(jj[keep])
        return np.concatenate(found_pre), np.concatenate(found_post)

    def _condition(self, expr, namespace, frame):
        """A function (i, j) -> bool array for the condition ``expr``."""
        dims, types = self._dims_and_types()
        neuron = {n: v for n, v in self._neuron_names().items() if n.endswith(("_pre", "_post"))}
        for name, (_, group, var) in neuron.items():
            gdims, gtypes = group._dims_and_types()
            dims[name], types[name] = gdims[var], gtypes[var]
        external = sorted(expr.identifiers - set(dims))
        caller = {**frame.f_globals, **frame.f_locals}
        values = {"N_pre": self.source.N, "N_post": self.target.N}
        dims.update(N_pre=DIMENSIONLESS, N_post=DIMENSIONLESS)
        types.update(N_pre="integer", N_post="integer")
        try:
            for name, value in resolve_external([n for n in external if n not in values],
                                                self.namespace if namespace is None
                                                else namespace, caller).items():
                dims[name], values[name] = get_dimensions(value), float(np.asarray(value))
                types[name] = "float"
            if infer_type(expr, types) != "boolean":
                raise EquationError(f"The condition '{expr.code}' of connect() must be a "
                                    f"boolean expression (such as 'i != j').")
            infer_dimension(expr, dims, values)
        except NeurocodegenError as exc:
            raise _in_group(self, exc) from None

        def at(ii, jj):
            here = dict(values, i=ii, j=jj)
            for name, (where, group, var) in neuron.items():
                if name in expr.identifiers:
                    here[name] = group._arrays[var][ii if where == "pre" else jj]
            return np.broadcast_to(evaluate(expr, here), ii.shape)
        return at

    def _append(self, pre, post):
        old = len(self)
        self._arrays["_pre"] = np.concatenate([self._arrays["_pre"], pre])
        self._arrays["_post"] = np.concatenate([self._arrays["_post"], post])
        for name in self.equations:
            self._arrays[name] = np.concatenate([self._arrays[name],
                                                 np.zeros(len(pre), self._arrays[name].dtype)])
        if "delay" in self._arrays:
            self._arrays["delay"] = np.concatenate([self._arrays["delay"],
                                                    np.full(len(pre), self._delay)])
        self._dirty.update(n for n in self._arrays if not n.startswith("_") or
                           n in ("_pre", "_post"))
        return old

    # -- reading and writing synaptic variables --------------------------------------------------
    def __len__(self):
        return len(self._arrays["_pre"])

    @property
    def N(self):
        return len(self)

    def __getattr__(self, name):
        if name.startswith("_") or "_arrays" not in self.__dict__:
            raise AttributeError(name)
        if name in ("i", "j"):
            self._check_available(name)
            return self._arrays["_pre" if name == "i" else "_post"].copy()
        key, plain = split_plain(name, self._arrays)
        if key in self._arrays:
            self._check_available(key)
            dim = self._dims_and_types()[0][key]
            values = self._arrays[key]
            return values if plain or dim is DIMENSIONLESS else Quantity(values, dim=dim)
        raise AttributeError(f"Synapses '{self.name}' have no variable '{name}'.")

    def _check_available(self, name):
        if self._pending:
            raise NotImplementedError(self._pending.format(what=f"{self.name}.{name}"))

    def __setattr__(self, name, value):
        if "_initialized" not in self.__dict__ or name.startswith("_"):
            return super().__setattr__(name, value)
        key, plain = split_plain(name, self._arrays)
        if key not in self._arrays or key.startswith("_"):
            if hasattr(type(self), name) or name in self.__dict__:
                return super().__setattr__(name, value)
            raise AttributeError(f"Synapses '{self.name}' have no variable '{name}'.")
        self._assign(key, value, sys._getframe(1), check_units=not plain)

    def _assign(self, name, value, frame, check_units=True):
        if self._pending:
            raise NotImplementedError(f"Cannot set {self.name}.{name} after a run in "
                                      f"standalone mode (yet).")
        dim = self._dims_and_types()[0][name]
        if isinstance(value, str):
            expr = parse_expression(value, f"assignment to {self.name}.{name}")
            result = self._evaluate(expr, frame, f"{self.name}.{name} = '{value}'", dim)
        else:
            if check_units and get_dimensions(value) is not dim:
                raise DimensionMismatchError(
                    f"Cannot set {self.name}.{name} (unit {_fmt(dim)}) to {value!r} "
                    f"(unit {_fmt(get_dimensions(value))}).", dim, get_dimensions(value))
            result = np.asarray(value)
        result = np.asarray(result)
        if result.ndim > 1 or (result.ndim == 1 and result.shape[0] not in (1, len(self))):
            raise ValueError(f"Cannot set {self.name}.{name} ({len(self)} synapses) from an "
                             f"array of shape {result.shape}.")
        self._arrays[name][:] = result
        self._dirty.add(name)
        if name == "delay":
            self._queue_for = None

    def _evaluate(self, expr, frame, what, expected_dim):
        """A string expression over the synapses, in numpy: synaptic
        variables, ``i``, ``j``, ``x_pre``, ``x_post``, constants, rand()."""
        dims, types = self._dims_and_types()
        neuron = self._neuron_names()
        values = {"i": self._arrays["_pre"], "j": self._arrays["_post"], "N": len(self),
                  "t": self.clock.t_, "dt": self.clock.dt_}
        for name in self.equations:
            values[name] = self._arrays[name]
        if "delay" in self._arrays:
            values["delay"] = self._arrays["delay"]
        for name, (where, group, var) in neuron.items():
            if name in expr.identifiers:
                gdims, gtypes = group._dims_and_types()
                dims[name], types[name] = gdims[var], gtypes[var]
                index = self._arrays["_pre" if where == "pre" else "_post"]
                values[name] = group._arrays[var][index]
        caller = {**frame.f_globals, **frame.f_locals}
        try:
            external = sorted(expr.identifiers - set(dims))
            for name, value in resolve_external(external, self.namespace, caller).items():
                dims[name], values[name] = get_dimensions(value), float(np.asarray(value))
                types[name] = "float"
            dim = infer_dimension(expr, dims, values)
        except NeurocodegenError as exc:
            raise _in_group(self, exc) from None
        if dim is not expected_dim:
            raise DimensionMismatchError(
                f"Inconsistent units in '{what}': the expression has unit {_fmt(dim)} but "
                f"the variable has unit {_fmt(expected_dim)}.", dim, expected_dim)
        key, step = random_state.assignment_key()
        draws = iter(range(4096))
        size = len(self)

        def rand():
            return ncg_random.rand(key, size, step,
                                   stream(self._rng_id, KIND_ASSIGN, next(draws)))

        def randn():
            return ncg_random.randn(key, size, step,
                                    stream(self._rng_id, KIND_ASSIGN, next(draws)))

        return evaluate(expr, values, rand=rand, randn=randn)

    def variable_table(self):
        """name -> (array, model type, shared) of the synaptic variables."""
        return {eq.name: (self._arrays[eq.name], eq.dtype, "shared" in eq.flags)
                for eq in self.equations.values()}

    def __repr__(self):
        return (f"<Synapses {self.name!r} from {self.source.name!r} to {self.target.name!r}: "
                f"{len(self)} synapses>")


def _deeper_history(history, depth, new_depth, n, step):
    """The spike history ring re-laid for ``new_depth`` steps, keeping the
    spikes of the last ``depth`` steps before ``step`` where they belong."""
    width = n + 1
    out = np.zeros(new_depth * width, dtype=np.int32)
    step = int(round(step))
    for back in range(1, min(depth, step) + 1):
        s = step - back
        out[(s % new_depth) * width:(s % new_depth + 1) * width] = \
            history[(s % depth) * width:(s % depth + 1) * width]
    return out
