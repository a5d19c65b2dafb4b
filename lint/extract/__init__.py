"""Extractors: decoded text -> prose blocks with exact source positions, one module per format."""

from __future__ import annotations

import importlib
import os

from lint.model import Document

FORMATS = ("text", "markdown", "html")
DEFAULT_EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}


def format_for(path: str, extensions: dict[str, str]) -> str | None:
    """The format a file is linted as, from its extension; ``None`` when it is not a linted extension."""
    ext = os.path.splitext(path)[1].lower()
    return extensions.get(ext)


def extract(text: str, fmt: str) -> Document:
    """Extract the prose of ``text`` in format ``fmt`` (imported lazily: start-up time matters)."""
    module = importlib.import_module(f"lint.extract.{fmt}")
    return module.extract(text)
