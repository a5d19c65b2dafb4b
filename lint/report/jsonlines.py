"""JSON Lines: one JSON object per finding (the same record as ``--format json``), written as it is found."""

from __future__ import annotations

import json

from lint.model import Finding
from lint.report import BaseReporter, Summary
from lint.report.json import public


class Reporter(BaseReporter):
    def finding(self, f: Finding) -> None:
        self.stream.write(json.dumps(public(f), ensure_ascii=False) + "\n")
        self.stream.flush()  # consumers read the stream as it grows

    def finish(self, summary: Summary) -> None:
        """Nothing: every line is a finding, so a summary record would break consumers."""
