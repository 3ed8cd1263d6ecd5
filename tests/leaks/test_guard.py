"""The guard's search of the student folders for files no task of the build wrote."""

from __future__ import annotations

from clm.leaks.guard import _unplanned
from tests.conftest import write_files


def test_files_no_task_wrote_are_found_but_not_in_another_target_s_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(
        tmp_path,
        {
            "output/students/deck.html": "planned",
            "output/students/img/written-by-a-cell.txt": "unplanned",
            "output/students/trainer/deck.html": "a trainer target inside the student one",
            "output/students/shared/deck.html": "a student target inside the student one",
            "output/students/shared/extra.txt": "unplanned",
        },
    )
    roots = ("output/students", "output/students/shared")
    found = _unplanned(
        roots,
        frozenset({"output/students/deck.html", "output/students/shared/deck.html"}),
        ("output/students/trainer",),
    )
    assert sorted(found) == [
        "output/students/img/written-by-a-cell.txt",
        "output/students/shared/extra.txt",
    ]
