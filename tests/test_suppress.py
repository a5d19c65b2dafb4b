"""Inline suppressions: clinic-lint-disable-next-line / disable ... enable / disable-file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lint.cli import main
from lint.config import Config
from lint.engine import build_engine
from lint.model import Comment, Finding
from lint.suppress import TOOL_CATEGORY, apply, next_prose_line

DATA = Path(__file__).parent / "data"
PACK = ["--no-default-packs", "--pack", str(DATA / "workflow-pack.yaml")]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], name: str, text: str, *args: str) -> tuple[int, list[tuple]]:
    """Lint one file; the exit code and its findings as (line, rule) pairs."""
    Path(name).write_text(text, encoding="utf-8")
    code = main(["check", *PACK, "--format", "json", *args, name])
    out, _ = capsys.readouterr()
    return code, [(f["line"], f["rule"]) for f in json.loads(out)["findings"]]


def findings(capsys: pytest.CaptureFixture[str], name: str, text: str, *args: str) -> list[dict]:
    Path(name).write_text(text, encoding="utf-8")
    main(["check", *PACK, "--format", "json", *args, name])
    return json.loads(capsys.readouterr()[0])["findings"]


# --------------------------------------------------------------------------- disable-next-line


def test_next_line_suppresses_only_the_next_prose_line(capsys) -> None:
    text = (
        "<!-- clinic-lint-disable-next-line wf-safe -- quoting the 1970 label -->\n"
        "\n"
        "It is totally safe.\n"
        "It is completely safe.\n"
    )
    code, got = check(capsys, "a.md", text)
    assert got == [(4, "wf-safe")]
    assert code == 1


def test_stacked_directives_apply_to_the_same_line(capsys) -> None:
    text = (
        "<!-- clinic-lint-disable-next-line wf-safe -- a quoted label -->\n"
        "<!-- clinic-lint-disable-next-line wf-schedule -- the historical name -->\n"
        "A Category III drug, totally safe.\n"
    )
    assert check(capsys, "a.md", text) == (0, [])


def test_next_line_at_the_end_of_a_prose_line(capsys) -> None:
    text = "A miracle. <!-- clinic-lint-disable-next-line hype -- a patient's words -->\nAnother miracle.\n"
    assert check(capsys, "a.md", text)[1] == [(1, "wf-miracle")]


def test_next_line_in_html(capsys) -> None:
    text = (
        "<html><body>\n<!-- clinic-lint-disable-next-line wf-safe -- quoted -->\n"
        "<p>It is totally safe.</p>\n<p>Totally safe.</p>\n</body></html>\n"
    )
    assert check(capsys, "a.html", text)[1] == [(4, "wf-safe")]


def test_plain_text_directive_lines(capsys) -> None:
    text = (
        "clinic-lint-disable-next-line wf-safe -- quoting a 1970 leaflet\n"
        "It is totally safe.\n"
        "\n"
        "<!-- clinic-lint-disable-next-line hype -- a patient's own words -->\n"
        "A miracle.\n"
        "\n"
        "Totally safe. A miracle.\n"
    )
    assert check(capsys, "a.txt", text)[1] == [(7, "wf-safe"), (7, "wf-miracle")]


# --------------------------------------------------------------------------- disable ... enable, disable-file


def test_disable_enable_range(capsys) -> None:
    text = (
        "Totally safe.\n\n"
        "<!-- clinic-lint-disable wf-safe -- quoting the manufacturer -->\n"
        "Totally safe.\n\nPerfectly safe. A miracle.\n"
        "<!-- clinic-lint-enable wf-safe -->\n\n"
        "Totally safe.\n"
    )
    assert check(capsys, "a.md", text)[1] == [(1, "wf-safe"), (6, "wf-miracle"), (9, "wf-safe")]


def test_disable_without_enable_runs_to_the_end(capsys) -> None:
    text = "A miracle.\n\n<!-- clinic-lint-disable -- archived -->\nA miracle. Totally safe.\n\nA miracle.\n"
    assert check(capsys, "a.md", text)[1] == [(1, "wf-miracle")]


def test_enable_without_ids_ends_every_range(capsys) -> None:
    text = (
        "<!-- clinic-lint-disable wf-safe, hype -- quoted -->\nTotally safe. A miracle.\n"
        "<!-- clinic-lint-enable -->\nTotally safe. A miracle.\n"
    )
    assert check(capsys, "a.md", text)[1] == [(4, "wf-safe"), (4, "wf-miracle")]


def test_disable_file_anywhere(capsys) -> None:
    text = "Totally safe. A miracle.\n\n<!-- clinic-lint-disable-file wf-safe -- satire -->\n\nTotally safe."
    assert check(capsys, "a.md", text)[1] == [(1, "wf-miracle")]


def test_ids_can_be_categories_packs_and_lists(capsys) -> None:
    base = "Totally safe. A miracle. A Category III drug.\n"
    cases = {
        "safety-claim": [(2, "wf-miracle"), (2, "wf-schedule")],
        "workflow-test": [],
        "wf-safe,hype": [(2, "wf-schedule")],
        "wf-safe, hype wf-schedule": [],
    }
    for ids, expected in cases.items():
        text = f"<!-- clinic-lint-disable-next-line {ids} -- reviewed -->\n{base}"
        assert check(capsys, "a.md", text)[1] == expected, ids


# --------------------------------------------------------------------------- directives reported themselves


def test_missing_reason_is_reported_and_still_suppresses(capsys) -> None:
    got = findings(capsys, "a.md", "<!-- clinic-lint-disable-next-line wf-safe -->\nTotally safe.\n")
    assert [(f["line"], f["column"], f["rule"], f["category"], f["severity"]) for f in got] == [
        (1, 1, "suppression-missing-reason", TOOL_CATEGORY, "info")
    ]
    assert "reason" in got[0]["message"]
    assert got[0]["match"] == "<!-- clinic-lint-disable-next-line wf-safe -->"


def test_unused_suppression(capsys) -> None:
    text = "Intro.\n\n<!-- clinic-lint-disable-next-line wf-safe, hype -- old copy -->\nTotally safe.\n"
    got = findings(capsys, "a.md", text)
    assert [(f["line"], f["rule"]) for f in got] == [(3, "unused-suppression")]
    assert "'hype'" in got[0]["message"] and "'wf-safe'" not in got[0]["message"]


def test_unused_file_and_range_directives(capsys) -> None:
    text = (
        "<!-- clinic-lint-disable-file -- nothing risky left -->\n"
        "<!-- clinic-lint-disable hype -- quoted -->\nFine.\n<!-- clinic-lint-enable hype -->\n"
    )
    assert check(capsys, "a.md", text)[1] == [(1, "unused-suppression"), (2, "unused-suppression")]


def test_unknown_ids_are_reported(capsys) -> None:
    text = "<!-- clinic-lint-disable-next-line wf-safe because quoting -->\nTotally safe.\n"
    got = findings(capsys, "a.md", text)
    rules = [f["rule"] for f in got]
    assert rules == ["suppression-missing-reason", "unknown-suppression-target"]
    assert "'because', 'quoting'" in got[1]["message"] and "--" in got[1]["message"]


def test_invalid_directives_are_reported(capsys) -> None:
    text = "<!-- clinic-lint-disabel wf-safe -- typo -->\nTotally safe.\n<!-- clinic-lint-enable hype -->\n"
    expected = [(1, "invalid-suppression"), (2, "wf-safe"), (3, "invalid-suppression")]
    assert check(capsys, "a.md", text)[1] == expected


def test_ordinary_comments_are_ignored(capsys) -> None:
    text = "<!-- TODO: rewrite -->\n<!-- clinic lint was here -->\nFine.\n"
    assert check(capsys, "a.md", text) == (0, [])


def test_unused_suppression_severity_from_config(capsys) -> None:
    Path(".clinic-lint.yaml").write_text("unused-suppression: warning\n", encoding="utf-8")
    code, got = check(capsys, "a.md", "<!-- clinic-lint-disable-next-line hype -- quoted -->\nFine.\n")
    assert (code, got) == (1, [(1, "unused-suppression")])  # warning fails the run by default


def test_unused_suppression_off(capsys) -> None:
    Path(".clinic-lint.yaml").write_text("unused-suppression: 'off'\n", encoding="utf-8")
    text = (
        "<!-- clinic-lint-disable-next-line hype -->\nFine.\n"
        "<!-- clinic-lint-disable-next-line wf-safe -->\nTotally safe.\n"
    )
    assert check(capsys, "a.md", text) == (0, [])


def test_directives_for_unselected_rules_are_not_called_unused(capsys) -> None:
    text = "<!-- clinic-lint-disable-next-line hype -- quoted -->\nA miracle. Totally safe.\n"
    assert check(capsys, "a.md", text, "--select", "wf-safe")[1] == [(2, "wf-safe")]


def test_text_report_shows_tool_findings(capsys, in_tmp: Path) -> None:
    Path("a.txt").write_text("clinic-lint-disable-next-line wf-safe\nFine.\n", encoding="utf-8")
    code = main(["check", *PACK, "a.txt"])
    out = capsys.readouterr()[0]
    assert code == 0  # info does not fail the run
    assert "a.txt:1:1: info suppression-missing-reason " in out
    assert "a.txt:1:1: info unused-suppression " in out


# --------------------------------------------------------------------------- the module on its own


def _finding(start: int, rule: str = "wf-safe") -> Finding:
    f = Finding("a.md", 1, 1, 1, 2, rule, "safety-claim", "warning", "m", "s", "x", start=start)
    f.end, f.pack = start + 1, "workflow-test"
    return f


def _targets() -> dict:
    engine = build_engine(Config(default_packs=False, packs=[str(DATA / "workflow-pack.yaml")]))
    return dict(known=engine.known_targets, active=engine.active_targets, severity=engine.config.unused_suppression)


def test_the_engine_knows_every_rule_category_and_pack_and_which_are_active() -> None:
    engine = build_engine(
        Config(default_packs=False, packs=[str(DATA / "workflow-pack.yaml")], select=["wf-safe", "wf-miracle"])
    )
    assert {"wf-safe", "wf-schedule", "safety-claim", "regulatory-claim", "workflow-test"} <= engine.known_targets
    assert "missing-disclaimer" in engine.known_targets  # every taxonomy category, used or not
    assert engine.active_targets == {"wf-safe", "safety-claim", "wf-miracle", "hype", "workflow-test"}


def test_apply_without_directives_returns_findings_untouched() -> None:
    fs = [_finding(3)]
    assert apply(fs, [Comment(" a note ", 0, 12)], "<!-- a note -->\nx", "a.md", **_targets()) is fs


def test_apply_drops_covered_findings_and_reports_the_directives() -> None:
    text = "<!-- clinic-lint-disable-next-line wf-safe -->\nTotally safe.\nTotally safe.\n"
    comment = Comment(" clinic-lint-disable-next-line wf-safe ", 0, text.index("\n"))
    covered, kept = _finding(text.index("Totally")), _finding(text.rindex("Totally"))
    out = apply([covered, kept], [comment], text, "a.md", **_targets())
    assert out[0] is kept
    assert [(f.rule, f.category, f.severity, f.line) for f in out[1:]] == [
        ("suppression-missing-reason", TOOL_CATEGORY, "info", 1)
    ]
    quiet = apply([covered, kept], [comment], text, "a.md", **{**_targets(), "severity": "off"})
    assert quiet == [kept]


def test_next_prose_line_skips_blank_and_comment_lines() -> None:
    text = "<!-- d -->\n\n  <!-- other\n -->  \nProse here.\nMore."
    comments = [Comment(" d ", 0, 10), Comment(" other\n ", 14, 29)]
    start, end = next_prose_line(text, 10, comments)
    assert text[start:end] == "Prose here."
    assert next_prose_line("<!-- d -->", 10, comments[:1]) == (0, 0)
    assert next_prose_line("<!-- d -->\n\n", 10, comments[:1]) == (0, 0)


def test_suppressions_with_parallel_jobs(capsys) -> None:
    text = "<!-- clinic-lint-disable-next-line wf-safe -- quoted -->\nTotally safe.\n\nTotally safe.\n"
    for i in range(3):
        Path(f"p{i}.md").write_text(text, encoding="utf-8")
    main(["check", *PACK, "--format", "json", "--jobs", "2", "p0.md", "p1.md", "p2.md"])
    got = [(f["path"], f["line"]) for f in json.loads(capsys.readouterr()[0])["findings"]]
    assert got == [("p0.md", 4), ("p1.md", 4), ("p2.md", 4)]
