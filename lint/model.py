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
    part: str = ""  # the post of a WordPress export this is (its slug or id); "" for a whole file


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
    product: str = ""  # the approved-indications entry behind the finding, if a rule consulted it
    context: tuple[str, ...] = ()  # the assertion-context modifiers found (none of them cancels this rule)
    related: list[dict[str, Any]] = field(default_factory=list)  # overlapping findings of the same category
    part: str = ""  # a post of a WordPress export: ``path`` is then ``file#part``
    waiver: dict[str, Any] | None = None  # the waiver that covers it (active) or used to (expired, stale)

    @property
    def file(self) -> str:
        """The file the finding is in (``path`` without the ``#post`` of a WordPress export)."""
        return self.path[: -len(self.part) - 1] if self.part else self.path

    @classmethod
    def at(
        cls, path: str, index: Any, start: int, end: int, rule: Any, *, message: str, suggestion: str, match: str,
        sentence: str, fix: Fix | None = None, product: str = "", context: tuple[str, ...] = (),
    ) -> Finding:  # fmt: skip
        """The one place a finding is made: ``rule``'s finding on source offsets ``[start, end)``, located
        by ``index`` (a :class:`~lint.positions.LineIndex` of the file)."""
        line, column = index.position(start)
        end_line, end_column = index.position(end)
        return cls(
            path=path, line=line, column=column, end_line=end_line, end_column=end_column,
            rule=rule.id, category=rule.category, severity=rule.severity, message=message,
            suggestion=suggestion, match=match, start=start, end=end, sentence=sentence, fix=fix,
            pack=rule.pack, product=product, context=context,
        )  # fmt: skip

    def related_record(self) -> dict[str, Any]:
        """This finding as related information of another one (the same problem, found by another rule)."""
        return {
            "rule": self.rule, "line": self.line, "column": self.column, "end_line": self.end_line,
            "end_column": self.end_column, "match": self.match, "message": self.message,
            "start": self.start, "end": self.end,
        }  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The public record every output format is built from."""
        record = {
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
        if self.product:
            record["product"] = self.product
        if self.context:
            record["context"] = list(self.context)
        if self.related:  # source offsets stay internal, as for the finding itself
            record["related"] = [{k: v for k, v in r.items() if k not in ("start", "end")} for r in self.related]
        if self.waiver is not None:
            record["waiver"] = dict(self.waiver)
        return record

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
