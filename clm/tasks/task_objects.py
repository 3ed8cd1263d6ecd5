"""doit Task objects from clm's task dicts, built for large courses.

doit turns each yielded dict into a ``Task`` with a round of attribute
validation that costs about 40 µs a task: most of a no-op at a thousand decks.
clm's dicts all have one known shape, so the tasks are built here from a
template that doit itself initialised, with fresh containers for everything a
task may change; doit accepts Task objects from a generator as they are.
``tests/test_task_objects.py`` checks that the result equals doit's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from doit.action import PythonAction
from doit.task import Task

_TEMPLATE = Task("clm-template", None).__dict__


def quick_task(
    name: str,
    actions: list,
    file_dep: Iterable[str] = (),
    targets: Iterable[str] = (),
    clean: Iterable[tuple] = (),
    doc: str | None = None,
    uptodate: Iterable = (),
    task_dep: Iterable[str] = (),
    subtask_of: str | None = None,
    has_subtask: bool = False,
) -> Task:
    task = object.__new__(Task)
    state = dict(_TEMPLATE)
    state.update(
        name=name,
        _actions=list(actions),
        file_dep=set(file_dep),
        targets=list(targets),
        task_dep=list(task_dep),
        wild_dep=[],
        calc_dep=set(),
        setup_tasks=[],
        creator_params=[],
        getargs={},
        value_savers=[],
        values={},
        teardown=[],
        uptodate=[(value, None, None) for value in uptodate],
        doc=(doc or "").strip().splitlines()[0] if doc else "",
        subtask_of=subtask_of,
        has_subtask=has_subtask,
    )
    task.__dict__ = state
    task.clean_actions = [PythonAction(function, args, task=task) for function, args in clean]
    return task


def task_objects(dicts: Iterable[dict]) -> Iterator[Task]:
    """Tasks for dicts as clm's task generator yields them (groups, subtasks, plain)."""
    groups: dict[str, Task] = {}
    for spec in dicts:
        basename = spec["basename"]
        if "name" not in spec:
            yield Task(**{k: v for k, v in spec.items() if k != "basename"}, name=basename)
            continue
        group = groups.get(basename)
        if group is None:
            group = groups[basename] = quick_task(basename, [], has_subtask=True, uptodate=[True])
        if spec["name"] is None:
            group.doc = spec.get("doc", "")
            continue
        full_name = f"{basename}:{spec['name']}"
        group.task_dep.append(full_name)
        yield quick_task(
            full_name,
            spec["actions"],
            spec.get("file_dep", ()),
            spec.get("targets", ()),
            spec.get("clean", ()),
            task_dep=spec.get("task_dep", ()),
            subtask_of=basename,
        )
    yield from groups.values()
