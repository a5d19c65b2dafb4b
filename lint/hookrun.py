"""One summary for a whole pre-commit run, even when pre-commit splits the file list.

pre-commit passes the files to check on the command line. The hook sets ``require_serial: true``, so
pre-commit starts one clinic-lint process (which spreads the files over its own workers) instead of one per
core, each printing its own partial "Found N problems in M files." Only when the list is longer than one
command line may be (about 128 KB of paths on Linux, 32 KB on Windows: thousands of files) does pre-commit
still split it, into batches run one after another.

So, under pre-commit (``PRE_COMMIT=1`` in the environment), each process appends its totals to a small file
shared by the processes of the same hook in the same pre-commit run — keyed by pre-commit's process id and
start time and by the hook's options — and its summary line gives the totals of every batch so far.

A batch is not told whether another follows, but pre-commit splits the list in a known way
(``pre_commit/xargs.py``): it fills each command line, in order, until the next file would make it longer
than its limit (128 KB, or less where the system allows less). So a batch whose command line leaves room for
a file name as long as its own longest (plus ``SLACK``) is the last one, and prints the whole run's summary;
a batch that is full prints its findings and leaves the summary to the batch after it (so a last batch that
happens to be that full prints none). A run that was not split prints exactly what it would have anyway.
Should pre-commit's limit ever differ from this model, a batch longer than the modelled limit prints its
(running) totals.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

STALE = 24 * 3600  # seconds after which a leftover state file (a crashed run) is removed
# how much longer than this batch's longest file name the next one may be before a full batch is taken for
# the last: a next name longer still makes the full batch print running totals (a second summary line)
SLACK = 64


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


# --------------------------------------------------------------------------- is another batch coming?


def command_limit() -> int:
    """The longest command line pre-commit builds for a hook (``_get_platform_max_length`` in
    ``pre_commit/xargs.py``): at most 128 KB, less where the system's limit minus the environment is lower."""
    if os.name == "nt":
        return 2**15 - 2048
    if os.name != "posix":
        return 2**12
    try:
        arg_max = os.sysconf("SC_ARG_MAX")
    except (ValueError, OSError):
        return 2**12
    environ = getattr(os, "environb", os.environ)
    env_size = 8 * len(environ) + sum(len(k) + len(v) + 2 for k, v in environ.items())
    return max(min(arg_max - 2048 - env_size, 2**17), 2**12)


def command_length(words: list[str]) -> int:
    """A command line's length as pre-commit counts it: bytes of the words joined by spaces (UTF-16 code
    units on Windows)."""
    joined = " ".join(words)
    if sys.platform == "win32":
        return len(joined.encode("utf-16-le", "surrogatepass")) // 2
    return len(os.fsencode(joined))


def interpreter(script: str) -> list[str]:
    """What pre-commit puts before a hook's executable: the interpreter its ``#!`` line names
    (``pre_commit.parse_shebang.normalize_cmd``), a bare name looked up on PATH."""
    try:
        if not os.access(script, os.X_OK):
            return []
        with open(script, "rb") as fh:
            if fh.read(2) != b"#!":
                return []
            first = fh.readline().decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return []
    if not first.isprintable():
        return []
    try:
        words = shlex.split(first)
    except ValueError:
        words = first.split()
    if words[:2] == ["/usr/bin/env", "-S"]:
        words = words[2:]
    elif words[:1] == ["/usr/bin/env"]:
        words = words[1:]
    if words and os.sep not in words[0] and not (os.altsep and os.altsep in words[0]):
        words[0] = shutil.which(words[0]) or words[0]
    return words


def more_batches_follow(argv: list[str], paths: list[str], limit: int | None = None) -> bool:
    """Whether pre-commit split the file list and has more files after this batch. ``argv``: this process's
    command line (``sys.argv``: the hook's executable, its arguments, then the files); ``paths``: the files.
    True only for a batch too full to take one more name as long as its longest (plus ``SLACK``)."""
    if not paths or not argv:
        return False
    limit = limit or command_limit()
    used = command_length([*interpreter(argv[0]), *argv]) + 1  # as pre-commit's total_length
    if used > limit:  # pre-commit no longer splits as modelled here: say the totals so far
        return False
    longest = max(command_length([p]) for p in paths)
    return limit - used < longest + 1 + SLACK
