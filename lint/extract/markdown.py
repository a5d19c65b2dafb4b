"""Markdown prose extractor: a hand-written, line-based parser that keeps exact source positions.

Blocks are found line by line (CommonMark/GFM rules, simplified where only the *kind* or the block boundary
would differ); the inline markup of a whole paragraph is then removed in one pass of compiled regexes over the
source text, so a paragraph without markup costs a couple of C-level searches. Block quote markers on
continuation lines are blanked out (same length), so offsets never need translating.

Decisions: raw HTML blocks (``<div>`` ... up to a blank line, ``<!-- -->``, ...) go through the HTML extractor
in place, so their visible text is linted and their comments collected; inline tags are dropped (their text
stays). Bare URLs, link destinations/titles, autolinks, code and reference definitions are never prose;
footnote references ``[^1]`` and undefined ``[1]``-style brackets stay literal (citation rules look for them).
Front matter is read by :mod:`lint.extract.frontmatter`; template syntax is blanked by
:mod:`lint.extract.templates` before parsing (same length, so offsets hold).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from html import unescape
from itertools import accumulate

from lint.extract import DEFAULT_OPTIONS, Options, frontmatter, templates
from lint.extract import html as html_extract
from lint.extract.frontmatter import FrontMatter
from lint.extract.templates import Masked
from lint.model import Comment, Document
from lint.positions import Block, ProseBuilder

# ---------------------------------------------------------------------------------------------------------
# Block level
QUOTE, ITEM = 0, 1  # container kinds
_MAX_NESTING = 50  # containers deeper than this are text (bounds recursion and per-line work)
_FENCE = re.compile(r"(`{3,}|~{3,})(.*)")
_ATX = re.compile(r"#{1,6}(?:[ \t]+|$)")
_HR = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SETEXT = re.compile(r"(?:=+|-+)[ \t]*$")
_BULLET = re.compile(r"[-*+](?:[ \t]+|$)")
_ORDERED = re.compile(r"(\d{1,9})[.)](?:[ \t]+|$)")
_TASK = re.compile(r"\[[ xX]\][ \t]+")
_REFDEF = re.compile(
    r"\[(?:[^\[\]\\]|\\.){1,999}\]:[ \t]*(?:<[^<>\n]*>|\S+)"
    r"(?:[ \t]+(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?[ \t]*$"
)
_FOOTNOTE = re.compile(r"\[\^[^\]\s]{1,999}\]:[ \t]*")
_REF_LABEL = re.compile(r"[ \t]{0,3}(?:>[ \t]?)*\[((?:[^\[\]\\]|\\.){1,999})\]:")
_BLANKS = re.compile(r"[ \t]*")
_PLUS_ONE = (1).__add__  # line length -> offset of the next line start
_DELIM_ROW = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_PIPE = re.compile(r"(?<!\\)\|")
_BLOCK_NAMES = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|"
    "div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|"
    "legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|"
    "table|tbody|td|tfoot|th|thead|title|tr|track|ul"
)
# HTML block starts (CommonMark types 1-6, which may interrupt a paragraph) and their end conditions;
# None means "ends at a blank line".
_HTML_STARTS: tuple[tuple[re.Pattern[str], re.Pattern[str] | None], ...] = (
    (re.compile(r"<(?:script|pre|style|textarea)(?:[ \t>]|$)", re.I),
     re.compile(r"</(?:script|pre|style|textarea)>", re.I)),
    (re.compile(r"<!--"), re.compile(r"-->")),
    (re.compile(r"<\?"), re.compile(r"\?>")),
    (re.compile(r"<![A-Za-z]"), re.compile(r">")),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>")),
    (re.compile(rf"</?(?:{_BLOCK_NAMES})(?:[ \t>]|/>|$)", re.I), None),
)  # fmt: skip
_ATTRS = r"(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*"
# Type 7: a lone complete tag on its line (does not interrupt a paragraph, except on a lazy line).
_HTML7 = re.compile(rf"(?:<[A-Za-z][A-Za-z0-9-]*{_ATTRS}\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*$")
# First characters that can start a block which interrupts a paragraph.
_STARTERS = frozenset("`~#*-_+<>0123456789")

# ---------------------------------------------------------------------------------------------------------
# Inline level. The trigger is an alternation of literal-led branches so the regex engine can skip ahead
# with a character-set scan; everything else is decided with a targeted match at the trigger position.
_TRIGGER = re.compile(r"`|\\|&|<|!\[|\[|\*|_|~~|https?://|www\.")
_BACKTICKS = re.compile(r"`+")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_COMMENT = re.compile(r"<!--(?:-?>|(.*?)-->)", re.S)
_AUTOLINK = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>"
)
_TAG = re.compile(rf"<(/?)([A-Za-z][A-Za-z0-9-]*){_ATTRS}\s*/?>")
_RAW_TEXT_END = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}
_URL = re.compile(r"(?:https?://[^\s<>]+|www\.[A-Za-z0-9_-][^\s<>]*)")
_URL_TRAIL = "?!.,:;*_~'\"]"  # GFM leaves trailing punctuation out of an autolinked URL
# Link text may hold one level of brackets and code spans; its alternatives never overlap (no backtracking
# blow-up): a backtick either opens a code span or is the last one in the text.
_LINK = re.compile(
    r"\[(?P<text>(?:`[^`]{0,999}`|`(?![^`]*`)|[^\[\]\\`]|\\.|\[(?:[^\[\]\\]|\\.){0,999}\]){0,999})\]"
    r"(?:\((?P<dest>\s*(?:<[^<>\n]*>|[^\s()<]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?\s*)\)"
    r"|\[(?P<ref>(?:[^\[\]\\]|\\.){0,999})\])?",
    re.S,
)
_DROP, _SPACE, _REPLACE, _LINK_TEXT, _ALT, _ADDRESS = range(6)  # what becomes of a piece of inline markup
_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_INLINE_BREAKS = html_extract.BLOCK_TAGS  # an inline <br>, <p>, ... separates words


def extract(text: str, options: Options = DEFAULT_OPTIONS) -> Document:
    """The prose blocks and comments of a Markdown document: its front matter's prose-bearing values, then
    the body, template syntax (Liquid, Hugo, Jinja) blanked out."""
    matter = frontmatter.parse(text, options.front_matter_keys)
    masked = templates.mask(text, matter.body_start, options.prose_attributes)
    if masked is None:
        return parse(text, matter)
    return parse(masked.text, matter, masked)


def parse(text: str, matter: FrontMatter, extra: Masked | None = None, *, indented_code: bool = True) -> Document:
    """The body of ``text`` from ``matter.body_line`` on, with the front matter's blocks and the blocks and
    comments that masking found (``extra``). ``indented_code=False`` reads indented lines as text (MDX)."""
    parser = _Parser(text, indented_code)
    parser.blocks.extend(matter.blocks)
    if extra is not None:
        parser.blocks.extend(extra.blocks)
        parser.comments.extend(extra.comments)
        parser.free_lines = extra.free_lines
    parser.run(matter.body_line)
    parser.blocks.sort(key=_block_start)
    parser.comments.sort(key=_comment_start)
    return Document(parser.blocks, parser.comments)


def _block_start(block: Block) -> int:
    return block.offsets.src_starts[0]


def _comment_start(comment: Comment) -> int:
    return comment.start


def _ref_labels(text: str) -> set[str]:
    """Labels of all reference definitions (``[label]: url``), needed before the first shortcut link."""
    labels = set()
    i = text.find("]:")
    while i >= 0:  # str.find is far cheaper than a line-anchored regex over the whole file
        m = _REF_LABEL.match(text, text.rfind("\n", 0, i) + 1)
        if m is not None:
            labels.add(_label(m.group(1)))
        i = text.find("]:", i + 2)
    return labels


def _label(text: str) -> str:
    """A link label as CommonMark matches it: case-folded, inner white space collapsed."""
    return " ".join(text.split()).casefold()


def _skip_indent(line: str, pos: int, col: int) -> tuple[int, int]:
    """Index and column of the first non-blank character of ``line`` from ``pos`` (at column ``col``)."""
    end = _BLANKS.match(line, pos).end()
    if line.find("\t", pos, end) < 0:
        return end, col + end - pos
    n = len(line)
    while pos < n:
        ch = line[pos]
        if ch == " ":
            col += 1
        elif ch == "\t":
            col += 4 - col % 4
        else:
            break
        pos += 1
    return pos, col


def _advance(line: str, pos: int, col: int, target: int) -> tuple[int, int]:
    """Consume indentation of ``line`` from ``pos`` (column ``col``) up to column ``target``.

    A tab that straddles ``target`` is left in place: its remaining columns are the content's indentation
    (recomputing its width from ``target`` gives the same tab stop).
    """
    while col < target:
        if line[pos] == "\t":
            stop = col + 4 - col % 4
            if stop > target:
                return pos, target
            col = stop
        else:
            col += 1
        pos += 1
    return pos, col


def _table_ahead(nxt: str | None) -> bool:
    """Whether the next line is a table delimiter row (``| --- | :-: |``)."""
    if nxt is None or "-" not in nxt or "|" not in nxt:
        return False
    return _DELIM_ROW.match(nxt.lstrip(" \t>")) is not None


def _masked(text: str, start: int, end: int, masks: list[tuple[int, int]]) -> str:
    """``text[start:end]`` with the ``masks`` ranges (block quote markers) blanked out; same length."""
    parts = []
    pos = start
    for a, z in masks:
        parts.append(text[pos:a])
        parts.append(" " * (z - a))
        pos = z
    parts.append(text[pos:end])
    return "".join(parts)


class _Parser:
    """Walks the lines once, CommonMark style: each line first continues the open containers (block quotes,
    list items), then feeds the open leaf (paragraph, table, fence, HTML block) or starts new blocks."""

    def __init__(self, text: str, indented_code: bool = True) -> None:
        self.text = text
        self.indented_code = indented_code  # MDX has no indented code: JSX children are often indented
        self.free_lines: frozenset[int] = frozenset()  # line starts indented only by blanked template syntax
        self._code = indented_code  # whether the current line may be indented code
        self.blocks: list[Block] = []
        self.comments: list[Comment] = []
        self.refs = _ref_labels(text)
        # open containers, outermost first: (QUOTE, 0, "") or (ITEM, content width, kind of its paragraphs)
        self.stack: list[tuple[int, int, str]] = []
        # the open paragraph: [p_start, p_end) with quote markers p_masks; p_start < 0 when none
        self.p_start = -1
        self.p_end = 0
        self.p_masks: list[tuple[int, int]] = []
        self.p_kind = "paragraph"
        self.table = False
        # the open fenced code block: (fence character, fence length) or None
        self.fence: tuple[str, int] | None = None
        # the open HTML block: start, end so far, end condition (None: a blank line), quote markers
        self.h_start = -1
        self.h_end = 0
        self.h_until: re.Pattern[str] | None = None
        self.h_masks: list[tuple[int, int]] = []
        # per paragraph: (closer, end of text) -> offset from which that closer is known to be absent
        self._no_close: dict[tuple[str, int], int] = {}
        # per paragraph: end of text -> (where the table starts, backtick run length -> starts of such runs)
        self._tick_runs: dict[int, tuple[int, dict[int, list[int]]]] = {}

    # -- driver ---------------------------------------------------------------------------------------
    def run(self, first_line: int = 0) -> None:
        """Read the lines from ``first_line`` (the body, after any front matter) to the end."""
        text = self.text
        lines = text.split("\n")
        starts = [0]
        starts.extend(accumulate(map(_PLUS_ONE, map(len, lines))))
        if "\r" in text:  # CRLF: the CR belongs to the line end, never to the content
            lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        i = first_line
        n = len(lines)
        while i < n:
            line = lines[i]
            ls = starts[i]
            i += 1
            if not self.stack and self.fence is None and self.h_start < 0:
                # the common cases at top level: a hard-wrapped paragraph goes on, a blank line ends it
                if self.p_start >= 0 and line[:1].isalpha() and "|" not in line:
                    self.p_end = ls + len(line)
                    continue
                if not line.strip(" \t"):
                    self._close_leaf()
                    continue
            if self._line(line, ls, lines[i] if i < n else None):
                i += 1  # a table's delimiter row
        self._close_leaf()
        self._close_html()

    def _match(self, line: str) -> tuple[int, int, int, bool]:
        """Continue the open containers on ``line``: (index after their markers/indentation, its column,
        how many containers continue, whether a ``>`` was consumed)."""
        n = len(line)
        ind = n - len(line.lstrip(" "))
        if line[ind : ind + 1] not in ("\t", ">"):
            # The common case, and the fast one (deeply nested lists): spaces only, no quote marker, so only
            # list items continue, each by its width; the general loop below gives the same answer.
            col = matched = 0
            for kind, width, _ in self.stack:
                if kind == QUOTE or (ind < n and ind - col < width):
                    break
                col += width
                matched += 1
            if ind == n:  # a blank line continues every list item up to the first block quote
                return (n, n, matched, False) if matched else (0, 0, 0, False)
            return col, col, matched, False
        pos = col = matched = 0
        quoted = False
        for kind, width, _ in self.stack:
            j, jc = _skip_indent(line, pos, col)
            if kind == QUOTE:
                if j == n or line[j] != ">" or jc - col > 3:
                    break
                pos, col = j + 1, jc + 1
                if pos < n and line[pos] in " \t":  # one column of space after '>' belongs to the marker
                    pos, col = _advance(line, pos, col, col + 1)
                quoted = True
            elif j == n:  # a blank line does not end a list item
                pos, col = j, jc
            elif jc - col >= width:
                pos, col = _advance(line, pos, col, col + width)
            else:
                break
            matched += 1
        return pos, col, matched, quoted

    def _line(self, line: str, ls: int, nxt: str | None) -> bool:
        """One line. True when it also consumed the next line (a table's delimiter row)."""
        stack = self.stack
        self._code = self.indented_code and ls not in self.free_lines
        pos = col = matched = 0
        quoted = False
        if stack:
            pos, col, matched, quoted = self._match(line)
        s = line[pos:].lstrip(" \t")
        ws = len(line) - len(s)  # index of the first content character
        ind = ws - pos if "\t" not in line[pos:ws] else _skip_indent(line, pos, col)[1] - col
        inside = matched == len(stack)
        prefix = pos if quoted else 0  # block quote markers to blank out of a continuation line
        if self.fence is not None:
            if inside:
                self._fence_line(s, ind)
                return False
            self.fence = None  # the container holding the fence ended
        if self.h_start >= 0:
            if inside and (s or self.h_until is not None):
                self._html_line(line, ls, prefix)
                return False
            self._close_html()
        if not s:  # a blank line
            del stack[matched:]
            self._close_leaf()
            return False
        if not inside:
            if self.p_start >= 0 and (ind >= 4 or not self._interrupts(s, nxt, False)):
                self._continue(ls, prefix, ls + len(line))  # a lazy continuation line
                return False
            self._close_leaf()
            del stack[matched:]
        elif self.p_start >= 0:
            if ind < 4 and s[0] in "=-" and _SETEXT.match(s):
                self.p_kind = "heading"
                self._close_leaf()
                return False
            if ind >= 4 or not self._interrupts(s, nxt, True):
                self._continue(ls, prefix, ls + len(line))
                return False
            self._close_leaf()
        elif self.table:
            if ind < 4 and "|" in s:
                self._row(ls + ws, ls + len(line))
                return False
            self.table = False
        if ind >= 4 and self._code:
            return False  # indented code
        return self._start(s, ls + ws, ind, col + ind, ls + len(line), nxt)

    # -- leaves -----------------------------------------------------------------------------------------
    def _interrupts(self, s: str, nxt: str | None, inside: bool) -> bool:
        """Whether content ``s`` starts a block rather than continuing the open paragraph.

        ``inside``: the line continued all open containers, so a new block would interrupt the paragraph
        itself, and CommonMark then refuses empty list items, ordered lists not starting at 1 and lone HTML
        tags. On a lazy line (some container not continued) any block start counts.
        """
        c = s[0]
        if c not in _STARTERS:
            return "|" in s and _table_ahead(nxt)
        if c == ">":
            return True
        if c in "`~":
            m = _FENCE.match(s)
            return m is not None and not (c == "`" and "`" in m.group(2))
        if c == "#":
            return _ATX.match(s) is not None
        if c in "*-_" and _HR.match(s):
            return True
        if c in "*-+":
            m = _BULLET.match(s)
            return m is not None and (m.end() < len(s) or not inside)
        if c.isdigit():
            m = _ORDERED.match(s)
            return m is not None and (not inside or m.end() < len(s) and m.group(1) == "1")
        if c == "<":
            return any(start.match(s) for start, _ in _HTML_STARTS) or not inside and bool(_HTML7.match(s))
        return "|" in s and _table_ahead(nxt)

    def _start(self, s: str, cpos: int, ind: int, scol: int, end: int, nxt: str | None) -> bool:
        """Open the block(s) that content ``s`` starts: at source ``cpos``, ``ind`` columns into the
        innermost container, at column ``scol`` of the line (tab stops are absolute)."""
        c = s[0]
        if len(self.stack) >= _MAX_NESTING:  # "> > > > ..." a thousand deep: the rest is text
            self._open_para(cpos, end, self._para_kind())
            return False
        if c == ">":
            self.stack.append((QUOTE, 0, ""))
            p, qcol = 1, scol + 1
            if s[1:2] in (" ", "\t"):  # one column of space after '>' belongs to the marker
                p, qcol = _advance(s, 1, qcol, qcol + 1)
            j, jcol = _skip_indent(s, p, qcol)
            if j == len(s) or (jcol - qcol >= 4 and self._code):
                return False  # nothing more, or indented code inside the quote
            return self._start(s[j:], cpos + j, jcol - qcol, jcol, end, nxt)
        if c in "`~":
            m = _FENCE.match(s)
            if m is not None and not (c == "`" and "`" in m.group(2)):
                self.fence = (c, len(m.group(1)))
                return False
        elif c == "#":
            m = _ATX.match(s)
            if m is not None:
                self._heading(cpos + m.end(), s[m.end() :])
                return False
        if c in "*-_" and _HR.match(s):
            return False
        if c in "*-+" or c.isdigit():
            m = _BULLET.match(s) if not c.isdigit() else _ORDERED.match(s)
            if m is not None:
                return self._item(s, cpos, ind, scol, m.end(), end, nxt)
        elif c == "<":
            if self._html_start(s, cpos, end):
                return False
        elif c == "[":
            if _REFDEF.match(s):
                return False
            m = _FOOTNOTE.match(s)
            if m is not None:
                self.stack.append((ITEM, ind + 4, "paragraph"))
                if m.end() < len(s):
                    self._open_para(cpos + m.end(), end, "paragraph")
                return False
        if "|" in s and _table_ahead(nxt):
            self.table = True
            self._row(cpos, end)
            return True
        self._open_para(cpos, end, self._para_kind())
        return False

    def _item(self, s: str, cpos: int, ind: int, scol: int, mend: int, end: int, nxt: str | None) -> bool:
        """A list item whose marker and spaces end at ``s[mend]``; its content may start another block."""
        marker = len(s[:mend].rstrip(" \t"))
        content = s[mend:]
        mcol = scol + marker  # column just after the marker
        spaces = _skip_indent(s, marker, mcol)[1] - mcol if content else 1
        if spaces > 4:  # the content is indented code; the item's column is one space after the marker
            spaces = 1
            if self._code:
                content = ""
        self.stack.append((ITEM, ind + marker + spaces, "list-item"))
        ccol = mcol + spaces
        task = _TASK.match(content)
        if task is not None:  # a task list "[ ]"/"[x]" box is not prose
            mend += task.end()
            ccol += task.end()
            content = content[task.end() :]
        if not content:  # the content comes on the next, indented lines
            return False
        return self._start(content, cpos + mend, 0, ccol, end, nxt)

    def _para_kind(self) -> str:
        """Paragraphs in a list item are "list-item" (in a footnote "paragraph"); others "paragraph"."""
        for kind, _, para in reversed(self.stack):
            if kind == ITEM:
                return para
        return "paragraph"

    def _open_para(self, start: int, end: int, kind: str) -> None:
        self.p_start = start
        self.p_end = end
        self.p_masks = []
        self.p_kind = kind

    def _continue(self, ls: int, prefix: int, end: int) -> None:
        """Add a line to the open paragraph, blanking its block quote markers ``[ls, ls + prefix)``."""
        if prefix:
            self.p_masks.append((ls, ls + prefix))
        self.p_end = end

    def _close_leaf(self) -> None:
        """End the open paragraph (or table): lint its text."""
        self.table = False
        if self.p_start < 0:
            return
        start, end, masks = self.p_start, self.p_end, self.p_masks
        self.p_start = -1
        if masks:
            self._emit(_masked(self.text, start, end, masks), start, 0, end - start, self.p_kind)
        else:
            self._emit(self.text, 0, start, end, self.p_kind)

    def _emit(self, s: str, base: int, lo: int, hi: int, kind: str) -> None:
        """Lint ``s[lo:hi]`` (source offset ``base + i`` for ``s[i]``) as one block."""
        b = ProseBuilder()
        self._no_close = {}
        self._tick_runs = {}
        self._inline(b, s, base, lo, hi)
        block = b.build(kind)
        if block is not None:
            self.blocks.append(block)

    def _heading(self, start: int, content: str) -> None:
        """An ATX heading; its closing ``#`` sequence is not prose."""
        body = content.rstrip(" \t")
        no_hashes = body.rstrip("#")
        if len(no_hashes) < len(body) and (not no_hashes or no_hashes[-1] in " \t"):
            body = no_hashes.rstrip(" \t")
        self._emit(self.text, 0, start, start + len(body), "heading")

    def _row(self, start: int, end: int) -> None:
        """A table row from source ``start`` to ``end``: each cell is its own block."""
        text = self.text
        row = text[start:end].rstrip(" \t")
        lo, hi = 0, len(row)
        if row.startswith("|"):
            lo = 1
        if hi > lo and row.endswith("|") and not row.endswith("\\|"):
            hi -= 1
        cell = lo
        for m in _PIPE.finditer(row, lo, hi):
            self._cell(start + cell, start + m.start())
            cell = m.end()
        self._cell(start + cell, start + hi)

    def _cell(self, start: int, end: int) -> None:
        text = self.text
        while start < end and text[start] in " \t":
            start += 1
        while end > start and text[end - 1] in " \t":
            end -= 1
        if end > start:
            self._emit(text, 0, start, end, "table-cell")

    # -- fenced code and HTML blocks ---------------------------------------------------------------------
    def _fence_line(self, s: str, ind: int) -> None:
        """A line inside the open fence: code, unless it is the closing fence."""
        assert self.fence is not None
        ch, length = self.fence
        t = s.rstrip(" \t")
        if (ind < 4 or not self.indented_code) and len(t) >= length and t[0] == ch and not t.strip(ch):
            self.fence = None

    def _html_start(self, s: str, cpos: int, end: int) -> bool:
        """Open an HTML block if ``s`` starts one (types 1-7); it may also end on this line."""
        until: re.Pattern[str] | None = None
        for start, end_condition in _HTML_STARTS:
            if start.match(s):
                until = end_condition
                break
        else:
            if not _HTML7.match(s):
                return False
        self.h_start, self.h_end, self.h_until, self.h_masks = cpos, end, until, []
        if until is not None and until.search(s, 2):
            self._close_html()
        return True

    def _html_line(self, line: str, ls: int, prefix: int) -> None:
        """A line inside the open HTML block (which may end on it)."""
        if prefix:
            self.h_masks.append((ls, ls + prefix))
        self.h_end = ls + len(line)
        if self.h_until is not None and self.h_until.search(line, prefix):
            self._close_html()

    def _close_html(self) -> None:
        """Run the finished HTML block through the HTML extractor, in place."""
        if self.h_start < 0:
            return
        start, end = self.h_start, self.h_end
        self.h_start = -1
        region = _masked(self.text, start, end, self.h_masks)
        if region.startswith("<!--") and "-->" not in region:
            # An unclosed comment hides the rest of the file; it is no directive (as in the HTML extractor).
            # Skipping the parser also avoids the stdlib's quadratic time on a run of unclosed "<!--".
            return
        doc = html_extract.parse(region, start)
        self.blocks.extend(doc.blocks)
        self.comments.extend(doc.comments)

    # -- inline -----------------------------------------------------------------------------------------
    def _inline(self, b: ProseBuilder, s: str, base: int, lo: int, hi: int) -> None:
        """Add the prose of ``s[lo:hi]`` to ``b``: markup dropped, escapes and entities decoded."""
        emit = pos = lo  # s[emit:pos] is plain text not yet added
        search = _TRIGGER.search
        while True:
            m = search(s, pos, hi)
            if m is None:
                break
            i = m.start()
            end, op, arg = self._token(s, base, i, m.end(), lo, hi)
            if end < 0:  # not markup after all: plain text, scan on from arg
                pos = arg
                continue
            if i > emit:
                b.verbatim(base + emit, s[emit:i])
            if op == _SPACE:
                b.space(base + i, base + end)
            elif op == _REPLACE:
                b.replaced(base + i, base + end, arg)
            elif op == _ADDRESS:
                b.space(base + i, base + end)
                b.context(arg)
            elif op == _LINK_TEXT:
                span, dest = arg
                self._inline(b, s, base, *span)
                if dest:
                    b.context(dest)  # a linked source counts as a citation for context checks
            elif op == _ALT:
                alt = ProseBuilder()
                self._inline(alt, s, base, *arg[0])
                block = alt.build("alt")
                if block is not None:
                    self.blocks.append(block)
                b.space(base + i, base + end)
            emit = pos = end
        if hi > emit:
            b.verbatim(base + emit, s[emit:hi])

    def _token(self, s: str, base: int, i: int, j: int, lo: int, hi: int) -> tuple[int, int, object]:
        """What the trigger ``s[i:j]`` starts: ``(end, op, arg)``; ``end < 0`` when it is plain text (then
        ``arg`` is where to scan on). ``op``: drop ``s[i:end]``, or make it a space, a decoded character,
        or keep the link text ``arg = (start, end)`` inline, or make that an alt block."""
        c = s[i]
        if c == "*" or c == "_" or c == "~":
            end = self._emphasis(s, i, j, lo, hi)
            return (end, _DROP, None) if end > 0 else (-1, 0, j)
        if c == "`":
            end = self._code_end(s, i, hi)
            if end > 0:
                return end, _SPACE, None
            return -1, 0, _BACKTICKS.match(s, i, hi).end()  # an unclosed run
        if c == "\\":
            nc = s[i + 1] if i + 1 < hi else ""
            if nc and nc in _PUNCT:
                return i + 2, _REPLACE, nc
            if nc == "\n" or nc == "\r":  # a hard line break
                return i + 1, _SPACE, None
            return -1, 0, i + 1
        if c == "&":
            e = _ENTITY.match(s, i, hi)
            decoded = unescape(e.group()) if e is not None else ""
            return (e.end(), _REPLACE, decoded) if e is not None and decoded != e.group() else (-1, 0, i + 1)
        if c == "<":
            auto = _AUTOLINK.match(s, i, hi)
            if auto is not None:  # <https://...>: an address, kept as context
                return auto.end(), _ADDRESS, s[i + 1 : auto.end() - 1]
            end, brk = self._angle(s, base, i, hi)
            return (end, _SPACE if brk else _DROP, None) if end > 0 else (-1, 0, i + 1)
        if c == "!" or c == "[":
            link = _LINK.match(s, i + 1 if c == "!" else i, hi)
            if link is None or not self._is_link(link):
                return -1, 0, i + 1
            return link.end(), _ALT if c == "!" else _LINK_TEXT, (link.span("text"), link.group("dest"))
        end = self._url_end(s, i, lo, hi)  # "http://", "https://", "www."
        return (end, _ADDRESS, s[i:end]) if end > 0 else (-1, 0, j)

    def _is_link(self, link: re.Match[str]) -> bool:
        """Inline and full/collapsed reference links always; a shortcut ``[x]`` only if ``x`` is defined."""
        if link.group("dest") is not None or link.group("ref") is not None:
            return True
        text = link.group("text")
        return not text.startswith("^") and _label(text) in self.refs

    @staticmethod
    def _emphasis(s: str, i: int, j: int, lo: int, hi: int) -> int:
        """End of the emphasis delimiter run at ``s[i]`` (to drop), or -1 when it is literal text."""
        c = s[i]
        if c != "~":
            while j < hi and s[j] == c:
                j += 1
        else:
            while j < hi and s[j] == "~":
                j += 1
        before = s[i - 1] if i > lo else " "
        after = s[j] if j < hi else " "
        if before.isspace() and after.isspace():
            return -1  # "5 * 3", a lone "_": not emphasis
        if c == "_" and before.isalnum() and after.isalnum():
            return -1  # snake_case
        if c == "*" and before.isdigit() and after.isdigit():
            return -1  # 2*3
        return j

    def _unclosed(self, closer: str, start: int, hi: int) -> bool:
        """Whether an earlier search already found no ``closer`` in ``[start, hi)`` of this paragraph.

        Searches only move forward, so one failed search answers all later ones: without this, a paragraph
        full of unclosed ``<!--`` or backtick runs would take quadratic time.
        """
        failed = self._no_close.get((closer, hi))
        return failed is not None and start >= failed

    def _fail(self, closer: str, start: int, hi: int) -> None:
        key = (closer, hi)
        self._no_close[key] = min(start, self._no_close.get(key, start))

    def _code_end(self, s: str, i: int, hi: int) -> int:
        """End of the code span opened by the backtick run at ``s[i]``, or -1 if it never closes: the next
        run of exactly as many backticks."""
        run = _BACKTICKS.match(s, i, hi).end() - i
        starts = self._backtick_runs(s, i, hi).get(run)
        if starts:
            k = bisect_left(starts, i + run)
            if k < len(starts):
                return starts[k] + run
        return -1

    def _backtick_runs(self, s: str, i: int, hi: int) -> dict[int, list[int]]:
        """The backtick runs of ``s[i:hi]``: length -> starts, found once per text (keyed by its end). Searching
        for each opener's closer instead is quadratic on a staircase of ever longer runs (e`e``e```...)."""
        known = self._tick_runs.get(hi)
        if known is None or known[0] > i:
            runs: dict[int, list[int]] = {}
            for m in _BACKTICKS.finditer(s, i, hi):
                runs.setdefault(m.end() - m.start(), []).append(m.start())
            known = self._tick_runs[hi] = (i, runs)
        return known[1]

    def _angle(self, s: str, base: int, i: int, hi: int) -> tuple[int, bool]:
        """End of the comment, autolink or tag at ``s[i] == '<'`` (-1: a literal ``<``), and whether it
        separates words (an autolink, ``<br>``, ``<p>``: yes; ``<span>``, a comment: no)."""
        if s.startswith("<!--", i):
            m = None if self._unclosed("-->", i, hi) else _COMMENT.match(s, i, hi)
            if m is None:
                self._fail("-->", i, hi)
                return -1, False
            self.comments.append(Comment(m.group(1) or "", base + i, base + m.end()))
            return m.end(), False
        m = _AUTOLINK.match(s, i, hi)
        if m is not None:
            return m.end(), True
        m = _TAG.match(s, i, hi)
        if m is None:
            return -1, False
        name = m.group(2).lower()
        if not m.group(1) and name in _RAW_TEXT_END:  # an inline <script>/<style>: skip its content too
            close = _RAW_TEXT_END[name].search(s, m.end(), hi)
            return (hi if close is None else close.end()), True
        return m.end(), name in _INLINE_BREAKS

    @staticmethod
    def _url_end(s: str, i: int, lo: int, hi: int) -> int:
        """End of the bare URL at ``s[i]``, or -1 when ``http``/``www`` is just part of a word."""
        if i > lo and (s[i - 1].isalnum() or s[i - 1] in "_-./@"):
            return -1
        m = _URL.match(s, i, hi)
        if m is None:
            return -1
        url = m.group().rstrip(_URL_TRAIL)
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(_URL_TRAIL)
        return i + len(url)
