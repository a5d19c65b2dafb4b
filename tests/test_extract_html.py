"""HTML extractor: visible text, title, meta description and alt text, with exact source positions."""

from __future__ import annotations

import pytest
from helpers import assert_faithful, check_position, find
from hypothesis import given, settings
from hypothesis import strategies as st

from lint.extract.html import extract, parse
from lint.positions import Block


def prose(src: str) -> str:
    """All block texts, one per line."""
    return "\n".join(b.text for b in extract(src).blocks)


def check(src: str, phrase: str, source: str, line: int, col: int, kind: str | None = None) -> Block:
    return check_position(extract, src, phrase, source, line, col, kind)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Guaranteed &amp; Safe Weight Loss</title>
  <meta name="Description" content="Lose 30 lbs &ndash; 100% safe, no side effects">
  <meta property="og:description" content="Shared: risk-free results">
  <style>p::before { content: "guaranteed cure"; }</style>
  <script>var claim = "cures anxiety";</script>
</head>
<body>
<!-- clinic-lint-disable-next-line cure-claim -->
<h1>Our <em>proven</em> program</h1>
<p>Patients see <strong>rapid</strong> weight
   loss with semaglutide.<br>No risk.</p>
<ul><li>First item</li><li><p>Wrapped item</p></li></ul>
<table><tr><th>Drug</th><td>FDA approved</td></tr></table>
<img src="before_after.png" alt="Patient lost 40 lbs safely">
<template><p>template text</p></template><noscript>noscript text</noscript>
<pre><code>cure = True</code></pre>
</body>
</html>
"""


def test_page_blocks_and_kinds() -> None:
    doc = extract(PAGE)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("title", "Guaranteed & Safe Weight Loss"),
        ("description", "Lose 30 lbs \u2013 100% safe, no side effects"),
        ("og:description", "Shared: risk-free results"),
        ("heading", "Our proven program"),
        ("paragraph", "Patients see rapid weight loss with semaglutide."),
        ("paragraph", "No risk."),
        ("list-item", "First item"),
        ("list-item", "Wrapped item"),
        ("table-cell", "Drug"),
        ("table-cell", "FDA approved"),
        ("alt", "Patient lost 40 lbs safely"),
    ]
    assert [c.text for c in doc.comments] == [" clinic-lint-disable-next-line cure-claim "]
    c = doc.comments[0]
    assert PAGE[c.start : c.end] == "<!-- clinic-lint-disable-next-line cure-claim -->"


def test_paragraph_across_lines_and_inline_markup() -> None:
    check(PAGE, "rapid weight loss", "rapid</strong> weight\n   loss", 14, 25)
    check(PAGE, "proven program", "proven</em> program", 13, 13, kind="heading")


def test_title_and_meta_description() -> None:
    check(PAGE, "Guaranteed & Safe", "Guaranteed &amp; Safe", 5, 10, kind="title")
    check(PAGE, "100% safe", "100% safe", 6, 57, kind="description")
    check(PAGE, "30 lbs \u2013 100%", "30 lbs &ndash; 100%", 6, 42, kind="description")


def test_alt_attributes() -> None:
    check(PAGE, "40 lbs safely", "40 lbs safely", 18, 47, kind="alt")
    src = (
        "<p>Before<img alt='Lost &quot;30&quot; lbs' src=x>after</p>\n"
        '<map><area shape="rect" alt=Guaranteed href="#"></map>\n'
        '<input type="image" alt="Safe button"><input type="text" alt="not linted" value="nor this">\n'
        '<IMG SRC="a" ALT="Upper case">'
    )
    doc = extract(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "Before after"),  # blocks are in source order of their first character
        ("alt", 'Lost "30" lbs'),
        ("alt", "Guaranteed"),
        ("alt", "Safe button"),
        ("alt", "Upper case"),
    ]
    check(src, '"30" lbs', "&quot;30&quot; lbs", 1, 25, kind="alt")
    check(src, "Guaranteed", "Guaranteed", 2, 29, kind="alt")


def test_scripts_styles_templates_code_and_comments_are_not_prose() -> None:
    text = prose(PAGE)
    for hidden in ("cures anxiety", "guaranteed cure", "template text", "noscript text", "cure = True",
                   "clinic-lint", "DOCTYPE", "utf-8"):  # fmt: skip
        assert hidden not in text, hidden
    assert prose("<p>Use <code>guaranteed</code> or <kbd>cure</kbd> now<p>") == "Use or now"
    assert prose("a<![CDATA[guaranteed]]>b<?php echo 'cure'; ?>c") == "abc"
    assert prose("<svg><title>cure</title><text>safe</text></svg>text") == "text"


def test_inline_elements_do_not_break_words_block_elements_do() -> None:
    assert prose("<p>com<b>plete</b>ly <span>safe</span></p>") == "completely safe"
    assert prose("<div>one<div>two</div>three</div>") == "one\ntwo\nthree"
    assert prose("<p>one<br/>two<hr>three</p>") == "one\ntwo\nthree"
    assert prose("<dl><dt>Term</dt><dd>Definition</dd></dl>") == "Term\nDefinition"


def test_entities() -> None:
    src = "<p>Lasting weight&nbsp;loss &amp; patients&rsquo; results &#8217;&#x2019; &foo; &bar &amp no</p>"
    check(src, "weight loss & patients'", "weight&nbsp;loss &amp; patients&rsquo;", 1, 12)
    assert prose(src) == "Lasting weight loss & patients' results '' &foo; &bar & no"
    check(src, "&foo;", "&foo;", 1, 75)


def test_crlf_tabs_and_non_ascii_columns() -> None:
    src = "<p>Café naïve 😀\r\n\tweight\r\n\tloss</p>\r\n<p>日本 😀 &amp; safe</p>"
    check(src, "weight loss", "weight\r\n\tloss", 2, 2)
    check(src, "& safe", "&amp; safe", 4, 9)
    assert "\r" not in prose(src)


def test_malformed_html_never_raises() -> None:
    cases = [
        "<p>Unclosed <b>bold text",
        "</p> stray end tag</div></li>",
        "a < b and c > d, <3",
        "<div class=",
        "<p>text <!-- unclosed comment",
        "<![if !IE]>x<![endif]> <![bogus stuff]> after",
        "<!x> <!> </ > <? ?> </>",
        "&#; &#x; &#xZZ; &; &",
        "<scr<script>ipt>x</script>",
        "<p><code>unclosed code</p><p>visible again</p>",
        "<title>Unclosed title",
        "<img alt='unterminated",
        "<meta name=description content>",
    ]
    for src in cases:
        doc = extract(src)
        assert_faithful(src, doc)
    assert prose("<p>Unclosed <b>bold text") == "Unclosed bold text"
    assert prose("</p> stray end tag</div></li>") == "stray end tag"
    assert prose("a < b and c > d, <3") == "a < b and c > d, <3"
    assert prose("<p><code>unclosed code</p><p>visible again</p>") == "visible again"
    assert prose("<![if !IE]>x<![endif]> <![bogus stuff]> after") == "x after"


def test_parse_with_a_base_offset() -> None:
    src = "<p>Guaranteed <!-- c --> results</p>"
    doc = parse(src, 100)
    block, i, j = find(doc, "results")
    assert block.offsets.span(i, j) == (100 + src.index("results"), 100 + src.index("results") + 7)
    assert doc.comments[0].start == 100 + src.index("<!--")
    assert_faithful(src, doc, base=100)


_HTML_ALPHABET = st.sampled_from(list("ab <>/=\"'&;#!-?\n\r\tpé😀\u2019x") + [
    "<p>", "</p>", "<br>", "<b>", "<script>", "</script>", "<style>", "<!--", "-->", "&amp;", "&nbsp;",
    "&#8217;", "&#x", "<img alt=\"", "<meta name=description content='", "<title>", "<![CDATA[", "]]>",
    "<code>", "<li>", "<td>", "<svg>", "</",
])  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(_HTML_ALPHABET, max_size=60).map("".join)))
def test_property_extract_never_raises_and_maps_verbatim_text_exactly(src: str) -> None:
    assert_faithful(src, extract(src))


@pytest.mark.parametrize("src", ["", "<", "&", "<!--", "<p", "</", "<![", "<!", "<?", "\r\n", "<a href='"])
def test_degenerate_inputs(src: str) -> None:
    assert_faithful(src, extract(src))


# -- what search and social show: meta tags and JSON-LD ----

META = """<head>
<meta property="og:title" content="Ketamine &amp; you: totally safe">
<meta name="twitter:title" content="Cured fast">
<meta property="twitter:description" content="No risk">
<meta name="og:description" content="Guaranteed">
<meta property="og:image" content="https://x.org/cure.png">
<meta name="keywords" content="cure, safe">
</head>"""


def test_og_and_twitter_meta_tags_are_prose() -> None:
    doc = extract(META)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("og:title", "Ketamine & you: totally safe"),
        ("twitter:title", "Cured fast"),
        ("twitter:description", "No risk"),
        ("og:description", "Guaranteed"),
    ]
    check(META, "& you: totally", "&amp; you: totally", 2, 45, kind="og:title")


JSON_LD = """<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "MedicalClinic", "name": "Bright \\"Cure\\" Clinic", "url": "https://x.org/cure",
   "description": "Completely safe care", "telephone": "555", "openingHours": ["Mo-Fr"]},
  {"@type": "FAQPage", "mainEntity": [
    {"@type": "Question", "name": "Does it work?",
     "acceptedAnswer": {"@type": "Answer", "text": "<p>It cures <b>anxiety</b> \\u2014 guaranteed.<\\/p><p>Book now.</p>"}}]},
  {"@type": "Article", "headline": "Lose 30 lbs\\nfast", "author": {"@type": "Person", "name": "Dr. A"}}
]}
</script><script>var x = {"name": "not JSON-LD: cure"};</script>"""


def test_json_ld_prose_fields_with_escapes_and_html() -> None:
    doc = extract(JSON_LD)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("name", 'Bright "Cure" Clinic'),
        ("description", "Completely safe care"),
        ("name", "Does it work?"),
        ("text", "It cures anxiety \u2014 guaranteed."),
        ("text", "Book now."),
        ("headline", "Lose 30 lbs fast"),
        ("name", "Dr. A"),
    ]
    check(JSON_LD, '"Cure" Clinic', '\\"Cure\\" Clinic', 3, 46, kind="name")
    check(JSON_LD, "cures anxiety \u2014 guaranteed", "cures <b>anxiety</b> \\u2014 guaranteed", 7, 59, kind="text")
    check(JSON_LD, "Book now", "Book now", 7, 106, kind="text")
    check(JSON_LD, "lbs fast", "lbs\\nfast", 8, 45, kind="headline")


@pytest.mark.parametrize(
    "body",
    ['{"name": "Open', '{"name": "a\\', "[[[[", '{"name": 3, "text": ["Cured", {"x": "y"}]}', "}}]]", '"name"'],
)
def test_broken_json_ld_yields_what_was_read(body: str) -> None:
    src = f'<script type="application/ld+json">{body}</script><p>After.</p>'
    doc = extract(src)
    assert doc.blocks[-1].text == "After."
    assert_faithful(src, doc)
