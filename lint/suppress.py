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
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lint.model import Comment, Finding
from lint.positions import LineIndex
from lint.yamlsource import did_you_mean

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
# What the editor's "suppress" action writes for the reason: until someone replaces it, no reason was given.
REASON_PLACEHOLDER = "<reason>"
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
    used: bool = False  # it covers a finding (a finding at or after start, before end, of its target)


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
    kept = _unsuppressed(findings, scopes)
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
        if kind != "enable" and directive.reason in ("", REASON_PLACEHOLDER):
            message = f"clinic-lint-{kind} gives no reason after ' -- '"
            if directive.reason:
                message = f"clinic-lint-{kind}: replace {REASON_PLACEHOLDER} with why the copy is acceptable"
            problems.add("suppression-missing-reason", message, comment)
        out.append(directive)
    return out


_HINTS = 50  # unknown ids a file gets a "did you mean" for: each is a fuzzy search over every known id


def _check_targets(directives: list[Directive], known: frozenset[str], problems: _Problems) -> None:
    hints: dict[str, str] = {}  # unknown id -> its "did you mean", looked up once
    for d in directives:
        unknown = [t for t in d.targets if t != ALL and t not in known]
        if unknown:
            names = ", ".join(f"'{t}'" for t in unknown)
            hint = " (separate the reason with ' -- ')" if d.reason == "" and len(d.targets) > 1 else ""
            if not hint and unknown[0] not in hints and len(hints) < _HINTS:
                hints[unknown[0]] = did_you_mean(unknown[0], known)
            hint = hint or hints.get(unknown[0], "")
            message = f"{names}: not a rule id, category or pack name{hint}"
            problems.add("unknown-suppression-target", message, d.comment)


# --------------------------------------------------------------------------- where each directive applies
# Everything here is linear (times a log) in the directives and findings: a page may hold thousands of
# directives, and a scan per directive over all the others, or every finding against every scope, is not.


def _scopes(directives: list[Directive], comments: Sequence[Comment], text: str, problems: _Problems) -> list[Scope]:
    scopes: list[Scope] = []
    open_ = _OpenRanges()
    lines = _ProseLines(text, comments)
    for d in directives:
        if d.kind == "disable-file":
            scopes += [Scope(d, t, 0, len(text)) for t in d.targets]
        elif d.kind == "disable-next-line":
            start, end = lines.after(d.comment.end)
            scopes += [Scope(d, t, start, end) for t in d.targets]
        elif d.kind == "disable":
            for t in d.targets:
                open_.add(Scope(d, t, d.comment.end, len(text)))
        else:
            _close(d, open_, scopes, problems)
    return scopes + open_.remaining()  # a disable never enabled runs to the end of the file


class _OpenRanges:
    """Disable ranges waiting for their enable, in the order they opened, found by target."""

    def __init__(self) -> None:
        self._scopes: dict[int, Scope] = {}  # opening order -> scope (dicts keep insertion order)
        self._by_target: dict[str, list[int]] = {}
        self._count = 0

    def add(self, scope: Scope) -> None:
        self._scopes[self._count] = scope
        self._by_target.setdefault(scope.target, []).append(self._count)
        self._count += 1

    def take(self, targets: tuple[str, ...]) -> list[Scope]:
        """Remove and return the open ranges of ``targets`` (all of them for ALL), in opening order."""
        if ALL in targets:
            taken = list(self._scopes.values())
            self._scopes.clear()
            self._by_target.clear()
            return taken
        keys = sorted(k for t in dict.fromkeys(targets) for k in self._by_target.pop(t, ()))
        return [self._scopes.pop(k) for k in keys]

    def remaining(self) -> list[Scope]:
        return list(self._scopes.values())


def _close(enable: Directive, open_: _OpenRanges, scopes: list[Scope], problems: _Problems) -> None:
    """End the open disable ranges that ``enable`` names (all of them when it names none)."""
    closing = open_.take(enable.targets)
    closed = {s.target for s in closing}
    missing = [t for t in enable.targets if t != ALL and t not in closed]
    if missing or not closing:
        names = " " + ", ".join(f"'{t}'" for t in missing) if missing else ""
        message = f"clinic-lint-enable{names}: no clinic-lint-disable to end"
        problems.add("invalid-suppression", message, enable.comment)
    for s in closing:
        s.end = enable.comment.start
        scopes.append(s)


def next_prose_line(text: str, after: int, comments: Sequence[Comment]) -> tuple[int, int]:
    """The source range of the first line after the one ``after`` is on that has prose.

    Blank lines and lines holding only comments (stacked directives) are skipped. ``(0, 0)`` when none.
    """
    return _ProseLines(text, comments).after(after)


class _ProseLines:
    """:func:`next_prose_line` for many directives of one text, in source order: stacked directives share one
    scan (each remembers where the scans through it ended), and the line end after a directive is looked up
    once for all the directives on that line."""

    def __init__(self, text: str, comments: Sequence[Comment]) -> None:
        self.text = text
        self.ends = {c.start: c.end for c in comments}
        self.found: dict[int, tuple[int, int]] = {}  # a position a scan passed -> the line it found
        self._last: tuple[int, int] | None = None  # (offset asked, the first line feed at or after it)

    def after(self, offset: int) -> tuple[int, int]:
        text = self.text
        if self._last is not None and self._last[0] <= offset and (self._last[1] < 0 or offset <= self._last[1]):
            nl = self._last[1]  # no line feed between the last offset asked and this one: the same line end
        else:
            nl = text.find("\n", offset)
            self._last = (offset, nl)
        if nl < 0:
            return 0, 0
        pos = nl + 1
        passed = []
        answer = (0, 0)
        while pos < len(text):
            if pos in self.found:
                answer = self.found[pos]
                break
            passed.append(pos)
            if text[pos].isspace():
                pos += 1
            elif pos in self.ends:
                pos = max(self.ends[pos], pos + 1)
            else:
                line_start = text.rfind("\n", 0, pos) + 1
                line_end = text.find("\n", pos)
                answer = line_start, len(text) if line_end < 0 else line_end
                break
        for p in passed:
            self.found[p] = answer
        return answer


# --------------------------------------------------------------------------- applying and checking use


def _unsuppressed(findings: list[Finding], scopes: list[Scope]) -> list[Finding]:
    """The findings no scope covers. Every scope that covers a finding counts as used (so none is reported
    as unused): per target, a scope is used when the first finding at or after its start lies before its
    end, and a finding is covered when it lies in the union of its targets' ranges."""
    starts: dict[str, list[int]] = {}
    for f in findings:
        for target in {ALL, f.rule, f.category, f.pack}:
            starts.setdefault(target, []).append(f.start)
    for found in starts.values():
        found.sort()
    ranges: dict[str, list[tuple[int, int]]] = {}
    for s in scopes:
        found = starts.get(s.target, ())
        k = bisect_left(found, s.start)
        if k < len(found) and found[k] < s.end:
            s.used = True
        if s.start < s.end:
            ranges.setdefault(s.target, []).append((s.start, s.end))
    covered = {target: _union(spans) for target, spans in ranges.items()}
    return [f for f in findings if not any(_inside(covered.get(t), f.start) for t in (ALL, f.rule, f.category, f.pack))]


def _union(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Overlapping ``[start, end)`` ranges merged: (starts, ends) of disjoint ranges, in order."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(spans):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _inside(union: tuple[list[int], list[int]] | None, offset: int) -> bool:
    if union is None:
        return False
    starts, ends = union
    k = bisect_right(starts, offset) - 1
    return k >= 0 and offset < ends[k]


def _check_used(directives: list[Directive], scopes: list[Scope], active: frozenset[str], problems: _Problems) -> None:
    of_directive: dict[int, list[Scope]] = {}
    for s in scopes:
        of_directive.setdefault(id(s.directive), []).append(s)
    for d in directives:
        if d.kind == "enable":
            continue
        idle = [s.target for s in of_directive.get(id(d), ()) if not s.used and _can_judge(s.target, active)]
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
