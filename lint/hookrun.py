"""One summary for a whole pre-commit run, even when pre-commit splits the file list.

pre-commit passes the files to check on the command line. The hook sets ``require_serial: true``, so
pre-commit starts one clinic-lint process (which spreads the files over its own workers) instead of one per
core, each printing its own partial "Found N problems in M files." Only when the list is longer than one
command line may be (about 128 KB of paths on Linux, 32 KB on Windows: thousands of files) does pre-commit
still split it, into batches run one after another.

So, under pre-commit (``PRE_COMMIT=1`` in the environment), each process appends its totals to a small file
shared by the processes of the same hook in the same pre-commit run — keyed by pre-commit's process id and
start time and by the hook's options — and its summary line gives the totals of every batch so far. A run
that was not split prints exactly what it would have anyway; in a split run the last line is the whole
run's summary (earlier batches' lines say they are running totals).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

STALE = 24 * 3600  # seconds after which a leftover state file (a crashed run) is removed


def under_pre_commit() -> bool:
    return os.environ.get("PRE_COMMIT") == "1"


def _parent_started() -> str:
    """The parent process's start time where the system says (Linux): guards against a reused process id."""
    try:
        stat = Path(f"/proc/{os.getppid()}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def state_file(options: dict[str, Any], directory: Path | None = None) -> Path:
    """The file shared by the batches of this hook in this pre-commit run."""
    ident = json.dumps([os.getppid(), _parent_started(), os.getcwd(), options], sort_keys=True, default=str)
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    base = directory or Path(tempfile.gettempdir()) / "clinic-lint-pre-commit"
    return base / f"{os.getppid()}-{digest}.jsonl"


def record(summary: Any, path: Path) -> tuple[Any, int]:
    """Add this batch's totals to ``path``; the totals of every batch so far (a Summary) and how many
    batches that is. Any failure to share (read-only temp directory) just gives this batch's own totals."""
    from lint.report import Summary

    line = json.dumps({
        "files": summary.files, "files_with_findings": summary.files_with_findings,
        "not_checked": summary.errors, "fixed": summary.fixed, "by_severity": dict(summary.by_severity),
    })  # fmt: skip
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(path.parent)
        # one short line in append mode: batches running at the same time cannot interleave inside it
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        batches = [json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines() if raw.strip()]
    except (OSError, ValueError):
        return summary, 1
    total = Summary()
    for b in batches:
        total.files += b["files"]
        total.files_with_findings += b["files_with_findings"]
        total.errors += b["not_checked"]
        total.fixed += b["fixed"]
        total.by_severity += Counter(b["by_severity"])
    return total, len(batches)


def _remove_stale(directory: Path) -> None:
    now = time.time()
    try:
        for entry in directory.iterdir():
            if now - entry.stat().st_mtime > STALE:
                entry.unlink()
    except OSError:
        pass
