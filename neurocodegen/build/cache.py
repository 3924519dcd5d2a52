"""The compile cache: key, location, per-key lock, atomic publish, loading.

An entry is a folder ``<root>/<key[:2]>/<key>/`` holding the generated
sources, the compiled module and ``manifest.json`` (the key's inputs), which
is written last: an entry without a manifest is not an entry. Entries are
built in a temporary folder beside the root and moved into place with
``os.replace`` while holding a lock for that key, so concurrent processes that
compile the same model all succeed and the compiler runs once.
"""
import contextlib
import errno
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

from ..errors import CacheError, CompilationError
from . import cython_backend
from .toolchain import default_toolchain

logger = logging.getLogger("neurocodegen.build")

ENV_VAR = "NEUROCODEGEN_CACHE_DIR"
LOCK_TIMEOUT = 600.0  # seconds; a compile never takes that long

_loaded = {}          # key -> module, for this process
_private_root = None  # fallback when the configured cache is unusable
stats = {"compiled": 0, "loaded_from_disk": 0, "reused_in_process": 0}


def default_root():
    """The user's cache folder for neurocodegen (``$NEUROCODEGEN_CACHE_DIR`` overrides)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
        return Path(base) / "neurocodegen" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "neurocodegen"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "neurocodegen"


def _usable_root():
    """The configured root if we can write there, else one private temporary
    folder for this process (with one warning)."""
    global _private_root
    root = default_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=root, prefix=".probe-", delete=True)
        probe.close()
        return root
    except OSError as exc:
        if _private_root is None:
            _private_root = Path(tempfile.mkdtemp(prefix="neurocodegen-cache-"))
            warnings.warn(f"The compile cache {root} is not usable ({exc}); using the "
                          f"private folder {_private_root} for this process instead.",
                          RuntimeWarning, stacklevel=3)
        return _private_root


def compute_key(sources, toolchain):
    """sha256 over the sources and the toolchain fingerprint (sorted, so stable)."""
    payload = json.dumps({"sources": sources, "toolchain": toolchain.fingerprint()},
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


# -- the lowering memo ------------------------------------------------------
# Generating code needs sympy (0.25 s to import) and the integrators; a model
# that was generated before needs neither. The memo maps a description of the
# network (everything that shapes its code, no values) to the sources and the
# argument table. Entries are small JSON files, written atomically; a damaged
# one is ignored and rewritten.

def memo_key(description, templates):
    from .. import __version__
    payload = json.dumps({"network": description, "templates": templates,
                          "neurocodegen": __version__}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def load_memo(key):
    path = _usable_root() / "sources" / f"{key}.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    return data


def store_memo(key, data):
    folder = _usable_root() / "sources"
    try:
        folder.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".memo-")
        with os.fdopen(fd, "w") as f:
            json.dump({**data, "key": key}, f)
        os.replace(tmp, folder / f"{key}.json")
    except OSError as exc:  # the memo is an optimisation: never fail a run for it
        logger.debug("Could not store the lowering memo: %s", exc)


def module_name(key):
    return f"_ncg_{key[:24]}"


@contextlib.contextmanager
def _lock(root, key, timeout=LOCK_TIMEOUT):
    """An exclusive advisory lock for one key. The OS drops it when its holder
    dies, so a killed process never leaves a lock that blocks forever."""
    lock_dir = root / "locks"
    lock_dir.mkdir(exist_ok=True)
    path = lock_dir / f"{key}.lock"
    with open(path, "a") as handle:
        if sys.platform == "win32":  # pragma: no cover
            yield
            return
        import fcntl
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise CacheError(f"Timed out after {timeout:.0f} s waiting for the "
                                     f"compile lock {path} (another process is building "
                                     f"this model; remove the file if that process is gone)")
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _entry_is_complete(entry, key, toolchain):
    manifest = entry / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        data = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return False
    binary = entry / (module_name(key) + toolchain.ext_suffix)
    return data.get("key") == key and binary.is_file()


def _build(root, entry, key, sources, main_pyx, toolchain):
    tmp = Path(tempfile.mkdtemp(prefix=f".build-{key[:12]}-", dir=root))
    try:
        for name, text in sources.items():
            (tmp / name).write_text(text)
        pyx = tmp / f"{module_name(key)}.pyx"
        (tmp / main_pyx).rename(pyx)
        binary = tmp / (module_name(key) + toolchain.ext_suffix)
        try:
            cython_backend.build_extension(str(pyx), str(binary), toolchain)
        except CompilationError as exc:
            # Keep the failed sources for the user to read, outside the cache proper.
            failed = root / "failed" / key
            shutil.rmtree(failed, ignore_errors=True)
            failed.parent.mkdir(exist_ok=True)
            os.replace(tmp, failed)
            exc.args = (str(exc).replace(str(tmp), str(failed)),)
            exc.source_path = exc.source_path and exc.source_path.replace(str(tmp), str(failed))
            raise
        stats["compiled"] += 1
        manifest = {"key": key, "toolchain": toolchain.fingerprint(),
                    "files": sorted(os.listdir(tmp)), "created": time.time()}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        if entry.exists():  # an incomplete entry from an interrupted build
            shutil.rmtree(entry, ignore_errors=True)
        entry.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, entry)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _load(entry, key, toolchain):
    name = module_name(key)
    path = entry / (name + toolchain.ext_suffix)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.__ncg_entry__ = str(entry)
    return module


def get_module(sources, main_pyx):
    """The compiled extension for ``sources`` (file name -> text), building it
    on a cache miss. ``main_pyx`` names the Cython file among the sources."""
    toolchain = default_toolchain()
    key = compute_key(sources, toolchain)
    if key in _loaded:
        stats["reused_in_process"] += 1
        return _loaded[key]
    root = _usable_root()
    entry = root / key[:2] / key
    if not _entry_is_complete(entry, key, toolchain):
        with _lock(root, key):
            if not _entry_is_complete(entry, key, toolchain):
                logger.info("Compiling model (cache miss, key %s)", key[:12])
                _build(root, entry, key, sources, main_pyx, toolchain)
    else:
        stats["loaded_from_disk"] += 1
        logger.debug("Cache hit: %s", entry)
    module = _load(entry, key, toolchain)
    _loaded[key] = module
    return module
