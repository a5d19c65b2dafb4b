"""The records that flow through the pipeline: documents, findings, and the errors that stop a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lint.positions import Block

SEVERITIES = ("info", "warning", "error")  # ascending; index is the rank


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment in the source (HTML/Markdown comment, or a directive line in plain text)."""

    text: str  # the comment body, without <!-- -->
    start: int  # source offsets of the whole comment
    end: int


@dataclass(slots=True)
class Document:
    """What an extractor returns: the prose blocks of one file and its comments, in source order."""

    blocks: list[Block]
    comments: list[Comment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Fix:
    replacement: str
    safe: bool


@dataclass(slots=True)
class Finding:
    """One problem at an exact place. ``start``/``end`` are source character offsets (end exclusive)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    rule: str
    category: str
    severity: str
    message: str
    suggestion: str
    match: str
    start: int = 0
    end: int = 0
    sentence: str = ""  # the sentence the match was found in (baseline fingerprints use it)
    fix: Fix | None = None
    pack: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The public record every output format is built from."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
            "match": self.match,
            "fix": None if self.fix is None else {"replacement": self.fix.replacement, "safe": self.fix.safe},
        }

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)


class LintError(Exception):
    """A problem that stops the run with a one-line message and an exit code (2: usage/config/pack)."""

    exit_code = 2


class InputError(Exception):
    """A file that could not be (fully) checked: unreadable, undecodable, vanished, a rule timed out.

    It is reported as one line and the run goes on; the run's exit code becomes 3.
    """

    exit_code = 3
