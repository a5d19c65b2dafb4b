"""Waivers: `clinic-lint waive`, `clinic-lint waivers [--check]`, hiding waived findings while valid, bringing them
back when they expire or the sentence changes, --show-waived in every format, and the fingerprint surviving
moved lines."""

from __future__ import annotations

import json
import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from lint.baseline import fingerprint
from lint.cli import main
from lint.model import Finding

DATA = Path(__file__).parent / "data"
PACK = ["--no-default-packs", "--pack", str(DATA / "workflow-pack.yaml")]
POST = "# Ketamine at our clinic\n\nKetamine is a Category III drug and completely safe.\n\nA miracle, really.\n"
WAIVERS = "clinic-lint-waivers.yaml"


@pytest.fixture(autouse=True)
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text(POST, encoding="utf-8")
    return tmp_path


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out, err = capsys.readouterr()
    return code, out, err


def check(capsys, *args: str, today: str = "2025-01-10") -> tuple[int, dict]:
    code, out, _ = cli(capsys, "check", *PACK, "--format", "json", "--today", today, *args, "posts")
    return code, json.loads(out)


def rules_of(report: dict) -> list[str]:
    return [f["rule"] for f in report["findings"]]


def waive(capsys, target: str = "posts/a.md:3", rule: str = "wf-safe", *extra: str) -> tuple[int, str, str]:
    return cli(
        capsys, "waive", target, rule, *PACK, "--reviewer", "Dana Reyes", "--reason", "Quoting the 1970 label",
        "--today", "2025-01-10", *extra,
    )  # fmt: skip


def entries() -> list[dict]:
    return YAML(typ="safe", pure=True).load(Path(WAIVERS).read_text(encoding="utf-8"))["waivers"]


# --------------------------------------------------------------------------- waive


def test_waive_records_who_why_when_and_the_baseline_fingerprint(capsys) -> None:
    code, out, _ = waive(capsys, "posts/a.md:3", "wf-safe", "--days", "30")
    assert code == 0
    assert out == (
        'clinic-lint: waived posts/a.md:3:37 wf-safe "completely safe" until 2025-02-09 (reviewer: Dana Reyes) '
        f"in {WAIVERS}\n"
    )
    [entry] = entries()
    f = Finding("posts/a.md", 3, 37, 3, 52, "wf-safe", "safety-claim", "warning", "", "", "completely safe",
                sentence="Ketamine is a Category III drug and completely safe.")  # fmt: skip
    assert entry == {
        "path": "posts/a.md", "rule": "wf-safe", "match": "completely safe",
        "sentence": "Ketamine is a Category III drug and completely safe.", "line": 3,
        "fingerprint": fingerprint(f), "reviewer": "Dana Reyes", "reason": "Quoting the 1970 label",
        "date": __import__("datetime").date(2025, 1, 10), "expires": __import__("datetime").date(2025, 2, 9),
    }  # fmt: skip
    text = Path(WAIVERS).read_text(encoding="utf-8")
    assert text.startswith("# Accepted findings")  # a header that says what the file is
    assert "date: 2025-01-10\n" in text and "expires: 2025-02-09\n" in text


def test_waive_defaults_to_90_days_and_takes_an_expiry_date(capsys) -> None:
    assert waive(capsys)[0] == 0
    assert str(entries()[0]["expires"]) == "2025-04-10"
    assert waive(capsys, "posts/a.md:3", "wf-schedule", "--expires", "2025-06-30")[0] == 0
    assert [str(e["expires"]) for e in entries()] == ["2025-04-10", "2025-06-30"]


def test_waiving_again_renews_the_entry(capsys) -> None:
    waive(capsys)
    code, out, _ = cli(capsys, "waive", "posts/a.md:3:40", "wf-safe", *PACK, "--reviewer", "Sam Lee", "--reason",
                       "Legal re-approved", "--today", "2025-03-01", "--days", "10")  # fmt: skip
    assert code == 0 and "renewed the waiver of posts/a.md:3:37 wf-safe" in out
    [entry] = entries()
    assert (entry["reviewer"], entry["reason"], str(entry["expires"])) == ("Sam Lee", "Legal re-approved", "2025-03-11")


def test_waive_keeps_comments_written_by_hand(capsys) -> None:
    waive(capsys)
    Path(WAIVERS).write_text(Path(WAIVERS).read_text() + "  # approved in the May review\n", encoding="utf-8")
    waive(capsys, "posts/a.md:5", "wf-miracle")
    text = Path(WAIVERS).read_text(encoding="utf-8")
    assert "# approved in the May review" in text and len(entries()) == 2


def test_waive_writes_atomically_with_normal_permissions(capsys, site: Path) -> None:
    waive(capsys)
    assert sorted(p.name for p in site.iterdir()) == [WAIVERS, "posts"]  # no temporary file left behind
    assert stat.S_IMODE(os.stat(WAIVERS).st_mode) & 0o644 == 0o644  # readable by the team, not 0600


@pytest.mark.parametrize(
    ("target", "rule", "extra", "message"),
    [
        ("posts/a.md", "wf-safe", [], "give the finding's place as PATH:LINE or PATH:LINE:COL"),
        ("posts/a.md:4", "wf-safe", [], "posts/a.md:4: no wf-safe finding here; wf-safe is found at 3:37"),
        (
            "posts/a.md:3",
            "wf-miracle",
            [],
            "no wf-miracle finding here; findings here: wf-schedule (3:15), wf-safe (3:37); wf-miracle is found at 5:3",
        ),
        ("posts/a.md:3:5", "wf-safe", [], "posts/a.md:3:5: no wf-safe finding here"),
        ("posts/nope.md:3", "wf-safe", [], "posts/nope.md: no such file"),
        ("posts/a.md:3", "wf-safe", ["--expires", "2024-12-31"], "--expires 2024-12-31 is before today (2025-01-10)"),
        ("posts/a.md:3", "wf-safe", ["--days", "0"], "--days must be 1 or more"),
        ("posts/a.md:3", "wf-safe", ["--days", "9" * 30], "the expiry would be after 9999-12-31"),
    ],
)
def test_waive_errors_are_one_line_and_exit_2(capsys, target, rule, extra, message) -> None:
    code, out, err = waive(capsys, target, rule, *extra)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert not Path(WAIVERS).exists()


def test_waive_needs_a_reviewer_and_a_reason(capsys) -> None:
    assert cli(capsys, "waive", "posts/a.md:3", "wf-safe", *PACK, "--reason", "x")[0] == 2
    code, _, err = cli(capsys, "waive", "posts/a.md:3", "wf-safe", *PACK, "--reviewer", "Dana", "--reason", "  ")
    assert code == 2 and "--reason needs a text" in err
    assert cli(capsys, "waive", "posts/a.md:3", "wf-safe", *PACK, "--reviewer", "D", "--reason", "r", "--expires",
               "2025-1-1")[0] == 2  # fmt: skip


def test_waive_picks_one_of_several_findings_on_a_line_by_column(capsys, site: Path) -> None:
    (site / "posts" / "a.md").write_text("It is completely safe, totally safe.\n", encoding="utf-8")
    code, _, err = waive(capsys, "posts/a.md:1", "wf-safe")
    assert code == 2 and "2 wf-safe findings here (columns 7, 24); name one as PATH:LINE:COL" in err
    assert waive(capsys, "posts/a.md:1:25", "wf-safe")[0] == 0
    assert entries()[0]["match"] == "totally safe"


# --------------------------------------------------------------------------- check with waivers


def test_a_waived_finding_is_not_reported_while_valid(capsys) -> None:
    assert check(capsys)[0] == 1
    waive(capsys, "posts/a.md:3", "wf-safe", "--days", "30")
    code, report = check(capsys)
    assert rules_of(report) == ["wf-schedule", "wf-miracle"]
    assert report["summary"]["waived"] == 1
    assert code == 1  # wf-schedule is still an error
    waive(capsys, "posts/a.md:3", "wf-schedule", "--days", "30")
    code, report = check(capsys)
    assert (code, rules_of(report), report["summary"]["waived"]) == (0, ["wf-miracle"], 2)
    code, out, _ = cli(capsys, "check", *PACK, "--today", "2025-01-10", "posts")
    assert out.splitlines()[-1] == "Found 1 problem (1 info) in 1 of 1 file. 2 waived."


def test_the_last_valid_day_is_the_expiry_date_then_it_comes_back_naming_the_waiver(capsys) -> None:
    waive(capsys, "posts/a.md:3", "wf-safe", "--expires", "2025-02-01")
    assert "wf-safe" not in rules_of(check(capsys, today="2025-02-01")[1])
    code, report = check(capsys, today="2025-02-02")
    [back] = [f for f in report["findings"] if f["rule"] == "wf-safe"]
    assert back["waiver"] == {
        "status": "expired", "reviewer": "Dana Reyes", "reason": "Quoting the 1970 label", "date": "2025-01-10",
        "expires": "2025-02-01", "path": "posts/a.md", "rule": "wf-safe", "match": "completely safe", "line": 3,
        "file": WAIVERS,
    }  # fmt: skip
    assert report["summary"]["waived"] == 0
    _, out, _ = cli(capsys, "check", *PACK, "--today", "2025-02-02", "posts")
    assert (
        "    waiver: The waiver by Dana Reyes on 2025-01-10 expired on 2025-02-01 (Quoting the 1970 label); "
        "review it again.\n"
    ) in out


def test_a_changed_sentence_is_reported_again_naming_the_old_waiver(capsys, site: Path) -> None:
    waive(capsys)
    (site / "posts" / "a.md").write_text(POST.replace("and completely safe", "and, we promise, completely safe"))
    code, report = check(capsys)
    [back] = [f for f in report["findings"] if f["rule"] == "wf-safe"]
    assert back["waiver"]["status"] == "stale" and back["waiver"]["reviewer"] == "Dana Reyes"
    _, out, _ = cli(capsys, "check", *PACK, "--today", "2025-01-10", "posts")
    assert 'waiver: The sentence changed since Dana Reyes on 2025-01-10 waived "completely safe" (line 3' in out


def test_moved_and_rewrapped_lines_keep_the_waiver(capsys, site: Path) -> None:
    waive(capsys)
    moved = "# Ketamine at our clinic\n\nA new first paragraph.\n\nAnother one.\n\nKetamine is a Category III drug\nand   completely safe.\n\nA miracle, really.\n"  # fmt: skip
    (site / "posts" / "a.md").write_text(moved, encoding="utf-8")
    code, report = check(capsys)
    assert rules_of(report) == ["wf-schedule", "wf-miracle"] and report["summary"]["waived"] == 1
    _, out, _ = cli(capsys, "waivers", *PACK, "--today", "2025-01-10", "--check")
    assert out.startswith("active ")


def test_waivers_of_another_file_or_rule_do_not_apply(capsys, site: Path) -> None:
    waive(capsys)
    (site / "posts" / "b.md").write_text(POST, encoding="utf-8")
    _, report = check(capsys)
    assert [(f["path"], f["rule"]) for f in report["findings"] if f["rule"] == "wf-safe"] == [("posts/b.md", "wf-safe")]


def test_waivers_resolve_from_any_directory(capsys, site: Path, monkeypatch) -> None:
    waive(capsys)
    monkeypatch.chdir(site / "posts")
    code, out, _ = cli(capsys, "check", *PACK, "--format", "json", "--today", "2025-01-10", "--waivers", f"../{WAIVERS}", "a.md")  # fmt: skip
    assert "wf-safe" not in rules_of(json.loads(out))


def test_the_waiver_file_is_configurable(capsys, site: Path) -> None:
    (site / "compliance").mkdir()
    (site / ".clinic-lint.yaml").write_text("waivers: compliance/accepted.yaml\n", encoding="utf-8")
    assert waive(capsys)[0] == 0
    assert (site / "compliance" / "accepted.yaml").is_file() and not (site / WAIVERS).exists()
    assert (
        YAML(typ="safe").load((site / "compliance" / "accepted.yaml").read_text())["waivers"][0]["path"]
        == "../posts/a.md"
    )
    assert "wf-safe" not in rules_of(check(capsys)[1])


def test_a_damaged_waiver_file_is_an_error_naming_the_place(capsys, site: Path) -> None:
    waive(capsys)
    text = Path(WAIVERS).read_text(encoding="utf-8").replace("expires: 2025-04-10", "expires: next spring")
    Path(WAIVERS).write_text(text, encoding="utf-8")
    code, out, err = cli(capsys, "check", *PACK, "posts")
    line = 1 + text.splitlines().index("    expires: next spring")
    assert (
        code == 2 and f"{WAIVERS}:{line}:14: waivers[0].expires must be a date (YYYY-MM-DD), not 'next spring'" in err
    )
    Path(WAIVERS).write_text("waivers: []\n", encoding="utf-8")
    code, _, err = cli(capsys, "check", *PACK, "posts")
    assert code == 2 and "not a clinic-lint waiver file" in err


def test_update_baseline_leaves_waived_findings_out(capsys) -> None:
    waive(capsys)
    code, out, err = cli(capsys, "check", *PACK, "--today", "2025-01-10", "--baseline", "b.json", "--update-baseline", "posts")  # fmt: skip
    assert code == 0
    assert [r["rule"] for r in json.loads(Path("b.json").read_text())["findings"]] == ["wf-miracle", "wf-schedule"]
    # the waiver expires: the finding comes back, the baseline does not hide it
    assert rules_of(check(capsys, "--baseline", "b.json", today="2026-01-01")[1]) == ["wf-safe"]


def test_fix_leaves_waived_findings_as_they_are(capsys, site: Path) -> None:
    waive(capsys, "posts/a.md:3", "wf-schedule")
    cli(capsys, "check", *PACK, "--today", "2025-01-10", "--fix", "posts")
    assert "Category III drug" in (site / "posts" / "a.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- clinic-lint waivers


def test_waivers_lists_active_expired_and_stale(capsys, site: Path) -> None:
    waive(capsys, "posts/a.md:3", "wf-safe", "--expires", "2025-03-01")
    waive(capsys, "posts/a.md:3", "wf-schedule", "--expires", "2025-01-20")
    waive(capsys, "posts/a.md:5", "wf-miracle", "--expires", "2025-12-31")
    (site / "posts" / "a.md").write_text(POST.replace("A miracle, really.", "A marvel, really."), encoding="utf-8")
    code, out, _ = cli(capsys, "waivers", *PACK, "--today", "2025-02-01")
    assert code == 0
    assert out.splitlines() == [
        'active   posts/a.md:3 wf-safe "completely safe": Dana Reyes, 2025-01-10 until 2025-03-01: Quoting the 1970 label',
        'expired  posts/a.md:3 wf-schedule "Category III drug": Dana Reyes, 2025-01-10 until 2025-01-20: Quoting the 1970 label',
        'stale    posts/a.md:5 wf-miracle "miracle": Dana Reyes, 2025-01-10 until 2025-12-31: Quoting the 1970 label',
        f"3 waivers in {WAIVERS}: 1 active, 1 expired, 1 stale.",
    ]  # fmt: skip
    assert cli(capsys, "waivers", *PACK, "--today", "2025-02-01", "--check")[0] == 1
    code, out, _ = cli(capsys, "waivers", *PACK, "--today", "2025-02-01", "--format", "json")
    assert [r["status"] for r in json.loads(out)["waivers"]] == ["active", "expired", "stale"]


def test_waivers_check_passes_when_all_are_active_and_a_deleted_page_makes_them_stale(capsys, site: Path) -> None:
    assert cli(capsys, "waivers", *PACK, "--check")[:2] == (0, f"No waivers in {WAIVERS}.\n")
    waive(capsys)
    assert cli(capsys, "waivers", *PACK, "--today", "2025-01-11", "--check")[0] == 0
    (site / "posts" / "a.md").unlink()
    code, out, _ = cli(capsys, "waivers", *PACK, "--today", "2025-01-11", "--check")
    assert code == 1 and out.startswith("stale ")


# --------------------------------------------------------------------------- --show-waived in every format


@pytest.fixture
def waived_two(capsys) -> None:
    waive(capsys, "posts/a.md:3", "wf-safe")
    waive(capsys, "posts/a.md:5", "wf-miracle")


def show(capsys, fmt: str, *extra: str) -> tuple[int, str]:
    code, out, _ = cli(capsys, "check", *PACK, "--today", "2025-01-10", "--format", fmt, *extra, "posts")
    return code, out


def test_show_waived_text(capsys, waived_two) -> None:
    assert "[waived]" not in show(capsys, "text")[1]
    code, out = show(capsys, "text", "--show-waived")
    assert code == 1  # waived findings never fail the run
    assert 'posts/a.md:3:37: warning wf-safe [waived] "completely safe" overstates safety.' in out
    assert "    waiver: Waived by Dana Reyes on 2025-01-10 until 2025-04-10: Quoting the 1970 label" in out
    assert out.splitlines()[-1] == "Found 1 problem (1 error) in 1 of 1 file. 2 waived."


def test_show_waived_json_and_json_lines(capsys, waived_two) -> None:
    report = json.loads(show(capsys, "json", "--show-waived")[1])
    assert [(f["rule"], f.get("waiver", {}).get("status")) for f in report["findings"]] == [
        ("wf-schedule", None), ("wf-safe", "active"), ("wf-miracle", "active")]  # fmt: skip
    assert report["summary"]["findings"] == 1 and report["summary"]["waived"] == 2
    lines = [json.loads(x) for x in show(capsys, "json-lines", "--show-waived")[1].splitlines()]
    assert [x.get("waiver", {}).get("reviewer") for x in lines] == [None, "Dana Reyes", "Dana Reyes"]


def test_show_waived_sarif_uses_external_suppressions(capsys, waived_two) -> None:
    from tests.test_report_formats import validate_sarif

    log = json.loads(show(capsys, "sarif", "--show-waived")[1])
    validate_sarif(log)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["wf-schedule", "wf-safe", "wf-miracle"]
    assert "suppressions" not in results[0]
    assert results[1]["suppressions"] == [{
        "kind": "external",
        "status": "accepted",
        "justification": "Quoting the 1970 label (waived by Dana Reyes on 2025-01-10, until 2025-04-10)",
        "properties": {"reviewer": "Dana Reyes", "date": "2025-01-10", "expires": "2025-04-10", "file": WAIVERS},
    }]  # fmt: skip
    assert len(json.loads(show(capsys, "sarif")[1])["runs"][0]["results"]) == 1  # hidden unless asked


def test_show_waived_github_junit_markdown(capsys, waived_two) -> None:
    out = show(capsys, "github", "--show-waived")[1]
    assert "::notice file=posts/a.md,line=3,col=37,endLine=3,endColumn=52,title=wf-safe (waived)::" in out
    assert "%0AWaived by Dana Reyes on 2025-01-10 until 2025-04-10: Quoting the 1970 label" in out
    root = ET.fromstring(show(capsys, "junit", "--show-waived")[1])
    case = root.find("testsuite/testcase")
    assert [f.get("type") for f in case.findall("failure")] == ["wf-schedule"]
    assert case.find("system-out").text.splitlines() == [
        "posts/a.md:3:37: waived wf-safe: Waived by Dana Reyes on 2025-01-10 until 2025-04-10: Quoting the 1970 label",
        "posts/a.md:5:3: waived wf-miracle: Waived by Dana Reyes on 2025-01-10 until 2025-04-10: Quoting the 1970 label",
    ]
    md = show(capsys, "markdown", "--show-waived")[1]
    assert "| findings | 1 | 0 | 0 | 2 |" in md
    assert "**Waived:**" in md and "- `wf-safe` line 3: Waived by Dana Reyes" in md
    assert "**Waived:**" not in show(capsys, "markdown")[1]


def test_show_waived_gitlab(capsys, waived_two) -> None:
    plain = json.loads(show(capsys, "gitlab")[1])
    assert [i["check_name"] for i in plain] == ["wf-schedule"]
    issues = json.loads(show(capsys, "gitlab", "--show-waived")[1])
    assert [(i["check_name"], i["severity"], i["description"].split(":")[0]) for i in issues] == [
        ("wf-schedule", "major", "wf-schedule"), ("wf-safe", "info", "wf-safe (waived)"),
        ("wf-miracle", "info", "wf-miracle (waived)")]  # fmt: skip
    assert issues[1]["content"]["body"].endswith(
        "\n\nWaived by Dana Reyes on 2025-01-10 until 2025-04-10: Quoting the 1970 label"
    )
    assert issues[0]["fingerprint"] == plain[0]["fingerprint"]
    # the waiver expires: the finding is an issue of its own severity again, its body naming the lapsed waiver
    code, out = show(capsys, "gitlab", "--today", "2025-05-01")
    back = {i["check_name"]: i for i in json.loads(out)}
    assert back["wf-safe"]["severity"] == "minor" and back["wf-safe"]["description"].startswith("wf-safe: ")
    assert "The waiver by Dana Reyes on 2025-01-10 expired on 2025-04-10" in back["wf-safe"]["content"]["body"]


WXR = (
    '<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
    "<item><title>One</title>\n<content:encoded>&lt;p&gt;It is completely safe.&lt;/p&gt;</content:encoded>\n"
    "<wp:post_name>one</wp:post_name></item>\n"
    "<item><title>Two</title>\n<content:encoded>&lt;p&gt;It is completely safe.&lt;/p&gt;</content:encoded>\n"
    "<wp:post_name>two</wp:post_name></item>\n</channel>\n</rss>\n"
)


def test_a_post_of_a_wordpress_export_is_waived_on_its_own(capsys, site: Path) -> None:
    (site / "posts" / "a.md").unlink()
    (site / "posts" / "export.xml").write_text(WXR, encoding="utf-8")
    code, out, _ = waive(capsys, "posts/export.xml:8", "wf-safe")
    assert code == 0 and "posts/export.xml#two:8:" in out
    assert entries()[0]["path"] == "posts/export.xml#two"
    _, report = check(capsys)
    assert [f["path"] for f in report["findings"]] == ["posts/export.xml#one"]
    assert cli(capsys, "waivers", *PACK, "--today", "2025-01-10", "--check")[0] == 0
    # the HTML report shows each post as a page, the waived one marked
    code, doc, _ = cli(capsys, "check", *PACK, "--today", "2025-01-10", "--format", "html", "--show-waived", "posts")
    assert re.findall(r'<h3 id="p\d+-h">(.*?)</h3>', doc) == ["posts/export.xml#one", "posts/export.xml#two"]
    assert doc.count('data-waived="yes"') == 1
    # the post is deleted from the export: its waiver is stale
    (site / "posts" / "export.xml").write_text(WXR.replace("<wp:post_name>two", "<wp:post_name>three"))
    code, out, _ = cli(capsys, "waivers", *PACK, "--today", "2025-01-10", "--check")
    assert code == 1 and out.startswith("stale    posts/export.xml#two:8 wf-safe")
