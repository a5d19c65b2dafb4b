"""Front matter: YAML (``---``) or TOML (``+++``) at the top of a Markdown, MDX or HTML file.

The values of prose-bearing keys are linted (``title``, ``description``, ``summary``, ``seo_title``, ... and
those the configuration adds), wherever they sit: at the top, in a nested mapping (``seo:`` ``title: ...``),
in a TOML table (``[params]``), in a list of mappings (``- question: ...``), or as the items of a list under
such a key. Everything else is metadata. The reader is line-based and written by hand: it keeps exact
positions through quotes, escapes and folded lines, costs nothing on the one-post path (no YAML library to
import), and broken front matter never stops the body from being linted.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lint.extract import key_name
from lint.positions import Block, ProseBuilder

# A top-level line of YAML / TOML front matter (a key, a list item, a comment, a table header).
_YAML_LINE = re.compile(r"""(?:[^\s#:>|*&!%@`'"\[\]{},-].*?|"[^"]*"|'[^']*'):(?:[ \t]|$)|#|-(?:[ \t]|$)|$""")
_TOML_LINE = re.compile(r"""[\w"'.-]+[ \t]*=|[\[\]}]|#|$""")  # "]": the end of an array over several lines
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
# A plain scalar inside a YAML flow collection: words, perhaps over several lines, up to a flow indicator, a
# ": " or a " #" comment. A TOML bare value (number, date, boolean) or key.
_YAML_FLOW_WORD = r"(?:[^\s,\[\]{}#:]|:(?![\s,\[\]{}]|$)|(?<!\s)#)+"
_YAML_FLOW_PLAIN = re.compile(rf"{_YAML_FLOW_WORD}(?:[ \t\r\n]+{_YAML_FLOW_WORD})*")
_TOML_BARE = re.compile(r"[^\s,\[\]{}#=\"']+")
_SPACE = re.compile(r"[ \t]*")
_TOML_HEADER = re.compile(r"""[ \t]*\[\[?[ \t]*[\w"'.-][\w"' .-]*\]\]?[ \t]*(?:#.*)?$""")  # [params], [[faq]]
_NOTHING_MORE = re.compile(r"[ \t]*(?:#.*)?$")  # after a key: its value is the block below
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
        self._boundaries: list[int] | None = None

    # -- YAML ----------------------------------------------------------------------------------------------
    def yaml(self) -> None:
        """Read the keys line by line. A value's own lines are passed over once read, and the keys whose value
        is the block below them are kept on a stack by column, so that each line is read once, however deep
        the nesting."""
        lines, starts = self.lines, self.starts
        parents: list[tuple[int, str]] = []  # (column, kind) of each key whose value is the block below it
        i = 1
        while i < self.last:
            line = lines[i]
            content = line.lstrip(" \t")
            if not content or content[0] == "#":
                i += 1
                continue
            item = _YAML_ITEM.match(line)
            if item is not None:  # "- …": an item of the list under the nearest key to its left
                column = len(line) - len(content)
                while parents and parents[-1][0] > column:
                    parents.pop()
            key = _YAML_KEY.match(line)
            if key is None:
                kind = parents[-1][1] if item is not None and parents else ""
                if item is not None and line[item.end() : item.end() + 1] != "-":
                    i = self._yaml_value(i, column, starts[i] + item.end(), kind)
                else:
                    i += 1
                continue
            while parents and parents[-1][0] >= key.start(1):
                parents.pop()
            name = _key(key.group(1))
            kind = name if key_name(name) in self.keys else ""
            if _NOTHING_MORE.match(line, key.end()):
                parents.append((key.start(1), kind))
            i = self._yaml_value(i, key.start(1), starts[i] + key.end(), kind)

    def _deeper(self, j: int, indent: int) -> bool:
        """Whether line ``j`` is blank or indented more than ``indent`` (so it continues a value)."""
        line = self.lines[j]
        stripped = line.lstrip(" \t")
        return not stripped or len(line) - len(stripped) > indent

    def _line_after(self, i: int, end: int) -> int:
        """The first line after line ``i`` that starts at or after offset ``end`` (a value's last line is
        passed over)."""
        while i < self.last and self.starts[i] + len(self.lines[i]) < end:
            i += 1
        return i + 1

    def _yaml_quoted(self, start: int, kind: str, limit: int = -1) -> int:
        """The YAML quoted string at ``start`` (a block when ``kind``); where it ends, -1 when it does not end
        before ``limit`` (the end of the front matter)."""
        text = self.text
        m = (_DQ if text[start] == '"' else _SQ).match(text, start, self.limit if limit < 0 else limit)
        if m is None:
            return -1
        if kind:
            b = ProseBuilder()
            if text[start] == '"':
                _escaped(text, b, m.start(1), m.end(1), _DQ_ESCAPE, _decode_escape)
            else:
                _escaped(text, b, m.start(1), m.end(1), _SQ_ESCAPE, _quote)
            self._append(b, kind)
        return m.end()

    def _yaml_value(self, i: int, indent: int, start: int, kind: str) -> int:
        """The value of the key on line ``i`` (at column ``indent``), from source ``start``; linted when
        ``kind`` (the key) is a prose key. Returns the next line to read: the value's own lines are skipped,
        unless they are a nested mapping or list, whose keys are read in turn."""
        text, lines, starts, last = self.text, self.lines, self.starts, self.last
        c = text[start] if start < self.limit else "\n"
        if c in "\"'":  # a quoted string, perhaps over several lines
            end = self._yaml_quoted(start, kind)
            return i + 1 if end < 0 else self._line_after(i, end)
        if c in "[{":  # a flow collection, perhaps over several lines
            stop = self._boundary(i, toml=False)
            end = self._flow(start, kind, toml=False, limit=starts[stop])
            return stop if end < 0 else self._line_after(i, end)
        header = lines[i][start - starts[i] :]
        if _BLOCK_SCALAR.match(header):  # "|" or ">": the indented lines below
            j = i + 1
            while j < last and self._deeper(j, indent):
                j += 1
            body = [k for k in range(i + 1, j) if lines[k].strip()]
            if body and kind:
                first = starts[body[0]] + len(lines[body[0]]) - len(lines[body[0]].lstrip(" \t"))
                self._plain(first, starts[body[-1]] + len(lines[body[-1]]), kind)
            return j
        if c == "\n" or c == "#":  # the value is below: a nested mapping or list, or an indented scalar
            below = i + 1
            while below < last and not lines[below].strip():
                below += 1
            if below == last or not self._deeper(below, indent):
                return i + 1
            if _YAML_KEY.match(lines[below]) or _YAML_ITEM.match(lines[below]):
                return i + 1  # a nested mapping or list: its lines are read in turn
            c = lines[below].lstrip(" \t")[:1]
            start = starts[below] + len(lines[below]) - len(lines[below].lstrip(" \t"))
            if c in "\"'[{":
                return self._yaml_value(below, indent, start, kind)
        if c in "\n#" or c.isspace() or not c:
            return i + 1  # nothing: not prose
        # a plain scalar, continued on more-indented lines (that are no keys), up to a " #" comment
        k = i + 1
        while k < last and self._deeper(k, indent) and not _YAML_KEY.match(lines[k]) and not _YAML_ITEM.match(lines[k]):
            k += 1
        while k - 1 > i and not lines[k - 1].strip():
            k -= 1
        end = starts[k - 1] + len(lines[k - 1])
        if kind:
            self._plain_scalar(start, end, kind)
        return k

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
            kind = name if key_name(name) in self.keys else ""
            start = self.starts[i] + key.end()
            if self.text.startswith(("[", "{"), start):  # an array or inline table, perhaps over several lines
                stop = self._boundary(i, toml=True)
                end = self._flow(start, kind, toml=True, limit=self.starts[stop])
                i = stop if end < 0 else self._line_after(i, end)
            else:
                i = self._line_after(i, self._toml_value(start, kind))

    def _toml_value(self, start: int, kind: str, limit: int = -1) -> int:
        """A TOML string (basic, literal, or their multi-line forms) ending before ``limit`` (the end of the
        front matter); returns where it ends (``start``: no string)."""
        text, limit = self.text, self.limit if limit < 0 else limit
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

    # -- flow collections: YAML [a, b] / {k: v}, TOML arrays and inline tables -----------------------------
    def _boundary(self, i: int, *, toml: bool) -> int:
        """The line a flow collection opened on line ``i`` cannot run past: the next key or list item at its
        indentation or to its left (YAML), the next key or table header (TOML); the closing fence when there
        is none. A collection left open is read only up to there, and reading goes on from there."""
        if self._boundaries is None:
            self._boundaries = self._find_boundaries(toml)
        return self._boundaries[i]

    def _find_boundaries(self, toml: bool) -> list[int]:
        """:meth:`_boundary` of every line, in one pass from the last line up. The YAML key and item lines
        below the current one that may still be an answer are kept with their indentation growing towards the
        nearest, so each answer is found by bisection and a deep staircase stays linear."""
        lines, last = self.lines, self.last
        out = [last] * (last + 1)
        indents: list[int] = []  # of the key/item lines below that may be an answer, the nearest last
        nearest: list[int] = []  # their line numbers
        later = last  # TOML: the nearest key or table header below
        for j in range(last - 1, 0, -1):
            line = lines[j]
            if toml:
                out[j] = later
                if _TOML_KEY.match(line) or _TOML_HEADER.match(line):
                    later = j
                continue
            content = line.lstrip(" \t")
            indent = len(line) - len(content)
            k = bisect.bisect_right(indents, indent)
            out[j] = nearest[k - 1] if k else last
            if content and (_YAML_KEY.match(line) or _YAML_ITEM.match(line)):
                while indents and indents[-1] >= indent:  # this line is nearer and no further right
                    indents.pop()
                    nearest.pop()
                indents.append(indent)
                nearest.append(j)
        return out

    def _flow(self, start: int, kind: str, *, toml: bool, limit: int) -> int:
        """Read the collection opening at ``start``: its strings are blocks where their key is a prose key (a
        list's items take the key the list is under). Returns where it ends; -1 when it does not end before
        ``limit`` (then nothing in it is linted). One pass: every character is looked at once."""
        text = self.text
        separator = "=" if toml else ":"
        plain = _TOML_BARE if toml else _YAML_FLOW_PLAIN
        # The open collections: each one's closer, and the kind of what comes next in it (a list's items, a
        # mapping's value); two flat lists, not a list of pairs, so that deep nesting makes no garbage to collect.
        closers: list[str] = []
        kinds: list[str] = []
        found: list[tuple[int, int, str]] = []  # (start, end, kind) of prose strings and plain scalars
        pos = start
        while pos < limit:
            c = text[pos]
            if c in "[{":
                outer = kinds[-1] if kinds else kind
                closers.append("]" if c == "[" else "}")
                kinds.append(outer if c == "[" else "")
                pos += 1
            elif c in "]}":
                if closers[-1] != c:
                    return -1  # not a collection after all
                closers.pop()
                kinds.pop()
                pos += 1
                if not closers:
                    for at, end, what in found:
                        self._flow_scalar(at, end, what, toml, limit)
                    return pos
            elif c == ",":
                if closers[-1] == "}":
                    kinds[-1] = ""  # the next key decides
                pos += 1
            elif c in " \t\r\n":
                pos += 1
            elif c == "#":  # a comment, to the end of its line
                nl = text.find("\n", pos, limit)
                pos = limit if nl < 0 else nl
            else:
                if c in "\"'":
                    end = self._toml_value(pos, "", limit) if toml else self._yaml_quoted(pos, "", limit)
                    if end <= pos:
                        return -1
                else:
                    m = plain.match(text, pos, limit)
                    if m is None:
                        return -1  # "=" or ":" where a key or value should be
                    end = m.end()
                after = _SPACE.match(text, end, limit).end()  # type: ignore[union-attr]
                if closers[-1] == "}" and text.startswith(separator, after):  # a key
                    name = _key(text[pos:end]) if toml or c in "\"'" else text[pos:end]
                    kinds[-1] = name if key_name(name) in self.keys else ""
                    pos = after + 1
                else:
                    if kinds[-1]:
                        found.append((pos, end, kinds[-1]))
                    pos = end
        return -1

    def _flow_scalar(self, start: int, end: int, kind: str, toml: bool, limit: int) -> None:
        """A string or plain scalar of a flow collection, as a block of ``kind``."""
        c = self.text[start]
        if c in "\"'":
            self._toml_value(start, kind, limit) if toml else self._yaml_quoted(start, kind, limit)
        elif not toml:  # TOML's bare values are numbers, dates and booleans: never prose
            self._plain_scalar(start, end, kind)

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
