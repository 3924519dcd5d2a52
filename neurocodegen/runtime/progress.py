"""Progress reports for ``run(..., report=...)``.

``make_reporter(report)`` turns a ``report=`` argument into a callable with
Brian's signature ``report(elapsed, completed, start, duration)``
(``completed`` is the fraction done, 0..1, and the last call has
``completed == 1``). ``'progress'`` shows a tqdm progress bar on stderr
(``tqdm.auto``: a widget in a Jupyter notebook); without tqdm it falls back to
text lines on stderr and says so once.
"""
import sys
import warnings

__all__ = ["make_reporter", "ProgressBar", "TextProgress"]

_warned = {"tqdm": False}


def _tqdm():
    """``tqdm.auto.tqdm``, or None if tqdm is not installed."""
    try:
        with warnings.catch_warnings():
            # in a kernel without ipywidgets tqdm.auto warns and uses a text bar
            warnings.filterwarnings("ignore", message=".*IProgress not found.*")
            warnings.filterwarnings("ignore", message=".*notebook mode.*")
            from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def _seconds(value):
    return float(value)


class TextProgress:
    """Text lines on a stream: ``42% simulated in 1.3 s, estimated 2 s remaining.``"""

    def __init__(self, stream=None):
        self.stream = stream

    def __call__(self, elapsed, completed, start, duration):
        stream = self.stream if self.stream is not None else sys.stderr
        elapsed = _seconds(elapsed)
        if completed >= 1:
            text = f"100% simulated in {elapsed:.2f} s"
        elif completed > 0:
            remaining = elapsed / completed - elapsed
            text = (f"{completed:.0%} simulated in {elapsed:.1f} s, "
                    f"estimated {remaining:.0f} s remaining.")
        else:
            text = f"0% simulated in {elapsed:.1f} s"
        print(text, file=stream, flush=True)


class ProgressBar:
    """A tqdm progress bar over the simulated fraction of a run.

    The bar counts percent (0..100) so that it works for any run length; a
    new bar starts when a run begins again (``completed`` goes back to 0 or a
    different ``start``/``duration`` is reported)."""

    def __init__(self, tqdm, stream=None, **tqdm_kwargs):
        self._tqdm = tqdm
        self.stream = stream
        self.kwargs = tqdm_kwargs
        self._bar = None
        self._run = None
        self._shown = 0.0
        self._finished = None   # (run, elapsed) of the last completed bar

    def _open(self, run):
        self._close()
        self._run = run
        self._shown = 0.0
        kwargs = {"total": 100.0, "unit": "%", "desc": "simulating",
                  "file": self.stream if self.stream is not None else sys.stderr,
                  "bar_format": "{desc}: {percentage:3.0f}%|{bar}| "
                                "[{elapsed}<{remaining}]",
                  "leave": True} | self.kwargs
        self._bar = self._tqdm(**kwargs)

    def _close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __call__(self, elapsed, completed, start, duration):
        run = (int(start), int(duration))
        elapsed = _seconds(elapsed)
        if completed >= 1 and self._finished is not None and self._finished[0] == run \
                and elapsed >= self._finished[1]:
            return          # the final report repeated: that bar is complete already
        if self._bar is None or run != self._run or completed * 100.0 < self._shown:
            self._open(run)
        target = min(100.0, max(0.0, 100.0 * float(completed)))
        if target > self._shown:
            self._bar.update(target - self._shown)
            self._shown = target
        if completed >= 1:
            self._close()
            self._run = None
            self._finished = (run, elapsed)
        else:
            self._finished = None


def make_reporter(report, stream=None):
    """A callable ``report(elapsed, completed, start, duration)`` for
    ``report``: ``'progress'`` (a tqdm bar, falling back to text), ``'text'``
    / ``'stdout'`` / ``'stderr'`` (text lines), or a callable (returned as
    is). ``stream`` overrides where it writes."""
    if callable(report):
        return report
    if report == "progress":
        tqdm = _tqdm()
        if tqdm is not None:
            return ProgressBar(tqdm, stream=stream)
        if not _warned["tqdm"]:
            _warned["tqdm"] = True
            warnings.warn("report='progress' needs the tqdm package for a progress bar "
                          "(pip install tqdm); showing text progress instead.",
                          stacklevel=2)
        return TextProgress(stream)
    if report in ("text", "stdout"):
        return TextProgress(stream if stream is not None else sys.stdout)
    if report == "stderr":
        return TextProgress(stream if stream is not None else sys.stderr)
    raise ValueError(f"report must be 'progress', 'text', 'stdout', 'stderr' or a "
                     f"function, got {report!r}")
