"""A progress line on standard error for long runs: files done / total and MB/s.

Shown only when standard error is a terminal (never in CI logs, pipes or editors) and only once a run has
taken longer than ``DELAY`` seconds, so a quick run prints nothing. The line is redrawn in place at most
``RATE`` times a second and erased before the report's summary is written.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

DELAY = 1.0  # seconds before the first line: short runs stay silent
RATE = 0.1  # seconds between redraws


def wanted(stream: TextIO, quiet: bool) -> bool:
    """Whether to show progress on ``stream``: a terminal, not --quiet, not TERM=dumb."""
    if quiet or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    """Counts results as they pass and redraws ``done/total files, MB/s`` on ``stream``."""

    def __init__(self, total: int, sizes: dict[str, int], stream: TextIO | None = None, clock=time.monotonic):
        self.total = total
        self.sizes = sizes  # path -> bytes, for the throughput figure
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = clock()
        self.done = 0
        self.bytes = 0
        self.last_draw = 0.0
        self.shown = False

    def start(self, total: int, sizes: dict[str, int]) -> None:
        """Discovery is done: this many files, of these sizes, from now on."""
        self.total, self.sizes, self.started = total, sizes, self.clock()

    def advance(self, path: str) -> None:
        self.done += 1
        self.bytes += self.sizes.get(path, 0)
        now = self.clock()
        if now - self.started >= DELAY and now - self.last_draw >= RATE:
            self.draw(now)

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.bytes / 1e6 / elapsed
        return f"clinic-lint: {self.done}/{self.total} files, {rate:.1f} MB/s"

    def draw(self, now: float) -> None:
        self.stream.write("\r\033[K" + self.line(now))
        self.stream.flush()
        self.last_draw = now
        self.shown = True

    def clear(self) -> None:
        """Erase the line (before the report writes to the same terminal, and at the end)."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def sizes_of(items: Sequence[Any]) -> dict[str, int]:
    """Bytes of each discovered file (items with a ``path``; missing ones count 0)."""
    sizes = {}
    for item in items:
        try:
            sizes[item.path] = os.stat(item.path).st_size
        except OSError:
            sizes[item.path] = 0
    return sizes


def track(results: Iterable[Any], progress: Progress) -> Iterator[Any]:
    """``results`` unchanged, advancing ``progress`` after each. The line is erased before a result that
    has something to print (its lines must not land on the progress line) and when the results run out."""
    try:
        for result in results:
            if result.findings or result.errors or result.notices:
                progress.clear()
            yield result
            progress.advance(result.path)
    finally:
        progress.clear()
