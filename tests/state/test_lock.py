"""The build lock belongs to the process that took it, not to the processes it forks."""

from __future__ import annotations

import multiprocessing
import os

from clm.state import lock


def _try_the_lock(path: str, answers) -> None:
    try:
        answers.put(("took it" if lock.acquire(path, wait=False) else "held it already", None))
    except lock.BuildLocked as locked:
        answers.put(("locked out", locked.holder))


def test_a_forked_child_is_locked_out_by_its_parents_lock(tmp_path):
    # A child forked while its parent holds the lock (a worker, anything a build forks)
    # must not take the parent's lock for its own: it is another build's, as it sees it.
    path = tmp_path / ".clm" / "tasks.lock"
    assert lock.acquire(path)
    try:
        fork = multiprocessing.get_context("fork")
        answers = fork.Queue()
        child = fork.Process(target=_try_the_lock, args=(str(path), answers))
        child.start()
        said = answers.get(timeout=300)
        child.join(timeout=300)
        assert said == ("locked out", str(os.getpid()))
    finally:
        lock.release(path)
    assert not lock.is_locked(path)
