"""No input makes a run super-linear, and a file that still takes too long is reported, not waited for.

The growth tests run the families of ``bench/pathological.py`` (cmark's pathological inputs, the quadratic
paths of the standard library's HTML parser, long paragraphs of claims, suppression-directive storms) at size
n and 10n and assert that the CPU time grows by less than a generous factor: 25 for ten times the input, where
a quadratic path gives about 100 (the benchmark prints the figures at larger sizes); n starts at a tenth of
the benchmark's and doubles until a run takes long enough to measure. Then the per-file time budget
(``file-timeout``), and the cap on what nested vocabularies may compile to.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import signal
import sys
from pathlib import Path

import pytest

from lint.cli import main
from lint.config import Config
from lint.decode import SourceText
from lint.engine import build_engine
from lint.extract import extract
from lint.runner import lint_source

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = (
    "Our ketamine infusions are completely safe and studies show they cure depression.\n"
    "Ketamine is a Category III drug.\n"
)


def _bench():
    spec = importlib.util.spec_from_file_location("pathological", ROOT / "bench" / "pathological.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["pathological"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
FAMILIES = {f.name: f for f in BENCH.FAMILIES}
FLOOR = 0.002  # seconds: below this a measurement is mostly noise; ten times it is still fast


@pytest.fixture(scope="module")
def engine():
    """Every shipped pack, no time budget (the growth tests measure; they must not be cut short)."""
    return build_engine(Config(file_timeout=0))


def _growth(family, n: int, engine, stage: str, runs: int = 1) -> tuple[float, float, float]:
    """(CPU time at n, at 10n, how many times larger the 10n input is); the best of a few runs each. The
    cyclic garbage collector is off meanwhile: in a process holding the whole test session's objects, each of
    its passes costs time in proportion to them, and a run that allocates ten times more pays for ten times
    more passes, which looks like a quadratic path."""
    gc.collect()
    gc.disable()
    try:
        small = min(BENCH.run_once(family, n, engine, stage) for _ in range(runs + 2))
        large = min(BENCH.run_once(family, 10 * n, engine, stage) for _ in range(runs))
    finally:
        gc.enable()
    size_ratio = len(family.text(10 * n)) / len(family.text(n))
    return max(small, FLOOR), large, size_ratio


def _size(family, engine, stage: str) -> int:
    """A tenth of the benchmark's n, doubled (up to the benchmark's n) until one run takes 20 ms: below that,
    timer noise and fixed costs would hide how the time grows."""
    n = max(1, family.n // 10)
    while n < family.n and BENCH.run_once(family, n, engine, stage) < 10 * FLOOR:
        n = min(family.n, 2 * n)
    return n


def _assert_linear(family, n: int, engine, stage: str) -> None:
    small, large, size_ratio = _growth(family, n, engine, stage)
    if large >= 2.5 * size_ratio * small:  # a busy machine can spoil one measurement: measure again
        small, large, size_ratio = _growth(family, n, engine, stage, runs=2)
    assert large < 2.5 * size_ratio * small, (
        f"{family.name}: {small:.4f}s at {len(family.text(n))} bytes, {large:.4f}s at {len(family.text(10 * n))}"
    )


# Extraction (the Markdown and HTML families) and the whole check with every shipped pack (the matcher,
# suppressions, and a few extractor paths end to end), from a tenth of the benchmark's sizes (see _size).
EXTRACT = [f.name for f in BENCH.FAMILIES if f.group in ("markdown", "html", "formats")]
CHECK = [f.name for f in BENCH.FAMILIES if f.group in ("matcher", "suppress")] + [
    "unclosed <title> before text", "table rows", "nested lists, blank lines",
]  # fmt: skip


@pytest.mark.parametrize("name", EXTRACT)
def test_extraction_grows_linearly(name: str) -> None:
    family = FAMILIES[name]
    _assert_linear(family, _size(family, None, "extract"), None, "extract")


@pytest.mark.parametrize("name", CHECK)
def test_checking_grows_linearly(name: str, engine) -> None:
    """Among them the matcher's (issue 13, item 1): the issue's claims paragraph, ``'cure ' * n``, one long
    sentence full of claims."""
    family = FAMILIES[name]
    _assert_linear(family, _size(family, engine, "check"), engine, "check")


def test_the_growth_test_catches_a_quadratic_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same measurement fails on the standard library's own loop, which re-scans to the end of the text
    from every unclosed ``<!--`` (what the HTML extractor did before)."""
    from lint.extract import html

    def stdlib_loop(self) -> None:
        self.feed(self._text)
        self.close()

    monkeypatch.setattr(html._Extractor, "run", stdlib_loop)
    monkeypatch.setattr(html._Extractor, "_pos", lambda self: self._lines[self.getpos()[0] - 1] + self.getpos()[1])
    monkeypatch.setattr(html._Extractor, "_lines", [0], raising=False)  # one line: getpos() is the offset
    family = FAMILIES["<!-- repeated"]
    small, large, size_ratio = _growth(family, 400, None, "extract")
    assert large > 2.5 * size_ratio * small


# --------------------------------------------------------------------------- what the linear paths find


def _prose(text: str, fmt: str) -> list[str]:
    return [b.text for b in extract(text, fmt).blocks]


def test_an_unclosed_html_construct_hides_the_rest_of_the_page_as_browsers_do() -> None:
    """HTML5 at the end of the file: an unclosed comment, tag or declaration runs to the end and shows
    nothing; what came before is linted at its exact place."""
    for opener in ("<!--", "<b class='x", '<img alt="', "</b", "<?php", "<!doctype", "<![CDATA["):
        doc = extract("<p>Our drip is safe.</p>" + opener + " Our drip cures cancer.", "html")
        assert [b.text for b in doc.blocks] == ["Our drip is safe."], opener
        assert doc.comments == []
        assert doc.blocks[0].offsets.span(0, 3) == (3, 6)


def test_a_bad_character_reference_no_longer_swallows_the_page() -> None:
    """The standard library read everything after a malformed ``&#`` as text, tags included."""
    text = "<p>Call &#; now</p><p>Our drip <b>cures</b> it &amp</p>"
    doc = extract(text, "html")
    assert [b.text for b in doc.blocks] == ["Call &#; now", "Our drip cures it &"]
    amp = doc.blocks[1]
    assert amp.offsets.span(len(amp.text) - 1, len(amp.text)) == (text.rindex("&amp"), len(text) - 4)


def test_positions_stay_exact_after_thousands_of_constructs() -> None:
    text = "<!-- x -->\n<br/>&amp;<![if IE]>" * 2000 + "<p>Our drip cures cancer.</p>"
    (block,) = [b for b in extract(text, "html").blocks if b.text.strip("& ")]
    start = block.text.index("cures")
    assert block.offsets.span(start, start + 5) == (text.index("cures"), text.index("cures") + 5)
    assert len(extract(text, "html").comments) == 2000


def test_the_backtick_staircase_is_literal_text_and_code_spans_still_close() -> None:
    staircase = "".join("e" + "`" * x for x in range(1, 60))
    assert _prose(staircase, "markdown") == [staircase]  # no run has a partner of its length
    assert _prose("a ``b`` c ```d`` e``` f `g", "markdown") == ["a c f `g"]


# --------------------------------------------------------------------------- suppression storms


def test_a_storm_of_directives_is_applied_exactly(tmp_path: Path, capsys) -> None:
    """1,000 stacked directives above one claim all suppress it; 300 more each above its own claim."""
    directive = "<!-- clinic-lint-disable-next-line cure-claim -- quoting the 2019 advert -->\n"
    post = tmp_path / "storm.md"
    claim = "Our drip cures depression.\n"
    post.write_text(directive * 1000 + claim + "\n" + (directive + claim + "\n") * 300, encoding="utf-8")
    code = main(["check", "--format", "json", "--select", "cure-claim", "--fail-on", "info", str(post)])
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == [] and code == 0
    post.write_text(directive * 3 + "Our drip is pleasant.\n\n" + claim, encoding="utf-8")  # they miss it
    code = main(["check", "--format", "json", "--select", "cure-claim", "--fail-on", "info", str(post)])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [
        ("unused-suppression", 1), ("unused-suppression", 2), ("unused-suppression", 3), ("cure-language", 6)
    ]  # fmt: skip


# --------------------------------------------------------------------------- the per-file time budget


def _big(path: Path) -> Path:
    """A page of claims that takes a second or more to check: far past a budget of a few milliseconds."""
    path.write_text("# Page\n\n" + CLAIMS * 600, encoding="utf-8")
    return path


def test_a_file_over_its_time_budget_is_reported_and_the_run_goes_on(tmp_path: Path, capsys) -> None:
    slow = tmp_path / "generated"
    slow.mkdir()
    (slow / ".clinic-lint.yaml").write_text("file-timeout: 0.005\n", encoding="utf-8")
    _big(slow / "huge.md")
    (tmp_path / "post.md").write_text("Our drip cures depression.\n", encoding="utf-8")
    handler = signal.getsignal(signal.SIGALRM)
    code = main(["check", "--format", "json", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 3
    assert [line for line in err.splitlines() if "huge.md" in line] == [
        f"clinic-lint: error: {slow / 'huge.md'}: not fully checked: still running after 0.005s "
        "(file-timeout; raise it or split the file)"
    ]
    findings = json.loads(out)["findings"]
    assert findings and {f["path"] for f in findings} == {str(tmp_path / "post.md")}
    assert signal.getsignal(signal.SIGALRM) == handler and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_time_budget_holds_in_worker_processes(tmp_path: Path, capsys) -> None:
    for i in range(9):
        (tmp_path / f"post-{i}.md").write_text("Our drip cures depression.\n", encoding="utf-8")
    slow = tmp_path / "generated"
    slow.mkdir()
    (slow / ".clinic-lint.yaml").write_text("file-timeout: 0.005\n", encoding="utf-8")
    _big(slow / "huge.md")
    code = main(["check", "--format", "json", "--jobs", "2", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 3 and err.count("not fully checked") == 1 and "huge.md: not fully checked" in err
    assert len({f["path"] for f in json.loads(out)["findings"]}) == 9


def test_an_interrupted_check_leaves_the_engine_as_it_was(engine) -> None:
    """The timer may stop a check anywhere (extracting, tokenising, matching, compiling a pattern on first
    use); the files after it must be checked exactly as by an engine that was never interrupted."""
    tight = build_engine(Config())
    # Big enough that even a warm check on a fast machine takes several times the largest budget (600 copies
    # took about 0.1 s on CI once its patterns were compiled); a busy machine only makes it slower.
    huge = SourceText("# Page\n\n" + CLAIMS * 6000, "utf-8", b"", "\n")
    for budget in (0.001, 0.01, 0.03, 0.1, 0.3):
        tight.config.file_timeout = budget
        stopped = lint_source(huge, "huge.md", "markdown", tight)
        assert stopped.errors and not stopped.findings, (budget, stopped.errors, len(stopped.findings))
    tight.config.file_timeout = 0  # the same engine, no budget now
    seeds = sorted((ROOT / "seeds").glob("*.md"))
    assert len(seeds) >= 4
    for path in seeds:
        source = SourceText(path.read_text(encoding="utf-8"), "utf-8", b"", "\n")
        again = lint_source(source, path.name, "markdown", tight)
        fresh = lint_source(source, path.name, "markdown", engine)
        assert [(f.rule, f.start, f.end) for f in again.findings] == [
            (f.rule, f.start, f.end) for f in fresh.findings
        ], (path.name, again.errors, fresh.errors)


def test_no_budget_and_a_generous_default(tmp_path: Path, capsys) -> None:
    assert Config().file_timeout == 60
    post = tmp_path / "post.md"
    post.write_text("Our drip cures depression.\n", encoding="utf-8")
    assert main(["check", "--file-timeout", "0", str(post)]) == 1  # 0: no limit
    capsys.readouterr()


@pytest.mark.parametrize("value", ["-1", ".inf", ".nan", "'a minute'", "true", "100000"])
def test_a_bad_time_budget_in_the_config_is_a_usage_error(value: str, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".clinic-lint.yaml").write_text(f"file-timeout: {value}\n", encoding="utf-8")
    Path("post.md").write_text("Fine.\n", encoding="utf-8")
    assert main(["check", "post.md"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".clinic-lint.yaml" in err and "'file-timeout' must be a number of seconds" in err


@pytest.mark.parametrize("value", ["nan", "inf", "-3"])
def test_a_bad_time_budget_on_the_command_line_is_a_usage_error(value: str, tmp_path: Path, capsys) -> None:
    post = tmp_path / "post.md"
    post.write_text("Fine.\n", encoding="utf-8")
    assert main(["check", "--file-timeout", value, str(post)]) == 2
    assert "--file-timeout" in capsys.readouterr().err


# --------------------------------------------------------------------------- vocabularies that multiply


def _nested_pack(levels: int, pattern: str) -> str:
    """Each vocabulary uses the one below it three times: a 1 KB pack whose top compiles to 3**levels."""
    lines = ["name: nested", "description: d", "version: '1'", "vocabularies:",
             "  v0: {description: d, words: [aa, bb]}"]  # fmt: skip
    for i in range(1, levels + 1):
        lines.append(f"  v{i}: {{description: d, words: ['<v{i - 1}> <v{i - 1}>', '<v{i - 1}>']}}")
    lines += [
        "rules:", "  - id: nested-rule", "    category: hype", "    severity: warning", "    message: m",
        "    suggestion: s", f"    match: ['{pattern}']", "    references: [{name: T, url: 'https://example.org'}]",
        "    examples: {bad: ['[[aa cure]]', '[[bb cure]]', '[[aa bb cure]]'], good: [cure, cc cure, aa]}",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("levels", "pattern", "message"),
    [
        (16, "<v16> cure", "p.yaml:15:8: vocabulary 'v10': <v10> would compile to over 1,000,000 characters"),
        (9, "<v9> <v9> <v9> cure", "p.yaml:"),
    ],
)
def test_vocabularies_that_multiply_are_refused_naming_them(
    levels: int, pattern: str, message: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.yaml").write_text(_nested_pack(levels, pattern), encoding="utf-8")
    assert len(Path("p.yaml").read_bytes()) < 1500
    Path("post.txt").write_text("aa cure\n", encoding="utf-8")
    assert main(["check", "--no-default-packs", "--no-cache", "--pack", "p.yaml", "post.txt"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    if levels == 9:  # the vocabularies are allowed; the pattern that copies the largest three times is not
        assert "rule 'nested-rule': match: this pattern would compile to over 1,000,000 characters" in err
