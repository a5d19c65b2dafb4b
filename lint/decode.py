"""Bytes -> text: BOMs, UTF-8/UTF-16/UTF-32, binary detection, invalid UTF-8 reported by byte offset.

The decoded text never contains the BOM, so columns on the first line count from the first real character,
as editors do. What was stripped is remembered so ``--fix`` can write the file back byte-for-byte alike.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from lint.model import InputError

_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF = 8192  # bytes looked at to decide that a file is binary


class BinaryFile(Exception):
    """Not text: skipped with a notice, not an error."""


@dataclass(frozen=True, slots=True)
class SourceText:
    text: str
    encoding: str  # codec used to decode (and to encode back)
    bom: bytes  # the BOM that preceded the text, b"" if none
    newline: str  # the file's first line ending, "\n" if it has none

    def encode(self, text: str) -> bytes:
        """``text`` in this file's encoding, BOM included; invalid characters cannot occur (they decoded)."""
        return self.bom + text.encode(self.encoding)


def decode(data: bytes, path: str, *, errors: str = "strict") -> SourceText:
    """Decode a file's bytes. ``errors`` is ``"strict"`` (invalid UTF-8 raises InputError) or ``"replace"``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: invalid {encoding} at byte {exc.start + len(bom)}") from None
            return SourceText(text, encoding, bom, _newline(text))
    if b"\x00" in data[:_SNIFF]:
        raise BinaryFile(f"{path}: binary file skipped")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if errors != "replace":
            raise InputError(
                f"{path}: invalid UTF-8 at byte {exc.start} (use --encoding-errors replace to lint it anyway)"
            ) from None
        text = data.decode("utf-8", errors="replace")
    return SourceText(text, "utf-8", b"", _newline(text))


def _newline(text: str) -> str:
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"
