"""A deck's titles, read from its header call without running Jinja."""

from __future__ import annotations

from pathlib import Path

import pytest

from clm.course.headers import deck_titles, header_line, read_titles
from clm.deck.notebook import deck_cells
from clm.deck.prepass import Prepass
from clm.errors import CourseError
from clm.plan.variants import Format


def test_the_header_call_names_both_languages():
    text = '# j2 from "macros.j2" import header\n# {{ header("Titel", "Title") }}\n'
    assert read_titles(text, Path("d.py")) == ("Titel", "Title")
    assert header_line(text) == 2


def test_clms_one_language_macros_name_one_language_each():
    text = '// {{ header_de("Schleifen") }}\n// {{ header_en("Loops") }}\n'
    assert read_titles(text, Path("d.java")) == ("Schleifen", "Loops")
    assert header_line(text) == 1
    only_english = '# {{ header_en("Loops") }}\n'
    assert deck_titles(only_english, "d.py", ("de", "en")) == (("de", "Loops"), ("en", "Loops"))
    with pytest.raises(CourseError) as raised:
        read_titles("x\n# {{ header_de(title) }}\n", Path("d.py"))
    assert raised.value.line == 2 and "header_de" in str(raised.value)


@pytest.mark.parametrize(("deck", "comment"), [("d.py", "#"), ("d.java", "//")])
def test_the_packaged_one_language_macros_make_that_languages_title_cell(deck, comment):
    text = (
        f"{comment} j2 from 'macros.j2' import header_de, header_en, eval\n"
        f'{comment} {{{{ header_de("Schleifen") }}}}\n\n'
        f'{comment} {{{{ header_en("Loops") }}}}\n\n'
        f"{comment} %%\n{{{{ eval(6 * 7) }}}}\n"
    )
    cells = deck_cells(Prepass(), text, Path(deck), "en", Format.CODE)
    assert [(cell.cell_type, cell.lang) for cell in cells] == [
        ("markdown", "de"),
        ("markdown", "en"),
        ("code", None),
    ]
    assert "Schleifen" in cells[0].source and "Loops" in cells[1].source
    assert cells[2].source == "42"
