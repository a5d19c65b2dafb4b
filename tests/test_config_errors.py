"""Mistakes in settings and on the command line: one line naming the config file, line and column of the
mistake (or the option), exit code 2, and "did you mean" for a misspelt key, rule id, category, pack name,
severity, format, option or subcommand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lint.cli import main

STARTER = Path(__file__).parent / "fixtures" / "packs" / "starter.yaml"
SMALL = ["--no-default-packs", "--pack", str(STARTER)]
RISKY = "Ketamine is a Category III drug.\n\nIt is completely safe.\n"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLINIC_LINT_DEBUG", raising=False)
    Path("post.txt").write_text(RISKY, encoding="utf-8")
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, list[str]]:
    """(exit code, stdout, stderr lines less the notice a cold compiled-pack cache prints)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, [line for line in err.splitlines() if "compiling rule packs" not in line]


def test_a_misspelt_rule_in_the_config_names_the_file_line_and_column(capsys) -> None:
    Path(".clinic-lint.yaml").write_text("ignore: [absolute-saftey]\n", encoding="utf-8")
    code, out, err = run(capsys, "check", "post.txt")  # the shipped packs
    assert (code, out) == (2, "")
    assert err == [
        "clinic-lint: error: .clinic-lint.yaml:1:10: ignore: unknown rule 'absolute-saftey' "
        "(did you mean 'absolute-safety'?)"
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("ignore:\n  - starter-safe\n  - starter-saf\n",
         ".clinic-lint.yaml:3:5: ignore: unknown rule 'starter-saf' (did you mean 'starter-safe'?)"),
        ("select: [regulatory-clam]\n",
         ".clinic-lint.yaml:1:10: select: unknown rule 'regulatory-clam' (did you mean 'regulatory-claim'?)"),
        ("select: 'starter-safe, startr'\n",  # a comma-separated string: the value's position
         ".clinic-lint.yaml:1:9: select: unknown rule 'startr' (did you mean 'starter'?)"),
        ("severity:\n  hype: info\n  startr: info\n",
         ".clinic-lint.yaml:3:3: severity: unknown rule 'startr' (did you mean 'starter'?)"),
        ("per-path-ignores:\n  'a/*': [starter-safe, nonsense]\n",
         ".clinic-lint.yaml:2:25: per-path-ignores: unknown rule 'nonsense': not a rule id, category or pack name "
         "(see `clinic-lint rules`)"),
        ("fail-on: error\nselct: [starter-safe]\n",
         ".clinic-lint.yaml:2:1: unknown key 'selct' (did you mean 'select'?)"),
        ("fail-on: warnig\n",
         ".clinic-lint.yaml:1:10: 'fail-on' must be one of info, warning, error, not 'warnig' (did you mean 'warning'?)"),
        ("severity: {starter-safe: eror}\n",
         ".clinic-lint.yaml:1:26: 'severity': severity of 'starter-safe' must be error, warning or info, not 'eror' "
         "(did you mean 'error'?)"),
        ("packs: [lint/missing.yaml]\n",
         ".clinic-lint.yaml:1:9: packs: no such pack file 'lint/missing.yaml' (paths are relative to the config file)"),
        ("exclude: [drafts, 3]\n", ".clinic-lint.yaml:1:19: 'exclude' must be a list of strings"),
        ("per-path-ignores:\n  'a/*': [hype, {x: 1}]\n",
         ".clinic-lint.yaml:2:17: 'per-path-ignores.a/*' must be a list of strings"),
    ],
)  # fmt: skip
def test_config_mistakes_name_their_line_and_column(capsys, config: str, message: str) -> None:
    Path(".clinic-lint.yaml").write_text(config, encoding="utf-8")
    code, out, err = run(capsys, "check", *SMALL, "post.txt")
    assert (code, out) == (2, "")
    assert err == [f"clinic-lint: error: {message}"]


def test_a_misspelt_format_in_extensions(capsys) -> None:
    Path(".clinic-lint.yaml").write_text("extensions:\n  .mdx: markdwn\n", encoding="utf-8")
    code, _, err = run(capsys, "check", *SMALL, "post.txt")
    assert code == 2 and len(err) == 1
    assert err[0].startswith("clinic-lint: error: .clinic-lint.yaml:2:9: 'extensions': format of '.mdx' must be one of")
    assert err[0].endswith(" or off, not 'markdwn' (did you mean 'markdown'?)")


def test_mistakes_in_pyproject_name_the_line_of_their_key(capsys) -> None:
    Path("pyproject.toml").write_text(
        '[project]\nname = "site"\n\n[tool.clinic-lint]\nfail-on = "error"\nselct = ["starter-safe"]\n',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "check", *SMALL, "post.txt")
    assert code == 2
    assert err == ["clinic-lint: error: pyproject.toml:6:1: unknown key 'selct' (did you mean 'select'?)"]
    Path("pyproject.toml").write_text('[tool.clinic-lint]\nfail-on = "error"\n  ignore = ["startr"]\n')
    code, _, err = run(capsys, "check", *SMALL, "post.txt")
    assert err == ["clinic-lint: error: pyproject.toml:3:3: ignore: unknown rule 'startr' (did you mean 'starter'?)"]


def test_a_config_found_elsewhere_is_named_by_its_full_path(capsys, tmp_path: Path, monkeypatch) -> None:
    Path("site").mkdir()
    Path("site/.clinic-lint.yaml").write_text("\n\nignore: [startr]\n", encoding="utf-8")
    Path("site/post.txt").write_text(RISKY, encoding="utf-8")
    Path("elsewhere").mkdir()
    monkeypatch.chdir("elsewhere")
    code, _, err = run(capsys, "check", *SMALL, "../site")
    assert code == 2
    where = tmp_path / "site" / ".clinic-lint.yaml"
    assert err == [f"clinic-lint: error: {where}:3:10: ignore: unknown rule 'startr' (did you mean 'starter'?)"]


def test_the_same_mistake_on_the_command_line_names_the_option(capsys) -> None:
    Path(".clinic-lint.yaml").write_text("ignore: [starter-safe]\n", encoding="utf-8")
    code, _, err = run(capsys, "check", *SMALL, "--ignore", "starter-saf", "post.txt")
    assert code == 2
    assert err == ["clinic-lint: error: --ignore: unknown rule 'starter-saf' (did you mean 'starter-safe'?)"]


@pytest.mark.parametrize(
    ("argv", "last_line"),
    [
        (["check", "--formt", "json", "post.txt"],
         "clinic-lint check: error: unrecognized arguments: --formt (did you mean '--format'?)"),
        (["rules", "--formt=json"],
         "clinic-lint rules: error: unrecognized arguments: --formt=json (did you mean '--format'?)"),
        (["check", "--zzz", "post.txt"], "clinic-lint check: error: unrecognized arguments: --zzz"),
        (["--verison"], "clinic-lint: error: unrecognized arguments: --verison (did you mean '--version'?)"),
    ],
)  # fmt: skip
def test_a_misspelt_option_gets_a_suggestion(capsys, argv: list[str], last_line: str) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err[0].startswith("usage: clinic-lint")
    assert err[-1] == last_line


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["chek", "post.txt"], "check"),
        (["check", "--format", "jsn", "post.txt"], "json"),
        (["check", "--fail-on", "eror", "post.txt"], "error"),
    ],
)
def test_a_misspelt_subcommand_or_choice_gets_a_suggestion(capsys, argv: list[str], suggestion: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "invalid choice" in err[-1] and err[-1].endswith(f"(did you mean '{suggestion}'?)")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["explain", *SMALL, "starter-saf"],
         "clinic-lint: error: 'starter-saf' is not a rule id, category, vocabulary, product or context modifier "
         "(did you mean 'starter-safe'?)"),
        (["test-rules", *SMALL, "startr"],
         "clinic-lint: error: test-rules: 'startr' is neither a pack file nor a loaded pack name "
         "(did you mean 'starter'?)"),
    ],
)  # fmt: skip
def test_misspelt_names_in_other_commands(capsys, argv: list[str], message: str) -> None:
    code, _, err = run(capsys, *argv)
    assert (code, err) == (2, [message])


def test_a_misspelt_suppression_target_gets_a_suggestion(capsys) -> None:
    Path("post.md").write_text(
        "<!-- clinic-lint-disable-next-line starter-saf -- quoting the label -->\nIt is completely safe.\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "check", *SMALL, "--format", "json", "post.md")
    assert code == 1
    messages = {f["rule"]: f["message"] for f in json.loads(out)["findings"]}
    assert messages["unknown-suppression-target"].endswith(
        "'starter-saf': not a rule id, category or pack name (did you mean 'starter-safe'?)"
    )


def test_the_readme_sample_config_is_a_valid_config(capsys) -> None:
    """Copied as it stands (with the pack it names), the README's sample `.clinic-lint.yaml` checks a post."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    sample = re.search(r"```yaml\n# \.clinic-lint\.yaml\n(.*?)```", readme, re.S)
    assert sample is not None
    Path(".clinic-lint.yaml").write_text(sample.group(1), encoding="utf-8")
    Path("compliance").mkdir()
    pack = STARTER.read_text(encoding="utf-8")
    Path("compliance/our-brand.yaml").write_text(re.sub(r"(?m)^name: .*", "name: our-brand", pack), encoding="utf-8")
    code, _, err = run(capsys, "check", "--update-baseline", "post.txt")  # the baseline it names is created
    assert code == 0 and len(err) == 1 and err[0].startswith("clinic-lint: wrote "), err
    assert Path(".clinic-lint-baseline.json").is_file()
    code, out, err = run(capsys, "check", "post.txt")
    assert (code, err) == (0, [])
    assert out.startswith("No problems found in 1 file")
