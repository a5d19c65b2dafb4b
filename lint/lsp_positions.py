"""Source offsets <-> Language Server Protocol positions.

clinic-lint's offsets count Unicode characters (code points) of the decoded text. LSP positions are a
0-based line and a column counted in the code units of the encoding the client and server agreed on: UTF-16
unless the client offers another (so an emoji or any other character beyond U+FFFF counts two, and in UTF-8
an "é" counts two). LSP lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r`` — not at the other characters
``str.splitlines`` breaks on (U+2028, form feed, ...), which editors keep inside a line.
"""

from __future__ import annotations

import bisect
import re

_BREAK = re.compile(r"\r\n|\r|\n")
ENCODINGS = ("utf-16", "utf-8", "utf-32")


def _units(ch: str, encoding: str) -> int:
    o = ord(ch)
    if encoding == "utf-16":
        return 2 if o > 0xFFFF else 1
    if encoding == "utf-8":
        return 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
    return 1


class Lines:
    """The line structure of one version of a document, for converting positions both ways."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        if encoding not in ENCODINGS:
            raise ValueError(f"unknown position encoding {encoding!r}")
        self.text = text
        self.encoding = encoding
        self.starts = [0] + [m.end() for m in _BREAK.finditer(text)]
        # where each line's content ends (before its line break)
        self.ends = [m.start() for m in _BREAK.finditer(text)] + [len(text)]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, character) of the character offset ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        segment = self.text[self.starts[line] : min(offset, self.ends[line])]  # a line break counts as its end
        if self.encoding == "utf-32" or segment.isascii():
            return line, len(segment)
        return line, sum(_units(c, self.encoding) for c in segment)

    def offset(self, line: int, character: int) -> int:
        """The character offset of LSP position (``line``, ``character``). A column past the end of its line
        means the line's end, a line past the last one the end of the text (as the protocol says); a column
        inside a character (half of a surrogate pair) means that character's start."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self.ends[line]
        if self.encoding == "utf-32":
            return min(start + max(character, 0), end)
        units = 0
        for i in range(start, end):
            step = _units(self.text[i], self.encoding)
            if units + step > character:
                return i
            units += step
        return end
