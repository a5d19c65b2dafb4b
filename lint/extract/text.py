"""Plain text: paragraphs separated by blank lines; hard-wrapped lines join into one block.

A short line with no closing punctuation followed by a capitalised line is a title and stands alone (a block
of kind "heading"), as is a bulleted or numbered line. Text copied from the web keeps one paragraph per line
with no blank lines between them: when a file has lines longer than any hard-wrapped text would
(``_UNWRAPPED`` characters), every line is its own block. A line holding only a ``clinic-lint-...``
directive (bare or inside ``<!-- -->``) is a comment, not prose.
"""

from __future__ import annotations

import re

from lint.extract import DEFAULT_OPTIONS, Options
from lint.model import Comment, Document
from lint.positions import Block, ProseBuilder

_LINE = re.compile(r"[^\n]*\n?")
_BULLET = re.compile(r"[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t]+")
_DIRECTIVE = re.compile(r"[ \t]*(?:<!--)?[ \t]*(clinic-lint-[a-z-]+\b.*?)[ \t]*(?:-->)?[ \t]*\r?\n?\Z")
_TITLE_MAX = 70  # a line this short without closing punctuation, followed by a capital, is a heading
_UNWRAPPED = 160  # a line this long was not hard-wrapped: the file keeps one paragraph per line
_CLOSED = tuple(".!?:;,\"')]")


def extract(text: str, options: Options = DEFAULT_OPTIONS) -> Document:
    blocks: list[Block] = []
    comments: list[Comment] = []
    builder = ProseBuilder()
    kind = "paragraph"
    one_per_line = any(len(line) > _UNWRAPPED for line in text.splitlines())
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
        if bullet or not prev_open or one_per_line or (prev_title and stripped[0].isupper()):
            flush()
            kind = "list-item" if bullet else "heading" if _is_title(stripped) else "paragraph"
        skip = bullet.end() if bullet else len(body) - len(body.lstrip())
        if len(builder):
            builder.space(start - 1, start + skip)
        builder.verbatim(start + skip, body[skip:].rstrip())
        prev_open = True
        prev_title = _is_title(stripped)
    flush()
    return Document(blocks, comments)


# A line ending in one of these words runs on into the next line; it is not a title.
_RUNS_ON = frozenset(
    "a an the and or but nor of to in on at for with by from as is are was were be been not no than that this "
    "these those your our their its my his her which who whom whose when where while if because so very more most "
    "can could may might will would should must do does did has have had also".split()
)


def _is_title(line: str) -> bool:
    if len(line) > _TITLE_MAX or line.endswith(_CLOSED):
        return False
    words = line.split()
    return not words or words[-1].lower() not in _RUNS_ON
