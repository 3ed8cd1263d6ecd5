"""Counts of one build's work, summed over the worker processes.

The doit process starts a run (its id travels to the workers in the
environment, which they inherit); workers add to named counters in the state
file; the reporter reads the totals when the run completes.
"""

from __future__ import annotations

import os
import time

from clm.state.workspace import Workspace

RUN_VARIABLE = "CLM_RUN_ID"

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


KEEP_SECONDS = 7 * 24 * 3600


def start_run(workspace: Workspace, run: str) -> str:
    """Name this process's build; workers forked later inherit the name."""
    os.environ[RUN_VARIABLE] = run
    now = time.time()
    workspace.state().execute(
        "delete from run_counters where run in (select cast(id as text) from runs "
        "where started < ?)",
        (now - KEEP_SECONDS,),
    )
    return run


def add_counts(workspace: Workspace, counts: dict[str, int]) -> None:
    """Add to several counters at once: one statement for a task's whole work."""
    run = os.environ.get(RUN_VARIABLE)
    rows = [(run, name, amount) for name, amount in counts.items() if amount]
    if not run or not rows:
        return
    workspace.state().executemany(
        "insert into run_counters values (?, ?, ?) "
        "on conflict(run, name) do update set value = value + excluded.value",
        rows,
    )


def totals(workspace: Workspace, run: str | None = None) -> dict[str, int]:
    run = run or os.environ.get(RUN_VARIABLE)
    if not run:
        return {}
    rows = workspace.state().execute("select name, value from run_counters where run = ?", (run,))
    return dict(rows)
