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
from typing import TYPE_CHECKING

from doit.exceptions import BaseFail, TaskFailed, UnmetDependency
from doit.reporter import ConsoleReporter

from clm.encoding import tolerate_any_text
from clm.errors import CourseError, DiskFull, is_disk_full

if TYPE_CHECKING:
    from clm.session.session import Session

# doit imports every reporter it knows before it reads a dodo.py, so this module's
# imports are paid by every `doit`, a no-op too: what only a run needs is imported there.


class TasksFailed(SystemExit):
    """The exit of a run in which tasks failed (and held back what depends on them)."""


class ClmReporter(ConsoleReporter):
    desc = "clm: progress, executed tasks, failures once each, history and a summary"

    def __init__(self, outstream, options):
        from clm.tasks.bookkeeping import RunBook

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
        self.not_up_to_date: set[str] = set()  # failed, or held back by a failure

    # -- doit's hooks --------------------------------------------------------

    def initialize(self, tasks, selected_tasks) -> None:
        from clm.workers.lifetime import stop_like_ctrl_c

        stop_like_ctrl_c()  # `kill` and a closed terminal end the build as Ctrl-C does
        # `clm build` takes the lock itself (and may refuse to wait); plain `doit` waits here.
        if self.books.lock():
            _refresh_state()
        self.books.go_on(self.session.spec_key)
        self.session.start()
        self.tasks = tasks
        self.every_task = len(selected_tasks) >= len(tasks)  # no task left out by name
        # What the shortcut spared doit is up to date: counted, never reported one by one.
        shortcut = self.session.shortcut
        self.uptodate_count = len(shortcut.spared) if shortcut is not None else 0
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
        from clm.tasks.actions import DiskFullFailure

        self.not_up_to_date.add(task.name)
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
        from clm.state.summary import work_summary
        from clm.tasks.shared_cache import plan_keys
        from clm.workers.lifetime import end_workers, ignore_stops
        from clm.workers.run_tag import end_this_run

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
        if stopped is None and not self.runtime_errors:
            self._leave_snapshot()
        self.books.release()
        if stopped is not None:
            self._stop(stopped)
        only_failed = all(isinstance(result["exception"], TaskFailed) for result in self.failures)
        if self.failures and only_failed and not self.runtime_errors:
            # doit says 2 once a failed task held others back; for clm that is still
            # "some outputs failed", as `clm build` says: 1.
            raise TasksFailed(1)

    def _leave_snapshot(self) -> None:
        """The stamps the next build compares with, after a build of every task of the
        whole course (clm.tasks.unchanged)."""
        shortcut = self.session.shortcut
        if shortcut is None or not self.every_task:
            return
        try:
            shortcut.commit(self.not_up_to_date)
        except OSError as error:  # the next build looks at everything: no harm
            self.reporter.warning(f"clm: could not keep the build's file stamps: {error}")

    def _stop(self, stopped: BaseException) -> None:
        """Say why the build stopped and exit: 130 for Ctrl-C (143 SIGTERM, 129 SIGHUP),
        1 for a full disk.

        Raised from here, SystemExit replaces the exception on its way out, so
        neither doit nor Python prints a traceback of it; any other error is a
        bug in clm and goes on, with its traceback.
        """
        from clm.workers.lifetime import interrupt_exit

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
        from clm.workers.lifetime import exit_soon

        self.reporter.line(message)
        exit_soon(code)
        raise SystemExit(code) from None


def _session() -> Session:
    """The session of the build doit runs: the one the entry point installed, if doit's
    backend keeps the state of its workspace (a bare one otherwise)."""
    from doit.globals import Globals

    from clm.session.reporter import Reporter
    from clm.session.session import Session, installed
    from clm.session.spec import SessionSpec
    from clm.state.workspace import Workspace

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
