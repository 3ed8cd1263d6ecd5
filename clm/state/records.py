"""What clm wrote into the output folder, and which temporary files are in flight.

Used from worker processes: each opens its own connection once (after the fork
or spawn) and keeps it for the run (clm.state.db keeps it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from clm.state.db import transaction
from clm.state.workspace import Workspace


def register_temp(workspace: Workspace, path: str) -> None:
    workspace.state().execute(
        "insert or replace into temp_files values (?, ?)", (path, os.getpid())
    )


def release_temp(workspace: Workspace, path: str) -> None:
    workspace.state().execute("delete from temp_files where path = ?", (path,))


def record_outputs(workspace: Workspace, spec: str, paths: Iterable[str]) -> None:
    conn = workspace.state()
    conn.executemany(
        "insert into outputs values (?, ?) on conflict(path) do update set spec = excluded.spec",
        [(path, spec) for path in paths],
    )


def recorded_outputs(workspace: Workspace, spec: str) -> set[str]:
    rows = workspace.state().execute("select path from outputs where spec = ?", (spec,))
    return {path for (path,) in rows}


def recorded_among(workspace: Workspace, spec: str, paths: Iterable[str]) -> set[str]:
    """Those of ``paths`` that clm recorded as written for ``spec``."""
    conn = workspace.state()
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


def outputs_of_other_specs(workspace: Workspace, spec: str) -> dict[str, str]:
    rows = workspace.state().execute("select path, spec from outputs where spec != ?", (spec,))
    return dict(rows)


def forget_outputs(workspace: Workspace, paths: Iterable[str]) -> None:
    with transaction(workspace.state()) as conn:
        conn.executemany("delete from outputs where path = ?", [(p,) for p in paths])


def reassign_outputs(workspace: Workspace, old_spec: str, new_spec: str) -> None:
    workspace.state().execute("update outputs set spec = ? where spec = ?", (new_spec, old_spec))


def record_output_folder(workspace: Workspace, spec: str, folder: str) -> None:
    """Remember that ``spec`` writes into ``folder``: its outputs may be removed from there
    later, even after the spec moved its output elsewhere."""
    folders = output_folders(workspace, spec)
    if folder not in folders:
        workspace.state().execute(
            "insert or replace into meta values (?, ?)",
            (f"output-folders:{spec}", json.dumps([*folders, folder])),
        )


def output_folders(workspace: Workspace, spec: str) -> tuple[str, ...]:
    """Every output folder ``spec`` was built into (since clm recorded them)."""
    row = (
        workspace.state()
        .execute("select value from meta where key = ?", (f"output-folders:{spec}",))
        .fetchone()
    )
    return tuple(json.loads(row[0])) if row else ()


def every_output_folder(state_file: Path) -> tuple[str, ...]:
    """The output folders any spec of a course was built into, read from its state file
    without opening it for writing; none without one (before the first build)."""
    import sqlite3

    if not state_file.is_file():
        return ()
    try:
        connection = sqlite3.connect(f"{state_file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "select value from meta where key like 'output-folders:%'"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return ()
    found: dict[str, None] = {}
    for (value,) in rows:
        try:
            found.update(dict.fromkeys(json.loads(value)))
        except ValueError:
            continue
    return tuple(found)
