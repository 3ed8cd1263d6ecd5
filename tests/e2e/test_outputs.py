"""Stale outputs, foreign files, clean, and two specs in one course."""

from __future__ import annotations

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import executed_tasks, run_clm, run_doit

SPEC = """\
name: {de: Kurs, en: Course}
languages: [en]
sections:
  - name: One
    topics: [first, second]
"""

FILES = {
    "slides/module_100_a/topic_100_first/slides_first.py": deck_text("Erstes", "First"),
    "slides/module_100_a/topic_100_first/data/numbers.txt": "1 2 3\n",
    "slides/module_100_a/topic_110_second.py": deck_text("Zweites", "Second"),
    "dodo.py": 'from clm.dodo import course_tasks\nDOIT_CONFIG, task_course = course_tasks("course.yaml")\n',
}


def _course(tmp_path, spec=SPEC):
    root = tmp_path / "course"
    write_files(root, {**FILES, "course.yaml": spec})
    return root


def test_stale_outputs_go_and_foreign_files_stay(tmp_path):
    root = _course(tmp_path)
    assert run_doit(root).returncode == 0
    folder = root / "output/shared/Course-en/Slides/Html/Completed/One"
    assert (folder / "02 Second.html").exists()
    (root / "output/README.md").write_text("published by hand")
    (root / "output/.git").mkdir()
    (root / "output/.git/HEAD").write_text("ref: refs/heads/main\n")
    (folder / "notes.txt").write_text("mine")

    (root / "course.yaml").write_text(SPEC.replace("[first, second]", "[first]"))
    result = run_doit(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "remove-stale-outputs" in executed_tasks(result)
    assert not list((root / "output").rglob("02 Second.*"))
    assert (folder / "01 First.html").exists()
    assert (root / "output/README.md").read_text() == "published by hand"
    assert (root / "output/.git/HEAD").exists()
    assert (folder / "notes.txt").read_text() == "mine"
    assert executed_tasks(run_doit(root)) == []


def test_renamed_deck_replaces_its_outputs(tmp_path):
    root = _course(tmp_path)
    assert run_doit(root).returncode == 0
    deck = root / "slides/module_100_a/topic_110_second.py"
    deck.write_text(deck_text("Zweites", "Renamed"))
    assert run_doit(root).returncode == 0
    names = {p.name for p in (root / "output").rglob("02 *")}
    assert names == {"02 Renamed.html", "02 Renamed.ipynb", "02 Renamed.py"}


def test_clean_removes_what_clm_wrote_and_nothing_else(tmp_path):
    root = _course(tmp_path)
    assert run_doit(root).returncode == 0
    (root / "output/README.md").write_text("mine")
    result = run_doit(root, "clean")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (root / "output").rglob("*") if p.is_file()] == ["README.md"]
    assert (root / ".clm/state.sqlite").exists()
    assert list((root / ".clm/executed").rglob("*.ipynb"))  # the cache stays


def test_two_specs_writing_the_same_outputs(tmp_path):
    root = _course(tmp_path)
    (root / "other.yaml").write_text(SPEC)
    assert run_clm(root, "build", "course.yaml").returncode == 0
    result = run_clm(root, "build", "other.yaml")
    assert result.returncode == 2
    assert "also written by the spec course.yaml" in result.stderr
    (root / "other.yaml").write_text(SPEC + "output: other-output\n")
    assert run_clm(root, "build", "other.yaml").returncode == 0
    assert (root / "other-output/shared/Course-en/Slides/Html/Completed/One/01 First.html").exists()
    # Switching the course to the other spec: clean the first one's outputs.
    (root / "other.yaml").write_text(SPEC)
    assert run_clm(root, "build", "other.yaml").returncode == 2
    cleaned = run_clm(root, "clean", "course.yaml")
    assert cleaned.returncode == 0 and "removed" in cleaned.stdout
    assert not [p for p in (root / "output").rglob("*") if p.is_file()]
    assert run_clm(root, "build", "other.yaml").returncode == 0
    assert (root / "output/shared/Course-en/Slides/Html/Completed/One/01 First.html").exists()
