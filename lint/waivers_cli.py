"""The commands around waivers and the reviewer's report: ``waive``, ``waivers`` and ``report``.

``clinic-lint waive PATH:LINE[:COL] RULE --reviewer NAME --reason TEXT [--expires DATE | --days N]`` lints the
file, finds that finding and records it; ``clinic-lint waivers [--check]`` lists every waiver with its status
(active, expired, stale); ``clinic-lint report [check options] [PATH ...]`` is ``check --format html
--show-waived --output clinic-lint-report.html``. ``--today DATE`` stands in for the clock everywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from typing import Any

from lint.model import LintError

REPORT_FILE = "clinic-lint-report.html"
_TARGET = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?::(?P<col>\d+))?$")


def date_arg(text: str) -> dt.date:
    """argparse type for --today/--expires: YYYY-MM-DD."""
    from lint.waivers import parse_date

    try:
        return parse_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def add_check_options(check: argparse.ArgumentParser) -> None:
    """The waiver options of ``check`` (and so of ``report``)."""
    check.add_argument("--waivers", metavar="FILE", help=f"the waiver file (default: {_default_name()})")
    check.add_argument("--show-waived", action="store_true", help="also report waived findings, marked as waived")
    check.add_argument("--today", type=date_arg, metavar="DATE", help="judge waivers as on this date (YYYY-MM-DD)")


def add_parsers(sub: Any, pack_options: Any) -> None:
    waive = sub.add_parser(
        "waive",
        help="accept one finding: record who accepted it, why and until when",
        description="Record a waiver of the RULE finding at PATH:LINE[:COL] in the waiver file (written atomically). "
        "The finding is not reported while the waiver is valid, and comes back, naming the waiver, when it expires "
        "or the sentence changes.",
    )
    waive.add_argument("target", metavar="PATH:LINE[:COL]", help="where the finding is, as the report shows it")
    waive.add_argument("rule", metavar="RULE", help="the rule id of the finding")
    waive.add_argument("--reviewer", required=True, metavar="NAME", help="who accepts the risk")
    waive.add_argument("--reason", required=True, metavar="TEXT", help="why it is acceptable")
    until = waive.add_mutually_exclusive_group()
    until.add_argument("--expires", type=date_arg, metavar="DATE", help="the last day the waiver holds")
    until.add_argument("--days", type=int, metavar="N", help="the waiver holds for N days (default: 90)")
    waive.add_argument("--waivers", metavar="FILE", help=f"the waiver file (default: {_default_name()})")
    waive.add_argument("--today", type=date_arg, metavar="DATE", help="the date to record (YYYY-MM-DD)")
    pack_options(waive)

    listing = sub.add_parser("waivers", help="list the waivers: active, expired, or stale (sentence gone)")
    listing.add_argument("--check", action="store_true", help="exit 1 when any waiver is expired or stale")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.add_argument("--waivers", metavar="FILE", help=f"the waiver file (default: {_default_name()})")
    listing.add_argument("--today", type=date_arg, metavar="DATE", help="judge the waivers as on this date")
    pack_options(listing)

    sub.add_parser(
        "report",
        add_help=False,  # `report --help` shows check's options, which it takes
        help=f"write the HTML report for reviewers: check --format html --show-waived --output {REPORT_FILE}",
    )


def report_argv(rest: list[str]) -> list[str]:
    """``report ARGS`` as the ``check`` command line it stands for (the user's options win)."""
    argv = ["check", "--format", "html", "--show-waived"]
    if not any(a in ("--output", "-o") or a.startswith("--output=") for a in rest):
        argv += ["--output", REPORT_FILE]
    return argv + rest


def _default_name() -> str:
    from lint.waivers import DEFAULT_FILE

    return f"{DEFAULT_FILE} beside the config file, or in the current directory"


def waiver_path(explicit: str | None, config: Any) -> str:
    """--waivers, else the config's ``waivers``, else clinic-lint-waivers.yaml beside the config file (or here)."""
    from lint.waivers import DEFAULT_FILE

    if explicit:
        return explicit
    if config.waivers:
        return config.waivers
    if config.root:
        return os.path.relpath(os.path.join(config.root, DEFAULT_FILE))
    return DEFAULT_FILE


# --------------------------------------------------------------------------- waive


def cmd_waive(args: argparse.Namespace) -> int:
    from lint import waivers
    from lint.cli import EXIT_INPUT, EXIT_OK, _resolver
    from lint.engine import Engines

    m = _TARGET.match(args.target)
    if m is None:
        raise LintError(f"'{args.target}': give the finding's place as PATH:LINE or PATH:LINE:COL")
    path, line, col = m["path"], int(m["line"]), int(m["col"]) if m["col"] else None
    today = args.today or dt.date.today()
    if args.days is not None and args.days < 1:
        raise LintError("--days must be 1 or more")
    try:
        expires = args.expires or today + dt.timedelta(days=args.days or waivers.DEFAULT_DAYS)
    except OverflowError:  # past the year 9999
        raise LintError(f"--days {args.days}: the expiry would be after {dt.date.max.isoformat()}") from None
    resolver, config = _resolver(args, [path])
    engine = Engines(resolver, config).for_path(path)
    result = _lint(path, engine)
    if result.errors:
        for message in result.errors:
            print(f"clinic-lint: error: {message}", file=sys.stderr)
        return EXIT_INPUT
    finding = _pick(result.findings, path, line, col, args.rule)
    wfile = waivers.load(waiver_path(args.waivers, config))
    waiver, replaced = waivers.add(
        wfile, finding, reviewer=args.reviewer, reason=args.reason, today=today, expires=expires
    )
    what = f'"{finding.match}"' if finding.match else "(the whole page)"
    verb = "renewed the waiver of" if replaced else "waived"
    print(
        f"clinic-lint: {verb} {finding.path}:{finding.line}:{finding.column} {finding.rule} {what} until "
        f"{waiver.expires.isoformat()} (reviewer: {waiver.reviewer}) in {wfile.path}"
    )
    return EXIT_OK


def _lint(path: str, engine: Any) -> Any:
    from lint import runner
    from lint.extract import format_for

    if not os.path.isfile(path):
        raise LintError(f"{path}: no such file")
    fmt = format_for(path, engine.config.extensions) or "text"  # a file named explicitly is linted as text
    return runner.check_file(runner.Target(path, fmt), engine)


def _pick(findings: list, path: str, line: int, col: int | None, rule: str) -> Any:
    """The one finding of ``rule`` at ``line`` (and ``col``); a one-line error naming what is there instead."""
    on_line = [f for f in findings if f.line <= line <= f.end_line]
    here = [f for f in on_line if f.rule == rule]
    if col is not None:
        here = [f for f in here if (f.line, f.column) <= (line, col) <= (f.end_line, max(f.end_column - 1, f.column))]
    if len(here) == 1:
        return here[0]
    where = f"{path}:{line}" + (f":{col}" if col is not None else "")
    if len(here) > 1:
        columns = ", ".join(str(f.column) for f in here)
        raise LintError(f"{where}: {len(here)} {rule} findings here (columns {columns}); name one as PATH:LINE:COL")
    others = ", ".join(f"{f.rule} ({f.line}:{f.column})" for f in on_line)
    elsewhere = ", ".join(f"{f.line}:{f.column}" for f in findings if f.rule == rule)
    hint = f"; findings here: {others}" if others else ""
    hint += f"; {rule} is found at {elsewhere}" if elsewhere else ""
    raise LintError(f"{where}: no {rule} finding here{hint}")


# --------------------------------------------------------------------------- waivers


def cmd_waivers(args: argparse.Namespace) -> int:
    import json

    from lint import waivers
    from lint.cli import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, _resolver
    from lint.engine import Engines

    resolver, config = _resolver(args, ["."])
    wfile = waivers.load(waiver_path(args.waivers, config))
    register = waivers.Register(wfile, args.today or dt.date.today())
    engines = Engines(resolver, config)
    unchecked = 0
    files = set()  # the files to lint: a WordPress post's waiver (export.xml#post) is checked in its export
    for rel in {w.path for w in wfile.waivers}:
        full = os.path.join(wfile.base_dir, rel)
        if not os.path.isfile(full) and "#" in rel:
            full = os.path.join(wfile.base_dir, rel.rpartition("#")[0])
        if os.path.isfile(full):
            files.add(full)
        else:
            register.found[rel] = set()  # the page is gone: its waivers match nothing
    for full in sorted(files):
        result = _lint(os.path.relpath(full), engines.for_path(full))
        for message in result.errors:
            print(f"clinic-lint: error: {message}", file=sys.stderr)
        unchecked += bool(result.errors)
        register.apply(result.path, result.findings, complete=not result.errors)
    records = register.records()
    if args.format == "json":
        json.dump({"file": wfile.path, "waivers": records}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_waivers(wfile.path, records)
    if unchecked:
        return EXIT_INPUT
    lapsed = any(r["status"] != "active" for r in records)
    return EXIT_FINDINGS if args.check and lapsed else EXIT_OK


def _print_waivers(source: str, records: list[dict]) -> None:
    if not records:
        print(f"No waivers in {source}.")
        return
    for r in records:
        what = f'"{r["match"]}"' if r["match"] else "(the whole page)"
        print(
            f"{r['status']:<7}  {r['path']}:{r['line']} {r['rule']} {what}: {r['reviewer']}, {r['date']} until "
            f"{r['expires']}: {r['reason']}"
        )
    counts = {s: sum(r["status"] == s for r in records) for s in ("active", "expired", "stale")}
    n = len(records)
    print(f"{n} waiver{'s' * (n != 1)} in {source}: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ".")
