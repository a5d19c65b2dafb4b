"""``clinic-lint test-rules``: every rule's examples are tests. Each ``bad`` example must draw at least one
finding of that rule, each ``good`` example none. Examples are linted with every loaded pack, so document
rules see the findings of the packs they depend on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from lint.config import Config
from lint.extract import extract
from lint.match import Matcher
from lint.model import LintError
from lint.packs import Example, Pack, Rule, RuleSet


def _packs_to_test(config: Config, wanted: Sequence[str]) -> tuple[RuleSet, list[Pack]]:
    """(the loaded rule set, the packs whose rules are tested). ``wanted`` holds pack names or files."""
    from lint.engine import load_rule_set

    rule_set = load_rule_set(config)
    by_path = {Path(p.path).resolve(): p for p in rule_set.packs}
    extra = [w for w in wanted if Path(w).suffix in (".yaml", ".yml") and Path(w).resolve() not in by_path]
    if extra:
        config.packs = [*config.packs, *extra]
        rule_set = load_rule_set(config)
        by_path = {Path(p.path).resolve(): p for p in rule_set.packs}
    loaded = rule_set.packs
    by_name = {p.name: p for p in loaded}
    tested = []
    for w in wanted:
        pack = by_path.get(Path(w).resolve()) or by_name.get(w)
        if pack is None:
            from lint.yamlsource import did_you_mean

            hint = did_you_mean(w, by_name)
            raise LintError(f"test-rules: '{w}' is neither a pack file nor a loaded pack name{hint}")
        tested.append(pack)
    return rule_set, tested or loaded


def _check(matcher: Matcher, rule: Rule, example: Example, expect_finding: bool) -> str | None:
    """A failure description, or None when the example behaves."""
    doc = extract(example.text, example.fmt)
    findings, errors = matcher.check(doc, example.text, "<example>")
    if errors:
        return "; ".join(str(e) for e in errors)
    mine = [f for f in findings if f.rule == rule.id or any(r["rule"] == rule.id for r in f.related)]
    if expect_finding and not mine:
        others = sorted({f.rule for f in findings})
        return "expected a finding, got none" + (f" (other rules fired: {', '.join(others)})" if others else "")
    if expect_finding and example.span is not None:
        want = example.text[example.span[0] : example.span[1]]
        spans = [(f.start, f.end) for f in mine if f.rule == rule.id]
        spans += [(r["start"], r["end"]) for f in mine for r in f.related if r["rule"] == rule.id]
        if tuple(example.span) not in spans:
            got = ", ".join(repr(example.text[a:b]) for a, b in spans) or "only as related information"
            return f"expected the words {want!r} to be flagged, got {got}"
    if not expect_finding and mine:
        return "unexpected finding" + "".join(f"\n      {f.line}:{f.column} matched {f.match!r}" for f in mine)
    return None


def test_rules(config: Config, wanted: Sequence[str], out: TextIO) -> int:
    rule_set, tested = _packs_to_test(config, wanted)
    matcher = Matcher(rule_set, [r for p in rule_set.packs for r in p.rules], timeout=config.regex_timeout)
    failures = examples = 0
    for pack in tested:
        for rule in pack.rules:
            for kind, items in (("bad", rule.bad), ("good", rule.good)):
                for index, example in enumerate(items):
                    examples += 1
                    problem = _check(matcher, rule, example, kind == "bad")
                    if problem is None:
                        continue
                    failures += 1
                    shown = example.text.strip().replace("\n", "\n      ")
                    out.write(f"FAIL {pack.name}/{rule.id} {kind}[{index}]: {problem}\n      {shown}\n")
    for problem in rule_set.context.run_examples():
        failures += 1
        out.write(f"FAIL {problem}\n")
    examples += sum(len(m.applies) + len(m.does_not_apply) for m in rule_set.context.modifiers.values())
    rules = sum(len(p.rules) for p in tested)
    verdict = "FAILED" if failures else "OK"
    out.write(f"{verdict}: {rules} rules, {examples} examples, {examples - failures} passed, {failures} failed\n")
    return 1 if failures else 0
