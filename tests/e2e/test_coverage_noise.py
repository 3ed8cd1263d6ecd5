"""The test harness's filter of coverage.py's own exit noise keeps everything else."""

from __future__ import annotations

from tests.e2e.helpers import without_coverage_noise

NOISE = """\
Exception ignored in: <generator object SqliteDb.execute at 0x7f0544013f10>
Traceback (most recent call last):
  File "/x/.venv/lib/python3.11/site-packages/coverage/sqlitedb.py", line 213, in execute
    cur.close()
sqlite3.ProgrammingError: Cannot operate on a closed database.
"""


def test_only_coverages_own_exception_is_dropped():
    before, after = "clm: 1 output written\n", "clm: error: no space left\n"
    assert without_coverage_noise(before + NOISE + after) == before + after


def test_a_traceback_of_clm_is_kept():
    theirs = 'Traceback (most recent call last):\n  File "clm/x.py", line 1\nValueError: x\n'
    assert without_coverage_noise(NOISE + theirs) == theirs


# A worker's SIGTERM (coverage's handler saves its data) amid the worker's asyncio loop.
CALLBACK_NOISE = """\
Exception in callback _UnixSelectorEventLoop._read_from_self()
handle: <Handle _UnixSelectorEventLoop._read_from_self()>
Traceback (most recent call last):
  File "/usr/lib/python3.11/asyncio/events.py", line 84, in _run
    self._context.run(self._callback, *self._args)
  File "/x/.venv/lib/python3.11/site-packages/coverage/control.py", line 755, in _on_sigterm
    self._atexit("sigterm")
  File "/x/.venv/lib/python3.11/site-packages/coverage/sqlitedb.py", line 120, in execute
    return self.con.execute(sql, parameters)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
sqlite3.OperationalError: no such table: coverage_schema

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/x/.venv/lib/python3.11/site-packages/coverage/sqldata.py", line 303, in _read_db
    raise DataError(msg) from exc
coverage.exceptions.DataError: Couldn't use data file '/c/.coverage.vm.pid1': no such table: coverage_schema
"""


def test_coverages_exception_in_an_asyncio_callback_is_dropped_with_its_chain():
    before, after = "clm: 2 outputs written\n", "clm: error: no space left on its file system\n"
    assert without_coverage_noise(before + CALLBACK_NOISE + after) == before + after


def test_a_clm_traceback_under_the_same_headings_is_kept():
    theirs = (
        "Exception in callback Task.step()\n"
        "handle: <Handle Task.step()>\n"
        "Traceback (most recent call last):\n"
        '  File "/x/coverage/control.py", line 1, in wrapper\n'
        '  File "/x/clm/execute/runner.py", line 9, in run\n'
        "    raise KeyError\n"
        "KeyError\n"
    )
    assert without_coverage_noise(NOISE + theirs + CALLBACK_NOISE) == theirs
