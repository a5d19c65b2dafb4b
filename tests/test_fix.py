"""--diff, --fix and --unsafe-fixes: what is changed, how it is written, and what is reported after."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from lint.cli import main
from lint.fix import Edit, apply_edits, choose, match_case, unified_diff

DATA = Path(__file__).parent / "data"
PACK = ["--no-default-packs", "--pack", str(DATA / "workflow-pack.yaml")]
POST = "Intro.\n\nKetamine is a Category III drug and completely safe.\n\nA miracle, really.\n"
SAFE_FIXED = POST.replace("Category III drug", "Schedule III drug")  # the fix rewrites the whole match
ALL_FIXED = SAFE_FIXED.replace("completely safe", "generally well tolerated")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text(POST, encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *PACK, *args])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- --diff


def test_diff_prints_every_replacement_and_changes_nothing(capsys) -> None:
    before = os.stat("a.txt")
    code, out, err = run(capsys, "--diff", "a.txt")
    assert code == 1  # as for check
    assert out == (
        "--- a/a.txt\n+++ b/a.txt\n@@ -1,5 +1,5 @@\n Intro.\n \n"
        "-Ketamine is a Category III drug and completely safe.\n"
        "+Ketamine is a Schedule III drug and generally well tolerated.\n"
        " \n A miracle, really.\n"
    )  # the unsafe replacement is shown too
    assert "a.txt:3:15: error wf-schedule" in err  # the report moves to stderr
    assert Path("a.txt").read_text(encoding="utf-8") == POST
    assert os.stat("a.txt").st_mtime_ns == before.st_mtime_ns


def test_diff_applies_with_git_apply(capsys, in_tmp: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.fail("git is needed to check the diff applies")
    Path("b.txt").write_text("No fixes here, a miracle.\n", encoding="utf-8")
    _, out, _ = run(capsys, "--diff", "a.txt", "b.txt")
    Path("fix.patch").write_text(out, encoding="utf-8")
    subprocess.run([git, "apply", "fix.patch"], check=True, cwd=in_tmp)
    assert Path("a.txt").read_text(encoding="utf-8") == ALL_FIXED


def test_diff_with_report_file_and_no_fixes(capsys) -> None:
    Path("b.txt").write_text("A miracle.\n", encoding="utf-8")
    code, out, err = run(capsys, "--diff", "--output", "report.txt", "b.txt")
    assert (code, out) == (0, "")
    assert "wf-miracle" in Path("report.txt").read_text(encoding="utf-8")


def test_diff_marks_a_missing_final_newline() -> None:
    diff = unified_diff("x.txt", "a Category III drug", "a Schedule III drug")
    assert diff.endswith("+a Schedule III drug\n\\ No newline at end of file\n")


def test_diff_on_stdin(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(POST.encode())))
    code, out, _ = run(capsys, "--diff", "--stdin-filename", "posts/x.md", "-")
    assert code == 1
    assert out.startswith("--- a/posts/x.md\n+++ b/posts/x.md\n")


# --------------------------------------------------------------------------- --fix


def test_fix_applies_safe_fixes_and_reports_what_remains(capsys) -> None:
    code, out, _ = run(capsys, "--fix", "a.txt")
    assert Path("a.txt").read_text(encoding="utf-8") == SAFE_FIXED
    assert code == 1  # the unsafe one is left, and it is a warning
    assert "wf-schedule" not in out
    assert "a.txt:3:37: warning wf-safe" in out  # positions of the fixed text
    assert "Fixed 1." in out


def test_unsafe_fixes(capsys) -> None:
    code, out, _ = run(capsys, "--fix", "--unsafe-fixes", "a.txt")
    assert Path("a.txt").read_text(encoding="utf-8") == ALL_FIXED
    assert code == 0  # only the info finding (no fix) remains
    assert "a.txt:5:3: info wf-miracle" in out and "Fixed 2." in out


def test_overlapping_fixes_apply_one_and_leave_the_rest(capsys) -> None:
    Path("b.txt").write_text("Guaranteed results for all.\n", encoding="utf-8")
    code, out, _ = run(capsys, "--fix", "b.txt")
    # earliest wins, then the longer; the capital of the sentence start is kept
    assert Path("b.txt").read_text(encoding="utf-8") == "Results vary for all.\n"
    assert "Fixed 1." in out and code == 0


def test_choose_skips_overlaps_and_duplicates() -> None:
    a, b = Edit(0, 10, "x", "r1"), Edit(0, 18, "y", "r2")
    c, d = Edit(15, 20, "z", "r3"), Edit(20, 25, "w", "r4")
    assert choose([a, b, c, d, d]) == [b, d]
    assert apply_edits("0123456789abcdefghijklmnopq", [b, d], "\n") == "y" + "ij" + "w" + "pq"


def test_replacement_line_breaks_follow_the_file() -> None:
    assert apply_edits("a X b", [Edit(2, 3, "1\n2", "r")], "\r\n") == "a 1\r\n2 b"
    assert match_case("Guaranteed", "results vary") == "Results vary"
    assert match_case("guaranteed", "Results") == "Results"


def test_file_without_fixes_is_not_touched(capsys) -> None:
    Path("b.txt").write_text("A miracle.\n", encoding="utf-8")
    before = os.stat("b.txt")
    code, out, _ = run(capsys, "--fix", "--unsafe-fixes", "b.txt")
    after = os.stat("b.txt")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert code == 0 and "Fixed" not in out


@pytest.mark.parametrize(
    ("encoding", "bom", "newline"),
    [
        ("utf-8", b"", "\r\n"),
        ("utf-8", b"\xef\xbb\xbf", "\n"),
        ("utf-16-le", b"\xff\xfe", "\r\n"),
        ("utf-16-be", b"\xfe\xff", "\n"),
    ],
)
def test_fix_keeps_encoding_bom_and_line_endings(capsys, encoding: str, bom: bytes, newline: str) -> None:
    text = "Caf\u00e9 notes.\n\nIt is a Category II substance.\n".replace("\n", newline)
    Path("b.txt").write_bytes(bom + text.encode(encoding))
    code, out, _ = run(capsys, "--fix", "b.txt")
    assert code == 0 and "Fixed 1." in out
    assert Path("b.txt").read_bytes() == bom + text.replace("Category II", "Schedule II").encode(encoding)


def test_fix_keeps_the_file_mode(capsys) -> None:
    os.chmod("a.txt", 0o640)
    run(capsys, "--fix", "a.txt")
    assert stat.S_IMODE(os.stat("a.txt").st_mode) == 0o640
    assert Path("a.txt").read_text(encoding="utf-8") == SAFE_FIXED


def test_fix_through_a_symlink_rewrites_the_target(capsys) -> None:
    os.symlink("a.txt", "link.txt")
    run(capsys, "--fix", "link.txt")
    assert Path("link.txt").is_symlink()
    assert Path("a.txt").read_text(encoding="utf-8") == SAFE_FIXED


def test_read_only_file_is_left_intact(capsys) -> None:
    os.chmod("a.txt", 0o444)
    try:
        code, out, err = run(capsys, "--fix", "a.txt")
    finally:
        os.chmod("a.txt", 0o644)
    assert code == 3
    assert Path("a.txt").read_text(encoding="utf-8") == POST
    assert err.strip().splitlines() == ["clinic-lint: error: a.txt: cannot fix: the file is read-only"]
    assert "a.txt:3:15: error wf-schedule" in out  # the findings are still reported


def test_failed_write_leaves_the_original_and_no_temporary_file(capsys, monkeypatch, in_tmp: Path) -> None:
    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    code, _, err = run(capsys, "--fix", "a.txt")
    assert code == 3
    assert "a.txt: cannot write: Permission denied" in err
    assert Path("a.txt").read_text(encoding="utf-8") == POST
    assert sorted(p.name for p in in_tmp.iterdir()) == ["a.txt"]


def test_file_decoded_with_replacement_characters_is_not_rewritten(capsys) -> None:
    data = b"Bad byte \xff here.\n\nA Category II substance.\n"
    Path("b.txt").write_bytes(data)
    code, _, err = run(capsys, "--fix", "--encoding-errors", "replace", "b.txt")
    assert code == 3 and "does not round-trip" in err
    assert Path("b.txt").read_bytes() == data


def test_fix_in_markdown_relints_with_the_right_format(capsys) -> None:
    post = "# A Category III drug\n\n*Totally safe* and a **Category IV drug**.\n"
    Path("p.md").write_text(post, encoding="utf-8")
    code, out, _ = run(capsys, "--fix", "p.md")
    assert Path("p.md").read_text(encoding="utf-8") == post.replace("Category", "Schedule")
    assert "p.md:3:2: warning wf-safe" in out


# --------------------------------------------------------------------------- option errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fix", "--diff"], "cannot be used together"),
        (["--unsafe-fixes"], "--unsafe-fixes only works with --fix"),
        (["--fix", "-"], "--fix cannot rewrite standard input"),
    ],
)
def test_option_errors(capsys, args: list[str], message: str) -> None:
    code, _, err = run(capsys, *args, *([] if "-" in args else ["a.txt"]))
    assert code == 2
    assert message in err
    assert Path("a.txt").read_text(encoding="utf-8") == POST


def test_end_to_end_fix_with_the_module(in_tmp: Path) -> None:
    cmd = [sys.executable, "-m", "lint", "check", *PACK, "--fix", "a.txt"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert Path("a.txt").read_text(encoding="utf-8") == SAFE_FIXED


def test_fix_with_parallel_jobs(capsys) -> None:
    for i in range(4):
        Path(f"p{i}.txt").write_text(POST, encoding="utf-8")
    code, out, _ = run(capsys, "--fix", "--jobs", "2", *(f"p{i}.txt" for i in range(4)))
    assert code == 1 and "Fixed 4." in out
    assert all(Path(f"p{i}.txt").read_text(encoding="utf-8") == SAFE_FIXED for i in range(4))
