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
