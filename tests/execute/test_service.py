"""The execution service: the cache first, the executor for the rest, each result kept."""

from __future__ import annotations

import nbformat

from clm.execute.base import ExecutionJob, ExecutionRequest
from clm.execute.executor import LocalExecutor
from clm.execute.service import ExecutionService
from clm.state.cache import SqliteResultsCache
from clm.state.results import EXECUTIONS, cached_outputs


def _request(key: str, code: str) -> ExecutionRequest:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return ExecutionRequest(key, ExecutionJob(nbformat.writes(notebook).encode()), "env")


def test_results_enter_the_cache_and_failures_say_why(tmp_path, kernels):
    cache = SqliteResultsCache(tmp_path / "cache.sqlite")
    service = ExecutionService(LocalExecutor(kernels), cache)
    outcomes = [o for o in service.run([_request("k1", "print(6 * 7)"), _request("k2", "1/0")])]
    good, bad = (o for o in outcomes if o is not None)
    assert good.failure is None and good.outputs[0][0][0]["text"] == "42\n"
    assert cached_outputs(cache, "k1") == good.outputs
    assert bad.outputs is None and "ZeroDivisionError" in bad.failure.error
    assert not cache.contains(EXECUTIONS, "k2")  # a failure is never a result


def test_a_cached_entry_that_does_not_fit_the_notebook_is_dropped(tmp_path, kernels):
    cache = SqliteResultsCache(tmp_path / "cache.sqlite")
    service = ExecutionService(LocalExecutor(kernels), cache)
    assert service.run_one(_request("k1", "print(1)")).outputs is not None
    assert service.cached("k1", lambda outputs: len(outputs) == 1) is not None
    assert service.cached("k1", lambda outputs: len(outputs) == 2) is None
    assert not cache.contains(EXECUTIONS, "k1")
