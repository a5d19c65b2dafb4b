"""Waivers: findings a named reviewer accepted, with a reason and an end date.

A waiver names a finding the way the baseline does — its file (relative to the waiver file's directory), its
rule and the content fingerprint of the matched words and their sentence — and adds who accepted it, why,
when, and until when. While a waiver is valid its findings are not reported; when it expires they are
reported again naming it, and when the sentence changes (the fingerprint no longer matches) the new finding
of the same rule in that file names the old waiver, so nothing accepted for one wording carries over to
another. The file is YAML a reviewer can read in a pull request; ``clinic-lint waive`` appends to it and
keeps any comments written by hand.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lint.baseline import fingerprint, normalise, relative_path
from lint.model import Finding, LintError

DEFAULT_FILE = "clinic-lint-waivers.yaml"
FORMAT_VERSION = 1
DEFAULT_DAYS = 90  # a waiver without --expires/--days ends after this many days: accepted risk is reviewed again
HEADER = (
    "# Accepted findings: who accepted which risk, why, and until when. Written by `clinic-lint waive`;\n"
    "# review changes to this file like any sign-off. `clinic-lint waivers --check` fails on expired or stale ones.\n"
)
Key = tuple[str, str, str]  # (path relative to the waiver file, rule, fingerprint)
_KEYS = ("path", "rule", "fingerprint", "match", "sentence", "line", "reviewer", "reason", "date", "expires")
_REQUIRED = ("path", "rule", "fingerprint", "reviewer", "reason", "date", "expires")


@dataclass(frozen=True)
class Waiver:
    path: str
    rule: str
    fingerprint: str
    reviewer: str
    reason: str
    date: dt.date  # when it was granted
    expires: dt.date  # the last day it is valid
    match: str = ""  # the words and sentence it was granted for, for people reading the file
    sentence: str = ""
    line: int = 0  # where the finding was when waived; matching never uses it

    @property
    def key(self) -> Key:
        return self.path, self.rule, self.fingerprint

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def record(self, status: str, source: str) -> dict[str, Any]:
        """The waiver as reporters show it; ``status`` is active, expired or stale."""
        return {
            "status": status, "reviewer": self.reviewer, "reason": self.reason, "date": self.date.isoformat(),
            "expires": self.expires.isoformat(), "path": self.path, "rule": self.rule, "match": self.match,
            "line": self.line, "file": source,
        }  # fmt: skip


@dataclass
class WaiverFile:
    path: str
    waivers: list[Waiver] = field(default_factory=list)
    doc: Any = None  # the round-trip YAML document, so writing keeps hand-written comments

    @property
    def base_dir(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def key(self, f: Finding) -> Key:
        return relative_path(f.path, self.base_dir), f.rule, fingerprint(f)


# --------------------------------------------------------------------------- reading


def load(path: str) -> WaiverFile:
    """Read a waiver file; a missing one holds no waivers (the first ``clinic-lint waive`` creates it)."""
    if not os.path.exists(path):
        return WaiverFile(path)
    from lint.yamlsource import read_yaml

    doc = read_yaml(Path(path), "waiver file")
    return WaiverFile(path, _parse(path, doc), doc)


def _parse(path: str, doc: Any) -> list[Waiver]:
    from lint.yamlsource import Where, check_keys

    where = Where(path, doc)
    if doc is None:
        return []
    if not isinstance(doc, dict) or doc.get("clinic-lint-waivers") != FORMAT_VERSION:
        where.fail(f"not a clinic-lint waiver file (it starts with 'clinic-lint-waivers: {FORMAT_VERSION}')")
    check_keys(where, doc, ("clinic-lint-waivers", "waivers"), (), "waiver file")
    rows = doc.get("waivers") or []
    if not isinstance(rows, list):
        where.at("waivers", doc).fail("'waivers' must be a list")
    out = []
    for i, row in enumerate(rows):
        at = where.item(i, rows)
        if not isinstance(row, dict):
            at.fail(f"waivers[{i}] must be a mapping with {', '.join(_REQUIRED)}")
        check_keys(at, row, _KEYS, _REQUIRED, f"waivers[{i}]")
        text = {
            k: _text(at.at(k, row), row.get(k), f"waivers[{i}].{k}", k in _REQUIRED)
            for k in _KEYS
            if k not in ("line", "date", "expires")
        }
        granted = _date(at.at("date", row), row["date"], f"waivers[{i}].date")
        expires = _date(at.at("expires", row), row["expires"], f"waivers[{i}].expires")
        if expires < granted:
            at.at("expires", row).fail(f"waivers[{i}].expires is before its date ({granted.isoformat()})")
        line = row.get("line", 0)
        if not isinstance(line, int) or isinstance(line, bool) or line < 0:
            at.at("line", row).fail(f"waivers[{i}].line must be a line number")
        out.append(
            Waiver(
                path=text["path"],
                rule=text["rule"],
                fingerprint=text["fingerprint"],
                reviewer=text["reviewer"],
                reason=text["reason"],
                date=granted,
                expires=expires,
                match=text["match"],
                sentence=text["sentence"],
                line=line,
            )  # fmt: skip
        )
    return out


def _text(where: Any, value: Any, what: str, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        where.fail(f"{what} must be a non-empty string" if required else f"{what} must be a string")
    return str(value).strip()


def _date(where: Any, value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(str(value))
    except ValueError:
        return where.fail(f"{what} must be a date (YYYY-MM-DD), not '{value}'")


def parse_date(text: str) -> dt.date:
    """A YYYY-MM-DD date; ValueError otherwise."""
    text = text.strip()
    if len(text) != 10:
        raise ValueError(text)
    return dt.date.fromisoformat(text)


# --------------------------------------------------------------------------- one run's view


class Register:
    """The waivers as one run applies them: hides the findings valid waivers cover, marks the ones whose
    waiver lapsed, and remembers which waivers still match something (the others are stale)."""

    def __init__(self, wfile: WaiverFile, today: dt.date) -> None:
        self.file, self.today = wfile, today
        self.by_key: dict[Key, Waiver] = {}
        for w in wfile.waivers:  # the same finding waived twice: the later expiry wins
            if w.key not in self.by_key or w.expires > self.by_key[w.key].expires:
                self.by_key[w.key] = w
        self.by_path: dict[str, list[Waiver]] = {}
        for w in self.by_key.values():
            self.by_path.setdefault(w.path, []).append(w)
        self.found: dict[str, set[Key]] = {}  # path -> keys matched when the file was last checked in full

    def apply(
        self, path: str, findings: Iterable[Finding], *, complete: bool = True
    ) -> tuple[list[Finding], list[Finding]]:
        """(findings to report, findings a valid waiver accepts) of the file ``path``. Each finding's ``waiver``
        is set: active on the accepted ones, expired or stale on the ones reported again because of a lapsed
        waiver. A finding is keyed by its own path: a post of a WordPress export is ``export.xml#post``."""
        base = self.file.base_dir
        kept, waived, found = [], [], set()
        for f in findings:
            k = (relative_path(f.path, base), f.rule, fingerprint(f))
            w = self.by_key.get(k)
            f.waiver = None
            if w is None:
                kept.append(f)
                continue
            found.add(k)
            if w.expired(self.today):
                f.waiver = w.record("expired", self.file.path)
                kept.append(f)
            else:
                f.waiver = w.record("active", self.file.path)
                waived.append(f)
        for f in kept:
            if f.waiver is None:
                stale = [w for w in self.by_path.get(relative_path(f.path, base), ()) if w.rule == f.rule]
                old = _previous(f, [w for w in stale if w.key not in found])
                if old is not None:
                    f.waiver = old.record("stale", self.file.path)
        if complete:  # every waiver of this file (and of its posts) now knows whether it still matches
            rel = relative_path(path, base)
            for p in self.by_path:
                if p == rel or p.startswith(rel + "#"):
                    self.found[p] = {k for k in found if k[0] == p}
        return kept, waived

    def status(self, w: Waiver) -> str:
        """stale (checked in full, and no finding matches it any more), expired, or active."""
        if w.path in self.found and w.key not in self.found[w.path]:
            return "stale"
        return "expired" if w.expired(self.today) else "active"

    def records(self) -> list[dict[str, Any]]:
        """Every waiver in the file with its status, in file order (for reports)."""
        out = []
        for w in self.file.waivers:
            rec = w.record(self.status(w), self.file.path)
            rec["checked"] = w.path in self.found
            rec["sentence"] = w.sentence
            out.append(rec)
        return out


def _previous(f: Finding, candidates: list[Waiver]) -> Waiver | None:
    """The stale waiver of the same rule a changed sentence most likely was: the same words, else the
    nearest line it was waived at."""
    if not candidates:
        return None
    same_words = [w for w in candidates if normalise(w.match) == normalise(f.match)]
    return min(same_words or candidates, key=lambda w: (abs(w.line - f.line), w.line))


# --------------------------------------------------------------------------- writing


def add(
    wfile: WaiverFile, f: Finding, *, reviewer: str, reason: str, today: dt.date, expires: dt.date
) -> tuple[Waiver, bool]:
    """Record a waiver of ``f`` (replacing one of the same finding) and write the file atomically.
    Returns the waiver and whether it replaced an earlier one."""
    reviewer, reason = " ".join(reviewer.split()), " ".join(reason.split())
    if not reviewer:
        raise LintError("--reviewer needs a name")
    if not reason:
        raise LintError("--reason needs a text: say why the risk is accepted")
    if expires < today:
        raise LintError(f"--expires {expires.isoformat()} is before today ({today.isoformat()})")
    path, rule, fp = wfile.key(f)
    waiver = Waiver(
        path=path, rule=rule, fingerprint=fp, reviewer=reviewer, reason=reason, date=today, expires=expires,
        match=f.match, sentence=" ".join(f.sentence.split()), line=f.line,
    )  # fmt: skip
    doc = wfile.doc if isinstance(wfile.doc, dict) else _new_doc()
    rows = doc.get("waivers")
    if not isinstance(rows, list):
        from ruamel.yaml.comments import CommentedSeq

        rows = doc["waivers"] = CommentedSeq()
    entry = _entry(waiver)
    replaced = False
    for i, row in enumerate(rows):
        if isinstance(row, dict) and (row.get("path"), row.get("rule"), row.get("fingerprint")) == waiver.key:
            rows[i] = entry
            replaced = True
            break
    else:
        rows.append(entry)
    _write(wfile.path, doc)
    return waiver, replaced


def _new_doc() -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    doc = CommentedMap()
    doc["clinic-lint-waivers"] = FORMAT_VERSION
    doc["waivers"] = CommentedSeq()
    doc.yaml_set_start_comment(HEADER.replace("# ", "", 1).replace("\n# ", "\n").rstrip("\n"))
    return doc


def _entry(w: Waiver) -> Any:
    from ruamel.yaml.comments import CommentedMap

    entry = CommentedMap()
    entry["path"] = w.path
    entry["rule"] = w.rule
    entry["match"] = w.match
    if w.sentence:
        entry["sentence"] = w.sentence
    entry["line"] = w.line
    entry["fingerprint"] = w.fingerprint
    entry["reviewer"] = w.reviewer
    entry["reason"] = w.reason
    entry["date"] = w.date
    entry["expires"] = w.expires
    return entry


def _write(path: str, doc: Any) -> None:
    from ruamel.yaml import YAML

    from lint.fix import FixError, write_atomic

    yaml = YAML(typ="rt")
    yaml.width = 4096  # one line per value: reasons and sentences are not folded mid-phrase
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(doc, out)
    try:
        write_atomic(path, out.getvalue().encode("utf-8"), _mode(path))
    except FixError as exc:
        raise LintError(str(exc)) from None


def _mode(path: str) -> int:
    """The file's permissions, or for a new file what the umask gives (the file is shared, committed)."""
    try:
        return os.stat(path).st_mode
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask
