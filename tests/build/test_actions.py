"""What the workers run, called in-process on a real deck and kernel."""

from __future__ import annotations

import nbformat
import pytest

import clm.execute.runner
from clm.build import actions
from tests.conftest import deck_text

STATE = ".clm/state.sqlite"


@pytest.fixture
def deck(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "slides_x.py"
    path.write_text(deck_text(code="print(6 * 7)"))
    return "slides_x.py"


def _counting_runs(monkeypatch) -> list[int]:
    runs: list[int] = []
    real = clm.execute.runner.run_notebook

    def counted(notebook, *args, **kwargs):
        runs.append(len(notebook.cells))
        return real(notebook, *args, **kwargs)

    monkeypatch.setattr(clm.execute.runner, "run_notebook", counted)
    return runs


def _notebooks(langs_kinds):
    return tuple(
        (lang, kind, f".clm/executed/{lang}-{kind}.ipynb", f"out/{lang}-{kind}.html")
        for lang, kind in langs_kinds
    )


ALL = [("de", "completed"), ("de", "speaker"), ("en", "completed"), ("en", "speaker")]


def test_identical_code_runs_once_for_all_languages_and_kinds(deck, monkeypatch):
    runs = _counting_runs(monkeypatch)
    result = actions.execute_deck(STATE, deck, _notebooks(ALL), (), 30, False, None, "test-env")
    assert result == {"from_cache": False}
    assert len(runs) == 1
    again = actions.execute_deck(STATE, deck, _notebooks(ALL), (), 30, False, None, "test-env")
    assert again == {"from_cache": True} and len(runs) == 1
    for lang, kind in ALL:
        notebook = nbformat.read(f".clm/executed/{lang}-{kind}.ipynb", as_version=4)
        outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
        assert outputs[0]["text"] == "42\n"


def test_private_code_gets_its_own_speaker_run(deck, monkeypatch, tmp_path):
    (tmp_path / deck).write_text(deck_text(code="x = 1") + '\n# %% tags=["private"]\nprint(x)\n')
    runs = _counting_runs(monkeypatch)
    actions.execute_deck(STATE, deck, _notebooks(ALL), (), 30, False, None, "test-env")
    assert len(runs) == 2


def test_language_specific_code_runs_per_language(deck, monkeypatch, tmp_path):
    (tmp_path / deck).write_text(
        deck_text(code="x = 1")
        + '\n# %% lang="de"\nprint("Hallo")\n\n# %% lang="en"\nprint("Hello")\n'
    )
    runs = _counting_runs(monkeypatch)
    actions.execute_deck(STATE, deck, _notebooks(ALL), (), 30, False, None, "test-env")
    assert len(runs) == 2


def test_a_failure_reports_deck_line_languages_and_outputs(deck, tmp_path):
    (tmp_path / deck).write_text(deck_text(code="x = 1\nx / 0"))
    failed = actions.execute_deck(STATE, deck, _notebooks(ALL), (), 30, False, None, "test-env")
    message = str(failed.get_msg())
    assert "slides_x.py:12 (in the deck: x / 0): ZeroDivisionError: division by zero" in message
    assert "languages: de, en" in message
    assert "out/de-speaker.html" in message and "out/en-completed.html" in message


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
    assert (
        actions.build_output(
            STATE, "course.yaml", "out", deck, "en", kind, fmt, target, "Title", None, None
        )
        is None
    )
    with open(target, "rb") as stream:
        assert check(stream.read())


def test_executed_html_comes_from_the_executed_notebook(deck):
    actions.execute_deck(
        STATE, deck, _notebooks([("en", "completed")]), (), 30, False, None, "test-env"
    )
    target = "out/x.html"
    actions.build_output(
        STATE,
        "course.yaml",
        "out",
        deck,
        "en",
        "completed",
        "html",
        target,
        "T",
        None,
        ".clm/executed/en-completed.ipynb",
    )
    with open(target, encoding="utf-8") as stream:
        html = stream.read()
    assert "42" in html and 'class="jp-OutputArea-child' in html


def test_copy_and_remove(deck, tmp_path):
    (tmp_path / "data.csv").write_text("1,2\n")
    actions.copy_files(
        STATE, "course.yaml", "output", (("data.csv", "output/a/data.csv"),), "a:data-en"
    )
    assert (tmp_path / "output/a/data.csv").read_text() == "1,2\n"
    (tmp_path / "output/a/mine.txt").write_text("mine")
    actions.remove_outputs(
        STATE, "course.yaml", "output", ("output/a/data.csv", "output/a/mine.txt")
    )
    assert not (tmp_path / "output/a/data.csv").exists()
    assert (tmp_path / "output/a/mine.txt").exists()
