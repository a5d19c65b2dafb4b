"""The GitHub Action (action.yml), run here as a runner would run it: each step's ``if`` and ``${{ }}``
expressions evaluated, each ``run`` script executed by ``bash -eo pipefail`` with the runner's files
(``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``) and variables, in a content repository of our own. The install
step really builds a virtual environment and pip-installs clinic-lint from this checkout (the action's path),
once for the module; ``uses:`` steps (the SARIF upload) are not run, but their inputs are checked."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
ACTION = YAML(typ="safe", pure=True).load((ROOT / "action.yml").read_text(encoding="utf-8"))

RISKY = "# Ketamine\n\nKetamine is a Category III drug.\n"
MILD = "# Spring openings\n\nOnly 3 spots left this month — book now!\n"
CLEAN = "# Visiting us\n\nWe are open Monday to Friday, 9am to 5pm.\n"


# --------------------------------------------------------------------------- GitHub's expressions, the part used


_TOKEN = re.compile(r"\s*(\|\||&&|==|!=|\(|\)|'(?:[^']|'')*'|[A-Za-z_][\w.-]*(?:\(\))?)")


def evaluate(expr: str, context: dict) -> object:
    """A GitHub Actions expression over ``context``: property paths, 'strings', ==, !=, &&, || (which
    returns the first truthy operand, as GitHub's does), parentheses and always()/success()/failure()."""
    tokens = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        assert m, f"expression not understood by the test: {expr!r}"
        tokens.append(m.group(1))
        pos = m.end()
    tokens.append(None)
    at = 0

    def peek():
        return tokens[at]

    def take():
        nonlocal at
        at += 1
        return tokens[at - 1]

    def primary():
        tok = take()
        if tok == "(":
            value = either()
            assert take() == ")"
            return value
        if tok.startswith("'"):
            return tok[1:-1].replace("''", "'")
        if tok.endswith("()"):
            return {"always()": True, "success()": context["_ok"], "failure()": not context["_ok"]}[tok]
        value = context
        for part in tok.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return "" if value is None else value

    def comparison():
        left = primary()
        while peek() in ("==", "!="):
            op, right = take(), primary()
            left = (str(left).lower() == str(right).lower()) == (op == "==")
        return left

    def both():
        left = comparison()
        while peek() == "&&":
            take()
            right = comparison()
            left = right if left else left
        return left

    def either():
        left = both()
        while peek() == "||":
            take()
            right = both()
            left = left or right
        return left

    value = either()
    assert peek() is None, expr
    return value


def substitute(text: str, context: dict) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(evaluate(m.group(1), context)), str(text))


def parse_outputs(path: Path) -> dict[str, str]:
    outputs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        assert sep and "<<" not in name, f"unexpected GITHUB_OUTPUT line: {line!r}"
        outputs[name] = value
    return outputs


class Runner:
    """Runs the action's steps for one job."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str], event: dict | None = None) -> None:
        defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
        unknown = set(inputs) - set(defaults)
        assert not unknown, f"not inputs of the action: {unknown}"
        self.workspace, self.temp = workspace, temp
        self.summary = temp / "step-summary.md"
        self.summary.touch()
        self.context = {
            "inputs": {**defaults, **inputs},
            "github": {"action_path": str(ROOT), "event": event or {}, "workspace": str(workspace)},
            "steps": {},
            "_ok": True,
        }
        self.logs: dict[str, subprocess.CompletedProcess] = {}
        self.used: list[dict] = []  # `uses:` steps that would run, with their evaluated inputs

    def env(self, step: dict, output: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "INPUT_"))}
        env.update(
            RUNNER_TEMP=str(self.temp), GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(self.summary),
            GITHUB_ACTION_PATH=str(ROOT), GITHUB_WORKSPACE=str(self.workspace), CI="true",
        )  # fmt: skip
        env.update({k: substitute(v, self.context) for k, v in (step.get("env") or {}).items()})
        return env

    def run(self, skip: tuple[str, ...] = ()) -> None:
        for index, step in enumerate(ACTION["runs"]["steps"]):
            ident = step.get("id", f"step{index}")
            if ident in skip:
                continue
            condition = step.get("if", "success()")
            if not evaluate(str(condition).replace("${{", "").replace("}}", ""), self.context):
                continue
            if "uses" in step:
                with_ = {k: substitute(v, self.context) for k, v in (step.get("with") or {}).items()}
                self.used.append({"uses": step["uses"], "with": with_})
                continue
            assert step["shell"] == "bash"
            output = self.temp / f"output-{ident}"
            output.write_text("", encoding="utf-8")
            script = self.temp / f"step-{ident}.sh"
            script.write_text(step["run"], encoding="utf-8")
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=self.workspace, env=self.env(step, output), capture_output=True, text=True, timeout=900,
            )  # fmt: skip
            self.logs[ident] = proc
            self.context["steps"][ident] = {"outputs": parse_outputs(output)}
            if proc.returncode != 0:
                self.context["_ok"] = False

    @property
    def passed(self) -> bool:
        return self.context["_ok"]


# --------------------------------------------------------------------------- fixtures


def git(*args: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid")  # fmt: skip
    cmd = ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The install step, run once: its outputs (the clinic-lint it installed)."""
    if shutil.which("git") is None or shutil.which("bash") is None:
        pytest.fail("the action test needs git and bash")
    workspace, temp = tmp_path_factory.mktemp("ws"), tmp_path_factory.mktemp("runner-temp")
    runner = Runner(workspace, temp, {})
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "install")
    output = temp / "output-install"
    output.touch()
    script = temp / "install.sh"
    script.write_text(step["run"], encoding="utf-8")
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace, env=runner.env(step, output), capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    outputs = parse_outputs(output)
    assert Path(outputs["exe"]).exists() and "clinic-lint" in proc.stdout
    return outputs


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, str]:
    """A content repository: main has a mild and a clean post; a pull request adds a risky one. Returns the
    checkout (at the pull request) and the base commit."""
    repo = tmp_path / "site"
    (repo / "content").mkdir(parents=True)
    (repo / "content" / "mild.md").write_text(MILD, encoding="utf-8")
    (repo / "content" / "clean.md").write_text(CLEAN, encoding="utf-8")
    (repo / "notes.py").write_text("RISK = 'a Category III drug'\n", encoding="utf-8")
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "base", cwd=repo)
    base = git("rev-parse", "HEAD", cwd=repo).strip()
    git("checkout", "-q", "-b", "pr", cwd=repo)
    (repo / "content" / "risky.md").write_text(RISKY, encoding="utf-8")
    (repo / "notes.py").write_text("RISK = 'completely safe, a Category III drug'\n", encoding="utf-8")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "new post", cwd=repo)
    return repo, base


def job(site_repo: Path, tmp_path: Path, installed: dict, inputs: dict, event: dict | None = None) -> Runner:
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    runner = Runner(site_repo, temp, inputs, event)
    runner.context["steps"]["install"] = {"outputs": installed}
    runner.run(skip=("install",))
    return runner


def annotations(runner: Runner) -> list[str]:
    return [line for line in runner.logs["lint"].stdout.splitlines() if line.startswith("::")]


# --------------------------------------------------------------------------- the scenarios


def test_findings_fail_the_job_with_annotations_and_a_summary(site, tmp_path, installed) -> None:
    repo, _ = site
    runner = job(repo, tmp_path, installed, {"paths": "content"})
    assert runner.logs["lint"].returncode == 0, runner.logs["lint"].stderr  # the lint step itself never fails
    notes = annotations(runner)
    assert any(n.startswith("::error file=content/risky.md,line=3,col=15,") for n in notes), notes
    assert any(n.startswith("::warning file=content/mild.md,") for n in notes), notes
    assert not any("notes.py" in n for n in notes)
    summary = runner.summary.read_text(encoding="utf-8")
    assert "risky.md" in summary and "schedule-category-misnomer" in summary
    assert runner.context["steps"]["lint"]["outputs"]["exit-code"] == "1"
    assert not runner.passed and runner.logs["step4"].returncode == 1  # the result step fails the job
    assert runner.used == []  # no SARIF upload unless asked


def test_fail_on_error_passes_warnings(site, tmp_path, installed) -> None:
    repo, _ = site
    runner = job(repo, tmp_path, installed, {"paths": "content/mild.md content/clean.md", "fail-on": "error"})
    assert runner.passed, runner.logs["step4"].stdout
    assert len(annotations(runner)) == 2  # the two warnings are still annotated


def test_only_changed_lints_the_files_of_the_pull_request(site, tmp_path, installed) -> None:
    repo, base = site
    event = {"pull_request": {"base": {"sha": base}}}
    runner = job(repo, tmp_path, installed, {"paths": "content", "only-changed": "true"}, event)
    assert runner.context["steps"]["changed"]["outputs"] == {"since": base}
    files = {re.search(r"file=([^,]+)", n).group(1) for n in annotations(runner)}
    assert files == {"content/risky.md"}  # mild.md did not change; notes.py changed but is no content
    # a push event uses the commit before the push; without either every file is linted
    runner = job(repo, tmp_path, installed, {"paths": "content", "only-changed": "true"}, {"before": "0" * 40})
    files = {re.search(r"file=([^,]+)", n).group(1) for n in annotations(runner)}
    assert files == {"content/risky.md", "content/mild.md"}


def test_sarif_upload_and_config_input(site, tmp_path, installed) -> None:
    repo, _ = site
    (repo / "ci.yaml").write_text("ignore: [schedule-category-misnomer]\n", encoding="utf-8")
    runner = job(repo, tmp_path, installed, {"paths": "content", "config": "ci.yaml", "upload-sarif": "true"})
    sarif = runner.context["steps"]["lint"]["outputs"]["sarif-file"]
    log = json.loads(Path(sarif).read_text(encoding="utf-8"))
    rules = {r["ruleId"] for r in log["runs"][0]["results"]}
    assert "schedule-category-misnomer" not in rules and "scarcity-claim" in rules
    assert runner.used == [
        {"uses": "github/codeql-action/upload-sarif@v3", "with": {"sarif_file": sarif, "category": "clinic-lint"}}
    ]


def test_a_bad_input_fails_with_the_usage_exit_code(site, tmp_path, installed) -> None:
    repo, _ = site
    runner = job(repo, tmp_path, installed, {"paths": "content", "fail-on": "sometimes"})
    assert runner.context["steps"]["lint"]["outputs"]["exit-code"] == "2"
    assert not runner.passed


def test_expression_evaluator() -> None:
    context = {"inputs": {"a": "true", "b": ""}, "github": {"event": {"x": {"sha": "s"}}}, "_ok": True}
    assert evaluate("inputs.a == 'true'", context) is True
    assert evaluate("github.event.pull_request.base.sha || github.event.x.sha", context) == "s"
    assert evaluate("always() && inputs.b != ''", context) is False
    assert substitute("v=${{ inputs.a }}", context) == "v=true"
