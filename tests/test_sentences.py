import pytest

from lint.sentences import split


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ('He said "Yes." Then left.', ['He said "Yes."', "Then left."]),
        ("Dr. Lee and Smith et al. (2020) agree. Next.", ["Dr. Lee and Smith et al. (2020) agree.", "Next."]),
        ("Take 2.5 mg daily. Stop.", ["Take 2.5 mg daily.", "Stop."]),
        ("See www.example.com. Then call.", ["See www.example.com.", "Then call."]),
        ("Ask J. Smith today. Or not.", ["Ask J. Smith today.", "Or not."]),
        ("e.g. this stays one sentence. New one.", ["e.g. this stays one sentence.", "New one."]),
        ("lower case after a stop. stays together", ["lower case after a stop. stays together"]),
        ("", []),
    ],
)
def test_split(text, expected):
    assert sentences(text) == expected


def test_spans_cover_text_without_edge_spaces():
    text = "A b.  C d!  E"
    for s, e in split(text):
        assert text[s:e] == text[s:e].strip()


def test_long_text_is_linear_enough():
    text = "word " * 400_000 + "end."
    assert len(split(text)) == 1


def test_attribution_dash_stays_with_its_quote():
    assert sentences('"It changed my life." - Rob, 54') == ['"It changed my life." - Rob, 54']
