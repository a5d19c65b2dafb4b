"""Rules x a document's sentences -> findings at exact source positions.

Sentence rules run on one sentence at a time; their context checks (``requires``/``unless*``) see that
sentence, the text right before/after the match, or the enclosing block. Document rules run last, on the
document's prose and the sentence findings. A :class:`Prefilter` may narrow which (sentence, rule) pairs are
tried; it only ever skips work, so findings are identical with or without one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import regex

from lint import sentences
from lint.model import Document, Finding, Fix, InputError
from lint.packs import Rule
from lint.positions import Block, LineIndex

DEFAULT_TIMEOUT = 2.0  # seconds one rule may spend on one sentence before it is abandoned for the file


@dataclass(frozen=True, slots=True)
class Sentence:
    block: Block
    start: int  # prose offsets of the sentence within block.text
    end: int

    @property
    def text(self) -> str:
        return self.block.text[self.start : self.end]


class Prefilter(Protocol):
    def candidates(self, texts: Sequence[str]) -> list[set[int]]:
        """For each sentence text, the indexes of the sentence rules that may match it (a superset)."""

    # Optional, used when present: ``sentence_candidates(block_texts) -> [[(start, end, rule indexes)]]`` splits
    # only the blocks some rule may match and lists only their sentences that some rule may match.


class _Fields(dict):
    """Template values: a named group that did not take part in the match is empty, not an error."""

    def __missing__(self, key: str) -> str:
        return ""


def _in_paragraph(pattern: regex.Pattern, block: Block, timeout: float | None) -> bool:
    """Does ``pattern`` occur in the block's prose or its context (the addresses its links point to)?"""
    if pattern.search(block.text, timeout=timeout):
        return True
    return bool(block.context) and pattern.search(block.context, timeout=timeout) is not None


def render(template: str, m: regex.Match) -> str:
    fields = _Fields((k, v or "") for k, v in m.groupdict().items())
    fields["match"] = m.group()
    return template.format_map(fields)


class Matcher:
    def __init__(
        self, rules: Iterable[Rule], *, timeout: float | None = DEFAULT_TIMEOUT, prefilter: Prefilter | None = None
    ):
        rules = list(rules)
        self.sentence_rules = [r for r in rules if r.scope == "sentence"]
        self.document_rules = [r for r in rules if r.scope == "document"]
        self.timeout = timeout
        self.prefilter = prefilter

    def check(self, doc: Document, source: str, path: str) -> tuple[list[Finding], list[InputError]]:
        """Findings for one document (unsorted), and the rules that had to be abandoned on it."""
        index = LineIndex(source)
        findings: list[Finding] = []
        errors: list[InputError] = []
        abandoned: set[int] = set()
        for sent, wanted in self._work(doc):
            text = sent.text
            for rid in sorted(wanted.keys() - abandoned):
                rule = self.sentence_rules[rid]
                try:
                    for m in self._matches(rule, sent, text, wanted[rid]):
                        findings.append(self._finding(rule, sent, m, index, path, text))
                except TimeoutError:
                    abandoned.add(rid)
                    errors.append(
                        InputError(
                            f"{path}: rule '{rule.id}' took over {self.timeout}s on one sentence; skipped for this file"
                        )
                    )
        findings.extend(self._document_findings(doc, findings, index, path))
        return findings, errors

    def _work(self, doc: Document) -> list[tuple[Sentence, dict[int, frozenset[int] | None]]]:
        """The sentences to check, each with the sentence rules to try on it (and which of their patterns:
        None for all of them)."""
        split_blocks = getattr(self.prefilter, "sentence_candidates", None)
        if split_blocks is not None:  # it skips blocks, sentences and patterns that cannot match
            per_block = split_blocks([b.text for b in doc.blocks])
            return [
                (Sentence(b, s, e), wanted)
                for b, work in zip(doc.blocks, per_block, strict=True)
                for s, e, wanted in work
            ]
        sents = [Sentence(b, s, e) for b in doc.blocks for s, e in sentences.split(b.text)]
        if self.prefilter is not None:
            rule_sets = self.prefilter.candidates([s.text for s in sents])
            return [(s, dict.fromkeys(ids)) for s, ids in zip(sents, rule_sets, strict=True)]
        everything = dict.fromkeys(range(len(self.sentence_rules)))
        return [(s, everything) for s in sents]

    # ------------------------------------------------------------------ sentence rules

    def _matches(self, rule: Rule, sent: Sentence, text: str, only: frozenset[int] | None = None) -> list[regex.Match]:
        t = self.timeout
        patterns = rule.patterns if only is None else [p for i, p in enumerate(rule.patterns) if i in only]
        found = [m for p in patterns for m in p.finditer(text, timeout=t) if m.end() > m.start()]
        if not found:
            return []
        if rule.requires and not any(p.search(text, timeout=t) for p in rule.requires):
            return []
        if any(p.search(text, timeout=t) for p in rule.unless):
            return []
        if rule.unless_paragraph and any(_in_paragraph(p, sent.block, t) for p in rule.unless_paragraph):
            return []
        kept: list[regex.Match] = []
        for m in sorted(found, key=lambda m: (m.start(), -m.end())):
            if kept and m.start() < kept[-1].end():
                continue  # overlaps a match of the same rule already kept
            if any(p.search(text, 0, m.start(), timeout=t) for p in rule.unless_before):
                continue
            if any(p.match(text, m.end(), timeout=t) for p in rule.unless_after):
                continue
            kept.append(m)
        return kept

    def _finding(self, rule: Rule, sent: Sentence, m: regex.Match, index: LineIndex, path: str, text: str) -> Finding:
        start, end = sent.block.offsets.span(sent.start + m.start(), sent.start + m.end())
        line, col = index.position(start)
        end_line, end_col = index.position(end)
        fix = None if rule.fix is None else Fix(render(rule.fix.replacement, m), rule.fix.safe)
        return Finding(
            path=path, line=line, column=col, end_line=end_line, end_column=end_col,
            rule=rule.id, category=rule.category, severity=rule.severity,
            message=render(rule.message, m), suggestion=render(rule.suggestion, m), match=m.group(),
            start=start, end=end, sentence=text, fix=fix, pack=rule.pack,
        )  # fmt: skip

    # ------------------------------------------------------------------ document rules

    def _document_findings(self, doc: Document, found: list[Finding], index: LineIndex, path: str) -> list[Finding]:
        if not self.document_rules or not doc.blocks:
            return []
        prose = "\n".join(b.text for b in doc.blocks)
        out = []
        for rule in self.document_rules:
            trigger = self._trigger(rule, found, prose)
            if trigger is None:
                continue
            if any(self._search(p, prose) for p in rule.must_contain):
                continue
            out.append(self._document_finding(rule, doc, trigger, index, path))
        return out

    def _trigger(self, rule: Rule, found: list[Finding], prose: str) -> str | None:
        """Why the rule applies to this document (for the message), or None when it does not."""
        if not rule.has_when:
            return "this document"
        for f in found:
            if f.rule in rule.when_rules or f.category in rule.when_categories:
                return f'"{f.match}" (line {f.line})'
        for p in rule.when_patterns:
            m = self._search(p, prose)
            if m:
                return f'"{m.group()}"'
        return None

    def _search(self, p: regex.Pattern, prose: str) -> regex.Match | None:
        """``p.search(prose)``, skipped when the prefilter knows ``p`` cannot occur in it."""
        may_occur = getattr(self.prefilter, "may_occur", None)
        if may_occur is not None and not may_occur(p, prose):
            return None
        return p.search(prose, timeout=self.timeout)

    def _document_finding(self, rule: Rule, doc: Document, trigger: str, index: LineIndex, path: str) -> Finding:
        first = doc.blocks[0]
        s, e = sentences.split(first.text)[0]
        start, end = first.offsets.span(s, e)
        line, col = index.position(start)
        end_line, end_col = index.position(end)
        message = f"{rule.message.format_map(_Fields(match=trigger))} (triggered by {trigger})"
        return Finding(
            path=path, line=line, column=col, end_line=end_line, end_column=end_col,
            rule=rule.id, category=rule.category, severity=rule.severity, message=message,
            suggestion=rule.suggestion.format_map(_Fields(match=trigger)), match="", start=start, end=end, sentence="", pack=rule.pack,
        )  # fmt: skip
