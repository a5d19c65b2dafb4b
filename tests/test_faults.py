"""Faults and hostile input (issue 13, items 7-19): no report or input is ever lost, and nothing a content
repository, a CI runner or a contributor supplies can hang, exhaust or crash a run. Each test builds the
reproduction from the issue at a small size and asserts the exit code, the one-line message and that no data
was lost."""

from __future__ import annotations

import json
import os
import pickle
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lint import baseline, cache, fix, parallel, runner
from lint.cli import main
from lint.decode import SourceText, decode
from lint.model import Finding

STARTER = Path(__file__).parent / "fixtures" / "packs" / "starter.yaml"
SMALL = ["--no-default-packs", "--pack", str(STARTER)]
RISKY = "Ketamine is a Category III drug.\n\nIt is completely safe.\n"  # 2 findings, one with a safe fix
FIXED = "Ketamine is a Schedule III drug.\n\nIt is completely safe.\n"
CLAIMS_PARAGRAPH = (  # the reproduction: a few hundred of these take seconds to check
    "Our ketamine infusions are completely safe and studies show they cure depression.\n"
    "Ketamine is a Category III drug.\n"
)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLINIC_LINT_DEBUG", raising=False)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *SMALL, *args])
    out, err = capsys.readouterr()
    return code, out, err


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("clinic-lint: error:")]


def cli(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """clinic-lint in a process of its own (for what only a real process shows: its standard output's bytes,
    signals, hangs)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    if "stdout" not in kwargs:
        kwargs["capture_output"] = True
    return subprocess.run([sys.executable, "-m", "lint", *args], timeout=timeout, env=env, **kwargs)


# --------------------------------------------------------------------------- 7: the report never eats an input


def test_output_naming_an_input_is_refused_and_the_input_kept(capsys) -> None:
    Path("post.md").write_text(RISKY, encoding="utf-8")
    code, out, err = check(capsys, "--output", "post.md", "post.md")
    assert code == 2
    assert errors(err) == [
        "clinic-lint: error: --output post.md: that is post.md, which this run reads; write the report elsewhere"
    ]
    assert Path("post.md").read_text(encoding="utf-8") == RISKY


def test_output_naming_the_pack_or_a_symlink_to_an_input_is_refused(capsys) -> None:
    Path("pack.yaml").write_bytes(STARTER.read_bytes())
    Path("post.md").write_text(RISKY, encoding="utf-8")
    Path("alias.md").symlink_to("post.md")
    code = main(["check", "--no-default-packs", "--pack", "pack.yaml", "--output", "pack.yaml", "post.md"])
    err = capsys.readouterr().err
    assert code == 2 and "that is pack.yaml" in err
    assert Path("pack.yaml").read_bytes() == STARTER.read_bytes()
    code, _, err = check(capsys, "--output", "alias.md", "post.md")
    assert code == 2 and "that is post.md" in err
    assert Path("post.md").read_text(encoding="utf-8") == RISKY


def test_output_inside_a_linted_directory_is_not_linted(capsys) -> None:
    Path("post.txt").write_text(RISKY, encoding="utf-8")
    for _ in range(2):  # the second run finds the first run's report where it writes the new one
        code, out, err = check(capsys, "--format", "json", "--output", "report.txt", ".")
        assert (code, out) == (1, "")
        doc = json.loads(Path("report.txt").read_text(encoding="utf-8"))
        assert {f["path"] for f in doc["findings"]} == {"./post.txt"}
        assert doc["summary"]["files_checked"] == 1


def test_a_run_stopped_half_way_leaves_the_previous_report_whole(capsys, monkeypatch, in_tmp: Path) -> None:
    """The report is written beside its file and renamed over it at the end: a reader never gets half a
    report, and Ctrl-C (or an error) half-way leaves the last complete one and no temporary file."""
    for i in range(6):
        Path(f"p{i}.md").write_text(RISKY, encoding="utf-8")
    Path("report.json").write_text('{"previous": true}\n', encoding="utf-8")
    os.chmod("report.json", 0o640)
    real = runner.check_file

    def interrupted(target, engine):
        if target.path.endswith("p4.md"):
            raise KeyboardInterrupt
        return real(target, engine)

    monkeypatch.setattr(runner, "check_file", interrupted)
    code, _, err = check(capsys, "--format", "json", "--jobs", "1", "--output", "report.json", ".")
    assert (code, err.splitlines()[-1]) == (130, "clinic-lint: interrupted")
    assert Path("report.json").read_text(encoding="utf-8") == '{"previous": true}\n'
    assert sorted(os.listdir(in_tmp)) == ["p0.md", "p1.md", "p2.md", "p3.md", "p4.md", "p5.md", "report.json"]
    monkeypatch.setattr(runner, "check_file", real)
    code, _, _ = check(capsys, "--format", "json", "--jobs", "1", "--output", "report.json", ".")
    assert code == 1 and json.loads(Path("report.json").read_text(encoding="utf-8"))["summary"]["files_checked"] == 6
    assert stat.S_IMODE(os.stat("report.json").st_mode) == 0o640  # the report keeps its mode


def test_sigterm_during_the_run_leaves_the_previous_report_and_no_temporary_file(in_tmp: Path) -> None:
    Path("huge.md").write_text("# Page\n\n" + CLAIMS_PARAGRAPH * 400, encoding="utf-8")
    Path("report.txt").write_text("previous report\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "lint", "check", "--output", "report.txt", "huge.md"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(6000):  # the temporary report appears once the packs are loaded; then checking starts
            if any(name.endswith(".tmp") for name in os.listdir(in_tmp)) or proc.poll() is not None:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == -signal.SIGTERM
    finally:
        proc.kill()
    assert Path("report.txt").read_text(encoding="utf-8") == "previous report\n"
    assert sorted(os.listdir(in_tmp)) == ["huge.md", "report.txt"]


# --------------------------------------------------------------------------- 8: unencodable text in every report

BAD_NAME = os.fsdecode(b"bad\xff name.md")  # a file name that is not UTF-8: Python holds the byte as U+DCFF
FRONT = '---\ntitle: "Completely safe \\ud800 and more"\n---\nIt is completely safe.\n'


@pytest.fixture
def unencodable(in_tmp: Path) -> Path:
    os.mkdir("site")
    Path("site", BAD_NAME).write_text(RISKY, encoding="utf-8")
    Path("site", "front.md").write_text(FRONT, encoding="utf-8")
    return in_tmp / "site"


@pytest.mark.parametrize("fmt", ["text", "json", "json-lines", "sarif", "github", "junit"])
def test_every_format_writes_valid_utf8_for_bad_file_names_and_lone_surrogates(capsys, unencodable, fmt) -> None:
    code, out, err = check(capsys, "--format", fmt, "site")
    assert code == 1, err
    out.encode("utf-8")  # strict: no lone surrogate reached the report
    escaped = {"json": "bad\\\\xff name.md", "json-lines": "bad\\\\xff name.md", "sarif": "bad%FF%20name.md"}
    assert escaped.get(fmt, "bad\\xff name.md") in out  # the byte as \xff (JSON escapes the \), in a URI as %FF
    if fmt == "json":
        doc = json.loads(out)
        assert len(doc["findings"]) == 4 and doc["summary"]["files_checked"] == 2
    elif fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        assert len(results) == 4 and all(r["partialFingerprints"]["clinicLint/v1"] for r in results)


def test_json_on_a_real_standard_output_is_valid_utf8(unencodable) -> None:
    done = cli("check", *SMALL, "--format", "json", "site")
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout.decode("utf-8"))  # strict UTF-8
    assert sorted(f["path"] for f in doc["findings"]) == ["site/bad\\xff name.md"] * 2 + ["site/front.md"] * 2


def test_update_baseline_with_a_bad_file_name_writes_and_then_matches(capsys, unencodable) -> None:
    code, _, err = check(capsys, "--baseline", "base.json", "--update-baseline", "site")
    assert code == 0, err
    text = Path("base.json").read_bytes().decode("utf-8")  # strict
    assert "site/bad\\\\xff name.md" in text  # JSON-escaped backslash
    code, out, err = check(capsys, "--baseline", "base.json", "site")
    assert (code, errors(err)) == (0, []), out  # every finding matched its entry: the escaped path round-trips
    code, _, _ = check(capsys, "--baseline", "base.json", "--update-baseline", "site")
    assert Path("base.json").read_bytes().decode("utf-8") == text


def test_fingerprint_of_a_lone_surrogate() -> None:
    f = Finding("p.md", 1, 1, 1, 5, "r", "hype", "error", "m", "s", "safe \ud800", sentence="It is safe \ud800.")
    assert len(baseline.fingerprint(f)) == 20


# --------------------------------------------------------------------------- 9: workers that die or raise


def _sabotage(monkeypatch: pytest.MonkeyPatch, kill: str = "", raise_on: str = "") -> None:
    """The worker checking ``kill`` dies (as under the OOM killer); checking ``raise_on`` raises (a bug)."""
    real, parent = runner.check_file, os.getpid()

    def check_file(target, engine):
        if kill and target.path.endswith(kill) and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        if raise_on and target.path.endswith(raise_on):
            raise ValueError("boom")
        return real(target, engine)

    monkeypatch.setattr(runner, "check_file", check_file)
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    for i in range(12):
        Path(f"p{i}.md").write_text(RISKY, encoding="utf-8")


def _reported(out: str) -> set[str]:
    findings = json.loads(out)["findings"]
    paths = {f["path"] for f in findings}
    assert len(findings) == 2 * len(paths)  # each post has two findings: none lost half-way
    return paths


ALL = {f"./p{i}.md" for i in range(12)}
DIED = "./p3.md: not checked: the worker process checking it died (killed, or out of memory)"
BUG = "./p5.md: not checked: internal error: ValueError: boom (set CLINIC_LINT_DEBUG=1 for details)"


def test_a_killed_worker_costs_only_its_own_file(capsys, monkeypatch) -> None:
    _sabotage(monkeypatch, kill="p3.md")
    code, out, err = check(capsys, "--format", "json", "--jobs", "2", ".")
    assert code == 3  # not fully checked
    assert _reported(out) == ALL - {"./p3.md"}
    assert errors(err) == [f"clinic-lint: error: {DIED}"]


@pytest.mark.parametrize("jobs", ["2", "1"])
def test_an_exception_on_one_file_keeps_every_other_result(capsys, monkeypatch, jobs: str) -> None:
    _sabotage(monkeypatch, kill="p3.md", raise_on="p5.md")
    code, out, err = check(capsys, "--format", "json", "--jobs", jobs, ".")
    assert code == 4  # a bug, reported after the whole report was written
    lost = {"./p5.md", "./p3.md"} if jobs == "2" else {"./p5.md"}  # in-process, nothing kills the worker
    assert _reported(out) == ALL - lost
    assert errors(err) == [f"clinic-lint: error: {m}" for m in ([DIED, BUG] if jobs == "2" else [BUG])]


def test_jobs_follow_the_cpu_affinity_and_are_capped(monkeypatch) -> None:
    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert parallel.usable_cpus() == 3
    assert [parallel.worker_count(j) for j in (0, 1, 2, 3, 10_000)] == [3, 1, 2, 3, 3]
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(500)), raising=False)
    assert parallel.worker_count(0) == parallel.worker_count(10_000) == parallel.MAX_JOBS


# --------------------------------------------------------------------------- 10: --fix never loses a write


def test_fix_leaves_a_file_changed_during_the_write(capsys, monkeypatch) -> None:
    Path("a.txt").write_text(RISKY, encoding="utf-8")
    real_fsync = os.fsync

    def fsync_and_append(fd: int) -> None:  # another program appends while the fix is being written
        with open("a.txt", "a", encoding="utf-8") as fh:
            fh.write("An appended line.\n")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_and_append)
    code, _, err = check(capsys, "--fix", "a.txt")
    assert code == 3
    assert "a.txt: cannot fix: the file changed while the fix was written; left as it is" in err
    assert Path("a.txt").read_text(encoding="utf-8") == RISKY + "An appended line.\n"
    assert sorted(os.listdir(".")) == ["a.txt"]  # no temporary file left


def test_fix_gives_the_new_file_the_old_owner(monkeypatch, in_tmp: Path) -> None:
    Path("a.txt").write_text("x", encoding="utf-8")
    st = os.stat("a.txt")
    other = os.stat_result((st.st_mode, st.st_ino, st.st_dev, 1, st.st_uid + 1, st.st_gid + 1, *st[6:]))
    calls = []
    monkeypatch.setattr(os, "fchown", lambda fd, uid, gid: calls.append((uid, gid)))
    with open("a.txt", "rb") as fh:
        fix._keep_owner(fh.fileno(), other, "a.txt")
    assert calls == [(st.st_uid + 1, st.st_gid + 1)]

    def refuse(fd: int, uid: int, gid: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refuse)
    Path("b.txt").write_text(RISKY, encoding="utf-8")
    source = decode(Path("b.txt").read_bytes(), "b.txt")
    with monkeypatch.context() as patched:  # b.txt looks owned by someone else; giving it back is refused
        patched.setattr(os, "stat", lambda p, *a, **k: other if str(p).endswith("b.txt") else os.lstat(p))
        with pytest.raises(fix.FixError, match="could not keep the owner and group"):
            fix.rewrite("b.txt", source, FIXED)
    assert Path("b.txt").read_text(encoding="utf-8") == RISKY
    assert sorted(os.listdir(in_tmp)) == ["a.txt", "b.txt"]


def test_fix_replaces_a_hard_linked_file_and_the_other_link_keeps_the_old_text(capsys) -> None:
    Path("a.txt").write_text(RISKY, encoding="utf-8")
    os.link("a.txt", "backup.txt")
    code, _, _ = check(capsys, "--fix", "a.txt")
    assert code == 1  # the unsafe finding remains
    assert Path("a.txt").read_text(encoding="utf-8") == FIXED
    assert Path("backup.txt").read_text(encoding="utf-8") == RISKY  # documented: as with sed -i
    assert os.stat("a.txt").st_nlink == 1


SIGNAL_DURING_WRITE = """
import os, signal, sys
from lint import fix
real = os.fsync
def fsync(fd):
    os.kill(os.getpid(), getattr(signal, sys.argv[1]))  # arrives in the middle of the write
    real(fd)
os.fsync = fsync
try:
    fix.write_atomic("post.md", b"new text\\n")
except KeyboardInterrupt:
    print("interrupted after the write")
"""


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_during_the_write_leaves_a_whole_file_and_no_temporary_file(in_tmp: Path, name: str) -> None:
    Path("post.md").write_text("old text\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", SIGNAL_DURING_WRITE, name], capture_output=True, text=True, timeout=60)
    if name == "SIGINT":
        assert (done.returncode, done.stdout) == (0, "interrupted after the write\n")
    else:
        assert done.returncode == -getattr(signal, name)  # the signal still ends the process, after the rename
    assert Path("post.md").read_text(encoding="utf-8") == "new text\n"
    assert sorted(os.listdir(in_tmp)) == ["post.md"]


# --------------------------------------------------------------------------- 11: --diff applies for odd line ends


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("bom", "\ufeffIntro.\nKetamine is a Category III drug.\nEnd.\n"),
        ("cr-only", "Intro.\rKetamine is a Category III drug.\rEnd.\r"),
        ("form-feed", "Intro.\n\x0c\nKetamine is a Category III drug.\x0cEnd.\n"),
        ("nel", "Intro.\x85More.\nKetamine is a Category III drug.\x85End.\n"),
        ("line-separator", "Intro.\u2028Ketamine is a Category III drug.\u2029End."),
    ],
)
def test_diff_applies_with_git_apply_and_patch(capsys, in_tmp: Path, name: str, raw: str) -> None:
    data = raw.encode("utf-8")
    expected = raw.replace("Category III", "Schedule III").encode("utf-8")
    Path("post.txt").write_bytes(data)
    code, out, err = check(capsys, "--diff", "post.txt")
    assert code == 1 and out.startswith("--- a/post.txt\n"), err
    Path("fix.patch").write_bytes(out.encode("utf-8"))
    subprocess.run(["git", "apply", "fix.patch"], check=True, cwd=in_tmp, capture_output=True)
    assert Path("post.txt").read_bytes() == expected
    Path("post.txt").write_bytes(data)
    subprocess.run(["patch", "-s", "-p1", "-i", "fix.patch"], check=True, cwd=in_tmp, capture_output=True)
    assert Path("post.txt").read_bytes() == expected


ODD_NAMES = [os.fsdecode(b"bad\xff.md"), "line\nbreak::error file=x.md::x.md", 'q"uote\\back\ttab.md', "sp ace.md",
             "caf\u00e9.md", "plain.md"]  # fmt: skip


@pytest.mark.parametrize("tool", ["git", "patch"])
def test_diff_of_a_site_with_odd_file_names_applies_whole(capsys, in_tmp: Path, tool: str) -> None:
    """One file name with a line break, quote, tab, space or non-UTF-8 byte must not break the site's patch:
    names are written as git writes them (C-quoted when needed, a tab after a name with spaces)."""
    os.mkdir("site")
    for name in ODD_NAMES:
        Path("site", name).write_text(RISKY, encoding="utf-8")
    code, out, err = check(capsys, "--diff", "site")
    assert code == 1, err
    assert '--- "a/site/bad\\377.md"\n' in out and "--- a/site/sp ace.md\t\n" in out
    Path("fix.patch").write_bytes(out.encode("utf-8"))
    argv = ["git", "apply", "fix.patch"] if tool == "git" else ["patch", "-s", "-p1", "-i", "fix.patch"]
    subprocess.run(argv, check=True, cwd=in_tmp, capture_output=True)
    assert {name: Path("site", name).read_text(encoding="utf-8") for name in ODD_NAMES} == dict.fromkeys(
        ODD_NAMES, FIXED
    )


# --------------------------------------------------------------------------- 12: FIFOs, devices, size limits


def test_fifo_and_dev_zero_posts_are_skipped_with_a_notice(in_tmp: Path) -> None:
    os.mkdir("site")
    os.mkfifo("site/pipe.md")
    os.symlink("/dev/zero", "site/zero.md")
    Path("site/post.md").write_text(RISKY, encoding="utf-8")
    done = cli("check", *SMALL, "--format", "json", "site", timeout=60)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["summary"]["findings"] == 2
    notices = sorted(line for line in done.stderr.decode().splitlines() if "skipped" in line)
    assert notices == [
        "clinic-lint: site/pipe.md: skipped: a named pipe (FIFO), not a regular file",
        "clinic-lint: site/zero.md: skipped: a character device, not a regular file",
    ]


def test_fifo_as_pack_baseline_config_gitignore_or_cache_entry_does_not_hang(in_tmp: Path) -> None:
    Path("post.md").write_text(RISKY, encoding="utf-8")
    os.mkfifo("pack.yaml")
    os.mkfifo("base.json")
    done = cli("check", "--no-default-packs", "--pack", "pack.yaml", "post.md", timeout=60)
    assert done.returncode == 2
    assert done.stderr.decode().endswith("pack.yaml: cannot read pack: a named pipe (FIFO), not a regular file\n")
    done = cli("check", *SMALL, "--baseline", "base.json", "post.md", timeout=60)
    assert done.returncode == 2
    assert "base.json: cannot read baseline: a named pipe (FIFO), not a regular file" in done.stderr.decode()
    os.mkfifo("config.yaml")
    done = cli("check", *SMALL, "--config", "config.yaml", "post.md", timeout=60)
    assert (done.returncode, done.stderr.decode()) == (
        2, "clinic-lint: error: config.yaml: cannot read config: a named pipe (FIFO), not a regular file\n"
    )  # fmt: skip
    for name in (".gitignore", "pyproject.toml"):
        os.mkfifo(name)
    done = cli("check", *SMALL, "--format", "json", ".", timeout=60)  # FIFOs are no .gitignore, no pyproject
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["summary"]["files_checked"] == 1


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (os.mkfifo, "a named pipe (FIFO), not a regular file"),
        (lambda p: os.symlink("/dev/null", p), "a character device, not a regular file"),
        (lambda p: os.symlink("gone.yaml", p), "a symbolic link to a file that does not exist"),
    ],
)
def test_a_config_that_is_no_regular_file_is_an_error_not_passed_over(capsys, make, what: str) -> None:
    """Passed over, a parent directory's config (or none) would apply without a word: the run stops instead."""
    os.mkdir("site")
    Path("site", "post.md").write_text(RISKY, encoding="utf-8")
    Path(".clinic-lint.yaml").write_text("fail-on: error\n", encoding="utf-8")  # the parent's config
    make(os.path.join("site", ".clinic-lint.yml"))
    code, out, err = check(capsys, "site")
    assert (code, out) == (2, "")
    assert errors(err) == [f"clinic-lint: error: site/.clinic-lint.yml: cannot read config: {what}"]


def test_a_gitignore_pattern_that_would_backtrack_forever_is_dropped_with_a_notice(capsys) -> None:
    """``*a*a*...*b`` against a long file name takes Python's ``re`` longer than the age of the universe; the
    walk drops the pattern (saying so, once) and goes on, and every other pattern still applies."""
    os.mkdir("site")
    os.makedirs("site/docs/2024")
    hostile = "*a" * 100 + "b"
    Path("site/.gitignore").write_text(f"# generated\n\n{hostile}\nignored.md\ndocs/**/draft-*.md\n", encoding="utf-8")
    long_names = ["a" * 240 + f"{i}.md" for i in range(3)]
    for name in [*long_names, "ignored.md", "docs/2024/draft-x.md", "docs/2024/final.md"]:
        Path("site", name).write_text(RISKY, encoding="utf-8")
    code, out, err = check(capsys, "--format", "json", "site")
    assert code == 1
    assert [line for line in err.splitlines() if ".gitignore" in line] == [
        f"clinic-lint: site/.gitignore:3: pattern '{hostile[:17]}...{hostile[-18:]}' not applied: matching it "
        f"against '{'a' * 17}...{'a' * 14}0.md' took over 0.05s"  # the path as the .gitignore sees it
    ]
    checked = {f["path"] for f in json.loads(out)["findings"]}
    assert checked == {*(f"site/{n}" for n in long_names), "site/docs/2024/final.md"}


def test_fifo_cache_entry_is_not_read(in_tmp: Path, monkeypatch) -> None:
    monkeypatch.setenv("CLINIC_LINT_CACHE_DIR", str(in_tmp / "cache"))
    os.mkdir("cache")
    os.mkfifo("cache/rules-abc.pickle")
    assert cache.load("rules", "abc") is None


def test_files_over_max_file_size_are_reported_not_read(capsys) -> None:
    Path("big.txt").write_text(RISKY * 10, encoding="utf-8")
    Path("small.txt").write_text(RISKY, encoding="utf-8")
    Path(".clinic-lint.yaml").write_text("max-file-size: 100\n", encoding="utf-8")
    code, out, err = check(capsys, "--format", "json", "big.txt", "small.txt")
    assert code == 3
    assert errors(err) == [
        "clinic-lint: error: big.txt: not checked: larger than 100 bytes (570 bytes) (see max-file-size)"
    ]
    assert {f["path"] for f in json.loads(out)["findings"]} == {"small.txt"}


def test_standard_input_is_read_up_to_max_file_size(capsys, monkeypatch) -> None:
    import io

    Path(".clinic-lint.yaml").write_text("max-file-size: 1000\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\0" * 100_000)))
    code, _, err = check(capsys, "-")
    assert code == 3
    assert errors(err) == ["clinic-lint: error: -: not checked: larger than 1000 bytes (see max-file-size)"]


@pytest.mark.parametrize(("value", "size"), [("100", 100), ("'64 MiB'", 64 << 20), ("1.5kB", 1500), ("2GiB", 2 << 30)])
def test_max_file_size_takes_units(capsys, value: str, size: int) -> None:
    from lint.config import resolve

    Path(".clinic-lint.yaml").write_text(f"max-file-size: {value}\n", encoding="utf-8")
    assert resolve(None).max_file_size == size


# --------------------------------------------------------------------------- 13: hostile YAML, TOML, JSON, templates


def _laughs(key: str, levels: int = 9) -> str:
    lines = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\n{key}: *a{levels}\n"


def test_billion_laughs_in_the_config_is_a_one_line_error(capsys) -> None:
    Path("post.md").write_text(RISKY, encoding="utf-8")
    Path(".clinic-lint.yaml").write_text(_laughs("fail-on"), encoding="utf-8")
    code, _, err = check(capsys, "post.md")
    assert code == 2
    assert errors(err) == [
        "clinic-lint: error: .clinic-lint.yaml:5:5: aliases expand this value to more than 100,000 values"
    ]


def test_billion_laughs_in_a_pack_is_a_one_line_error(capsys) -> None:
    pack = STARTER.read_text(encoding="utf-8") + "\n" + _laughs("x-laughs")
    Path("pack.yaml").write_text(pack, encoding="utf-8")
    code = main(["check", "--no-default-packs", "--pack", "pack.yaml", "-"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) <= 2  # the compiling notice, then the error
    assert errors(err)[0].startswith("clinic-lint: error: pack.yaml:") and "aliases expand" in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            ".clinic-lint.yaml",
            "jobs: 1\nselect: " + "[" * 400 + "]" * 400 + "\n",
            ".clinic-lint.yaml:2:1: YAML nests deeper than 100 levels",
        ),
        (".clinic-lint.yaml", "select:\n" + "".join(" " * i + "- \n" for i in range(0, 600, 2)), ".clinic-lint.yaml:"),
        (
            "pyproject.toml",
            "a = 1\nb = " + "[" * 3000 + "]" * 3000 + "\n[tool.clinic-lint]\n",
            "pyproject.toml:2: pyproject.toml nests deeper than 100 levels",
        ),
        ("pyproject.toml", "tool = 3 # clinic-lint\n", "pyproject.toml:1: 'tool' must be a table, not 3"),
        ("pyproject.toml", "[tool]\nclinic-lint = 3\n", "pyproject.toml:2: 'tool.clinic-lint' must be a table, not 3"),
    ],
)
def test_deep_or_odd_config_is_exit_2_with_file_and_line(capsys, name: str, content: str, message: str) -> None:
    Path("post.md").write_text(RISKY, encoding="utf-8")
    Path(name).write_text(content, encoding="utf-8")
    code, _, err = check(capsys, "post.md")
    assert code == 2
    assert len(errors(err)) == 1 and errors(err)[0].startswith(f"clinic-lint: error: {message}"), err


def _baseline(entry: str) -> str:
    good = '{"path": "post.md", "rule": "r", "fingerprint": "f", "count": 1}'
    return f'{{"clinic-lint-baseline": 1, "findings": [\n  {good},\n  {entry}\n]}}\n'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            _baseline('{"path": "post.md", "rule": "r", "fingerprint": "f", "count": Infinity}'),
            "base.json:3: findings[1] 'count' must be a whole number from 0 to 1000000000, not Infinity",
        ),
        (
            _baseline('{"path": "post.md", "rule": "r", "fingerprint": "f", "count": ' + "9" * 5000 + "}"),
            "base.json:3: findings[1] 'count' must be a whole number from 0 to 1000000000, not 999999999999... (5000 characters)",
        ),
        (
            _baseline('{"path": "post.md", "rule": "r", "fingerprint": "f", "count": -1}'),
            "base.json:3: findings[1] 'count' must be a whole number from 0 to 1000000000, not -1",
        ),
        (
            _baseline('{"path": ["x"], "rule": "r", "fingerprint": "f"}'),
            "base.json:3: findings[1] needs 'path' (a string), not ['x']",
        ),
        (_baseline("5"), "base.json:3: findings[1] must be an object with path, rule, fingerprint and count, not 5"),
        ('{"clinic-lint-baseline": 1,\n "findings": 5}\n', "base.json:2: 'findings' must be a list, not 5"),
        (
            '{"clinic-lint-baseline": 1,\n "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "base.json:2: baseline nests deeper than 100 levels",
        ),
    ],
)
def test_damaged_baseline_is_exit_2_with_file_and_line(capsys, content: str, message: str) -> None:
    Path("post.md").write_text(RISKY, encoding="utf-8")
    Path("base.json").write_text(content, encoding="utf-8")
    code, _, err = check(capsys, "--baseline", "base.json", "post.md")
    assert code == 2
    assert errors(err) == [f"clinic-lint: error: {message}"]


@pytest.mark.parametrize(
    ("template", "shown"),
    [
        ("{match:%}", "{match:%} takes no conversion (!) or format (:) after its name"),
        ("{match!z}", "{match!z} takes no conversion (!) or format (:) after its name"),
        ("{match:>99999999999999999999}", "{match:>99999999999999999999} takes no conversion"),
        ("{match:>" + "9" * 500 + "}", "{match:>" + "9" * 30 + "...} takes no conversion"),
        ("{match.__class__}", "{match.__class__}: a field name or its fallback cannot hold"),
        ("{product_name|the treatment.}", "{product_name|the treatment.}: a field name or its fallback cannot hold"),
        ("{" + "x" * 500 + "}", "{" + "x" * 37 + "...} is not {match}"),
    ],
)
def test_message_templates_that_would_fail_at_the_first_match_are_exit_2(capsys, template: str, shown: str) -> None:
    pack = STARTER.read_text(encoding="utf-8")
    start = pack.index("    message:", pack.index("id: starter-safe"))
    end = pack.index("\n", start)
    Path("pack.yaml").write_text(pack[:start] + f"    message: '{template}'" + pack[end:], encoding="utf-8")
    Path("post.md").write_text(RISKY, encoding="utf-8")
    code = main(["check", "--no-default-packs", "--pack", "pack.yaml", "post.md"])
    err = capsys.readouterr().err
    line = pack[:start].count("\n") + 1
    assert code == 2
    assert errors(err)[0].startswith(f"clinic-lint: error: pack.yaml:{line}:"), err
    assert shown in err and len(errors(err)[0]) < 250


# --------------------------------------------------------------------------- 14: unreadable directories


def test_unreadable_directory_is_reported(capsys, monkeypatch) -> None:
    os.makedirs("site/locked")
    Path("site/locked/post.md").write_text(RISKY, encoding="utf-8")
    Path("site/open.md").write_text(RISKY, encoding="utf-8")
    real = os.scandir

    def scandir(path="."):  # what a directory without read permission does (root would read it anyway)
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = check(capsys, "--format", "json", "site")
    assert code == 3
    assert errors(err) == ["clinic-lint: error: site/locked: cannot read directory: Permission denied"]
    assert {f["path"] for f in json.loads(out)["findings"]} == {"site/open.md"}


def test_directory_deeper_than_path_max_is_reported(capsys) -> None:
    fd = os.open(".", os.O_RDONLY)
    try:
        for i in range(18):  # 18 x 241 characters: past Linux's PATH_MAX of 4096
            name = chr(ord("a") + i) * 240
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        post = os.open("post.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(post, RISKY.encode())
        os.close(post)
    finally:
        os.close(fd)
    code, _, err = check(capsys, ".")
    assert code == 3
    assert len(errors(err)) == 1 and errors(err)[0].endswith(": cannot read directory: File name too long")


# --------------------------------------------------------------------------- 15: regex-timeout range


@pytest.mark.parametrize("value", [".inf", "1e300", ".nan", "0", "601", "-1"])
def test_regex_timeout_out_of_range_is_exit_2(capsys, value: str) -> None:
    Path("post.md").write_text(RISKY, encoding="utf-8")
    Path(".clinic-lint.yaml").write_text(f"regex-timeout: {value}\n", encoding="utf-8")
    code, _, err = check(capsys, "post.md")
    assert code == 2
    assert errors(err)[0].startswith("clinic-lint: error: .clinic-lint.yaml:1:16: 'regex-timeout' must be a positive")
    assert "at most 600" in err


def test_regex_timeout_in_range_is_accepted(capsys) -> None:
    Path("post.md").write_text(RISKY, encoding="utf-8")
    Path(".clinic-lint.yaml").write_text("regex-timeout: 600\n", encoding="utf-8")
    assert check(capsys, "post.md")[0] == 1


# --------------------------------------------------------------------------- 16: comments, UTF-16, CR-only


@pytest.mark.parametrize("name", ["page.html", "page.md"])
def test_unclosed_html_comment_hides_the_rest_of_the_page(capsys, name: str) -> None:
    Path(name).write_text(
        "<p>It is completely safe.</p>\n<!-- draft:\n<p>Also completely safe.</p>\n", encoding="utf-8"
    )
    code, out, _ = check(capsys, "--format", "json", name)
    assert code == 1
    assert [f["line"] for f in json.loads(out)["findings"]] == [1]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_bom_are_linted(capsys, encoding: str) -> None:
    Path("post.txt").write_bytes(("Café.\n" + RISKY).encode(encoding))
    code, out, err = check(capsys, "--format", "json", "post.txt")
    assert code == 1, err
    assert [(f["line"], f["column"]) for f in json.loads(out)["findings"]] == [(2, 15), (4, 7)]
    assert decode(("Café.\n" + RISKY).encode(encoding), "p").encoding == encoding


def test_binary_with_nul_bytes_is_still_skipped(capsys) -> None:
    Path("blob.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\x00" * 50)
    code, _, err = check(capsys, "blob.txt")
    assert code == 0 and "blob.txt: binary file skipped" in err


def test_cr_only_line_ends_give_the_real_lines(capsys) -> None:
    Path("post.txt").write_bytes(RISKY.replace("\n", "\r").encode())
    code, out, _ = check(capsys, "--format", "json", "post.txt")
    assert code == 1
    assert [(f["line"], f["column"]) for f in json.loads(out)["findings"]] == [(1, 15), (3, 7)]
    code, _, _ = check(capsys, "--fix", "post.txt")
    assert Path("post.txt").read_bytes() == FIXED.replace("\n", "\r").encode()


# --------------------------------------------------------------------------- 17: the report cannot be written


def test_full_disk_on_standard_output_is_exit_3_with_one_line(in_tmp: Path) -> None:
    Path("post.md").write_text(RISKY, encoding="utf-8")
    with open("/dev/full", "wb") as full:
        done = cli("check", *SMALL, "post.md", stdout=full, stderr=subprocess.PIPE, capture_output=False)
    assert done.returncode == 3
    assert done.stderr.decode().splitlines() == [
        "clinic-lint: error: cannot write the report to standard output: No space left on device"
    ]


def test_closed_standard_output_is_exit_3_with_one_line(in_tmp: Path) -> None:
    Path("post.md").write_text(RISKY, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "lint", "check", *SMALL, "post.md"],
        stderr=subprocess.PIPE, timeout=120, preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert done.returncode == 3
    assert done.stderr.decode().splitlines() == [
        "clinic-lint: error: cannot write the report: standard output is closed (use --output FILE)"
    ]


@pytest.mark.parametrize("fmt", ["text", "sarif"])
def test_a_broken_pipe_never_turns_a_failing_run_into_exit_0(in_tmp: Path, fmt: str) -> None:
    for i in range(50):
        Path(f"p{i}.md").write_text(RISKY, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "lint", "check", *SMALL, "--format", fmt, "."],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    proc.stdout.close()  # the reader goes away before the report is written (`| head -0`)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 3
    assert [line for line in err.splitlines() if "compiling" not in line] == [
        "clinic-lint: error: cannot write the report to standard output: the reader closed the pipe"
    ]


def test_output_file_on_a_full_disk(capsys) -> None:
    Path("post.md").write_text(RISKY, encoding="utf-8")
    code, _, err = check(capsys, "--output", "/dev/full", "post.md")
    assert code == 3
    assert errors(err) == ["clinic-lint: error: cannot write the report to /dev/full: No space left on device"]


# --------------------------------------------------------------------------- 18: the cache runs no planted code


class _Planted:
    def __reduce__(self):
        return (os.mkdir, ("planted-code-ran",))


def test_a_planted_cache_entry_is_never_unpickled(in_tmp: Path, monkeypatch) -> None:
    monkeypatch.setenv("CLINIC_LINT_CACHE_DIR", str(in_tmp / "cache"))
    monkeypatch.setenv("CLINIC_LINT_CACHE_KEY", str(in_tmp / "key" / "cache-key"))
    cache.store("rules", "abc", {"value": 1})
    assert cache.load("rules", "abc") == {"value": 1}
    entry = in_tmp / "cache" / "rules-abc.pickle"
    payload = pickle.dumps((cache.MAGIC, "abc", _Planted()))
    genuine = entry.read_bytes()
    tampered = genuine[:-5] + bytes([genuine[-5] ^ 1]) + genuine[-4:]
    for planted in (payload, cache.HEADER + b"\0" * 32 + payload, tampered):
        entry.write_bytes(planted)
        assert cache.load("rules", "abc") is None
        assert not entry.exists()  # removed, and rebuilt by the next run
    assert not Path("planted-code-ran").exists()
    assert stat.S_IMODE(os.stat(in_tmp / "key" / "cache-key").st_mode) == 0o600


def test_a_tampered_cache_entry_is_refused_and_the_packs_compiled_again(in_tmp: Path, capsys, monkeypatch) -> None:
    """End to end: a run after someone replaced the compiled rule set (keeping the genuine header and MAC) or
    flipped one byte of it compiles the packs again, reports exactly what a clean run reports, runs none of the
    planted code, and leaves a genuine entry that the next run uses."""
    from lint import packs

    monkeypatch.setenv("CLINIC_LINT_CACHE_DIR", str(in_tmp / "cache"))
    monkeypatch.setenv("CLINIC_LINT_CACHE_KEY", str(in_tmp / "key" / "cache-key"))
    Path("post.md").write_text(RISKY, encoding="utf-8")
    code, clean, err = check(capsys, "--format", "json", "post.md")
    assert code == 1 and "compiling rule packs" in err
    (entry,) = (in_tmp / "cache").glob("rules-*.pickle")
    digest = entry.stem.removeprefix("rules-")
    genuine = entry.read_bytes()
    mac_end = len(cache.HEADER) + 32
    planted = genuine[:mac_end] + pickle.dumps((cache.MAGIC, digest, _Planted()))
    flipped = genuine[:-100] + bytes([genuine[-100] ^ 0x40]) + genuine[-99:]
    for tampered in (planted, flipped):
        entry.write_bytes(tampered)
        code, out, err = check(capsys, "--format", "json", "post.md")
        assert (code, out) == (1, clean)
        assert "compiling rule packs" in err  # refused, so compiled again
        assert not Path("planted-code-ran").exists()
        assert isinstance(cache.load("rules", digest), packs.RuleSet)  # a genuine entry again
        code, out, err = check(capsys, "--format", "json", "post.md")
        assert (code, out) == (1, clean) and "compiling" not in err  # and the next run uses it


@pytest.mark.parametrize("mode", [0o666, 0o644, 0o640, 0o600])
def test_a_key_others_can_read_or_write_disables_the_cache(in_tmp: Path, monkeypatch, mode: int) -> None:
    """Whoever can read the key can sign a planted entry; whoever can write it can choose it."""
    monkeypatch.setenv("CLINIC_LINT_CACHE_DIR", str(in_tmp / "cache"))
    monkeypatch.setenv("CLINIC_LINT_CACHE_KEY", str(in_tmp / f"key-{mode:o}"))  # keys are read once per process
    Path(f"key-{mode:o}").write_bytes(b"k" * 32)
    os.chmod(f"key-{mode:o}", mode)
    cache.store("rules", "abc", {"value": 1})
    private = mode == 0o600
    assert (in_tmp / "cache" / "rules-abc.pickle").exists() == private
    assert cache.load("rules", "abc") == ({"value": 1} if private else None)


# --------------------------------------------------------------------------- 19: reserved names


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "name: starter",
            "name: clinic-lint",
            "pack.yaml:{line}: the pack name 'clinic-lint' is reserved for clinic-lint itself",
        ),
        (
            "id: starter-safe",
            "id: unused-suppression",
            "pack.yaml:{line}: the rule id 'unused-suppression' is reserved for clinic-lint's own findings",
        ),
    ],
)
def test_a_pack_cannot_take_clinic_lints_own_names(capsys, old: str, new: str, message: str) -> None:
    pack = STARTER.read_text(encoding="utf-8")
    assert old in pack
    line = pack[: pack.index(old)].count("\n") + 1
    Path("pack.yaml").write_text(pack.replace(old, new, 1), encoding="utf-8")
    Path("post.md").write_text(RISKY, encoding="utf-8")
    code = main(["check", "--no-default-packs", "--pack", "pack.yaml", "post.md"])
    err = capsys.readouterr().err
    assert code == 2
    assert errors(err) == [f"clinic-lint: error: {message.format(line=line)}"]


# --------------------------------------------------------------------------- helpers


def test_deep_line_ignores_brackets_in_strings() -> None:
    from lint.inputs import deep_line

    assert deep_line('a = "[[[["\n' + "b = " + "[" * 5 + "]" * 5, limit=4) == 2
    assert deep_line("x = '[[[[[[[['\n", limit=4) is None


def test_read_regular_stops_at_the_limit(in_tmp: Path) -> None:
    from lint.inputs import TooLarge, read_regular

    Path("f").write_bytes(b"x" * 10)
    assert read_regular("f", 10) == b"x" * 10
    with pytest.raises(TooLarge):
        read_regular("f", 9)


def test_source_text_round_trip_of_utf16_without_bom() -> None:
    text = "Completely safe.\r\n"
    source = decode(text.encode("utf-16-le"), "p")
    assert source == SourceText(text, "utf-16-le", b"", "\r\n")
    assert source.encode(text) == text.encode("utf-16-le")


# --------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parts=st.lists(
        st.sampled_from(["Intro", "words here", "\n", "\r", "\r\n", "\x0c", "\x0b", "\x85", "\u2028", "\u2029", " "]),
        max_size=12,
    ),
    bom=st.booleans(),
)
def test_diff_applies_whatever_the_line_separators(capsys, in_tmp: Path, parts: list[str], bom: bool) -> None:
    raw = ("\ufeff" if bom else "") + "".join(parts) + "Ketamine is a Category III drug." + "".join(reversed(parts))
    Path("post.txt").write_bytes(raw.encode("utf-8"))
    code, out, err = check(capsys, "--diff", "post.txt")
    assert code == 1 and out, err
    Path("fix.patch").write_bytes(out.encode("utf-8"))
    subprocess.run(["git", "apply", "fix.patch"], check=True, cwd=in_tmp, capture_output=True)
    assert Path("post.txt").read_bytes() == raw.replace("Category III", "Schedule III").encode("utf-8")


@given(name=st.binary(min_size=1, max_size=30), text=st.text(max_size=30))
def test_safe_text_always_encodes_and_a_file_name_comes_back(name: bytes, text: str) -> None:
    from lint.safetext import safe, unsafe_path

    decoded = os.fsdecode(name)
    safe(decoded).encode("utf-8")
    safe(text + "\ud800" + text).encode("utf-8")
    if b"\\" not in name:
        assert unsafe_path(safe(decoded)) == decoded
    if not any("\ud800" <= c <= "\udfff" for c in text):
        assert safe(text) == text
