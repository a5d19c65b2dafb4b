"""Split a block's prose into sentences: the unit rules match in, and the scope of context checks.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets) followed by white space
and something that can start a sentence — unless the word before the stop is a known abbreviation or an
initial ("Dr.", "e.g.", "et al.", "J. Smith"). Decimals ("2.5 mg") and URLs have no space after the dot.

Real copy also starts sentences without a capital: after a stop or a colon, an emoji, check mark, bullet,
arrow or dash opens a new one ("Is it safe? ✅ Our drips are ..."), and so does a lower-case word after a
question mark or exclamation mark ("Tired of dieting? our program ..."). A lower-case word after a colon does
not: "Migraines: gone." is one claim, its subject before the colon.
"""

from __future__ import annotations

import re

# A stop or colon, any closing quotes or brackets (group 1), white space; what follows decides.
_BOUNDARY = re.compile(r"""(?<=[.!?\u2026:])(["')\]]*)\s+(?=\S)""")
_DASHES = "-\u2013\u2014"
_CAPITAL = re.compile(r"""["'(\[]?[A-Z0-9\u00C0-\u024F#]""")
# Emoji and pictographs, dingbats (check marks), arrows, bullets, geometric shapes, dashes.
_MARK = re.compile(
    "[\u2190-\u21ff\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\u2022\u2023\u2043\u25a0-\u25ff"
    "\u2013\u2014\\-*\u00b7]"
)
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
        if not _opens_sentence(text[m.start() - 1], bool(m.group(1)), text, m.end()):
            continue
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


def _opens_sentence(stop: str, quoted: bool, text: str, at: int) -> bool:
    """Does the text at ``at``, after the stop or colon ``stop`` (and closing quotes, when ``quoted``) and
    white space, start a new sentence?"""
    if _MARK.match(text, at):
        # A dash after a full stop or a closing quote is an attribution ('"It worked." - Ann'), not a list.
        return not (text[at] in _DASHES and (stop == "." or quoted))
    if stop == ":":  # "Migraines: gone." is one claim; only a mark after a colon opens a sentence
        return False
    if stop in "?!" and text[at].islower():
        return True
    return _CAPITAL.match(text, at) is not None


def _ends_with_abbreviation(text: str, stop_end: int) -> bool:
    """Is the stop that ends at ``stop_end`` part of an abbreviation or an initial?"""
    if text[stop_end - 1] not in ".\"')]":
        return False
    m = _LAST_WORD.search(text, max(0, stop_end - 12), stop_end)
    if m is None:
        return False
    word = m.group(1).lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())
