from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from clm.deck.source import check_source, mark_cell_lines, parse_cell_header
from clm.errors import CourseError
from clm.languages.table import JAVA, PYTHON


def test_parses_type_language_and_tags():
    header = parse_cell_header(' [markdown] lang="de" tags=["slide", "notes"]')
    assert header.cell_type == "markdown"
    assert header.metadata == {"lang": "de", "tags": ["slide", "notes"]}
    assert parse_cell_header("").cell_type == "code"
    assert parse_cell_header(' tags=["keep"]').metadata == {"tags": ["keep"]}


@pytest.mark.parametrize(
    ("rest", "problem"),
    [
        (' [markdown] tags=["slide"', "a '[' is not closed"),
        (' lang="en"]', "a ']' has no '['"),
        (' [markdown] lang="en"] tags=["slide"]', "a ']' has no '['"),
        (' tags=["subslide", alt]', "a tag is not in quotes"),
        (" lang=de", "a value is not in quotes"),
        (' tags=["notes"] [markdown]', "jupytext cannot read"),
        (' tags="slide"', "tags must be a list of strings"),
        (" tags=[1]", "tags must be a list of strings"),
        (" lang=1", "lang must be a string"),
        (' tags=["keep"] and more', "'and more' after the key=value pairs"),
    ],
)
def test_headers_jupytext_would_misread_are_errors_with_the_line_and_the_fix(rest, problem):
    text = f"# %%\nx = 1\n\n# %%{rest}\ny = 2\n"
    with pytest.raises(CourseError) as caught:
        check_source(text, Path("slides_x.py"))
    assert caught.value.line == 4
    assert str(caught.value).startswith("slides_x.py:4: malformed cell header: ")
    assert problem in str(caught.value)


# Headers seen in real CLM courses that jupytext reads without complaint.
LENIENT = [
    ' tags = ["keep"]',
    '  tags=["keep"]',
    ' tags=["slide","keep"]',
    ' tags=["keep"] lang="de"',
    ' lang="de" tags=["keep"]',
    ' tags=["slide", "keep" ]',
    " tags=['keep']",
    ' tags=["keep",]',
    " [markdown] Some title words",
    '% [markdown] lang="de"',  # `%%%`: a cell one level down
]


@pytest.mark.parametrize("language", [PYTHON, JAVA], ids=lambda language: language.name)
@pytest.mark.parametrize("rest", LENIENT)
def test_every_header_jupytext_reads_builds_as_jupytext_reads_it(language, rest):
    comment = language.cells.comment
    text = f"{comment} %%\nint x = 1;\n\n{comment} %%{rest}\nint y = 2;\n"
    assert check_source(text, Path(f"slides_x{language.suffix}")) == []
    cell = jupytext.reads(text, fmt=language.jupytext_format).cells[1]
    start = language.cells.header(text.splitlines()[3])
    header = parse_cell_header(start[1], start[0])
    assert header.cell_type == cell.cell_type
    expected = {
        key: value for key, value in cell.metadata.items() if key not in ("title", "cell_depth")
    }
    assert header.metadata == expected
    assert header.title == cell.metadata.get("title", "")


def test_words_jupytext_takes_for_a_title_that_name_tags_are_a_warning():
    warnings = check_source("# %% keep\nx = 1\n", Path("d.py"))
    assert warnings == [
        "d.py:1: warning: jupytext reads 'keep' as the cell's title, not as tags; "
        'write tags=["keep"]'
    ]


@pytest.mark.parametrize(
    "line",
    ["#  %%", "#%%", '    # %% tags=["keep"]', "# <codecell>", "# In[3]:", "# %%% [markdown]"],
)
def test_cells_start_where_jupytext_starts_them(line):
    assert PYTHON.cells.header(line) is not None
    marked = mark_cell_lines(f"x = 1\n{line}\ny = 2\n", PYTHON)
    # The marked header still starts a cell for jupytext, with the line number.
    cells = jupytext.reads(marked, fmt="py:percent").cells
    assert len(cells) == 2 and cells[1].metadata["clm_line"] == 2


@pytest.mark.parametrize("line", ["# %%%", "# %%x", "x = 1  # %%", "# %%%x"])
def test_lines_jupytext_does_not_split_at_start_no_cell(line):
    assert PYTHON.cells.header(line) is None


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


@pytest.mark.parametrize(
    "rest",
    [
        "",
        ' tags=["a", "b"] lang="de" clm_line=5',
        ' lang="d\\"e"',
        " tags=[]",
        ' tags=["a","b"]',
        ' a="é"',
        ' tags=["a b"]',
        ' tags=[ "slide" , "keep" ]',
        ' x="a=b" y="c"',
        ' [markdown] lang="en" tags=["slide"]',
        " clm_line=12",
    ],
)
def test_plain_headers_read_without_jupytext_as_jupytext_reads_them(rest):
    from jupytext.cell_metadata import text_to_metadata

    header = parse_cell_header(rest)
    after_type = rest.replace(" [markdown]", "", 1)
    title, metadata = text_to_metadata(after_type.strip(), allow_title=True)
    assert (header.title, header.metadata) == (title, metadata)
