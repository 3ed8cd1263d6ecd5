"""CLM's ``skip-errors``: after a run that went on past errors, the cells that raised
lose their outputs and execution counts, and one warning names them.

It works on the outputs as the results cache keeps them (one ``[outputs,
execution_count]`` per code cell, outputs as nbformat dicts), after the cache:
the kept entry is what the kernel printed, shared with ``allow-errors``, which
shows the tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clm.deck.kinds import Cell
    from clm.languages.model import KernelErrors

# The longest error text a warning quotes per cell: an exception's value can be a page.
_ERROR_CHARS = 120


@dataclass(frozen=True)
class RaisedCell:
    """A code cell whose outputs held an error, as the kernel reported it."""

    index: int  # among the notebook's code cells
    ename: str
    evalue: str
    traceback: tuple[str, ...]


def without_raised_cells(outputs: list) -> tuple[list, list[RaisedCell]]:
    """``outputs`` with every cell that raised emptied (no outputs, no count), and those
    cells; ``outputs`` itself is left as it is (a cache hit may serve it again)."""
    kept: list = []
    raised: list[RaisedCell] = []
    for index, (cell_outputs, count) in enumerate(outputs):
        error = next((out for out in cell_outputs if out.get("output_type") == "error"), None)
        if error is None:
            kept.append([cell_outputs, count])
            continue
        kept.append([[], None])
        raised.append(
            RaisedCell(
                index,
                str(error.get("ename", "")),
                str(error.get("evalue", "")),
                tuple(error.get("traceback", ())),
            )
        )
    return kept, raised


def raised_at(
    deck: str, cells: list[Cell], raised: list[RaisedCell], errors: KernelErrors
) -> list[str]:
    """``deck:line: error`` for each cell that raised: the line of the statement that
    raised where the traceback tells it, else the cell's ``# %%`` line."""
    code_cells = [cell for cell in cells if cell.cell_type == "code"]
    found = []
    for cell_raised in raised:
        cell = code_cells[cell_raised.index]
        traceback = list(cell_raised.traceback)
        cell_line = errors.cell_line(traceback, cell_raised.evalue, cell.source)
        message = errors.message(cell_raised.ename, cell_raised.evalue, traceback)
        message = (message.strip().splitlines() or [""])[0]
        if len(message) > _ERROR_CHARS:
            message = message[: _ERROR_CHARS - 1] + "…"
        found.append(f"{deck}:{cell.line + cell_line if cell_line else cell.line}: {message}")
    return found


def skip_errors_warning(deck: str, cells_raised: list[str]) -> str:
    """The one warning of a deck whose cells raised under skip-errors (``raised_at``'s)."""
    count = len(cells_raised)
    listed = "\n".join(f"  {where}" for where in cells_raised)
    return (
        f"{deck}: warning: skip-errors cleared the outputs of {count} "
        f"cell{'s' if count != 1 else ''} that raised (allow-errors would show the "
        f"tracebacks; fix the code to show the outputs):\n{listed}"
    )
