"""SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, Azure DevOps, VS Code's SARIF viewer).

One run; ``tool.driver.rules`` describes every rule that fired (sorted by id; results point at it with
``ruleIndex``). Each result carries ``partialFingerprints["clinicLint/v1"]`` = ``<baseline fingerprint>:<n>``,
n counting identical findings in the file, so dashboards track a finding across edits as the baseline does.
"""

from __future__ import annotations

import string
from collections import Counter
from pathlib import Path
from typing import Any

from lint.baseline import fingerprint
from lint.model import Finding
from lint.packs import Rule
from lint.report import BaseReporter, Summary, is_waived, waiver_note
from lint.report._paths import artifact_uri
from lint.suppress import TOOL_CATEGORY, TOOL_RULES
from lint.taxonomy import CATEGORIES

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/clinic-lint/"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"


class Reporter(BaseReporter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.findings: list[Finding] = []
        self.notifications: list[dict[str, Any]] = []  # files not (fully) checked, or skipped

    def file_done(self, result: Any) -> None:
        for level, messages in (("error", result.errors), ("note", result.notices)):
            self.notifications += [_notification(result.path, level, m) for m in messages]

    def finding(self, f: Finding) -> None:
        self.findings.append(f)

    def finish(self, summary: Summary) -> None:
        self.write_json(self.log(summary))

    def log(self, summary: Summary) -> dict[str, Any]:
        rule_ids = sorted({f.rule for f in self.findings})
        index = {rid: i for i, rid in enumerate(rule_ids)}
        seen: Counter = Counter()
        results = []
        for f in self.findings:
            fp = fingerprint(f)
            seen[f.path, f.rule, fp] += 1
            results.append(_result(f, index[f.rule], f"{fp}:{seen[f.path, f.rule, fp]}"))
        driver = {
            "name": "clinic-lint",
            "version": self.version,
            "semanticVersion": self.version,
            "informationUri": INFORMATION_URI,
            "rules": [self._descriptor(rid) for rid in rule_ids],
        }
        run = {
            "tool": {"driver": driver},
            "invocations": [
                {"executionSuccessful": summary.errors == 0, "toolExecutionNotifications": self.notifications}
            ],  # fmt: skip
            "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",  # our columns count characters, not UTF-16 code units
            "results": results,
        }
        return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}

    def _descriptor(self, rule_id: str) -> dict[str, Any]:
        rule = self.rules.get(rule_id)
        if rule is not None:
            return rule_descriptor(rule)
        short, todo = TOOL_RULES.get(rule_id, (f"clinic-lint finding {rule_id}", ""))
        return {
            "id": rule_id,
            "shortDescription": {"text": short},
            "fullDescription": {"text": f"{short} {todo}".strip()},
            "help": {"text": todo or short, "markdown": todo or short},
            "helpUri": INFORMATION_URI,
            "defaultConfiguration": {"level": "note"},
            "properties": {"category": TOOL_CATEGORY, "tags": [TOOL_CATEGORY]},
        }


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    message, suggestion = template_text(rule.message), template_text(rule.suggestion)
    category = f"Category: {rule.category} ({CATEGORIES.get(rule.category, '')})."
    refs_text = "\n".join(f"- {r.name}: {r.url}" for r in rule.references)
    refs_md = "\n".join(f"- [{_md_link_text(r.name)}]({r.url})" for r in rule.references)
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "shortDescription": {"text": _short_description(rule, message)},
        "fullDescription": {"text": f"{message} {category}"},
        "help": {
            "text": f"{message}\n\nSuggestion: {suggestion}\n\n{category}\n\nReferences:\n{refs_text}",
            "markdown": (f"{message}\n\n**Suggestion:** {suggestion}\n\n{category}\n\n**References:**\n\n{refs_md}"),
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"category": rule.category, "pack": rule.pack, "tags": [rule.category, rule.pack]},
    }
    if rule.references:
        descriptor["helpUri"] = rule.references[0].url
    return descriptor


def _result(f: Finding, rule_index: int, partial_fingerprint: str) -> dict[str, Any]:
    region = {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column}
    location = {"uri": artifact_uri(f.file)}  # a WordPress post's findings: the export file itself
    if "://" not in location["uri"]:
        location["uriBaseId"] = SRCROOT
    message = f"{f.message}\nSuggestion: {f.suggestion}" if f.suggestion else f.message
    if f.waiver and not is_waived(f):
        message += f"\n{waiver_note(f)}"
    snippet = {"snippet": {"text": f.match}}
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": region | snippet}}],
        "partialFingerprints": {"clinicLint/v1": partial_fingerprint},
        "properties": {"category": f.category},
    }
    if f.part:  # the post of a WordPress export the finding is in
        result["locations"][0]["logicalLocations"] = [{"name": f.part, "fullyQualifiedName": f.path, "kind": "element"}]
    if f.product:
        result["properties"]["product"] = f.product
    if f.context:
        result["properties"]["context"] = list(f.context)
    if f.waiver:
        result["properties"]["waiver"] = dict(f.waiver)
    if is_waived(f):  # --show-waived: accepted outside the source, by a named reviewer
        w = f.waiver
        result["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": f"{w['reason']} (waived by {w['reviewer']} on {w['date']}, until {w['expires']})",
            "properties": {"reviewer": w["reviewer"], "date": w["date"], "expires": w["expires"], "file": w["file"]},
        }]  # fmt: skip
    if f.related:  # the same problem, found by other rules: one result, their places as related locations
        result["relatedLocations"] = [
            {
                "id": i,
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {
                        "startLine": r["line"],
                        "startColumn": r["column"],
                        "endLine": r["end_line"],
                        "endColumn": r["end_column"],
                        "snippet": {"text": r["match"]},
                    },  # fmt: skip
                },
                "message": {"text": f"{r['rule']}: {r['message']}"},
            }
            for i, r in enumerate(f.related, start=1)
        ]
    if f.fix is not None:
        kind = "safe" if f.fix.safe else "unsafe"
        result["fixes"] = [{
            "description": {"text": f"Replace \"{f.match}\" with \"{f.fix.replacement}\" ({kind} fix)"},
            "artifactChanges": [{
                "artifactLocation": location,
                "replacements": [{"deletedRegion": region, "insertedContent": {"text": f.fix.replacement}}],
            }],
        }]  # fmt: skip
    return result


def _notification(path: str, level: str, message: str) -> dict[str, Any]:
    """A file that could not be (fully) checked ("error") or was skipped on purpose ("note")."""
    location = {"uri": artifact_uri(path)}
    if "://" not in location["uri"]:
        location["uriBaseId"] = SRCROOT
    return {
        "level": level,
        "message": {"text": message},
        "descriptor": {"id": "input-not-checked" if level == "error" else "input-skipped"},
        "locations": [{"physicalLocation": {"artifactLocation": location}}],
    }


def template_text(template: str) -> str:
    """A message template as prose: every ``{field}`` shown as an ellipsis, ``{{``/``}}`` as braces."""
    try:
        parts = string.Formatter().parse(template)
        return "".join(lit + ("…" if name is not None else "") for lit, name, _, _ in parts)
    except ValueError:  # packs validate templates; this only guards hand-built rules
        return template


def _short_description(rule: Rule, message: str) -> str:
    """The message's first sentence, or the category's description when that sentence quotes the match
    (an ellipsis says nothing out of context)."""
    first = _first_sentence(message)
    if "…" not in first:
        return first
    about = CATEGORIES.get(rule.category, rule.category)
    return about[:1].upper() + about[1:]


def _first_sentence(text: str) -> str:
    ends = [i for i in (text.find(e) for e in (". ", "? ", "! ")) if i > 0]
    return text[: min(ends) + 1] if ends else text


def _md_link_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
