"""The README's install, CI and editor snippets agree with what they configure: the Action's inputs
(action.yml), the pre-commit hook (.pre-commit-hooks.yaml), the command line (every `clinic-lint ...`
command in a snippet parses), and they install without a release (a commit, not a tag that does not exist)."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from lint.cli import build_parser
from lint.report import FORMATS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ACTION = YAML(typ="safe", pure=True).load((ROOT / "action.yml").read_text(encoding="utf-8"))
HOOKS = YAML(typ="safe", pure=True).load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
COMMIT = re.compile(r"[0-9a-f]{40}")


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(README) if lang == language]


def tags() -> set[str]:
    try:
        out = subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return set()
    return set(out.split())


def pinned(ref: str) -> bool:
    """A ref a user can install today: a commit (the `<commit>` placeholder or a full SHA), or a tag that
    exists — not a release tag nobody has made yet."""
    return ref == "<commit>" or bool(COMMIT.fullmatch(ref)) or ref in tags()


def steps_using_the_action() -> list[dict]:
    found = []
    for body in blocks("yaml"):
        if "your-org/clinic-lint@" not in body or "uses:" not in body:
            continue
        doc = YAML(typ="safe", pure=True).load(body)
        jobs = doc.get("jobs", {}) if isinstance(doc, dict) else {}
        for job in jobs.values():
            found += [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith("your-org/clinic-lint@")]
    return found


def test_the_workflow_snippet_uses_only_inputs_the_action_has() -> None:
    steps = steps_using_the_action()
    assert steps, "the README shows the Action in a workflow"
    inputs = set(ACTION["inputs"])
    for step in steps:
        assert set(step.get("with", {})) <= inputs, set(step.get("with", {})) - inputs
        assert pinned(step["uses"].split("@", 1)[1]), step["uses"]


def test_the_inputs_table_lists_every_input_with_its_default() -> None:
    section = README[README.index("#### GitHub Action") : README.index("#### GitLab CI")]
    rows = re.findall(r"^\| `([\w-]+)` \| ([^|]*) \|", section, re.M)
    assert {name for name, _ in rows} == set(ACTION["inputs"])
    for name, default in rows:
        action_default = str(ACTION["inputs"][name].get("default", ""))
        if action_default:
            assert f"`{action_default}`" == default.strip(), (name, default)
        else:
            assert default.strip().startswith("("), (name, default)  # "(none)" or how it is decided


def test_the_action_outputs_are_documented() -> None:
    section = README[README.index("#### GitHub Action") : README.index("#### GitLab CI")]
    for name in ACTION["outputs"]:
        assert f"`{name}`" in section


def test_the_pre_commit_snippet_names_the_hook_at_a_commit() -> None:
    snippets = [YAML(typ="safe", pure=True).load(b) for b in blocks("yaml") if b.lstrip().startswith("repos:")]
    assert snippets
    hook_ids = {h["id"] for h in HOOKS}
    for config in snippets:
        for repo in config["repos"]:
            assert pinned(str(repo["rev"])), repo["rev"]
            assert {h["id"] for h in repo["hooks"]} <= hook_ids


def test_installs_work_without_a_release() -> None:
    installs = [m.split("&&")[0].split(" #")[0].strip() for m in re.findall(r"pip install ([^\n`]+)", README)]
    assert any("git+" in arg for arg in installs)
    for arg in installs:
        words = shlex.split(arg)
        if "git+" in arg:  # from the repository, at a commit (or an existing tag)
            ref = re.search(r"@([\w.<>-]+)$", words[-1])
            assert ref and pinned(ref.group(1)), arg
        else:  # from a checkout (".", ".[test]"), never by a name no registry has yet
            assert words[-1].startswith("."), arg


def commands() -> list[list[str]]:
    """Every `clinic-lint ...` command in the README's shell, YAML and editor snippets, as argv."""
    found = []
    install = README[README.index("### Install in your own project") : README.index("## Commands")]
    workflow = README[README.index("## Using clinic-lint in your workflow") : README.index("### Output formats")]
    for lang, body in FENCE.findall(install + workflow):
        if lang not in ("sh", "yaml", "json", "lua", "toml", "console"):
            continue
        for line in body.splitlines():
            line = line.strip().removeprefix("- ").removeprefix("run: ").removeprefix("$ ")
            if not line.startswith("clinic-lint ") or "clinic-lint check post.md" in line:
                continue
            words = shlex.split(line.split("#", 1)[0])
            argv = []
            for word in words[1:]:
                if word in ("||", "|", ">", ">>", "&&", ";"):
                    break
                argv.append(word)
            found.append(argv)
    return found


@pytest.mark.parametrize("argv", commands(), ids=lambda a: " ".join(a)[:60])
def test_every_documented_command_parses(argv: list[str]) -> None:
    build_parser().parse_args(argv)  # exits (fails the test) on an unknown option or value


def test_the_gitlab_snippet_writes_the_code_quality_report() -> None:
    snippet = next(b for b in blocks("yaml") if "codequality:" in b)
    job = next(iter(YAML(typ="safe", pure=True).load(snippet).values()))
    script = " ".join(job["script"])
    assert "--format gitlab" in script and "gitlab" in FORMATS
    report = job["artifacts"]["reports"]["codequality"]
    assert f"--output {report}" in script


def test_the_editor_snippets_start_the_server() -> None:
    section = README[README.index("### Editors") : README.index("### pre-commit")]
    snippets = {lang: body for lang, body in FENCE.findall(section)}
    assert set(snippets) == {"json", "lua", "toml"}  # VS Code, Neovim, Helix
    for body in snippets.values():
        assert '"clinic-lint"' in body and '"server"' in body
    build_parser().parse_args(["server"])


def test_the_release_checklist_is_there_and_names_what_exists() -> None:
    checklist = (ROOT / "docs" / "release-checklist.md").read_text(encoding="utf-8")
    assert "docs/release-checklist.md" in README  # the install section points at it
    for step in ("**Bump the version**", "CHANGELOG.md", "git tag -a vX.Y.Z", "python -m build"):
        assert step in checklist, step
    # the version is bumped in one place, which the package's metadata reads
    assert 'version = { attr = "lint.__version__" }' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "`lint/__init__.py` (`__version__`" in checklist
    assert re.search(r'^__version__ = "[\d.]+"$', (ROOT / "lint" / "__init__.py").read_text(), re.M)
    # the scripts, files and commands its checks run
    scripts = re.findall(r"`python ([\w/]+\.py)", checklist)
    assert scripts and all((ROOT / s).is_file() for s in scripts), scripts
    assert (ROOT / ".ci" / "run").is_file() and (ROOT / ".clinic-lint-baseline.json").is_file()
    commands = re.findall(r"`(?:python -m lint|clinic-lint) ([^`]+)`", checklist)
    assert "test-rules" in commands
    for command in commands:
        try:
            build_parser().parse_args(shlex.split(command))
        except SystemExit as exc:  # --version prints and exits 0; a usage error exits 2
            assert exc.code == 0, command


def test_the_install_section_works_as_written(tmp_path: Path) -> None:
    """The README's `pip install "git+…@<commit>"` lines, run as written in a fresh virtual environment:
    only `<commit>` is filled in; git itself is told (`insteadOf`) that the repository's URL is a local
    clone of this working tree."""
    import os
    import sys
    import venv

    from test_precommit import git, project_files

    section = README[README.index("### Install in your own project") : README.index("## Commands")]
    lines = [line.split("  #")[0].strip() for line in blocks("sh") for line in line.splitlines()]
    lines = [line for line in lines if line.startswith("pip install") and line in section]
    assert len(lines) == 2 and any("[lsp]" in line for line in lines), lines
    repo = tmp_path / "clinic-lint"
    for rel in project_files():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes((ROOT / rel).read_bytes())
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "snapshot", cwd=repo)
    commit = git("rev-parse", "HEAD", cwd=repo).strip()
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "VIRTUAL_ENV", "PIP_"))}
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    env.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0=f"url.{repo.as_uri()}.insteadOf",
               GIT_CONFIG_VALUE_0="https://github.com/your-org/clinic-lint")  # fmt: skip
    for line in lines:
        command = line.replace("<commit>", commit)
        proc = subprocess.run(["bash", "-c", command + " --quiet --disable-pip-version-check"], env=env,
                              capture_output=True, text=True, timeout=900)  # fmt: skip
        assert proc.returncode == 0, command + "\n" + proc.stdout + proc.stderr
    post = tmp_path / "post.md"
    post.write_text("Ketamine is a Category III drug.\n", encoding="utf-8")
    proc = subprocess.run([str(bindir / "clinic-lint"), "check", str(post)], capture_output=True, text=True, env=env)
    assert proc.returncode == 1 and "schedule-category-misnomer" in proc.stdout, proc.stdout + proc.stderr
    probe = "import lsprotocol, pygls; from lint import server"  # the lsp extra came with the second line
    assert subprocess.run([str(bindir / "python"), "-c", probe], env=env).returncode == 0


def test_the_30_second_example_prints_what_the_readme_shows(tmp_path, monkeypatch, capsys) -> None:
    """The README's first example is the real output: a rule change that alters it must update the README."""
    from lint.cli import main

    post = blocks("markdown")[0]
    shown = next(b for b in blocks("console") if b.startswith("$ clinic-lint check post.md\n"))
    (tmp_path / "post.md").write_text(post, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "post.md"])
    out = capsys.readouterr().out
    assert code == 1
    assert out == shown.split("\n", 1)[1]
