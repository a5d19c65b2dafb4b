"""Measure clinic-lint against the hand-labelled evaluation corpus.

    python accuracy/measure.py [--corpus accuracy/corpus] [--labels accuracy/labels.yaml]
                               [--json] [--verbose] [--min-precision X] [--min-recall Y]

The linter runs as a subprocess (``python -m lint check --format json CORPUS``) from the repository root. Its
findings and the labels are both reduced to unique keys: ``(file, line, category)`` for sentence-level
categories and ``(file, category)`` for document-level ones (``missing-disclaimer``), where ``file`` is the
path relative to the corpus directory. Per category and in total (micro-averaged) the script reports true
positives, false positives, false negatives, precision, recall and F1.

Exit codes: 0 the figures were computed (and met the --min-* thresholds, if given); 1 a threshold was missed;
2 the labels, the corpus or the linter could not be used.

Only the standard library and ruamel.yaml (or PyYAML) are needed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT / "accuracy" / "corpus"
DEFAULT_LABELS = REPO_ROOT / "accuracy" / "labels.yaml"

# The taxonomy's categories, in the order the table prints them (unknown ones from the linter follow).
CATEGORIES: tuple[str, ...] = (
    "unsupported-citation",
    "weight-loss-claim",
    "safety-claim",
    "unapproved-use",
    "regulatory-claim",
    "cure-claim",
    "hype",
    "testimonial",
    "comparative-claim",
    "unsourced-statistic",
    "pressure-tactic",
    "missing-disclaimer",
)
# Categories judged per document: a finding matches a label on (file, category), whatever its line.
DOCUMENT_CATEGORIES: frozenset[str] = frozenset({"missing-disclaimer"})

LINTER_OK_CODES = (0, 1)  # 0: no findings at --fail-on, 1: findings; both mean the run worked
SOURCE_PREVIEW = 100  # characters of the source line shown by --verbose


class MeasureError(Exception):
    """Bad labels, a missing corpus or a linter that failed: reported on one line, exit code 2."""


# A finding or label reduced to what is compared: (file, line, category); line is None for document-level.
Key = tuple[str, int | None, str]


def make_key(file: str, line: int | None, category: str) -> Key:
    """The comparison key; document-level categories drop the line."""
    if category in DOCUMENT_CATEGORIES:
        return (file, None, category)
    return (file, line, category)


# --------------------------------------------------------------------------------------------- labels


def _load_yaml(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        from ruamel.yaml import YAML
    except ImportError:  # pragma: no cover - PyYAML fallback when ruamel is absent
        import yaml

        return yaml.safe_load(text)
    return YAML(typ="safe", pure=True).load(text)


def parse_labels(data: Any, source: str = "labels") -> set[Key]:
    """Turn the loaded labels mapping (file -> list of {line, category}) into a set of keys."""
    if data is None:
        return set()
    if not isinstance(data, Mapping):
        raise MeasureError(f"{source}: expected a mapping of file name -> list of labels")
    keys: set[Key] = set()
    for file, items in data.items():
        if not isinstance(file, str):
            raise MeasureError(f"{source}: file names must be strings, got {file!r}")
        if items is None:
            continue
        if not isinstance(items, list):
            raise MeasureError(f"{source}: {file}: expected a list of labels")
        for item in items:
            keys.add(_parse_label(item, file, source))
    return keys


def _parse_label(item: Any, file: str, source: str) -> Key:
    where = f"{source}: {file}"
    if not isinstance(item, Mapping):
        raise MeasureError(f"{where}: a label must be a mapping like {{line: 3, category: hype}}")
    unknown = set(item) - {"line", "category", "document", "text"}
    if unknown:
        raise MeasureError(f"{where}: unknown label key(s): {', '.join(sorted(map(str, unknown)))}")
    category = item.get("category")
    if category not in CATEGORIES:
        raise MeasureError(f"{where}: unknown category {category!r}")
    if category in DOCUMENT_CATEGORIES:
        return make_key(file, None, category)
    line = item.get("line")
    if isinstance(line, bool) or not isinstance(line, int) or line < 1:
        raise MeasureError(f"{where}: {category} label needs a positive integer 'line', got {line!r}")
    return make_key(file, line, category)


def load_labels(path: Path) -> tuple[set[Key], set[str]]:
    """The label keys and the set of files the labels mention (a file with ``[]`` is mentioned)."""
    if not path.is_file():
        raise MeasureError(f"labels file not found: {path}")
    data = _load_yaml(path)
    keys = parse_labels(data, str(path))
    files = set(data) if isinstance(data, Mapping) else set()
    return keys, files


# --------------------------------------------------------------------------------------------- linter


POST_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt")  # what the linter checks in a directory


def corpus_files(corpus: Path) -> set[str]:
    """Every non-hidden post under the corpus directory, as a POSIX path relative to it."""
    return {
        p.relative_to(corpus).as_posix()
        for p in corpus.rglob("*")
        if p.is_file()
        and p.suffix.lower() in POST_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(corpus).parts)
    }


def run_linter(corpus: Path, python: str = sys.executable, cwd: Path = REPO_ROOT) -> dict[str, Any]:
    """Run ``python -m lint check --format json CORPUS`` and return the parsed report."""
    cmd = [python, "-m", "lint", "check", "--format", "json", str(corpus)]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, encoding="utf-8")
    if proc.returncode not in LINTER_OK_CODES:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise MeasureError(f"the linter exited with code {proc.returncode}: {detail[-1] if detail else '(no output)'}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise MeasureError(f"the linter's output is not JSON: {exc}") from exc
    if not isinstance(report, Mapping) or not isinstance(report.get("findings"), list):
        raise MeasureError("the linter's JSON has no 'findings' list")
    return dict(report)


def relative_path(path: str, corpus: Path, cwd: Path = REPO_ROOT) -> str:
    """A finding's path relative to the corpus directory (the linter may print it relative or absolute)."""
    p = Path(path)
    absolute = (p if p.is_absolute() else cwd / p).resolve()
    try:
        return absolute.relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def findings_to_keys(
    findings: Iterable[Mapping[str, Any]], corpus: Path, cwd: Path = REPO_ROOT
) -> dict[Key, Mapping[str, Any]]:
    """Unique keys of the findings, each with the first finding that produced it (for --verbose)."""
    keys: dict[Key, Mapping[str, Any]] = {}
    for finding in findings:
        file = relative_path(str(finding["path"]), corpus, cwd)
        key = make_key(file, int(finding["line"]), str(finding["category"]))
        keys.setdefault(key, finding)
    return keys


# --------------------------------------------------------------------------------------------- scoring


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP); None when the linter reported nothing in this category."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN); None when nothing in this category was labelled."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class Score:
    per_category: dict[str, Counts]
    micro: Counts
    false_positives: list[Key] = field(default_factory=list)
    false_negatives: list[Key] = field(default_factory=list)


def _sort_key(key: Key) -> tuple[str, int, str]:
    file, line, category = key
    return (file, 0 if line is None else line, category)


def category_order(categories: Iterable[str]) -> list[str]:
    """The taxonomy's categories first, in their fixed order, then any others alphabetically."""
    extra = sorted(set(categories) - set(CATEGORIES))
    return list(CATEGORIES) + extra


def score(expected: set[Key], actual: set[Key]) -> Score:
    """Compare label keys with finding keys, per category and in total."""
    per_category = {c: Counts() for c in category_order(k[2] for k in expected | actual)}
    for key in expected & actual:
        per_category[key[2]].tp += 1
    false_positives = sorted(actual - expected, key=_sort_key)
    false_negatives = sorted(expected - actual, key=_sort_key)
    for key in false_positives:
        per_category[key[2]].fp += 1
    for key in false_negatives:
        per_category[key[2]].fn += 1
    micro = Counts(
        tp=sum(c.tp for c in per_category.values()),
        fp=sum(c.fp for c in per_category.values()),
        fn=sum(c.fn for c in per_category.values()),
    )
    return Score(per_category, micro, false_positives, false_negatives)


def meets(value: float | None, minimum: float | None) -> bool:
    """Met when there is no threshold, the figure is undefined (nothing to get wrong) or high enough."""
    return minimum is None or value is None or value >= minimum


# --------------------------------------------------------------------------------------------- output


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_table(result: Score) -> str:
    """An aligned plain-text table: one row per category, then the micro-averaged total."""
    rows = [("category", "TP", "FP", "FN", "precision", "recall", "F1")]
    for category, c in result.per_category.items():
        rows.append((category, str(c.tp), str(c.fp), str(c.fn), _fmt(c.precision), _fmt(c.recall), _fmt(c.f1)))
    m = result.micro
    rows.append(("micro total", str(m.tp), str(m.fp), str(m.fn), _fmt(m.precision), _fmt(m.recall), _fmt(m.f1)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(widths[i]) for i, cell in enumerate(row) if i]
        lines.append("  ".join(cells))
        if index == 0 or index == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def source_line(corpus: Path, file: str, line: int | None, width: int = SOURCE_PREVIEW) -> str:
    """The stripped text of one source line, truncated; empty for document-level keys or unreadable files."""
    if line is None:
        return ""
    try:
        lines = (corpus / file).read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return ""
    if not 1 <= line <= len(lines):
        return ""
    text = " ".join(lines[line - 1].split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _location(key: Key) -> str:
    file, line, _ = key
    return f"{file}:{'-' if line is None else line}"


def format_errors(result: Score, corpus: Path, found: Mapping[Key, Mapping[str, Any]]) -> str:
    """Every false positive and false negative with its location, category and source text."""
    out: list[str] = []
    for title, keys in (
        ("False positives", result.false_positives),
        ("False negatives", result.false_negatives),
    ):
        out.append(f"{title} ({len(keys)}):")
        width = max((len(_location(k)) for k in keys), default=0)
        for key in keys:
            detail = ""
            finding = found.get(key)
            if finding is not None:
                detail = f"  [{finding.get('rule', '?')}: {finding.get('match', '')!r}]"
            text = source_line(corpus, key[0], key[1])
            out.append(f"  {_location(key).ljust(width)}  {key[2]:<21} {text}{detail}".rstrip())
        out.append("")
    return "\n".join(out).rstrip()


def to_json(result: Score, corpus: Path) -> dict[str, Any]:
    def as_record(key: Key) -> dict[str, Any]:
        return {"file": key[0], "line": key[1], "category": key[2]}

    return {
        "corpus": str(corpus),
        "categories": {category: c.to_dict() for category, c in result.per_category.items()},
        "micro": result.micro.to_dict(),
        "false_positives": [as_record(k) for k in result.false_positives],
        "false_negatives": [as_record(k) for k in result.false_negatives],
    }


# --------------------------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="measure.py", description="Precision and recall of clinic-lint on the hand-labelled corpus."
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="directory of posts to lint")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="hand labels (YAML)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every false positive and negative")
    parser.add_argument("--min-precision", type=float, metavar="X", help="exit 1 if micro precision < X")
    parser.add_argument("--min-recall", type=float, metavar="Y", help="exit 1 if micro recall < Y")
    return parser


def _check_coverage(label_files: set[str], files: set[str]) -> list[str]:
    """Warnings for corpus files without labels and labels for files not in the corpus."""
    warnings = [f"warning: {f} has no entry in the labels (treated as [])" for f in sorted(files - label_files)]
    warnings += [
        f"warning: labelled file {f} is not in the corpus (its labels are ignored)" for f in sorted(label_files - files)
    ]
    return warnings


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    corpus: Path = args.corpus.resolve()
    try:
        if not corpus.is_dir():
            raise MeasureError(f"corpus directory not found: {corpus}")
        expected, label_files = load_labels(args.labels)
        files = corpus_files(corpus)
        for warning in _check_coverage(label_files, files):
            print(warning, file=sys.stderr)
        expected = {k for k in expected if k[0] in files}
        report = run_linter(corpus)
        found = findings_to_keys(report["findings"], corpus)
    except MeasureError as exc:
        print(f"measure.py: {exc}", file=sys.stderr)
        return 2

    result = score(expected, set(found))
    if args.json:
        print(json.dumps(to_json(result, corpus), indent=2))
    else:
        print(f"{corpus}: {len(files)} files, {len(expected)} labels, {len(found)} distinct findings\n")
        print(format_table(result))
        if args.verbose:
            print()
            print(format_errors(result, corpus, found))

    ok = meets(result.micro.precision, args.min_precision) and meets(result.micro.recall, args.min_recall)
    if not ok:
        print(
            f"measure.py: below threshold: micro precision {_fmt(result.micro.precision)}, "
            f"recall {_fmt(result.micro.recall)}",
            file=sys.stderr,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
