"""Extractors: decoded text -> prose blocks with exact source positions, one module per format."""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass

from lint.model import Document

FORMATS = ("text", "markdown", "mdx", "html", "docx", "wxr")
DEFAULT_EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".mdx": "mdx",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".xml": "wxr",  # WordPress exports; other XML files are skipped with a notice
}
BINARY_FORMATS = frozenset(("docx",))  # decoded from their bytes by a reader of their own (lint/decode.py)

# Front-matter keys whose values are published copy (at any depth: `seo: {title: ...}`, `[params]`, lists).
DEFAULT_FRONT_MATTER_KEYS = (
    "title", "description", "summary", "excerpt", "subtitle", "tagline", "headline", "subheadline", "heading",
    "subheading", "lead", "lede", "dek", "intro", "teaser", "abstract", "blurb", "caption", "alt", "quote",
    "question", "answer", "link_title", "seo_title", "seo_description", "meta_title", "meta_description",
    "og_title", "og_description", "twitter_title", "twitter_description",
)  # fmt: skip
# JSX attributes (MDX) and Hugo shortcode parameters whose string values are published copy.
DEFAULT_PROSE_ATTRIBUTES = (
    "title", "caption", "alt", "description", "summary", "subtitle", "excerpt", "tagline", "heading",
    "headline", "subheading", "quote", "label", "text",
)  # fmt: skip
_SEPARATORS = re.compile(r"[-_:\s]")


def key_name(name: str) -> str:
    """How keys and attributes are compared: ``seo_title``, ``seoTitle``, ``seo-title`` are one key (and
    ``og:title`` is ``og_title``)."""
    return _SEPARATORS.sub("", name).casefold()


@dataclass(frozen=True)
class Options:
    """What the configuration tells extractors: which keys and attributes hold prose (as :func:`key_name`)."""

    front_matter_keys: frozenset[str] = frozenset(map(key_name, DEFAULT_FRONT_MATTER_KEYS))
    prose_attributes: frozenset[str] = frozenset(map(key_name, DEFAULT_PROSE_ATTRIBUTES))

    @classmethod
    def of(cls, front_matter_keys: list[str], prose_attributes: list[str]) -> Options:
        return cls(frozenset(map(key_name, front_matter_keys)), frozenset(map(key_name, prose_attributes)))


DEFAULT_OPTIONS = Options()


class Skipped(Exception):
    """The file is not what its extension says (an XML file that is no WordPress export): skipped with a
    notice, like a binary file."""


def format_for(path: str, extensions: dict[str, str]) -> str | None:
    """The format a file is linted as, from its extension; ``None`` when it is not a linted extension."""
    ext = os.path.splitext(path)[1].lower()
    return extensions.get(ext)


def extract(text: str, fmt: str, options: Options = DEFAULT_OPTIONS) -> Document:
    """Extract the prose of ``text`` in format ``fmt`` (imported lazily: start-up time matters)."""
    module = importlib.import_module(f"lint.extract.{fmt}")
    return module.extract(text, options)


def extract_parts(text: str, fmt: str, options: Options = DEFAULT_OPTIONS) -> list[Document]:
    """The documents in ``text``: one for most formats, one per post of a WordPress export (each with its
    ``part``, the post's slug or id). Raises :class:`Skipped` when the file is not of that format."""
    module = importlib.import_module(f"lint.extract.{fmt}")
    parts = getattr(module, "extract_parts", None)
    return parts(text, options) if parts is not None else [module.extract(text, options)]
