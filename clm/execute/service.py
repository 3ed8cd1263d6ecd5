"""The execution service: every execution of a build, by its key, from the cache or an executor.

The results cache answers first. What it lacks goes to an executor in one
batch (this process's kernels, or a Dask cluster: clm.execute.base); each
result enters the cache as it arrives, and what gave no result becomes an
``ExecutionFailure`` saying why: a cell raised, a worker's environment is not
the build's, a task killed its workers. The deck's execute task and the Dask
pre-pass both run their executions through here.

A cell that raised is a result too: its failure is kept under the same key
(``kept_failure``) until a run of that key succeeds, which drops it; any other
failure tells about one run only and is not kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from clm.execute.base import (
    BatchExecutor,
    ExecutionFailure,
    ExecutionRequest,
    ExecutionResult,
    Finished,
)
from clm.state.results import (
    EXECUTIONS,
    FAILURES,
    KeptFailure,
    ResultsCache,
    cached_failure,
    cached_outputs,
    encode_failure,
    encode_outputs,
    utc_now,
)


@dataclass(frozen=True)
class Outcome:
    """How one execution ended: its outputs, or why it has none."""

    request: ExecutionRequest
    outputs: list | None  # one [outputs, execution_count] per code cell; None: failed
    failure: ExecutionFailure | None = None  # set exactly when outputs is None
    result: ExecutionResult | None = None  # what the executor returned (None: it lost it)


class ExecutionService:
    """Executions by key: the cache's, or the executor's (kept in the cache as they come)."""

    def __init__(self, executor: BatchExecutor, cache: ResultsCache):
        self.executor = executor
        self.cache = cache

    def cached(self, key: str, fits: Callable[[list], bool]) -> list | None:
        """The outputs the cache keeps under ``key``; an entry that does not ``fit`` the
        notebook (damaged, or from a clm that stored something else) is dropped."""
        outputs = cached_outputs(self.cache, key)
        if outputs is not None and not fits(outputs):
            self.cache.drop(EXECUTIONS, key)
            return None
        return outputs

    def kept_failure(self, key: str) -> KeptFailure | None:
        """The failure kept under ``key`` (ask after ``cached``: a success wins)."""
        return cached_failure(self.cache, key)

    def run(self, requests: Sequence[ExecutionRequest]) -> Iterator[Outcome | None]:
        """Send ``requests`` now (all at once: the executor decides how many run at a time);
        then each Outcome as its execution ends, None now and then while none does."""
        self.executor.submit(requests)
        return self._outcomes()

    def _outcomes(self) -> Iterator[Outcome | None]:
        for finished in self.executor.finished():
            yield None if finished is None else self._settle(finished)

    def run_one(self, request: ExecutionRequest) -> Outcome:
        """Run one request to its end."""
        for outcome in self.run([request]):
            if outcome is not None:
                return outcome
        raise RuntimeError(f"the executor gave nothing back for {request.key}")

    def _settle(self, finished: Finished) -> Outcome:
        request, result = finished.request, finished.result
        if result is not None and result.outputs is not None:
            self.cache.put(EXECUTIONS, request.key, encode_outputs(result.outputs))
            self.cache.drop(FAILURES, request.key)  # a flaky cell ran: the success is the result
            return Outcome(request, result.outputs, None, result)
        if result is None:
            failure = self.executor.lost(finished)
        elif result.refused is not None:
            from clm.execute.cluster import refusal

            failure = refusal(result.refused, request.job)
        else:
            failure = result.failure or ExecutionFailure(None, "the kernel returned nothing", None)
        if failure.kept_as_result:
            kept = KeptFailure(failure.cell_index, failure.error, failure.cell_line, utc_now())
            self.cache.put(FAILURES, request.key, encode_failure(kept))
        return Outcome(request, None, failure, result)
