"""How worker processes start: fork, spawn or forkserver, chosen by CLM_START_METHOD.

Unset, the platform's default holds (fork on Linux up to Python 3.13,
forkserver from 3.14, spawn on macOS and Windows). Setting it lets a Linux
machine run a build the way a Mac does; workers behave the same under all three.
"""

from __future__ import annotations

import multiprocessing
import os
import signal

from clm.errors import CourseError

START_METHOD_VARIABLE = "CLM_START_METHOD"


class BadStartMethod(CourseError):
    """CLM_START_METHOD names no start method this platform has."""


def start_method() -> str:
    """The start method workers use: CLM_START_METHOD's, or the platform's default."""
    wanted = os.environ.get(START_METHOD_VARIABLE, "").strip()
    if not wanted:
        return multiprocessing.get_start_method(allow_none=True) or _default()
    known = multiprocessing.get_all_start_methods()
    if wanted not in known:
        choices = " or ".join(filter(None, (", ".join(known[:-1]), known[-1])))
        raise BadStartMethod(
            f"{START_METHOD_VARIABLE}={wanted!r} is not a way to start worker processes "
            f"here; set it to {choices}, or unset it for the platform's default ({_default()})"
        )
    return wanted


def use_start_method() -> str:
    """Make this process start its workers by ``start_method()``; BadStartMethod if unknown.

    Call it from the main thread, before any worker starts.
    """
    method = start_method()
    multiprocessing.set_start_method(method, force=True)
    if method != "fork":
        _start_helpers_deaf_to_hangups(method)
    return method


def _start_helpers_deaf_to_hangups(method: str) -> None:
    """Start multiprocessing's helper processes now, ignoring SIGHUP.

    Under spawn and forkserver a resource tracker (and the forkserver) run
    beside the build, in its process group. They ignore Ctrl-C and SIGTERM but
    not SIGHUP: a closed terminal would kill them while the build still ends
    its workers, and the tracker's replacement would print tracebacks about
    semaphores it never saw. An ignored signal stays ignored across exec.
    """
    from multiprocessing import forkserver, resource_tracker

    if not hasattr(signal, "SIGHUP"):
        return
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        resource_tracker.ensure_running()
        if method == "forkserver":
            forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGHUP, previous)


def _default() -> str:
    return multiprocessing.get_all_start_methods()[0]
