"""The pipeline for one run: discover -> read/decode -> extract -> match -> filter -> per-file results.

``run(paths, engine)`` is the one seam the CLI, the pre-commit hook and the parallel runner share. Each file
is read, checked and released before the next, so memory stays flat however large the site.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from lint.config import Config
from lint.decode import BinaryFile, SourceText, decode
from lint.discover import Missing, Target, discover
from lint.engine import Engine
from lint.extract import extract
from lint.model import Finding, InputError


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # could not be (fully) checked: exit code 3
    notices: list[str] = field(default_factory=list)  # skipped on purpose (binary): no effect on exit code
    source: SourceText | None = None  # kept only when fixes need the text
    cancelled: list = field(default_factory=list)  # --explain-context: candidates context/knowledge dropped


def lint_source(source: SourceText, path: str, fmt: str, engine: Engine) -> FileResult:
    """Check already-decoded text (a file's or standard input's)."""
    result = FileResult(path, source=source if engine.keep_source else None)
    doc = extract(source.text, fmt)
    explain = [] if engine.explain_context else None
    findings, errors = engine.matcher.check(doc, source.text, path, explain=explain)
    result.cancelled = explain or []
    findings = _apply_per_path_ignores(findings, path, engine.config)
    findings = _apply_suppressions(findings, doc, source.text, path, engine)
    findings.sort(key=Finding.sort_key)
    result.findings = findings
    result.errors = [str(e) for e in errors]
    return result


def _apply_suppressions(findings: list[Finding], doc, text: str, path: str, engine: Engine) -> list[Finding]:
    from lint import suppress

    return suppress.apply(
        findings, doc.comments, text, path,
        known=engine.known_targets, active=engine.active_targets, severity=engine.config.unused_suppression,
    )  # fmt: skip


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
            yield from parallel.run_parallel(items, check_item, engine, jobs)
            return
    for item in items:
        yield check_item(item, engine)


def check_item(item: Target | Missing, engine: Engine) -> FileResult:
    if isinstance(item, Missing):
        return FileResult(item.path, errors=[f"{item.path}: {item.reason}"])
    return check_file(item, engine)
