"""Template syntax in Markdown and HTML files, which the site generator removes before anything is published.

Liquid/Jekyll (``{% tag %}``, ``{% comment %}…{% endcomment %}``, ``{% # note %}``, ``{% raw %}`` tags but not
what they enclose, ``{% highlight %}`` code), Hugo/Go templates (``{{ .Title }}``, ``{{/* comment */}}``, the
``{{< shortcode >}}``/``{{% shortcode %}}`` delimiters), Jinja/Nunjucks (``{# comment #}``) and Handlebars
comments (``{{! … }}``) are blanked out — replaced by spaces, line breaks kept — so the Markdown or HTML
extractor sees the prose between them at its original offsets. Comments are collected, so suppression
directives work inside them; the string values of prose-bearing shortcode parameters
(``{{< figure caption="…" >}}``) are blocks of their own.

Every search for a closing delimiter moves forward, and a closer once found missing is not searched for again,
so a page full of stray ``{%`` stays linear. Tags and expressions end within their paragraph; a ``{%`` with no
``%}`` before the next blank line is literal text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lint.extract import key_name
from lint.extract.forward import ForwardFinder
from lint.model import Comment
from lint.positions import Block, ProseBuilder

_OPEN = re.compile(r"\{[{%#]|<!--")
_COMMENT_END = re.compile("-->")
# What may stand before a line's content: indentation, list item and block quote markers.
_LINE_LEAD = re.compile(r"[ \t]*(?:(?:[-*+>]|\d{1,9}[.)])[ \t]*)*")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_NOT_NEWLINE = re.compile(r"[^\r\n]")
_TAG_NAME = re.compile(r"\{%-?[ \t\r\n]*(#|[A-Za-z_]\w*)")
_END_TAGS = {
    name: re.compile(r"\{%-?[ \t\r\n]*end" + name + r"[ \t\r\n]*-?%\}") for name in ("comment", "raw", "highlight")
}
_GO_COMMENT_OPEN = re.compile(r"\{\{-?[ \t\r\n]*/\*")
_GO_COMMENT_CLOSE = re.compile(r"\*/[ \t\r\n]*-?\}\}")
_SHORTCODE_NAME = re.compile(r"\{\{[<%][ \t\r\n]*(/?)[ \t\r\n]*([\w./-]+)")
_ATTRIBUTE_LIST = re.compile(r"\{#[^}#\n]*\}")  # {#anchor .class}: a Markdown attribute list, kept
_PARAM = re.compile(r"""([A-Za-z_][\w-]*)[ \t\r\n]*=[ \t\r\n]*(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|'([^']*)')""", re.S)
_INCLUDES = frozenset(("include", "include_relative", "include_cached", "render"))  # Liquid tags with parameters
_CODE_SHORTCODES = frozenset(("highlight", "code", "codeblock"))


@dataclass
class Masked:
    """The text with template syntax blanked (same length), and what the template syntax held."""

    text: str
    comments: list[Comment] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    # Starts of lines whose indentation is (partly) blanked syntax, "{% if x %}Text": not indented code.
    free_lines: frozenset[int] = frozenset()


def blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each ``[start, end)`` of ``spans`` (in order, not overlapping) replaced by spaces, line
    breaks kept: the same length, so every offset stays valid."""
    if not spans:
        return text
    parts = []
    pos = 0
    for start, end in spans:
        parts.append(text[pos:start])
        parts.append(_NOT_NEWLINE.sub(" ", text[start:end]))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def mask(text: str, start: int, prose_attributes: frozenset[str]) -> Masked | None:
    """Blank the template syntax of ``text`` from offset ``start`` (the body, after any front matter);
    ``None`` when there is none."""
    if "{%" not in text and "{{" not in text and "{#" not in text:
        return None
    scanner = _Scanner(text, prose_attributes)
    scanner.run(start)
    if not scanner.spans:
        return None
    masked = blanked(text, scanner.spans)
    return Masked(masked, scanner.comments, scanner.blocks, free_lines(masked, scanner.spans))


def free_lines(masked: str, spans: list[tuple[int, int]]) -> frozenset[int]:
    """The starts of the lines on which a blanked span ends with only white space (and list or quote markers)
    before it."""
    out = set()
    line_start, scanned = 0, 0
    lead_end = _lead_end(masked, 0)
    for _, end in spans:  # in order: each line's start and lead are found once (linear on one long line)
        nl = masked.rfind("\n", scanned, end)
        scanned = end
        if nl >= 0:
            line_start = nl + 1
            lead_end = _lead_end(masked, line_start)
        if end <= lead_end:
            out.add(line_start)
    return frozenset(out)


def _lead_end(text: str, line_start: int) -> int:
    m = _LINE_LEAD.match(text, line_start)
    return m.end() if m is not None else line_start


class _Scanner:
    def __init__(self, text: str, prose_attributes: frozenset[str]) -> None:
        self.text = text
        self.prose_attributes = prose_attributes
        self.spans: list[tuple[int, int]] = []
        self.comments: list[Comment] = []
        self.blocks: list[Block] = []
        self._find = ForwardFinder(text).find  # the next closer ahead, each found in one pass

    def _within_paragraph(self, start: int, close: int) -> bool:
        """Whether no blank line lies between ``start`` and ``close``."""
        at, _ = self._find(_BLANK_LINE, start)
        return at < 0 or at >= close

    # -- the scan ---------------------------------------------------------------------------------------------
    def run(self, pos: int) -> None:
        text = self.text
        search = _OPEN.search
        while True:
            m = search(text, pos)
            if m is None:
                return
            i = m.start()
            c = text[i + 1]
            if c == "!":  # an HTML comment: left whole to the extractor (which collects it)
                _, end = self._find(_COMMENT_END, i + 4)
                if end < 0:
                    return  # it hides the rest of the file
                pos = end
                continue
            if c == "%":
                end = self._liquid(i)
            elif c == "#":
                end = self._hash_comment(i)
            else:
                end = self._braces(i)
            pos = end if end > i else i + 2

    def _blank(self, start: int, end: int) -> int:
        self.spans.append((start, end))
        return end

    def _comment(self, start: int, body_start: int, body_end: int, end: int) -> int:
        # Whitespace control ({#- … -#}, {%- # … -%}) belongs to the delimiters: a directive reads the words.
        if body_start == start + 2 and self.text.startswith(("{#-", "{#+"), start):
            body_start += 1
        if body_end > body_start and self.text[body_end - 1] in "-+" and self.text.startswith(("#}", "%}"), body_end):
            body_end -= 1
        body = self.text[body_start:body_end]
        self.comments.append(Comment(body, start, end))
        return self._blank(start, end)

    def _liquid(self, i: int) -> int:
        """A Liquid/Jinja tag ``{% … %}`` (and the block it opens, for comment, raw and highlight)."""
        close, tag_end = self._find("%}", i + 2)
        if close < 0 or not self._within_paragraph(i, close):
            return i + 2
        name_match = _TAG_NAME.match(self.text, i, close)
        name = name_match.group(1) if name_match is not None else ""
        if name == "#":  # {% # an inline comment %}
            return self._comment(i, name_match.end(), close, tag_end)
        if name_match is not None and name in _INCLUDES:  # {% include figure.html caption="..." %}
            self._parameters(name_match.end(), close)
        if name in _END_TAGS:
            end_at, end_end = self._find(_END_TAGS[name], tag_end)
            if end_at < 0:
                return self._blank(i, tag_end)
            if name == "comment":
                return self._comment(i, tag_end, end_at, end_end)
            if name == "raw":  # the tags go; what they enclose is published as it stands
                self._blank(i, tag_end)
                return self._blank(end_at, end_end)
            return self._blank(i, end_end)  # highlight: code
        return self._blank(i, tag_end)

    def _hash_comment(self, i: int) -> int:
        """A Jinja/Nunjucks comment ``{# … #}``; ``{#anchor}`` is a Markdown attribute list, kept."""
        if _ATTRIBUTE_LIST.match(self.text, i):
            return i + 2
        close, end = self._find("#}", i + 2)
        if close < 0:
            return i + 2
        return self._comment(i, i + 2, close, end)

    def _braces(self, i: int) -> int:
        """``{{ … }}``: a Go template comment, a Hugo shortcode, a Handlebars comment or an expression."""
        text = self.text
        go_comment = _GO_COMMENT_OPEN.match(text, i)
        if go_comment is not None:
            open_end = go_comment.end()
            close, end = self._find(_GO_COMMENT_CLOSE, open_end)
            if close < 0:
                return i + 2
            return self._comment(i, open_end, close, end)
        c = text[i + 2 : i + 3]
        if c in ("<", "%"):
            return self._shortcode(i, c)
        if c == "!":  # Handlebars {{! … }} / {{!-- … --}}
            long = text.startswith("{{!--", i)
            close, end = self._find("--}}" if long else "}}", i + 3)
            if close < 0:
                return i + 2
            return self._comment(i, i + (5 if long else 3), close, end)
        close, end = self._find("}}", i + 2)
        if close < 0 or not self._within_paragraph(i, close):
            return i + 2
        return self._blank(i, end)

    def _shortcode(self, i: int, delimiter: str) -> int:
        """``{{< name params >}}`` or ``{{% name params %}}``: the delimiters go, the content between a pair
        stays prose (except code shortcodes), prose-bearing parameters are blocks."""
        closer = (">" if delimiter == "<" else "%") + "}}"
        close, end = self._find(closer, i + 3)
        if close < 0 or not self._within_paragraph(i, close):
            return i + 2
        name = _SHORTCODE_NAME.match(self.text, i, close)
        if name is not None and not name.group(1) and name.group(2) in _CODE_SHORTCODES:
            pair = re.compile(r"\{\{[<%][ \t\r\n]*/[ \t\r\n]*" + re.escape(name.group(2)) + r"[ \t\r\n]*[>%]\}\}")
            pair_at, pair_end = self._find(pair, end)
            if pair_at >= 0:
                return self._blank(i, pair_end)
        self._parameters(name.end() if name is not None else i + 3, close)
        return self._blank(i, end)

    def _parameters(self, start: int, end: int) -> None:
        """The prose-bearing ``name="value"`` parameters between ``start`` and ``end``, as blocks."""
        for m in _PARAM.finditer(self.text, start, end):
            if key_name(m.group(1)) in self.prose_attributes:
                self._parameter(m, m.group(1))

    def _parameter(self, m: re.Match[str], kind: str) -> None:
        b = ProseBuilder()
        if m.group(2) is not None:  # "..." with \" escapes
            start, value = m.start(2), m.group(2)
            pos = 0
            for esc in re.finditer(r"\\.", value):
                b.verbatim(start + pos, value[pos : esc.start()])
                b.replaced(start + esc.start(), start + esc.end(), esc.group()[1])
                pos = esc.end()
            b.verbatim(start + pos, value[pos:])
        else:  # `raw` or 'raw'
            group = 3 if m.group(3) is not None else 4
            b.verbatim(m.start(group), m.group(group))
        block = b.build(kind)
        if block is not None:
            self.blocks.append(block)
