"""The command line: every option of ``check``, the other commands, every exit code, config discovery and
standard input. Tests call ``lint.cli.main`` and look at the exit code and the one-line messages."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from lint import __version__, runner
from lint.cli import main
from lint.packs import load_rule_set

STARTER = Path(__file__).parent / "fixtures" / "packs" / "starter.yaml"
SMALL = ["--no-default-packs", "--pack", str(STARTER)]
RISKY = "Ketamine is a Category III drug.\n\nIt is completely safe.\n"
CLEAN = "Flu shots are available on Mondays.\n"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("CLINIC_LINT_DEBUG", raising=False)
    Path("risky.txt").write_text(RISKY, encoding="utf-8")
    Path("clean.txt").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run(capsys, "check", *SMALL, *args)


def rules_of(out: str) -> list[str]:
    return [f["rule"] for f in json.loads(out)["findings"]]


# --------------------------------------------------------------------------- exit codes


def test_exit_0_when_clean(capsys) -> None:
    check(capsys, "clean.txt")  # the first run of a session may say on stderr that it compiles the packs
    code, out, err = check(capsys, "clean.txt")
    assert (code, err) == (0, "")
    assert out == "No problems found in 1 file.\n"


def test_exit_1_with_findings(capsys) -> None:
    code, out, _ = check(capsys, "risky.txt")
    assert code == 1
    assert out.splitlines()[0] == (
        "risky.txt:1:15: error starter-category-schedule Controlled substances are placed in DEA schedules; "
        '"Category III drug" is not a legal status.'
    )
    assert out.splitlines()[-1] == "Found 2 problems (1 error, 1 warning) in 1 of 1 file."


def test_exit_3_when_a_file_cannot_be_checked_even_with_findings_elsewhere(capsys) -> None:
    code, _, err = check(capsys, "risky.txt", "missing.txt")
    assert code == 3
    assert err == "clinic-lint: error: missing.txt: no such file or directory\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--jobs", "-1", "clean.txt"], "clinic-lint: error: --jobs must be 0 (one per core) or more"),
        (["check", "--stdin-filename", "x.md", "clean.txt"],
         "clinic-lint: error: --stdin-filename needs the path - (standard input)"),
        (["check", "--no-default-packs", "clean.txt"],
         "clinic-lint: error: no rule packs to load (--no-default-packs without --pack)"),
        (["check", *SMALL, "--select", "nonsense", "clean.txt"],
         "clinic-lint: error: --select: unknown rule 'nonsense': not a rule id, category or pack name "
         "(see `clinic-lint rules`)"),
        (["check", *SMALL, "--ignore", "nonsense", "clean.txt"],
         "clinic-lint: error: --ignore: unknown rule 'nonsense': not a rule id, category or pack name "
         "(see `clinic-lint rules`)"),
        (["check", "--config", "nowhere.yaml", "clean.txt"], "clinic-lint: error: nowhere.yaml: config file not found"),
        (["check", *SMALL, "--pack", "nowhere.yaml", "clean.txt"], "clinic-lint: error: nowhere.yaml: pack not found"),
        (["explain", *SMALL, "nope"],
         "clinic-lint: error: 'nope' is not a rule id, category, vocabulary, product or context modifier "
         "(see `clinic-lint rules`)"),
    ],
)  # fmt: skip
def test_exit_2_for_usage_errors_with_one_line(capsys, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.splitlines() == [message]


@pytest.mark.parametrize(
    "argv",
    [[], ["check", "--format", "yaml"], ["check", "--bogus"], ["frobnicate"], ["check", "--jobs", "two"]],
)
def test_exit_2_for_argparse_errors(capsys, argv: list[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "error:" in err and "Traceback" not in err


def test_exit_4_for_an_internal_error_in_one_line(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(runner, "lint_source", broken)
    code, _, err = check(capsys, "clean.txt", "risky.txt")
    assert code == 4  # a bug on a file is reported as that file's one line; the other files are still checked
    assert err.splitlines() == [
        "clinic-lint: error: clean.txt: not checked: internal error: ZeroDivisionError: simulated bug "
        "(set CLINIC_LINT_DEBUG=1 for details)",
        "clinic-lint: error: risky.txt: not checked: internal error: ZeroDivisionError: simulated bug "
        "(set CLINIC_LINT_DEBUG=1 for details)",
    ]


def test_debug_variable_shows_the_traceback(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "lint_source", lambda *a, **k: 1 / 0)
    monkeypatch.setenv("CLINIC_LINT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["check", *SMALL, "clean.txt"])


def test_version_and_help(capsys) -> None:
    assert run(capsys, "--version") == (0, f"clinic-lint {__version__}\n", "")
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0 and "--encoding-errors" in out and "--no-cache" in out


# --------------------------------------------------------------------------- options of check


@pytest.mark.parametrize("fmt", ["text", "json", "json-lines", "sarif", "github", "junit"])
def test_every_format_reports_the_findings(capsys, fmt: str) -> None:
    code, out, err = check(capsys, "--format", fmt, "risky.txt")
    assert code == 1, err
    assert "starter-safe" in out


def test_output_file(capsys) -> None:
    code, out, _ = check(capsys, "--format", "json", "--output", "report.json", "risky.txt")
    assert (code, out) == (1, "")
    assert rules_of(Path("report.json").read_text(encoding="utf-8")) == [
        "starter-category-schedule",
        "starter-safe",
    ]


def test_output_file_that_cannot_be_written(capsys) -> None:
    Path("dir").mkdir()
    code, _, err = check(capsys, "--output", "dir", "risky.txt")
    assert code == 2
    assert err.startswith("clinic-lint: error: dir: cannot write report:")


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--select", "starter-safe", ["starter-safe"]),
        ("--select", "regulatory-claim", ["starter-category-schedule"]),
        ("--select", "starter", ["starter-category-schedule", "starter-safe"]),
        ("--ignore", "starter-safe", ["starter-category-schedule"]),
        ("--ignore", "safety-claim,regulatory-claim", []),
    ],
)
def test_select_and_ignore_by_id_category_or_pack(capsys, option: str, value: str, expected: list[str]) -> None:
    _, out, _ = check(capsys, "--format", "json", option, value, "risky.txt")
    assert rules_of(out) == expected


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1)])
def test_fail_on(capsys, fail_on: str, code: int) -> None:
    assert check(capsys, "--fail-on", fail_on, "risky.txt")[0] == code


def test_fail_on_error_passes_with_warnings_only(capsys) -> None:
    assert check(capsys, "--fail-on", "error", "--select", "starter-safe", "risky.txt")[0] == 0


def test_statistics(capsys) -> None:
    code, out, _ = check(capsys, "--statistics", "risky.txt")
    assert code == 1
    assert "Findings per rule:" in out and "     1  starter-safe" in out
    assert "Findings per category:" in out and "     1  safety-claim" in out


def test_statistics_go_to_stderr_with_a_machine_format(capsys) -> None:
    _, out, err = check(capsys, "--statistics", "--format", "json", "risky.txt")
    json.loads(out)
    assert "Findings per rule:" in err


def test_color(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\033[" in check(capsys, "--color", "always", "risky.txt")[1]
    assert "\033[" not in check(capsys, "--color", "never", "risky.txt")[1]
    assert "\033[" not in check(capsys, "risky.txt")[1]  # auto: not a terminal


def test_default_path_is_the_current_directory(capsys) -> None:
    code, out, _ = check(capsys, "--format", "json")
    assert code == 1
    assert {f["path"] for f in json.loads(out)["findings"]} == {"./risky.txt"}


# --------------------------------------------------------------------------- standard input


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_with_a_file_name_takes_its_format(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"# Title\n\nIt is **completely safe**.\n")
    code, out, _ = check(capsys, "--format", "json", "--stdin-filename", "post.md", "-")
    assert code == 1
    [finding] = json.loads(out)["findings"]
    assert (finding["path"], finding["line"], finding["column"], finding["match"]) == (
        "post.md",
        3,
        9,
        "completely safe",
    )


def test_stdin_without_a_name_is_plain_text(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, RISKY.encode())
    code, out, _ = check(capsys, "--format", "json", "-")
    assert code == 1
    assert {f["path"] for f in json.loads(out)["findings"]} == {"-"}


def test_stdin_with_invalid_utf8(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"caf\xe9")
    code, _, err = check(capsys, "--stdin-filename", "post.md", "-")
    assert code == 3
    assert err.startswith("clinic-lint: error: post.md: invalid UTF-8 at byte 3")


# --------------------------------------------------------------------------- configuration


def test_config_is_found_walking_up(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".clinic-lint.yaml").write_text(f"default-packs: false\npacks: [{STARTER}]\nignore: [starter-safe]\n")
    Path("blog/2024").mkdir(parents=True)
    Path("blog/2024/post.txt").write_text(RISKY, encoding="utf-8")
    monkeypatch.chdir("blog/2024")
    _, out, _ = run(capsys, "check", "--format", "json", "post.txt")
    assert rules_of(out) == ["starter-category-schedule"]


def test_pyproject_table(capsys) -> None:
    Path("pyproject.toml").write_text(
        f'[project]\nname = "site"\n\n[tool.clinic-lint]\ndefault-packs = false\npacks = ["{STARTER}"]\n'
        'select = ["starter-safe"]\n'
    )
    _, out, _ = run(capsys, "check", "--format", "json", "risky.txt")
    assert rules_of(out) == ["starter-safe"]


def test_a_pyproject_without_the_table_is_passed_over(capsys) -> None:
    Path("pyproject.toml").write_text('[project]\nname = "site"\n')
    Path(".clinic-lint.yaml").unlink(missing_ok=True)
    code, out, _ = check(capsys, "--format", "json", "risky.txt")
    assert code == 1 and len(rules_of(out)) == 2


def test_explicit_config_wins_over_discovery(capsys) -> None:
    Path(".clinic-lint.yaml").write_text("ignore: [starter-safe]\n")
    Path("other.yaml").write_text("ignore: [starter-category-schedule]\n")
    _, out, _ = check(capsys, "--format", "json", "--config", "other.yaml", "risky.txt")
    assert rules_of(out) == ["starter-safe"]


def test_command_line_wins_over_config(capsys) -> None:
    Path(".clinic-lint.yaml").write_text("fail-on: error\nselect: [starter-safe]\n")
    code, out, _ = check(
        capsys,
        "--format",
        "json",
        "--select",
        "starter-category-schedule",
        "--fail-on",
        "warning",
        "risky.txt",
    )
    assert code == 1 and rules_of(out) == ["starter-category-schedule"]


def test_config_paths_are_relative_to_the_config_file(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    Path("conf/packs").mkdir(parents=True)
    Path("conf/packs/mine.yaml").write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
    Path("conf/lint.yaml").write_text("default-packs: false\npacks: [packs/mine.yaml]\n")
    code, out, err = run(capsys, "check", "--config", "conf/lint.yaml", "--format", "json", "risky.txt")
    assert code == 1, err
    assert len(rules_of(out)) == 2


def test_config_severity_and_per_path_ignores(capsys) -> None:
    Path("drafts").mkdir()
    Path("drafts/risky.txt").write_text(RISKY, encoding="utf-8")
    Path(".clinic-lint.yaml").write_text(
        "severity: {starter-safe: error, regulatory-claim: info}\nper-path-ignores: {'drafts/*': [starter]}\n"
    )
    code, out, _ = check(capsys, "--format", "json", ".")
    findings = json.loads(out)["findings"]
    assert [(f["path"], f["rule"], f["severity"]) for f in findings] == [
        ("./risky.txt", "starter-category-schedule", "info"),
        ("./risky.txt", "starter-safe", "error"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("colour: never\n", ".clinic-lint.yaml:1:1: unknown key 'colour' (known: "),
        ("jobs: many\n", ".clinic-lint.yaml:1:7: 'jobs' must be a whole number (0 = one per core)"),
        ("fail-on: fatal\n", ".clinic-lint.yaml:1:10: 'fail-on' must be one of info, warning, error, not 'fatal'"),
        ("regex-timeout: -1\n", ".clinic-lint.yaml:1:16: 'regex-timeout' must be a positive number of seconds"),
        ("- a\n- list\n", ".clinic-lint.yaml:1:1: the config must be a mapping of settings"),
        ("ignore: [\n", ".clinic-lint.yaml:2:1: YAML syntax error:"),
    ],
)
def test_bad_config_is_exit_2(capsys, content: str, message: str) -> None:
    Path(".clinic-lint.yaml").write_text(content)
    code, _, err = check(capsys, "clean.txt")
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith(f"clinic-lint: error: {Path.cwd() / message}") or err.startswith(
        f"clinic-lint: error: {message}"
    )


def test_unknown_key_in_pyproject_is_exit_2(capsys) -> None:
    Path("pyproject.toml").write_text("[tool.clinic-lint]\nselct = ['starter-safe']\n")
    code, _, err = check(capsys, "clean.txt")
    assert code == 2
    assert "unknown key 'selct'" in err


# --------------------------------------------------------------------------- the other commands


def test_rules_text_and_json(capsys) -> None:
    code, out, _ = run(capsys, "rules", *SMALL)
    assert code == 0 and out.splitlines()[-1].startswith("2 rules in 1 packs;")
    code, out, _ = run(capsys, "rules", "--format", "json", *SMALL)
    assert code == 0 and [r["id"] for r in json.loads(out)] == ["starter-category-schedule", "starter-safe"]


def test_explain(capsys) -> None:
    code, out, _ = run(capsys, "explain", *SMALL, "starter-safe")
    assert code == 0 and "starter-safe" in out
    code, out, _ = run(capsys, "explain", *SMALL, "starter-category-schedule")
    assert code == 0 and "  - category <roman-numeral> <schedule-noun>" in out
    assert "[[Category III drug]]" in out and "Category 3 hurricane" in out  # its examples
    code, out, _ = run(capsys, "explain", *SMALL, "roman-numeral")  # a vocabulary, and the rules using it
    assert code == 0 and "  - iii" in out and "Used by: starter-category-schedule" in out
    code, out, _ = run(capsys, "explain", *SMALL, "negated")  # a context modifier
    assert code == 0 and out.startswith("negated: ")


def test_test_rules(capsys) -> None:
    code, out, _ = run(capsys, "test-rules", *SMALL)
    assert code == 0
    # the pack's 12 examples, and those of the assertion-context lexicon, which run with every pack
    context = load_rule_set([STARTER]).context
    n = 12 + sum(len(m.applies) + len(m.does_not_apply) for m in context.modifiers.values())
    assert out.strip() == f"OK: 2 rules, {n} examples, {n} passed, 0 failed"


def test_test_rules_reports_a_failing_example(capsys) -> None:
    broken = STARTER.read_text(encoding="utf-8").replace('"Category 3 hurricane"', '"a Category II drug"')
    Path("broken.yaml").write_text(broken, encoding="utf-8")
    code, out, _ = run(capsys, "test-rules", "--no-default-packs", "--pack", "broken.yaml")
    assert code == 1
    assert "FAIL starter/starter-category-schedule good[1]: unexpected finding" in out
    assert out.splitlines()[-1].startswith("FAILED: 2 rules,") and out.splitlines()[-1].endswith("1 failed")


def test_the_shipped_packs_load_and_pass_their_own_examples(capsys) -> None:
    code, out, err = run(capsys, "test-rules")
    assert code == 0, out[-3000:] + err
