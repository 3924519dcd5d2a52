"""The C++ CPU backend: kernels printed into one C++ run loop
(``templates/cpp``), compiled through Cython into an extension module (or
into a standalone program, see ``neurocodegen/standalone``)."""
from ..layout import Layout
from .templates import render, template_fingerprint


class Backend:
    name = "cpp"

    def fingerprint(self):
        return template_fingerprint()

    def generate(self, program):
        """{"sources": {file: text}, "layout": argument table} of ``program``."""
        from . import kernels
        from .contexts import ModuleSource
        layout, source = kernels.generate(program)
        sources = {"network.cpp": source,
                   "module.pyx": render("cython/module.pyx.j2", ModuleSource("network.cpp"))}
        # kernels whose effects would race between threads (synapses that
        # write presynaptic variables, ...) make the program run on one thread
        from ... import ir
        serial = any(ir.needs_one_thread(k) for k in program.kernels)
        return {"sources": sources, "layout": layout.to_json(), "serial": serial}

    def load(self, generated):
        """The compiled run loop (from the compile cache, built on a miss)."""
        from ...jit import cache
        return CompiledLoop(cache.get_module(generated["sources"], "module.pyx"),
                            Layout.from_json(generated["layout"]))


class CompiledLoop:
    """The run loop of one network in an extension module."""

    def __init__(self, module, layout):
        self.module, self.layout = module, layout

    def bind(self, array, constant):
        return self.layout.bind(array, constant)

    def run(self, arrays, constants, seed, step, end):
        return self.module.run(arrays, constants, seed, step, end)
