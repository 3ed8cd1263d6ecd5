"""The watcher runs a task after the tasks it names in task_dep, as doit does."""

from __future__ import annotations

from types import SimpleNamespace

from clm.tasks.task_objects import task_objects
from clm.watch.engine import Watcher


def action(*args):
    return None


def test_a_task_waits_for_its_task_dep_and_for_the_producers_of_its_files():
    dicts = [
        {"basename": "deck.py", "name": "a.html", "actions": [(action, ())],
         "file_dep": ["deck.py"], "targets": ["a.html"]},
        {"basename": "div", "name": "copy-en", "actions": [(action, ())],
         "file_dep": ["div/README.md"], "targets": ["out/README.md"]},
        {"basename": "check", "name": "files", "actions": [(action, ())],
         "file_dep": ["deck.py", "a.html", "div/README.md"], "task_dep": ["div:copy-en"]},
    ]  # fmt: skip
    tasks = {task.name: task for task in task_objects(dicts)}
    by_target = {target: task.name for task in tasks.values() for target in task.targets}
    watcher = SimpleNamespace(tasks=tasks, by_target=by_target)
    selected = {"deck.py:a.html", "div:copy-en", "check:files"}
    assert Watcher._upstream_of(watcher, "check:files", selected) == {
        "deck.py:a.html",
        "div:copy-en",
    }
    assert Watcher._upstream_of(watcher, "check:files", {"check:files"}) == set()
