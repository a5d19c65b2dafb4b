"""Shared test helpers: write a pack, lint a string, state expected findings compactly."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from lint.extract import extract
from lint.match import Matcher
from lint.packs import load_rule_set

REFS = "references: [{name: Test authority, url: 'https://example.org/rule'}]"
EXAMPLES = "examples: {bad: [x, y, z], good: [a, b, c]}"


def write_pack(tmp_path: Path, rules_yaml: str, name: str = "test-pack", vocabularies: str = "") -> Path:
    """A pack file holding ``rules_yaml`` (a YAML list of rules, indented freely) and, optionally, the pack's
    own ``vocabularies`` (a YAML mapping, indented freely)."""
    body = textwrap.indent(textwrap.dedent(rules_yaml).strip(), "  ")
    text = f"name: {name}\ndescription: test\nversion: '1'\nrules:\n{body}\n"
    if vocabularies:
        text += "vocabularies:\n" + textwrap.indent(textwrap.dedent(vocabularies).strip(), "  ") + "\n"
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def matcher_for(pack: Path, **kwargs) -> Matcher:
    """A matcher of the rules of ``pack`` alone (with the shared vocabularies, knowledge and context)."""
    rule_set = load_rule_set([pack])
    return Matcher(rule_set, [r for p in rule_set.packs for r in p.rules], **kwargs)


def findings_of(pack: Path, text: str, fmt: str = "text"):
    findings, errors = matcher_for(pack).check(extract(text, fmt), text, "<t>")
    assert not errors
    return sorted(findings, key=lambda f: (f.line, f.column, f.rule))


def lint_string(pack: Path, text: str, fmt: str = "text") -> list[tuple[int, int, str]]:
    """(line, column, rule) of every finding of ``text``, sorted."""
    return [(f.line, f.column, f.rule) for f in findings_of(pack, text, fmt)]


def flagged(pack: Path, text: str, fmt: str = "text") -> list[str]:
    """The words each finding of ``text`` underlines, in order."""
    return [f.match for f in findings_of(pack, text, fmt)]


# -- extractor tests: exact positions ----------------------------------------------------------------------

QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def find(doc, phrase: str, kind: str | None = None):
    """(block, start, end) of the first block (of ``kind``) whose prose holds ``phrase``."""
    for block in doc.blocks:
        i = block.text.find(phrase)
        if i >= 0 and (kind is None or block.kind == kind):
            return block, i, i + len(phrase)
    raise AssertionError(f"{phrase!r} not in {[(b.kind, b.text) for b in doc.blocks]}")


def check_position(extract, src: str, phrase: str, source: str, line: int, col: int, kind: str | None = None):
    """``phrase`` is found in a block (of ``kind``), maps to exactly ``source``, which starts at line:col."""
    from lint.positions import LineIndex

    doc = extract(src)
    block, i, j = find(doc, phrase, kind)
    start, end = block.offsets.span(i, j)
    assert src[start:end] == source
    assert LineIndex(src).position(start) == (line, col)
    assert_faithful(src, doc)
    return block


COMMENT_OPENERS = ("<!--", "{/*", "{%", "{#", "{{")
COMMENT_CLOSERS = (">", "}")


def assert_faithful(src: str, doc, base: int = 0) -> None:
    """Every verbatim piece is the source, character for character (a lone white-space character may read as
    a space); every piece lies inside the source;
    comments are in source order. ``base`` is the offset of ``src`` within the file it came from."""
    for block in doc.blocks:
        o = block.offsets
        n = len(o.prose_starts)
        assert n and o.prose_starts[0] == 0
        assert list(o.src_starts) == sorted(o.src_starts), "pieces are in source order"
        for k in range(n):
            ps = o.prose_starts[k]
            pe = o.prose_starts[k + 1] if k + 1 < n else len(block.text)
            assert base <= o.src_starts[k] <= o.src_ends[k] <= base + len(src)
            if o.verbatim[k]:
                assert o.src_ends[k] - o.src_starts[k] == pe - ps
                got = src[o.src_starts[k] - base : o.src_ends[k] - base].translate(QUOTES)
                assert block.text[ps:pe] in (got, re.sub(r"[^\S ]", " ", got))
        for i in range(len(block.text)):
            start, end = o.span(i, i + 1)
            assert base <= start < end <= base + len(src)
    for c in doc.comments:  # HTML comments, and MDX {/* */} and template comments ({% comment %}, {# #}, ...)
        whole = src[c.start - base : c.end - base]
        assert whole.startswith(COMMENT_OPENERS) and whole.endswith(COMMENT_CLOSERS), whole
        # Template tags inside a comment are blanked (never published): the text is the source, blanks aside.
        n = len(c.text)
        assert any(
            all(t in (w, " ") for t, w in zip(c.text, whole[i : i + n], strict=False))
            for i in range(len(whole) - n + 1)
        ), (c.text, whole)
    assert [c.start for c in doc.comments] == sorted(c.start for c in doc.comments)
