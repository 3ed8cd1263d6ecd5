"""Every write and every removal stays, with symlinks resolved, in the folder it is for;
copies keep their source's permission bits (issue items 1 and 2, the last line of defence
behind the spec checks)."""

from __future__ import annotations

import os
import stat

import pytest

from clm.errors import CourseError
from clm.paths import guarding_folder
from clm.session.spec import SessionSpec
from clm.state.records import record_output_folder, record_outputs, recorded_outputs
from clm.state.workspace import Workspace
from clm.tasks.actions import copy_files, remove_outputs
from clm.tasks.execution import execute_deck
from clm.tasks.files import copy_atomic, write_atomic
from clm.tasks.jobs import CopyJob, DeckExecutionJob, RemovalJob
from tests.conftest import deck_text


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course root as the working directory, with a deck in slides/."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "slides").mkdir()
    (tmp_path / "slides/slides_welcome.py").write_text("# deck\n")
    (tmp_path / "output").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    "target", ["output/../slides/x.py", "output/a/../../slides/x.py", "slides/x.py", "/tmp/x"]
)
def test_a_write_outside_the_folder_is_refused(course, target):
    with pytest.raises(CourseError, match="refused to write"):
        write_atomic(
            course / target, b"x", Workspace.at(course), "course.yaml", inside=course / "output"
        )
    assert not (course / "slides/x.py").exists()


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_a_write_through_a_symlinked_folder_is_refused(course):
    os.symlink("../slides", course / "output/public")
    with pytest.raises(CourseError, match=r"it resolves to .*/slides/slides_welcome\.py"):
        write_atomic(
            course / "output/public/slides_welcome.py",
            b"overwritten",
            Workspace.at(course),
            "course.yaml",
            inside=course / "output",
        )
    assert (course / "slides/slides_welcome.py").read_text() == "# deck\n"


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_an_output_that_is_a_symlink_is_replaced_not_written_through(course):
    os.symlink("../slides/slides_welcome.py", course / "output/x.py")
    assert write_atomic(
        course / "output/x.py", b"# deck\n", Workspace.at(course), None, inside=course / "output"
    )
    assert not (course / "output/x.py").is_symlink()
    assert (course / "slides/slides_welcome.py").read_text() == "# deck\n"


@pytest.mark.posix_only("runs a shell script as a program")
def test_copies_keep_the_source_permission_bits(course):
    source = course / "slides/private.txt"
    source.write_text("only mine")
    source.chmod(0o600)
    target = course / "output/private.txt"
    copy_atomic(source, target, Workspace.at(course), "course.yaml", inside=course / "output")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    # A source made private later narrows a copy that is already there.
    target.chmod(0o644)
    copy_atomic(source, target, Workspace.at(course), "course.yaml", inside=course / "output")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    script = course / "slides/run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o4755)  # setuid is never carried over
    copy_atomic(
        script, course / "output/run.sh", Workspace.at(course), None, inside=course / "output"
    )
    assert stat.S_IMODE((course / "output/run.sh").stat().st_mode) == 0o755


@pytest.mark.posix_only("checks POSIX permission bits")
def test_generated_outputs_are_world_readable(course):
    target = course / "output/page.html"
    write_atomic(target, b"<html/>", Workspace.at(course), None, inside=course / "output")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_copy_files_reports_a_refused_copy(course):
    copies = (("slides/slides_welcome.py", "output/../slides/copy.py"),)
    failed = copy_files(CopyJob(SessionSpec(str(course)), "course.yaml", "output", copies, "job"))
    assert failed is not None and "refused to write output/../slides/copy.py" in failed.message
    assert not (course / "slides/copy.py").exists()


def test_a_recorded_output_outside_the_output_folder_is_never_deleted(course):
    """An older clm recorded slides/… as an output of a dir-group with a climbing subdir."""
    (course / "output/a.html").write_text("a")
    record_outputs(
        Workspace.at(course), "course.yaml", ["slides/slides_welcome.py", "output/a.html"]
    )
    paths = ("output/a.html", "slides/slides_welcome.py")
    failed = remove_outputs(RemovalJob(SessionSpec(str(course)), "course.yaml", "output", paths))
    assert failed is not None
    assert "refused to delete slides/slides_welcome.py" in failed.message
    assert (course / "slides/slides_welcome.py").read_text() == "# deck\n"
    assert not (course / "output/a.html").exists()
    assert recorded_outputs(Workspace.at(course), "course.yaml") == set()


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_removal_through_a_symlinked_output_folder_is_refused(course):
    os.symlink("../slides", course / "output/public")
    record_outputs(Workspace.at(course), "course.yaml", ["output/public/slides_welcome.py"])
    failed = remove_outputs(
        RemovalJob(SessionSpec(str(course)), "course.yaml", "output", (), stale=True)
    )
    assert failed is not None and "refused to delete" in failed.message
    assert (course / "slides/slides_welcome.py").exists()


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_a_symlinked_target_folder_cannot_vouch_for_itself(course):
    """output/shared linked into slides/: listed with the output folder, as an older
    clm recorded it, the link is still refused for copies and removals alike."""
    os.symlink("../slides", course / "output/shared")
    roots = ("output/shared", "output")
    copies = (("slides/slides_welcome.py", "output/shared/copy.py"),)
    failed = copy_files(
        CopyJob(SessionSpec(str(course)), "course.yaml", "output", copies, "job", roots)
    )
    assert failed is not None and "refused to write output/shared/copy.py" in failed.message
    assert not (course / "slides/copy.py").exists()
    record_output_folder(Workspace.at(course), "course.yaml", "output/shared")
    record_outputs(Workspace.at(course), "course.yaml", ["output/shared/slides_welcome.py"])
    failed = remove_outputs(
        RemovalJob(SessionSpec(str(course)), "course.yaml", "output", (), True, roots)
    )
    assert failed is not None and "refused to delete" in failed.message
    assert (course / "slides/slides_welcome.py").exists()


def test_the_guarding_folder_is_the_outermost_named_one():
    folders = ("output/shared", "output", "site")
    assert guarding_folder("output/shared/a.html", folders) == "output"
    assert guarding_folder("site/a.html", folders) == "site"
    assert guarding_folder("output-old/a.html", folders) is None  # a prefix is no folder
    assert guarding_folder("slides/a.py", folders) is None


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_intermediate_files_stay_in_clm_folder(course):
    (course / ".clm").mkdir(exist_ok=True)
    os.symlink("../slides", course / ".clm/executed")
    with pytest.raises(CourseError, match="refused to write"):
        write_atomic(
            course / ".clm/executed/slides_welcome.py",
            b"x",
            Workspace.at(course),
            None,
            inside=course / ".clm",
        )
    (course / "slides/slides_x.py").write_text(deck_text())
    notebooks = (("en", "completed", ".clm/executed/x.ipynb", "output/x.html"),)
    failed = execute_deck(
        DeckExecutionJob(
            SessionSpec(str(course)), "slides/slides_x.py", notebooks, (), 30, False, "test-env"
        )
    )
    assert failed is not None and "refused to write .clm/executed/x.ipynb" in failed.message
    assert sorted(p.name for p in (course / "slides").iterdir()) == [
        "slides_welcome.py",
        "slides_x.py",
    ]


def test_stale_outputs_in_a_former_output_folder_are_removed(course):
    """After 'output:' moved, the old folder's outputs are stale, not outside."""
    (course / "old-output/a").mkdir(parents=True)
    (course / "old-output/a/page.html").write_text("old")
    record_output_folder(Workspace.at(course), "course.yaml", "old-output")
    record_output_folder(Workspace.at(course), "course.yaml", "output")
    record_outputs(Workspace.at(course), "course.yaml", ["old-output/a/page.html"])
    assert (
        remove_outputs(
            RemovalJob(SessionSpec(str(course)), "course.yaml", "output", (), stale=True)
        )
        is None
    )
    assert not (course / "old-output/a").exists()
    assert (course / "old-output").is_dir(), "emptied folders go up to the output folder"
