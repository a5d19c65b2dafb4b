"""Rules x a document's sentences -> findings at exact source positions.

Per block of prose: one tokenisation (:mod:`lint.tokens`), then per sentence only the patterns whose words
occur in it (an index from word to pattern, built once) are run over the token stream. Each match is a
*candidate*; it survives the rule's own near-miss checks (``antipatterns``, ``requires``, ``unless``,
``unless_paragraph``), the approved-indications knowledge (``knowledge``), and the assertion context the
engine computes once per sentence (:mod:`lint.context`). Of overlapping findings of one category the most
specific is reported and the others ride along as related information. Document rules run last, on the
document's prose and the sentence findings.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lint import sentences
from lint.context import MODIFIERS, Hit, SentenceView
from lint.model import Document, Finding, Fix, InputError
from lint.packs import DocumentRule, Pattern, RuleSet, SentenceRule
from lint.positions import Block, LineIndex
from lint.tokens import Tokens, tokenize
from lint.wordpattern import base_name, group_name

_CLAUSE_END = frozenset(".;:!?\u2026") | {"but", "however", "although", "though", "whereas", "while", "unlike"}
_LIST_JOINERS = frozenset({",", "/", "and", "or", "&", "(", ")", "-"})
_LIST_WORDS = frozenset({"as", "well", "even", "also", "other", "the", "some", "many", "like", "including", "such"})
DEFAULT_TIMEOUT = 2.0  # seconds one pattern may spend on one sentence before its rule is abandoned for the file


class _Fields(dict):
    """Template values: a field that did not take part in the match is empty, not an error;
    ``{product_name|the treatment}`` gives the words after the bar when the field is empty."""

    def __missing__(self, key: str) -> str:
        name, _, fallback = key.partition("|")
        return self.get(name) or fallback


_SHORT_LINE = 8  # tokens: a line this short under a heading reads as an item of it, like a list item

# Words that may stand between a brand and the generic that glosses it ("Epidiolex, a purified CBD solution").
_GLOSS = frozenset(
    {"a", "an", "the", "purified", "pure", "prescription", "plant", "derived", "synthetic", "brand", "of"}
)


def render(template: str, fields: dict[str, str]) -> str:
    return template.format_map(_Fields(fields))


@dataclass(frozen=True, slots=True)
class Cancelled:
    """A candidate the context or the knowledge dropped, kept for ``--explain-context``."""

    rule: str
    match: str
    line: int
    column: int
    why: str


@dataclass
class _Doc:
    """Per-document state built once: each block's tokens, and the products the page mentions."""

    blocks: list[Block]
    tokens: list[Tokens]
    has_references: bool
    _products: list[list[tuple[int, int, str, bool]]] | None = None  # per block: (first, last, id, compounded)
    _paragraph: dict[tuple[int, int], bool] = field(default_factory=dict)
    _heading_has: dict[tuple[int, int], bool] = field(default_factory=dict)
    _words: dict[int, set[str]] = field(default_factory=dict)
    _where: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    _all_words: set[str] | None = None
    _all_where: dict[str, list[tuple[int, int]]] | None = None
    layout: list[_Layout] = field(default_factory=list)
    _page_words: dict[tuple[int, str], str] = field(default_factory=dict)
    _mention_starts: dict[int, list[int]] = field(default_factory=dict)
    _previous: list[int | None] | None = None
    _headings: list[int | None] | None = None

    def mention_starts(self, bi: int) -> list[int]:
        """The first tokens of block ``bi``'s product mentions, for bisecting."""
        if bi not in self._mention_starts:
            assert self._products is not None
            self._mention_starts[bi] = [m[0] for m in self._products[bi]]
        return self._mention_starts[bi]

    def heading_before(self, bi: int) -> int | None:
        """The nearest heading block before block ``bi`` (None for a heading itself, or before any)."""
        if self._headings is None:
            self._headings, last = [], None
            for b, block in enumerate(self.blocks):
                self._headings.append(last)
                if block.kind == "heading":
                    last = b
        return None if self.blocks[bi].kind == "heading" else self._headings[bi]

    def previous_with_mentions(self, bi: int, mentions: list[list]) -> int | None:
        """The nearest block before ``bi`` that names a product."""
        if self._previous is None:
            self._previous, last = [], None
            for b, found in enumerate(mentions):
                self._previous.append(last)
                if found:
                    last = b
        return self._previous[bi]

    def words(self, bi: int) -> set[str]:
        """The distinct words of block ``bi`` (patterns whose words are missing are not run)."""
        if bi not in self._words:
            self._words[bi] = set(self.tokens[bi].norms)
        return self._words[bi]

    def where(self, bi: int) -> dict[str, list[int]]:
        """Block ``bi``'s words -> the tokens that are them (where a pattern is tried)."""
        if bi not in self._where:
            found: dict[str, list[int]] = {}
            for i, norm in enumerate(self.tokens[bi].norms):
                found.setdefault(norm, []).append(i)
            self._where[bi] = found
        return self._where[bi]

    def all_where(self) -> dict[str, list[tuple[int, int]]]:
        """The document's words -> the (block, token) places that are them, in reading order."""
        if self._all_where is None:
            found: dict[str, list[tuple[int, int]]] = {}
            for bi, toks in enumerate(self.tokens):
                for i, norm in enumerate(toks.norms):
                    if norm in found:
                        found[norm].append((bi, i))
                    else:
                        found[norm] = [(bi, i)]
            self._all_where = found
        return self._all_where

    def all_words(self) -> set[str]:
        """The distinct words of the whole document."""
        if self._all_words is None:
            self._all_words = set().union(*(self.words(bi) for bi in range(len(self.tokens))))
        return self._all_words


@dataclass(frozen=True, slots=True)
class _Layout:
    """A block's sentences as token ranges, the sentence each token is in, and where each ends in the stream."""

    spans: list[tuple[int, int]]  # (first token, end token)
    sentence_of: list[int]
    ends: list[int]

    @classmethod
    def of(cls, text: str, toks: Tokens) -> _Layout:
        spans, ends = [], []
        sentence_of = [0] * len(toks)
        for s_start, s_end in sentences.split(text) if toks.norms else ():
            first, last = toks.token_range(s_start, s_end)
            if first < last:
                sentence_of[first:last] = [len(spans)] * (last - first)
                spans.append((first, last))
                ends.append(toks.stream_range(first, last)[1])
        return cls(spans, sentence_of, ends)


class Matcher:
    def __init__(
        self, rule_set: RuleSet, rules: Iterable[SentenceRule | DocumentRule], *,
        timeout: float | None = DEFAULT_TIMEOUT, index: bool = True,
    ):  # fmt: skip
        """``index=False`` tries every pattern on every sentence: the slow path the index must agree with."""
        rules = list(rules)
        self.rule_set = rule_set
        self.lexicon = rule_set.lexicon
        self.knowledge = rule_set.knowledge
        self.context = rule_set.context
        self.sentence_rules = [r for r in rules if isinstance(r, SentenceRule)]
        self.document_rules = [r for r in rules if isinstance(r, DocumentRule)]
        self.timeout = timeout
        # The index: a word -> the (rule, pattern) pairs anchored on it; pairs with no anchor run everywhere.
        self._index: dict[str, list[tuple[int, int]]] = {}
        self._everywhere: list[tuple[int, int]] = []
        self._anchors: dict[tuple[int, int], frozenset[str] | None] = {}
        for ri, rule in enumerate(self.sentence_rules):
            for pi, pattern in enumerate(rule.patterns):
                anchor = self._anchors[ri, pi] = pattern.anchor() if index else None
                if anchor is None:
                    self._everywhere.append((ri, pi))
                    continue
                for word in anchor:
                    self._index.setdefault(word, []).append((ri, pi))

    # ------------------------------------------------------------------------------------------------ checking

    def check(
        self, doc: Document, source: str, path: str, *, explain: list[Cancelled] | None = None
    ) -> tuple[list[Finding], list[InputError]]:
        """Findings for one document (unsorted), and the rules that had to be abandoned on it. With
        ``explain``, the candidates that context or knowledge cancelled are appended to it."""
        index = LineIndex(source)
        state = _Doc(doc.blocks, [tokenize(b.text) for b in doc.blocks], _has_references(doc.blocks))
        findings: list[Finding] = []
        errors: list[InputError] = []
        abandoned: set[int] = set()
        layout = state.layout = [
            _Layout.of(block.text, toks) for block, toks in zip(doc.blocks, state.tokens, strict=True)
        ]
        block_memos: dict[int, dict] = {}
        for (bi, si), per_rule in self._candidates(state, layout, abandoned, errors, path).items():
            block, toks = doc.blocks[bi], state.tokens[bi]
            first, last = layout[bi].spans[si]
            view = SentenceView(
                block.text,
                toks,
                first,
                last,
                block.context,
                state.has_references,
                block_memo=block_memos.setdefault(bi, {}),
            )
            for ri, matches in per_rule.items():
                rule = self.sentence_rules[ri]
                for start, end, groups, gaps in matches:
                    finding = self._judge(rule, state, bi, view, start, end, groups, gaps, index, path, explain)
                    if finding is not None:
                        findings.append(finding)
        findings = _one_per_problem(findings)
        findings.extend(self._document_findings(doc, state, findings, index, path))
        return findings, errors

    def _candidates(
        self, state: _Doc, layout: list[_Layout], abandoned: set[int], errors: list[InputError], path: str
    ) -> dict[tuple[int, int], dict[int, list]]:
        """Per sentence (block, sentence) and per rule, the rule's matches there: (start, end) in the block's
        prose, the named groups and the gaps. Only the patterns indexed by the document's words are tried,
        each only at the tokens it can start with, in blocks that hold every word it needs; no match runs
        past the end of its sentence."""
        words = state.all_words()
        where = state.all_where()
        pairs = set(self._everywhere)
        for word in words:
            pairs.update(self._index.get(word, ()))
        found: dict[tuple[int, int, int], list] = {}  # (block, sentence, rule) -> [(start, end, groups, gaps)]
        for ri, pi in sorted(pairs):
            if ri in abandoned:
                continue
            pattern = self.sentence_rules[ri].patterns[pi]
            needs = pattern.needs
            if not all(not words.isdisjoint(need) for need in needs):
                continue
            try:
                if pattern.on_text or (pattern.first is None and not pattern.at_start):
                    anchor = self._anchors[ri, pi]
                    if anchor is None:
                        blocks: Iterable[int] = range(len(state.tokens))
                    else:  # the blocks that hold its rarest word
                        blocks = sorted({bi for w in anchor & words for bi, _ in where[w]})
                    for bi in blocks:
                        if len(needs) > 1 and not all(not state.words(bi).isdisjoint(need) for need in needs):
                            continue
                        toks = state.tokens[bi]
                        for si, (first, last) in enumerate(layout[bi].spans):
                            for m in _finditer(pattern, toks, first, last, state.blocks[bi].text, self.timeout):
                                found.setdefault((bi, si, ri), []).append(m)
                    continue
                if pattern.at_start:  # a sentence's first word
                    starts = [
                        (bi, toks.opening(first, last))
                        for bi, toks in enumerate(state.tokens)
                        for first, last in layout[bi].spans
                    ]  # fmt: skip
                else:  # only where a word it can start with stands, followed by a word that can come second
                    starts = []
                    follow = pattern.follow or {}
                    for w in pattern.first & words:
                        seconds = follow.get(w)
                        for bi, i in where[w]:
                            if seconds is not None:
                                norms = state.tokens[bi].norms
                                if i + 1 >= len(norms) or norms[i + 1] not in seconds:
                                    continue
                            starts.append((bi, i))
                    starts.sort()
                gate: dict[int, bool] = {}  # block -> does it hold every word the pattern needs?
                for bi, i in starts:
                    if len(needs) > 1:
                        if bi not in gate:
                            gate[bi] = all(not state.words(bi).isdisjoint(need) for need in needs)
                        if not gate[bi]:
                            continue
                    toks, lay = state.tokens[bi], layout[bi]
                    if i >= len(toks):
                        continue
                    si = lay.sentence_of[i]
                    m = pattern.regex.match(toks.stream, toks.stream_starts[i], lay.ends[si])
                    if m is not None:
                        found.setdefault((bi, si, ri), []).append(_candidate(pattern, m, toks, state.blocks[bi].text))
            except TimeoutError:
                abandoned.add(ri)
                rule_id = self.sentence_rules[ri].id
                errors.append(
                    InputError(
                        f"{path}: rule '{rule_id}' took over {self.timeout}s on one sentence; skipped for this file"
                    )
                )
        out: dict[tuple[int, int], dict[int, list]] = {}
        for bi, si, ri in sorted(found):
            if ri in abandoned:
                continue
            matches = found[bi, si, ri]
            out.setdefault((bi, si), {})[ri] = _longest_apart(matches)
        return out

    def _judge(
        self, rule: SentenceRule, state: _Doc, bi: int, view: SentenceView, start: int, end: int,
        groups: dict[str, Group], gaps: tuple[tuple[int, int], ...], index: LineIndex, path: str,
        explain: list[Cancelled] | None,
    ) -> Finding | None:  # fmt: skip
        """The finding a candidate makes, or None when something cancels it."""
        toks, block = view.tokens, state.blocks[bi]
        s_text_start, s_text_end = toks.starts[view.first], toks.ends[view.last - 1]
        first, last = toks.token_range(start, end)
        # Whatever depends only on the sentence is worked out once per sentence (SentenceView.memo), so a
        # sentence with thousands of candidates costs no more per candidate than a short one.
        if any(_matches_in(view, p).overlaps(start, end) for p in rule.antipatterns):
            return self._cancel(explain, rule, block, start, end, index, "antipattern")
        if rule.requires and not any(_found_in(view, p) for p in rule.requires):
            return None
        if any(_found_in(view, p) for p in rule.unless):
            return self._cancel(explain, rule, block, start, end, index, "unless")
        if rule.unless_paragraph and self._in_paragraph(state, bi, rule):
            return self._cancel(explain, rule, block, start, end, index, "unless_paragraph")
        if rule.under_heading and not self._under_heading(state, bi, rule):
            return None
        fields = {group_name(k): g.text for k, g in groups.items()}
        product_id = None
        if rule.knowledge is not None:
            verdict, product_id, extra = self._knowledge(rule, state, bi, view, first, last, groups)
            fields.update({k: v for k, v in extra.items() if k not in fields})  # the page's own words win
            if not verdict:
                return self._cancel(explain, rule, block, start, end, index, f"knowledge: {extra.get('why', '')}")
        wanted = MODIFIERS if explain is not None else tuple(rule.cancelled_by)
        hits = self.context.classify(view, first, last, wanted, gaps)
        cancelling = [h for h in hits if h.modifier in rule.cancelled_by]
        if cancelling:
            return self._cancel(explain, rule, block, start, end, index, ", ".join(map(str, cancelling)))
        if "product_name" not in fields:  # messages and suggestions name the product the sentence is about
            about = self._products("", state, bi, view, first, last, {})
            if about:
                fields.update({k: v for k, v in self._about(about[0][0]).items() if k not in fields})
        if "product_name" in fields and "product" not in groups:  # {product}: as the page words it
            pid = product_id or next(iter(self._products("", state, bi, view, first, last, {})), ("",))[0]
            fields["product"] = (pid and self._page_words(state, bi, pid)) or fields.get("product", "")
        sentence = block.text[s_text_start:s_text_end]
        return self._finding(rule, block, start, end, fields, index, path, sentence, product_id, hits)

    def _cancel(self, explain, rule, block, start, end, index, why) -> None:
        if explain is not None:
            line, col = index.position(block.offsets.start(start))
            explain.append(Cancelled(rule.id, block.text[start:end], line, col, why))
        return None

    def _under_heading(self, state: _Doc, bi: int, rule: SentenceRule) -> bool:
        """Does block ``bi`` stand under a heading that has one of the rule's ``under_heading`` patterns? A
        list under "Conditions we treat" claims each item, though no item has a verb. The heading itself
        is not under itself; the nearest heading before the block is the one that counts."""
        heading = state.heading_before(bi)
        block = state.blocks[bi]
        # Only what has no verb of its own takes the heading's: a list item, a table cell or a short line.
        if heading is None or (block.kind not in ("list-item", "table-cell") and len(state.tokens[bi]) > _SHORT_LINE):
            return False
        key = (heading, id(rule))
        if key not in state._heading_has:
            state._heading_has[key] = any(_in_block(p, state, heading) for p in rule.under_heading)
        return state._heading_has[key]

    def _in_paragraph(self, state: _Doc, bi: int, rule: SentenceRule) -> bool:
        """Does one of the rule's ``unless_paragraph`` patterns occur in the block (or its link addresses)?
        Memoised per block and rule: a long paragraph is scanned once, however many candidates it holds."""
        key = (bi, id(rule))
        if key not in state._paragraph:
            block = state.blocks[bi]
            hit = any(_in_block(p, state, bi) for p in rule.unless_paragraph)
            if not hit and block.context:
                ctx = tokenize(block.context)
                hit = any(
                    _search(p, ctx, 0, len(ctx), block.context, 0, len(block.context)) for p in rule.unless_paragraph
                )
            state._paragraph[key] = hit
        return state._paragraph[key]

    # ------------------------------------------------------------------------------------------------ knowledge

    def _knowledge(
        self, rule: SentenceRule, state: _Doc, bi: int, view: SentenceView, first: int, last: int,
        groups: dict[str, Group],
    ) -> tuple[bool, str | None, dict[str, str]]:  # fmt: skip
        """(keep the finding?, the product, message fields) for a rule with a knowledge check."""
        check = rule.knowledge
        assert check is not None
        products = self._products(check.product, state, bi, view, first, last, groups)
        if check.flag == "status":
            for pid, compounded in products:
                product = self.knowledge.products[pid]
                status = "compounded" if compounded and product.status != "unapproved" else product.status
                if status in check.statuses:
                    return True, pid, {**self._about(pid), "why": f"{product.name} is {status}"}
            if not products:
                return check.unknown == "flag", None, {"why": "no product the knowledge knows"}
            name = self.knowledge.products[products[0][0]].name
            return False, None, {"why": f"{name} is not {' or '.join(sorted(check.statuses))}"}
        if check.indications:  # a fixed use: the claim stands unless a product is approved for one of them
            for pid, _ in products:
                product = self.knowledge.products[pid]
                if product.status not in check.statuses and any(product.approved_for(c) for c in check.indications):
                    return False, pid, {"why": f"{product.name} is indicated for {check.indications[0]}"}
            if not products:
                return check.unknown == "flag", None, {"why": "the product is not in the knowledge"}
            pid = products[0][0]
            return True, pid, {**self._about(pid), "condition_name": check.indications[0].replace("-", " ")}
        conditions = self._conditions(check.condition, view, first, groups)
        if not conditions:
            return False, None, {"why": "no condition the knowledge knows"}
        fields = {"condition_name": conditions[0].replace("-", " ")}
        if not products:
            serious = [c for c in conditions if c in self.lexicon["condition"].serious]
            if check.unknown == "flag" or (check.unknown == "serious" and serious):
                return True, None, {**fields, "condition_name": (serious or conditions)[0].replace("-", " ")}
            return False, None, {**fields, "why": "the product is not in the knowledge"}
        # When several products may be meant, the claim stands only if none of them is indicated for it.
        for pid, _ in products:
            product = self.knowledge.products[pid]
            trusted = product.status not in check.statuses
            outside = [c for c in conditions if not (trusted and product.approved_for(c))]
            if not outside:
                return False, pid, {**fields, "why": f"{product.name} is indicated for {', '.join(conditions)}"}
        pid = products[0][0]
        product = self.knowledge.products[pid]
        trusted = product.status not in check.statuses
        outside = [c for c in conditions if not (trusted and product.approved_for(c))]
        fields["condition_name"] = outside[0].replace("-", " ")
        return True, pid, {**fields, **self._about(pid), "why": f"{product.name} is not indicated for {outside[0]}"}

    def _about(self, pid: str) -> dict[str, str]:
        product = self.knowledge.products[pid]
        # {product}: the name short enough for a sentence ("Ozempic", not "Ozempic (semaglutide)"), unless the
        # rule captured the product's own words from the page.
        return {
            "product_name": product.name,
            "product_summary": product.summary,
            "product": product.name.split(" (")[0],
        }

    def _conditions(self, group: str, view: SentenceView, first: int, groups: dict[str, Group]) -> list[str]:
        """The conditions a claim names: the one in its words, then any listed right after it ("treats
        depression, anxiety and PTSD"), joined only by list words."""
        g = groups.get(group)
        if g is None:
            return []
        toks = view.tokens
        first_concept = self.lexicon.concept("condition", g.words)
        found = [first_concept] if first_concept else []
        last = g.first + len(g.words.split())
        while True:  # the next condition, at most 4 list words on: a look-ahead of bounded length
            ahead = self.lexicon.spans("condition", toks, last, view.last, starting_before=last + 5)
            if not ahead:
                return found
            m_first, m_last, words = ahead[0]
            if not all(n in _LIST_JOINERS or n in _LIST_WORDS for n in toks.norms[last:m_first]):
                return found
            concept = self.lexicon.concept("condition", words)
            if concept and concept not in found:
                found.append(concept)
            last = m_last

    def _products(
        self, group: str, state: _Doc, bi: int, view: SentenceView, first: int, last: int, groups: dict[str, Group]
    ) -> list[tuple[str, bool]]:
        """The products a claim is about, each with whether the page calls it compounded: the one its words
        name and any listed right after it ("FDA-approved Ozempic/Wegovy/semaglutide"); else the nearest
        one the sentence names; else the last one named before it on the page."""
        mentions = self._mentions(state)
        in_block, starts = mentions[bi], state.mention_starts(bi)
        g = groups.get(group)
        if g is not None:
            i = bisect.bisect_left(starts, g.first)
            if i < len(in_block) and in_block[i][0] == g.first:
                chain = [in_block[i]]
                for m in in_block[i + 1 :]:  # products that follow, joined only by list punctuation
                    if m[0] >= view.last or not all(n in _LIST_JOINERS for n in view.tokens.norms[chain[-1][1] : m[0]]):
                        break
                    chain.append(m)
                return [(m[2], m[3]) for m in chain]
            named = self.lexicon.concept("product", g.words)
            if named:
                return [(named, False)]
        lo, hi = bisect.bisect_left(starts, view.first), bisect.bisect_left(starts, view.last)
        if lo < hi:  # named in the sentence: the nearest one before the claim, else the first after it
            i = bisect.bisect_right(starts, first, lo, hi) - 1
            m = in_block[i] if i >= lo else in_block[lo]
            return [(m[2], m[3])]
        # Not named in the sentence: the products named last before it ("It treats ..."), all of them when a
        # sentence named several ("Ozempic and Wegovy ... It lowers blood sugar").
        if lo > 0:
            layout = state.layout[bi]
            sentence_first = layout.spans[layout.sentence_of[in_block[lo - 1][0]]][0]
            last_sentence = in_block[bisect.bisect_left(starts, sentence_first) : lo]
            return list(dict.fromkeys((m[2], m[3]) for m in reversed(last_sentence)))
        b = state.previous_with_mentions(bi, mentions)
        if b is not None:
            return list(dict.fromkeys((m[2], m[3]) for m in reversed(mentions[b])))
        # Nothing named before it: no product. (Falling back to the product the page names most was tried:
        # it pinned "we treat chronic pain" on a ketamine page's top paragraph to ketamine, and measured no
        # better on any set, worse on the held-out one.)
        return []

    def _page_words(self, state: _Doc, bi: int, pid: str) -> str:
        """How the page names product ``pid``: its last mention in block ``bi`` or before ("IV drips", "Wegovy"),
        with a capital that only opens a sentence lowered."""
        key = (bi, pid)
        if key not in state._page_words:
            state._page_words[key] = self._find_page_words(state, bi, pid)
        return state._page_words[key]

    def _find_page_words(self, state: _Doc, bi: int, pid: str) -> str:
        for b in range(bi, -1, -1):
            for m_first, m_last, found, _ in reversed(self._mentions(state)[b]):
                if found == pid:
                    toks, text, layout = state.tokens[b], state.blocks[b].text, state.layout[b]
                    words = text[toks.starts[m_first] : toks.ends[m_last - 1]]
                    sentence_first = layout.spans[layout.sentence_of[m_first]][0] if layout.spans else 0
                    opens = m_first == toks.opening(sentence_first, m_last)
                    if opens and words[:1].isupper() and words[1:2].islower():
                        words = words[0].lower() + words[1:]
                    return words
        return ""

    def _mentions(self, state: _Doc) -> list[list[tuple[int, int, str, bool]]]:
        """Per block, the products it names: (first token, end token, product id, called compounded?)."""
        if state._products is None:
            state._products = []
            for toks in state.tokens:
                found = []
                for m_first, m_last, words in self.lexicon.spans("product", toks):
                    pid = self.lexicon.concept("product", words)
                    if pid is None:
                        continue
                    near = toks.norms[max(0, m_first - 3) : m_first] + toks.norms[m_last : m_last + 3]
                    found.append((m_first, m_last, pid, "compounded" in near))
                self._name_glossed_generics(found, toks.norms)
                state._products.append(found)
        return state._products

    def _name_glossed_generics(self, found: list[tuple[int, int, str, bool]], norms: list[str]) -> None:
        """A generic and its brand named side by side are one product, the brand: "semaglutide (Wegovy)" (the
        brand in brackets after the generic), "Zepbound (tirzepatide)" and "Epidiolex, a purified CBD
        solution," (the generic glossing the brand just named, in brackets or set off by commas)."""
        products = self.knowledge.products
        for i in range(len(found) - 1):  # brand in brackets after its generic (first, as they always ran)
            (first, last, pid, compounded), brand = found[i], found[i + 1]
            if brand[2] in products[pid].brands and norms[last : brand[0]] == ["("]:
                found[i] = (first, last, brand[2], compounded)
        for i in range(1, len(found)):  # generic glossing the brand before it
            brand, (first, last, pid, compounded) = found[i - 1], found[i]
            between = norms[brand[1] : first]
            glosses = between == ["("] or (
                between[:1] == [","] and len(between) <= 6 and _GLOSS.issuperset(between[1:])
            )
            if glosses and brand[2] in products[pid].brands:
                found[i] = (first, last, brand[2], compounded)

    # ------------------------------------------------------------------------------------------------ findings

    def _finding(
        self, rule: SentenceRule, block: Block, start: int, end: int, fields: dict[str, str], index: LineIndex,
        path: str, sentence: str, product: str | None, hits: Sequence[Hit],
    ) -> Finding:  # fmt: skip
        src_start, src_end = block.offsets.span(start, end)
        fields["match"] = block.text[start:end]
        fix = (
            None
            if rule.fix is None
            else Fix(_keep_capital(render(rule.fix.replacement, fields), fields["match"]), rule.fix.safe)
        )
        return Finding.at(
            path, index, src_start, src_end, rule,
            message=render(rule.message, fields), suggestion=render(rule.suggestion, fields),
            match=fields["match"], sentence=sentence, fix=fix, product=product or "",
            context=tuple(str(h) for h in hits),
        )  # fmt: skip

    # ------------------------------------------------------------------------------------------------ documents

    def _document_findings(
        self, doc: Document, state: _Doc, found: list[Finding], index: LineIndex, path: str
    ) -> list[Finding]:
        if not self.document_rules or not doc.blocks:
            return []
        out = []
        for rule in self.document_rules:
            trigger = self._trigger(rule, state, found)
            if trigger is None:
                continue
            if any(self._anywhere(p, state) for p in rule.must_contain):
                continue
            first = doc.blocks[0]
            s, e = sentences.split(first.text)[0]
            start, end = first.offsets.span(s, e)
            fields = {"match": trigger}
            out.append(
                Finding.at(
                    path,
                    index,
                    start,
                    end,
                    rule,
                    message=f"{render(rule.message, fields)} (triggered by {trigger})",
                    suggestion=render(rule.suggestion, fields),
                    match="",
                    sentence="",
                )  # fmt: skip
            )
        return out

    def _trigger(self, rule: DocumentRule, state: _Doc, found: list[Finding]) -> str | None:
        """Why the rule applies to this document (for the message), or None when it does not."""
        if not rule.has_when:
            return "this document"
        for f in found:
            if f.rule in rule.when_rules or f.category in rule.when_categories:
                return f'"{f.match}" (line {f.line})'
        for p in rule.when_patterns:
            m = self._anywhere(p, state)
            if m:
                return f'"{m}"'
        return None

    def _anywhere(self, p: Pattern, state: _Doc) -> str | None:
        """The first text ``p`` matches in any block of the document, or None."""
        words = state.all_words()
        if not all(not words.isdisjoint(need) for need in p.needs):
            return None
        if not p.on_text and not p.at_start and p.first is not None:  # tried only where its first words stand
            where = state.all_where()
            for bi, i in sorted(at for w in p.first & words for at in where[w]):
                toks = state.tokens[bi]
                m = p.regex.match(toks.stream, toks.stream_starts[i])
                if m is not None:
                    return m.group().strip()
            return None
        for bi in range(len(state.blocks)):
            m = _in_block(p, state, bi)
            if m is not None:
                return m
        return None


# ---------------------------------------------------------------------------------------------- helpers


def _in_block(p: Pattern, state: _Doc, bi: int) -> str | None:
    """The first text ``p`` matches anywhere in block ``bi`` (not only within one sentence), or None."""
    block, toks = state.blocks[bi], state.tokens[bi]
    return _search(p, toks, 0, len(toks), block.text, 0, len(block.text), state.words(bi))


def _finditer(p: Pattern, toks: Tokens, first: int, last: int, text: str, timeout: float | None):
    """Matches of ``p`` in the sentence of tokens ``[first, last)``: (start, end) in the block's prose, the
    named groups and the gaps."""
    if p.on_text:
        start, end = toks.starts[first], toks.ends[last - 1]
        for m in p.regex.finditer(text, start, end, timeout=timeout):
            if m.end() > m.start():
                yield (
                    m.start(),
                    m.end(),
                    {k: Group(v, v, toks.token_range(m.start(k), m.end(k))[0]) for k, v in m.groupdict().items() if v},
                    (),
                )
        return
    pos, endpos = toks.stream_range(first, last)
    for m in p.regex.finditer(toks.stream, pos, endpos):  # a word pattern's gaps are bounded: no timeout needed
        yield _candidate(p, m, toks, text)


def _candidate(
    p: Pattern, m, toks: Tokens, text: str
) -> tuple[int, int, dict[str, Group], tuple[tuple[int, int], ...]]:
    """A match over the stream as a candidate: its span in the prose (a frame's marked slots only), the named
    groups, and the gaps (token ranges) its ``...`` skipped."""
    spans: dict[str, tuple[int, int]] = {}  # by the name the pattern gave it; a repeated one: its last match
    gaps = []
    for name, index in sorted(m.re.groupindex.items(), key=lambda kv: kv[1]):
        a, b = m.span(index)
        if b <= a:
            continue
        base = base_name(name)
        if base == "gap":
            gaps.append((toks.token_at(a), toks.token_at(b - 2) + 1))
        else:
            spans[base] = (a, b)
    s, e = toks.span(m.start(), m.end())
    marked = [spans[name] for name in p.mark if name in spans]
    if marked:  # a frame underlines only its marked slots
        s = min(toks.span(a, b)[0] for a, b in marked)
        e = max(toks.span(a, b)[1] for a, b in marked)
    groups = {}
    for name, (a, b) in spans.items():  # the stream's words (concepts are looked up by them) and the prose's text
        t_a, t_b = toks.span(a, b)
        groups[name] = Group(m.string[a:b], text[t_a:t_b], toks.token_at(a))
    return s, e, groups, tuple(gaps)


@dataclass(frozen=True, slots=True)
class Group:
    """A named part of a match: its words as the token stream has them, as the prose has them, and where."""

    words: str
    text: str
    first: int  # its first token


def _search(
    p: Pattern, toks: Tokens, first: int, last: int, text: str, start: int, end: int, words: set[str] | None = None
) -> str | None:
    """The first words ``p`` matches in tokens ``[first, last)`` (text ``[start, end)``), or None. ``words``,
    the set of those tokens, lets a pattern whose words are missing be skipped without running it."""
    if p.on_text:
        m = p.regex.search(text, start, end)
        return None if m is None else m.group().strip()
    if words is None:
        words = set(toks.norms[first:last])
    if not all(not words.isdisjoint(need) for need in p.needs):
        return None
    pos, endpos = toks.stream_range(first, last)
    if p.at_start:
        m = p.regex.match(toks.stream, toks.stream_range(toks.opening(first, last), last)[0], endpos)
        return None if m is None else m.group().strip()
    if p.first is not None:
        for i in range(first, last):
            if toks.norms[i] in p.first:
                m = p.regex.match(toks.stream, toks.stream_starts[i], endpos)
                if m is not None:
                    return m.group().strip()
        return None
    m = p.regex.search(toks.stream, pos, endpos)
    return None if m is None else m.group().strip()


def _found_in(view: SentenceView, p: Pattern) -> str | None:
    """``_search`` of ``p`` in the sentence, worked out once per sentence."""
    key = ("found", id(p))
    if key not in view.memo:
        toks = view.tokens
        view.memo[key] = _search(
            p, toks, view.first, view.last, view.text, toks.starts[view.first], toks.ends[view.last - 1], view.words()
        )
    return view.memo[key]


def _matches_in(view: SentenceView, p: Pattern) -> _Spans:
    """Every match of ``p`` in the sentence (overlapping ones too), worked out once per sentence."""
    key = ("spans", id(p))
    if key not in view.memo:
        toks = view.tokens
        start, end = toks.starts[view.first], toks.ends[view.last - 1]
        if p.on_text:
            found = [m.span() for m in p.regex.finditer(view.text, start, end, overlapped=True)]
        else:
            found = [toks.span(m.start(), m.end()) for m in toks.each_match(p.regex, view.first, view.last, p.first)]
        view.memo[key] = _Spans(found)
    return view.memo[key]


class _Spans:
    """Text spans, asked whether any overlaps a range in logarithmic time (starts sorted, the running maximum
    of the ends beside them)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        self.max_end = list(itertools.accumulate((b for _, b in spans), max))

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect.bisect_left(self.starts, end)  # the spans that start before ``end``
        return k > 0 and self.max_end[k - 1] > start


def _keep_capital(replacement: str, matched: str) -> str:
    if matched[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _has_references(blocks: Sequence[Block]) -> bool:
    """Does the page resolve footnote markers: a References/Sources heading, or a block that starts with a
    footnote marker ("[3] Smith J...", "¹ Jones ...")?"""
    for block in blocks:
        head = block.text.lstrip()[:40].lower()
        if head.startswith(("references", "sources", "citations", "bibliography", "footnotes", "works cited", "notes")):
            return True
        if head[:1] in "\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079" or (
            head.startswith("[") and head[1:2].isdigit()
        ):
            return True
    return False


def _longest_apart(matches: list) -> list:
    """Of one rule's matches in a sentence, the longest first (then the earliest), each kept only if it
    overlaps none kept before; returned in reading order. Kept spans are disjoint, so a new one need only
    be checked against its neighbours in start order."""
    matches.sort(key=lambda m: (m[0] - m[1], m[0]))
    starts: list[int] = []
    kept: list = []  # sorted by start
    for m in matches:
        i = bisect.bisect_left(starts, m[0])
        if (i > 0 and kept[i - 1][1] > m[0]) or (i < len(kept) and kept[i][0] < m[1]):
            continue  # overlaps a longer match of the same rule
        starts.insert(i, m[0])
        kept.insert(i, m)
    return kept


def _one_per_problem(findings: list[Finding]) -> list[Finding]:
    """Of findings of one category whose words overlap, keep the most specific (the longest match, then the
    more severe, then the rule defined first); the others become its related information."""
    from lint.model import severity_rank

    by_category: dict[str, list[Finding]] = {}
    for f in findings:
        by_category.setdefault(f.category, []).append(f)
    out: list[Finding] = []
    for group in by_category.values():
        group.sort(key=lambda f: (f.start, -(f.end - f.start)))
        clusters: list[list[Finding]] = []
        reach = -1  # the end of the current cluster's furthest finding
        for f in group:
            if clusters and f.start < reach:
                clusters[-1].append(f)
            else:
                clusters.append([f])
            reach = max(reach, f.end) if len(clusters[-1]) > 1 else f.end
        for cluster in clusters:
            order = {id(f): i for i, f in enumerate(cluster)}
            best = max(
                cluster, key=lambda f: (bool(f.product), f.end - f.start, severity_rank(f.severity), -order[id(f)])
            )
            best.related = [f.related_record() for f in cluster if f is not best]
            out.append(best)
    return out
