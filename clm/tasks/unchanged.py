"""A build's shortcut past what did not change, by the stamps of the last build.

Before planning, a build stats the course (``look``): every file and folder under
its root, and every other file the last build's snapshot names (clm.state.snapshot).

- When nothing differs from the snapshot, and the last build left every task up
  to date, the build is a no-op: it says what the last one's planning said,
  records the run, and ends (``nothing_changed``), without planning or doit.
- Otherwise the build plans as always, and ``Shortcut.select`` hands doit only
  the tasks whose files, values or targets differ from the snapshot, that the
  last build did not leave up to date, or that read what those write. The
  others are up to date by the snapshot's account and are counted as such.

Either way, the stamps taken before planning are what the build's snapshot
records for its sources (``Shortcut.commit``, at the end of a build that was not
stopped), so that a file edited while the build ran is looked at again by the
next one.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from clm.state import snapshot as snapshots
from clm.state.snapshot import Snapshot, Stamp
from clm.state.workspace import Workspace, is_intermediate

if TYPE_CHECKING:
    from clm.tasks.prepare import Build

VIRTUAL_PREFIX = "clm:"  # clm.state.checker's, spelled here to keep doit out of the no-op
# What besides the course's files decides a build: the variables clm, Jupyter and the
# converters read (the kernels' environments are stamped on their own).
_CONTEXT_VARIABLES = ("PATH", "PYTHONPATH", "PYTHONHOME", "JAVA_HOME", "VIRTUAL_ENV", "HOME")
_CONTEXT_PREFIXES = ("CLM_", "JUPYTER")


@dataclass(frozen=True)
class KernelStamp:
    """What tells whether a kernel's environment fingerprint may have changed: its
    kernelspec, interpreter or runtime (clm.execute.fingerprints.stamp), and for a
    course interpreter the folders it imports from."""

    kernel: str
    python: str | None
    folders: tuple[str, ...] = ()

    def now(self) -> str:
        from clm.execute import fingerprints

        stamp = fingerprints.stamp(self.kernel, self.python)
        if not self.folders:
            return stamp
        from clm.execute import probe

        return json.dumps([stamp, probe.folder_stamps(list(self.folders))])


def variables() -> list[tuple[str, str]]:
    """The environment variables a build reads (clm's own run tag aside)."""
    return sorted(
        (name, value)
        for name, value in os.environ.items()
        if (name in _CONTEXT_VARIABLES or name.startswith(_CONTEXT_PREFIXES))
        and name != "CLM_RUN_OWNER"
    )


def context(
    spec_file: Path, kernels: Iterable[KernelStamp], variables: list[tuple[str, str]]
) -> str:
    """Everything but the files that decides a build of ``spec_file`` here: clm's
    versions, the interpreter, the ``variables`` and the kernels' stamps."""
    import clm

    versions = [
        clm.__version__,
        clm.CONVERSION_VERSION,
        clm.EXECUTION_VERSION,
        clm.RENDER_VERSION,
        clm.CHECKS_VERSION,
        clm.GUARD_VERSION,
    ]
    return json.dumps(
        [
            snapshots.FORMAT,
            versions,
            sys.executable,
            sys.version,
            str(spec_file),
            [list(pair) for pair in variables],
            [[k.kernel, k.python, list(k.folders), k.now()] for k in kernels],
            _own_files(),
        ]
    )


def _own_files() -> list:
    """The stamps of clm's own files, its templates among them: an edit of an editable
    install, or another install of the same version, is a change of the engine."""
    import clm

    stamps = []
    package = os.path.dirname(os.path.abspath(clm.__file__))
    pending = [package]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.name == "__pycache__":
                    continue
                if entry.is_dir():
                    pending.append(entry.path)
                else:
                    stat = entry.stat()
                    stamps.append([entry.path, stat.st_size, stat.st_mtime_ns])
    return sorted(stamps)


@dataclass
class Look:
    """The course's stamps, taken before planning, and the last build's snapshot."""

    spec_file: Path
    folder: Path  # the course's .clm
    snapshot: Snapshot | None
    files: dict[str, Stamp]  # walked: every file under the root planning may read
    folders: dict[str, Stamp]
    others: dict[str, Stamp]  # the snapshot's sources outside the walk (includes, templates)
    outputs: dict[str, Stamp]  # the snapshot's output folders and intermediate files
    skipped_folders: tuple[str, ...]
    variables: list[tuple[str, str]]  # as the build began (it sets some for its workers)

    def stamp(self, path: str) -> Stamp:
        """``path``'s stamp before planning; None when it was not stat'ed then."""
        for stamps in (self.files, self.others, self.outputs):
            found = stamps.get(path)
            if found is not None:
                return found
        return None


def look(spec_file: Path, root: Path) -> Look:
    """Stat the course under ``root`` (the working directory) and read the snapshot of
    ``spec_file``'s last build."""
    from clm.course.ignored import is_ignored

    workspace = Workspace.at(root)
    folder = workspace.folder
    snapshot = snapshots.load(snapshots.snapshot_file(folder, str(spec_file)))
    if snapshot is not None:
        skipped = snapshot.skipped_folders
    else:  # the walk leaves out what earlier builds wrote
        from clm.state.records import every_output_folder

        skipped = every_output_folder(workspace.state_file)
    newest = snapshots.trusted_since()
    files, folders = snapshots.walk(str(root), frozenset(skipped), is_ignored, newest)
    others: dict[str, Stamp] = {}
    outputs: dict[str, Stamp] = {}
    if snapshot is not None:
        others = snapshots.stamps_of((p for p in snapshot.stamps if p not in files), newest)
        outputs = {
            place: snapshots.output_folder_now(place, recorded)
            for place, recorded in snapshot.outputs.items()
        }
    return Look(spec_file, folder, snapshot, files, folders, others, outputs, skipped, variables())


def nothing_changed(look: Look) -> Snapshot | None:
    """The last build's snapshot when the course is as it left it, every task up to date."""
    snapshot = look.snapshot
    if snapshot is None or not snapshot.complete:
        return None
    # The walk sees every file planning may read, a new one too: the folders' own stamps
    # change also for what it never reads (an editor's swap file, coverage's data).
    if look.folders.keys() != snapshot.folders.keys():
        return None
    for current, recorded in (
        (look.files, snapshot.stamps),
        (look.others, snapshot.stamps),
        (look.outputs, snapshot.outputs),
    ):
        for path, stamp in current.items():
            if stamp is None or recorded.get(path, snapshot.outputs.get(path)) != stamp:
                return None
    if any(path not in look.files and path not in look.others for path in snapshot.stamps):
        return None  # a file the last build read is gone
    kernels = [KernelStamp(*kernel) for kernel in snapshot.kernels]
    if context(look.spec_file, kernels, look.variables) != snapshot.context:
        return None
    return snapshot


@dataclass
class Shortcut:
    """One build's use of the snapshot: which tasks it hands doit, and the snapshot it
    leaves (``commit``)."""

    look: Look
    values: dict[str, str] = field(default_factory=dict)
    said: tuple[str, ...] = ()
    kernels: tuple[KernelStamp, ...] = ()
    output_folders: tuple[str, ...] = ()  # under the course root: not walked
    names: list[str] = field(default_factory=list)  # every task of the plan (not groups)
    sources: dict[str, None] = field(default_factory=dict)
    targets: dict[str, None] = field(default_factory=dict)
    spared: list[str] = field(default_factory=list)  # tasks not handed to doit
    # Whether each dependency or output place differs from the snapshot, worked out once.
    _verdicts: dict[str, bool] = field(default_factory=dict, repr=False)
    # The context as the build began: compared with the snapshot's, and the next one's.
    _context_now: str | None = field(default=None, repr=False)

    def prepare(self, build: Build) -> None:
        """Take what the snapshot keeps from the build's plan: its values, its warnings,
        the kernels it runs and its output folders."""
        from clm.languages import is_ipykernel

        self.values = dict(build.values)
        self.said = tuple(build.warnings)
        self.kernels = tuple(
            KernelStamp(kernel, build.kernel_python, build.interpreter_folders)
            if is_ipykernel(kernel) and build.kernel_python is not None
            else KernelStamp(kernel, None)
            for kernel in sorted(build.environments)
        )
        root = self.look.folder.parent.resolve()
        folders: dict[str, None] = {}
        for folder in build.plan.guards.values():
            path = Path(folder)
            if path.is_absolute():
                if not path.resolve().is_relative_to(root):
                    continue  # outside the course: never walked
                path = path.resolve().relative_to(root)
            folders[path.as_posix()] = None
        self.output_folders = tuple(folders)

    def select(self, dicts: Iterable[dict]) -> list[dict]:
        """The task dicts doit needs (in their order): all of them without a snapshot."""
        dicts = list(dicts)
        named = [(task, _full_name(task)) for task in dicts if not _is_group(task)]
        sources, targets = self.sources, self.targets
        for task, name in named:
            self.names.append(name)
            for dep in task.get("file_dep", ()):
                sources[dep] = None
            targets.update(dict.fromkeys(task.get("targets", ())))
        for dep in [dep for dep in sources if dep.startswith(VIRTUAL_PREFIX)]:
            del sources[dep]
        snapshot = self.look.snapshot
        now = self._context()  # taken before the build, like the sources' stamps
        if snapshot is None or snapshot.context != now:
            return dicts
        changed = {name for task, name in named if self._changed(task, name, snapshot)}
        # What reads a file a changed task writes is changed too (until nothing is added).
        readers: dict[str, list[str]] = {}
        for task, name in named:
            for dep in task.get("file_dep", ()):
                if dep in targets:
                    readers.setdefault(dep, []).append(name)
        outputs_of = {name: task.get("targets", ()) for task, name in named}
        pending = list(changed)
        while pending:
            for target in outputs_of[pending.pop()]:
                for reader in readers.get(target, ()):
                    if reader not in changed:
                        changed.add(reader)
                        pending.append(reader)
        chosen = []
        groups_kept = {name.split(":", 1)[0] for name in changed}
        for task in dicts:
            if _is_group(task):
                if task["basename"] in groups_kept:
                    chosen.append(task)
                continue
            name = _full_name(task)
            if name not in changed:
                self.spared.append(name)
                continue
            waits_for = task.get("task_dep")
            if waits_for and any(dep not in changed for dep in waits_for):
                # What it waits for and doit is not handed is up to date: nothing to wait
                # for (a failed check or clash never is: it is changed itself).
                task = {**task, "task_dep": [dep for dep in waits_for if dep in changed]}
            chosen.append(task)
        return chosen

    def _context(self) -> str:
        if self._context_now is None:  # clm's files and the kernels' stamps: stat'ed once
            self._context_now = context(self.look.spec_file, self.kernels, self.look.variables)
        return self._context_now

    def _changed(self, task: dict, name: str, snapshot: Snapshot) -> bool:
        if name not in snapshot.tasks:
            return True
        if any(check is not True for check in task.get("uptodate", ())):
            return True
        verdicts = self._verdicts
        for dep in task.get("file_dep", ()):
            verdict = verdicts.get(dep)
            if verdict is None:
                verdict = verdicts[dep] = self._dep_changed(dep, snapshot)
            if verdict:
                return True
        for target in task.get("targets", ()):
            place = output_stamp_place(target, self.sources)
            verdict = verdicts.get(place)
            if verdict is None:
                stamp = self.look.outputs.get(place)
                verdict = verdicts[place] = stamp is None or snapshot.outputs.get(place) != stamp
            if verdict:
                return True
        return False

    def _dep_changed(self, dep: str, snapshot: Snapshot) -> bool:
        if dep.startswith(VIRTUAL_PREFIX):
            return self.values.get(dep) != snapshot.values.get(dep)
        stamp = self.look.stamp(dep)
        return stamp is None or stamp != snapshot.stamps.get(dep, snapshot.outputs.get(dep))

    def commit(self, not_up_to_date: set[str]) -> None:
        """Write the snapshot of the build that just ended (not stopped): its sources as
        they were before planning, its outputs as they are now, and which tasks are up
        to date (all but ``not_up_to_date``)."""
        look = self.look
        skipped = self.output_folders or look.skipped_folders
        newest = snapshots.trusted_since()  # before the stat of the output folders

        def walked(path: str) -> bool:  # by the next build: not in an output folder
            return not any(path == folder or path.startswith(f"{folder}/") for folder in skipped)

        stamps: dict[str, Stamp] = {
            path: stamp
            for path, stamp in look.files.items()
            if path not in self.targets and walked(path)
        }
        for source in self.sources:
            if source not in stamps and source not in self.targets:
                stamps[source] = look.files.get(source) or look.others.get(source)
        # Outputs as the build left them: what the next one finds unless it was touched.
        places = dict.fromkeys(output_stamp_place(t, self.sources) for t in self.targets)
        outputs = {
            place: snapshots.stamp_of(place, sys.maxsize)
            if place in self.targets  # an intermediate file
            else snapshots.output_folder_stamp(place, newest)
            for place in places
        }
        tasks = frozenset(self.names) - not_up_to_date
        folders = {folder: stamp for folder, stamp in look.folders.items() if walked(folder)}
        taken = Snapshot(
            context=self._context(),
            stamps=stamps,
            folders=folders,
            values=dict(self.values),
            tasks=tasks,
            skipped_folders=skipped,
            said=self.said,
            uptodate=len(tasks),
            complete=not not_up_to_date & set(self.names),
            outputs=outputs,
            kernels=tuple((k.kernel, k.python, k.folders) for k in self.kernels),
        )
        snapshots.save(snapshots.snapshot_file(look.folder, str(look.spec_file)), taken)


def output_stamp_place(target: str, sources: dict[str, None]) -> str:
    """What stands for an output in the snapshot: the file itself when a task reads it
    (an intermediate under .clm/), else its folder.

    doit asks of an output only that it exists, and a folder's stamp changes when a
    file in it is added, removed or renamed: one stat for the dozens of pages of a
    folder, instead of one per page (420,000 of them for 5,000 decks).
    """
    if is_intermediate(target) or target in sources:
        return target
    folder = target.rpartition("/")[0]
    return folder or "."


def _is_group(task: dict) -> bool:
    return "name" in task and task["name"] is None


def _full_name(task: dict) -> str:
    name = task.get("name")
    return task["basename"] if name is None else f"{task['basename']}:{name}"


def begin(spec_file: Path, root: Path) -> Shortcut | None:
    """Look at a course before a build of all of it (the working directory is ``root``):
    the build's Shortcut; None when nothing changed, which has been said and recorded,
    and the build is done."""
    seen = look(spec_file, root)
    unchanged = nothing_changed(seen)
    if unchanged is None:
        return Shortcut(seen)
    say_nothing_changed(unchanged, seen, root)
    return None


def say_nothing_changed(snapshot: Snapshot, look: Look, root: Path) -> None:
    """What a build that finds nothing changed says and records: the warnings the last
    one's planning gave, its run in the history, and the closing summary."""
    from clm.session.reporter import Reporter
    from clm.state import history
    from clm.state.summary import work_summary

    reporter = Reporter()
    for warning in snapshot.said:
        reporter.warning(warning)
    workspace = Workspace.at(root)
    spec_key = look.spec_file.resolve().relative_to(root.resolve()).as_posix()
    run = history.begin_run(workspace, spec_key)
    history.end_run(
        workspace, run, executed=0, failed=0, uptodate=snapshot.uptodate, not_rebuilt=0,
        counters={},
    )  # fmt: skip
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(snapshot.taken))
    reporter.line(
        f"clm: nothing changed since the build of {when}: {snapshot.uptodate} tasks up to "
        "date, none checked by content"
    )
    reporter.line(work_summary({}))
    reporter.close()
