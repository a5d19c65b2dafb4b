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
        # Real copy starts sentences without a capital.
        ("Is it safe? \u2705 Our drips are gentle.", ["Is it safe?", "\u2705 Our drips are gentle."]),
        ("Worried about cost? our plans start low.", ["Worried about cost?", "our plans start low."]),
        ("Ready! \u2192 Book a visit.", ["Ready!", "\u2192 Book a visit."]),
        ("What you get: \u2022 a consult \u2022 a plan", ["What you get:", "\u2022 a consult \u2022 a plan"]),
        ("Migraines: gone for good.", ["Migraines: gone for good."]),  # one claim, its subject first
        ("Why wait? - Call us.", ["Why wait?", "- Call us."]),
        ("Done. \U0001f4aa Next step.", ["Done.", "\U0001f4aa Next step."]),
        ("Note: Results vary.", ["Note: Results vary."]),  # a colon before a capital: one sentence
        ("Call us at 10:30 today.", ["Call us at 10:30 today."]),
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


def test_colon_before_a_number_stays():
    assert sentences("Visits: 3 a week.") == ["Visits: 3 a week."]


def test_attribution_dash_stays_with_its_quote():
    assert sentences('"It changed my life." - Rob, 54') == ['"It changed my life." - Rob, 54']
