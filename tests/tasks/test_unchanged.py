"""The build's shortcut: nothing changed is answered by stamps; a change hands doit its tasks."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from clm.state import snapshot as snapshots
from clm.tasks import unchanged
from clm.tasks.unchanged import Shortcut

DECK = "slides/topic_a/slides_a.py"
OTHER = "slides/topic_b/slides_b.py"
EXECUTED = ".clm/executed/a.ipynb"
HTML = "output/a.html"
PAGE = "output/b/b.html"
ENGINE = "clm:engine"


def _tasks() -> list[dict]:
    """A deck whose execution feeds its page, a second deck, and the stale-output check."""
    return [
        {"basename": DECK, "name": None, "doc": "deck a"},
        {"basename": DECK, "name": "execute", "actions": [], "file_dep": [DECK, ENGINE],
         "targets": [EXECUTED]},
        {"basename": DECK, "name": HTML, "actions": [], "file_dep": [DECK, EXECUTED, ENGINE],
         "targets": [HTML]},
        {"basename": OTHER, "name": None, "doc": "deck b"},
        {"basename": OTHER, "name": PAGE, "actions": [], "file_dep": [OTHER, ENGINE],
         "targets": [PAGE], "task_dep": [f"{DECK}:{HTML}"]},
        {"basename": "remove-stale-outputs", "actions": [], "uptodate": [(print, (), {})]},
    ]  # fmt: skip


def _age(root: Path, seconds: float = 60) -> None:
    past = time.time() - seconds
    for path in [root, *root.rglob("*")]:
        os.utime(path, (past, past))


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A built course (every file older than the clock's resolution), the working directory."""
    monkeypatch.chdir(tmp_path)
    for path in (DECK, OTHER, EXECUTED, HTML, PAGE, "course.yaml"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(path)
    Path(".clm/state.sqlite").write_text("")
    _age(tmp_path)
    return tmp_path


def _build(root: Path, values: dict | None = None, failed: set[str] = frozenset()) -> Shortcut:
    """What a build of the tasks does with the shortcut: look, select, commit."""
    shortcut = Shortcut(unchanged.look(root / "course.yaml", root))
    shortcut.values = values or {ENGINE: "e1"}
    shortcut.output_folders = ("output",)  # as planning says (Shortcut.prepare)
    shortcut.select(_tasks())
    shortcut.commit(set(failed))
    return shortcut


def _selected(root: Path, values: dict | None = None) -> list[str]:
    shortcut = Shortcut(unchanged.look(root / "course.yaml", root))
    shortcut.values = values or {ENGINE: "e1"}
    return [unchanged._full_name(task) for task in shortcut.select(_tasks())]


def _nothing_changed(root: Path) -> bool:
    return unchanged.nothing_changed(unchanged.look(root / "course.yaml", root)) is not None


def test_without_a_snapshot_doit_gets_every_task(course):
    assert len(_selected(course)) == len(_tasks())
    assert not _nothing_changed(course)


def test_after_a_build_nothing_changed_and_doit_would_get_only_the_checks_it_cannot_skip(course):
    _build(course)
    assert _nothing_changed(course)
    assert _selected(course) == ["remove-stale-outputs"]


def test_an_edited_deck_hands_doit_its_tasks_and_what_reads_their_outputs(course):
    _build(course)
    Path(DECK).write_text("edited deck a")
    _age(course / DECK, 30)  # an older stamp than the build's, but another one
    assert not _nothing_changed(course)
    assert _selected(course) == [
        DECK,
        f"{DECK}:execute",
        f"{DECK}:{HTML}",
        "remove-stale-outputs",
    ]


def test_what_waits_for_a_spared_task_does_not_wait_for_it(course):
    _build(course)
    Path(OTHER).write_text("edited deck b")
    _age(course / OTHER, 30)
    shortcut = Shortcut(unchanged.look(course / "course.yaml", course))
    shortcut.values = {ENGINE: "e1"}
    chosen = {unchanged._full_name(t): t for t in shortcut.select(_tasks())}
    assert list(chosen) == [OTHER, f"{OTHER}:{PAGE}", "remove-stale-outputs"]
    assert chosen[f"{OTHER}:{PAGE}"]["task_dep"] == []  # its dependency is up to date
    assert f"{DECK}:{HTML}" in shortcut.spared


def test_a_changed_value_hands_doit_every_task_depending_on_it(course):
    _build(course)
    assert len(_selected(course, {ENGINE: "e2"})) == len(_tasks())


def test_an_output_someone_removed_is_doits_again(course):
    _build(course)
    Path(HTML).unlink()
    assert not _nothing_changed(course)
    assert f"{DECK}:{HTML}" in _selected(course)
    assert f"{OTHER}:{PAGE}" not in _selected(course)  # another folder


def test_an_intermediate_someone_changed_is_doits_again_and_so_is_what_reads_it(course):
    _build(course)
    Path(EXECUTED).write_text("other outputs")
    assert not _nothing_changed(course)
    assert _selected(course) == [DECK, f"{DECK}:execute", f"{DECK}:{HTML}", "remove-stale-outputs"]


def test_an_output_edited_in_place_is_no_change_as_for_doit(course):
    # doit asks of an output only that it exists; the next change of its deck replaces it.
    _build(course)
    Path(HTML).write_text("edited by hand")
    assert _nothing_changed(course)


def test_an_output_folder_written_just_before_the_snapshot_is_known_by_its_names(course):
    # A file removed from it within the same clock tick would leave its stamp as it was.
    Path("output/new.html").write_text("written by the build")
    os.replace("output/new.html", HTML)  # as clm writes: its folder's stamp is too new
    _build(course)
    assert _nothing_changed(course)
    stamp = os.stat("output")
    os.unlink(HTML)
    os.utime("output", ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # the same tick
    assert not _nothing_changed(course)
    assert f"{DECK}:{HTML}" in _selected(course)


def test_a_new_file_in_a_topic_is_a_change(course):
    _build(course)
    Path("slides/topic_a/data.csv").write_text("1,2")
    assert not _nothing_changed(course)


def test_a_removed_file_is_a_change(course):
    Path("slides/topic_a/notes.txt").write_text("x")
    _age(course)
    _build(course)
    assert _nothing_changed(course)
    folder = os.stat("slides/topic_a")
    os.unlink("slides/topic_a/notes.txt")
    # Even with the folder's stamp as it was (a file system whose folders keep theirs).
    os.utime("slides/topic_a", ns=(folder.st_atime_ns, folder.st_mtime_ns))
    assert not _nothing_changed(course)


def test_failed_tasks_are_doits_again_and_the_course_is_never_unchanged(course):
    _build(course, failed={f"{DECK}:execute", f"{DECK}:{HTML}"})
    assert not _nothing_changed(course)
    assert _selected(course) == [DECK, f"{DECK}:execute", f"{DECK}:{HTML}", "remove-stale-outputs"]


def test_a_file_edited_during_the_build_is_looked_at_again(course):
    # The snapshot keeps the stamps taken before planning read the files.
    shortcut = Shortcut(unchanged.look(course / "course.yaml", course))
    shortcut.values = {ENGINE: "e1"}
    shortcut.select(_tasks())
    Path(DECK).write_text("edited while the build ran")
    _age(course / DECK, 30)
    shortcut.commit(set())
    assert not _nothing_changed(course)
    assert f"{DECK}:execute" in _selected(course)


def test_a_file_stat_ed_too_soon_is_looked_at_again(course):
    Path(DECK).write_text("just written")  # within the clock's resolution of the look
    _build(course)
    assert not _nothing_changed(course)
    assert f"{DECK}:execute" in _selected(course)


def test_the_environment_a_build_reads_is_part_of_the_comparison(course, monkeypatch):
    _build(course)
    monkeypatch.setenv("CLM_FAIL_ON_MISSING_XREF", "1")
    assert not _nothing_changed(course)
    assert len(_selected(course)) == len(_tasks())
    monkeypatch.delenv("CLM_FAIL_ON_MISSING_XREF")
    monkeypatch.setenv("CLM_RUN_OWNER", "123:a:/tmp")  # clm's own run tag is not
    assert _nothing_changed(course)


def test_clms_version_is_part_of_the_comparison(course, monkeypatch):
    import clm

    _build(course)
    monkeypatch.setattr(clm, "__version__", "99.0")
    assert not _nothing_changed(course)


def test_another_snapshot_of_the_folder_is_not_this_specs(course):
    _build(course)
    other = snapshots.load(snapshots.snapshot_file(course / ".clm", str(course / "other.yaml")))
    assert other is None


def test_what_planning_never_reads_changes_nothing(course):
    # An editor's swap file, coverage's data: they change their folder's stamp.
    _build(course)
    Path("slides/topic_a/.slides_a.py.swp").write_text("vim")
    Path(".coverage.host.123").write_text("data")
    Path("slides/topic_a/__pycache__").mkdir()
    assert _nothing_changed(course)
    Path("slides/topic_a/notes.md").write_text("a file planning may read")
    assert not _nothing_changed(course)
