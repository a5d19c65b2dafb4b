"""Paths on the command line -> the files to lint.

Directories are walked recursively in sorted order, skipping hidden entries (``.git`` among them), files
ignored by ``.gitignore`` files, excluded globs, and files whose extension is not linted. A file named
explicitly is always linted (unknown extensions as plain text). Directory symlinks are not followed, so a
symlink loop cannot trap the walk.

Which extensions are linted and which globs are excluded can differ per directory (``settings``: the nearest
config file's); exclude globs are then relative to that config file's directory.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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
) -> Iterator[Target | Missing]:
    """Yield a Target per file to lint, or Missing for a named path that does not exist. ``settings(directory)``
    gives the extensions and exclude globs of the files in an (absolute) directory; without it ``extensions``
    and ``exclude`` hold everywhere."""
    if settings is None:
        settings = _Fixed(dict(extensions or {}), tuple(exclude))
    for given in paths:
        if os.path.isdir(given):
            yield from _walk(given, settings, skip)
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
    root: str, settings: Callable[[str], Settings], skip: frozenset[tuple[int, int]]
) -> Iterator[Target | Missing]:
    """The files to lint under ``root``; a directory that cannot be listed (no permission, a path longer than
    the system allows) is reported, not passed over. ``skip``: (device, inode) of files never to lint (the
    report this run is writing)."""
    specs = _ancestor_ignores(Path(os.path.abspath(root)))  # .gitignore bases are absolute paths
    unreadable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        yield from _unreadable(unreadable)
        absdir = Path(os.path.abspath(dirpath))
        # keep only the specs that apply here (the walk has left sibling subtrees behind)
        specs = [(base, s) for base, s in specs if _is_within(absdir, base)]
        spec = _load_gitignore(absdir)
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


def _load_gitignore(directory: Path) -> pathspec.PathSpec | None:
    from lint.inputs import read_regular

    try:  # a regular file of bounded size: a FIFO named .gitignore must not hang the walk
        lines = read_regular(directory / ".gitignore").decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    import pathspec  # imported here: checking one named file needs no .gitignore

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ancestor_ignores(root: Path) -> list[tuple[Path, pathspec.PathSpec]]:
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
        spec = _load_gitignore(here)
        if spec is not None:
            found.append((here, spec))
    return found
