"""A cell keeps at most OUTPUT_LIMIT bytes of output, in a real kernel, with a note."""

from __future__ import annotations

import json

import nbformat
import pytest

from clm.execute.runner import (
    OUTPUT_LIMIT,
    TRUNCATED_KEY,
    CellFailure,
    run_notebook,
    truncated_bytes,
)

# Prints 12 MB in 100 kB lines: more than the limit, in many stream messages.
TWELVE_MB = "for _ in range(120):\n    print('x' * 99_999)"


def _notebook(*sources: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def _size(outputs) -> int:
    return len(json.dumps(outputs))


def test_output_beyond_the_limit_is_dropped_and_noted(kernels):
    notebook = _notebook("print('small')", TWELVE_MB, "'after'")
    run_notebook(notebook, [], timeout=60, allow_errors=False, kernels=kernels)
    small, big, after = (cell.outputs for cell in notebook.cells)
    assert truncated_bytes(small) == 0 and small[0]["text"] == "small\n"
    assert OUTPUT_LIMIT < _size(big) < OUTPUT_LIMIT + 100_000
    note = big[-1]
    assert note["output_type"] == "display_data"
    assert truncated_bytes(big) == note["metadata"][TRUNCATED_KEY] == 12_000_000 - OUTPUT_LIMIT
    assert "2.0 MB more output of this cell is not shown" in note["data"]["text/plain"]
    assert after[0]["data"]["text/plain"] == "'after'"  # the next cell has its own budget
    nbformat.validate(notebook)


def test_the_error_of_a_cell_past_the_limit_is_kept(kernels):
    notebook = _notebook(TWELVE_MB + "\n1 / 0")
    with pytest.raises(CellFailure) as caught:
        run_notebook(notebook, [], timeout=60, allow_errors=False, kernels=kernels)
    assert caught.value.cell_index == 0
    assert str(caught.value) == "ZeroDivisionError: division by zero"


def test_cleared_output_frees_the_budget(kernels):
    clearing = (
        "from IPython.display import clear_output\n"
        "for _ in range(3):\n"
        "    print('y' * 6_000_000)\n"
        "    clear_output()\n"
        "print('done')"
    )
    notebook = _notebook(clearing)
    run_notebook(notebook, [], timeout=60, allow_errors=False, kernels=kernels)
    (cell,) = notebook.cells
    assert truncated_bytes(cell.outputs) == 0
    assert [output.get("text") for output in cell.outputs] == ["done\n"]
