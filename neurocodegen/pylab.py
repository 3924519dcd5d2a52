"""The plotting names of Brian's star import (``plot``, ``xlabel``, ``hist``,
..., and ``plt``), importing matplotlib only when one is first used, so that
``import neurocodegen`` stays fast."""

PYPLOT_NAMES = (
    "plot", "xlabel", "ylabel", "title", "legend", "figure", "subplot", "subplots",
    "axvline", "axhline", "hist", "rc", "show", "savefig", "xlim", "ylim", "scatter",
    "errorbar", "bar", "imshow", "colorbar", "grid", "tight_layout", "close", "gca",
    "gcf", "text", "fill_between", "semilogx", "semilogy", "loglog", "axis",
    "xticks", "yticks", "suptitle", "twinx", "clf", "cla", "ion", "ioff",
)


def _pyplot():
    import matplotlib.pyplot
    return matplotlib.pyplot


def _lazy(name):
    def function(*args, **kwargs):
        return getattr(_pyplot(), name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"matplotlib.pyplot.{name} (matplotlib is imported on first use)."
    return function


for _name in PYPLOT_NAMES:
    globals()[_name] = _lazy(_name)


class _Pyplot:
    """``plt``: matplotlib.pyplot, imported when one of its names is first used."""

    def __getattr__(self, name):
        return getattr(_pyplot(), name)

    def __dir__(self):
        return dir(_pyplot())

    def __repr__(self):
        return "<matplotlib.pyplot, imported on first use>"


plt = _Pyplot()

__all__ = [*PYPLOT_NAMES, "plt"]
