"""The matcher's semantics, one rule-language feature at a time, on small packs written by the tests."""

from helpers import EXAMPLES, REFS, findings_of, flagged, lint_string, matcher_for, write_pack

from lint.extract import extract


def _rule(body: str, rid: str = "r", category: str = "safety-claim") -> str:
    return f"""
- id: {rid}
  category: {category}
  severity: warning
  message: "m {{match}}"
  suggestion: s
  {REFS}
  {EXAMPLES}
{body}"""


def test_words_match_in_any_case_and_never_inside_a_word(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['safe']"))
    text = "SAFE. unsafe. safety. safe!"
    assert lint_string(pack, text) == [(1, 1, "r"), (1, text.rindex("safe") + 1, "r")]


def test_any_form_of_a_word(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['lose+ weight']", category="weight-loss-claim"))
    assert flagged(pack, "You lose weight. She loses weight. He lost weight. Losing weight.") == [
        "lose weight", "loses weight", "lost weight", "Losing weight",
    ]  # fmt: skip


def test_hyphens_and_typography_do_not_matter(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['side-effect free', '100% safe']"))
    assert flagged(pack, "It is side effect free and 100 % safe.") == ["side effect free", "100 % safe"]


def test_gaps_reach_a_bounded_number_of_words_within_a_clause(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['completely ...2 safe']"))
    assert flagged(pack, "completely and utterly safe") == ["completely and utterly safe"]
    assert flagged(pack, "completely, wholly and utterly safe") == []  # three words: too far
    assert flagged(pack, "completely fine; safe") == []  # a gap does not cross ';'


def test_antipatterns_cancel_only_matches_they_overlap(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['safe']\n  antipatterns: ['safe environment']"))
    assert flagged(pack, "A safe environment. It is safe.") == ["safe"]
    assert lint_string(pack, "A safe environment.") == []


def test_unless_cancels_within_the_sentence_only(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['safe']\n  unless: ['doctor']"))
    assert lint_string(pack, "Ask your doctor, it is safe. It is safe.") == [(1, 36, "r")]


def test_unless_paragraph_and_requires(tmp_path):
    pack = write_pack(
        tmp_path,
        _rule("  match: ['studies show']\n  unless_paragraph: ['smith et al']\n  requires: ['works|helps']"),
    )
    text = "Studies show it works.\n\nStudies show it works. See Smith et al.\n\nStudies show nothing."
    assert lint_string(pack, text) == [(1, 1, "r")]


def test_under_heading_lends_the_heading_to_verbless_items_below_it(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['migraine']\n  under_heading: ['we treat']"))
    text = (
        "## What we treat\n\n- Migraine\n\n| Migraine |\n|---|\n\nMigraine days.\n\n"
        "A long paragraph that mentions migraine as one of many things people ask about.\n\n"
        "## Parking\n\n- Migraine\n"
    )
    # The list item, the table cell and the short line under "What we treat"; not the long paragraph (it has
    # verbs of its own), not the heading itself, and not the item under "Parking".
    assert lint_string(pack, text, "markdown") == [(3, 3, "r"), (5, 3, "r"), (8, 1, "r")]
    assert lint_string(pack, "- Migraine\n", "markdown") == []  # no heading above it


def test_overlapping_matches_of_one_rule_reported_once_the_longest(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['safe', 'completely safe']"))
    assert flagged(pack, "It is completely safe and safe.") == ["completely safe", "safe"]


def test_a_phrase_split_across_sentences_is_not_matched(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['safe and effective']"))
    assert lint_string(pack, "It is safe. And effective.") == []


def test_regex_escape_hatch_matches_the_text(tmp_path):
    pack = write_pack(tmp_path, _rule("  match:\n    - {regex: 'RX-\\d{4}', why: a code}\n  case_sensitive: true"))
    assert flagged(pack, "Order RX-1234 and rx-1234.") == ["RX-1234"]


def test_templates_use_match_and_vocabulary_groups(tmp_path):
    pack = write_pack(
        tmp_path,
        f"""
- id: sched
  category: regulatory-claim
  severity: error
  message: "{{match}} is wrong"
  suggestion: "Schedule {{numeral}}"
  match: ['category <numeral> drug']
  fix: {{replacement: "Schedule {{numeral}} drug", safe: true}}
  {REFS}
  {EXAMPLES}
""",
        vocabularies="numeral: {description: n, words: [iii, iv]}",
    )
    text = "A Category III drug."
    (f,) = findings_of(pack, text)
    assert (f.message, f.suggestion, f.fix.replacement, f.fix.safe) == (
        "Category III drug is wrong",
        "Schedule III",
        "Schedule III drug",
        True,
    )
    assert (f.start, f.end, f.match) == (2, 19, "Category III drug")


FRAME = """
  frame:
    slots: {claim: 'cure+|treat+', condition: 'depression|pain'}
    orders:
      - "{claim} ...3 {condition}"
      - "{condition} relief"
    mark: [claim, condition]
"""


def test_a_frame_matches_its_slots_in_each_order(tmp_path):
    pack = write_pack(tmp_path, _rule(FRAME, category="cure-claim"))
    assert flagged(pack, "It treats severe depression. Fast pain relief.") == ["treats severe depression", "pain"]


def test_context_cancels_by_default_and_a_rule_can_opt_out(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['completely safe']"))
    assert lint_string(pack, "It is not completely safe.") == []  # negated
    assert lint_string(pack, "Is it completely safe?") == []  # a question
    assert lint_string(pack, "Ask whether it is completely safe.") == []  # hypothetical
    pack = write_pack(tmp_path, _rule("  match: ['completely safe']\n  cancelled_by: []"), name="stubborn")
    assert len(lint_string(pack, "It is not completely safe.")) == 1


def test_a_negation_the_pattern_skips_over_counts_one_it_spells_does_not(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['half ...6 respond+', 'not habit forming']", category="hype"))
    assert lint_string(pack, "Half of patients do not respond.") == []  # "not" sits in the gap
    assert flagged(pack, "It is not habit-forming.") == ["not habit-forming"]  # "not" is the claim


def test_overlapping_findings_of_one_category_are_one_problem(tmp_path):
    pack = write_pack(
        tmp_path,
        _rule("  match: ['completely safe']", "absolute") + _rule("  match: ['safe']", "plain"),
    )
    (f,) = findings_of(pack, "Our drips are completely safe.")
    assert f.rule == "absolute"
    assert [r["rule"] for r in f.related] == ["plain"]
    assert "start" not in f.to_dict()["related"][0]


def test_related_findings_become_sarif_related_locations(tmp_path):
    from lint.report.sarif import _result

    pack = write_pack(
        tmp_path,
        _rule("  match: ['completely safe']", "absolute") + _rule("  match: ['safe']", "plain"),
    )
    (f,) = findings_of(pack, "Title\n\nOur drips are completely safe.")
    result = _result(f, 0, "fp")
    (related,) = result["relatedLocations"]
    region = related["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["snippet"]["text"]) == (3, 26, "safe")
    assert related["message"]["text"].startswith("plain: ")


def test_messages_name_the_product_as_the_page_does(tmp_path):
    rule = _rule("  match: ['miracle']", "hype-word").replace(
        "suggestion: s", "suggestion: 'Say what {product|the treatment} can do.'"
    )
    pack = write_pack(tmp_path, rule)
    (f,) = findings_of(pack, "Our IV drips are a miracle.")
    assert f.suggestion == "Say what IV drips can do."
    (f,) = findings_of(pack, "This is a miracle.")
    assert f.suggestion == "Say what the treatment can do."


def _doc_rule(when: str) -> str:
    return f"""
- id: claim
  category: cure-claim
  severity: error
  message: m
  suggestion: s
  match: ['cures']
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


def test_document_rule_when_words_and_without_when(tmp_path):
    pack = write_pack(tmp_path, _doc_rule("when: {match: ['infusion']}"))
    assert lint_string(pack, "We offer infusion therapy.") == [(1, 1, "needs-disclaimer")]
    pack = write_pack(tmp_path, _doc_rule(""), name="always")
    assert lint_string(pack, "We open at nine.") == [(1, 1, "needs-disclaimer")]
    assert lint_string(pack, "") == []  # no prose at all: nothing to point at


def test_catastrophic_regex_times_out_and_other_rules_still_run(tmp_path):
    pack = write_pack(
        tmp_path,
        _rule("  match: [{regex: '(a|aa)+$'}]", "slow") + _rule("  match: ['safe']", "fast"),
    )
    text = "safe " + "a" * 40 + "!"
    findings, errors = matcher_for(pack, timeout=0.2).check(extract(text, "text"), text, "x.txt")
    assert [f.rule for f in findings] == ["fast"]
    assert len(errors) == 1 and "'slow'" in str(errors[0]) and "x.txt" in str(errors[0])


def test_link_addresses_are_paragraph_context_not_prose(tmp_path):
    pack = write_pack(
        tmp_path,
        _rule("  match: ['studies show']\n  unless_paragraph: [{regex: 'https?://\\S+'}]")
        + _rule("  match: ['pubmed']", "url-word"),
    )
    md = "Studies show it helps ([source](https://pubmed.ncbi.nlm.nih.gov/123/)).\n\nStudies show it helps.\n"
    assert lint_string(pack, md, "markdown") == [(3, 1, "r")]  # the URL is context, never matched as prose
    html = '<p>Studies show it helps (<a href="https://doi.org/10.1056/x">trial</a>).</p><p>Studies show it.</p>'
    assert lint_string(pack, html, "html") == [(1, html.rindex("Studies") + 1, "r")]


def test_explain_collects_what_context_cancelled(tmp_path):
    pack = write_pack(tmp_path, _rule("  match: ['completely safe']"))
    text = "It is not completely safe."
    explain = []
    findings, _ = matcher_for(pack).check(extract(text, "text"), text, "x", explain=explain)
    assert findings == []
    (c,) = explain
    assert (c.rule, c.match, c.line, c.column) == ("r", "completely safe", 1, 11)
    assert c.why == "negated ('not')"
