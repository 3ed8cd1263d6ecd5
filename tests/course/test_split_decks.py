"""Which decks are halves of a split deck, and which halves cannot be built."""

from __future__ import annotations

import pytest

from clm.course.discovery import split_decks
from clm.course.model import split_half

BOTH = ("de", "en")


@pytest.mark.parametrize(
    ("name", "half"),
    [
        ("slides_x.de.py", ("slides_x.py", "de")),
        ("topic_loops.en.java", ("topic_loops.java", "en")),
        ("slides_x.py", None),
        ("slides_x.fr.py", None),  # CLM splits into German and English only
        ("slides_model.v2.py", None),
        ("slides_de.py", None),
    ],
)
def test_a_half_is_named_by_de_or_en_before_the_suffix(name, half):
    assert split_half(name) == half


def test_a_pair_is_two_halves_without_errors():
    found = split_decks(("t/slides_a.de.py", "t/slides_a.en.py", "t/slides_b.py"), BOTH)
    assert found == {"t/slides_a.de.py": ("de", None), "t/slides_a.en.py": ("en", None)}


def test_a_lone_half_names_the_missing_one():
    (lang, error) = split_decks(("t/slides_a.en.py",), BOTH)["t/slides_a.en.py"]
    assert lang == "en" and error is not None
    assert str(error) == (
        "t/slides_a.en.py: the English half of a split deck, without its German half "
        "t/slides_a.de.py; add that, or rename this file to slides_a.py to make it a deck "
        "of both languages"
    )


def test_a_lone_half_is_fine_where_the_course_lacks_the_other_language():
    assert split_decks(("t/slides_a.en.py",), ("en",)) == {"t/slides_a.en.py": ("en", None)}


def test_a_deck_whole_and_split_fails_in_every_file():
    decks = ("t/slides_a.py", "t/slides_a.de.py", "t/slides_a.en.py")
    found = split_decks(decks, BOTH)
    assert {deck: lang for deck, (lang, _) in found.items()} == {
        "t/slides_a.py": None,
        "t/slides_a.de.py": "de",
        "t/slides_a.en.py": "en",
    }
    for deck, (_, error) in found.items():
        assert error is not None and error.path is not None and error.path.as_posix() == deck
        assert str(error) == (
            f"{deck}: the deck is here whole (t/slides_a.py) and split into halves "
            "(t/slides_a.de.py and t/slides_a.en.py); keep one form: delete or rename the "
            "whole deck or the halves"
        )


def test_single_file_topics_named_like_halves_are_whole_decks(make_course):
    from clm.course.discovery import build_course
    from clm.spec import load_spec
    from tests.conftest import deck_text

    spec = """
        name: {de: Kurs, en: Course}
        sections:
          - name: {de: Eins, en: One}
            topics: [intro.de, intro.en]
    """
    files = {
        "slides/m/topic_100_intro.de.py": deck_text("Einführung", "Intro"),
        "slides/m/topic_110_intro.en.py": deck_text("Einführung", "Intro"),
    }
    course = build_course(load_spec(make_course(spec, files)))
    decks = course.sections[0].decks
    assert [(deck.lang, deck.error) for deck in decks] == [(None, None), (None, None)]
    assert [deck.family for deck in decks] == [deck.path for deck in decks]
