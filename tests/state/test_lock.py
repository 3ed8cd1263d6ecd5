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


# -- files made locked (a run's record) ------------------------------------------------


def test_a_file_made_locked_is_held_from_the_start_and_removed_on_release(tmp_path):
    path = tmp_path / "record"
    assert lock.hold_new(path)
    try:
        assert path.read_text() == str(os.getpid())
        assert not lock.hold_new(path)  # it exists: another name is needed
        assert not lock.take_abandoned(path)  # held, here
        assert lock.is_locked(path)
    finally:
        lock.release(path, remove=True)
    assert not path.exists()


def _hold_and_wait(path: str, ready, done) -> None:
    lock.hold_new(path)
    ready.set()
    done.wait(300)


def test_a_file_is_taken_only_once_its_holder_has_ended(tmp_path):
    path = tmp_path / "record"
    spawn = multiprocessing.get_context("spawn")
    ready, done = spawn.Event(), spawn.Event()
    holder = spawn.Process(target=_hold_and_wait, args=(str(path), ready, done))
    holder.start()
    try:
        assert ready.wait(300)
        assert lock.is_locked(path)
        assert not lock.take_abandoned(path)
    finally:
        done.set()
        holder.join(300)
    # Ended without letting go of it (a killed build): the file is left, unlocked.
    assert path.exists() and not lock.is_locked(path)
    assert lock.take_abandoned(path)
    assert lock.is_locked(path)  # held by this process while it deals with what was left
    lock.release(path, remove=True)
    assert not path.exists()
    assert not lock.take_abandoned(path)  # gone


def test_a_file_taken_away_before_it_was_locked_is_not_held(tmp_path, monkeypatch):
    # Between creating the file and locking it, another process found it unlocked,
    # took it and removed it: the lock would hold a file no one can find.
    path = tmp_path / "record"
    really_try = lock._try

    def taken_away_first(fd: int) -> bool:
        os.unlink(path)
        return really_try(fd)

    monkeypatch.setattr(lock, "_try", taken_away_first)
    assert not lock.hold_new(path)
    monkeypatch.setattr(lock, "_try", really_try)
    assert lock.hold_new(path)  # the next attempt
    lock.release(path, remove=True)
