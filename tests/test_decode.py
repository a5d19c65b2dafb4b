import codecs

import pytest

from lint.decode import BinaryFile, decode
from lint.model import InputError


def test_utf8_plain_and_bom():
    assert decode("café".encode(), "p").text == "café"
    src = decode(codecs.BOM_UTF8 + "café\r\nx".encode(), "p")
    assert (src.text, src.bom, src.newline) == ("café\r\nx", codecs.BOM_UTF8, "\r\n")
    assert src.encode(src.text) == codecs.BOM_UTF8 + "café\r\nx".encode()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_bom(encoding):
    data = "It is safe.\n".encode(encoding)  # Python writes the BOM for these codecs
    src = decode(data, "p")
    assert src.text == "It is safe.\n"
    assert src.encode(src.text) == data


def test_invalid_utf8_reports_byte_offset_or_replaces():
    data = b"good text \xff\xfe more"
    with pytest.raises(InputError, match=r"p: invalid UTF-8 at byte 10"):
        decode(data, "p")
    assert decode(data, "p", errors="replace").text == "good text \ufffd\ufffd more"


def test_binary_detected_by_nul_bytes():
    with pytest.raises(BinaryFile, match="binary file skipped"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "img.md")


def test_empty_file():
    assert decode(b"", "p").text == ""
