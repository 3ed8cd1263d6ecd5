"""The watcher: after each save, rebuild exactly the outputs the change reaches.

It keeps across cycles what a fresh ``doit`` would rebuild each time: the plan
and its tasks, the state database (clm's SQLite backend, through doit's own
``Dependency``, so a later ``doit`` agrees with it) and warm worker processes.
A cycle selects the tasks whose file dependencies changed and everything
downstream of them, asks doit's up-to-date logic about each in dependency
order, and runs what is out of date on the pool. Only a changed spec, a file
created or deleted, or a changed deck title re-plans the course.

Every saved deck gets the checks of ``clm build`` first. A deck that fails them
fails its own outputs (they keep their last good version) until a save fixes
it, while the other decks go on being rebuilt.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from clm.errors import CourseError
from clm.session.reporter import Reporter
from clm.watch.changes import ChangeCollector, Changes, EventQueue, Scope
from clm.watch.cycles import Companion, Cycle, CycleListener, Watched
from clm.workers.lifetime import stop_like_ctrl_c
from clm.workers.run_tag import end_this_run

HTML_SUFFIX = ".html"


def _signature(task) -> tuple:
    """What a task does, to tell which tasks a new plan redefined."""
    actions = tuple((a.py_callable.__name__, repr(a.args)) for a in task.actions)
    return actions, tuple(sorted(task.file_dep)), tuple(task.targets)


class Watcher:
    def __init__(
        self,
        spec_file: Path,
        jobs: int,
        reporter: Reporter,
        languages: tuple[str, ...] | None = None,
    ):
        from doit.dependency import Dependency

        from clm.session.worker import prestart
        from clm.spec import course_root
        from clm.state.backend import SqliteStateDB
        from clm.state.doit_state import DoitState
        from clm.state.workspace import Workspace
        from clm.tasks.bookkeeping import RunBook
        from clm.tasks.generator import build_session
        from clm.workers.pool import WorkerPool

        self.spec_file = spec_file
        self.languages = languages
        self.reporter = reporter
        self.listener: CycleListener | None = None
        self.plan_error: str | None = None  # why the last re-plan failed, until one succeeds
        self.cycles = 0
        self.run: int | None = None
        self.command = [Path(sys.argv[0]).name, *sys.argv[1:]]
        self.tasks: dict = {}
        self.bad_decks: dict[str, CourseError] = {}  # decks failing the checks of `clm build`
        # Changes a failed re-plan left unbuilt: the next change plans again and builds them.
        self.unplanned: set[str] = set()
        self.workspace = Workspace.at(course_root(spec_file))
        self.state = DoitState(self.workspace)  # what the checker and the backend share
        self.dependency = Dependency(
            SqliteStateDB,
            str(self.workspace.state_file),
            checker_cls=self.state.checker,
            codec_cls=self.state.codec,
        )
        self.books = RunBook(reporter.note, self.workspace)
        self._load()
        self.session = build_session(self.build, reporter)
        for warning in self.build.warnings:
            reporter.warning(warning)
        self.collector = ChangeCollector(self.scope)
        # Workers start before the observer's thread exists. Their spare kernels are
        # of the kernel most decks run in, in the course's Python as planned now (a spec
        # edit changing it costs one reboot).
        spare = self.build.spare_kernel()
        prepare = functools.partial(prestart, self.build.session, *spare) if spare else None
        self.pool = WorkerPool(jobs, prepare=prepare)
        self.events: EventQueue | None = None

    # -- the plan -----------------------------------------------------------

    def _load(self) -> None:
        from clm.tasks.generator import prepared_tasks

        build, self.tasks = prepared_tasks(
            self.spec_file,
            languages=self.languages,
            reporter=self.reporter,
            warn=False,
            state=self.state,
        )
        self.build = build
        self.bad_decks = dict(build.deck_errors)
        self.by_dep: dict[str, set[str]] = {}
        self.by_target: dict[str, str] = {}
        for task in self.tasks.values():
            for dep in task.file_dep:
                self.by_dep.setdefault(dep, set()).add(task.name)
            for target in task.targets:
                self.by_target[target] = task.name
        self.decks = {d.deck.path: d.deck.titles for d in build.plan.decks}
        # Decks planning found wrong (a lone half, an unreadable title).
        self.misplanned = {d.deck.path for d in build.plan.decks if d.error is not None}
        # The decks planned without narration: their trainer files are recording's.
        self.unnarrated = {d.deck.path for d in build.plan.decks if not d.deck.narrated}
        spec = build.spec
        folders = ["slides"]
        if build.templates:
            folders.append(build.templates)
        folders += sorted({g.path for g in build.plan.course.dir_groups})
        # What includes splice into topics, wherever it is in the course.
        included = build.plan.course.included
        folders += [path for path in included if (spec.root / path).is_dir()]
        files = {spec.key, *(path for path in included if not (spec.root / path).is_dir())}
        self.scope = Scope(spec.root, tuple(folders), frozenset(files))

    def _check_saved(self, paths: set[str]) -> set[str]:
        """Check the saved decks as `clm build` does (every deck when a template changed),
        print their warnings; the saved decks that pass."""
        from clm.tasks.prepare import Known, check_course_decks

        build = self.build
        saved = sorted(path for path in paths if path in self.decks and Path(path).is_file())
        # A saved companion's warnings are the author's news, like a saved deck's.
        narrated = {
            d.deck.path
            for d in build.plan.decks
            if d.deck.companion in paths and d.deck.path in self.decks
        }
        checked = saved
        if paths & set(build.template_deps):
            checked = sorted(path for path in self.decks if Path(path).is_file())
        else:
            # An included workshop file, or a voiceover companion, is checked as part of
            # each deck that includes it or that it narrates.
            including = {
                deck
                for deck, prepass in build.prepasses.items()
                if paths.intersection(prepass.includes) and deck in self.decks
            }
            including |= narrated
            checked = sorted({*saved, *(deck for deck in including if Path(deck).is_file())})
        if not checked:
            return set()
        try:
            verdicts = check_course_decks(
                Known.of(self.workspace, self.state.store()),
                build.spec,
                build.template_deps,
                build.prepasses,
                checked,
                build.plan,
            )
        except OSError:  # a deck went away meanwhile: its deletion is the next change
            return set()
        for deck in checked:
            self.bad_decks.pop(deck, None)
        # A missing link target stays an error of its deck until the plan says otherwise.
        links = build.xrefs.errors
        self.bad_decks.update({deck: links[deck] for deck in checked if deck in links})
        self.bad_decks.update(verdicts.errors)
        for deck in sorted({*saved, *narrated}):
            for warning in verdicts.warnings.get(deck, ()):
                self.reporter.warning(warning)
        return {deck for deck in saved if deck not in verdicts.errors}

    def _titles_changed(self, decks: set[str]) -> bool:
        from clm.course.headers import deck_titles
        from clm.encoding import read_deck

        languages = self.build.spec.languages
        for path in decks:
            if path in self.misplanned:
                return True  # only a new plan can tell whether it is mended
            try:
                if deck_titles(read_deck(path), path, languages) != self.decks[path]:
                    return True
            except (OSError, CourseError):
                return True  # the new plan reports what is wrong
        return False

    def _narration_came(self, passed: set[str], paths: set[str]) -> bool:
        """Whether a saved deck planned without narration (of those that ``passed`` their
        checks: a deck that fails them builds nothing), or a saved course template, may
        now bring voiceover cells: trainer and recording must then be written apart."""
        from clm.course.model import may_narrate
        from clm.encoding import read_deck

        if not self.unnarrated:
            return False
        saved = (passed & self.unnarrated) | (paths & set(self.build.template_deps))
        for path in sorted(saved):
            try:
                text = read_deck(path) if path in self.unnarrated else Path(path).read_text()
            except (OSError, CourseError, UnicodeDecodeError):
                return True  # the new plan reports what is wrong
            if may_narrate(text):
                return True
        return False

    def _includes_changed(self, paths: set[str]) -> bool:
        """Whether a saved deck or included file now includes other files than planned.

        Only decks that pass their checks count: a deck that cannot be read or
        rendered is refused until it is fixed, and its fix is looked at then.
        """
        from clm.deck.includes import deck_includes, references
        from clm.encoding import read_deck

        for deck, prepass in self.build.prepasses.items():
            if deck in self.bad_decks:
                continue
            if deck not in paths and not paths.intersection(prepass.includes):
                continue
            try:
                found = deck_includes(deck, prepass, lambda path: references(read_deck(path)))
            except (OSError, CourseError):
                continue  # gone or unreadable meanwhile: the next change says more
            if tuple(found.files) != prepass.includes:
                return True
        return False

    def _replan(self) -> set[str]:
        """Plan again; the names of the tasks that are new or now do something else."""
        before = {name: _signature(task) for name, task in self.tasks.items()}
        self._load()
        self.collector.rescan(self.scope)
        return {
            name
            for name, task in self.tasks.items()
            if not task.has_subtask and before.get(name) != _signature(task)
        }

    # -- one cycle ----------------------------------------------------------

    def _downstream(self, seeds: Iterable[str]) -> set[str]:
        selected: set[str] = set()
        pending = list(seeds)
        while pending:
            name = pending.pop()
            if name in selected or name not in self.tasks:
                continue
            selected.add(name)
            for target in self.tasks[name].targets:
                pending.extend(self.by_dep.get(target, ()))
        return selected

    def _upstream_of(self, name: str, selected: set[str]) -> set[str]:
        task = self.tasks[name]
        upstream = {
            self.by_target[dep]
            for dep in task.file_dep
            if dep in self.by_target and self.by_target[dep] in selected
        }
        # The leak guard reads copies after their tasks without depending on the files.
        upstream.update(dep for dep in task.task_dep if dep in selected)
        return upstream

    def run_cycle(self, changes: Changes | None) -> dict:
        """Bring what ``changes`` reach up to date (None: the whole course)."""
        started = time.monotonic()
        self.cycles += 1
        # A `doit` of the same course may run between two saves: wait for it, then
        # look at the state it left.
        self.books.lock()
        try:
            self.dependency.backend.refresh()
            self.dependency.checker.forget_stats()
            self.run = self.books.begin(self.build.spec.key, self.command)
            # The first cycle starts the watcher's session: the sweeps of what killed
            # builds left, the shared cache read ahead. It never publishes: an author's
            # saves are no whole build.
            self.session.start()
            result = self._cycle(changes)
            self.books.end(
                executed=result["executed"],
                failed=result["failed"],
                uptodate=result["uptodate"],
                not_rebuilt=result["kept"],
            )
        finally:
            self.books.release()
        seconds = time.monotonic() - started
        summary = self._report(result, seconds)
        if self.listener is not None:
            self.listener.cycle_finished(
                self._watched(),
                Cycle(
                    number=self.cycles,
                    seconds=seconds,
                    executed=result["executed"],
                    failed=result["failed"],
                    uptodate=result["uptodate"],
                    kept=result["kept"],
                    updated=tuple(result["updated"]),
                    outcomes=result["outcomes"],
                    plan_error=self.plan_error,
                    summary=summary,
                ),
            )
        return result

    def _watched(self) -> Watched:
        return Watched(self.build.plan, self.tasks)

    def _cycle(self, changes: Changes | None) -> dict:
        if changes is None:
            everything = {name for name, task in self.tasks.items() if not task.has_subtask}
            return self._run(self._downstream(everything))
        self.reporter.line(f"changed: {changes.describe()}")
        paths = changes.paths | self.unplanned
        seeds: set[str] = set()
        try:
            seeds = self._follow_plan(changes, paths)
            self.unplanned = set()
            self.plan_error = None
        except CourseError as error:
            # The saves are still built, with the last good plan; planning is tried
            # again on the next change, so what this one changed is not lost.
            self.unplanned = set(paths)
            self.plan_error = str(error)
            self.reporter.error(
                f"error: {error}\n(the last good plan is kept until the next change)"
            )
        for path in paths:
            seeds |= self.by_dep.get(path, set())
        result = self._run(self._downstream(seeds))
        result["failed"] += bool(self.unplanned)
        return result

    def _follow_plan(self, changes: Changes, paths: set[str]) -> set[str]:
        """Check the saved decks and plan again when ``paths`` need it; the tasks that
        the new plan redefined. CourseError when the course cannot be planned."""
        passed = self._check_saved(paths)
        spec_changed = self.build.spec.key in paths
        if not (
            self.unplanned
            or changes.created
            or changes.deleted
            or spec_changed
            or self._titles_changed(passed)
            or self._narration_came(passed, paths)
            or self._includes_changed(paths)
            or self._links_changed(passed)
            or any(paths & section.shared for section in self.build.plan.course.sections)
        ):
            self._say_link_warnings(passed)
            return set()
        known = set(self.decks)
        redefined = self._replan()
        if spec_changed:
            for warning in self.build.spec.warnings:
                self.reporter.warning(warning)
        self._check_saved(paths - known)  # the decks the new plan brought
        self._say_link_warnings(passed)
        return redefined

    def _links_changed(self, decks: set[str]) -> bool:
        """Whether a saved deck now has other cross-references than planned: where they
        lead is worked out while planning."""
        from clm.deck.xrefs import deck_references
        from clm.encoding import read_deck

        for path in decks:
            try:
                # The deck's language as planned (a Markdown deck's is its topic's).
                language = self.build.prepasses[path].language_of(path)
                found = deck_references(read_deck(path), language)
            except (OSError, CourseError):
                return True  # the new plan reports what is wrong
            if found != self.build.xrefs.found.get(path, ()):
                return True
        return False

    def _say_link_warnings(self, decks: set[str]) -> None:
        for deck in sorted(decks):
            for warning in self.build.xrefs.warnings.get(deck, ()):
                self.reporter.warning(warning)

    def _report(self, result: dict, seconds: float) -> str:
        """Say what the cycle did; its closing line."""
        from clm.state.summary import work_summary

        for basename, count in sorted(result.get("rebuilt", {}).items()):
            self.reporter.line(f"rebuilt: {basename} ({count} task{'s' if count != 1 else ''})")
        for page in result["updated"]:
            self.reporter.line(f"updated: {page}")
        if result["kept"]:
            self.reporter.line(
                f"kept: {result['kept']} output(s) depending on failed tasks keep their last "
                "good version"
            )
        closing = (
            f"cycle {self.cycles} done in {seconds:.2f} s: {result['executed']} task(s) run, "
            f"{result['failed']} failed; {work_summary(self.books.totals()).removeprefix('clm: ')}"
        )
        self.reporter.line(closing)
        return closing

    def _run(self, selected: set[str]) -> dict:
        """Check and run ``selected``, each after the selected tasks it depends on."""
        from clm.tasks.generator import CLASH_TASK, DECK_CHECK

        # The watcher checks saved decks itself (bad_decks, _refuse_bad_decks): the failing
        # check the plan made for a deck that was bad when it was planned is not run.
        selected = {
            name for name in selected if name != f"{self.tasks[name].subtask_of}:{DECK_CHECK}"
        }
        # A deck held back by a clash waits for the clash's task, which fails.
        selected = selected | {
            dep
            for name in selected
            for dep in self.tasks[name].task_dep
            if dep.startswith(f"{CLASH_TASK}:")
        }

        blocking: dict[str, int] = {}
        dependents: dict[str, list[str]] = {}
        for name in selected:
            upstream = self._upstream_of(name, selected)
            blocking[name] = len(upstream)
            for producer in upstream:
                dependents.setdefault(producer, []).append(name)

        if self.listener is not None:
            self.listener.cycle_started(self._watched(), selected)
        # What became of each selected task: None when it is up to date now, else why not.
        outcomes: dict[str, str | None] = self._refuse_bad_decks(selected)
        failed = set(outcomes)
        dropped: set[str] = set()
        for name in sorted(failed):
            for child in (self._downstream({name}) - failed) & selected:
                if child not in dropped:
                    dropped.add(child)
                    outcomes[child] = outcomes[name]
                    self.books.not_rebuilt(child, "its deck fails the checks")
        ready = [
            name
            for name, count in blocking.items()
            if count == 0 and name not in failed and name not in dropped
        ]
        running: dict[Future, tuple[str, dict]] = {}
        executed, uptodate, updated = 0, 0, []
        rebuilt: dict[str, int] = {}

        def finished(name: str) -> None:
            for child in dependents.get(name, ()):
                blocking[child] -= 1
                if blocking[child] == 0:
                    ready.append(child)

        def abandon(name: str) -> None:
            pending = list(dependents.get(name, ()))
            while pending:
                child = pending.pop()
                if child not in dropped:
                    dropped.add(child)
                    outcomes[child] = outcomes[name]
                    self.books.not_rebuilt(child, f"{name} failed")
                    pending.extend(dependents.get(child, ()))

        while ready or running:
            while ready:
                name = ready.pop()
                if name in dropped:
                    continue
                task = self.tasks[name]
                status = self.dependency.get_status(task, self.tasks)
                if status.status == "up-to-date":
                    uptodate += 1
                    outcomes[name] = None
                    finished(name)
                elif status.status == "error":
                    failed.add(name)
                    message = status.get_error_message()
                    outcomes[name] = message
                    self.books.failed(name, message)
                    self.reporter.line(f"FAILED {name}: {message}")
                    abandon(name)
                else:
                    self.books.started(name)
                    running[self._submit(task)] = (name, _html_stats(task))
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name, stats = running.pop(future)
                task = self.tasks[name]
                executed += 1
                outcome, value = self._outcome(future)
                if outcome == "ok":
                    task.values = value or {}
                    for warning in task.values.get("warnings", ()):
                        self.reporter.warning(warning)
                    self.dependency.save_success(task)
                    self.books.succeeded(name, task.values.get("from_cache"))
                    basename = task.subtask_of or name
                    rebuilt[basename] = rebuilt.get(basename, 0) + 1
                    written = [path for path, stat in stats.items() if _stat(path) != stat]
                    if written and self.listener is not None:
                        self.listener.pages_written(self._watched(), written)
                    updated += written
                    outcomes[name] = None
                    finished(name)
                else:
                    failed.add(name)
                    outcomes[name] = str(value)
                    self.books.failed(name, value)
                    self.reporter.line(f"FAILED {name}:\n{value}")
                    abandon(name)
        kept = len(dropped)
        return {
            "executed": executed,
            "uptodate": uptodate,
            "failed": len(failed),
            "kept": kept,
            "updated": updated,
            "rebuilt": rebuilt,
            "outcomes": outcomes,
        }

    def _refuse_bad_decks(self, selected: set[str]) -> dict[str, str | None]:
        """Fail the selected tasks of decks that fail the checks; their names, with why."""
        from clm.state.workspace import is_intermediate

        refused: dict[str, str | None] = {}
        for deck, error in sorted(self.bad_decks.items()):
            # The deck's own tasks fail; others that read it (the leak guard) are held back.
            names = sorted(
                name
                for name in self.by_dep.get(deck, set()) & selected
                if self.tasks[name].subtask_of == deck
            )
            if not names:
                continue
            for name in names:
                self.books.failed(name, str(error))
            outputs = [
                f"    {target}"
                for name in names
                for target in self.tasks[name].targets
                if not is_intermediate(target)
            ]
            self.reporter.line(
                f"FAILED {error}\n  failed outputs (the last good version is kept):\n"
                + "\n".join(outputs)
            )
            refused.update(dict.fromkeys(names, str(error)))
        return refused

    def _submit(self, task) -> Future:
        (action,) = task.actions
        return self.pool.submit(action.py_callable, tuple(action.args), dict(action.kwargs))

    def _outcome(self, future: Future) -> tuple[str, object]:
        try:
            return future.result()
        except BrokenProcessPool:
            self.pool.restart()
            return "failed", "the worker process running it died; it is retried on the next change"

    # -- the loop -----------------------------------------------------------

    def watch(self) -> None:
        self.run_cycle(None)
        self.events = EventQueue(self.scope)
        self.events.start()
        self.reporter.line(
            f"clm: watching {self.scope.root} ({', '.join(self.scope.folders)}); Ctrl-C ends"
        )
        watched = self.scope
        while True:
            touched = self.events.next_burst()
            if not touched:
                continue
            changes = self.collector.judge(touched)
            if changes:
                self.run_cycle(changes)
            if self.scope.folders != watched.folders:  # a dir-group came or went
                self.events.stop()
                self.events = EventQueue(self.scope)
                self.events.start()
                watched = self.scope

    def close(self) -> None:
        if self.events is not None:
            self.events.stop()
        self.pool.close()
        self.dependency.close()


def _stat(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _html_stats(task) -> dict[str, tuple[int, int] | None]:
    return {t: _stat(t) for t in task.targets if t.endswith(HTML_SUFFIX)}


def watch_course(
    spec_file: Path,
    jobs: int | None = None,
    *,
    languages: tuple[str, ...] | None = None,
    companion: Companion | None = None,
    reporter: Reporter | None = None,
) -> int:
    """Build, then rebuild on every change until Ctrl-C; the exit code of ``clm watch``.

    A ``companion`` (the preview server) is attached once the workers exist and
    closed with the watcher, whichever way it ends. What it says goes through
    ``reporter`` (one on stdout and stderr unless the caller made it).
    """
    from clm.spec import course_root
    from clm.workers import begin_run

    os.chdir(course_root(spec_file))
    reporter = reporter or Reporter()
    try:
        begin_run()
        watcher = Watcher(spec_file, jobs or os.cpu_count() or 1, reporter, languages=languages)
    except CourseError as error:
        reporter.error(f"error: {error}")
        if companion is not None:
            companion.close()
        return 2
    # `kill`, CI timeouts and a closed terminal end the watcher as cleanly as Ctrl-C does.
    stop_like_ctrl_c()
    try:
        with contextlib.ExitStack() as stack:
            if companion is not None:
                stack.callback(companion.close)
                companion.attach(watcher)
            watcher.watch()
    except KeyboardInterrupt:
        reporter.line("\nclm: stopped watching")
    finally:
        watcher.close()
        end_this_run()  # what its workers' cells started and left running
    return 0
