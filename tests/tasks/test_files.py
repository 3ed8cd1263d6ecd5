from __future__ import annotations

import os

from clm.state.records import recorded_outputs
from clm.state.workspace import Workspace
from clm.tasks.files import remove_empty_folders, write_atomic


def test_writes_atomically_and_records(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    state = Workspace.at(tmp_path)
    target = tmp_path / "out" / "a" / "x.html"
    assert write_atomic(target, b"hello", state, "course.yaml", inside=tmp_path / "out") is True
    assert target.read_bytes() == b"hello"
    assert recorded_outputs(state, "course.yaml") == {target.as_posix()}
    assert state.state().execute("select count(*) from temp_files").fetchone() == (0,)
    assert [p.name for p in target.parent.iterdir()] == ["x.html"]


def test_unchanged_bytes_are_not_rewritten(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    state = Workspace.at(tmp_path)
    target = tmp_path / "x.txt"
    write_atomic(target, b"same", state, None, inside=tmp_path)
    os.utime(target, (1, 1))
    assert write_atomic(target, b"same", state, None, inside=tmp_path) is False
    assert target.stat().st_mtime == 1
    assert write_atomic(target, b"other", state, None, inside=tmp_path) is True


def test_remove_empty_folders_stops_at_the_output_root(tmp_path):
    deep = tmp_path / "output" / "a" / "b"
    deep.mkdir(parents=True)
    (tmp_path / "output" / "keep.txt").write_text("x")
    remove_empty_folders(deep, tmp_path / "output")
    assert not (tmp_path / "output" / "a").exists()
    assert (tmp_path / "output").is_dir()
