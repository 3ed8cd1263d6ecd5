from __future__ import annotations

import io
import os
import shutil

import pytest

from clm.tasks.progress import CLEAR_LINE, Progress, clock_text


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def terminal_width(monkeypatch):
    def set_columns(columns: int) -> None:
        monkeypatch.setattr(
            shutil, "get_terminal_size", lambda fallback=(100, 24): os.terminal_size((columns, 24))
        )

    set_columns(120)
    return set_columns


def plain(clock: Clock, total: int = 10, interval: float = 10.0) -> tuple[Progress, io.StringIO]:
    stream = io.StringIO()
    return Progress(stream, total, live=False, interval=interval, clock=clock), stream


def live(clock: Clock, total: int = 10) -> tuple[Progress, io.StringIO]:
    stream = io.StringIO()
    return Progress(stream, total, live=True, clock=clock), stream


def test_clock_text():
    assert clock_text(0) == "0:00"
    assert clock_text(42.9) == "0:42"
    assert clock_text(70) == "1:10"
    assert clock_text(3599) == "59:59"
    assert clock_text(3600 + 62) == "1:01:02"


def test_counts(clock):
    progress, _ = plain(clock)
    progress.uptodate("a")
    progress.started("b")
    progress.started("c")
    assert (progress.done, progress.running, progress.failed) == (1, 2, 0)
    progress.finished("b")
    progress.finished("c", failed=True)
    progress.not_run("d")
    assert (progress.done, progress.running, progress.failed, progress.total) == (4, 0, 1, 10)
    clock.advance(42)
    assert progress.elapsed == 42


def test_line(clock):
    progress, _ = plain(clock, total=560)
    assert progress.line() == "0/560 done · 0 running · 0:00 elapsed"
    progress.started("a")
    clock.advance(10)
    progress.finished("a", failed=True)
    assert progress.line() == "1/560 done · 0 running · 1 failed · 0:10 elapsed · ~1:33:10 left"


def test_total_grows_when_exceeded(clock):
    progress, _ = plain(clock, total=2)
    progress.uptodate("a")
    progress.uptodate("b")
    progress.started("c")
    assert progress.total == 3
    assert progress.done + progress.running <= progress.total
    progress.finished("c")
    assert (progress.done, progress.total) == (3, 3)


def test_detects_a_terminal(clock):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert Progress(Terminal(), 1, clock=clock)._live
    assert not Progress(io.StringIO(), 1, clock=clock)._live


def test_plain_prints_at_most_every_interval(clock):
    progress, stream = plain(clock, total=560)
    progress.started("a")
    clock.advance(5)
    progress.finished("a")
    assert stream.getvalue() == ""  # a short build says nothing
    clock.advance(5)
    progress.uptodate("b")
    assert stream.getvalue() == "[clm] 2/560 done, 0 running, 0:10 elapsed, ~46:30 left\n"
    clock.advance(9)
    progress.uptodate("c")
    assert stream.getvalue().count("\n") == 1
    clock.advance(1)
    progress.uptodate("d")
    assert stream.getvalue().count("\n") == 2
    assert stream.getvalue().endswith("[clm] 4/560 done, 0 running, 0:20 elapsed, ~46:20 left\n")


def test_plain_prints_nothing_when_unchanged(clock):
    progress, stream = plain(clock)
    progress.started("a")
    clock.advance(10)
    progress.started("b")
    assert stream.getvalue().count("\n") == 1
    clock.advance(60)
    progress.write("a\n")  # output alone is no change of progress
    progress._changed()  # nor is time passing: a call that changes no count prints nothing
    assert stream.getvalue() == "[clm] 0/10 done, 2 running, 0:10 elapsed\na\n"
    progress.close()
    assert stream.getvalue() == "[clm] 0/10 done, 2 running, 0:10 elapsed\na\n"


def test_plain_write_is_not_glued_to_a_line(clock):
    progress, stream = plain(clock)
    progress.write(".  a")
    clock.advance(10)
    progress.uptodate("b")
    assert stream.getvalue() == ".  a\n[clm] 1/10 done, 0 running, 0:10 elapsed\n"


def test_live_redraws_in_place_and_throttles(clock):
    progress, stream = live(clock)
    progress.uptodate("a")
    assert stream.getvalue() == CLEAR_LINE + "1/10 done · 0 running · 0:00 elapsed"
    clock.advance(0.05)
    progress.uptodate("b")  # too soon: not drawn
    assert stream.getvalue().count(CLEAR_LINE) == 1
    clock.advance(0.06)
    progress.uptodate("c")
    assert stream.getvalue().count(CLEAR_LINE) == 2
    assert stream.getvalue().endswith(CLEAR_LINE + "3/10 done · 0 running · 0:00 elapsed")
    assert "\n" not in stream.getvalue()


def test_live_throttles_to_about_ten_redraws_a_second(clock):
    progress, stream = live(clock, total=1000)
    for number in range(1000):  # 100 tasks a second for 10 seconds
        progress.uptodate(str(number))
        clock.advance(0.01)
    assert 90 <= stream.getvalue().count(CLEAR_LINE) <= 101


def test_live_write_clears_then_redraws(clock):
    progress, stream = live(clock)
    progress.started("a")
    stream.seek(0)
    stream.truncate()
    progress.write(".  a\n")
    line = "0/10 done · 1 running · 0:00 elapsed"
    assert stream.getvalue() == CLEAR_LINE + ".  a\n" + CLEAR_LINE + line
    stream.seek(0)
    stream.truncate()
    progress.write("no newline")  # the line goes below it, not glued on
    assert stream.getvalue() == CLEAR_LINE + "no newline\n" + CLEAR_LINE + line


def test_live_close_leaves_no_line(clock):
    progress, stream = live(clock)
    progress.started("a")
    progress.close()
    assert stream.getvalue().endswith(CLEAR_LINE)
    progress.close()
    clock.advance(1)
    progress.finished("a")
    progress.write("summary\n")
    assert stream.getvalue().endswith(CLEAR_LINE + "summary\n")
    assert stream.getvalue().count(CLEAR_LINE) == 2


def test_live_line_fits_the_terminal(clock, terminal_width):
    terminal_width(20)
    progress, stream = live(clock, total=560)
    progress.uptodate("a")
    drawn = stream.getvalue().removeprefix(CLEAR_LINE)
    assert drawn == "1/560 done · 0 run…"
    assert len(drawn) == 19


def test_remaining_unknown_until_an_executed_task_finished(clock):
    progress, _ = plain(clock)
    progress.uptodate("a")
    progress.started("b")
    clock.advance(5)
    assert progress.remaining() is None
    assert "left" not in progress.line()
    progress.finished("b")
    assert progress.remaining() == 8 * 5


def test_remaining_counts_the_time_running_tasks_still_need(clock):
    progress, _ = plain(clock)
    progress.started("a")
    clock.advance(10)
    progress.finished("a")
    progress.started("b")
    clock.advance(4)
    assert progress.remaining() == 8 * 10 + 6


def test_remaining_with_parallelism(clock):
    progress, _ = plain(clock, total=12)
    for name in "abcd":
        progress.started(name)
    clock.advance(10)
    for name in "abcd":
        progress.finished(name)
    assert progress.remaining() == 8 * 10 / 4
    assert progress.line().endswith("~0:20 left")


def test_remaining_not_fooled_by_up_to_date_tasks(clock):
    progress, _ = plain(clock, total=560)
    progress.started("changed")
    clock.advance(10)
    progress.finished("changed")
    for number in range(500):
        progress.uptodate(str(number))
    # Up-to-date tasks neither shorten the average nor pretend the rest are up to date.
    assert progress.remaining() == 59 * 10
    for number in range(59):
        progress.uptodate(f"late {number}")
    assert progress.remaining() == 0
