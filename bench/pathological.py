"""Pathological inputs: does any input make clinic-lint super-linear?

    .venv/bin/python bench/pathological.py [--only REGEX] [--stage check|extract] [--scale X] [--cap SECONDS]

For each family of hostile input (cmark's pathological_tests.py families, the quadratic paths of the
standard library's HTML parser, long paragraphs of claims, suppression-directive storms, front matter, template
syntax, MDX, JSON-LD and WordPress exports) it builds the input
at size n and 10n, checks each in process with every shipped pack (``--stage extract``: extraction only) and
prints the CPU time of each, and the growth exponent ``log(t(10n)/t(n)) / log(bytes(10n)/bytes(n))``: about
1 is linear, 2 quadratic. A measurement that passes ``--cap`` seconds is stopped and printed as ``>cap``.

The families are also what ``tests/test_pathological.py`` runs, at smaller sizes.
"""

from __future__ import annotations

import argparse
import math
import re
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The reproduction paragraph: two lines of claims, no blank line between repetitions (one paragraph).
CLAIMS = (
    "Our ketamine infusions are completely safe and studies show they cure depression.\n"
    "Ketamine is a Category III drug.\n"
)
CLAUSE = "they cure depression, completely safe, "  # one sentence of many claims: n clauses, no full stop
DIRECTIVE = "<!-- clinic-lint-disable-next-line cure-language -- quoting the 2019 advert -->\n"


@dataclass(frozen=True)
class Family:
    name: str
    fmt: str  # text | markdown | html | mdx | wxr
    n: int  # the benchmark's small size; 10n is the large one
    build: Callable[[int], str]
    group: str  # matcher | markdown | html | suppress | formats

    def text(self, n: int) -> str:
        return self.build(max(1, n))


def _staircase(n: int) -> str:
    return "".join("e" + "`" * x for x in range(1, n))


def _nested_lists(n: int) -> str:
    """Lists nested 40 deep, a blank line between items, repeated ``n`` times (size linear in n)."""
    return "".join("  " * d + "- a list item\n\n" for d in range(40)) * n


def _deep_list(n: int) -> str:
    """cmark's deeply nested list: ``n`` items, each one level deeper (size grows as n squared)."""
    return "".join("  " * x + "* a\n" for x in range(n))


def _table(n: int) -> str:
    return "| a | b |\n|---|---|\n" + "| cell | risk free |\n" * n


def _references(n: int) -> str:
    return "".join(f"[{x}]: u\n" for x in range(1, n * 16)) + "[0] " * n


def _storm_next_line(n: int) -> str:
    """``n`` disable-next-line directives, each above a claim it suppresses."""
    return (DIRECTIVE + "Our drip cures depression.\n\n") * n


def _storm_stacked(n: int) -> str:
    """``n`` directives stacked above one claim: each looks past all the others for its line."""
    return DIRECTIVE * n + "Our drip cures depression.\n"


def _storm_ranges(n: int) -> str:
    """``n`` disable ranges left open with distinct (unknown) targets, then closed one by one."""
    opens = "".join(f"<!-- clinic-lint-disable rule-{i} -- why -->\n" for i in range(n))
    closes = "".join(f"<!-- clinic-lint-enable rule-{i} -->\n" for i in range(n))
    return opens + "Our drip cures depression.\n\n" + closes


def _storm_file(n: int) -> str:
    """Claims and directives interleaved: every finding is covered by every ``disable`` above it."""
    return ("<!-- clinic-lint-disable cure-language -- archived advert -->\nOur drip cures depression.\n\n") * n


_UNCLOSED = 'summary: [a, {b: "c\n'
_PARAMETER = 'title="x" '
_FLOW_ITEM = "  - {question: Is it safe?, answer: [Yes, 'always']}\n"
_WXR_HEAD = '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
_WXR_ITEM = "<item><title>Safe</title><content:encoded><![CDATA[<p>Our drip &amp; you</p>]]></content:encoded></item>"


def _nested_front_matter(n: int) -> str:
    """YAML front matter nested ``n`` deep (size grows as n squared)."""
    return "---\n" + "".join("  " * d + "seo:\n" for d in range(n)) + "---\n"


def _json_ld(n: int) -> str:
    item = '{"@type": "Question", "name": "Is it safe?", "acceptedAnswer": {"text": "Yes \\u2014 always"}},'
    return '<script type="application/ld+json">{"mainEntity": [' + item * n + "{}]}</script>"


FAMILIES: list[Family] = [
    # matcher: long paragraphs and sentences of claims
    Family("claims paragraph", "markdown", 80, lambda n: CLAIMS * n, "matcher"),
    Family("claims as text", "text", 80, lambda n: CLAIMS * n, "matcher"),
    Family("cure words", "text", 1000, lambda n: "cure " * n, "matcher"),
    Family("safe words", "text", 1000, lambda n: "completely safe " * n, "matcher"),
    Family("one sentence of claims", "text", 100, lambda n: CLAUSE * n + "etc.", "matcher"),
    Family("claims in one html p", "html", 80, lambda n: "<p>" + CLAIMS * n, "matcher"),
    # markdown: cmark's test/pathological_tests.py families
    Family("nested strong emph", "markdown", 6500, lambda n: "*a **a " * n + "b" + " a** a*" * n, "markdown"),
    Family("emph closers, no openers", "markdown", 6500, lambda n: "a_ " * n, "markdown"),
    Family("emph openers, no closers", "markdown", 6500, lambda n: "_a " * n, "markdown"),
    Family("link closers, no openers", "markdown", 6500, lambda n: "a]" * n, "markdown"),
    Family("link openers, no closers", "markdown", 6500, lambda n: "[a" * n, "markdown"),
    Family("mismatched openers/closers", "markdown", 5000, lambda n: "*a_ " * n, "markdown"),
    Family("openers/closers multiple of 3", "markdown", 5000, lambda n: "a**b" + "c* " * n, "markdown"),
    Family("link openers, emph closers", "markdown", 5000, lambda n: "[ a_" * n, "markdown"),
    Family("nested brackets", "markdown", 5000, lambda n: "[" * n + "a" + "]" * n, "markdown"),
    Family("nested block quotes", "markdown", 5000, lambda n: "> " * n + "a", "markdown"),
    Family("deeply nested lists", "markdown", 100, _deep_list, "markdown"),
    Family("nested lists, blank lines", "markdown", 100, _nested_lists, "markdown"),
    Family("backtick staircase", "markdown", 140, _staircase, "markdown"),
    Family("unclosed links A", "markdown", 5000, lambda n: "[a](<b" * n, "markdown"),
    Family("unclosed links B", "markdown", 5000, lambda n: "[a](b" * n, "markdown"),
    Family("many references", "markdown", 500, _references, "markdown"),
    Family("table rows", "markdown", 2000, _table, "markdown"),
    Family("unclosed comments (md)", "markdown", 5000, lambda n: "a <!--" * n, "markdown"),
    Family("U+0000", "markdown", 5000, lambda n: "abc\u0000de\u0000" * n, "markdown"),
    # html: the quadratic paths of html.parser
    # (sizes: 10n is about the reproduction, 0.2-2 MB, or takes about a second)
    Family("<a repeated", "html", 100_000, lambda n: "<a" * n, "html"),
    Family('<a b=" repeated', "html", 30_000, lambda n: '<a b="' * n, "html"),
    Family("<!-- repeated", "html", 25_000, lambda n: "<!--" * n, "html"),
    Family("</ repeated", "html", 100_000, lambda n: "</" * n, "html"),
    Family("<? repeated", "html", 100_000, lambda n: "<?" * n, "html"),
    Family("<! repeated", "html", 100_000, lambda n: "<!" * n, "html"),
    Family("<![CDATA[ repeated", "html", 20_000, lambda n: "<![CDATA[" * n, "html"),
    Family("&# repeated", "html", 10_000, lambda n: "&#" * n, "html"),
    Family("<!--x> repeated", "html", 30_000, lambda n: "<!--x>" * n, "html"),
    Family("<![CDATA[> repeated", "html", 10_000, lambda n: "<![CDATA[>" * n, "html"),
    Family("one tag, many attributes", "html", 10_000, lambda n: "<p " + 'a="b" ' * n + ">cure", "html"),
    Family("unquoted attribute, no end", "html", 40_000, lambda n: '<p>x<a b="' + "cure " * n, "html"),
    Family("tag soup", "html", 1000, lambda n: "<b>Our drip <i>cures</i></b> " * n, "html"),
    Family("unclosed <!-- before text", "html", 1000, lambda n: "<!--" + CLAIMS * n, "html"),
    Family("unclosed <title> before text", "html", 100, lambda n: "<title>" + CLAIMS * n, "html"),
    Family("unclosed <script> before text", "html", 2000, lambda n: "<script>" + "a < b " * (20 * n), "html"),
    Family("many <p> with claims", "html", 40, lambda n: ("<p>" + CLAIMS) * n, "html"),
    # suppression directives
    Family("directive storm, next-line", "markdown", 100, _storm_next_line, "suppress"),
    Family("directive storm, stacked", "markdown", 200, _storm_stacked, "suppress"),
    Family("directive storm, ranges", "markdown", 200, _storm_ranges, "suppress"),
    Family("directive storm, open disables", "markdown", 100, _storm_file, "suppress"),
    # the formats content teams keep copy in: front matter, template syntax, MDX, JSON-LD, WordPress exports
    Family("front matter nested n deep", "markdown", 300, _nested_front_matter, "formats"),
    Family("front matter flow items", "markdown", 2000, lambda n: "---\nfaq:\n" + _FLOW_ITEM * n + "---\n", "formats"),
    Family("front matter unclosed flow", "markdown", 2000, lambda n: "---\n" + _UNCLOSED * n + "---\n", "formats"),
    Family("TOML arrays n deep", "markdown", 20_000, lambda n: "+++\nsummary = " + "[" * n + "\n+++\n", "formats"),
    Family("template tags, no closers", "markdown", 20_000, lambda n: "{% " * n, "formats"),
    Family("template comments, no end", "markdown", 5000, lambda n: "{% comment %} " * n, "formats"),
    Family("include parameters", "markdown", 2000, lambda n: "{% include a.html " + _PARAMETER * n + "%}", "formats"),
    Family("mdx tags, no closers", "mdx", 5000, lambda n: '<A b="' * n, "formats"),
    Family("mdx expressions and tags", "mdx", 2000, lambda n: "text {a} <B c={d}>x</B> " * n, "formats"),
    Family("mdx template literals n deep", "mdx", 2000, lambda n: "{`${" * n, "formats"),
    Family("json-ld fields", "html", 1000, _json_ld, "formats"),
    Family("json-ld n deep", "html", 20_000, lambda n: '<script type="application/ld+json">' + "[" * n, "formats"),
    Family("wxr posts", "wxr", 1000, lambda n: _WXR_HEAD + _WXR_ITEM * n, "formats"),
    Family("wxr unclosed items", "wxr", 5000, lambda n: _WXR_HEAD + "<item><title>" * n, "formats"),
]


# --------------------------------------------------------------------------- measuring


class Capped(Exception):
    """A measurement ran past --cap."""


def _engine():
    from lint.config import Config
    from lint.engine import build_engine

    config = Config()
    if hasattr(config, "file_timeout"):
        config.file_timeout = 0  # no per-file budget: this script caps measurements itself (--cap)
    return build_engine(config)


def run_once(family: Family, n: int, engine, stage: str = "check") -> float:
    """CPU seconds to extract (``stage="extract"``) or fully check one input of ``family`` at size ``n``."""
    from lint.decode import SourceText
    from lint.extract import extract
    from lint.runner import lint_source

    text = family.text(n)
    start = time.process_time()
    if stage == "extract":
        extract(text, family.fmt)
    else:
        result = lint_source(SourceText(text, "utf-8", b"", "\n"), f"bench.{family.fmt}", family.fmt, engine)
        if result.errors:
            raise RuntimeError(f"{family.name}: {result.errors[0]}")
    return time.process_time() - start


def measure(family: Family, n: int, engine, stage: str = "check", repeat: int = 1, cap: float = 0) -> float:
    """The best of ``repeat`` runs, in CPU seconds; raises :class:`Capped` after ``cap`` wall seconds."""
    if cap <= 0 or not hasattr(signal, "setitimer"):
        return min(run_once(family, n, engine, stage) for _ in range(repeat))

    def stop(signum, frame):
        raise Capped

    previous = signal.signal(signal.SIGALRM, stop)
    try:
        signal.setitimer(signal.ITIMER_REAL, cap)
        return min(run_once(family, n, engine, stage) for _ in range(repeat))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def exponent(t1: float, t2: float, size1: int, size2: int) -> float:
    """How time grows with size between two measurements: 1 linear, 2 quadratic."""
    return math.log(max(t2, 1e-6) / max(t1, 1e-6)) / math.log(size2 / size1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", metavar="REGEX", help="families whose name or group matches")
    parser.add_argument("--stage", choices=("check", "extract"), default="check")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every family's n (default 1)")
    parser.add_argument("--cap", type=float, default=60.0, help="stop a measurement after this many seconds")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs per size")
    args = parser.parse_args(argv)
    families = [f for f in FAMILIES if not args.only or re.search(args.only, f"{f.group} {f.name}", re.I)]
    engine = _engine()
    print(f"{'family':34} {'fmt':8} {'bytes n':>10} {'t(n) s':>8} {'bytes 10n':>10} {'t(10n) s':>9} {'growth':>7}")
    worst = 0.0
    for family in families:
        n = max(1, round(family.n * args.scale))
        size1, size2 = len(family.text(n)), len(family.text(10 * n))
        row = f"{family.name:34} {family.fmt:8} {size1:>10}"
        try:
            t1 = measure(family, n, engine, args.stage, args.repeat, args.cap)
        except Capped:
            print(f"{row} {'>' + str(args.cap):>8}", flush=True)
            continue
        row += f" {t1:8.3f} {size2:>10}"
        try:
            t2 = measure(family, 10 * n, engine, args.stage, args.repeat, args.cap)
        except Capped:
            print(f"{row} {'>' + str(args.cap):>9}   (>{exponent(t1, args.cap, size1, size2):.1f})", flush=True)
            worst = max(worst, 2.0)
            continue
        growth = exponent(t1, t2, size1, size2)
        worst = max(worst, growth if t2 > 0.05 else 1.0)  # below 50 ms the figures are noise
        print(f"{row} {t2:9.3f} {growth:7.2f}", flush=True)
    print(f"worst growth exponent (large size over 50 ms): {worst:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
