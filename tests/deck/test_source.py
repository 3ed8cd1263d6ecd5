from __future__ import annotations

from pathlib import Path

import pytest

from clm.deck.source import check_source, mark_cell_lines, parse_cell_header
from clm.errors import CourseError
from clm.languages.table import PYTHON


def test_parses_type_language_and_tags():
    header = parse_cell_header(' [markdown] lang="de" tags=["slide", "notes"]')
    assert header.cell_type == "markdown"
    assert header.metadata == {"lang": "de", "tags": ["slide", "notes"]}
    assert parse_cell_header("").cell_type == "code"
    assert parse_cell_header(' tags=["keep"]').metadata == {"tags": ["keep"]}


@pytest.mark.parametrize(
    "rest",
    [
        ' [markdown] tags=["slide"',
        " lang=de",
        ' tags="slide"',
        " [markdown] some words",
        ' tags=["notes"] [markdown]',
        " lang=1",
    ],
)
def test_malformed_headers_are_errors_with_the_line(rest):
    text = f"# %%\nx = 1\n\n# %%{rest}\ny = 2\n"
    with pytest.raises(CourseError) as caught:
        check_source(text, Path("slides_x.py"))
    assert caught.value.line == 4
    assert "malformed cell header" in str(caught.value)
    assert str(caught.value).startswith("slides_x.py:4: ")


def test_tag_warnings_name_file_and_line():
    text = '# %% [markdown] tags=["keep"]\n# x\n\n# %% tags=["answer", "shiny"]\nx = 1\n'
    warnings = check_source(text, Path("d.py"))
    assert warnings == [
        "d.py:1: warning: tag 'keep' belongs on a code cell",
        "d.py:4: warning: tag 'answer' belongs on a markdown cell",
        "d.py:4: warning: unknown tag 'shiny' (known: alt, answer, completed, del, end-workshop, "
        "keep, notes, private, raises-exception, slide, start, subslide, voiceover, workshop)",
    ]


def test_mark_cell_lines_keeps_line_count():
    text = "# j2 x\n# %%\na\n# %% [markdown]\n# b\n"
    marked = mark_cell_lines(text, PYTHON)
    assert marked.count("\n") == text.count("\n")
    assert "# %% clm_line=2" in marked and "# %% [markdown] clm_line=4" in marked
