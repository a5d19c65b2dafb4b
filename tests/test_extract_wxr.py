"""WordPress exports: one document per post (slug, else id), title/excerpt/content with exact positions in the
export through CDATA sections, entities and escaped HTML; readers' comments, attachments and trash skipped."""

from __future__ import annotations

import pytest
from helpers import assert_faithful
from hypothesis import given, settings
from hypothesis import strategies as st

from lint.extract import Skipped
from lint.extract.wxr import extract, extract_parts
from lint.positions import LineIndex

HEAD = '<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'


def posts(body: str) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(d.part, [(b.kind, b.text) for b in d.blocks]) for d in extract_parts(HEAD + body)]


def where(src: str, phrase: str) -> tuple[tuple[int, int], str]:
    """Line/column of ``phrase`` in the prose, and the source text it maps to."""
    for doc in extract_parts(src):
        for b in doc.blocks:
            i = b.text.find(phrase)
            if i >= 0:
                start, end = b.offsets.span(i, i + len(phrase))
                return LineIndex(src).position(start), src[start:end]
    raise AssertionError(phrase)


def test_cdata_split_around_a_literal_end_marker() -> None:
    src = HEAD + (
        "<item><title>A</title><content:encoded><![CDATA[<p>Use ]]]]><![CDATA[> and cure it</p>]]>"
        "</content:encoded><wp:post_name>a</wp:post_name></item>"
    )
    assert posts(src[len(HEAD) :]) == [("a", [("title", "A"), ("paragraph", "Use ]]> and cure it")])]
    assert where(src, "]]> and cure") == ((4, 56), "]]]]><![CDATA[> and cure")
    assert_faithful(src, extract(src))


def test_escaped_html_and_entities_map_back_into_the_export() -> None:
    src = HEAD + (
        "<item><title>Safe &amp;amp; fast</title>\n"
        "<content:encoded>&lt;h2&gt;Totally&lt;/h2&gt;&lt;p&gt;cures&amp;nbsp;all&lt;/p&gt;</content:encoded>\n"
        "<excerpt:encoded><![CDATA[First.\n\nSecond.]]></excerpt:encoded><wp:post_id>7</wp:post_id></item>"
    )
    assert posts(src[len(HEAD) :]) == [("7", [
        ("title", "Safe & fast"), ("heading", "Totally"), ("paragraph", "cures all"),
        ("excerpt", "First."), ("excerpt", "Second."),
    ])]  # fmt: skip
    assert where(src, "& fast") == ((4, 19), "&amp;amp; fast")
    assert where(src, "cures all") == ((5, 55), "cures&amp;nbsp;all")  # a no-break space reads as a space
    assert_faithful(src, extract(src))


def test_markup_quoted_inside_cdata_never_ends_an_element() -> None:
    body = (
        "<item><content:encoded><![CDATA[<p>Write </content:encoded> or </item> in a post.</p>]]></content:encoded>"
        "<wp:post_name>x</wp:post_name><wp:comment><wp:comment_content>Cured!</wp:comment_content></wp:comment></item>"
    )
    assert posts(body) == [("x", [("paragraph", "Write or in a post.")])]


def test_which_items_are_copy() -> None:
    body = "".join(
        f"<item><title>{t}</title><wp:post_type>{kind}</wp:post_type><wp:status>{status}</wp:status>"
        f"<wp:post_name>{t}</wp:post_name></item>"
        for t, kind, status in [
            ("post", "post", "publish"), ("draft", "page", "draft"), ("block", "wp_block", "publish"),
            ("logo", "attachment", "inherit"), ("menu", "nav_menu_item", "publish"), ("gone", "post", "trash"),
        ]
    )  # fmt: skip
    assert [part for part, _ in posts(body)] == ["post", "draft", "block"]


def test_seo_plugins_custom_fields_are_copy_other_custom_fields_are_not() -> None:
    src = HEAD + (
        "<item><title>Ketamine</title><wp:post_name>k</wp:post_name>\n"
        "<wp:postmeta><wp:meta_key><![CDATA[_yoast_wpseo_metadesc]]></wp:meta_key>\n"
        "<wp:meta_value><![CDATA[Completely safe &amp; fast relief.]]></wp:meta_value></wp:postmeta>\n"
        "<wp:postmeta><wp:meta_key>rank_math_facebook_title</wp:meta_key>"
        "<wp:meta_value>Cured in a day &amp; more</wp:meta_value></wp:postmeta>\n"
        "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>cure</wp:meta_value></wp:postmeta>\n"
        "<wp:comment><wp:commentmeta><wp:meta_key>_yoast_wpseo_title</wp:meta_key>"
        "<wp:meta_value>A reader's cure</wp:meta_value></wp:commentmeta></wp:comment></item>"
    )
    assert posts(src[len(HEAD) :]) == [("k", [
        ("title", "Ketamine"),
        ("meta_description", "Completely safe & fast relief."),
        ("og_title", "Cured in a day & more"),
    ])]  # fmt: skip
    assert where(src, "Completely safe") == ((6, 25), "Completely safe")
    assert where(src, "day & more") == ((7, 91), "day &amp; more")
    assert_faithful(src, extract(src))


def test_directives_in_post_content_are_collected() -> None:
    src = HEAD + (
        "<item><content:encoded><![CDATA[<!-- clinic-lint-disable-next-line hype -- ok -->\n<p>Amazing</p>]]>"
        "</content:encoded></item>"
    )
    (doc,) = extract_parts(src)
    assert [c.text for c in doc.comments] == [" clinic-lint-disable-next-line hype -- ok "]
    assert doc.part == "item"


def test_an_xml_file_that_is_no_export_is_skipped() -> None:
    with pytest.raises(Skipped):
        extract_parts('<?xml version="1.0"?><urlset><url><loc>x</loc></url></urlset>')


@pytest.mark.parametrize(
    "body",
    ["<item><title><![CDATA[open", "<item><content:encoded>never closed", "<item>", "<item><title>x</title",
     "<!-- <item>", "<item><wp:comment>", "</item></item><item/>"],
)  # fmt: skip
def test_truncated_exports_never_crash(body: str) -> None:
    assert_faithful(HEAD + body, extract(HEAD + body))


_ALPHABET = st.sampled_from(list("ab <>/&;!\n") + [
    "<item>", "</item>", "<title>", "</title>", "<content:encoded>", "</content:encoded>", "<![CDATA[", "]]>",
    "&amp;", "&lt;p&gt;", "<p>", "</p>", "<!--", "-->", "<wp:post_name>", "</wp:post_name>",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=50).map("".join))
def test_property_never_raises_and_maps_verbatim_text_exactly(body: str) -> None:
    assert_faithful(HEAD + body, extract(HEAD + body))
