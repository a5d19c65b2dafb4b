"""The rule language compiled on its own: parsing errors, what a pattern matches over the token stream, the
words it needs and starts with, and the group names ``re`` gets."""

from __future__ import annotations

import re

import pytest

from lint.tokens import tokenize
from lint.wordpattern import (
    Choice,
    Item,
    PatternError,
    Seq,
    base_name,
    compile_pattern,
    compile_seq,
    parse,
    stream_regex,
    trie_regex,
)

VOCABULARIES = {  # name -> entries, each a pattern (as in rules/_vocabularies.yaml)
    "pain": ["(chronic)? pain", "migraine+", "back pain"],
    "verb": ["ease+", "relieve+"],
}


def resolve(name: str):
    if name not in VOCABULARIES:
        raise PatternError(f"unknown vocabulary <{name}>")
    entries = tuple(parse(entry) for entry in VOCABULARIES[name])
    return compile_seq(Seq((Item(Choice(entries)),)), resolve, capture=False)


def matches(pattern: str, text: str) -> list[str]:
    """Every match starting at a token (overlapping ones too), as the stream has it."""
    compiled = re.compile(compile_pattern(pattern, resolve).regex)
    toks = tokenize(text)
    return [m.group().strip() for m in toks.each_match(compiled, 0, len(toks))]


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (
            "relieve+ <pain>",
            "It relieved migraines and relieves back pain.",
            ["relieved migraines", "relieves back pain"],
        ),
        ("safe ...3 effective", "safe, fast and effective", ["safe , fast and effective"]),
        ("safe ...2 effective", "safe, fast and effective", []),  # three words are too many
        ("safe ...3 effective", "safe. Also effective", []),  # a gap never crosses a stop
        ("(side effects | adverse events) free?", "No adverse events free of charge", ["adverse events free"]),
        ("cure|heal+ <number>", "heals 3 of 4", ["heals 3"]),
        ("lose <number> pounds", "lose 10-20 pounds", ["lose 10 20 pounds"]),
        ("fda approved", "FDA-Approved\u00ae", ["fda approved"]),
        ("^ guaranteed", '"Guaranteed results" are guaranteed', ["guaranteed"]),
    ],
)
def test_what_a_pattern_matches(pattern, text, found):
    got = matches(pattern, text)
    if pattern.startswith("^"):  # at the start: the matcher tries it only at the sentence's first word
        toks = tokenize(text)
        compiled = re.compile(compile_pattern(pattern, resolve).regex)
        start = toks.opening(0, len(toks))
        m = compiled.match(toks.stream, toks.stream_starts[start])
        got = [m.group().strip()] if m else []
    assert got == found


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "empty pattern"),
        ("(a | b", "'(' without ')'"),
        ("a )", "unexpected ')'"),
        ("(a|b c)", "put spaces around '|'"),
        ("a ...99 b", "a gap is '...' or '...N'"),
        ("(a | b?)", "can be empty"),
        ("<Bad_Name>", "vocabulary names are lower-case"),
        ("re:(", "does not compile"),
        ("(a | )", "'|' with nothing after it"),
        ("a|", "empty alternative"),
    ],
)
def test_a_pattern_that_cannot_be_read_says_why(pattern, message):
    with pytest.raises(PatternError, match=re.escape(message)):
        compile_pattern(pattern, resolve)


def test_a_pattern_that_can_match_nothing_is_refused():
    with pytest.raises(PatternError, match="no words at all"):
        compile_pattern("very? ...2", resolve)


def test_needs_and_first_words():
    compiled = compile_pattern("(completely | totally)? safe ...3 <pain>", resolve)
    assert frozenset({"safe"}) in compiled.needs
    assert compiled.first == frozenset({"completely", "totally", "safe"})
    assert compile_pattern("... safe", resolve).first is None


def test_follow_says_which_words_can_come_second():
    follow = compile_pattern("(the flu | a cold | safe) <verb>?", resolve).follow()
    assert follow["the"] == frozenset({"flu"})
    assert follow["a"] == frozenset({"cold"})
    assert follow["safe"] is None  # anything (or nothing) may follow "safe"
    assert compile_pattern("<number> pounds", resolve).follow() is None


def test_the_trie_prefers_the_longest_sequence():
    pattern = re.compile(trie_regex([("side", "effect"), ("side", "effect", "free"), ("safe",)]))
    assert pattern.match("side effect free ").group() == "side effect free "
    assert pattern.match("side effect now ").group() == "side effect "
    assert pattern.match("safer ") is None


def test_group_names_are_numbered_for_re_and_read_back():
    numbered = stream_regex("(?P<gap>a)(?P<pain>b)(?P<pain>c)(?P<gap>d)")
    assert numbered == "(?P<gap__1>a)(?P<pain>b)(?P<pain__2>c)(?P<gap__2>d)"
    assert stream_regex(numbered) == numbered  # numbering twice changes nothing
    assert [base_name(n) for n in ("gap__2", "pain__2", "pain")] == ["gap", "pain", "pain"]
    re.compile(numbered)


def test_a_vocabulary_used_twice_compiles_for_re():
    compiled = re.compile(compile_pattern("<pain> ...2 <pain>", resolve).regex)
    toks = tokenize("back pain and migraines")
    m = compiled.match(toks.stream)
    assert m is not None and {base_name(n) for n in m.groupdict()} >= {"pain", "gap"}


def test_parse_keeps_the_start_mark():
    assert isinstance(parse("^ now"), Seq)
    with pytest.raises(PatternError):
        parse("^")


def test_a_start_mark_inside_a_vocabulary_means_the_sentence_start():
    VOCABULARIES["opener"] = ["^ (can | may)", "our"]
    try:
        compiled = re.compile(compile_pattern("<opener>", resolve).regex)
        for text, found in [
            ("Can help with colds.", "can"),
            ('"Can help." Then more.', "can"),
            ("It can help.", None),
            ("Great. May help. ", "may"),
        ]:
            toks = tokenize(text)
            m = compiled.search(toks.stream)
            assert (m.group().strip().strip('" ') if m else None) == found, text
    finally:
        del VOCABULARIES["opener"]
