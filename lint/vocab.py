"""Named vocabularies: the word lists rules share, ``<condition>``, ``<efficacy>``, ``<product>``.

A vocabulary is a list of word patterns (:mod:`lint.wordpattern`), or a set of *concepts*, each with an id and
its own patterns (the ``<condition>`` vocabulary's "ptsd" concept covers "PTSD" and "post-traumatic stress
disorder"), so a rule can ask which concept a match was. Vocabularies may use other vocabularies. The shared
ones live in ``rules/_vocabularies.yaml`` and ``rules/_conditions.yaml``; the approved-indications knowledge
adds ``<product>``; a pack may define its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lint.model import LintError
from lint.tokens import Tokens
from lint.wordpattern import (
    NAME,
    Choice,
    Compiled,
    Item,
    PatternError,
    Ref,
    Resolver,
    Seq,
    compile_seq,
    parse,
    stream_regex,
)
from lint.yamlsource import Where

# Characters one vocabulary, entry or pattern may compile to. The largest shipped are ~45,000; vocabularies
# that use each other more than once per entry multiply at every level (a 1 KB pack of 14 levels: 110 MB).
MAX_EXPRESSION = 1_000_000


def check_size(seq: Seq, resolve: Resolver, what: str) -> None:
    """Refuse ``seq`` before it is compiled when the vocabularies it would copy in make it too large."""
    size = _size(seq, resolve)
    if size > MAX_EXPRESSION:
        raise PatternError(
            f"{what} would compile to over {MAX_EXPRESSION:,} characters (about {size:,}): it uses vocabularies "
            "that use each other several times, which multiplies their size at every level"
        )


def _size(seq: Seq, resolve: Resolver) -> int:
    """About how many characters ``seq`` compiles to: what each vocabulary it names compiles to, plus a little
    for everything else (stopping once over the limit)."""
    total = 0
    for item in seq.items:
        node = item.node
        if isinstance(node, Ref):
            total += len(resolve(node.name).regex) + 16
        elif isinstance(node, Choice):
            total += sum(_size(option, resolve) for option in node.options) + 8
        else:
            total += 64 + len(repr(node))
        if total > MAX_EXPRESSION:
            break
    return total


@dataclass(frozen=True, slots=True)
class Entry:
    pattern: str
    where: str  # "file:line:column", for errors


@dataclass(frozen=True, slots=True)
class Vocabulary:
    name: str
    description: str
    where: str
    entries: tuple[Entry, ...] = ()  # a plain word list
    concepts: dict[str, tuple[Entry, ...]] = field(default_factory=dict)  # concept id -> its words
    serious: frozenset[str] = frozenset()  # concepts marked serious: true

    def all_entries(self) -> tuple[Entry, ...]:
        return self.entries + tuple(e for words in self.concepts.values() for e in words)


class Lexicon:
    """The vocabularies a pack can use, compiled on first use (and checked when a pack is loaded)."""

    def __init__(self, vocabularies: dict[str, Vocabulary]) -> None:
        self.vocabularies = vocabularies
        self._compiled: dict[str, Compiled] = {}
        self._concepts: dict[str, list[tuple[str, re.Pattern]]] = {}
        self._finders: dict[str, re.Pattern] = {}
        self._busy: list[str] = []

    def __contains__(self, name: str) -> bool:
        return name in self.vocabularies

    def with_more(self, more: dict[str, Vocabulary]) -> Lexicon:
        """This lexicon plus a pack's own vocabularies (which may not reuse a shared name)."""
        for name, vocab in more.items():
            if name in self.vocabularies:
                raise LintError(f"{vocab.where}: vocabulary '{name}' is already defined at {self[name].where}")
        out = Lexicon({**self.vocabularies, **more})
        out._compiled = dict(self._compiled)
        return out

    def __getitem__(self, name: str) -> Vocabulary:
        return self.vocabularies[name]

    def resolve(self, name: str) -> Compiled:
        """The vocabulary as one alternation (what ``<name>`` compiles to)."""
        if name in self._compiled:
            return self._compiled[name]
        if name not in self.vocabularies:
            raise PatternError(f"unknown vocabulary <{name}>")
        if name in self._busy:
            raise PatternError(f"vocabularies use each other in a circle: {' -> '.join([*self._busy, name])}")
        vocab = self.vocabularies[name]
        self._busy.append(name)
        try:
            seqs = [self._parse(vocab, e) for e in vocab.all_entries()]
            whole = Seq((Item(Choice(tuple(seqs))),))
            check_size(whole, self.resolve, f"<{name}>")
            compiled = compile_seq(whole, self.resolve, capture=False)
        finally:
            self._busy.pop()
        self._compiled[name] = compiled
        return compiled

    def _parse(self, vocab: Vocabulary, entry: Entry) -> Seq:
        try:
            seq = parse(entry.pattern)
            check_size(seq, self.resolve, "this entry")
            compile_seq(seq, self.resolve, capture=False)  # now, so a mistake is reported where it is written
            return seq
        except PatternError as exc:
            raise LintError(f"{entry.where}: vocabulary '{vocab.name}': {exc}") from None

    def check_all(self) -> None:
        """Compile every vocabulary: errors surface when the packs load, not mid-run."""
        for name in self.vocabularies:
            try:
                self.resolve(name)
            except PatternError as exc:
                raise LintError(f"{self.vocabularies[name].where}: vocabulary '{name}': {exc}") from None

    def concept(self, name: str, stream_text: str) -> str | None:
        """Which concept of vocabulary ``name`` the matched stream text (tokens + trailing space) is; the
        first concept, in file order, whose words match all of it."""
        table = self._concepts.get(name)
        if table is None:
            vocab = self.vocabularies[name]
            table = []
            for concept, entries in vocab.concepts.items():
                seqs = tuple(parse(e.pattern) for e in entries)
                body = compile_seq(Seq((Item(Choice(seqs)),)), self.resolve, capture=False).regex
                table.append((concept, re.compile(stream_regex(body))))
            self._concepts[name] = table
        for concept, pattern in table:
            if pattern.fullmatch(stream_text):
                return concept
        return None

    def prepare(self, names: tuple[str, ...] = ("product", "condition", "brand")) -> None:
        """Build now what lookups build on first use (concept tables, finders), e.g. before caching."""
        for name in names:
            if name in self.vocabularies:
                self.concept(name, "")
                self._finder(name)

    def _finder(self, name: str) -> re.Pattern:
        finder = self._finders.get(name)
        if finder is None:
            finder = self._finders[name] = re.compile(stream_regex("(?<![^ ])(?:" + self.resolve(name).regex + ")"))
        return finder

    def finditer(self, name: str, stream: str, pos: int = 0, endpos: int | None = None):
        """Matches of vocabulary ``name`` in a token stream, longest first at each place, not overlapping."""
        return self._finder(name).finditer(stream, pos, len(stream) if endpos is None else endpos)

    def spans(
        self, name: str, toks: Tokens, first: int = 0, last: int | None = None, starting_before: int | None = None
    ) -> list[tuple[int, int, str]]:
        """Every match of vocabulary ``name`` in tokens ``[first, last)``, left to right, not overlapping:
        (first token, end token, the matched stream text). Tried only at words an entry can start with; with
        ``starting_before``, only matches that start before that token (a bounded look-ahead)."""
        finder, starts = self._finder(name), self.resolve(name).first
        last = len(toks) if last is None else last
        endpos = toks.stream_range(first, last)[1]
        stop = last if starting_before is None else min(last, starting_before)
        out, i = [], first
        while i < stop:
            if starts is None or toks.norms[i] in starts:
                m = finder.match(toks.stream, toks.stream_starts[i], endpos)
                if m is not None:
                    end = toks.token_at(m.end() - 2) + 1
                    out.append((i, end, m.group()))
                    i = end
                    continue
            i += 1
        return out


def read_vocabularies(where: Where, data: object) -> dict[str, Vocabulary]:
    """Vocabularies from a loaded YAML mapping ``{name: {description, words | concepts}}``."""
    if not isinstance(data, dict):
        where.fail("vocabularies must be a mapping of name -> {description, words} or {description, concepts}")
    out: dict[str, Vocabulary] = {}
    for name, body in data.items():
        w = where.at(name, data)
        if not isinstance(name, str) or not NAME.match(name):
            where.key(name, data).fail(f"vocabulary name {name!r} must be lower-case words joined by '-'")
        if name in ("number", "any"):
            where.key(name, data).fail(f"vocabulary name '{name}' is built in")
        if not isinstance(body, dict):
            w.fail(f"vocabulary '{name}' must be a mapping with description and words (or concepts)")
        unknown = set(body) - {"description", "words", "concepts"}
        if unknown:
            w.key(sorted(unknown)[0], body).fail(f"vocabulary '{name}': unknown key '{sorted(unknown)[0]}'")
        if ("words" in body) == ("concepts" in body):
            w.fail(f"vocabulary '{name}' needs either words or concepts")
        description = body.get("description")
        if not isinstance(description, str) or not description.strip():
            w.fail(f"vocabulary '{name}' needs a description")
        if "words" in body:
            entries = _entries(w.at("words", body), body["words"], f"vocabulary '{name}'")
            out[name] = Vocabulary(name, str(description), _loc(w), entries=entries)
            continue
        concepts_data = body["concepts"]
        cw = w.at("concepts", body)
        if not isinstance(concepts_data, dict) or not concepts_data:
            cw.fail(f"vocabulary '{name}': concepts must be a mapping of id -> words")
        concepts: dict[str, tuple[Entry, ...]] = {}
        serious: set[str] = set()
        for concept, words in concepts_data.items():
            kw = cw.at(concept, concepts_data)
            if not isinstance(concept, str) or not NAME.match(concept):
                cw.key(concept, concepts_data).fail(f"concept id {concept!r} must be lower-case words joined by '-'")
            if isinstance(words, dict):
                extra = set(words) - {"words", "serious"}
                if extra or "words" not in words:
                    kw.fail(f"concept '{concept}': a mapping needs words (and may say serious: true)")
                if not isinstance(words.get("serious", False), bool):
                    kw.at("serious", words).fail(f"concept '{concept}': serious must be true or false")
                if words.get("serious"):
                    serious.add(concept)
                kw, words = kw.at("words", words), words["words"]
            concepts[concept] = _entries(kw, words, f"concept '{concept}'")
        out[name] = Vocabulary(name, str(description), _loc(w), concepts=concepts, serious=frozenset(serious))
    return out


def _loc(where: Where) -> str:
    return str(where)


def _entries(where: Where, value: object, what: str) -> tuple[Entry, ...]:
    if not isinstance(value, list) or not value:
        where.fail(f"{what}: words must be a non-empty list of word patterns")
    out = []
    for index, item in enumerate(value):
        iw = where.item(index, value)
        if not isinstance(item, str) or not item.strip():
            iw.fail(f"{what}: entry {index + 1} must be a word pattern (a string)")
        out.append(Entry(str(item), _loc(iw)))
    return tuple(out)
