"""Paths as CI systems want them: relative to the working directory (the checkout), with forward slashes."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote


def portable_path(path: str) -> str:
    """``path`` relative to the working directory when it lies inside it, always with ``/`` separators."""
    if path == "-":
        return path
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            rel = path
        path = path if rel.startswith("..") else rel
    return os.path.normpath(path).replace(os.sep, "/").replace("\\", "/")


def artifact_uri(path: str) -> str:
    """A SARIF ``uri``: a relative URI reference for a path in the checkout, else an absolute file URI."""
    norm = portable_path(path)
    if os.path.isabs(norm):
        return Path(norm).as_uri()
    return quote(os.fsencode(norm), safe="/")  # the name's own bytes: a non-UTF-8 byte becomes %FF
