"""Baselines: accept the findings a site has today and report only new ones.

A finding is identified by its file (relative to the baseline file's directory, forward slashes), its rule
and a hash of the matched text and the sentence around it (case-folded, white space collapsed), never by its
line, so moving or re-wrapping a paragraph keeps the baseline valid while a new risky sentence is reported.
Repeats of the same sentence in one file are counted. The file is JSON with sorted keys and no timestamps,
so it diffs cleanly in review.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from lint.model import Finding, LintError

FORMAT_VERSION = 1
Key = tuple[str, str, str]  # (path, rule, fingerprint)


def normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def fingerprint(f: Finding) -> str:
    """Stable identity of a finding within its file: rule + matched text + sentence, not position."""
    data = "\0".join((f.rule, normalise(f.match), normalise(f.sentence or f.match)))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:20]


def relative_path(path: str, base_dir: str) -> str:
    try:
        rel = os.path.relpath(os.path.abspath(path), base_dir)
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(path)
    return rel.replace(os.sep, "/")


@dataclass
class Baseline:
    path: str
    entries: Counter = field(default_factory=Counter)  # Key -> count
    matches: dict[Key, str] = field(default_factory=dict)  # Key -> matched text, for people reading the file

    @property
    def base_dir(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def key(self, f: Finding) -> Key:
        return relative_path(f.path, self.base_dir), f.rule, fingerprint(f)

    def subtract(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings not recorded; a key recorded N times hides its first N findings."""
        left = Counter()
        out = []
        for f in findings:
            k = self.key(f)
            if left[k] < self.entries.get(k, 0):
                left[k] += 1
            else:
                out.append(f)
        return out

    def record(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            k = self.key(f)
            self.entries[k] += 1
            self.matches[k] = min(self.matches.get(k, f.match), f.match)  # min: stable whatever the order

    def paths(self) -> set[str]:
        return {k[0] for k in self.entries}

    def to_json(self) -> str:
        rows = [
            {"path": p, "rule": r, "fingerprint": fp, "count": n, "match": self.matches.get((p, r, fp), "")}
            for (p, r, fp), n in sorted(self.entries.items())
        ]
        doc = {"clinic-lint-baseline": FORMAT_VERSION, "findings": rows}
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: str, *, missing_ok: bool = False) -> Baseline:
    """Read a baseline file; a missing one is an error unless ``missing_ok`` (it is about to be written)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        if missing_ok:
            return Baseline(path)
        raise LintError(f"{path}: baseline not found (create it with --update-baseline)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LintError(f"{path}: cannot read baseline: {exc}") from None
    return parse(path, text)


def parse(path: str, text: str) -> Baseline:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LintError(f"{path}:{exc.lineno}:{exc.colno}: baseline is not valid JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or doc.get("clinic-lint-baseline") != FORMAT_VERSION:
        raise LintError(f"{path}: not a clinic-lint baseline (version {FORMAT_VERSION})")
    baseline = Baseline(path)
    for i, row in enumerate(doc.get("findings") or []):
        try:
            k = (str(row["path"]), str(row["rule"]), str(row["fingerprint"]))
            count = int(row.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise LintError(f"{path}: findings[{i}] needs path, rule, fingerprint and a count") from None
        baseline.entries[k] += max(count, 0)
        baseline.matches[k] = str(row.get("match", ""))
    return baseline


class Updater:
    """Collects a run's findings and writes the new baseline: files this run checked get exactly their
    current findings; entries of files it did not check are kept while those files exist."""

    def __init__(self, old: Baseline) -> None:
        self.old = old
        self.new = Baseline(old.path)
        self.checked: set[str] = set()

    def observe(self, path: str, findings: list[Finding], complete: bool) -> None:
        """Record one file's findings; an incompletely checked file keeps its old entries."""
        if complete:
            self.checked.add(relative_path(path, self.old.base_dir))
            self.new.record(findings)

    def merged(self) -> Baseline:
        out = Baseline(self.old.path, Counter(self.new.entries), dict(self.new.matches))
        for k, n in self.old.entries.items():
            if k[0] not in self.checked and os.path.exists(os.path.join(self.old.base_dir, k[0])):
                out.entries[k] = n
                out.matches[k] = self.old.matches.get(k, "")
        return out

    def write(self) -> str:
        """Write the baseline file and return a one-line summary of the change."""
        from lint.fix import FixError, write_atomic

        new = self.merged()
        try:
            write_atomic(new.path, new.to_json().encode("utf-8"))
        except FixError as exc:
            raise LintError(str(exc)) from None
        added = sum((new.entries - self.old.entries).values())
        dropped = sum((self.old.entries - new.entries).values())
        total = sum(new.entries.values())
        files, plural = len(new.paths()), "s" * (total != 1)
        return f"wrote {new.path}: {total} finding{plural} in {files} files (+{added}, -{dropped})"
