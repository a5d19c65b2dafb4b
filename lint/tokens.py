"""Words: the unit rules are written in. A block of prose becomes a list of tokens and one *token stream*.

A token is a word, a number or one punctuation mark, with its exact span in the block's prose. Rules and
vocabularies are tokenised by the same function, so a pattern written "FDA-approved" or "97%" meets the
prose however it is spelt there:

- a hyphen or slash between two letters or digits joins nothing: "FDA-approved" and "FDA approved" are the
  same two tokens ``fda approved``; "2-4 pounds" is ``2 4 pounds``;
- a possessive or contracted ``'s`` is its own token ("ketamine's" is ``ketamine 's``);
- numbers keep their decimal point and thousands separators ("2.5", "1,000");
- ®, ™ and the emoji variation selector are dropped: they sit inside product names;
- an acronym of three or more letters written with stops is one word: "C.B.D." is ``cbd``;
- every other character that is not a letter, digit or space is a token of its own.

The *stream* is the tokens' lower-case forms joined by single spaces, with a space after the last one. Word
patterns are compiled to regular expressions over this stream (see :mod:`lint.wordpattern`), so a match
always starts and ends on token edges and a pattern never needs to spell spacing or case.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex

_DROPPED = "\u00ae\u2122\ufe0f\u200d"  # ®, ™, variation selector, joiner: never tokens
_JOINERS = "-/\u2010\u2011"  # hyphens and a slash: between two letters or digits they join words
_WORD_TOKENS = (
    r"(?:[^\W\d_]\.){3,}(?![^\W\d_])"  # an acronym with stops: "C.B.D." (read cbd)
    r"|\d+(?:[.,]\d+)*"  # a number: 2, 2.5, 1,000
    r"|[^\W\d_]+(?:'(?![sS]\b)[^\W_]+)*"  # a word, with contractions kept whole ("don't"), but not 's
    r"|'[sS]\b"  # the possessive or contracted 's
    r"|_"
)
# One other character, except a joining hyphen or slash ("FDA-approved"). Splitting on the tokens gives the
# text between them too, so their positions add up without a match object per token (the costly part).
_SPLIT = re.compile(rf"({_WORD_TOKENS}|(?![{_JOINERS}](?<=[^\W_][{_JOINERS}])(?=[^\W_]))[^\w\s{_DROPPED}])")
# The same where ® or ™ may stand between a word and its joiner ("Ozempic®/Wegovy"): that needs a lookbehind
# of any width, which only the regex module has, and is rare enough to take the slower road.
_SPLIT_DROPPED = regex.compile(
    rf"({_WORD_TOKENS}|(?![{_JOINERS}](?<=[^\W_][{_DROPPED}]*[{_JOINERS}])(?=[^\W_]))[^\w\s{_DROPPED}])"
)


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens of one text: their spans in it, their stream forms, and the stream."""

    starts: list[int]  # span of token i in the text
    ends: list[int]
    norms: list[str]  # lower-case form
    stream: str  # " ".join(norms) + " "
    stream_starts: list[int]  # where token i starts in the stream

    def __len__(self) -> int:
        return len(self.norms)

    def token_at(self, stream_offset: int) -> int:
        """The index of the token that starts at or contains ``stream_offset``."""
        return bisect.bisect_right(self.stream_starts, stream_offset) - 1

    def span(self, stream_start: int, stream_end: int) -> tuple[int, int]:
        """The text span of a stream match ``[stream_start, stream_end)`` (which ends after a space)."""
        first = self.token_at(stream_start)
        last = self.token_at(max(stream_start, stream_end - 2))
        return self.starts[first], self.ends[last]

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """The tokens ``[i, j)`` that lie inside the text span ``[start, end)``."""
        return bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end)

    def opening(self, first: int, last: int) -> int:
        """The first token of ``[first, last)`` with a letter or digit in it: where a sentence's words start,
        after any opening quotes, bullets or emoji (``last`` when there is none)."""
        norms = self.norms
        while first < last and not any(ch.isalnum() for ch in norms[first]):
            first += 1
        return first

    def each_match(
        self, pattern: Any, first: int, last: int, starts_with: frozenset[str] | None = None
    ) -> Iterator[Any]:
        """Every match of a stream ``pattern`` that starts at one of tokens ``[first, last)`` (one of the
        words ``starts_with``, when given) and ends by the end of token ``last - 1``: overlapping ones too,
        one per start."""
        endpos = self.stream_range(first, last)[1]
        for i in range(first, last):
            if starts_with is not None and self.norms[i] not in starts_with:
                continue
            m = pattern.match(self.stream, self.stream_starts[i], endpos)
            if m is not None:
                yield m

    def stream_range(self, first: int, last: int) -> tuple[int, int]:
        """The stream span of tokens ``[first, last)`` (for searching with pos/endpos)."""
        if first >= last:
            pos = self.stream_starts[first] if first < len(self.norms) else len(self.stream)
            return pos, pos
        return self.stream_starts[first], self.stream_starts[last - 1] + len(self.norms[last - 1]) + 1


def _lower(token: str) -> str:
    if len(token) > 5 and token[1] == "." and token[-1] == ".":
        token = token.replace(".", "")  # an acronym with stops
    low = token.lower()
    return low if len(low) == len(token) else token  # a few characters change length when lowered


def tokenize(text: str) -> Tokens:
    lowered = text.lower()
    same_length = len(lowered) == len(text)  # a few characters change length when lowered
    splitter = _SPLIT_DROPPED if any(ch in text for ch in _DROPPED) else _SPLIT
    parts = splitter.split(lowered if same_length else text)  # between, token, between, token, ..., between
    if len(parts) == 1:
        return Tokens([], [], [], "", [])
    edges = list(itertools.accumulate(map(len, parts)))
    starts, ends, norms = edges[0:-1:2], edges[1::2], parts[1::2]
    if not same_length:
        norms = [_lower(token) for token in norms]
    elif "." in text:  # acronyms with stops are rare: find them, don't test every token
        for m in _ACRONYM.finditer(lowered):
            i = bisect.bisect_left(starts, m.start())
            if i < len(starts) and (starts[i], ends[i]) == m.span():
                norms[i] = norms[i].replace(".", "")
    stream_starts = list(itertools.accumulate(map(_PLUS_ONE, map(len, norms[:-1])), initial=0))
    return Tokens(starts, ends, norms, " ".join(norms) + " ", stream_starts)


_PLUS_ONE = (1).__add__  # a token and the space after it
_ACRONYM = regex.compile(r"(?:[^\W\d_]\.){3,}(?![^\W\d_])")


def words(text: str) -> list[str]:
    """The stream forms of ``text``'s tokens (how a rule's literal words are read)."""
    return tokenize(text).norms
