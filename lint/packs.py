"""Rule packs: load YAML, validate every key with its line number, compile patterns.

A mistake in a pack is a :class:`PackError` naming ``file:line:column`` and the problem; the CLI turns it into
one line and exit code 2. The schema is documented in docs/rule-packs.md.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from lint.model import LintError
from lint.taxonomy import CATEGORIES

FORMATS = ("text", "markdown", "html")
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_DEFINITION_REF = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)\s*\}\}")
_PACK_KEYS = {"name", "description", "version", "definitions", "rules"}
_PATTERN_LISTS = ("patterns", "requires", "unless", "unless_before", "unless_after", "unless_paragraph")
_RULE_KEYS = {
    "id", "category", "severity", "scope", "message", "suggestion", *_PATTERN_LISTS, "case_sensitive",
    "word_boundary", "fix", "references", "examples", "must_contain", "when",
}  # fmt: skip
_REQUIRED = ("id", "category", "severity", "message", "suggestion", "references", "examples")
_MIN_EXAMPLES = 3


class PackError(LintError):
    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")


@dataclass(frozen=True, slots=True)
class Reference:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    fmt: str = "text"


@dataclass(frozen=True, slots=True)
class FixSpec:
    replacement: str
    safe: bool


@dataclass(slots=True)
class Rule:
    id: str
    category: str
    severity: str
    message: str
    suggestion: str
    pack: str
    source: str  # "pack file:line:column" of the rule, for messages
    scope: str = "sentence"
    patterns: tuple[regex.Pattern, ...] = ()
    pattern_sources: tuple[str, ...] = ()  # the expanded, wrapped regex text (prefilters compile these)
    requires: tuple[regex.Pattern, ...] = ()
    unless: tuple[regex.Pattern, ...] = ()
    unless_before: tuple[regex.Pattern, ...] = ()
    unless_after: tuple[regex.Pattern, ...] = ()
    unless_paragraph: tuple[regex.Pattern, ...] = ()
    must_contain: tuple[regex.Pattern, ...] = ()
    when_rules: frozenset[str] = frozenset()
    when_categories: frozenset[str] = frozenset()
    when_patterns: tuple[regex.Pattern, ...] = ()
    fix: FixSpec | None = None
    references: tuple[Reference, ...] = ()
    bad: tuple[Example, ...] = ()
    good: tuple[Example, ...] = ()

    @property
    def has_when(self) -> bool:
        return bool(self.when_rules or self.when_categories or self.when_patterns)


@dataclass(slots=True)
class Pack:
    name: str
    description: str
    version: str
    path: str
    rules: list[Rule] = field(default_factory=list)


# --------------------------------------------------------------------------- locating the shipped packs


def shipped_rules_dir() -> Path:
    """The directory of the packs that ship with clinic-lint (inside the installed package)."""
    try:
        import lint.rules as shipped  # the wheel maps rules/ to lint/rules

        return Path(next(iter(shipped.__path__)))
    except ImportError:  # running from a source checkout without installing
        return Path(__file__).resolve().parent.parent / "rules"


def default_pack_paths() -> list[Path]:
    return sorted(p for p in shipped_rules_dir().glob("*.yaml") if not p.name.startswith("_"))


def shipped_definitions_path() -> Path:
    return shipped_rules_dir() / "_definitions.yaml"


# --------------------------------------------------------------------------- loading


def load_packs(paths: Sequence[Path | str]) -> list[Pack]:
    """Load and validate packs; rule ids must be unique across all of them."""
    definitions = load_definitions(shipped_definitions_path())
    packs: list[Pack] = []
    seen_ids: dict[str, str] = {}
    seen_packs: dict[str, str] = {}
    for path in paths:
        pack = load_pack(Path(path), definitions)
        if pack.name in seen_packs:
            raise PackError(pack.path, 1, 1, f"pack name '{pack.name}' is already used by {seen_packs[pack.name]}")
        seen_packs[pack.name] = pack.path
        for rule in pack.rules:
            if rule.id in seen_ids:
                raise LintError(f"{rule.source}: duplicate rule id '{rule.id}' (first defined at {seen_ids[rule.id]})")
            seen_ids[rule.id] = rule.source
        packs.append(pack)
    return packs


def load_definitions(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = _read_yaml(path)
    where = _Where(str(path), data)
    _check_keys(where, data, {"definitions"}, set(), "definitions file")
    defs = data.get("definitions") or {}
    return _string_map(where.at("definitions", data), defs, "definitions")


def load_pack(path: Path, shared_definitions: dict[str, str] | None = None) -> Pack:
    data = _read_yaml(path)
    where = _Where(str(path), data)
    if not isinstance(data, dict):
        raise PackError(str(path), 1, 1, "a pack must be a mapping with name, description, version and rules")
    _check_keys(where, data, _PACK_KEYS, {"name", "description", "version", "rules"}, "pack")
    name = _string(where.at("name", data), data["name"], "name")
    if not _KEBAB.match(name):
        where.at("name", data).fail(f"pack name '{name}' must be kebab-case")
    if name in CATEGORIES:
        where.at("name", data).fail(f"pack name '{name}' clashes with a category id")
    version = data["version"]
    if not isinstance(version, (str, int, float)) or isinstance(version, bool):
        where.at("version", data).fail("version must be a string")
    definitions = dict(shared_definitions or {})
    if "definitions" in data:
        definitions.update(_string_map(where.at("definitions", data), data["definitions"], "definitions"))
    rules_data = data["rules"]
    if not isinstance(rules_data, list) or not rules_data:
        where.at("rules", data).fail("rules must be a non-empty list")
    pack = Pack(
        name, _string(where.at("description", data), data["description"], "description"), str(version), str(path)
    )
    for index, rule_data in enumerate(rules_data):
        pack.rules.append(_load_rule(where.item(index, rules_data), rule_data, pack, definitions))
    return pack


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LintError(f"{path}: pack not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LintError(f"{path}: cannot read pack: {exc}") from None
    from ruamel.yaml import YAML  # imported here: a run on the compiled-pack cache never parses YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise PackError(str(path), line, col, f"YAML syntax error: {problem}") from None
    except YAMLError as exc:
        raise PackError(str(path), 1, 1, f"YAML error: {str(exc).splitlines()[0]}") from None


class _Where:
    """Where a YAML node is, for error messages (ruamel keeps line/column on loaded containers)."""

    def __init__(self, path: str, node: Any, line: int = 1, column: int = 1) -> None:
        self.path, self.node, self.line, self.column = path, node, line, column
        lc = getattr(node, "lc", None)
        if lc is not None and line == 1 and column == 1 and isinstance(getattr(lc, "line", None), int):
            self.line, self.column = lc.line + 1, (lc.col or 0) + 1  # a bare scalar document has no position

    def at(self, key: str, parent: Any) -> _Where:
        """The position of ``parent[key]``'s value."""
        try:
            line, col = parent.lc.value(key)
        except (AttributeError, KeyError, TypeError):
            try:
                line, col = parent.lc.key(key)
            except (AttributeError, KeyError, TypeError):
                return _Where(self.path, parent.get(key) if isinstance(parent, dict) else None, self.line, self.column)
        return _Where(self.path, parent.get(key), line + 1, col + 1)

    def key(self, key: str, parent: Any) -> _Where:
        try:
            line, col = parent.lc.key(key)
        except (AttributeError, KeyError, TypeError):
            return self
        return _Where(self.path, None, line + 1, col + 1)

    def item(self, index: int, parent: Any) -> _Where:
        try:
            line, col = parent.lc.item(index)
        except (AttributeError, KeyError, TypeError, IndexError):
            return _Where(self.path, parent[index], self.line, self.column)
        return _Where(self.path, parent[index], line + 1, col + 1)

    def fail(self, message: str) -> Any:
        raise PackError(self.path, self.line, self.column, message)


def _check_keys(where: _Where, data: dict, allowed: set[str], required: set[str] | Iterable[str], what: str) -> None:
    for key in data:
        if key not in allowed:
            where.key(key, data).fail(f"{what}: unknown key '{key}'")
    for key in required:
        if key not in data:
            where.fail(f"{what}: missing required key '{key}'")


def _string(where: _Where, value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        where.fail(f"{what} must be a non-empty string")
    return _unicode(where, str(value), what)


def _unicode(where: _Where, text: str, what: str) -> str:
    """YAML reads the escape "\\ud83d\\ude00" as two halves of a character: join them; a lone half is an error."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if "\ufffd" in joined and "\ufffd" not in text:
        where.fail(f"{what} holds an invalid \\u escape (half of a surrogate pair)")
    return joined


def _string_map(where: _Where, value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict):
        where.fail(f"{what} must be a mapping")
    out = {}
    for key, item in value.items():
        _string(where.at(key, value), item, f"{what}.{key}")
        out[str(key)] = str(item)
    return out


def _string_list(where: _Where, value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        where.fail(f"{what} must be a list of strings")
    for index, item in enumerate(value):
        _string(where.item(index, value), item, f"{what}[{index}]")
    return [str(v) for v in value]


def _load_rule(where: _Where, data: Any, pack: Pack, definitions: dict[str, str]) -> Rule:
    if not isinstance(data, dict):
        where.fail("a rule must be a mapping")
    label = f"rule '{data['id']}'" if isinstance(data.get("id"), str) else "rule"
    _check_keys(where, data, _RULE_KEYS, _REQUIRED, label)
    rid = _string(where.at("id", data), data["id"], "id")
    if not _KEBAB.match(rid):
        where.at("id", data).fail(f"{label}: id must be kebab-case")
    if rid in CATEGORIES:
        where.at("id", data).fail(f"{label}: id clashes with a category id")
    category = data["category"]
    if not isinstance(category, str) or category not in CATEGORIES:
        where.at("category", data).fail(f"{label}: unknown category '{category}' (see docs/taxonomy.md)")
    severity = data["severity"]
    if not isinstance(severity, str) or severity not in ("error", "warning", "info"):
        where.at("severity", data).fail(f"{label}: severity must be error, warning or info, not '{severity}'")
    scope = data.get("scope", "sentence")
    if not isinstance(scope, str) or scope not in ("sentence", "document"):
        where.at("scope", data).fail(f"{label}: scope must be sentence or document")
    flags = {}
    for key in ("case_sensitive", "word_boundary"):
        if key in data and not isinstance(data[key], bool):
            where.at(key, data).fail(f"{label}: {key} must be true or false")
        flags[key] = data.get(key, key == "word_boundary")

    rule = Rule(
        id=rid,
        category=str(category),
        severity=str(severity),
        message=_string(where.at("message", data), data["message"], f"{label}: message"),
        suggestion=_string(where.at("suggestion", data), data["suggestion"], f"{label}: suggestion"),
        pack=pack.name,
        source=f"{where.path}:{where.line}:{where.column}",
        scope=scope,
    )
    compiler = _Compiler(where, data, label, definitions, flags["case_sensitive"], flags["word_boundary"])
    if scope == "sentence":
        if "patterns" not in data:
            where.fail(f"{label}: missing required key 'patterns'")
        for key in ("must_contain", "when"):
            if key in data:
                where.key(key, data).fail(f"{label}: '{key}' is only for scope: document")
        rule.patterns, rule.pattern_sources = compiler.compile_list("patterns", "{}", with_sources=True)
        rule.requires = compiler.compile_list("requires", "{}")
        rule.unless = compiler.compile_list("unless", "{}")
        rule.unless_before = compiler.compile_list("unless_before", r"{}\W*$")
        rule.unless_after = compiler.compile_list("unless_after", r"\W*{}")  # used with match() at the end
        rule.unless_paragraph = compiler.compile_list("unless_paragraph", "{}")
        if not rule.patterns:
            where.at("patterns", data).fail(f"{label}: patterns must not be empty")
    else:
        for key in _PATTERN_LISTS:
            if key in data:
                where.key(key, data).fail(f"{label}: '{key}' is only for scope: sentence")
        if "must_contain" not in data:
            where.fail(f"{label}: missing required key 'must_contain'")
        rule.must_contain = compiler.compile_list("must_contain", "{}")
        _load_when(where, data, label, compiler, rule)
    groups = set().union(*(p.groupindex for p in rule.patterns)) if rule.patterns else set()
    for key in ("message", "suggestion"):
        _check_template(where.at(key, data), getattr(rule, key), groups, f"{label}: {key}")
    if "fix" in data:
        rule.fix = _load_fix(where.at("fix", data), data["fix"], groups, label)
        if scope == "document":
            where.at("fix", data).fail(f"{label}: document rules cannot have a fix")
    rule.references = _load_references(where.at("references", data), data["references"], label)
    rule.bad, rule.good = _load_examples(where.at("examples", data), data["examples"], label)
    return rule


def _load_when(where: _Where, data: dict, label: str, compiler: _Compiler, rule: Rule) -> None:
    if "when" not in data:
        return
    w = where.at("when", data)
    when = data["when"]
    if not isinstance(when, dict) or not when:
        w.fail(f"{label}: when must be a mapping with rules, categories and/or patterns")
    _check_keys(w, when, {"rules", "categories", "patterns"}, set(), f"{label}: when")
    rule.when_rules = frozenset(_string_list(w.at("rules", when), when.get("rules", []), f"{label}: when.rules"))
    categories = _string_list(w.at("categories", when), when.get("categories", []), f"{label}: when.categories")
    for category in categories:
        if category not in CATEGORIES:
            w.at("categories", when).fail(f"{label}: when.categories: unknown category '{category}'")
    rule.when_categories = frozenset(categories)
    rule.when_patterns = compiler.compile_list("patterns", "{}", container=when, where=w)


def _load_fix(where: _Where, value: Any, groups: set[str], label: str) -> FixSpec:
    if not isinstance(value, dict):
        where.fail(f"{label}: fix must be a mapping with replacement and safe")
    _check_keys(where, value, {"replacement", "safe"}, {"replacement"}, f"{label}: fix")
    replacement = value["replacement"]
    if not isinstance(replacement, str):
        where.at("replacement", value).fail(f"{label}: fix.replacement must be a string")
    replacement = _unicode(where.at("replacement", value), str(replacement), f"{label}: fix.replacement")
    _check_template(where.at("replacement", value), replacement, groups, f"{label}: fix.replacement")
    safe = value.get("safe", False)
    if not isinstance(safe, bool):
        where.at("safe", value).fail(f"{label}: fix.safe must be true or false")
    return FixSpec(replacement, safe)


def _load_references(where: _Where, value: Any, label: str) -> tuple[Reference, ...]:
    if not isinstance(value, list) or not value:
        where.fail(f"{label}: references must be a non-empty list of {{name, url}}")
    refs = []
    for index, item in enumerate(value):
        w = where.item(index, value)
        if not isinstance(item, dict):
            w.fail(f"{label}: references[{index}] must be a mapping with name and url")
        _check_keys(w, item, {"name", "url"}, {"name", "url"}, f"{label}: references[{index}]")
        url = _string(w.at("url", item), item["url"], f"{label}: references[{index}].url")
        if not url.startswith(("https://", "http://")):
            w.at("url", item).fail(f"{label}: references[{index}].url must be an http(s) URL")
        refs.append(Reference(_string(w.at("name", item), item["name"], "name"), url))
    return tuple(refs)


def _load_examples(where: _Where, value: Any, label: str) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    if not isinstance(value, dict):
        where.fail(f"{label}: examples must be a mapping with bad and good lists")
    _check_keys(where, value, {"bad", "good"}, {"bad", "good"}, f"{label}: examples")
    out = []
    for kind in ("bad", "good"):
        items = value[kind]
        w = where.at(kind, value)
        if not isinstance(items, list) or len(items) < _MIN_EXAMPLES:
            w.fail(f"{label}: examples.{kind} needs at least {_MIN_EXAMPLES} examples")
        examples = []
        for index, item in enumerate(items):
            wi = w.item(index, items)
            if isinstance(item, str):
                examples.append(Example(item))
                continue
            if not isinstance(item, dict):
                wi.fail(f"{label}: examples.{kind}[{index}] must be a string or {{text, format}}")
            _check_keys(wi, item, {"text", "format"}, {"text"}, f"{label}: examples.{kind}[{index}]")
            fmt = item.get("format", "text")
            if fmt not in FORMATS:
                wi.at("format", item).fail(f"{label}: example format must be one of {', '.join(FORMATS)}")
            examples.append(Example(_string(wi.at("text", item), item["text"], "text"), fmt))
        out.append(tuple(examples))
    return out[0], out[1]


def _check_template(where: _Where, template: str, groups: set[str], what: str) -> None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        where.fail(f"{what}: bad template ({exc}); write {{{{ and }}}} for literal braces")
    for name in fields:
        if name != "match" and name not in groups:
            where.fail(f"{what}: {{{name}}} is neither {{match}} nor a named group of the rule's patterns")


class _Compiler:
    """Expands ``{{definitions}}`` and compiles one rule's pattern lists with its flags."""

    def __init__(
        self,
        where: _Where,
        data: dict,
        label: str,
        definitions: dict[str, str],
        case_sensitive: bool,
        word_boundary: bool,
    ) -> None:
        self.where, self.data, self.label, self.definitions = where, data, label, definitions
        self.flags = 0 if case_sensitive else regex.IGNORECASE
        self.word_boundary = word_boundary

    def compile_list(
        self, key: str, anchor: str, *, with_sources: bool = False, container: Any = None, where: _Where | None = None
    ) -> Any:
        container = self.data if container is None else container
        where = self.where if where is None else where
        if key not in container:
            return ((), ()) if with_sources else ()
        lw = where.at(key, container)
        sources = _string_list(lw, container[key], f"{self.label}: {key}")
        compiled, expanded = [], []
        for index, source in enumerate(sources):
            w = lw.item(index, container[key]) if isinstance(container[key], list) else lw
            text = self._expand(w, source, key)
            if self.word_boundary:
                text = _not_inside_words(text, self.flags)
            text = anchor.format(f"(?:{text})") if anchor != "{}" else text
            try:
                compiled.append(regex.compile(text, self.flags))
            except (regex.error, ValueError, OverflowError, RecursionError) as exc:
                w.fail(f"{self.label}: {key}[{index}]: regex does not compile: {exc}")
            expanded.append(text)
        return (tuple(compiled), tuple(expanded)) if with_sources else tuple(compiled)

    def _expand(self, where: _Where, source: str, key: str) -> str:
        text = source
        for _ in range(20):  # definitions may use definitions; a cycle stops here
            names = _DEFINITION_REF.findall(text)
            if not names:
                return text
            for name in names:
                if name not in self.definitions:
                    where.fail(f"{self.label}: {key}: unknown definition {{{{{name}}}}}")
            text = _DEFINITION_REF.sub(lambda m: f"(?:{self.definitions[m.group(1)]})", text)
        return where.fail(f"{self.label}: {key}: definitions refer to each other in a cycle")


_NOT_INSIDE_WORD = r"(?!(?<=\w)\w)"


def _not_inside_words(text: str, flags: int) -> str:
    """``text`` made unable to start or end in the middle of a word (it may still start with a space): with
    ``\\b`` at an edge where the pattern surely has a word character (the same condition there, and faster),
    else with "not between two word characters"."""
    from lint.literals import word_edges

    starts_word, ends_word = word_edges(text, flags)
    head = r"\b" if starts_word else _NOT_INSIDE_WORD
    tail = r"\b" if ends_word else _NOT_INSIDE_WORD
    return f"{head}(?:{text}){tail}"
