"""What a job's action works with, rebuilt from its SessionSpec once per process.

The process that runs an action (a doit worker, a watcher's pool worker, the
build's own process) may have been forked, spawned or started by a fork
server: it reads its workspace, opens its results cache and makes its kernel
pool and diagram converters here, from the record the job carries, the first
time an action of that build runs in it. A forked child finds its parent's
contexts under its parent's process id, and makes its own: it never talks to
its parent's kernels or converters. Kernels and converters end with the
process (multiprocessing's finalizers, which run at every worker's exit).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from clm.diagrams.render import Converters
from clm.execute.kernels import KernelPool
from clm.remote.layered import LayeredCache, RemoteCache
from clm.session.spec import SessionSpec
from clm.state.cache import SqliteResultsCache
from clm.state.flags import WorkspaceFlag
from clm.state.results import ResultsCache
from clm.state.workspace import Workspace

# Flags every process of a build reads: the store failed; an entry was rejected.
SHARED_CACHE_OFF = "shared-cache-off"
SHARED_CACHE_REJECTED = "shared-cache-rejected"


def open_shared_cache(spec: SessionSpec, workspace: Workspace) -> RemoteCache | None:
    """The build's shared cache, as this process uses it (None: the course has none)."""
    settings = spec.shared_cache()
    if settings is None:
        return None
    return RemoteCache.open(
        settings,
        failed=WorkspaceFlag(workspace, SHARED_CACHE_OFF),
        rejected=WorkspaceFlag(workspace, SHARED_CACHE_REJECTED),
    )


@dataclass(frozen=True)
class JobContext:
    """The workspace and the results cache of a build, as one process of it sees them,
    and the process's kernels and diagram converters for its jobs."""

    spec: SessionSpec
    workspace: Workspace
    results: ResultsCache
    kernels: KernelPool
    converters: Converters


# This process's contexts, one per build it worked for (a watcher's worker serves
# one build for its whole life; a test process may serve several).
_contexts: dict[tuple[int, SessionSpec], JobContext] = {}


def job_context(spec: SessionSpec) -> JobContext:
    """This process's context for the build of ``spec``, made the first time it is asked for."""
    key = (os.getpid(), spec)
    context = _contexts.get(key)
    if context is None:
        context = _contexts[key] = _open(spec)
    return context


def prestart(spec: SessionSpec, python: str | None, kernel: str) -> None:
    """Boot this process's spare kernel for the build of ``spec`` now (a watch worker,
    before its first notebook)."""
    job_context(spec).kernels.prestart(python, kernel)


def _open(spec: SessionSpec) -> JobContext:
    workspace = spec.workspace()
    local = SqliteResultsCache(workspace.cache_file)
    remote = open_shared_cache(spec, workspace)
    results = local if remote is None else LayeredCache(local, remote)
    return JobContext(spec, workspace, results, KernelPool(), Converters())
