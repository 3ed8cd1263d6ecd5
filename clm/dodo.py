"""What a course's ``dodo.py`` imports: its tasks and DOIT_CONFIG.

A course's dodo.py is three lines::

    from clm.dodo import course_tasks
    DOIT_CONFIG, task_course = course_tasks("course.yaml")

``doit`` then builds the course, and ``clm build`` runs the very same tasks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from doit.exceptions import InvalidDodoFile

from clm.encoding import tolerate_any_text
from clm.errors import CourseError
from clm.spec import course_root, locate_spec
from clm.state.workspace import Workspace

if TYPE_CHECKING:
    from clm.tasks.unchanged import Shortcut

__all__ = ["course_tasks"]

# doit's commands that load the tasks without running them: no reason to read the
# shared cache ahead for those.
_NOT_BUILDING = {"list", "info", "help", "forget", "ignore", "dumpdb", "strace", "clean",
                 "tabcompletion", "reset-dep"}  # fmt: skip


# doit's commands that remove outputs or records a running build writes: they hold
# the build lock, or refuse while a build runs.
_REMOVING = {"clean", "forget", "reset-dep", "ignore"}


# doit's loader options, which may come before the command, and take a value.
_LOADER_OPTIONS = {"-f", "--file", "-d", "--dir"}


def _command() -> str:
    """The doit command this process runs (``doit -f dodo.py clean``: clean)."""
    words = iter(sys.argv[1:])
    for word in words:
        if word in _LOADER_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return "run"


# doit run's options that change nothing of what a build does or leaves (with a value).
_HARMLESS_OPTIONS = {"-n", "--process", "-P", "--parallel-type", "-v", "--verbosity"}


def _whole_build() -> bool:
    """Whether this doit process runs every task of the course (``doit``, ``doit run``,
    ``doit -n 4``): no task named, no option that asks for more than a build."""
    words = iter(sys.argv[1:])
    command_seen = False
    for word in words:
        option = word.split("=", 1)[0]
        if option in _LOADER_OPTIONS or option in _HARMLESS_OPTIONS:
            if "=" not in word and option == word:
                next(words, None)
        elif word.startswith("-n") and word[2:].isdigit():
            continue
        elif word == "run" and not command_seen:
            command_seen = True
        else:
            return False
    return True


def _builds() -> bool:
    """Whether this doit process runs tasks (``doit``, ``doit run``, ``doit TASK``)."""
    return _command() not in _NOT_BUILDING


def _hold_lock_to_remove(workspace: Workspace) -> None:
    """``doit clean`` and its kind take the build lock for the rest of the process (and
    what they change is a change the next build must look at)."""
    from clm.state import lock
    from clm.state.snapshot import forget_all
    from clm.tasks.runner import locked_out

    try:
        lock.acquire(workspace.lock_file, wait=False)
    except lock.BuildLocked as locked:
        raise InvalidDodoFile(locked_out(f"doit {_command()}", locked.holder)) from None
    forget_all(workspace.folder)


def _shortcut(spec_file: Path, root: Path) -> Shortcut:
    """Stat the course; when nothing changed since the last build left every task up
    to date, say so and end the process (no plan, no doit run): exit 0."""
    from clm.tasks import unchanged

    shortcut = unchanged.begin(spec_file, root)
    if shortcut is None:
        raise SystemExit(0)  # doit has not begun anything: nothing to end
    return shortcut


def course_tasks(
    spec: str | os.PathLike | None = None,
) -> tuple[dict, Callable[[], Iterator]]:
    """DOIT_CONFIG and the task creator for a course spec.

    ``spec`` is relative to the folder of the calling dodo.py (doit's working
    directory); without it, ``course.yaml`` or the single spec in
    ``course-specs/``. The working directory becomes the course root, because
    every path in the tasks is relative to it.
    """
    from clm.workers import begin_run

    tolerate_any_text()  # doit's own lines, and ours
    try:
        spec_file = locate_spec(spec)
        root = course_root(spec_file)
    except CourseError as error:
        raise InvalidDodoFile(str(error)) from None
    os.chdir(root)
    shortcut = _shortcut(spec_file, root) if _builds() and _whole_build() else None
    try:
        if _builds():  # listing and the like start no process: nothing to tag or tie
            begin_run()
    except CourseError as error:  # a start method that does not exist here, say
        raise InvalidDodoFile(str(error)) from None
    from clm.state.doit_state import DoitState
    from clm.tasks.runner import doit_config
    workspace = Workspace.at(root)
    state = DoitState(workspace)  # this doit run's: its checker's and its backend's
    if _builds():
        # Before doit opens its backend on it: a build records its hashes from the start.
        try:
            workspace.state()
        except CourseError as error:  # a damaged state: doit says so, without a traceback
            raise InvalidDodoFile(str(error)) from None

    def task_course() -> Iterator:
        from clm.session.reporter import Reporter
        from clm.session.session import install
        from clm.tasks.generator import build_session, prepared_tasks

        reporter = Reporter()
        try:
            # Listing and other commands that build nothing write nothing either.
            keep = _builds() or _command() in _REMOVING
            build, tasks = prepared_tasks(
                spec_file, reporter=reporter, keep=keep, state=state, shortcut=shortcut
            )
        except CourseError as error:
            raise InvalidDodoFile(str(error)) from None
        if _command() in _REMOVING:
            _hold_lock_to_remove(workspace)
        # What clm's doit reporter starts and finishes.
        install(build_session(build, reporter, shortcut))
        yield from tasks.values()

    task_course.__doc__ = f"build the course of {spec_file.name}"
    task_course.clm_spec = spec_file  # what `doit auto` watches
    return doit_config(state), task_course

