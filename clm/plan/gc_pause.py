"""Pausing Python's garbage collector while a large course is planned and loaded."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Middle-generation collections between two full ones (Python's default: 10).
FULL_COLLECTION_EVERY = 100


@contextmanager
def paused_garbage_collection() -> Iterator[None]:
    """Create many long-lived objects without the collector rescanning them.

    A large course makes hundreds of thousands of containers that live for the
    whole run; each automatic collection would walk them all again (it tripled
    the time to load a 1,000-deck course). Afterwards they are frozen, so the
    collections during the run skip them too, and full collections come ten
    times rarer: what doit makes per task (its nodes, the decoded records) also
    lives to the end of the run, holds few cycles, and each full collection
    walked all of it again (a third of a second of a no-op at 1,000 decks).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        young, middle, full = gc.get_threshold()
        gc.set_threshold(young, middle, max(full, FULL_COLLECTION_EVERY))
        if enabled:
            gc.enable()
