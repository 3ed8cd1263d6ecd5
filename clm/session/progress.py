"""How far a build's tasks are: counts, time elapsed and an estimate of the time left.

Plain numbers and their wording; clm.session.reporter decides when and how they
are shown (a line redrawn on a terminal, a line now and then in a log).
"""

from __future__ import annotations

import math
from collections.abc import Callable


def clock_text(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from one hour on."""
    hours, rest = divmod(max(int(seconds), 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class TaskProgress:
    """The tasks of one build: done, running, failed, of how many; and how long the rest takes."""

    def __init__(self, total: int, clock: Callable[[], float]) -> None:
        self._total = total
        self._clock = clock
        self._start = clock()
        self._done = 0
        self._failed = 0
        self._running: dict[str, float] = {}  # task name -> when it started
        self._parallelism = 0
        self._executed = 0
        self._executed_seconds = 0.0

    @property
    def done(self) -> int:
        return self._done

    @property
    def running(self) -> int:
        return len(self._running)

    @property
    def failed(self) -> int:
        return self._failed

    @property
    def total(self) -> int:
        return self._total

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    def counts(self) -> tuple[int, int, int, int]:
        return self._done, len(self._running), self._failed, self._total

    def uptodate(self, name: str) -> None:
        self._counted()

    def started(self, name: str) -> None:
        self._running[name] = self._clock()
        self._parallelism = max(self._parallelism, len(self._running))
        self._grown()

    def finished(self, name: str, failed: bool = False) -> None:
        began = self._running.pop(name, None)
        if began is not None:  # only a start we saw gives an honest duration
            self._executed += 1
            self._executed_seconds += self._clock() - began
        self._failed += failed
        self._counted()

    def not_run(self, name: str) -> None:
        self._counted()

    def remaining(self) -> float | None:
        if not self._executed:
            return None
        average = self._executed_seconds / self._executed
        now = self._clock()
        # Every task not yet looked at is assumed to execute: whether it is up to date
        # cannot be known ahead, so this is an upper bound that drops as such tasks turn
        # up (they cost next to nothing). Scaling by the share executed so far would let
        # the long up-to-date stretch of an incremental build promise "~0:00 left" while
        # the real work is still ahead.
        waiting = self._total - self._done - len(self._running)
        work = waiting * average
        work += sum(max(average - (now - began), 0.0) for began in self._running.values())
        return work / max(self._parallelism, 1)

    def parts(self) -> list[str]:
        parts = [f"{self._done}/{self._total} done", f"{len(self._running)} running"]
        if self._failed:
            parts.append(f"{self._failed} failed")
        parts.append(f"{clock_text(self.elapsed)} elapsed")
        left = self.remaining()
        if left is not None:
            parts.append(f"~{clock_text(math.ceil(left))} left")
        return parts

    def line(self) -> str:
        """The terminal's status line: ``3/10 done · 1 running · 0:04 elapsed``."""
        return " · ".join(self.parts())

    def log_line(self, *, longest: bool = False) -> str:
        """A log's progress line: ``[clm] 3/10 done, 1 running, 0:04 elapsed``; with
        ``longest``, also the task running longest (what a silent log waits for)."""
        parts = self.parts()
        if longest and self._running:
            name, began = min(self._running.items(), key=lambda item: item[1])
            parts.append(f"{name} running for {clock_text(self._clock() - began)}")
        return f"[clm] {', '.join(parts)}"

    def _counted(self) -> None:
        self._done += 1
        self._grown()

    def _grown(self) -> None:
        # doit may look at more tasks than it announced (e.g. ones created on the way).
        self._total = max(self._total, self._done + len(self._running))
