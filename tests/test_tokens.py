"""Tokens: the unit every rule is written in. Spans must point at the exact characters of the prose."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lint.tokens import tokenize, words


@pytest.mark.parametrize(
    ("text", "norms"),
    [
        ("FDA-approved", ["fda", "approved"]),
        ("FDA approved", ["fda", "approved"]),
        ("Ozempic\u00ae/Wegovy\u2122 shots", ["ozempic", "wegovy", "shots"]),
        ("2-4 pounds, 2.5 mg, 1,000 patients", ["2", "4", "pounds", ",", "2.5", "mg", ",", "1,000", "patients"]),
        ("ketamine's effect; don't stop", ["ketamine", "'s", "effect", ";", "don't", "stop"]),
        ("C.B.D. oil and U.S. law", ["cbd", "oil", "and", "u", ".", "s", ".", "law"]),
        ("97% of us \u2705 agree!", ["97", "%", "of", "us", "\u2705", "agree", "!"]),
        ("a - b", ["a", "-", "b"]),  # a dash between spaces joins nothing: it is a mark
        ("", []),
        ("   \n\t ", []),
    ],
)
def test_tokens_read_prose_as_rules_are_written(text, norms):
    assert tokenize(text).norms == norms


def test_spans_point_at_the_exact_characters():
    text = "Our FDA-cleared\u00ae laser: 98% SAFE."
    toks = tokenize(text)
    assert [text[a:b] for a, b in zip(toks.starts, toks.ends, strict=True)] == [
        "Our", "FDA", "cleared", "laser", ":", "98", "%", "SAFE", ".",
    ]  # fmt: skip


def test_the_stream_is_the_norms_joined_with_a_space_after_each():
    toks = tokenize("Lose 10 lbs fast")
    assert toks.stream == "lose 10 lbs fast "
    assert [toks.stream[s : s + len(n)] for s, n in zip(toks.stream_starts, toks.norms, strict=True)] == toks.norms
    assert toks.span(0, len(toks.stream)) == (0, len("Lose 10 lbs fast"))


def test_a_character_that_changes_length_when_lowered_keeps_positions():
    text = "\u0130stanbul clinic CURES"  # İ lowers to two characters
    toks = tokenize(text)
    assert [text[a:b] for a, b in zip(toks.starts, toks.ends, strict=True)] == ["\u0130stanbul", "clinic", "CURES"]
    assert toks.norms[1:] == ["clinic", "cures"]


def test_opening_skips_quotes_bullets_and_emoji():
    toks = tokenize('\u2022 "\u2728 Results fast')
    assert toks.norms[toks.opening(0, len(toks))] == "results"
    assert tokenize("!!").opening(0, 2) == 2


def test_each_match_finds_overlapping_matches_one_per_start():
    toks = tokenize("no risk no risk")
    found = [m.group() for m in toks.each_match(re.compile(r"(?:no |risk )+"), 0, len(toks))]
    assert found == ["no risk no risk ", "risk no risk ", "no risk ", "risk "]
    assert [m.group() for m in toks.each_match(re.compile(r"no risk "), 0, len(toks), frozenset({"no"}))] == [
        "no risk ", "no risk ",
    ]  # fmt: skip


def test_rule_words_are_read_like_prose():
    assert words("FDA-Approved\u00ae") == ["fda", "approved"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ9 .,-/'\u00ae\u2122%\u2705\u00e9\u0130s\n")), max_size=60))
def test_tokens_never_overlap_and_cover_only_the_text(text):
    toks = tokenize(text)
    previous_end = 0
    for a, b, norm in zip(toks.starts, toks.ends, toks.norms, strict=True):
        assert previous_end <= a < b <= len(text)
        assert text[a:b].strip() == text[a:b]
        assert norm  # no empty token
        previous_end = b
    assert toks.stream == "".join(n + " " for n in toks.norms)
