"""The exception hierarchy of neurocodegen.

Every error we raise derives from :class:`NeurocodegenError` and also from the
builtin exception a Python user would naturally catch (``ValueError``,
``SyntaxError``, ``NameError``, ...). Messages quote the user's own expression
and units, never our internals.
"""


class NeurocodegenError(Exception):
    """Base class of every error raised by neurocodegen."""


class DimensionMismatchError(NeurocodegenError, ValueError):
    """Quantities or expressions whose physical dimensions do not agree.

    ``dims`` holds the :class:`~neurocodegen.units.dimensions.Dimension`
    objects involved, for programs that want to inspect them.
    """

    def __init__(self, message, *dims):
        super().__init__(message)
        self.message = message
        self.dims = dims

    def __str__(self):
        return self.message


class UnitError(NeurocodegenError, ValueError):
    """A unit name or unit expression that cannot be understood."""


class ExpressionSyntaxError(NeurocodegenError, SyntaxError):
    """A model string that our grammar does not accept.

    ``str(err)`` is a complete, readable message: what was being parsed, the
    user's text, and a caret line pointing at the offending part.
    """

    def __init__(self, message, text=None, offset=None, lineno=1):
        super().__init__(message, ("<model>", lineno, offset, text))
        self.message = message

    def __str__(self):
        return self.message


class EquationError(NeurocodegenError, ValueError):
    """A model description that parses but is not a valid model
    (duplicate or reserved names, unknown flags, wrong types, ...)."""


class PreferenceError(NeurocodegenError, KeyError):
    """A name in ``prefs`` that is not one of Brian's preferences."""

    def __str__(self):
        return str(self.args[0])


class UndefinedNameError(NeurocodegenError, NameError):
    """An identifier in a model string that is neither a model variable nor
    found in the namespace."""


class IntegrationError(NeurocodegenError, ValueError):
    """A numerical integration method that cannot integrate the equations
    it was asked to (the message says why)."""


class FunctionImplementationError(NeurocodegenError, NotImplementedError):
    """A user's function called in compiled code has no C++ implementation."""


class CompilationError(NeurocodegenError, RuntimeError):
    """The C++ compiler (or Cython) failed on generated code.

    Carries the command line, the path of the generated source and the
    compiler's own output.
    """

    def __init__(self, message, command=None, source_path=None, log=None):
        super().__init__(message)
        self.command = command
        self.source_path = source_path
        self.log = log


class CacheError(NeurocodegenError, OSError):
    """The compile cache could not be used (lock timeout, unwritable, ...)."""


class SimulationError(NeurocodegenError, RuntimeError):
    """Something went wrong while a simulation was running."""


class StandaloneError(SimulationError):
    """A standalone program failed to run, or its results are missing or
    damaged (see :mod:`neurocodegen.standalone.program`)."""


class LockTimeoutError(CacheError):
    """Another process held a key's compile lock for longer than the timeout."""


class MonitorMemoryError(SimulationError, MemoryError):
    """A StateMonitor would need more memory than the machine has."""


class NumericalFaultError(SimulationError):
    """NaN or inf in a group's state: ``group``, ``variable``, ``index``
    (first neuron) and ``t`` (seconds) say where and when."""

    def __init__(self, message, group, variable, index, t):
        super().__init__(message)
        self.group, self.variable, self.index, self.t = group, variable, index, t
