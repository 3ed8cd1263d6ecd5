"""Which executions a deck needs: its executed variants grouped by what the kernel runs.

Variants whose code is the same (completed and speaker, often both languages)
share one execution; its key holds everything that decides what the code
prints, so that the results cache can serve it to any build, anywhere.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from nbformat.notebooknode import NotebookNode

from clm import EXECUTION_VERSION
from clm.deck.kinds import Cell
from clm.deck.notebook import variant_notebook
from clm.deck.prepass import Prepass
from clm.execute.kernels import KERNEL_NAME
from clm.plan.variants import Format, Kind


@dataclass
class ExecutedVariant:
    """One executed variant of a deck: its notebook before and its paths after running."""

    lang: str
    kind: str
    notebook_path: str  # the executed notebook under .clm/executed/
    html: str  # the HTML output made from it
    notebook: NotebookNode
    cells: list[Cell]


def code_of(cells: list[Cell]) -> list:
    """What the kernel will run: the code cells and the tags that change how they run."""
    return [(c.source, c.has("raises-exception")) for c in cells if c.cell_type == "code"]


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
) -> dict[str, list[ExecutedVariant]]:
    """The deck's executed variants by execution key: one execution per group.

    ``notebooks`` lists (language, kind, executed notebook, HTML output);
    ``input_hashes`` the sorted (relative path, hash) of the execution inputs.
    Raises CourseError for a deck that cannot be rendered.
    """
    groups: dict[str, list[ExecutedVariant]] = {}
    for lang, kind, target, html in notebooks:
        notebook, cells = variant_notebook(
            prepass, text, Path(deck), lang, Kind(kind), Format.HTML, kernel
        )
        key = execution_key(code_of(cells), environment, input_hashes, allow_errors, kernel)
        groups.setdefault(key, []).append(
            ExecutedVariant(lang, kind, target, html, notebook, cells)
        )
    return groups
