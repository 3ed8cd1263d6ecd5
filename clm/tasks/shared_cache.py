"""The shared cache in a build: set up before the workers fork, read ahead, published after.

``open_shared_cache`` (planning) resolves the settings from the environment
and the spec and puts the layered cache in place of the course's file, so the
tasks of every worker read and write through it. ``prefetch`` (before the
tasks) copies what the trusted manifests list and the local cache lacks.
``publish`` (after a build that pushes) makes sure the build's namespace holds
every result of the plan, then writes the build's manifest.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from clm.errors import CourseError
from clm.remote.layered import LayeredCache, RemoteCache
from clm.remote.settings import Setting, resolve
from clm.spec.model import CourseSpec
from clm.state import counters
from clm.state.cache import SqliteResultsCache, use_results_cache
from clm.state.results import EXECUTIONS, RENDERS
from clm.state.workspace import Workspace
from clm.tasks.execution import deck_groups
from clm.tasks.jobs import DeckExecutionJob, RenderJob, task_jobs


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def open_shared_cache(spec: CourseSpec, workspace: Workspace) -> RemoteCache | None:
    """The course's shared cache, in use from now on in this process (None: it has none).

    CourseError for settings that make no sense, naming where they came from.
    """
    given = {name: Setting(value, line) for name, value, line in spec.cache_settings}
    settings = resolve(spec.root, given, spec.key)
    if settings is None:
        use_results_cache(None)
        return None
    remote = RemoteCache.open(settings)
    use_results_cache(LayeredCache(SqliteResultsCache(workspace.cache_file), remote))
    return remote


def prefetch(
    remote: RemoteCache | None, workspace: Workspace, say: Callable[[str], None] = _say
) -> int:
    """Read ahead what the trusted manifests list; counted into the coming run."""
    if remote is None:
        return 0
    copied = remote.prefetch(SqliteResultsCache(workspace.cache_file))
    counters.carry({counters.REMOTE_HITS: copied})
    for warning in remote.take_warnings():
        say(warning)
    return copied


def plan_keys(tasks: dict) -> dict[str, list[str]]:
    """Every execution and render key of the build's tasks (what its manifest lists)."""
    from clm.execute.runtimes import is_missing
    from clm.tasks.rendering import job_render_key

    keys: dict[str, list[str]] = {EXECUTIONS: [], RENDERS: []}
    for job in (job for task in tasks.values() for job in task_jobs(task)):
        if isinstance(job, DeckExecutionJob) and not is_missing(job.environment):
            try:
                keys[EXECUTIONS].extend(deck_groups(job))
            except (CourseError, OSError):
                continue
        elif isinstance(job, RenderJob):
            try:
                keys[RENDERS].append(job_render_key(job))
            except OSError:
                continue
    return keys


def publish(
    remote: RemoteCache | None,
    workspace: Workspace,
    tasks: dict,
    say: Callable[[str], None] = _say,
) -> None:
    """After a build that pushes: its results in its namespace, and its manifest."""
    if remote is None or remote.settings.push is None:
        return
    remote.publish(plan_keys(tasks), SqliteResultsCache(workspace.cache_file), say)
    for warning in remote.take_warnings():
        say(warning)
