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
from dataclasses import dataclass

from clm.state.db import transaction
from clm.state.workspace import Workspace


@dataclass(frozen=True)
class Kept:
    """Where planning reads what earlier builds kept, and keeps what it worked out anew.

    Planning that must write nothing (``clm plan``, ``doit list``) reads the
    state if there is one and keeps nothing: ``connection`` None means no state.
    """

    connection: sqlite3.Connection | None
    keeps: bool

    @classmethod
    def of(cls, workspace: Workspace, keep: bool) -> Kept:
        if keep:
            return cls(workspace.state(), True)
        return cls(workspace.existing_state() if workspace.exists() else None, False)

    @property
    def writer(self) -> sqlite3.Connection | None:
        """The connection to keep new values through; None when nothing may be kept."""
        return self.connection if self.keeps else None

    def rows(self, query: str, parameters: tuple | list = ()) -> list[tuple]:
        if self.connection is None:
            return []
        return self.connection.execute(query, parameters).fetchall()


def kept_verdicts(kept: Kept, keys: list[str]) -> dict[str, str]:
    """The warnings (newline-separated) kept under each of ``keys`` that has some."""
    known: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = kept.rows(
            f"select key, warnings from checked_decks where key in ({','.join('?' * len(chunk))})",
            chunk,
        )
        known.update(rows)
    return known


def keep_verdicts(kept: Kept, verdicts: list[tuple[str, str]]) -> None:
    """Keep (key, warnings) of decks that passed their checks."""
    if not verdicts or kept.writer is None:
        return
    with transaction(kept.writer) as connection:
        connection.executemany("insert or replace into checked_decks values (?, ?)", verdicts)


def kept_fingerprint(kept: Kept, stamp: str) -> str | None:
    """The environment fingerprint kept for ``stamp``, or None if the stamp changed."""
    rows = kept.rows("select value from meta where key = 'environment-stamp'")
    if not rows or rows[0][0] != stamp:
        return None
    ((fingerprint,),) = kept.rows("select value from meta where key = 'environment-fingerprint'")
    return fingerprint


def keep_fingerprint(kept: Kept, stamp: str, fingerprint: str) -> None:
    if kept.writer is None:
        return
    with transaction(kept.writer) as connection:
        connection.executemany(
            "insert or replace into meta values (?, ?)",
            [("environment-stamp", stamp), ("environment-fingerprint", fingerprint)],
        )


def kept_interpreter(kept: Kept, python: str) -> str | None:
    """What the interpreter at ``python`` last said about itself (a JSON text), if anything."""
    rows = kept.rows("select value from meta where key = ?", (f"kernel-python:{python}",))
    return rows[0][0] if rows else None


def keep_interpreter(kept: Kept, python: str, description: str) -> None:
    if kept.writer is None:
        return
    with transaction(kept.writer) as connection:
        connection.execute(
            "insert or replace into meta values (?, ?)", (f"kernel-python:{python}", description)
        )


def kept_runtime(kept: Kept, kernel: str, stamp: str) -> str | None:
    """The fingerprint kept for the kernelspec ``kernel`` if it was computed under ``stamp``."""
    rows = kept.rows("select value from meta where key = ?", (f"kernel-runtime:{kernel}",))
    if not rows:
        return None
    kept_stamp, fingerprint = json.loads(rows[0][0])
    return fingerprint if kept_stamp == stamp else None


def keep_runtime(kept: Kept, kernel: str, stamp: str, fingerprint: str) -> None:
    if kept.writer is None:
        return
    with transaction(kept.writer) as connection:
        connection.execute(
            "insert or replace into meta values (?, ?)",
            (f"kernel-runtime:{kernel}", json.dumps([stamp, fingerprint])),
        )
