"""The state's record of the last cluster pre-pass: what ``clm status`` and
``clm workers list`` say about the Dask cluster a build of the course uses.

The pre-pass (clm.tasks.cluster_fill) rewrites the one record as it goes;
the reports read it without contacting the cluster, so they never wait.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field

from clm.state.workspace import Workspace
from clm.system.processes import pid_alive

META_KEY = "cluster"


@dataclass(frozen=True)
class ClusterWorker:
    address: str
    threads: int
    running: int  # tasks the scheduler has it processing (any client's)


@dataclass(frozen=True)
class ClusterRecord:
    address: str
    submitted: int  # executions this build sent
    done: int  # of them, ended (stored, or failed)
    in_flight: int  # sent and not ended: running or queued
    workers: list[ClusterWorker] = field(default_factory=list)
    pid: int = 0  # the build that sends them
    updated: float = 0.0

    @property
    def active(self) -> bool:
        """Whether the build that sent them is still waiting for results."""
        return self.done < self.submitted and pid_alive(self.pid)

    def to_dict(self) -> dict:
        return {**asdict(self), "active": self.active}


def record(
    workspace: Workspace,
    address: str,
    submitted: int,
    done: int,
    in_flight: int,
    workers: list[ClusterWorker],
) -> None:
    state = workspace.state()
    kept = ClusterRecord(address, submitted, done, in_flight, workers, os.getpid(), time.time())
    state.execute("insert or replace into meta values (?, ?)", (META_KEY, json.dumps(asdict(kept))))


def last_record(workspace: Workspace) -> ClusterRecord | None:
    """The last pre-pass's record, if a build of the course used a cluster."""
    if not workspace.exists():
        return None
    row = workspace.state().execute("select value from meta where key = ?", (META_KEY,)).fetchone()
    if row is None:
        return None
    try:
        data = json.loads(row[0])
        data["workers"] = [ClusterWorker(**worker) for worker in data["workers"]]
        return ClusterRecord(**data)
    except (ValueError, TypeError, KeyError):
        return None  # written by another version of clm
