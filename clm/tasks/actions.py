"""The functions doit runs in its worker processes: thin I/O around the conversions.

Each gets one frozen job record (clm.tasks.jobs), so tasks also run under the
spawn start method (macOS, Windows). Each returns None or a dict of values on
success, or a ``TaskFailed`` whose message is meant for the author. The
conversions they call return bytes and counts; the actions write the files
atomically, look up and fill the results cache, and record the counts.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

from doit.exceptions import TaskFailed

from clm.encoding import read_deck
from clm.errors import CourseError, DiskFull, NotWritable, is_disk_full, is_not_writable
from clm.languages import of_deck
from clm.paths import OutsideFolder, guarding_folder, holding_folder, refusal
from clm.plan.variants import Format, Kind
from clm.state import counters
from clm.state.backend import forget_task_records, old_task_records
from clm.state.db import StateError
from clm.state.records import forget_outputs, output_folders, recorded_among, recorded_outputs
from clm.state.workspace import Workspace
from clm.tasks.files import copy_atomic, remove_empty_folders, write_atomic
from clm.tasks.jobs import ClashJob, CopyJob, DeckErrorJob, MathJaxJob, OutputJob, RemovalJob
from clm.workers.lifetime import working_on


class DiskFullFailure(TaskFailed):
    """A task could not write because a file system is full; the build stops at once."""


def reports_write_failures(action):
    """Turn a full file system anywhere in ``action`` into a DiskFullFailure naming the path,
    and a folder that refuses writes (or a file where a folder belongs) into a failure of
    this task naming it.

    After a full disk every later write would fail the same way, so a message per
    output (with a traceback) would only bury the one thing the author needs to
    know. A refusing folder may hold only some outputs: the others are built.
    """

    @functools.wraps(action)
    def guarded(job, *args, **kwargs):
        try:
            return action(job, *args, **kwargs)
        except DiskFull as full:
            return DiskFullFailure(str(full))
        except CourseError as refused:  # a folder that refuses writes, a file in the way
            return TaskFailed(str(refused))
        except (OSError, StateError) as error:
            if not is_disk_full(error):
                raise
            if getattr(error, "filename", None):
                return DiskFullFailure(str(DiskFull(error.filename)))
            # SQLite does not say which file; the state and the cache share .clm/.
            folder = job.session.workspace().folder
            return DiskFullFailure(str(DiskFull(folder, "cannot write the build state or cache")))

    return guarded


@reports_write_failures
def build_output(job: OutputJob) -> TaskFailed | None:
    """Write one output of a deck, into every target that shows it."""
    working_on(f"{job.deck}:{job.target}", job.session.state_file)
    from clm.deck import formats

    try:
        if job.executed is not None:
            import nbformat

            notebook = nbformat.read(job.executed, as_version=4)
        else:
            from clm.deck.notebook import variant_notebook

            notebook, _ = variant_notebook(
                job.prepass(),
                read_deck(job.deck),
                Path(job.deck),
                job.lang,
                Kind(job.kind),
                Format(job.format),
                job.kernel,
                job.companion,
            )
    except CourseError as exc:
        return TaskFailed(str(exc))
    if job.links:
        from clm.deck.xrefs import rewrite

        hrefs = dict(job.links)
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = rewrite(cell.source, hrefs)
    if job.format == Format.HTML:
        data = formats.html_bytes(notebook, job.title, job.mathjax)
    elif job.format == Format.NOTEBOOK:
        data = formats.notebook_bytes(notebook)
    else:
        data = formats.code_bytes(notebook, of_deck(job.deck, job.language))
    written = 0
    workspace = job.session.workspace()
    try:
        for target, root in job.written():
            written += write_atomic(Path(target), data, workspace, job.spec, inside=Path(root))
    except OutsideFolder as exc:
        counters.add_counts(workspace, {counters.OUTPUTS_WRITTEN: written})
        return TaskFailed(str(exc))
    counters.add_counts(workspace, {counters.OUTPUTS_WRITTEN: written})
    return None


@reports_write_failures
def copy_files(job: CopyJob) -> TaskFailed | None:
    """Copy topic data, a dir-group or placed pictures into the output folder."""
    working_on(job.task_name, job.session.state_file)
    workspace = job.session.workspace()
    written = 0
    roots = job.roots()
    try:
        for source, target in job.copies:
            written += copy_atomic(
                Path(source),
                Path(target),
                workspace,
                job.spec,
                inside=Path(guarding_folder(target, roots) or roots[0]),
            )
    except OutsideFolder as exc:
        counters.add_counts(workspace, {counters.OUTPUTS_WRITTEN: written})
        return TaskFailed(str(exc))
    counters.add_counts(workspace, {counters.OUTPUTS_WRITTEN: written})
    return None


@reports_write_failures
def copy_mathjax(job: MathJaxJob) -> TaskFailed | None:
    """Copy MathJax into every course folder with HTML pages, fetching it first if need be.

    Without it (offline, the first time) the task fails once, naming the file and the
    ways out; the pages are written all the same, and the next build tries again. A
    folder that refuses the copy (read-only, a file in the way) fails the task with one
    line each, after the copies into the other folders are made.
    """
    working_on(job.task_name, job.session.state_file)
    from clm.downloads import npm
    from clm.downloads.pinned import MATHJAX

    try:
        source = npm.fetch(MATHJAX)
    except npm.FetchError as error:
        return TaskFailed(mathjax_missing(job.targets[0], str(error)))
    except OSError as error:  # the cache's folder cannot be made or written
        reason = f"it cannot be put there ({error}; point {npm.CACHE_VARIABLE} elsewhere)"
        return TaskFailed(mathjax_missing(job.targets[0], reason))
    workspace = job.session.workspace()
    roots = job.roots()
    written, refused = 0, []
    for target in job.targets:
        inside = Path(guarding_folder(target, roots) or roots[0])
        try:
            written += copy_atomic(source, Path(target), workspace, job.spec, inside=inside)
        except DiskFull:
            raise
        except CourseError as error:  # outside its folder, not writable, a file in the way
            refused.append(str(error))
    counters.add_counts(workspace, {counters.OUTPUTS_WRITTEN: written})
    # A read-only output folder refuses every copy alike: said once.
    return TaskFailed("\n".join(dict.fromkeys(refused))) if refused else None


def mathjax_missing(target: str, reason: str) -> str:
    """Why MathJax is not beside the pages, and the ways to get it there."""
    from clm.downloads import npm
    from clm.downloads.pinned import MATHJAX

    return (
        f"{target}: not written: MathJax ({MATHJAX.label}) is not in clm's download cache "
        f"({npm.cache_root()}), and {reason}. Until it is there, the HTML pages show their "
        "formulas as TeX source. Run `clm setup` once while online (or build again online), "
        "or have the pages load MathJax from a CDN: `mathjax: cdn` in the spec"
    )


def remove_outputs(job: RemovalJob) -> TaskFailed | None:
    """Delete files clm wrote for this spec (and only those), then empty folders.

    A stale removal deletes what the spec's earlier builds wrote and this plan
    (``job.paths``) no longer produces.
    """
    paths = job.paths
    workspace = job.session.workspace()
    if job.stale:
        recorded = recorded_outputs(workspace, job.spec)
        stale = recorded - set(job.paths)
        paths = tuple(sorted(stale))
        old = old_task_records(workspace, recorded | set(job.paths), set(job.tasks))
        forget_task_records(workspace, old)
    refused = delete_recorded(workspace, job.spec, job.roots(), paths)
    return TaskFailed("\n".join(refused)) if refused else None


def delete_recorded(
    workspace: Workspace, spec: str, output_roots: tuple[str, ...], paths: tuple[str, ...]
) -> list[str]:
    """Delete those of ``paths`` recorded for ``spec``; returns why some were refused.

    A recorded path outside the output folder (an older clm could record one)
    is never deleted: its record is dropped and the refusal reported.
    """
    recorded = recorded_among(workspace, spec, paths)
    # The spec's earlier output folders too: moving 'output:' leaves stale files there.
    folders = (*output_roots, *output_folders(workspace, spec))
    removed, refused = [], []
    for path in paths:
        if path not in recorded:
            continue
        named = guarding_folder(path, folders)
        folder = holding_folder(Path(path), (Path(named),)) if named else None
        if folder is None:
            error = refusal(Path(path), Path(output_roots[0]), "delete")
            refused.append(f"{error}; it was left in place and is no longer counted as an output")
        else:
            try:
                with contextlib.suppress(FileNotFoundError):
                    Path(path).unlink()
            except OSError as error:
                if not is_not_writable(error):
                    raise
                refused.append(str(NotWritable(Path(path).parent, error, f"cannot delete {path}")))
                continue  # still an output: the next build or clean tries again
            remove_empty_folders(Path(path).parent, folder)
        removed.append(path)
    forget_outputs(workspace, removed)
    return refused


def nothing_stale(job: RemovalJob) -> bool:
    """The up-to-date check of the stale removal: no recorded output is out of the plan.

    Records of tasks the plan no longer has are dropped when the removal runs, not
    looked for on every no-op: a record nobody asks for is read but never decoded.
    """
    workspace = job.session.workspace()
    if not workspace.exists():
        return True  # nothing recorded, nothing stale (and `doit list --status` makes no state)
    return not (recorded_outputs(workspace, job.spec) - set(job.paths))


def refuse(job: ClashJob | DeckErrorJob) -> TaskFailed:
    """Fail with the job's message (a clash, a deck that fails its checks): the outputs
    it holds back keep their last good version."""
    return TaskFailed(job.message)
