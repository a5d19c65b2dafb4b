"""Building the engine a run checks files with: the rule set (from the compiled-pack cache or the YAML), the
rules this run selects with their configured severities, and the matcher compiled from them. When files have
settings of their own (the nearest config file to each), :class:`Engines` holds one engine per config."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lint.config import Config, Resolver
from lint.match import Matcher
from lint.model import LintError
from lint.packs import Pack, Rule, RuleSet, default_pack_paths
from lint.taxonomy import CATEGORIES
from lint.yamlsource import did_you_mean


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

    def for_path(self, path: str) -> Engine:
        """The engine that checks ``path``: this one checks every file with the same settings."""
        return self

    def config_for_dir(self, directory: str) -> Config:
        """The settings discovery uses in ``directory`` (extensions, exclude)."""
        return self.config


def load_rule_set(
    config: Config, extra_packs: Sequence[str] = (), on_compile: Callable[[], None] | None = None
) -> RuleSet:
    paths: list[str | Path] = list(default_pack_paths()) if config.default_packs else []
    paths += [*config.packs, *extra_packs]
    if not paths:
        raise LintError("no rule packs to load (--no-default-packs without --pack)")
    from lint.cache import cached_rule_set

    rule_set = cached_rule_set(paths, use_cache=config.cache, on_compile=on_compile)
    _check_reserved(rule_set)
    return rule_set


def _check_reserved(rule_set: RuleSet) -> None:
    """No pack may call itself ``clinic-lint`` or give a rule the id of one of clinic-lint's own findings
    (``unused-suppression``, ...): a suppression, ``--select`` or a baseline naming it would mean two things.
    (Checked here, after loading, so a pack compiled before the rule existed is caught too.)"""
    from lint.suppress import TOOL_CATEGORY, TOOL_RULES

    for pack in rule_set.packs:
        if pack.name == TOOL_CATEGORY:
            line = _line_of(pack.path, "name", pack.name)
            raise LintError(f"{pack.path}:{line}: the pack name '{TOOL_CATEGORY}' is reserved for clinic-lint itself")
        for rule in pack.rules:
            if rule.id in TOOL_RULES:
                line = _line_of(pack.path, "id", rule.id)
                raise LintError(
                    f"{pack.path}:{line}: the rule id '{rule.id}' is reserved for clinic-lint's own findings"
                )


def _line_of(path: str, key: str, value: str) -> int:
    """The line of ``key: value`` in the pack file (the compiled pack keeps no positions), else 1."""
    import re

    from lint.inputs import read_regular

    try:
        text = read_regular(path).decode("utf-8", "replace")
    except OSError:
        return 1
    m = re.search(rf"^[ \t-]*{key}[ \t]*:[ \t]*[\"']?{re.escape(value)}[\"']?[ \t]*(?:#.*)?$", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def _selector_matches(selector: str, rule: Rule) -> bool:
    return selector in (rule.id, rule.category, rule.pack)


def check_selectors(config: Config, key: str, selectors: Iterable[str], packs: list[Pack]) -> None:
    """Each of ``selectors`` (the setting ``key``) must name a rule, category or pack; the message names the
    config file's line and column where it is written, or the command-line option."""
    known = set(CATEGORIES) | {p.name for p in packs} | {r.id for p in packs for r in p.rules}
    for sel in selectors:
        if sel not in known:
            from lint.safetext import echo  # the value cut short: a config may hold anything

            hint = did_you_mean(sel, known) or ": not a rule id, category or pack name (see `clinic-lint rules`)"
            raise LintError(f"{config.where(key, sel)}: unknown rule {echo(sel)}{hint}")


def select_rules(packs: list[Pack], config: Config) -> list[Rule]:
    """The rules this run uses: selected, not ignored, with severity overrides applied."""
    all_rules = [r for p in packs for r in p.rules]
    check_selectors(config, "select", config.select, packs)
    check_selectors(config, "ignore", config.ignore, packs)
    check_selectors(config, "severity", config.severity, packs)
    for selectors in config.per_path_ignores.values():
        check_selectors(config, "per-path-ignores", selectors, packs)
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
    config: Config, extra_packs: Sequence[str] = (), *, keep_source: bool = False, explain_context: bool = False,
    on_compile: Callable[[], None] | None = None, rule_set: RuleSet | None = None,
) -> Engine:  # fmt: skip
    if rule_set is None:
        rule_set = load_rule_set(config, extra_packs, on_compile)
    rules = select_rules(rule_set.packs, config)
    matcher = Matcher(rule_set, rules, timeout=config.regex_timeout)
    known = frozenset(CATEGORIES) | {p.name for p in rule_set.packs} | {r.id for p in rule_set.packs for r in p.rules}
    active = frozenset(t for r in rules for t in (r.id, r.category, r.pack))
    return Engine(config, rule_set, rules, matcher, keep_source, explain_context, known, active)


class Engines:
    """The engine of each file when each file has the settings of its nearest config file (``resolver``): one
    engine per config in play, built on first use; configs that load the same packs share one rule set.
    ``config`` holds the settings of the run as a whole (``jobs``): those of the first path."""

    def __init__(
        self, resolver: Resolver, config: Config, *, keep_source: bool = False, explain_context: bool = False,
        on_compile: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        self.resolver, self.config = resolver, config
        self.keep_source, self.explain_context, self.on_compile = keep_source, explain_context, on_compile
        self.rule_index: dict[str, Rule] = {}  # every rule of the engines built so far, by id (for reports)
        self._engines: dict[str | None, Engine] = {}  # config file -> its engine
        self._rule_sets: dict[tuple, RuleSet] = {}

    def for_path(self, path: str) -> Engine:
        return self.for_config(self.resolver.for_path(path))

    def config_for_dir(self, directory: str) -> Config:
        return self.resolver.for_dir(directory)

    def for_config(self, config: Config) -> Engine:
        engine = self._engines.get(config.source)
        if engine is None:
            key = (config.default_packs, tuple(config.packs), config.cache)
            if key not in self._rule_sets:
                self._rule_sets[key] = load_rule_set(config, (), self.on_compile)
            engine = build_engine(
                config, keep_source=self.keep_source, explain_context=self.explain_context,
                rule_set=self._rule_sets[key],
            )  # fmt: skip
            self._engines[config.source] = engine
            for rule in engine.rules:
                self.rule_index.setdefault(rule.id, rule)
        return engine

    @property
    def rules(self) -> list[Rule]:
        return list(self.rule_index.values())

    def __getstate__(self) -> dict:
        return {**self.__dict__, "on_compile": None}  # workers get built engines; a callback may not pickle
