"""One run in the history per build, also when a cluster pre-pass began it before doit."""

from __future__ import annotations

import pytest

from clm.state import history
from clm.state.workspace import Workspace
from clm.tasks.bookkeeping import RunBook


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Workspace.at(tmp_path)


def _end(books: RunBook) -> None:
    books.end(executed=0, failed=0, uptodate=0, not_rebuilt=0)


def test_doit_s_books_go_on_with_the_run_the_pre_pass_began(course):
    pre_pass = RunBook(print, course)
    run = pre_pass.begin("course.yaml")
    assert RunBook(print, course).go_on("course.yaml") == run
    assert [found.id for found in history.runs(course)] == [run]


def test_an_ended_run_is_not_taken_over(course):
    first = RunBook(print, course)
    run = first.begin("course.yaml")
    _end(first)
    assert RunBook(print, course).go_on("course.yaml") == run + 1


def test_a_run_another_process_began_is_not_taken_over(course, monkeypatch):
    outer = RunBook(print, course)
    run = outer.begin("course.yaml")  # as in a parent build whose cell runs `clm build`
    monkeypatch.setattr("os.getpid", lambda: 1)
    assert RunBook(print, course).go_on("course.yaml") == run + 1
