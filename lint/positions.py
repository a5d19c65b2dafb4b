"""Exact source positions.

Extractors build prose with a :class:`ProseBuilder`; every prose character remembers the source offset it
came from, so a match in the prose maps back to the exact characters of the original file, whatever markup,
entities or line breaks were removed in between. :class:`LineIndex` turns source offsets into 1-based
(line, column) pairs, columns counting Unicode characters.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Typographic quotes become plain ones so patterns need not spell both; same length, so no remapping.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
# White space that is not already a single plain space between words: runs, tabs, line breaks, a lead space.
_ODD_SPACE = re.compile(r"\s{2,}|[^\S ]|^ ")


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps prose indexes to source offsets.

    The prose is a sequence of pieces; piece *i* starts at prose index ``prose_starts[i]`` and covers the
    source range ``[src_starts[i], src_ends[i])``. A *verbatim* piece copies the source one character for one
    character; a *replaced* piece (an entity, a run of white space) stands for its whole source range.
    """

    prose_starts: tuple[int, ...]
    src_starts: tuple[int, ...]
    src_ends: tuple[int, ...]
    verbatim: tuple[bool, ...]

    def start(self, index: int) -> int:
        """Source offset of the prose character at ``index``."""
        i = bisect.bisect_right(self.prose_starts, index) - 1
        if self.verbatim[i]:
            return self.src_starts[i] + (index - self.prose_starts[i])
        return self.src_starts[i]

    def end(self, index: int) -> int:
        """Source offset just past the prose character at ``index - 1`` (an exclusive end)."""
        i = bisect.bisect_right(self.prose_starts, index - 1) - 1
        if self.verbatim[i]:
            return self.src_starts[i] + (index - self.prose_starts[i])
        return self.src_ends[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source ``[start, end)`` of the prose slice ``[start, end)`` (``end > start``)."""
        return self.start(start), self.end(end)


class ProseBuilder:
    """Accumulates prose pieces for one block and the map back to the source."""

    __slots__ = ("_parts", "_prose_starts", "_src_starts", "_src_ends", "_verbatim", "_length")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._prose_starts: list[int] = []
        self._src_starts: list[int] = []
        self._src_ends: list[int] = []
        self._verbatim: list[bool] = []
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def _piece(self, text: str, src_start: int, src_end: int, verbatim: bool) -> None:
        self._parts.append(text)
        self._prose_starts.append(self._length)
        self._src_starts.append(src_start)
        self._src_ends.append(src_end)
        self._verbatim.append(verbatim)
        self._length += len(text)

    def verbatim(self, src_start: int, text: str) -> None:
        """Add ``text``, which is exactly the source from ``src_start``. White space runs become one space."""
        if not text:
            return
        pos = 0
        for m in _ODD_SPACE.finditer(text):
            if m.start() > pos:
                self._piece(text[pos : m.start()], src_start + pos, src_start + m.start(), True)
            self.space(src_start + m.start(), src_start + m.end())
            pos = m.end()
        if pos < len(text):
            self._piece(text[pos:], src_start + pos, src_start + len(text), True)

    def replaced(self, src_start: int, src_end: int, text: str) -> None:
        """Add ``text`` standing for the source range ``[src_start, src_end)`` (e.g. a decoded entity)."""
        if text.isspace():
            self.space(src_start, src_end)
        elif text:
            self._piece(text, src_start, src_end, False)

    def space(self, src_start: int, src_end: int) -> None:
        """Add a word break standing for ``[src_start, src_end)``; never two spaces in a row, none leading."""
        if not self._length or self._parts[-1].endswith(" "):
            return
        self._piece(" ", src_start, src_end, False)

    def build(self, kind: str) -> Block | None:
        """The finished block, trailing space dropped; ``None`` when it holds no text."""
        if self._parts and self._parts[-1] == " ":
            self._length -= 1
            for lst in (self._parts, self._prose_starts, self._src_starts, self._src_ends, self._verbatim):
                lst.pop()
        text = "".join(self._parts).translate(_QUOTES)
        if not text.strip():
            return None
        offsets = OffsetMap(
            tuple(self._prose_starts), tuple(self._src_starts), tuple(self._src_ends), tuple(self._verbatim)
        )
        return Block(text, offsets, kind)


@dataclass(frozen=True, slots=True)
class Block:
    """A run of prose (paragraph, heading, list item, table cell, alt text, ...) and its source map."""

    text: str
    offsets: OffsetMap
    kind: str


class LineIndex:
    """Source offset -> 1-based (line, column); columns count characters, a CRLF's CR ends the line."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", text))
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def line_start(self, line: int) -> int:
        """Source offset of the first character of 1-based ``line``."""
        return self._starts[line - 1]
