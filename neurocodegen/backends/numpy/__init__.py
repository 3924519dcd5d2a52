"""The numpy backend (``prefs.codegen.target = 'numpy'``): kernels printed
as whole-array numpy statements in one Python function. It needs no
compiler, runs everywhere numpy does, and is the oracle the C++ kernels are
tested against; it is much slower per time step than C++."""
import hashlib
import linecache

import numpy

from ..layout import Layout
from . import support


class Backend:
    name = "numpy"

    def fingerprint(self):
        return "numpy"      # the printer's code is in the compiler fingerprint

    def generate(self, program):
        """{"code": Python source, "layout": argument table} of ``program``."""
        from .kernels import generate
        layout, code = generate(program)
        return {"code": code, "layout": layout.to_json()}

    def load(self, generated):
        return NumpyLoop(generated["code"], Layout.from_json(generated["layout"]))


class NumpyLoop:
    """The run function of one network, compiled from its Python source (kept
    in ``linecache``, so that tracebacks show the generated lines)."""

    def __init__(self, code, layout):
        self.layout = layout
        filename = f"<neurocodegen numpy {hashlib.sha256(code.encode()).hexdigest()[:12]}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        namespace = {"numpy": numpy, "_support": support}
        exec(compile(code, filename, "exec"), namespace)
        self.function = namespace["run"]

    def bind(self, array, constant):
        return self.layout.bind(array, constant)

    def run(self, arrays, constants, seed, step, end):
        with numpy.errstate(all="ignore"):     # NaN and inf are reported after the chunk
            return self.function(arrays, constants, seed, step, end)
