"""What a watch cycle tells those who follow it (the live preview), and how they hook in.

The watcher calls its listener in its own thread, between cycles' work, so a
listener may read the watcher's plan and tasks there; what it hands on to
other threads must be its own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from clm.watch.engine import Watcher


@dataclass(frozen=True)
class Cycle:
    """One finished cycle: its counters, the HTML pages it rewrote, each task's fate."""

    number: int
    seconds: float
    executed: int
    failed: int
    uptodate: int
    kept: int
    updated: tuple[str, ...]  # HTML targets whose bytes changed, relative to the course root
    # Every task the cycle looked at: None when it is up to date now, else why it is not.
    outcomes: dict[str, str | None]
    plan_error: str | None  # the course could not be planned again; the last plan is kept
    summary: str  # the closing line the watcher printed


class CycleListener(Protocol):
    def cycle_started(self, watcher: Watcher, tasks: set[str]) -> None: ...

    def cycle_finished(self, watcher: Watcher, cycle: Cycle) -> None: ...


class Companion(Protocol):
    """Something that lives as long as a watcher does (the preview's web server)."""

    def attach(self, watcher: Watcher) -> None:
        """Called once the watcher's workers exist, before its first cycle."""

    def close(self) -> None: ...
