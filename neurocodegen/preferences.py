"""``prefs``: Brian's preference tree, with the settings we honour.

Every preference of Brian 2.9 can be read and set, by attribute
(``prefs.codegen.target``) or by name (``prefs['codegen.target']``). We honour:

- ``codegen.target``: the backend of the runtime mode, ``'cython'`` (the
  default; C++ compiled through Cython, also ``'cpp'`` and Brian's
  ``'auto'``) or ``'numpy'`` (vectorised numpy, no compiler needed);
- ``devices.cpp_standalone.openmp_threads``: the threads of a standalone run
  when ``set_device`` does not name them (0, Brian's default, is one thread);
- ``core.default_float_dtype``: ``float64``, the only one we compute in.

Setting any other of Brian's preferences (or ``float32``) is accepted and
logged once at INFO level, saying what neurocodegen does instead; a name
that is not one of Brian's is a :class:`PreferenceError`.
"""
import difflib
import logging

import numpy as np

from .errors import PreferenceError

logger = logging.getLogger("neurocodegen.prefs")

# What we do instead of the settings we do not use, by group of preferences.
_TOOLCHAIN = ("neurocodegen compiles with its own compiler flags (-O3 -march=native ..., "
              "neurocodegen/jit/toolchain.py) and compile cache (NEUROCODEGEN_CACHE_DIR)")
_STANDALONE = ("the standalone program is built with neurocodegen's own Makefile and run "
               "by device.run(); its threads are set_device(..., threads=K)")
_LOGGING = ("neurocodegen logs through Python's logging module (loggers under "
            "'neurocodegen'), configured as any Python logging")


class _Preference:
    """One of Brian's preferences: its default, and either ``check`` (we use
    it: a function returning an error text for a bad value, else None) or
    ``instead`` (what we do instead, logged when it is set)."""

    def __init__(self, default, instead=None, check=None, honoured=None):
        self.default, self.instead, self.check = default, instead, check
        self.honoured = honoured or (lambda value: instead is None)


def _target(value):
    if value not in ("cython", "cpp", "auto", "numpy"):
        return f"'cython', 'cpp', 'auto' or 'numpy', got {value!r}"
    return None


def _threads(value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < 0:
        return f"a whole number of threads (0 or more), got {value!r}"
    return None


def _is_float64(value):
    try:
        return np.dtype(value) == np.float64
    except TypeError:
        return False


_PREFERENCES = {
    "codegen.target": _Preference("cython", check=_target),
    "devices.cpp_standalone.openmp_threads": _Preference(0, check=_threads),
    "core.default_float_dtype": _Preference(
        np.float64, "neurocodegen computes in float64", honoured=_is_float64),
    "core.default_integer_dtype": _Preference(
        np.int32, "integer model variables are int32, and indices what the code needs"),
    "core.network.default_schedule": _Preference(
        ["start", "groups", "thresholds", "synapses", "resets", "end"],
        "objects run in Brian's default schedule, chosen with when= and order="),
    "core.outdated_dependency_error": _Preference(True, "dependencies are checked when "
                                                  "neurocodegen is installed"),
    "core.stop_on_keyboard_interrupt": _Preference(True, "Ctrl-C stops a run between "
                                                   "chunks of steps"),
    "legacy.refractory_timing": _Preference(False, "refractoriness is timed as in Brian 2's "
                                            "default (legacy.refractory_timing = False)"),
    "codegen.string_expression_target": _Preference(
        "numpy", "string assignments such as G.v = '...' are evaluated with numpy"),
    "codegen.loop_invariant_optimisations": _Preference(
        True, "loop invariants are always hoisted out of the loops"),
    "codegen.max_cache_dir_size": _Preference(1000, _TOOLCHAIN),
    "codegen.runtime.numpy.discard_units": _Preference(
        False, "units are checked before a run and never enter the generated code"),
    "GSL.directory": _Preference(None, "the GSL integrators are not available; use "
                                 "method='exact', 'rk4', 'euler', ..."),
    **{f"codegen.cpp.{name}": _Preference(default, _TOOLCHAIN) for name, default in (
        ("compiler", ""), ("define_macros", []), ("extra_compile_args", None),
        ("extra_compile_args_gcc", ["-w", "-O3", "-ffast-math", "-fno-finite-math-only",
                                    "-march=native", "-std=c++11"]),
        ("extra_compile_args_msvc", ["/Ox", "/w", "", "/MP"]), ("extra_link_args", []),
        ("headers", []), ("include_dirs", []), ("libraries", []), ("library_dirs", []),
        ("msvc_architecture", ""), ("msvc_vars_location", ""),
        ("runtime_library_dirs", []))},
    "codegen.generators.cpp.flush_denormals": _Preference(False, _TOOLCHAIN),
    "codegen.generators.cpp.restrict_keyword": _Preference("__restrict", _TOOLCHAIN),
    "codegen.runtime.cython.cache_dir": _Preference(None, _TOOLCHAIN),
    "codegen.runtime.cython.delete_source_files": _Preference(
        True, "generated sources are kept beside their binaries (show_source(obj))"),
    "codegen.runtime.cython.multiprocess_safe": _Preference(
        True, "the compile cache is always safe for several processes (one lock per entry)"),
    **{f"devices.cpp_standalone.{name}": _Preference(default, _STANDALONE)
       for name, default in (
           ("extra_make_args_unix", ["-j"]), ("extra_make_args_windows", []),
           ("make_cmd_unix", "make"), ("openmp_spatialneuron_strategy", None),
           ("run_cmd_unix", "./main"), ("run_environment_variables", {"LD_BIND_NOW": "1"}))},
    **{f"logging.{name}": _Preference(default, _LOGGING) for name, default in (
        ("console_log_level", "INFO"), ("delete_log_on_exit", True),
        ("display_brian_error_message", True), ("file_log", True),
        ("file_log_level", "DEBUG"), ("file_log_max_size", 10000000),
        ("save_script", True), ("std_redirection", True),
        ("std_redirection_to_file", True))},
}


def _unknown(full):
    close = difflib.get_close_matches(full, _PREFERENCES, n=2)
    hint = f"; did you mean {' or '.join(f'prefs.{c}' for c in close)}?" if close else \
        " (the preferences are Brian 2's: codegen.*, core.*, devices.*, logging.*, ...)"
    return PreferenceError(f"prefs.{full} is not a preference{hint}")


class Preferences:
    """One level of the tree: ``prefs.codegen`` is another :class:`Preferences`."""

    def __init__(self, path="", values=None):
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_values", {} if values is None else values)

    def _full(self, name):
        return f"{self._path}.{name}" if self._path else name

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        full = self._full(name)
        if full in _PREFERENCES:
            return self._values.get(full, _PREFERENCES[full].default)
        if any(key.startswith(full + ".") for key in _PREFERENCES):
            return Preferences(full, self._values)
        raise _unknown(full)

    def __setattr__(self, name, value):
        full = self._full(name)
        preference = _PREFERENCES.get(full)
        if preference is None:
            raise _unknown(full)
        if preference.check is not None:
            problem = preference.check(value)
            if problem:
                raise ValueError(f"prefs.{full} must be {problem}.")
        elif not preference.honoured(value) and self._values.get(full, object()) != value:
            logger.info("prefs.%s = %r is a Brian setting without effect here: %s.",
                        full, value, preference.instead)
        self._values[full] = value

    def __getitem__(self, name):
        node = self
        for part in name.split("."):
            node = getattr(node, part)
        return node

    def __setitem__(self, name, value):
        *parents, last = name.split(".")
        node = self
        for part in parents:
            node = getattr(node, part)
        if not isinstance(node, Preferences):
            raise _unknown(name)
        setattr(node, last, value)

    def __dir__(self):
        prefix = self._path + "." if self._path else ""
        return sorted({key[len(prefix):].split(".")[0] for key in _PREFERENCES
                       if key.startswith(prefix)})

    def reset_to_defaults(self):
        self._values.clear()

    def __repr__(self):
        return f"<prefs{'.' + self._path if self._path else ''}>"


prefs = Preferences()
