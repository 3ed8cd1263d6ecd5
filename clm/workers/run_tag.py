"""The run tag: every process a build starts carries the build's name in its environment.

Workers, kernels (jupyter_client starts them with the worker's environment,
whatever their language) and whatever a deck's code starts inherit it, also a
daemon that forked twice and left every session and process group: the tree
loses it, the environment does not. The tag names the build's process by its
pid and its start time, so that a pid the system has given to another process
since is not taken for the build.

With the tag a build ends everything it started when it ends (normal end,
Ctrl-C, SIGTERM, SIGHUP); a worker whose build died does it in the build's
place; and what no one could end (SIGKILL to a whole process group kills the
workers too) is found by the next build, watcher or preview: a process whose
tag names a build that no longer runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import psutil

from clm.workers.processes import end_processes

RUN_TAG_VARIABLE = "CLM_RUN_OWNER"
END_GRACE_SECONDS = 1.0  # for a clean exit before SIGKILL


def tag_of(process: psutil.Process) -> str:
    """The tag that names ``process``: its pid and its start time."""
    return f"{process.pid}:{process.create_time():.2f}"


def tag_this_run() -> str:
    """Name this process as the owner of everything started from now on; the tag."""
    tag = tag_of(psutil.Process())
    os.environ[RUN_TAG_VARIABLE] = tag
    return tag


def this_run() -> str | None:
    """The tag of the build this process belongs to, if any."""
    return os.environ.get(RUN_TAG_VARIABLE)


def owner_runs(tag: str) -> bool:
    """Whether the build that ``tag`` names still runs (a zombie does not)."""
    pid, _, _ = tag.partition(":")
    try:
        owner = psutil.Process(int(pid))
        return tag_of(owner) == tag and owner.status() != psutil.STATUS_ZOMBIE
    except (ValueError, psutil.Error):
        return False


def _tagged(wanted: Callable[[str], bool]) -> Iterator[psutil.Process]:
    """This user's processes whose run tag is ``wanted``, but not this one or its ancestors.

    Only the user's own processes are asked for their environment (reading
    another user's fails anyway), and a process's uids cost less than its environment.
    """
    me = psutil.Process()
    spared = {me.pid, *(parent.pid for parent in me.parents())}
    uid = os.getuid()
    for process in psutil.process_iter(["uids"]):
        uids = process.info["uids"]
        if uids is None or uids.real != uid or process.pid in spared:
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
    found = [process for process in carrying(tag) if process.pid not in spared]
    end_processes(found, grace)
    return found


def end_this_run() -> list[psutil.Process]:
    """What a build does as it ends: end what it started and left running.

    Its own children are spared: its workers it ends itself, and multiprocessing's
    helpers (the forkserver, the resource tracker) end with it.
    """
    me = psutil.Process()
    tag = this_run()
    if tag != tag_of(me):
        return []  # not the owner of the tag it inherited: not ours to end
    return end_run(tag, frozenset(child.pid for child in me.children()))


def end_orphans() -> list[psutil.Process]:
    """End the processes left by builds that no longer run; the processes ended."""
    cache: dict[str, bool] = {}

    def orphaned(tag: str) -> bool:
        if tag not in cache:
            cache[tag] = not owner_runs(tag)
        return cache[tag]

    found = list(_tagged(orphaned))
    end_processes(found, END_GRACE_SECONDS)
    return found
