"""MDX extractor: Markdown and JSX text are prose, prose-bearing JSX attributes are blocks, imports/exports,
expressions and code are not; ``{/* */}`` comments carry directives; positions are exact."""

from __future__ import annotations

from helpers import assert_faithful, check_position
from hypothesis import given, settings
from hypothesis import strategies as st

from lint.extract import Options
from lint.extract.mdx import extract


def prose(src: str) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in extract(src).blocks]


def check(src: str, phrase: str, source: str, line: int, col: int, kind: str | None = None):
    return check_position(extract, src, phrase, source, line, col, kind)


def test_imports_exports_and_expressions_are_not_prose() -> None:
    src = (
        "import { Chart } from './chart'\n"
        "export const meta = {\n"
        "  claim: 'cures anxiety',\n"
        "\n"
        "  more: `guaranteed ${x}`,\n"
        "}\n"
        "\n"
        "We see {count} patients a day {/* cures */} and {fn({a: '}'})} more.\n"
        "import duties are prose when they continue a paragraph\n"
    )
    assert prose(src) == [
        ("paragraph", "We see patients a day and more. import duties are prose when they continue a paragraph")
    ]
    check(src, "patients a day and", "patients a day {/* cures */} and", 8, 16)


def test_an_export_block_runs_past_blank_lines_inside_brackets() -> None:
    src = "export const meta = {\n\n  title: 'cures anxiety',\n}\n\nText after.\n"
    assert prose(src) == [("paragraph", "Text after.")]


def test_jsx_text_is_prose_and_tags_separate_words() -> None:
    src = (
        '<Callout type="warning">\n    Our program is **completely safe**.\n</Callout>\n\nIt <Badge>works</Badge>now.\n'
    )
    assert prose(src) == [("paragraph", "Our program is completely safe."), ("paragraph", "It works now.")]
    # indented JSX children are text, not indented code (MDX has none)
    check(src, "completely safe", "completely safe", 2, 22)


def test_prose_attributes_strings_and_string_expressions() -> None:
    src = (
        '<Figure caption="Results &amp; more" alt=\'Cured!\' title={"Totally \\"safe\\""}\n'
        '  description={`Lose 30 lbs`} src="/a.png" label={props.label} summary={`${x} safe`} />\n'
    )
    assert prose(src) == [
        ("caption", "Results & more"),
        ("alt", "Cured!"),
        ("title", 'Totally "safe"'),
        ("description", "Lose 30 lbs"),
    ]
    check(src, "Results & more", "Results &amp; more", 1, 18, kind="caption")
    check(src, 'Totally "safe"', 'Totally \\"safe\\"', 1, 59, kind="title")
    check(src, "Lose 30 lbs", "Lose 30 lbs", 2, 17, kind="description")


def test_the_prose_attribute_list_comes_from_the_options() -> None:
    src = '<Hero cta="Book now" title="Welcome" />\n'
    options = Options.of(["title"], ["cta"])
    assert [(b.kind, b.text) for b in extract(src, options).blocks] == [("cta", "Book now")]


def test_code_is_never_prose() -> None:
    src = (
        '```jsx\n<Callout title="completely safe" />\n{unbalanced\n```\n\n'
        "Use `<Cure />` and `{x}` here.\n\n"
        "<pre>{`cure = 1`}</pre> <code>guaranteed</code> after\n"
    )
    assert prose(src) == [("paragraph", "Use and here."), ("paragraph", "after")]


def test_comments_carry_directives_with_positions() -> None:
    src = "{/* clinic-lint-disable-next-line hype -- quoting */}\nAmazing.\n\nText {/*inline*/} here.\n"
    doc = extract(src)
    assert [(c.text, c.start, c.end) for c in doc.comments] == [
        (" clinic-lint-disable-next-line hype -- quoting ", 0, 53),
        ("inline", 69, 81),
    ]
    assert_faithful(src, doc)


def test_front_matter_and_html_comments_and_autolinks() -> None:
    src = "---\ntitle: Safe\nsummary: Cures fast\n---\n<!-- old note -->\nSee <https://x.org/cure> now.\n"
    assert prose(src) == [("title", "Safe"), ("summary", "Cures fast"), ("paragraph", "See now.")]
    check(src, "Cures fast", "Cures fast", 3, 10, kind="summary")


def test_unclosed_constructs_leave_the_rest_to_markdown() -> None:
    # MDX would reject these files; we lint what we can rather than lose the text after them
    assert prose("Cures {anxiety\n\nand more") == [("paragraph", "Cures {anxiety"), ("paragraph", "and more")]
    assert prose('Text <Tag title="open\n\nMore text.') == [
        ("paragraph", 'Text <Tag title="open'),
        ("paragraph", "More text."),
    ]
    assert prose("a < b and c<3 d") == [("paragraph", "a < b and c<3 d")]


_ALPHABET = st.sampled_from(list("ab {}<>/*`'\"\\=\n\t-#") + [
    "{/*", "*/}", "<A>", "</A>", "<A b=\"c\">", "import x\n", "export y\n", "```\n", "${", "<>", "</>",
    "title=\"x\"", "{`", "`}", "\n\n", "&amp;", "<!--", "-->",
])  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_property_never_raises_and_maps_verbatim_text_exactly(src: str) -> None:
    assert_faithful(src, extract(src))
