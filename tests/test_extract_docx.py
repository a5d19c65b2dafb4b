"""Word files: one paragraph per line (empty paragraphs too), so line = paragraph number and column = character
offset + 1; body paragraphs, headings, list items and table cells in reading order; comments, tracked
deletions, field codes and text boxes are not copy; tracked insertions, links and content controls are."""

from __future__ import annotations

import io

import docx  # python-docx: in the test extra (and the docx extra)
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from lint.decode import BinaryFile, decode
from lint.extract.docx import extract, read
from lint.model import InputError

W = nsdecls("w")


def saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_paragraphs_headings_lists_and_tables_in_reading_order() -> None:
    d = docx.Document()
    d.add_heading("Ketamine therapy", level=1)
    d.add_paragraph("First point", style="List Bullet")
    d.add_paragraph("")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Drug"
    table.cell(0, 1).text = "Claim"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Spans two columns"
    inner = table.cell(0, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "Nested cell"
    d.add_paragraph("After the table")
    assert read(saved(d), "x.docx").split("\n") == [
        "Ketamine therapy", "First point", "", "Drug", "Claim", "Nested cell", "", "Spans two columns",
        "After the table",
    ]  # fmt: skip


def test_runs_tabs_breaks_and_hyphens_keep_one_character_each() -> None:
    d = docx.Document()
    p = d.add_paragraph("Tab\there")
    p.add_run().add_break()
    p.add_run("next")
    p._p.append(parse_xml(f"<w:r {W}><w:noBreakHyphen/><w:t>x</w:t></w:r>"))
    assert read(saved(d), "x.docx") == "Tab\there next-x"


def test_comments_deletions_field_codes_and_text_boxes_are_not_copy() -> None:
    d = docx.Document()
    p = d.add_paragraph("Kept ")
    run = p.add_run("words")
    d.add_comment(run, text="a comment: guaranteed cure", author="Ed")
    p._p.append(
        parse_xml(f'<w:ins {W} w:id="1" w:author="Ed"><w:r><w:t xml:space="preserve"> inserted</w:t></w:r></w:ins>')
    )
    p._p.append(parse_xml(f'<w:del {W} w:id="2" w:author="Ed"><w:r><w:delText> deleted</w:delText></w:r></w:del>'))
    p._p.append(parse_xml(f'<w:r {W}><w:fldChar w:fldCharType="begin"/></w:r>'))
    p._p.append(parse_xml(f'<w:r {W}><w:instrText> HYPERLINK "cure" </w:instrText></w:r>'))
    p._p.append(parse_xml(f'<w:r {W}><w:fldChar w:fldCharType="separate"/></w:r>'))
    p._p.append(parse_xml(f'<w:r {W}><w:t xml:space="preserve"> link text</w:t></w:r>'))
    p._p.append(parse_xml(f'<w:r {W}><w:fldChar w:fldCharType="end"/></w:r>'))
    p._p.append(parse_xml(
        f'<w:sdt {W}><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent><w:r><w:t xml:space="preserve"> control</w:t>'
        '</w:r></w:sdtContent></w:sdt>'
    ))  # fmt: skip
    assert read(saved(d), "x.docx") == "Kept words inserted link text control"


def test_each_line_with_text_is_a_block_at_its_paragraph() -> None:
    text = "Title\n\nSecond paragraph here"
    doc = extract(text)
    assert [(b.text, b.offsets.src_starts[0]) for b in doc.blocks] == [("Title", 0), ("Second paragraph here", 7)]


def test_decode_reads_a_word_file_as_text_that_cannot_be_written_back() -> None:
    d = docx.Document()
    d.add_paragraph("Hello")
    source = decode(saved(d), "a.docx", fmt="docx")
    assert (source.text, source.writable) == ("Hello", False)
    assert decode(b"Hello", "a.txt").writable


def test_damaged_and_lock_files() -> None:
    with pytest.raises(InputError, match=r"^x\.docx: not a readable Word file \("):
        read(b"not a zip", "x.docx")
    with pytest.raises(BinaryFile, match="Word lock file skipped"):
        read(b"\x05Owner", "dir/~$draft.docx")


def test_a_word_file_that_unpacks_to_gigabytes_is_refused_before_it_is_opened() -> None:
    import zipfile

    from lint.inputs import DEFAULT_MAX_FILE_SIZE

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b" " * (1 << 20)
            for _ in range(DEFAULT_MAX_FILE_SIZE // len(chunk) + 1):
                part.write(chunk)
    data = buffer.getvalue()
    assert len(data) < DEFAULT_MAX_FILE_SIZE // 100  # small on disk
    with pytest.raises(InputError, match=r"bomb\.docx: not checked: the Word file unpacks to [\d,]+ bytes"):
        read(data, "bomb.docx")
