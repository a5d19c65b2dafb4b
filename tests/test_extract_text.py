from lint.extract.text import extract
from lint.positions import LineIndex


def _find(doc, src, phrase):
    for block in doc.blocks:
        i = block.text.find(phrase)
        if i >= 0:
            s, e = block.offsets.span(i, i + len(phrase))
            return src[s:e], LineIndex(src).position(s)
    raise AssertionError(f"{phrase!r} not in {[b.text for b in doc.blocks]}")


def test_hard_wrapped_paragraph_joins_lines():
    src = "Our infusions are completely\nsafe for everyone.\n"
    doc = extract(src)
    assert [b.text for b in doc.blocks] == ["Our infusions are completely safe for everyone."]
    assert _find(doc, src, "completely safe") == ("completely\nsafe", (1, 19))


def test_crlf_bom_free_tabs_and_non_ascii_columns():
    src = "Caf\u00e9 \U0001f642\tis 100% safe.\r\nNext line.\r\n"
    doc = extract(src)
    assert _find(doc, src, "100% safe") == ("100% safe", (1, 11))


def test_blank_lines_bullets_and_titles_make_blocks():
    src = "Why Choose Us\nWe care about you.\n\n- first point\n- second point\n1. numbered\n"
    doc = extract(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Why Choose Us"),
        ("paragraph", "We care about you."),
        ("list-item", "first point"),
        ("list-item", "second point"),
        ("list-item", "numbered"),
    ]


def test_a_short_line_ending_in_a_joining_word_runs_on_it_is_not_a_title():
    doc = extract("Our infusions are the\nBest in town.\n")
    assert [(b.kind, b.text) for b in doc.blocks] == [("paragraph", "Our infusions are the Best in town.")]


def test_text_with_unwrapped_lines_keeps_one_paragraph_per_line():
    long_line = "Our clinic " + "offers care " * 15 + "to all."
    assert len(long_line) > 160
    doc = extract(f"{long_line}\nThe second paragraph, with no blank line before it.\n")
    assert [b.text for b in doc.blocks] == [long_line, "The second paragraph, with no blank line before it."]
    doc = extract("A hard-wrapped paragraph that goes on\nonto a second line.\n")  # short lines still join
    assert [b.text for b in doc.blocks] == ["A hard-wrapped paragraph that goes on onto a second line."]


def test_directive_lines_are_comments_not_prose():
    src = "Intro.\n<!-- clinic-lint-disable-next-line hype -- quoted -->\nclinic-lint-disable-file\nBody.\n"
    doc = extract(src)
    assert [c.text for c in doc.comments] == [
        "clinic-lint-disable-next-line hype -- quoted",
        "clinic-lint-disable-file",
    ]
    assert all("clinic-lint" not in b.text for b in doc.blocks)


def test_empty_and_blank_inputs():
    assert extract("").blocks == []
    assert extract("\n\n  \n").blocks == []
