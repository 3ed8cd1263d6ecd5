"""Executions a Dask cluster ran for this build and that gave no outputs, by execution key.

The cluster pre-pass (clm.tasks.cluster_fill) keeps each failure here as it
arrives; the execute task of its deck, in whatever worker process runs it,
reports it from here instead of running the code a second time. A build
forgets the failures of the last one as it starts. A failure is never a
result: the next build runs that code again.
"""

from __future__ import annotations

import json

from clm.state.workspace import Workspace


def keep_failure(workspace: Workspace, key: str, failure: dict) -> None:
    workspace.state().execute(
        "insert or replace into cluster_failures values (?, ?)", (key, json.dumps(failure))
    )


def kept_failure(workspace: Workspace, key: str) -> dict | None:
    row = (
        workspace.state()
        .execute("select failure from cluster_failures where key = ?", (key,))
        .fetchone()
    )
    return None if row is None else json.loads(row[0])


def forget_failures(workspace: Workspace) -> None:
    workspace.state().execute("delete from cluster_failures")
