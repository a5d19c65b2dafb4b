"""--baseline / --update-baseline: accept today's findings, report new ones, survive edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lint.baseline import Baseline, fingerprint, normalise
from lint.cli import main
from lint.model import Finding

DATA = Path(__file__).parent / "data"
PACK = ["--no-default-packs", "--pack", str(DATA / "workflow-pack.yaml")]
POST = "Intro.\n\nKetamine is a Category III drug and completely safe.\n\nA miracle, really.\n"


@pytest.fixture(autouse=True)
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.txt").write_text(POST, encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, int, str]], str]:
    code = main(["check", *PACK, "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, [(f["path"], f["line"], f["rule"]) for f in json.loads(out)["findings"]], err


def update(capsys: pytest.CaptureFixture[str], baseline: str = "baseline.json", *paths: str) -> str:
    code, got, err = run(capsys, "--baseline", baseline, "--update-baseline", *(paths or ("posts",)))
    assert (code, got) == (0, [])
    return err


def test_update_then_check_is_clean(capsys) -> None:
    assert run(capsys, "posts")[0] == 1
    err = update(capsys)
    assert "wrote baseline.json: 3 findings in 1 files (+3, -0)" in err
    assert run(capsys, "--baseline", "baseline.json", "posts")[:2] == (0, [])


def test_file_is_stable_and_reviewable(capsys) -> None:
    update(capsys)
    first = Path("baseline.json").read_bytes()
    update(capsys)
    assert Path("baseline.json").read_bytes() == first  # no timestamps, stable order
    doc = json.loads(first)
    assert doc["clinic-lint-baseline"] == 1
    rows = doc["findings"]
    assert [r["rule"] for r in rows] == ["wf-miracle", "wf-safe", "wf-schedule"]
    assert rows[1] == {"count": 1, "fingerprint": rows[1]["fingerprint"], "match": "completely safe",
                       "path": "posts/a.txt", "rule": "wf-safe"}  # fmt: skip
    assert first.decode() == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert all(set(r) == {"count", "fingerprint", "match", "path", "rule"} for r in rows)  # no line numbers


def test_moving_and_rewrapping_paragraphs_keeps_the_baseline_valid(capsys) -> None:
    update(capsys)
    moved = (
        "A miracle,\nreally.\n\nNew intro paragraph.\n\nIntro.\n\n"
        "KETAMINE is a Category III   drug\nand completely safe.\n"
    )
    Path("posts/a.txt").write_text(moved, encoding="utf-8")
    assert run(capsys, "--baseline", "baseline.json", "posts")[:2] == (0, [])


def test_a_new_risky_sentence_is_reported(capsys) -> None:
    update(capsys)
    Path("posts/a.txt").write_text(POST + "\nOur new drip is totally safe.\n", encoding="utf-8")
    assert run(capsys, "--baseline", "baseline.json", "posts")[:2] == (1, [("posts/a.txt", 7, "wf-safe")])


def test_the_same_match_in_another_sentence_is_new(capsys) -> None:
    update(capsys)
    Path("posts/a.txt").write_text(POST.replace("A miracle, really.", "A miracle, truly."), encoding="utf-8")
    assert run(capsys, "--baseline", "baseline.json", "posts")[1] == [("posts/a.txt", 5, "wf-miracle")]


def test_repeats_are_counted(capsys) -> None:
    Path("posts/a.txt").write_text("It is totally safe.\n\nIt is totally safe.\n", encoding="utf-8")
    update(capsys)
    assert json.loads(Path("baseline.json").read_text())["findings"][0]["count"] == 2
    Path("posts/a.txt").write_text("It is totally safe.\n\n" * 3, encoding="utf-8")
    assert run(capsys, "--baseline", "baseline.json", "posts")[1] == [("posts/a.txt", 5, "wf-safe")]


def test_stale_entries_are_dropped_on_update(capsys) -> None:
    update(capsys)
    Path("posts/a.txt").write_text("Intro.\n\nA miracle, really.\n", encoding="utf-8")
    err = update(capsys)
    assert "1 finding in 1 files (+0, -2)" in err
    assert [r["rule"] for r in json.loads(Path("baseline.json").read_text())["findings"]] == ["wf-miracle"]


def test_update_of_some_files_keeps_the_others(capsys) -> None:
    Path("posts/b.txt").write_text("Totally safe.\n", encoding="utf-8")
    Path("posts/c.txt").write_text("A miracle.\n", encoding="utf-8")
    update(capsys)
    Path("posts/c.txt").unlink()
    update(capsys, "baseline.json", "posts/b.txt")  # as pre-commit does: only the changed files
    paths = {r["path"] for r in json.loads(Path("baseline.json").read_text())["findings"]}
    assert paths == {"posts/a.txt", "posts/b.txt"}  # a.txt kept (not checked), c.txt dropped (deleted)


def test_paths_are_relative_to_the_baseline_file(capsys, site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (site / "ci").mkdir()
    update(capsys, "ci/baseline.json")
    assert json.loads(Path("ci/baseline.json").read_text())["findings"][0]["path"] == "../posts/a.txt"
    monkeypatch.chdir(site / "posts")
    assert run(capsys, "--baseline", "../ci/baseline.json", "a.txt")[:2] == (0, [])
    assert run(capsys, "--baseline", str(site / "ci" / "baseline.json"), str(site / "posts"))[:2] == (0, [])


def test_baseline_from_config(capsys, site: Path) -> None:
    (site / "conf").mkdir()
    (site / "conf" / ".clinic-lint.yaml").write_text("baseline: accepted.json\n", encoding="utf-8")
    code, _, err = run(capsys, "--config", "conf/.clinic-lint.yaml", "--update-baseline", "posts")
    assert code == 0 and "accepted.json" in err
    assert (site / "conf" / "accepted.json").is_file()  # relative to the config file
    assert run(capsys, "--config", "conf/.clinic-lint.yaml", "posts")[:2] == (0, [])


def test_missing_baseline_is_an_error(capsys) -> None:
    code = main(["check", *PACK, "--baseline", "nope.json", "posts"])
    assert code == 2
    assert "nope.json: baseline not found" in capsys.readouterr()[1]


@pytest.mark.parametrize(
    "content",
    ["{not json", "[]", '{"clinic-lint-baseline": 99}', '{"clinic-lint-baseline": 1, "findings": [{}]}'],
)
def test_invalid_baseline_is_an_error(capsys, content: str) -> None:
    Path("bad.json").write_text(content, encoding="utf-8")
    assert main(["check", *PACK, "--baseline", "bad.json", "posts"]) == 2
    assert "bad.json" in capsys.readouterr()[1]


def test_update_needs_a_baseline_file(capsys) -> None:
    assert main(["check", *PACK, "--update-baseline", "posts"]) == 2
    assert "--update-baseline needs --baseline" in capsys.readouterr()[1]


def test_baseline_with_fix_fixes_only_new_findings(capsys) -> None:
    update(capsys)
    Path("posts/a.txt").write_text(POST + "\nOur Category II substance list.\n", encoding="utf-8")
    assert main(["check", *PACK, "--baseline", "baseline.json", "--fix", "posts"]) == 0
    text = Path("posts/a.txt").read_text(encoding="utf-8")
    assert "a Category III drug" in text  # accepted in the baseline: left alone
    assert "Our Schedule II substance list." in text


def test_fingerprint_ignores_case_space_and_position() -> None:
    a = Finding("x", 1, 1, 1, 5, "r", "hype", "info", "", "", "Miracle", sentence="A  Miracle\ncure.")
    b = Finding("x", 9, 4, 9, 9, "r", "hype", "info", "", "", "miracle", sentence="a miracle cure.")
    c = Finding("x", 1, 1, 1, 5, "other", "hype", "info", "", "", "Miracle", sentence="A Miracle cure.")
    assert fingerprint(a) == fingerprint(b) != fingerprint(c)
    assert normalise("  A\tB\n c ") == "a b c"


def test_subtract_counts_per_key() -> None:
    f = Finding("x.txt", 1, 1, 1, 5, "r", "hype", "info", "", "", "m", sentence="s")
    base = Baseline("baseline.json")
    base.record([f])
    assert base.subtract([f, f]) == [f]
    assert base.subtract([f]) == []  # stateless: the same file can be checked again (after a fix)
