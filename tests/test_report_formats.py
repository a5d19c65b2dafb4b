"""CI output formats (--format sarif/github/junit/json-lines), --output and --statistics."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from lint.baseline import fingerprint
from lint.cli import main
from lint.model import Finding
from lint.report import FORMATS, Summary, reporter_class
from lint.report.github import annotation, escape_data, escape_property

DATA = Path(__file__).parent / "data"
PACK = ["--no-default-packs", "--pack", str(DATA / "workflow-pack.yaml")]
RISKY = "Our clinic.\n\nKetamine is a Category III drug and completely safe.\n\nA miracle, really.\n"
CLEAN = "Our clinic is open on Mondays.\n"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "posts" / "sub dir").mkdir(parents=True)
    (tmp_path / "posts" / "risky.txt").write_text(RISKY, encoding="utf-8")
    (tmp_path / "posts" / "clean.txt").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "posts" / "sub dir" / "more risk.txt").write_text("It is totally safe.\n", encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *PACK, *args])
    out, err = capsys.readouterr()
    return code, out, err


def findings_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    code, out, _ = run(capsys, "--format", "json", *args)
    return json.loads(out)["findings"]


def test_formats_are_registered() -> None:
    assert {"text", "json", "sarif", "github", "junit", "json-lines"} <= set(FORMATS)
    for name in FORMATS:
        assert reporter_class(name) is not None


# --------------------------------------------------------------------------- SARIF


def sarif_schema() -> dict:
    return json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def validate_sarif(log: dict) -> None:
    validator = jsonschema.Draft4Validator(sarif_schema(), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_sarif_is_valid_against_the_official_schema(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "sarif", "posts")
    assert code == 1
    log = json.loads(out)
    validate_sarif(log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1


def test_sarif_driver_and_rules(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--format", "sarif", "posts")
    driver = json.loads(out)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "clinic-lint"
    assert driver["version"]
    assert driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert list(rules) == sorted(["wf-schedule", "wf-safe", "wf-miracle"])  # only the rules that fired
    schedule = rules["wf-schedule"]
    assert schedule["shortDescription"]["text"]
    assert "DEA schedules" in schedule["fullDescription"]["text"]
    assert schedule["helpUri"] == "https://www.dea.gov/drug-information/drug-scheduling"  # first reference
    assert "Schedule …" in schedule["help"]["text"]  # the suggestion, its template field elided
    assert "https://www.law.cornell.edu/uscode/text/21/812" in schedule["help"]["text"]
    link = "[DEA, Drug Scheduling](https://www.dea.gov/drug-information/drug-scheduling)"
    assert link in schedule["help"]["markdown"]
    assert schedule["defaultConfiguration"]["level"] == "error"
    assert rules["wf-miracle"]["defaultConfiguration"]["level"] == "note"
    assert schedule["properties"]["category"] == "regulatory-claim"
    assert "regulatory-claim" in schedule["properties"]["tags"]


def test_sarif_results_match_the_json_findings(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = findings_json(capsys, "posts")
    _, out, _ = run(capsys, "--format", "sarif", "posts")
    run0 = json.loads(out)["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    results = run0["results"]
    assert len(results) == len(expected) == 4
    for result, f in zip(results, expected, strict=True):
        assert result["ruleId"] == f["rule"]
        assert rules[result["ruleIndex"]]["id"] == f["rule"]
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[f["severity"]]
        assert result["message"]["text"].startswith(f["message"])
        loc = result["locations"][0]["physicalLocation"]
        region = loc["region"]
        assert (region["startLine"], region["startColumn"]) == (f["line"], f["column"])
        assert (region["endLine"], region["endColumn"]) == (f["end_line"], f["end_column"])
        assert region["snippet"]["text"] == f["match"]
        assert "\\" not in loc["artifactLocation"]["uri"]
        assert not loc["artifactLocation"]["uri"].startswith(("/", "file:"))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert "posts/risky.txt" in uris
    assert "posts/sub%20dir/more%20risk.txt" in uris  # a URI reference: spaces are escaped


def test_sarif_fingerprints_are_the_baseline_fingerprints(site: Path, capsys) -> None:
    _, out, _ = run(capsys, "--format", "sarif", "posts/risky.txt")
    result = json.loads(out)["runs"][0]["results"][0]
    sentence = "Ketamine is a Category III drug and completely safe."
    f = Finding("posts/risky.txt", 3, 15, 3, 32, "wf-schedule", "", "error", "", "", "Category III drug")
    f.sentence = sentence
    assert result["partialFingerprints"]["clinicLint/v1"] == f"{fingerprint(f)}:1"


def test_sarif_fingerprints_count_repeats(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text("It is totally safe.\n\nIt is totally safe.\n", encoding="utf-8")
    _, out, _ = run(capsys, "--format", "sarif", "a.txt")
    prints = [r["partialFingerprints"]["clinicLint/v1"] for r in json.loads(out)["runs"][0]["results"]]
    assert [p.rsplit(":", 1)[1] for p in prints] == ["1", "2"]
    assert prints[0].rsplit(":", 1)[0] == prints[1].rsplit(":", 1)[0]


def test_sarif_describes_fixes(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--format", "sarif", "posts/risky.txt")
    results = {r["ruleId"]: r for r in json.loads(out)["runs"][0]["results"]}
    change = results["wf-schedule"]["fixes"][0]["artifactChanges"][0]
    assert change["replacements"][0]["insertedContent"]["text"] == "Schedule III drug"
    assert "fixes" not in results["wf-miracle"]


def test_sarif_clean_run_is_valid(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "sarif", "posts/clean.txt")
    assert code == 0
    log = json.loads(out)
    validate_sarif(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_sarif_with_tool_findings_is_valid(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.md").write_text("<!-- clinic-lint-disable-next-line wf-safe -->\nAll good.\n", encoding="utf-8")
    _, out, _ = run(capsys, "--format", "sarif", "a.md")
    log = json.loads(out)
    validate_sarif(log)
    ids = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert ids == {"suppression-missing-reason", "unused-suppression"}


def test_sarif_marks_unreadable_input(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "sarif", "posts/risky.txt", "missing.txt")
    assert code == 3
    log = json.loads(out)
    validate_sarif(log)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False


# --------------------------------------------------------------------------- GitHub annotations


def test_github_annotations(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "github", "posts/risky.txt")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        "::error file=posts/risky.txt,line=3,col=15,endLine=3,endColumn=32,title=wf-schedule::"
        'Controlled substances are placed in DEA schedules; "Category III drug" is not a legal status.'
        "%0ASuggestion: Schedule III drug"
    )
    assert lines[1].startswith("::warning file=posts/risky.txt,line=3,col=37,")
    assert lines[2].startswith("::notice file=posts/risky.txt,line=5,col=3,")  # info -> notice
    assert not lines[3].startswith("::")  # the plain summary line


def test_github_escapes_data_and_properties() -> None:
    assert escape_data("100% safe\r\nnext") == "100%25 safe%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    f = Finding("dir/we,ird:name.txt", 1, 2, 1, 5, "r-1", "hype", "warning", "50% off\n::error::x", "", "m")
    line = annotation(f)
    props = "file=dir/we%2Cird%3Aname.txt,line=1,col=2,endLine=1,endColumn=5,title=r-1"
    assert line.startswith(f"::warning {props}::")
    assert line.endswith("::50%25 off%0A::error::x")
    assert "\n" not in line


def test_github_paths_are_relative_with_forward_slashes(site: Path, capsys) -> None:
    _, out, _ = run(capsys, "--format", "github", str(site / "posts" / "sub dir"))
    assert "file=posts/sub dir/more risk.txt," in out


# --------------------------------------------------------------------------- JUnit


def test_junit_testcase_per_file_failure_per_finding(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "junit", "posts")
    assert code == 1
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    cases = {c.get("name"): c for c in suites[0].findall("testcase")}
    assert set(cases) == {"posts/clean.txt", "posts/risky.txt", "posts/sub dir/more risk.txt"}
    assert cases["posts/clean.txt"].findall("failure") == []
    failures = cases["posts/risky.txt"].findall("failure")
    assert [f.get("type") for f in failures] == ["wf-schedule", "wf-safe", "wf-miracle"]
    assert failures[0].text.startswith("posts/risky.txt:3:15: error wf-schedule ")
    assert "suggestion: Schedule III" in failures[0].text
    assert suites[0].get("tests") == "3" and suites[0].get("failures") == "2"


def test_junit_reports_unreadable_files_as_errors(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "junit", "posts/clean.txt", "nope.txt")
    assert code == 3
    root = ET.fromstring(out)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["nope.txt"].find("error") is not None
    assert root.find("testsuite").get("errors") == "1"


def test_junit_is_valid_xml_whatever_the_text(tmp_path: Path) -> None:
    stream = io.StringIO()
    reporter = reporter_class("junit")(stream, color=False, rules={}, version="0")
    odd = 'a <b> & "c" \x0b\x01 \u2028'
    reporter.finding(Finding("x&<y>.txt", 1, 1, 1, 2, "r", "hype", "info", odd, odd, odd))
    reporter.finish(Summary())
    root = ET.fromstring(stream.getvalue())  # raises if the XML is not well formed
    assert root.find("testsuite/testcase").get("name") == "x&<y>.txt"


# --------------------------------------------------------------------------- JSON Lines


def test_json_lines_one_object_per_finding(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = findings_json(capsys, "posts")
    code, out, _ = run(capsys, "--format", "json-lines", "posts")
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows == expected


def test_json_lines_streams(tmp_path: Path) -> None:
    stream = io.StringIO()
    reporter = reporter_class("json-lines")(stream, color=False, rules={}, version="0")
    reporter.finding(Finding("a.txt", 1, 1, 1, 2, "r", "hype", "info", "m", "s", "x"))
    assert json.loads(stream.getvalue())["rule"] == "r"  # written before the run ends
    reporter.finish(Summary())
    assert len(stream.getvalue().splitlines()) == 1


def test_json_lines_clean_run_prints_nothing(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json-lines", "posts/clean.txt")
    assert (code, out) == (0, "")


# --------------------------------------------------------------------------- --output, --statistics


@pytest.mark.parametrize("fmt", ["sarif", "junit", "json", "github", "json-lines", "text"])
def test_output_file(site: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, _ = run(capsys, "--format", fmt, "--output", "report.out", "posts")
    assert code == 1
    assert out == ""
    text = Path("report.out").read_text(encoding="utf-8")
    assert "wf-schedule" in text
    if fmt == "sarif":
        validate_sarif(json.loads(text))


def test_output_file_that_cannot_be_written(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--output", "no/such/dir/report.sarif", "posts")
    assert code == 2
    assert "cannot write report" in err


def test_statistics_with_text(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--statistics", "posts")
    assert code == 1
    assert "Findings per rule:" in out and "Findings per category:" in out
    assert "     2  wf-safe" in out
    assert "     1  regulatory-claim" in out


def test_statistics_keep_machine_output_clean(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--statistics", "--format", "sarif", "posts")
    validate_sarif(json.loads(out))  # stdout is still pure SARIF
    assert "Findings per rule:" in err


def test_statistics_go_to_the_output_file_with_text(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--statistics", "--output", "report.txt", "posts")
    assert "Findings per category:" in Path("report.txt").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the installed command


def installed_command() -> list[str]:
    """The ``clinic-lint`` console script of the environment running the tests, else ``python -m lint``."""
    exe = Path(sys.executable).parent / ("clinic-lint.exe" if os.name == "nt" else "clinic-lint")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("clinic-lint")
    return [found] if found else [sys.executable, "-m", "lint"]


COMMANDS = [installed_command(), [sys.executable, "-m", "lint"]]


@pytest.mark.parametrize("command", COMMANDS, ids=["script", "module"])
def test_end_to_end_sarif_and_github(site: Path, command: list[str]) -> None:
    check = [*command, "check", *PACK]
    proc = subprocess.run([*check, "--format=sarif", "posts"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    validate_sarif(json.loads(proc.stdout))
    proc = subprocess.run([*check, "--format=github", "posts"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "::error file=posts/risky.txt,line=3,col=15," in proc.stdout


def test_end_to_end_junit_output_file(site: Path) -> None:
    cmd = [*installed_command(), "check", *PACK, "--format", "junit", "--output", "junit.xml", "posts"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert ET.parse("junit.xml").getroot().tag == "testsuites"
