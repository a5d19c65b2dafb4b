"""Fixes: turn findings' replacements into edits, show them as a unified diff, or write them back.

Only the matched text of a finding is ever replaced (keeping a capital it started with). Edits that overlap
an earlier one are left for a later run: the earliest edit wins, and on a tie the longer one (it covers more
of the claim). Files are written
atomically (a temporary file in the same directory, then ``os.replace``) in their own encoding, BOM and line
endings, and only when an edit changes them.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from lint.decode import SourceText
from lint.model import Finding


class FixError(Exception):
    """A file that could not be rewritten; the original is intact."""


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    end: int
    replacement: str
    rule: str


def edits_for(findings: Iterable[Finding], *, unsafe: bool) -> list[Edit]:
    """The edits the findings offer: safe ones, and unsafe ones too when ``unsafe``."""
    return [
        Edit(f.start, f.end, match_case(f.match, f.fix.replacement), f.rule)
        for f in findings
        if f.fix is not None and f.end > f.start and (f.fix.safe or unsafe)
    ]


def match_case(match: str, replacement: str) -> str:
    """Keep a capital the match started with ("Guaranteed results" -> "Results vary"): it may start a
    sentence."""
    if match[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def choose(edits: Iterable[Edit]) -> list[Edit]:
    """The edits that can be applied together: no two overlap; identical duplicates count once."""
    chosen: list[Edit] = []
    for e in sorted(set(edits), key=lambda e: (e.start, -e.end, e.rule, e.replacement)):
        if chosen and e.start < chosen[-1].end:
            continue  # overlaps an edit already chosen: leave it for the next run
        chosen.append(e)
    return chosen


def apply_edits(text: str, edits: list[Edit], newline: str = "\n") -> str:
    """``text`` with non-overlapping, sorted ``edits`` applied; replacements use the file's line breaks."""
    parts, pos = [], 0
    for e in edits:
        parts += [text[pos : e.start], e.replacement.replace("\n", newline)]
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts)


def unified_diff(path: str, old: str, new: str) -> str:
    """A ``git apply -p1`` / ``patch -p1`` compatible diff of one file ('' when nothing changes)."""
    name = path.replace(os.sep, "/").removeprefix("./")
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}")
    out = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):  # the file's last line has no line break: say so, as diff(1) does
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


# --------------------------------------------------------------------------- writing


def rewrite(path: str, source: SourceText, new_text: str) -> None:
    """Replace the file at ``path`` (decoded as ``source``) with ``new_text``, or raise FixError."""
    target = os.path.realpath(path)  # a symlink stays a symlink; its target is rewritten
    try:
        st = os.stat(target)
        with open(target, "rb") as fh:
            current = fh.read()
    except OSError as exc:
        raise FixError(f"{path}: cannot fix: {exc.strerror or exc}") from None
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise FixError(f"{path}: cannot fix: the file is read-only")
    if current != source.encode(source.text):
        # changed since it was read, or decoded with replacement characters: writing would lose bytes
        raise FixError(f"{path}: cannot fix: the file changed or does not round-trip its encoding")
    write_atomic(target, source.encode(new_text), st.st_mode)


def write_atomic(path: str, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in its directory; raise FixError on failure."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".clinic-lint-", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, stat.S_IMODE(mode))
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise FixError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            _remove_quietly(tmp)


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
