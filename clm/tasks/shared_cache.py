"""The shared cache in a build's plan: its settings, and the keys a build publishes.

``shared_settings`` (planning) resolves the settings from the environment and
the spec; they travel in every job's SessionSpec, so each worker opens the
store itself (clm.session.worker). The session reads ahead and publishes
(clm.session.session); ``plan_keys`` lists what a build's manifest holds.
"""

from __future__ import annotations

from clm.errors import CourseError
from clm.remote.settings import RemoteSettings, Setting, resolve
from clm.spec.model import CourseSpec
from clm.state.results import EXECUTIONS, FAILURES, RENDERS
from clm.tasks.execution import deck_groups
from clm.tasks.jobs import DeckExecutionJob, RenderJob, task_jobs


def shared_settings(spec: CourseSpec) -> RemoteSettings | None:
    """The course's shared-cache settings from the environment and the spec (None: it has
    none); CourseError for settings that make no sense, naming where they came from."""
    given = {name: Setting(value, line) for name, value, line in spec.cache_settings}
    return resolve(spec.root, given, spec.key)


def plan_keys(tasks: dict) -> dict[str, list[str]]:
    """Every execution and render key of the build's tasks (what its manifest lists); an
    execution's key under failures too, for the cell errors kept under it."""
    from clm.execute.runtimes import is_missing
    from clm.tasks.rendering import job_render_key

    keys: dict[str, list[str]] = {EXECUTIONS: [], RENDERS: [], FAILURES: []}
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
    keys[FAILURES] = list(keys[EXECUTIONS])
    return keys
