"""Markdown extractor: what is prose, what is not, and exact source positions of every match."""

from __future__ import annotations

import pytest
from helpers import assert_faithful, check_position, find
from hypothesis import given, settings
from hypothesis import strategies as st

from lint.extract.markdown import extract
from lint.positions import Block


def prose(src: str) -> str:
    """All block texts, one per line (for "is it linted at all" checks)."""
    return "\n".join(b.text for b in extract(src).blocks)


def check(src: str, phrase: str, source: str, line: int, col: int, kind: str | None = None) -> Block:
    return check_position(extract, src, phrase, source, line, col, kind)


# -- emphasis, links, images, code ----


def test_strong_emphasis_is_removed_and_positions_point_inside_it() -> None:
    src = "Our program is **completely safe** for everyone.\n"
    check(src, "completely safe", "completely safe", 1, 18)
    # A phrase that spans the markup maps to the source including the markers it crosses.
    check(src, "is completely safe for", "is **completely safe** for", 1, 13)
    assert prose(src) == "Our program is completely safe for everyone."


def test_underscore_emphasis_but_not_intraword_underscores() -> None:
    src = "It is _safe_ and __proven__, unlike snake_case or a_b_c names."
    check(src, "is safe and proven,", "is _safe_ and __proven__,", 1, 4)
    assert "snake_case" in prose(src) and "a_b_c" in prose(src)


def test_other_inline_markers() -> None:
    assert prose("~~no risk~~ at all, ***really***") == "no risk at all, really"
    assert prose("5 * 3 = 15 and 2*3 and ~5 kg") == "5 * 3 = 15 and 2*3 and ~5 kg"


def test_link_text_is_prose_url_and_title_are_not() -> None:
    src = 'Read [our *weight loss* guide](https://ex.com/safe_cure "Totally safe") today.'
    check(src, "weight loss guide", "weight loss* guide", 1, 12)
    assert prose(src) == "Read our weight loss guide today."


def test_reference_links_and_definitions() -> None:
    src = (
        "See [the study][pmid] and [Cure Rates] or [cure rates][].\n\n"
        '[pmid]: https://x.org/1 "Title"\n'
        "[cure rates]: <https://x.org/2>\n"
    )
    assert prose(src) == "See the study and Cure Rates or cure rates."
    check(src, "Cure Rates", "Cure Rates", 1, 28)


def test_footnote_references_stay_literal_and_definitions_are_prose() -> None:
    src = "Patients lost 15% of body weight[^1] in trials [2].\n\n[^1]: Wilding et al. N Engl J Med 2021.\n"
    check(src, "weight[^1]", "weight[^1]", 1, 27)
    assert "[2]" in prose(src)
    check(src, "Wilding et al.", "Wilding et al.", 3, 7, kind="paragraph")


def test_image_alt_is_its_own_block() -> None:
    src = 'Before ![Patient *lost* 30 lbs safely](/img/a_b.png "caption") after.\n'
    block = check(src, "lost 30 lbs", "lost* 30 lbs", 1, 19, kind="alt")
    assert block.text == "Patient lost 30 lbs safely"
    assert find(extract(src), "Before after.", "paragraph")
    # an image inside a link: the alt is still linted, the link destination is not
    assert prose("[![Guaranteed results](a.png)](https://x.com)") == "Guaranteed results"


def test_inline_code_is_not_prose() -> None:
    src = "Use `guaranteed cure` or ``a ` tick`` wisely; ```unclosed stays."
    assert prose(src) == "Use or wisely; ```unclosed stays."
    assert "guaranteed" not in prose(src)


def test_fenced_code_is_not_prose() -> None:
    src = "Before.\n\n```python title=\"x\"\ncure = 'guaranteed'\n```\n\n~~~\nsafe\n~~~\n\nAfter."
    assert prose(src) == "Before.\nAfter."
    # an unclosed fence runs to the end of the file
    assert prose("Text.\n\n````\nguaranteed\n```\nstill code\n") == "Text."
    # a fence inside a list item
    assert prose("- item\n  ```\n  guaranteed\n  ```\n  after\n") == "item\nafter"


def test_indented_code_is_not_prose_but_list_continuations_are() -> None:
    assert prose("Intro.\n\n    guaranteed = True\n\tcure()\n\nOutro.") == "Intro.\nOutro."
    assert prose("Para\n    indented continuation") == "Para indented continuation"
    assert prose("1. item\n\n    continued paragraph of the item") == "item\ncontinued paragraph of the item"


def test_urls_and_autolinks_are_not_prose() -> None:
    src = "Visit https://safe.example/cure_all?a=1, www.cure.com/x_y. or <https://a.b/c> and <me@x.com>."
    assert prose(src) == "Visit , . or and ."


# -- escapes and entities ----


def test_backslash_escapes() -> None:
    src = r"\*Not emphasis\* and a\_b and \[not a link\](x)"
    check(src, "*Not emphasis*", r"\*Not emphasis\*", 1, 1)
    assert prose(src) == "*Not emphasis* and a_b and [not a link](x)"


def test_entities_in_the_middle_of_a_phrase() -> None:
    src = "Lasting weight&nbsp;loss &amp; patients&rsquo; results &#8217;&#x2019; &bogus; &amp"
    check(src, "weight loss & patients'", "weight&nbsp;loss &amp; patients&rsquo;", 1, 9)
    assert prose(src) == "Lasting weight loss & patients' results '' &bogus; &amp"


# -- blocks ----


def test_atx_and_setext_headings() -> None:
    src = "# Safe *and* effective #\n\nGuaranteed results\n==================\n\nSub\n---\n"
    check(src, "Safe and effective", "Safe *and* effective", 1, 3, kind="heading")
    check(src, "Guaranteed results", "Guaranteed results", 3, 1, kind="heading")
    assert [b.kind for b in extract(src).blocks] == ["heading", "heading", "heading"]
    assert prose("#hashtag is not a heading") == "#hashtag is not a heading"


def test_headings_and_list_items_are_separate_blocks() -> None:
    src = "Intro text\n## Heading\nMore text\n- item one\n- item two\nAfter"
    doc = extract(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "Intro text"),
        ("heading", "Heading"),
        ("paragraph", "More text"),
        ("list-item", "item one"),
        ("list-item", "item two After"),  # a lazy continuation line belongs to the item
    ]


def test_nested_lists() -> None:
    src = "- Top item\n  - Nested **weight**\n    loss item\n    1) Deep ordered\n2. Ordered\n+ plus\n"
    doc = extract(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("list-item", "Top item"),
        ("list-item", "Nested weight loss item"),
        ("list-item", "Deep ordered"),
        ("list-item", "Ordered"),
        ("list-item", "plus"),
    ]
    check(src, "weight loss", "weight**\n    loss", 2, 14)
    check(src, "Deep ordered", "Deep ordered", 4, 8)


def test_containers_nest_and_continue_across_lines() -> None:
    src = (
        "- > Quoted in an item, weight\n  > loss continues\n"  # a quote inside an item
        "- 1. Ordered in an\n     item\n\n  > quote after a blank"
    )
    assert [(b.kind, b.text) for b in extract(src).blocks] == [
        ("list-item", "Quoted in an item, weight loss continues"),
        ("list-item", "Ordered in an item"),
        ("list-item", "quote after a blank"),
    ]
    check(src, "weight loss", "weight\n  > loss", 1, 24)
    # a fence inside a block quote ends with the quote
    assert prose("> ```\n> code\nprose again\n") == "prose again"


def test_what_may_interrupt_a_paragraph() -> None:
    # an ordered list may only interrupt a paragraph when it starts at 1; a lone tag never does
    assert prose("The year was\n2019. That was that.") == "The year was 2019. That was that."
    assert prose("Steps:\n1. one\n2. two") == "Steps:\none\ntwo"
    assert prose("Text\n<b>bold</b>\nmore") == "Text bold more"
    # an indented line continues a paragraph, even a lazy one in a block quote
    assert prose("> Quoted\n    ## not a heading") == "Quoted ## not a heading"


def test_tabs_in_container_indentation() -> None:
    src = ">\tQuoted after a tab\n-\tItem after a tab\n\n\tcontinued item paragraph\n"
    assert [(b.kind, b.text) for b in extract(src).blocks] == [
        ("paragraph", "Quoted after a tab"),
        ("list-item", "Item after a tab"),
        ("list-item", "continued item paragraph"),
    ]
    check(src, "Item after", "Item after", 2, 3)
    # five columns after a list marker: the item holds indented code
    assert prose("-      code in an item\n") == ""


def test_task_list_boxes_are_not_prose() -> None:
    assert prose("- [ ] Book a visit\n- [x] Done") == "Book a visit\nDone"


def test_block_quote_with_hard_wrapped_lines() -> None:
    src = "> Our patients see weight\n> loss within weeks,\nlazily continued.\n>\n> > Nested quote.\n"
    check(src, "weight loss", "weight\n> loss", 1, 20)
    block = check(src, "weeks, lazily", "weeks,\nlazily", 2, 15)
    assert block.text == "Our patients see weight loss within weeks, lazily continued."
    check(src, "Nested quote.", "Nested quote.", 5, 5)
    assert ">" not in prose(src)


def test_hard_wrapped_paragraph_joins_lines_with_a_space() -> None:
    src = "Lose weight\nloss\\\nnext  \nline"
    assert prose(src) == "Lose weight loss next line"
    block = check(src, "weight loss", "weight\nloss", 1, 6)
    i = block.text.index("loss next")
    assert block.offsets.span(i, i + 9) == (src.index("loss\\"), src.index("next") + 4)


def test_tables_one_block_per_cell() -> None:
    src = "| Drug | Claim |\n|:-----|------:|\n| Semaglutide | **100% safe** \\| proven |\n| `code` | x |\n"
    doc = extract(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("table-cell", "Drug"),
        ("table-cell", "Claim"),
        ("table-cell", "Semaglutide"),
        ("table-cell", "100% safe | proven"),
        ("table-cell", "x"),
    ]
    check(src, "100% safe", "100% safe", 3, 19)
    check(src, "safe | proven", "safe** \\| proven", 3, 24)


def test_table_after_a_paragraph_line() -> None:
    src = "Results below.\n| a | b |\n| - | - |\n| c | d |\nnot a row\n"
    assert [b.text for b in extract(src).blocks] == ["Results below.", "a", "b", "c", "d", "not a row"]


def test_thematic_breaks_and_reference_definitions_are_not_prose() -> None:
    src = "***\n\n[id]: https://example.com/cure 'Guaranteed'\n\n---\nText"
    assert prose(src) == "Text"


# -- HTML and comments ----


def test_inline_html_tags_dropped_their_text_kept() -> None:
    src = 'It is <span class="x">completely</span> safe,<br>really <abbr title="no">sure</abbr>.'
    check(src, "completely safe", "completely</span> safe", 1, 23)
    assert prose(src) == "It is completely safe, really sure."
    assert prose("Inline <script>var cure = 1;</script> end") == "Inline end"


def test_html_blocks_go_through_the_html_extractor() -> None:
    src = 'Intro.\n\n<div class="cta">\n  <p>Guaranteed <b>weight</b>\n  loss &amp; more</p>\n</div>\n\nOutro.'
    check(src, "weight loss & more", "weight</b>\n  loss &amp; more", 4, 20)
    assert prose(src) == "Intro.\nGuaranteed weight loss & more\nOutro."
    assert prose("<script>\nvar safe = 1;\n\nstill script\n</script>\nafter") == "after"


def test_comments_are_collected_in_source_order_and_are_not_prose() -> None:
    src = (
        "<!-- clinic-lint-disable no-cure -->\n"
        "Text <!-- inline --> more.\n\n"
        "<!--\nmulti-line\ncomment -->\n"
        "```\n<!-- in code: not a comment -->\n```\n"
        "Last <!-- a\nb --> line\n"
    )
    doc = extract(src)
    assert [c.text for c in doc.comments] == [
        " clinic-lint-disable no-cure ",
        " inline ",
        "\nmulti-line\ncomment ",
        " a\nb ",
    ]
    first = doc.comments[0]
    assert (first.start, first.end) == (0, src.index("\n"))
    assert prose(src) == "Text more.\nLast line"
    assert_faithful(src, doc)


# -- front matter ----


def test_front_matter_title_and_description_only() -> None:
    src = (
        "---\n"
        'title: "Lose 30 lbs \\"fast\\" &amp; safely"\n'
        "description: Our clinic offers guaranteed results  # a comment\n"
        "author: Dr. Cure-All\n"
        "tags: [guaranteed, safe]\n"
        "---\n"
        "# Body\n"
    )
    doc = extract(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("title", 'Lose 30 lbs "fast" &amp; safely'),
        ("description", "Our clinic offers guaranteed results"),
        ("heading", "Body"),
    ]
    check(src, '"fast"', '\\"fast\\"', 2, 21, kind="title")
    check(src, "guaranteed results", "guaranteed results", 3, 32, kind="description")


def test_front_matter_block_and_single_quoted_scalars_and_toml() -> None:
    src = "---\ntitle: 'It''s safe'\ndescription: >-\n  Guaranteed\n  weight loss.\nlayout: post\n...\nBody"
    check(src, "It's safe", "It''s safe", 2, 9, kind="title")
    check(src, "weight loss.", "weight loss.", 5, 3, kind="description")
    toml = '+++\ntitle = "Safe \\u0026 sound"\ndraft = true\n+++\nBody'
    assert [(b.kind, b.text) for b in extract(toml).blocks] == [
        ("title", "Safe & sound"),
        ("paragraph", "Body"),
    ]


def test_front_matter_only_at_the_first_line_and_only_when_closed() -> None:
    assert "title" in prose("Text\n\n---\ntitle: Not front matter\n---\n")
    assert prose("---\ntitle: unclosed") == "title: unclosed"
    # a post that opens with a thematic break is not front matter
    src = "---\nJust a thematic break opening the post.\n\nMore text\n---\n"
    assert [(b.kind, b.text) for b in extract(src).blocks] == [
        ("paragraph", "Just a thematic break opening the post."),
        ("heading", "More text"),
    ]


# -- line ends, tabs, non-ASCII ----


def test_crlf_line_ends() -> None:
    src = "---\r\ntitle: Safe\r\n---\r\n# Head\r\n\r\nLine one is\r\nweight\r\nloss here\r\n> quoted\r\n> text\r\n"
    check(src, "weight loss", "weight\r\nloss", 7, 1)
    check(src, "Safe", "Safe", 2, 8, kind="title")
    check(src, "quoted text", "quoted\r\n> text", 9, 3)
    assert "\r" not in prose(src)
    assert [b.text for b in extract(src).blocks] == [
        "Safe",
        "Head",
        "Line one is weight loss here",
        "quoted text",
    ]


def test_tabs_inside_text() -> None:
    src = "Fast\tweight\tloss\t\tnow"
    check(src, "weight loss now", "weight\tloss\t\tnow", 1, 6)


def test_columns_count_characters_after_non_ascii_text() -> None:
    src = "Café naïve 😀 **weight loss**\n\n日本語 résumé &amp; 🎉🎉 safe"
    check(src, "weight loss", "weight loss", 1, 16)
    check(src, "& 🎉🎉 safe", "&amp; 🎉🎉 safe", 3, 12)


def test_typographic_quotes_are_straightened_in_place() -> None:
    src = "It\u2019s \u201cguaranteed\u201d"
    check(src, 'It\'s "guaranteed"', src, 1, 1)


# -- robustness ----


@pytest.mark.parametrize(
    "src",
    [
        "", "\n", "\r\n", ">", "- ", "1.", "#", "```", "<!--", "[", "![", "](", "\\", "&", "*", "_", "`",
        "---", "---\n", "+++\n+++", "| a |\n|---|", "<div>", "<![CDATA[", "<?x", "www.", "http://",
        "[a]: b\n[a]", "- > >\n  >", "\t\t-\t\t*", "[^1]:", "---\ntitle: \"unterminated\n---\n",
    ],
)  # fmt: skip
def test_degenerate_inputs(src: str) -> None:
    assert_faithful(src, extract(src))


_MD_ALPHABET = st.sampled_from(list("ab \n\t\r*_~`[]()<>!&#;:\\-=|+.1^'\"/xé😀\u2019") + [
    "http://", "www.", "<!--", "-->", "```", "&amp;", "&nbsp;", "<b>", "</p>", "---\n", "> ", "- ", "1. ",
    "    ", "[^1]", "](u)", "<div>", "\r\n",
])  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(_MD_ALPHABET, max_size=60).map("".join)))
def test_property_extract_never_raises_and_maps_verbatim_text_exactly(src: str) -> None:
    assert_faithful(src, extract(src))
