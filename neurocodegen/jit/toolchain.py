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

#: Flags for the generated kernels. ``-march=native`` lets the compiler use
#: the vector units of this CPU (the random-number loops need them; Brian2 uses
#: it too), so the CPU's identity is part of the cache key.
#: ``-ffp-contract=off`` keeps the arithmetic the same whatever instructions
#: are chosen, so the bits do not depend on the vector width.
CXXFLAGS = ("-std=c++17", "-O3", "-march=native", "-fPIC", "-fno-math-errno", "-fno-trapping-math",
            "-ffp-contract=off", "-fvisibility=hidden")
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
        return dict(self._fingerprint())

    @functools.lru_cache(maxsize=None)
    def _fingerprint(self):
        # once a process, and without importing Cython (11 ms) or running
        # `uname -p` (platform.platform(): 4 ms): a warm process's first
        # run() pays for both otherwise
        import numpy
        from .. import __version__
        return {
            "neurocodegen": __version__,
            "python": sys.implementation.cache_tag,
            "abi": self.ext_suffix,
            "platform": "-".join([platform.system(), platform.release(), platform.machine(),
                                  *platform.libc_ver()]),
            "machine": platform.machine(),
            "cpu": cpu_identity(),
            "numpy": numpy.__version__,
            "cython": _cython_version(),
            "compiler": self.compiler,
            "compiler_version": self.version,
            "cxxflags": list(self.cxxflags),
            "ldflags": list(self.ldflags),
            "include_dirs": list(self.include_dirs),
        }


def _cython_version():
    """The installed Cython's version, read from its ``Shadow.py`` (where
    ``Cython.__version__`` comes from) without importing Cython (11 ms) or
    ``importlib.metadata`` (35 ms in a process that had not imported it)."""
    import importlib.util
    import re
    spec = importlib.util.find_spec("Cython")     # finds the package, runs none of it
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            try:
                with open(os.path.join(folder, "Shadow.py"), encoding="utf-8") as f:
                    found = re.search(r'^__version__ = ["\']([^"\']+)["\']', f.read(4096),
                                      re.MULTILINE)
            except OSError:
                continue
            if found:
                return found.group(1)
    import Cython                                  # a layout this does not know
    return Cython.__version__


@functools.lru_cache(maxsize=None)
def cpu_identity():
    """What ``-march=native`` depends on: the CPU model and its feature flags."""
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().splitlines()
        wanted = [l for l in lines if l.startswith(("model name", "flags", "Features",
                                                     "CPU part"))]
        seen = list(dict.fromkeys(wanted))
        import hashlib
        return hashlib.sha256("\n".join(seen).encode()).hexdigest()[:16]
    except OSError:
        return platform.processor() or platform.machine()


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
