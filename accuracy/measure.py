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
    """Turn the loaded labels mapping (file -> list of {line, category}) into the set of required keys."""
    return parse_label_sets(data, source)[0]


def parse_label_sets(data: Any, source: str = "labels") -> tuple[set[Key], set[Key]]:
    """The required keys and the optional ones (``optional: true``: a judgement call, accepted when found but
    not required). A key both required and optional is required."""
    if data is None:
        return set(), set()
    if not isinstance(data, Mapping):
        raise MeasureError(f"{source}: expected a mapping of file name -> list of labels")
    required: set[Key] = set()
    optional: set[Key] = set()
    for file, items in data.items():
        if not isinstance(file, str):
            raise MeasureError(f"{source}: file names must be strings, got {file!r}")
        if items is None:
            continue
        if not isinstance(items, list):
            raise MeasureError(f"{source}: {file}: expected a list of labels")
        for item in items:
            key = _parse_label(item, file, source)
            if item.get("optional", False) is True:
                optional.add(key)
            else:
                required.add(key)
    return required, optional - required


def _parse_label(item: Any, file: str, source: str) -> Key:
    where = f"{source}: {file}"
    if not isinstance(item, Mapping):
        raise MeasureError(f"{where}: a label must be a mapping like {{line: 3, category: hype}}")
    unknown = set(item) - {"line", "category", "document", "text", "optional"}
    if unknown:
        raise MeasureError(f"{where}: unknown label key(s): {', '.join(sorted(map(str, unknown)))}")
    category = item.get("category")
    if not isinstance(item.get("optional", False), bool):
        raise MeasureError(f"{where}: 'optional' must be true or false")
    if category not in CATEGORIES:
        raise MeasureError(f"{where}: unknown category {category!r}")
    if category in DOCUMENT_CATEGORIES:
        return make_key(file, None, category)
    line = item.get("line")
    if isinstance(line, bool) or not isinstance(line, int) or line < 1:
        raise MeasureError(f"{where}: {category} label needs a positive integer 'line', got {line!r}")
    return make_key(file, line, category)


def load_labels(path: Path) -> tuple[set[Key], set[str]]:
    """The required label keys and the set of files the labels mention (a file with ``[]`` is mentioned)."""
    required, _, files = load_label_sets(path)
    return required, files


def load_label_sets(path: Path) -> tuple[set[Key], set[Key], set[str]]:
    """The required and optional label keys, and the files the labels mention."""
    if not path.is_file():
        raise MeasureError(f"labels file not found: {path}")
    data = _load_yaml(path)
    required, optional = parse_label_sets(data, str(path))
    files = set(data) if isinstance(data, Mapping) else set()
    return required, optional, files


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


def score(expected: set[Key], actual: set[Key], optional: set[Key] = frozenset()) -> Score:
    """Compare label keys with finding keys, per category and in total. A finding on an ``optional`` key is
    neither a true nor a false positive (the reviewer accepts it but does not require it)."""
    actual = actual - (optional - expected)
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


# --------------------------------------------------------------------------------------------- line lists

# A line list (one claim or careful sentence per line) is linted line by line, each as its own document.
# Document-level findings do not count there: one sentence is not a page.
NOT_PER_LINE = DOCUMENT_CATEGORIES | {"clinic-lint"}


def lint_lines(lines: Sequence[str], linter: Any = None) -> list[dict[str, str]]:
    """For each line, the categories clinic-lint finds in it (each with the first rule that produced it)."""
    import tempfile

    linter = linter or run_linter
    with tempfile.TemporaryDirectory(prefix="clinic-lint-lines-") as tmp:
        folder = Path(tmp)
        names = [f"line-{n:04d}.txt" for n in range(1, len(lines) + 1)]
        for name, line in zip(names, lines, strict=True):
            (folder / name).write_text(line + "\n", encoding="utf-8")
        report = linter(folder)
        per_line: list[dict[str, str]] = [{} for _ in lines]
        index = {name: i for i, name in enumerate(names)}
        for f in report["findings"]:
            i = index.get(Path(str(f["path"])).name)
            if i is not None and f["category"] not in NOT_PER_LINE:
                per_line[i].setdefault(str(f["category"]), str(f.get("rule", "?")))
    return per_line


@dataclass
class LineSet:
    """A line list's result: per line its text, expected category (claims) and what was found."""

    name: str
    texts: list[str]
    expected: list[str | None]  # the category a claim should draw; None for careful sentences
    found: list[dict[str, str]]

    def flagged(self, i: int) -> bool:
        return bool(self.found[i])

    def hit(self, i: int) -> bool:
        return self.expected[i] in self.found[i]


def read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise MeasureError(f"line list not found: {path}")
    return [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()]


def read_claim_sources(path: Path, count: int) -> tuple[list[str | None], set[int]]:
    """The expected category of each claim line and the context-only lines (where the regulator objected to
    the product, not the words), from the tab-separated sources file."""
    import csv

    if not path.is_file():
        raise MeasureError(f"claim sources not found: {path}")
    expected: list[str | None] = [None] * count
    context_only: set[int] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if not str(row.get("file", "")).endswith("claims.txt"):
                continue
            try:
                n = int(row["line"]) - 1
            except (KeyError, TypeError, ValueError):
                raise MeasureError(f"{path}: a row without a line number: {row}") from None
            if 0 <= n < count:
                expected[n] = row.get("expected_category") or None
                if (row.get("context_only") or "").strip():
                    context_only.add(n)
    return expected, context_only


def format_claims(claims: LineSet, context_only: set[int], verbose: bool) -> str:
    scored = [i for i in range(len(claims.texts)) if i not in context_only]
    flagged = sum(claims.flagged(i) for i in scored)
    hits = sum(claims.hit(i) for i in scored)
    out = [
        f"{claims.name}: {len(scored)} claims ({len(context_only)} context-only lines excluded)",
        f"  flagged (any category):      {flagged}/{len(scored)} = {_fmt(_ratio(flagged, len(scored)))}",
        f"  flagged (expected category): {hits}/{len(scored)} = {_fmt(_ratio(hits, len(scored)))}",
        "",
    ]
    rows = [("expected category", "claims", "flagged", "expected")]
    for category in category_order(c for c in claims.expected if c):
        lines = [i for i in scored if claims.expected[i] == category]
        if lines:
            rows.append(
                (
                    category,
                    str(len(lines)),
                    str(sum(claims.flagged(i) for i in lines)),
                    str(sum(claims.hit(i) for i in lines)),
                )
            )
    out.append(_aligned(rows))
    if verbose:
        out += ["", "Missed (no finding of the expected category):"]
        for i in scored:
            if not claims.hit(i):
                got = ", ".join(claims.found[i]) or "nothing"
                out.append(f"  {i + 1:>3} {claims.expected[i]:<21} got {got}: {_preview(claims.texts[i])}")
    return "\n".join(out)


def format_compliant(careful: LineSet, verbose: bool) -> str:
    flagged = [i for i in range(len(careful.texts)) if careful.flagged(i)]
    out = [f"{careful.name}: {len(flagged)} of {len(careful.texts)} careful sentences flagged"]
    by_category: dict[str, int] = {}
    for i in flagged:
        for category in careful.found[i]:
            by_category[category] = by_category.get(category, 0) + 1
    for category in category_order(by_category):
        if category in by_category:
            out.append(f"  {category:<21} {by_category[category]}")
    if verbose:
        for i in flagged:
            rules = ", ".join(f"{c} ({r})" for c, r in careful.found[i].items())
            out.append(f"  {i + 1:>3} {rules}: {_preview(careful.texts[i])}")
    return "\n".join(out)


def _preview(text: str, width: int = SOURCE_PREVIEW) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _aligned(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join([row[0].ljust(widths[0])] + [c.rjust(widths[i]) for i, c in enumerate(row) if i]) for row in rows
    )


# --------------------------------------------------------------------------------------------- sets

# The project's own labelled sets: name -> (corpus directory, labels file).
PROJECT_SETS: dict[str, tuple[Path, Path]] = {
    "corpus": (DEFAULT_CORPUS, DEFAULT_LABELS),
    "seeds": (REPO_ROOT / "seeds", REPO_ROOT / "accuracy" / "seeds-labels.yaml"),
    "holdout": (REPO_ROOT / "accuracy" / "holdout" / "corpus", REPO_ROOT / "accuracy" / "holdout" / "labels.yaml"),
    "blind": (REPO_ROOT / "accuracy" / "blind" / "corpus", REPO_ROOT / "accuracy" / "blind" / "labels.yaml"),
    "blind2": (REPO_ROOT / "accuracy" / "blind2" / "corpus", REPO_ROOT / "accuracy" / "blind2" / "labels.yaml"),
    "blind3": (REPO_ROOT / "accuracy" / "blind3" / "corpus", REPO_ROOT / "accuracy" / "blind3" / "labels.yaml"),
    "blind4": (REPO_ROOT / "accuracy" / "blind4" / "corpus", REPO_ROOT / "accuracy" / "blind4" / "labels.yaml"),
}


def measure_pages(corpus: Path, labels: Path, *, root: Path | None = None) -> tuple[Score, set[str], dict[Key, Any]]:
    """Score the linter on a labelled directory of posts. Labels name files relative to ``root`` (default: the
    corpus itself; the real-world set's labels say "pages/NAME.txt", so its root is the folder above)."""
    corpus = corpus.resolve()
    root = corpus if root is None else root.resolve()
    if not corpus.is_dir():
        raise MeasureError(f"corpus directory not found: {corpus}")
    required, optional, label_files = load_label_sets(labels)
    files = {(corpus / f).relative_to(root).as_posix() for f in corpus_files(corpus)}
    for warning in _check_coverage(label_files, files):
        print(warning, file=sys.stderr)
    report = run_linter(corpus)
    found = findings_to_keys(report["findings"], root)
    result = score({k for k in required if k[0] in files}, set(found), {k for k in optional if k[0] in files})
    return result, files, found


def _print_pages(title: str, corpus: Path, result: Score, files: set[str], found: dict, verbose: bool) -> None:
    labels = result.micro.tp + result.micro.fn
    print(f"{title}: {len(files)} files, {labels} required labels, {len(found)} distinct findings\n")
    print(format_table(result))
    if verbose:
        print()
        print(format_errors(result, corpus, found))
    print()


# --------------------------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="measure.py",
        description="Precision and recall of clinic-lint on hand-labelled posts, and on line lists of real "
        "claims and careful sentences.",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="directory of posts to lint")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="hand labels (YAML)")
    parser.add_argument(
        "--set",
        choices=[*PROJECT_SETS, "all"],
        help="measure one of the project's own sets (corpus, seeds, holdout, blind, blind2, blind3, blind4) or all of them",
    )
    parser.add_argument(
        "--realworld",
        type=Path,
        metavar="DIR",
        help="also measure a real-world set: DIR/pages + DIR/labels.yaml, DIR/regulator-claims.txt with "
        "DIR/regulator-sources.tsv, DIR/regulator-compliant.txt",
    )
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


def _many(args: argparse.Namespace) -> int:
    """--set and/or --realworld: every named set, one after another; JSON holds them all."""
    names = list(PROJECT_SETS) if args.set == "all" else [args.set] if args.set else []
    results: dict[str, Any] = {}
    for name in names:
        corpus, labels = PROJECT_SETS[name]
        result, files, found = measure_pages(corpus, labels)
        results[name] = to_json(result, corpus)
        if not args.json:
            _print_pages(f"{name} ({corpus.relative_to(REPO_ROOT)})", corpus, result, files, found, args.verbose)
    if args.realworld is not None:
        top = args.realworld.resolve()
        result, files, found = measure_pages(top / "pages", top / "labels.yaml", root=top)
        results["realworld-pages"] = to_json(result, top)
        if not args.json:
            _print_pages("real pages", top, result, files, found, args.verbose)
        claim_texts = read_lines(top / "regulator-claims.txt")
        expected, context_only = read_claim_sources(top / "regulator-sources.tsv", len(claim_texts))
        claims = LineSet("regulator-quoted claims", claim_texts, expected, lint_lines(claim_texts))
        careful_texts = read_lines(top / "regulator-compliant.txt")
        careful = LineSet("careful sentences", careful_texts, [None] * len(careful_texts), lint_lines(careful_texts))
        scored = [i for i in range(len(claim_texts)) if i not in context_only]
        results["regulator-claims"] = {
            "claims": len(scored),
            "flagged": sum(claims.flagged(i) for i in scored),
            "flagged_expected_category": sum(claims.hit(i) for i in scored),
        }
        results["regulator-compliant"] = {
            "sentences": len(careful_texts),
            "flagged": sum(careful.flagged(i) for i in range(len(careful_texts))),
        }
        if not args.json:
            print(format_claims(claims, context_only, args.verbose))
            print()
            print(format_compliant(careful, args.verbose))
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.set or args.realworld is not None:
        try:
            return _many(args)
        except MeasureError as exc:
            print(f"measure.py: {exc}", file=sys.stderr)
            return 2
    corpus: Path = args.corpus.resolve()
    try:
        result, files, found = measure_pages(corpus, args.labels)
    except MeasureError as exc:
        print(f"measure.py: {exc}", file=sys.stderr)
        return 2
    expected_count = result.micro.tp + result.micro.fn
    if args.json:
        print(json.dumps(to_json(result, corpus), indent=2))
    else:
        print(f"{corpus}: {len(files)} files, {expected_count} labels, {len(found)} distinct findings\n")
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
