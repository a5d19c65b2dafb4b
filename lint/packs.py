"""Rule packs: load YAML, validate every key with its line number, compile the rules' word patterns.

A pack is a list of rules written in words (docs/rule-packs.md). Loading also reads the shared files beside the
shipped packs: the vocabularies (``_vocabularies.yaml``, ``_conditions.yaml``), the approved-indications
knowledge (``_indications.yaml``) and the assertion-context lexicon (``_context.yaml``). Everything loaded is
one :class:`RuleSet`. A mistake anywhere is a :class:`~lint.yamlsource.PackError` naming ``file:line:column``;
the CLI turns it into one line and exit code 2.
"""

from __future__ import annotations

import dataclasses
import re
import string as _string
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from lint.cache import LazyPattern
from lint.context import MARK, MODIFIERS, ContextLexicon, load_context
from lint.knowledge import NOT_APPROVED, STATUSES, Knowledge, load_knowledge
from lint.model import LintError
from lint.safetext import echo
from lint.taxonomy import CATEGORIES
from lint.tokens import words as token_words
from lint.vocab import Lexicon, Vocabulary, check_size, read_vocabularies
from lint.wordpattern import Compiled, PatternError, compile_pattern, compile_seq, group_name, parse, stream_regex
from lint.yamlsource import (
    PackError,
    Where,
    check_keys,
    mapping,
    mapping_list,
    read_yaml,
    string,
    string_list,
    unicode,
)  # fmt: skip

__all__ = ["PackError", "RuleSet", "Pack", "SentenceRule", "DocumentRule", "load_rule_set"]

FORMATS = ("text", "markdown", "html")
SHARED_VOCABULARIES = ("_vocabularies.yaml", "_conditions.yaml")
KNOWLEDGE_FILE = "_indications.yaml"
CONTEXT_FILE = "_context.yaml"
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_SLOT = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_PACK_KEYS = {"name", "description", "version", "vocabularies", "rules"}
_COMMON = (
    "id", "category", "severity", "scope", "message", "suggestion", "references", "examples",
)  # fmt: skip
_SENTENCE_KEYS = {
    *_COMMON, "match", "frame", "antipatterns", "requires", "unless", "unless_paragraph", "under_heading",
    "cancelled_by", "knowledge", "fix", "case_sensitive",
}  # fmt: skip
_DOCUMENT_KEYS = {*_COMMON, "when", "must_contain"}
_REQUIRED = ("id", "category", "severity", "message", "suggestion", "references", "examples")
_MIN_EXAMPLES = 3
# Words so common that a rule anchored on them would run on nearly every sentence.
_COMMON_WORDS = frozenset(
    "a an the and or of to in on for with by at as is are was were be been it its it's this that these those "
    "you your we our they their he she his her i my me us them can may will not no do does has have had "
    ". , ; : ! ? ' \" ( ) - 's".split()
)


# ----------------------------------------------------------------------------------------------- the model


@dataclass(frozen=True, slots=True)
class Reference:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Example:
    text: str  # the example with its [[marks]] removed
    fmt: str = "text"
    span: tuple[int, int] | None = None  # the words a bad example says must be flagged


@dataclass(frozen=True, slots=True)
class FixSpec:
    replacement: str
    safe: bool


@dataclass(frozen=True, slots=True)
class Pattern:
    """One compiled pattern: a word pattern over the token stream, or a regex over the prose text."""

    source: str  # as written (frames: the order with its slots filled in)
    regex: Any  # a LazyPattern: re over the token stream, or regex over the text (on_text)
    on_text: bool = False  # the regex escape hatch: matched against the sentence's text
    needs: tuple[frozenset[str], ...] = ()  # each match contains a word of each set
    groups: frozenset[str] = frozenset()
    mark: tuple[str, ...] = ()  # frames: the slots a finding underlines (and context judges); empty: all of it
    first: frozenset[str] | None = None  # the words a match can start with (None: any); matching tries only there
    at_start: bool = False  # only at the start of a sentence
    # first word -> the words that can follow it (None: any); a start whose next word is not there is skipped
    follow: dict[str, frozenset[str] | None] | None = field(default=None, compare=False, hash=False)

    def anchor(self) -> frozenset[str] | None:
        """The word set the matcher indexes this pattern by: the rarest it needs (None: try it everywhere)."""
        if not self.needs:
            return None
        return min(self.needs, key=lambda s: (bool(s & _COMMON_WORDS), len(s)))


@dataclass(frozen=True, slots=True)
class KnowledgeCheck:
    """How a rule consults the approved-indications knowledge."""

    flag: str  # "not-approved": the condition is outside the product's indications; "status": see statuses
    product: str = "product"  # the group holding the product (missing: the product the page is about)
    condition: str = "condition"  # the group holding the condition
    indications: tuple[str, ...] = ()  # or fixed condition ids, any of which approves (weight-management, ...)
    statuses: frozenset[str] = NOT_APPROVED  # status: these make a finding; not-approved: these approve nothing
    unknown: str = "skip"  # a product the knowledge does not know: skip | flag | serious (flag serious diseases)


@dataclass(frozen=True, slots=True)
class SentenceRule:
    id: str
    category: str
    severity: str
    message: str
    suggestion: str
    pack: str
    source: str  # "pack file:line:column" of the rule
    patterns: tuple[Pattern, ...]
    antipatterns: tuple[Pattern, ...] = ()
    requires: tuple[Pattern, ...] = ()
    unless: tuple[Pattern, ...] = ()
    unless_paragraph: tuple[Pattern, ...] = ()
    under_heading: tuple[Pattern, ...] = ()  # only in a block under a heading that has one of these
    cancelled_by: frozenset[str] = frozenset()
    knowledge: KnowledgeCheck | None = None
    fix: FixSpec | None = None
    references: tuple[Reference, ...] = ()
    bad: tuple[Example, ...] = ()
    good: tuple[Example, ...] = ()
    frame: dict[str, str] | None = None  # slot -> pattern, for explain
    scope: str = "sentence"


@dataclass(frozen=True, slots=True)
class DocumentRule:
    id: str
    category: str
    severity: str
    message: str
    suggestion: str
    pack: str
    source: str
    must_contain: tuple[Pattern, ...]
    when_rules: frozenset[str] = frozenset()
    when_categories: frozenset[str] = frozenset()
    when_patterns: tuple[Pattern, ...] = ()
    references: tuple[Reference, ...] = ()
    bad: tuple[Example, ...] = ()
    good: tuple[Example, ...] = ()
    scope: str = "document"
    fix: None = None

    @property
    def has_when(self) -> bool:
        return bool(self.when_rules or self.when_categories or self.when_patterns)


Rule = SentenceRule | DocumentRule


@dataclass(slots=True)
class Pack:
    name: str
    description: str
    version: str
    path: str
    rules: list[Rule] = field(default_factory=list)


@dataclass(slots=True)
class RuleSet:
    """Everything the packs are made of: the packs, the vocabularies, the knowledge, the context lexicon."""

    packs: list[Pack]
    lexicon: Lexicon
    knowledge: Knowledge
    context: ContextLexicon


def all_patterns(rule_set: RuleSet) -> list[Pattern]:
    """Every compiled pattern of every rule (to compile them all at once, e.g. before caching)."""
    out: list[Pattern] = []
    for pack in rule_set.packs:
        for rule in pack.rules:
            for key in (
                "patterns",
                "antipatterns",
                "requires",
                "unless",
                "unless_paragraph",
                "under_heading",
                "must_contain",
                "when_patterns",
            ):
                out.extend(getattr(rule, key, ()))
    return out


# ----------------------------------------------------------------------------------------------- locating


def shipped_rules_dir() -> Path:
    """The directory of the packs that ship with clinic-lint (inside the installed package)."""
    try:
        import lint.rules as shipped  # the wheel maps rules/ to lint/rules

        return Path(next(iter(shipped.__path__)))
    except ImportError:  # running from a source checkout without installing
        return Path(__file__).resolve().parent.parent / "rules"


def default_pack_paths() -> list[Path]:
    return sorted(p for p in shipped_rules_dir().glob("*.yaml") if not p.name.startswith("_"))


def shared_paths() -> list[Path]:
    """The shared files every pack is compiled with (part of the compiled-pack cache key)."""
    here = shipped_rules_dir()
    return [here / name for name in (*SHARED_VOCABULARIES, KNOWLEDGE_FILE, CONTEXT_FILE)]


# ----------------------------------------------------------------------------------------------- loading


_shared_memo: dict[tuple, tuple[Lexicon, Knowledge, ContextLexicon]] = {}


def load_shared() -> tuple[Lexicon, Knowledge, ContextLexicon]:
    """The shared files, loaded once per process for as long as they do not change on disk."""
    stamp = []
    for path in shared_paths():
        try:
            st = path.stat()
            stamp.append((str(path), st.st_mtime_ns, st.st_size))
        except OSError:
            stamp.append((str(path), None, None))
    key = tuple(stamp)
    if key not in _shared_memo:
        _shared_memo.clear()
        _shared_memo[key] = _load_shared()
    return _shared_memo[key]


def _load_shared() -> tuple[Lexicon, Knowledge, ContextLexicon]:
    here = shipped_rules_dir()
    vocabularies: dict[str, Vocabulary] = {}
    for name in SHARED_VOCABULARIES:
        path = here / name
        data = read_yaml(path, "vocabulary file")
        where = Where(str(path), data)
        if not isinstance(data, dict):
            where.fail("a vocabulary file is a mapping with 'vocabularies'")
        check_keys(where, data, {"vocabularies"}, {"vocabularies"}, "vocabulary file")
        for vname, vocab in read_vocabularies(where.at("vocabularies", data), data["vocabularies"]).items():
            if vname in vocabularies:
                raise LintError(
                    f"{vocab.where}: vocabulary '{vname}' is already defined at {vocabularies[vname].where}"
                )
            vocabularies[vname] = vocab
    knowledge = load_knowledge(here / KNOWLEDGE_FILE, vocabularies.get("condition"))
    product = knowledge.vocabulary()
    if "product" in vocabularies:
        raise LintError(f"{vocabularies['product'].where}: 'product' is defined by the indications knowledge")
    extra = {"product": product}
    condition = vocabularies.get("condition")
    if condition is not None and condition.serious:  # <serious-condition>: the concepts marked serious
        extra["serious-condition"] = Vocabulary(
            "serious-condition",
            "The <condition> concepts marked serious: true (cancer, COVID-19, Alzheimer's, autism, ...).",
            condition.where,
            concepts={c: condition.concepts[c] for c in condition.concepts if c in condition.serious},
            serious=condition.serious,
        )
    brands = {b for p in knowledge.products.values() for b in p.brands}
    if brands:  # <brand>: products sold under a brand name whose generic name is approved only inside it
        extra["brand"] = Vocabulary(
            "brand",
            "Brand-name products whose generic name clinics sell as compounded copies (Ozempic, Wegovy, Zepbound, ...).",
            f"{knowledge.path}:1:1",
            concepts={b: knowledge.products[b].names for b in sorted(brands)},
        )
    lexicon = Lexicon({**vocabularies, **extra})
    lexicon.check_all()
    context = load_context(here / CONTEXT_FILE, lexicon.resolve)
    return lexicon, knowledge, context


def load_rule_set(paths: Sequence[Path | str]) -> RuleSet:
    """Load and validate the shared files and the packs; rule ids must be unique across all packs."""
    lexicon, knowledge, context = load_shared()
    packs: list[Pack] = []
    seen_ids: dict[str, str] = {}
    seen_packs: dict[str, str] = {}
    for path in paths:
        pack = load_pack(Path(path), lexicon, context)
        if pack.name in seen_packs:
            raise PackError(pack.path, 1, 1, f"pack name '{pack.name}' is already used by {seen_packs[pack.name]}")
        seen_packs[pack.name] = pack.path
        for rule in pack.rules:
            if rule.id in seen_ids:
                raise LintError(f"{rule.source}: duplicate rule id '{rule.id}' (first defined at {seen_ids[rule.id]})")
            seen_ids[rule.id] = rule.source
        packs.append(pack)
    return RuleSet(packs, lexicon, knowledge, context)


def load_pack(path: Path, lexicon: Lexicon, context: ContextLexicon) -> Pack:
    data = read_yaml(path)
    where = Where(str(path), data)
    if not isinstance(data, dict):
        raise PackError(str(path), 1, 1, "a pack must be a mapping with name, description, version and rules")
    check_keys(where, data, _PACK_KEYS, {"name", "description", "version", "rules"}, "pack")
    name = string(where.at("name", data), data["name"], "name")
    if not _KEBAB.match(name):
        where.at("name", data).fail(f"pack name '{name}' must be kebab-case")
    if name in CATEGORIES:
        where.at("name", data).fail(f"pack name '{name}' clashes with a category id")
    version = data["version"]
    if not isinstance(version, (str, int, float)) or isinstance(version, bool):
        where.at("version", data).fail("version must be a string")
    if "vocabularies" in data:
        lexicon = lexicon.with_more(read_vocabularies(where.at("vocabularies", data), data["vocabularies"]))
        lexicon.check_all()
    rules_data = data["rules"]
    if not isinstance(rules_data, list) or not rules_data:
        where.at("rules", data).fail("rules must be a non-empty list")
    pack = Pack(
        name, string(where.at("description", data), data["description"], "description"), str(version), str(path)
    )
    for index, rule_data in enumerate(rules_data):
        pack.rules.append(_RuleLoader(where.item(index, rules_data), rule_data, pack, lexicon, context).load())
    return pack


class _RuleLoader:
    def __init__(self, where: Where, data: Any, pack: Pack, lexicon: Lexicon, context: ContextLexicon) -> None:
        if not isinstance(data, dict):
            where.fail("a rule must be a mapping")
        self.where, self.data, self.pack, self.lexicon, self.context = where, data, pack, lexicon, context
        self.label = f"rule '{data['id']}'" if isinstance(data.get("id"), str) else "rule"

    def fail_at(self, key: str, message: str) -> Any:
        return self.where.at(key, self.data).fail(f"{self.label}: {message}")

    def load(self) -> Rule:
        data, where = self.data, self.where
        scope = data.get("scope", "sentence")
        if scope not in ("sentence", "document"):
            self.fail_at("scope", "scope must be sentence or document")
        check_keys(where, data, _SENTENCE_KEYS if scope == "sentence" else _DOCUMENT_KEYS, _REQUIRED, self.label)
        rid = string(where.at("id", data), data["id"], "id")
        if not _KEBAB.match(rid):
            self.fail_at("id", "id must be kebab-case")
        if rid in CATEGORIES:
            self.fail_at("id", "id clashes with a category id")
        category = data["category"]
        if not isinstance(category, str) or category not in CATEGORIES:
            self.fail_at("category", f"unknown category {echo(category)} (see docs/taxonomy.md)")
        severity = data["severity"]
        if severity not in ("error", "warning", "info"):
            self.fail_at("severity", f"severity must be error, warning or info, not {echo(severity)}")
        common = dict(
            id=rid,
            category=str(category),
            severity=str(severity),
            message=" ".join(string(where.at("message", data), data["message"], f"{self.label}: message").split()),
            suggestion=" ".join(
                string(where.at("suggestion", data), data["suggestion"], f"{self.label}: suggestion").split()
            ),
            pack=self.pack.name,
            source=str(where),
            references=self._references(),
        )
        bad, good = self._examples()
        if scope == "document":
            rule: Rule = self._document(common, bad, good)
        else:
            rule = self._sentence(common, bad, good)
        self._check_templates(rule)
        return rule

    # ------------------------------------------------------------------------------ sentence rules

    def _sentence(self, common: dict, bad: tuple[Example, ...], good: tuple[Example, ...]) -> SentenceRule:
        data = self.data
        if ("match" in data) == ("frame" in data):
            self.where.fail(f"{self.label}: a sentence rule has either 'match' (word patterns) or 'frame'")
        case = data.get("case_sensitive", False)
        if not isinstance(case, bool):
            self.fail_at("case_sensitive", "case_sensitive must be true or false")
        frame = None
        if "match" in data:
            patterns = self._patterns("match", case_sensitive=case)
        else:
            patterns, frame = self._frame()
        cancelled = self._cancelled_by(common["category"])
        return SentenceRule(
            **common,
            patterns=patterns,
            antipatterns=self._patterns("antipatterns", case_sensitive=case),
            requires=self._patterns("requires"),
            unless=self._patterns("unless"),
            unless_paragraph=self._patterns("unless_paragraph"),
            under_heading=self._patterns("under_heading"),
            cancelled_by=cancelled,
            knowledge=self._knowledge(),
            fix=self._fix(),
            bad=bad,
            good=good,
            frame=frame,
        )

    def _patterns(
        self, key: str, *, case_sensitive: bool = False, container: Any = None, where: Where | None = None
    ) -> tuple[Pattern, ...]:
        container = self.data if container is None else container
        where = self.where if where is None else where
        if key not in container:
            return ()
        lw = where.at(key, container)
        items = container[key]
        if isinstance(items, (str, dict)):
            items = [items]
        if not isinstance(items, list) or not items:
            lw.fail(f"{self.label}: {key} must be a list of word patterns")
        return tuple(self._pattern(lw.item(i, items), item, key, case_sensitive) for i, item in enumerate(items))

    def _pattern(self, where: Where, item: Any, key: str, case_sensitive: bool = False) -> Pattern:
        if isinstance(item, dict):
            check_keys(where, item, {"regex", "why", "words"}, {"regex"}, f"{self.label}: {key}")
            source = string(where.at("regex", item), item["regex"], f"{self.label}: {key}: regex")
            needs: tuple[frozenset[str], ...] = ()
            if "words" in item:  # a sentence without any of these words is not searched at all
                hint = string(where.at("words", item), item["words"], f"{self.label}: {key}: words")
                hinted = frozenset(w for part in hint.split("|") for w in token_words(part))
                if not hinted:
                    where.at("words", item).fail(f"{self.label}: {key}: words must name at least one word")
                needs = (hinted,)
            flags = 0 if case_sensitive else regex.IGNORECASE
            wrapped = r"(?<![\w])(?:" + source + r")(?![\w])"
            try:
                compiled = regex.compile(wrapped, flags)
            except (regex.error, ValueError, OverflowError, RecursionError) as exc:
                where.fail(f"{self.label}: {key}: regex does not compile: {exc}")
            if compiled.search("") is not None:
                where.fail(f"{self.label}: {key}: regex matches nothing at all; make it need a character")
            return Pattern(source, LazyPattern(wrapped, flags, engine="regex"), on_text=True, needs=needs)
        text = string(where, item, f"{self.label}: {key}")
        try:
            check_size(parse(text), self.lexicon.resolve, "this pattern")
            compiled = compile_pattern(text, self.lexicon.resolve)
        except PatternError as exc:
            where.fail(f"{self.label}: {key}: {exc}")
        return Pattern(
            text, LazyPattern(compiled.regex, 0), needs=compiled.needs, groups=compiled.groups,
            first=compiled.first, at_start=compiled.at_start, follow=compiled.follow(),
        )  # fmt: skip

    def _frame(self) -> tuple[tuple[Pattern, ...], dict[str, str]]:
        frame = self.data["frame"]
        fw = self.where.at("frame", self.data)
        if not isinstance(frame, dict):
            fw.fail(f"{self.label}: frame must be a mapping with slots and orders")
        check_keys(fw, frame, {"slots", "orders", "mark"}, {"slots", "orders"}, f"{self.label}: frame")
        slots = frame["slots"]
        sw = fw.at("slots", frame)
        if not isinstance(slots, dict) or not slots:
            sw.fail(f"{self.label}: frame.slots must map slot names to word patterns")
        compiled_slots: dict[str, Compiled] = {}
        for slot, source in slots.items():
            if not isinstance(slot, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", slot):
                sw.key(slot, slots).fail(f"{self.label}: slot names are lower-case words joined by '_'")
            text = string(sw.at(slot, slots), source, f"{self.label}: slot {slot}")
            try:
                check_size(parse(text), self.lexicon.resolve, "this slot")
                compiled_slots[slot] = compile_seq(parse(text), self.lexicon.resolve, capture=False)
            except PatternError as exc:
                sw.at(slot, slots).fail(f"{self.label}: slot {slot}: {exc}")
        orders = string_list(fw.at("orders", frame), frame["orders"], f"{self.label}: frame.orders")
        patterns = []
        for index, order in enumerate(orders):
            ow = fw.at("orders", frame).item(index, frame["orders"])
            used = _SLOT.findall(order)
            for slot in used:
                if slot not in compiled_slots:
                    ow.fail(f"{self.label}: frame.orders: unknown slot {{{slot}}}")
            if not used:
                ow.fail(f"{self.label}: frame.orders: an order uses the slots, like '{{product}} ... {{claim}}'")

            def resolve(name: str, _order: str = order) -> Compiled:
                if name.startswith("slot-"):
                    slot = name[5:].replace("-", "_")
                    return compiled_slots[slot]
                return self.lexicon.resolve(name)

            as_refs = _SLOT.sub(lambda m: "<slot-" + m.group(1).replace("_", "-") + ">", order)
            try:
                check_size(parse(as_refs), resolve, "this order")
                compiled = compile_pattern(as_refs, resolve)
            except PatternError as exc:
                ow.fail(f"{self.label}: frame.orders: {exc}")
            body = compiled.regex
            for slot in used:  # group "slot_x" -> "x": messages say {condition}
                body = body.replace(f"(?P<{group_name('slot-' + slot.replace('_', '-'))}>", f"(?P<{slot}>")
            body = stream_regex(body)  # a slot named like a vocabulary inside another slot: numbered apart
            groups = frozenset(used) | {g for g in compiled.groups if not g.startswith("slot-")}
            patterns.append(
                Pattern(
                    order,
                    LazyPattern(body, 0),
                    needs=compiled.needs,
                    groups=groups,
                    first=compiled.first,
                    at_start=compiled.at_start,
                    follow=compiled.follow(),
                )  # fmt: skip
            )
        mark = tuple(string_list(fw.at("mark", frame), frame.get("mark", []), f"{self.label}: frame.mark"))
        for slot in mark:
            if slot not in compiled_slots:
                fw.at("mark", frame).fail(f"{self.label}: frame.mark: unknown slot '{slot}'")
        patterns = [dataclasses.replace(p, mark=mark) for p in patterns]
        return tuple(patterns), {k: str(v) for k, v in slots.items()}

    def _cancelled_by(self, category: str) -> frozenset[str]:
        if "cancelled_by" not in self.data:
            return self.context.defaults.get(category, frozenset(MODIFIERS))
        names = string_list(self.where.at("cancelled_by", self.data), self.data["cancelled_by"] or [], "cancelled_by")
        for name in names:
            if name not in MODIFIERS:
                self.fail_at("cancelled_by", f"unknown context modifier '{name}' (one of {', '.join(MODIFIERS)})")
        return frozenset(names)

    def _knowledge(self) -> KnowledgeCheck | None:
        if "knowledge" not in self.data:
            return None
        value, kw = mapping(self.where, self.data, "knowledge", f"{self.label}: knowledge must be a mapping")
        check_keys(
            kw,
            value,
            {"flag", "product", "condition", "indication", "statuses", "unknown"},
            {"flag"},
            f"{self.label}: knowledge",
        )
        flag = value["flag"]
        if flag not in ("not-approved", "status"):
            kw.at("flag", value).fail(f"{self.label}: knowledge.flag is not-approved or status")
        # status: the statuses that make the finding; not-approved: statuses whose indications do not count
        default = sorted(NOT_APPROVED) if flag == "status" else ["unapproved", "supplement"]
        statuses = string_list(kw.at("statuses", value), value.get("statuses", default), "statuses")
        for s in statuses:
            if s not in STATUSES:
                kw.at("statuses", value).fail(f"{self.label}: unknown status '{s}' (one of {', '.join(STATUSES)})")
        unknown = value.get("unknown", "skip")
        if unknown not in ("skip", "flag", "serious"):
            kw.at("unknown", value).fail(f"{self.label}: knowledge.unknown is skip, flag or serious")
        indications = string_list(kw.at("indication", value), value.get("indication", []), "indication")
        for indication in indications:
            if indication not in self.lexicon["condition"].concepts:
                kw.at("indication", value).fail(f"{self.label}: '{indication}' is not a <condition> concept id")
        return KnowledgeCheck(
            flag=flag,
            product=str(value.get("product", "product")),
            condition=str(value.get("condition", "condition")),
            indications=tuple(indications),
            statuses=frozenset(statuses),
            unknown=unknown,
        )

    # ------------------------------------------------------------------------------ document rules

    def _document(self, common: dict, bad: tuple[Example, ...], good: tuple[Example, ...]) -> DocumentRule:
        if "must_contain" not in self.data:
            self.where.fail(f"{self.label}: missing required key 'must_contain'")
        when = self.data.get("when")
        when_rules: frozenset[str] = frozenset()
        when_categories: frozenset[str] = frozenset()
        when_patterns: tuple[Pattern, ...] = ()
        if when is not None:
            ww = self.where.at("when", self.data)
            if not isinstance(when, dict) or not when:
                ww.fail(f"{self.label}: when must be a mapping with rules, categories and/or match")
            check_keys(ww, when, {"rules", "categories", "match"}, set(), f"{self.label}: when")
            when_rules = frozenset(string_list(ww.at("rules", when), when.get("rules", []), "when.rules"))
            categories = string_list(ww.at("categories", when), when.get("categories", []), "when.categories")
            for category in categories:
                if category not in CATEGORIES:
                    ww.at("categories", when).fail(f"{self.label}: when.categories: unknown category {echo(category)}")
            when_categories = frozenset(categories)
            when_patterns = self._patterns("match", container=when, where=ww)
        return DocumentRule(
            **common,
            must_contain=self._patterns("must_contain"),
            when_rules=when_rules,
            when_categories=when_categories,
            when_patterns=when_patterns,
            bad=bad,
            good=good,
        )

    # ------------------------------------------------------------------------------ shared parts

    def _fix(self) -> FixSpec | None:
        if "fix" not in self.data:
            return None
        value, fw = mapping(
            self.where, self.data, "fix", f"{self.label}: fix must be a mapping with replacement and safe"
        )
        check_keys(fw, value, {"replacement", "safe"}, {"replacement"}, f"{self.label}: fix")
        replacement = value["replacement"]
        if not isinstance(replacement, str):
            fw.at("replacement", value).fail(f"{self.label}: fix.replacement must be a string")
        replacement = unicode(fw.at("replacement", value), str(replacement), f"{self.label}: fix.replacement")
        safe = value.get("safe", False)
        if not isinstance(safe, bool):
            fw.at("safe", value).fail(f"{self.label}: fix.safe must be true or false")
        return FixSpec(replacement, safe)

    def _references(self) -> tuple[Reference, ...]:
        items = mapping_list(
            self.where.at("references", self.data), self.data["references"], f"{self.label}: references", "name, url"
        )
        refs = []
        for index, (w, item) in enumerate(items):
            check_keys(w, item, {"name", "url"}, {"name", "url"}, f"{self.label}: references[{index}]")
            url = string(w.at("url", item), item["url"], f"{self.label}: references[{index}].url")
            if not url.startswith(("https://", "http://")):
                w.at("url", item).fail(f"{self.label}: references[{index}].url must be an http(s) URL")
            refs.append(Reference(string(w.at("name", item), item["name"], "name"), url))
        return tuple(refs)

    def _examples(self) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
        value, where = mapping(
            self.where, self.data, "examples", f"{self.label}: examples must be a mapping with bad and good lists"
        )
        check_keys(where, value, {"bad", "good"}, {"bad", "good"}, f"{self.label}: examples")
        out = []
        for kind in ("bad", "good"):
            items = value[kind]
            w = where.at(kind, value)
            if not isinstance(items, list) or len(items) < _MIN_EXAMPLES:
                w.fail(f"{self.label}: examples.{kind} needs at least {_MIN_EXAMPLES} examples")
            examples = []
            for index, item in enumerate(items):
                wi = w.item(index, items)
                fmt = "text"
                if isinstance(item, dict):
                    check_keys(wi, item, {"text", "format"}, {"text"}, f"{self.label}: examples.{kind}[{index}]")
                    fmt = item.get("format", "text")
                    if fmt not in FORMATS:
                        wi.at("format", item).fail(f"{self.label}: example format must be one of {', '.join(FORMATS)}")
                    wi, item = wi.at("text", item), item["text"]
                elif not isinstance(item, str):
                    wi.fail(f"{self.label}: examples.{kind}[{index}] must be a string or {{text, format}}")
                examples.append(_example(wi, string(wi, item, "text"), fmt, kind, self.label))
            out.append(tuple(examples))
        return out[0], out[1]

    def _check_templates(self, rule: Rule) -> None:
        groups: set[str] = {"match", "product", "product_name", "product_summary", "condition_name", "modifiers"}
        if isinstance(rule, SentenceRule):
            for p in rule.patterns:
                groups |= {group_name(g) for g in p.groups}
        for key in ("message", "suggestion"):
            _check_template(self.where.at(key, self.data), getattr(rule, key), groups, f"{self.label}: {key}")
        if isinstance(rule, SentenceRule) and rule.fix is not None:
            _check_template(self.where.at("fix", self.data), rule.fix.replacement, groups, f"{self.label}: fix")


def _example(where: Where, text: str, fmt: str, kind: str, label: str) -> Example:
    marks = list(MARK.finditer(text))
    if not marks:
        return Example(text, fmt)
    if kind == "good":
        where.fail(f"{label}: a good example has nothing to flag; [[marks]] belong in bad examples")
    if len(marks) > 1:
        where.fail(f"{label}: mark one span per example with [[...]]")
    m = marks[0]
    plain = text[: m.start()] + m.group(1) + text[m.end() :]
    return Example(plain, fmt, (m.start(), m.start() + len(m.group(1))))


def _check_template(where: Where, template: str, groups: set[str], what: str) -> None:
    """A message, suggestion or fix template may hold only ``{field}`` and ``{field|fallback words}``: a
    conversion (``!r``), a format spec (``:>99999``) or attribute/index access would fail, or run away, at the
    first match, so they are refused here, with the field shown short."""
    try:
        parts = list(_string.Formatter().parse(template))
    except ValueError as exc:
        where.fail(f"{what}: bad template ({exc}); write {{{{ and }}}} for literal braces")
    for _, spot, spec, conversion in parts:
        if spot is None:
            continue
        raw = spot + (f"!{conversion}" if conversion is not None else "") + (f":{spec}" if spec else "")
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        if conversion is not None or spec:
            where.fail(
                f"{what}: {{{shown}}} takes no conversion (!) or format (:) after its name; "
                "write {{ and }} for literal braces"
            )
        name = spot.partition("|")[0]  # {product_name|the treatment}: words for an empty field
        if any(c in spot for c in ".[]"):
            where.fail(f"{what}: {{{shown}}}: a field name or its fallback cannot hold '.', '[' or ']'")
        if name not in groups:
            shown = name if len(name) <= 40 else name[:37] + "..."
            where.fail(f"{what}: {{{shown}}} is not {{match}}, a slot, a vocabulary of the rule, or a knowledge field")
