"""``--changed-since REF``: lint only the files that changed since a git revision (a pull request's base).

The files are discovered exactly as in a full run (extensions, excludes, ``.gitignore``, hidden entries), then
only those git reports as added, copied, modified or renamed since the merge base of REF and HEAD — in the
working tree, so uncommitted edits count — or as new and untracked, are kept. Paths that do not exist stay,
so they are still reported as missing.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable

from lint.model import LintError


def _git(args: list[str], cwd: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                              errors="surrogateescape")  # fmt: skip
    except OSError as exc:
        raise LintError(f"--changed-since needs git: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["git failed"])[-1]
        raise LintError(f"--changed-since: git {args[0]}: {detail}")
    return proc.stdout


def changed_files(since: str, cwd: str = ".") -> set[str]:
    """Real paths of the files changed since ``since`` (against its merge base with HEAD when there is one)."""
    top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
    _git(["rev-parse", "--verify", "--quiet", f"{since}^{{commit}}"], cwd)
    try:
        base = _git(["merge-base", since, "HEAD"], cwd).strip() or since
    except LintError:  # a shallow clone may not reach the merge base: compare with the revision itself
        base = since
    diff = _git(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", base, "--"], top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    names = [n for n in (diff + untracked).split("\0") if n]
    return {os.path.realpath(os.path.join(top, n)) for n in names}


def select(items: Iterable, changed: set[str]) -> list:
    """The discovered ``items`` (Target or Missing) to check: changed files, and every missing path."""
    from lint.discover import Target

    return [i for i in items if not isinstance(i, Target) or os.path.realpath(i.path) in changed]
