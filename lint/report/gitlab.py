"""GitLab Code Quality: a JSON array of issues, shown in the merge request widget and on the diff.

Each finding becomes ``{"description", "check_name", "fingerprint", "severity", "location": {"path",
"positions": {"begin": {"line", "column"}, "end": {...}}}}`` (GitLab's required fields; the Code Climate
``content.body`` carries the suggestion). Paths are relative to the working directory (the checkout). The
fingerprint is a digest of the baseline fingerprint (rule + matched text + sentence, not the line) and the
occurrence count, so GitLab recognises the same finding on the source and target branches.

Code Quality has no notion of an accepted finding, so with ``--show-waived`` a waived finding is marked in
its own words: ``(waived)`` after the rule in the description, severity ``info`` (the lowest),
and the waiver (who, when, until when, why) in the body. Its fingerprint stays that of the finding, so GitLab
sees the same issue before and after the waiver.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from lint.baseline import fingerprint
from lint.model import Finding
from lint.report import BaseReporter, Summary, is_waived, waiver_note
from lint.report._paths import portable_path

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


class Reporter(BaseReporter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issues: list[dict[str, Any]] = []
        self.seen: Counter = Counter()

    def finding(self, f: Finding) -> None:
        path = portable_path(f.file)  # the export file of a WordPress post (export.xml#slug)
        base = fingerprint(f)
        self.seen[path, f.rule, base] += 1
        ident = f"{path}\0{f.rule}\0{base}\0{self.seen[path, f.rule, base]}"
        waived = is_waived(f)
        issue: dict[str, Any] = {
            "description": f"{f.rule}{' (waived)' if waived else ''}: {f.message}",
            "check_name": f.rule,
            "fingerprint": hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32],
            "severity": "info" if waived else SEVERITIES[f.severity],
            "location": {
                "path": path,
                "positions": {
                    "begin": {"line": f.line, "column": f.column},
                    "end": {"line": f.end_line, "column": f.end_column},
                },
            },
        }
        # the waiver: who accepted it (waived), or why its waiver no longer holds (expired, stale)
        body = [f"Suggestion: {f.suggestion}"] if f.suggestion else []
        if f.waiver:
            body.append(waiver_note(f))
        if body:
            issue["content"] = {"body": "\n\n".join(body)}
        self.issues.append(issue)

    def finish(self, summary: Summary) -> None:
        self.write_json(self.issues)
