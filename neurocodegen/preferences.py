"""``prefs``: Brian's preference tree, with the settings we honour.

``prefs.codegen.target`` chooses the backend of the runtime mode:
``'cython'`` (the default; C++ compiled through Cython, also ``'cpp'``) or
``'numpy'`` (vectorised numpy, no compiler needed). A setting we do not know
is kept and logged once at INFO level, so that a Brian script that sets one
still runs.
"""
import logging

logger = logging.getLogger("neurocodegen.prefs")

_CHECKS = {
    "codegen.target": ("'cython', 'cpp' or 'numpy'", lambda v: v in ("cython", "cpp", "numpy")),
}
_DEFAULTS = {"codegen.target": "cython"}


class Preferences:
    """One level of the tree: ``prefs.codegen`` is another :class:`Preferences`."""

    def __init__(self, path=""):
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_values", {})

    def _full(self, name):
        return f"{self._path}.{name}" if self._path else name

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        full = self._full(name)
        if full in self._values:
            return self._values[full]
        if full in _DEFAULTS:
            return _DEFAULTS[full]
        child = Preferences(full)
        object.__setattr__(child, "_values", self._values)
        return child

    def __setattr__(self, name, value):
        full = self._full(name)
        if full in _CHECKS:
            what, ok = _CHECKS[full]
            if not ok(value):
                raise ValueError(f"prefs.{full} must be {what}, got {value!r}.")
        elif full not in self._values:
            logger.info("prefs.%s = %r is a Brian setting neurocodegen does not use; "
                        "it is kept and has no effect.", full, value)
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
        setattr(node, last, value)

    def reset_to_defaults(self):
        self._values.clear()

    def __repr__(self):
        return f"<prefs{'.' + self._path if self._path else ''}>"


prefs = Preferences()
