"""Hostile input: bad encodings, binary and empty files, huge lines, vanishing and unreadable files, symlink
loops, missing paths, catastrophic regexes, and random bytes or random packs. Nothing may hang or leak a
traceback; every case ends in the documented exit code and a one-line message."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lint import runner
from lint.cli import main

STARTER = Path(__file__).parent / "fixtures" / "packs" / "starter.yaml"
FUZZ = int(os.environ.get("CLINIC_LINT_FUZZ", "1"))  # multiplies the random examples, for a longer hunt
SMALL = ["--no-default-packs", "--pack", str(STARTER)]
RISKY = "Our ketamine treatment is completely safe.\n"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("clinic-lint:")]


# --------------------------------------------------------------------------- encodings and odd files


def test_invalid_utf8_is_reported_with_its_byte_offset(capsys) -> None:
    Path("bad.txt").write_bytes(b"Completely safe caf\xe9 treatment.\n")
    code, _, err = check(capsys, *SMALL, "bad.txt")
    assert code == 3
    assert error_lines(err) == [
        "clinic-lint: error: bad.txt: invalid UTF-8 at byte 19 (use --encoding-errors replace to lint it anyway)"
    ]


def test_invalid_utf8_with_replacement_is_linted(capsys) -> None:
    Path("bad.txt").write_bytes(b"It is completely safe caf\xe9.\n")
    code, out, err = check(capsys, *SMALL, "--encoding-errors", "replace", "--format", "json", "bad.txt")
    assert code == 1, err
    findings = json.loads(out)["findings"]
    assert [(f["line"], f["column"], f["rule"]) for f in findings] == [(1, 7, "starter-safe")]


def test_utf16_with_bom_is_linted(capsys) -> None:
    Path("post.txt").write_bytes("\ufeffNote: it is completely safe.\r\n".encode("utf-16-le"))
    code, out, err = check(capsys, *SMALL, "--format", "json", "post.txt")
    assert code == 1, err
    findings = json.loads(out)["findings"]
    assert [(f["line"], f["column"], f["match"]) for f in findings] == [(1, 13, "completely safe")]


def test_binary_file_is_skipped_with_a_notice_and_no_effect_on_the_exit_code(capsys) -> None:
    Path("image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    Path("clean.md").write_text("Flu shots are available on Mondays.\n", encoding="utf-8")
    code, _, err = check(capsys, *SMALL, "image.md", "clean.md")
    assert code == 0
    assert error_lines(err) == ["clinic-lint: image.md: binary file skipped"]


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.html"])
def test_empty_file_is_clean(capsys, name: str) -> None:
    Path(name).write_bytes(b"")
    code, out, err = check(capsys, *SMALL, name)
    assert (code, err) == (0, "")
    assert "No problems found in 1 file." in out


def test_a_20_mb_single_line_file_finishes_in_linear_time(capsys) -> None:
    words = "Our clinic offers flu shots and lab work on weekdays. Parking is free behind the building. "
    line = (words * (20_000_000 // len(words) + 1))[:20_000_000] + " It is completely safe."
    Path("huge.txt").write_text(line, encoding="utf-8")
    start = time.perf_counter()
    code, out, err = check(capsys, *SMALL, "--format", "json", "huge.txt")
    elapsed = time.perf_counter() - start
    assert code == 1, err
    assert json.loads(out)["summary"]["findings"] == 1
    assert elapsed < 120, f"20 MB took {elapsed:.0f}s"


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_extractors_and_sentence_splitter_stay_linear_on_one_huge_line(fmt: str) -> None:
    from lint import sentences
    from lint.extract import extract

    unit = "Our clinic offers *flu shots* &amp; lab work. Parking is free. "
    times = []
    for size in (1_000_000, 4_000_000):
        text = (unit * (size // len(unit) + 1))[:size]
        start = time.perf_counter()
        doc = extract(f"<p>{text}</p>" if fmt == "html" else text, fmt)
        count = sum(len(sentences.split(b.text)) for b in doc.blocks)
        times.append(time.perf_counter() - start)
        assert count > size // 60
    assert times[1] < times[0] * 10 + 1.0, times  # 4x the input in well under 10x the time


# --------------------------------------------------------------------------- files that cannot be read


def test_nonexistent_path(capsys) -> None:
    code, _, err = check(capsys, *SMALL, "nope.md")
    assert code == 3
    assert error_lines(err) == ["clinic-lint: error: nope.md: no such file or directory"]


def test_broken_symlink_named_on_the_command_line(capsys) -> None:
    os.symlink("missing-target.md", "dangling.md")
    code, _, err = check(capsys, *SMALL, "dangling.md")
    assert code == 3
    assert error_lines(err) == ["clinic-lint: error: dangling.md: cannot read: No such file or directory"]


def test_directory_named_like_a_post_is_walked_not_read(capsys) -> None:
    Path("post.md").mkdir()
    (Path("post.md") / "inner.md").write_text(RISKY, encoding="utf-8")
    code, out, _ = check(capsys, *SMALL, "post.md")
    assert code == 1
    assert "post.md/inner.md:1:" in out


def test_unreadable_file_permission_error(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreadable file (chmod 000 cannot stand in for it: CI runs as root, which reads any file)."""
    Path("secret.md").write_text(RISKY, encoding="utf-8")
    Path("other.md").write_text(RISKY, encoding="utf-8")

    def deny(path, *args, **kwargs):
        if str(path).endswith("secret.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(runner, "open", deny, raising=False)
    code, out, err = check(capsys, *SMALL, ".")
    assert code == 3
    assert error_lines(err) == ["clinic-lint: error: ./secret.md: cannot read: Permission denied"]
    assert "./other.md:1:" in out  # the rest of the run went on


def test_file_vanishing_mid_run(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.md", "b.md", "c.md"):
        Path(name).write_text(RISKY, encoding="utf-8")
    real_discover = runner.discover

    def discover_then_delete(*args, **kwargs):
        for item in real_discover(*args, **kwargs):
            if item.path.endswith("b.md"):
                os.remove(item.path)  # discovered, then gone before it is read
            yield item

    monkeypatch.setattr(runner, "discover", discover_then_delete)
    code, out, err = check(capsys, *SMALL, "--jobs", "1", ".")
    assert code == 3
    assert error_lines(err) == ["clinic-lint: error: ./b.md: cannot read: No such file or directory"]
    assert "./a.md:1:" in out and "./c.md:1:" in out


def test_symlink_loop_is_not_followed(capsys) -> None:
    Path("site/blog").mkdir(parents=True)
    Path("site/blog/post.md").write_text(RISKY, encoding="utf-8")
    os.symlink("..", "site/blog/loop")  # a directory symlink to its parent
    code, out, err = check(capsys, *SMALL, "--format", "json", "site")
    assert code == 1, err
    assert [f["path"] for f in json.loads(out)["findings"]] == ["site/blog/post.md"]


# --------------------------------------------------------------------------- catastrophic regexes


def test_catastrophic_backtracking_times_out_and_the_other_rules_still_run(capsys) -> None:
    refs = "references: [{name: T, url: 'https://example.org'}]"
    examples = "examples: {bad: [x, y, z], good: [a, b, c]}"
    Path("slow.yaml").write_text(
        "name: slow-pack\ndescription: d\nversion: '1'\nrules:\n"
        f"  - {{id: backtracker, category: hype, severity: warning, message: m, suggestion: s, word_boundary: false,\n"
        f"     patterns: ['(a+)+$'], {refs}, {examples}}}\n",
        encoding="utf-8",
    )
    Path(".clinic-lint.yaml").write_text("regex-timeout: 0.3\n", encoding="utf-8")
    Path("post.txt").write_text(f"It is completely safe.\n\n{'a' * 5000}!\n", encoding="utf-8")
    start = time.perf_counter()
    code, out, err = check(capsys, *SMALL, "--pack", "slow.yaml", "--format", "json", "post.txt")
    assert time.perf_counter() - start < 30
    assert code == 3
    assert error_lines(err) == [
        "clinic-lint: error: post.txt: rule 'backtracker' took over 0.3s on one sentence; skipped for this file"
    ]
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["starter-safe"]


# --------------------------------------------------------------------------- random input never crashes

FORMATS = ["post.txt", "post.md", "post.html"]


@settings(max_examples=150 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), name=st.sampled_from(FORMATS), replace=st.booleans())
def test_random_bytes_as_a_post(capsys, data: bytes, name: str, replace: bool) -> None:
    Path(name).write_bytes(data)
    args = ["--encoding-errors", "replace"] if replace else []
    code, _, err = check(capsys, *args, name)
    assert code in (0, 1, 3), err
    assert "Traceback" not in err and "internal error" not in err


_texty = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
_markup = st.lists(
    st.sampled_from(
        [
            "# ",
            "## ",
            "- ",
            "1. ",
            "> ",
            "**",
            "*",
            "_",
            "`",
            "```\n",
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<!--",
            "-->",
            "<br>",
            "&amp;",
            "&#x1F600;",
            "&#0;",
            "&#xD800;",
            "&nbsp;",
            "[",
            "](",
            ")",
            "![",
            "\n",
            "\n\n",
            "---\n",
            "|",
            "\t",
            "\r\n",
            "\u2014",
            "\ufeff",
            "completely safe",
            "Category III drug",
            "Dr. ",
            "e.g. ",
        ]
    )
    | _texty,
    max_size=40,
).map("".join)


@settings(max_examples=150 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_markup, name=st.sampled_from(FORMATS))
def test_random_markup_as_a_post(capsys, text: str, name: str) -> None:
    Path(name).write_text(text, encoding="utf-8", errors="surrogatepass")
    code, _, err = check(capsys, name)
    assert code in (0, 1, 3), err
    assert "Traceback" not in err and "internal error" not in err


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
_structures = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
_rule_keys = ["id", "category", "severity", "scope", "message", "suggestion", "patterns", "requires", "unless",
              "unless_before", "unless_after", "unless_paragraph", "case_sensitive", "word_boundary", "fix",
              "references", "examples", "must_contain", "when", "bogus"]  # fmt: skip
_regexes = st.sampled_from(["(", "a{2,1}", "(?P<x>a)(?P<x>b)", "\\", "[z-a]", "(?<=a+)b", "{{nope}}", "{{negated}}",
                            "safe", "(a+)+$", "\\p{L}+", "x{e<=1}", "(?V1)[[a-z]--[aeiou]]", "",
                            "(?P<drug>k)"])  # fmt: skip


def _valid_pack() -> dict:
    return {
        "name": "random-pack", "description": "d", "version": "1",
        "rules": [{
            "id": "random-rule", "category": "hype", "severity": "warning", "message": "m {match}", "suggestion": "s",
            "patterns": ["safe"], "references": [{"name": "T", "url": "https://example.org"}],
            "examples": {"bad": ["safe", "safe!", "so safe"], "good": ["a", "b", "c"]},
        }],
    }  # fmt: skip


@st.composite
def _mutated_pack(draw) -> object:
    pack = _valid_pack()
    rule = pack["rules"][0]
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from(_rule_keys))
        rule[key] = draw(_structures | _regexes | st.lists(_regexes, max_size=3))
    if draw(st.booleans()):
        pack[draw(st.sampled_from(["name", "version", "rules", "description", "extra"]))] = draw(_structures)
    return pack


@settings(max_examples=200 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pack=_structures | _mutated_pack(), as_text=st.booleans(), junk=st.text(max_size=200))
def test_random_packs_never_crash(capsys, pack: object, as_text: bool, junk: str) -> None:
    Path("post.md").write_text("It is completely safe.\n", encoding="utf-8")
    Path("pack.yaml").write_text(junk if as_text else json.dumps(pack), encoding="utf-8", errors="surrogatepass")
    code, _, err = check(capsys, "--no-default-packs", "--no-cache", "--pack", "pack.yaml", "post.md")
    assert code in (0, 1, 2, 3), err
    assert "Traceback" not in err and "internal error" not in err
    if code == 2:
        assert len(error_lines(err)) == 1
