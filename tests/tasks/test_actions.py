"""What the workers run, called in-process on a real deck and kernel."""

from __future__ import annotations

import os

import nbformat
import pytest

from clm.execute.base import ExecutionJob, ExecutionResult
from clm.execute.executor import LocalExecutor
from clm.session.spec import SessionSpec
from clm.tasks.actions import build_output, copy_files, copy_mathjax, remove_outputs
from clm.tasks.execution import execute_deck
from clm.tasks.jobs import CopyJob, DeckExecutionJob, MathJaxJob, OutputJob, RemovalJob
from tests.conftest import deck_text


def _session() -> SessionSpec:
    return SessionSpec(os.getcwd())


@pytest.fixture
def deck(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "slides_x.py"
    path.write_text(deck_text(code="print(6 * 7)"))
    return "slides_x.py"


class CountingExecutor(LocalExecutor):
    """Runs each job in a real kernel, and keeps the jobs it was given."""

    def __init__(self, kernels) -> None:
        super().__init__(kernels)
        self.jobs: list[ExecutionJob] = []

    def run(self, job: ExecutionJob, on_cell=None) -> ExecutionResult:
        self.jobs.append(job)
        return super().run(job, on_cell)


def _execute(deck: str, langs_kinds, executor=None):
    job = DeckExecutionJob(_session(), deck, _notebooks(langs_kinds), (), 30, False, "test-env")
    return execute_deck(job, executor)


def _output(deck, kind, fmt, target, title="Title", executed=None):
    job = OutputJob(
        _session(), "course.yaml", "out", deck, "en", kind, fmt, target, title, executed
    )
    return build_output(job)


def _notebooks(langs_kinds):
    return tuple(
        (lang, kind, f".clm/executed/{lang}-{kind}.ipynb", f"out/{lang}-{kind}.html")
        for lang, kind in langs_kinds
    )


ALL = [("de", "completed"), ("de", "recording"), ("en", "completed"), ("en", "recording")]


def test_identical_code_runs_once_for_all_languages_and_kinds(deck, kernels):
    executor = CountingExecutor(kernels)
    assert _execute(deck, ALL, executor) == {"from_cache": False}
    assert len(executor.jobs) == 1
    assert _execute(deck, ALL, executor) == {"from_cache": True} and len(executor.jobs) == 1
    for lang, kind in ALL:
        notebook = nbformat.read(f".clm/executed/{lang}-{kind}.ipynb", as_version=4)
        outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
        assert outputs[0]["text"] == "42\n"


def test_private_code_gets_its_own_speaker_run(deck, tmp_path, kernels):
    (tmp_path / deck).write_text(deck_text(code="x = 1") + '\n# %% tags=["private"]\nprint(x)\n')
    executor = CountingExecutor(kernels)
    _execute(deck, ALL, executor)
    assert len(executor.jobs) == 2


def test_language_specific_code_runs_per_language(deck, tmp_path, kernels):
    (tmp_path / deck).write_text(
        deck_text(code="x = 1")
        + '\n# %% lang="de"\nprint("Hallo")\n\n# %% lang="en"\nprint("Hello")\n'
    )
    executor = CountingExecutor(kernels)
    _execute(deck, ALL, executor)
    assert len(executor.jobs) == 2


def test_a_failure_reports_deck_line_languages_and_outputs(deck, tmp_path):
    (tmp_path / deck).write_text(deck_text(code="x = 1\nx / 0"))
    failed = _execute(deck, ALL)
    message = str(failed.get_msg())
    assert "slides_x.py:12 (in the deck: x / 0): ZeroDivisionError: division by zero" in message
    assert "languages: de, en" in message
    assert "out/de-recording.html" in message and "out/en-completed.html" in message


@pytest.mark.parametrize(
    ("kind", "fmt", "suffix", "check"),
    [
        ("code-along", "notebook", ".ipynb", lambda data: b'"source": []' in data),
        ("completed", "code", ".py", lambda data: b"print(6 * 7)" in data and b"tags" not in data),
        ("code-along", "html", ".html", lambda data: data.rstrip().endswith(b"</html>")),
    ],
)
def test_build_output_writes_each_format(deck, kind, fmt, suffix, check):
    target = f"out/x{suffix}"
    assert _output(deck, kind, fmt, target) is None
    with open(target, "rb") as stream:
        assert check(stream.read())


def test_executed_html_comes_from_the_executed_notebook(deck):
    _execute(deck, [("en", "completed")])
    target = "out/x.html"
    _output(deck, "completed", "html", target, "T", ".clm/executed/en-completed.ipynb")
    with open(target, encoding="utf-8") as stream:
        html = stream.read()
    assert "42" in html and 'class="jp-OutputArea-child' in html


def test_copy_and_remove(deck, tmp_path):
    (tmp_path / "data.csv").write_text("1,2\n")
    copy_files(
        CopyJob(
            _session(), "course.yaml", "output", (("data.csv", "output/a/data.csv"),), "a:data-en"
        )
    )
    assert (tmp_path / "output/a/data.csv").read_text() == "1,2\n"
    (tmp_path / "output/a/mine.txt").write_text("mine")
    remove_outputs(
        RemovalJob(_session(), "course.yaml", "output", ("output/a/data.csv", "output/a/mine.txt"))
    )
    assert not (tmp_path / "output/a/data.csv").exists()
    assert (tmp_path / "output/a/mine.txt").exists()


def test_mathjax_that_cannot_be_fetched_fails_its_task_with_the_ways_out(
    deck, tmp_path, monkeypatch
):
    # A download cache that cannot be made (a file stands where its folder would be):
    # an OSError in a worker, which was a traceback.
    (tmp_path / "downloads").write_text("not a folder")
    monkeypatch.setenv("CLM_DOWNLOADS", str(tmp_path / "downloads"))
    target = "output/shared/K-en/Slides/Html/mathjax/tex-svg-full.js"
    job = MathJaxJob(_session(), "course.yaml", "output", (target,), "copy-mathjax")
    failed = copy_mathjax(job)
    assert failed is not None
    message = failed.get_msg()
    assert message.startswith(f"{target}: not written: MathJax (mathjax@3.2.2) is not in")
    assert "point CLM_DOWNLOADS elsewhere" in message
    assert "Run `clm setup` once while online" in message and "`mathjax: cdn`" in message
    assert not (tmp_path / "output").exists()


def test_the_executor_gets_plain_data_and_its_results_fill_the_cache(deck, kernels):
    """What crosses the executor seam pickles; a result it reports is what the build writes."""
    import pickle

    class Canned(LocalExecutor):
        """A batch executor whose every job prints the same line (no kernel)."""

        def __init__(self, kernels) -> None:
            super().__init__(kernels)
            self.jobs: list[ExecutionJob] = []

        def run(self, job: ExecutionJob, on_cell=None) -> ExecutionResult:
            self.jobs.append(pickle.loads(pickle.dumps(job)))
            printed = {"output_type": "stream", "name": "stdout", "text": "from elsewhere\n"}
            return ExecutionResult([[[printed], 1]])

    executor = Canned(kernels)
    assert _execute(deck, [("en", "completed")], executor) == {"from_cache": False}
    (job,) = executor.jobs
    assert isinstance(job.notebook, bytes) and b"print(6 * 7)" in job.notebook
    notebook = nbformat.read(".clm/executed/en-completed.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].outputs[0]["text"] == "from elsewhere\n"
    # The same code again: the cache serves it, the executor is not asked.
    assert _execute(deck, [("en", "recording")], executor) == {"from_cache": True}
    assert len(executor.jobs) == 1
