"""Copy inside a quoted value: a JSON-LD string, XML text of a WordPress export, a JSX or shortcode attribute.

Such a value must be decoded (escapes, entities, CDATA sections) before it reads as prose, and may hold HTML
itself. A :class:`Mapped` string is the decoded value with, for each of its pieces, the source range it came
from; :meth:`Mapped.prose` makes it one block, :meth:`Mapped.html` runs it through the HTML extractor and maps
every block and comment found back through the decoding, so positions still point into the file.
"""

from __future__ import annotations

import bisect
import re
from html import unescape

from lint.model import Comment, Document
from lint.positions import Block, ProseBuilder

# An HTML/XML character reference (attribute values, XML text).
ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)")


class Mapped:
    """A decoded string built piece by piece; each piece is a copy of the source (verbatim) or stands for a
    source range (an escape, an entity)."""

    __slots__ = ("_parts", "_starts", "_src_starts", "_src_ends", "_verbatim", "_length")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._starts: list[int] = []  # decoded index where each piece starts
        self._src_starts: list[int] = []
        self._src_ends: list[int] = []
        self._verbatim: list[bool] = []
        self._length = 0

    def verbatim(self, src_start: int, text: str) -> None:
        if text:
            self._add(text, src_start, src_start + len(text), True)

    def replaced(self, src_start: int, src_end: int, text: str) -> None:
        if text:
            self._add(text, src_start, src_end, False)

    def entities(self, src_start: int, raw: str) -> None:
        """Add ``raw`` (source from ``src_start``) with its HTML character references decoded."""
        done = 0
        for m in ENTITY.finditer(raw):
            decoded = unescape(m.group())
            if decoded != m.group():
                self.verbatim(src_start + done, raw[done : m.start()])
                self.replaced(src_start + m.start(), src_start + m.end(), decoded)
                done = m.end()
        self.verbatim(src_start + done, raw[done:])

    def _add(self, text: str, src_start: int, src_end: int, verbatim: bool) -> None:
        self._parts.append(text)
        self._starts.append(self._length)
        self._src_starts.append(src_start)
        self._src_ends.append(src_end)
        self._verbatim.append(verbatim)
        self._length += len(text)

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def contiguous(self) -> int | None:
        """The source offset of the decoded text when it is one verbatim copy of the source, else None."""
        if len(self._parts) == 1 and self._verbatim[0]:
            return self._src_starts[0]
        return None

    def source_start(self, index: int) -> int:
        """Source offset of decoded character ``index``."""
        i = bisect.bisect_right(self._starts, index) - 1
        if self._verbatim[i]:
            return self._src_starts[i] + index - self._starts[i]
        return self._src_starts[i]

    def source_end(self, index: int) -> int:
        """Source offset just past decoded character ``index - 1``."""
        i = bisect.bisect_right(self._starts, index - 1) - 1
        if self._verbatim[i]:
            return self._src_starts[i] + index - self._starts[i]
        return self._src_ends[i]

    def prose(self, kind: str) -> Block | None:
        """The decoded value as one block of plain prose (no markup inside)."""
        b = ProseBuilder()
        for text, start, end, verbatim in zip(
            self._parts, self._src_starts, self._src_ends, self._verbatim, strict=True
        ):
            if verbatim:
                b.verbatim(start, text)
            else:
                b.replaced(start, end, text)
        return b.build(kind)

    def html(self, kind: str | None = None, paragraphs_at_blank_lines: bool = False) -> Document:
        """The decoded value read as HTML, positions in the source. ``kind`` renames the block kinds that
        plain text gets ("paragraph"): a title stays a title even with an ``<em>`` in it."""
        from lint.extract import html as html_extract

        decoded = self.text
        base = self.contiguous()
        if base is not None:  # one copy of the source (a CDATA section, a string without escapes)
            doc = html_extract.parse(decoded, base, paragraphs_at_blank_lines=paragraphs_at_blank_lines)
        else:
            doc = html_extract.parse(decoded, 0, paragraphs_at_blank_lines=paragraphs_at_blank_lines)
            blocks = [self._remap(b, decoded) for b in doc.blocks]
            comments = [Comment(c.text, self.source_start(c.start), self.source_end(c.end)) for c in doc.comments]
            doc = Document([b for b in blocks if b is not None], comments)
        if kind is not None:
            doc.blocks = [_rekind(b, kind) for b in doc.blocks]
        return doc

    def _remap(self, block: Block, decoded: str) -> Block | None:
        """``block`` (offsets into the decoded text) rebuilt with offsets into the source."""
        b = ProseBuilder()
        o = block.offsets
        n = len(o.prose_starts)
        for k in range(n):
            start, end = o.src_starts[k], o.src_ends[k]
            if not o.verbatim[k]:
                prose_end = o.prose_starts[k + 1] if k + 1 < n else len(block.text)
                text = block.text[o.prose_starts[k] : prose_end]
                src_start = self.source_start(start)
                src_end = self.source_end(end) if end > start else src_start
                if text == " ":
                    b.space(src_start, src_end)
                else:
                    b.replaced(src_start, src_end, text)
                continue
            # a verbatim run of the decoded text: copy it piece by piece of the decoding
            i = start
            while i < end:
                p = bisect.bisect_right(self._starts, i) - 1
                piece_end = min(end, self._starts[p] + len(self._parts[p]))
                if self._verbatim[p]:
                    b.verbatim(self._src_starts[p] + i - self._starts[p], decoded[i:piece_end])
                else:
                    b.replaced(self._src_starts[p], self._src_ends[p], decoded[i:piece_end])
                i = piece_end
        if block.context:
            b.context(block.context)
        return b.build(block.kind)


def _rekind(block: Block, kind: str) -> Block:
    if block.kind != "paragraph":
        return block
    return Block(block.text, block.offsets, kind, block.context)
