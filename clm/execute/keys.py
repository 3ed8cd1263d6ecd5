"""Which executions a deck needs: its executed variants grouped by what the kernel runs.

Variants whose code is the same (completed, trainer and recording, often both
languages)
share one execution; its key holds everything that decides what the code
prints, so that the results cache can serve it to any build, anywhere.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from clm import EXECUTION_VERSION
from clm.deck.kinds import Cell
from clm.deck.notebook import variant_notebook
from clm.deck.prepass import Prepass
from clm.languages import KERNEL_NAME
from clm.plan.tags import ALLOWS_ERROR
from clm.plan.variants import RULES, Format, Kind


@dataclass
class ExecutedVariant:
    """One executed variant of a deck: its notebook before and its paths after running."""

    lang: str
    kind: str
    notebook_path: str  # the executed notebook under .clm/executed/
    html: str  # the HTML output made from it
    notebook: NotebookNode
    cells: list[Cell]
    # What the kernel runs for it: its own notebook, except for partial, whose
    # workshops are blank and which shows the completed code's outputs.
    runs: NotebookNode | None = None
    run_cells: list[Cell] | None = None
    # For each of its code cells, which code cell of ``runs`` gives its outputs
    # (None: shown without outputs); None when they are the same cells.
    code_map: list[int | None] | None = None

    def __post_init__(self) -> None:
        if self.runs is None:
            self.runs, self.run_cells = self.notebook, self.cells


def code_of(cells: list[Cell]) -> list:
    """What the kernel will run: the code cells and the tags that change how they run."""
    return [(c.source, c.has(ALLOWS_ERROR)) for c in cells if c.cell_type == "code"]


def execution_key(
    code: list, environment: str, inputs: list, allow_errors: bool, kernel: str = KERNEL_NAME
) -> str:
    """The cache key of one execution: everything that decides what the code prints."""
    text = json.dumps(
        {
            "clm-execution": EXECUTION_VERSION,
            "kernel": kernel,
            "environment": environment,
            "code": code,
            "inputs": inputs,
            "allow-errors": allow_errors,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def execution_groups(
    prepass: Prepass,
    text: str,
    deck: str,
    notebooks: tuple[tuple[str, str, str, str], ...],
    input_hashes: list,
    allow_errors: bool,
    environment: str,
    kernel: str = KERNEL_NAME,
    companion: str | None = None,
) -> dict[str, list[ExecutedVariant]]:
    """The deck's executed variants by execution key: one execution per group.

    ``notebooks`` lists (language, kind, executed notebook, HTML output);
    ``input_hashes`` the sorted (relative path, hash) of the execution inputs.
    Raises CourseError for a deck that cannot be rendered.
    """
    groups: dict[str, list[ExecutedVariant]] = {}
    for lang, kind, target, html in notebooks:
        notebook, cells = variant_notebook(
            prepass, text, Path(deck), lang, Kind(kind), Format.HTML, kernel, companion
        )
        member = ExecutedVariant(lang, kind, target, html, notebook, cells)
        if RULES[Kind(kind)].workshops:
            member = _derived(member, prepass, text, deck, kernel)
        key = execution_key(
            code_of(member.run_cells or []), environment, input_hashes, allow_errors, kernel
        )
        groups.setdefault(key, []).append(member)
    # A group runs its first member's notebook: one that runs its own code.
    return {
        key: sorted(members, key=lambda m: m.code_map is not None)
        for key, members in groups.items()
    }


def _derived(
    member: ExecutedVariant, prepass: Prepass, text: str, deck: str, kernel: str
) -> ExecutedVariant:
    """A partial variant runs the completed code and shows its outputs outside workshops."""
    runs, run_cells = variant_notebook(
        prepass, text, Path(deck), member.lang, Kind.COMPLETED, Format.HTML, kernel
    )
    ran = {cell.index: n for n, cell in enumerate(c for c in run_cells if c.cell_type == "code")}
    code_map = [
        None if cell.outputs_hidden else ran.get(cell.index)
        for cell in member.cells
        if cell.cell_type == "code"
    ]
    return dataclasses.replace(member, runs=runs, run_cells=run_cells, code_map=code_map)
