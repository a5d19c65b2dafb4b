"""The accelerator: which rules are worth trying on which sentences, from one scan per document.

Each pattern of a sentence rule (and of its ``requires``) gets a *condition*: a list of factors that must all
be found in a sentence for the pattern to possibly match there, each factor a set of *atoms* of which one must
be found. One scan over a document's blocks (joined with newlines) finds every atom; a block with no atom is
not even split into sentences (unless some rule is unconstrained), and each sentence is offered only the rules
whose conditions it meets. Document rules' ``when.patterns`` and ``must_contain`` are screened the same way.
The full ``regex`` rules still decide, so findings are identical with or without a prefilter, and with either
scanner:

- Hyperscan (the optional ``fast`` extra): an atom is the whole pattern rewritten to match a superset on UTF-8
  bytes (:mod:`lint.superset`), or, for patterns that rewrite would make too noisy, a required literal;
  the compiled database is serialized into the cache.
- pure Python: atoms are required literals (:mod:`lint.literals`), found by one trie regex over the lower-cased
  text.

A pattern with no usable condition is *unconstrained*: tried on every sentence. Set
``CLINIC_LINT_NO_ACCELERATOR=1`` to use the pure-Python scanner even when Hyperscan is installed.
"""
from __future__ import annotations

import bisect
import os
from collections.abc import Sequence
from typing import Any

from lint import sentences
from lint.literals import CASE_TABLE, condition, skeleton

Hit = tuple[int, int]  # (end offset in the text, atom id)
Atom = tuple[str, str]  # ("lit", lower-case ASCII string) or ("re", Hyperscan byte pattern)
Condition = tuple[frozenset[int], ...]
SentenceWork = tuple[int, int, set[int]]  # (start, end) of a sentence in its block, candidate rule indexes


class LiteralPrefilter:
    """Conditions over atoms for a list of sentence rules (and document patterns); pure-Python scanner."""

    scanner = "python"

    def __init__(self, rules: Sequence[Any], document_patterns: Sequence[Any] = ()) -> None:
        self.atoms: list[Atom] = []
        self._atom_ids: dict[Atom, int] = {}
        self.always: set[int] = set()  # rules tried on every sentence
        self.rule_needs: list[frozenset[int]] = []  # per rule, the clauses (0 patterns, 1 requires) to meet
        self.direct: list[set[int]] = []  # per atom, the rules it alone makes candidates
        self.atom_conds: list[list[int]] = []  # per atom, the multi-atom conditions it takes part in
        self.cond_rule: list[int] = []
        self.cond_clause: list[int] = []
        self.cond_factors: list[Condition] = []
        self.doc_conditions: dict[tuple[str, int], Condition | None] = {}
        for index, rule in enumerate(rules):
            self._add_rule(index, rule)
        for p in document_patterns:
            self.doc_conditions[(p.pattern, p.flags)] = self._condition(p.pattern, p.flags)
        self._scanner: Any = None
        self._prefix_table: list[list[int]] | None = None
        self._last_prose: str | None = None
        self._last_atoms: set[int] = set()

    # ------------------------------------------------------------------ building

    def _condition(self, pattern: str, flags: int) -> Condition | None:
        cond = condition(pattern, flags)
        if cond is None:
            return None
        return tuple(frozenset(self._atom(("lit", s)) for s in factor) for factor in cond)

    def _atom(self, atom: Atom) -> int:
        if atom not in self._atom_ids:
            self._atom_ids[atom] = len(self.atoms)
            self.atoms.append(atom)
            self.direct.append(set())
            self.atom_conds.append([])
        return self._atom_ids[atom]

    def _add_rule(self, index: int, rule: Any) -> None:
        clauses: list[tuple[int, list[Condition]]] = []
        for clause, patterns in enumerate((rule.patterns, rule.requires)):
            conds = [self._condition(p.pattern, p.flags) for p in patterns]
            if conds and all(c is not None for c in conds):  # one unconstrained pattern: the clause may hold anywhere
                clauses.append((clause, conds))  # type: ignore[arg-type]
        needs = frozenset(c for c, _ in clauses)
        self.rule_needs.append(needs)
        if not needs:
            self.always.add(index)
        for clause, conds in clauses:
            for cond in conds:
                if len(needs) == 1 and len(cond) == 1:  # one atom is enough: no bookkeeping per sentence
                    for atom in cond[0]:
                        self.direct[atom].add(index)
                else:
                    self._add_multi(index, clause, cond)

    def _add_multi(self, rule: int, clause: int, cond: Condition) -> None:
        cid = len(self.cond_rule)
        self.cond_rule.append(rule)
        self.cond_clause.append(clause)
        self.cond_factors.append(cond)
        for atom in set().union(*cond):
            self.atom_conds[atom].append(cid)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(_scanner=None, _last_prose=None, _last_atoms=set())  # rebuilt on first use
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # ------------------------------------------------------------------ what the matcher asks

    def candidates(self, texts: Sequence[str]) -> list[set[int]]:
        """For each sentence text, the indexes of the rules that may match it."""
        return [self._rules_for({atom for _, atom in hits}) for hits in self.scan(texts)]

    def sentence_candidates(self, blocks: Sequence[str]) -> list[list[SentenceWork]]:
        """For each block, the sentences some rule may match, with those rules' indexes."""
        per_block = self.scan(blocks)
        self._last_prose = "\n".join(blocks)
        self._last_atoms = {atom for hits in per_block for _, atom in hits}
        return [self._block_work(text, hits) if hits or self.always else [] for text, hits in zip(blocks, per_block)]

    def may_occur(self, pattern: Any, prose: str) -> bool:
        """False when ``pattern`` (a document rule's) surely does not occur in ``prose``."""
        cond = self.doc_conditions.get((pattern.pattern, pattern.flags))
        if cond is None:
            return True
        if prose != self._last_prose:
            self._last_prose = prose
            self._last_atoms = {atom for hits in self.scan([prose]) for _, atom in hits}
        return all(not f.isdisjoint(self._last_atoms) for f in cond)

    def _block_work(self, text: str, hits: list[Hit]) -> list[SentenceWork]:
        spans = sentences.split(text)
        found: list[set[int]] = [set() for _ in spans]
        ends = [e for _, e in spans]
        for end, atom in hits:
            i = bisect.bisect_left(ends, end)  # the sentence the hit ends in; none when it ends in a gap
            if i < len(spans) and spans[i][0] < end:
                found[i].add(atom)
        work = []
        for (s, e), atoms in zip(spans, found):
            rules = self._rules_for(atoms) if atoms else self.always
            if rules:
                work.append((s, e, set(rules)))
        return work

    def _rules_for(self, atoms: set[int]) -> set[int]:
        rules = set(self.always)
        direct, atom_conds = self.direct, self.atom_conds
        touched: set[int] = set()
        for atom in atoms:
            rules |= direct[atom]
            touched.update(atom_conds[atom])
        if touched:
            satisfied: dict[int, set[int]] = {}
            for cid in touched:
                if all(not f.isdisjoint(atoms) for f in self.cond_factors[cid]):
                    satisfied.setdefault(self.cond_rule[cid], set()).add(self.cond_clause[cid])
            rules.update(r for r, clauses in satisfied.items() if self.rule_needs[r] <= clauses)
        return rules

    # ------------------------------------------------------------------ scanning

    def scan(self, texts: Sequence[str]) -> list[list[Hit]]:
        """Every atom found in each text, as (end offset in that text, atom id)."""
        if not self.atoms:
            return [[] for _ in texts]
        if self._scanner is None:
            self._scanner = self._compile()
        return self._scan(texts)

    def _compile(self) -> Any:
        import re

        return re.compile(_trie([s for _, s in self.atoms]))

    def _scan(self, texts: Sequence[str]) -> list[list[Hit]]:
        joined = "\n".join(texts)
        # lower() keeps the length once the special letters are mapped (only U+0130 lowers to two characters)
        low = joined.lower() if joined.isascii() else joined.translate(CASE_TABLE).lower()
        ids, prefixes, search = self._atom_ids, self._prefixes(), self._scanner.search
        found: list[Hit] = []
        m = search(low)
        while m is not None:
            start = m.start()
            found.extend((start + n, atom) for n, atom in prefixes[ids[("lit", m.group())]])
            m = search(low, start + 1)  # the next literal may start inside this one
        return _per_text(found, [len(t) for t in texts])

    def _prefixes(self) -> list[list[tuple[int, int]]]:
        """Per atom, (length, id) of the literals that are prefixes of it (itself included): the trie reports
        the longest literal starting at a place, and every other literal starting there is a prefix of it."""
        if self._prefix_table is None:
            ids = self._atom_ids
            self._prefix_table = [
                [(k, ids[("lit", s[:k])]) for k in range(1, len(s) + 1) if ("lit", s[:k]) in ids] for _, s in self.atoms
            ]
        return self._prefix_table


class HyperscanPrefilter(LiteralPrefilter):
    """Atoms are whole patterns rewritten for Hyperscan (or required literals); one scan per document."""

    scanner = "hyperscan"

    def __init__(self, rules: Sequence[Any], document_patterns: Sequence[Any] = ()) -> None:
        super().__init__(rules, document_patterns)
        self.database = _hyperscan_database(self.atoms) if self.atoms else None

    def _condition(self, pattern: str, flags: int) -> Condition | None:
        cond = skeleton(pattern, flags)
        if cond is None:
            return None
        # One atom per pattern: its required strings in order, any text of the block between them.
        gap = "[^\\n]*"  # the scanned bytes hold newlines only between blocks
        expression = gap.join("(?:" + "|".join(_escape(s) for s in sorted(f)) + ")" for f in cond)
        return (frozenset({self._atom(("re", expression))}),)

    def _compile(self) -> Any:
        import hyperscan

        db = hyperscan.loadb(self.database, hyperscan.HS_MODE_BLOCK)
        db.scratch = hyperscan.Scratch(db)
        return db

    def _scan(self, texts: Sequence[str]) -> list[list[Hit]]:
        encoded = [_utf8(t) for t in texts]
        found: list[Hit] = []
        self._scanner.scan(b"\n".join(encoded), match_event_handler=lambda a, _s, end, _f, _c: found.append((end, a)))
        out = _per_text(found, [len(e) for e in encoded])
        for i, hits in enumerate(out):
            if hits and len(encoded[i]) != len(texts[i]):  # non-ASCII: byte offsets become str offsets
                out[i] = [(len(encoded[i][:end].decode("utf-8", "replace")), atom) for end, atom in hits]
        return out


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
    for end, atom in found:
        i = bisect.bisect_right(starts, end - 1) - 1
        out[i].append((end - starts[i], atom))
    return out


def _utf8(text: str) -> bytes:
    """The bytes Hyperscan scans: newlines only between texts, the special letters mapped to ASCII."""
    if "\n" in text:
        text = text.replace("\n", " ")
    if text.isascii():
        return text.encode("ascii")
    return text.translate(CASE_TABLE).encode("utf-8", "surrogatepass")


def _escape(literal: str) -> str:
    return "".join(chr(b) if b < 128 and chr(b).isalnum() or b == 32 else f"\\x{b:02x}" for b in literal.encode("utf-8"))


def _hyperscan_database(atoms: list[Atom]) -> bytes:
    import hyperscan

    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[text.encode("ascii") for _, text in atoms],  # _escape made them ASCII
        ids=list(range(len(atoms))),
        elements=len(atoms),
        flags=hyperscan.HS_FLAG_CASELESS,
    )
    return hyperscan.dumpb(db)


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
    digest = cache.key("prefilter", fast, _hyperscan_version() if fast else "", _patterns_key(document_patterns), *parts)
    if use_cache:
        hit = cache.load("prefilter", digest)
        if isinstance(hit, LiteralPrefilter):
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
