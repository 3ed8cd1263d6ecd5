"""Warm up worker processes while the build checks what to build.

The first conversion in a worker pays for importing nbconvert and jupytext and
for compiling nbconvert's HTML templates (0.5 s and more), which is most of
the time a one-deck edit takes. Every worker does that work as it starts
(clm.workers.lifetime.start_worker), so it overlaps with the status checks in
the build's process instead of delaying the first task.

It runs in the worker's main thread, before the worker reads its first job:
CPython (3.11 at least) cannot be trusted with imports in two threads at once.
Its import locks can report a deadlock that is none, and the import that gets
the error leaves its package half-initialised in the process for good (a CI
run saw ``NameError: name 'base_events' is not defined`` from every later
``import asyncio``). So no thread of a worker imports while another may.
"""

from __future__ import annotations

import os

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
