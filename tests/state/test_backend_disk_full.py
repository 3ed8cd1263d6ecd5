"""The backend's last write on a full disk must not hide the error that stopped the run."""

from __future__ import annotations

import sqlite3

import pytest
from doit.dependency import JSONCodec

from clm.state.backend import SqliteStateDB
from clm.state.workspace import Workspace
from tests import disks

small_disk = disks.small_disk  # the fixture

pytestmark = pytest.mark.linux_only("mounts a small tmpfs to fill (mount, os.statvfs)")


def test_a_dump_that_cannot_write_lets_the_stopping_error_through(tmp_path, small_disk):
    state = small_disk(tmp_path / ".clm", "1m")
    Workspace.at(tmp_path).state()  # the build made it before doit opened it
    backend = SqliteStateDB(str(state / "state.sqlite"), JSONCodec())
    backend.set("task", "some-dependency", "x" * 100_000)  # not committed until the dump
    disks.fill(state)
    with pytest.raises(KeyboardInterrupt):
        try:
            raise KeyboardInterrupt  # what stopped the run
        finally:
            backend.dump()  # doit's Runner.finish, on the way out


def test_a_dump_that_cannot_write_at_the_end_of_a_run_says_so(tmp_path, small_disk):
    state = small_disk(tmp_path / ".clm", "1m")
    Workspace.at(tmp_path).state()  # the build made it before doit opened it
    backend = SqliteStateDB(str(state / "state.sqlite"), JSONCodec())
    backend.set("task", "some-dependency", "x" * 100_000)
    disks.fill(state)
    with pytest.raises(sqlite3.OperationalError, match="full"):
        backend.dump()
