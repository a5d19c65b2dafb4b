"""Plain text: paragraphs separated by blank lines; hard-wrapped lines join into one block.

A short line with no closing punctuation followed by a capitalised line is a title and stands alone, as is
a bulleted or numbered line. A line holding only a ``clinic-lint-...`` directive (bare or inside
``<!-- -->``) is a comment, not prose.
"""

from __future__ import annotations

import re

from lint.model import Comment, Document
from lint.positions import Block, ProseBuilder

_LINE = re.compile(r"[^\n]*\n?")
_BULLET = re.compile(r"[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t]+")
_DIRECTIVE = re.compile(r"[ \t]*(?:<!--)?[ \t]*(clinic-lint-[a-z-]+\b.*?)[ \t]*(?:-->)?[ \t]*\r?\n?\Z")
_TITLE_MAX = 70  # a line this short without closing punctuation, followed by a capital, is a heading
_CLOSED = tuple(".!?:;,\"')]")


def extract(text: str) -> Document:
    blocks: list[Block] = []
    comments: list[Comment] = []
    builder = ProseBuilder()
    kind = "paragraph"
    prev_open = False  # the previous line may continue into this one
    prev_title = False  # ... unless it looks like a title and this line starts a new sentence

    def flush() -> None:
        nonlocal builder
        block = builder.build(kind)
        if block is not None:
            blocks.append(block)
        builder = ProseBuilder()

    for m in _LINE.finditer(text):
        line = m.group()
        if not line:
            break
        start = m.start()
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if not stripped:
            flush()
            prev_open = False
            continue
        directive = _DIRECTIVE.match(line)
        if directive:
            flush()
            comments.append(Comment(directive.group(1), start, start + len(body)))
            prev_open = False
            continue
        bullet = _BULLET.match(body)
        if bullet or not prev_open or (prev_title and stripped[0].isupper()):
            flush()
            kind = "list-item" if bullet else "paragraph"
        skip = bullet.end() if bullet else len(body) - len(body.lstrip())
        if len(builder):
            builder.space(start - 1, start + skip)
        builder.verbatim(start + skip, body[skip:].rstrip())
        prev_open = True
        prev_title = _is_title(stripped)
    flush()
    return Document(blocks, comments)


def _is_title(line: str) -> bool:
    return len(line) <= _TITLE_MAX and not line.endswith(_CLOSED)
