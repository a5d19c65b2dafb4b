"""The compiled-pack cache: the validated, compiled rule set, pickled under the user's cache directory.

A warm start skips YAML parsing, validation and the expansion of words into their forms. Entries are keyed by everything they
were built from (pack file contents, clinic-lint, Python and library versions, the modules that build them),
so a stale entry is never used. A missing, unreadable or corrupt entry is ignored and rebuilt; an unwritable
directory just means no cache. Entries are written to a temporary file and renamed, so concurrent runs never
read half an entry.

The directory is ``platformdirs.user_cache_dir("clinic-lint")``, or ``CLINIC_LINT_CACHE_DIR``; ``--no-cache``
turns the cache off. Unpickling runs code, and whoever can write to the cache directory could plant an entry,
so every entry carries a MAC (HMAC-SHA256) under a random per-user key kept outside the cache directory
(``platformdirs.user_data_dir("clinic-lint")/cache-key``, or ``CLINIC_LINT_CACHE_KEY``; created mode 0600 and
refused when another user owns it or others can read or write it). An entry that fails the check is never
unpickled.
"""

from __future__ import annotations

import _sre
import array
import contextlib
import io
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import regex

from lint import __version__

try:  # the builtin module: hashlib would load OpenSSL, a few milliseconds of every start
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover
    from hashlib import blake2b as _blake2b

MAGIC = "clinic-lint-cache-5"
HEADER = b"clinic-lint cache, MAC then pickle\n"  # then a 32-byte MAC of the pickle under the user's key
_MAC_SIZE = 32
_MAX_ENTRY = 1 << 30  # bytes: a regular file larger than this is no entry of ours
KEEP = 8  # entries kept per kind: older ones are removed when a new one is written
_BUILDERS = (
    "packs.py",
    "wordpattern.py",
    "tokens.py",
    "inflect.py",
    "vocab.py",
    "knowledge.py",
    "context.py",
    "cache.py",
)  # code whose output is cached; fmt: skip


class LazyPattern:
    """A pattern compiled on first use, so a warm start compiles only the patterns a run reaches.

    ``engine`` is "re" for word patterns over the token stream and "regex" for the ``regex:`` escape hatch
    over prose (the ``regex`` module gives it a timeout). After the first use the compiled pattern's methods
    sit in the instance, so calls cost what they cost on a compiled pattern.
    """

    def __init__(self, pattern: str, flags: int = 0, code: tuple[Any, ...] | None = None, engine: str = "re") -> None:
        self.pattern = pattern
        self.flags = flags
        self.engine = engine
        self._code = code  # the engine's compiled code, when the cache captured it

    def __getattr__(self, name: str) -> Any:  # only reached while not yet compiled
        if name.startswith("__") or name in ("_code", "engine"):
            raise AttributeError(name)
        compiled = _from_code(self.engine, self._code) if self._code is not None else None
        if compiled is None:
            compiled = (re if self.engine == "re" else regex).compile(self.pattern, self.flags)
        for attr in ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"):
            self.__dict__[attr] = getattr(compiled, attr)
        self.__dict__.update(compiled=compiled, groupindex=compiled.groupindex)
        return self.__dict__[name] if name in self.__dict__ else getattr(compiled, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyPattern, (self.pattern, self.flags, self._code, self.engine))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyPattern) and (self.pattern, self.flags, self.engine) == (
            other.pattern, other.flags, other.engine,
        )  # fmt: skip

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags, self.engine))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags}, engine={self.engine!r})"


class _Pickler(pickle.Pickler):
    """Stores a compiled pattern as its engine's compiled code when that was captured, else as its source;
    and YAML strings as plain strings (loading those would import the YAML library).

    Why the compiled code: rules are written in words, and a word pattern that uses a vocabulary compiles to
    a large alternation (every product name, every condition); parsing all of them takes ``re`` several
    seconds, rebuilding them from their code a few milliseconds."""

    def __init__(self, *args: Any, code: dict[int, tuple[Any, ...]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code or {}

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return (str, (str(obj),))
        if isinstance(obj, re.Pattern):
            return (LazyPattern, (obj.pattern, obj.flags, self.code.get(id(obj)), "re"))
        if isinstance(obj, regex.Pattern):
            return (LazyPattern, (obj.pattern, obj.flags, self.code.get(id(obj)), "regex"))
        if isinstance(obj, LazyPattern) and obj._code is None and "compiled" in obj.__dict__:
            return (LazyPattern, (obj.pattern, obj.flags, self.code.get(id(obj.__dict__["compiled"])), obj.engine))
        return NotImplemented


def _compilers() -> dict[str, Any]:
    """Each engine's internal compile step: it takes the parsed code and returns the pattern object."""
    found = {"re": _sre}
    core = getattr(getattr(regex, "_main", None), "_regex", None)
    if core is not None and hasattr(core, "compile"):
        found["regex"] = core
    return found


def _from_code(engine: str, code: tuple[Any, ...]) -> Any:
    try:
        args = list(code)
        if isinstance(args[2], array.array):
            args[2] = args[2].tolist()
        return _compilers()[engine].compile(*args)
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
    """While active, every pattern ``re`` or ``regex`` compiles leaves its compiled code here, by id()."""
    captured: dict[int, tuple[Any, ...]] = {}
    keep: list[Any] = []  # the patterns stay alive, so their ids stay theirs
    originals = {engine: module.compile for engine, module in _compilers().items()}

    def capture(original: Any) -> Any:
        def compile_and_capture(*args: Any) -> Any:
            compiled = original(*args)
            captured[id(compiled)] = _packed(args)
            keep.append(compiled)
            return compiled

        return compile_and_capture

    for engine, module in _compilers().items():
        module.compile = capture(originals[engine])
    try:
        yield captured
    finally:
        for engine, module in _compilers().items():
            module.compile = originals[engine]


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
    from lint.inputs import read_regular

    secret = _secret()
    if secret is None:
        return None
    path = _entry(kind, digest)
    try:
        data = read_regular(path, _MAX_ENTRY)  # a FIFO or device planted in the cache is not read
    except OSError:
        return None
    body = data[len(HEADER) + _MAC_SIZE :]
    mac = data[len(HEADER) : len(HEADER) + _MAC_SIZE]
    if not data.startswith(HEADER) or not _same(mac, _mac(secret, body)):
        _remove(path)  # not written by this user's clinic-lint (or damaged): never unpickled
        return None
    try:
        magic, stored_key, value = pickle.loads(body)
        if magic == MAGIC and stored_key == digest:
            return value
    except Exception:  # noqa: BLE001 - a corrupt entry is rebuilt, whatever it raises
        pass
    _remove(path)
    return None


def store(kind: str, digest: str, value: Any, code: dict[int, tuple[Any, ...]] | None = None) -> None:
    """Write an entry; any failure (read-only disk, unpicklable value) just leaves no entry."""
    from lint.fix import write_atomic

    directory = cache_dir()
    secret = _secret()
    if secret is None:
        return
    try:
        buf = io.BytesIO()
        _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL, code=code).dump((MAGIC, digest, value))
        body = buf.getvalue()
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(str(_entry(kind, digest)), HEADER + _mac(secret, body) + body, 0o600, sync=False)
    except Exception:  # noqa: BLE001 - the cache is an optimisation only
        return
    _prune(directory, kind)


def _mac(secret: bytes, body: bytes) -> bytes:
    import hmac  # HMAC-SHA256 through OpenSSL: twice as fast as keyed BLAKE2b here, on a 12 MB entry

    return hmac.digest(secret, body, "sha256")


def _same(a: bytes, b: bytes) -> bool:
    import hmac

    return hmac.compare_digest(a, b)


def key_path() -> Path:
    override = os.environ.get("CLINIC_LINT_CACHE_KEY")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("clinic-lint", appauthor=False)) / "cache-key"


_SECRETS: dict[Path, bytes | None] = {}  # key file -> its key, read once per process


def _secret() -> bytes | None:
    """This user's cache key, created on first use; None (no cache) when it cannot be made or trusted."""
    path = key_path()
    if path not in _SECRETS:
        _SECRETS[path] = _read_or_make_secret(path)
    return _SECRETS[path]


def _read_or_make_secret(path: Path) -> bytes | None:
    from lint.inputs import read_regular

    for _ in range(2):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=".cache-key-", dir=path.parent)  # mode 0600
                with os.fdopen(fd, "wb") as fh:
                    fh.write(os.urandom(_MAC_SIZE))
                try:
                    os.link(tmp, path)  # never replaces a key another run made meanwhile
                except FileExistsError:
                    os.unlink(tmp)
                except OSError:  # no hard links on this file system
                    os.replace(tmp, path)
                else:
                    os.unlink(tmp)
            except FileExistsError:
                pass
            except OSError:
                return None
            continue
        except OSError:
            return None
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
            return None  # a key someone else could have chosen, or can read, authenticates nothing
        try:
            secret = read_regular(path, 4096)
        except OSError:
            return None
        return secret if len(secret) == _MAC_SIZE else None
    return None


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


def cached_rule_set(
    paths: Sequence[str | Path], *, use_cache: bool = True, on_compile: Callable[[], None] | None = None
) -> Any:
    """``packs.load_rule_set(paths)``, from the cache when the same files were loaded before. ``on_compile`` is
    called when the cache is cold, before the (seconds-long) compilation starts, so the user can be told."""
    from lint import packs

    if not use_cache:
        return packs.load_rule_set(paths)
    digest = _packs_key([*paths, *packs.shared_paths()])
    if digest is None:  # a file cannot be read: loading reports it properly
        return packs.load_rule_set(paths)
    hit = load("rules", digest)
    if isinstance(hit, packs.RuleSet):
        return hit
    if on_compile is not None:
        on_compile()
    with capturing_code() as code:
        loaded = packs.load_rule_set(paths)
        loaded.lexicon.prepare()  # the concept tables, compiled now so that their code is cached too
        for pattern in packs.all_patterns(loaded):
            pattern.regex.compiled  # noqa: B018 - compiling is the point: the code is captured and cached
    store("rules", digest, loaded, code)
    return loaded


def _packs_key(paths: Sequence[str | Path]) -> str | None:
    from lint.inputs import read_regular

    parts: list[object] = []
    for path in paths:
        try:
            parts += [str(path), read_regular(path)]  # a FIFO or /dev/zero pack: loading reports it
        except OSError:
            return None
    return key(*parts)
