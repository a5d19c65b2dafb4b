"""Front matter: every prose-bearing key at any depth, in YAML and TOML, with exact positions; other keys,
and values that are not prose, are never linted; the key list comes from the options."""

from __future__ import annotations

from helpers import assert_faithful, check_position
from hypothesis import given, settings
from hypothesis import strategies as st

from lint.extract import DEFAULT_FRONT_MATTER_KEYS, Options, key_name
from lint.extract.frontmatter import parse
from lint.extract.html import extract as html_extract
from lint.extract.markdown import extract


def values(src: str, options: Options | None = None) -> list[tuple[str, str]]:
    doc = extract(src, options) if options else extract(src)
    return [(b.kind, b.text) for b in doc.blocks if b.kind not in ("paragraph", "heading")]


def check(src: str, phrase: str, source: str, line: int, col: int, kind: str | None = None):
    return check_position(extract, src, phrase, source, line, col, kind)


YAML = """---
title: Ketamine therapy
summary: "Our infusions \\u2014 completely safe"
excerpt: 'It''s guaranteed'
subtitle: Fast relief   # a comment
seo_title: >-
  Lose 30 lbs
  in a month
ogDescription: |
  Cured in one session.
tagline:
  Feel like yourself again
layout: post
author: Dr. Cure
tags: [cure, safe]
seo:
  title: Totally safe
  description: "Book now"
image:
  src: /cure.jpg
  alt: Before and after
faq:
  - question: Does it cure anxiety?
    answer: Yes, always.
  - question: 'Is it safe?'
    answer: >
      Completely
      safe.
highlights:
  - Guaranteed results
  - "No side effects"
body: |
  title: not a key, a line of a block scalar
---
Body.
"""


def test_yaml_every_prose_key_at_any_depth() -> None:
    assert values(YAML) == [
        ("title", "Ketamine therapy"),
        ("summary", "Our infusions \u2014 completely safe"),
        ("excerpt", "It's guaranteed"),
        ("subtitle", "Fast relief"),
        ("seo_title", "Lose 30 lbs in a month"),
        ("ogDescription", "Cured in one session."),
        ("tagline", "Feel like yourself again"),
        ("title", "Totally safe"),
        ("description", "Book now"),
        ("alt", "Before and after"),
        ("question", "Does it cure anxiety?"),
        ("answer", "Yes, always."),
        ("question", "Is it safe?"),
        ("answer", "Completely safe."),
    ]


def test_yaml_positions_are_exact() -> None:
    check(YAML, "\u2014 completely", "\\u2014 completely", 3, 25, kind="summary")
    check(YAML, "It's", "It''s", 4, 11, kind="excerpt")
    check(YAML, "Lose 30 lbs in", "Lose 30 lbs\n  in", 7, 3, kind="seo_title")
    check(YAML, "Totally safe", "Totally safe", 17, 10, kind="title")
    check(YAML, "cure anxiety", "cure anxiety", 23, 23, kind="question")
    check(YAML, "Completely safe", "Completely\n      safe", 27, 7, kind="answer")


def test_a_list_under_a_prose_key_is_one_block_per_item() -> None:
    src = "---\nsummary:\n  - Guaranteed results\n  - 'No side effects'\n  - [nested]\n---\n"
    assert values(src) == [("summary", "Guaranteed results"), ("summary", "No side effects"), ("summary", "nested")]
    check(src, "No side", "No side", 4, 6, kind="summary")


def test_list_items_belong_to_the_nearest_key_to_their_left() -> None:
    src = """---
summary:
- Compact items, at the key's own column
- "Book now"
faq:
  - question: Is it safe?
    tags:
      - cure
    answer:
      - Totally safe
      - It cures
        in one visit
  - question: Why?
highlights:
  -
    Below its dash
tags:
  - guaranteed
---
"""
    assert values(src) == [
        ("summary", "Compact items, at the key's own column"),
        ("summary", "Book now"),
        ("question", "Is it safe?"),  # its tags are metadata, although the list sits inside a faq item
        ("answer", "Totally safe"),
        ("answer", "It cures in one visit"),
        ("question", "Why?"),
    ]
    check(src, "It cures in", "It cures\n        in", 11, 9, kind="answer")


YAML_FLOW = """---
seo: {title: Book now, noindex: true, "description": "Totally
  safe", image: {alt: 'It''s a cure', src: /cure.jpg}}
subtitle: ["Only today", spots left  # a comment
  , 3]
tags: [cure, safe]
faq:
  - {question: Is it safe?, answer: "Yes, always."}
  - {question: Does it cure?, answer: [Fast, "every time"]}
excerpt:
  [Below its key]
caption: [left open, "Book now
title: {{ .Title }}
summary: "Read on"
---
"""


def test_yaml_flow_mappings_and_sequences() -> None:
    assert values(YAML_FLOW) == [
        ("title", "Book now"),
        ("description", "Totally safe"),
        ("alt", "It's a cure"),
        ("subtitle", "Only today"),
        ("subtitle", "spots left"),
        ("subtitle", "3"),
        ("question", "Is it safe?"),
        ("answer", "Yes, always."),
        ("question", "Does it cure?"),
        ("answer", "Fast"),
        ("answer", "every time"),
        ("excerpt", "Below its key"),
        ("summary", "Read on"),  # a collection left open is not prose, and is not read past the next key
    ]
    check(YAML_FLOW, "Book now", "Book now", 2, 14, kind="title")
    check(YAML_FLOW, "Totally safe", "Totally\n  safe", 2, 55, kind="description")
    check(YAML_FLOW, "It's a cure", "It''s a cure", 3, 24, kind="alt")
    check(YAML_FLOW, "spots left", "spots left", 4, 26, kind="subtitle")
    check(YAML_FLOW, "every time", "every time", 9, 47, kind="answer")


TOML_ARRAYS = """+++
summary = ["Cures fast", 'Totally safe', 3, 1979-05-27]
seo = { title = "Book now", noindex = true, "description" = '''Guaranteed
results''' }
faq = [
  # a comment
  { question = "Is it safe?", answer = "Totally." },  # trailing
  { question = 'Cured?', answer = ["Yes", "always"] },
]
tags = ["cure"]
broken = ["open
[params]
subtitle = 'Book'
+++
Body.
"""


def test_toml_arrays_and_inline_tables_over_several_lines() -> None:
    assert values(TOML_ARRAYS) == [
        ("summary", "Cures fast"),
        ("summary", "Totally safe"),
        ("title", "Book now"),
        ("description", "Guaranteed results"),
        ("question", "Is it safe?"),
        ("answer", "Totally."),
        ("question", "Cured?"),
        ("answer", "Yes"),
        ("answer", "always"),
        ("subtitle", "Book"),
    ]
    check(TOML_ARRAYS, "Totally safe", "Totally safe", 2, 27, kind="summary")
    check(TOML_ARRAYS, "Guaranteed results", "Guaranteed\nresults", 3, 64, kind="description")
    check(TOML_ARRAYS, "always", "always", 8, 44, kind="answer")


TOML = '''+++
title = "Ketamine: safe \\u0026 fast"
summary = """
Our infusions cure
depression."""
description = \'\'\'Completely
safe.\'\'\'
draft = false
tags = ["cure"]
[params]
subtitle = 'Book now'
params.seo_title = "Lose 30 lbs"
[[faq]]
answer = "Yes, always."
+++
Body.
'''


def test_toml_strings_of_every_kind_in_tables_and_arrays_of_tables() -> None:
    assert values(TOML) == [
        ("title", "Ketamine: safe & fast"),
        ("summary", "Our infusions cure depression."),
        ("description", "Completely safe."),
        ("subtitle", "Book now"),
        ("seo_title", "Lose 30 lbs"),
        ("answer", "Yes, always."),
    ]
    check(TOML, "& fast", "\\u0026 fast", 2, 25, kind="title")
    check(TOML, "cure depression", "cure\ndepression", 4, 15, kind="summary")
    check(TOML, "Completely safe", "Completely\nsafe", 6, 18, kind="description")
    check(TOML, "Lose 30", "Lose 30", 12, 21, kind="seo_title")


def test_keys_match_in_any_spelling_and_the_list_comes_from_the_options() -> None:
    assert key_name("seo_title") == key_name("seoTitle") == key_name("SEO-Title")
    assert key_name("og:title") == key_name("og_title")
    src = "---\nhero_text: Book now\ntitle: Safe\n---\n"
    assert values(src) == [("title", "Safe")]
    options = Options.of(["heroText"], [])
    assert values(src, options) == [("hero_text", "Book now")]


def test_default_keys_cover_what_content_teams_use() -> None:
    for key in ("title", "description", "summary", "excerpt", "subtitle", "seo_title", "og_description", "tagline"):
        assert key in DEFAULT_FRONT_MATTER_KEYS


def test_html_pages_have_front_matter_too() -> None:
    src = "---\nlayout: page\ndescription: Completely safe care\n---\n<h1>Welcome</h1>\n"
    doc = html_extract(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [("description", "Completely safe care"), ("heading", "Welcome")]
    check_position(html_extract, src, "Completely safe", "Completely safe", 3, 14, kind="description")


def test_front_matter_ends_at_its_closing_line_and_the_body_follows() -> None:
    src = "---\ntitle: A\n---\n# Head\n"
    matter = parse(src, Options().front_matter_keys)
    assert (matter.body_line, matter.body_start) == (3, len("---\ntitle: A\n---\n"))
    assert parse("Text\n---\ntitle: x\n---\n", Options().front_matter_keys).blocks == []


_ALPHABET = st.sampled_from(list("ab :#-|>'\"\\\n\t[]{}=") + [
    "---\n", "+++\n", "title", "summary: ", "title = ", '"""', "'''", "  - ", "seo:\n  ", "\\u0026", "''",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map(lambda parts: "---\n" + "".join(parts)))
def test_property_never_raises_and_maps_verbatim_text_exactly(src: str) -> None:
    assert_faithful(src, extract(src))
    toml = "+++" + src[3:]
    assert_faithful(toml, extract(toml))
