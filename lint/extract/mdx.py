"""MDX (Next.js, Astro, Docusaurus): Markdown with JSX and JavaScript in it.

Prose is the Markdown, the text inside JSX elements, and the string values of prose-bearing JSX attributes
(``title``, ``caption``, ``alt``, ``description``, ... the ``prose-attributes`` setting), whether written
``title="…"`` or ``title={"…"}``. Never prose: ``import``/``export`` blocks, ``{expressions}``, the tags
themselves, code (fenced, inline, and ``<pre>``/``<code>`` elements). ``{/* … */}`` comments are collected,
so suppression directives work in MDX form: ``{/* clinic-lint-disable-next-line hype -- reason */}``.

The JSX and JavaScript are blanked out (replaced by spaces, line breaks kept) and the result goes through the
Markdown extractor with indented code off, as MDX has it: offsets never move. The scanner is linear: every
construct either ends or, once one runs to the end of the file unclosed (MDX would reject the file), no more
of its kind is looked for and the rest is read as Markdown.
"""

from __future__ import annotations

import bisect
import re

from lint.extract import DEFAULT_OPTIONS, Options, frontmatter, key_name
from lint.extract import markdown as markdown_extract
from lint.extract.embedded import Mapped
from lint.extract.forward import ForwardFinder
from lint.extract.templates import Masked, blanked
from lint.model import Comment, Document
from lint.positions import Block

_INTERESTING = re.compile(r"[\n`{<\\]")
_BACKTICKS = re.compile("`+")
_FENCE = re.compile(r"[ \t>]*(`{3,}|~{3,})")
_ESM = re.compile(r"(?:import|export)(?=[\s{*])")
_BLANK_LINE = re.compile(r"\n[ \t\r]*(?:\n|$)")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+)>")
_NAME = re.compile(r"[A-Za-z_$][\w$.:-]*")
_SPACE = re.compile(r"\s*")
_JS_INTERESTING = re.compile(r"""[{}()\[\]"'`/\n]""")
_STRING_VALUE = re.compile(
    r"""\{\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\$]|\\.|\$(?!\{))*)`)\s*\}"""
)
_JS_ESCAPE = re.compile(r"\\(.)", re.S)
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_COMMENT_END = re.compile("-->")
_QUOTES = {'"': re.compile('"'), "'": re.compile("'")}
_CODE_ELEMENTS = frozenset(("pre", "code", "script", "style", "kbd", "samp"))
_MAX_TEMPLATE_DEPTH = 64


def extract(text: str, options: Options = DEFAULT_OPTIONS) -> Document:
    """The prose blocks and comments of an MDX document."""
    matter = frontmatter.parse(text, options.front_matter_keys)
    scanner = _Scanner(text, options.prose_attributes)
    scanner.run(matter.body_start)
    masked = Masked(blanked(text, scanner.spans), scanner.comments, scanner.blocks)
    return markdown_extract.parse(masked.text, matter, masked, indented_code=False)


class _Scanner:
    def __init__(self, text: str, prose_attributes: frozenset[str]) -> None:
        self.text = text
        self.n = len(text)
        self.prose_attributes = prose_attributes
        self.spans: list[tuple[int, int]] = []
        self.comments: list[Comment] = []
        self.blocks: list[Block] = []
        self.dead: set[str] = set()  # constructs found unclosed at the end of the file: not looked for again
        self._find = ForwardFinder(text).find  # the next closer ahead, each found in one pass
        self._runs: dict[int, list[int]] | None = None  # backtick run length -> starts
        self._template_depth = 0  # template literals inside ${…} inside template literals

    def _blank(self, start: int, end: int) -> int:
        if end > start:
            self.spans.append((start, end))
        return end

    # -- lines -----------------------------------------------------------------------------------------------
    def run(self, pos: int) -> None:
        text, n = self.text, self.n
        prev_blank = True
        while pos < n:
            line_end = text.find("\n", pos)
            line_end = n if line_end < 0 else line_end
            fence = _FENCE.match(text, pos, line_end)
            if fence is not None:
                pos = self._fence(fence.group(1), line_end)
                prev_blank = False
                continue
            if prev_blank and _ESM.match(text, pos):
                pos = self._blank(pos, self._esm_end(pos))
                continue
            prev_blank = not text[pos:line_end].strip()
            pos = self._inline(pos)

    def _fence(self, marker: str, line_end: int) -> int:
        """Skip a fenced code block whose opening line ends at ``line_end``; returns the next line start."""
        text = self.text
        closer = re.compile(r"^[ \t>]*" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}[ \t]*\r?$", re.M)
        m = closer.search(text, line_end + 1) if line_end < self.n else None
        if m is None:
            return self.n  # code to the end, as in Markdown
        return m.end() + 1

    def _esm_end(self, pos: int) -> int:
        """End of the ``import``/``export`` block at ``pos``: the first blank line outside brackets and
        strings (MDX hands the block to a JavaScript parser up to there)."""
        end = self._js(pos, 0, stop_at_blank_line=True)
        if end >= 0:
            return end
        at, _ = self._find(_BLANK_LINE, pos)  # unbalanced: to the first blank line
        return self.n if at < 0 else at

    # -- inline ----------------------------------------------------------------------------------------------
    def _inline(self, pos: int) -> int:
        """Scan one line from ``pos`` (constructs may run over several); returns the next line start."""
        text = self.text
        while True:
            m = _INTERESTING.search(text, pos)
            if m is None:
                return self.n
            i = m.start()
            c = text[i]
            if c == "\n":
                return i + 1
            if c == "\\":
                pos = i + 2
            elif c == "`":
                pos = self._code_span(i)
            elif c == "{":
                pos = self._expression(i)
            else:
                pos = self._tag(i)

    def _code_span(self, i: int) -> int:
        """Skip an inline code span (its closer: a run of as many backticks, before the next blank line)."""
        if self._runs is None:  # every backtick run, by length, found once: searching for each opener's
            self._runs = {}  # closer instead is quadratic on a staircase of ever longer runs (e`e``e```...)
            for m in _BACKTICKS.finditer(self.text):
                self._runs.setdefault(m.end() - m.start(), []).append(m.start())
        j = _BACKTICKS.match(self.text, i).end()  # type: ignore[union-attr]
        run = j - i
        starts = self._runs.get(run, [])
        k = bisect.bisect_left(starts, j)
        if k == len(starts):
            return j
        blank, _ = self._find(_BLANK_LINE, j)
        if 0 <= blank < starts[k]:
            return j
        return starts[k] + run

    def _expression(self, i: int) -> int:
        """``{…}``: blanked; a ``{/* … */}`` comment is collected."""
        if "expression" in self.dead:
            return i + 1
        end = self._js(i + 1, 1)
        if end < 0:
            self.dead.add("expression")
            return i + 1
        inner = self.text[i + 1 : end - 1]
        body = inner.strip()
        if body.startswith("/*") and body.endswith("*/") and body.count("*/") == 1:
            open_at = self.text.index("/*", i + 1)
            self.comments.append(Comment(self.text[open_at + 2 : end - 1].rstrip()[:-2], i, end))
        return self._blank(i, end)

    # -- JSX ---------------------------------------------------------------------------------------------
    def _tag(self, i: int) -> int:
        """A JSX (or HTML) tag at ``text[i] == '<'``: blanked, its prose-bearing attributes made blocks. A
        ``<`` that starts no tag is text."""
        text = self.text
        nxt = text[i + 1 : i + 2]
        if text.startswith("<!--", i):  # an HTML comment: Markdown collects it, whatever it holds
            _, end = self._find(_COMMENT_END, i + 4)
            return i + 1 if end < 0 else end
        if "tag" in self.dead or _AUTOLINK.match(text, i):
            return i + 1
        closing = nxt == "/"
        j = i + 2 if closing else i + 1
        name = _NAME.match(text, j)
        if name is None and text[j : j + 1] != ">":
            return i + 1  # "a < b", "<3": text
        j = name.end() if name is not None else j
        attributes: list[tuple[str, int, int, re.Match[str] | None]] = []
        while True:
            j = _SPACE.match(text, j).end()  # type: ignore[union-attr]
            if j >= self.n:
                self.dead.add("tag")
                return i + 1
            c = text[j]
            if c == ">" or text.startswith("/>", j):
                end = j + (1 if c == ">" else 2)
                break
            if c == "{":  # {...spread}
                j = self._js(j + 1, 1)
                if j < 0:
                    self.dead.add("tag")
                    return i + 1
                continue
            attr = _NAME.match(text, j)
            if attr is None or closing:
                return i + 1
            j = _SPACE.match(text, attr.end()).end()  # type: ignore[union-attr]
            if not text.startswith("=", j):
                continue  # a boolean attribute
            j = _SPACE.match(text, j + 1).end()  # type: ignore[union-attr]
            q = text[j : j + 1]
            if q in ('"', "'"):
                close, _ = self._find(_QUOTES[q], j + 1)
                blank, _ = self._find(_BLANK_LINE, j + 1)
                if close < 0:
                    self.dead.add("tag")
                    return i + 1
                if 0 <= blank < close:
                    return i + 1  # a quote left open in prose, not an attribute
                attributes.append((attr.group(), j + 1, close, None))
                j = close + 1
            elif q == "{":
                value = _STRING_VALUE.match(text, j)
                end_value = self._js(j + 1, 1)
                if end_value < 0:
                    self.dead.add("tag")
                    return i + 1
                if value is not None and value.end() == end_value:
                    attributes.append((attr.group(), j, end_value, value))
                j = end_value
            else:
                return i + 1  # not JSX after all
        for attr_name, start, stop, literal in attributes:
            if key_name(attr_name) in self.prose_attributes:
                self._attribute(attr_name, start, stop, literal)
        if name is not None and not closing and not text.startswith("/>", end - 2):
            tag = name.group().lower()
            if tag in _CODE_ELEMENTS:  # code: the element and its content go
                close_at, close_end = self._find(re.compile(r"</" + re.escape(name.group()) + r"\s*>"), end)
                if close_at >= 0:
                    return self._blank(i, close_end)
        return self._blank(i, end)

    def _attribute(self, name: str, start: int, stop: int, literal: re.Match[str] | None) -> None:
        """A prose-bearing attribute's string value, ``"…"`` (HTML entities decoded) or ``{"…"}`` (JavaScript
        escapes decoded), as a block of its own."""
        value = Mapped()
        if literal is None:
            value.entities(start, self.text[start:stop])
        else:
            group = next(g for g in (1, 2, 3) if literal.group(g) is not None)
            raw_start, raw = literal.start(group), literal.group(group)
            done = 0
            for m in _JS_ESCAPE.finditer(raw):
                value.verbatim(raw_start + done, raw[done : m.start()])
                value.replaced(raw_start + m.start(), raw_start + m.end(), _JS_SIMPLE.get(m.group(1), m.group(1)))
                done = m.end()
            value.verbatim(raw_start + done, raw[done:])
        block = value.prose(name)
        if block is not None:
            self.blocks.append(block)

    # -- JavaScript --------------------------------------------------------------------------------------
    def _js(self, pos: int, depth: int, *, stop_at_blank_line: bool = False) -> int:
        """Scan JavaScript from ``pos`` at bracket ``depth``: the offset just past the bracket that brings
        the depth to 0, or (``stop_at_blank_line``) the first blank line at depth 0; -1 at the end of the
        text. Strings, template literals and comments are skipped whole."""
        text, n = self.text, self.n
        while True:
            m = _JS_INTERESTING.search(text, pos)
            if m is None:
                return n if stop_at_blank_line and depth == 0 else -1
            i = m.start()
            c = text[i]
            pos = i + 1
            if c in "{([":
                depth += 1
            elif c in "})]":
                depth -= 1
                if depth == 0 and not stop_at_blank_line:
                    return i + 1
                depth = max(depth, 0)
            elif c == "\n":
                if stop_at_blank_line and depth == 0:
                    rest = _BLANK_LINE.match(text, i)
                    if rest is not None:
                        return i
            elif c == '"' or c == "'":
                pos = self._js_string(i, c)
            elif c == "`":
                pos = self._js_template(i)
                if pos < 0:
                    return -1
            elif text.startswith("//", i):
                nl = text.find("\n", i)
                pos = n if nl < 0 else nl
            elif text.startswith("/*", i):
                close = text.find("*/", i + 2)
                if close < 0:
                    return -1
                pos = close + 2

    def _js_string(self, i: int, quote: str) -> int:
        """End of the string literal at ``i`` (JavaScript strings end at the line's end at the latest)."""
        text = self.text
        j = i + 1
        while j < self.n:
            c = text[j]
            if c == "\\":
                j += 2
                continue
            if c == quote:
                return j + 1
            if c == "\n":
                return j
            j += 1
        return self.n

    def _js_template(self, i: int) -> int:
        """End of the template literal at ``i`` (with its ``${…}`` parts); -1 when it never ends, or when
        templates nest deeper than any real page does (each level is a call: no stack overflow)."""
        if self._template_depth >= _MAX_TEMPLATE_DEPTH:
            return -1
        self._template_depth += 1
        try:
            text = self.text
            j = i + 1
            while j < self.n:
                c = text[j]
                if c == "\\":
                    j += 2
                elif c == "`":
                    return j + 1
                elif c == "$" and text.startswith("${", j):
                    j = self._js(j + 2, 1)
                    if j < 0:
                        return -1
                else:
                    j += 1
            return -1
        finally:
            self._template_depth -= 1
