"""What a build is doing: a live status line on a terminal, plain lines in a log.

The doit reporter calls in here as tasks are found up to date, start and end.
There is no thread, so the display changes only during those calls: a task that
runs for minutes leaves the last line standing until the next call.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from typing import TextIO

CLEAR_LINE = "\r\x1b[2K"
# Faster redraws only flicker, and a build of small tasks would spend its time on them.
REDRAW_EVERY = 0.1


def clock_text(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from one hour on."""
    hours, rest = divmod(max(int(seconds), 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class Progress:
    """What a build is doing: a live line on a terminal, plain lines in a log."""

    def __init__(
        self,
        stream: TextIO,
        total: int,
        *,
        live: bool | None = None,
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._total = total
        self._live = stream.isatty() if live is None else live
        self._interval = interval
        self._clock = clock
        self._start = clock()
        self._done = 0
        self._failed = 0
        self._running: dict[str, float] = {}  # task name -> when it started
        self._parallelism = 0
        self._executed = 0
        self._executed_seconds = 0.0
        self._shown: str | None = None  # the live line now on screen
        self._drawn_at = -math.inf
        # A log only hears from us after a first interval: short builds stay quiet.
        self._printed_at = self._start
        self._printed = self._counts()
        self._at_line_start = True
        self._closed = False

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

    def uptodate(self, name: str) -> None:
        self._done += 1
        self._changed()

    def started(self, name: str) -> None:
        self._running[name] = self._clock()
        self._parallelism = max(self._parallelism, len(self._running))
        self._changed()

    def finished(self, name: str, failed: bool = False) -> None:
        began = self._running.pop(name, None)
        if began is not None:  # only a start we saw gives an honest duration
            self._executed += 1
            self._executed_seconds += self._clock() - began
        self._done += 1
        if failed:
            self._failed += 1
        self._changed()

    def not_run(self, name: str) -> None:
        self._done += 1
        self._changed()

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

    def line(self) -> str:
        return " · ".join(self._parts())

    def write(self, text: str) -> None:
        if not text:
            return
        if self._shown is not None:
            self._stream.write(CLEAR_LINE)
            self._shown = None
        self._stream.write(text)
        self._at_line_start = text.endswith("\n")
        if self._live and not self._closed:
            if not self._at_line_start:
                self._stream.write("\n")
                self._at_line_start = True
            self._draw()  # not throttled: the line was just taken away
        else:
            self._stream.flush()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._shown is not None:
            self._stream.write(CLEAR_LINE)
            self._stream.flush()
            self._shown = None

    def _parts(self) -> list[str]:
        parts = [f"{self._done}/{self._total} done", f"{len(self._running)} running"]
        if self._failed:
            parts.append(f"{self._failed} failed")
        parts.append(f"{clock_text(self.elapsed)} elapsed")
        left = self.remaining()
        if left is not None:
            parts.append(f"~{clock_text(math.ceil(left))} left")
        return parts

    def _counts(self) -> tuple[int, int, int, int]:
        return self._done, len(self._running), self._failed, self._total

    def _changed(self) -> None:
        # doit may look at more tasks than it announced (e.g. ones created on the way).
        self._total = max(self._total, self._done + len(self._running))
        if self._closed:
            return
        now = self._clock()
        if self._live:
            if now - self._drawn_at >= REDRAW_EVERY:
                self._draw()
        elif now - self._printed_at >= self._interval and self._counts() != self._printed:
            self._printed_at, self._printed = now, self._counts()
            glue = "" if self._at_line_start else "\n"
            self._stream.write(f"{glue}[clm] {', '.join(self._parts())}\n")
            self._stream.flush()
            self._at_line_start = True

    def _draw(self) -> None:
        # The line must fit: a wrapped line is no longer erased by "\r" and erase-line.
        width = max(shutil.get_terminal_size(fallback=(100, 24)).columns - 1, 1)
        text = self.line()
        if len(text) > width:
            text = text[: width - 1] + "…"
        if text != self._shown:
            self._stream.write(CLEAR_LINE + text)
            self._stream.flush()
            self._shown = text
        self._drawn_at = self._clock()
