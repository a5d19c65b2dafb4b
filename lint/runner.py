"""The pipeline for one run: discover -> read/decode -> extract -> match -> filter -> per-file results.

``run(paths, engine)`` is the one seam the CLI, the pre-commit hook and the parallel runner share. Each file
is read, checked and released before the next, so memory stays flat however large the site.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lint.config import Config
from lint.decode import BinaryFile, SourceText, decode
from lint.discover import Missing, Target, discover
from lint.extract import extract
from lint.match import Matcher
from lint.model import Finding, InputError, LintError
from lint.packs import Pack, Rule, default_pack_paths


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # could not be (fully) checked: exit code 3
    notices: list[str] = field(default_factory=list)  # skipped on purpose (binary): no effect on exit code
    source: SourceText | None = None  # kept only when fixes need the text


@dataclass
class Engine:
    """Everything needed to check a file: the selected rules compiled into a matcher, and the settings."""

    config: Config
    packs: list[Pack]
    rules: list[Rule]
    matcher: Matcher
    keep_source: bool = False


def load_rules(config: Config, extra_packs: Sequence[str] = ()) -> list[Pack]:
    paths: list[str | Path] = list(default_pack_paths()) if config.default_packs else []
    paths += [*config.packs, *extra_packs]
    if not paths:
        raise LintError("no rule packs to load (--no-default-packs without --pack)")
    from lint.cache import cached_packs

    return cached_packs(paths, use_cache=config.cache)


def _selector_matches(selector: str, rule: Rule) -> bool:
    return selector in (rule.id, rule.category, rule.pack)


def check_selectors(selectors: Iterable[str], packs: list[Pack], what: str) -> None:
    from lint.taxonomy import CATEGORIES

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
    chosen = []
    for rule in all_rules:
        if config.select and not any(_selector_matches(s, rule) for s in config.select):
            continue
        if any(_selector_matches(s, rule) for s in config.ignore):
            continue
        severity = config.severity.get(rule.id) or config.severity.get(rule.category) or config.severity.get(rule.pack)
        chosen.append(dataclasses.replace(rule, severity=severity) if severity else rule)
    return chosen


def build_engine(config: Config, extra_packs: Sequence[str] = (), *, keep_source: bool = False) -> Engine:
    packs = load_rules(config, extra_packs)
    rules = select_rules(packs, config)
    matcher = Matcher(rules, timeout=config.regex_timeout, prefilter=_prefilter(rules, config.cache))
    return Engine(config, packs, rules, matcher, keep_source)


def _prefilter(rules: list[Rule], use_cache: bool = True):
    """The optional accelerator, when installed; findings are identical without it."""
    try:
        from lint.prefilter import build_prefilter
    except ImportError:
        return None
    sentence_rules = [r for r in rules if r.scope == "sentence"]
    screened = [p for r in rules if r.scope == "document" for p in (*r.when_patterns, *r.must_contain)]
    return build_prefilter(sentence_rules, document_patterns=screened, use_cache=use_cache)


def lint_source(source: SourceText, path: str, fmt: str, engine: Engine) -> FileResult:
    """Check already-decoded text (a file's or standard input's)."""
    result = FileResult(path, source=source if engine.keep_source else None)
    doc = extract(source.text, fmt)
    findings, errors = engine.matcher.check(doc, source.text, path)
    findings = _apply_per_path_ignores(findings, path, engine.config)
    findings = _apply_suppressions(findings, doc, source.text, path, engine)
    findings.sort(key=Finding.sort_key)
    result.findings = findings
    result.errors = [str(e) for e in errors]
    return result


def _apply_suppressions(findings: list[Finding], doc, text: str, path: str, engine: Engine) -> list[Finding]:
    try:
        from lint import suppress
    except ImportError:
        return findings
    return suppress.apply(findings, doc.comments, text, path, engine)


def _apply_per_path_ignores(findings: list[Finding], path: str, config: Config) -> list[Finding]:
    if not config.per_path_ignores:
        return findings
    norm = path.replace("\\", "/").removeprefix("./")
    ignored = [s for glob, sels in config.per_path_ignores.items() if fnmatch.fnmatch(norm, glob) for s in sels]
    if not ignored:
        return findings
    return [f for f in findings if not any(s in (f.rule, f.category, f.pack) for s in ignored)]


def check_file(target: Target, engine: Engine) -> FileResult:
    try:
        with open(target.path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return FileResult(target.path, errors=[f"{target.path}: cannot read: {exc.strerror or exc}"])
    return check_bytes(data, target.path, target.fmt, engine)


def check_bytes(data: bytes, path: str, fmt: str, engine: Engine) -> FileResult:
    try:
        source = decode(data, path, errors="replace" if engine.config.encoding_errors == "replace" else "strict")
    except BinaryFile as notice:
        return FileResult(path, notices=[str(notice)])
    except InputError as exc:
        return FileResult(path, errors=[str(exc)])
    return lint_source(source, path, fmt, engine)


def run(paths: Sequence[str], engine: Engine) -> Iterator[FileResult]:
    """Check every file under ``paths``, yielding one result per file in discovery order; in parallel
    (``jobs``) when there are enough files to pay for starting the workers."""
    from lint import parallel

    items: Iterable[Target | Missing] = discover(paths, engine.config.extensions, engine.config.exclude)
    jobs = parallel.worker_count(engine.config.jobs)
    if jobs > 1:
        items = list(items)
        if sum(isinstance(i, Target) for i in items) >= parallel.MIN_FILES:
            yield from parallel.run_parallel(items, engine, jobs)
            return
    for item in items:
        yield check_item(item, engine)


def check_item(item: Target | Missing, engine: Engine) -> FileResult:
    if isinstance(item, Missing):
        return FileResult(item.path, errors=[f"{item.path}: {item.reason}"])
    return check_file(item, engine)
