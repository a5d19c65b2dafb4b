"""The ``clinic-lint`` command: ``main(argv) -> int`` wires the pipeline steps together.

Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage, config or pack error; 3 some input could
not be (fully) checked (unreadable, undecodable, missing, a rule timed out); 4 an internal error (a bug).
Nothing leaks a traceback unless CLINIC_LINT_DEBUG is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from lint import __version__
from lint.model import LintError, severity_rank

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3, 4


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    from lint.report import FORMATS

    parser = argparse.ArgumentParser(
        prog="clinic-lint", description="Find risky health-marketing claims in clinic posts and pages."
    )
    parser.add_argument("--version", action="version", version=f"clinic-lint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

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
    check.add_argument("--statistics", action="store_true", help="print counts per rule and category")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the text output")
    check.add_argument(
        "--encoding-errors",
        choices=("skip", "replace"),
        help="invalid UTF-8: skip the file (default) or replace bad bytes",
    )
    check.add_argument("--jobs", "-j", type=int, metavar="N", help="files checked in parallel (default: one per core)")
    check.add_argument("--no-cache", action="store_true", help="do not read or write the compiled-pack cache")
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

    rules = sub.add_parser("rules", help="list every loaded rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    _pack_options(rules)

    explain = sub.add_parser("explain", help="what a rule (or category) catches, why, and examples")
    explain.add_argument("rule", metavar="RULE_ID")
    _pack_options(explain)

    test_rules = sub.add_parser("test-rules", help="run every rule's good/bad examples")
    test_rules.add_argument("packs", nargs="*", metavar="PACK", help="pack files or names (default: all loaded)")
    _pack_options(test_rules)
    return parser


def _pack_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE")
    parser.add_argument("--pack", action="append", default=[], metavar="PATH")
    parser.add_argument("--no-default-packs", action="store_true")
    parser.add_argument("--no-cache", action="store_true")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed by argparse
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("clinic-lint: error: a command is required (check, rules, explain, test-rules)", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except LintError as exc:
        print(_printable(f"clinic-lint: error: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("clinic-lint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
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


def _printable(message: str) -> str:
    """``message`` with any lone surrogate (from a broken \\u escape in a pack or config) escaped: it cannot be
    written to a UTF-8 stream, and a message about bad input must not crash on it."""
    return message.encode("utf-8", "backslashreplace").decode("utf-8")


# --------------------------------------------------------------------------- settings


def _settings(args: argparse.Namespace):
    """Config file settings with the command line laid over them (the command line wins)."""
    from lint.config import resolve

    config = resolve(args.config)
    if args.no_default_packs:
        config.default_packs = False
    config.packs = [*config.packs, *args.pack]
    config.cache = not args.no_cache
    for attr in ("select", "ignore", "fail_on", "encoding_errors", "jobs", "baseline"):
        value = getattr(args, attr, None)
        if value is not None:
            setattr(config, attr, value)
    return config


# --------------------------------------------------------------------------- check


def cmd_check(args: argparse.Namespace) -> int:
    from lint import runner
    from lint.engine import build_engine
    from lint.report import Summary, reporter_class
    from lint.workflow import Workflow

    config = _settings(args)
    paths = args.paths or ["."]
    if args.stdin_filename and paths != ["-"]:
        raise LintError("--stdin-filename needs the path - (standard input)")
    if args.jobs is not None and args.jobs < 0:
        raise LintError("--jobs must be 0 (one per core) or more")
    options = _workflow_options(args, config, paths)
    engine = build_engine(config, keep_source=options.needs_source, explain_context=args.explain_context)
    # --diff owns standard output (so it can be piped to `git apply`); the report then goes to stderr
    out, close = (sys.stderr, False) if args.diff and args.output is None else _open_output(args.output)
    try:
        color = _use_color(args.color, out) and args.format == "text"
        reporter = reporter_class(args.format)(
            out, color=color, rules={r.id: r for r in engine.rules}, version=__version__
        )
        summary = Summary()
        results = _stdin_results(args, engine) if paths == ["-"] else runner.run(paths, engine)
        post = Workflow(options, engine)
        for result in results:
            result, fixed = post.process(result)
            summary.fixed += fixed
            _report_file(result, reporter, summary)
            if args.explain_context:
                _explain_context(result)
        note = post.finish()
        reporter.finish(summary)
        if note:
            print(f"clinic-lint: {note}", file=sys.stderr)
        if args.statistics:
            _print_statistics(summary, sys.stderr if args.format != "text" and args.output is None else out)
    finally:
        if close:
            out.close()
    return _exit_code(summary, config.fail_on)


def _stdin_results(args: argparse.Namespace, engine):
    from lint import runner
    from lint.extract import format_for

    name = args.stdin_filename or "-"
    fmt = format_for(name, engine.config.extensions) or "text"
    yield runner.check_bytes(sys.stdin.buffer.read(), name, fmt, engine)


def _report_file(result, reporter, summary) -> None:
    for message in result.notices:
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
    )  # fmt: skip
    options.check()
    return options


def _exit_code(summary, fail_on: str) -> int:
    if summary.errors:
        return EXIT_INPUT
    threshold = severity_rank(fail_on)
    if any(n and severity_rank(s) >= threshold for s, n in summary.by_severity.items()):
        return EXIT_FINDINGS
    return EXIT_OK


def _open_output(path: str | None) -> tuple[TextIO, bool]:
    if path is None:
        return sys.stdout, False
    try:
        return open(path, "w", encoding="utf-8", newline="\n"), True
    except OSError as exc:
        raise LintError(f"{path}: cannot write report: {exc.strerror or exc}") from None


def _use_color(mode: str, stream: TextIO) -> bool:
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _print_statistics(summary, stream: TextIO) -> None:
    stream.write("\nFindings per rule:\n")
    for rule, n in sorted(summary.by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        stream.write(f"  {n:6d}  {rule}\n")
    stream.write("Findings per category:\n")
    for category, n in sorted(summary.by_category.items(), key=lambda kv: (-kv[1], kv[0])):
        stream.write(f"  {n:6d}  {category}\n")


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
        print(f"{row['id']:<{width}}  {row['category']:<21}  {row['severity']:<7}  {row['pack']:<15}  {message}")
    print(f"{len(rows)} rules in {len(packs)} packs")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from lint.explain import explain

    sys.stdout.write(explain(args.rule, _loaded_rule_set(args)))
    return EXIT_OK


def cmd_test_rules(args: argparse.Namespace) -> int:
    from lint.selftest import test_rules

    return test_rules(_settings(args), args.packs, sys.stdout)


COMMANDS = {"check": cmd_check, "rules": cmd_rules, "explain": cmd_explain, "test-rules": cmd_test_rules}
