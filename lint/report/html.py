"""One self-contained HTML report for the people who act on findings: copywriters and compliance reviewers.

Each page's text is shown as its readers see it (the prose blocks the extractors found, with the source's own
characters), each finding's exact words highlighted by severity, and beside each paragraph its findings:
rule, message, suggested rewording, authority, and the findings of other rules on the same words folded under
them. Document-level findings (a missing disclaimer) head the page with the text to add. A summary comes
first: pages checked, findings by category and severity, the riskiest pages, the waivers. CSS and a small
filter script are inlined (no network), the markup is rendered by Jinja2 with autoescaping, and the report
reads and prints without the script.

Each page is rendered when its file is done and only the HTML is kept, so memory grows with the report, not
with the site's text.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from lint.model import SEVERITIES, Finding, severity_rank
from lint.positions import Block
from lint.report import BaseReporter, Summary, is_waived, waiver_note
from lint.report._paths import portable_path
from lint.taxonomy import CATEGORIES

ORDER = tuple(reversed(SEVERITIES))  # error, warning, info: most severe first
_ODD_SPACE = re.compile(r"[^\S ]")  # a line break or tab inside a verbatim piece reads as one space
KIND_LABELS = {"alt": "image text", "title": "page title", "caption": "caption"}


@dataclass
class Page:
    """What the summary needs of a page (its HTML is rendered already)."""

    path: str
    anchor: str
    counts: Counter = field(default_factory=Counter)  # severity -> reported findings
    waived: int = 0
    errors: list[str] = field(default_factory=list)
    html: str = ""

    @property
    def risk(self) -> tuple:
        return (*(-self.counts[s] for s in ORDER), -self.waived, self.path)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Reporter(BaseReporter):
    needs_source = True  # the page's text is shown: the runner keeps it

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: dict[str, list[Finding]] = {}
        self.pages: list[Page] = []
        self.by_category: dict[str, Counter] = {}  # category -> severity -> count (reported findings)
        self.filter_categories: set[str] = set()  # every category in the report, waived findings' too
        self._env = None

    @property
    def env(self):
        if self._env is None:
            import jinja2

            self._env = jinja2.Environment(
                loader=jinja2.PackageLoader("lint.report", "templates"),
                autoescape=True,
                trim_blocks=True,
                lstrip_blocks=True,
                undefined=jinja2.StrictUndefined,
            )
        return self._env

    def finding(self, f: Finding) -> None:
        self.pending.setdefault(f.file, []).append(f)  # a WordPress post's findings go to its export file

    def file_done(self, result: Any) -> None:
        findings = self.pending.pop(result.path, [])
        if result.notices and not findings and not result.errors:
            return  # skipped on purpose (binary, not a WordPress export): not a page
        by_part: dict[str, list[Finding]] = {}
        for f in findings:
            by_part.setdefault(f.part, []).append(f)
        # one page per document: the file, or each post of a WordPress export (then findings carry its part)
        parts = [d.part for d in result.documents] or [""]
        parts += [p for p in by_part if p not in parts]
        blocks = {d.part: d.blocks for d in result.documents}
        for part in parts:
            path = portable_path(result.path) + (f"#{part}" if part else "")
            page = Page(path, f"p{len(self.pages) + 1}", errors=list(result.errors) if part == parts[0] else [])
            found = by_part.get(part, [])
            for f in found:
                self.filter_categories.add(f.category)
                if is_waived(f):
                    page.waived += 1
                else:
                    page.counts[f.severity] += 1
                    self.by_category.setdefault(f.category, Counter())[f.severity] += 1
            if found or page.errors:
                view = self._page_view(page, found, result.text, blocks.get(part))
                page.html = self.env.get_template("page.html.j2").render(page=page, view=view)
            self.pages.append(page)

    def finish(self, summary: Summary) -> None:
        pages = sorted(self.pages, key=lambda p: p.risk)
        flagged = [p for p in pages if p.total or p.waived or p.errors]
        clean = [p for p in pages if not (p.total or p.waived or p.errors)]
        categories = sorted(self.by_category, key=lambda c: (-sum(self.by_category[c].values()), c))
        html = self.env.get_template("report.html.j2").render(
            version=self.version,
            summary=summary,
            severities=ORDER,
            pages=flagged,
            clean=clean,
            categories=[(c, CATEGORIES.get(c, "clinic-lint's own checks"), self.by_category[c]) for c in categories],
            filter_categories=sorted(self.filter_categories),
            waivers=summary.waivers,
            any_waived=any(p.waived for p in flagged),
        )
        self.stream.write(html)

    # ------------------------------------------------------------------ one page

    def _page_view(
        self, page: Page, findings: list[Finding], text: str | None, blocks: list[Block] | None
    ) -> dict[str, Any]:
        """Everything page.html.j2 shows: document-level findings, then the blocks with their highlights."""
        findings = sorted(findings, key=lambda f: (f.start, -severity_rank(f.severity), f.rule))
        cards = [self._card(page, i, f) for i, f in enumerate(findings, start=1)]
        document = [c for c in cards if c["document"]]
        spans = [c for c in cards if not c["document"]]
        shown, unplaced = [], spans
        has_text = text is not None and blocks is not None
        if has_text:
            shown, unplaced = _blocks(blocks, text, spans)
        return {"document": document, "blocks": shown, "unplaced": unplaced, "has_text": has_text}

    def _card(self, page: Page, number: int, f: Finding) -> dict[str, Any]:
        rule = self.rules.get(f.rule)
        refs = [(r.name, r.url) for r in getattr(rule, "references", ()) if r.url.startswith(("https://", "http://"))]
        document = getattr(rule, "scope", "") == "document" or not f.match
        return {
            "id": f"{page.anchor}-f{number}",
            "number": number,
            "finding": f,
            "severity": f.severity,
            "category": f.category,
            "category_about": CATEGORIES.get(f.category, ""),
            "references": refs,
            "document": document,
            "waived": is_waived(f),
            "waiver_note": waiver_note(f),
            "start": f.start,
            "end": f.end,
        }


# ---------------------------------------------------------------------- placing highlights in the text


def _blocks(blocks: list[Block], text: str, cards: list[dict]) -> tuple[list[dict], list[dict]]:
    """Each block as display text cut into segments (plain, or highlighted by the findings covering it),
    with the cards of the findings that start in it; and the cards no block holds (kept, never lost)."""
    from lint.positions import LineIndex

    lines = LineIndex(text)
    placed: set[str] = set()
    out = []
    starts = [b.offsets.src_starts[0] for b in blocks]
    by_block: dict[int, list[tuple[dict, int, int]]] = {}
    for card in cards:
        for bi in _candidate_blocks(blocks, starts, card["start"]):
            span = _prose_span(blocks[bi], card["start"], card["end"])
            if span is not None:
                by_block.setdefault(bi, []).append((card, *span))
                placed.add(card["id"])
                break
    for bi, block in enumerate(blocks):
        display = _display_text(block, text)
        here = by_block.get(bi, [])
        out.append(
            {
                "kind": block.kind,
                "label": KIND_LABELS.get(block.kind, ""),
                "line": lines.position(block.offsets.src_starts[0])[0],
                "segments": _segments(display, here),
                "cards": [c for c, _, _ in here],
            }
        )
    return out, [c for c in cards if c["id"] not in placed]


def _candidate_blocks(blocks: list[Block], starts: list[int], offset: int) -> list[int]:
    """Blocks whose source range holds ``offset``, nearest start first (blocks can nest: alt text in a
    paragraph, a table cell in a table)."""
    i = bisect.bisect_right(starts, offset)
    return [bi for bi in range(i - 1, -1, -1) if blocks[bi].offsets.src_ends[-1] > offset]


def _prose_span(block: Block, start: int, end: int) -> tuple[int, int] | None:
    """The prose ``[i, j)`` of ``block`` whose characters come from source ``[start, end)``."""
    n = len(block.text)
    o = block.offsets
    i = bisect.bisect_left(range(n), start, key=o.start)
    if i >= n or o.start(i) >= end:
        return None
    j = bisect.bisect_left(range(n), end, key=o.start)
    return i, max(j, i + 1)


def _display_text(block: Block, text: str) -> str:
    """The block's prose with the source's own characters where they were copied (curly quotes stay curly);
    the same length as the prose, so prose positions hold."""
    o = block.offsets
    parts = []
    n = len(o.prose_starts)
    for k in range(n):
        ps = o.prose_starts[k]
        pe = o.prose_starts[k + 1] if k + 1 < n else len(block.text)
        if o.verbatim[k] and o.src_ends[k] - o.src_starts[k] == pe - ps:
            parts.append(_ODD_SPACE.sub(" ", text[o.src_starts[k] : o.src_ends[k]]))  # as the prose reads it
        else:
            parts.append(block.text[ps:pe])
    return "".join(parts)


def _segments(display: str, spans: list[tuple[dict, int, int]]) -> list[dict]:
    """``display`` cut at every highlight edge: overlapping findings share one highlight (the most severe
    colour), never a repeated copy of the words. A sweep over the edges: findings that overlap are few
    (one per category), so this stays linear in the block's findings."""
    from itertools import pairwise

    cuts = sorted({0, len(display), *(i for _, i, _ in spans), *(j for _, _, j in spans)})
    by_start = sorted(spans, key=lambda s: s[1])
    active: list[tuple[dict, int, int]] = []
    k, out = 0, []
    for a, b in pairwise(cuts):
        active = [s for s in active if s[2] > a]
        first = []
        while k < len(by_start) and by_start[k][1] <= a:
            active.append(by_start[k])
            first.append(by_start[k][0])
            k += 1
        if not active:
            out.append({"text": display[a:b], "cards": []})
            continue
        covering = [c for c, _, _ in active]
        reported = [c for c in covering if not c["waived"]]
        top = max(reported or covering, key=lambda c: severity_rank(c["severity"]))
        out.append(
            {
                "text": display[a:b],
                "cards": covering,
                "top": top,
                "severity": top["severity"] if reported else "waived",
                "ends": [c for c, _, j in active if j == b],  # numbered markers after these findings' last words
                "first": first,
            }
        )
    return out
