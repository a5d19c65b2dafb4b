"""The shared regex fragments in rules/_definitions.yaml that many rules rely on."""

import pytest
from helpers import EXAMPLES, REFS, lint_string, write_pack

CITED = [
    "(Jastreboff et al., N Engl J Med, 2022)", "(JAMA Dermatology, 2021)", "published in JAMA Dermatology in 2021",
    "a 2019 trial published in the Journal of Affective Disorders", "Smith (2020) found", "(Smith 2020)", "see [1]",
    "improved[^1]", "doi:10.1056/NEJMoa2206038", "PMID: 35658024", "NCT04184622", "Annals of Internal Medicine, 2018",
    "in the American Journal of Psychiatry (2006)", "Br J Dermatol 2020",
]  # fmt: skip
NOT_CITED = [
    "In 2019 we opened our clinic.", "(Updated March 2024)", "Since 2015, thousands of patients",
    "A study published in a top journal found", "Research from Harvard shows", "a landmark study in 2020",
]  # fmt: skip


@pytest.fixture
def pack(tmp_path):
    return write_pack(
        tmp_path,
        f"""
- id: cites
  category: unsupported-citation
  severity: info
  message: m
  suggestion: s
  patterns: ['{{{{citation}}}}']
  word_boundary: false
  {REFS}
  {EXAMPLES}
""",
    )


@pytest.mark.parametrize("text", CITED)
def test_citation_recognises_references(pack, text):
    assert lint_string(pack, f"Our claim holds {text} today.")


@pytest.mark.parametrize("text", NOT_CITED)
def test_citation_ignores_bare_years_and_vague_sources(pack, text):
    assert lint_string(pack, text) == []
