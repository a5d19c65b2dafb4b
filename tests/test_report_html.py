"""--format html (and `clinic-lint report`) and --format markdown, read as documents: what they contain and
that nothing from the copy can inject markup. tests/test_report_browser.py opens the HTML in Chromium."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lint.cli import main
from lint.report.markdown import MAX_CHARS, escape
from tests.helpers import EXAMPLES, REFS, write_pack

RULES = f"""
- id: t-miracle-cure
  category: hype
  severity: warning
  message: '"{{match}}" is hype.'
  suggestion: Say what it does, for whom, with the evidence.
  match: [miracle cure]
  {REFS}
  {EXAMPLES}
- id: t-cure
  category: cure-claim
  severity: error
  message: '"{{match}}" claims a cure.'
  suggestion: may help some patients
  match: [cure+]
  {REFS}
  {EXAMPLES}
- id: t-safe
  category: safety-claim
  severity: warning
  message: '"{{match}}" overstates safety.'
  suggestion: Name the common side effects.
  match: [completely safe]
  references: [{{name: "FDA 21 CFR 202.1", url: "https://www.ecfr.gov/current/title-21"}}]
  {EXAMPLES}
- id: t-totally-safe
  category: safety-claim
  severity: info
  message: '"{{match}}" overstates safety, too.'
  suggestion: Name the risks.
  match: [completely safe and proven]
  {REFS}
  {EXAMPLES}
- id: t-results-vary
  category: missing-disclaimer
  scope: document
  severity: warning
  message: This page claims outcomes but never says results vary.
  suggestion: 'Add: "Individual results vary."'
  when: {{categories: [cure-claim]}}
  must_contain: [results vary]
  {REFS}
  {EXAMPLES}
"""
POST = """# Our “gentle” approach to &lt;script&gt;alert('x')&lt;/script&gt; pain

Our treatment is a miracle cure, and it is completely safe and proven.

- Nothing else here &amp; no risk.
"""
CLEAN = "Our clinic is open on Mondays.\n"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text(POST, encoding="utf-8")
    (tmp_path / "posts" / "clean.md").write_text(CLEAN, encoding="utf-8")
    write_pack(tmp_path, RULES, name="t")
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", "--no-default-packs", "--pack", "t.yaml", "--today", "2025-01-10", *args])
    out, err = capsys.readouterr()
    return code, out, err


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each element that has an id or a class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(doc: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(doc)
    return parser.tags


def test_html_is_one_self_contained_document(site: Path, capsys) -> None:
    code, doc, _ = run(capsys, "--format", "html", "posts")
    assert code == 1
    assert doc.startswith('<!DOCTYPE html>\n<html lang="en">')
    found = tags(doc)
    assert not [t for t, a in found if t in ("link", "img", "iframe", "object", "embed")]
    assert [a for t, a in found if t == "script"] == [{}]  # one inline script, nothing loaded
    hrefs = [a["href"] for t, a in found if t == "a"]
    external = sorted({h for h in hrefs if not h.startswith("#")})
    assert external == ["https://example.org/rule"]  # the authorities, nothing else
    assert not [a for _, a in found if {"src", "srcset", "poster", "data", "background"} & a.keys()]
    # the inline style and script fetch nothing either (no url(), @import, fetch or remote address)
    inline = re.findall(r"<style>(.*?)</style>|<script>(.*?)</script>", doc, re.S)
    assert len(inline) == 2 and all(len("".join(pair)) > 500 for pair in inline)
    for code in ("".join(pair) for pair in inline):
        assert not re.search(r"url\(|@import|fetch\(|XMLHttpRequest|https?:|//[\w.-]+\.\w", code)
    # every remote address in the document is the target of a link to an authority
    assert len(re.findall(r"https?://", doc)) == len([h for h in hrefs if h.startswith("http")])


def test_copy_cannot_inject_markup(site: Path, capsys) -> None:
    _, doc, _ = run(capsys, "--format", "html", "posts")
    assert "<script>alert" not in doc
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in doc


def test_each_page_shows_its_text_with_the_exact_words_highlighted(site: Path, capsys) -> None:
    _, doc, _ = run(capsys, "--format", "html", "posts")
    _, out, _ = run(capsys, "--format", "json", "posts")
    findings = json.loads(out)["findings"]
    marks = re.findall(
        r'<a class="hl sev-(\w+)" href="#([\w-]+)"(?: id="[\w-]+")? data-ids="([\w -]+)"[^>]*>(.*?)</a>', doc
    )
    words: dict[str, str] = {}
    for _, _, ids, inner in marks:
        text = html.unescape(re.sub(r"<sup[^>]*>.*?</sup>", "", inner))
        for fid in ids.split():
            words[fid] = words.get(fid, "") + text
    cards = re.findall(r'<div class="finding sev-(\w+)[^"]*" id="([\w-]+)"', doc)
    rules = dict(re.findall(r'id="([\w-]+)-h"><span class="num">\d+\.</span> <span class="badge sev-\w+">\w+</span> <code>([\w-]+)</code>', doc))  # fmt: skip
    got = sorted((rules[cid], words.get(cid, "")) for _, cid in cards)
    want = sorted((f["rule"], f["match"]) for f in findings)
    assert got == want  # every finding highlighted on exactly its own words (document-level: none)
    # the source's own characters are shown: curly quotes stay curly, entities decoded once
    assert "Our “gentle” approach" in doc
    assert "Nothing else here &amp;amp; no risk" not in doc and "Nothing else here &amp; no risk" in doc


def test_overlapping_findings_share_one_highlight_and_related_ones_fold(site: Path, capsys) -> None:
    _, doc, _ = run(capsys, "--format", "html", "posts")
    body = doc.split('id="p1"', 1)[1]
    sentence = re.search(r'<p class="prose k-paragraph">(.*?)</p>', body, re.S).group(1)
    text = html.unescape(
        re.sub(r"<[^>]+>", "", re.sub(r"<span class=\"ln\">.*?</span>|<sup[^>]*>.*?</sup>", "", sentence))
    )
    assert text == "Our treatment is a miracle cure, and it is completely safe and proven."  # the words once
    # "miracle cure" (hype) and "cure" (cure-claim) overlap: "cure" is one highlight naming both, in the
    # colour of the more severe
    assert re.search(
        r'<a class="hl sev-error" href="#p1-f\d+"(?: id="[\w-]+")? data-ids="p1-f\d+ p1-f\d+"[^>]*>cure<sup', sentence
    )
    # "completely safe and proven" (info) and "completely safe" (warning) are one problem of one category:
    # the longer finding leads and the other is folded under it
    assert "Also found by 1 other rule on the same words" in body
    assert re.search(
        r"<li><code>t-safe</code>, line 3, column 44, <q>completely safe</q>: .*overstates safety\.</li>", body
    )


def test_document_findings_head_the_page_with_the_text_to_add(site: Path, capsys) -> None:
    _, doc, _ = run(capsys, "--format", "html", "posts")
    page = doc.split('<article class="page" id="p1"', 1)[1]
    missing = page.index("Missing from this page")
    assert missing < page.index('<div class="text">')
    block = page[missing : page.index('<div class="text">')]
    assert "t-results-vary" in block and "Text to add" in block and "Add: &#34;Individual results vary.&#34;" in block


def test_summary_counts_riskiest_first_and_clean_pages(site: Path, capsys) -> None:
    (site / "posts" / "b.md").write_text("It is completely safe.\n", encoding="utf-8")
    _, doc, _ = run(capsys, "--format", "html", "posts")
    assert "<div><dt>Pages checked</dt><dd>3</dd></div>" in doc
    riskiest = re.search(r'<table id="riskiest">(.*?)</table>', doc, re.S).group(1)
    assert re.findall(r'<a href="#p\d+">(.*?)</a>', riskiest) == ["posts/a.md", "posts/b.md"]
    by_category = re.search(r'<table id="by-category">(.*?)</table>', doc, re.S).group(1)
    rows = re.findall(r'<span title="[^"]*">([\w-]+)</span></th>((?:<td class="n">\d+</td>)+)', by_category)
    assert {name: re.findall(r"\d+", cells) for name, cells in rows} == {
        "safety-claim": ["0", "1", "1", "2"],  # error, warning, info, total
        "cure-claim": ["1", "0", "0", "1"],
        "hype": ["0", "1", "0", "1"],
        "missing-disclaimer": ["0", "1", "0", "1"],
    }
    assert "1 page with no findings" in doc and "<li>posts/clean.md</li>" in doc
    assert re.findall(r'<h3 id="p\d+-h">(.*?)</h3>', doc) == ["posts/a.md", "posts/b.md"]  # riskiest first


def test_filters_are_in_the_markup_hidden_until_the_script_runs(site: Path, capsys) -> None:
    _, doc, _ = run(capsys, "--format", "html", "posts")
    assert '<form id="filters" hidden aria-label="Filter findings">' in doc
    boxes = [(a["name"], a["value"]) for t, a in tags(doc) if t == "input"]
    assert boxes == [("severity", "error"), ("severity", "warning"), ("severity", "info"),
                     ("category", "cure-claim"), ("category", "hype"), ("category", "missing-disclaimer"),
                     ("category", "safety-claim")]  # fmt: skip


def test_report_command_writes_the_html_file(site: Path, capsys) -> None:
    code = main(["report", "--no-default-packs", "--pack", "t.yaml", "posts"])
    out, _ = capsys.readouterr()
    assert code == 1 and out == ""
    doc = (site / "clinic-lint-report.html").read_text(encoding="utf-8")
    assert "<h1>clinic-lint report</h1>" in doc
    assert main(["report", "--no-default-packs", "--pack", "t.yaml", "--output", "r.html", "posts"]) == 1
    assert (site / "r.html").is_file()


def test_html_of_a_page_that_could_not_be_read(site: Path, capsys) -> None:
    (site / "posts" / "bad.md").write_bytes(b"caf\xe9 completely safe\n")
    code, doc, _ = run(capsys, "--format", "html", "posts")
    assert code == 3
    assert "Not fully checked: posts/bad.md" in doc


def test_no_findings_report(site: Path, capsys) -> None:
    code, doc, _ = run(capsys, "--format", "html", "posts/clean.md")
    assert code == 0 and "<p>No findings.</p>" in doc and "<article" not in doc


# --------------------------------------------------------------------------- markdown


def test_markdown_summary(site: Path, capsys) -> None:
    code, md, _ = run(capsys, "--format", "markdown", "posts")
    assert code == 1
    lines = md.splitlines()
    assert lines[0] == "### clinic-lint: 4 problems in 1 of 2 pages"
    assert "| findings | 1 | 2 | 1 | 0 |" in lines
    assert "| safety-claim | 1 |" in lines
    assert "<details><summary><code>posts/a.md</code>: 1 error, 2 warnings, 1 info</summary>" in lines
    assert '- **error** `t-cure` line 3, column 28: "cure" claims a cure.' in lines
    assert "  > Our treatment is a miracle **cure**, and it is completely safe and proven." in lines
    assert "  Suggestion: may help some patients" in lines
    assert '  Text to add: Add: "Individual results vary."' in lines
    assert md.count("<details>") == md.count("</details>") == 1


def test_markdown_escapes_the_copy() -> None:
    assert escape("<img src=x onerror=alert(1)> *bold* [a](b) | x") == (
        "\\<img src=x onerror=alert(1)\\> \\*bold\\* \\[a\\](b) \\| x"
    )
    assert escape("# not a heading") == "\\# not a heading"
    assert escape("1. not a list") == "1\\. not a list"
    assert escape("- no\n\nbreaks") == "\\- no breaks"


def test_markdown_stops_before_a_comment_is_too_long(site: Path, capsys) -> None:
    for i in range(400):
        (site / "posts" / f"p{i:03}.md").write_text("It is completely safe, a miracle cure.\n" * 3, encoding="utf-8")
    _, md, _ = run(capsys, "--format", "markdown", "posts")
    assert len(md) <= MAX_CHARS + 200
    assert re.search(r"_…and \d+ more pages with \d+ findings: see the full report\._\n$", md)
    assert md.count("<details>") == md.count("</details>")
