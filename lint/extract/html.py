"""HTML prose extractor.

Built on the stdlib :class:`html.parser.HTMLParser` with ``convert_charrefs=False`` so every text chunk and
every entity arrives separately, at the offset our own tokenising loop (:meth:`_Extractor.run`) is at. Prose is
the visible text, ``<title>``, ``alt`` attributes and what search and social show: the ``<meta>``
description, ``og:title``/``og:description``, ``twitter:title``/``twitter:description``, and the prose fields
of JSON-LD (:mod:`lint.extract.jsonld`). Block-level elements end a block, inline ones do not. Scripts,
styles, templates, ``<noscript>``, code (``<pre>``, ``<code>``, ...), SVG/MathML, comments, declarations and
processing instructions are never prose; comments are collected. A page's front matter (Jekyll) and template
syntax (Liquid, Hugo, Jinja) are handled as in Markdown.

Linear time: the stdlib's own loop (``feed``/``close``) re-scans to the end of the text from every unterminated
``<!--``, ``<a``, ``</``, ``<?``, ``<![`` (quadratic on ``'<!--' * n``). Our loop hands the stdlib's sub-parsers
only a position to start from, each of which either consumes what it scanned or reports the construct
unterminated; then, as in HTML5 at the end of the file, the construct (comment, tag, ...) runs to the end of
the text and hides it.

:func:`parse` takes a *base* offset so the Markdown extractor can run raw-HTML blocks through it in place.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from lint.extract import DEFAULT_OPTIONS, Options
from lint.model import Comment, Document
from lint.positions import Block, ProseBuilder

# Elements that end the current block (and start a new one). Void ones (br, hr, ...) only end it.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body br canvas caption center col colgroup dd details dialog dir div
    dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html
    iframe legend li link main menu meta nav noframes ol optgroup option p param search section source
    summary table tbody td tfoot th thead title tr track ul video audio object embed""".split()
)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_KINDS = {
    "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
    "li": "list-item", "td": "table-cell", "th": "table-cell", "title": "title",
}  # fmt: skip
# Content never linted. Inline ones (code, kbd, samp) are also dropped at the next block boundary, so an
# unclosed <code> cannot swallow the rest of the page; the others last until their end tag.
_SKIP = frozenset("script style template noscript pre code kbd samp svg math xmp textarea".split())
_SKIP_INLINE = frozenset(("code", "kbd", "samp"))
_ALT_TAGS = frozenset(("img", "area", "input"))
# One attribute inside a raw start tag; value groups: double-quoted, single-quoted, unquoted.
_ATTR = re.compile(r"""([^\s/>"'=][^\s/>=]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"'][^\s>]*)))?""")
_TAG_NAME = re.compile(r"<[^\s/>]+")
# An entity in an attribute value (HTMLParser decodes values for us, but we need their positions).
_ATTR_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
# A data chunk that is really an unfinished tag/comment HTMLParser gave up on ("<div class=", "<!-- ...").
_DEBRIS = re.compile(r"<[A-Za-z!/?]")
# Markup openers for the tokenising loop, and entities (also at the very end of the text, unlike the stdlib's).
_START_TAG = re.compile(r"<[a-zA-Z]")
_CHARREF = re.compile(r"&#(?:[0-9]+|[xX][0-9a-fA-F]+)")
_ENTITYREF = re.compile(r"&([a-zA-Z][-.a-zA-Z0-9]*)")


_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
# <meta> tags whose content is shown as the page's text: by search engines and when the page is shared.
_META_PROSE = frozenset(("description", "og:title", "og:description", "twitter:title", "twitter:description"))
_JSON_LD = "application/ld+json"


def extract(text: str, options: Options = DEFAULT_OPTIONS) -> Document:
    """The prose blocks and comments of an HTML document (after its front matter, if it has one)."""
    from lint.extract import frontmatter, templates

    matter = frontmatter.parse(text, options.front_matter_keys)
    masked = templates.mask(text, matter.body_start, options.prose_attributes)
    body = masked.text if masked is not None else text
    doc = parse(body[matter.body_start :] if matter.body_start else body, matter.body_start)
    if matter.blocks or masked is not None:
        doc.blocks = sorted([*matter.blocks, *doc.blocks, *(masked.blocks if masked else ())], key=_block_start)
        if masked is not None:
            doc.comments = sorted([*doc.comments, *masked.comments], key=_comment_start)
    return doc


def parse(text: str, base: int = 0, *, paragraphs_at_blank_lines: bool = False) -> Document:
    """Like :func:`extract` for ``text`` found at source offset ``base`` (an HTML block inside Markdown).
    ``paragraphs_at_blank_lines``: a blank line ends a block, as WordPress's classic editor writes them."""
    parser = _Extractor(text, base, paragraphs_at_blank_lines)
    try:
        parser.run()
    except AssertionError:
        # The stdlib parser still asserts on a few malformed declarations; keep what was read so far.
        pass
    parser.flush()
    blocks = sorted(parser.blocks, key=_block_start)
    return Document(blocks, parser.comments)


def _block_start(block: Block) -> int:
    return block.offsets.src_starts[0]


def _comment_start(comment: Comment) -> int:
    return comment.start


class _Extractor(HTMLParser):
    """Collects blocks and comments while HTMLParser walks the document."""

    def __init__(self, text: str, base: int, paragraphs_at_blank_lines: bool = False) -> None:
        super().__init__(convert_charrefs=False)
        self._text = text
        self._base = base
        self._blank_lines = paragraphs_at_blank_lines
        self._json_ld = -1  # where the content of the JSON-LD script being read starts, or -1
        self._at = 0  # offset in ``text`` of the construct being handled
        self.blocks: list[Block] = []
        self.comments: list[Comment] = []
        self._b = ProseBuilder()
        self._open: list[tuple[str, str]] = []  # open block elements: (tag, kind)
        self._skip: list[str] = []  # open never-linted elements

    # -- tokenising -------------------------------------------------------------------------------------
    def run(self) -> None:
        """Walk the whole text once, as the stdlib's ``goahead`` does but without its re-scans: every
        sub-parser (``parse_starttag``, ``parse_comment``, ...) consumes at least what it scanned, and the first
        one that finds no end stops the walk (the rest of the text is inside that comment, tag or declaration).
        """
        raw = self.rawdata = self._text
        n = len(raw)
        i = 0
        while i < n:
            m = self.interesting.search(raw, i)  # '<' or '&'; inside <script>/<style>, their end tag
            if m is None:  # no more markup: the rest is text (code, in an unclosed <script> or <style>; newer
                if self.cdata_elem in (None, "title"):  # Pythons read <title> this way too, and it is text)
                    self._at = i
                    self.handle_data(raw[i:])
                return
            j = m.start()
            if i < j:
                self._at = i
                self.handle_data(raw[i:j])
            self._at = i = j
            k = self._markup(raw, i) if raw[i] == "<" else self._reference_at(raw, i)
            if k < 0:
                return  # unterminated: it hides the rest of the text, as in HTML5 at end of file
            i = max(k, i + 1)

    def _markup(self, raw: str, i: int) -> int:
        """End of the tag, comment, declaration or processing instruction at ``raw[i] == '<'``; -1 when it
        never ends."""
        if _START_TAG.match(raw, i):
            return self.parse_starttag(i)
        if raw.startswith("</", i):
            return self.parse_endtag(i)
        if raw.startswith("<!--", i):
            return self.parse_comment(i)
        if raw.startswith("<?", i):
            return self.parse_pi(i)
        if raw.startswith("<!", i):
            return self.parse_html_declaration(i)
        self.handle_data("<")  # "a < b", "<3": text
        return i + 1

    def _reference_at(self, raw: str, i: int) -> int:
        """End of the character or entity reference at ``raw[i] == '&'`` (a lone ``&`` is text)."""
        m = _CHARREF.match(raw, i)
        if m is not None:
            self.handle_charref(m.group()[2:])
        else:
            m = _ENTITYREF.match(raw, i)
            if m is None:
                self.handle_data("&#" if raw.startswith("&#", i) else "&")
                return i + 2 if raw.startswith("&#", i) else i + 1
            self.handle_entityref(m.group(1))
        return m.end() + 1 if raw.startswith(";", m.end()) else m.end()

    # -- positions -------------------------------------------------------------------------------------
    def _pos(self) -> int:
        """Offset in ``text`` of the construct being handled."""
        return self._at

    # -- blocks ----------------------------------------------------------------------------------------
    def flush(self) -> None:
        """End the current block."""
        if len(self._b):
            kind = self._open[-1][1] if self._open else "paragraph"
            block = self._b.build(kind)
            if block is not None:
                self.blocks.append(block)
            self._b = ProseBuilder()

    def _boundary(self) -> None:
        """A block-level tag: end the block, and forget unclosed inline code (it cannot cross blocks)."""
        self.flush()
        while self._skip and self._skip[-1] in _SKIP_INLINE:
            self._skip.pop()

    # -- tags ------------------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag in _SKIP:
                self._skip.append(tag)
            elif tag in BLOCK_TAGS and self._skip[-1] in _SKIP_INLINE:
                self._boundary()
                self.handle_starttag(tag, attrs)
            return
        if tag in _SKIP:
            start, end = self._tag_span()
            self._b.space(start, end)  # skipped code still separates the words around it
            self._skip.append(tag)
            if tag == "script" and (dict(attrs).get("type") or "").strip().lower() == _JSON_LD:
                self._json_ld = end - self._base
            return
        if tag in BLOCK_TAGS:
            self._boundary()
            if tag not in _VOID:
                self._open.append((tag, self._kind(tag)))
                if len(self._open) > 256:  # unclosed tags in broken HTML: keep the stack bounded
                    del self._open[0]
            if tag == "meta":
                self._meta()
        elif tag in _ALT_TAGS:
            self._alt(tag)
        elif tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith("#"):
                self._b.context(href)  # a linked source counts as a citation for context checks

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._json_ld >= 0:
            from lint.extract import jsonld

            self.blocks.extend(jsonld.extract(self._text, self._json_ld, self._pos(), self._base))
            self._json_ld = -1
        if self._skip:
            if tag in self._skip:
                while self._skip.pop() != tag:
                    pass
            elif tag in BLOCK_TAGS and self._skip[-1] in _SKIP_INLINE:
                self._boundary()
                self.handle_endtag(tag)
            return
        if tag in BLOCK_TAGS:
            self._boundary()
            for i in range(len(self._open) - 1, -1, -1):
                if self._open[i][0] == tag:
                    del self._open[i:]
                    break

    def _kind(self, tag: str) -> str:
        """Block kind of ``tag``; a <p> or <div> inside a list item or cell stays part of it."""
        kind = _KINDS.get(tag)
        if kind is None:
            outer = self._open[-1][1] if self._open else "paragraph"
            kind = outer if outer in ("list-item", "table-cell") else "paragraph"
        return kind

    def _tag_span(self) -> tuple[int, int]:
        """Source range of the start tag being handled."""
        start = self._base + self._pos()
        return start, start + len(self.get_starttag_text() or "")

    # -- text ------------------------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        pos = self._pos()
        if not self._text.startswith(data, pos):
            # Never seen with the stdlib parser, but a wrong offset must never reach a finding.
            pos = self._text.find(data, pos)
            if pos < 0:
                return
        if data[0] == "<" and _DEBRIS.match(data):
            return
        if self._blank_lines and "\n" in data:
            done = 0
            for m in _BLANK_LINE.finditer(data):
                self._b.verbatim(self._base + pos + done, data[done : m.start()])
                self.flush()
                done = m.end()
            data, pos = data[done:], pos + done
        self._b.verbatim(self._base + pos, data)

    def handle_entityref(self, name: str) -> None:
        self._reference(1 + len(name))

    def handle_charref(self, name: str) -> None:
        self._reference(2 + len(name))

    def _reference(self, length: int) -> None:
        """An entity of ``length`` characters (without its optional ``;``) at the current position."""
        if self._skip:
            return
        pos = self._pos()
        end = pos + length
        if self._text.startswith(";", end):
            end += 1
        raw = self._text[pos:end]
        if not raw.startswith("&"):
            return
        decoded = unescape(raw)
        if decoded == raw:  # not an entity after all ("&foo;"): literal text
            self._b.verbatim(self._base + pos, raw)
        else:
            self._b.replaced(self._base + pos, self._base + end, decoded)

    def handle_comment(self, data: str) -> None:
        pos = self._pos()
        if not self._text.startswith("<!--", pos):
            return  # a "bogus comment" such as <!x> or </ x>: not a directive carrier
        # Python versions differ on comment ends (-->, --!>, <!-->): the first '>' after the body ends it.
        end = self._text.find(">", pos + 4 + len(data))
        end = len(self._text) if end < 0 else end + 1
        self.comments.append(Comment(data, self._base + pos, self._base + end))

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        # "<![CDATA[...]]>", "<![if !IE]>": outside SVG/MathML (never prose anyway) HTML5 reads every "<![" as a
        # bogus comment that ends at the first ">". (The stdlib looks for "]]>", which an unclosed one makes a
        # scan to the end of the text, and raises AssertionError on unknown keywords.)
        end = self.rawdata.find(">", i + 3)
        return -1 if end < 0 else end + 1

    # -- attributes ------------------------------------------------------------------------------------
    def _attributes(self) -> tuple[int, dict[str, tuple[int, str]]]:
        """Tag offset and ``name -> (value offset in text, raw value)`` of the current start tag."""
        raw = self.get_starttag_text() or ""
        pos = self._pos()
        found: dict[str, tuple[int, str]] = {}
        name = _TAG_NAME.match(raw)
        start = name.end() if name else 0
        for m in _ATTR.finditer(raw, start):
            key = m.group(1).lower()
            if key in found:
                continue  # the first occurrence wins, as in browsers
            for g in (2, 3, 4):
                if m.group(g) is not None:
                    found[key] = (pos + m.start(g), m.group(g))
                    break
            else:
                found[key] = (pos + m.end(), "")
        return pos, found

    def _attr_block(self, value: tuple[int, str], kind: str) -> None:
        """A block from an attribute value, entities decoded in place."""
        at, raw = value
        b = ProseBuilder()
        done = 0
        for m in _ATTR_ENTITY.finditer(raw):
            decoded = unescape(m.group())
            if decoded == m.group():
                continue
            b.verbatim(self._base + at + done, raw[done : m.start()])
            b.replaced(self._base + at + m.start(), self._base + at + m.end(), decoded)
            done = m.end()
        b.verbatim(self._base + at + done, raw[done:])
        block = b.build(kind)
        if block is not None:
            self.blocks.append(block)

    def _alt(self, tag: str) -> None:
        _, attrs = self._attributes()
        self._b.space(*self._tag_span())  # an image separates the words around it, but not the block
        if tag == "input" and attrs.get("type", (0, ""))[1].strip().lower() != "image":
            return
        if "alt" in attrs:
            self._attr_block(attrs["alt"], "alt")

    def _meta(self) -> None:
        _, attrs = self._attributes()
        for key in ("name", "property"):
            name = attrs.get(key, (0, ""))[1].strip().lower()
            if name in _META_PROSE and "content" in attrs:
                self._attr_block(attrs["content"], name)
                return
