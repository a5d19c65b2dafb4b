"""The ``clinic-lint`` command: ``main(argv) -> int`` wires the pipeline steps together.

Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage, config or pack error; 3 some input could
not be (fully) checked (unreadable, undecodable, missing, a rule timed out); 4 an internal error (a bug).
Nothing leaks a traceback unless CLINIC_LINT_DEBUG is set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from typing import TextIO

from lint import __version__, waivers_cli
from lint.model import LintError, severity_rank
from lint.yamlsource import did_you_mean

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3, 4


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class _Parser(argparse.ArgumentParser):
    """argparse that says "did you mean" for a misspelt option, subcommand or choice (``--formt``, ``chek``,
    ``--format jsn``), with the helper every other "unknown ..." message uses."""

    subcommands: dict[str, argparse.ArgumentParser] = {}

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:  # reported by the parser the options belong to, with its usage line
            parser = self.subcommands.get(getattr(parsed, "command", None) or "", self)
            options = list(parser._option_string_actions)
            words = [w + (did_you_mean(w.split("=")[0], options) if w.startswith("-") else "") for w in extra]
            parser.error(f"unrecognized arguments: {' '.join(words)}")
        return parsed

    def error(self, message: str):  # type: ignore[override]
        choice = re.search(r"invalid choice: '?([^' ]*)'? \(choose from (.*)\)$", message)
        if choice and "did you mean" not in message and "maybe you meant" not in message:
            message += did_you_mean(choice.group(1), (c.strip(" '\"") for c in choice.group(2).split(",")))
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    from lint.report import FORMATS

    parser = _Parser(prog="clinic-lint", description="Find risky health-marketing claims in clinic posts and pages.")
    parser.add_argument("--version", action="version", version=f"clinic-lint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.subcommands = sub.choices

    check = sub.add_parser("check", help="lint files and directories")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files, directories, or - for standard input")
    check.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    check.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--config", metavar="FILE", help="use this config file instead of searching for one")
    check.add_argument("--pack", action="append", default=[], metavar="PATH", help="load an extra rule pack")
    check.add_argument(
        "--no-default-packs", action="store_true", help="do not load the packs that ship with clinic-lint"
    )
    check.add_argument("--select", type=_csv, metavar="ID,...", help="only these rule ids, categories or packs")
    check.add_argument("--ignore", type=_csv, metavar="ID,...", help="skip these rule ids, categories or packs")
    check.add_argument(
        "--fail-on", choices=("error", "warning", "info"), help="lowest severity that fails (default: warning)"
    )
    check.add_argument("--stdin-filename", metavar="NAME", help="name (and so format) of the text read from -")
    check.add_argument(
        "--statistics", action="store_true", help="print counts per rule and category instead of the findings"
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument(
        "--quiet", "-q", action="store_true", help="print the findings and errors only: no summary, notices or progress"
    )
    check.add_argument(
        "--show-fixes",
        action="store_true",
        help="show each available fix under its finding; with --fix, list the fixes made",
    )
    check.add_argument("--changed-since", metavar="REV", help="only the files git reports as changed since REV")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the text output")
    check.add_argument(
        "--encoding-errors",
        choices=("skip", "replace"),
        help="invalid UTF-8: skip the file (default) or replace bad bytes",
    )
    check.add_argument("--jobs", "-j", type=int, metavar="N", help="files checked in parallel (default: one per core)")
    check.add_argument("--no-cache", action="store_true", help="do not read or write the compiled-pack cache")
    check.add_argument(
        "--file-timeout", type=float, metavar="SECONDS",
        help="report a file still being checked after SECONDS as not fully checked (exit 3) and go on "
        "(default: 60; 0: no limit)",
    )  # fmt: skip
    check.add_argument("--diff", action="store_true", help="show fixes as a diff; change nothing")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes, then report what remains")
    check.add_argument(
        "--explain-context",
        action="store_true",
        help="also show, on standard error, each candidate that assertion context (negation, question, ...) "
        "or the approved-indications knowledge cancelled, and the context found around each finding",
    )
    check.add_argument("--unsafe-fixes", action="store_true", help="with --fix: apply the unsafe fixes too")
    check.add_argument("--baseline", metavar="FILE", help="ignore the findings recorded in FILE")
    check.add_argument("--update-baseline", action="store_true", help="write the current findings to FILE")
    waivers_cli.add_check_options(check)  # --waivers, --show-waived, --today

    rules = sub.add_parser("rules", help="list every loaded rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    _pack_options(rules)

    explain = sub.add_parser("explain", help="what a rule (or category) catches, why, and examples")
    explain.add_argument("rule", metavar="RULE_ID")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    _pack_options(explain)

    config = sub.add_parser("config", help="show the settings in effect and the file each comes from")
    config.add_argument("path", nargs="?", default=".", metavar="PATH", help="settings for this file or directory")
    config.add_argument("--config", metavar="FILE", help="use this config file instead of searching for one")
    config.add_argument("--format", choices=("text", "json"), default="text")

    server = sub.add_parser("server", help="run the language server (LSP over standard input and output)")
    server.add_argument("--debounce", type=float, default=0.3, metavar="SECONDS", help="wait after a keystroke")

    test_rules = sub.add_parser("test-rules", help="run every rule's good/bad examples")
    test_rules.add_argument("packs", nargs="*", metavar="PACK", help="pack files or names (default: all loaded)")
    _pack_options(test_rules)
    waivers_cli.add_parsers(sub, _pack_options)  # waive, waivers, report
    return parser


def _pack_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE")
    parser.add_argument("--pack", action="append", default=[], metavar="PATH")
    parser.add_argument("--no-default-packs", action="store_true")
    parser.add_argument("--no-cache", action="store_true")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["report"]:  # `report` is check with the reviewer's defaults
        argv = waivers_cli.report_argv(argv[1:])
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed by argparse
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    if args.command is None:
        parser.print_usage(sys.stderr)
        print(f"clinic-lint: error: a command is required ({', '.join(COMMANDS)})", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except LintError as exc:
        if isinstance(exc, ReportError):
            _discard_stdout()
        print(_printable(f"clinic-lint: error: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("clinic-lint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `clinic-lint rules | head`: the reader left; the output is incomplete
        _discard_stdout()
        print("clinic-lint: error: cannot write to standard output: the reader closed the pipe", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("CLINIC_LINT_DEBUG"):
            raise
        print(
            _printable(
                f"clinic-lint: internal error: {type(exc).__name__}: {exc} (set CLINIC_LINT_DEBUG=1 for details)"
            ),
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _discard_stdout() -> None:
    """Point standard output at the null device: what is still buffered for a reader that is gone (or a full
    disk) would otherwise fail again when Python exits, with a traceback and exit code 120."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real standard output (closed, or a test's capture)
        pass


def _printable(message: str) -> str:
    """``message`` with any lone surrogate (from a broken \\u escape in a pack or config) escaped: it cannot be
    written to a UTF-8 stream, and a message about bad input must not crash on it."""
    return message.encode("utf-8", "backslashreplace").decode("utf-8")


# --------------------------------------------------------------------------- settings


def _settings(args: argparse.Namespace):
    """The current directory's config file settings with the command line laid over them (the command line
    wins): for the commands that take no files."""
    from lint.config import resolve

    return _overrides(args).apply(resolve(args.config))


def _overrides(args: argparse.Namespace):
    """What the command line sets, to lay over each config file's settings."""
    from lint.config import Overrides

    values = {"cache": not args.no_cache}
    if args.no_default_packs:
        values["default_packs"] = False
    for attr in ("select", "ignore", "fail_on", "encoding_errors", "jobs", "baseline", "waivers"):
        value = getattr(args, attr, None)
        if value is not None:
            values[attr] = value
    if getattr(args, "file_timeout", None) is not None:  # validated as the config key is
        from lint.config import validate_file_timeout

        values["file_timeout"] = validate_file_timeout("--file-timeout", args.file_timeout)
    return Overrides(values, list(args.pack))


def _resolver(args: argparse.Namespace, paths: list[str]):
    """(each file's settings, the run's settings): every file has those of its nearest config file (or of
    --config), whatever the current directory; the run as a whole (jobs, baseline) those of the first path."""
    from lint.config import Resolver

    resolver = Resolver(args.config, _overrides(args))
    first = (args.stdin_filename or "-") if paths == ["-"] else paths[0]
    return resolver, resolver.for_path(first)


# --------------------------------------------------------------------------- check


def cmd_check(args: argparse.Namespace) -> int:
    from lint import hookrun
    from lint.engine import Engines
    from lint.report import Summary, reporter_class
    from lint.workflow import Workflow

    paths = args.paths or ["."]
    resolver, config = _resolver(args, paths)
    if args.stdin_filename and paths != ["-"]:
        raise LintError("--stdin-filename needs the path - (standard input)")
    if args.jobs is not None and args.jobs < 0:
        raise LintError("--jobs must be 0 (one per core) or more")
    if args.changed_since and paths == ["-"]:
        raise LintError("--changed-since cannot be used with standard input")
    options = _workflow_options(args, config, paths)
    notice = None if args.quiet else _compiling_notice
    engine = Engines(
        resolver,
        config,
        keep_source=options.needs_source or reporter_class(args.format).needs_source,
        explain_context=args.explain_context,
        on_compile=notice,
    )  # one engine per config file in play: each file is checked with its nearest config's settings
    engine.for_config(config)  # built now: a config or pack error stops the run before any output
    _refuse_to_overwrite_an_input(args.output, paths, config)
    # --diff owns standard output (so it can be piped to `git apply`); the report then goes to stderr
    out, close = (
        (_Stream(sys.stderr, "standard error"), False)
        if args.diff and args.output is None
        else _open_output(args.output)
    )
    skip = _identity(out) | _identity_of(args.output)  # the report (the one it replaces too) is never linted
    done = False
    try:
        color = _use_color(args.color, out) and args.format == "text"
        reporter = reporter_class(args.format)(
            out, color=color, rules=engine.rule_index, version=__version__, quiet=args.quiet,
            show_fixes=args.show_fixes,
        )  # fmt: skip
        summary = Summary(checked_on=(options.today or dt.date.today()).isoformat())
        results = _stdin_results(args, engine) if paths == ["-"] else _file_results(args, paths, engine, skip)
        post = Workflow(options, engine, diff_out=_open_output(None)[0] if args.diff else None)
        listing = not (args.statistics and args.format == "text")  # --statistics replaces the list (as ruff)
        failing = crashed = False
        for result in results:
            crashed = crashed or result.internal  # a bug on one file: exit 4, after every other file's report
            result, fixed = post.process(result)
            summary.fixed += fixed
            failing = failing or _fails(result, engine)
            _report_file(result, reporter, summary, listing=listing, quiet=args.quiet, show_waived=args.show_waived)
            if args.explain_context:
                _explain_context(result)
        note = post.finish()
        stats_stream = sys.stderr if args.format != "text" and args.output is None else out
        if args.statistics and args.format == "text":
            _print_statistics(summary, engine, stats_stream)  # the table, then the summary line
        if args.show_fixes and args.fix:
            _print_fixes(post, stats_stream)
        more_batches = False
        if args.format == "text" and hookrun.under_pre_commit():
            summary, more_batches = _pre_commit_totals(summary, args)
        summary.waivers = post.waiver_records()
        if not more_batches:  # otherwise the batch pre-commit runs next prints the whole run's summary
            reporter.finish(summary)
        if note:
            print(f"clinic-lint: {note}", file=sys.stderr)
        if args.statistics and args.format != "text":
            _print_statistics(summary, engine, stats_stream)
        out.flush()  # a full disk or a closed pipe is found here, not at exit
        done = True
    finally:
        if close and done:
            out.close()  # the report takes the place of the old one
        elif close:
            getattr(out, "discard", out.close)()  # stopped or failed: the old report stays as it was
    code = EXIT_INTERNAL if crashed else _exit_code(summary, failing)
    return EXIT_OK if code == EXIT_FINDINGS and args.exit_zero else code


def _compiling_notice() -> None:
    print("clinic-lint: compiling rule packs (once after an install or a pack change)...", file=sys.stderr, flush=True)


def _file_results(args: argparse.Namespace, paths: list[str], engine, skip: frozenset = frozenset()):
    """The files' results; only the changed files with --changed-since; a progress line on a terminal.
    ``skip``: (device, inode) of files never linted (the report file)."""
    from lint import progress, runner

    bar = progress.Progress(0, {}) if progress.wanted(sys.stderr, args.quiet) else None
    if bar is None and not args.changed_since:
        return runner.run(paths, engine, skip=skip)

    def plan(items: list) -> list:
        if args.changed_since:
            from lint import changed

            items = changed.select(items, changed.changed_files(args.changed_since))
        if bar is not None:
            bar.start(len(items), progress.sizes_of(items))
        return items

    results = runner.run(paths, engine, plan=plan, skip=skip)
    return results if bar is None else progress.track(results, bar)


def _pre_commit_totals(summary, args: argparse.Namespace):
    """Under pre-commit: the totals of every batch of this hook run so far, and whether pre-commit has
    another batch of files to come (then this one prints no summary line). ``sys.argv`` is the command line
    pre-commit built, which is how the batch sees whether it was full (lint/hookrun.py)."""
    from lint import hookrun

    options = {k: v for k, v in vars(args).items() if k != "paths" and not k.startswith("_")}
    total, batches = hookrun.record(summary, hookrun.state_file(options))
    if batches > 1:
        total.note = f"totals of the {batches} batches pre-commit split the file list into"
    return total, hookrun.more_batches_follow(sys.argv, args.paths or [])


def _stdin_results(args: argparse.Namespace, engine):
    from lint import runner
    from lint.extract import format_for

    name = args.stdin_filename or "-"
    engine = engine.for_path(name)  # the settings of the directory --stdin-filename names (or the current one)
    fmt = format_for(name, engine.config.extensions) or "text"
    limit = engine.config.max_file_size
    data = sys.stdin.buffer.read(limit + 1)  # `clinic-lint check - < /dev/zero` must not fill the memory
    if len(data) > limit:
        yield runner.FileResult(name, errors=[f"{name}: not checked: larger than {limit} bytes (see max-file-size)"])
        return
    yield runner.check_bytes(data, name, fmt, engine)


def _report_file(
    result, reporter, summary, *, listing: bool = True, quiet: bool = False, show_waived: bool = False
) -> None:
    for message in () if quiet else result.notices:
        print(f"clinic-lint: {message}", file=sys.stderr)
    for message in result.errors:
        print(f"clinic-lint: error: {message}", file=sys.stderr)
    if result.errors:
        summary.errors += 1
    if not result.notices and not (result.errors and not result.findings):
        summary.files += 1
    if result.findings:
        summary.files_with_findings += 1
    for f in result.findings:
        summary.count(f)
    summary.waived += len(result.waived)
    if listing:  # waived findings only with --show-waived, in place among the others
        shown = (
            sorted([*result.findings, *result.waived], key=lambda f: f.sort_key()) if show_waived else result.findings
        )
        for f in shown:
            reporter.finding(f)
    reporter.file_done(result)


def _explain_context(result) -> None:
    """--explain-context: why candidates were dropped, and what context the reported findings sit in."""
    for c in result.cancelled:
        print(f'{result.path}:{c.line}:{c.column}: cancelled {c.rule} "{c.match}": {c.why}', file=sys.stderr)
    for f in result.findings:
        if f.context:
            kept = ", ".join(f.context)
            print(
                f"{result.path}:{f.line}:{f.column}: kept {f.rule}: context {kept} does not cancel it", file=sys.stderr
            )


def _workflow_options(args: argparse.Namespace, config, paths: list[str]):
    from lint.workflow import Options

    options = Options(
        fix=args.fix, unsafe_fixes=args.unsafe_fixes, diff=args.diff, baseline=config.baseline,
        update_baseline=args.update_baseline, stdin=paths == ["-"],
        waivers=waivers_cli.waiver_path(args.waivers, config), today=args.today,
    )  # fmt: skip
    options.check()
    return options


def _fails(result, engines) -> bool:
    """Whether a file's findings fail the run: any at or above the ``fail-on`` of that file's settings."""
    if not result.findings:
        return False
    threshold = severity_rank(engines.for_path(result.path).config.fail_on)
    return any(severity_rank(f.severity) >= threshold for f in result.findings)


def _exit_code(summary, failing: bool) -> int:
    if summary.errors:
        return EXIT_INPUT
    return EXIT_FINDINGS if failing else EXIT_OK


def _open_output(path: str | None) -> tuple[TextIO, bool]:
    if path is None:
        if sys.stdout is None:  # started with standard output closed (`>&-`)
            raise ReportError("cannot write the report: standard output is closed (use --output FILE)")
        return _Stream(sys.stdout, "standard output"), False
    try:
        return _Stream(_output_file(path), path), True
    except OSError as exc:
        raise LintError(f"{path}: cannot write report: {exc.strerror or exc}") from None


def _output_file(path: str) -> TextIO:
    """``--output FILE``: a regular file is replaced whole once the report is complete (never half written);
    a device or pipe (``/dev/stdout``, ``/dev/full``, a FIFO) is written as it goes."""
    import stat

    from lint.fix import AtomicTextFile

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return AtomicTextFile(path)
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        try:
            return AtomicTextFile(path)
        except PermissionError:  # a writable report in a directory we may not add files to: write it in place
            if not stat.S_ISREG(mode) or not os.access(path, os.W_OK):
                raise
    return open(path, "w", encoding="utf-8", newline="\n")


class ReportError(LintError):
    """The report could not be (fully) written: the run's result did not reach its reader."""

    exit_code = EXIT_INPUT


class _Stream:
    """Where the report goes. Text is written with any lone surrogate escaped (a file name's bad bytes, a broken
    \\u escape), so the output is always valid UTF-8; a failed write (standard output closed, a full disk, a
    reader that went away) becomes one clear error with exit code 3, not a traceback."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self.stream, self.name = stream, name

    def write(self, text: str) -> int:
        from lint.safetext import safe

        try:
            return self.stream.write(safe(text))
        except (OSError, ValueError) as exc:  # ValueError: the stream was closed under us
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except (OSError, ValueError) as exc:
            raise self._failed(exc) from None

    def close(self) -> None:
        try:
            self.stream.close()
        except OSError as exc:
            raise self._failed(exc) from None

    def isatty(self) -> bool:
        try:
            return self.stream.isatty()
        except (OSError, ValueError):
            return False

    def __getattr__(self, name: str):
        return getattr(self.stream, name)

    def _failed(self, exc: Exception) -> ReportError:
        if isinstance(exc, BrokenPipeError):
            why = "the reader closed the pipe"
        else:
            why = getattr(exc, "strerror", None) or str(exc)
        return ReportError(f"cannot write the report to {self.name}: {why}")


def _identity(stream) -> frozenset[tuple[int, int]]:
    """(device, inode) of the file ``stream`` writes, if it is a regular file."""
    import stat

    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return frozenset()
    return frozenset({(st.st_dev, st.st_ino)}) if stat.S_ISREG(st.st_mode) else frozenset()


def _identity_of(path: str | None) -> frozenset[tuple[int, int]]:
    """(device, inode) of the file at ``path``, if there is one."""
    try:
        st = os.stat(path) if path else None
    except OSError:
        return frozenset()
    return frozenset({(st.st_dev, st.st_ino)}) if st is not None else frozenset()


def _refuse_to_overwrite_an_input(output: str | None, paths: list[str], config) -> None:
    """``--output`` must not name a file this run reads (a post, its config, a pack, the baseline): opening it
    for the report would destroy it before it is read."""
    if output is None:
        return
    named = [p for p in paths if p != "-" and not os.path.isdir(p)]
    inputs = [*named, config.source, *config.packs, config.baseline]
    target = os.path.realpath(output)
    try:
        st = os.stat(output)
        same = {(st.st_dev, st.st_ino)}
    except OSError:
        same = set()
    for path in filter(None, inputs):
        try:
            other = os.stat(path)
            identical = (other.st_dev, other.st_ino) in same
        except OSError:
            identical = False
        if identical or os.path.realpath(path) == target:
            raise LintError(f"--output {output}: that is {path}, which this run reads; write the report elsewhere")


def _use_color(mode: str, stream: TextIO) -> bool:
    """--color always/never wins; then FORCE_COLOR (set and not 0: colour even when piped, as CI logs
    that render colour want), NO_COLOR and TERM=dumb; then whether the stream is a terminal."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _fix_marker(rule) -> str:
    """``[*]`` a safe fix (--fix applies it), ``[-]`` an unsafe one (--fix --unsafe-fixes), blank none."""
    fix = getattr(rule, "fix", None)
    return "   " if fix is None else "[*]" if fix.safe else "[-]"


def _print_statistics(summary, engine, stream: TextIO) -> None:
    rules = {r.id: r for r in engine.rules}
    stream.write("Findings per rule:\n")
    width = max((len(r) for r in summary.by_rule), default=0)
    for rule, n in sorted(summary.by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        stream.write(f"  {n:6d}  {rule:<{width}}  {_fix_marker(rules.get(rule))}".rstrip() + "\n")
    stream.write("Findings per category:\n")
    for category, n in sorted(summary.by_category.items(), key=lambda kv: (-kv[1], kv[0])):
        stream.write(f"  {n:6d}  {category}\n")
    if any(_fix_marker(rules.get(r)).strip() for r in summary.by_rule):
        stream.write("[*] fixed by --fix, [-] by --fix --unsafe-fixes\n")


def _print_fixes(post, stream: TextIO) -> None:
    """--show-fixes with --fix: what was fixed, per file and rule (as ruff does)."""
    from collections import Counter

    if not post.fixes:
        stream.write("No fixes applied.\n")
        return
    stream.write(f"Fixed {len(post.fixes)} problem{'s' if len(post.fixes) != 1 else ''}:\n")
    by_file: dict[str, Counter] = {}
    for path, rule in post.fixes:
        by_file.setdefault(path, Counter())[rule] += 1
    for path, counts in by_file.items():
        stream.write(f"- {path}:\n")
        for rule, n in sorted(counts.items()):
            stream.write(f"    {n} × {rule}\n")


# --------------------------------------------------------------------------- rules, explain, test-rules


def _loaded_rule_set(args: argparse.Namespace):
    from lint.engine import load_rule_set

    return load_rule_set(_settings(args))


def cmd_rules(args: argparse.Namespace) -> int:
    import json

    packs = _loaded_rule_set(args).packs
    rows = [
        {
            "id": r.id,
            "category": r.category,
            "severity": r.severity,
            "pack": p.name,
            "scope": r.scope,
            "fix": _fix_kind(r),
            "message": r.message,
        }
        for p in packs
        for r in p.rules
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    width = max((len(r["id"]) for r in rows), default=10)
    for row in rows:
        message = row["message"].replace("\n", " ")
        message = message if len(message) <= 80 else message[:77] + "..."
        marker = {"safe": "[*]", "unsafe": "[-]", None: "   "}[row["fix"]]
        print(
            f"{row['id']:<{width}}  {marker}  {row['category']:<21}  {row['severity']:<7}  {row['pack']:<15}  {message}"
        )
    print(f"{len(rows)} rules in {len(packs)} packs; [*] fixable by --fix, [-] by --fix --unsafe-fixes")
    return EXIT_OK


def _fix_kind(rule) -> str | None:
    fix = getattr(rule, "fix", None)
    return None if fix is None else "safe" if fix.safe else "unsafe"


def cmd_explain(args: argparse.Namespace) -> int:
    from lint.explain import explain, explain_record

    rule_set = _loaded_rule_set(args)
    if args.format == "json":
        import json

        json.dump(explain_record(args.rule, rule_set), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(explain(args.rule, rule_set))
    return EXIT_OK


def cmd_config(args: argparse.Namespace) -> int:
    import json

    from lint.config import provenance

    report = provenance(args.config, args.path)
    if args.format == "json":
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    print(f"# settings for {report['path']}")
    print(f"# config file: {report['config'] or 'none found (defaults)'}")
    for key, item in report["settings"].items():
        print(f"{key}: {json.dumps(item['value'], ensure_ascii=False)}  # {item['from']}")
    return EXIT_OK


def cmd_server(args: argparse.Namespace) -> int:
    if not 0 <= args.debounce < float("inf"):  # NaN too: the server would never lint after a keystroke
        raise LintError(f"--debounce must be 0 or more seconds, not {args.debounce}")
    try:
        from lint import server
    except ImportError as exc:  # the optional extra is not installed
        if (exc.name or "").split(".")[0] not in ("pygls", "lsprotocol", "cattrs", "attrs", "attr"):
            raise
        missing = exc.name or exc
        raise LintError(
            f"the language server needs the 'lsp' extra ({missing} is missing): pip install 'clinic-lint[lsp]' "
            "(from a checkout: pip install '.[lsp]')"
        ) from None
    return server.main(debounce=args.debounce)


def cmd_test_rules(args: argparse.Namespace) -> int:
    from lint.selftest import test_rules

    return test_rules(_settings(args), args.packs, sys.stdout)


COMMANDS = {
    "check": cmd_check,
    "rules": cmd_rules,
    "explain": cmd_explain,
    "test-rules": cmd_test_rules,
    "config": cmd_config,
    "server": cmd_server,
    "waive": waivers_cli.cmd_waive,
    "waivers": waivers_cli.cmd_waivers,
}
