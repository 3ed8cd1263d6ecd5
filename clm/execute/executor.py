"""The local executor: run notebooks here, each in a fresh kernel of this process's pool.

It implements the batch interface of clm.execute.base (requests run one after
another, in the order given; each comes back as it ends) and runs a single job
for whoever has one (``run``): a Dask worker, the watcher's workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from clm.execute.base import (
    Capabilities,
    ExecutionFailure,
    ExecutionJob,
    ExecutionRequest,
    ExecutionResult,
    Finished,
)

if TYPE_CHECKING:
    from clm.execute.kernels import KernelPool


class LocalExecutor:
    """Runs jobs in this process, each in a fresh kernel of ``kernels`` (the pool of the
    worker, or of the Dask worker's thread, that runs them) with the next one warming up."""

    capabilities = Capabilities(runs_remotely=False, checks_environment=False)

    def __init__(self, kernels: KernelPool) -> None:
        self.kernels = kernels
        self._queue: list[ExecutionRequest] = []

    def submit(self, requests: Sequence[ExecutionRequest]) -> None:
        self._queue.extend(requests)

    def finished(self) -> Iterator[Finished | None]:
        while self._queue:
            request = self._queue.pop(0)
            yield Finished(request, self.run(request.job))

    def lost(self, finished: Finished) -> ExecutionFailure:
        return ExecutionFailure(None, f"the execution failed: {finished.error}", None)

    def close(self) -> None:
        self._queue.clear()

    def run(
        self, job: ExecutionJob, on_cell: Callable[[int], None] | None = None
    ) -> ExecutionResult:
        """Run ``job``; ``on_cell`` hears the index of each cell sent to the kernel."""
        import json

        import nbformat

        from clm.execute.runner import CellFailure, KernelChoice, run_notebook

        kernels = self.kernels
        used, spares = kernels.handed_out, kernels.spares_started
        notebook = nbformat.reads(job.notebook, as_version=4)
        try:
            choice = KernelChoice(job.kernel, job.language, job.python)
            run_notebook(
                notebook,
                list(job.inputs),
                job.timeout,
                job.allow_errors,
                choice,
                on_cell,
                kernels=kernels,
            )
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
                ExecutionFailure(
                    failed.cell_index, failed.error, failed.cell_line, kept_as_result=failed.raised
                ),
            )
        return ExecutionResult(
            outputs, failure, kernels.handed_out - used, kernels.spares_started - spares
        )
