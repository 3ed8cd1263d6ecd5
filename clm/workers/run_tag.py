"""The run tag: every process a build starts carries the build's name in its environment.

Workers, kernels (jupyter_client starts them with the worker's environment,
whatever their language) and whatever a deck's code starts inherit it, also a
daemon that forked twice and left every session and process group: the tree
loses it, the environment does not.

The tag names the build's process by its pid and a record of the run: a file
in a folder of the user's (beside the kernels' scratch folders, and named in
the tag) that the build holds locked while it runs. The operating system lets go of the lock however
the build ends, SIGKILL included, so a tag's build runs exactly while its
record is locked; a pid the system has given to another process since proves
nothing. The record is made locked (clm.state.lock.hold_new) and removed as the
build exits.

With the tag a build ends everything it started when it ends (normal end,
Ctrl-C, SIGTERM, SIGHUP); a worker whose build died does it in the build's
place; and what no one could end (SIGKILL to a whole process group kills the
workers too) is found by the next build, watcher or preview. A build that
could not clean up leaves its record behind, unlocked: only then does the next
build look through the machine's processes for what carries a dead build's tag.
So a build after builds that ended well reads no other process, and does not
load psutil.
"""

from __future__ import annotations

import atexit
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from clm.state import lock

if TYPE_CHECKING:
    import psutil

RUN_TAG_VARIABLE = "CLM_RUN_OWNER"
END_GRACE_SECONDS = 1.0  # for a clean exit before SIGKILL
RECORD_ATTEMPTS = 5  # names tried for a record (another user's file, a race lost)


def runs_folder() -> Path:
    """The folder of the records of this user's running builds."""
    # Windows gives each user a temporary folder of their own; elsewhere it is shared.
    user = f"-{os.getuid()}" if hasattr(os, "getuid") else ""
    return Path(tempfile.gettempdir()) / f"clm-runs{user}"


def _record_of(tag: str) -> Path | None:
    pid, _, rest = tag.partition(":")
    token, _, folder = rest.partition(":")
    if not pid.isdigit() or not token.isalnum() or not folder:
        return None
    return Path(folder) / f"{pid}-{token}"


def _tag_of(record: Path) -> str | None:
    pid, _, token = record.name.partition("-")
    if not pid.isdigit() or not token.isalnum():
        return None
    return f"{pid}:{token}:{record.parent}"


def _private_folder(folder: Path) -> bool:
    """Make ``folder`` (only the user may write in it); False where it is not the user's."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        found = os.lstat(folder)
    except OSError:
        return False
    # Where the temporary folder is shared, a folder someone else made, or a link
    # to one, is not ours to keep records in.
    if hasattr(os, "getuid") and found.st_uid != os.getuid():
        return False
    return folder.is_dir() and not folder.is_symlink()


def tag_this_run() -> str:
    """Name this process as the owner of everything started from now on; the tag.

    Where no record can be made (no writable temporary folder), the tag has
    none, and a build counts as running as long as a process has its pid. A
    process that runs one build after another (the watcher, a test) keeps its tag.
    """
    current = this_run()
    if owns(current):
        return current
    folder = runs_folder()
    tag = f"{os.getpid()}:"
    if _private_folder(folder):
        for _ in range(RECORD_ATTEMPTS):
            # The folder is part of the tag: another process may have another
            # temporary folder (TMPDIR), and must still find this build's record.
            candidate = f"{os.getpid()}:{secrets.token_hex(6)}:{folder}"
            record = _record_of(candidate)
            if record is not None and lock.hold_new(record):
                tag = candidate
                atexit.register(_remove_record, os.getpid(), record)
                break
    os.environ[RUN_TAG_VARIABLE] = tag
    return tag


def _remove_record(owner: int, record: Path) -> None:
    # Fork copies exit handlers; only the build itself removes its record.
    if os.getpid() == owner:
        lock.release(record, remove=True)


def this_run() -> str | None:
    """The tag of the build this process belongs to, if any."""
    return os.environ.get(RUN_TAG_VARIABLE)


def owns(tag: str | None) -> bool:
    """Whether this process is the build that ``tag`` names."""
    if tag is None:
        return False
    pid, _, _ = tag.partition(":")
    return pid == str(os.getpid()) and tag == this_run()


def owner_runs(tag: str) -> bool:
    """Whether the build that ``tag`` names still runs."""
    if owns(tag):
        return True
    record = _record_of(tag)
    if record is not None:
        if lock.is_locked(record):
            return True
        if record.exists():
            return False  # left behind, unlocked: its build ended without cleaning up
    pid, _, _ = tag.partition(":")
    if not pid.isdigit():
        return False
    # No record (the build could keep none, or a cleaner of the temporary folder took
    # it): taking a running build for dead would end its kernels, so its pid decides.
    import psutil

    return psutil.pid_exists(int(pid))


def _tagged(wanted: Callable[[str], bool]) -> Iterator[psutil.Process]:
    """This user's processes whose run tag is ``wanted``, but not this one or its ancestors.

    Only the user's own processes are asked for their environment (reading
    another user's fails anyway), and a process's uids cost less than its environment.
    """
    import psutil

    me = psutil.Process()
    spared = {me.pid, *(parent.pid for parent in me.parents())}
    uid = os.getuid() if hasattr(os, "getuid") else None
    for process in psutil.process_iter(["uids"] if uid is not None else []):
        if process.pid in spared:
            continue
        if uid is not None:
            uids = process.info["uids"]
            if uids is None or uids.real != uid:
                continue
        try:
            tag = process.environ().get(RUN_TAG_VARIABLE)
        except psutil.Error:
            continue
        if tag is not None and wanted(tag):
            yield process


def carrying(tag: str) -> list[psutil.Process]:
    """The processes that carry ``tag`` (not this process or its ancestors)."""
    return list(_tagged(lambda found: found == tag))


def end_run(tag: str, spared: frozenset[int] = frozenset(), grace: float = END_GRACE_SECONDS):
    """End every process carrying ``tag`` but ``spared`` pids; the processes ended."""
    from clm.system.processes import end_processes

    found = [process for process in carrying(tag) if process.pid not in spared]
    end_processes(found, grace)
    return found


def end_this_run() -> list[psutil.Process]:
    """What a build does as it ends: end what it started and left running.

    Its own children are spared: its workers it ends itself, and multiprocessing's
    helpers (the forkserver, the resource tracker) end with it.
    """
    tag = this_run()
    if not owns(tag):
        return []  # not the owner of the tag it inherited: not ours to end
    import psutil

    return end_run(tag, frozenset(child.pid for child in psutil.Process().children()))


def _abandoned_records() -> list[Path]:
    """The records of builds that ended without removing theirs, now held by this process."""
    try:
        records = list(os.scandir(runs_folder()))
    except OSError:
        return []
    return [
        Path(entry.path)
        for entry in records
        if _tag_of(Path(entry.path)) is not None and lock.take_abandoned(Path(entry.path))
    ]


def end_orphans() -> list[psutil.Process]:
    """End the processes left by builds that no longer run; the processes ended.

    Only builds that could not clean up leave a record behind, so without one
    there is nothing to look for. The records are held while their builds'
    processes are ended, and removed after: a build killed meanwhile leaves
    them for the next one.
    """
    abandoned = _abandoned_records()
    if not abandoned:
        return []
    from clm.system.processes import end_processes

    dead = {_tag_of(record) for record in abandoned}
    cache: dict[str, bool] = {}

    def orphaned(tag: str) -> bool:
        if tag not in cache:
            cache[tag] = tag in dead or not owner_runs(tag)
        return cache[tag]

    found = list(_tagged(orphaned))
    end_processes(found, END_GRACE_SECONDS)
    for record in abandoned:
        lock.release(record, remove=True)
    return found
