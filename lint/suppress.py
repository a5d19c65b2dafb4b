"""Inline suppressions: ``clinic-lint-disable*`` directives in comments.

    <!-- clinic-lint-disable-next-line RULE_OR_CATEGORY[,...] -- reason -->
    <!-- clinic-lint-disable RULE_OR_CATEGORY[,...] -- reason -->
    ...
    <!-- clinic-lint-enable RULE_OR_CATEGORY[,...] -->
    <!-- clinic-lint-disable-file RULE_OR_CATEGORY[,...] -- reason -->

An omitted list means every rule; an id may be a rule id, a category or a pack name. A directive that gives
no reason, names something unknown, cannot be parsed or suppresses nothing is reported itself, as a finding
of the reserved pseudo-category ``clinic-lint`` at the severity of the ``unused-suppression`` setting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lint.model import Comment, Finding
from lint.positions import LineIndex

TOOL_CATEGORY = "clinic-lint"  # reserved: never a taxonomy category, so packs cannot use it
# rule id -> (short description, what to do); used for the findings and for SARIF rule descriptors
TOOL_RULES: dict[str, tuple[str, str]] = {
    "suppression-missing-reason": (
        "A clinic-lint-disable directive gives no reason.",
        "Say why the copy is acceptable after ' -- ', e.g. "
        "<!-- clinic-lint-disable-next-line RULE -- quoting the label -->.",
    ),
    "unused-suppression": (
        "A clinic-lint-disable directive suppresses nothing.",
        "Remove the directive, or the ids in it that no longer match anything.",
    ),
    "unknown-suppression-target": (
        "A clinic-lint directive names something that is not a rule id, category or pack name.",
        "Check the spelling; `clinic-lint rules` lists every rule id, category and pack.",
    ),
    "invalid-suppression": (
        "A clinic-lint directive that cannot be understood.",
        "Use clinic-lint-disable-next-line, clinic-lint-disable, clinic-lint-enable or clinic-lint-disable-file.",
    ),
}
KINDS = ("disable-next-line", "disable", "enable", "disable-file")
ALL = "*"  # the target of a directive without a list

_DIRECTIVE = re.compile(r"\s*clinic-lint-(?P<kind>[a-z]+(?:-[a-z]+)*)(?P<rest>.*)", re.S)
_SEPARATORS = re.compile(r"[\s,]+")


@dataclass
class Directive:
    kind: str
    targets: tuple[str, ...]  # (ALL,) when the list was omitted
    reason: str
    comment: Comment


@dataclass
class Scope:
    """One target of one directive over the source range ``[start, end)``."""

    directive: Directive
    target: str
    start: int
    end: int
    used: bool = False

    def covers(self, f: Finding) -> bool:
        return self.start <= f.start < self.end and self.target in (ALL, f.rule, f.category, f.pack)


@dataclass
class _Problems:
    """Tool findings waiting for positions: (rule, message, comment)."""

    items: list[tuple[str, str, Comment]] = field(default_factory=list)

    def add(self, rule: str, message: str, comment: Comment) -> None:
        self.items.append((rule, message, comment))


def apply(
    findings: list[Finding], comments: Sequence[Comment], text: str, path: str, *,
    known: frozenset[str], active: frozenset[str], severity: str,
) -> list[Finding]:  # fmt: skip
    """Drop the suppressed findings and add findings for useless or unexplained directives. ``known`` holds
    every rule id, category and pack name; ``active`` those of the rules this run uses; ``severity`` is the
    ``unused-suppression`` setting."""
    if not any("clinic-lint-" in c.text for c in comments):
        return findings  # the common case: nothing to do
    problems = _Problems()
    directives = parse(comments, problems)
    _check_targets(directives, known, problems)
    scopes = _scopes(directives, comments, text, problems)
    kept = [f for f in findings if not _suppressed(f, scopes)]
    _check_used(directives, scopes, active, problems)
    if severity == "off" or not problems.items:
        return kept
    index = LineIndex(text)
    tool = [_tool_finding(rule, msg, c, text, path, severity, index) for rule, msg, c in problems.items]
    return kept + tool


# --------------------------------------------------------------------------- parsing


def parse(comments: Iterable[Comment], problems: _Problems) -> list[Directive]:
    """The directives among ``comments``, in source order; malformed ones go to ``problems``."""
    out = []
    for comment in comments:
        m = _DIRECTIVE.match(comment.text)
        if m is None:
            continue
        kind, rest = m.group("kind"), m.group("rest")
        if kind not in KINDS:
            problems.add("invalid-suppression", f"unknown directive 'clinic-lint-{kind}'", comment)
            continue
        ids, _, reason = rest.partition("--")
        targets = tuple(t for t in _SEPARATORS.split(ids.strip()) if t) or (ALL,)
        directive = Directive(kind, targets, reason.strip(), comment)
        if kind != "enable" and not directive.reason:
            message = f"clinic-lint-{kind} gives no reason after ' -- '"
            problems.add("suppression-missing-reason", message, comment)
        out.append(directive)
    return out


def _check_targets(directives: list[Directive], known: frozenset[str], problems: _Problems) -> None:
    for d in directives:
        unknown = [t for t in d.targets if t != ALL and t not in known]
        if unknown:
            names = ", ".join(f"'{t}'" for t in unknown)
            hint = " (separate the reason with ' -- ')" if d.reason == "" and len(d.targets) > 1 else ""
            message = f"{names}: not a rule id, category or pack name{hint}"
            problems.add("unknown-suppression-target", message, d.comment)


# --------------------------------------------------------------------------- where each directive applies


def _scopes(directives: list[Directive], comments: Sequence[Comment], text: str, problems: _Problems) -> list[Scope]:
    scopes: list[Scope] = []
    open_: list[Scope] = []  # disable ranges waiting for their enable
    for d in directives:
        if d.kind == "disable-file":
            scopes += [Scope(d, t, 0, len(text)) for t in d.targets]
        elif d.kind == "disable-next-line":
            start, end = next_prose_line(text, d.comment.end, comments)
            scopes += [Scope(d, t, start, end) for t in d.targets]
        elif d.kind == "disable":
            open_ += [Scope(d, t, d.comment.end, len(text)) for t in d.targets]
        else:
            _close(d, open_, scopes, problems)
    return scopes + open_  # a disable never enabled runs to the end of the file


def _close(enable: Directive, open_: list[Scope], scopes: list[Scope], problems: _Problems) -> None:
    """End the open disable ranges that ``enable`` names (all of them when it names none)."""
    closing = [s for s in open_ if ALL in enable.targets or s.target in enable.targets]
    missing = [t for t in enable.targets if t != ALL and not any(s.target == t for s in closing)]
    if missing or not closing:
        names = " " + ", ".join(f"'{t}'" for t in missing) if missing else ""
        message = f"clinic-lint-enable{names}: no clinic-lint-disable to end"
        problems.add("invalid-suppression", message, enable.comment)
    for s in closing:
        s.end = enable.comment.start
        open_.remove(s)
        scopes.append(s)


def next_prose_line(text: str, after: int, comments: Sequence[Comment]) -> tuple[int, int]:
    """The source range of the first line after the one ``after`` is on that has prose.

    Blank lines and lines holding only comments (stacked directives) are skipped. ``(0, 0)`` when none.
    """
    starts = {c.start: c.end for c in comments}
    nl = text.find("\n", after)
    if nl < 0:
        return 0, 0
    pos = nl + 1
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
        elif pos in starts:
            pos = max(starts[pos], pos + 1)
        else:
            line_start = text.rfind("\n", 0, pos) + 1
            line_end = text.find("\n", pos)
            return line_start, len(text) if line_end < 0 else line_end
    return 0, 0


# --------------------------------------------------------------------------- applying and checking use


def _suppressed(f: Finding, scopes: list[Scope]) -> bool:
    hit = False
    for s in scopes:
        if s.covers(f):
            s.used = hit = True  # every covering directive counts as used, so none is reported as unused
    return hit


def _check_used(directives: list[Directive], scopes: list[Scope], active: frozenset[str], problems: _Problems) -> None:
    for d in directives:
        if d.kind == "enable":
            continue
        idle = [s.target for s in scopes if s.directive is d and not s.used and _can_judge(s.target, active)]
        if idle:
            names = "every rule" if idle == [ALL] else ", ".join(f"'{t}'" for t in idle)
            problems.add("unused-suppression", f"clinic-lint-{d.kind} {names} suppresses nothing", d.comment)


def _can_judge(target: str, active: frozenset[str]) -> bool:
    """Whether this run can call a target unused: one none of whose rules ran might well match."""
    return target == ALL or target in active


def _tool_finding(
    rule: str, message: str, c: Comment, text: str, path: str, severity: str, index: LineIndex
) -> Finding:
    line, col = index.position(c.start)
    end_line, end_col = index.position(c.end)
    return Finding(
        path=path, line=line, column=col, end_line=end_line, end_column=end_col,
        rule=rule, category=TOOL_CATEGORY, severity=severity, message=message, suggestion=TOOL_RULES[rule][1],
        match=text[c.start : c.end], start=c.start, end=c.end, sentence=c.text, pack=TOOL_CATEGORY,
    )  # fmt: skip
