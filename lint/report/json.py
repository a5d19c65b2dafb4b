"""One JSON document: ``{"version", "findings": [...], "summary": {...}}``, paths as given."""

from __future__ import annotations

from lint.model import Finding
from lint.report import BaseReporter, Summary
from lint.safetext import safe_tree

PUBLIC_KEYS = ("path", "line", "column", "end_line", "end_column", "rule", "category", "severity", "message",
               "suggestion", "match")  # fmt: skip


def public(f: Finding) -> dict:
    d = f.to_dict()
    record = {k: d[k] for k in (*PUBLIC_KEYS, "fix")}
    if "waiver" in d:  # accepted (status active, with --show-waived) or lapsed (expired, stale)
        record["waiver"] = d["waiver"]
    return safe_tree(record)  # a file name's bad bytes or a broken \u escape never reach the JSON


class Reporter(BaseReporter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.findings: list[dict] = []
        self.not_checked: list[dict] = []  # files that could not be (fully) checked: why, in one line
        self.skipped: list[dict] = []  # files skipped on purpose (binary)

    def finding(self, f: Finding) -> None:
        self.findings.append(public(f))

    def file_done(self, result) -> None:
        self.not_checked += [{"path": result.path, "message": m} for m in result.errors]
        self.skipped += [{"path": result.path, "message": m} for m in result.notices]

    def finish(self, summary: Summary) -> None:
        doc = {"version": self.version, "findings": self.findings, "summary": summary.to_dict(),
               "not_checked": self.not_checked, "skipped": self.skipped}  # fmt: skip
        self.write_json(doc)
