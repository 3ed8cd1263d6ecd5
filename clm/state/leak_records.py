"""What the leak guard keeps between builds: each deck's snippets, the course's
forbidden text, and which public files were found clean (by size and mtime).

The guard (clm.leaks.guard) decides; this module only reads and writes its
tables, which live in the state file beside the build's other records.
"""

from __future__ import annotations

import sqlite3

from clm.state.db import transaction

_INDEX_KEY = "leak-guard-index"


def kept_forbidden(connection: sqlite3.Connection, course_key: str) -> str | None:
    """The forbidden text (as JSON) kept for the decks as they are, or None."""
    row = connection.execute(
        "select data from leak_forbidden where key = ?", (course_key,)
    ).fetchone()
    return None if row is None else row[0]


def kept_decks(connection: sqlite3.Connection) -> dict[str, tuple]:
    """Each deck's (key, protected, public, code_along) as kept."""
    return {row[0]: row[1:] for row in connection.execute("select * from leak_decks")}


def keep_forbidden(
    connection: sqlite3.Connection, deck_rows: list[tuple], course_key: str, forbidden: str
) -> None:
    """Keep the snippets of the decks read again and the course's new forbidden text."""
    with transaction(connection):
        connection.executemany(
            "insert or replace into leak_decks values (?, ?, ?, ?, ?)", deck_rows
        )
        connection.execute("delete from leak_forbidden")
        connection.execute("insert into leak_forbidden values (?, ?)", (course_key, forbidden))


def checked_files(
    connection: sqlite3.Connection, guard: str, digest: str
) -> dict[str, tuple[int, int]] | None:
    """The files one check found clean, by (size, mtime); None if the index changed since."""
    row = connection.execute(
        "select value from meta where key = ?", (f"{_INDEX_KEY}:{guard}",)
    ).fetchone()
    if row is None or row[0] != digest:
        return None
    rows = connection.execute(
        "select path, size, mtime_ns from leak_checked where guard = ?", (guard,)
    )
    return {path: (size, mtime) for path, size, mtime in rows}


def record_check(
    connection: sqlite3.Connection,
    guard: str,
    digest: str,
    new_index: bool,
    clean: list[tuple[str, int, int]],
    leaked: list[str],
) -> None:
    """Record what one check found: files clean now, files that leaked (and were removed)."""
    with transaction(connection):
        if new_index:
            connection.execute("delete from leak_checked where guard = ?", (guard,))
            connection.execute(
                "insert or replace into meta values (?, ?)", (f"{_INDEX_KEY}:{guard}", digest)
            )
        connection.executemany(
            "insert or replace into leak_checked values (?, ?, ?, ?)",
            [(guard, *entry) for entry in clean],
        )
        connection.executemany(
            "delete from leak_checked where guard = ? and path = ?", [(guard, p) for p in leaked]
        )
