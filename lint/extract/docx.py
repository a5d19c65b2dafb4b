"""Word files (``.docx``): the paragraphs of the document body — headings, body text, list items and the
paragraphs of table cells, in reading order — without comments, tracked deletions, field codes, headers,
footers or footnotes.

:func:`read` (called by :mod:`lint.decode`) turns the file into text with **one paragraph per line**, empty
paragraphs included, so a finding's line is the paragraph number and its column the character offset in the
paragraph plus one, in every output format. A tab counts as one character and a line break inside a
paragraph (Shift+Enter) as one space. :func:`extract` then makes each non-empty line a block.

The file is opened with python-docx (an optional extra: ``pip install 'clinic-lint[docx]'``), which resolves
the package's parts; the paragraph text is read from its XML here, because python-docx's ``Paragraph.text``
leaves out runs inside tracked insertions, content controls and smart tags.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any

from lint.extract import DEFAULT_OPTIONS, Options
from lint.model import Document, InputError
from lint.positions import Block, ProseBuilder

INSTALL_HINT = "pip install 'clinic-lint[docx]'"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = (_W + t for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
_TEXT = {_W + "t": None, _W + "tab": "\t", _W + "ptab": "\t", _W + "br": " ", _W + "cr": " ",
         _W + "noBreakHyphen": "-"}  # fmt: skip
# Elements inside a paragraph whose text is the paragraph's (runs, insertions, links, fields, content
# controls). Everything else holds none of it: deleted runs, field codes, text boxes (their own story), the
# fallback copy of alternate content, comment and footnote marks, properties.
_CONTAINERS = frozenset(
    [_W + t for t in ("r", "ins", "moveTo", "hyperlink", "fldSimple", "smartTag", "customXml", "sdt", "sdtContent",
                      "dir", "bdo")] + [_MC + "AlternateContent", _MC + "Choice"]
)  # fmt: skip
_MAX_DEPTH = 64  # tables in tables in content controls...: deeper than this is not read (bounds recursion)


def read(data: bytes, path: str) -> str:
    """The paragraphs of the Word file ``data``, one per line."""
    try:
        import docx  # python-docx
    except ImportError:
        raise InputError(f"{path}: reading Word files needs python-docx: {INSTALL_HINT}") from None
    _check_unpacked_size(data, path)
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:  # a damaged zip, missing parts, bad XML: python-docx raises many kinds
        if os.path.basename(path).startswith("~$"):
            from lint.decode import BinaryFile

            raise BinaryFile(f"{path}: Word lock file skipped") from None
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: not a readable Word file ({reason})") from None
    return "\n".join(_text(p) for p in _paragraphs(body, 0))


def _check_unpacked_size(data: bytes, path: str) -> None:
    """A small .docx can unpack to gigabytes (a zip bomb): refuse one whose parts add up to more than the
    default max-file-size. The sizes the archive declares bound what Python's zipfile will inflate."""
    import zipfile

    from lint.inputs import DEFAULT_MAX_FILE_SIZE

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # python-docx reports a damaged file in its own words
    if unpacked > DEFAULT_MAX_FILE_SIZE:
        raise InputError(
            f"{path}: not checked: the Word file unpacks to {unpacked:,} bytes, more than {DEFAULT_MAX_FILE_SIZE:,}"
        )


def _paragraphs(container: Any, depth: int) -> Iterator[Any]:
    """The ``w:p`` elements of ``container`` in reading order, through tables and content controls."""
    if depth > _MAX_DEPTH:
        return
    for child in container.iterchildren():
        tag = child.tag
        if tag == _P:
            yield child
        elif tag == _TBL:
            for row in child.iterchildren(_TR):
                for cell in row.iterchildren(_TC):
                    yield from _paragraphs(cell, depth + 1)
        elif tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                yield from _paragraphs(content, depth + 1)
        elif tag == _W + "customXml":
            yield from _paragraphs(child, depth + 1)


def _text(paragraph: Any) -> str:
    """The text of one paragraph as Word shows it, on one line."""
    out: list[str] = []
    stack = [iter(paragraph)]
    while stack:
        for element in stack[-1]:
            tag = element.tag
            if tag in _TEXT:
                out.append(_TEXT[tag] if _TEXT[tag] is not None else element.text or "")
            elif tag in _CONTAINERS and len(stack) < _MAX_DEPTH:
                stack.append(iter(element))
                break
        else:
            stack.pop()
    return "".join(out).replace("\r", " ").replace("\n", " ")


def extract(text: str, options: Options = DEFAULT_OPTIONS) -> Document:
    """Each paragraph (line) with text is a block."""
    blocks: list[Block] = []
    pos = 0
    for line in text.split("\n"):
        b = ProseBuilder()
        b.verbatim(pos, line)
        block = b.build("paragraph")
        if block is not None:
            blocks.append(block)
        pos += len(line) + 1
    return Document(blocks)
