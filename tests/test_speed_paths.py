"""The fast paths give the same answers as the slow ones: the Hyperscan and pure-Python prefilters against no
prefilter at all, the compiled-pack cache against fresh loading, parallel jobs against one process; and the
cache survives corruption, and a one-file run imports little."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lint import cache, literals, prefilter, runner
from lint.cli import main
from lint.config import Config
from lint.extract import extract
from lint.match import Matcher

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted(p for p in (ROOT / "seeds").glob("*.*") if p.is_file())
STARTER = Path(__file__).parent / "fixtures" / "packs" / "starter.yaml"
HAS_HYPERSCAN = importlib.util.find_spec("hyperscan") is not None
FUZZ = int(os.environ.get("CLINIC_LINT_FUZZ", "1"))  # multiplies the random examples, for a longer hunt
needs_hyperscan = pytest.mark.skipif(not HAS_HYPERSCAN, reason="the optional hyperscan package is not installed")


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "bench" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- three matchers, one answer


@pytest.fixture(scope="module")
def engines() -> dict[str, runner.Engine]:
    config = Config(packs=[str(STARTER)], cache=False)
    packs = runner.load_rules(config)
    rules = runner.select_rules(packs, config)
    sentence_rules = [r for r in rules if r.scope == "sentence"]
    screened = [p for r in rules if r.scope == "document" for p in (*r.when_patterns, *r.must_contain)]
    screens = {"none": None, "python": prefilter.LiteralPrefilter(sentence_rules, screened)}
    if HAS_HYPERSCAN:
        screens["hyperscan"] = prefilter.HyperscanPrefilter(sentence_rules, screened)
    return {
        name: runner.Engine(config, packs, rules, Matcher(rules, timeout=config.regex_timeout, prefilter=screen))
        for name, screen in screens.items()
    }


def _findings(engine: runner.Engine, text: str, fmt: str) -> list[tuple]:
    doc = extract(text, fmt)
    found, errors = engine.matcher.check(doc, text, "post")
    assert not errors
    return sorted((f.start, f.end, f.rule, f.message, f.suggestion, f.match, f.sentence) for f in found)


def _assert_all_agree(engines: dict[str, runner.Engine], text: str, fmt: str) -> int:
    expected = _findings(engines["none"], text, fmt)
    for name, engine in engines.items():
        assert _findings(engine, text, fmt) == expected, name
    return len(expected)


def test_prefilters_agree_on_every_seed_post(engines) -> None:
    total = 0
    for path in SEEDS:
        fmt = {".md": "markdown", ".html": "html"}.get(path.suffix, "text")
        total += _assert_all_agree(engines, path.read_text(encoding="utf-8"), fmt)
    assert total > 20  # the seeds are risky enough for the comparison to mean something


def test_prefilters_agree_on_generated_bench_posts(engines) -> None:
    bench = _bench()
    rng, seeds = random.Random(7), bench.seed_paragraphs()
    total = sum(_assert_all_agree(engines, bench.post(rng, seeds, n), "markdown") for n in range(25))
    assert total > 10


_words = st.sampled_from(
    [
        "completely",
        "safe",
        "Safe",
        "SAFE",
        "cure",
        "cures",
        "guaranteed",
        "results",
        "ketamine",
        "Ketamine",
        "is",
        "a",
        "Category",
        "III",
        "drug",
        "FDA-approved",
        "FDA",
        "approved",
        "semaglutide",
        "lose",
        "30",
        "pounds",
        "in",
        "weeks",
        "patients",
        "report",
        "100%",
        "miracle",
        "breakthrough",
        "only",
        "3",
        "spots",
        "left",
        "book",
        "now",
        "not",
        "never",
        "studies",
        "show",
        "doctors",
        "recommend",
        "our",
        "clinic",
        "#1",
        "best",
        "in",
        "town",
        "—",
        "\u212aetamine",
        "\u017fafe",
        "\u0130V",
        "caf\u00e9",
        "e\u0301",
        "naïve",
        "Dr.",
        "e.g.",
        "“quote”",
        "it’s",
    ]
)
_sentences = st.lists(
    st.tuples(
        st.lists(_words, min_size=1, max_size=14).map(" ".join),
        st.sampled_from([". ", "! ", "? ", "\n\n", " ", ", "]),
    ).map("".join),
    min_size=1,
    max_size=8,
).map("".join)


@settings(
    max_examples=80 * FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=_sentences, fmt=st.sampled_from(["text", "markdown", "html"]))
def test_prefilters_agree_on_random_risky_prose(engines, text: str, fmt: str) -> None:
    _assert_all_agree(engines, text, fmt)


# --------------------------------------------------------------------------- the literal analysis


def _all_characters() -> str:
    return "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


def test_case_specials_are_exactly_the_regex_modules() -> None:
    everything = _all_characters()
    for letter in "abcdefghijklmnopqrstuvwxyz":
        others = {m.group() for m in regex.finditer(letter, everything, flags=regex.IGNORECASE)} - {
            letter,
            letter.upper(),
        }
        assert others == {k for k, v in literals.CASE_SPECIALS.items() if v == letter}, letter


def test_caseless_symbols_have_no_other_case() -> None:
    symbols = "".join(sorted(literals.CASELESS_SYMBOLS))
    matched = {
        m.group() for m in regex.finditer(f"[{regex.escape(symbols)}]", _all_characters(), flags=regex.IGNORECASE)
    }
    assert matched == set(literals.CASELESS_SYMBOLS)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:[.!]+|x{e<=1})",
        r"[[:alpha:]]+ safe",
        r"\p{L}+",
        r"(?V1)safe",
        r"(a+)+$",
        r"\d+",
        r"(?P<x>a)(?P=x)",
        r".",
    ],
)
def test_patterns_without_a_required_literal_have_no_condition_or_a_weak_one(pattern: str) -> None:
    cond = literals.condition(pattern, regex.IGNORECASE)
    assert cond is None or all(min(len(s.strip(literals.BOUNDARY)) for s in f) <= 2 for f in cond)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?:completely|totally) safe", {"completely safe", "totally safe"}),
        (r"(?<!\w)(?:cures?|cured)(?!\w)", {"\0cure\0", "\0cures\0", "\0cured\0"}),
        (r"\bmen\b", {"\0men\0"}),
        (r"(?<name>guarantee)[ds]?", {"guarantee"}),
    ],
)
def test_conditions_of_simple_patterns(pattern: str, expected: set[str]) -> None:
    assert literals.condition(pattern, regex.IGNORECASE) == (frozenset(expected),)


class _Rule:
    def __init__(self, source: str) -> None:
        self.patterns = (regex.compile(source, regex.IGNORECASE),)
        self.requires = ()


_pieces = st.sampled_from(
    [
        "safe",
        "cure",
        "(?:completely|totally) ",
        "\\bmen\\b",
        "(?<!\\w)",
        "(?!\\w)",
        "[sS]",
        "x?",
        "(?:a|bc)+",
        "\\d{1,3}",
        "%",
        "\\s+",
        " ",
        "(?:very )*",
        "[^a]",
        ".",
        "k",
        "(?:ing|ed)?",
        "\u2014",
        "\\W",
        "(?=s)",
        "#1",
    ]
)
_texts = st.text(
    alphabet=st.sampled_from(list("safecuremnkxbcd %#1 .,!-_\u212a\u017f\u0130S\u2014\u00e9\n")), max_size=40
)


@settings(max_examples=300 * FUZZ, deadline=None)
@given(
    pattern=st.lists(_pieces, min_size=1, max_size=5).map("".join),
    texts=st.lists(_texts, min_size=1, max_size=4),
)
def test_a_pattern_that_matches_is_always_a_candidate(pattern: str, texts: list[str]) -> None:
    """The conditions may let through too much, never too little: whenever the regex matches a text, both
    prefilters offer its rule there."""
    rules = [_Rule(pattern)]
    with_trie = prefilter.LiteralPrefilter(rules)  # past TRIE_AFTER characters the trie regex takes over
    with_trie._scanner = with_trie._compile() if with_trie.anchors else None
    screens = [prefilter.LiteralPrefilter(rules), with_trie]
    if HAS_HYPERSCAN:
        screens.append(prefilter.HyperscanPrefilter(rules))
    for screen in screens:
        offered = screen.candidates(texts)
        for text, rule_ids in zip(texts, offered, strict=True):
            if rules[0].patterns[0].search(text):
                assert 0 in rule_ids, (screen.scanner, pattern, text)


@pytest.mark.parametrize(
    ("pattern", "edges"),
    [
        (r"cures?", (True, True)),
        (r"\$\d+ off", (False, True)),
        (r"(?:very )?safe", (True, True)),
        (r"(?:a|b)? c", (False, True)),
        (r"100%", (True, False)),
        (r" foo", (False, True)),
        (r"(?:it|they) (?:cure|heal)s?\b(?! x)", (True, True)),
        (r"[\w-]+ ok", (False, True)),
        (r"x.", (True, False)),
        (r"caf\u00e9", (True, False)),  # non-ASCII: not assumed to be a word character
        (r"[[:alpha:]]+", (False, False)),  # read differently by re: unsure
    ],
)
def test_word_edges_of_simple_patterns(pattern: str, edges: tuple[bool, bool]) -> None:
    assert literals.word_edges(pattern, regex.IGNORECASE) == edges


@settings(max_examples=300 * FUZZ, deadline=None)
@given(pattern=st.lists(_pieces, min_size=1, max_size=5).map("".join), text=_texts)
def test_word_boundaries_where_edges_are_words_match_the_same(pattern: str, text: str) -> None:
    """Packs wrap patterns so a match cannot start or end inside a word; where the pattern surely starts (or
    ends) with a word character that wrap is \\b, and the two find exactly the same matches."""
    from lint.packs import _not_inside_words

    inside = r"(?!(?<=\w)\w)"
    general = regex.compile(rf"{inside}(?:{pattern}){inside}", regex.IGNORECASE)
    chosen = regex.compile(_not_inside_words(pattern, regex.IGNORECASE), regex.IGNORECASE)
    assert [m.span() for m in general.finditer(text)] == [m.span() for m in chosen.finditer(text)]


# --------------------------------------------------------------------------- which scanner


@needs_hyperscan
def test_hyperscan_is_used_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLINIC_LINT_NO_ACCELERATOR", raising=False)
    engine = runner.build_engine(Config(cache=False))
    assert engine.matcher.prefilter.scanner == "hyperscan"


def test_the_environment_variable_selects_the_pure_python_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_LINT_NO_ACCELERATOR", "1")
    engine = runner.build_engine(Config(cache=False))
    assert engine.matcher.prefilter.scanner == "python"


# --------------------------------------------------------------------------- the compiled-pack cache


def _run_json(capsys, *args: str) -> tuple[int, dict, str]:
    code = main(["check", "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("CLINIC_LINT_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def pinned_pack(tmp_path: Path) -> list[str]:
    """A copy of the starter pack: the cache tests must not see packs change under them."""
    pack = tmp_path / "pinned.yaml"
    pack.write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
    return ["--no-default-packs", "--pack", str(pack), str(ROOT / "seeds")]


def test_warm_cache_gives_the_same_report(capsys, fresh_cache: Path, pinned_pack: list[str]) -> None:
    cold = _run_json(capsys, *pinned_pack)
    assert sorted(p.name.split("-")[0] for p in fresh_cache.iterdir()) == ["packs", "prefilter"]
    warm = _run_json(capsys, *pinned_pack)
    assert warm == cold and cold[0] == 1


def test_corrupt_cache_entries_are_ignored_and_rebuilt(capsys, fresh_cache: Path, pinned_pack: list[str]) -> None:
    expected = _run_json(capsys, *pinned_pack)
    entries = sorted(fresh_cache.iterdir())
    for i, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes([b"", b"garbage", data[: len(data) // 2], b"\x80\x05N."][i % 4])
    assert _run_json(capsys, *pinned_pack) == expected
    for entry in entries:
        assert cache.load(entry.name.split("-")[0], entry.stem.split("-", 1)[1]) is not None  # rewritten whole


def test_wrong_object_in_the_cache_is_ignored(capsys, fresh_cache: Path, pinned_pack: list[str]) -> None:
    expected = _run_json(capsys, *pinned_pack)
    for entry in fresh_cache.iterdir():
        kind, digest = entry.stem.split("-", 1)
        cache.store(kind, digest, ["not", "what", "was", "stored"])
    assert _run_json(capsys, *pinned_pack) == expected


@needs_hyperscan
def test_a_cached_database_that_does_not_load_is_rebuilt(capsys, fresh_cache: Path, pinned_pack: list[str]) -> None:
    """A cache shared between machines may hold a Hyperscan database built for another CPU."""
    expected = _run_json(capsys, *pinned_pack)
    entry = next(fresh_cache.glob("prefilter-*"))
    kind, digest = entry.stem.split("-", 1)
    screen = cache.load(kind, digest)
    screen.database = b"not a Hyperscan database"
    cache.store(kind, digest, screen)
    assert _run_json(capsys, *pinned_pack) == expected
    assert cache.load(kind, digest).ready()


def test_no_cache_writes_nothing(capsys, fresh_cache: Path) -> None:
    code, _, _ = _run_json(capsys, "--no-cache", str(ROOT / "seeds"))
    assert code == 1
    assert not fresh_cache.exists()


def test_an_unusable_cache_directory_does_not_matter(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("CLINIC_LINT_CACHE_DIR", str(blocker / "cache"))
    code, report, err = _run_json(capsys, str(ROOT / "seeds"))
    assert code == 1 and report["summary"]["findings"] > 0 and err.count("error") == 0


def test_an_edited_pack_is_not_served_stale(capsys, fresh_cache: Path, tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    post = tmp_path / "post.txt"
    post.write_text("It is completely safe and totally safe.\n", encoding="utf-8")
    pack.write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
    args = ["--no-default-packs", "--pack", str(pack), str(post)]
    assert [f["match"] for f in _run_json(capsys, *args)[1]["findings"]] == [
        "completely safe",
        "totally safe",
    ]
    pack.write_text(
        pack.read_text(encoding="utf-8").replace("(?:completely|perfectly|totally|100%) safe", "totally safe")
    )
    assert [f["match"] for f in _run_json(capsys, *args)[1]["findings"]] == ["totally safe"]


def test_cached_patterns_behave_like_compiled_ones() -> None:
    source = r"(?P<word>safe)(?:ty)?"
    lazy = cache.LazyPattern(source, regex.IGNORECASE)
    assert lazy == cache.LazyPattern(source, regex.IGNORECASE)
    assert lazy.groupindex == {"word": 1}
    assert lazy.search("It is SAFE").group("word") == "SAFE"
    assert [m.group() for m in lazy.finditer("safe safety", timeout=1)] == ["safe", "safety"]
    import pickle

    assert pickle.loads(pickle.dumps(lazy)).search("Safe").group() == "Safe"


# --------------------------------------------------------------------------- parallel jobs


def test_parallel_jobs_give_the_same_report_in_the_same_order(capsys, tmp_path: Path) -> None:
    bench = _bench()
    rng, seeds = random.Random(3), bench.seed_paragraphs()
    for n in range(24):
        (tmp_path / f"post-{n:02d}.md").write_text(bench.post(rng, seeds, n), encoding="utf-8")
    (tmp_path / "broken.md").write_bytes(b"caf\xe9 is completely safe\n")
    (tmp_path / "picture.md").write_bytes(b"\x00\x01\x02PNG")
    one = _run_json(capsys, "--jobs", "1", str(tmp_path))
    two = _run_json(capsys, "--jobs", "2", str(tmp_path))
    every_core = _run_json(capsys, "--jobs", "0", str(tmp_path))
    assert one == two == every_core
    assert one[0] == 3 and one[1]["summary"]["files"] == 24  # the binary and the undecodable file are not counted


# --------------------------------------------------------------------------- start-up


def test_checking_one_post_imports_little(tmp_path: Path) -> None:
    post = tmp_path / "one.md"
    post.write_text("# Hello\n\nOur clinic is open on Mondays.\n", encoding="utf-8")
    probe = (
        "import sys; from lint.cli import main; code = main(['check', sys.argv[1]]);"
        "heavy = {'ruamel', 'pathspec', 'multiprocessing', 'platformdirs'};"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & heavy);"
        "print('HEAVY', heavy, code)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(2):  # the first run fills the cache
        done = subprocess.run(
            [sys.executable, "-c", probe, str(post)], capture_output=True, text=True, env=env, check=False
        )
    assert "HEAVY [] 0" in done.stdout, done.stdout + done.stderr
