"""The guard's search of the student folders for files no task of the build wrote, and its
reading of the decks."""

from __future__ import annotations

import os

import pytest

from clm.deck.prepass import Prepass
from clm.leaks.guard import _forbidden, _unplanned
from clm.leaks.snippets import deck_snippets, forbidden_text
from clm.state.workspace import Workspace
from tests.conftest import deck_text, write_files


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


def test_the_message_names_the_file_its_source_and_the_cell():
    from clm.leaks.guard import Leak, leak_message
    from clm.leaks.snippets import Origin

    alt = Origin("deck.java", 12, "alt", "class UserService public void getUserData In")
    notes = Origin("deck.py", 3, "notes", "Remind them that the exam covers")
    message = leak_message(
        [
            Leak("out/a.html", [alt]),
            Leak("out/img/flow.png", [notes]),
            Leak("out/notes.txt", [notes], removed=False),
        ],
        {"out/img/flow.png": ".clm/renders/x.png"},
        {"out/img/flow.png": "topic/flow.puml"},
    )
    assert message.splitlines() == [
        "3 student outputs contained text that must not be public; they were removed, so it "
        "is not published. Fix the cell's tags, the template, the diagram or the copied file, "
        "and build again:",
        'out/a.html: contains text of an alt cell (deck.java:12): "class UserService public '
        'void getUserData In …"',
        "out/img/flow.png (rendered from topic/flow.puml): contains text of a notes cell "
        '(deck.py:3): "Remind them that the exam covers …"',
        "out/notes.txt (no task of the build wrote it: a cell that ran, or someone, put it "
        'there): contains text of a notes cell (deck.py:3): "Remind them that the exam covers '
        '…"; it was left in place: remove it and what writes it',
    ]


@pytest.mark.posix_only(reason="makes a FIFO (os.mkfifo)")
def test_only_files_a_reader_could_open_are_searched(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {"output/students/deck.html": "planned", "elsewhere.txt": "text"})
    os.mkfifo("output/students/pipe")  # reading it would block the guard for ever
    os.symlink(tmp_path / "elsewhere.txt", "output/students/link.txt")
    os.symlink(tmp_path / "missing.txt", "output/students/dangling.txt")
    found = _unplanned(("output/students",), frozenset({"output/students/deck.html"}), ())
    assert found == ["output/students/link.txt"]


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_a_deck_is_guarded_whatever_its_line_endings(tmp_path, monkeypatch, newline):
    """A deck with CR line endings (old Mac editors) builds, but the guard read it as one
    line, could not render it and left it out: its notes were forbidden nowhere."""
    monkeypatch.chdir(tmp_path)
    text = (
        deck_text()
        + '\n# %% [markdown] lang="en" tags=["notes"]\n# Remind them that the exam covers chapters three and five only.\n'
    )
    (tmp_path / "deck.py").write_bytes(text.replace("\n", newline).encode())
    languages = ("de", "en")
    state = Workspace.at(tmp_path).state()
    guarded = _forbidden(state, {"deck.py": Prepass()}, languages, (), {})
    as_lf = forbidden_text([deck_snippets(Prepass(), text, "deck.py", languages)])
    assert guarded.public and guarded.to_json() == as_lf.to_json()
