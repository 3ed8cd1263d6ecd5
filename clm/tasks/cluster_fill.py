"""The cluster pre-pass of ``clm build --executor dask://…``: fill the cache, then build.

Before doit runs, every execution the build needs is worked out from its
tasks (the very execution keys its execute tasks compute); those the cache
lacks are sent to the Dask scheduler all at once, so that the cluster, not
doit's ``-j``, decides how many notebooks run at a time. Each result enters
the course's cache as it arrives. The doit build that follows is the
ordinary local one: its execute tasks find their results in the cache and
write the executed notebooks, and the HTML is rendered here.

A failing cell, an environment the worker refused and a task that killed its
workers are results too: they wait in the workspace (clm.state.cluster_failures)
for the execute task of their deck to report them, so that nothing runs a
second time here. A failing cell is also kept in the results cache, as a local
one is (clm.execute.service): an execution whose cell error the cache keeps
is not sent at all, unless the build reruns failures. Ctrl-C keeps every
result stored so far, and the next build sends only the rest.

A cluster that goes away mid-build (its scheduler killed, silent, or left
without workers) keeps what it sent too; the executions it did not finish run
here with ``fallback=local``, and otherwise fail their decks with the reason,
so that the doit build that follows writes every other output and ends as a
failed build in the history.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clm.errors import CourseError
from clm.execute.base import ExecutionFailure, ExecutionRequest
from clm.execute.choice import ExecutorChoice
from clm.execute.cluster import ClusterUnreachable, DaskExecutor
from clm.execute.runtimes import is_missing
from clm.execute.service import ExecutionService
from clm.session.reporter import Reporter
from clm.session.session import Session
from clm.session.spec import SessionSpec
from clm.session.worker import job_context
from clm.state import cluster as cluster_record
from clm.state import counters
from clm.state.cluster_failures import keep_failure
from clm.state.doit_state import DoitState
from clm.state.results import EXECUTIONS, FAILURES, ResultsCache
from clm.state.workspace import Workspace
from clm.tasks.bookkeeping import RunBook
from clm.tasks.execution import deck_groups, execution_job
from clm.tasks.jobs import DeckExecutionJob, task_jobs
from clm.tasks.runner import EXIT_FAILED

REPORT_EVERY = 5.0  # seconds between progress lines in a log (a terminal redraws)
DECKS_NAMED = 10  # decks a lost cluster's message names; the rest are counted


@dataclass(frozen=True)
class Pending:
    """An execution the cache lacks, as sent to the cluster."""

    request: ExecutionRequest
    deck: str


@dataclass
class FillOutcome:
    ran: int = 0  # executions a worker ran to the end (their outputs, or a failing cell)
    stored: int = 0  # results now in the cache


def execute_jobs(tasks: dict) -> list[tuple[object, DeckExecutionJob]]:
    """Every (task, job) of the build's execute tasks, but those held back (their deck
    fails its checks, or a clash blocks it): doit will run none of those."""
    found = []
    for task in tasks.values():
        if task.task_dep:
            continue
        found.extend((task, job) for job in task_jobs(task) if isinstance(job, DeckExecutionJob))
    return found


def pending_executions(tasks: dict, state: DoitState, cache: ResultsCache) -> list[Pending]:
    """The executions the build would run, minus those the cache has (outputs, or a kept
    cell error the build does not rerun) or doit needs not.

    An execute task doit finds up to date runs nothing, whatever the cache
    holds; a deck that cannot be read, or whose kernel is not installed here,
    is left to its execute task to report. ``state`` is the build's doit run's.
    """
    from doit.dependency import Dependency

    from clm.languages import of_deck
    from clm.state.backend import SqliteStateDB

    dependency = Dependency(
        SqliteStateDB,
        str(state.workspace.state_file),
        checker_cls=state.checker,
        codec_cls=state.codec,
    )
    pending: dict[str, Pending] = {}
    for task, job in execute_jobs(tasks):
        if is_missing(job.environment):
            continue
        if dependency.get_status(task, tasks).status == "up-to-date":
            continue
        try:
            groups = deck_groups(job)
        except CourseError:
            continue
        inputs = None
        for key, members in groups.items():
            if key in pending or cache.contains(EXECUTIONS, key):
                continue
            if not job.session.rerun_failed and cache.contains(FAILURES, key):
                continue  # its execute task reports the kept failure
            if inputs is None:
                inputs = tuple((rel, Path(src).read_bytes()) for src, rel in job.inputs)
            request = execution_job(job, members[0].runs, inputs, of_deck(job.deck, job.language))
            pending[key] = Pending(ExecutionRequest(key, request, job.environment), job.deck)
    return list(pending.values())


def pre_pass(tasks: dict, choice: ExecutorChoice, session: Session, state: DoitState) -> int | None:
    """``fill_cache`` as the first part of a build: None to go on with doit, or the exit code.

    The build's run in the history begins here, and doit's reporter goes on
    with it: ``clm status`` tells the truth about a build that stops, or is
    killed, before doit runs.
    """
    reporter = session.reporter
    books = RunBook(reporter.note, session.workspace)
    books.begin(session.spec_key)
    session.start()
    nothing_built = {"executed": 0, "uptodate": 0, "not_rebuilt": 0}
    try:
        fill_cache(tasks, choice, session.spec, state, reporter)
    except ClusterUnreachable as unreachable:
        reporter.error(
            f"error: {unreachable}; start it (see README: Running on a Dask cluster), "
            "or build with --executor dask://…,fallback=local to run here instead"
        )
        books.end(failed=1, **nothing_built)
        return EXIT_FAILED
    except KeyboardInterrupt:
        books.end(failed=0, interrupted=True, stopping=True, **nothing_built)
        raise
    return None


def fill_cache(
    tasks: dict,
    choice: ExecutorChoice,
    session: SessionSpec,
    state: DoitState,
    reporter: Reporter,
    clock=time.monotonic,
) -> FillOutcome:
    """Run what the cache lacks on the cluster ``choice`` names; see the module's text.

    Raises ClusterUnreachable when the scheduler cannot be reached (unless the
    choice falls back to running here); KeyboardInterrupt goes on after the
    client let go of the cluster.
    """
    assert choice.address is not None
    workspace = session.workspace()
    results = job_context(session).results
    pending = _not_shared(
        pending_executions(tasks, state, results), workspace, results, session.rerun_failed
    )
    outcome = FillOutcome()
    if not pending:
        return outcome
    executor = DaskExecutor(choice.address)
    try:
        executor.connect()
    except ClusterUnreachable as unreachable:
        if not choice.fallback:
            raise
        reporter.warning(f"clm: warning: {unreachable}; running the decks here (fallback=local)")
        return outcome
    by_key = {item.request.key: item for item in pending}
    progress = _Progress(reporter, choice.address, len(pending), clock)
    service = ExecutionService(executor, results)
    try:
        outcomes = service.run([item.request for item in pending])
        progress.workers = _record(workspace, executor, choice.address, len(pending), 0)
        for done in outcomes:
            if done is None:  # a while without news
                if progress.due():
                    progress.workers = _record(
                        workspace, executor, choice.address, len(pending), progress.done
                    )
                progress.show(executor.in_flight())
                continue
            if done.failure is not None:  # for the deck's execute task to report
                keep_failure(workspace, done.request.key, dataclasses.asdict(done.failure))
            outcome.stored += done.outputs is not None
            outcome.ran += done.result is not None and done.result.refused is None
            progress.done += 1
            if progress.due():
                progress.workers = _record(
                    workspace, executor, choice.address, len(pending), progress.done
                )
            progress.show(executor.in_flight())
    except ClusterUnreachable as lost:
        progress.close()
        left = [by_key[request.key] for request in executor.unfinished()]
        _cluster_lost(lost, left, outcome.stored, choice, workspace, reporter)
    except KeyboardInterrupt:
        progress.close()
        reporter.note(
            f"clm: interrupted; what the cluster sent is kept in the cache "
            f"({_counted(outcome.stored, 'result')}), the next build sends only the rest"
        )
        raise
    finally:
        executor.close()
        _record(workspace, None, choice.address, len(pending), progress.done)
    progress.close()
    counters.add_counts(workspace, {counters.CLUSTER_EXECUTIONS: outcome.ran})
    return outcome


def _cluster_lost(
    lost: ClusterUnreachable,
    left: list[Pending],
    kept: int,
    choice: ExecutorChoice,
    workspace: Workspace,
    reporter: Reporter,
) -> None:
    """Say what a cluster lost mid-build leaves undone; fail those decks unless they may run here."""
    if choice.fallback:
        reporter.warning(
            f"clm: warning: {lost}; running the {_counted(len(left), 'execution')} it did not "
            "finish "
            "here (fallback=local)"
        )
        return
    decks = sorted({item.deck for item in left})
    named = ", ".join(decks[:DECKS_NAMED])
    if len(decks) > DECKS_NAMED:
        named += f" and {len(decks) - DECKS_NAMED} more"
    reporter.error(
        f"error: {lost}; {len(decks)} deck{'s' if len(decks) != 1 else ''} it did not "
        f"finish fail{'s' if len(decks) == 1 else ''}: {named}. What it sent is kept "
        f"({_counted(kept, 'result')}): build again once the cluster is back (only the "
        "rest is sent), or build with --executor dask://…,fallback=local to run them here"
    )
    for item in left:
        failure = ExecutionFailure(None, f"not run: {lost}", None)
        keep_failure(workspace, item.request.key, dataclasses.asdict(failure))


def _not_shared(
    pending: list[Pending], workspace: Workspace, cache: ResultsCache, rerun_failed: bool
) -> list[Pending]:
    """What the shared cache cannot serve either (it may hold results no manifest lists
    yet, pushed by a build still running, and kept cell errors unless the build reruns
    them): only that goes to the cluster."""
    remote = getattr(cache, "remote", None)
    if remote is None or not pending:
        return pending
    kinds = (EXECUTIONS,) if rerun_failed else (EXECUTIONS, FAILURES)
    found = remote.fetch([(kind, item.request.key) for item in pending for kind in kinds])
    for (kind, key), data in found.items():
        cache.local.put(kind, key, data)
    if found:
        counters.add_counts(workspace, {counters.REMOTE_HITS: len(found)})
    served = {key for _, key in found}
    return [item for item in pending if item.request.key not in served]


def _record(
    workspace: Workspace,
    executor: DaskExecutor | None,
    address: str,
    submitted: int,
    done: int,
) -> int:
    """Keep the pre-pass's figures in the state (for ``clm status``); how many workers."""
    workers = executor.worker_rows() if executor is not None else []
    in_flight = executor.in_flight() if executor is not None else 0
    cluster_record.record(workspace, address, submitted, done, in_flight, workers)
    return len(workers)


class _Progress:
    """'clm: cluster tcp://…: 12/40 executions done, 8 running on 4 workers'."""

    def __init__(self, reporter: Reporter, address: str, total: int, clock: Callable[[], float]):
        self.reporter, self.address, self.total, self.clock = reporter, address, total, clock
        self.done = 0
        self.workers = 0
        self._last = clock()

    def due(self) -> bool:
        return self.clock() - self._last >= REPORT_EVERY

    def line(self, in_flight: int) -> str:
        return (
            f"clm: cluster {self.address}: {self.done}/{self.total} executions done, "
            f"{in_flight} running or queued on {self.workers} "
            f"worker{'s' if self.workers != 1 else ''}"
        )

    def show(self, in_flight: int) -> None:
        # A log gets the line every REPORT_EVERY seconds, and the last one.
        self.reporter.status(self.line(in_flight), log=self.done == self.total or self.due())
        if self.due():
            self._last = self.clock()

    def close(self) -> None:
        self.reporter.end_status()


def _counted(count: int, thing: str) -> str:
    """'1 result', '2 results'."""
    return f"{count} {thing}{'' if count == 1 else 's'}"
