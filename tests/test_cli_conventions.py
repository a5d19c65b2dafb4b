"""The conventions users bring from ruff, Vale and pre-commit: --exit-zero, --quiet, FORCE_COLOR,
--statistics instead of the list, fixable rules marked, --show-fixes, explain --format json, `clinic-lint
config`, the compiling notice and the progress line, --changed-since, unambiguous JSON summary names and
unreadable paths in JSON and SARIF, GitLab Code Quality output, one summary per pre-commit run."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from lint import hookrun, progress
from lint.cli import main

STARTER = Path(__file__).parent / "fixtures" / "packs" / "starter.yaml"
SMALL = ["--no-default-packs", "--pack", str(STARTER)]
RISKY = "Ketamine is a Category III drug.\n\nIt is completely safe.\n"
CLEAN = "Flu shots are available on Mondays.\n"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR", "CLINIC_LINT_DEBUG", "PRE_COMMIT", "TERM"):
        monkeypatch.delenv(name, raising=False)
    Path("risky.txt").write_text(RISKY, encoding="utf-8")
    Path("clean.txt").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check(capsys, *args: str) -> tuple[int, str, str]:
    return run(capsys, "check", *SMALL, *args)


# --------------------------------------------------------------------------- exit code, quiet, colour


def test_exit_zero_only_forgives_findings(capsys) -> None:
    assert check(capsys, "risky.txt")[0] == 1
    code, out, _ = check(capsys, "--exit-zero", "risky.txt")
    assert code == 0 and "starter-safe" in out  # still reported
    assert check(capsys, "--exit-zero", "risky.txt", "missing.txt")[0] == 3  # not fully checked: still 3
    assert check(capsys, "--exit-zero", "--fail-on", "nope", "risky.txt")[0] == 2


def test_quiet_prints_the_findings_only(capsys) -> None:
    Path("image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    code, out, err = check(capsys, "--quiet", "risky.txt", "image.txt")
    assert code == 1
    assert "risky.txt:1:" in out and "Found" not in out
    assert err == ""  # no "binary file skipped" notice
    code, out, err = check(capsys, "-q", "clean.txt")
    assert (code, out, err) == (0, "", "")
    code, _, err = check(capsys, "-q", "missing.txt")
    assert code == 3 and "missing.txt" in err  # errors are never hidden


def test_force_color(capsys, monkeypatch) -> None:
    assert "\033[" not in check(capsys, "risky.txt")[1]  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[" in check(capsys, "risky.txt")[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" in check(capsys, "risky.txt")[1]  # forcing wins over NO_COLOR ...
    assert "\033[" not in check(capsys, "--color", "never", "risky.txt")[1]  # ... the option over both
    monkeypatch.setenv("FORCE_COLOR", "0")
    assert "\033[" not in check(capsys, "risky.txt")[1]


def test_colour_on_a_terminal_unless_no_color(monkeypatch) -> None:
    def colored(*env: tuple[str, str]) -> bool:
        terminal = Terminal()
        with monkeypatch.context() as m:
            m.setattr("sys.stdout", terminal)
            for name, value in env:
                m.setenv(name, value)
            assert main(["check", *SMALL, "risky.txt"]) == 1
        assert "starter-safe" in terminal.getvalue()
        return "\033[" in terminal.getvalue()

    assert colored()  # a terminal: colour
    assert not colored(("NO_COLOR", "1"))
    assert not colored(("TERM", "dumb"))
    assert colored(("NO_COLOR", ""))  # NO_COLOR counts only when set to something (no-color.org)


# --------------------------------------------------------------------------- statistics, fixes, rules, explain


def test_statistics_replace_the_list(capsys) -> None:
    code, out, _ = check(capsys, "--statistics", "risky.txt")
    assert code == 1
    assert "risky.txt:" not in out  # no findings listed, as ruff
    lines = out.splitlines()
    assert lines[0] == "Findings per rule:"
    assert any(line.split() == ["1", "starter-category-schedule", "[*]"] for line in lines), out
    assert any(line.split() == ["1", "starter-safe"] for line in lines), out
    assert "[*] fixed by --fix" in out
    assert lines[-1].startswith("Found 2 problems")


def test_show_fixes(capsys) -> None:
    _, out, _ = check(capsys, "--show-fixes", "risky.txt")
    assert '    fix: replace "Category III drug" with "Schedule III drug" (safe, applied by --fix)' in out
    _, out, _ = check(capsys, "risky.txt")
    assert "fix:" not in out
    code, out, _ = check(capsys, "--fix", "--show-fixes", "risky.txt")
    assert code == 1  # starter-safe remains
    assert "Fixed 1 problem:\n- risky.txt:\n    1 × starter-category-schedule\n" in out
    assert "Schedule III drug" in Path("risky.txt").read_text(encoding="utf-8")
    _, out, _ = check(capsys, "--fix", "--show-fixes", "clean.txt")
    assert "No fixes applied." in out


def test_rules_mark_fixable_rules(capsys) -> None:
    _, out, _ = run(capsys, "rules", *SMALL)
    rows = {line.split()[0]: line for line in out.splitlines()[:-1]}
    assert rows["starter-category-schedule"].split()[1] == "[*]"
    assert "[*]" not in rows["starter-safe"]
    _, out, _ = run(capsys, "rules", "--format", "json", *SMALL)
    fixes = {r["id"]: r["fix"] for r in json.loads(out)}
    assert fixes == {"starter-category-schedule": "safe", "starter-safe": None}


def test_explain_json(capsys) -> None:
    code, text, _ = run(capsys, "explain", *SMALL, "starter-category-schedule")
    code, out, _ = run(capsys, "explain", *SMALL, "--format", "json", "starter-category-schedule")
    record = json.loads(out)
    assert code == 0 and record["kind"] == "rule" and record["id"] == "starter-category-schedule"
    assert record["fix"] == {"replacement": "Schedule {roman_numeral} {schedule_noun}", "safe": True}
    assert record["references"] and record["examples"]["bad"] and record["text"] == text
    code, out, _ = run(capsys, "explain", *SMALL, "--format", "json", "roman-numeral")
    assert json.loads(out)["kind"] == "vocabulary"
    code, out, err = run(capsys, "explain", *SMALL, "--format", "json", "nope")
    assert code == 2 and out == "" and err.count("\n") == 1


# --------------------------------------------------------------------------- clinic-lint config


def test_config_shows_each_setting_and_where_it_comes_from(capsys) -> None:
    Path("site/archive").mkdir(parents=True)
    Path("site/.clinic-lint.yaml").write_text("fail-on: error\nignore: [hype]\n", encoding="utf-8")
    Path("site/archive/pyproject.toml").write_text('[tool.clinic-lint]\nseverity = {hype = "info"}\n', encoding="utf-8")
    code, out, _ = run(capsys, "config", "site/post.md")
    assert code == 0
    assert "# config file: site/.clinic-lint.yaml" in out
    assert 'fail-on: "error"  # site/.clinic-lint.yaml:1:1' in out
    assert 'ignore: ["hype"]  # site/.clinic-lint.yaml:2:1' in out
    assert "jobs: 0  # default" in out
    code, out, _ = run(capsys, "config", "--format", "json", "site/archive")  # the nearest config wins
    report = json.loads(out)
    assert report["config"] == "site/archive/pyproject.toml"
    assert report["settings"]["severity"] == {"value": {"hype": "info"}, "from": "site/archive/pyproject.toml:2:1"}
    assert report["settings"]["fail-on"] == {"value": "warning", "from": "default"}  # configs are not merged
    code, out, _ = run(capsys, "config", "--config", "site/.clinic-lint.yaml", "--format", "json", "site/archive")
    assert json.loads(out)["settings"]["fail-on"]["value"] == "error"
    code, _, err = run(capsys, "config", "--config", "nowhere.yaml")
    assert code == 2 and "nowhere.yaml: config file not found" in err


# --------------------------------------------------------------------------- JSON, SARIF, GitLab


def test_json_summary_names_and_unreadable_paths(capsys) -> None:
    code, out, _ = check(capsys, "--format", "json", "risky.txt", "missing.txt")
    assert code == 3
    report = json.loads(out)
    summary = report["summary"]
    assert summary["files_checked"] == 1 and summary["files_not_checked"] == 1
    assert summary["findings_by_severity"] == {"error": 1, "warning": 1, "info": 0}
    assert "errors" not in summary and "by_severity" not in summary  # the ambiguous names are gone
    assert report["not_checked"] == [{"path": "missing.txt", "message": "missing.txt: no such file or directory"}]


def test_sarif_lists_unreadable_paths_as_notifications(capsys) -> None:
    Path("image.txt").write_bytes(b"\x00\x01binary")
    code, out, _ = check(capsys, "--format", "sarif", "risky.txt", "missing.txt", "image.txt")
    assert code == 3
    log = json.loads(out)
    jsonschema.validate(log, SCHEMA)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = {(n["level"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): n
             for n in invocation["toolExecutionNotifications"]}  # fmt: skip
    assert set(notes) == {("error", "missing.txt"), ("note", "image.txt")}
    assert "no such file" in notes["error", "missing.txt"]["message"]["text"]


def test_gitlab_code_quality(capsys) -> None:
    Path("posts").mkdir()
    Path("posts/a.txt").write_text(RISKY + "\nAgain, a Category III drug.\n", encoding="utf-8")
    code, out, _ = check(capsys, "--format", "gitlab", "posts")
    assert code == 1
    issues = json.loads(out)
    assert [i["check_name"] for i in issues].count("starter-category-schedule") == 2
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= issue.keys()
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] == "posts/a.txt"
        assert issue["location"]["positions"]["begin"]["line"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    first = issues[0]
    assert first["severity"] == "major" and first["location"]["positions"]["begin"] == {"line": 1, "column": 15}
    # a finding keeps its fingerprint when lines move above it (GitLab compares branches by it)
    Path("posts/a.txt").write_text("New intro.\n\n" + RISKY + "\nAgain, a Category III drug.\n", encoding="utf-8")
    moved = json.loads(check(capsys, "--format", "gitlab", "posts")[1])
    assert {i["fingerprint"] for i in moved} == {i["fingerprint"] for i in issues}
    assert json.loads(check(capsys, "--format", "gitlab", "clean.txt")[1]) == []


# --------------------------------------------------------------------------- notices and progress on stderr


def test_compiling_notice_only_when_the_cache_is_cold(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CLINIC_LINT_CACHE_DIR", str(tmp_path / "fresh-cache"))
    _, _, err = check(capsys, "clean.txt")
    assert "compiling rule packs" in err
    _, _, err = check(capsys, "clean.txt")
    assert err == ""
    monkeypatch.setenv("CLINIC_LINT_CACHE_DIR", str(tmp_path / "another-cache"))
    assert check(capsys, "--quiet", "clean.txt")[2] == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_counts_files_and_throughput() -> None:
    now = [0.0]
    stream = Terminal()
    bar = progress.Progress(0, {}, stream, clock=lambda: now[0])
    bar.start(4, {"a": 500_000, "b": 500_000, "c": 1_000_000, "d": 0})
    now[0] = 0.5
    bar.advance("a")
    assert stream.getvalue() == ""  # quick runs print nothing
    now[0] = 2.0
    bar.advance("b")
    assert stream.getvalue().endswith("clinic-lint: 2/4 files, 0.5 MB/s")
    now[0] = 2.05
    bar.advance("c")
    assert "3/4" not in stream.getvalue()  # at most ten redraws a second
    bar.clear()
    assert stream.getvalue().endswith("\r\033[K")
    assert progress.wanted(Terminal(), quiet=False) and not progress.wanted(Terminal(), quiet=True)
    assert not progress.wanted(io.StringIO(), quiet=False)


def test_progress_on_a_terminal_only(capsys, monkeypatch) -> None:
    Path("site").mkdir()
    for i in range(12):
        Path(f"site/p{i}.txt").write_text(RISKY if i % 3 == 0 else CLEAN, encoding="utf-8")
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "RATE", 0.0)
    _, _, err = check(capsys, "--jobs", "1", "site")
    assert "files," not in err  # standard error is not a terminal here
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    code = main(["check", *SMALL, "--jobs", "1", "site"])
    out = capsys.readouterr().out
    assert code == 1 and "Found 8 problems" in out
    shown = terminal.getvalue()
    assert "clinic-lint: 12/12 files," in shown and "MB/s" in shown
    assert shown.endswith("\r\033[K")  # erased at the end


# --------------------------------------------------------------------------- --changed-since


def git(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid")  # fmt: skip
    cmd = ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout


def test_changed_since_lints_only_changed_files(capsys) -> None:
    Path("posts").mkdir()
    for name in ("old.txt", "edited.txt"):
        Path("posts", name).write_text(RISKY, encoding="utf-8")
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    base = git("rev-parse", "HEAD").strip()
    Path("posts/edited.txt").write_text(RISKY + "\nMore.\n", encoding="utf-8")  # uncommitted edit
    Path("posts/new.txt").write_text(RISKY, encoding="utf-8")  # untracked
    Path("posts/new.py").write_text("x = 1\n", encoding="utf-8")  # changed, but not a linted type
    code, out, _ = check(capsys, "--format", "json", "--changed-since", base, "posts")
    assert code == 1
    assert {f["path"] for f in json.loads(out)["findings"]} == {"posts/edited.txt", "posts/new.txt"}
    git("add", "-A")
    git("commit", "-q", "-m", "edit")
    code, out, _ = check(capsys, "--changed-since", "HEAD", "posts")
    assert code == 0 and out.strip() == "No problems found in 0 files."
    code, _, err = check(capsys, "--changed-since", "no-such-rev", "posts")
    assert code == 2 and err.startswith("clinic-lint: error: --changed-since:") and err.count("\n") == 1


def test_changed_since_outside_git(capsys) -> None:
    code, _, err = check(capsys, "--changed-since", "main", "risky.txt")
    assert code == 2 and "--changed-since" in err


# --------------------------------------------------------------------------- pre-commit batches


def test_pre_commit_batches_print_running_totals(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    code, out, _ = check(capsys, "risky.txt")
    assert out.splitlines()[-1] == "Found 2 problems (1 error, 1 warning) in 1 of 1 file."
    monkeypatch.setenv("PRE_COMMIT", "1")
    code, out, _ = check(capsys, "risky.txt")  # the first batch: its own totals, as without pre-commit
    assert out.splitlines()[-1] == "Found 2 problems (1 error, 1 warning) in 1 of 1 file."
    Path("more.txt").write_text("It is completely safe.\n", encoding="utf-8")
    code, out, _ = check(capsys, "more.txt", "clean.txt")  # a second batch of the same run
    last = out.splitlines()[-1]
    assert last.startswith("Found 3 problems (1 error, 2 warnings) in 2 of 3 files.")
    assert "totals of the 2 batches" in last
    # another hook (other options) in the same pre-commit run keeps totals of its own
    code, out, _ = check(capsys, "--fail-on", "error", "clean.txt")
    assert out.splitlines()[-1] == "No problems found in 1 file."
    assert hookrun.state_file({"a": 1}) != hookrun.state_file({"a": 2})


def hook_script(directory: Path, shebang: str) -> Path:
    """An executable like the one pip installs for the hook: a #! line naming the interpreter."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "clinic-lint"
    script.write_text(f"#!{shebang}\nimport sys\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_the_hook_sees_its_command_line_as_pre_commit_built_it(tmp_path) -> None:
    from pre_commit.parse_shebang import normalize_cmd

    long_form = "/bin/sh\n'''exec' \"/some where/python\" \"$0\" \"$@\"\n' '''"  # pip's form for long paths
    for shebang in (os.path.realpath(sys.executable), "/usr/bin/env python3", "/usr/bin/env -S python3 -I",
                    long_form):  # fmt: skip
        script = hook_script(tmp_path / f"bin{len(list(tmp_path.iterdir()))}", shebang)
        expected = normalize_cmd((str(script), "check", "a.md"))
        assert (*hookrun.interpreter(str(script)), str(script), "check", "a.md") == expected, shebang
    assert hookrun.interpreter(str(tmp_path / "nowhere")) == []


def split(files: list[str], script: Path, limit: int) -> list[tuple[str, ...]]:
    """The batches pre-commit makes of ``files`` for the hook (its own partitioning code)."""
    from pre_commit.parse_shebang import normalize_cmd
    from pre_commit.xargs import partition

    cmd = normalize_cmd((str(script), "check", *SMALL))
    return list(partition(cmd, files, 1, limit))


def test_a_full_batch_knows_another_follows(tmp_path) -> None:
    import random

    script = hook_script(tmp_path / "bin", os.path.realpath(sys.executable))
    limit = 4096
    for seed in range(40):
        rng = random.Random(seed)
        depth = "/".join("d" * rng.randint(1, 12) for _ in range(rng.randint(1, 4)))
        files = [f"{depth}/{'p' * rng.randint(1, 40)}-{i}.md" for i in range(rng.randint(1, 400))]
        batches = split(files, script, limit)
        for batch in batches[:-1]:  # full: the next file did not fit
            assert hookrun.more_batches_follow(list(batch[1:]), list(batch[2 + len(SMALL) :]), limit), seed
        last = batches[-1]
        if hookrun.command_length(list(last)) < limit // 2:  # plainly room for more: nothing follows
            assert not hookrun.more_batches_follow(list(last[1:]), list(last[2 + len(SMALL) :]), limit), seed
    assert not hookrun.more_batches_follow(["clinic-lint", "check", "x" * 5000], ["x" * 5000], limit)  # over


def test_pre_commit_split_run_prints_one_summary(capsys, monkeypatch, tmp_path) -> None:
    """pre-commit's own partitioning splits the list; each batch runs as pre-commit would run it (its
    command line in sys.argv); only the last prints a summary, with the whole run's totals."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("PRE_COMMIT", "1")
    limit = 2048
    monkeypatch.setattr(hookrun, "command_limit", lambda: limit)
    Path("posts").mkdir()
    files = []
    for i in range(120):
        name = f"posts/{'long-title-' * (i % 4)}post-{i:03d}.txt"
        Path(name).write_text(RISKY if i % 10 == 0 else CLEAN, encoding="utf-8")
        files.append(name)
    script = hook_script(tmp_path / "bin", os.path.realpath(sys.executable))
    batches = split(files, script, limit)
    assert len(batches) >= 3 and len(batches[-1]) < len(batches[0]) // 2  # the last one is plainly not full
    outputs, codes = [], []
    for batch in batches:
        monkeypatch.setattr("sys.argv", list(batch[1:]))  # what the hook's process sees
        codes.append(main(list(batch[2:])))
        outputs.append(capsys.readouterr().out)
    summaries = [(n, line) for n, out in enumerate(outputs) for line in out.splitlines()
                 if line.startswith(("Found", "No problems"))]  # fmt: skip
    assert summaries == [
        (len(batches) - 1, f"Found 24 problems (12 errors, 12 warnings) in 12 of 120 files. "
                           f"(totals of the {len(batches)} batches pre-commit split the file list into)")
    ]  # fmt: skip
    listed = {line.split(":")[0] for out in outputs for line in out.splitlines() if line.startswith("posts/")}
    assert listed == {f for i, f in enumerate(files) if i % 10 == 0}  # every batch still lists its findings
    assert 1 in codes
