"""What the browsers of a preview should know, kept between the watcher and the server.

The watcher's thread tells it about each cycle (it is the watcher's listener);
the server's threads read it and wait on it. Everything handed to them is
immutable (tuples, frozen records and dictionaries nobody changes after they
are published), so a reader never sees half a cycle.

Pages are named by their path below the output folder, unquoted
(``public/En/Python Basics/…/03 Variables.html``): the name a request's path
decodes to.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from clm.tasks.kept_failures import kept_on

if TYPE_CHECKING:
    from clm.plan.outputs import OutputPlan
    from clm.watch.cycles import Cycle, Watched

KEPT_EVENTS = 256  # a browser further behind than this is told to start afresh


@dataclass(frozen=True)
class News:
    """One change the browsers hear of: a cycle started or ended."""

    seq: int
    updated: frozenset[str] = frozenset()  # pages rewritten by the cycle
    failures: dict[str, str] = field(default_factory=dict)  # every failing page, after it


@dataclass(frozen=True)
class DeckState:
    state: str  # "up to date", "rebuilding" or "failed"
    message: str | None = None
    kept_on: str | None = None  # a failed deck's kept cell error: when it ran


REBUILDING = DeckState("rebuilding")


@dataclass(frozen=True)
class Snapshot:
    """What the course page shows, as of one moment."""

    plan: OutputPlan | None
    states: dict[str, DeckState]  # by deck path
    cycle: Cycle | None  # the last finished one
    building: bool
    plan_error: str | None
    other_failures: tuple[tuple[str, str], ...] = ()  # (task or group, message)


class Newsroom:
    """The preview's shared state: page versions, failing tasks, deck states."""

    def __init__(self) -> None:
        self.epoch = f"{time.time_ns():x}"  # a restarted server's pages are all new
        self._changed = threading.Condition()
        self._seq = 0
        self._log: deque[News] = deque(maxlen=KEPT_EVENTS)
        self._versions: dict[str, int] = {}
        self._failing_tasks: dict[str, str] = {}  # task name -> why it is not up to date
        self._failures: dict[str, str] = {}  # page -> message, derived from the tasks
        self._rebuilding: frozenset[str] = frozenset()  # decks
        self._announced: set[str] = set()  # pages the running cycle said it rewrote
        self._deck_failures: dict[str, str] = {}
        self._other_failures: tuple[tuple[str, str], ...] = ()  # (what, message)
        self._plan: OutputPlan | None = None
        self._cycle: Cycle | None = None
        self._plan_error: str | None = None
        self.closed = False

    # -- the watcher's side (its listener) ----------------------------------

    def cycle_started(self, watched: Watched, tasks: set[str]) -> None:
        decks = {watched.tasks[name].subtask_of for name in tasks}
        planned = {deck.deck.path for deck in watched.plan.decks}
        with self._changed:
            self._plan = watched.plan
            self._rebuilding = frozenset(decks & planned)
            self._announced = set()
            self._publish(News(self._seq + 1, failures=self._failures))

    def pages_written(self, watched: Watched, targets: list[str]) -> None:
        pages = _pages(watched.plan.course.output, targets)
        with self._changed:
            fresh = frozenset(pages - self._announced)
            if not fresh:
                return
            self._announced |= fresh
            self._bump(fresh)
            # A page just written is no longer failing, whatever the rest of the cycle does.
            self._failures = {p: m for p, m in self._failures.items() if p not in fresh}
            self._publish(News(self._seq + 1, updated=fresh, failures=self._failures))

    def cycle_finished(self, watched: Watched, cycle: Cycle) -> None:
        failing = {
            name: message
            for name, message in self._failing_tasks.items()
            if name in watched.tasks and name not in cycle.outcomes
        }
        failing.update(
            (name, message) for name, message in cycle.outcomes.items() if message is not None
        )
        failures: dict[str, str] = {}
        deck_failures: dict[str, str] = {}
        others: dict[str, str] = {}
        output = watched.plan.course.output
        decks = {deck.deck.path for deck in watched.plan.decks}
        for name, message in sorted(failing.items()):
            task = watched.tasks[name]
            if task.subtask_of in decks:
                deck_failures.setdefault(task.subtask_of, message)
            else:
                others.setdefault(message, task.subtask_of or name)
            for target in task.targets:
                page = page_name(output, target)
                if page is not None and page.endswith(".html"):
                    failures.setdefault(page, message)
        written = _pages(output, cycle.updated)
        with self._changed:
            updated = frozenset(written - self._announced)  # the others were told already
            self._announced = set()
            self._bump(updated)
            self._failing_tasks = failing
            self._failures = failures
            self._deck_failures = deck_failures
            # Failures of no deck (a diagram, a data file, the leak guard) that are not
            # a deck's failure passed on.
            known = set(deck_failures.values())
            self._other_failures = tuple(
                (what, message) for message, what in sorted(others.items()) if message not in known
            )
            self._rebuilding = frozenset()
            self._plan = watched.plan
            self._cycle = cycle
            self._plan_error = cycle.plan_error
            self._publish(News(self._seq + 1, updated=updated, failures=failures))

    def _bump(self, pages: frozenset[str]) -> None:
        for page in pages:
            self._versions[page] = self._versions.get(page, 0) + 1

    def _publish(self, news: News) -> None:
        self._seq = news.seq
        self._log.append(news)
        self._changed.notify_all()

    def close(self) -> None:
        """Wake every waiting browser connection, so that it ends."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    # -- the server's side --------------------------------------------------

    def version(self, page: str) -> str:
        """The page's version as served now; a browser holding another one reloads."""
        with self._changed:
            return f"{self.epoch}-{self._versions.get(page, 0)}"

    def tune_in(self, page: str | None) -> tuple[int, str, str | None]:
        """Where the news stands for a browser connecting now: (seq, page version,
        the page's failure)."""
        with self._changed:  # re-entrant: version() takes it once more
            if page is None:
                return self._seq, "", None
            return self._seq, self.version(page), self._failures.get(page)

    def wait(self, after: int, timeout: float) -> list[News] | None:
        """The news after ``after``, waiting up to ``timeout`` for some ([] if none came);
        None when the server closes or the browser fell too far behind."""
        with self._changed:
            self._changed.wait_for(lambda: self._seq > after or self.closed, timeout)
            if self.closed:
                return None
            news = [item for item in self._log if item.seq > after]
            if news and news[0].seq != after + 1:
                return None
            return news

    def snapshot(self) -> Snapshot:
        with self._changed:
            states = {
                path: DeckState("failed", m, kept_on(m)) for path, m in self._deck_failures.items()
            }
            states.update(dict.fromkeys(self._rebuilding, REBUILDING))
            return Snapshot(
                plan=self._plan,
                states=states,
                cycle=self._cycle,
                building=bool(self._rebuilding) or self._cycle is None,
                plan_error=self._plan_error,
                other_failures=self._other_failures,
            )

    def output_folder(self) -> str | None:
        with self._changed:
            return self._plan.course.output if self._plan is not None else None


def _pages(output: str, targets: Iterable[str]) -> set[str]:
    """The pages among ``targets``, by name."""
    return {page for page in (page_name(output, target) for target in targets) if page}


def page_name(output: str, target: str) -> str | None:
    """A target's name below the output folder; None for what lies outside it."""
    prefix = output.rstrip("/") + "/"
    return target[len(prefix) :] if target.startswith(prefix) else None
