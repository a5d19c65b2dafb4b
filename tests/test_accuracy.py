"""Tests of accuracy/measure.py: the scoring on tiny hand-made inputs, and the real corpus gate."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location("accuracy_measure", ROOT / "accuracy" / "measure.py")
assert _SPEC is not None and _SPEC.loader is not None
measure = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = measure  # dataclasses look their module up while the class is built
_SPEC.loader.exec_module(measure)


def finding(path: str, line: int, category: str, **extra: Any) -> dict[str, Any]:
    return {"path": path, "line": line, "column": 1, "category": category, "rule": "r", "match": "m", **extra}


# --------------------------------------------------------------------------------------------- keys/labels


def test_make_key_keeps_line_for_sentence_categories() -> None:
    assert measure.make_key("a.md", 7, "hype") == ("a.md", 7, "hype")


def test_make_key_drops_line_for_document_categories() -> None:
    assert measure.make_key("a.md", 12, "missing-disclaimer") == ("a.md", None, "missing-disclaimer")


def test_parse_labels() -> None:
    data = {
        "a.md": [
            {"line": 7, "category": "weight-loss-claim"},
            {"line": 7, "category": "pressure-tactic"},
            {"line": 7, "category": "pressure-tactic"},  # a duplicate collapses
            {"category": "missing-disclaimer"},
        ],
        "b.md": [],
        "c.md": None,
    }
    assert measure.parse_labels(data) == {
        ("a.md", 7, "weight-loss-claim"),
        ("a.md", 7, "pressure-tactic"),
        ("a.md", None, "missing-disclaimer"),
    }


def test_parse_labels_document_level_ignores_a_line_and_accepts_seed_style_keys() -> None:
    data = {
        "a.md": [
            {"category": "missing-disclaimer", "document": True, "line": 3},
            {"line": 2, "category": "hype", "text": "a miracle"},
        ]
    }
    assert measure.parse_labels(data) == {("a.md", None, "missing-disclaimer"), ("a.md", 2, "hype")}


def test_parse_labels_empty_file() -> None:
    assert measure.parse_labels(None) == set()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["a.md"], "expected a mapping"),
        ({1: []}, "file names must be strings"),
        ({"a.md": {"line": 1}}, "expected a list"),
        ({"a.md": ["hype"]}, "must be a mapping"),
        ({"a.md": [{"line": 1, "category": "hipe"}]}, "unknown category 'hipe'"),
        ({"a.md": [{"category": "hype"}]}, "needs a positive integer 'line'"),
        ({"a.md": [{"line": 0, "category": "hype"}]}, "needs a positive integer 'line'"),
        ({"a.md": [{"line": True, "category": "hype"}]}, "needs a positive integer 'line'"),
        ({"a.md": [{"line": 1, "category": "hype", "colum": 3}]}, "unknown label key(s): colum"),
    ],
)
def test_parse_labels_rejects_mistakes(data: Any, message: str) -> None:
    with pytest.raises(measure.MeasureError, match=message.replace("(", r"\(").replace(")", r"\)")):
        measure.parse_labels(data)


def test_load_labels(tmp_path: Path) -> None:
    labels = tmp_path / "labels.yaml"
    labels.write_text("a.md:\n  - {line: 3, category: hype}\nb.md: []\n", encoding="utf-8")
    keys, files = measure.load_labels(labels)
    assert keys == {("a.md", 3, "hype")}
    assert files == {"a.md", "b.md"}


def test_load_labels_missing(tmp_path: Path) -> None:
    with pytest.raises(measure.MeasureError, match="labels file not found"):
        measure.load_labels(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------------------------- findings


def test_findings_are_deduplicated_per_line_and_category(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    findings = [
        finding(str(corpus / "a.md"), 4, "hype", rule="first"),
        finding(str(corpus / "a.md"), 4, "hype", rule="second"),  # same line + category: one key
        finding(str(corpus / "a.md"), 4, "cure-claim"),
        finding(str(corpus / "a.md"), 5, "hype"),
    ]
    keys = measure.findings_to_keys(findings, corpus, cwd=tmp_path)
    assert set(keys) == {("a.md", 4, "hype"), ("a.md", 4, "cure-claim"), ("a.md", 5, "hype")}
    assert keys[("a.md", 4, "hype")]["rule"] == "first"


def test_document_findings_reduce_to_file_and_category(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    findings = [
        finding("corpus/a.md", 1, "missing-disclaimer"),
        finding("corpus/a.md", 9, "missing-disclaimer"),
    ]
    assert set(measure.findings_to_keys(findings, corpus, cwd=tmp_path)) == {("a.md", None, "missing-disclaimer")}


def test_relative_path_handles_relative_absolute_and_outside(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    assert measure.relative_path("corpus/sub/x.html", corpus, cwd=tmp_path) == "sub/x.html"
    assert measure.relative_path(str(corpus / "x.txt"), corpus, cwd=tmp_path) == "x.txt"
    assert measure.relative_path("elsewhere/y.md", corpus, cwd=tmp_path) == "elsewhere/y.md"


def test_corpus_files_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".cache").mkdir()
    for name in ("a.md", "sub/b.html", ".hidden.md", ".cache/c.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert measure.corpus_files(tmp_path) == {"a.md", "sub/b.html"}


# --------------------------------------------------------------------------------------------- scoring


def test_score_counts_tp_fp_fn_per_category_and_micro() -> None:
    expected = {
        ("a.md", 1, "hype"),
        ("a.md", 2, "hype"),
        ("a.md", 3, "cure-claim"),
        ("b.md", None, "missing-disclaimer"),
    }
    actual = {
        ("a.md", 1, "hype"),
        ("a.md", 9, "hype"),
        ("b.md", None, "missing-disclaimer"),
        ("c.md", 1, "testimonial"),
    }
    result = measure.score(expected, actual)
    hype = result.per_category["hype"]
    assert (hype.tp, hype.fp, hype.fn) == (1, 1, 1)
    assert (hype.precision, hype.recall, hype.f1) == (0.5, 0.5, 0.5)
    cure = result.per_category["cure-claim"]
    assert (cure.tp, cure.fp, cure.fn, cure.precision, cure.recall, cure.f1) == (0, 0, 1, None, 0.0, 0.0)
    disclaimer = result.per_category["missing-disclaimer"]
    assert (disclaimer.tp, disclaimer.fp, disclaimer.fn) == (1, 0, 0)
    testimonial = result.per_category["testimonial"]
    assert (testimonial.tp, testimonial.fp, testimonial.fn, testimonial.recall) == (0, 1, 0, None)
    assert (result.micro.tp, result.micro.fp, result.micro.fn) == (2, 2, 2)
    assert result.micro.precision == result.micro.recall == 0.5
    assert result.false_positives == [("a.md", 9, "hype"), ("c.md", 1, "testimonial")]
    assert result.false_negatives == [("a.md", 2, "hype"), ("a.md", 3, "cure-claim")]


def test_wrong_line_is_one_fp_and_one_fn() -> None:
    result = measure.score({("a.md", 3, "hype")}, {("a.md", 4, "hype")})
    assert (result.micro.tp, result.micro.fp, result.micro.fn) == (0, 1, 1)


def test_document_level_label_matches_a_finding_on_any_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    expected = measure.parse_labels({"a.md": [{"category": "missing-disclaimer"}]})
    found = measure.findings_to_keys([finding("corpus/a.md", 17, "missing-disclaimer")], corpus, cwd=tmp_path)
    result = measure.score(expected, set(found))
    assert (result.micro.tp, result.micro.fp, result.micro.fn) == (1, 0, 0)


def test_empty_everything_is_undefined_not_zero() -> None:
    result = measure.score(set(), set())
    assert (result.micro.precision, result.micro.recall, result.micro.f1) == (None, None, None)
    assert list(result.per_category) == list(measure.CATEGORIES)


def test_unknown_linter_category_is_listed_after_the_taxonomy() -> None:
    result = measure.score(set(), {("a.md", 1, "unused-directive")})
    assert list(result.per_category)[-1] == "unused-directive"
    assert result.per_category["unused-directive"].fp == 1


@pytest.mark.parametrize(
    ("value", "minimum", "ok"),
    [(0.95, 0.9, True), (0.9, 0.9, True), (0.85, 0.9, False), (None, 0.9, True), (0.1, None, True)],
)
def test_meets(value: float | None, minimum: float | None, ok: bool) -> None:
    assert measure.meets(value, minimum) is ok


# --------------------------------------------------------------------------------------------- output


def test_format_table_is_aligned() -> None:
    result = measure.score({("a.md", 1, "hype")}, {("a.md", 1, "hype"), ("a.md", 2, "hype")})
    lines = measure.format_table(result).splitlines()
    assert lines[0].split() == ["category", "TP", "FP", "FN", "precision", "recall", "F1"]
    assert len({len(line) for line in lines}) == 1
    hype = next(line for line in lines if line.startswith("hype "))
    assert hype.split() == ["hype", "1", "1", "0", "0.500", "1.000", "0.667"]
    assert lines[-1].split()[:2] == ["micro", "total"]
    assert "-" in next(line for line in lines if line.startswith("cure-claim")).split()


def test_source_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("\ufeffone\n  two   words  \n" + "x" * 300 + "\n", encoding="utf-8")
    assert measure.source_line(tmp_path, "a.txt", 1) == "one"
    assert measure.source_line(tmp_path, "a.txt", 2) == "two words"
    assert measure.source_line(tmp_path, "a.txt", 3, width=10) == "xxxxxxx..."
    assert measure.source_line(tmp_path, "a.txt", 99) == ""
    assert measure.source_line(tmp_path, "a.txt", None) == ""
    assert measure.source_line(tmp_path, "missing.txt", 1) == ""


def test_format_errors_lists_fps_and_fns_with_text(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("Title\nA true miracle cure.\n", encoding="utf-8")
    fp, fn = ("a.md", 2, "hype"), ("a.md", None, "missing-disclaimer")
    result = measure.score({fn}, {fp})
    text = measure.format_errors(result, tmp_path, {fp: finding("a.md", 2, "hype", rule="miracle", match="miracle")})
    assert "False positives (1):" in text and "False negatives (1):" in text
    assert "a.md:2  hype" in text and "A true miracle cure." in text and "[miracle: 'miracle']" in text
    assert "a.md:-  missing-disclaimer" in text


# --------------------------------------------------------------------------------------------- main


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Hi\n\nIt is a miracle.\n\nBook today!\n", encoding="utf-8")
    (corpus / "b.md").write_text("Opening hours.\n", encoding="utf-8")
    labels = tmp_path / "labels.yaml"
    labels.write_text(
        "a.md:\n  - {line: 3, category: hype}\n  - {line: 5, category: pressure-tactic}\n"
        "  - {category: missing-disclaimer}\nb.md: []\n",
        encoding="utf-8",
    )
    return corpus, labels


def fake_linter(findings: list[dict[str, Any]]) -> Any:
    def run(corpus: Path, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {
            "version": "0",
            "findings": [dict(f, path=str(corpus / f["path"])) for f in findings],
            "summary": {},
        }

    return run


def test_main_table_and_thresholds(
    tiny: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, labels = tiny
    monkeypatch.setattr(
        measure,
        "run_linter",
        fake_linter([finding("a.md", 3, "hype"), finding("a.md", 1, "missing-disclaimer"), finding("b.md", 1, "hype")]),
    )
    base = ["--corpus", str(corpus), "--labels", str(labels)]
    assert measure.main(base + ["--verbose"]) == 0
    out = capsys.readouterr().out
    assert "2 files, 3 labels, 3 distinct findings" in out
    assert "b.md:1" in out and "Opening hours." in out  # the false positive
    assert "a.md:5" in out and "Book today!" in out  # the false negative
    assert measure.main(base + ["--min-precision", "0.6", "--min-recall", "0.6"]) == 0
    assert measure.main(base + ["--min-precision", "0.9"]) == 1
    assert "below threshold" in capsys.readouterr().err
    assert measure.main(base + ["--min-recall", "0.7"]) == 1


def test_main_json(
    tiny: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, labels = tiny
    monkeypatch.setattr(measure, "run_linter", fake_linter([finding("a.md", 5, "pressure-tactic")]))
    assert measure.main(["--corpus", str(corpus), "--labels", str(labels), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["micro"] == {"tp": 1, "fp": 0, "fn": 2, "precision": 1.0, "recall": 1 / 3, "f1": 0.5}
    assert data["categories"]["pressure-tactic"]["tp"] == 1
    assert {"file": "a.md", "line": None, "category": "missing-disclaimer"} in data["false_negatives"]


def test_main_warns_about_unlabelled_and_missing_files(
    tiny: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, labels = tiny
    (corpus / "c.md").write_text("new post\n", encoding="utf-8")
    labels.write_text(
        labels.read_text(encoding="utf-8") + "gone.md:\n  - {line: 1, category: hype}\n", encoding="utf-8"
    )
    monkeypatch.setattr(measure, "run_linter", fake_linter([]))
    assert measure.main(["--corpus", str(corpus), "--labels", str(labels)]) == 0
    captured = capsys.readouterr()
    assert "c.md has no entry in the labels" in captured.err
    assert "gone.md is not in the corpus" in captured.err
    assert "3 files, 3 labels" in captured.out  # gone.md's label is dropped


def test_main_errors_exit_2(tmp_path: Path, tiny: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    corpus, labels = tiny
    assert measure.main(["--corpus", str(tmp_path / "nope"), "--labels", str(labels)]) == 2
    assert "corpus directory not found" in capsys.readouterr().err
    assert measure.main(["--corpus", str(corpus), "--labels", str(tmp_path / "nope.yaml")]) == 2


def _fake_python(tmp_path: Path, script: str) -> str:
    """A stand-in 'python' that ignores '-m lint check ...' and runs SCRIPT instead."""
    path = tmp_path / "fake_python.py"
    path.write_text(script, encoding="utf-8")
    wrapper = tmp_path / "python"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {path}\n", encoding="utf-8")
    wrapper.chmod(0o755)
    return str(wrapper)


@pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script as a fake interpreter")
@pytest.mark.parametrize(
    ("script", "result"),
    [
        ("import sys; print('{\"findings\": []}'); sys.exit(1)", {"findings": []}),
        ("import sys; print('boom', file=sys.stderr); sys.exit(4)", "exited with code 4: boom"),
        ("import sys; sys.exit(3)", "exited with code 3: (no output)"),
        ("print('not json')", "not JSON"),
        ("print('[1, 2]')", "no 'findings' list"),
    ],
)
def test_run_linter(tmp_path: Path, script: str, result: Any) -> None:
    python = _fake_python(tmp_path, script)
    if isinstance(result, dict):
        assert measure.run_linter(tmp_path, python=python, cwd=tmp_path) == result
    else:
        with pytest.raises(measure.MeasureError, match=result.replace("(", r"\(").replace(")", r"\)")):
            measure.run_linter(tmp_path, python=python, cwd=tmp_path)


def test_script_runs_standalone() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "accuracy" / "measure.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and "--min-precision" in proc.stdout


# --------------------------------------------------------------------------------------------- the real gate


def test_labels_cover_the_corpus_exactly() -> None:
    _, label_files = measure.load_labels(measure.DEFAULT_LABELS)
    assert label_files == measure.corpus_files(measure.DEFAULT_CORPUS)


def test_accuracy_on_the_real_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    """The release gate: micro precision and recall of at least 0.90 on the hand-labelled corpus."""
    code = measure.main(["--json"])
    captured = capsys.readouterr()
    assert code != 2, captured.err
    micro = json.loads(captured.out)["micro"]
    assert micro["precision"] is not None and micro["precision"] >= 0.90, micro
    assert micro["recall"] is not None and micro["recall"] >= 0.90, micro


# --------------------------------------------------------------------------------------------- real-world format


def test_optional_labels_are_neither_required_nor_false_positives() -> None:
    data = {
        "pages/a.txt": [
            {"line": 2, "category": "hype", "text": "a miracle"},
            {"line": 3, "category": "hype", "optional": True},
            {"category": "missing-disclaimer", "optional": True},
        ]
    }
    required, optional = measure.parse_label_sets(data)
    assert required == {("pages/a.txt", 2, "hype")}
    assert optional == {("pages/a.txt", 3, "hype"), ("pages/a.txt", None, "missing-disclaimer")}
    found = {("pages/a.txt", 3, "hype"), ("pages/a.txt", None, "missing-disclaimer"), ("pages/a.txt", 4, "hype")}
    result = measure.score(required, found, optional)
    assert (result.micro.tp, result.micro.fp, result.micro.fn) == (0, 1, 1)
    assert result.false_positives == [("pages/a.txt", 4, "hype")]


def test_optional_must_be_a_boolean() -> None:
    with pytest.raises(measure.MeasureError, match="'optional' must be true or false"):
        measure.parse_labels({"a.md": [{"line": 1, "category": "hype", "optional": "yes"}]})


def test_measure_pages_with_labels_keyed_from_a_parent_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.txt").write_text("one\ntwo\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a page\n", encoding="utf-8")
    labels = tmp_path / "labels.yaml"
    labels.write_text("pages/a.txt:\n  - {line: 2, category: hype}\n", encoding="utf-8")
    monkeypatch.setattr(measure, "run_linter", fake_linter([finding("a.txt", 2, "hype")]))
    result, files, _ = measure.measure_pages(tmp_path / "pages", labels, root=tmp_path)
    assert files == {"pages/a.txt"}
    assert (result.micro.tp, result.micro.fp, result.micro.fn) == (1, 0, 0)


def test_lint_lines_reports_categories_per_line_without_document_findings() -> None:
    def linter(folder: Path) -> dict[str, Any]:
        texts = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
        assert texts == {"line-0001.txt": "first\n", "line-0002.txt": "second\n"}
        return {
            "findings": [
                finding(str(folder / "line-0002.txt"), 1, "hype", rule="miracle"),
                finding(str(folder / "line-0002.txt"), 1, "missing-disclaimer"),
                finding(str(folder / "line-0001.txt"), 1, "clinic-lint"),
            ]
        }

    assert measure.lint_lines(["first", "second"], linter) == [{}, {"hype": "miracle"}]


def test_read_claim_sources(tmp_path: Path) -> None:
    tsv = tmp_path / "sources.tsv"
    tsv.write_text(
        "file\tline\texpected_category\tcontext_only\n"
        "claims.txt\t1\thype\t\n"
        "claims.txt\t2\tpressure-tactic\tcontext-only\n"
        "other.txt\t1\tnone\t\n",
        encoding="utf-8",
    )
    assert measure.read_claim_sources(tsv, 3) == (["hype", "pressure-tactic", None], {1})
    with pytest.raises(measure.MeasureError, match="not found"):
        measure.read_claim_sources(tmp_path / "nope.tsv", 1)


def test_claims_and_careful_sentences_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    claims = measure.LineSet(
        "claims", ["a", "b", "c"], ["hype", "hype", "cure-claim"], [{"hype": "r"}, {}, {"hype": "r"}]
    )
    text = measure.format_claims(claims, set(), verbose=True)
    assert "flagged (any category):      2/3" in text
    assert "flagged (expected category): 1/3" in text
    assert "3 cure-claim" in text and "got hype: c" in text
    careful = measure.LineSet("careful", ["x", "y"], [None, None], [{}, {"cure-claim": "cure-language"}])
    text = measure.format_compliant(careful, verbose=True)
    assert "1 of 2 careful sentences flagged" in text and "cure-claim (cure-language): y" in text
