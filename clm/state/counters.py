"""Counts of one build's work, summed over the worker processes.

The process that runs the build starts a run and records it as the
workspace's run in progress; workers, however they were started, add to named
counters of that run in the state file; the reporter reads the totals when the
run completes. Builds of a course take turns (its lock), so the workspace has
one run in progress at a time.
"""

from __future__ import annotations

import time

from clm.state.workspace import Workspace

RUN_IN_PROGRESS = "run-in-progress"  # the meta key naming the run workers count into

KERNELS = "kernels"  # kernels that ran deck code
SPARE_KERNELS = "spare-kernels"  # kernels started ahead of need
CACHE_HITS = "cache-hits"  # executions served from the cache
OUTPUTS_WRITTEN = "outputs-written"  # output files whose bytes changed
DIAGRAMS_RENDERED = "diagrams-rendered"  # sources a converter rendered
RENDER_CACHE_HITS = "render-cache-hits"  # sources served from the cache
JVMS = "jvms"  # PlantUML processes started
BROWSERS = "browsers"  # Chromium instances started for draw.io
REMOTE_HITS = "remote-hits"  # results the shared cache served
CLUSTER_EXECUTIONS = "cluster-executions"  # executions a Dask cluster ran to the end
KEPT_FAILURES = "kept-failures"  # cell errors reported from the cache, not run again


KEEP_SECONDS = 7 * 24 * 3600


def start_run(workspace: Workspace, run: str) -> str:
    """Make ``run`` the one the workspace's workers count into, from now on."""
    now = time.time()
    state = workspace.state()
    state.execute("insert or replace into meta values (?, ?)", (RUN_IN_PROGRESS, run))
    state.execute(
        "delete from run_counters where run in (select cast(id as text) from runs "
        "where started < ?)",
        (now - KEEP_SECONDS,),
    )
    return run


def run_in_progress(workspace: Workspace) -> str | None:
    """The run the workspace's workers count into (None before a first run)."""
    if not workspace.exists():
        return None
    row = (
        workspace.state()
        .execute("select value from meta where key = ?", (RUN_IN_PROGRESS,))
        .fetchone()
    )
    return None if row is None else row[0]


def add_counts(workspace: Workspace, counts: dict[str, int]) -> None:
    """Add to several counters at once: one statement for a task's whole work."""
    if not any(counts.values()):
        return
    run = run_in_progress(workspace)
    rows = [(run, name, amount) for name, amount in counts.items() if amount]
    if not run:
        return
    workspace.state().executemany(
        "insert into run_counters values (?, ?, ?) "
        "on conflict(run, name) do update set value = value + excluded.value",
        rows,
    )


def totals(workspace: Workspace, run: str | None = None) -> dict[str, int]:
    run = run or run_in_progress(workspace)
    if not run:
        return {}
    rows = workspace.state().execute("select name, value from run_counters where run = ?", (run,))
    return dict(rows)
