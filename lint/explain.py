"""``clinic-lint explain ID``: what a rule (or every rule of a category) catches, why, and examples."""

from __future__ import annotations

import textwrap

from lint.model import LintError
from lint.packs import Pack, Rule
from lint.taxonomy import CATEGORIES


def explain(ident: str, packs: list[Pack]) -> str:
    rules = {r.id: r for p in packs for r in p.rules}
    if ident in rules:
        return explain_rule(rules[ident])
    if ident in CATEGORIES:
        members = [r for r in rules.values() if r.category == ident]
        lines = [f"{ident}: {CATEGORIES[ident]}", "", f"{len(members)} rules:"]
        lines += [f"  {r.id:<40} {r.severity:<8} {r.pack}" for r in members]
        return "\n".join(lines) + "\n\nRun `clinic-lint explain RULE_ID` for one of them.\n"
    raise LintError(f"'{ident}' is not a rule id or category (see `clinic-lint rules`)")


def _wrap(text: str, indent: str = "  ") -> str:
    return "\n".join(
        textwrap.fill(p, 100, initial_indent=indent, subsequent_indent=indent) for p in text.splitlines() if p.strip()
    )


def explain_rule(rule: Rule) -> str:
    out = [
        f"{rule.id}  ({rule.category}, {rule.severity}, pack {rule.pack}{', whole document' if rule.scope == 'document' else ''})",
        "",
        f"Category: {CATEGORIES[rule.category]}",
        "",
        "What is wrong:",
        _wrap(rule.message),
        "",
        "Suggested rewording:",
        _wrap(rule.suggestion),
    ]
    if rule.fix is not None:
        kind = "applied by --fix" if rule.fix.safe else "applied only with --unsafe-fixes"
        out += ["", f"Automatic fix ({kind}): replace the match with {rule.fix.replacement!r}"]
    out += ["", "Authority:"]
    out += [f"  - {ref.name}\n    {ref.url}" for ref in rule.references]
    out += ["", "Flagged (bad):"]
    out += [_wrap(ex.text, "  ✗ ").replace("\n  ✗ ", "\n    ") for ex in rule.bad]
    out += ["", "Not flagged (good):"]
    out += [_wrap(ex.text, "  ✓ ").replace("\n  ✓ ", "\n    ") for ex in rule.good]
    out += ["", f"Defined at {rule.source}"]
    return "\n".join(out) + "\n"
