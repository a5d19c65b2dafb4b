"""Split a block's prose into sentences: the unit rules match in, and the scope of context checks.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets) followed by white space
and something that can start a sentence — unless the word before the stop is a known abbreviation or an
initial ("Dr.", "e.g.", "et al.", "J. Smith"). Decimals ("2.5 mg") and URLs have no space after the dot.
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"""(?<=[.!?\u2026])(["')\]]*)\s+(?=["'(\[]?[A-Z0-9\u00C0-\u024F#])""")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.[\"')\]]*$")
_ABBREVIATIONS = frozenset(
    """
    dr drs mr mrs ms mx prof sr jr st mt vs etc al fig figs no nos vol approx apt ave dept est inc ltd co
    corp jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun e.g i.e a.m p.m
    u.s u.k ph.d m.d d.o r.n n.p p.a b.s m.s cf ca min max mg mcg ml lb lbs oz hr hrs
    """.split()
)


def split(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` spans of the sentences in ``text``; together they cover all non-space text."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(1)  # closing quotes and brackets belong to the sentence they close
        if _ends_with_abbreviation(text, end):
            continue
        while end > start and text[end - 1] == " ":
            end -= 1
        if end > start:
            spans.append((start, end))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _ends_with_abbreviation(text: str, stop_end: int) -> bool:
    """Is the stop that ends at ``stop_end`` part of an abbreviation or an initial?"""
    if text[stop_end - 1] not in ".\"')]":
        return False
    m = _LAST_WORD.search(text, max(0, stop_end - 12), stop_end)
    if m is None:
        return False
    word = m.group(1).lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())
