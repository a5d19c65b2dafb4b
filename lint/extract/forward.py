"""Forward-only searches for the scanners of MDX and template syntax.

A scanner asks again and again for "the next ``-->`` (or ``%}``, or blank line) at or after here" while it
moves forward through a file. Searching afresh each time is quadratic on a file full of openers that never
close; remembering the last answer, and reusing it while it is still ahead, makes every closer cost one pass.
"""

from __future__ import annotations

import re


class ForwardFinder:
    """``find(closer, pos)``: ``(start, end)`` of the first ``closer`` (a string or a compiled pattern) at or
    after ``pos`` in ``text``; ``(-1, -1)`` when there is none."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: dict[object, tuple[int, int, int]] = {}  # closer -> (searched from, found at or -1, end)

    def find(self, closer: str | re.Pattern[str], pos: int) -> tuple[int, int]:
        cached = self._found.get(closer)
        if cached is not None:
            searched_from, at, end = cached
            if at < 0 and pos >= searched_from:
                return -1, -1  # nothing after an earlier point: nothing after this one either
            if searched_from <= pos <= at:
                return at, end  # the hit found before is still the first one ahead
        if isinstance(closer, str):
            at = self.text.find(closer, pos)
            end = at + len(closer) if at >= 0 else -1
        else:
            m = closer.search(self.text, pos)
            at, end = (m.start(), m.end()) if m is not None else (-1, -1)
        self._found[closer] = (pos, at, end)
        return at, end
