"""The stamps a build leaves for the next: written whole, read back, never trusted too soon."""

from __future__ import annotations

import os
import time

from clm.course.ignored import is_ignored
from clm.state import snapshot as snapshots
from clm.state.snapshot import Snapshot


def _snapshot(**changes) -> Snapshot:
    fields = {
        "context": "ctx",
        "stamps": {"a.py": (3, 10, 1), "b.py": None},
        "folders": {".": (0, 5, 2)},
        "values": {"clm:engine": "e1"},
        "tasks": frozenset({"a.py:out.html"}),
        "skipped_folders": ("output",),
        "said": ("warning: look",),
        "uptodate": 1,
        "complete": True,
        "taken": 1.5,
        "outputs": {"output/html": (0, 7, 3), "output/new": (0, 8, 4, ("a.html", "b.html"))},
        "kernels": (("python3", "/venv/bin/python", ("/venv/lib",)), ("deno", None, ())),
    }
    return Snapshot(**{**fields, **changes})


def test_a_snapshot_reads_back_as_it_was_written(tmp_path):
    path = snapshots.snapshot_file(tmp_path, "/course/course.yaml")
    snapshots.save(path, _snapshot())
    assert snapshots.load(path) == _snapshot()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_each_spec_has_its_own_snapshot(tmp_path):
    one = snapshots.snapshot_file(tmp_path, "/course/course-specs/a.yaml")
    other = snapshots.snapshot_file(tmp_path, "/course/course-specs/b.yaml")
    assert one != other


def test_a_damaged_or_foreign_snapshot_is_none(tmp_path):
    path = tmp_path / "snapshot-x"
    for data in (b"", b"\x00garbage", _snapshot().to_bytes()[:-7]):
        path.write_bytes(data)
        assert snapshots.load(path) is None
    import marshal

    path.write_bytes(marshal.dumps((snapshots.FORMAT + 1, "ctx")))
    assert snapshots.load(path) is None
    assert snapshots.load(tmp_path / "missing") is None


def test_forgetting_removes_the_snapshots_and_nothing_else(tmp_path):
    snapshots.save(snapshots.snapshot_file(tmp_path, "a"), _snapshot())
    snapshots.save(snapshots.snapshot_file(tmp_path, "b"), _snapshot())
    (tmp_path / "state.sqlite").write_text("state")
    snapshots.forget_all(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["state.sqlite"]
    snapshots.forget_all(tmp_path / "no-such-folder")  # nothing to forget: no error


def test_a_file_modified_within_the_clock_resolution_has_no_stamp(tmp_path):
    # A later write in the same clock tick, of the same size, would keep the stamp.
    fresh, old = tmp_path / "fresh.py", tmp_path / "old.py"
    fresh.write_text("x")
    old.write_text("y")
    past = time.time() - 60
    os.utime(old, (past, past))
    newest = snapshots.trusted_since()
    assert snapshots.stamp_of(str(fresh), newest) is None
    stat = old.stat()
    assert snapshots.stamp_of(str(old), newest) == (1, stat.st_mtime_ns, stat.st_ino)
    assert snapshots.stamp_of(str(tmp_path / "gone.py"), newest) is None


def test_the_walk_leaves_out_what_planning_never_reads(tmp_path):
    for name in ("slides/a/deck.py", "slides/a/__pycache__/deck.pyc", ".git/HEAD",
                 "output/page.html", "slides/b/deck.py~", "course.yaml"):  # fmt: skip
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    files, folders = snapshots.walk(
        str(tmp_path), frozenset({"output"}), is_ignored, time.time_ns() + 10**9
    )
    assert sorted(files) == ["course.yaml", "slides/a/deck.py"]
    assert sorted(folders) == [".", "slides", "slides/a", "slides/b"]


def test_a_new_file_shows_in_its_folders_stamp(tmp_path):
    (tmp_path / "topic").mkdir()
    past = time.time() - 60
    os.utime(tmp_path / "topic", (past, past))
    newest = snapshots.trusted_since()
    _, before = snapshots.walk(str(tmp_path), frozenset(), is_ignored, newest)
    (tmp_path / "topic" / "slides_new.py").write_text("x")
    _, after = snapshots.walk(str(tmp_path), frozenset(), is_ignored, snapshots.trusted_since())
    assert before["topic"] is not None
    assert after["topic"] != before["topic"]
