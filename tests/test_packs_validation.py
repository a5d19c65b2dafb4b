"""A mistake in a rule pack stops the run with exit code 2 and one line naming ``file:line:column``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lint.cli import main

HEAD = "name: my-pack\ndescription: d\nversion: '1'\nrules:\n"
RULE = """\
  - id: {id}
    category: {category}
    severity: warning
    message: "m"
    suggestion: "s"
    match: [{pattern}]
    references: [{{name: T, url: "https://example.org"}}]
    examples: {{bad: [x, y, z], good: [a, b, c]}}
"""
GOOD = {"id": "my-rule", "category": "hype", "pattern": "'safe'"}


def pack(*rules: dict[str, str], head: str = HEAD) -> str:
    return head + "".join(RULE.format(**r) for r in rules)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("clean.txt").write_text("Fine.\n", encoding="utf-8")
    return tmp_path


def load(capsys: pytest.CaptureFixture[str], text: str, command: str = "check") -> tuple[int, str]:
    Path("p.yaml").write_text(text, encoding="utf-8")
    args = ["--no-default-packs", "--no-cache", "--pack", "p.yaml"]
    code = main([command, *args, "clean.txt"] if command == "check" else [command, *args])
    _, err = capsys.readouterr()
    return code, err


def test_a_valid_pack_loads(capsys) -> None:
    assert load(capsys, pack(GOOD)) == (0, "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEAD + "  - id: [unclosed\n", "p.yaml:6:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"),
        (HEAD + "  - id: x\n\tcategory: hype\n", "p.yaml:6:1: YAML syntax error:"),
        (pack(GOOD).replace("    severity: warning\n", "    severity: warning\n    patern: x\n"),
         "p.yaml:8:5: rule 'my-rule': unknown key 'patern'"),
        (pack(GOOD).replace("    severity: warning\n", "    severity: warning\n    unles: [x]\n"),
         "p.yaml:8:5: rule 'my-rule': unknown key 'unles' (did you mean 'unless'?)"),
        (pack(GOOD).replace("version: '1'\n", "version: '1'\nauthor: me\n"), "p.yaml:4:1: pack: unknown key 'author'"),
        (pack(GOOD).replace("    severity: warning\n", "    severity: warning\n    case_sensitive: yes please\n"),
         "p.yaml:8:21: rule 'my-rule': case_sensitive must be true or false"),
        (pack(GOOD).replace("    severity: warning\n", "    severity: fatal\n"),
         "p.yaml:7:15: rule 'my-rule': severity must be error, warning or info, not 'fatal'"),
        (pack(GOOD).replace("match: ['safe']", "match: 7"),
         "p.yaml:10:12: rule 'my-rule': match must be a list of word patterns"),
        (pack(GOOD).replace('    message: "m"\n', ""), "p.yaml:5:5: rule 'my-rule': missing required key 'message'"),
        (pack(GOOD).replace("    examples: {bad: [x, y, z], good: [a, b, c]}\n", ""),
         "p.yaml:5:5: rule 'my-rule': missing required key 'examples'"),
        (pack({**GOOD, "category": "miracle"}),
         "p.yaml:6:15: rule 'my-rule': unknown category 'miracle' (see docs/taxonomy.md)"),
        (pack(GOOD, GOOD), "p.yaml:13:5: duplicate rule id 'my-rule' (first defined at p.yaml:5:5)"),
        (pack({**GOOD, "pattern": "'(unclosed'"}),
         "p.yaml:10:13: rule 'my-rule': match: column 10: '(' without ')' in pattern '(unclosed'"),
        (pack({**GOOD, "pattern": "'<nowhere>'"}),
         "p.yaml:10:13: rule 'my-rule': match: unknown vocabulary <nowhere>"),
        (pack({**GOOD, "pattern": "'(side effects|adverse events)'"}),
         "p.yaml:10:13: rule 'my-rule': match: column 29: in (side effects|adverse events), put spaces around '|'"),
        (pack({**GOOD, "pattern": "'very? (safe | fees?)'"}),
         "p.yaml:10:13: rule 'my-rule': match: column 20: one of the alternatives can be empty"),
        (pack({**GOOD, "pattern": "'safe?'"}),
         "p.yaml:10:13: rule 'my-rule': match: pattern 'safe?' can match no words at all"),
        (pack({**GOOD, "pattern": "{regex: '(unclosed'}"}),
         "p.yaml:10:13: rule 'my-rule': match: regex does not compile:"),
        (pack(GOOD).replace("    severity: warning\n", "    severity: warning\n    cancelled_by: [doubted]\n"),
         "p.yaml:8:19: rule 'my-rule': unknown context modifier 'doubted'"),
        (pack(GOOD).replace("    severity: warning\n", "    severity: warning\n    knowledge: {flag: maybe}\n"),
         "p.yaml:8:23: rule 'my-rule': knowledge.flag is not-approved or status"),
        (pack(GOOD).replace("    severity: warning\n", "    severity: warning\n    knowledge: {flag: not-approved, indication: hiccups}\n"),
         "p.yaml:8:49: rule 'my-rule': 'hiccups' is not a <condition> concept id"),
        (pack(GOOD).replace("examples: {bad: [x, y, z], good: [a, b, c]}", "examples: {bad: [x, y, z], good: [a, '[[b]]', c]}"),
         "p.yaml:12:42: rule 'my-rule': a good example has nothing to flag"),
        (pack({**GOOD, "id": "My Rule"}), "p.yaml:5:9: rule 'My Rule': id must be kebab-case"),
        (HEAD.replace("rules:\n", "rules: []\n"), "p.yaml:4:8: rules must be a non-empty list"),
        ("- just\n- a list\n", "p.yaml:1:1: a pack must be a mapping with name, description, version and rules"),
        ("", "p.yaml:1:1: a pack must be a mapping with name, description, version and rules"),
        (pack(GOOD).replace("message: \"m\"", "message: \"{drug}\""),
         "p.yaml:8:14: rule 'my-rule': message: {drug} is not {match}, a slot, a vocabulary of the rule, or a knowledge field"),
        (pack(GOOD).replace('message: "m"', 'message: "\\ud800"'),
         "p.yaml:8:14: rule 'my-rule': message holds an invalid \\u escape (half of a surrogate pair)"),
    ],
)  # fmt: skip
def test_pack_errors_are_one_line_with_file_line_and_column(capsys, text: str, message: str) -> None:
    code, err = load(capsys, text)
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"clinic-lint: error: {message}"), err


def test_a_duplicate_id_across_two_packs(capsys) -> None:
    Path("other.yaml").write_text(pack(GOOD, head=HEAD.replace("my-pack", "other-pack")), encoding="utf-8")
    Path("p.yaml").write_text(pack(GOOD), encoding="utf-8")
    code = main(["check", "--no-default-packs", "--no-cache", "--pack", "p.yaml", "--pack", "other.yaml", "clean.txt"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err == "clinic-lint: error: other.yaml:5:5: duplicate rule id 'my-rule' (first defined at p.yaml:5:5)\n"


@pytest.mark.parametrize("command", ["rules", "test-rules"])
def test_every_command_reports_a_broken_pack_the_same_way(capsys, command: str) -> None:
    code, err = load(capsys, pack({**GOOD, "category": "miracle"}), command)
    assert code == 2
    assert err.startswith("clinic-lint: error: p.yaml:6:15: rule 'my-rule': unknown category 'miracle'")


@pytest.mark.parametrize("key", ["severity", "category"])
def test_a_huge_bad_value_is_echoed_short(capsys, key: str) -> None:
    text = pack(GOOD).replace(f"{key}: {'warning' if key == 'severity' else 'hype'}", f"{key}: {'x' * 100_000}")
    code, err = load(capsys, text)
    assert code == 2 and len(err.splitlines()) == 1 and len(err) < 300, err[:300]


def test_an_escaped_emoji_is_one_character(capsys) -> None:
    text = pack(GOOD).replace('message: "m"', 'message: "\\ud83d\\ude00 {match}"')
    Path("post.txt").write_text("It is safe.\n", encoding="utf-8")
    Path("p.yaml").write_text(text, encoding="utf-8")
    code = main(["check", "--no-default-packs", "--no-cache", "--pack", "p.yaml", "post.txt"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert "\U0001f600 safe" in out


def test_the_documented_complete_rule_is_valid(capsys) -> None:
    """The example rule of docs/rule-packs.md ("A complete sentence rule") loads and passes its examples."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "rule-packs.md").read_text(encoding="utf-8")
    section = doc.split("## A complete sentence rule", 1)[1]
    rule = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    rule = rule.replace("id: schedule-category-misnomer", "id: schedule-category-misnomer-copy")
    code, err = load(capsys, HEAD + textwrap.indent(rule, "  "), "test-rules")
    assert (code, err) == (0, "")
