"""The Reporter: one voice for a run, a redrawn line on a terminal, whole lines in a log."""

from __future__ import annotations

import io
import os
import shutil
import threading
import time

import pytest

from clm.session.progress import clock_text
from clm.session.reporter import CLEAR_LINE, Reporter


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


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def plain(clock: Clock, total: int = 10, interval: float = 10.0) -> tuple[Reporter, io.StringIO]:
    stream = io.StringIO()
    reporter = Reporter(
        stream, io.StringIO(), live=False, log_every=interval, clock=clock, heartbeat=False
    )
    reporter.begin_tasks(total)
    return reporter, stream


def live(clock: Clock, total: int = 10) -> tuple[Reporter, io.StringIO]:
    stream = io.StringIO()
    reporter = Reporter(stream, io.StringIO(), live=True, clock=clock)
    reporter.begin_tasks(total)
    return reporter, stream


def test_clock_text():
    assert clock_text(0) == "0:00"
    assert clock_text(42.9) == "0:42"
    assert clock_text(70) == "1:10"
    assert clock_text(3599) == "59:59"
    assert clock_text(3600 + 62) == "1:01:02"


def test_counts(clock):
    reporter, _ = plain(clock)
    reporter.uptodate("a")
    reporter.started("b")
    reporter.started("c")
    assert (reporter.tasks.done, reporter.tasks.running, reporter.tasks.failed) == (1, 2, 0)
    reporter.finished("b")
    reporter.finished("c", failed=True)
    reporter.not_run("d")
    assert (
        reporter.tasks.done,
        reporter.tasks.running,
        reporter.tasks.failed,
        reporter.tasks.total,
    ) == (4, 0, 1, 10)
    clock.advance(42)
    assert reporter.tasks.elapsed == 42


def test_line(clock):
    reporter, _ = plain(clock, total=560)
    assert reporter.tasks.line() == "0/560 done · 0 running · 0:00 elapsed"
    reporter.started("a")
    clock.advance(10)
    reporter.finished("a", failed=True)
    assert (
        reporter.tasks.line() == "1/560 done · 0 running · 1 failed · 0:10 elapsed · ~1:33:10 left"
    )


def test_total_grows_when_exceeded(clock):
    reporter, _ = plain(clock, total=2)
    reporter.uptodate("a")
    reporter.uptodate("b")
    reporter.started("c")
    assert reporter.tasks.total == 3
    assert reporter.tasks.done + reporter.tasks.running <= reporter.tasks.total
    reporter.finished("c")
    assert (reporter.tasks.done, reporter.tasks.total) == (3, 3)


def test_detects_a_terminal(clock):
    reporter = Reporter(Terminal(), io.StringIO(), clock=clock)
    assert reporter.live(reporter.out)
    assert not reporter.live(reporter.err)


def test_plain_prints_at_most_every_interval(clock):
    reporter, stream = plain(clock, total=560)
    reporter.started("a")
    clock.advance(5)
    reporter.finished("a")
    assert stream.getvalue() == ""  # a short build says nothing
    clock.advance(5)
    reporter.uptodate("b")
    assert stream.getvalue() == "[clm] 2/560 done, 0 running, 0:10 elapsed, ~46:30 left\n"
    clock.advance(9)
    reporter.uptodate("c")
    assert stream.getvalue().count("\n") == 1
    clock.advance(1)
    reporter.uptodate("d")
    assert stream.getvalue().count("\n") == 2
    assert stream.getvalue().endswith("[clm] 4/560 done, 0 running, 0:20 elapsed, ~46:20 left\n")


def test_plain_prints_nothing_when_unchanged(clock):
    reporter, stream = plain(clock)
    reporter.started("a")
    clock.advance(10)
    reporter.started("b")
    assert stream.getvalue().count("\n") == 1
    clock.advance(60)
    reporter.line("a")  # output alone is no change of progress
    reporter._progressed()  # nor is time passing: a call that changes no count prints nothing
    assert stream.getvalue() == "[clm] 0/10 done, 2 running, 0:10 elapsed\na\n"
    reporter.close()
    assert stream.getvalue() == "[clm] 0/10 done, 2 running, 0:10 elapsed\na\n"


def test_a_log_hears_of_a_long_running_task_every_interval(clock):
    reporter, stream = plain(clock)
    reporter.started("html_de_intro")
    clock.advance(4)
    reporter.beat()
    assert stream.getvalue() == ""  # not yet an interval
    clock.advance(6)
    reporter.beat()
    clock.advance(3)
    reporter.beat()
    clock.advance(8)
    reporter.beat()
    assert stream.getvalue().splitlines() == [
        "[clm] 0/10 done, 1 running, 0:10 elapsed, html_de_intro running for 0:10",
        "[clm] 0/10 done, 1 running, 0:21 elapsed, html_de_intro running for 0:21",
    ]


def test_the_heartbeat_is_silent_when_nothing_runs_and_once_closed(clock):
    reporter, stream = plain(clock)
    clock.advance(60)
    reporter.beat()
    assert stream.getvalue() == ""
    reporter.started("a")  # a change of the counts, an interval after the last line
    reporter.close()
    clock.advance(60)
    reporter.beat()
    assert stream.getvalue() == "[clm] 0/10 done, 1 running, 1:00 elapsed\n"


def test_a_heartbeat_thread_writes_the_line_of_a_task_that_runs_on():
    stream = io.StringIO()
    reporter = Reporter(stream, io.StringIO(), live=False, log_every=0.2)
    reporter.begin_tasks(3)
    reporter.started("execute_intro")
    waited = 0.0
    while "execute_intro running for" not in stream.getvalue() and waited < 60:
        time.sleep(0.05)
        waited += 0.05
    reporter.close()
    assert "[clm] 0/3 done, 1 running" in stream.getvalue()
    assert "execute_intro running for" in stream.getvalue()
    assert not any(t.name == "clm-progress-heartbeat" and t.is_alive() for t in _stopped())


def _stopped() -> list[threading.Thread]:
    """The threads still alive once a closed reporter's heartbeat had time to notice."""
    for _ in range(200):
        beating = [t for t in threading.enumerate() if t.name == "clm-progress-heartbeat"]
        if not any(t.is_alive() for t in beating):
            return beating
        time.sleep(0.05)
    return beating


def test_a_terminal_gets_no_heartbeat_thread(clock):
    stream = Terminal()
    reporter = Reporter(stream, io.StringIO(), clock=clock)
    reporter.begin_tasks(3)
    reporter.started("a")
    assert not any(t.name == "clm-progress-heartbeat" for t in threading.enumerate())
    reporter.close()


def test_plain_lines_and_progress_are_whole_lines(clock):
    reporter, stream = plain(clock)
    reporter.line(".  a")
    clock.advance(10)
    reporter.uptodate("b")
    assert stream.getvalue() == ".  a\n[clm] 1/10 done, 0 running, 0:10 elapsed\n"


def test_live_redraws_in_place_and_throttles(clock):
    reporter, stream = live(clock)
    reporter.uptodate("a")
    assert stream.getvalue() == CLEAR_LINE + "1/10 done · 0 running · 0:00 elapsed"
    clock.advance(0.05)
    reporter.uptodate("b")  # too soon: not drawn
    assert stream.getvalue().count(CLEAR_LINE) == 1
    clock.advance(0.06)
    reporter.uptodate("c")
    assert stream.getvalue().count(CLEAR_LINE) == 2
    assert stream.getvalue().endswith(CLEAR_LINE + "3/10 done · 0 running · 0:00 elapsed")
    assert "\n" not in stream.getvalue()


def test_live_throttles_to_about_ten_redraws_a_second(clock):
    reporter, stream = live(clock, total=1000)
    for number in range(1000):  # 100 tasks a second for 10 seconds
        reporter.uptodate(str(number))
        clock.advance(0.01)
    assert 90 <= stream.getvalue().count(CLEAR_LINE) <= 101


def test_live_write_clears_then_redraws(clock):
    reporter, stream = live(clock)
    reporter.started("a")
    stream.seek(0)
    stream.truncate()
    reporter.line(".  a")
    line = "0/10 done · 1 running · 0:00 elapsed"
    assert stream.getvalue() == CLEAR_LINE + ".  a\n" + CLEAR_LINE + line
    stream.seek(0)
    stream.truncate()
    reporter.line("two\nlines")  # the status line goes below them, not glued on
    assert stream.getvalue() == CLEAR_LINE + "two\nlines\n" + CLEAR_LINE + line


def test_live_close_leaves_no_line(clock):
    reporter, stream = live(clock)
    reporter.started("a")
    reporter.close()
    assert stream.getvalue().endswith(CLEAR_LINE)
    reporter.close()
    clock.advance(1)
    reporter.finished("a")
    reporter.line("summary")
    assert stream.getvalue().endswith(CLEAR_LINE + "summary\n")
    assert stream.getvalue().count(CLEAR_LINE) == 2


def test_live_line_fits_the_terminal(clock, terminal_width):
    terminal_width(20)
    reporter, stream = live(clock, total=560)
    reporter.uptodate("a")
    drawn = stream.getvalue().removeprefix(CLEAR_LINE)
    assert drawn == "1/560 done · 0 run…"
    assert len(drawn) == 19


def test_remaining_unknown_until_an_executed_task_finished(clock):
    reporter, _ = plain(clock)
    reporter.uptodate("a")
    reporter.started("b")
    clock.advance(5)
    assert reporter.tasks.remaining() is None
    assert "left" not in reporter.tasks.line()
    reporter.finished("b")
    assert reporter.tasks.remaining() == 8 * 5


def test_remaining_counts_the_time_running_tasks_still_need(clock):
    reporter, _ = plain(clock)
    reporter.started("a")
    clock.advance(10)
    reporter.finished("a")
    reporter.started("b")
    clock.advance(4)
    assert reporter.tasks.remaining() == 8 * 10 + 6


def test_remaining_with_parallelism(clock):
    reporter, _ = plain(clock, total=12)
    for name in "abcd":
        reporter.started(name)
    clock.advance(10)
    for name in "abcd":
        reporter.finished(name)
    assert reporter.tasks.remaining() == 8 * 10 / 4
    assert reporter.tasks.line().endswith("~0:20 left")


def test_remaining_not_fooled_by_up_to_date_tasks(clock):
    reporter, _ = plain(clock, total=560)
    reporter.started("changed")
    clock.advance(10)
    reporter.finished("changed")
    for number in range(500):
        reporter.uptodate(str(number))
    # Up-to-date tasks neither shorten the average nor pretend the rest are up to date.
    assert reporter.tasks.remaining() == 59 * 10
    for number in range(59):
        reporter.uptodate(f"late {number}")
    assert reporter.tasks.remaining() == 0


# -- beyond the tasks' progress: streams, warnings, the cluster's status line ----------


def both(clock: Clock, terminal: bool) -> tuple[Reporter, io.StringIO, io.StringIO]:
    out, err = (Terminal(), Terminal()) if terminal else (io.StringIO(), io.StringIO())
    return Reporter(out, err, clock=clock), out, err


@pytest.mark.parametrize("terminal", [False, True])
def test_lines_go_to_the_story_diagnostics_beside_it(clock, terminal):
    reporter, out, err = both(clock, terminal)
    reporter.line(".  deck")
    reporter.warning("deck.py:3: warning: odd")
    reporter.error("error: broken")
    reporter.note("clm: shared cache: 2 results pushed")
    assert out.getvalue() == ".  deck\n"
    assert err.getvalue() == (
        "deck.py:3: warning: odd\nerror: broken\nclm: shared cache: 2 results pushed\n"
    )


def test_a_warning_once_is_said_once_in_a_run(clock):
    reporter, _, err = both(clock, terminal=False)
    for _ in range(3):
        reporter.warning("clm: warning: a bad entry", once=True)
    reporter.warning("clm: warning: another", once=True)
    assert err.getvalue() == "clm: warning: a bad entry\nclm: warning: another\n"
    reporter.warning("deck.py:1: warning: again and again")
    reporter.warning("deck.py:1: warning: again and again")
    assert err.getvalue().count("again and again") == 2  # without once, each time


def test_a_log_gets_no_escape_sequence_or_carriage_return(clock):
    reporter, out, err = both(clock, terminal=False)
    reporter.begin_tasks(3)
    for name in "abc":
        reporter.started(name)
        reporter.line(f".  {name}")
        reporter.warning(f"{name}.py:1: warning: odd", once=True)
        clock.advance(11)
        reporter.finished(name)
    reporter.status("clm: cluster tcp://x: 3/3 executions done", log=True)
    reporter.end_status()
    reporter.close()
    reporter.line("summary")
    for text in (out.getvalue(), err.getvalue()):
        assert "\x1b" not in text and "\r" not in text
    assert "[clm] 3/3 done, 0 running, 0:33 elapsed, ~0:00 left\n" in out.getvalue()
    assert out.getvalue().endswith("summary\n")
    assert err.getvalue().endswith("clm: cluster tcp://x: 3/3 executions done\n")


def test_a_diagnostic_takes_the_terminal_s_status_line_away_first(clock):
    terminal = Terminal()  # out and err on the same terminal, as in a shell
    reporter = Reporter(terminal, terminal, clock=clock)
    reporter.begin_tasks(2)
    reporter.started("a")
    line = "0/2 done · 1 running · 0:00 elapsed"
    assert terminal.getvalue() == CLEAR_LINE + line
    reporter.warning("a.py:1: warning: odd")
    assert terminal.getvalue() == CLEAR_LINE + line + CLEAR_LINE + "a.py:1: warning: odd\n" + (
        CLEAR_LINE + line
    )


def test_the_cluster_status_is_redrawn_on_a_terminal_and_stays_at_the_end(clock):
    reporter, _, err = both(clock, terminal=True)
    reporter.status("1/2 executions done", log=False)
    reporter.status("2/2 executions done", log=True)
    reporter.end_status()
    assert err.getvalue() == (
        CLEAR_LINE + "1/2 executions done" + CLEAR_LINE + "2/2 executions done\n"
    )


def test_a_log_gets_the_cluster_status_only_when_asked(clock):
    reporter, _, err = both(clock, terminal=False)
    reporter.status("1/2 executions done", log=False)
    reporter.status("2/2 executions done", log=True)
    reporter.end_status()
    assert err.getvalue() == "2/2 executions done\n"


def test_the_story_can_move_to_doit_s_output_file(clock):
    reporter, out, _ = both(clock, terminal=False)
    report = io.StringIO()
    reporter.tell_story_on(report)
    reporter.line("FAILED x")
    assert report.getvalue() == "FAILED x\n" and out.getvalue() == ""
