"""Paths on the command line -> the files to lint.

Directories are walked recursively in sorted order, skipping hidden entries (``.git`` among them), files
ignored by ``.gitignore`` files, excluded globs, and files whose extension is not linted. A file named
explicitly is always linted (unknown extensions as plain text). Directory symlinks are not followed, so a
symlink loop cannot trap the walk.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lint.extract import format_for

if TYPE_CHECKING:
    import pathspec


@dataclass(frozen=True, slots=True)
class Target:
    path: str  # as it will be shown: relative to what the user typed
    fmt: str  # text | markdown | html


@dataclass(frozen=True, slots=True)
class Missing:
    path: str
    reason: str


def discover(
    paths: Iterable[str],
    extensions: dict[str, str],
    exclude: Iterable[str] = (),
) -> Iterator[Target | Missing]:
    """Yield a Target per file to lint, or Missing for a named path that does not exist."""
    exclude = tuple(exclude)
    for given in paths:
        if os.path.isdir(given):
            yield from _walk(given, extensions, exclude)
        elif os.path.lexists(given) and not os.path.isdir(given):
            if not _excluded(given, exclude):
                yield Target(given, format_for(given, extensions) or "text")
        else:
            yield Missing(given, "no such file or directory")


def _excluded(path: str, exclude: tuple[str, ...]) -> bool:
    norm = path.replace(os.sep, "/").removeprefix("./")
    return any(fnmatch.fnmatch(norm, pat) or fnmatch.fnmatch(os.path.basename(norm), pat) for pat in exclude)


def _walk(root: str, extensions: dict[str, str], exclude: tuple[str, ...]) -> Iterator[Target]:
    specs = _ancestor_ignores(Path(os.path.abspath(root)))  # .gitignore bases are absolute paths
    for dirpath, dirnames, filenames in os.walk(root):
        absdir = Path(os.path.abspath(dirpath))
        # keep only the specs that apply here (the walk has left sibling subtrees behind)
        specs = [(base, s) for base, s in specs if _is_within(absdir, base)]
        spec = _load_gitignore(absdir)
        if spec is not None:
            specs.append((absdir, spec))
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and not _ignored(absdir / d, specs, is_dir=True)
            and not _excluded(os.path.join(dirpath, d), exclude)
        )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            fmt = format_for(name, extensions)
            full = os.path.join(dirpath, name)
            if fmt is None or _ignored(absdir / name, specs, is_dir=False) or _excluded(full, exclude):
                continue
            yield Target(full, fmt)


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
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
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
