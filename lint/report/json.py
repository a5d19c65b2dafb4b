"""One JSON document: ``{"version", "findings": [...], "summary": {...}}``, paths as given."""

from __future__ import annotations

import json

from lint.model import Finding
from lint.report import BaseReporter, Summary

PUBLIC_KEYS = ("path", "line", "column", "end_line", "end_column", "rule", "category", "severity", "message",
               "suggestion", "match")  # fmt: skip


def public(f: Finding) -> dict:
    d = f.to_dict()
    return {k: d[k] for k in (*PUBLIC_KEYS, "fix")}


class Reporter(BaseReporter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.findings: list[dict] = []

    def finding(self, f: Finding) -> None:
        self.findings.append(public(f))

    def finish(self, summary: Summary) -> None:
        doc = {"version": self.version, "findings": self.findings, "summary": summary.to_dict()}
        json.dump(doc, self.stream, indent=2, ensure_ascii=False)
        self.stream.write("\n")
