"""Output formats. Each module in this package defines ``Reporter``; all are fed the same Finding records.

A reporter receives findings as they are produced (``finding``) and the run's totals at the end
(``finish``); streaming formats write at once, document formats (JSON, SARIF, JUnit) write at ``finish``.
"""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

from lint.model import Finding
from lint.packs import Rule

# --format name -> module in this package
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json",
    "json-lines": "jsonlines",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
    "gitlab": "gitlab",
    "html": "html",
    "markdown": "markdown",
}


@dataclass
class Summary:
    files: int = 0
    files_with_findings: int = 0
    errors: int = 0  # files that could not be (fully) checked (not findings of severity "error")
    by_severity: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    by_category: Counter = field(default_factory=Counter)
    fixed: int = 0
    note: str = ""  # said after the summary line (pre-commit: these are the totals of several batches)
    waived: int = 0  # findings a valid waiver accepts (not counted above)
    waivers: list[dict[str, Any]] = field(default_factory=list)  # every waiver and its status after the run
    checked_on: str = ""  # the date of the run (the one waivers are judged on), for reports people keep

    @property
    def findings(self) -> int:
        return sum(self.by_severity.values())

    def count(self, f: Finding) -> None:
        self.by_severity[f.severity] += 1
        self.by_rule[f.rule] += 1
        self.by_category[f.category] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            # names that cannot be mistaken: a file not (fully) checked is no finding of severity "error"
            "files_checked": self.files,
            "files_with_findings": self.files_with_findings,
            "files_not_checked": self.errors,
            "findings": self.findings,
            "findings_by_severity": {s: self.by_severity.get(s, 0) for s in ("error", "warning", "info")},
            "fixed": self.fixed,
            "waived": self.waived,
        }


class BaseReporter:
    needs_source = False  # True: file_done needs each file's text (result.source), so the runner keeps it

    def __init__(
        self, stream: TextIO, *, color: bool, rules: dict[str, Rule], version: str, quiet: bool = False,
        show_fixes: bool = False,
    ) -> None:  # fmt: skip
        self.stream = stream
        self.color = color
        self.rules = rules
        self.version = version
        self.quiet = quiet  # --quiet: the findings only, no summary line
        self.show_fixes = show_fixes  # --show-fixes: each finding's available fix under it

    def finding(self, f: Finding) -> None:
        raise NotImplementedError

    def file_done(self, result: Any) -> None:
        """Called once per file after its findings (a runner.FileResult); formats that list files use it."""

    def finish(self, summary: Summary) -> None:
        raise NotImplementedError

    def write_json(self, document: Any) -> None:
        """``document`` as indented JSON in one write (json.dump would hand the stream hundreds of thousands
        of small pieces), with any character that cannot be encoded escaped (lint.safetext.safe_tree)."""
        import json

        from lint.safetext import safe_tree

        self.stream.write(json.dumps(safe_tree(document), indent=2, ensure_ascii=False) + "\n")


def reporter_class(fmt: str) -> type[BaseReporter]:
    return importlib.import_module(f"lint.report.{FORMATS[fmt]}").Reporter


def waiver_note(f: Finding) -> str:
    """One sentence on the waiver of ``f``: why a reported finding's waiver no longer holds, or who accepted
    a waived one (``--show-waived``); empty when no waiver concerns it."""
    w = f.waiver
    if not w:
        return ""
    who = f"{w['reviewer']} on {w['date']}"
    if w["status"] == "active":
        return f"Waived by {who} until {w['expires']}: {w['reason']}"
    if w["status"] == "expired":
        return f"The waiver by {who} expired on {w['expires']} ({w['reason']}); review it again."
    return (
        f'The sentence changed since {who} waived "{w["match"]}" (line {w["line"]}, until {w["expires"]}): '
        "review the new wording."
    )


def is_waived(f: Finding) -> bool:
    """Accepted by a valid waiver (reported only with ``--show-waived``)."""
    return bool(f.waiver) and f.waiver["status"] == "active"
