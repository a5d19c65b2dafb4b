"""Which settings each file is checked with: the nearest config file at or above the file (as ruff finds it),
whatever the current directory; ``--config`` for every file; nested configs; paths and globs relative to the
config file; ``extensions`` adding to the default file types. Tests call ``lint.cli.main`` and compare the
findings of the same command run from different directories."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from lint.cli import main
from lint.extract import DEFAULT_EXTENSIONS

STARTER = Path(__file__).parent / "fixtures" / "packs" / "starter.yaml"
RISKY = "Ketamine is a Category III drug.\n\nIt is completely safe.\n"  # 1:15 regulatory (error), 3:7 safety (warning)
WARNING_ONLY = "It is completely safe.\n"
SMALL = f"default-packs: false\npacks: [{STARTER}]\n"


def write(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lint(capsys, *argv: str) -> tuple[int, set[tuple[str, int, int, str, str]], str]:
    """(exit code, {(absolute path, line, column, rule, severity)}, stderr) of `clinic-lint check --format json`."""
    code = main(["check", "--format", "json", *argv])
    out, err = capsys.readouterr()
    err = "".join(line for line in err.splitlines(True) if "compiling rule packs" not in line)  # a cold cache
    findings = json.loads(out)["findings"] if out else []
    return code, {(os.path.abspath(f["path"]), f["line"], f["column"], f["rule"], f["severity"]) for f in findings}, err


@pytest.fixture
def hugo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Hugo-style site: the config at its root names a pack beside it, excludes drafts, raises a severity,
    ignores a category in the archive and adds .mdx to the file types."""
    site = tmp_path / "site"
    write(site / "lint" / "starter.yaml", STARTER.read_text(encoding="utf-8"))
    write(
        site / ".clinic-lint.yaml",
        "default-packs: false\n"
        "packs: [lint/starter.yaml]\n"
        'exclude: ["content/drafts/*"]\n'
        "severity: {starter-safe: error}\n"
        'per-path-ignores: {"content/archive/*": [regulatory-claim]}\n'
        'extensions: {".mdx": markdown}\n',
    )
    for rel in ("content/posts/ketamine.md", "content/posts/news.mdx", "content/posts/hours.txt",
                "content/drafts/wip.md", "content/archive/2019.md", "layouts/index.html"):  # fmt: skip
        write(site / rel, RISKY)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    return site


def hugo_expected(site: Path) -> set[tuple[str, int, int, str, str]]:
    out = set()
    for rel in ("content/posts/ketamine.md", "content/posts/news.mdx", "content/posts/hours.txt"):
        out.add((str(site / rel), 1, 15, "starter-category-schedule", "error"))
        out.add((str(site / rel), 3, 7, "starter-safe", "error"))
    out.add((str(site / "content/archive/2019.md"), 3, 7, "starter-safe", "error"))
    return out


def test_same_findings_from_the_site_root_and_from_anywhere_else(capsys, hugo: Path, monkeypatch) -> None:
    code, from_elsewhere, err = lint(capsys, "../site/content")
    assert (code, err) == (1, "")
    assert from_elsewhere == hugo_expected(hugo)  # drafts excluded, severity raised, archive ignore applied

    code, absolute, _ = lint(capsys, str(hugo / "content"))
    assert (code, absolute) == (1, from_elsewhere)

    monkeypatch.chdir(hugo)
    code, from_root, _ = lint(capsys, "content")
    assert (code, from_root) == (1, from_elsewhere)

    monkeypatch.chdir(hugo / "content" / "posts")
    code, from_inside, _ = lint(capsys, "..")
    assert (code, from_inside) == (1, from_elsewhere)

    monkeypatch.chdir("/")
    code, from_filesystem_root, _ = lint(capsys, str(hugo / "content"))
    assert (code, from_filesystem_root) == (1, from_elsewhere)


def test_a_file_named_on_its_own_has_its_directory_settings(capsys, hugo: Path) -> None:
    code, found, _ = lint(capsys, "../site/content/archive/2019.md", "../site/content/drafts/wip.md")
    assert code == 1
    assert found == {(str(hugo / "content/archive/2019.md"), 3, 7, "starter-safe", "error")}


def test_extensions_add_to_the_default_types(capsys, hugo: Path) -> None:
    code, found, _ = lint(capsys, str(hugo))
    assert code == 1
    linted = {Path(f[0]).relative_to(hugo).as_posix() for f in found}
    assert linted == {"content/posts/ketamine.md", "content/posts/news.mdx", "content/posts/hours.txt",
                      "content/archive/2019.md", "layouts/index.html"}  # fmt: skip


@pytest.mark.parametrize("off", ["off", "null", "false", "~"])
def test_an_extension_mapped_to_off_is_no_longer_linted(capsys, tmp_path: Path, monkeypatch, off: str) -> None:
    monkeypatch.chdir(tmp_path)
    write(".clinic-lint.yaml", SMALL + f'extensions: {{".txt": {off}, ".mdx": markdown}}\n')
    for name in ("a.md", "b.txt", "c.mdx", "d.html"):
        write(Path("site") / name, RISKY)
    code, found, _ = lint(capsys, "site")
    assert code == 1
    assert {Path(f[0]).name for f in found} == {"a.md", "c.mdx", "d.html"}
    code, found, _ = lint(capsys, "site/b.txt")  # a file named on the command line is still linted
    assert code == 1 and {Path(f[0]).name for f in found} == {"b.txt"}


def test_extensions_in_pyproject_add_and_remove_too(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        "pyproject.toml",
        f'[tool.clinic-lint]\ndefault-packs = false\npacks = ["{STARTER.as_posix()}"]\n\n'
        '[tool.clinic-lint.extensions]\n".mdx" = "markdown"\n".htm" = "off"\n',
    )
    for name in ("a.md", "b.htm", "c.mdx", "d.html"):
        write(Path("site") / name, RISKY)
    code, found, _ = lint(capsys, "site")
    assert code == 1
    assert {Path(f[0]).name for f in found} == {"a.md", "c.mdx", "d.html"}


def test_the_defaults_are_every_default_extension(tmp_path: Path) -> None:
    from lint.config import load_config

    write(tmp_path / ".clinic-lint.yaml", 'extensions: [".mdx"]\n')
    config = load_config(tmp_path / ".clinic-lint.yaml")
    assert config.extensions == {**DEFAULT_EXTENSIONS, ".mdx": DEFAULT_EXTENSIONS.get(".mdx", "text")}


# --------------------------------------------------------------------------- nested configs


@pytest.fixture
def nested(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site whose root config ignores starter-safe, with an archive folder that has its own config (which
    does not): the nearest config is the whole of a file's settings, never merged with the one above."""
    site = tmp_path / "site"
    write(site / "starter.yaml", STARTER.read_text(encoding="utf-8"))
    write(site / ".clinic-lint.yaml", "default-packs: false\npacks: [starter.yaml]\nignore: [starter-safe]\n")
    write(site / "archive" / ".clinic-lint.yaml", "default-packs: false\npacks: [../starter.yaml]\nfail-on: error\n"
          'exclude: ["old/*"]\n')  # fmt: skip
    write(site / "post.txt", RISKY)
    write(site / "archive" / "post.txt", RISKY)
    write(site / "archive" / "quiet.txt", WARNING_ONLY)
    write(site / "archive" / "old" / "post.txt", RISKY)  # excluded by the archive's own config
    monkeypatch.chdir(tmp_path)
    return site


def test_the_nearest_config_wins_for_its_subtree(capsys, nested: Path) -> None:
    code, found, err = lint(capsys, "site")
    assert (code, err) == (1, "")
    assert found == {
        (str(nested / "post.txt"), 1, 15, "starter-category-schedule", "error"),
        (str(nested / "archive/post.txt"), 1, 15, "starter-category-schedule", "error"),
        (str(nested / "archive/post.txt"), 3, 7, "starter-safe", "warning"),
        (str(nested / "archive/quiet.txt"), 1, 7, "starter-safe", "warning"),
    }


def test_fail_on_is_the_setting_of_each_file(capsys, nested: Path) -> None:
    code, found, _ = lint(capsys, "site/archive/quiet.txt")  # a warning where fail-on is error
    assert (code, len(found)) == (0, 1)
    (nested / "post.txt").write_text(WARNING_ONLY.replace("completely safe", "a Category III drug"))
    code, _, _ = lint(capsys, "site/archive/quiet.txt", "site/post.txt")  # an error where fail-on is warning
    assert code == 1


def test_an_explicit_config_wins_over_every_nested_one(capsys, nested: Path) -> None:
    code, found, _ = lint(capsys, "--config", "site/.clinic-lint.yaml", "site")
    assert code == 1
    assert {(Path(f[0]).relative_to(nested).as_posix(), f[3]) for f in found} == {
        ("post.txt", "starter-category-schedule"),
        ("archive/post.txt", "starter-category-schedule"),
        ("archive/old/post.txt", "starter-category-schedule"),  # the archive's exclude no longer applies
    }


def test_standard_input_has_the_settings_of_the_directory_its_name_is_in(capsys, nested: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(RISKY.encode()), encoding="utf-8"))
    code, found, _ = lint(capsys, "--stdin-filename", "site/archive/new.txt", "-")
    assert code == 1
    assert {f[3] for f in found} == {"starter-category-schedule", "starter-safe"}  # the archive's config
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(RISKY.encode()), encoding="utf-8"))
    code, found, _ = lint(capsys, "--stdin-filename", "site/new.txt", "-")
    assert {f[3] for f in found} == {"starter-category-schedule"}  # the root's: starter-safe ignored


def test_the_command_line_is_laid_over_every_config(capsys, nested: Path) -> None:
    code, found, _ = lint(capsys, "--select", "starter-safe", "--fail-on", "warning", "site")
    assert code == 1  # warnings only, in the archive whose config says fail-on: error; --fail-on wins
    assert {(Path(f[0]).relative_to(nested).as_posix(), f[3]) for f in found} == {
        ("archive/post.txt", "starter-safe"),
        ("archive/quiet.txt", "starter-safe"),
    }  # the root config's own ignore still holds for post.txt


def test_a_bad_nested_config_stops_the_run_before_any_output(capsys, nested: Path) -> None:
    write(
        nested / "archive" / ".clinic-lint.yaml",
        "default-packs: false\npacks: [../starter.yaml]\nignore: [starter-saf]\n",
    )
    code, _, err = lint(capsys, "site")
    out = ""
    assert (code, out) == (2, "")
    assert err == (
        f"clinic-lint: error: {Path('site/archive/.clinic-lint.yaml')}:3:10: ignore: unknown rule 'starter-saf' "
        "(did you mean 'starter-safe'?)\n"
    )
