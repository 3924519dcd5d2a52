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

from ..errors import CacheError, CompilationError, LockTimeoutError
from . import cython as cython_backend
from .toolchain import default_toolchain

logger = logging.getLogger("neurocodegen.jit")

ENV_VAR = "NEUROCODEGEN_CACHE_DIR"
MAX_MB_ENV_VAR = "NEUROCODEGEN_CACHE_MAX_MB"
DEFAULT_MAX_MB = 1024
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


def driver_objects():
    """The folder of the standalone driver's object files (one per version of
    the driver and toolchain: see ``standalone/program.py``)."""
    return _usable_root() / "standalone"


def module_name(key):
    return f"_ncg_{key[:24]}"


@contextlib.contextmanager
def _lock(root, key, timeout=None):
    """An exclusive advisory lock for one key (``timeout`` seconds at most,
    default ``LOCK_TIMEOUT``). The OS drops it when its holder dies, so a
    killed process never leaves a lock that blocks forever."""
    timeout = LOCK_TIMEOUT if timeout is None else timeout
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
                if time.monotonic() >= deadline:
                    raise LockTimeoutError(f"Timed out after {timeout:g} s waiting for the "
                                     f"compile lock {path} (another process is building "
                                     f"this model; remove the file if that process is gone)")
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)



def _binary(entry, key, toolchain):
    return entry / (module_name(key) + toolchain.ext_suffix)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry_problem(entry, key, toolchain):
    """None if ``entry`` is a complete, intact entry for ``key``; else
    ``"missing"`` (nothing published yet) or why it cannot be used."""
    manifest = entry / "manifest.json"
    if not manifest.is_file():
        return "missing"
    try:
        data = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return "its manifest cannot be read"
    if not isinstance(data, dict) or data.get("key") != key:
        return "its manifest is for another key"
    if "sha256" not in data:
        return "missing"   # written before manifests had checksums: rebuilt quietly
    binary = _binary(entry, key, toolchain)
    try:
        if data.get("sha256") != _sha256(binary):
            return f"{binary.name} does not match the checksum in its manifest"
    except OSError as exc:
        return f"{binary.name} cannot be read ({exc.strerror or exc})"
    return None


def _move_aside(root, entry, key, reason):
    """Move a damaged entry to ``<root>/broken/`` (kept for inspection; the
    next ``clear`` removes it) so that it is rebuilt."""
    broken = root / "broken" / f"{key}-{os.getpid()}-{time.time_ns()}"
    warnings.warn(f"The cached module {entry} is damaged ({reason}); moving it to "
                  f"{broken} and compiling it again.", RuntimeWarning, stacklevel=4)
    try:
        broken.parent.mkdir(exist_ok=True)
        os.replace(entry, broken)
    except OSError:
        shutil.rmtree(entry, ignore_errors=True)
    if entry.exists():
        raise CacheError(f"The damaged cache entry {entry} ({reason}) cannot be removed; "
                         f"delete it by hand or run 'python -m neurocodegen cache clear'.")


def _build(root, entry, key, sources, main_pyx, toolchain):
    try:
        _build_in_temp(root, entry, key, sources, main_pyx, toolchain)
    except CompilationError:
        raise
    except OSError as exc:
        if isinstance(exc, CacheError):
            raise
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        raise CacheError(
            f"Could not write the compiled model into the cache {root}: "
            f"{'the disk is full' if full else exc.strerror or exc} "
            f"({exc.filename or 'while building'}). "
            + ("Free some space, lower $" + MAX_MB_ENV_VAR + ", run 'python -m neurocodegen "
               "cache clear', or" if full else "Fix the folder's permissions or")
            + f" point ${ENV_VAR} to another folder.") from exc


def _build_in_temp(root, entry, key, sources, main_pyx, toolchain):
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
                    "files": sorted(os.listdir(tmp)), "created": time.time(),
                    "sha256": _sha256(binary)}
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
    path = _binary(entry, key, toolchain)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "run", None)):
        raise ImportError(f"{path} is not a neurocodegen module (it has no run())")
    module.__ncg_entry__ = str(entry)
    return module


def _touch(entry):
    """Mark ``entry`` as just used (its manifest's mtime orders eviction)."""
    try:
        os.utime(entry / "manifest.json")
    except OSError:
        pass  # a read-only cache can still be used


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
    for attempt in (1, 2):
        built = _ensure_entry(root, entry, key, sources, main_pyx, toolchain)
        try:
            module = _load(entry, key, toolchain)
            break
        except (ImportError, OSError) as exc:
            if attempt == 2:
                raise CacheError(f"The module compiled into {entry} cannot be loaded even "
                                 f"after rebuilding it: {exc}") from exc
            with _lock(root, key):
                if entry.exists():
                    _move_aside(root, entry, key, f"loading it failed: {exc}")
    if built:
        evict(root, keep=key)
    else:
        stats["loaded_from_disk"] += 1
        _touch(entry)
        logger.debug("Cache hit: %s", entry)
    _loaded[key] = module
    return module


def _ensure_entry(root, entry, key, sources, main_pyx, toolchain):
    """Make ``entry`` a complete, intact entry; True if this call built it."""
    if _entry_problem(entry, key, toolchain) is None:
        return False
    with _lock(root, key):
        problem = _entry_problem(entry, key, toolchain)
        if problem is None:
            return False   # another process built it while we waited
        if problem != "missing" and entry.exists():
            _move_aside(root, entry, key, problem)
        logger.info("Compiling model (cache miss, key %s)", key[:12])
        _build(root, entry, key, sources, main_pyx, toolchain)
        return True


# -- size limit, information, clearing ---------------------------------------

def max_bytes():
    """The cache's size limit in bytes (``$NEUROCODEGEN_CACHE_MAX_MB``)."""
    text = os.environ.get(MAX_MB_ENV_VAR, "")
    try:
        mb = float(text) if text.strip() else DEFAULT_MAX_MB
    except ValueError:
        warnings.warn(f"${MAX_MB_ENV_VAR}={text!r} is not a number of megabytes; using "
                      f"{DEFAULT_MAX_MB}.", RuntimeWarning, stacklevel=3)
        mb = DEFAULT_MAX_MB
    return int(mb * 1e6)


def _folder_size(path):
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total


def entries(root=None):
    """[(last used (mtime), size in bytes, key, folder)] of the published
    entries under ``root``, least recently used first."""
    root = Path(root) if root is not None else default_root()
    found = []
    for manifest in root.glob("??/*/manifest.json"):
        entry = manifest.parent
        if entry.name.startswith("."):
            continue   # being removed
        try:
            used = manifest.stat().st_mtime
        except OSError:
            continue   # removed meanwhile
        found.append((used, _folder_size(entry), entry.name, entry))
    return sorted(found)


def evict(root, keep=None, limit=None):
    """Remove least recently used entries (never ``keep``, nor one that is
    being built) until the entries fit in ``limit`` bytes; returns the keys
    removed. A process that loaded an evicted module keeps using it."""
    limit = max_bytes() if limit is None else limit
    found = entries(root)
    total = sum(size for _, size, _, _ in found)
    removed = []
    for _, size, key, entry in found:
        if total <= limit:
            break
        if key == keep or not _remove_entry(root, key, entry):
            continue
        total -= size
        removed.append(key)
    if removed:
        logger.info("Evicted %d least recently used module(s) from the cache %s (limit "
                    "%.0f MB)", len(removed), root, limit / 1e6)
    return removed


def _remove_entry(root, key, entry):
    try:
        with _lock(root, key, timeout=0):
            doomed = entry.with_name(f".remove-{key}-{os.getpid()}")
            os.replace(entry, doomed)   # atomically unpublish, then delete
            shutil.rmtree(doomed, ignore_errors=True)
        return True
    except OSError:   # locked (being built or checked), or removed meanwhile
        return False


def info(root=None):
    """Where the cache is and what it holds, as a dict."""
    root = Path(root) if root is not None else default_root()
    found = entries(root) if root.is_dir() else []
    return {"location": str(root), "entries": len(found),
            "entries_bytes": sum(size for _, size, _, _ in found),
            "total_bytes": _folder_size(root) if root.is_dir() else 0,
            "limit_bytes": max_bytes()}


def clear(root=None):
    """Remove every entry, the lowering memo and the kept failed builds;
    returns the number of entries removed. Entries being built are skipped."""
    root = Path(root) if root is not None else default_root()
    if not root.is_dir():
        return 0
    removed = sum(_remove_entry(root, key, entry) for _, _, key, entry in entries(root))
    for name in ("sources", "failed", "broken", "standalone"):
        shutil.rmtree(root / name, ignore_errors=True)
    stale = time.time() - 3600
    for folder in root.glob("??/*"):    # entries without manifest: interrupted builds
        if not (folder / "manifest.json").exists():
            _remove_entry(root, folder.name, folder)
    for tmp in list(root.glob(".build-*")) + list(root.glob("??/.remove-*")):
        try:
            if tmp.stat().st_mtime < stale:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass
    for sub in root.glob("??"):
        try:
            sub.rmdir()   # only if empty
        except OSError:
            pass
    return removed
