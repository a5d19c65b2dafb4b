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
_QUOTES = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'))
# White space that is not already a single plain space between words: runs, tabs, line breaks, a lead space.
_ODD_SPACE = re.compile(r"\s{2,}|[^\S ]|^ ")
_SPACE_RUN = re.compile(r"\s\s|^\s")
_ONE_ODD_SPACE = re.compile(r"[^\S ]")


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps prose indexes to source offsets.

    The prose is a sequence of pieces; piece *i* starts at prose index ``prose_starts[i]`` and covers the
    source range ``[src_starts[i], src_ends[i])``. A *verbatim* piece copies the source one character for one
    character (a lone white-space character, such as the line break of a hard-wrapped line, reads as a space);
    a *replaced* piece (an entity, a run of white space) stands for its whole source range.
    """

    prose_starts: list[int]  # lists, not tuples: built once per block, never mutated after build()
    src_starts: list[int]
    src_ends: list[int]
    verbatim: list[bool]

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

    __slots__ = ("_parts", "_prose_starts", "_src_starts", "_src_ends", "_verbatim", "_length", "_context")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._prose_starts: list[int] = []
        self._src_starts: list[int] = []
        self._src_ends: list[int] = []
        self._verbatim: list[bool] = []
        self._length = 0
        self._context: list[str] = []

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
        if text.isprintable():
            if "  " not in text and text[0] != " ":  # the common case: one piece
                self._piece(text, src_start, src_start + len(text), True)
                return
        elif _SPACE_RUN.search(text) is None:
            # Hard-wrapped lines: each line break (or tab) stands alone between words and becomes one space
            # for one character, so the piece stays verbatim: same prose as a space piece each, in one piece.
            self._piece(_ONE_ODD_SPACE.sub(" ", text), src_start, src_start + len(text), True)
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

    def context(self, text: str) -> None:
        """Record non-prose text of this block that context checks may see (a link's address)."""
        self._context.append(text)

    def build(self, kind: str) -> Block | None:
        """The finished block, trailing space dropped; ``None`` when it holds no text."""
        parts = self._parts
        if parts and parts[-1].endswith(" "):
            if parts[-1] == " ":
                for lst in (parts, self._prose_starts, self._src_starts, self._src_ends, self._verbatim):
                    lst.pop()
                self._length -= 1
            else:  # a verbatim piece ending in a space (the rest of its line was dropped)
                trimmed = parts[-1].rstrip(" ")
                dropped = len(parts[-1]) - len(trimmed)
                self._src_ends[-1] -= dropped
                self._length -= dropped
                parts[-1] = trimmed
        text = "".join(parts)
        for curly, plain in _QUOTES:
            if curly in text:
                text = text.replace(curly, plain)
        if not text or text.isspace():
            return None
        offsets = OffsetMap(self._prose_starts, self._src_starts, self._src_ends, self._verbatim)
        return Block(text, offsets, kind, " ".join(self._context))


@dataclass(frozen=True, slots=True)
class Block:
    """A run of prose (paragraph, heading, list item, table cell, alt text, ...) and its source map."""

    text: str
    offsets: OffsetMap
    kind: str
    context: str = ""  # non-prose text that context checks see too: the addresses of the block's links


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
