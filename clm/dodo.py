"""What a course's ``dodo.py`` imports: its tasks and DOIT_CONFIG.

A course's dodo.py is three lines::

    from clm.dodo import course_tasks
    DOIT_CONFIG, task_course = course_tasks("course.yaml")

``doit`` then builds the course, and ``clm build`` runs the very same tasks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from doit.exceptions import InvalidDodoFile

from clm.errors import CourseError
from clm.plan.gc_pause import paused_garbage_collection
from clm.spec import course_root, default_spec
from clm.state.checker import ContentChecker
from clm.build.tasks import (
    STATE_FILE_PATH,
    course_tasks_for_doit,
    prepare_build,
    print_warnings,
)


def doit_config(jobs: int | None = None) -> dict:
    return {
        "backend": "clm-sqlite",
        "dep_file": STATE_FILE_PATH,
        "check_file_uptodate": ContentChecker,
        "continue": True,
        "num_process": jobs or os.cpu_count() or 1,
        "par_type": "process",
        "verbosity": 1,
        # Print what ran (not the thousands of tasks that were up to date),
        # each failure once, and a summary.
        "reporter": "clm",
        # `doit forget` names tasks or says --all (doit 0.37 fails without either).
        "forget_disable_default": True,
    }


def course_tasks(
    spec: str | os.PathLike | None = None,
) -> tuple[dict, Callable[[], Iterator[dict]]]:
    """DOIT_CONFIG and the task creator for a course spec.

    ``spec`` is relative to the folder of the calling dodo.py (doit's working
    directory); without it, ``course.yaml`` or the single spec in
    ``course-specs/``. The working directory becomes the course root, because
    every path in the tasks is relative to it.
    """
    try:
        spec_file = Path(spec).resolve() if spec is not None else default_spec(Path.cwd()).resolve()
        root = course_root(spec_file)
    except CourseError as error:
        raise InvalidDodoFile(str(error)) from None
    os.chdir(root)

    def task_course() -> Iterator[dict]:
        with paused_garbage_collection():
            try:
                build = prepare_build(spec_file)
            except CourseError as error:
                raise InvalidDodoFile(str(error)) from None
        print_warnings(build)
        yield from course_tasks_for_doit(build)

    task_course.__doc__ = f"build the course of {spec_file.name}"
    task_course.clm_spec = spec_file  # what `doit auto` watches
    return doit_config(), task_course
