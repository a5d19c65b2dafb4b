"""The fast paths give the same answers as the slow ones: the word index against trying every pattern on every
sentence, the compiled-pack cache against fresh loading, parallel jobs against one process; and the cache
survives corruption, and a one-file run imports little."""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lint import cache
from lint.cli import main
from lint.config import Config
from lint.engine import load_rule_set, select_rules
from lint.extract import extract
from lint.match import Matcher
from lint.packs import RuleSet
from lint.tokens import tokenize

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted(p for p in (ROOT / "seeds").glob("*.*") if p.is_file())
STARTER = Path(__file__).parent / "fixtures" / "packs" / "starter.yaml"
FUZZ = int(os.environ.get("CLINIC_LINT_FUZZ", "1"))  # multiplies the random examples, for a longer hunt
PATTERN_KEYS = ("patterns", "antipatterns", "requires", "unless", "unless_paragraph", "must_contain", "when_patterns")


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "bench" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _format(path: Path) -> str:
    return {".md": "markdown", ".html": "html"}.get(path.suffix, "text")


# --------------------------------------------------------------------------- the index and the slow path agree


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    """Every shipped pack (what a run without a config loads), through the compiled-pack cache."""
    return load_rule_set(Config())


@pytest.fixture(scope="module")
def matchers(shipped: RuleSet) -> dict[str, Matcher]:
    rules = select_rules(shipped.packs, Config())
    assert {r.pack for r in rules} == {p.name for p in shipped.packs} and len(shipped.packs) >= 5
    return {"index": Matcher(shipped, rules, index=True), "every pattern": Matcher(shipped, rules, index=False)}


def _findings(matcher: Matcher, text: str, fmt: str) -> tuple[list[tuple], list[tuple]]:
    """The findings, and the candidates that context or knowledge cancelled (--explain-context)."""
    doc = extract(text, fmt)
    cancelled: list = []
    found, errors = matcher.check(doc, text, "post", explain=cancelled)
    assert not errors
    findings = sorted(
        (f.start, f.end, f.rule, f.message, f.suggestion, f.match, f.sentence, f.product, f.context,
         repr(f.fix), repr(f.related))
        for f in found
    )  # fmt: skip
    return findings, sorted((c.line, c.column, c.rule, c.match, c.why) for c in cancelled)


def _assert_agree(matchers: dict[str, Matcher], text: str, fmt: str, reference: str = "every pattern") -> int:
    """Every matcher finds exactly what the reference finds; the number of findings."""
    expected = _findings(matchers[reference], text, fmt)
    for name, matcher in matchers.items():
        assert _findings(matcher, text, fmt) == expected, name
    return len(expected[0])


def test_the_index_agrees_on_every_seed_post(matchers) -> None:
    total = 0
    for path in SEEDS:
        total += _assert_agree(matchers, path.read_text(encoding="utf-8"), _format(path))
    assert total > 20  # the seeds are risky enough for the comparison to mean something


def test_the_index_agrees_on_generated_bench_posts(matchers) -> None:
    bench = _bench()
    rng, seeds = random.Random(7), bench.seed_paragraphs()
    total = sum(_assert_agree(matchers, bench.post(rng, seeds, n), "markdown") for n in range(25))
    assert total > 10


# Words the shipped packs are built from, their near misses, the context that cancels them, and text that
# reads differently once tokenised (case specials, combining marks, typographic quotes, joined words).
_words = st.sampled_from([
    "completely", "safe", "Safe", "SAFE", "100%", "side-effect", "free", "risk-free", "no", "side", "effects",
    "cure", "cures", "cured", "treats", "relieves", "reverses", "heals", "helps", "fight", "may", "help",
    "guaranteed", "results", "miracle", "breakthrough", "revolutionary", "#1", "best", "in", "town",
    "ketamine", "Ketamine", "esketamine", "Spravato", "semaglutide", "Ozempic", "Wegovy", "tirzepatide",
    "compounded", "NAD+", "IV", "therapy", "infusions", "our", "this", "treatment", "drip", "it", "It",
    "depression", "PTSD", "anxiety", "chronic", "pain", "cancer", "autism", "hair", "loss", "COVID-19",
    "is", "are", "a", "an", "the", "of", "for", "and", "or", "but", "with", "to", "your", "you", "we",
    "Category", "III", "II", "drug", "substance", "Schedule", "controlled", "not", "habit-forming",
    "FDA-approved", "FDA", "approved", "cleared", "generic", "identical", "to",
    "lose", "lost", "30", "pounds", "in", "weeks", "2-4", "ten", "fast",
    "studies", "show", "clinically", "proven", "doctors", "recommend", "research", "(Smith", "et", "al.,", "2020)",
    "patients", "report", "only", "3", "spots", "left", "book", "now", "today",
    "not", "never", "without", "if", "whether", "ask", "claim", "some", "clinics", "myth", "has", "been", "shown",
    "—", "/", "(", ")", ":", ";", "®", "™", "\u212aetamine", "\u017fafe", "\u0130V", "caf\u00e9", "e\u0301",
    "naïve", "Dr.", "e.g.", "“quote”", "it’s", "ketamine’s", "C.B.D.",
])  # fmt: skip
_sentences = st.lists(
    st.tuples(
        st.lists(_words, min_size=1, max_size=14).map(" ".join),
        st.sampled_from([". ", "! ", "? ", "\n\n", " ", ", ", "; "]),
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
def test_the_index_agrees_on_random_risky_prose(matchers, text: str, fmt: str) -> None:
    _assert_agree(matchers, text, fmt)


# --------------------------------------------------------------------------- what the index relies on


def _shipped_patterns(rule_set: RuleSet):
    for pack in rule_set.packs:
        for rule in pack.rules:
            for key in PATTERN_KEYS:
                for pattern in getattr(rule, key, ()):
                    yield rule, key, pattern


def test_every_shipped_word_pattern_needs_a_word_and_is_anchored_on_one_of_them(shipped) -> None:
    """A pattern with no required word runs on every sentence; only the regex escape hatch may do that."""
    count = 0
    for rule, key, pattern in _shipped_patterns(shipped):
        count += 1
        if pattern.on_text:  # a {regex: ...} pattern
            continue
        where = f"{rule.id}.{key}: {pattern.source!r}"
        assert pattern.needs and all(pattern.needs), where
        anchor = pattern.anchor()
        assert anchor is not None and any(anchor <= need for need in pattern.needs), where
    assert count > 100


def _stream_texts() -> list[str]:
    """Prose to run every pattern over: the seed posts' blocks."""
    out = []
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        out += [block.text for block in extract(text, _format(path)).blocks]
    return out


def test_every_match_of_a_shipped_pattern_holds_a_word_of_each_need(shipped) -> None:
    """What ``needs`` promises, checked on the patterns themselves (not through the matcher, whose slow path
    skips patterns by the same needs): wherever a word pattern matches, the words it matched include one of
    each set."""
    blocks = [tokenize(text) for text in _stream_texts()]
    checked = 0
    for rule, key, pattern in _shipped_patterns(shipped):
        if pattern.on_text:
            continue
        for toks in blocks:
            for m in pattern.regex.finditer(toks.stream):
                if m.end() <= m.start():
                    continue
                first, last = toks.token_at(m.start()), toks.token_at(m.end() - 2) + 1
                matched = set(toks.norms[first:last])
                assert all(matched & need for need in pattern.needs), (rule.id, key, pattern.source, m.group())
                starts = getattr(pattern, "first", None)  # the words a match can start with, where declared
                assert starts is None or toks.norms[first] in starts, (rule.id, key, pattern.source, m.group())
                checked += 1
    assert checked > 100


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
    assert [p.name.split("-")[0] for p in fresh_cache.iterdir()] == ["rules"]
    warm = _run_json(capsys, *pinned_pack)
    assert warm[:2] == cold[:2] and cold[0] == 1
    # The notice says why the first run is slow, and only the first run prints it.
    assert cold[2].startswith("clinic-lint: compiling rule packs") and warm[2] == ""


def test_corrupt_cache_entries_are_ignored_and_rebuilt(capsys, fresh_cache: Path, pinned_pack: list[str]) -> None:
    expected = _run_json(capsys, *pinned_pack)
    (entry,) = fresh_cache.iterdir()
    data = entry.read_bytes()
    kind, digest = entry.stem.split("-", 1)
    for broken in (b"", b"garbage", data[: len(data) // 2], b"\x80\x05N."):
        entry.write_bytes(broken)
        assert _run_json(capsys, *pinned_pack) == expected
        assert cache.load(kind, digest) is not None  # rewritten whole


def test_wrong_object_in_the_cache_is_ignored(capsys, fresh_cache: Path, pinned_pack: list[str]) -> None:
    expected = _run_json(capsys, *pinned_pack)
    (entry,) = fresh_cache.iterdir()
    kind, digest = entry.stem.split("-", 1)
    cache.store(kind, digest, ["not", "what", "was", "stored"])
    assert cache.load(kind, digest) == ["not", "what", "was", "stored"]
    assert _run_json(capsys, *pinned_pack) == expected
    assert isinstance(cache.load(kind, digest), RuleSet)


def test_no_cache_writes_nothing(capsys, fresh_cache: Path, pinned_pack: list[str]) -> None:
    code, _, _ = _run_json(capsys, "--no-cache", *pinned_pack)
    assert code == 1
    assert not fresh_cache.exists()


def test_an_unusable_cache_directory_does_not_matter(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pinned_pack: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("CLINIC_LINT_CACHE_DIR", str(blocker / "cache"))
    code, report, err = _run_json(capsys, *pinned_pack)
    assert code == 1 and report["summary"]["findings"] > 0 and err.count("error") == 0


def test_an_edited_pack_is_not_served_stale(capsys, fresh_cache: Path, tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    post = tmp_path / "post.txt"
    post.write_text("It is completely safe and totally safe.\n", encoding="utf-8")
    pack.write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
    args = ["--no-default-packs", "--pack", str(pack), str(post)]
    assert [f["match"] for f in _run_json(capsys, *args)[1]["findings"]] == ["completely safe", "totally safe"]
    edited = pack.read_text(encoding="utf-8").replace("- completely|perfectly|totally safe", "- totally safe")
    assert edited != pack.read_text(encoding="utf-8")
    pack.write_text(edited, encoding="utf-8")
    assert [f["match"] for f in _run_json(capsys, *args)[1]["findings"]] == ["totally safe"]


def test_cached_patterns_behave_like_compiled_ones() -> None:
    source = r"(?P<word>safe)(?:ty)?"
    compiled = regex.compile(source, regex.IGNORECASE)
    lazy = cache.LazyPattern(source, regex.IGNORECASE)
    assert lazy == cache.LazyPattern(source, regex.IGNORECASE)
    assert hash(lazy) == hash(cache.LazyPattern(source, regex.IGNORECASE))
    assert lazy != cache.LazyPattern(source, 0)
    assert lazy.groupindex == compiled.groupindex == {"word": 1}
    assert lazy.search("It is SAFE").group("word") == "SAFE"
    text = "safe, Safety and unsafe SAFE"
    for args in ((text,), (text, 1), (text, 0, 12)):
        assert [m.span() for m in lazy.finditer(*args)] == [m.span() for m in compiled.finditer(*args)]
    assert lazy.match("safety").group() == "safety" and lazy.fullmatch("safe ") is None
    assert lazy.sub("ok", "safe, SAFE") == "ok, ok"
    copy = pickle.loads(pickle.dumps(lazy))
    assert copy == lazy and copy.search("Safe").group() == "Safe"
    with pytest.raises(AttributeError):
        lazy.no_such_attribute  # noqa: B018


def test_a_rule_set_from_the_cache_matches_like_a_fresh_one(shipped) -> None:
    """The cached rule set (patterns stored in the cache's own form) finds what a freshly loaded one finds."""
    from lint.packs import default_pack_paths
    from lint.packs import load_rule_set as fresh_load

    fresh = fresh_load(default_pack_paths())
    rules = [r for p in fresh.packs for r in p.rules]
    cached_rules = [r for p in shipped.packs for r in p.rules]
    assert [r.id for r in rules] == [r.id for r in cached_rules]
    both = {"cached": Matcher(shipped, cached_rules), "fresh": Matcher(fresh, rules)}
    total = sum(_assert_agree(both, p.read_text(encoding="utf-8"), _format(p), "fresh") for p in SEEDS)
    assert total > 20


# --------------------------------------------------------------------------- parallel jobs


def test_parallel_jobs_give_the_same_report_in_the_same_order(capsys, tmp_path: Path) -> None:
    bench = _bench()
    rng, seeds = random.Random(3), bench.seed_paragraphs()
    for n in range(24):
        (tmp_path / f"post-{n:02d}.md").write_text(bench.post(rng, seeds, n), encoding="utf-8")
    (tmp_path / "broken.md").write_bytes(b"caf\xe9 is completely safe\n")
    (tmp_path / "picture.md").write_bytes(b"\x00\x01\x02PNG")
    _run_json(capsys, "--jobs", "1", str(tmp_path))  # compiles the packs if needed (which may say so on stderr)
    one = _run_json(capsys, "--jobs", "1", str(tmp_path))
    two = _run_json(capsys, "--jobs", "2", str(tmp_path))
    every_core = _run_json(capsys, "--jobs", "0", str(tmp_path))
    assert one == two == every_core
    assert (
        one[0] == 3 and one[1]["summary"]["files_checked"] == 24
    )  # the binary and the undecodable file are not counted
    assert one[1]["summary"]["findings"] > 10


# --------------------------------------------------------------------------- start-up

_PROBE = (
    "import sys; from lint.cli import main; code = main(['check', *sys.argv[1:]]);"
    "heavy = {'ruamel', 'pathspec', 'multiprocessing', 'platformdirs', 'lemminflect', 'numpy'};"
    "heavy = sorted({m.split('.')[0] for m in sys.modules} & heavy);"
    "print('HEAVY', heavy, code)"
)


def _probe(*args: str, cache_dir: Path | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if cache_dir is not None:
        env["CLINIC_LINT_CACHE_DIR"] = str(cache_dir)
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, env=env, check=False)
    return done.stdout + done.stderr


def test_checking_one_post_imports_little(tmp_path: Path) -> None:
    post = tmp_path / "one.md"
    post.write_text("# Hello\n\nOur clinic is open on Mondays.\n", encoding="utf-8")
    _probe(str(post))  # fills the cache, if this session has not already compiled the shipped packs
    out = _probe(str(post))
    assert "HEAVY [] 0" in out, out


def test_the_inflection_lexicon_is_loaded_only_to_compile_packs(tmp_path: Path) -> None:
    """Expanding ``word+`` into every form needs LemmInflect (and numpy); a warm cache needs neither."""
    post = tmp_path / "one.md"
    post.write_text("# Hello\n\nIt is completely safe.\n", encoding="utf-8")
    args = ("--no-default-packs", "--pack", str(STARTER), str(post))
    cold = _probe(*args, cache_dir=tmp_path / "cache")
    assert "'lemminflect'" in cold and " 1\n" in cold, cold
    warm = _probe(*args, cache_dir=tmp_path / "cache")
    assert "HEAVY [] 1" in warm, warm
