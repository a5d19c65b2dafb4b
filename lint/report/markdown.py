"""A Markdown summary for CI: ``$GITHUB_STEP_SUMMARY``, a pull-request or merge-request comment.

Counts first, then each page with findings (riskiest first) folded in a ``<details>`` block: every finding
with its rule, place, message, the quoted sentence with the words in bold, and the suggestion. Everything
taken from the copy is escaped, so a page cannot inject markup into the comment. The output stops adding
pages before it outgrows a comment (GitHub takes 65,536 characters) and says how many it left out.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from lint.model import Finding
from lint.report import BaseReporter, Summary, is_waived, waiver_note
from lint.report._paths import portable_path

ORDER = ("error", "warning", "info")
MAX_CHARS = 60_000  # room under GitHub's 65,536-character comment limit for the closing note
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")  # inline markup and HTML; & so entities stay text
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")  # would start a list, quote or heading line


def escape(text: str) -> str:
    """``text`` as literal Markdown on one line: markup characters escaped, white space collapsed."""
    return _guard(_inline(" ".join(text.split())))


def _inline(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _guard(text: str) -> str:
    """Escape what would make the line a list item, quote or heading ("1." becomes "1\\.")."""
    m = _LINE_START.match(text)
    if m is None:
        return text
    lead, mark = m.group(1), m.group(2)
    if mark.isdigit():
        return f"{lead}{mark}\\{text[m.end() :]}"
    return f"{lead}\\{mark}{text[m.end() :]}"


def quoted(f: Finding) -> str:
    """The finding's sentence, escaped, with the matched words in bold."""
    sentence = " ".join((f.sentence or f.match).split())
    match = " ".join(f.match.split())
    at = sentence.find(match) if match else -1
    if at < 0:
        return escape(sentence)
    before, after = sentence[:at], sentence[at + len(match) :]
    return _guard(f"{_inline(before)}**{_inline(match)}**{_inline(after)}")


class Reporter(BaseReporter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages: dict[str, list[Finding]] = {}
        self.unchecked: list[str] = []

    def finding(self, f: Finding) -> None:
        self.pages.setdefault(f.path, []).append(f)

    def file_done(self, result: Any) -> None:
        self.unchecked += result.errors

    def finish(self, summary: Summary) -> None:
        out = [_heading(summary), "", *_counts(summary), ""]
        if self.unchecked:
            out += ["**Not fully checked:**", "", *(f"- {escape(e)}" for e in self.unchecked), ""]
        pages = sorted(self.pages.items(), key=lambda kv: _risk(kv[0], kv[1]))
        size = sum(len(line) + 1 for line in out)
        for i, (path, findings) in enumerate(pages):
            block = _page(path, findings)
            if size + len(block) > MAX_CHARS:
                rest = pages[i:]
                n = sum(len(fs) for _, fs in rest)
                out.append(
                    f"_…and {len(rest)} more page{'s' * (len(rest) != 1)} with {n} findings: see the full report._"
                )
                break
            out.append(block)
            size += len(block) + 1
        self.stream.write("\n".join(out).rstrip("\n") + "\n")


def _heading(summary: Summary) -> str:
    n, pages = summary.findings, summary.files
    if not n:
        return f"### clinic-lint: no problems in {pages} page{'s' * (pages != 1)}"
    return (
        f"### clinic-lint: {n} problem{'s' * (n != 1)} in {summary.files_with_findings} of "
        f"{pages} page{'s' * (pages != 1)}"
    )


def _counts(summary: Summary) -> list[str]:
    head = "| | " + " | ".join(f"{s}s" if s != "info" else s for s in ORDER) + " | waived |"
    row = "| findings | " + " | ".join(str(summary.by_severity[s]) for s in ORDER) + f" | {summary.waived} |"
    lines = [head, "|---|" + "---:|" * (len(ORDER) + 1), row]
    if summary.by_category:
        lines += ["", "| category | findings |", "|---|---:|"]
        lines += [
            f"| {escape(c)} | {n} |" for c, n in sorted(summary.by_category.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return lines


def _risk(path: str, findings: list[Finding]) -> tuple:
    counts = Counter(f.severity for f in findings if not is_waived(f))
    return (*(-counts[s] for s in ORDER), path)


def _page(path: str, findings: list[Finding]) -> str:
    reported = [f for f in findings if not is_waived(f)]
    waived = [f for f in findings if is_waived(f)]
    counts = Counter(f.severity for f in reported)
    parts = [f"{counts[s]} {s}{'s' * (counts[s] != 1 and s != 'info')}" for s in ORDER if counts[s]]
    if waived:
        parts.append(f"{len(waived)} waived")
    lines = [
        f"<details><summary><code>{_html(portable_path(path))}</code>: {', '.join(parts)}</summary>",
        "",
    ]
    for f in reported:
        lines += _item(f)
    if waived:
        lines += ["**Waived:**", ""]
        for f in waived:
            lines.append(f"- `{f.rule}` line {f.line}: {escape(waiver_note(f))}")
        lines.append("")
    lines += ["</details>", ""]
    return "\n".join(lines)


def _item(f: Finding) -> list[str]:
    lines = [f"- **{f.severity}** `{f.rule}` line {f.line}, column {f.column}: {escape(f.message)}"]
    if f.match:
        lines += ["", f"  > {quoted(f)}"]
    if f.suggestion:
        label = "Text to add" if not f.match else "Suggestion"
        lines += ["", f"  {label}: {escape(f.suggestion)}"]
    if f.waiver:
        lines += ["", f"  Waiver: {escape(waiver_note(f))}"]
    lines.append("")
    return lines


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
