"""Paths on the command line -> the files to lint.

Directories are walked recursively in sorted order, skipping hidden entries (``.git`` among them), files
ignored by ``.gitignore`` files, excluded globs, and files whose extension is not linted. A file named
explicitly is always linted (unknown extensions as plain text). Directory symlinks are not followed, so a
symlink loop cannot trap the walk, and a ``.gitignore`` pattern that would backtrack for ever is dropped with a
notice (:class:`_BoundedPattern`).

Which extensions are linted and which globs are excluded can differ per directory (``settings``: the nearest
config file's); exclude globs are then relative to that config file's directory.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lint.extract import format_for

if TYPE_CHECKING:
    import pathspec

    from lint.config import Config as Settings  # what discovery reads of it: extensions, exclude, root


@dataclass(frozen=True, slots=True)
class Target:
    path: str  # as it will be shown: relative to what the user typed
    fmt: str  # text | markdown | html


@dataclass(frozen=True, slots=True)
class Missing:
    """A path that cannot be checked: named but missing, or a directory that cannot be read."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about the walk that stops no file being checked (a ``.gitignore``
    pattern too costly to apply)."""

    path: str
    message: str


@dataclass(frozen=True)
class _Fixed:
    """The same extensions and exclude globs everywhere, globs relative to the paths as given."""

    extensions: dict[str, str]
    exclude: tuple[str, ...]
    root: None = None

    def __call__(self, directory: str) -> _Fixed:
        return self


def discover(
    paths: Iterable[str],
    extensions: dict[str, str] | None = None,
    exclude: Iterable[str] = (),
    *,
    settings: Callable[[str], Settings] | None = None,
    skip: frozenset[tuple[int, int]] = frozenset(),
) -> Iterator[Target | Missing | Notice]:
    """Yield a Target per file to lint, a Missing for a named path that does not exist, and a Notice for what
    the user should be told. ``settings(directory)`` gives the extensions and exclude globs of the files in an
    (absolute) directory; without it ``extensions`` and ``exclude`` hold everywhere."""
    if settings is None:
        settings = _Fixed(dict(extensions or {}), tuple(exclude))
    for given in paths:
        if os.path.isdir(given):
            notices: list[Notice] = []
            for item in _walk(given, settings, skip, notices):
                yield from notices
                notices.clear()
                yield item
            yield from notices
        elif os.path.lexists(given) and not os.path.isdir(given):
            here = settings(os.path.dirname(os.path.abspath(given)))
            if not _excluded(given, here):
                yield Target(given, format_for(given, here.extensions) or "text")
        else:
            yield Missing(given, "no such file or directory")


def _excluded(path: str, settings: Settings) -> bool:
    if not settings.exclude:
        return False
    if settings.root is None:
        norm = path.replace(os.sep, "/").removeprefix("./")
    else:  # relative to the config file that says so, whatever the current directory
        norm = os.path.relpath(os.path.abspath(path), settings.root).replace(os.sep, "/")
    name = os.path.basename(norm)
    return any(fnmatch.fnmatch(norm, pat) or fnmatch.fnmatch(name, pat) for pat in settings.exclude)


def _walk(
    root: str, settings: Callable[[str], Settings], skip: frozenset[tuple[int, int]], notices: list[Notice]
) -> Iterator[Target | Missing]:
    """The files to lint under ``root``; a directory that cannot be listed (no permission, a path longer than
    the system allows) is reported, not passed over. ``skip``: (device, inode) of files never to lint (the
    report this run is writing). ``notices`` receives what the caller should pass on about .gitignore files."""
    specs = _ancestor_ignores(Path(os.path.abspath(root)), notices)  # .gitignore bases are absolute paths
    unreadable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        yield from _unreadable(unreadable)
        absdir = Path(os.path.abspath(dirpath))
        # keep only the specs that apply here (the walk has left sibling subtrees behind)
        specs = [(base, s) for base, s in specs if _is_within(absdir, base)]
        spec = _load_gitignore(absdir, notices)
        if spec is not None:
            specs.append((absdir, spec))
        here = settings(str(absdir))
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and not _ignored(absdir / d, specs, is_dir=True)
            and not _excluded(os.path.join(dirpath, d), here)
        )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            fmt = format_for(name, here.extensions)
            full = os.path.join(dirpath, name)
            if fmt is None or _ignored(absdir / name, specs, is_dir=False) or _excluded(full, here):
                continue
            if skip and _identity(full) in skip:
                continue
            yield Target(full, fmt)
    yield from _unreadable(unreadable)


def _unreadable(errors: list[OSError]) -> Iterator[Missing]:
    for exc in errors:
        yield Missing(exc.filename or "?", f"cannot read directory: {exc.strerror or exc}")
    errors.clear()


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _is_within(path: Path, base: Path) -> bool:
    try:
        path.relative_to(base)
    except ValueError:
        return False
    return True


def _ignored(path: Path, specs: list[tuple[Path, pathspec.PathSpec]], *, is_dir: bool) -> bool:
    for base, spec in specs:
        try:
            rel = path.relative_to(base).as_posix()
        except ValueError:
            continue
        if spec.match_file(rel + "/" if is_dir else rel):
            return True
    return False


def _load_gitignore(directory: Path, notices: list[Notice]) -> pathspec.PathSpec | None:
    from lint.inputs import read_regular

    try:  # a regular file of bounded size: a FIFO named .gitignore must not hang the walk
        lines = read_regular(directory / ".gitignore").decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    import pathspec  # imported here: checking one named file needs no .gitignore

    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    shown = os.path.relpath(directory / ".gitignore")
    for pattern in spec.patterns:  # one run of stars cannot backtrack badly; two or more can
        text = getattr(pattern, "pattern", None)
        if getattr(pattern, "regex", None) is not None and (not isinstance(text, str) or _STARS.findall(text)[1:]):
            pattern.regex = _BoundedPattern(pattern, shown, lines, notices)
    return spec


_STARS = re.compile(r"\*+")


GITIGNORE_BUDGET = 0.05  # seconds one .gitignore pattern may take on one path; real ones take microseconds


class _BoundedPattern:
    """A .gitignore pattern's expression, run by the ``regex`` module with a time limit.

    pathspec turns a pattern into a backtracking regular expression, and a line such as ``*a*a*a*a*a*a*b``
    takes time exponential in its stars on a long file name (Python's ``re`` never returns). The ``regex``
    module copes far better, and a pattern that still passes the budget is dropped, with a notice, rather than
    left to stall the walk; git itself would apply it, so the files it meant to hide are then linted."""

    __slots__ = ("_owner", "_compiled", "_where", "_notices")

    def __init__(self, owner: Any, where: str, lines: list[str], notices: list[Notice]) -> None:
        import regex

        self._owner, self._notices = owner, notices
        self._compiled = regex.compile(owner.regex.pattern)
        text = getattr(owner, "pattern", None)
        line = lines.index(text) + 1 if isinstance(text, str) and text in lines else None
        self._where = f"{where}:{line}" if line else where

    def search(self, path: str) -> Any:  # what pathspec calls (``match`` before pathspec 1.0)
        return self._run(self._compiled.search, path)

    def match(self, path: str) -> Any:
        return self._run(self._compiled.match, path)

    def _run(self, method: Any, path: str) -> Any:
        try:
            return method(path, timeout=GITIGNORE_BUDGET)
        except TimeoutError:
            from lint.safetext import echo

            self._owner.regex = None  # pathspec passes over a pattern without an expression
            why = f"pattern {echo(getattr(self._owner, 'pattern', ''))} not applied: matching it against"
            self._notices.append(Notice(self._where, f"{why} {echo(path)} took over {GITIGNORE_BUDGET}s"))
            return None

    @property
    def pattern(self) -> str:
        return self._compiled.pattern


def _ancestor_ignores(root: Path, notices: list[Notice]) -> list[tuple[Path, pathspec.PathSpec]]:
    """``.gitignore`` files strictly above absolute ``root``, up to the repository's top (holding ``.git``)."""
    top = root
    while not (top / ".git").exists():
        if top.parent == top:
            return []  # not inside a git checkout: only .gitignore files below root count
        top = top.parent
    found = []
    here = root
    while here != top:
        here = here.parent
        spec = _load_gitignore(here, notices)
        if spec is not None:
            found.append((here, spec))
    return found
