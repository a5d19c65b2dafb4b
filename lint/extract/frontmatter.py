"""Front matter: YAML (``---``) or TOML (``+++``) at the top of a Markdown, MDX or HTML file.

The values of prose-bearing keys are linted (``title``, ``description``, ``summary``, ``seo_title``, ... and
those the configuration adds), wherever they sit: at the top, in a nested mapping (``seo:`` ``title: ...``),
in a TOML table (``[params]``), in a list of mappings (``- question: ...``), or as the items of a list under
such a key. Everything else is metadata. The reader is line-based and written by hand: it keeps exact
positions through quotes, escapes and folded lines, costs nothing on the one-post path (no YAML library to
import), and broken front matter never stops the body from being linted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lint.extract import key_name
from lint.positions import Block, ProseBuilder

# A top-level line of YAML / TOML front matter (a key, a list item, a comment, a table header).
_YAML_LINE = re.compile(r"""(?:[^\s#:>|*&!%@`'"\[\]{},-].*?|"[^"]*"|'[^']*'):(?:[ \t]|$)|#|-(?:[ \t]|$)|$""")
_TOML_LINE = re.compile(r"""[\w"'.-]+[ \t]*=|\[|#|$""")
# A YAML mapping key at any depth, perhaps after list markers: "  - question: ..."
_YAML_KEY = re.compile(r"""[ \t]*(?:-[ \t]+)*([A-Za-z_$][\w$.:-]*?|"[^"\n]*"|'[^'\n]*')[ \t]*:(?:[ \t]+|$)""")
_YAML_ITEM = re.compile(r"[ \t]*-(?:[ \t]+|$)")
_TOML_KEY = re.compile(
    r"""[ \t]*((?:[\w-]+|"[^"\n]*"|'[^'\n]*')(?:[ \t]*\.[ \t]*(?:[\w-]+|"[^"\n]*"|'[^'\n]*'))*)[ \t]*=[ \t]*"""
)
_DQ = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_SQ = re.compile(r"'((?:[^']|'')*)'", re.S)
_SQ_ESCAPE = re.compile("''")
_TOML_SQ = re.compile(r"'([^'\n]*)'")
_TOML_ML_DQ = re.compile(r'"""\r?\n?((?:[^"\\]|\\[\s\S]|"(?!""))*)"""', re.S)
_TOML_ML_SQ = re.compile(r"'''\r?\n?((?:[^']|'(?!''))*)'''", re.S)
_DQ_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[\s\S])")
_DQ_SIMPLE = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029", "\n": "", "\r": "",
}  # fmt: skip
_BLOCK_SCALAR = re.compile(r"[|>][-+]?[1-9]?[-+]?[ \t]*(?:#.*)?$")
_PLAIN_COMMENT = re.compile(r"[ \t]+#")


@dataclass
class FrontMatter:
    """What the front matter held: its prose blocks, and where the body starts (line index and offset)."""

    blocks: list[Block] = field(default_factory=list)
    body_line: int = 0
    body_start: int = 0


def parse(text: str, keys: frozenset[str]) -> FrontMatter:
    """The prose of the front matter opening ``text`` (none: an empty FrontMatter at line 0)."""
    if not text.startswith(("---", "+++")):
        return FrontMatter()
    fence = text[: text.find("\n")].rstrip(" \t\r") if "\n" in text else text.rstrip(" \t\r")
    if fence not in ("---", "+++"):
        return FrontMatter()
    closers = ("---", "...") if fence == "---" else ("+++",)
    lines, starts = _lines(text, closers)
    shape = _YAML_LINE if fence == "---" else _TOML_LINE
    open_string = ""  # inside a TOML multi-line string: its lines are no keys
    for last in range(1, len(lines)):
        line = lines[last]
        if open_string:
            if line.count(open_string) % 2:
                open_string = ""
            continue
        if line.rstrip(" \t") in closers:
            break
        if line[:1] not in ("", " ", "\t") and not shape.match(line):
            return FrontMatter()  # not key/value lines: a thematic break opening the post, not front matter
        if fence == "+++":
            open_string = next((q for q in ('"""', "'''") if line.count(q) % 2), "")
    else:
        return FrontMatter()
    reader = _Reader(text, lines, starts, last, keys)
    if fence == "---":
        reader.yaml()
    else:
        reader.toml()
    body = starts[last + 1] if last + 1 < len(starts) else len(text)
    return FrontMatter(reader.blocks, last + 1, body)


def _lines(text: str, closers: tuple[str, ...]) -> tuple[list[str], list[int]]:
    """The lines of the front matter, CRs dropped, and the offset each starts at, then the body's first line
    (empty). Reading stops at the line that closes it, so a long post costs little."""
    lines: list[str] = []
    starts: list[int] = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        line = text[pos:end]
        lines.append(line[:-1] if line.endswith("\r") else line)
        starts.append(pos)
        if len(lines) > 1 and lines[-1].rstrip(" \t") in closers:
            if nl >= 0:
                starts.append(nl + 1)  # the body's first line
                lines.append("")
            break
        if nl < 0:
            break
        pos = nl + 1
    return lines, starts


def _key(raw: str) -> str:
    """A key as written, unquoted; of a dotted TOML key the last part (``params.subtitle``: ``subtitle``)."""
    key = raw.strip()
    if key[:1] in "\"'":
        return key[1:-1]
    return key.rsplit(".", 1)[-1].strip()


class _Reader:
    def __init__(self, text: str, lines: list[str], starts: list[int], last: int, keys: frozenset[str]) -> None:
        self.text, self.lines, self.starts, self.last, self.keys = text, lines, starts, last, keys
        self.limit = starts[last]  # the closing fence
        self.blocks: list[Block] = []

    # -- YAML ----------------------------------------------------------------------------------------------
    def yaml(self) -> None:
        i = 1
        while i < self.last:
            key = _YAML_KEY.match(self.lines[i])
            if key is None:
                i += 1
                continue
            name = _key(key.group(1))
            kind = name if key_name(name) in self.keys else ""
            i = self._yaml_value(i, key.start(1), self.starts[i] + key.end(), kind)

    def _deeper(self, j: int, indent: int) -> bool:
        """Whether line ``j`` is blank or indented more than ``indent`` (so it continues a value)."""
        line = self.lines[j]
        stripped = line.lstrip(" \t")
        return not stripped or len(line) - len(stripped) > indent

    def _yaml_value(self, i: int, indent: int, start: int, kind: str) -> int:
        """The value of the key on line ``i`` (at column ``indent``), from source ``start``; linted when
        ``kind`` (the key) is a prose key. Returns the next line to read: the value's own lines are skipped,
        unless they are a nested mapping or list, whose keys are read in turn."""
        text, lines, starts, last = self.text, self.lines, self.starts, self.last
        c = text[start] if start < self.limit else "\n"
        if c == '"' or c == "'":
            m = (_DQ if c == '"' else _SQ).match(text, start, self.limit)
            if m is None:
                return i + 1
            if kind:
                b = ProseBuilder()
                if c == '"':
                    _escaped(text, b, m.start(1), m.end(1), _DQ_ESCAPE, _decode_escape)
                else:
                    _escaped(text, b, m.start(1), m.end(1), _SQ_ESCAPE, _quote)
                self._append(b, kind)
            while i < last and starts[i] + len(lines[i]) < m.end():
                i += 1
            return i + 1
        j = i + 1
        while j < last and self._deeper(j, indent):
            j += 1
        header = lines[i][start - starts[i] :]
        if _BLOCK_SCALAR.match(header):  # "|" or ">": the indented lines below
            body = [k for k in range(i + 1, j) if lines[k].strip()]
            if body and kind:
                first = starts[body[0]] + len(lines[body[0]]) - len(lines[body[0]].lstrip(" \t"))
                self._plain(first, starts[body[-1]] + len(lines[body[-1]]), kind)
            return j
        if c == "\n" or c == "#":  # the value is below: a nested mapping or list, or an indented scalar
            below = next((k for k in range(i + 1, j) if lines[k].strip()), None)
            if below is None:
                return i + 1
            if _YAML_KEY.match(lines[below]):
                return i + 1  # a nested mapping: read its keys
            if _YAML_ITEM.match(lines[below]):
                if kind:
                    self._items(i + 1, j, kind)
                return i + 1  # keys inside the items are read in turn
            c = lines[below].lstrip(" \t")[:1]
            start = starts[below] + len(lines[below]) - len(lines[below].lstrip(" \t"))
            if c in "\"'":
                return self._yaml_value(below, indent, start, kind)
        if c in "[{\n#" or c.isspace() or not c:
            return i + 1  # a flow collection, nothing: not prose
        # a plain scalar, continued on more-indented lines (that are no keys), up to a " #" comment
        k = i + 1
        while k < j and not _YAML_KEY.match(lines[k]) and not _YAML_ITEM.match(lines[k]):
            k += 1
        while k - 1 > i and not lines[k - 1].strip():
            k -= 1
        end = starts[k - 1] + len(lines[k - 1])
        if kind:
            self._plain_scalar(start, end, kind)
        return k

    def _items(self, first: int, stop: int, kind: str) -> None:
        """A list under a prose key: each item that is a scalar is a block of its own."""
        for k in range(first, stop):
            item = _YAML_ITEM.match(self.lines[k])
            if item is None or _YAML_KEY.match(self.lines[k]):
                continue
            start = self.starts[k] + item.end()
            c = self.text[start : start + 1]
            if c in ('"', "'"):
                self._yaml_value(k, item.end() - 1, start, kind)
            elif c and c not in "[{#-":
                self._plain_scalar(start, self.starts[k] + len(self.lines[k]), kind)

    def _plain_scalar(self, start: int, end: int, kind: str) -> None:
        """A plain scalar: a ``#`` after white space starts a comment on any of its lines."""
        b = ProseBuilder()
        text = self.text
        pos = start
        while pos < end:
            nl = text.find("\n", pos, end)
            line_end = end if nl < 0 else nl
            comment = _PLAIN_COMMENT.search(text, pos, line_end)
            piece_end = comment.start() if comment is not None else line_end
            if len(b):
                b.space(pos - 1, pos)
            b.verbatim(pos, text[pos:piece_end].rstrip(" \t\r"))
            if nl < 0:
                break
            pos = nl + 1
            while pos < end and text[pos] in " \t":
                pos += 1
        self._append(b, kind)

    # -- TOML ----------------------------------------------------------------------------------------------
    def toml(self) -> None:
        i = 1
        while i < self.last:
            key = _TOML_KEY.match(self.lines[i])
            if key is None:
                i += 1
                continue
            name = _key(key.group(1))
            end = self._toml_value(self.starts[i] + key.end(), name if key_name(name) in self.keys else "")
            while i < self.last and self.starts[i] + len(self.lines[i]) < end:
                i += 1
            i += 1

    def _toml_value(self, start: int, kind: str) -> int:
        """A TOML string (basic, literal, or their multi-line forms); returns where the value ends."""
        text, limit = self.text, self.limit
        b = ProseBuilder()
        if text.startswith('"""', start):
            m = _TOML_ML_DQ.match(text, start, limit)
            if m is None:
                return start
            _escaped(text, b, m.start(1), m.end(1), _DQ_ESCAPE, _decode_escape)
        elif text.startswith("'''", start):
            m = _TOML_ML_SQ.match(text, start, limit)
            if m is None:
                return start
            b.verbatim(m.start(1), m.group(1))
        elif text.startswith('"', start):
            m = _DQ.match(text, start, limit)
            if m is None or "\n" in m.group(1):
                return start
            _escaped(text, b, m.start(1), m.end(1), _DQ_ESCAPE, _decode_escape)
        elif text.startswith("'", start):
            m = _TOML_SQ.match(text, start, limit)
            if m is None:
                return start
            b.verbatim(m.start(1), m.group(1))
        else:
            return start
        if kind:
            self._append(b, kind)
        return m.end()

    # -- blocks --------------------------------------------------------------------------------------------
    def _plain(self, start: int, end: int, kind: str) -> None:
        b = ProseBuilder()
        b.verbatim(start, self.text[start:end])
        self._append(b, kind)

    def _append(self, b: ProseBuilder, kind: str) -> None:
        block = b.build(kind)  # the key is the block's kind: "title", "seo_title", ...
        if block is not None:
            self.blocks.append(block)


def _escaped(
    text: str, b: ProseBuilder, start: int, end: int, escape: re.Pattern[str], decode: Callable[[str], str]
) -> None:
    """Add ``text[start:end]`` with every ``escape`` match replaced by ``decode(match)``."""
    pos = start
    for m in escape.finditer(text, start, end):
        b.verbatim(pos, text[pos : m.start()])
        b.replaced(m.start(), m.end(), decode(m.group()))
        pos = m.end()
    b.verbatim(pos, text[pos:end])


def _decode_escape(esc: str) -> str:
    """The character a YAML/TOML double-quoted escape stands for (unknown escapes: the character)."""
    c = esc[1]
    if c in "xuU":
        try:
            return chr(int(esc[2:], 16))
        except (ValueError, OverflowError):
            return esc
    return _DQ_SIMPLE.get(c, c)


def _quote(_: str) -> str:
    """A YAML single-quoted ``''`` stands for one quote."""
    return "'"
