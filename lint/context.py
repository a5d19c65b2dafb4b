"""Assertion context: is a candidate finding negated, a question, hypothetical, reported and rebutted, cited?

The engine classifies every candidate once, the way the NegEx/ConText algorithm does (Chapman et al.;
medspaCy's ConText): a *trigger* ("no", "has not been shown", "some clinics claim") opens a *scope* of up to N
words forward (or backward) that stops early at a *terminator* ("but", "however", ";"); a *pseudo-trigger*
("not only", "no doubt") looks like a trigger and is not one. A candidate whose words fall in a scope carries
that modifier; a rule's ``cancelled_by`` (or its category's default) decides which modifiers drop it. A
trigger inside the candidate's own words does not count: "not habit-forming" is itself the claim.

Two modifiers are not scoped: ``question`` (the sentence ends with "?", unless it opens like a sales hook:
"Want to lose 10 pounds?") and ``cited`` (the sentence carries a verifiable reference: author and year,
journal, DOI, PMID, a link, a footnote marker the document resolves). ``cited-paragraph`` is the same
reference anywhere in the sentence's paragraph: it cancels an appeal to research, not a claim the reference
is not about.

The lexicon is data: ``rules/_context.yaml``, with examples that run as tests.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex

from lint.tokens import Tokens, tokenize
from lint.wordpattern import Compiled, PatternError, compile_pattern, stream_regex
from lint.yamlsource import Where, check_keys, mapping, read_yaml, string, string_list

MODIFIERS = ("negated", "question", "hypothetical", "reported", "cited", "cited-paragraph")
MARK = regex.compile(r"\[\[(.+?)\]\]")  # the target of a context example: "There is no [[cure]] for it."


@dataclass(frozen=True, slots=True)
class Trigger:
    source: str
    pattern: re.Pattern
    direction: str  # "forward" | "backward"
    scope: int  # how many words the scope reaches
    needs_after: re.Pattern | None = None  # e.g. a rebuttal that must follow an attribution


@dataclass(frozen=True, slots=True)
class Modifier:
    name: str
    description: str
    triggers: tuple[Trigger, ...] = ()
    pseudo: tuple[tuple[re.Pattern, frozenset[str] | None], ...] = ()  # each with the words it can start with
    terminators: re.Pattern | None = None
    hooks: tuple[re.Pattern, ...] = ()  # question: openings that make a "?" a sales hook, not a question
    citations: tuple[re.Pattern, ...] = ()  # cited: word patterns over the stream
    citation_regex: tuple[regex.Pattern, ...] = ()  # cited: patterns over the text (DOIs, links)
    applies: tuple[str, ...] = ()  # examples
    does_not_apply: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """One modifier that applies to a candidate, and the words that triggered it."""

    modifier: str
    trigger: str

    def __str__(self) -> str:
        return f"{self.modifier} ({self.trigger!r})" if self.trigger else self.modifier


@dataclass
class SentenceView:
    """What context classification needs to know about one sentence (and caches while it works)."""

    text: str  # the block's prose
    tokens: Tokens  # the block's tokens
    first: int  # the sentence's tokens are [first, last)
    last: int
    context: str = ""  # the block's link addresses
    has_references: bool = False  # the document resolves footnote markers
    _scopes: dict[str, _Triggers] = field(default_factory=dict)
    _cited: dict[str, str | None] = field(default_factory=dict)
    memo: dict = field(default_factory=dict)  # the matcher's per-sentence results (see lint.match)
    block_memo: dict = field(default_factory=dict)  # shared by the views of one block: paragraph-wide results
    _words: set[str] | None = None

    def words(self) -> set[str]:
        """The sentence's distinct words."""
        if self._words is None:
            self._words = set(self.tokens.norms[self.first : self.last])
        return self._words


@dataclass
class _Triggers:
    """A modifier's triggers in one sentence, sorted by where they start, and how far any reaches."""

    scopes: list[tuple[int, int, int, int, str]]  # (trigger first, end, scope first, end, trigger text)
    firsts: list[int]
    reach: int  # the longest distance from a trigger's start to either end of its trigger or scope

    @classmethod
    def of(cls, scopes: list[tuple[int, int, int, int, str]]) -> _Triggers:
        scopes.sort()
        reach = max(
            (max(t_last, s_last) - min(t_first, s_first) for t_first, t_last, s_first, s_last, _ in scopes), default=0
        )
        return cls(scopes, [s[0] for s in scopes], reach)


class ContextLexicon:
    def __init__(self, modifiers: dict[str, Modifier], defaults: dict[str, frozenset[str]]) -> None:
        self.modifiers = modifiers
        self.defaults = defaults

    # ------------------------------------------------------------------------------------ classification

    def classify(
        self, view: SentenceView, first: int, last: int, wanted: Sequence[str] = MODIFIERS,
        gaps: Sequence[tuple[int, int]] = (),
    ) -> list[Hit]:  # fmt: skip
        """The modifiers (of those ``wanted``) that apply to the candidate made of tokens ``[first, last)``.
        ``gaps`` are the token ranges inside it that the rule's pattern skipped over, not spelled out: a
        trigger there counts ("half of patients do not respond"), a trigger the pattern spelled does not
        ("not habit-forming")."""
        hits: list[Hit] = []
        for name in wanted:
            modifier = self.modifiers.get("cited" if name == "cited-paragraph" else name)
            if modifier is None:
                continue
            if name == "question":
                hit = self._question(modifier, view)
            elif name in ("cited", "cited-paragraph"):
                hit = self._cited(modifier, view, paragraph=name == "cited-paragraph")
            else:
                hit = self._scoped(modifier, view, first, last, gaps)
            if hit is not None:
                hits.append(hit)
        return hits

    def _scoped(
        self, modifier: Modifier, view: SentenceView, first: int, last: int, gaps: Sequence[tuple[int, int]] = ()
    ) -> Hit | None:
        triggers = view._scopes.get(modifier.name)
        if triggers is None:
            triggers = view._scopes[modifier.name] = _Triggers.of(_scopes(modifier, view))
        # Only triggers that start near the candidate can touch it: a window, not the whole sentence.
        lo = bisect.bisect_left(triggers.firsts, first - triggers.reach)
        hi = bisect.bisect_right(triggers.firsts, last + triggers.reach)
        for t_first, t_last, s_first, s_last, text in triggers.scopes[lo:hi]:
            if first <= t_first < last:  # the trigger starts in the candidate's words ("none of the risks")
                if any(g_first <= t_first and t_last <= g_last for g_first, g_last in gaps):
                    return Hit(modifier.name, text)  # in words the pattern skipped: it modifies the claim
                continue  # the trigger is part of the candidate's own words ("not habit-forming")
            if t_first <= first and last <= t_last:
                return Hit(modifier.name, text)  # the candidate is inside the trigger's words
            if first < s_last and s_first < last:
                return Hit(modifier.name, text)
        return None

    def _question(self, modifier: Modifier, view: SentenceView) -> Hit | None:
        norms = view.tokens.norms
        end = view.last
        while end > view.first and not any(ch.isalnum() for ch in norms[end - 1]) and norms[end - 1] != "?":
            end -= 1  # closing quotes, brackets, emoji after the question mark
        if end <= view.first or norms[end - 1] != "?":
            return None
        pos, endpos = view.tokens.stream_range(view.tokens.opening(view.first, view.last), view.last)
        if any(h.match(view.tokens.stream, pos, endpos) for h in modifier.hooks):
            return None
        return Hit(modifier.name, "?")

    def _cited(self, modifier: Modifier, view: SentenceView, paragraph: bool) -> Hit | None:
        """A reference in the sentence; with ``paragraph``, in its paragraph (or the link addresses there)."""
        if "sentence" not in view._cited:
            pos, endpos = view.tokens.stream_range(view.first, view.last)
            start = view.tokens.starts[view.first] if view.first < view.last else 0
            end = view.tokens.ends[view.last - 1] if view.first < view.last else 0
            view._cited["sentence"] = _citation(modifier, view, view.tokens.stream, pos, endpos, view.text, start, end)
        found = view._cited["sentence"]
        if found is None and paragraph:
            if "cited-block" not in view.block_memo:  # once per paragraph, however many sentences ask
                view.block_memo["cited-block"] = _citation(
                    modifier, view, view.tokens.stream, 0, len(view.tokens.stream), view.text, 0, len(view.text)
                ) or (_citation(modifier, view, "", 0, 0, view.context, 0, len(view.context)) if view.context else None)
            found = view.block_memo["cited-block"]
        return None if found is None else Hit("cited-paragraph" if paragraph else "cited", found)

    # ------------------------------------------------------------------------------------ examples

    def run_examples(self) -> list[str]:
        """Failures of the lexicon's own examples (``[[target]]`` marks the candidate)."""
        failures = []
        for modifier in self.modifiers.values():
            for expected, examples in ((True, modifier.applies), (False, modifier.does_not_apply)):
                for example in examples:
                    got = self.example_applies(modifier.name, example)
                    if modifier.name == "cited":  # the paragraph counts for the examples too
                        got = got or self.example_applies("cited-paragraph", example)
                    if got != expected:
                        verb = "should apply" if expected else "should not apply"
                        failures.append(f"context '{modifier.name}' {verb}: {example}")
        return failures

    def example_applies(self, name: str, example: str) -> bool:
        m = MARK.search(example)
        text = MARK.sub(lambda m: m.group(1), example)
        tokens = tokenize(text)
        if m is None:
            first, last = 0, len(tokens)
        else:
            start = m.start()  # the marks are removed: the target starts where the first mark stood
            end = start + len(m.group(1))
            first, last = tokens.token_range(start, end)
        view = SentenceView(text, tokens, 0, len(tokens), has_references=True)
        return bool(self.classify(view, first, last, [name]))


def _scopes(modifier: Modifier, view: SentenceView) -> list[tuple[int, int, int, int, str]]:
    """Every trigger of the modifier in the sentence: (trigger tokens, scope tokens, trigger text)."""
    toks = view.tokens
    pos, endpos = toks.stream_range(view.first, view.last)
    stream = toks.stream
    blocked: dict[int, int] = {}  # pseudo-trigger first token -> its end (the longest from there)
    for p, starts_with in modifier.pseudo:
        for m in toks.each_match(p, view.first, view.last, starts_with):
            b_first, b_last = toks.token_at(m.start()), toks.token_at(m.end() - 2) + 1
            blocked[b_first] = max(blocked.get(b_first, 0), b_last)
    blocked_firsts = sorted(blocked)
    longest = max((b_last - b_first for b_first, b_last in blocked.items()), default=0)
    stops = []  # sorted: found left to right
    if modifier.terminators is not None:
        stops = [toks.token_at(m.start()) for m in modifier.terminators.finditer(stream, pos, endpos)]
    out = []
    for trigger in modifier.triggers:
        for m in trigger.pattern.finditer(stream, pos, endpos):
            t_first, t_last = toks.token_at(m.start()), toks.token_at(m.end() - 2) + 1
            if _inside_pseudo(blocked, blocked_firsts, longest, t_first, t_last):
                continue
            if trigger.needs_after is not None and not trigger.needs_after.search(stream, m.end(), endpos):
                continue
            if trigger.direction == "forward":
                s_first = t_last
                s_last = _reach(toks.norms, t_last, view.last, trigger.scope, 1)
                k = bisect.bisect_left(stops, t_last)  # the first terminator at or after the trigger
                if k < len(stops):
                    s_last = min(s_last, stops[k])
            else:
                s_last = t_first
                s_first = _reach(toks.norms, t_first - 1, view.first - 1, trigger.scope, -1) + 1
                k = bisect.bisect_left(stops, t_first)  # the last terminator before the trigger
                if k > 0:
                    s_first = max(s_first, stops[k - 1] + 1)
            out.append((t_first, t_last, s_first, s_last, m.group().strip()))
    return out


def _inside_pseudo(blocked: dict[int, int], firsts: list[int], longest: int, t_first: int, t_last: int) -> bool:
    """Is the trigger ``[t_first, t_last)`` part of a pseudo-trigger ("not only")? Only those that start at
    most the longest one's length before it can hold it."""
    lo = bisect.bisect_left(firsts, t_first - longest)
    hi = bisect.bisect_right(firsts, t_first)
    return any(blocked[b] >= t_last for b in firsts[lo:hi])


def _reach(norms: list[str], start: int, stop: int, words: int, step: int) -> int:
    """From ``start``, walk ``step`` by ``step`` over up to ``words`` words (punctuation is free) toward
    ``stop``; the index just past the last word reached (forward) or the last index reached (backward)."""
    i, count = start, 0
    while i != stop:
        if norms[i][:1].isalnum():
            count += 1
            if count > words:
                break
        i += step
    return i


def _citation(
    modifier: Modifier, view: SentenceView, stream: str, pos: int, endpos: int, text: str, start: int, end: int
) -> str | None:
    for p in modifier.citations:
        m = p.search(stream, pos, endpos) if stream else None
        if m is not None:
            return m.group().strip()
    for p in modifier.citation_regex:
        m = p.search(text, start, end)
        if m is not None:
            marker = m.groupdict().get("footnote")
            if marker is not None and not view.has_references:
                continue
            return m.group()
    return None


# ---------------------------------------------------------------------------------------------- loading


def load_context(path: Path, resolve) -> ContextLexicon:
    """Load ``rules/_context.yaml``; ``resolve`` compiles vocabulary references in its word patterns."""
    from lint.taxonomy import CATEGORIES

    data = read_yaml(path, "context lexicon")
    where = Where(str(path), data)
    if not isinstance(data, dict):
        where.fail("the context lexicon must be a mapping with modifiers and defaults")
    check_keys(where, data, {"modifiers", "defaults"}, {"modifiers", "defaults"}, "context lexicon")
    modifiers_data, mw = mapping(where, data, "modifiers", "modifiers must be a mapping")
    modifiers = {}
    for name, body in modifiers_data.items():
        w = mw.at(name, modifiers_data)
        if name not in MODIFIERS or name == "cited-paragraph":
            mw.key(name, modifiers_data).fail(f"unknown modifier '{name}' (one of {', '.join(MODIFIERS[:-1])})")
        modifiers[name] = _modifier(w, str(name), body, resolve)
    defaults_data, dw = mapping(
        where, data, "defaults", "defaults must map each category to the modifiers that cancel its findings"
    )
    defaults = {}
    for category, names in defaults_data.items():
        if category not in CATEGORIES:
            dw.key(category, defaults_data).fail(f"defaults: unknown category '{category}'")
        listed = string_list(dw.at(category, defaults_data), names, f"defaults.{category}")
        for n in listed:
            if n not in MODIFIERS:
                dw.at(category, defaults_data).fail(f"defaults.{category}: unknown modifier '{n}'")
        defaults[str(category)] = frozenset(listed)
    return ContextLexicon(modifiers, defaults)


def _modifier(where: Where, name: str, body: object, resolve) -> Modifier:
    if not isinstance(body, dict):
        where.fail(f"modifier '{name}' must be a mapping")
    allowed = {"description", "triggers", "pseudo", "terminators", "hooks", "citations", "examples"}
    check_keys(where, body, allowed, {"description", "examples"}, f"modifier '{name}'")

    def words(key: str) -> list[re.Pattern]:
        items = string_list(where.at(key, body), body.get(key, []), f"{name}.{key}")
        return [_compile(where.at(key, body), item, resolve, f"{name}.{key}") for item in items]

    triggers = []
    tw = where.at("triggers", body)
    for index, item in enumerate(body.get("triggers", []) or []):
        iw = tw.item(index, body["triggers"])
        if isinstance(item, str):
            item = {"words": item}
        if not isinstance(item, dict):
            iw.fail(f"{name}.triggers[{index}] must be words or {{words, scope, direction, needs_after}}")
        check_keys(iw, item, {"words", "scope", "direction", "needs_after"}, {"words"}, f"{name}.triggers[{index}]")
        direction = item.get("direction", "forward")
        if direction not in ("forward", "backward"):
            iw.at("direction", item).fail(f"{name}: direction must be forward or backward")
        scope = item.get("scope", 5)
        if not isinstance(scope, int) or isinstance(scope, bool) or not 1 <= scope <= 40:
            iw.at("scope", item).fail(f"{name}: scope is a number of words from 1 to 40")
        source = string(iw.at("words", item), item["words"], f"{name}.triggers[{index}]")
        needs = item.get("needs_after")
        triggers.append(
            Trigger(
                source,
                _compile(iw, source, resolve, name),
                direction,
                scope,
                None
                if needs is None
                else _compile(iw.at("needs_after", item), str(needs), resolve, name, anchor=False),
            )
        )
    terminators = words("terminators")
    citations: list[re.Pattern] = []
    citation_regex: list[regex.Pattern] = []
    cw = where.at("citations", body)
    for index, item in enumerate(body.get("citations", []) or []):
        iw = cw.item(index, body["citations"])
        if isinstance(item, dict):
            check_keys(iw, item, {"regex"}, {"regex"}, f"{name}.citations[{index}]")
            try:
                citation_regex.append(regex.compile(str(item["regex"])))
            except regex.error as exc:
                iw.fail(f"{name}.citations[{index}]: regex does not compile: {exc}")
        else:
            citations.append(_compile(iw, string(iw, item, name), resolve, name))
    examples = body["examples"]
    ew = where.at("examples", body)
    if not isinstance(examples, dict):
        ew.fail(f"modifier '{name}': examples must be a mapping with applies and does_not_apply")
    check_keys(ew, examples, {"applies", "does_not_apply"}, {"applies", "does_not_apply"}, f"{name}.examples")
    return Modifier(
        name=name,
        description=" ".join(string(where.at("description", body), body["description"], name).split()),
        triggers=tuple(triggers),
        pseudo=tuple(
            (re.compile(c.regex), c.first)
            for c in (
                _compiled(where.at("pseudo", body), item, resolve, f"{name}.pseudo")
                for item in string_list(where.at("pseudo", body), body.get("pseudo", []), f"{name}.pseudo")
            )
        ),
        terminators=_union(terminators),
        hooks=tuple(words("hooks")),
        citations=tuple(citations),
        citation_regex=tuple(citation_regex),
        applies=tuple(string_list(ew.at("applies", examples), examples["applies"], f"{name}.examples.applies")),
        does_not_apply=tuple(
            string_list(
                ew.at("does_not_apply", examples), examples["does_not_apply"], f"{name}.examples.does_not_apply"
            )
        ),
    )


def _compile(where: Where, source: str, resolve, what: str, anchor: bool = True) -> re.Pattern:
    return re.compile(_compiled(where, source, resolve, what).regex)


def _compiled(where: Where, source: str, resolve, what: str) -> Compiled:
    try:
        return compile_pattern(source, resolve)
    except PatternError as exc:
        where.fail(f"{what}: {exc}")
        raise  # pragma: no cover


def _union(patterns: list[re.Pattern]) -> re.Pattern | None:
    if not patterns:
        return None
    return re.compile(stream_regex("|".join(f"(?:{p.pattern})" for p in patterns)))
