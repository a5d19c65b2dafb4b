"""Shared test helpers: write a pack, lint a string, state expected findings compactly."""

from __future__ import annotations

import textwrap
from pathlib import Path

from lint.extract import extract
from lint.match import Matcher
from lint.packs import load_packs

REFS = "references: [{name: Test authority, url: 'https://example.org/rule'}]"
EXAMPLES = "examples: {bad: [x, y, z], good: [a, b, c]}"


def write_pack(tmp_path: Path, rules_yaml: str, name: str = "test-pack") -> Path:
    """A pack file holding ``rules_yaml`` (a YAML list of rules, indented freely)."""
    body = textwrap.indent(textwrap.dedent(rules_yaml).strip(), "  ")
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\ndescription: test\nversion: '1'\nrules:\n{body}\n", encoding="utf-8")
    return path


def lint_string(pack: Path, text: str, fmt: str = "text") -> list[tuple[int, int, str]]:
    """(line, column, rule) of every finding of ``text``, sorted."""
    rules = [r for p in load_packs([pack]) for r in p.rules]
    findings, errors = Matcher(rules).check(extract(text, fmt), text, "<t>")
    assert not errors
    return sorted((f.line, f.column, f.rule) for f in findings)
