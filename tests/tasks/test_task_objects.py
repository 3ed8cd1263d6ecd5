"""clm's quick doit tasks must be the tasks doit itself would make from the dicts."""

from __future__ import annotations

from doit.loader import generate_tasks

from clm.tasks.task_objects import task_objects


def action(*args):
    return None


DICTS = [
    {
        "basename": "deck.py",
        "name": None,
        "doc": "Title / Titel (Week 1, deck 01)",
        "uptodate": [True],
    },
    {
        "basename": "deck.py",
        "name": "output/a.html",
        "actions": [(action, ("x", "y"))],
        "file_dep": ["deck.py", "clm:engine"],
        "targets": ["output/a.html"],
        "clean": [(action, ("clean",))],
    },
    {
        "basename": "deck.py",
        "name": "execute",
        "actions": [(action, ("run",))],
        "file_dep": ["deck.py", "data.csv"],
        "targets": [".clm/executed/deck.py/de-completed.ipynb"],
    },
    {"basename": "topic", "name": None, "doc": "copy the topic data", "uptodate": [True]},
    {
        "basename": "topic",
        "name": "data-de",
        "actions": [(action, ())],
        "file_dep": ["a"],
        "targets": ["b"],
    },
    {"basename": "check", "name": None, "doc": "check the outputs", "uptodate": [True]},
    {
        "basename": "check",
        "name": "files",
        "actions": [(action, ())],
        "file_dep": ["deck.py", "a"],
        "task_dep": ["topic:data-de"],
    },
    {
        "basename": "stale",
        "doc": "remove stale",
        "actions": [(action, ())],
        "uptodate": [(action, (1,), {})],
    },
]


def _comparable(task):
    state = dict(task.__dict__)
    state["clean_actions"] = [
        (a.py_callable, a.args, a.kwargs, a.task is task) for a in task.clean_actions
    ]
    state["io"] = repr(task.io)
    state["uptodate"] = [(u[0], u[1] or None, u[2] or None) for u in task.uptodate]
    return state


def test_quick_tasks_equal_doits_own():
    ours = {task.name: task for task in task_objects([dict(d) for d in DICTS])}
    theirs = {task.name: task for task in generate_tasks("course", (dict(d) for d in DICTS))}
    assert set(ours) == set(theirs)
    for name, task in theirs.items():
        assert _comparable(ours[name]) == _comparable(task), name


def test_quick_tasks_do_not_share_containers():
    first, second = [t for t in task_objects([dict(d) for d in DICTS[1:3]]) if t.subtask_of]
    first.values["x"] = 1
    first.task_dep.append("y")
    first.setup_tasks.append("z")
    assert second.values == {} and second.task_dep == [] and second.setup_tasks == []
