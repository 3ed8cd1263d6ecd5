"""skip-errors: the cells that raised lose their outputs; one warning names them by deck:line."""

from __future__ import annotations

import copy

from clm.deck.kinds import Cell
from clm.execute.skip_errors import raised_at, skip_errors_warning, without_raised_cells
from clm.languages import by_name

PRINTED = {"output_type": "stream", "name": "stdout", "text": "before\n"}
DIVISION = {
    "output_type": "error",
    "ename": "ZeroDivisionError",
    "evalue": "division by zero",
    "traceback": [
        "\x1b[0;31m---------\x1b[0m",
        "Cell \x1b[0;32mIn[2], line 2\x1b[0m\n\x1b[1;32m      1\x1b[0m x = 1\n----> 2 1/0",
        "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
    ],
}
UNDEFINED = {
    "output_type": "error",
    "ename": "NameError",
    "evalue": "name 'y' is not defined",
    "traceback": ["NameError: name 'y' is not defined"],  # no line: the cell's own is named
}
OUTPUTS = [
    [[PRINTED], 1],
    [[PRINTED, DIVISION], 2],  # printed, then raised: all of it goes
    [[PRINTED], 3],
    [[UNDEFINED], 4],
]
CELLS = [
    Cell("markdown", "## Hello", line=4),
    Cell("code", 'print("before")', line=7),
    Cell("code", "x = 1\n1/0", line=10),
    Cell("code", 'print("after")', line=14),
    Cell("code", "y", line=17),
]


def test_the_cells_that_raised_lose_their_outputs_and_counts_and_the_rest_stays():
    given = copy.deepcopy(OUTPUTS)
    kept, raised = without_raised_cells(given)
    assert kept == [[[PRINTED], 1], [[], None], [[PRINTED], 3], [[], None]]
    assert [(cell.index, cell.ename) for cell in raised] == [
        (1, "ZeroDivisionError"),
        (3, "NameError"),
    ]
    assert given == OUTPUTS, "the outputs given (a cache entry) are not changed"


def test_a_run_without_errors_is_kept_as_it_is():
    kept, raised = without_raised_cells([[[PRINTED], 1], [[], 2]])
    assert kept == [[[PRINTED], 1], [[], 2]] and raised == []


def test_the_warning_names_each_cell_by_deck_and_line_and_its_error():
    _, raised = without_raised_cells(OUTPUTS)
    errors = by_name("python").errors
    where = raised_at("slides/x.py", CELLS, raised, errors)
    # The statement that raised (the cell's line 2), else the cell's own line.
    assert where == [
        "slides/x.py:12: ZeroDivisionError: division by zero",
        "slides/x.py:17: NameError: name 'y' is not defined",
    ]
    warning = skip_errors_warning("slides/x.py", where)
    assert warning.startswith("slides/x.py: warning: skip-errors cleared the outputs of 2 cells")
    assert warning.endswith(
        "\n  slides/x.py:12: ZeroDivisionError: division by zero"
        "\n  slides/x.py:17: NameError: name 'y' is not defined"
    )


def test_a_long_error_is_quoted_short():
    long = {**UNDEFINED, "evalue": "x" * 500 + "\nsecond line", "traceback": []}
    _, raised = without_raised_cells([[[long], 1]])
    (where,) = raised_at("d.py", [Cell("code", "y", line=3)], raised, by_name("python").errors)
    assert where.startswith("d.py:3: NameError: xxx") and len(where) < 140
    assert "second line" not in where
