"""The accelerator: which rules, and which of their patterns, are worth trying on which sentences.

Each pattern of a sentence rule (and of its ``requires``) is reduced to a *condition* (:mod:`lint.literals`):
*factors* that must all occur in a sentence for the pattern to match there, each a set of strings of which
one must. The rarer factors of a condition are its *anchors*; the others are checked only where the anchors
are found.

One scan over a document's prose finds every anchor. A block without any is not even split into sentences
(unless some pattern has no condition); in the others, each sentence is offered only the patterns whose
anchors all occur in it and whose other factors it contains too. Document rules' ``when.patterns`` and
``must_contain`` are screened against the whole prose the same way. The full ``regex`` rules still decide:
the conditions may let through too much, never too little, so findings are identical with or without a
prefilter, and with either scanner of the anchors:

- Hyperscan (the optional ``fast`` extra): one pattern per anchor, compiled once and serialized into the
  compiled-pack cache;
- pure Python: one trie regex over the lower-cased text.

Set ``CLINIC_LINT_NO_ACCELERATOR=1`` to use the pure-Python scanner even when Hyperscan is installed.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from lint import sentences
from lint.literals import CASE_SPECIALS, CASE_TABLE, STRONG, bare_score, condition, strip_boundaries

Hit = tuple[int, int]  # (end offset in the scanned text, anchor factor id)
Wanted = dict[int, "frozenset[int] | None"]  # rule index -> indexes of its patterns worth trying (None: all)
SentenceWork = tuple[int, int, Wanted]  # (start, end) of a sentence in its block, what to try on it
Use = tuple[int, int, int]  # a condition's rule index, clause (0 patterns, 1 requires), pattern index
TRIE_AFTER = 50_000  # characters looked through string by string before the trie regex is worth compiling


class LiteralPrefilter:
    """Conditions of the rules' patterns, checked with the pure-Python scanner."""

    scanner = "python"

    def __init__(self, rules: Sequence[Any], document_patterns: Sequence[Any] = ()) -> None:
        self.factors: list[frozenset[str]] = []  # strings with literals.BOUNDARY marks
        self._factor_ids: dict[frozenset[str], int] = {}
        self.anchors: set[int] = set()  # the factors the scan looks for
        self.conditions: list[tuple[tuple[int, ...], tuple[int, ...]]] = []  # (anchors, others)
        self._condition_ids: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
        self.uses: list[list[Use]] = []  # per condition, the patterns it screens
        self.by_anchor: dict[int, list[int]] = {}  # anchor -> conditions needing it
        self.pattern_counts: list[int] = []
        self.free: list[frozenset[int]] = []  # per rule, its patterns with no condition: tried wherever it is
        self.requires_free: list[bool] = []  # per rule, no requires clause to meet
        self.always: set[int] = set()  # rules with free patterns and no requires clause: on every sentence
        self.with_free: list[int] = []
        for index, rule in enumerate(rules):
            self._add_rule(index, rule)
        self.doc_conditions = {(p.pattern, p.flags): self._condition(p) for p in document_patterns}
        self._scanner: Any = None
        self._scanned = 0  # characters scanned before the trie was compiled
        self._strings: dict[str, list[int]] | None = None
        self._verifiers: dict[int, Any] = {}
        self._last_prose: str | None = None
        self._last_met: set[int] = set()

    # ------------------------------------------------------------------ building

    def _condition(self, pattern: Any) -> int | None:
        found = condition(pattern.pattern, pattern.flags)
        if found is None:
            return None
        ids = [self._factor(f) for f in found]
        # The rare factors are looked for; the common ones only checked where those were found. Scanners
        # look for the strings without their boundaries, so that is how rare an anchor must be.
        rarity = {i: bare_score(self.factors[i]) for i in ids}
        anchors = tuple(sorted({i for i in ids if rarity[i] >= STRONG} or {max(ids, key=rarity.__getitem__)}))
        key = (anchors, tuple(sorted(set(ids) - set(anchors))))
        if key not in self._condition_ids:
            self._condition_ids[key] = len(self.conditions)
            self.conditions.append(key)
            self.uses.append([])
            self.anchors.update(anchors)
            for a in anchors:
                self.by_anchor.setdefault(a, []).append(self._condition_ids[key])
        return self._condition_ids[key]

    def _factor(self, strings: frozenset[str]) -> int:
        fid = self._factor_ids.get(strings)
        if fid is None:
            fid = self._factor_ids[strings] = len(self.factors)
            self.factors.append(strings)
        return fid

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
                self.uses[cond].append((index, 0, i))
        if not requires_free:
            for i, cond in enumerate(requires):
                self.uses[cond].append((index, 1, i))  # type: ignore[index]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(_scanner=None, _scanned=0, _strings=None, _verifiers={}, _last_prose=None, _last_met=set())
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def ready(self) -> bool:
        """Can this prefilter scan here? (A cached Hyperscan database may come from another machine.)"""
        return True

    # ------------------------------------------------------------------ what the matcher asks

    def candidates(self, texts: Sequence[str]) -> list[set[int]]:
        """For each sentence text, the indexes of the rules that may match it."""
        scanned = zip(texts, self.scan(texts), strict=True)
        return [set(self._wanted(text, {a for _, a in hits})) for text, hits in scanned]

    def sentence_candidates(self, blocks: Sequence[str]) -> list[list[SentenceWork]]:
        """For each block, the sentences some rule may match, with what to try on them."""
        per_block = self.scan(blocks)
        self._last_prose = "\n".join(blocks)  # what the scan saw; document rules search this very text
        found = {a for hits in per_block for _, a in hits}
        self._last_met = self._met(self._last_prose, found, self.doc_ids())
        return [
            self._block_work(text, hits) if hits or self.always else []
            for text, hits in zip(blocks, per_block, strict=True)
        ]

    def may_occur(self, pattern: Any, prose: str) -> bool:
        """False when ``pattern`` (a document rule's) surely does not occur in ``prose``."""
        cond = self.doc_conditions.get((pattern.pattern, pattern.flags))
        if cond is None:
            return True
        if prose != self._last_prose:
            self._last_prose = prose
            found = {a for hits in self.scan([prose]) for _, a in hits}
            self._last_met = self._met(prose, found, self.doc_ids())
        return cond in self._last_met

    def doc_ids(self) -> set[int]:
        return {c for c in self.doc_conditions.values() if c is not None}

    def _block_work(self, text: str, hits: list[Hit]) -> list[SentenceWork]:
        spans = sentences.split(text)
        found: list[set[int]] = [set() for _ in spans]
        ends = [e for _, e in spans]
        for end, anchor in hits:
            i = bisect.bisect_left(ends, end)  # the sentence the anchor ends in; none when it ends in a gap
            if i < len(spans) and spans[i][0] < end:
                found[i].add(anchor)
        work = []
        for (s, e), anchors in zip(spans, found, strict=True):
            wanted = self._wanted(text[s:e], anchors) if anchors else {r: None for r in self.always}
            if wanted:
                work.append((s, e, wanted))
        return work

    def _met(self, text: str, anchors: set[int], among: Iterable[int] | None = None) -> set[int]:
        """The conditions met by ``text``, in which these anchors were found."""
        touched = {c for a in anchors for c in self.by_anchor.get(a, ())}
        if among is not None:
            touched &= set(among)
        low: str | None = None
        met = set()
        for cid in touched:
            need, others = self.conditions[cid]
            if not anchors.issuperset(need):
                continue
            if others:
                low = _mapped(text).lower() if low is None else low
                if not all(self._verifier(f).search(low) for f in others):
                    continue
            met.add(cid)
        return met

    def _verifier(self, factor: int) -> Any:
        """A regex finding any string of a factor in lower-cased text, boundaries included."""
        found = self._verifiers.get(factor)
        if found is None:
            found = re.compile("|".join(_regex_literal(s) for s in self.factors[factor]))
            self._verifiers[factor] = found
        return found

    def _wanted(self, text: str, anchors: set[int]) -> Wanted:
        """The rules, and which of their patterns, worth trying on ``text``, where these anchors are."""
        return self._wanted_from(self._met(text, anchors))

    def _wanted_from(self, conditions: Iterable[int]) -> Wanted:
        """The rules, and which of their patterns, worth trying where these conditions are met."""
        met: dict[int, set[int]] = {}  # rule -> patterns whose condition is met
        requires_met: set[int] = set()
        for cid in conditions:
            for rule, clause, i in self.uses[cid]:
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

    # ------------------------------------------------------------------ scanning for anchors

    def scan(self, texts: Sequence[str]) -> list[list[Hit]]:
        """Every anchor found in each text, as (end offset in that text, factor id)."""
        if not self.anchors:
            return [[] for _ in texts]
        if self._scanner is None:
            self._scanned += sum(map(len, texts))
            if self._scanned <= TRIE_AFTER:  # a post or two: looking for each string costs less than the trie
                return self._find_each(texts)
            self._scanner = self._compile()
        return self._scan(texts)

    def _find_each(self, texts: Sequence[str]) -> list[list[Hit]]:
        low = _mapped("\n".join(texts)).lower()
        found: list[Hit] = []
        for text, fids in self._anchor_strings().items():
            i = low.find(text)
            while i >= 0:
                found.extend((i + len(text), fid) for fid in fids)
                i = low.find(text, i + 1)
        return _per_text(found, [len(t) for t in texts])

    def _anchor_strings(self) -> dict[str, list[int]]:
        """Each string the scan looks for (boundaries left out), with the anchor factors holding it."""
        if self._strings is None:
            by_text: dict[str, set[int]] = {}
            for fid in self.anchors:
                for s in self.factors[fid]:
                    by_text.setdefault(strip_boundaries(s)[0], set()).add(fid)
            self._strings = {text: sorted(fids) for text, fids in by_text.items()}
        return self._strings

    def _compile(self) -> Any:
        """(trie regex over the anchors' strings, per string: [(length, factor ids)] of the strings that are
        prefixes of it): the trie finds the longest string at a place, the others there are its prefixes."""
        by_text = self._anchor_strings()
        prefixes = {
            text: [(k, by_text[text[:k]]) for k in range(1, len(text) + 1) if text[:k] in by_text] for text in by_text
        }
        return re.compile(_trie(list(by_text))), prefixes

    def _scan(self, texts: Sequence[str]) -> list[list[Hit]]:
        low = _mapped("\n".join(texts)).lower()  # same length: offsets hold (see _mapped)
        trie, prefixes = self._scanner
        found: list[Hit] = []
        m = trie.search(low)
        while m is not None:
            start = m.start()
            found.extend((start + k, fid) for k, fids in prefixes[m.group()] for fid in fids)
            m = trie.search(low, start + 1)  # the next string may start inside this one
        return _per_text(found, [len(t) for t in texts])


class HyperscanPrefilter(LiteralPrefilter):
    """The same conditions, checked by Hyperscan itself: every factor is a quiet pattern and every condition a
    logical combination of its factors, reported at most once per scanned text. So no factor costs anything
    where it is found; Hyperscan reports only the conditions a text meets. Blocks are scanned one by one, and
    the sentences of a block that meets some condition one by one. Document patterns have a database of
    their own, for the whole prose."""

    scanner = "hyperscan"

    def __init__(self, rules: Sequence[Any], document_patterns: Sequence[Any] = ()) -> None:
        super().__init__(rules, document_patterns)
        sentence_conditions = [c for c, uses in enumerate(self.uses) if uses]
        self.database = self._database(sentence_conditions)
        self.doc_database = self._database(sorted(self.doc_ids()))
        self._doc_scanner: Any = None

    def _database(self, conditions: list[int]) -> bytes | None:
        if not conditions:
            return None
        wanted = {cid: (*self.conditions[cid][0], *self.conditions[cid][1]) for cid in conditions}
        factors = sorted({f for ids in wanted.values() for f in ids})
        return _combination_database({f: self.factors[f] for f in factors}, wanted, len(self.conditions))

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        # Hyperscan holds the factors now; their strings serve the pure-Python scanner only.
        state.update(_doc_scanner=None, factors=[], _factor_ids={}, by_anchor={}, anchors=set())
        return state

    def ready(self) -> bool:
        try:
            self._scan_met("")
            self._scan_met("", doc=True)
        except Exception:  # noqa: BLE001 - e.g. a database built for another CPU: it is rebuilt here
            return False
        return True

    def _scan_met(self, text: str, doc: bool = False) -> set[int]:
        """The conditions ``text`` meets (sentence conditions, or document ones)."""
        if doc:
            if self.doc_database is None:
                return set()
            if self._doc_scanner is None:
                self._doc_scanner = _load_database(self.doc_database)
            scanner = self._doc_scanner
        else:
            if self.database is None:
                return set()
            if self._scanner is None:
                self._scanner = _load_database(self.database)
            scanner = self._scanner
        met: set[int] = set()
        scanner.scan(_utf8(text), match_event_handler=lambda cid, _s, _e, _f, _c: met.add(cid))
        return met

    def candidates(self, texts: Sequence[str]) -> list[set[int]]:
        return [set(self._wanted_from(self._scan_met(t))) for t in texts]

    def sentence_candidates(self, blocks: Sequence[str]) -> list[list[SentenceWork]]:
        return [self._scanned_block(text) for text in blocks]

    def may_occur(self, pattern: Any, prose: str) -> bool:
        cond = self.doc_conditions.get((pattern.pattern, pattern.flags))
        if cond is None:
            return True
        if prose != self._last_prose:
            self._last_prose, self._last_met = prose, self._scan_met(prose, doc=True)
        return cond in self._last_met

    def _scanned_block(self, text: str) -> list[SentenceWork]:
        met = self._scan_met(text)
        if not met and not self.always:
            return []
        spans = sentences.split(text)
        work = []
        for s, e in spans:
            # One sentence: the block's scan says it all; else each sentence is scanned on its own.
            wanted = self._wanted_from(met if len(spans) == 1 or not met else self._scan_met(text[s:e]))
            if wanted:
                work.append((s, e, wanted))
        return work


# --------------------------------------------------------------------------- helpers


def _regex_literal(literal: str) -> str:
    """A literal as a (lower-case) ``re`` pattern; BOUNDARY is "no ASCII word character there" (any other
    character may be a non-word one, which only lets more through)."""
    text, left, right = strip_boundaries(literal)
    return f"{'(?<![a-z0-9_])' if left else ''}{re.escape(text)}{'(?![a-z0-9_])' if right else ''}"


def _trie(words: Sequence[str]) -> str:
    """A regex matching the longest of ``words`` at a place: each branch point tests distinct characters."""
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
    for end, fid in found:
        i = bisect.bisect_right(starts, end - 1) - 1
        out[i].append((end - starts[i], fid))
    return out


def _mapped(text: str) -> str:
    """``text`` with the special letters (K, ſ, İ) as the ASCII ones the regex module takes them for; the
    length stays, and lower() keeps it then (only U+0130 lowers to two characters)."""
    if text.isascii() or not any(ch in text for ch in CASE_SPECIALS):
        return text  # str.translate costs a dictionary lookup per character: skip it when it changes nothing
    return text.translate(CASE_TABLE)


def _utf8(text: str) -> bytes:
    """The bytes Hyperscan scans: the special letters mapped to ASCII, as for the pure-Python scanner."""
    if text.isascii():
        return text.encode("ascii")
    return _mapped(text).encode("utf-8", "surrogatepass")


def _escape(text: str) -> str:
    plain = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
    return "".join(chr(b) if b in plain else f"\\x{b:02x}" for b in text.encode("utf-8"))


def _combination_database(
    factors: dict[int, frozenset[str]], conditions: dict[int, tuple[int, ...]], offset: int
) -> bytes:
    """Quiet caseless factors (ids shifted by ``offset``) and one combination per condition, reported once
    per scan. Boundaries are left out (Hyperscan compiles \\b slowly and refuses it in combinations);
    caseless is ASCII only: the scanned text has the special letters mapped."""
    import hyperscan

    expressions, ids, flags = [], [], []
    for fid, strings in factors.items():
        expressions.append("(?:" + "|".join(sorted({_escape(strip_boundaries(s)[0]) for s in strings})) + ")")
        ids.append(offset + fid)
        flags.append(hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_QUIET)
    for cid, factor_ids in conditions.items():
        terms = [str(offset + f) for f in factor_ids]
        # A combination needs an operator: "a | a" for a single factor.
        expressions.append(" & ".join(terms) if len(terms) > 1 else f"{terms[0]} | {terms[0]}")
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


def build_prefilter(
    rules: Sequence[Any], *, document_patterns: Sequence[Any] = (), use_cache: bool = True
) -> LiteralPrefilter:
    """The prefilter for these sentence rules (and document patterns): Hyperscan when installed; cached."""
    from lint import cache

    fast = accelerator_available()
    parts = [_patterns_key(r.patterns) + "\0requires\0" + _patterns_key(r.requires) for r in rules]
    version = _hyperscan_version() if fast else ""
    digest = cache.key("prefilter", fast, version, _patterns_key(document_patterns), *parts)
    if use_cache:
        hit = cache.load("prefilter", digest)
        if isinstance(hit, LiteralPrefilter) and hit.ready():
            return hit
    prefilter = _build(rules, document_patterns, fast)
    if use_cache:
        cache.store("prefilter", digest, prefilter)
    return prefilter


def _build(rules: Sequence[Any], document_patterns: Sequence[Any], fast: bool) -> LiteralPrefilter:
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
