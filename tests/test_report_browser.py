"""The HTML report in a real browser (Debian's chromium, driven by Playwright): it renders, every highlight sits
on its finding's words, the filters work (and the report works without the script), keyboard and print work,
colours have enough contrast; and the issue's end-to-end story: three posts -> lint -> report in Chromium ->
two findings waived by a named reviewer -> shown as waived -> the waivers expire -> they come back."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
PACK = ["--no-default-packs", "--pack", str(DATA / "workflow-pack.yaml")]


def _script():
    spec = importlib.util.spec_from_file_location("screenshot_report", ROOT / "scripts" / "screenshot_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


screenshot_report = _script()


@pytest.fixture(scope="module")
def browser():
    with screenshot_report.chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = screenshot_report.new_context(browser)
    yield context.new_page()
    context.close()


def open_report(page, path: Path):
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("#summary")
    return page


def report(tmp_path: Path, capsys, *args: str, name: str = "report.html") -> tuple[int, Path]:
    out = tmp_path / name
    code = main(["report", *args, "--output", str(out)])
    capsys.readouterr()
    return code, out


def findings_json(capsys, *args: str) -> list[dict]:
    main(["check", "--format", "json", *args])
    return json.loads(capsys.readouterr()[0])["findings"]


# Each card: its page, rule and the text of the highlights that name it (the numbered markers left out).
CARDS_JS = """() => Array.from(document.querySelectorAll('.finding')).map(card => ({
  id: card.id,
  page: card.closest('article').querySelector('h3').textContent,
  rule: card.querySelector('code').textContent,
  severity: card.dataset.severity,
  waived: card.dataset.waived === 'yes',
  visible: !!(card.offsetWidth || card.offsetHeight || card.getClientRects().length),
  words: Array.from(document.querySelectorAll('.hl[data-ids]'))
    .filter(m => m.dataset.ids.split(' ').includes(card.id))
    .map(m => Array.from(m.childNodes).filter(n => n.nodeName !== 'SUP').map(n => n.textContent).join(''))
    .join(''),
}))"""
STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def plain(text: str) -> str:
    return " ".join(text.translate(STRAIGHT).split())


def test_every_highlight_sits_on_its_findings_words_in_all_three_formats(page, tmp_path: Path, capsys) -> None:
    seeds = [str(p) for p in sorted((ROOT / "seeds").iterdir()) if p.suffix in (".md", ".html", ".txt")]
    code, html = report(tmp_path, capsys, *seeds)
    assert code == 1
    findings = findings_json(capsys, *seeds)
    assert {Path(f["path"]).suffix for f in findings} == {".md", ".html", ".txt"}
    cards = open_report(page, html).evaluate(CARDS_JS)
    assert len(cards) == len(findings) > 100
    want = Counter((Path(f["path"]).name, f["rule"], plain(f["match"])) for f in findings)
    got = Counter((Path(c["page"]).name, c["rule"], plain(c["words"])) for c in cards)
    assert got == want  # document-level findings have no words, as their match is empty
    assert page.title().startswith(f"clinic-lint report: {len(findings)} findings in 13 pages")


MDX = """---
title: Our miracle cure
---
import Callout from './callout'

<Callout title="Completely safe and proven">Our treatment is **completely safe**.</Callout>

It cures depression fast. Book now!
"""
WXR = """<?xml version="1.0"?>
<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<item><title>One &amp; only</title>
<content:encoded><![CDATA[<p>Our &ldquo;treatment&rdquo; is completely safe.</p><p>It cures depression.</p>]]></content:encoded>
<wp:post_name>one</wp:post_name></item>
</channel></rss>
"""


def test_highlights_sit_on_the_words_in_mdx_word_and_wordpress_pages(page, tmp_path: Path, capsys) -> None:
    import docx

    (tmp_path / "post.mdx").write_text(MDX, encoding="utf-8")
    (tmp_path / "export.xml").write_text(WXR, encoding="utf-8")
    brief = docx.Document()
    brief.add_paragraph("Intro text.")
    brief.add_paragraph("Our infusion is\tcompletely safe and cures depression.")
    brief.add_table(rows=1, cols=2).cell(0, 1).text = "Book now, only 3 spots left!"
    brief.save(str(tmp_path / "brief.docx"))
    paths = [str(tmp_path / name) for name in ("post.mdx", "export.xml", "brief.docx")]
    _, html = report(tmp_path, capsys, *paths)
    findings = findings_json(capsys, *paths)
    assert {Path(f["path"]).name for f in findings if f["match"]} == {"post.mdx", "export.xml#one", "brief.docx"}
    cards = open_report(page, html).evaluate(CARDS_JS)
    want = Counter((Path(f["path"]).name, f["rule"], plain(f["match"])) for f in findings)
    assert Counter((Path(c["page"]).name, c["rule"], plain(c["words"])) for c in cards) == want


SITE = {
    "posts/ketamine.md": "# Ketamine\n\nKetamine is a Category III drug and completely safe.\n\nA miracle, really.\n",
    "posts/weight.html": "<html><body><h1>Weight</h1><p>Results guaranteed &amp; totally safe.</p></body></html>\n",
    "posts/iv.txt": "IV drips are perfectly safe.\n\nBook today.\n",
}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name, text in SITE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def visible_cards(page) -> list[tuple[str, str]]:
    return sorted((c["rule"], c["severity"]) for c in page.evaluate(CARDS_JS) if c["visible"])


def test_filters_hide_findings_and_their_highlights(page, site: Path, capsys) -> None:
    _, html = report(site, capsys, *PACK, "posts")
    open_report(page, html)
    assert page.locator("#filters").is_visible()
    everything = visible_cards(page)
    assert everything == sorted([("wf-guaranteed-results", "warning"), ("wf-miracle", "info"), ("wf-safe", "warning"),
                                 ("wf-safe", "warning"), ("wf-safe", "warning"), ("wf-schedule", "error")])  # fmt: skip
    assert page.locator("#filter-status").text_content() == "Showing 6 of 6 findings."
    page.get_by_label("warning", exact=True).uncheck()
    assert visible_cards(page) == [("wf-miracle", "info"), ("wf-schedule", "error")]
    assert page.locator("#filter-status").text_content() == "Showing 2 of 6 findings."
    # the words of hidden findings are no longer highlighted; the others still are
    safe = page.locator(".hl", has_text="completely safe").first
    assert "off" in safe.get_attribute("class")
    assert safe.evaluate("m => getComputedStyle(m).backgroundColor") == "rgba(0, 0, 0, 0)"
    assert "off" not in page.locator(".hl", has_text="Category III drug").get_attribute("class")
    # a page left with no finding to show is hidden; the others stay
    assert page.locator("article.page", has_text="posts/iv.txt").is_hidden()
    assert page.locator("article.page", has_text="posts/ketamine.md").is_visible()
    page.get_by_role("checkbox", name="regulatory-claim").uncheck()
    assert visible_cards(page) == [("wf-miracle", "info")]
    page.get_by_role("button", name="All categories").click()
    page.get_by_label("warning", exact=True).check()
    assert visible_cards(page) == everything


def test_the_report_requests_nothing_but_itself(page, site: Path, capsys) -> None:
    _, html = report(site, capsys, *PACK, "posts")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    open_report(page, html)
    page.get_by_label("warning", exact=True).uncheck()  # the script runs, and fetches nothing either
    page.emulate_media(media="print")
    page.emulate_media(media="screen")
    assert requested == [html.resolve().as_uri()]


def test_without_javascript_everything_is_shown(browser, site: Path, capsys) -> None:
    _, html = report(site, capsys, *PACK, "posts")
    context = screenshot_report.new_context(browser, javascript=False)
    page = open_report(context.new_page(), html)
    assert page.locator("#filters").is_hidden()
    assert len(visible_cards(page)) == 6
    assert page.locator(".hl.off").count() == 0
    context.close()


def test_keyboard_reaches_highlights_and_they_lead_to_their_finding(page, site: Path, capsys) -> None:
    _, html = report(site, capsys, *PACK, "posts")
    open_report(page, html)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the pages"
    for _ in range(60):  # past the summary links and the filter boxes to the first highlighted words
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('hl')"):
            break
    target = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == target
    assert page.locator(target).is_visible()


def test_landmarks_headings_and_labels_for_assistive_technology(page, site: Path, capsys) -> None:
    _, html = report(site, capsys, *PACK, "posts")
    open_report(page, html)
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("banner").count() == 1 and page.get_by_role("main").count() == 1
    assert page.get_by_role("form", name="Filter findings").count() == 1
    for name in ("Summary", "Pages", "posts/ketamine.md"):
        assert page.get_by_role("region", name=name).count() + page.get_by_role("article", name=name).count() == 1
    # headings go down one level at a time: a screen reader's outline of the report
    levels = page.evaluate("() => Array.from(document.querySelectorAll('h1,h2,h3,h4')).map(h => +h.tagName[1])")
    assert levels[0] == 1 and all(b <= a + 1 for a, b in pairwise(levels))
    # every filter box is named by its label; every table header cell says whether it heads a row or a column
    boxes = page.locator("#filters input[type=checkbox]")
    names = [page.get_by_role("checkbox", name=box.get_attribute("value"), exact=True).count() for box in boxes.all()]
    assert len(names) == 7 and names == [1] * 7
    assert page.locator("th:not([scope])").count() == 0
    # the skip link leads to the pages, and the focused highlight is outlined (seen, not only reachable)
    assert page.locator(page.get_attribute("a.skip", "href")).count() == 1
    page.locator(".hl").first.focus()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_print_leaves_out_the_filters_and_opens_folded_details(page, site: Path, capsys) -> None:
    (site / "posts" / "more.md").write_text("Guaranteed results, totally safe.\n", encoding="utf-8")
    _, html = report(site, capsys, *PACK, "posts")
    open_report(page, html)
    related = page.locator("details.related li").first
    assert related.is_hidden()  # folded on screen
    page.emulate_media(media="print")
    assert page.locator("#filters").is_hidden()
    assert related.is_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.emulate_media(media="screen")


def contrast(fg: str, bg: str) -> float:
    def luminance(rgb: str) -> float:
        r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_has_enough_contrast(page, site: Path, capsys) -> None:
    waived = ["--reviewer", "Dana Reyes", "--reason", "Approved", "--today", "2025-01-10"]
    assert main(["waive", "posts/iv.txt:1", "wf-safe", *PACK, *waived]) == 0  # the grey of waived findings too
    _, html = report(site, capsys, *PACK, "--today", "2025-01-10", "posts")
    open_report(page, html)
    assert page.locator(".hl.sev-waived").count() == page.locator(".badge.waived").count() == 1
    pairs = page.evaluate(
        """() => Array.from(document.querySelectorAll(
             '.badge, .hl, .finding p, .cat, .ln, a, .suggestion .label, td, th, dt, .muted, label, legend'))
           .map(e => { let s = getComputedStyle(e), b = e, bg = 'rgba(0, 0, 0, 0)';
                       while (b && (bg = getComputedStyle(b).backgroundColor) === 'rgba(0, 0, 0, 0)') b = b.parentElement;
                       return [e.className || e.tagName, s.color, b ? bg : 'rgb(255, 255, 255)']; })"""
    )
    assert len(pairs) > 30
    low = [(what, fg, bg, round(contrast(fg, bg), 2)) for what, fg, bg in pairs if contrast(fg, bg) < 4.5]
    assert not low  # WCAG AA for normal text


# --------------------------------------------------------------------------- the end-to-end story


def test_lint_report_waive_expire_come_back(browser, site: Path, capsys) -> None:
    # 1. lint: three posts, every one with findings
    code = main(["check", *PACK, "--today", "2025-01-10", "posts"])
    out = capsys.readouterr()[0]
    assert code == 1 and out.splitlines()[-1] == "Found 6 problems (1 error, 4 warnings, 1 info) in 3 of 3 files."

    # 2. the report, opened in headless Chromium and screenshotted
    _, html = report(site, capsys, *PACK, "--today", "2025-01-10", "posts")
    context = screenshot_report.new_context(browser)
    page = open_report(context.new_page(), html)
    assert page.locator("h1").text_content() == "clinic-lint report"
    assert len(page.evaluate(CARDS_JS)) == 6 and page.locator(".finding.waived").count() == 0
    png = site / "report.png"
    page.screenshot(path=str(png), full_page=True)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000

    # 3. a named reviewer waives two findings
    for target, rule in (("posts/ketamine.md:3:37", "wf-safe"), ("posts/iv.txt:1", "wf-safe")):
        code = main(["waive", target, rule, *PACK, "--reviewer", "Dana Reyes", "--reason", "Legal approved the "
                     "wording with the risks listed below", "--today", "2025-01-10", "--days", "30"])  # fmt: skip
        assert code == 0
    capsys.readouterr()

    # 4. the report shows them as waived, with who, why and until when; check no longer reports them
    _, html = report(site, capsys, *PACK, "--today", "2025-01-20", "posts", name="waived.html")
    open_report(page, html)
    cards = page.evaluate(CARDS_JS)
    waived = sorted((Path(c["page"]).name, c["rule"], c["words"]) for c in cards if c["waived"])
    assert waived == [("iv.txt", "wf-safe", "perfectly safe"), ("ketamine.md", "wf-safe", "completely safe")]
    for words in ("perfectly safe", "completely safe"):
        assert "sev-waived" in page.locator(".hl", has_text=words).get_attribute("class")
    note = page.locator(".finding.waived .waiver-note").first.text_content()
    assert (
        note
        == "Waived by Dana Reyes on 2025-01-10 until 2025-02-09: Legal approved the wording with the risks listed below"
    )
    rows = page.locator("#waivers tbody tr")
    assert rows.count() == 2
    assert rows.first.locator("td").all_text_contents()[:5] == [
        "active",
        "posts/ketamine.md",
        "wf-safe",
        "completely safe",
        "Dana Reyes",
    ]
    assert page.locator("dl.totals div", has_text="Waived").locator("dd").text_content() == "2"
    page.get_by_label("waived", exact=True).uncheck()  # the filter hides accepted findings and their words
    assert [c for c in page.evaluate(CARDS_JS) if c["visible"] and c["waived"]] == []
    assert "off" in page.locator(".hl", has_text="perfectly safe").get_attribute("class")
    assert page.locator("#filter-status").text_content() == "Showing 4 of 6 findings."
    page.get_by_label("waived", exact=True).check()
    page.screenshot(path=str(site / "waived.png"))
    assert main(["check", *PACK, "--today", "2025-01-20", "posts"]) == 1
    assert (
        capsys.readouterr()[0].splitlines()[-1]
        == "Found 4 problems (1 error, 2 warnings, 1 info) in 2 of 3 files. 2 waived."
    )

    # 4b. moving the paragraphs around does not lose the waiver (the fingerprint is not a line number)
    moved = "# Ketamine\n\nWhat to expect at your first visit.\n\nA miracle, really.\n\nKetamine is a Category III\ndrug and completely safe.\n"  # fmt: skip
    (site / "posts" / "ketamine.md").write_text(moved, encoding="utf-8")
    _, html = report(site, capsys, *PACK, "--today", "2025-01-20", "posts", name="moved.html")
    open_report(page, html)
    assert page.locator(".finding.waived").count() == 2

    # 5. time moves past the expiry: they come back, naming the waiver that lapsed
    _, html = report(site, capsys, *PACK, "--today", "2025-02-10", "posts", name="expired.html")
    open_report(page, html)
    cards = page.evaluate(CARDS_JS)
    assert len(cards) == 6 and not any(c["waived"] for c in cards)
    notes = page.locator(".waiver-note").all_text_contents()
    assert notes == ["The waiver by Dana Reyes on 2025-01-10 expired on 2025-02-09 (Legal approved the wording with "
                     "the risks listed below); review it again."] * 2  # fmt: skip
    assert page.locator("#waivers tbody tr td strong").all_text_contents() == ["expired", "expired"]
    assert main(["check", *PACK, "--today", "2025-02-10", "posts"]) == 1
    assert capsys.readouterr()[0].splitlines()[-1] == "Found 6 problems (1 error, 4 warnings, 1 info) in 3 of 3 files."
    assert main(["waivers", *PACK, "--today", "2025-02-10", "--check"]) == 1
    context.close()


def test_screenshot_script_writes_a_png(tmp_path: Path) -> None:
    png = tmp_path / "shot.png"
    script = ROOT / "scripts" / "screenshot_report.py"
    done = subprocess.run(
        [sys.executable, str(script), str(ROOT / "docs" / "example" / "post.md"), "--output", str(png)],
        capture_output=True, text=True, timeout=300,  # the session's compiled-pack cache, from conftest
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{png}: {png.stat().st_size} bytes\n"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
