"""One build of a course at a time: an advisory lock on a file of its workspace.

The operating system releases the lock however its holder ends (a crash, a
SIGKILL), so a stale lock cannot block a course. The file holds the holder's
process id, so whoever waits can say for whom.

POSIX locks the whole file (flock). Windows locks byte ranges (msvcrt.locking,
from the file's current position), and a locked range cannot be read by anyone
else: there the lock is one byte far past the holder's process id, so the id
stays readable, and it is let go explicitly before the file is closed.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
# Windows: the byte locked, past any process id (and below 2 GiB, where msvcrt counts).
LOCKED_BYTE = 1 << 30
WAIT_SECONDS = 0.2  # between tries where a lock cannot be waited for (Windows)


class BuildLocked(Exception):
    """Another process builds the course and we were asked not to wait."""

    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


# The locks this process holds: (process id, lock path) → the open file descriptor
# that holds it. An flock belongs to an open file, which fork duplicates into the
# child: keyed by process, a forked child neither takes its parent's lock for its
# own nor releases it (it only closes its copies: forget_inherited).
_held: dict[tuple[int, str], int] = {}


def _try(fd: int) -> bool:
    """Take the lock of the file open as ``fd`` if no one holds it; never waits."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, LOCKED_BYTE, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _block(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
    else:  # msvcrt's waiting lock gives up after 10 s
        while not _try(fd):
            time.sleep(WAIT_SECONDS)


def _let_go(fd: int) -> None:
    """Release the lock taken through ``fd`` (closing ``fd`` would, too, but on Windows
    not at once)."""
    with contextlib.suppress(OSError):
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        else:
            os.lseek(fd, LOCKED_BYTE, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _write_holder(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, str(os.getpid()).encode())


def holder(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip() or "unknown"
    except OSError:
        return "unknown"


def acquire(
    path: Path,
    *,
    wait: bool = True,
    say: Callable[[str], None] | None = None,
) -> bool:
    """Hold the course's build lock; False when this process holds it already.

    A wait for another build is announced through ``say`` (the run's reporter).
    """
    key = os.path.abspath(path)
    if (os.getpid(), key) in _held:
        return False
    Path(key).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key, os.O_RDWR | os.O_CREAT | _BINARY, 0o644)
    if not _try(fd):
        other = holder(key)
        if not wait:
            os.close(fd)
            raise BuildLocked(other)
        if say is not None:
            say(f"clm: another build of this course is running (process {other}); waiting for it")
        _block(fd)
    _write_holder(fd)
    _held[os.getpid(), key] = fd
    return True


@contextlib.contextmanager
def holding(path: Path, *, wait: bool = True, remove: bool = False) -> Iterator[None]:
    """The lock held for a ``with`` block (BuildLocked without ``wait`` if another holds it);
    with ``remove``, its file is removed at the end."""
    held = acquire(path, wait=wait)
    try:
        yield
    finally:
        if held:
            release(path, remove=remove)


def release(path: Path, *, remove: bool = False) -> None:
    """Let go of the lock on ``path``; with ``remove``, of the file too."""
    key = os.path.abspath(path)
    fd = _held.pop((os.getpid(), key), None)
    if fd is None:
        return
    if not remove:
        os.ftruncate(fd, 0)
    elif fcntl is not None:
        # Removed while still held: no one finds the file unlocked in between.
        with contextlib.suppress(OSError):
            os.unlink(key)
    if fcntl is None:
        _let_go(fd)
    os.close(fd)  # closing releases the lock
    if remove and fcntl is None:  # Windows removes no file that is open
        with contextlib.suppress(OSError):
            os.unlink(key)


def hold_new(path: Path) -> bool:
    """Create ``path`` and hold its lock, so that nobody finds it without its holder;
    False when it exists, or was taken away (take_abandoned) before it was locked.
    """
    key = os.path.abspath(path)
    try:
        fd = os.open(key, os.O_RDWR | os.O_CREAT | os.O_EXCL | _BINARY, 0o600)
    except FileExistsError:
        return False
    # Between creating and locking, a process that found the file unlocked may have
    # taken it and removed it: the lock then holds a file no one can find.
    if _try(fd) and _still_at(fd, key):
        _write_holder(fd)
        _held[os.getpid(), key] = fd
        return True
    os.close(fd)
    return False


def _still_at(fd: int, key: str) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(key))
    except OSError:
        return False


def take_abandoned(path: Path) -> bool:
    """Hold the lock on ``path`` if no process does (its holder ended); False when one
    does, the file is gone, or this process holds it already.

    Let go with ``release(path, remove=True)`` once what the holder left is dealt with.
    """
    key = os.path.abspath(path)
    if (os.getpid(), key) in _held:
        return False
    try:
        fd = os.open(key, os.O_RDWR | _BINARY)
    except OSError:
        return False
    if not _try(fd):
        os.close(fd)
        return False
    _held[os.getpid(), key] = fd
    return True


def forget_inherited() -> None:
    """In a forked child: drop the parent's lock descriptors, so the lock stays the parent's.

    Closing a descriptor another process shares does not release a flock lock;
    it only means a killed parent's lock ends with the parent, not its workers.
    """
    for held in [held for held in _held if held[0] != os.getpid()]:
        with contextlib.suppress(OSError):
            os.close(_held.pop(held))


def is_locked(path: Path) -> bool:
    """Whether some process holds the lock now (for reports; never waits)."""
    key = os.path.abspath(path)
    if (os.getpid(), key) in _held:
        return True
    try:
        fd = os.open(key, os.O_RDONLY | _BINARY)
    except FileNotFoundError:
        return False
    try:
        return not _probe(fd)
    finally:
        os.close(fd)


def _probe(fd: int) -> bool:
    """Whether the lock of the file open as ``fd`` is free: taken for a moment and let go.

    POSIX takes it shared, so that probes do not lock each other out; Windows'
    msvcrt has no shared lock, so there two probes at the same moment may each
    find the other's.
    """
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return False
    elif not _try(fd):
        return False
    _let_go(fd)
    return True


def held_by(pid: int, path: Path) -> bool:
    """Whether process ``pid`` holds the lock now.

    A build's pid alone does not say it runs: after a SIGKILL another process
    may get the same pid (soon, in a container; often, on Windows). The lock ends
    with its holder.
    """
    return is_locked(path) and holder(path) == str(pid)
