"""The execution interface: what a build asks an executor to run, and what comes back.

A batch of ``ExecutionRequest`` records goes in (``submit``), and each comes
back as a ``Finished`` record as soon as it ends (``finished``), in whatever
order the executor finishes them. Everything that crosses is plain data: the
notebook as nbformat JSON bytes, the files it reads, its limits, and each code
cell's outputs. Two executors implement it: ``LocalExecutor`` (this process's
kernels, clm.execute.executor) and ``DaskExecutor`` (a Dask cluster,
clm.execute.cluster); the build reaches either through the execution service
(clm.execute.service), which also keeps what they return.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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
    """A cell raised, ran too long, or the kernel died; ``cell_index`` counts all cells.

    ``kept_as_result`` is set only when a cell raised: that failure is a property
    of the code, its inputs and its environment, so the results cache keeps it
    like a success. A timeout, a dead kernel, a missing kernelspec or a lost job
    tells about this run alone.
    """

    cell_index: int | None
    error: str  # "ZeroDivisionError: division by zero"
    cell_line: int | None  # the line inside the cell of the last frame there
    kept_as_result: bool = False


@dataclass(frozen=True)
class EnvironmentRefusal:
    """Why a worker ran nothing: its environment's fingerprint is not the build's."""

    worker: str  # the worker's address
    facts: tuple[str, ...]  # its interpreter, packages or runtime, one per line


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
class ExecutionRequest:
    """One execution: the key its result is kept under, the job, the environment expected."""

    key: str
    job: ExecutionJob
    environment: str  # the build's fingerprint of the job's kernel environment


@dataclass(frozen=True)
class Finished:
    """A request that ended: its result, or the exception the executor gave instead."""

    request: ExecutionRequest
    result: ExecutionResult | None
    error: BaseException | None = None


@dataclass(frozen=True)
class Capabilities:
    """What an executor does beyond running code here."""

    runs_remotely: bool  # on other machines: inputs travel with the job
    checks_environment: bool  # refuses a job whose environment is not the build's


class BatchExecutor(Protocol):
    capabilities: Capabilities

    def submit(self, requests: Sequence[ExecutionRequest]) -> None:
        """Take a batch of requests; the executor decides how many run at once."""

    def finished(self) -> Iterator[Finished | None]:
        """Each submitted request as it ends; None now and then while none does."""

    def lost(self, finished: Finished) -> ExecutionFailure:
        """Why a request that ended without a result (``finished.error``) gave none."""

    def close(self) -> None: ...
