"""Building the engine a run checks files with: the rule set (from the compiled-pack cache or the YAML), the
rules this run selects with their configured severities, and the matcher compiled from them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lint.config import Config
from lint.match import Matcher
from lint.model import LintError
from lint.packs import Pack, Rule, RuleSet, default_pack_paths
from lint.taxonomy import CATEGORIES


@dataclass
class Engine:
    """Everything needed to check a file: the selected rules compiled into a matcher, and the settings."""

    config: Config
    rule_set: RuleSet
    rules: list[Rule]
    matcher: Matcher
    keep_source: bool = False
    explain_context: bool = False
    known_targets: frozenset[str] = field(default_factory=frozenset)  # rule ids, categories, pack names
    active_targets: frozenset[str] = field(default_factory=frozenset)  # ... of the rules this run uses

    @property
    def packs(self) -> list[Pack]:
        return self.rule_set.packs


def load_rule_set(config: Config, extra_packs: Sequence[str] = ()) -> RuleSet:
    paths: list[str | Path] = list(default_pack_paths()) if config.default_packs else []
    paths += [*config.packs, *extra_packs]
    if not paths:
        raise LintError("no rule packs to load (--no-default-packs without --pack)")
    from lint.cache import cached_rule_set

    return cached_rule_set(paths, use_cache=config.cache)


def _selector_matches(selector: str, rule: Rule) -> bool:
    return selector in (rule.id, rule.category, rule.pack)


def check_selectors(selectors: Iterable[str], packs: list[Pack], what: str) -> None:
    known = set(CATEGORIES) | {p.name for p in packs} | {r.id for p in packs for r in p.rules}
    for sel in selectors:
        if sel not in known:
            raise LintError(f"{what}: '{sel}' is not a rule id, category or pack name (see `clinic-lint rules`)")


def select_rules(packs: list[Pack], config: Config) -> list[Rule]:
    """The rules this run uses: selected, not ignored, with severity overrides applied."""
    all_rules = [r for p in packs for r in p.rules]
    check_selectors(config.select, packs, "--select")
    check_selectors(config.ignore, packs, "--ignore")
    check_selectors(config.severity, packs, "severity")
    for selectors in config.per_path_ignores.values():
        check_selectors(selectors, packs, "per-path-ignores")
    chosen: list[Rule] = []
    for rule in all_rules:
        if config.select and not any(_selector_matches(s, rule) for s in config.select):
            continue
        if any(_selector_matches(s, rule) for s in config.ignore):
            continue
        severity = config.severity.get(rule.id) or config.severity.get(rule.category) or config.severity.get(rule.pack)
        chosen.append(dataclasses.replace(rule, severity=severity) if severity else rule)
    return chosen


def build_engine(
    config: Config, extra_packs: Sequence[str] = (), *, keep_source: bool = False, explain_context: bool = False
) -> Engine:
    rule_set = load_rule_set(config, extra_packs)
    rules = select_rules(rule_set.packs, config)
    matcher = Matcher(rule_set, rules, timeout=config.regex_timeout)
    known = frozenset(CATEGORIES) | {p.name for p in rule_set.packs} | {r.id for p in rule_set.packs for r in p.rules}
    active = frozenset(t for r in rules for t in (r.id, r.category, r.pack))
    return Engine(config, rule_set, rules, matcher, keep_source, explain_context, known, active)
