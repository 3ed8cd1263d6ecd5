"""Judging a burst of file-system events by what is on disk afterwards."""

from __future__ import annotations

from pathlib import Path

from clm.watch.changes import ChangeCollector, Scope, is_temporary


def _course(tmp_path: Path) -> Scope:
    (tmp_path / "slides" / "m" / "t").mkdir(parents=True)
    (tmp_path / "slides" / "m" / "t" / "slides_a.py").write_text("a")
    (tmp_path / "course.yaml").write_text("name: x")
    (tmp_path / "output").mkdir()
    return Scope(tmp_path, ("slides",), frozenset({"course.yaml"}))


def test_editor_temporary_files_are_not_changes():
    for name in ("4913", ".slides_a.py.swp", "slides_a.py~", "x.tmp", "a.py___jb_tmp___", "#a#"):
        assert is_temporary(name), name
    assert not is_temporary("slides_a.py")


def test_a_temporary_file_renamed_over_a_deck_is_a_modification(tmp_path):
    collector = ChangeCollector(_course(tmp_path))
    deck = tmp_path / "slides/m/t/slides_a.py"
    temporary = deck.with_name("slides_a.py~")
    temporary.write_text("b")
    temporary.replace(deck)
    changes = collector.judge({"slides/m/t/slides_a.py~", "slides/m/t/slides_a.py"})
    assert changes.modified == {"slides/m/t/slides_a.py"}
    assert not changes.created and not changes.deleted


def test_created_and_deleted_files_and_folders(tmp_path):
    collector = ChangeCollector(_course(tmp_path))
    (tmp_path / "slides/m/u/img").mkdir(parents=True)
    (tmp_path / "slides/m/u/img/x.png").write_bytes(b"png")
    changes = collector.judge({"slides/m/u"})
    assert changes.created == {"slides/m/u/img/x.png"}
    (tmp_path / "slides/m/u/img/x.png").unlink()
    (tmp_path / "slides/m/u/img").rmdir()
    assert collector.judge({"slides/m/u/img"}).deleted == {"slides/m/u/img/x.png"}


def test_only_the_scope_counts(tmp_path):
    collector = ChangeCollector(_course(tmp_path))
    (tmp_path / "output" / "page.html").write_text("x")
    (tmp_path / "dodo.py").write_text("x")
    (tmp_path / "course.yaml").write_text("name: y")
    changes = collector.judge({"output/page.html", "dodo.py", "course.yaml"})
    assert changes.paths == {"course.yaml"}


def test_a_file_created_and_removed_within_a_burst_is_no_change(tmp_path):
    collector = ChangeCollector(_course(tmp_path))
    assert not collector.judge({"slides/m/t/slides_b.py"})
