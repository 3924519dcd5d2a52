"""Backends: each prints the kernel IR for one target and loads the result.

A backend is a folder with a class that has

- ``name``: how ``prefs.codegen.target`` names it;
- ``fingerprint()``: what besides the IR shapes its generated code (its
  templates, its printer's version); part of the lowering memo's key;
- ``generate(program)``: the IR program as JSON-able data (sources, the
  argument table), which the memo stores so that a warm run needs neither
  sympy nor the printer;
- ``load(generated)``: an object with ``bind(array, constant)`` (the run's
  arrays and constants, from functions of ``(object, name)`` references)
  and ``run(arrays, constants, seed, step, end)`` (advance the network;
  returns the step reached, earlier than ``end`` when a growable buffer
  needs room).

Running in this process or as a standalone program is the device's choice
(``runtime/device.py``), not the backend's. See ``docs/architecture.md``.
"""
import importlib

#: target name -> module that defines its backend class as ``Backend``
_TARGETS = {"cython": "cpu", "cpp": "cpu", "auto": "cpu", "numpy": "numpy"}
_instances = {}


def get_backend(target):
    """The backend for ``prefs.codegen.target`` = ``target``."""
    if target not in _TARGETS:
        raise ValueError(f"Unknown code generation target {target!r}; use one of "
                         f"{', '.join(repr(t) for t in sorted(_TARGETS))}.")
    folder = _TARGETS[target]
    if folder not in _instances:
        module = importlib.import_module(f"{__name__}.{folder}")
        _instances[folder] = module.Backend()
    return _instances[folder]
