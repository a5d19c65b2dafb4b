"""The compiled-pack cache: validated packs and built prefilters, pickled under the user's cache directory.

A warm start skips YAML parsing, validation and the Hyperscan compile. Entries are keyed by everything they
were built from (pack file contents, clinic-lint, Python and library versions, the modules that build them),
so a stale entry is never used. A missing, unreadable or corrupt entry is ignored and rebuilt; an unwritable
directory just means no cache. Entries are written to a temporary file and renamed, so concurrent runs never
read half an entry.

The directory is ``platformdirs.user_cache_dir("clinic-lint")``, or ``CLINIC_LINT_CACHE_DIR``; ``--no-cache``
turns the cache off. Pickles are loaded only from there (the user's own directory), never from a project.
"""

from __future__ import annotations

import array
import contextlib
import io
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import regex

from lint import __version__

try:  # the builtin module: hashlib would load OpenSSL, a few milliseconds of every start
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover
    from hashlib import blake2b as _blake2b

MAGIC = "clinic-lint-cache-3"
KEEP = 8  # entries kept per kind: older ones are removed when a new one is written
_BUILDERS = ("packs.py", "literals.py", "prefilter.py", "cache.py")  # code whose output is cached


class LazyPattern:
    """A ``regex`` pattern compiled on first use, so a warm start compiles only the rules a run reaches.

    After the first use the compiled pattern's methods sit in the instance, so calls cost what they cost on
    a compiled pattern.
    """

    def __init__(self, pattern: str, flags: int, code: tuple[Any, ...] | None = None) -> None:
        self.pattern = pattern
        self.flags = flags
        self._code = code  # the regex module's compiled code, when the cache captured it

    def __getattr__(self, name: str) -> Any:  # only reached while not yet compiled
        if name.startswith("__") or name == "_code":
            raise AttributeError(name)
        compiled = _from_code(self._code) if self._code is not None else None
        if compiled is None:
            compiled = regex.compile(self.pattern, self.flags)
        for attr in ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"):
            self.__dict__[attr] = getattr(compiled, attr)
        self.__dict__.update(compiled=compiled, groupindex=compiled.groupindex)
        return getattr(compiled, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyPattern, (self.pattern, self.flags, self._code))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyPattern) and (self.pattern, self.flags) == (other.pattern, other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags})"


class _Pickler(pickle.Pickler):
    """Stores a compiled pattern as the regex module's own compiled code when it was captured (rebuilding
    from that takes microseconds; parsing a large pattern again takes milliseconds), else as its source."""

    def __init__(self, *args: Any, code: dict[int, tuple[Any, ...]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code or {}

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, str):  # a YAML string type: loading it would import the YAML library
            return (str, (str(obj),))
        if isinstance(obj, regex.Pattern):
            return (LazyPattern, (obj.pattern, obj.flags, self.code.get(id(obj))))
        return NotImplemented


def _from_code(code: tuple[Any, ...]) -> Any:
    try:
        args = list(code)
        if isinstance(args[2], array.array):
            args[2] = args[2].tolist()
        return regex._main._regex.compile(*args)
    except Exception:  # noqa: BLE001 - whatever went wrong, the source still compiles
        return None


def _packed(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The compile arguments with the code (a long list of ints) as an array: it loads many times faster."""
    code = args[2] if len(args) > 2 else None
    if isinstance(code, list) and all(isinstance(v, int) and 0 <= v < 2**32 for v in code):
        return (*args[:2], array.array("I", code), *args[3:])
    return args


@contextlib.contextmanager
def capturing_code() -> Iterator[dict[int, tuple[Any, ...]]]:
    """While active, every pattern the regex module compiles leaves its compiled code here, by id()."""
    captured: dict[int, tuple[Any, ...]] = {}
    keep: list[Any] = []  # the patterns stay alive, so their ids stay theirs
    try:
        core = regex._main._regex
        original = core.compile
    except AttributeError:  # another regex version: nothing is captured, patterns are stored as source
        yield captured
        return

    def compile_and_capture(*args: Any) -> Any:
        compiled = original(*args)
        captured[id(compiled)] = _packed(args)
        keep.append(compiled)
        return compiled

    core.compile = compile_and_capture
    try:
        yield captured
    finally:
        core.compile = original


def cache_dir() -> Path:
    override = os.environ.get("CLINIC_LINT_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("clinic-lint", appauthor=False))


def key(*parts: object) -> str:
    """A digest of ``parts`` plus the versions and code that shape every cached entry."""
    h = _blake2b(digest_size=20)
    for part in (MAGIC, __version__, sys.version, regex.__version__, *_builder_stamps(), *parts):
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _builder_stamps() -> list[str]:
    here = Path(__file__).parent
    stamps = []
    for name in _BUILDERS:
        try:
            st = (here / name).stat()
        except OSError:
            continue
        stamps.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return stamps


def load(kind: str, digest: str) -> Any | None:
    """The entry stored under ``kind``/``digest``, or None when there is none usable."""
    path = _entry(kind, digest)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    try:
        magic, stored_key, value = pickle.loads(data)
        if magic == MAGIC and stored_key == digest:
            return value
    except Exception:  # noqa: BLE001 - a corrupt entry is rebuilt, whatever it raises
        pass
    _remove(path)
    return None


def store(kind: str, digest: str, value: Any, code: dict[int, tuple[Any, ...]] | None = None) -> None:
    """Write an entry; any failure (read-only disk, unpicklable value) just leaves no entry."""
    directory = cache_dir()
    try:
        buf = io.BytesIO()
        _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL, code=code).dump((MAGIC, digest, value))
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.getvalue())
        os.replace(tmp, _entry(kind, digest))
    except Exception:  # noqa: BLE001 - the cache is an optimisation only
        return
    _prune(directory, kind)


def _entry(kind: str, digest: str) -> Path:
    return cache_dir() / f"{kind}-{digest}.pickle"


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _prune(directory: Path, kind: str) -> None:
    try:
        entries = sorted(directory.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in entries[KEEP:]:
        _remove(old)


# --------------------------------------------------------------------------- packs


def cached_packs(paths: Sequence[str | Path], *, use_cache: bool = True) -> list[Any]:
    """``packs.load_packs(paths)``, from the cache when the same pack files were loaded before."""
    from lint import packs

    if not use_cache:
        return packs.load_packs(paths)
    digest = _packs_key(paths, packs.shipped_definitions_path())
    if digest is None:  # a pack cannot be read: loading reports it properly
        return packs.load_packs(paths)
    hit = load("packs", digest)
    if isinstance(hit, list) and all(isinstance(p, packs.Pack) for p in hit):
        return hit
    with capturing_code() as code:
        loaded = packs.load_packs(paths)
    store("packs", digest, loaded, code)
    return loaded


def _packs_key(paths: Sequence[str | Path], definitions: Path) -> str | None:
    parts: list[object] = []
    for path in [*paths, definitions]:
        try:
            parts += [str(path), Path(path).read_bytes()]
        except OSError:
            if path == definitions:
                parts.append("no definitions")
                continue
            return None
    return key("packs", *parts)
