"""Text that can always be written as UTF-8.

Two things put unencodable characters (lone surrogates) into strings: a file name that is not valid UTF-8
(Python hands its bad bytes over as U+DC80..U+DCFF, "surrogateescape") and a broken ``\\u`` escape in front
matter or a pack. A report must never crash on them or carry them into JSON, so every reporter, the
baseline and the fingerprint pass text through :func:`safe`: such a byte shows as ``\\xff``, any other lone
surrogate as ``\\ud800``, and a surrogate pair becomes the one character it stands for.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_PAIR_OR_LONE = re.compile("([\ud800-\udbff][\udc00-\udfff])|[\ud800-\udfff]")
_ESCAPED_BYTE = re.compile(r"\\x([89a-f][0-9a-f])")


def safe(text: str) -> str:
    """``text`` with no lone surrogate (unchanged, and cheap, when it has none)."""
    if not _SURROGATE.search(text):
        return text
    return _PAIR_OR_LONE.sub(_replace, text)


def _replace(m: re.Match[str]) -> str:
    if m.group(1):
        return m.group(1).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    code = ord(m.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def unsafe_path(text: str) -> str:
    """The inverse of :func:`safe` for a file name: ``\\xff`` back to the byte Python's file functions expect."""
    if "\\x" not in text:
        return text
    return _ESCAPED_BYTE.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), text)


def safe_tree(value: Any) -> Any:
    """:func:`safe` applied to every string in a JSON-like value (dicts, lists, strings, numbers)."""
    if isinstance(value, str):
        return safe(value)
    if isinstance(value, dict):
        return {safe_tree(k): safe_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe_tree(v) for v in value]
    return value


def echo(value: Any, limit: int = 40) -> str:
    """``value`` for an error message: at most about ``limit`` characters, whatever it is (a 5000-digit number,
    a YAML alias standing for millions of values, a string with a lone surrogate)."""
    import reprlib

    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    shown = reprlib.Repr()
    shown.maxstring = shown.maxother = shown.maxlong = limit
    try:
        return safe(shown.repr(value))
    except Exception:  # noqa: BLE001 - a message must not fail on the value it describes
        return f"a {type(value).__name__}"
