"""The matcher's semantics, one schema feature at a time, on small packs written by the tests."""

from helpers import EXAMPLES, REFS, lint_string, write_pack

from lint.extract import extract
from lint.match import Matcher
from lint.packs import load_packs


def _rule(body: str, rid: str = "r") -> str:
    return f"""
- id: {rid}
  category: safety-claim
  severity: warning
  message: "m {{match}}"
  suggestion: s
  {REFS}
  {EXAMPLES}
{body}"""


def test_case_insensitive_and_word_bounded_by_default(tmp_path):
    pack = write_pack(tmp_path, _rule("  patterns: ['safe']"))
    text = "SAFE. unsafe. safety. safe!"
    assert lint_string(pack, text) == [(1, 1, "r"), (1, text.rindex("safe") + 1, "r")]


def test_case_sensitive_and_no_word_boundary(tmp_path):
    pack = write_pack(tmp_path, _rule("  patterns: ['Safe']\n  case_sensitive: true\n  word_boundary: false"))
    assert lint_string(pack, "Safe unSafe safe") == [(1, 1, "r"), (1, 8, "r")]


def test_unless_cancels_within_the_sentence_only(tmp_path):
    pack = write_pack(tmp_path, _rule("  patterns: ['safe']\n  unless: ['doctor']"))
    assert lint_string(pack, "Ask your doctor, it is safe. It is safe.") == [(1, 36, "r")]


def test_unless_before_is_anchored_to_the_match(tmp_path):
    pack = write_pack(tmp_path, _rule("  patterns: ['completely safe']\n  unless_before: ['{{negated}}']"))
    assert lint_string(pack, "It is not completely safe.") == []
    assert lint_string(pack, "No treatment is completely safe.") == []
    # a negation far earlier in the sentence does not cancel
    text = "Do not worry about anything at all because this is completely safe."
    assert lint_string(pack, text) == [(1, text.index("completely") + 1, "r")]


def test_unless_after_is_anchored_to_the_match(tmp_path):
    pack = write_pack(tmp_path, _rule("  patterns: ['safe']\n  unless_after: ['to drive']"))
    assert lint_string(pack, "Is it safe to drive home? It is safe, always.") == [(1, 33, "r")]


def test_unless_paragraph_and_requires(tmp_path):
    pack = write_pack(
        tmp_path,
        _rule("  patterns: ['studies show']\n  unless_paragraph: ['{{citation}}']\n  requires: ['works|helps']"),
    )
    text = "Studies show it works.\n\nStudies show it works. See Smith et al. (2021).\n\nStudies show nothing."
    assert lint_string(pack, text) == [(1, 1, "r")]


def test_overlapping_matches_of_one_rule_reported_once(tmp_path):
    pack = write_pack(tmp_path, _rule("  patterns: ['completely safe', 'safe']"))
    assert lint_string(pack, "It is completely safe and safe.") == [(1, 7, "r"), (1, 27, "r")]


def test_templates_use_match_and_named_groups(tmp_path):
    pack = write_pack(
        tmp_path,
        """
- id: sched
  category: regulatory-claim
  severity: error
  message: "{match} is wrong"
  suggestion: "Schedule {n}"
  patterns: ['category (?P<n>III|II|IV)']
  fix: {replacement: "Schedule {n}", safe: true}
  """
        + REFS
        + "\n  "
        + EXAMPLES,
    )
    rules = [r for p in load_packs([pack]) for r in p.rules]
    findings, _ = Matcher(rules).check(extract("A Category III drug.", "text"), "A Category III drug.", "x")
    (f,) = findings
    assert (f.message, f.suggestion, f.fix.replacement, f.fix.safe) == (
        "Category III is wrong",
        "Schedule III",
        "Schedule III",
        True,
    )
    assert (f.start, f.end, f.match) == (2, 14, "Category III")


def test_phrase_split_across_sentences_is_not_matched(tmp_path):
    pack = write_pack(tmp_path, _rule("  patterns: ['safe and effective']"))
    assert lint_string(pack, "It is safe. And effective.") == []


def _doc_rule(when: str) -> str:
    return f"""
- id: claim
  category: cure-claim
  severity: error
  message: m
  suggestion: s
  patterns: ['cures']
  {REFS}
  {EXAMPLES}
- id: needs-disclaimer
  category: missing-disclaimer
  scope: document
  severity: warning
  message: "no disclaimer"
  suggestion: "add one"
  must_contain: ['not medical advice']
  {when}
  {REFS}
  {EXAMPLES}
"""


def test_document_rule_fires_when_triggered_and_disclaimer_missing(tmp_path):
    pack = write_pack(tmp_path, _doc_rule("when: {categories: [cure-claim]}"))
    assert lint_string(pack, "Title\n\nOur drip cures colds.") == [(1, 1, "needs-disclaimer"), (3, 10, "claim")]
    assert lint_string(pack, "Title\n\nOur drip cures colds. This is not medical advice.") == [(3, 10, "claim")]
    assert lint_string(pack, "Opening hours\n\nWe open at nine.") == []


def test_document_rule_when_patterns_and_without_when(tmp_path):
    pack = write_pack(tmp_path, _doc_rule("when: {patterns: ['infusion']}"))
    assert lint_string(pack, "We offer infusion therapy.") == [(1, 1, "needs-disclaimer")]
    pack = write_pack(tmp_path, _doc_rule(""), name="always")
    assert lint_string(pack, "We open at nine.") == [(1, 1, "needs-disclaimer")]
    assert lint_string(pack, "") == []  # no prose at all: nothing to point at


def test_catastrophic_regex_times_out_and_other_rules_still_run(tmp_path):
    pack = write_pack(
        tmp_path,
        _rule("  patterns: ['(a|aa)+$']\n  word_boundary: false", "slow") + _rule("  patterns: ['safe']", "fast"),
    )
    rules = [r for p in load_packs([pack]) for r in p.rules]
    text = "safe " + "a" * 40 + "!"
    findings, errors = Matcher(rules, timeout=0.2).check(extract(text, "text"), text, "x.txt")
    assert [f.rule for f in findings] == ["fast"]
    assert len(errors) == 1 and "'slow'" in str(errors[0]) and "x.txt" in str(errors[0])


def test_link_addresses_are_paragraph_context_not_prose(tmp_path):
    pack = write_pack(
        tmp_path,
        _rule("  patterns: ['studies show']\n  unless_paragraph: ['{{citation}}']")
        + _rule("  patterns: ['pubmed']", "url-word"),
    )
    md = "Studies show it helps ([source](https://pubmed.ncbi.nlm.nih.gov/123/)).\n\nStudies show it helps.\n"
    assert lint_string(pack, md, "markdown") == [(3, 1, "r")]  # the URL is context, never matched as prose
    html = '<p>Studies show it helps (<a href="https://doi.org/10.1056/x">trial</a>).</p><p>Studies show it.</p>'
    assert lint_string(pack, html, "html") == [(1, html.rindex("Studies") + 1, "r")]
    bare = "Studies show it helps: https://pubmed.ncbi.nlm.nih.gov/123/\n"
    assert lint_string(pack, bare, "markdown") == []
