"""Rewrite seeds/expected/*.yaml from what clinic-lint reports on seeds/ today.

Run it only after reading the change in findings it will record (`git diff seeds/expected` afterwards):
the golden test (tests/test_seeds_golden.py) exists to make every change in findings a reviewed one.

    python scripts/update_golden.py
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EXPECTED = SEEDS / "expected"
HEADER = (
    "# Findings clinic-lint must report on seeds/{name}: exact line, column and rule.\n"
    "# Reviewed by hand; regenerate with `python scripts/update_golden.py` and read the diff.\n"
)


def seed_posts() -> list[Path]:
    return sorted(p for p in SEEDS.iterdir() if p.is_file() and p.suffix in (".md", ".html", ".txt"))


def current_findings(post: Path) -> list[dict]:
    """The findings clinic-lint reports for one post, through the real command line."""
    sys.path.insert(0, str(ROOT))
    from lint.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", str(post), "--format", "json", "--no-cache"])
    return json.loads(out.getvalue())["findings"]


def render(name: str, findings: list[dict]) -> str:
    lines = [HEADER.format(name=name)]
    if not findings:
        lines.append("[]\n")
    for f in findings:
        text = json.dumps(f["match"] or "(whole document)", ensure_ascii=False)
        lines.append(
            f"- {{line: {f['line']}, column: {f['column']}, rule: {f['rule']}, category: {f['category']}, text: {text}}}\n"
        )
    return "".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    EXPECTED.mkdir(exist_ok=True)
    for post in seed_posts():
        target = EXPECTED / f"{post.name}.yaml"
        target.write_text(render(post.name, current_findings(post)), encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
