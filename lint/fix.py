"""Fixes: turn findings' replacements into edits, show them as a unified diff, or write them back.

Only the matched text of a finding is ever replaced (keeping a capital it started with). Edits that overlap
an earlier one are left for a later run: the earliest edit wins, and on a tie the longer one (it covers more
of the claim). Files are written
atomically (a temporary file in the same directory, then ``os.replace``) in their own encoding, BOM and line
endings, and only when an edit changes them.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import signal
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

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


def unified_diff(path: str, old: str, new: str, bom: str = "") -> str:
    """A ``git apply -p1`` / ``patch -p1`` compatible diff of one file ('' when nothing changes). ``bom`` is the
    file's byte-order mark as text (``"\ufeff"`` for UTF-8): it belongs to the first line, as patch sees it."""
    name = path.replace(os.sep, "/").removeprefix("./")
    before, after = _git_name(f"a/{name}"), _git_name(f"b/{name}")
    lines = difflib.unified_diff(_patch_lines(bom + old), _patch_lines(bom + new), before, after)
    out = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):  # the file's last line has no line break: say so, as diff(1) does
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


_C_ESCAPES = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\"}


def _git_name(name: str) -> str:
    """``name`` as git writes a path in a patch header, so one odd file name cannot break a site's patch: as it
    is (with a tab after a name with spaces), or, when it holds a control character (a line break would end the header), a quote, a backslash or
    bytes that are not UTF-8, in double quotes with C escapes (octal for the bytes), which ``git apply`` and
    ``patch`` read back to the file's real name."""
    try:
        raw = os.fsencode(name)  # the name's bytes on disk: undecodable bytes come back as they were
    except UnicodeError:  # a lone surrogate that stands for no byte (not from a file system)
        raw = name.encode("utf-8", "surrogatepass")
    try:
        raw.decode("utf-8")
        plain = not any(b < 0x20 or b in (0x22, 0x5C, 0x7F) for b in raw)
    except UnicodeDecodeError:
        plain = False
    if plain:
        return name + "\t" if " " in name else name  # as git does: a tab tells patch where the name ends
    quoted = "".join(_C_ESCAPES.get(b) or (chr(b) if 0x20 <= b < 0x7F else f"\\{b:03o}") for b in raw)
    return f'"{quoted}"'


def _patch_lines(text: str) -> list[str]:
    """``text`` cut into lines as git and patch cut it: after each LF and nowhere else. (``str.splitlines``
    also cuts at CR, form feed, NEL, U+2028 and more, and a diff built on those lines does not apply.)"""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


# --------------------------------------------------------------------------- writing


def rewrite(path: str, source: SourceText, new_text: str) -> None:
    """Replace the file at ``path`` (decoded as ``source``) with ``new_text``, or raise FixError.

    The new file takes the place of the old one (a rename): it keeps the old one's mode, owner and group, a
    symlink's target is rewritten and the symlink kept, and other hard links to the file keep the old text,
    as with ``sed -i``. If the file changes while the new one is written, it is left as it is."""
    target = os.path.realpath(path)  # a symlink stays a symlink; its target is rewritten
    try:
        st = os.stat(target)
        if not stat.S_ISREG(st.st_mode):
            raise FixError(f"{path}: cannot fix: not a regular file")
        with open(target, "rb") as fh:
            current = fh.read()
    except OSError as exc:
        raise FixError(f"{path}: cannot fix: {exc.strerror or exc}") from None
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise FixError(f"{path}: cannot fix: the file is read-only")
    if current != source.encode(source.text):
        # changed since it was read, or decoded with replacement characters: writing would lose bytes
        raise FixError(f"{path}: cannot fix: the file changed or does not round-trip its encoding")
    write_atomic(target, source.encode(new_text), st.st_mode, like=(st, current), shown=path)


def write_atomic(
    path: str, data: bytes, mode: int | None = None, *, like: tuple[os.stat_result, bytes] | None = None,
    sync: bool = True, shown: str | None = None,
) -> None:  # fmt: skip
    """Write ``data`` to ``path`` through a temporary file in its directory, renamed over ``path``; raise
    FixError on failure, leaving ``path`` as it was and no temporary file.

    ``like`` is the file's status and bytes when it was read: the new file gets its owner and group, and
    just before the rename the file must still be exactly that (same inode, size, time and bytes), so a
    write made meanwhile is never lost. SIGINT, SIGTERM and SIGHUP wait until the rename is done or undone."""
    shown = shown or path
    directory = os.path.dirname(os.path.abspath(path))
    tmp = None
    with _signals_deferred():
        try:
            fd, tmp = tempfile.mkstemp(prefix=".clinic-lint-", suffix=".tmp", dir=directory)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                if like is not None:
                    _keep_owner(fh.fileno(), like[0], shown)
                if sync:
                    os.fsync(fh.fileno())
            if mode is not None:
                os.chmod(tmp, stat.S_IMODE(mode))  # after the owner: changing the owner clears set-id bits
            if like is not None and not _unchanged(path, *like):
                raise FixError(f"{shown}: cannot fix: the file changed while the fix was written; left as it is")
            os.replace(tmp, path)
            tmp = None
        except OSError as exc:
            raise FixError(f"{shown}: cannot write: {exc.strerror or exc}") from None
        finally:
            if tmp is not None:
                _remove_quietly(tmp)


def _keep_owner(fd: int, st: os.stat_result, shown: str) -> None:
    """Give the new file the old one's owner and group (run as root, a fix must not hand a file to root)."""
    if not hasattr(os, "fchown"):  # pragma: no cover - Windows
        return
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) == (st.st_uid, st.st_gid):
        return
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except PermissionError:
        raise FixError(f"{shown}: cannot fix: the new file could not keep the owner and group of the old one") from None


def _unchanged(path: str, st: os.stat_result, data: bytes) -> bool:
    """Is the file at ``path`` still the one read (inode, size, modification time, bytes)?"""
    try:
        now = os.stat(path)
        if (now.st_ino, now.st_dev, now.st_size, now.st_mtime_ns) != (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns):
            return False
        with open(path, "rb") as fh:
            return fh.read(len(data) + 1) == data  # the time can hide a same-size write within its granularity
    except OSError:
        return False


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends, then deliver the first one as it would have been
    (the default action of SIGTERM still ends the process, Ctrl-C still interrupts): the file is then either
    replaced or untouched, and no temporary file is left behind. Only the main thread can do this."""
    caught: list[int] = []
    held: dict[int, Any] = {}
    try:
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                number = getattr(signal, name)
                held[number] = signal.signal(number, lambda signum, _frame: caught.append(signum))
    except ValueError:  # not the main thread: signals are the main thread's business
        pass
    try:
        yield
    finally:
        for number, handler in held.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        if caught:
            signal.raise_signal(caught[0])


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class AtomicTextFile:
    """A UTF-8 text file written under a temporary name beside ``path`` and renamed over it by :meth:`close`
    (``--output FILE``): nobody reads half a report, and a run that fails or is stopped leaves what was there
    before. :meth:`discard` drops what was written; SIGTERM and SIGHUP remove the temporary file before they
    end the process, so none is left behind. The file keeps the mode of the one it replaces."""

    def __init__(self, path: str) -> None:
        self.path = os.path.realpath(path)  # a symlink stays a symlink; its target is replaced
        if os.path.isdir(self.path):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        fd, self.tmp = tempfile.mkstemp(prefix=".clinic-lint-", suffix=".tmp", dir=os.path.dirname(self.path))
        self.stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self._owner = os.getpid()
        self._held: dict[int, Any] = {}
        try:
            for name in ("SIGTERM", "SIGHUP"):
                number = getattr(signal, name, None)
                if number is not None and signal.getsignal(number) == signal.SIG_DFL:
                    self._held[number] = signal.signal(number, self._removed_then_default)
        except ValueError:  # not the main thread: signals are the main thread's business
            pass

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return self.tmp is None

    def close(self) -> None:
        """Put the file in place (OSError if it cannot be: the temporary file is then removed)."""
        if self.tmp is None:
            return
        try:
            self.stream.close()
            os.chmod(self.tmp, _mode_for(self.path))
            os.replace(self.tmp, self.path)
            self.tmp = None
        finally:
            self.discard()

    def discard(self) -> None:
        for number, handler in self._held.items():
            signal.signal(number, handler)
        self._held = {}
        with contextlib.suppress(OSError, ValueError):
            self.stream.close()
        if self.tmp is not None:
            _remove_quietly(self.tmp)
            self.tmp = None

    def _removed_then_default(self, signum: int, _frame: Any) -> None:
        if os.getpid() == self._owner and self.tmp is not None:  # not in a worker forked meanwhile
            _remove_quietly(self.tmp)
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)


def _mode_for(path: str) -> int:
    """The mode of the file at ``path``, or what a new file gets (0666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
