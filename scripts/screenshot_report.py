"""Make the HTML report and take a screenshot of it in headless Chromium, so a reviewer of a change can look.

    python scripts/screenshot_report.py                                  # the README example -> docs/report.png
    python scripts/screenshot_report.py content/ --output /tmp/r.png     # any paths clinic-lint check takes
    python scripts/screenshot_report.py --html report.html --full-page   # an existing report

Uses Debian's chromium (``apt-get install chromium``; ``CLINIC_LINT_CHROMIUM`` names another binary) through
Playwright for Python (the ``test`` extra). Prints the PNG's path and size. The tests drive the browser with
:func:`chromium` from here, so the flags chromium needs when run as root live in one place.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTS = [ROOT / "docs" / "example" / "post.md"]  # the README's 30-second example
# Headless, no sandbox (as root), and nothing that reaches the network or a profile of its own.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The chromium binary: $CLINIC_LINT_CHROMIUM, else chromium on PATH, else Debian's /usr/bin/chromium."""
    found = os.environ.get("CLINIC_LINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(found):
        raise SystemExit(f"screenshot_report: no chromium at {found} (apt-get install chromium)")
    return found


@contextlib.contextmanager
def chromium() -> Iterator:
    """A Playwright Browser on the system chromium. Playwright gives it a fresh profile directory of its own
    (removed on close), so nothing of an earlier run is reused."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS[1:])
        try:  # Playwright adds --headless itself
            yield browser
        finally:
            browser.close()


def new_context(browser, *, javascript: bool = True, width: int = 1280, height: int = 900):
    """A browser context for one report: offline (the report must need nothing from the network)."""
    return browser.new_context(
        java_script_enabled=javascript, viewport={"width": width, "height": height}, offline=True
    )


def write_report(paths: Sequence[str], html: Path, extra: Sequence[str] = ()) -> int:
    """``clinic-lint report PATHS --output HTML``; its exit code (1 only means findings)."""
    sys.path.insert(0, str(ROOT))
    from lint.cli import main

    return main(["report", *map(str, paths), "--output", str(html), *extra])


def screenshot(html: Path, png: Path, *, full_page: bool = False, width: int = 1280, height: int = 900) -> int:
    """Open ``html`` in chromium and save a PNG; the PNG's size in bytes."""
    with chromium() as browser:
        page = new_context(browser, width=width, height=height).new_page()
        page.goto(html.resolve().as_uri())
        page.wait_for_selector("#summary")
        page.screenshot(path=str(png), full_page=full_page)
    return png.stat().st_size


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="what to lint (default: the README example post)")
    parser.add_argument("--html", type=Path, help="screenshot this report instead of making one")
    parser.add_argument("--output", "-o", type=Path, default=ROOT / "docs" / "report.png", help="the PNG to write")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        html = args.html
        if html is None:
            html = Path(tmp) / "report.html"
            code = write_report(args.paths or [str(p) for p in DEFAULT_POSTS], html)
            if code not in (0, 1):
                print(f"screenshot_report: clinic-lint exited {code}", file=sys.stderr)
                return code
        args.output.parent.mkdir(parents=True, exist_ok=True)
        size = screenshot(html, args.output, full_page=args.full_page, width=args.width, height=args.height)
    print(f"{args.output}: {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
