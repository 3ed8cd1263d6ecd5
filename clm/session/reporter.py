"""The voice of a run: every line a build says, and its progress, go through one Reporter.

Whoever reports (doit's reporter, the cluster pre-pass, the session's sweeps and
shared cache, the watcher) talks to the Reporter its entry point made, never to
a stream. Whether it talks to a terminal or to a log (CI, a pipe, a file) is
decided here alone: on a terminal a status line is redrawn in place; a log gets
whole lines only, without an escape sequence or a carriage return, and
progress as a line every so often.

A log's progress line also comes while nothing finishes (a cell that runs for
minutes): a heartbeat thread writes it, so a CI log is never silent for long
and a CI system that ends silent jobs leaves the build alone.

Like any Unix command it has two streams: the run's story on ``out`` (the tasks
run, their failures, the summary; the watcher's cycles) and the diagnostics
beside it on ``err`` (warnings, errors, notes of the session and the cluster).
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import TextIO

from clm.session.progress import TaskProgress

# Back to the start of the line, and erase it: the one escape sequence clm writes.
CLEAR_LINE = "\r\x1b[2K"
# Faster redraws only flicker, and a build of small tasks would spend its time on them.
REDRAW_EVERY = 0.1
LOG_EVERY = 10.0  # seconds between a log's progress lines


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class Reporter:
    """What one run says: lines, warnings (each once, where asked), errors and progress."""

    def __init__(
        self,
        out: TextIO | None = None,
        err: TextIO | None = None,
        *,
        live: bool | None = None,
        log_every: float = LOG_EVERY,
        clock: Callable[[], float] = time.monotonic,
        heartbeat: bool = True,
    ) -> None:
        self.out = sys.stdout if out is None else out
        self.err = sys.stderr if err is None else err
        self._live = live  # None: wherever the stream is a terminal
        # A stream stays a terminal or not: asked once, not at each of thousands of tasks.
        self._terminals: dict[TextIO, bool] = {}
        self._log_every = log_every
        self._clock = clock
        self._said: set[str] = set()
        self.tasks: TaskProgress | None = None
        self._logged_at = 0.0
        self._logged: tuple[int, int, int, int] | None = None
        self._status: str | None = None  # the cluster's status line (tasks have theirs)
        self._status_on: TextIO = self.err
        self._shown: str | None = None  # the status line now on the terminal
        self._shown_on: TextIO | None = None
        self._drawn_at = -math.inf
        self._closed = False
        # The heartbeat thread writes too: one writer at a time, and never half a line.
        self._lock = threading.RLock()
        self._heartbeat = heartbeat
        self._beating: threading.Event | None = None  # set to stop the heartbeat
        if hasattr(os, "register_at_fork"):
            _lock_across_forks(self)

    def live(self, stream: TextIO) -> bool:
        """Whether ``stream`` gets a status line redrawn in place (a terminal)."""
        if self._live is not None:
            return self._live
        known = self._terminals.get(stream)
        if known is None:
            known = self._terminals[stream] = is_terminal(stream)
        return known

    def tell_story_on(self, out: TextIO) -> None:
        """The run's story goes to ``out`` (doit's ``--output-file``)."""
        self.out = out

    # -- lines --------------------------------------------------------------

    def line(self, text: str) -> None:
        """A line of the run's story (a task run, a failure, a summary, a cycle)."""
        with self._lock:
            self._write(self.out, text)

    def note(self, text: str) -> None:
        """A line beside the story: what the session or the cluster did or waits for."""
        with self._lock:
            self._write(self.err, text)

    def warning(self, text: str, *, once: bool = False) -> None:
        """A warning; with ``once``, not again in this run (each worker of a build may
        find the same bad shared-cache entry, but the author hears of it once)."""
        with self._lock:
            if once:
                if text in self._said:
                    return
                self._said.add(text)
            self._write(self.err, text)

    def error(self, text: str) -> None:
        with self._lock:
            self._write(self.err, text)

    # -- the tasks' progress --------------------------------------------------

    def begin_tasks(self, total: int) -> None:
        """Show the progress of a build of ``total`` tasks from now on."""
        with self._lock:
            self.tasks = TaskProgress(total, self._clock)
            # A log hears of the progress only after a first interval: short builds stay quiet.
            self._logged_at, self._logged = self._clock(), self.tasks.counts()
            self._closed = False

    def uptodate(self, name: str) -> None:
        with self._lock:
            if self.tasks is not None:
                self.tasks.uptodate(name)
                self._progressed()

    def started(self, name: str) -> None:
        with self._lock:
            if self.tasks is not None:
                self.tasks.started(name)
                self._progressed()
                self._start_heartbeat()

    def finished(self, name: str, failed: bool = False) -> None:
        with self._lock:
            if self.tasks is not None:
                self.tasks.finished(name, failed)
                self._progressed()

    def not_run(self, name: str) -> None:
        with self._lock:
            if self.tasks is not None:
                self.tasks.not_run(name)
                self._progressed()

    def beat(self) -> None:
        """The heartbeat: in a log, the progress line once an interval passed with a task
        still running, even though no count changed (a long cell)."""
        with self._lock:
            if self._closed or self.tasks is None or not self.tasks.running:
                return
            if self.live(self.out) or self._clock() - self._logged_at < self._log_every:
                return
            self._logged_at, self._logged = self._clock(), self.tasks.counts()
            self._write(self.out, self.tasks.log_line(longest=True))

    # -- a status of the run's own (the cluster pre-pass) -------------------------

    def status(self, text: str, *, log: bool) -> None:
        """A status line on ``err``: redrawn on a terminal; in a log, a line when ``log``."""
        with self._lock:
            if self.live(self.err):
                self._status, self._status_on = text, self.err
                self._draw(self.err, text)
            elif log:
                self._write(self.err, text)

    def end_status(self) -> None:
        """The status line stays on the terminal as the last word of its step."""
        with self._lock:
            if self._status is not None and self._shown is not None:
                self._shown_on.write("\n")
                self._shown_on.flush()
                self._shown = self._shown_on = None
            self._status = None

    def close(self) -> None:
        """No more status lines: take the one shown away (a summary follows)."""
        with self._lock:
            self._closed = True
            self._status = None
            self._take_away()
            if self._beating is not None:
                self._beating.set()
                self._beating = None

    # -- the heartbeat ------------------------------------------------------------

    def _start_heartbeat(self) -> None:
        # Started with the first task that runs, not earlier: doit's workers are forked
        # by then, so none of them is forked from a process with a second thread.
        if not self._heartbeat or self._beating is not None or self.live(self.out):
            return
        self._beating = threading.Event()
        threading.Thread(
            target=_beat_until,
            args=(weakref.ref(self), self._beating, self._log_every),
            name="clm-progress-heartbeat",
            daemon=True,
        ).start()

    # -- the mechanism ------------------------------------------------------------

    def _write(self, stream: TextIO, text: str) -> None:
        self._take_away()
        stream.write(text + "\n")
        stream.flush()
        self._redraw()  # not throttled: the line was just taken away

    def _redraw(self) -> None:
        if self._closed:
            return
        if self._status is not None:
            self._draw(self._status_on, self._status)
        elif self.tasks is not None and self.live(self.out):
            self._draw(self.out, self.tasks.line())

    def _progressed(self) -> None:
        if self._closed:
            return
        now = self._clock()
        if self.live(self.out):
            if now - self._drawn_at >= REDRAW_EVERY:
                self._draw(self.out, self.tasks.line())
        elif now - self._logged_at >= self._log_every and self.tasks.counts() != self._logged:
            self._logged_at, self._logged = now, self.tasks.counts()
            self._write(self.out, self.tasks.log_line())

    def _draw(self, stream: TextIO, text: str) -> None:
        # The line must fit: a wrapped line is no longer erased by "\r" and erase-line.
        width = max(shutil.get_terminal_size(fallback=(100, 24)).columns - 1, 1)
        if len(text) > width:
            text = text[: width - 1] + "…"
        if text != self._shown or stream is not self._shown_on:
            if stream is not self._shown_on:
                self._take_away()  # from the other stream; on this one, CLEAR_LINE does it
            stream.write(CLEAR_LINE + text)
            stream.flush()
            self._shown, self._shown_on = text, stream
        self._drawn_at = self._clock()

    def _take_away(self) -> None:
        if self._shown is not None and self._shown_on is not None:
            self._shown_on.write(CLEAR_LINE)
            self._shown_on.flush()
        self._shown = self._shown_on = None


def _beat_until(reporter: weakref.ref[Reporter], stop: threading.Event, every: float) -> None:
    # A weak reference: a reporter nobody closed must not live on through its thread.
    while not stop.wait(every / 4):
        alive = reporter()
        if alive is None:
            return
        alive.beat()
        del alive


def _lock_across_forks(reporter: Reporter) -> None:
    """Fork only while no line is half written, and give the child a lock of its own
    (the heartbeat thread does not exist there)."""
    held = weakref.ref(reporter)

    def before() -> None:
        alive = held()
        if alive is not None:
            alive._lock.acquire()

    def after_in_parent() -> None:
        alive = held()
        if alive is not None:
            alive._lock.release()

    def after_in_child() -> None:
        alive = held()
        if alive is not None:
            alive._lock = threading.RLock()
            alive._beating = None

    os.register_at_fork(
        before=before, after_in_parent=after_in_parent, after_in_child=after_in_child
    )
