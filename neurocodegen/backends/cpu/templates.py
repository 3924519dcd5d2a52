"""The Jinja environment of the C++ backend: where the templates are, how
they are rendered, and their fingerprint. The only module that imports Jinja."""
import functools
from importlib import resources

#: The folder of this backend's templates, under templates/.
FOLDER = "cpp"


@functools.lru_cache(maxsize=None)
def template_root():
    """Where the templates are: the installed package ``neurocodegen.templates``
    or, in a source checkout that was not installed, ``templates/`` beside the
    package folder. Found once a process (each run() asks; finding it took
    0.3 ms)."""
    import importlib.util
    from pathlib import Path
    if importlib.util.find_spec("neurocodegen.templates") is not None:
        return resources.files("neurocodegen.templates")
    checkout = Path(__file__).resolve().parents[3] / "templates"
    if (checkout / FOLDER).is_dir():
        return checkout
    raise FileNotFoundError("neurocodegen's templates are missing from this installation; "
                            "reinstall the package.")


def _environment():
    from jinja2 import Environment, FunctionLoader, StrictUndefined

    root = template_root()

    def load(name):
        return (root / name).read_text()

    return Environment(loader=FunctionLoader(load), undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                       autoescape=False)


_env = None


def render(template, context):
    """Render ``template`` (a path under templates/) with ``context`` as ``c``."""
    global _env
    if _env is None:
        _env = _environment()
    return _env.get_template(template).render(c=context)


_fingerprints = {}    # the files' (name, size, mtime) -> their fingerprint


def template_fingerprint():
    """sha256 over every template file: part of the lowering memo's key.
    Remembered while no file's size or modification time changes (each
    run() asks: reading and hashing every template took 1 ms a run)."""
    import hashlib
    import os
    root = template_root()
    entries = [entry for folder in (FOLDER, "cython")
               for entry in sorted((root / folder).iterdir(), key=lambda p: p.name)]
    try:
        stamp = tuple((str(e), st.st_size, st.st_mtime_ns) for e in entries
                      for st in [os.stat(str(e))])
    except OSError:                    # not plain files (a zipped package): hash each time
        stamp = None
    if stamp is not None and stamp in _fingerprints:
        return _fingerprints[stamp]
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    if stamp is not None:
        _fingerprints.clear()
        _fingerprints[stamp] = digest.hexdigest()
    return digest.hexdigest()


def support_code():
    """The C++ support header, pasted into each generated source."""
    return (template_root() / FOLDER / "ncg_support.hpp").read_text()
