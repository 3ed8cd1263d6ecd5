"""The executor seam: run one notebook's code, plain data in and plain data out.

The build hands an ``Executor`` an ``ExecutionJob`` (the notebook as nbformat
JSON bytes, the files it reads, its limits) and gets an ``ExecutionResult``
back: each code cell's outputs as JSON-ready data, or the failure, plus what
running it cost. Nothing live crosses the seam, so a job pickles for spawned
workers and travels to another machine; ``LocalExecutor`` runs it here, in a
fresh kernel of this process's pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from clm.languages import KERNEL_NAME


@dataclass(frozen=True)
class ExecutionJob:
    notebook: bytes  # nbformat 4 JSON, without outputs
    inputs: tuple[tuple[str, bytes], ...] = ()  # (relative path, bytes) beside the notebook
    timeout: float = 60.0  # seconds per cell
    allow_errors: bool = False
    kernel: str = KERNEL_NAME  # the kernelspec that runs it
    language: str = "python"  # the deck's language: how its kernel's errors read
    python: str | None = None  # the interpreter whose ipykernel runs it; None: this one's


@dataclass(frozen=True)
class ExecutionFailure:
    """A cell raised, ran too long, or the kernel died; ``cell_index`` counts all cells."""

    cell_index: int | None
    error: str  # "ZeroDivisionError: division by zero"
    cell_line: int | None  # the line inside the cell of the last frame there


@dataclass(frozen=True)
class ExecutionResult:
    # One [outputs, execution_count] per code cell (outputs as nbformat dicts); None on failure.
    outputs: list | None
    failure: ExecutionFailure | None = None
    kernels: int = 0  # kernels that ran the code (a dead kernel is replaced once)
    spare_kernels: int = 0  # kernels booted ahead for the next job
    # A cluster worker whose environment is not the build's ran nothing: what it has.
    refused: EnvironmentRefusal | None = None


@dataclass(frozen=True)
class EnvironmentRefusal:
    """Why a worker ran nothing: its environment's fingerprint is not the build's."""

    worker: str  # the worker's address
    facts: tuple[str, ...]  # its interpreter, packages or runtime, one per line


class Executor(Protocol):
    def run(self, job: ExecutionJob) -> ExecutionResult: ...


class LocalExecutor:
    """Runs jobs in this process, each in a fresh kernel with the next one warming up."""

    def run(
        self, job: ExecutionJob, on_cell: Callable[[int], None] | None = None
    ) -> ExecutionResult:
        """Run ``job``; ``on_cell`` hears the index of each cell sent to the kernel."""
        import json

        import nbformat

        from clm.execute.kernels import pool
        from clm.execute.runner import CellFailure, KernelChoice, run_notebook

        kernels = pool()
        used, spares = kernels.handed_out, kernels.spares_started
        notebook = nbformat.reads(job.notebook, as_version=4)
        try:
            choice = KernelChoice(job.kernel, job.language, job.python)
            run_notebook(notebook, list(job.inputs), job.timeout, job.allow_errors, choice, on_cell)
            # Through JSON: what crosses the seam is plain data, as the cache stores it.
            outputs = json.loads(
                json.dumps(
                    [
                        [cell.outputs, cell.execution_count]
                        for cell in notebook.cells
                        if cell.cell_type == "code"
                    ]
                )
            )
            failure = None
        except CellFailure as failed:
            outputs, failure = (
                None,
                ExecutionFailure(failed.cell_index, failed.error, failed.cell_line),
            )
        return ExecutionResult(
            outputs, failure, kernels.handed_out - used, kernels.spares_started - spares
        )
