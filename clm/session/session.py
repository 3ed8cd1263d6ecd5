"""The Session of the process that runs a build: made by the entry points, started and
finished by whoever runs the tasks.

``clm.dodo`` (plain ``doit``), ``clm build``, ``clm jobs retry`` and the watcher
make one from their plan and install it; doit's reporter (or the watcher)
starts it once the build lock is held and finishes it when the run ends, so
that ``doit`` and ``clm build`` do the same things: the sweeps of what killed
builds left, the shared cache read ahead, and published after a whole build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from clm.execute.kernels import sweep_scratch_folders
from clm.remote.layered import RemoteCache
from clm.session.reporter import Reporter
from clm.session.spec import SessionSpec
from clm.session.worker import open_shared_cache
from clm.state import counters
from clm.state.backend import sweep_temp_files
from clm.state.cache import SqliteResultsCache
from clm.state.cluster_failures import forget_failures
from clm.state.flags import clear_flags
from clm.state.snapshot import forget_all
from clm.state.workspace import Workspace
from clm.workers.run_tag import end_orphans


class Shortcut(Protocol):
    """What the session keeps of the build's look at its files (clm.tasks.unchanged)."""

    spared: list[str]  # the tasks doit was not handed: up to date by the snapshot

    def commit(self, not_up_to_date: set[str]) -> None:
        """Leave the snapshot the next build compares with."""


@dataclass
class Session:
    """One build of a course, in the process that runs it."""

    spec: SessionSpec
    spec_key: str | None  # the course spec, as the history records it
    whole_course: bool = True  # no --only, --lang or --targets: the build may publish
    # What the run says, to a terminal or a log: the entry point makes it.
    reporter: Reporter = field(default_factory=Reporter)
    # How the build spares doit what the last one left up to date, and the snapshot it
    # leaves for the next (clm.tasks.unchanged); None: every task is doit's to check.
    shortcut: Shortcut | None = None
    remote: RemoteCache | None = field(default=None, init=False)
    started: bool = field(default=False, init=False)

    @property
    def workspace(self) -> Workspace:
        return self.spec.workspace()

    def start(self) -> None:
        """Begin the run's work (the build lock is held, its run begun): sweep what killed
        builds left behind, forget their flags, read the shared cache ahead. Once: a Dask
        pre-pass starts the session before doit does."""
        if self.started:
            return
        self.started = True
        workspace = self.workspace
        # Before anything is written: a build that nothing changed since must not take
        # this one's half-done work for the finished state.
        forget_all(workspace.folder)
        clear_flags(workspace)
        forget_failures(workspace)  # a cluster's, of the last build
        sweep_temp_files(workspace)  # left by writers that died before renaming them
        sweep_scratch_folders()  # left by killed builds and crashed watchers
        end_orphans()  # kernels and cell processes of builds killed with no chance to clean up
        self.remote = open_shared_cache(self.spec, workspace)
        if self.remote is None:
            return
        copied = self.remote.prefetch(SqliteResultsCache(workspace.cache_file))
        counters.add_counts(workspace, {counters.REMOTE_HITS: copied})
        for warning in self.remote.take_warnings():
            # Each process of the build opens the shared cache itself and may find the
            # same bad entry: the author hears of it once.
            self.reporter.warning(warning, once=True)

    def finish(self, keys: Callable[[], dict[str, list[str]]], every_task: bool) -> None:
        """After a run that was not stopped: a pushing build of the whole course (``every_task``
        of its plan ran, none left out by name) makes sure its namespace holds every result
        of the plan (``keys()``), then writes its manifest.

        The keys are asked for only then: working them out reads every deck again.
        """
        remote = self.remote
        if remote is None or remote.settings.push is None:
            return
        if not (self.whole_course and every_task):
            return
        remote.publish(keys(), SqliteResultsCache(self.workspace.cache_file), self.reporter.note)
        for warning in remote.take_warnings():
            self.reporter.warning(warning, once=True)


# The session of this process's build: the one its doit reporter starts.
_installed: Session | None = None


def install(session: Session) -> Session:
    """Make ``session`` the one this process's build runs (an entry point calls this)."""
    global _installed
    _installed = session
    return session


def installed() -> Session | None:
    return _installed
