"""The repository's own pre-commit hook (``clinic-lint`` in .pre-commit-config.yaml) lints the sample posts
against the committed .clinic-lint-baseline.json. This test runs that hook's command, on the files pre-commit
would pass it, and fails as soon as the baseline no longer matches what the packs find — before a fresh
clone's hook does. Refresh the baseline with the command written in .pre-commit-config.yaml."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

from identify.identify import tags_from_path
from ruamel.yaml import YAML

from lint.cli import main
from lint.config import CONFIG_NAMES

ROOT = Path(__file__).resolve().parent.parent


def the_hook() -> dict:
    config = YAML(typ="safe").load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [hook] = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "clinic-lint"]
    return hook


def repository_files() -> list[str]:
    """The files the next commit holds (untracked ones too), as a fresh clone of it would have them."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        return sorted(p for p in out.split("\0") if p and (ROOT / p).is_file())
    return sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "seeds").rglob("*") if p.is_file()
    )  # a source tree without git: the hook only looks at seeds/ anyway


def hook_files(hook: dict) -> list[str]:
    """The files pre-commit passes the hook: ``files``/``exclude`` patterns and ``types_or`` tags."""
    files = re.compile(hook.get("files", ""))
    exclude = re.compile(hook["exclude"]) if hook.get("exclude") else None
    types = set(hook.get("types_or", []))
    return [
        p
        for p in repository_files()
        if files.search(p) and not (exclude and exclude.search(p)) and (not types or types & tags_from_path(ROOT / p))
    ]


def test_the_hook_command_runs_this_linter_with_the_committed_baseline() -> None:
    args = shlex.split(the_hook()["entry"])
    assert args[:4] == ["python", "-m", "lint", "check"]
    assert args[args.index("--baseline") + 1] == ".clinic-lint-baseline.json"
    assert (ROOT / ".clinic-lint-baseline.json").is_file()
    assert len(hook_files(the_hook())) >= 10  # the sample posts


def test_the_committed_baseline_matches_what_the_packs_find(capsys, tmp_path: Path, monkeypatch) -> None:
    hook = the_hook()
    argv = shlex.split(hook["entry"])[3:]  # after `python -m lint`
    baseline = argv[argv.index("--baseline") + 1]
    files = hook_files(hook)
    # a copy of what the hook sees, so that updating the baseline below never writes into the repository
    for rel in [*files, baseline, *(n for n in (*CONFIG_NAMES, "pyproject.toml") if (ROOT / n).is_file())]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, tmp_path / rel)
    monkeypatch.chdir(tmp_path)
    refresh = "python -m lint check --baseline .clinic-lint-baseline.json --update-baseline seeds"

    code = main([*argv, *files])  # what the hook does on a fresh clone
    out, _ = capsys.readouterr()
    assert code == 0, f"findings the committed baseline does not hold (refresh it: {refresh}):\n{out}"

    code = main([*argv, "--update-baseline", *files])
    _, err = capsys.readouterr()
    assert code == 0, err
    committed = (ROOT / baseline).read_text(encoding="utf-8")
    assert (tmp_path / baseline).read_text(encoding="utf-8") == committed, (
        f"the baseline records findings the packs no longer find (refresh it: {refresh}); {err.strip()}"
    )
