"""What clm wrote into the output folder, and which temporary files are in flight.

Used from worker processes: each opens its own connection once (after the fork
or spawn) and keeps it for the run.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from clm.state.db import connect

_connections: dict[tuple[int, Path], sqlite3.Connection] = {}


def connection(state_file: Path) -> sqlite3.Connection:
    key = (os.getpid(), state_file.resolve())
    conn = _connections.get(key)
    if conn is None:
        conn = _connections[key] = connect(state_file)
    return conn


def register_temp(state_file: Path, path: str) -> None:
    connection(state_file).execute(
        "insert or replace into temp_files values (?, ?)", (path, os.getpid())
    )


def release_temp(state_file: Path, path: str) -> None:
    connection(state_file).execute("delete from temp_files where path = ?", (path,))


def record_outputs(state_file: Path, spec: str, paths: Iterable[str]) -> None:
    conn = connection(state_file)
    conn.executemany(
        "insert into outputs values (?, ?) on conflict(path) do update set spec = excluded.spec",
        [(path, spec) for path in paths],
    )


def recorded_outputs(state_file: Path, spec: str) -> set[str]:
    rows = connection(state_file).execute("select path from outputs where spec = ?", (spec,))
    return {path for (path,) in rows}


def recorded_among(state_file: Path, spec: str, paths: Iterable[str]) -> set[str]:
    """Those of ``paths`` that clm recorded as written for ``spec``."""
    conn = connection(state_file)
    wanted = list(paths)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            f"select path from outputs where spec = ? and path in ({','.join('?' * len(chunk))})",
            [spec, *chunk],
        )
        found.update(path for (path,) in rows)
    return found


def outputs_of_other_specs(state_file: Path, spec: str) -> dict[str, str]:
    rows = connection(state_file).execute("select path, spec from outputs where spec != ?", (spec,))
    return dict(rows)


def forget_outputs(state_file: Path, paths: Iterable[str]) -> None:
    conn = connection(state_file)
    conn.execute("begin immediate")
    conn.executemany("delete from outputs where path = ?", [(p,) for p in paths])
    conn.execute("commit")


def reassign_outputs(state_file: Path, old_spec: str, new_spec: str) -> None:
    connection(state_file).execute(
        "update outputs set spec = ? where spec = ?", (new_spec, old_spec)
    )


def record_output_folder(state_file: Path, spec: str, folder: str) -> None:
    """Remember that ``spec`` writes into ``folder``: its outputs may be removed from there
    later, even after the spec moved its output elsewhere."""
    folders = output_folders(state_file, spec)
    if folder not in folders:
        connection(state_file).execute(
            "insert or replace into meta values (?, ?)",
            (f"output-folders:{spec}", json.dumps([*folders, folder])),
        )


def output_folders(state_file: Path, spec: str) -> tuple[str, ...]:
    """Every output folder ``spec`` was built into (since clm recorded them)."""
    row = (
        connection(state_file)
        .execute("select value from meta where key = ?", (f"output-folders:{spec}",))
        .fetchone()
    )
    return tuple(json.loads(row[0])) if row else ()
