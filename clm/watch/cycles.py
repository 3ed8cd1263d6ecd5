"""What a watch cycle tells those who follow it (the live preview), and how they hook in.

The watcher calls its listener in its own thread, between cycles' work, with
the plan and tasks as they are then; what a listener hands on to other threads
must be data nobody changes (a new plan is a new object).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from clm.plan.outputs import OutputPlan
    from clm.session.reporter import Reporter


@dataclass(frozen=True)
class Watched:
    """What the watcher builds from at the moment: the plan and its doit tasks, by name."""

    plan: OutputPlan
    tasks: Mapping[str, Any]  # doit Task objects: their subtask_of and targets


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
    def cycle_started(self, watched: Watched, tasks: set[str]) -> None: ...

    def pages_written(self, watched: Watched, pages: list[str]) -> None:
        """HTML targets a task of the running cycle has just rewritten: a browser can
        show them before the cycle's other tasks are done."""

    def cycle_finished(self, watched: Watched, cycle: Cycle) -> None: ...


class Listened(Protocol):
    """A watcher, as far as a companion sees it."""

    listener: CycleListener | None
    reporter: Reporter  # what the watcher says, and its companion beside it


class Companion(Protocol):
    """Something that lives as long as a watcher does (the preview's web server)."""

    def attach(self, watcher: Listened) -> None:
        """Called once the watcher's workers exist, before its first cycle."""

    def close(self) -> None: ...
