"""doit reporter ``clm``: progress, each failure once, the build history, a closing summary.

Like doit's ``executed-only`` reporter it names the tasks that ran and is
silent about up-to-date ones, while a progress line (on a terminal) or a
progress report every few seconds (in a log) says how far the build is. A
failed execution makes doit report every dependent output again as an
"UnmetDependency"; those are counted, not repeated, since the failure's own
message already lists the outputs that keep their last good version.

The reporter also takes the course's build lock (a second build waits),
records the run and every executed task in the history of the state file, and
sweeps kernel scratch folders that dead builds left. When Ctrl-C or an error
in the doit process stops the run, it is the one piece of clm that doit still
calls, for plain ``doit`` and ``clm build`` alike: it ends the workers (or
multiprocessing's exit handler would wait for them), records the run as
interrupted, and exits with 130 (Ctrl-C) or 1 (a full disk) without a traceback.
"""

from __future__ import annotations

import sys

from doit.exceptions import BaseFail, TaskFailed, UnmetDependency
from doit.reporter import ConsoleReporter

from clm.encoding import tolerate_any_text
from clm.errors import CourseError, DiskFull, is_disk_full
from clm.session.reporter import Reporter
from clm.session.session import Session, installed
from clm.session.spec import SessionSpec
from clm.state import counters
from clm.state.workspace import Workspace
from clm.tasks.actions import DiskFullFailure
from clm.tasks.bookkeeping import RunBook
from clm.tasks.shared_cache import plan_keys
from clm.workers.lifetime import (
    end_workers,
    exit_soon,
    ignore_stops,
    interrupt_exit,
    stop_like_ctrl_c,
)
from clm.workers.run_tag import end_this_run


class TasksFailed(SystemExit):
    """The exit of a run in which tasks failed (and held back what depends on them)."""


def work_summary(totals: dict[str, int]) -> str:
    def count(name: str, one: str, many: str) -> str:
        value = totals.get(name, 0)
        return f"{value} {one if value == 1 else many}"

    on_cluster = (
        f"{count(counters.CLUSTER_EXECUTIONS, 'execution', 'executions')} ran on the cluster, "
        if totals.get(counters.CLUSTER_EXECUTIONS)
        else ""
    )
    shared = (
        f"{count(counters.REMOTE_HITS, 'result', 'results')} fetched from the shared cache, "
        if totals.get(counters.REMOTE_HITS)
        else ""
    )
    # Why a deck failed without running: said, so that the author does not wait for it.
    kept = (
        f"{count(counters.KEPT_FAILURES, 'kept failure', 'kept failures')} reported "
        "without running, "
        if totals.get(counters.KEPT_FAILURES)
        else ""
    )
    return (
        f"clm: {count(counters.KERNELS, 'kernel', 'kernels')} ran deck code "
        f"({count(counters.SPARE_KERNELS, 'spare', 'spares')} started ahead), {on_cluster}"
        f"{count(counters.CACHE_HITS, 'execution', 'executions')} from the cache, {kept}{shared}"
        f"{count(counters.OUTPUTS_WRITTEN, 'output', 'outputs')} written; "
        f"{count(counters.DIAGRAMS_RENDERED, 'diagram', 'diagrams')} rendered "
        f"({count(counters.JVMS, 'JVM', 'JVMs')} and "
        f"{count(counters.BROWSERS, 'browser', 'browsers')} started), "
        f"{count(counters.RENDER_CACHE_HITS, 'render', 'renders')} from the cache"
    )


class ClmReporter(ConsoleReporter):
    desc = "clm: progress, executed tasks, failures once each, history and a summary"

    def __init__(self, outstream, options):
        super().__init__(outstream, options)
        tolerate_any_text()  # the console's streams, also with another dodo.py
        tolerate_any_text(outstream)
        self.session = _session()
        self.reporter = self.session.reporter
        self.reporter.tell_story_on(outstream)
        self.workspace = self.session.workspace
        self.books = RunBook(self.reporter.note, self.workspace)
        self.tasks: dict = {}
        self.every_task = False
        self.executed = self.uptodate_count = self.not_rebuilt = 0

    # -- doit's hooks --------------------------------------------------------

    def initialize(self, tasks, selected_tasks) -> None:
        stop_like_ctrl_c()  # `kill` and a closed terminal end the build as Ctrl-C does
        # `clm build` takes the lock itself (and may refuse to wait); plain `doit` waits here.
        if self.books.lock():
            _refresh_state()
        self.books.go_on(self.session.spec_key)
        self.session.start()
        self.tasks = tasks
        self.every_task = len(selected_tasks) >= len(tasks)  # no task left out by name
        self.reporter.begin_tasks(sum(1 for task in tasks.values() if not task.has_subtask))

    def get_status(self, task) -> None:
        pass

    def skip_uptodate(self, task) -> None:
        if not task.has_subtask:
            self.uptodate_count += 1
            self.reporter.uptodate(task.name)

    def skip_ignore(self, task) -> None:
        self.reporter.uptodate(task.name)

    def execute_task(self, task) -> None:
        self.executed += 1
        self.reporter.line(f".  {task.title()}")
        self.reporter.started(task.name)
        self.books.started(task.name)

    def add_success(self, task) -> None:
        self.reporter.finished(task.name)
        for warning in (task.values or {}).get("warnings", ()):
            self.reporter.warning(warning, once=True)
        self.books.succeeded(task.name, (task.values or {}).get("from_cache"))

    def add_failure(self, task, fail: BaseFail) -> None:
        if isinstance(fail, UnmetDependency):
            if not task.has_subtask:
                self.not_rebuilt += 1
                self.reporter.not_run(task.name)
                self.books.not_rebuilt(task.name, fail.get_msg())
            return
        self.reporter.finished(task.name, failed=True)
        self.books.failed(task.name, fail.get_msg().rstrip())
        if isinstance(fail, DiskFullFailure):
            # Stops the run: complete_run says it once and exits with 1.
            raise CourseError(fail.message)
        self.failures.append({"task": task, "exception": fail})

    def complete_run(self) -> None:
        # doit calls this while an exception stops its run: Ctrl-C, or an error in
        # this process such as a full disk under .clm/.
        stopped = sys.exc_info()[1]
        if stopped is not None:
            ignore_stops()
            end_workers()
        elif self.executed:
            end_this_run()  # daemons a cell started, say; its workers have exited
        self.reporter.close()
        for result in self.failures:
            task, fail = result["task"], result["exception"]
            self.reporter.line(f"FAILED {task.name}:\n{fail.get_msg().rstrip()}")
            if task.executed:
                for stream in ("err", "out"):
                    text = "".join(getattr(action, stream) or "" for action in task.actions)
                    if text.strip():
                        self.reporter.line(f"{task.name} <std{stream}>:\n{text.rstrip()}")
        if self.runtime_errors:
            self.reporter.line("Execution aborted.\n" + "\n".join(self.runtime_errors))
        self.reporter.line(work_summary(self.books.totals()))
        if self.failures:
            failed = len(self.failures)
            summary = f"\nclm: {failed} task{'s' if failed != 1 else ''} failed"
            if self.not_rebuilt:
                summary += (
                    f"; {self.not_rebuilt} output{'s' if self.not_rebuilt != 1 else ''} "
                    "depending on them kept their last good version"
                )
            self.reporter.line(summary + ".")
        if stopped is None:
            self.session.finish(lambda: plan_keys(self.tasks), self.every_task)
        # After a failed write to the state, recording the end may fail too.
        self.books.end(
            executed=self.executed,
            failed=len(self.failures)
            + len(self.runtime_errors)
            + (stopped is not None and not isinstance(stopped, KeyboardInterrupt)),
            uptodate=self.uptodate_count,
            not_rebuilt=self.not_rebuilt,
            interrupted=isinstance(stopped, KeyboardInterrupt),
            stopping=stopped is not None,
        )
        self.books.release()
        if stopped is not None:
            self._stop(stopped)
        only_failed = all(isinstance(result["exception"], TaskFailed) for result in self.failures)
        if self.failures and only_failed and not self.runtime_errors:
            # doit says 2 once a failed task held others back; for clm that is still
            # "some outputs failed", as `clm build` says: 1.
            raise TasksFailed(1)

    def _stop(self, stopped: BaseException) -> None:
        """Say why the build stopped and exit: 130 for Ctrl-C (143 SIGTERM, 129 SIGHUP),
        1 for a full disk.

        Raised from here, SystemExit replaces the exception on its way out, so
        neither doit nor Python prints a traceback of it; any other error is a
        bug in clm and goes on, with its traceback.
        """
        if isinstance(stopped, KeyboardInterrupt):
            code, what = interrupt_exit(stopped)
            self._exit(
                code,
                f"clm: {what}; the outputs finished so far are kept, the next build does the rest",
            )
        if isinstance(stopped, CourseError):
            self._exit(1, f"clm: error: {stopped}")
        if is_disk_full(stopped):
            where = getattr(stopped, "filename", None) or self.workspace.state_file
            self._exit(1, f"clm: error: {DiskFull(where, 'cannot write the build state')}")

    def _exit(self, code: int, message: str) -> None:
        self.reporter.line(message)
        exit_soon(code)
        raise SystemExit(code) from None


def _session() -> Session:
    """The session of the build doit runs: the one the entry point installed, if doit's
    backend keeps the state of its workspace (a bare one otherwise)."""
    from doit.globals import Globals

    workspace = Workspace.of_state_file(Globals.dep_manager.name)
    session = installed()
    if session is not None and session.workspace == workspace:
        return session
    return Session(SessionSpec(str(workspace.root)), None, reporter=Reporter())


def _refresh_state() -> None:
    """Re-read the state another build may have changed while this one waited."""
    from doit.globals import Globals

    backend = getattr(Globals.dep_manager, "backend", None)
    if hasattr(backend, "refresh"):
        backend.refresh()
