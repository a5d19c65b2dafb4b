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
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from lint.model import Finding, LintError
from lint.safetext import safe, unsafe_path

FORMAT_VERSION = 1
Key = tuple[str, str, str]  # (path, rule, fingerprint)


def normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def fingerprint(f: Finding) -> str:
    """Stable identity of a finding within its file: rule + matched text + sentence, not position."""
    data = "\0".join((f.rule, normalise(f.match), normalise(f.sentence or f.match)))
    # surrogatepass: a lone surrogate (a broken \u escape in front matter) hashes instead of crashing
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def relative_path(path: str, base_dir: str) -> str:
    try:
        rel = os.path.relpath(os.path.abspath(path), base_dir)
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(path)
    return safe(rel.replace(os.sep, "/"))  # a name's non-UTF-8 bytes as \xNN: the file must be valid JSON


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
            self.matches[k] = min(self.matches.get(k, safe(f.match)), safe(f.match))  # min: stable in any order

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
    from lint.inputs import NotRegular, TooLarge, read_regular

    try:
        data = read_regular(path)  # never blocks on a FIFO, never reads /dev/zero to the end
    except FileNotFoundError:
        if missing_ok:
            return Baseline(path)
        raise LintError(f"{path}: baseline not found (create it with --update-baseline)") from None
    except (NotRegular, TooLarge) as exc:
        raise LintError(f"{path}: cannot read baseline: {exc}") from None
    except OSError as exc:
        raise LintError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LintError(f"{path}: cannot read baseline: invalid UTF-8 at byte {exc.start}") from None
    return parse(path, text)


MAX_COUNT = 10**9  # more repeats of one sentence than any site has: a larger count is a damaged file


class _Odd:
    """A JSON value no baseline holds (NaN, Infinity, a number with more digits than a count can have), kept
    as its text so the error can name it instead of failing on it."""

    def __init__(self, text: str) -> None:
        self.text = text if len(text) <= 24 else f"{text[:12]}... ({len(text)} characters)"


def _whole(text: str) -> int | _Odd:
    return int(text) if len(text) <= 12 else _Odd(text)


def parse(path: str, text: str) -> Baseline:
    decoder = json.JSONDecoder(parse_constant=_Odd, parse_int=_whole, parse_float=_Odd)
    try:
        doc = decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise LintError(f"{path}:{exc.lineno}:{exc.colno}: baseline is not valid JSON: {exc.msg}") from None
    except RecursionError:
        from lint.inputs import MAX_NESTING, deep_line

        line = deep_line(text) or 1
        raise LintError(f"{path}:{line}: baseline nests deeper than {MAX_NESTING} levels") from None
    if not isinstance(doc, dict) or doc.get("clinic-lint-baseline") != FORMAT_VERSION:
        raise LintError(f"{path}:1: not a clinic-lint baseline (version {FORMAT_VERSION})")
    rows = doc.get("findings")
    rows = [] if rows is None else rows
    if not isinstance(rows, list):
        raise LintError(f"{path}:{_key_line(text)}: 'findings' must be a list, not {_shown(rows)}")
    baseline = Baseline(path)
    for i, row in enumerate(rows):
        problem = _row_problem(row)
        if problem:
            raise LintError(f"{path}:{_row_line(text, decoder, i)}: findings[{i}] {problem}")
        k = (row["path"], row["rule"], row["fingerprint"])
        baseline.entries[k] += row.get("count", 1)
        baseline.matches[k] = row.get("match", "")
    return baseline


def _row_problem(row: object) -> str:
    """What is wrong with one entry of ``findings``, or ''."""
    if not isinstance(row, dict):
        return f"must be an object with path, rule, fingerprint and count, not {_shown(row)}"
    for key in ("path", "rule", "fingerprint"):
        if not isinstance(row.get(key), str):
            return f"needs '{key}' (a string), not {_shown(row.get(key))}"
    count = row.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT:
        return f"'count' must be a whole number from 0 to {MAX_COUNT}, not {_shown(count)}"
    if not isinstance(row.get("match", ""), str):
        return f"'match' must be a string, not {_shown(row.get('match'))}"
    return ""


def _shown(value: object) -> str:
    """A value for an error message, never more than a few dozen characters."""
    if isinstance(value, _Odd):
        return value.text
    from lint.safetext import echo

    return "nothing" if value is None else echo(value)


def _key_line(text: str) -> int:
    at = text.find('"findings"')
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _row_line(text: str, decoder: json.JSONDecoder, index: int) -> int:
    """The line where entry ``index`` of the top-level ``findings`` list starts (only for error messages: it
    decodes the list again, one entry at a time, to learn where each starts)."""
    at = text.find('"findings"')
    pos = text.find("[", at) + 1 if at >= 0 else 0
    skip = re.compile(r"[\s,]*")
    try:
        for _ in range(index):
            pos = decoder.raw_decode(text, skip.match(text, pos).end())[1]
        pos = skip.match(text, pos).end()
    except (ValueError, RecursionError):
        return _key_line(text)
    return text.count("\n", 0, pos) + 1


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

    def _file_of(self, path: str) -> str:
        """The file an entry belongs to: a WordPress post's ``export.xml#slug`` is in ``export.xml``."""
        if "#" not in path or os.path.exists(os.path.join(self.old.base_dir, unsafe_path(path))):
            return path
        return path.rpartition("#")[0]

    def merged(self) -> Baseline:
        out = Baseline(self.old.path, Counter(self.new.entries), dict(self.new.matches))
        for k, n in self.old.entries.items():
            file = self._file_of(k[0])
            if file not in self.checked and os.path.exists(os.path.join(self.old.base_dir, unsafe_path(file))):
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
