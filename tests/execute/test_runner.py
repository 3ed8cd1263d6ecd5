"""Running notebooks in a real kernel."""

from __future__ import annotations

import nbformat
import pytest

from clm.execute.runner import CellFailure, run_notebook


def _notebook(*sources: str, tags: dict[int, list[str]] | None = None):
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for index, cell_tags in (tags or {}).items():
        cells[index].metadata["tags"] = cell_tags
    return nbformat.v4.new_notebook(cells=cells)


def test_runs_in_a_scratch_folder_holding_the_inputs(tmp_path, kernels):
    (tmp_path / "numbers.csv").write_text("1\n2\n3\n")
    (tmp_path / "helper.py").write_text("def total(xs):\n    return sum(xs)\n")
    notebook = _notebook(
        "from helper import total\nwith open('data/numbers.csv') as f:\n    xs = [int(x) for x in f]",
        "total(xs)",
        "import os\nopen('written.txt', 'w').write('x')",
    )
    inputs = [
        ("data/numbers.csv", (tmp_path / "numbers.csv").read_bytes()),
        ("helper.py", (tmp_path / "helper.py").read_bytes()),
    ]
    run_notebook(notebook, inputs, timeout=30, allow_errors=False, kernels=kernels)
    assert notebook.cells[1].outputs[0]["data"]["text/plain"] == "6"
    assert not (tmp_path / "written.txt").exists()


def test_a_raising_cell_names_cell_and_line(kernels):
    notebook = _notebook("x = 1", "y = 2\nz = x / 0\n")
    with pytest.raises(CellFailure) as caught:
        run_notebook(notebook, [], timeout=30, allow_errors=False, kernels=kernels)
    assert caught.value.cell_index == 1
    assert caught.value.cell_line == 2
    assert str(caught.value) == "ZeroDivisionError: division by zero"


def test_expected_exceptions_and_allow_errors(kernels):
    notebook = _notebook("1 / 0", "'after'", tags={0: ["raises-exception"]})
    run_notebook(notebook, [], timeout=30, allow_errors=False, kernels=kernels)
    assert notebook.cells[0].outputs[0]["ename"] == "ZeroDivisionError"
    assert notebook.cells[1].outputs[0]["data"]["text/plain"] == "'after'"
    allowed = _notebook("[][1]", "'after'")
    run_notebook(allowed, [], timeout=30, allow_errors=True, kernels=kernels)
    assert allowed.cells[0].outputs[0]["ename"] == "IndexError"


def test_a_cell_past_its_timeout_is_stopped(kernels):
    notebook = _notebook("x = 1", "import time\ntime.sleep(30)")
    with pytest.raises(CellFailure, match="ran past its timeout of 1 s") as caught:
        run_notebook(notebook, [], timeout=1, allow_errors=False, kernels=kernels)
    assert caught.value.cell_index == 1


def test_a_runaway_loop_is_stopped_by_the_timeout(kernels):
    notebook = _notebook("while True:\n    pass")
    with pytest.raises(CellFailure, match="ran past its timeout of 1 s"):
        run_notebook(notebook, [], timeout=1, allow_errors=False, kernels=kernels)


def test_a_dying_kernel_is_replaced_once_then_reported(kernels):
    before = kernels.handed_out
    notebook = _notebook("x = 1", "import os\nos._exit(1)")
    with pytest.raises(CellFailure, match="the kernel died twice") as caught:
        run_notebook(notebook, [], timeout=30, allow_errors=False, kernels=kernels)
    assert kernels.handed_out - before == 2
    assert caught.value.cell_index == 1


def test_the_local_executor_reports_the_kernels_it_used_and_a_failure_as_data(kernels):
    from clm.execute.base import ExecutionJob
    from clm.execute.executor import LocalExecutor

    good = nbformat.writes(_notebook("print(6 * 7)")).encode()
    result = LocalExecutor(kernels).run(ExecutionJob(good, timeout=30))
    assert result.failure is None and result.kernels == 1 and result.spare_kernels == 1
    assert result.outputs == [[[{"name": "stdout", "output_type": "stream", "text": "42\n"}], 1]]
    bad = nbformat.writes(_notebook("x = 1", "1 / 0")).encode()
    failed = LocalExecutor(kernels).run(ExecutionJob(bad, timeout=30))
    assert failed.outputs is None
    assert failed.failure.cell_index == 1 and "ZeroDivisionError" in failed.failure.error


def test_running_notebooks_leaves_no_threads_behind(kernels):
    """Each run's kernel client stops its channels: a worker of a big course keeps no
    heartbeat thread per notebook it ran."""
    import threading

    run_notebook(_notebook("1 + 1"), [], timeout=30, allow_errors=False, kernels=kernels)
    before = threading.active_count()
    for _ in range(3):
        run_notebook(_notebook("1 + 1"), [], timeout=30, allow_errors=False, kernels=kernels)
    assert threading.active_count() <= before


def test_output_a_kernel_sends_after_the_cell_is_done_is_kept(kernels):
    """Deno's kernel often sends printed text and values after its idle status."""
    from clm.execute.runner import KernelChoice

    sources = ['console.log("one")', "const a = 6;\na * 7", 'console.log("three " + a)', '"four"']
    for _ in range(4):
        notebook = _notebook(*sources)
        run_notebook(
            notebook,
            [],
            timeout=60,
            allow_errors=False,
            choice=KernelChoice("deno", "typescript"),
            kernels=kernels,
        )
        texts = [
            output.get("text") or output["data"]["text/plain"]
            for cell in notebook.cells
            for output in cell.outputs
        ]
        assert len(texts) == 4 and "three 6" in texts[2], texts


def test_a_kernel_that_dies_before_it_answers_is_replaced_once(tmp_path, monkeypatch, kernels):
    import json

    from clm.execute.runner import KernelChoice

    spec = tmp_path / "kernels" / "dies"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": ["false"], "display_name": "Dies"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    with pytest.raises(CellFailure) as failed:
        run_notebook(
            _notebook("1"),
            [],
            timeout=30,
            allow_errors=False,
            choice=KernelChoice("dies"),
            kernels=kernels,
        )
    assert str(failed.value) == (
        "the kernel died twice: Kernel died before replying to kernel_info"
    )
