"""The results cache: what a deck's code printed, by what the kernel ran, and
the pictures a diagram source renders to, by its content.

A separate SQLite file (``.clm/cache.sqlite``) so that it can travel on its
own, e.g. as a CI cache artifact: ``clm cache export`` / ``clm cache import``.
Only successful executions are stored; a failure is never a result.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

CACHE_FILE = ".clm/cache.sqlite"

SCHEMA = """
create table if not exists executions (
    key text primary key,
    outputs text not null,
    size integer not null,
    created real not null,
    last_used real not null
);
create table if not exists renders (
    key text primary key,
    files blob not null,
    size integer not null,
    created real not null,
    last_used real not null
);
"""
TABLES = ("executions", "renders")

_connections: dict[tuple[int, str], sqlite3.Connection] = {}


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=60, isolation_level=None)
    connection.execute("pragma journal_mode=wal")
    connection.execute("pragma synchronous=normal")
    connection.executescript(SCHEMA)
    return connection


def connection(path: Path | str = CACHE_FILE) -> sqlite3.Connection:
    """This process's connection to a cache file (workers open their own)."""
    key = (os.getpid(), str(Path(path).resolve()))
    conn = _connections.get(key)
    if conn is None:
        conn = _connections[key] = _connect(Path(path))
    return conn


def get(key: str, path: Path | str = CACHE_FILE) -> list | None:
    """The cells' outputs stored under ``key``, or None; marks the entry as used."""
    conn = connection(path)
    row = conn.execute("select outputs from executions where key = ?", (key,)).fetchone()
    if row is None:
        return None
    conn.execute("update executions set last_used = ? where key = ?", (time.time(), key))
    return json.loads(row[0])


def contains(table: str, key: str, path: Path | str = CACHE_FILE) -> bool:
    """Whether an entry is cached, without marking it as used (for reports)."""
    if table not in TABLES:
        raise ValueError(table)
    row = connection(path).execute(f"select 1 from {table} where key = ?", (key,)).fetchone()
    return row is not None


def clear(path: Path | str = CACHE_FILE) -> int:
    """Drop every entry; how many there were."""
    conn = connection(path)
    removed = stats(path).entries
    conn.execute("begin immediate")
    for table in TABLES:
        conn.execute(f"delete from {table}")
    conn.execute("commit")
    conn.execute("vacuum")
    return removed


def put(key: str, outputs: list, path: Path | str = CACHE_FILE) -> None:
    text = json.dumps(outputs, sort_keys=True)
    now = time.time()
    connection(path).execute(
        "insert or replace into executions values (?, ?, ?, ?, ?)",
        (key, text, len(text.encode()), now, now),
    )


def _pack(files: list[tuple[str, bytes]]) -> bytes:
    """Render files as one blob: a JSON index of names and sizes, a newline, the bytes."""
    index = json.dumps([[name, len(data)] for name, data in files]).encode()
    return b"\n".join([index, *(data for _, data in files)])


def _unpack(blob: bytes) -> list[tuple[str, bytes]]:
    index, _, rest = blob.partition(b"\n")
    files, position = [], 0
    for name, size in json.loads(index):
        files.append((name, rest[position : position + size]))
        position += size + 1
    return files


def get_render(key: str, path: Path | str = CACHE_FILE) -> list[tuple[str, bytes]] | None:
    """The (file name, bytes) a diagram rendered to under ``key``, or None; marks it used."""
    conn = connection(path)
    row = conn.execute("select files from renders where key = ?", (key,)).fetchone()
    if row is None:
        return None
    conn.execute("update renders set last_used = ? where key = ?", (time.time(), key))
    return _unpack(row[0])


def put_render(key: str, files: list[tuple[str, bytes]], path: Path | str = CACHE_FILE) -> None:
    blob = _pack(files)
    now = time.time()
    connection(path).execute(
        "insert or replace into renders values (?, ?, ?, ?, ?)", (key, blob, len(blob), now, now)
    )


@dataclass(frozen=True)
class CacheStats:
    entries: int  # executions and renders
    size: int  # bytes of stored outputs and pictures
    executions: int = 0
    renders: int = 0


def stats(path: Path | str = CACHE_FILE) -> CacheStats:
    conn = connection(path)
    counts = {}
    size = 0
    for table in TABLES:
        entries, bytes_ = conn.execute(
            f"select count(*), coalesce(sum(size), 0) from {table}"
        ).fetchone()
        counts[table] = entries
        size += bytes_
    return CacheStats(sum(counts.values()), size, counts["executions"], counts["renders"])


def export_cache(target: Path, path: Path | str = CACHE_FILE) -> CacheStats:
    """Write the whole cache into one standalone SQLite file."""
    if target.exists():
        target.unlink()
    connection(path).execute("vacuum into ?", (str(target),))
    return stats(path)


def import_cache(source: Path, path: Path | str = CACHE_FILE) -> int:
    """Add the entries of an exported cache; returns how many were new."""
    conn = connection(path)
    before = stats(path).entries
    conn.execute("attach database ? as imported", (str(source),))
    try:
        present = {
            name
            for (name,) in conn.execute(
                "select name from imported.sqlite_master where type='table'"
            )
        }
        conn.execute("begin immediate")
        for table in TABLES:
            if table in present:  # caches exported before renders were cached have none
                conn.execute(f"insert or ignore into {table} select * from imported.{table}")
        conn.execute("commit")
    finally:
        conn.execute("detach database imported")
    return stats(path).entries - before


def prune(max_bytes: int, path: Path | str = CACHE_FILE) -> int:
    """Drop the least recently used entries until the outputs fit ``max_bytes``."""
    conn = connection(path)
    total = stats(path).size
    removed = 0
    conn.execute("begin immediate")
    entries = conn.execute(
        "select 'executions', key, size, last_used from executions "
        "union all select 'renders', key, size, last_used from renders order by 4"
    ).fetchall()
    for table, key, size, _ in entries:
        if total <= max_bytes:
            break
        conn.execute(f"delete from {table} where key = ?", (key,))
        total -= size
        removed += 1
    conn.execute("commit")
    conn.execute("vacuum")
    return removed
