"""The accelerator: which rules, and which of their patterns, are worth trying on which sentences.

Each pattern of a sentence rule (and of its ``requires``) is reduced to a *condition* on required literals
(:mod:`lint.literals`): factors that must all occur in a sentence, each a set of strings of which one must.
A block whose text meets no condition is not even split into sentences (unless some rule has a pattern with no
condition), and each sentence is offered only the patterns whose conditions it meets. Document rules'
``when.patterns`` and ``must_contain`` are screened the same way against the whole prose. The full ``regex``
rules still decide, so findings are identical with or without a prefilter, and with either scanner:

- Hyperscan (the optional ``fast`` extra): every factor is a quiet sub-pattern and every condition a logical
  combination of them, so Hyperscan itself reports only the conditions a block or sentence meets; the compiled
  database is serialized into the compiled-pack cache.
- pure Python: a trie regex finds every literal of the lower-cased text, and the conditions are checked in
  Python (with fewer factors, as each found literal costs time).

Set ``CLINIC_LINT_NO_ACCELERATOR=1`` to use the pure-Python scanner even when Hyperscan is installed.
"""
from __future__ import annotations

import bisect
import os
from collections.abc import Iterable, Sequence
from typing import Any

from lint import sentences
from lint.literals import CASE_TABLE, combined, condition, strip_boundaries

Hit = tuple[int, int]  # (end offset in the text, literal id)
Condition = tuple[frozenset[int], ...]  # factors of literal ids
Wanted = dict[int, "frozenset[int] | None"]  # rule index -> indexes of its patterns worth trying (None: all)
SentenceWork = tuple[int, int, Wanted]  # (start, end) of a sentence in its block, what to try on it
Use = tuple[int, int, int]  # where a condition is used: rule index, clause (0 patterns, 1 requires), pattern index


class _Screen:
    """What both scanners share: which patterns have conditions, and what met conditions make worth trying."""

    scanner = "none"

    def __init__(self, rules: Sequence[Any], document_patterns: Sequence[Any]) -> None:
        self.pattern_counts: list[int] = []
        self.free: list[frozenset[int]] = []  # per rule, its patterns with no condition: tried wherever it is
        self.requires_free: list[bool] = []  # per rule, no requires clause to meet
        self.always: set[int] = set()  # rules with free patterns and no requires clause: tried on every sentence
        self.with_free: list[int] = []  # rules with free patterns
        for index, rule in enumerate(rules):
            self._add_rule(index, rule)
        self.doc_conditions = {(p.pattern, p.flags): self._condition(p) for p in document_patterns}
        self._last_prose: str | None = None
        self._last_met: Any = None

    def _condition(self, pattern: Any) -> Any:
        """The backend's handle on ``pattern``'s condition, or None when it has none."""
        raise NotImplementedError

    def _use(self, use: Use, cond: Any) -> None:
        raise NotImplementedError

    def _add_rule(self, index: int, rule: Any) -> None:
        conds = [self._condition(p) for p in rule.patterns]
        requires = [self._condition(p) for p in rule.requires]
        free = frozenset(i for i, c in enumerate(conds) if c is None)
        requires_free = not requires or any(c is None for c in requires)
        self.pattern_counts.append(len(conds))
        self.free.append(free)
        self.requires_free.append(requires_free)
        if free:
            self.with_free.append(index)
            if requires_free:
                self.always.add(index)
        for i, cond in enumerate(conds):
            if cond is not None:
                self._use((index, 0, i), cond)
        if not requires_free:
            for i, cond in enumerate(requires):
                self._use((index, 1, i), cond)

    def _wanted(self, uses: Iterable[Use]) -> Wanted:
        """The rules, and which of their patterns, worth trying where these conditions are met."""
        met: dict[int, set[int]] = {}  # rule -> patterns whose condition is met
        requires_met: set[int] = set()
        for rule, clause, i in uses:
            if clause:
                requires_met.add(rule)
            else:
                met.setdefault(rule, set()).add(i)
        wanted: Wanted = {}
        for rule in (*met, *self.with_free):
            if rule in wanted or not (self.requires_free[rule] or rule in requires_met):
                continue
            patterns = self.free[rule].union(met.get(rule, ()))
            wanted[rule] = None if len(patterns) == self.pattern_counts[rule] else frozenset(patterns)
        return wanted

    def may_occur(self, pattern: Any, prose: str) -> bool:
        """False when ``pattern`` (a document rule's) surely does not occur in ``prose``."""
        cond = self.doc_conditions.get((pattern.pattern, pattern.flags))
        if cond is None:
            return True
        if prose != self._last_prose:
            self._last_prose, self._last_met = prose, self._prose_met(prose)
        return self._holds(cond, self._last_met)

    def _prose_met(self, prose: str) -> Any:
        raise NotImplementedError

    def _holds(self, cond: Any, met: Any) -> bool:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(_scanner=None, _last_prose=None, _last_met=None)  # rebuilt on first use
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


class LiteralPrefilter(_Screen):
    """Pure Python: a trie regex finds the literals, the conditions are checked per sentence."""

    scanner = "python"

    def __init__(self, rules: Sequence[Any], document_patterns: Sequence[Any] = ()) -> None:
        self.literals: list[str] = []  # lower-case, BOUNDARY first/last where a word must not continue
        self._ids: dict[str, int] = {}
        self.lengths: list[int] = []  # characters each literal covers in the text
        self.direct: list[list[Use]] = []  # per literal, the one-literal conditions it meets
        self.lit_conds: list[list[int]] = []  # per literal, the multi-literal conditions it takes part in
        self.cond_use: list[Use] = []
        self.cond_factors: list[Condition] = []
        self._scanner: Any = None
        super().__init__(rules, document_patterns)

    def _condition(self, pattern: Any) -> Condition | None:
        cond = condition(pattern.pattern, pattern.flags)
        if cond is None:
            return None
        return tuple(frozenset(self._literal(s) for s in factor) for factor in cond)

    def _literal(self, literal: str) -> int:
        if literal not in self._ids:
            self._ids[literal] = len(self.literals)
            self.literals.append(literal)
            self.lengths.append(len(strip_boundaries(literal)[0]))
            self.direct.append([])
            self.lit_conds.append([])
        return self._ids[literal]

    def _use(self, use: Use, cond: Condition) -> None:
        if len(cond) == 1:  # one literal meets it: no bookkeeping per sentence
            for lit in cond[0]:
                self.direct[lit].append(use)
            return
        cid = len(self.cond_use)
        self.cond_use.append(use)
        self.cond_factors.append(cond)
        for lit in set().union(*cond):
            self.lit_conds[lit].append(cid)

    def _uses(self, lits: set[int]) -> list[Use]:
        uses = [use for lit in lits for use in self.direct[lit]]
        for cid in {c for lit in lits for c in self.lit_conds[lit]}:
            if all(not f.isdisjoint(lits) for f in self.cond_factors[cid]):
                uses.append(self.cond_use[cid])
        return uses

    def _prose_met(self, prose: str) -> set[int]:
        return {lit for hits in self.scan([prose]) for _, lit in hits}

    def _holds(self, cond: Condition, met: set[int]) -> bool:
        return all(not f.isdisjoint(met) for f in cond)

    # ------------------------------------------------------------------ what the matcher asks

    def candidates(self, texts: Sequence[str]) -> list[set[int]]:
        """For each sentence text, the indexes of the rules that may match it."""
        return [set(self._wanted(self._uses({lit for _, lit in hits}))) for hits in self.scan(texts)]

    def sentence_candidates(self, blocks: Sequence[str]) -> list[list[SentenceWork]]:
        """For each block, the sentences some rule may match, with what to try on them."""
        per_block = self.scan(blocks)
        return [self._block_work(text, hits) if hits or self.always else [] for text, hits in zip(blocks, per_block)]

    def _block_work(self, text: str, hits: list[Hit]) -> list[SentenceWork]:
        spans = sentences.split(text)
        found: list[set[int]] = [set() for _ in spans]
        starts = [s for s, _ in spans]
        lengths = self.lengths
        for end, lit in hits:
            i = bisect.bisect_right(starts, end - lengths[lit]) - 1
            if i >= 0 and end <= spans[i][1]:  # a literal across two sentences belongs to neither
                found[i].add(lit)
        work = []
        for (s, e), lits in zip(spans, found):
            wanted = self._wanted(self._uses(lits))
            if wanted:
                work.append((s, e, wanted))
        return work

    # ------------------------------------------------------------------ scanning

    def scan(self, texts: Sequence[str]) -> list[list[Hit]]:
        """Every literal found in each text, as (end offset in that text, literal id)."""
        if not self.literals:
            return [[] for _ in texts]
        if self._scanner is None:
            self._scanner = self._compile()
        joined = "\n".join(texts)
        # lower() keeps the length once the special letters are mapped (only U+0130 lowers to two characters)
        low = joined.lower() if joined.isascii() else joined.translate(CASE_TABLE).lower()
        trie, prefixes = self._scanner
        found: list[Hit] = []
        m = trie.search(low)
        while m is not None:
            start = m.start()
            before = start == 0 or not _is_word(low[start - 1])
            for k, variants in prefixes[m.group()]:
                after = start + k == len(low) or not _is_word(low[start + k])
                found.extend((start + k, lit) for lit, left, right in variants if (before or not left) and (after or not right))
            m = trie.search(low, start + 1)  # the next literal may start inside this one
        return _per_text(found, [len(t) for t in texts])

    def _compile(self) -> Any:
        """(trie regex over the literals' characters, per text: [(length, [(id, left, right)])] of the literals
        that are prefixes of it): the trie reports the longest text at a place, the others there are prefixes."""
        import re

        by_text: dict[str, list[tuple[int, bool, bool]]] = {}
        for lit, literal in enumerate(self.literals):
            text, left, right = strip_boundaries(literal)
            by_text.setdefault(text, []).append((lit, left, right))
        prefixes = {
            text: [(k, by_text[text[:k]]) for k in range(1, len(text) + 1) if text[:k] in by_text] for text in by_text
        }
        return re.compile(_trie(list(by_text))), prefixes


class HyperscanPrefilter(_Screen):
    """Hyperscan checks the conditions itself: one quiet sub-pattern per factor, one logical combination per
    condition, reported at most once per scanned text. Blocks are scanned one by one, and the sentences of a
    block that meets some condition one by one."""

    scanner = "hyperscan"

    def __init__(self, rules: Sequence[Any], document_patterns: Sequence[Any] = ()) -> None:
        self.factors: dict[frozenset[str], int] = {}
        self.conditions: dict[tuple[int, ...], int] = {}
        self.cond_uses: list[list[Use]] = []
        self._scanner: Any = None
        super().__init__(rules, document_patterns)
        self.database = _combination_database(self.factors, self.conditions) if self.conditions else None

    def _condition(self, pattern: Any) -> int | None:
        factors = combined(pattern.pattern, pattern.flags)
        if factors is None:
            return None
        # Boundaries are left out: Hyperscan compiles \b slowly and refuses it in logical combinations.
        ids = tuple(self.factors.setdefault(frozenset(strip_boundaries(s)[0] for s in f), len(self.factors)) for f in factors)
        if ids not in self.conditions:
            self.conditions[ids] = len(self.conditions)
            self.cond_uses.append([])
        return self.conditions[ids]

    def _use(self, use: Use, cond: int) -> None:
        self.cond_uses[cond].append(use)

    def _met(self, text: str) -> set[int]:
        """The conditions ``text`` meets."""
        if self.database is None:
            return set()
        if self._scanner is None:
            self._scanner = _load_database(self.database)
        met: set[int] = set()
        self._scanner.scan(_utf8(text), match_event_handler=lambda cond, _s, _e, _f, _c: met.add(cond))
        return met

    def _prose_met(self, prose: str) -> set[int]:
        return self._met(prose)

    def _holds(self, cond: int, met: set[int]) -> bool:
        return cond in met

    def _wanted_for(self, met: set[int]) -> Wanted:
        return self._wanted(use for cond in met for use in self.cond_uses[cond])

    def candidates(self, texts: Sequence[str]) -> list[set[int]]:
        return [set(self._wanted_for(self._met(t))) for t in texts]

    def sentence_candidates(self, blocks: Sequence[str]) -> list[list[SentenceWork]]:
        return [self._block_work(text) for text in blocks]

    def _block_work(self, text: str) -> list[SentenceWork]:
        met = self._met(text)
        if not met and not self.always:
            return []
        spans = sentences.split(text)
        work = []
        for s, e in spans:
            # One sentence: the block's scan says it all; else each sentence is scanned on its own.
            wanted = self._wanted_for(met if len(spans) == 1 or not met else self._met(text[s:e]))
            if wanted:
                work.append((s, e, wanted))
        return work


def _is_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _trie(words: Sequence[str]) -> str:
    """A regex matching the longest of ``words`` at a place: each branch point tests distinct characters."""
    import re

    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _per_text(found: list[Hit], lengths: list[int]) -> list[list[Hit]]:
    """Hits in texts joined with one separator -> hits per text, offsets local to it."""
    out: list[list[Hit]] = [[] for _ in lengths]
    if not found:
        return out
    starts, pos = [], 0
    for n in lengths:
        starts.append(pos)
        pos += n + 1
    for end, lit in found:
        i = bisect.bisect_right(starts, end - 1) - 1
        out[i].append((end - starts[i], lit))
    return out


def _utf8(text: str) -> bytes:
    """The bytes Hyperscan scans: the special letters mapped to ASCII, as for the pure-Python scanner."""
    if text.isascii():
        return text.encode("ascii")
    return text.translate(CASE_TABLE).encode("utf-8", "surrogatepass")


def _escape(text: str) -> str:
    return "".join(chr(b) if b < 128 and chr(b).isalnum() or b == 32 else f"\\x{b:02x}" for b in text.encode("utf-8"))


def _combination_database(factors: dict[frozenset[str], int], conditions: dict[tuple[int, ...], int]) -> bytes:
    """Factors are quiet (ids after the conditions'); a condition is reported once per scan when all its
    factors occurred. Caseless is ASCII only: the scanned text has the special letters mapped."""
    import hyperscan

    base = len(conditions)
    expressions, ids, flags = [], [], []
    for strings, fid in factors.items():
        expressions.append("(?:" + "|".join(_escape(s) for s in sorted(strings)) + ")")
        ids.append(base + fid)
        flags.append(hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_QUIET)
    for factor_ids, cid in conditions.items():
        terms = [str(base + f) for f in factor_ids] * (2 if len(factor_ids) == 1 else 1)  # "a | a": one needs an operator
        expressions.append((" | " if len(factor_ids) == 1 else " & ").join(terms))
        ids.append(cid)
        flags.append(hyperscan.HS_FLAG_COMBINATION | hyperscan.HS_FLAG_SINGLEMATCH)
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=[e.encode("ascii") for e in expressions], ids=ids, elements=len(ids), flags=flags)
    return hyperscan.dumpb(db)


def _load_database(data: bytes) -> Any:
    import hyperscan

    db = hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK)
    db.scratch = hyperscan.Scratch(db)
    return db


# --------------------------------------------------------------------------- building, cached


def accelerator_available() -> bool:
    if os.environ.get("CLINIC_LINT_NO_ACCELERATOR"):
        return False
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def build_prefilter(rules: Sequence[Any], *, document_patterns: Sequence[Any] = (), use_cache: bool = True) -> _Screen:
    """The prefilter for these sentence rules (and document patterns): Hyperscan when installed; cached."""
    from lint import cache

    fast = accelerator_available()
    parts = [_patterns_key(r.patterns) + "\0requires\0" + _patterns_key(r.requires) for r in rules]
    digest = cache.key("prefilter", fast, _hyperscan_version() if fast else "", _patterns_key(document_patterns), *parts)
    if use_cache:
        hit = cache.load("prefilter", digest)
        if isinstance(hit, _Screen):
            return hit
    prefilter = _build(rules, document_patterns, fast)
    if use_cache:
        cache.store("prefilter", digest, prefilter)
    return prefilter


def _build(rules: Sequence[Any], document_patterns: Sequence[Any], fast: bool) -> _Screen:
    if fast:
        try:
            return HyperscanPrefilter(rules, document_patterns)
        except Exception:  # noqa: BLE001 - the pure-Python scanner gives the same findings
            pass
    return LiteralPrefilter(rules, document_patterns)


def _patterns_key(patterns: Sequence[Any]) -> str:
    return "\0".join(f"{p.flags}:{p.pattern}" for p in patterns)


def _hyperscan_version() -> str:
    import hyperscan

    return str(getattr(hyperscan, "__version__", "?"))
