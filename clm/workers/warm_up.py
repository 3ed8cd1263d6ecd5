"""Warm up doit's worker processes while the doit process checks what to build.

doit forks its workers at the start of a run. The first conversion in a worker
pays for importing nbconvert and jupytext and for compiling nbconvert's HTML
templates (0.5 s and more), which is most of the time a one-deck edit takes. A
fork hook does that work in every forked worker right away, so it overlaps
with the status checks in the doit process instead of delaying the first task.

It runs in the worker's main thread, before the worker reads its first job:
CPython (3.11 at least) cannot be trusted with imports in two threads at once.
Its import locks can report a deadlock that is none, and the import that gets
the error leaves its package half-initialised in the process for good (a CI
run saw ``NameError: name 'base_events' is not defined`` from every later
``import asyncio``). So no thread of a worker imports while another may.
"""

from __future__ import annotations

import contextlib
import os

_registered = False
_warm_in: int | None = None  # the process that has warmed up


def _load_conversion_libraries() -> None:
    from clm.deck import formats, notebook  # noqa: F401  (imports jupytext, nbformat, jinja2)

    formats.warm_up()


def warm_up() -> None:
    """Load the conversion libraries in this process, once (a no-op once done)."""
    global _warm_in
    if _warm_in == os.getpid():
        return
    _warm_in = os.getpid()
    _load_conversion_libraries()


def _warm_up_forked_worker() -> None:
    try:
        # A real import problem shows again, with its traceback, when the first
        # task imports the same modules; a fork hook could only print it.
        with contextlib.suppress(Exception):
            warm_up()
    except SystemExit as ending:
        # SIGTERM while warming up (clm.workers.lifetime turns it into
        # SystemExit). Python ignores what a fork hook raises, so leave here:
        # the worker has started nothing that needs a clean exit.
        os._exit(ending.code if isinstance(ending.code, int) else 1)


def warm_up_forked_workers() -> None:
    """Make every process forked from this one warm up (once per process)."""
    global _registered
    if not _registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_warm_up_forked_worker)
        _registered = True
