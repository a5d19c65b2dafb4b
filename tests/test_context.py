"""Assertion context: which words around a candidate make it not a claim (negated, hypothetical, reported,
a question, cited). The shipped lexicon is used, with sentences written for these tests; ``[[...]]`` marks
the candidate."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint.context import load_context
from lint.packs import load_rule_set, shared_paths

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def context():
    return load_rule_set([]).context


def test_the_shipped_lexicon_passes_its_own_examples(context):
    assert context.run_examples() == []


@pytest.mark.parametrize(
    ("modifier", "sentence", "applies"),
    [
        ("negated", "Our peels do not [[cure]] rosacea.", True),
        ("negated", "No injection can [[melt fat]] on its own.", True),
        ("negated", "It is not only fast but it [[cures]] acne.", False),  # "not only" is no negation
        ("negated", "Nobody likes needles; this [[cures]] fear.", False),  # a semicolon ends the scope
        ("hypothetical", "If a clinic says it [[cures]] anxiety, ask for proof.", True),
        ("hypothetical", "It [[cures]] anxiety.", False),
        ("reported", "Some sites claim laser caps [[regrow hair]], but the evidence is thin.", True),
        ("question", "Can a drip really [[cure]] a hangover?", True),
        ("question", "Tired of dieting? Our plan [[melts fat]].", False),
    ],
)
def test_modifiers_on_sentences_of_our_own(context, modifier, sentence, applies):
    assert context.example_applies(modifier, sentence) is applies


def test_a_citation_needs_a_source_not_just_a_number(context):
    assert context.example_applies("cited", "A 2021 trial (Okafor et al., 2021) found [[most patients]] improved.")
    assert not context.example_applies("cited", "In 2021, [[most patients]] improved.")


def test_the_lexicon_file_is_the_one_the_packs_share():
    assert ROOT / "rules" / "_context.yaml" in [Path(p) for p in shared_paths()]
    assert load_context  # the loader the packs use is importable on its own
