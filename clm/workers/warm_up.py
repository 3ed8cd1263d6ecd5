"""Warm up doit's worker processes while the doit process checks what to build.

doit forks its workers at the start of a run. The first conversion in a worker
pays for importing nbconvert and jupytext and for compiling nbconvert's HTML
templates (0.5 s and more), which is most of the time a one-deck edit takes. A
fork hook starts that work in a background thread of every forked worker, so
it overlaps with the status checks in the doit process instead of delaying the
first task.
"""

from __future__ import annotations

import contextlib
import os
import threading

_registered = False
_warming: threading.Thread | None = None


def _warm_up() -> None:
    from clm.deck import formats, notebook  # noqa: F401  (imports jupytext, nbformat, jinja2)

    formats.warm_up()


def _warm_up_quietly() -> None:
    # A worker ended while it warms up (Ctrl-C, a full disk) tears its modules
    # down under this thread, which then fails in the middle of an import. That
    # is no news; a real import problem shows again, with its traceback, when
    # the first task imports the same modules.
    with contextlib.suppress(BaseException):
        _warm_up()


def _start_in_child() -> None:
    global _warming
    _warming = threading.Thread(target=_warm_up_quietly, name="clm-warm-up", daemon=True)
    _warming.start()


def wait_for_warm_up() -> None:
    """Block until this worker's warm-up is done (importing beside it can race)."""
    if _warming is not None:
        _warming.join()
    else:
        _warm_up()


def warm_up_forked_workers() -> None:
    """Make every process forked from this one warm up (once per process)."""
    global _registered
    if not _registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_start_in_child)
        _registered = True
