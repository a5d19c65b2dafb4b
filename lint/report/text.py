"""``path:line:col: severity rule-id message`` and an indented suggestion: the shape editors jump to."""

from __future__ import annotations

from lint.model import Finding
from lint.report import BaseReporter, Summary, is_waived, waiver_note

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


class Reporter(BaseReporter):
    def _paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def finding(self, f: Finding) -> None:
        where = self._paint(f"{f.path}:{f.line}:{f.column}:", _BOLD)
        severity = self._paint(f.severity, _COLORS[f.severity])
        waived = "[waived] " if is_waived(f) else ""  # shown only with --show-waived
        self.stream.write(f"{where} {severity} {f.rule} {waived}{f.message}\n")
        if f.suggestion:
            self.stream.write(self._paint(f"    suggestion: {f.suggestion}", _DIM) + "\n")
        if f.waiver:
            self.stream.write(self._paint(f"    waiver: {waiver_note(f)}", _DIM) + "\n")
        if self.show_fixes and f.fix is not None:
            self.stream.write(self._paint(f"    fix: {fix_text(f)}", _DIM) + "\n")

    def finish(self, summary: Summary) -> None:
        if self.quiet:
            return
        n = summary.findings
        files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
        if n:
            parts = [f"{summary.by_severity[s]} {s}{'s' if s != 'info' and summary.by_severity[s] != 1 else ''}"
                     for s in ("error", "warning", "info") if summary.by_severity[s]]  # fmt: skip
            line = f"Found {n} problem{'s' if n != 1 else ''} ({', '.join(parts)}) in {summary.files_with_findings} of {files}."
        else:
            line = f"No problems found in {files}."
        if summary.fixed:
            line += f" Fixed {summary.fixed}."
        if summary.waived:
            line += f" {summary.waived} waived."
        if summary.errors:
            line += f" {summary.errors} file{'s' if summary.errors != 1 else ''} could not be checked."
        if summary.note:
            line += f" ({summary.note})"
        self.stream.write(self._paint(line, _BOLD) + "\n")


def fix_text(f: Finding) -> str:
    """``--show-fixes``: what the fix of ``f`` would write, and whether ``--fix`` applies it on its own."""
    from lint.fix import match_case

    kind = "safe, applied by --fix" if f.fix.safe else "unsafe, applied by --fix --unsafe-fixes"
    return f'replace "{f.match}" with "{match_case(f.match, f.fix.replacement)}" ({kind})'
