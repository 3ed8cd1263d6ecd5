"""The execution service: the cache first, the executor for the rest, each result kept
(a cell's error too, and nothing else that failed)."""

from __future__ import annotations

import nbformat
import pytest

from clm.execute.base import ExecutionJob, ExecutionRequest
from clm.execute.executor import LocalExecutor
from clm.execute.service import ExecutionService
from clm.state.cache import SqliteResultsCache
from clm.state.results import EXECUTIONS, FAILURES, cached_outputs


def _request(key: str, code: str, timeout: float = 60.0) -> ExecutionRequest:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    job = ExecutionJob(nbformat.writes(notebook).encode(), timeout=timeout)
    return ExecutionRequest(key, job, "env")


def test_results_enter_the_cache_and_failures_say_why(tmp_path, kernels):
    cache = SqliteResultsCache(tmp_path / "cache.sqlite")
    service = ExecutionService(LocalExecutor(kernels), cache)
    outcomes = [o for o in service.run([_request("k1", "print(6 * 7)"), _request("k2", "1/0")])]
    good, bad = (o for o in outcomes if o is not None)
    assert good.failure is None and good.outputs[0][0][0]["text"] == "42\n"
    assert cached_outputs(cache, "k1") == good.outputs
    assert bad.outputs is None and "ZeroDivisionError" in bad.failure.error
    assert not cache.contains(EXECUTIONS, "k2")  # a failure is no outputs


def test_a_cached_entry_that_does_not_fit_the_notebook_is_dropped(tmp_path, kernels):
    cache = SqliteResultsCache(tmp_path / "cache.sqlite")
    service = ExecutionService(LocalExecutor(kernels), cache)
    assert service.run_one(_request("k1", "print(1)")).outputs is not None
    assert service.cached("k1", lambda outputs: len(outputs) == 1) is not None
    assert service.cached("k1", lambda outputs: len(outputs) == 2) is None
    assert not cache.contains(EXECUTIONS, "k1")


def test_a_cell_error_is_kept_under_its_key_until_a_success_replaces_it(tmp_path, kernels):
    cache = SqliteResultsCache(tmp_path / "cache.sqlite")
    service = ExecutionService(LocalExecutor(kernels), cache)
    failed = service.run_one(_request("k", "x = 1\nx / 0"))
    assert failed.failure.kept_as_result
    kept = service.kept_failure("k")
    assert kept.error == failed.failure.error == "ZeroDivisionError: division by zero"
    assert (kept.cell_index, kept.cell_line) == (0, 2)
    assert kept.ran.endswith("Z") and kept.ran_on.endswith(" UTC")

    # The same key running to its end (a cell that fails now and then): the success wins.
    mended = service.run_one(_request("k", "print(1)"))
    assert mended.outputs is not None
    assert service.kept_failure("k") is None and not cache.contains(FAILURES, "k")


@pytest.mark.parametrize(
    ("code", "timeout", "said"),
    [
        ("while True: pass", 2, "the cell ran past its timeout of 2 s"),
        ("import os\nos._exit(1)", 60, "the kernel died twice"),
        ("raise KeyboardInterrupt", 60, "KeyboardInterrupt"),
        ("raise MemoryError()", 60, "MemoryError"),
        ("raise OSError(28, 'No space left on device')", 60, "No space left on device"),
    ],
)
def test_a_failure_that_is_no_property_of_the_code_is_not_kept(
    tmp_path, kernels, code, timeout, said
):
    cache = SqliteResultsCache(tmp_path / "cache.sqlite")
    service = ExecutionService(LocalExecutor(kernels), cache)
    outcome = service.run_one(_request("k", code, timeout))
    assert said in outcome.failure.error and not outcome.failure.kept_as_result
    assert not cache.contains(FAILURES, "k") and service.kept_failure("k") is None
