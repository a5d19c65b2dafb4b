"""``clinic-lint explain NAME``: what a rule catches and why, with its words, frame, context and examples; or a
category, a vocabulary (``<condition>``), a product's approved-indications entry, or a context modifier."""

from __future__ import annotations

import textwrap

from lint.model import LintError
from lint.packs import DocumentRule, Rule, RuleSet, SentenceRule
from lint.taxonomy import CATEGORIES


def explain(ident: str, rule_set: RuleSet) -> str:
    rules = {r.id: r for p in rule_set.packs for r in p.rules}
    name = ident.strip("<>")
    if ident in rules:
        return explain_rule(rules[ident], rule_set)
    if ident in CATEGORIES:
        members = [r for r in rules.values() if r.category == ident]
        lines = [f"{ident}: {CATEGORIES[ident]}", "", f"{len(members)} rules:"]
        lines += [f"  {r.id:<40} {r.severity:<8} {r.pack}" for r in members]
        cancelled = ", ".join(sorted(rule_set.context.defaults.get(ident, ()))) or "nothing"
        lines += ["", f"Cancelled by default when the words are: {cancelled}"]
        return "\n".join(lines) + "\n\nRun `clinic-lint explain RULE_ID` for one of them.\n"
    if name in rule_set.lexicon:
        return explain_vocabulary(name, rule_set)
    if name in rule_set.knowledge.products:
        return rule_set.knowledge.products[name].describe() + "\n"
    if name in rule_set.context.modifiers:
        return explain_modifier(name, rule_set)
    from lint.yamlsource import did_you_mean

    vocabularies = rule_set.lexicon.vocabularies
    names = [*rules, *CATEGORIES, *vocabularies, *rule_set.knowledge.products, *rule_set.context.modifiers]
    raise LintError(
        f"'{ident}' is not a rule id, category, vocabulary, product or context modifier"
        + (did_you_mean(ident, names) or " (see `clinic-lint rules`)")
    )


def _wrap(text: str, indent: str = "  ") -> str:
    return "\n".join(
        textwrap.fill(p, 100, initial_indent=indent, subsequent_indent=indent) for p in text.splitlines() if p.strip()
    )


def explain_rule(rule: Rule, rule_set: RuleSet) -> str:
    out = [
        f"{rule.id}  ({rule.category}, {rule.severity}, pack {rule.pack}{', whole document' if rule.scope == 'document' else ''})",
        "",
        f"Category: {CATEGORIES[rule.category]}",
        "",
        "What is wrong:",
        _wrap(rule.message),
        "",
        "Suggested rewording:",
        _wrap(rule.suggestion),
    ]
    if isinstance(rule, SentenceRule):
        out += ["", *_what_it_matches(rule, rule_set)]
        if rule.fix is not None:
            kind = "applied by --fix" if rule.fix.safe else "applied only with --unsafe-fixes"
            out += ["", f"Automatic fix ({kind}): replace the match with {rule.fix.replacement!r}"]
    else:
        out += ["", *_document_rule(rule)]
    out += ["", "Authority:"]
    out += [f"  - {ref.name}\n    {ref.url}" for ref in rule.references]
    out += ["", "Flagged (bad):"]
    out += [_wrap(_marked(ex), "  ✗ ").replace("\n  ✗ ", "\n    ") for ex in rule.bad]
    out += ["", "Not flagged (good):"]
    out += [_wrap(ex.text, "  ✓ ").replace("\n  ✓ ", "\n    ") for ex in rule.good]
    out += ["", f"Defined at {rule.source}"]
    return "\n".join(out) + "\n"


def _marked(example) -> str:
    if example.span is None:
        return example.text
    a, b = example.span
    return f"{example.text[:a]}[[{example.text[a:b]}]]{example.text[b:]}"


def _what_it_matches(rule: SentenceRule, rule_set: RuleSet) -> list[str]:
    out = []
    if rule.frame:
        out.append("Claim frame (slots, then the orders they may come in):")
        out += [f"  {{{slot}}} = {pattern}" for slot, pattern in rule.frame.items()]
        out += [f"  - {p.source}" for p in rule.patterns]
    else:
        out.append("Matches (word patterns; `word+` is any form, `...` a short gap, <name> a vocabulary):")
        out += [f"  - {'regex: ' if p.on_text else ''}{p.source}" for p in rule.patterns]
    for title, patterns in (
        ("Not when the match overlaps (antipatterns)", rule.antipatterns),
        ("Only when the sentence also has", rule.requires),
        ("Not when the sentence has", rule.unless),
        ("Not when the paragraph has", rule.unless_paragraph),
        ("Only under a heading that has", rule.under_heading),
    ):
        if patterns:
            out += ["", f"{title}:"] + [f"  - {'regex: ' if p.on_text else ''}{p.source}" for p in patterns]
    vocabularies = sorted({g for p in rule.patterns for g in p.groups if g in rule_set.lexicon})
    if vocabularies:
        out += ["", "Vocabularies: " + ", ".join(f"<{v}>" for v in vocabularies) + " (`clinic-lint explain <name>`)"]
    out += ["", "Cancelled when the words are: " + (", ".join(sorted(rule.cancelled_by)) or "never")]
    if rule.knowledge is not None:
        k = rule.knowledge
        if k.flag == "status":
            what = f"reported only when the product's status is one of: {', '.join(sorted(k.statuses))}"
        else:
            about = f"the indication '{' or '.join(k.indications)}'" if k.indications else "the condition claimed"
            what = f"reported only when {about} is not among the product's approved or cleared indications"
        out += [
            "",
            "Approved-indications knowledge (rules/_indications.yaml; `clinic-lint explain PRODUCT` shows an entry):",
            f"  {what}; a product the knowledge does not know: {k.unknown}.",
        ]
    return out


def _document_rule(rule: DocumentRule) -> list[str]:
    out = ["Applies to a document when it has:"]
    if rule.when_categories:
        out.append(f"  a finding of category {', '.join(sorted(rule.when_categories))}")
    if rule.when_rules:
        out.append(f"  a finding of rule {', '.join(sorted(rule.when_rules))}")
    out += [f"  the words: {p.source}" for p in rule.when_patterns]
    if not rule.has_when:
        out.append("  anything")
    out += ["... and none of these anywhere in it:"] + [f"  - {p.source}" for p in rule.must_contain]
    return out


def explain_vocabulary(name: str, rule_set: RuleSet) -> str:
    vocab = rule_set.lexicon[name]
    out = [f"<{name}>: {vocab.description}", f"Defined at {vocab.where}", ""]
    if vocab.entries:
        out += [f"  - {e.pattern}" for e in vocab.entries]
    for concept, entries in vocab.concepts.items():
        serious = " (serious)" if concept in vocab.serious else ""
        out.append(f"  {concept}{serious}: " + " | ".join(e.pattern for e in entries))
    users = [
        r.id
        for p in rule_set.packs
        for r in p.rules
        if isinstance(r, SentenceRule) and any(name in pat.groups for pat in r.patterns)
    ]
    if users:
        out += ["", "Used by: " + ", ".join(users)]
    return "\n".join(out) + "\n"


def explain_modifier(name: str, rule_set: RuleSet) -> str:
    m = rule_set.context.modifiers[name]
    out = [f"{name}: {m.description}", ""]
    if m.triggers:
        out.append("Triggers (direction, words reached):")
        out += [f"  - {t.source}  ({t.direction}, {t.scope} words)" for t in m.triggers]
    if m.pseudo:
        out.append(f"Not triggers: {len(m.pseudo)} pseudo-triggers such as 'not only'")
    out += ["", "Applies:"] + [f"  ✓ {e}" for e in m.applies]
    out += ["Does not apply:"] + [f"  ✗ {e}" for e in m.does_not_apply]
    return "\n".join(out) + "\n"


def explain_record(ident: str, rule_set: RuleSet) -> dict:
    """``clinic-lint explain --format json``: the same explanation as data. Every record has ``kind``,
    ``name`` and ``text`` (what the text format prints); a rule adds its fields."""
    text = explain(ident, rule_set)  # raises the same one-line error for an unknown name
    rules = {r.id: r for p in rule_set.packs for r in p.rules}
    name = ident.strip("<>")
    if ident in rules:
        rule = rules[ident]
        fix = getattr(rule, "fix", None)
        return {
            "kind": "rule",
            "name": rule.id,
            "id": rule.id,
            "category": rule.category,
            "category_description": CATEGORIES[rule.category],
            "severity": rule.severity,
            "pack": rule.pack,
            "scope": rule.scope,
            "message": rule.message,
            "suggestion": rule.suggestion,
            "fix": None if fix is None else {"replacement": fix.replacement, "safe": fix.safe},
            "references": [{"name": r.name, "url": r.url} for r in rule.references],
            "examples": {"bad": [_marked(ex) for ex in rule.bad], "good": [ex.text for ex in rule.good]},
            "source": str(rule.source),
            "text": text,
        }
    if ident in CATEGORIES:
        kind = "category"
    elif name in rule_set.lexicon:
        kind = "vocabulary"
    elif name in rule_set.knowledge.products:
        kind = "product"
    else:
        kind = "modifier"
    return {"kind": kind, "name": ident if kind == "category" else name, "text": text}
