"""The approved-indications knowledge: a claim stands or falls by what the product it is about is approved
for. Rules here are written for the test; products and conditions come from the shipped knowledge."""

from __future__ import annotations

import pytest

from lint.explain import explain
from lint.packs import load_rule_set
from tests.helpers import EXAMPLES, REFS, flagged, write_pack

USE = f"""
- id: use-claim
  category: unapproved-use
  severity: error
  message: "{{match}}: {{product_name|this product}} is not approved for {{condition_name}}."
  suggestion: "Say what {{product|it}} is approved for."
  match: ['<therapy> ...3 <efficacy> <condition>']
  knowledge: {{flag: not-approved, product: therapy, condition: condition, unknown: skip}}
  {REFS}
  {EXAMPLES}
"""

STATUS = f"""
- id: approved-claim
  category: regulatory-claim
  severity: error
  message: "{{match}}"
  suggestion: "State the status."
  match: ['<product> (is | are) fda approved']
  knowledge: {{flag: status, product: product, statuses: [compounded, unapproved, supplement]}}
  {REFS}
  {EXAMPLES}
"""


@pytest.fixture
def use_pack(tmp_path):
    return write_pack(tmp_path, USE, name="use")


@pytest.fixture
def status_pack(tmp_path):
    return write_pack(tmp_path, STATUS, name="status")


def test_a_claim_outside_the_approved_uses_stands(use_pack):
    assert flagged(use_pack, "Our ketamine infusions can relieve depression within days.") != []


def test_a_claim_the_label_supports_is_clean(use_pack):
    assert flagged(use_pack, "Esketamine nasal spray can treat depression in adults.") == []


def test_an_unknown_product_is_skipped_when_the_rule_says_so(use_pack):
    assert flagged(use_pack, "Our signature glow ritual can relieve depression.") == []


def test_the_message_names_the_product_and_the_condition(use_pack):
    from tests.helpers import findings_of

    (finding,) = findings_of(use_pack, "Ketamine infusions relieve depression fast.")
    assert "Ketamine" in finding.message and "depression" in finding.message
    assert finding.product == "ketamine"


def test_fda_approved_said_of_a_compounded_drug(status_pack):
    assert flagged(status_pack, "Compounded semaglutide is FDA approved.") != []
    assert flagged(status_pack, "Wegovy is FDA approved.") == []


def test_explain_shows_the_entry_behind_a_product():
    text = explain("semaglutide", load_rule_set([]))
    assert "semaglutide" in text.lower()
    assert "indications:" in text and "source:" in text
