"""Hostile input: bad encodings, binary and empty files, huge lines, vanishing and unreadable files, symlink
loops, missing paths, catastrophic regexes, and random bytes or random packs. Nothing may hang or leak a
traceback; every case ends in the documented exit code and a one-line message."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
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
    """The run's problem lines, without the one-off notice printed while the rule packs compile."""
    return [
        line
        for line in err.splitlines()
        if line.startswith("clinic-lint:") and not line.startswith("clinic-lint: compiling rule packs")
    ]


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

    real = runner.read_regular

    def deny(path, *args, **kwargs):
        if str(path).endswith("secret.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(runner, "read_regular", deny)
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
        f"  - {{id: backtracker, category: hype, severity: warning, message: m, suggestion: s,\n"
        f"     match: [{{regex: '(a|aa)+$', why: catastrophic on purpose}}], {refs}, {examples}}}\n",
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


@pytest.fixture(scope="module")
def shipped_packs_once():
    """The random-post tests run the whole command hundreds of times with the shipped packs: load those once
    (the compiled-pack cache itself is tested in test_speed_paths.py)."""
    from lint import engine

    load = engine.load_rule_set
    loaded = {}

    def load_once(config, extra_packs=(), on_compile=None):
        if not config.default_packs or config.packs or extra_packs:
            return load(config, extra_packs, on_compile)
        if "shipped" not in loaded:
            loaded["shipped"] = load(config, extra_packs, on_compile)
        return loaded["shipped"]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "load_rule_set", load_once)
        yield


# Text with bytes that are not UTF-8 (or are other encodings' marks) spliced in, so the engine runs on them.
_spliced = st.lists(
    st.sampled_from(
        [
            b"Ketamine treats PTSD. ",
            b"It is completely safe",
            b"Category III drug",
            b" ",
            b"\n\n",
            b"\r\n",
            b"# ",
            b"<p>",
            b"</p>",
            b"\xe9",
            b"\xff\xfe",
            b"\xef\xbb\xbf",
            b"\x00",
            b"\xc3",
            "\u201cLose 30 pounds!\u201d".encode(),
            "Wegovy\u00ae".encode("utf-16-le"),
            b"\x1b[31m",
            b"&#xD800;",
            b"\xed\xa0\x80",
        ]
    )  # fmt: skip
    | st.binary(max_size=6),
    max_size=60,
).map(b"".join)


@settings(max_examples=150 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000) | _spliced, name=st.sampled_from(FORMATS), replace=st.booleans())
def test_random_bytes_as_a_post(shipped_packs_once, capsys, data: bytes, name: str, replace: bool) -> None:
    Path(name).write_bytes(data)
    args = ["--encoding-errors", "replace"] if replace else []
    code, _, err = check(capsys, *args, name)
    event(f"exit code {code}")
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
def test_random_markup_as_a_post(shipped_packs_once, capsys, text: str, name: str) -> None:
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

# Random packs in the rule language (docs/rule-packs.md). Half of them are well formed, so the engine runs
# every feature (frames, knowledge, context, document rules, a pack's own vocabularies); the other half mix in
# the mistakes the loader must turn into one clear line: broken patterns, unknown keys, wrong types.
_good_words = st.sampled_from([
    "safe", "completely|totally safe", "100% safe", "very? safe", "lose+ weight", "(is | are)? safe",
    "(side effects | adverse events)", "completely ...2 safe", "studies ...12 show+", "<condition>",
    "<serious-condition>", "<product>", "<number> pounds", "<any> safe", "<efficacy> ...3 <condition>",
    "category <roman-numeral> <schedule-noun>", "^ it", "re:\\d+mg", "NAD\\+", "safe \\?", "((safe))",
    "FDA-approved", "C.B.D.", "ketamine's", "ketamine treat+ <condition>", "Botox\u2122 safe", "<number>", "<mine>",
])  # fmt: skip
_bad_words = st.sampled_from([
    "works?", "(side effects|adverse events)", "(safe | fees?)", "studies ...13 show", "...", "<nope>", "<Number>",
    "^", "re:(", "re:", "(", ")", "safe)", "()", "|", "a |", "a||b", "+", "?", "safe+?", "100%+", "cure(s)", "",
    " ", "\u2122", "\u2122 safe", "{{negated}}", "{condition}",
])  # fmt: skip
_good_regexes = st.sampled_from(["safe", "\\b10\\.\\d{4,}/\\S+", "\\p{Lu}{3,}", "RX-\\d{4}", "(?P<drug>k\\w+)"])
_bad_regexes = st.sampled_from(
    ["(", "a{2,1}", "(?P<x>a)(?P<x>b)", "\\", "[z-a]", "", "a*", "x{e<=1}", "(?V1)[[a-z]--[aeiou]]", "(a|aa)+$"]
)
_modifiers = st.sampled_from(["negated", "question", "hypothetical", "reported", "cited", "cited-paragraph"])


def _patterns(words, regexes, why):
    item = st.one_of(words, words, words, st.fixed_dictionaries({"regex": regexes}, optional={"why": why}))
    return st.lists(item, min_size=1, max_size=3) | item


@st.composite
def _frames(draw, good: bool) -> dict:
    names = ["claim", "condition", "relief"] if good else ["claim", "condition", "Bad-Slot", "nope", ""]
    slot_words = st.sampled_from(["<efficacy>", "<condition>", "<efficacy-noun>", "cure+|treat+", "pain"])
    slots = draw(st.dictionaries(st.sampled_from(names), slot_words if good else _bad_words | slot_words,
                                 min_size=1 if good else 0, max_size=3))  # fmt: skip
    used = sorted(slots) or ["claim"]
    orders = [f"{{{used[0]}}} ...5 {{{used[-1]}}}", f"{{{used[-1]}}} relief", "<therapy> ... {" + used[0] + "}"]
    if not good:
        orders += ["{nope}", "no slots", "{claim"]
    frame = {"slots": slots, "orders": draw(st.lists(st.sampled_from(orders), min_size=1 if good else 0, max_size=3))}
    if draw(st.booleans()):
        frame["mark"] = draw(st.lists(st.sampled_from(used if good else [*used, "nope"]), max_size=2, unique=True))
    return frame


def _knowledge(good: bool):
    names = st.sampled_from(["product", "condition", "claim"] if good else ["product", "nope", ""])
    statuses = ["compounded", "unapproved", "approved", "supplement", "brand-only"] + ([] if good else ["nope"])
    return st.fixed_dictionaries(
        {"flag": st.sampled_from(["not-approved", "status"] + ([] if good else ["bogus"]))},
        optional={
            "unknown": st.sampled_from(["skip", "flag", "serious"] + ([] if good else ["x"])),
            "statuses": st.lists(st.sampled_from(statuses), max_size=3, unique=True),
            "indication": st.lists(st.sampled_from(["weight-management", "ptsd"] + ([] if good else ["nope"])),
                                   max_size=2, unique=True),
            "product": names,
            "condition": names,
        },
    )  # fmt: skip


def _values(good: bool) -> dict:
    words = _good_words if good else st.one_of(_good_words, _bad_words)
    regexes = _good_regexes if good else _good_regexes | _bad_regexes | _scalars
    patterns = _patterns(words, regexes, st.just("a reason") if good else _scalars)
    texts = ["safe", "It is completely safe.", "a", "b", "c", "Ketamine treats PTSD."]
    marked = ["[[safe]]", "It is [[completely safe]].", "[[Ketamine treats PTSD]]."]

    def examples(kind: str):
        plain = st.sampled_from(texts + (marked if kind == "bad" or not good else []))
        formatted = st.fixed_dictionaries(
            {"text": st.sampled_from(["**safe**", "<p>safe</p>", "x"] + (["**[[safe]]**"] if kind == "bad" else []))},
            optional={"format": st.sampled_from(["markdown", "html"] + ([] if good else ["rtf"]))},
        )
        return st.lists(plain | formatted, min_size=3 if good else 0, max_size=5)

    values = {
        "severity": st.sampled_from(["error", "warning", "info"]),
        "message": st.sampled_from(["m {match}", "{product_name}: {condition_name}", "{match} ({modifiers})"]),
        "match": patterns, "antipatterns": patterns, "requires": patterns, "unless": patterns,
        "unless_paragraph": patterns, "frame": _frames(good), "knowledge": _knowledge(good),
        "cancelled_by": st.lists(_modifiers, max_size=3, unique=True),
        "fix": st.fixed_dictionaries({"replacement": st.sampled_from(["{match}", "plain", "{product_name}"])},
                                     optional={"safe": st.booleans()}),
        "case_sensitive": st.booleans(),
        "examples": st.fixed_dictionaries({"bad": examples("bad"), "good": examples("good")}),
        "scope": st.just("document"),  # with must_contain and when, below
        "must_contain": patterns,
        "when": st.one_of(
            st.fixed_dictionaries({"rules": st.lists(st.sampled_from(["random-rule", "other-rule"]), max_size=2)}),
            st.fixed_dictionaries({"categories": st.lists(st.sampled_from(["hype", "cure-claim"]), max_size=2)}),
            st.fixed_dictionaries({"match": patterns}),
        ),
    }  # fmt: skip
    if not good:
        values |= {
            "id": st.sampled_from(["Not_Kebab", "hype", "", "random-rule"]),
            "category": st.sampled_from(["clinic-lint", "nope", "missing-disclaimer"]),
            "severity": st.sampled_from(["fatal", "warning"]),
            "scope": st.sampled_from(["paragraph", "sentence", "document"]),
            "message": st.sampled_from(["{nope}", "{", "{0}", "{match!r}", "}"]),
            "fix": st.fixed_dictionaries({"replacement": st.sampled_from(["{nope}", "{", "{roman_numeral}"]) | _scalars},
                                         optional={"safe": _scalars}),
            "cancelled_by": st.lists(_modifiers | st.just("bogus"), max_size=3),
            "case_sensitive": _scalars,
            "references": st.lists(st.fixed_dictionaries({"name": st.sampled_from(["T", ""]),
                                                          "url": st.sampled_from(["https://e.org", "ftp://x"])})),
            # keys of the old rule language, and a typo: each must be one clear error
            "patterns": patterns, "unless_before": patterns, "word_boundary": st.booleans(), "patern": patterns,
        }  # fmt: skip
    return values


_GOOD, _CHAOS = _values(True), _values(False)


def _vocabularies(good: bool):
    words = _good_words.filter(lambda w: w != "<mine>") if good else st.one_of(_good_words, _bad_words)
    body = st.fixed_dictionaries({"description": st.just("d"), "words": st.lists(words, min_size=1, max_size=3)}) | (
        st.fixed_dictionaries({"description": st.just("d"), "concepts": st.dictionaries(
            st.sampled_from(["one", "two"] + ([] if good else ["Bad"])),
            st.lists(words, min_size=1, max_size=2), min_size=1, max_size=2)}))  # fmt: skip
    if not good:
        body = (
            body
            | st.fixed_dictionaries(
                {"description": st.sampled_from(["d", ""])},
                optional={"words": _structures, "concepts": _structures, "bogus": _scalars},
            )
            | _structures
        )
    names = ["mine", "other"] + ([] if good else ["condition", "number", "Bad"])
    return st.dictionaries(st.sampled_from(names), body, min_size=1, max_size=2)


def _valid_pack() -> dict:
    return {
        "name": "random-pack", "description": "d", "version": "1",
        "rules": [{
            "id": "random-rule", "category": "hype", "severity": "warning", "message": "m {match}", "suggestion": "s",
            "match": ["safe"], "references": [{"name": "T", "url": "https://example.org"}],
            "examples": {"bad": ["[[safe]]", "safe!", "so safe"], "good": ["a", "b", "c"]},
        }],
    }  # fmt: skip


_DOCUMENT_KEYS = ("scope", "when", "must_contain")
_SENTENCE_KEYS = ("match", "frame", "antipatterns", "requires", "unless", "unless_paragraph", "cancelled_by",
                  "knowledge", "fix", "case_sensitive")  # fmt: skip


@st.composite
def _random_pack(draw, good: bool | None = None) -> object:
    """A pack: well formed (``good``), or with mistakes mixed in, or (None) either."""
    good = draw(st.booleans()) if good is None else good
    pack = _valid_pack()
    rule = pack["rules"][0]
    if good:  # one rule of each shape, equally often, then other keys of that shape
        shape = draw(st.sampled_from(["match", "frame", "document"]))
        if shape == "frame":
            rule["frame"] = draw(_GOOD["frame"])
            del rule["match"]
        if shape == "document":
            del rule["match"]
            rule |= {"scope": "document", "must_contain": draw(_GOOD["must_contain"])}
        keys = [
            k for k in sorted(_GOOD)
            if (k in _DOCUMENT_KEYS) == (shape == "document") and k not in ("frame", "scope", "match")
        ]  # fmt: skip
        for key in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
            rule[key] = draw(_GOOD[key])
    else:
        for _ in range(draw(st.integers(1, 4))):
            key = draw(st.sampled_from(sorted(_CHAOS)))
            rule[key] = draw(_CHAOS[key] if draw(st.integers(0, 9)) else _structures)
            if key == "frame" and draw(st.integers(0, 3)):
                rule.pop("match", None)  # a frame instead of a match list
            if key in _DOCUMENT_KEYS and draw(st.booleans()):  # a document rule
                for sentence_only in _SENTENCE_KEYS:
                    rule.pop(sentence_only, None)
                rule["scope"] = "document"
                rule.setdefault("must_contain", ["not medical advice"])
        if not draw(st.integers(0, 3)):
            pack[draw(st.sampled_from(["name", "version", "rules", "description", "extra"]))] = draw(_structures)
    if "<mine>" in json.dumps(rule) or not draw(st.integers(0, 2)):
        pack["vocabularies"] = draw(_vocabularies(good))
        if good:
            pack["vocabularies"].setdefault("mine", {"description": "d", "words": ["our clinic"]})
    return pack


POST = (
    "# Our clinic\n\nIt is completely safe. Ketamine treats PTSD and chronic pain, and it is not habit-forming. "
    "Is it safe? A Category III drug. Studies show it works (Smith et al., 2020). We lose 20 pounds!\n"
)


@settings(max_examples=200 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pack=st.one_of(_structures, _random_pack(), _random_pack(), _random_pack()),
    as_text=st.integers(0, 4).map(lambda n: n == 0),  # junk instead of the pack, one time in five
    junk=st.text(max_size=200),
)
def test_random_packs_never_crash(capsys, pack: object, as_text: bool, junk: str) -> None:
    Path("post.md").write_text(POST, encoding="utf-8")
    Path("pack.yaml").write_text(junk if as_text else json.dumps(pack), encoding="utf-8", errors="surrogatepass")
    code, _, err = check(capsys, "--no-default-packs", "--no-cache", "--pack", "pack.yaml", "post.md")
    event(f"check exit code {code}")
    assert code in (0, 1, 2, 3), err
    assert "Traceback" not in err and "internal error" not in err
    if code == 2:
        assert len(error_lines(err)) == 1, err
        return
    # A pack that loads can also run its examples and be explained.
    code = main(["test-rules", "--no-default-packs", "--no-cache", "--pack", "pack.yaml"])
    out, err = capsys.readouterr()
    assert code in (0, 1) and "Traceback" not in err, out + err
    code = main(["explain", "--no-default-packs", "--no-cache", "--pack", "pack.yaml", "random-rule"])
    out, err = capsys.readouterr()
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err


@settings(max_examples=60 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pack=_random_pack(good=True))
def test_well_formed_random_packs_load_and_run(capsys, pack: dict) -> None:
    """Any pack written by the rules of the language loads, checks a post and runs its examples: frames,
    knowledge checks, context modifiers, document rules and a pack's own vocabularies, in any combination."""
    rule = pack["rules"][0]
    event("frame" if "frame" in rule else "document rule" if rule.get("scope") == "document" else "match")
    for key in ("knowledge", "vocabularies", "cancelled_by", "unless_paragraph", "fix", "when"):
        if key in rule or key in pack:
            event(key)
    Path("post.md").write_text(POST, encoding="utf-8")
    Path("pack.yaml").write_text(json.dumps(pack), encoding="utf-8")
    code, out, err = check(capsys, "--no-default-packs", "--no-cache", "--pack", "pack.yaml", "post.md")
    assert code in (0, 1), err
    code = main(["test-rules", "--no-default-packs", "--no-cache", "--pack", "pack.yaml"])
    out, err = capsys.readouterr()
    assert code in (0, 1) and not err, out + err
