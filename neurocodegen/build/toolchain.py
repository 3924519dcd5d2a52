"""Compiler discovery, flags, and the fingerprint of everything that can change
a binary besides its source.

Every setting that reaches the compiler is part of :func:`fingerprint`, which
enters the cache key: change a flag, the compiler, Python, NumPy, Cython or
neurocodegen itself, and a new module is built.
"""
import functools
import os
import platform
import shlex
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass

from ..errors import CompilationError

#: Flags for the generated kernels. ``-ffp-contract=off`` keeps the arithmetic
#: the same whatever instruction set the compiler targets, so the Python
#: extension and a standalone program produce the same bits.
CXXFLAGS = ("-std=c++17", "-O3", "-fPIC", "-fno-math-errno", "-ffp-contract=off",
            "-fvisibility=hidden")
LDFLAGS = ("-shared",)


@dataclass(frozen=True)
class Toolchain:
    """The compiler and the flags used for one build."""

    compiler: str
    version: str
    cxxflags: tuple
    ldflags: tuple
    include_dirs: tuple
    ext_suffix: str

    def compile_command(self, source, output):
        includes = [f"-I{d}" for d in self.include_dirs]
        return [self.compiler, *self.cxxflags, *includes, source,
                *self.ldflags, "-o", output]

    def fingerprint(self):
        """Everything besides the source that determines the binary."""
        import numpy
        import Cython
        from .. import __version__
        return {
            "neurocodegen": __version__,
            "python": sys.implementation.cache_tag,
            "abi": self.ext_suffix,
            "platform": platform.platform(),
            "machine": platform.machine(),
            "numpy": numpy.__version__,
            "cython": Cython.__version__,
            "compiler": self.compiler,
            "compiler_version": self.version,
            "cxxflags": list(self.cxxflags),
            "ldflags": list(self.ldflags),
            "include_dirs": list(self.include_dirs),
        }


def _find_compiler():
    """``$CXX`` if set, else the C++ compiler Python was built with, else g++/c++/clang++."""
    candidates = []
    if os.environ.get("CXX"):
        candidates.append(shlex.split(os.environ["CXX"])[0])
    configured = sysconfig.get_config_var("CXX")
    if configured:
        candidates.append(shlex.split(configured)[0])
    candidates += ["g++", "c++", "clang++"]
    for name in candidates:
        path = shutil.which(name)
        if path:
            return path
    raise CompilationError(
        "No C++ compiler found (looked for $CXX, " + ", ".join(candidates[-3:]) +
        "). Install one, e.g. 'apt-get install g++', or set CXX.")


@functools.lru_cache(maxsize=None)
def default_toolchain():
    compiler = _find_compiler()
    result = subprocess.run([compiler, "--version"], capture_output=True, text=True)
    version = (result.stdout or result.stderr).strip().splitlines()[0]
    include = sysconfig.get_paths()["include"]
    return Toolchain(compiler=compiler, version=version, cxxflags=CXXFLAGS,
                     ldflags=LDFLAGS, include_dirs=(include,),
                     ext_suffix=sysconfig.get_config_var("EXT_SUFFIX") or ".so")
