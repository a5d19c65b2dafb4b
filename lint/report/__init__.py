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
}


@dataclass
class Summary:
    files: int = 0
    files_with_findings: int = 0
    errors: int = 0  # files that could not be (fully) checked
    by_severity: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    by_category: Counter = field(default_factory=Counter)
    fixed: int = 0

    @property
    def findings(self) -> int:
        return sum(self.by_severity.values())

    def count(self, f: Finding) -> None:
        self.by_severity[f.severity] += 1
        self.by_rule[f.rule] += 1
        self.by_category[f.category] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "files_with_findings": self.files_with_findings,
            "findings": self.findings,
            "errors": self.errors,
            "fixed": self.fixed,
            "by_severity": {s: self.by_severity.get(s, 0) for s in ("error", "warning", "info")},
        }


class BaseReporter:
    def __init__(self, stream: TextIO, *, color: bool, rules: dict[str, Rule], version: str) -> None:
        self.stream = stream
        self.color = color
        self.rules = rules
        self.version = version

    def finding(self, f: Finding) -> None:
        raise NotImplementedError

    def file_done(self, result: Any) -> None:
        """Called once per file after its findings (a runner.FileResult); formats that list files use it."""

    def finish(self, summary: Summary) -> None:
        raise NotImplementedError


def reporter_class(fmt: str) -> type[BaseReporter]:
    return importlib.import_module(f"lint.report.{FORMATS[fmt]}").Reporter
