"""A doit backend on the SQLite state that commits as each task finishes.

doit's own backends write at the end of a run, so a killed build loses every
record of its finished work. Here each task's record is one row, written in its
own transaction the moment doit saves the task's success, so a SIGKILL costs at
most the tasks that were still running, and a second doit process on the same
course sees a consistent state.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Collection
from typing import Any

from doit.exceptions import InvalidDodoFile

from clm.errors import CourseError
from clm.state.db import is_damage, transaction, unreadable_state
from clm.state.store import StateStore
from clm.state.workspace import Workspace
from clm.system.processes import pid_alive

# doit's Dependency.save_success sets 'deps:' last: the task's record is complete then.
_LAST_KEY_OF_A_SUCCESS = "deps:"


class SqliteStateDB:
    """doit backend ``clm-sqlite`` (entry point ``doit.BACKEND``)."""

    def __init__(self, name: str, codec: Any, *, module_name: str | None = None):
        self.name = name
        self.codec = codec
        self.workspace = Workspace.of_state_file(name)
        # The run's state, shared with its checker, when the codec carries one (a
        # clm.state.doit_state.StateCodec); otherwise the backend's store is its own.
        self._state = getattr(codec, "state", None)
        self._store: StateStore | None = None
        self._generation = 0
        # Rows as stored; decoded on first use, and compared before writing so
        # that tasks whose record did not change (group tasks, say) cost no write.
        self._raw: dict[str, str] = {}
        self._tasks: dict[str, dict] = {}
        self._dirty: set[str] = set()
        # A course without a state gets one at the first record written: `doit list`
        # and `doit info` leave none behind.
        if self.workspace.exists():
            self._open()

    def _open(self) -> StateStore:
        if self._store is not None:
            return self._store
        try:
            self._store = self._open_store()
            self._generation = self._stored_generation()
            self._raw = dict(self.connection.execute("select task_id, data from doit_tasks"))
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            raise InvalidDodoFile(str(unreadable_state(self.workspace.state_file, error))) from None
        except CourseError as error:  # doit prints its own errors as "ERROR: …", no traceback
            raise InvalidDodoFile(str(error)) from None
        return self._store

    def _open_store(self) -> StateStore:
        if self._state is not None:
            return self._state.store()
        self.workspace.make_folder()
        return StateStore(self.workspace.state_file.resolve())

    @property
    def store(self) -> StateStore:
        return self._open()

    @property
    def connection(self) -> sqlite3.Connection:
        return self.store.connection

    def refresh(self) -> None:
        """Read the task records again if another process changed them since we last did.

        A build that waited for another, and a watcher between two saves, must not
        decide from records another build has since replaced; re-reading them all
        on every cycle would cost more than the cycle.
        """
        self._commit(sorted(self._dirty))
        if self._store is None and not self.workspace.exists():
            return  # nothing recorded yet, here or by another build
        if self._stored_generation() == self._generation:
            return
        self._generation = self._stored_generation()
        self._raw = dict(self.connection.execute("select task_id, data from doit_tasks"))
        self._tasks.clear()
        self.store.reload_hashes()

    def _stored_generation(self) -> int:
        row = self.connection.execute(
            "select value from meta where key = 'task-records'"
        ).fetchone()
        return int(row[0]) if row else 0

    def _bump_generation(self) -> None:
        """Inside a write transaction: mark the task records as changed by this process."""
        _bump_generation(self.connection)
        self._generation = self._stored_generation()

    def _task(self, task_id: str) -> dict | None:
        data = self._tasks.get(task_id)
        if data is None:
            raw = self._raw.get(task_id)
            if raw is not None:
                data = self._tasks[task_id] = self.codec.decode(raw)
        return data

    def get(self, task_id: str, dependency: str) -> Any:
        data = self._tasks.get(task_id) or self._task(task_id)
        return None if data is None else data.get(dependency)

    def set(self, task_id: str, dependency: str, value: Any) -> None:
        data = self._task(task_id)
        if data is None:
            data = self._tasks[task_id] = {}
        data[dependency] = value
        self._dirty.add(task_id)
        if dependency in (_LAST_KEY_OF_A_SUCCESS, "ignore:"):
            self._commit([task_id])

    def in_(self, task_id: str) -> bool:
        return task_id in self._tasks or task_id in self._raw

    def remove(self, task_id: str) -> None:
        self._tasks.pop(task_id, None)
        self._raw.pop(task_id, None)
        self._dirty.discard(task_id)
        with transaction(self.connection):
            self.connection.execute("delete from doit_tasks where task_id = ?", (task_id,))
            self._bump_generation()

    def remove_all(self) -> None:
        self._tasks.clear()
        self._raw.clear()
        self._dirty.clear()
        with transaction(self.connection):
            self.connection.execute("delete from doit_tasks")
            self._bump_generation()

    def _commit(self, task_ids: list[str]) -> None:
        rows = []
        for task_id in task_ids:
            encoded = self.codec.encode(self._tasks[task_id])
            if encoded != self._raw.get(task_id):
                rows.append((task_id, encoded))
                self._raw[task_id] = encoded
        self._dirty.difference_update(task_ids)
        if rows or (self._store is not None and self._store.has_new_hashes()):
            with transaction(self.connection):
                self.connection.executemany("insert or replace into doit_tasks values (?, ?)", rows)
                if rows:
                    self._bump_generation()
                self.store.flush_hashes()

    def dump(self) -> None:
        # doit dumps while an error stops its run, too; a state that cannot be written
        # then (the disk is full) must not hide that error from the reporter.
        stopping = sys.exc_info()[1] is not None
        try:
            self._commit(sorted(self._dirty))
            if self._store is not None:
                self._store.close()
        except sqlite3.Error:
            if not stopping:
                raise
            self.connection.close()
        finally:
            if self._state is not None:
                self._state.closed()


def _bump_generation(connection: sqlite3.Connection) -> None:
    """Inside a write transaction: mark the task records as changed (see refresh)."""
    connection.execute(
        "insert into meta values ('task-records', '1') on conflict(key) "
        "do update set value = cast(value as integer) + 1"
    )


def old_task_records(
    workspace: Workspace, outputs: Collection[str], tasks: Collection[str]
) -> list[str]:
    """The records of tasks named after one of ``outputs`` (``<deck>:<output>``) that are
    not among the build's ``tasks``: tasks the plan no longer has.

    doit keeps a task's record after the task is gone (a deleted deck, a layout
    or target left behind, a trainer file now written by recording's task), and
    every run reads every record. Only tasks named after this spec's own outputs
    count: another spec of the course keeps its records.
    """
    rows = workspace.state().execute("select task_id from doit_tasks")
    return [
        task
        for (task,) in rows
        if ":" in task and task not in tasks and task.split(":", 1)[1] in outputs
    ]


def forget_task_records(workspace: Workspace, records: list[str]) -> None:
    """Drop task records (old_task_records); a process holding the records sees the change
    at its next refresh."""
    if records:
        db = workspace.state()
        with transaction(db):
            db.executemany("delete from doit_tasks where task_id = ?", [(r,) for r in records])
            _bump_generation(db)


def sweep_temp_files(workspace: Workspace) -> list[str]:
    """Delete temporary files left by writers that died before renaming them.

    Called when a run starts (clm.tasks.bookkeeping), never by merely opening the state.
    """
    connection = workspace.state()
    swept = []
    rows = connection.execute("select path, pid from temp_files").fetchall()
    for path, pid in rows:
        if pid != os.getpid() and pid_alive(pid):
            continue
        try:
            os.unlink(workspace.root / path)
            swept.append(path)
        except FileNotFoundError:
            pass
        with transaction(connection):
            connection.execute("delete from temp_files where path = ?", (path,))
    return swept
