"""A flag one process of a build sets is seen by the others, however they were started."""

from __future__ import annotations

import multiprocessing

import pytest

from clm.state.flags import WorkspaceFlag, clear_flags
from clm.state.workspace import Workspace


def _set_in_child(root: str, first: multiprocessing.Queue) -> None:
    first.put(WorkspaceFlag(Workspace.at(root), "store-off").set_first())


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_a_flag_set_in_a_worker_is_set_for_all_and_set_first_once(tmp_path, method):
    context = multiprocessing.get_context(method)
    first = context.Queue()
    child = context.Process(target=_set_in_child, args=(str(tmp_path), first))
    child.start()
    child.join(120)
    assert first.get(timeout=120) is True
    flag = WorkspaceFlag(Workspace.at(tmp_path), "store-off")
    assert flag.is_set() and flag.set_first() is False


def test_a_new_build_clears_the_flags_of_the_last(tmp_path):
    workspace = Workspace.at(tmp_path)
    flag = WorkspaceFlag(workspace, "store-off")
    assert flag.set_first() is True
    clear_flags(workspace)
    assert not flag.is_set() and flag.set_first() is True
