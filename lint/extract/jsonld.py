"""JSON-LD structured data (``<script type="application/ld+json">``): what search engines show as the page's
name, description, headline, FAQ questions and answers.

The string values of prose keys (``name``, ``description``, ``headline``, ``text`` of an FAQ ``Question`` or
``Answer``, ...) are linted, at any depth and in lists. The JSON is read by a small tokenizer rather than the
``json`` module, because findings need the source offset of every character of every string, through its
escapes; broken JSON yields what was read before the break. A value holding HTML (FAQ answers often do) goes
through the HTML extractor, positions mapped back through the escapes.
"""

from __future__ import annotations

import re

from lint.extract.embedded import Mapped
from lint.positions import Block

PROSE_KEYS = frozenset(
    "name alternateName description headline alternativeHeadline abstract text caption reviewBody slogan "
    "disambiguatingDescription".split()
)
_TOKEN = re.compile(r'[ \t\r\n]*(?:([{}\[\]:,])|"((?:[^"\\\n]|\\.)*)"|([^\s{}\[\]:,"]+))', re.S)
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})(?:\\u([dD][c-fC-F][0-9a-fA-F]{2}))?|(.))", re.S)
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _Frame:
    __slots__ = ("is_object", "key", "expect_key")

    def __init__(self, is_object: bool, key: str | None) -> None:
        self.is_object = is_object
        self.key = key  # the key whose value this is (arrays inherit their key)
        self.expect_key = is_object


def extract(text: str, start: int, end: int, base: int = 0) -> list[Block]:
    """The prose blocks of the JSON-LD in ``text[start:end]``; ``text`` starts at source offset ``base``."""
    blocks: list[Block] = []
    stack: list[_Frame] = []
    pos = start
    while pos < end:
        m = _TOKEN.match(text, pos, end)
        if m is None:
            if text[pos].isspace():
                break  # trailing white space
            if text[pos] == '"':
                break  # an unterminated string: the JSON is broken from here on
            pos += 1
            continue
        pos = m.end()
        punct = m.group(1)
        top = stack[-1] if stack else None
        if punct is not None:
            if punct == "{" or punct == "[":
                key = top.key if top is not None else None
                stack.append(_Frame(punct == "{", key if punct == "[" else None))
            elif punct == "}" or punct == "]":
                if stack:
                    stack.pop()
            elif punct == ":":
                if top is not None:
                    top.expect_key = False
            elif top is not None and top.is_object:  # ","
                top.expect_key = True
                top.key = None
            continue
        if m.group(2) is None:
            continue  # a number, true, false, null
        if top is not None and top.is_object and top.expect_key:
            top.key = m.group(2)
            continue
        key = top.key if top is not None else None
        if key in PROSE_KEYS:
            blocks.extend(_value(base + m.start(2), m.group(2), key))
        if top is not None and top.is_object:
            top.expect_key = False
    return blocks


def _value(start: int, raw: str, key: str) -> list[Block]:
    """The blocks of one JSON string (its source ``raw`` starts at ``start``)."""
    value = Mapped()
    done = 0
    for m in _ESCAPE.finditer(raw):
        value.verbatim(start + done, raw[done : m.start()])
        value.replaced(start + m.start(), start + m.end(), _decode(m))
        done = m.end()
    value.verbatim(start + done, raw[done:])
    decoded = value.text
    if "<" in decoded or "&" in decoded:
        return value.html(kind=key).blocks
    block = value.prose(key)
    return [block] if block is not None else []


def _decode(m: re.Match[str]) -> str:
    if m.group(3) is not None:
        return _SIMPLE.get(m.group(3), m.group(3))
    code = int(m.group(1), 16)
    if m.group(2) is not None and 0xD800 <= code < 0xDC00:
        return chr(0x10000 + ((code - 0xD800) << 10) + int(m.group(2), 16) - 0xDC00)
    if 0xD800 <= code < 0xE000:
        return "\ufffd"  # a lone surrogate
    return chr(code) + ("" if m.group(2) is None else "\ufffd")
