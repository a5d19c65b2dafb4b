"""The pre-commit hook, for real: `pre-commit try-repo` builds the hook from this repository with pip.

The hook is built from a snapshot of the working tree (committed in a temporary git repository), so the test
checks exactly the files under test, untracked ones included, and never touches this repository's git state.
Slow (pre-commit creates a virtualenv and pip-installs the package, about a minute), so the environment is
built once for the module and reused.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", ".venv", "venv", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis"}
RISKY = "# Ketamine at our clinic\n\nWe offer infusions.\n\nKetamine is a Category III drug, totally safe.\n"
CLEAN = "# Visiting our clinic\n\nWe are open Monday to Friday, 9am to 5pm. Parking is behind the building.\n"


def git_env() -> dict[str, str]:
    """The environment without GIT_* variables (set when the tests run inside a git hook)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid")  # fmt: skip
    return env


def git(*args: str, cwd: Path) -> str:
    cmd = ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(cmd, cwd=cwd, env=git_env(), check=True, capture_output=True, text=True).stdout


def project_files() -> list[str]:
    """The files a fresh clone of the working tree would have."""
    if (ROOT / ".git").exists():
        out = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
        return [p for p in out.split("\0") if p and (ROOT / p).is_file()]
    files = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        files += [os.path.relpath(os.path.join(dirpath, f), ROOT) for f in filenames]
    return files


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.fail("git is needed for the pre-commit test")
    snapshot = tmp_path_factory.mktemp("clinic-lint-src")
    for rel in project_files():
        dest = snapshot / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest)
    git("init", "-q", cwd=snapshot)
    git("add", "-A", cwd=snapshot)
    git("commit", "-q", "-m", "snapshot", cwd=snapshot)
    return snapshot


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def content_repo(tmp_path: Path) -> Path:
    """A clinic's content repository, as a user would have it."""
    git("init", "-q", cwd=tmp_path)
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "risky.md").write_text(RISKY, encoding="utf-8")
    (tmp_path / "posts" / "clean.md").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "posts" / "hours.txt").write_text("Open daily.\n", encoding="utf-8")
    (tmp_path / "notes.py").write_text("RISK = 'completely safe, a Category III drug'\n", encoding="utf-8")
    git("add", "-A", cwd=tmp_path)
    return tmp_path


def pre_commit(home: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = git_env()
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    cmd = [sys.executable, "-m", "pre_commit", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_manifest_and_project_config_are_valid() -> None:
    checks = (("validate-manifest", ".pre-commit-hooks.yaml"), ("validate-config", ".pre-commit-config.yaml"))
    for command, name in checks:
        cmd = [sys.executable, "-m", "pre_commit", command, str(ROOT / name)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_try_repo_fails_a_risky_post_and_points_at_it(hook_repo, pre_commit_home, content_repo) -> None:
    args = ("try-repo", str(hook_repo), "clinic-lint", "--files", "posts/risky.md")
    proc = pre_commit(pre_commit_home, content_repo, *args)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert re.search(r"clinic-lint\.+Failed", output), output
    assert re.search(r"^posts/risky\.md:\d+:\d+: (error|warning)", output, re.M), output
    assert "Category III drug" in output  # the match, quoted in the message


def test_try_repo_passes_a_clean_post(hook_repo: Path, pre_commit_home: Path, content_repo: Path) -> None:
    files = ("posts/clean.md", "posts/hours.txt", "notes.py")  # notes.py is not prose: the hook never sees it
    args = ("try-repo", str(hook_repo), "clinic-lint", "--files", *files)
    proc = pre_commit(pre_commit_home, content_repo, *args)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert re.search(r"clinic-lint\.+Passed", output), output


def test_a_content_repo_needs_only_repo_rev_and_id(hook_repo, pre_commit_home, content_repo) -> None:
    rev = git("rev-parse", "HEAD", cwd=hook_repo).strip()
    config = f"repos:\n- repo: {hook_repo.as_posix()}\n  rev: {rev}\n  hooks:\n  - id: clinic-lint\n"
    # nothing else: no packs, no settings, no extra dependencies
    (content_repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git("add", ".pre-commit-config.yaml", cwd=content_repo)
    proc = pre_commit(pre_commit_home, content_repo, "run", "--all-files")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert re.search(r"^posts/risky\.md:\d+:\d+: ", output, re.M), output
    assert "posts/clean.md" not in output and "notes.py" not in output


SUMMARY = re.compile(r"^(Found \d+ problems?|No problems found)", re.M)


def run_hook_on_all_files(hook_repo: Path, home: Path, content_repo: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit run --all-files` with the hook at the snapshot's commit: the hook's environment is built
    once per module (try-repo would build a new one every time)."""
    rev = git("rev-parse", "HEAD", cwd=hook_repo).strip()
    config = f"repos:\n- repo: {hook_repo.as_posix()}\n  rev: {rev}\n  hooks:\n  - id: clinic-lint\n"
    (content_repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git("add", "-A", cwd=content_repo)
    return pre_commit(home, content_repo, "run", "--all-files")


def test_one_summary_per_run_however_many_files(hook_repo, pre_commit_home, content_repo) -> None:
    # enough files that pre-commit would start one process per core (and print one summary each) were the
    # hook not serial: clinic-lint spreads them over its own workers instead
    for i in range(40):
        (content_repo / "posts" / f"post{i:02d}.md").write_text(CLEAN, encoding="utf-8")
    proc = run_hook_on_all_files(hook_repo, pre_commit_home, content_repo)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    summaries = SUMMARY.findall(output)
    assert len(summaries) == 1, output
    assert re.search(r"^Found \d+ problems? \(.*\) in 1 of 43 files\.$", output, re.M), output


def test_a_long_file_list_split_into_batches_still_gets_one_summary(hook_repo, pre_commit_home, content_repo):
    # longer than one command line may be (pre-commit's limit is 128 KB of arguments): pre-commit splits the
    # list into batches, run one after the other; a full batch leaves the summary to the next, the last one
    # prints the whole run's totals
    long_dir = content_repo / ("copy-" + "x" * 150)
    long_dir.mkdir()
    for i in range(800):
        (long_dir / f"{'page-' * 6}{i:04d}.md").write_text(RISKY if i % 200 == 0 else CLEAN, encoding="utf-8")
    proc = run_hook_on_all_files(hook_repo, pre_commit_home, content_repo)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output[-3000:]
    summaries = [line for line in output.splitlines() if SUMMARY.match(line)]
    assert len(summaries) == 1, summaries
    # 800 pages + the three files of the content repository; 4 risky pages + posts/risky.md; the note says
    # the list was split
    assert re.fullmatch(
        r"Found \d+ problems \(.*\) in 5 of 803 files\. \(totals of the [2-9] batches pre-commit split the file list into\)",
        summaries[0],
    ), summaries
    assert output.rstrip().endswith(summaries[0])  # after every batch's findings
    assert len(re.findall(r"^\S+\.md:\d+:\d+: ", output, re.M)) >= 5
