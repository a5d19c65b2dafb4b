from lint.positions import LineIndex, ProseBuilder


def _build(src: str, pieces) -> tuple[str, object]:
    b = ProseBuilder()
    for kind, *args in pieces:
        getattr(b, kind)(*args)
    block = b.build("paragraph")
    return block.text, block.offsets


def test_verbatim_maps_each_character():
    src = "abc def"
    text, offsets = _build(src, [("verbatim", 0, src)])
    assert text == "abc def"
    assert [offsets.start(i) for i in range(len(text))] == list(range(len(src)))


def test_white_space_runs_collapse_but_keep_their_source_span():
    src = "safe \r\n\t  now"
    text, offsets = _build(src, [("verbatim", 0, src)])
    assert text == "safe now"
    assert offsets.span(4, 5) == (4, 10)  # the one space stands for the whole run
    assert src[slice(*offsets.span(5, 8))] == "now"


def test_replaced_piece_spans_its_whole_source():
    src = "don&rsquo;t"
    text, offsets = _build(src, [("verbatim", 0, "don"), ("replaced", 3, 10, "\u2019"), ("verbatim", 10, "t")])
    assert text == "don't"  # typographic quote straightened
    assert offsets.span(0, 5) == (0, 11)
    assert offsets.span(3, 4) == (3, 10)


def test_markup_removed_between_pieces():
    src = "**completely safe** now"
    text, offsets = _build(src, [("verbatim", 2, "completely safe"), ("space", 19, 20), ("verbatim", 20, "now")])
    assert text == "completely safe now"
    assert src[slice(*offsets.span(0, 15))] == "completely safe"


def test_no_leading_or_double_space():
    text, _ = _build("  a  ", [("space", 0, 2), ("verbatim", 2, "a"), ("space", 3, 4), ("space", 4, 5)])
    assert text == "a"


def test_empty_block_is_none():
    b = ProseBuilder()
    b.verbatim(0, "   ")
    assert b.build("paragraph") is None


def test_line_index_counts_characters_and_crlf():
    src = "é🙂x\r\nsecond line\nthird"
    index = LineIndex(src)
    assert index.position(0) == (1, 1)
    assert index.position(2) == (1, 3)  # the emoji is one column
    assert index.position(src.index("second")) == (2, 1)
    assert index.position(src.index("line")) == (2, 8)
    assert index.position(src.index("third")) == (3, 1)
    assert index.line_start(2) == src.index("second")


def test_length_matches_built_text_after_trailing_space_is_dropped():
    for pieces in ([("verbatim", 0, "safe"), ("space", 4, 6)], [("verbatim", 0, "cell ")]):
        b = ProseBuilder()
        for kind, *args in pieces:
            getattr(b, kind)(*args)
        block = b.build("paragraph")
        assert len(b) == len(block.text) == 4
