"""Golden test: `clinic-lint check seeds/` reports exactly the reviewed findings in seeds/expected/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
POSTS = sorted(p for p in SEEDS.iterdir() if p.is_file() and p.suffix in (".md", ".html", ".txt"))


def _expected(post: Path) -> list[tuple[int, int, str]]:
    data = YAML(typ="safe", pure=True).load((SEEDS / "expected" / f"{post.name}.yaml").read_text(encoding="utf-8"))
    return [(e["line"], e["column"], e["rule"]) for e in data or []]


def test_there_are_enough_seed_posts_in_every_format():
    assert len(POSTS) >= 12
    assert {p.suffix for p in POSTS} == {".md", ".html", ".txt"}
    assert all((SEEDS / "expected" / f"{p.name}.yaml").is_file() for p in POSTS)


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.name)
def test_seed_findings_match_golden(post, capsys):
    code = main(["check", str(post), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    got = [(f["line"], f["column"], f["rule"]) for f in findings]
    expected = _expected(post)
    assert got == expected, "findings changed; review, then run `python scripts/update_golden.py`"
    assert code == (1 if expected else 0)


def test_whole_seed_directory_exits_1_and_skips_the_expectation_files(capsys):
    assert main(["check", str(SEEDS), "--format", "json"]) == 1
    paths = {Path(f["path"]).name for f in json.loads(capsys.readouterr().out)["findings"]}
    assert paths and all(not p.endswith(".yaml") for p in paths)
