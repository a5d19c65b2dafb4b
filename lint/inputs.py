"""Reading the files clinic-lint is given — posts, packs, configs, baselines, ``.gitignore`` files, cache
entries — without hanging or running out of memory.

Only regular files are read: a FIFO would block the run forever and a symlink to ``/dev/zero`` (which git
happily stores) would fill the memory, so :func:`read_regular` opens without blocking, checks what it opened
and reads at most ``limit`` bytes. :func:`deep_line` finds where a JSON or TOML document nests deeper than its
parser can recurse, so that error can name a line.
"""

from __future__ import annotations

import os
import stat

DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024  # posts (config ``max-file-size``); packs, configs and baselines too
MAX_NESTING = 100  # deeper YAML/TOML/JSON than this is refused: no real config or pack nests a tenth as deep

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


class NotRegular(OSError):
    """The path is not a regular file (a FIFO, a device, a socket): it was not read."""


class TooLarge(OSError):
    """The file is larger than the limit: it was not read."""


def kind_of(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: str | os.PathLike[str], limit: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed). Raises :class:`NotRegular` for anything
    else, :class:`TooLarge` past ``limit`` bytes, and OSError when it cannot be read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)  # non-blocking: opening a FIFO with no writer must not wait for one
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(f"{kind_of(st.st_mode)}, not a regular file")
        if st.st_size > limit:
            raise TooLarge(f"larger than {describe_size(limit)} ({describe_size(st.st_size)})")
        chunks, total = [], 0
        while True:  # read to the end, not to st_size: the file may grow, but never past the limit
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise TooLarge(f"larger than {describe_size(limit)}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike[str], limit: int = DEFAULT_MAX_FILE_SIZE) -> str:
    """:func:`read_regular`, decoded as UTF-8 (UnicodeDecodeError when it is not)."""
    return read_regular(path, limit).decode("utf-8")


def describe_size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"


def deep_line(text: str, limit: int = MAX_NESTING) -> int | None:
    """The 1-based line where ``[``/``{`` nesting first goes deeper than ``limit`` in JSON or TOML ``text``
    (brackets inside quoted strings do not count), or None. Linear; used to place a nesting error."""
    depth, line, i, n = 0, 1, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "[{":
            depth += 1
            if depth > limit:
                return line
        elif ch in "]}":
            depth -= 1
        elif ch == "\n":
            line += 1
        elif ch in "\"'":
            end = _string_end(text, i)
            line += text.count("\n", i, end)
            i = end
            continue
        i += 1
    return None


def _string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and quote == '"':
            i += 2
            continue
        if ch == quote or ch == "\n":
            return i + 1
        i += 1
    return i
