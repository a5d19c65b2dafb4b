"""Bytes -> text: BOMs, UTF-8/UTF-16/UTF-32 (with or without a BOM), binary detection, invalid UTF-8 reported
by byte offset.

The decoded text never contains the BOM, so columns on the first line count from the first real character,
as editors do. What was stripped is remembered so ``--fix`` can write the file back byte-for-byte alike.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lint.extract import BINARY_FORMATS
from lint.model import InputError

_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF = 8192  # bytes looked at to decide that a file is binary
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")  # never in text (tab, LF, FF and CR are)
_LONE_CR = re.compile("\r(?!\n)")
_FIRST_BREAK = re.compile("\r\n|\r|\n")


class BinaryFile(Exception):
    """Not text: skipped with a notice, not an error."""


@dataclass(frozen=True, slots=True)
class SourceText:
    text: str
    encoding: str  # codec used to decode (and to encode back)
    bom: bytes  # the BOM that preceded the text, b"" if none
    newline: str  # the file's first line ending, "\n" if it has none
    writable: bool = True  # False for text read out of a document (a Word file): --fix never writes it back

    def encode(self, text: str) -> bytes:
        """``text`` in this file's encoding, BOM included; invalid characters cannot occur (they decoded)."""
        return self.bom + text.encode(self.encoding)


def decode(data: bytes, path: str, *, errors: str = "strict", fmt: str = "") -> SourceText:
    """Decode a file's bytes. ``errors`` is ``"strict"`` (invalid UTF-8 raises InputError) or ``"replace"``.
    A document format (``fmt`` "docx") is read by its extractor's reader: one paragraph per line."""
    if fmt in BINARY_FORMATS:
        import importlib

        text = importlib.import_module(f"lint.extract.{fmt}").read(data, path)
        return SourceText(text, "utf-8", b"", "\n", writable=False)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: invalid {encoding} at byte {exc.start + len(bom)}") from None
            return SourceText(text, encoding, bom, _newline(text))
    if b"\x00" in data[:_SNIFF]:
        wide = _without_bom(data)
        if wide is None:
            raise BinaryFile(f"{path}: binary file skipped")
        return wide
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if errors != "replace":
            raise InputError(
                f"{path}: invalid UTF-8 at byte {exc.start} (use --encoding-errors replace to lint it anyway)"
            ) from None
        text = data.decode("utf-8", errors="replace")
    return SourceText(text, "utf-8", b"", _newline(text))


def _without_bom(data: bytes) -> SourceText | None:
    """UTF-16 or UTF-32 text saved without a BOM (some Windows tools do): its NUL bytes fall only at some
    positions of each 2- or 4-byte unit (the high bytes of ASCII characters). None when it is not that."""
    sample = data[:_SNIFF]
    for width, encodings in ((4, ("utf-32-le", "utf-32-be")), (2, ("utf-16-le", "utf-16-be"))):
        if len(data) % width:
            continue
        nul_at = {i % width for i, byte in enumerate(sample) if byte == 0}
        for encoding, text_byte in zip(encodings, (0, width - 1), strict=True):
            if text_byte in nul_at:
                continue  # NULs where the low byte of an ASCII character stands: not this encoding
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not _CONTROL.search(text):
                return SourceText(text, encoding, b"", _newline(text))
    return None


def line_feeds(text: str) -> str:
    """``text`` with each lone CR (old Mac line ends) read as LF. Same length, so every offset stays valid;
    extractors and line numbers then see the lines an editor shows."""
    if text.count("\r") == text.count("\r\n"):
        return text
    return _LONE_CR.sub("\n", text)


def _newline(text: str) -> str:
    m = _FIRST_BREAK.search(text)
    return m.group() if m else "\n"
