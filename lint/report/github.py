"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff.

    ::error file=PATH,line=N,col=N,endLine=N,endColumn=N,title=RULE::message

error/warning/info map to ::error/::warning/::notice. Data and properties are escaped as GitHub's own
toolkit does (``%``, CR and LF everywhere; ``:`` and ``,`` too inside properties), so a message cannot end
the command early or smuggle in another one.
"""

from __future__ import annotations

from lint.model import Finding
from lint.report import BaseReporter, Summary, is_waived, waiver_note
from lint.report._paths import portable_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    waived = is_waived(f)  # --show-waived: a notice, so an accepted finding never fails the check
    props = {
        "file": portable_path(f.file),  # the export file of a WordPress post (export.xml#slug)
        "line": f.line,
        "col": f.column,
        "endLine": f.end_line,
        "endColumn": f.end_column,
        "title": f"{f.rule} (waived)" if waived else f.rule,
    }
    joined = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items())
    message = f"{f.message}\nSuggestion: {f.suggestion}" if f.suggestion else f.message
    if f.waiver:
        message += f"\n{waiver_note(f)}"
    return f"::{'notice' if waived else COMMANDS[f.severity]} {joined}::{escape_data(message)}"


class Reporter(BaseReporter):
    def finding(self, f: Finding) -> None:
        self.stream.write(annotation(f) + "\n")

    def finish(self, summary: Summary) -> None:
        if self.quiet:
            return
        n, plural = summary.findings, "s" * (summary.findings != 1)
        where = f"{summary.files_with_findings} of {summary.files} files"
        self.stream.write(f"clinic-lint: {n} problem{plural} in {where}\n")  # a plain log line, not a command
