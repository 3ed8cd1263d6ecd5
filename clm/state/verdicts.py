"""Kept results of small computations, by content key: deck checks and the environment.

A deck's checks are kept as its warnings under a key of its content and of
what else decides them (clm.tasks.deck_checks); the fingerprint of the
kernels' Python environment is kept with the stamp of ``sys.path`` it was
computed under (clm.execute.environment), what a course's own interpreter
said about itself under its path, and the fingerprint of every other kernel
with the stamp of its files (clm.execute.runtimes).
"""

from __future__ import annotations

import json
import sqlite3

from clm.state.db import transaction


def kept_verdicts(connection: sqlite3.Connection, keys: list[str]) -> dict[str, str]:
    """The warnings (newline-separated) kept under each of ``keys`` that has some."""
    known: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = connection.execute(
            f"select key, warnings from checked_decks where key in ({','.join('?' * len(chunk))})",
            chunk,
        )
        known.update(rows)
    return known


def keep_verdicts(connection: sqlite3.Connection, verdicts: list[tuple[str, str]]) -> None:
    """Keep (key, warnings) of decks that passed their checks."""
    if not verdicts:
        return
    with transaction(connection):
        connection.executemany("insert or replace into checked_decks values (?, ?)", verdicts)


def kept_fingerprint(connection: sqlite3.Connection, stamp: str) -> str | None:
    """The environment fingerprint kept for ``stamp``, or None if the stamp changed."""
    row = connection.execute("select value from meta where key = 'environment-stamp'").fetchone()
    if row is None or row[0] != stamp:
        return None
    (fingerprint,) = connection.execute(
        "select value from meta where key = 'environment-fingerprint'"
    ).fetchone()
    return fingerprint


def keep_fingerprint(connection: sqlite3.Connection, stamp: str, fingerprint: str) -> None:
    with transaction(connection):
        connection.executemany(
            "insert or replace into meta values (?, ?)",
            [("environment-stamp", stamp), ("environment-fingerprint", fingerprint)],
        )


def kept_interpreter(connection: sqlite3.Connection, python: str) -> str | None:
    """What the interpreter at ``python`` last said about itself (a JSON text), if anything."""
    row = connection.execute(
        "select value from meta where key = ?", (f"kernel-python:{python}",)
    ).fetchone()
    return None if row is None else row[0]


def keep_interpreter(connection: sqlite3.Connection, python: str, description: str) -> None:
    with transaction(connection):
        connection.execute(
            "insert or replace into meta values (?, ?)", (f"kernel-python:{python}", description)
        )


def kept_runtime(connection: sqlite3.Connection, kernel: str, stamp: str) -> str | None:
    """The fingerprint kept for the kernelspec ``kernel`` if it was computed under ``stamp``."""
    row = connection.execute(
        "select value from meta where key = ?", (f"kernel-runtime:{kernel}",)
    ).fetchone()
    if row is None:
        return None
    kept_stamp, fingerprint = json.loads(row[0])
    return fingerprint if kept_stamp == stamp else None


def keep_runtime(connection: sqlite3.Connection, kernel: str, stamp: str, fingerprint: str) -> None:
    with transaction(connection):
        connection.execute(
            "insert or replace into meta values (?, ?)",
            (f"kernel-runtime:{kernel}", json.dumps([stamp, fingerprint])),
        )
