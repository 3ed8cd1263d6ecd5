"""The results cache: what a deck's code printed, by what the kernel ran, and
the pictures a diagram source renders to, by its content.

A separate SQLite file (``.clm/cache.sqlite``) so that it can travel on its
own, e.g. as a CI cache artifact: ``clm cache export`` / ``clm cache import``.
Besides successful executions, a failure is stored only when a cell raised
(clm.state.results); a timeout or a dead kernel is never a result.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from clm.errors import CourseError
from clm.state import db
from clm.state.db import is_damage, open_database, shown_path, transaction
from clm.state.results import EXECUTIONS, FAILURES, KINDS, RENDERS, ResultsCache
from clm.state.schema import CACHE_SCHEMA

TABLES = KINDS
# Where a cache found damaged by whatever first opened it is told of: the entry
# points check it first (check_usable) and say so themselves; without a handler,
# Python prints the bare message on stderr.
_log = logging.getLogger(__name__)
_VALUE_COLUMNS = {EXECUTIONS: "outputs", RENDERS: "files", FAILURES: "failure"}
_TEXT_KINDS = (EXECUTIONS, FAILURES)  # stored as JSON text; renders as blobs


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _open(path)
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        _log.warning(_put_aside(path, error))
        return _open(path)


def _open(path: Path) -> sqlite3.Connection:
    connection = open_database(path)
    try:
        connection.executescript(CACHE_SCHEMA)
        # A damaged file often passes the pragmas and fails at its first read.
        connection.execute("select key from executions limit 1").fetchone()
    except BaseException:
        connection.close()
        raise
    return connection


def _put_aside(path: Path, error: BaseException) -> str:
    """Everything in the cache can be computed again: a damaged cache is moved
    aside (not deleted, it may be worth a look) and a new one started; the warning
    that says so."""
    aside = path.with_name(f"{path.name}.damaged")  # one kept: the latest
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")
    return (
        f"warning: {shown_path(path)}: the results cache could not be read ({error}); it only "
        f"holds results clm can compute again, so it was moved to {shown_path(aside)} and a "
        "new, empty cache was started (executions and renders are redone once)"
    )


def replace_if_damaged(path: Path) -> str | None:
    """Check the whole cache file; a damaged one is put aside: the warning that says so."""
    if not path.is_file():
        return None
    checker = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        verdict = checker.execute("pragma quick_check").fetchone()[0]
        error: BaseException | None = None if verdict == "ok" else ValueError(verdict)
    except sqlite3.DatabaseError as found:
        if not is_damage(found):
            raise
        error = found
    finally:
        checker.close()
    if error is None:
        return None
    stale = db.unregister(path)
    if stale is not None:
        stale.close()
    return _put_aside(path, error)


def check_usable(path: Path) -> str | None:
    """Open the cache once in this process, replacing it when damaged: the warning
    that says so.

    Called before the workers start, so that they find a usable cache and do
    not race to replace a damaged one.
    """
    warning = None
    if path.is_file():
        try:
            _open(path).close()
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            stale = db.unregister(path)
            if stale is not None:
                stale.close()
            warning = _put_aside(path, error)
    connection(path)
    return warning


def connection(path: Path) -> sqlite3.Connection:
    """This process's connection to a cache file (workers open their own)."""
    return db.registered(path, lambda: _connect(path))


def clear(path: Path) -> int:
    """Drop every entry; how many there were."""
    conn = connection(path)
    removed = stats(path).entries
    with transaction(conn):
        for table in TABLES:
            conn.execute(f"delete from {table}")
    conn.execute("vacuum")
    return removed


class SqliteResultsCache:
    """The course's results cache: ``.clm/cache.sqlite`` (a ResultsCache).

    Executions and kept failures are stored as JSON text, renders as packed
    blobs, each with its size and when it was made and last used, which ``clm
    cache prune`` reads.
    """

    def __init__(self, path: Path):
        self.path = Path(path)

    def _table(self, kind: str) -> tuple[str, str]:
        if kind not in TABLES:
            raise ValueError(kind)
        return kind, _VALUE_COLUMNS[kind]

    def get(self, kind: str, key: str) -> bytes | None:
        table, column = self._table(kind)
        conn = connection(self.path)
        row = conn.execute(f"select {column} from {table} where key = ?", (key,)).fetchone()
        if row is None:
            return None
        conn.execute(f"update {table} set last_used = ? where key = ?", (time.time(), key))
        value = row[0]
        return value.encode() if isinstance(value, str) else bytes(value)

    def put(self, kind: str, key: str, data: bytes) -> None:
        table, _ = self._table(kind)
        value = data.decode() if kind in _TEXT_KINDS else data
        now = time.time()
        connection(self.path).execute(
            f"insert or replace into {table} values (?, ?, ?, ?, ?)",
            (key, value, len(data), now, now),
        )

    def drop(self, kind: str, key: str) -> None:
        table, _ = self._table(kind)
        connection(self.path).execute(f"delete from {table} where key = ?", (key,))

    def contains(self, kind: str, key: str) -> bool:
        table, _ = self._table(kind)
        row = (
            connection(self.path).execute(f"select 1 from {table} where key = ?", (key,)).fetchone()
        )
        return row is not None


def cache_warnings(cache: ResultsCache) -> list[str]:
    """What ``cache`` has to say since last asked (a shared store's failures)."""
    take = getattr(cache, "take_warnings", None)
    return take() if take is not None else []


def fetched_remotely(cache: ResultsCache) -> int:
    """How many results a shared cache under ``cache`` served since last asked."""
    take = getattr(cache, "take_fetched", None)
    return take() if take is not None else 0


@dataclass(frozen=True)
class CacheStats:
    entries: int  # executions, renders and kept failures
    size: int  # bytes of stored outputs, pictures and failures
    executions: int = 0
    renders: int = 0
    failures: int = 0


def stats(path: Path) -> CacheStats:
    conn = connection(path)
    counts = {}
    size = 0
    for table in TABLES:
        entries, bytes_ = conn.execute(
            f"select count(*), coalesce(sum(size), 0) from {table}"
        ).fetchone()
        counts[table] = entries
        size += bytes_
    return CacheStats(
        sum(counts.values()), size, counts[EXECUTIONS], counts[RENDERS], counts[FAILURES]
    )


def all_entries(kind: str, path: Path) -> Iterator[tuple[str, bytes]]:
    """Every (key, stored bytes) of one kind, for copying the cache elsewhere."""
    column = _VALUE_COLUMNS[kind]
    for key, value in connection(path).execute(f"select key, {column} from {kind} order by key"):
        yield key, value.encode() if isinstance(value, str) else bytes(value)


def peek(path: Path, kind: str, key: str) -> bytes | None:
    """The bytes stored under ``key``, without marking them as used (for reports)."""
    column = _VALUE_COLUMNS[kind]
    row = connection(path).execute(f"select {column} from {kind} where key = ?", (key,)).fetchone()
    if row is None:
        return None
    return row[0].encode() if isinstance(row[0], str) else bytes(row[0])


def export_cache(target: Path, path: Path) -> CacheStats:
    """Write the whole cache into one standalone SQLite file, replacing ``target`` (the
    caller decides whether it may) in one step: it is never left half written."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        connection(path).execute("vacuum into ?", (str(temporary),))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return stats(path)


def import_cache(source: Path, path: Path) -> int:
    """Add the entries of an exported cache; returns how many were new.

    Raises CourseError, and changes nothing, when ``source`` is not a clm cache.
    """
    present = _exported_tables(source)
    conn = connection(path)
    before = stats(path).entries
    conn.execute("attach database ? as imported", (str(source),))
    try:
        with transaction(conn):
            for table in present:  # caches exported before renders were cached have none
                conn.execute(f"insert or ignore into {table} select * from imported.{table}")
            _drop_superseded_failures(conn)
    finally:
        conn.execute("detach database imported")
    return stats(path).entries - before


def _drop_superseded_failures(conn: sqlite3.Connection) -> None:
    """A failure kept under a key that also has its outputs is stale: a later run of
    the same code succeeded (a flaky cell), and the success is the result."""
    conn.execute("delete from failures where key in (select key from executions)")


def _exported_tables(source: Path) -> list[str]:
    """The cache tables an exported file holds, each with exactly clm's columns."""
    fix = "export one with `clm cache export FILE` from a course that has a cache"
    try:
        exported = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise CourseError(f"cannot open the file as a clm cache ({error}); {fix}", source) from None
    expected = _schema_columns()
    try:
        tables = []
        for table in TABLES:
            columns = [row[1] for row in exported.execute(f"pragma table_info({table})")]
            if not columns:
                continue
            if columns != expected[table]:
                raise CourseError(
                    f"its table '{table}' has the columns {', '.join(columns)}, not those of "
                    f"a clm cache ({', '.join(expected[table])}); {fix}",
                    source,
                )
            tables.append(table)
    except sqlite3.DatabaseError as error:
        raise CourseError(f"not a clm cache export ({error}); {fix}", source) from None
    finally:
        exported.close()
    if not tables:
        raise CourseError(
            f"not a clm cache export: it has no table of executions, renders or failures; {fix}",
            source,
        )
    return tables


def _schema_columns() -> dict[str, list[str]]:
    """The columns of each cache table, as CACHE_SCHEMA defines them."""
    memory = sqlite3.connect(":memory:")
    try:
        memory.executescript(CACHE_SCHEMA)
        return {
            table: [row[1] for row in memory.execute(f"pragma table_info({table})")]
            for table in TABLES
        }
    finally:
        memory.close()


def prune(max_bytes: int, path: Path) -> int:
    """Drop the least recently used entries until the outputs fit ``max_bytes``."""
    conn = connection(path)
    total = stats(path).size
    removed = 0
    with transaction(conn):
        every_table = " union all ".join(
            f"select '{table}', key, size, last_used from {table}" for table in TABLES
        )
        entries = conn.execute(f"{every_table} order by 4").fetchall()
        for table, key, size, _ in entries:
            if total <= max_bytes:
                break
            conn.execute(f"delete from {table} where key = ?", (key,))
            total -= size
            removed += 1
    conn.execute("vacuum")
    return removed
