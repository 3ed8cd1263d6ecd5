"""The build lock belongs to the process that took it, not to the processes it forks."""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
from collections.abc import Iterator

import pytest

from clm.state import lock


def _try_the_lock(path: str, answers) -> None:
    try:
        answers.put(("took it" if lock.acquire(path, wait=False) else "held it already", None))
    except lock.BuildLocked as locked:
        answers.put(("locked out", locked.holder))


@pytest.mark.posix_only("forks (os.fork or the fork start method)")
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


# -- Windows, simulated: msvcrt's byte-range locks ---------------------------------------


class ByteLocks:
    """msvcrt's locking() as Windows does it, for one byte: from the file's current
    position, per open file; LK_NBLCK raises OSError when another holds the byte, and
    a locked byte cannot be read through any other open file."""

    LK_UNLCK, LK_LOCK, LK_NBLCK, LK_RLCK, LK_NBRLCK = range(5)

    def __init__(self):
        self.held: dict[tuple[int, int, int], int] = {}  # (device, inode, offset) → fd

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        assert nbytes == 1
        found = os.fstat(fd)
        byte = (found.st_dev, found.st_ino, os.lseek(fd, 0, os.SEEK_CUR))
        if mode == self.LK_UNLCK:
            if self.held.get(byte) != fd:
                raise OSError(errno.EACCES, "not locked here")
            del self.held[byte]
        elif mode in (self.LK_NBLCK, self.LK_NBRLCK):
            if byte in self.held:
                raise OSError(errno.EACCES, "locked")
            self.held[byte] = fd
        else:
            raise AssertionError("LK_LOCK and LK_RLCK give up after 10 s: not to be used")

    def readable_by_others(self, path) -> bool:
        """Whether no locked byte lies within the file's text (another process reads it)."""
        found = os.stat(path)
        return all(
            (device, inode) != (found.st_dev, found.st_ino) or offset >= found.st_size
            for device, inode, offset in self.held
        )


@pytest.fixture
def byte_locks(monkeypatch) -> ByteLocks:
    locks = ByteLocks()
    monkeypatch.setattr(lock, "fcntl", None)
    monkeypatch.setattr(lock, "msvcrt", locks, raising=False)
    return locks


@contextlib.contextmanager
def another_process(monkeypatch, pid: int = 4_000_000) -> Iterator[None]:
    with monkeypatch.context() as patch:
        patch.setattr(os, "getpid", lambda: pid)
        yield


def test_on_windows_the_holder_can_be_read_while_the_lock_is_held(tmp_path, byte_locks):
    path = tmp_path / "tasks.lock"
    assert lock.acquire(path)
    try:
        assert byte_locks.held
        assert byte_locks.readable_by_others(path)
        assert lock.holder(path) == str(os.getpid())
        assert lock.held_by(os.getpid(), path)
    finally:
        lock.release(path)
    assert not byte_locks.held


def test_on_windows_another_build_is_locked_out_until_the_lock_is_let_go(
    tmp_path, byte_locks, monkeypatch
):
    path = tmp_path / "tasks.lock"
    assert lock.acquire(path)
    with another_process(monkeypatch):
        assert lock.is_locked(path)
        with pytest.raises(lock.BuildLocked) as locked:
            lock.acquire(path, wait=False)
    assert locked.value.holder == str(os.getpid())
    lock.release(path)
    with another_process(monkeypatch):
        assert not lock.is_locked(path)
        assert lock.acquire(path, wait=False)
        assert lock.holder(path) == "4000000"
        lock.release(path)


def test_on_windows_a_build_waits_for_the_lock_and_says_for_whom(tmp_path, byte_locks, monkeypatch):
    path = tmp_path / "tasks.lock"
    assert lock.acquire(path)
    said = []
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0)

    def release_while_waiting(seconds: float) -> None:
        with monkeypatch.context() as patch:
            patch.setattr(os, "getpid", lambda: pid)  # the holder lets go
            lock.release(path)

    pid = os.getpid()
    monkeypatch.setattr(lock.time, "sleep", release_while_waiting)
    with another_process(monkeypatch):
        assert lock.acquire(path, say=said.append)
        lock.release(path)
    assert said == [f"clm: another build of this course is running (process {pid}); waiting for it"]


def test_on_windows_a_record_is_made_locked_and_taken_once_its_holder_let_go(
    tmp_path, byte_locks, monkeypatch
):
    path = tmp_path / "record"
    assert lock.hold_new(path)
    assert path.read_text() == str(os.getpid())
    assert byte_locks.readable_by_others(path)
    with another_process(monkeypatch):
        assert not lock.take_abandoned(path)
    byte_locks.held.clear()  # its holder ended: Windows let go of its lock
    os.close(lock._held.pop((os.getpid(), os.path.abspath(path))))
    with another_process(monkeypatch):
        assert lock.take_abandoned(path)
        lock.release(path, remove=True)
    assert not path.exists()
    assert not byte_locks.held
