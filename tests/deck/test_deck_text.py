"""Reading a deck's text, and the cells in languages the course does not build."""

from __future__ import annotations

from pathlib import Path

import pytest

from clm.deck.source import check_source
from clm.encoding import read_deck
from clm.errors import CourseError


def test_reads_as_text_mode_would(tmp_path):
    (tmp_path / "d.py").write_bytes("# %%\r\nx = 'ä'\r\n# %%\ry = 2\n".encode())
    assert read_deck("d.py", tmp_path) == (tmp_path / "d.py").read_text(encoding="utf-8")
    assert read_deck("d.py", tmp_path) == "# %%\nx = 'ä'\n# %%\ny = 2\n"


def test_a_latin1_deck_names_the_line_and_column_of_the_first_bad_byte(tmp_path):
    (tmp_path / "d.py").write_bytes("# %%\nok = 'ü'\n".encode() + "# Grüße\n".encode("latin-1"))
    with pytest.raises(CourseError) as caught:
        read_deck("d.py", tmp_path)
    assert (caught.value.path, caught.value.line) == (Path("d.py"), 3)
    assert str(caught.value).startswith("d.py:3: the deck is not UTF-8: byte 0xfc in column 5 ")
    assert "save it as UTF-8" in str(caught.value)


def test_cells_in_languages_the_course_does_not_build_are_warnings():
    text = '# %% lang="de"\na = 1\n# %% lang="EN"\nb = 2\n# %% lang="fr"\nc = 3\n'
    warnings = check_source(text, Path("d.py"), ("de", "en"))
    assert warnings == [
        'd.py:3: warning: lang="EN" is not a language of the course (de, en): the cell is in '
        'no output; write lang="en"',
        'd.py:5: warning: lang="fr" is not a language of the course (de, en): the cell is in '
        "no output; fix the value or add 'fr' to the spec's languages",
    ]
    assert check_source(text, Path("d.py"), ("de", "en", "fr", "EN")) == []
