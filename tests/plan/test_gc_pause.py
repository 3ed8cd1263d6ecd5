"""The collector's settings around planning: paused while the course is made, then frozen,
with full collections made rarer for the run."""

from __future__ import annotations

import gc

from clm.plan.gc_pause import FULL_COLLECTION_EVERY, paused_garbage_collection


def test_planning_pauses_the_collector_and_makes_full_collections_rarer():
    threshold = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with paused_garbage_collection():
            assert not gc.isenabled()
            made = [[] for _ in range(10)]
        assert gc.isenabled()
        assert gc.get_threshold() == (700, 10, FULL_COLLECTION_EVERY)
        assert gc.get_freeze_count() >= len(made)  # what planning made is not walked again
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
