"""The pipeline for one run: discover -> read/decode -> extract -> match -> filter -> per-file results.

``run(paths, engine)`` is the one seam the CLI, the pre-commit hook and the parallel runner share. Each file
is read, checked and released before the next, so memory stays flat however large the site.
"""

from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from lint.config import Config
from lint.decode import BinaryFile, SourceText, decode, line_feeds
from lint.discover import Missing, Notice, Target, discover
from lint.engine import Engine
from lint.extract import Options, Skipped, extract_parts
from lint.inputs import NotRegular, TooLarge, read_regular
from lint.model import Finding, InputError


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # could not be (fully) checked: exit code 3
    notices: list[str] = field(default_factory=list)  # skipped on purpose (binary): no effect on exit code
    source: SourceText | None = None  # kept only when fixes need the text
    cancelled: list = field(default_factory=list)  # --explain-context: candidates context/knowledge dropped
    fmt: str = ""  # the format the file was read as (text, markdown, html), for reports that show the page
    waived: list[Finding] = field(default_factory=list)  # findings a valid waiver accepts (not reported)
    text: str | None = None  # kept with the source: the text the documents' offsets index (reports show it)
    documents: list = field(default_factory=list)  # ... and its extracted documents (prose blocks)
    internal: bool = False  # checking it raised (a bug): exit code 4, though every other file is reported


def lint_source(source: SourceText, path: str, fmt: str, engine: Engine) -> FileResult:
    """Check already-decoded text (a file's or standard input's), within the ``file-timeout`` budget: a file
    still being checked when it runs out is reported as not fully checked (exit code 3) and the run goes on."""
    budget = engine.config.file_timeout
    if budget <= 0:
        return _lint_source(source, path, fmt, engine)
    result = _within(budget, lambda: _lint_source(source, path, fmt, engine))
    if result is None:
        why = f"not fully checked: still running after {budget:g}s (file-timeout; raise it or split the file)"
        return FileResult(path, errors=[f"{path}: {why}"], fmt=fmt)
    return result


class _OutOfTime(BaseException):
    """Raised into a file's check when its budget runs out; not an Exception, so that no ``except Exception``
    on the way (a rule's error handling) can swallow it."""


def _within(seconds: float, check: Callable[[], FileResult]) -> FileResult | None:
    """``check()``, or None when it runs past ``seconds``. A SIGALRM timer interrupts it wherever it is (the
    check keeps no state across files that an interruption could leave half-built: the matcher builds its
    index up front, and compiled patterns are cached whole). Where there is no SIGALRM (Windows), off the main
    thread, or when the caller already runs a timer of its own, the check runs unbounded."""
    import signal
    import threading

    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        return check()
    done = False

    def expire(signum: int, frame: object) -> None:
        if not done:  # a signal delivered just as the check finished must not escape the handling below
            # Python drops an exception raised while a destructor or a garbage-collector callback runs: fire
            # again shortly, so a swallowed one cannot let the check run on past its budget.
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return check()
        finally:
            done = True
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _OutOfTime:
        return None
    finally:
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def _lint_source(source: SourceText, path: str, fmt: str, engine: Engine) -> FileResult:
    """Check already-decoded text, with no time limit."""
    # text read out of a Word file is checked, but never written back by --fix/--diff
    result = FileResult(path, source=source if engine.keep_source and source.writable else None, fmt=fmt)
    text = line_feeds(source.text)  # a lone CR ends a line, as in editors (same offsets: fixes still apply)
    try:
        docs = extract_parts(text, fmt, _extract_options(engine.config))
    except Skipped as notice:  # an XML file that is no WordPress export
        return FileResult(path, notices=[f"{path}: {notice}"], fmt=fmt)
    explain = [] if engine.explain_context else None
    for doc in docs:  # one, or each post of a WordPress export: findings name it, export.xml#post-slug
        where = f"{path}#{doc.part}" if doc.part else path
        findings, errors = engine.matcher.check(doc, text, where, explain=explain)
        findings = _apply_per_path_ignores(findings, path, engine.config)
        findings = _apply_suppressions(findings, doc, text, where, engine)
        for f in findings:
            f.part = doc.part
        findings.sort(key=Finding.sort_key)
        result.findings.extend(findings)
        result.errors.extend(str(e) for e in errors)
    result.cancelled = explain or []
    if engine.keep_source:  # a report that shows each page (HTML) needs its text and blocks, not a re-extraction
        result.text, result.documents = text, list(docs)
    return result


def _extract_options(config: Config) -> Options:
    """What the settings tell the extractors (made once per distinct setting)."""
    return _options(tuple(config.front_matter_keys), tuple(config.prose_attributes))


@functools.lru_cache(maxsize=16)
def _options(front_matter_keys: tuple[str, ...], prose_attributes: tuple[str, ...]) -> Options:
    return Options.of(list(front_matter_keys), list(prose_attributes))


def _apply_suppressions(findings: list[Finding], doc, text: str, path: str, engine: Engine) -> list[Finding]:
    from lint import suppress

    return suppress.apply(
        findings, doc.comments, text, path,
        known=engine.known_targets, active=engine.active_targets, severity=engine.config.unused_suppression,
    )  # fmt: skip


def _apply_per_path_ignores(findings: list[Finding], path: str, config: Config) -> list[Finding]:
    if not config.per_path_ignores:
        return findings
    norm = config.relative(path)  # globs are relative to the config file, whatever the current directory
    ignored = [s for glob, sels in config.per_path_ignores.items() if fnmatch.fnmatch(norm, glob) for s in sels]
    if not ignored:
        return findings
    return [f for f in findings if not any(s in (f.rule, f.category, f.pack) for s in ignored)]


def check_file(target: Target, engine: Engine) -> FileResult:
    limit = engine.config.max_file_size
    try:
        data = read_regular(target.path, limit)  # never blocks on a FIFO, never reads /dev/zero to the end
    except NotRegular as exc:  # a FIFO, a device, a socket named like a post: skipped, as binary files are
        return FileResult(target.path, notices=[f"{target.path}: skipped: {exc}"])
    except TooLarge as exc:
        return FileResult(target.path, errors=[f"{target.path}: not checked: {exc} (see max-file-size)"])
    except OSError as exc:
        return FileResult(target.path, errors=[f"{target.path}: cannot read: {exc.strerror or exc}"])
    return check_bytes(data, target.path, target.fmt, engine)


def check_bytes(data: bytes, path: str, fmt: str, engine: Engine) -> FileResult:
    try:
        errors = "replace" if engine.config.encoding_errors == "replace" else "strict"
        source = decode(data, path, errors=errors, fmt=fmt)
    except BinaryFile as notice:
        return FileResult(path, notices=[str(notice)])
    except InputError as exc:
        return FileResult(path, errors=[str(exc)])
    return lint_source(source, path, fmt, engine)


def run(
    paths: Sequence[str],
    engine: Engine,
    plan: Callable[[list[Target | Missing]], list[Target | Missing]] | None = None,
    skip: frozenset[tuple[int, int]] = frozenset(),
) -> Iterator[FileResult]:
    """Check every file under ``paths``, yielding one result per file in discovery order; in parallel
    (``jobs``) when there are enough files to pay for starting the workers. ``engine`` is one Engine for every
    file, or an ``Engines`` giving each file the engine of its nearest config. ``plan``, when given, sees the
    whole list of discovered files first and returns the ones to check (progress counts them,
    ``--changed-since`` narrows them). ``skip``: (device, inode) of files never checked (the report being
    written). A file whose check fails (a bug, a dead worker) is reported as not checked; the rest go on."""
    from lint import parallel

    items: Iterable[Target | Missing] = list(discover(paths, settings=engine.config_for_dir, skip=skip))
    if plan is not None:
        items = plan(list(items))
    for item in items:  # every config's engine is built before any file is checked: a bad one stops the run
        if isinstance(item, Target):
            engine.for_path(item.path)
    jobs = parallel.worker_count(engine.config.jobs)
    if jobs > 1:
        items = list(items)
        if sum(isinstance(i, Target) for i in items) >= parallel.MIN_FILES:
            yield from parallel.run_parallel(items, check_item, engine, jobs, not_checked)
            return
    for item in items:
        try:
            yield check_item(item, engine)
        except Exception as exc:  # a bug on one file must not cost the others their results (exit code 3)
            if os.environ.get("CLINIC_LINT_DEBUG"):
                raise
            why = f"internal error: {type(exc).__name__}: {exc} (set CLINIC_LINT_DEBUG=1 for details)"
            yield not_checked(item, why, internal=True)


def not_checked(item: Target | Missing, why: str, internal: bool = False) -> FileResult:
    """The result of a file that could not be checked: ``why`` (a dead worker process; with ``internal``, an
    exception: a bug)."""
    return FileResult(item.path, errors=[f"{item.path}: not checked: {why}"], internal=internal)


def check_item(item: Target | Missing | Notice, engine: Engine) -> FileResult:
    """Check one discovered file with the engine of its settings (``engine.for_path``: its nearest config's)."""
    if isinstance(item, Missing):
        return FileResult(item.path, errors=[f"{item.path}: {item.reason}"])
    if isinstance(item, Notice):
        return FileResult(item.path, notices=[f"{item.path}: {item.message}"])
    return check_file(item, engine.for_path(item.path))
