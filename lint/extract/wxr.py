"""WordPress exports (WXR: Tools > Export, an RSS file with WordPress's own elements).

Each post, page or other content item is a document of its own — its title, excerpt and content (HTML,
usually in a CDATA section), and the SEO title and descriptions that Yoast, Rank Math or All in One SEO keep
in its custom fields (what search results and shared links show) — named by its slug, or its id when it has
none, so findings read ``export.xml#post-slug:line:col`` with the line and column in the export file.
Document-level rules (a missing disclaimer) judge each post on its own. Attachments, menu items, revisions,
site styles and trashed items are not copy and are skipped, as are readers' comments and other custom fields;
drafts are linted (they are about to be published).

The export is read by a scanner rather than an XML library: it must hand back the source offset of every
character of a CDATA section or an escaped text, which neither ElementTree nor expat reports. It knows CDATA
sections and comments, so markup quoted inside a post never ends an element early, and it only moves forward.
Content in the classic editor has no ``<p>`` tags: a blank line ends a paragraph, as WordPress displays it.
"""

from __future__ import annotations

import re

from lint.extract import DEFAULT_OPTIONS, Options, Skipped
from lint.extract.embedded import Mapped
from lint.model import Document

_SIGNATURE = "wordpress.org/export/"  # the wp: namespace, declared on <rss> at the top
_SNIFF = 8192
_TAG = re.compile(r"<(/?)([A-Za-z_][\w:.-]*)[^>]*?(/?)>")
_FIELDS = frozenset(("title", "content:encoded", "excerpt:encoded", "wp:post_name", "wp:post_id", "wp:post_type",
                     "wp:status"))  # fmt: skip
_NOT_COPY = frozenset(
    "attachment nav_menu_item revision custom_css customize_changeset oembed_cache user_request wp_global_styles "
    "wp_font_family wp_font_face".split()
)
_NOT_PUBLISHED = frozenset(("trash", "auto-draft", "inherit"))
_SKIPPED = frozenset(("wp:comment",))  # readers' comments are not the site's copy
# Custom fields (<wp:postmeta>) in which SEO plugins keep what search engines and social networks show of a
# post — its meta description and the titles and descriptions of its shared cards — by the kind of their block.
SEO_FIELDS = {
    "_yoast_wpseo_title": "seo_title",
    "_yoast_wpseo_metadesc": "meta_description",
    "_yoast_wpseo_opengraph-title": "og_title",
    "_yoast_wpseo_opengraph-description": "og_description",
    "_yoast_wpseo_twitter-title": "twitter_title",
    "_yoast_wpseo_twitter-description": "twitter_description",
    "rank_math_title": "seo_title",
    "rank_math_description": "meta_description",
    "rank_math_facebook_title": "og_title",
    "rank_math_facebook_description": "og_description",
    "rank_math_twitter_title": "twitter_title",
    "rank_math_twitter_description": "twitter_description",
    "_aioseo_title": "seo_title",
    "_aioseo_description": "meta_description",
    "_aioseo_og_title": "og_title",
    "_aioseo_og_description": "og_description",
    "_aioseo_twitter_title": "twitter_title",
    "_aioseo_twitter_description": "twitter_description",
}


def extract(text: str, options: Options = DEFAULT_OPTIONS) -> Document:
    """All the posts' prose as one document (for callers that want one; the runner uses :func:`extract_parts`)."""
    parts = extract_parts(text, options)
    return Document([b for d in parts for b in d.blocks], [c for d in parts for c in d.comments])


def extract_parts(text: str, options: Options = DEFAULT_OPTIONS) -> list[Document]:
    """One document per post, in the order of the export."""
    if _SIGNATURE not in text[:_SNIFF]:
        raise Skipped("not a WordPress export (WXR): skipped")
    return [doc for doc in _Scanner(text).items() if doc is not None]


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def _next_markup(self, pos: int) -> tuple[int, int, re.Match[str] | None]:
        """The next tag at or after ``pos``, skipping CDATA sections, comments and declarations:
        ``(start, end, tag match)``; ``(-1, -1, None)`` at the end (or an unclosed section)."""
        text = self.text
        while True:
            i = text.find("<", pos)
            if i < 0:
                return -1, -1, None
            for opener, closer in (("<![CDATA[", "]]>"), ("<!--", "-->"), ("<?", "?>"), ("<!", ">")):
                if text.startswith(opener, i):
                    end = text.find(closer, i + len(opener))
                    if end < 0:
                        return -1, -1, None
                    pos = end + len(closer)
                    break
            else:
                m = _TAG.match(text, i)
                if m is not None:
                    return i, m.end(), m
                pos = i + 1

    def items(self):
        pos = 0
        while True:
            start, end, tag = self._next_markup(pos)
            if tag is None:
                return
            pos = end
            if tag.group(2) == "item" and not tag.group(1) and not tag.group(3):
                doc, pos = self._item(pos)
                yield doc

    def _item(self, pos: int) -> tuple[Document | None, int]:
        """The post whose ``<item>`` content starts at ``pos``, and where scanning goes on."""
        fields: dict[str, tuple[int, int]] = {}  # element name -> content [start, end)
        meta: list[tuple[tuple[int, int], tuple[int, int]]] = []  # custom fields: (key, value) content spans
        meta_key: tuple[int, int] | None = None
        skipping: str | None = None  # inside <wp:comment>: nothing of it is the post's
        while True:
            start, end, tag = self._next_markup(pos)
            if tag is None:
                pos = self.n
                break
            pos = end
            closing, name, empty = tag.group(1), tag.group(2), tag.group(3)
            if skipping is not None:
                if closing and name == skipping:
                    skipping = None
                continue
            if closing:
                if name == "item":
                    break
                continue
            if empty:
                continue
            if name in _SKIPPED:
                skipping = name
            elif name in _FIELDS or name in ("wp:meta_key", "wp:meta_value"):
                close = self._content_end(end, name)
                if close < 0:
                    pos = self.n
                    break
                if name == "wp:meta_key":
                    meta_key = (end, close)
                elif name == "wp:meta_value":
                    if meta_key is not None:
                        meta.append((meta_key, (end, close)))
                    meta_key = None
                else:
                    fields.setdefault(name, (end, close))
                pos = close
        return self._post(fields, meta), pos

    def _content_end(self, pos: int, name: str) -> int:
        """Where the content of element ``name`` starting at ``pos`` ends (its end tag); -1 if it never does."""
        while True:
            start, end, tag = self._next_markup(pos)
            if tag is None:
                return -1
            if tag.group(1) and tag.group(2) == name:
                return start
            pos = end

    def _value(self, span: tuple[int, int]) -> Mapped:
        """The text of an element: CDATA sections as they stand, escaped text with its entities decoded."""
        text = self.text
        value = Mapped()
        pos, end = span
        while pos < end:
            cdata = text.find("<![CDATA[", pos, end)
            stop = end if cdata < 0 else cdata
            value.entities(pos, text[pos:stop])
            if cdata < 0:
                break
            close = text.find("]]>", cdata + 9, end)
            close = end if close < 0 else close
            value.verbatim(cdata + 9, text[cdata + 9 : close])
            pos = close + 3
        return value

    def _post(
        self, fields: dict[str, tuple[int, int]], meta: list[tuple[tuple[int, int], tuple[int, int]]]
    ) -> Document | None:
        """The document of one item, or None when it is not copy."""
        plain = {k: self._value(fields[k]).text.strip() for k in ("wp:post_type", "wp:status", "wp:post_name",
                                                                     "wp:post_id") if k in fields}  # fmt: skip
        if plain.get("wp:post_type", "post") in _NOT_COPY or plain.get("wp:status", "") in _NOT_PUBLISHED:
            return None
        name = plain.get("wp:post_name") or plain.get("wp:post_id") or "item"
        blocks = []
        comments = []
        spans: list[tuple[tuple[int, int], str | None, bool]] = [
            (fields[field], kind, paragraphs)
            for field, kind, paragraphs in (
                ("title", "title", False),
                ("excerpt:encoded", "excerpt", True),
                ("content:encoded", None, True),
            )
            if field in fields
        ]
        for key, value in meta:
            kind = SEO_FIELDS.get(self._value(key).text.strip())
            if kind is not None:
                spans.append((value, kind, False))
        for span, kind, paragraphs in spans:
            doc = self._value(span).html(kind, paragraphs_at_blank_lines=paragraphs)
            blocks.extend(doc.blocks)
            comments.extend(doc.comments)
        blocks.sort(key=lambda b: b.offsets.src_starts[0])
        comments.sort(key=lambda c: c.start)
        return Document(blocks, comments, part=name)
