"""The execution action: each distinct code of a deck run once, or served from the cache.

A deck's executed variants (completed, trainer, recording and partial, in each
language) are
grouped by execution key (clm.execute.keys); a group whose key the results
cache holds runs no kernel, the others go to the executor. Each variant's
executed notebook, with the outputs put into its own cells, is written into
``.clm/executed/``, where its HTML task reads it. A group whose key the cache
keeps a cell error under runs no kernel either: its failure is reported again,
marked as kept (clm.tasks.kept_failures), unless the build reruns failures.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from doit.exceptions import TaskFailed

from clm.encoding import read_deck
from clm.errors import CourseError
from clm.execute.runtimes import is_missing
from clm.execute.skip_errors import raised_at, skip_errors_warning, without_raised_cells
from clm.languages import of_deck
from clm.paths import OutsideFolder
from clm.session.worker import job_context
from clm.state import counters, lock
from clm.state.cache import cache_warnings, fetched_remotely
from clm.state.cluster_failures import kept_failure as cluster_failure_of
from clm.state.results import KeptFailure, ResultsCache
from clm.state.store import file_md5
from clm.tasks.actions import reports_write_failures
from clm.tasks.files import write_atomic
from clm.tasks.jobs import DeckExecutionJob
from clm.tasks.kept_failures import kept_note
from clm.workers.lifetime import working_on

if TYPE_CHECKING:
    from nbformat.notebooknode import NotebookNode

    from clm.execute.base import BatchExecutor, ExecutionFailure, ExecutionJob
    from clm.execute.keys import ExecutedVariant
    from clm.languages.model import Language


def deck_groups(job: DeckExecutionJob) -> dict[str, list[ExecutedVariant]]:
    """The job's executed variants by execution key; CourseError for a deck that cannot be read."""
    from clm.execute.keys import execution_groups

    input_hashes = sorted((relative, file_md5(source)) for source, relative in job.inputs)
    return execution_groups(
        job.prepass(),
        read_deck(job.deck),
        job.deck,
        job.notebooks,
        input_hashes,
        job.allow_errors,
        job.environment,
        job.kernel,
        job.companion,
    )


@reports_write_failures
def execute_deck(
    job: DeckExecutionJob,
    executor: BatchExecutor | None = None,
    cache: ResultsCache | None = None,
) -> TaskFailed | dict:
    """Give each executed variant of a deck its outputs, running each distinct code once.

    Variants with the same code (completed and speaker, languages) share one
    execution, and an execution whose key is in the cache runs no kernel. The
    counts are recorded once, at the end (an error on the way, such as a full
    disk, is news enough).
    ``executor`` and ``cache`` default to this worker's kernels and the
    course's cache file.
    """
    # Imported here: planning and a no-op build import this module for its actions'
    # names alone, and need none of the execution machinery.
    from clm.execute.base import ExecutionFailure, ExecutionRequest
    from clm.execute.executor import LocalExecutor
    from clm.execute.service import ExecutionService

    working_on(f"{job.deck}:execute", job.session.state_file)
    context = job_context(job.session)
    workspace = context.workspace

    if is_missing(job.environment):
        return TaskFailed(missing_kernel(job))
    cache = cache or context.results
    service = ExecutionService(executor or LocalExecutor(context.kernels), cache)
    try:
        groups = deck_groups(job)
    except CourseError as exc:
        return TaskFailed(str(exc))
    language = of_deck(job.deck, job.language)

    inputs = None  # read at the first execution the cache cannot serve
    counts = {
        counters.KERNELS: 0,
        counters.SPARE_KERNELS: 0,
        counters.CACHE_HITS: 0,
        counters.KEPT_FAILURES: 0,
    }
    failures = []
    warnings: dict[str, None] = {}  # in order, once each: groups may share a cell
    cells_raised: dict[str, None] = {}  # under skip-errors, likewise
    ran = False
    for key, members in groups.items():
        first = members[0]
        fits = functools.partial(_usable, notebook=first.runs)
        outputs = service.cached(key, fits)
        cluster_failure = None if outputs is not None else cluster_failure_of(workspace, key)
        if cluster_failure is not None:  # the cluster ran it for this build: not again here
            failure = ExecutionFailure(**cluster_failure)
            failures.append(_failure_message(job.deck, failure, first.run_cells, members))
            continue
        kept = None if outputs is not None else _kept_failure(job, service, key, first.run_cells)
        done = None
        if outputs is None and kept is None:
            # Another deck (a split deck's other half, a copy) may be running the same
            # code right now: the first runs it, the others wait and take its outputs
            # (or the cell error it kept).
            with lock.holding(workspace.execution_lock(key), remove=True):
                outputs = service.cached(key, fits)
                if outputs is None:
                    kept = _kept_failure(job, service, key, first.run_cells)
                if outputs is None and kept is None:
                    if inputs is None:
                        inputs = tuple((rel, Path(src).read_bytes()) for src, rel in job.inputs)
                    request = execution_job(job, first.runs, inputs, language)
                    done = service.run_one(ExecutionRequest(key, request, job.environment))
        if kept is not None:  # a cell error of this very code: reported, not run again
            failures.append(_kept_failure_message(job.deck, kept, first.run_cells, members))
            counts[counters.KEPT_FAILURES] += 1
            continue
        if done is None:
            counts[counters.CACHE_HITS] += 1
        else:
            ran = True
            if done.result is not None:
                counts[counters.KERNELS] += done.result.kernels
                counts[counters.SPARE_KERNELS] += done.result.spare_kernels
            if done.failure is not None:
                failures.append(_failure_message(job.deck, done.failure, first.run_cells, members))
                continue
            outputs = done.outputs
        if job.skip_errors:
            outputs, raised = without_raised_cells(outputs)
            where = raised_at(job.deck, first.run_cells or [], raised, language.errors)
            cells_raised.update(dict.fromkeys(where))
        warnings.update(dict.fromkeys(_big_output_warnings(job.deck, first.run_cells, outputs)))
        for member in members:
            refused = _write_executed(job, member, outputs)
            if refused is not None:
                counts[counters.REMOTE_HITS] = fetched_remotely(cache)
                counters.add_counts(workspace, counts)
                return refused
    counts[counters.REMOTE_HITS] = fetched_remotely(cache)
    counters.add_counts(workspace, counts)
    remote = cache_warnings(cache)  # a shared cache that failed, say
    if failures:
        return TaskFailed("\n".join([*failures, *remote]))
    if cells_raised:
        warnings[skip_errors_warning(job.deck, list(cells_raised))] = None
    warnings.update(dict.fromkeys(remote))
    if warnings:  # the reporter and the watcher print them
        return {"from_cache": not ran, "warnings": list(warnings)}
    return {"from_cache": not ran}


def execution_job(
    job: DeckExecutionJob,
    notebook: NotebookNode,
    inputs: tuple[tuple[str, bytes], ...],
    language: Language,
) -> ExecutionJob:
    """What an executor is given to run one execution group of the deck of ``job``."""
    import nbformat

    from clm.execute.base import ExecutionJob

    return ExecutionJob(
        nbformat.writes(notebook, version=4).encode(),
        inputs,
        job.timeout,
        job.allow_errors,
        kernel=job.kernel,
        language=language.name,
        python=job.kernel_python,
    )


def missing_kernel(job: DeckExecutionJob) -> str:
    """Why a deck whose kernel is not installed has no executed HTML, and how to get it."""
    from clm.execute.runtimes import installed_kernels

    language = of_deck(job.deck, job.language)
    if job.kernel == language.kernel:
        how = f"to get it, {language.install}"
    else:
        how = (
            f"install a kernelspec of that name, or make the spec's kernel: setting name an "
            f"installed one ({language.title}'s own, '{language.kernel}': {language.install})"
        )
    outputs = "\n".join(f"    {html}" for *_, html in job.notebooks)
    return (
        f"{job.deck}: the {language.title} kernel '{job.kernel}' is not installed, so the "
        f"deck's code cannot run and its executed HTML is not built; {how}; then build "
        f"again (installed kernels: {', '.join(installed_kernels())})\n"
        f"  failed outputs (the last good version is kept):\n{outputs}"
    )


def _write_executed(
    job: DeckExecutionJob, member: ExecutedVariant, outputs: list
) -> TaskFailed | None:
    import nbformat

    # Members share the code, not the prose: pair code cells in order (or as
    # a partial variant's map says).
    notebook = member.notebook
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if member.code_map is None:
        shown = list(zip(code_cells, outputs, strict=True))
    else:
        shown = [
            (cell, outputs[ran])
            for cell, ran in zip(code_cells, member.code_map, strict=True)
            if ran is not None
        ]
    for cell, (cell_outputs, count) in shown:
        cell.outputs = [nbformat.from_dict(output) for output in cell_outputs]
        cell.execution_count = count
    data = nbformat.writes(notebook, version=4).encode("utf-8")
    workspace = job.session.workspace()
    try:
        write_atomic(Path(member.notebook_path), data, workspace, None, inside=workspace.folder)
    except OutsideFolder as exc:
        return TaskFailed(str(exc))
    return None


def _usable(outputs, notebook) -> bool:
    """Whether cached outputs fit the notebook's code cells (a damaged entry does not)."""
    code_cells = sum(1 for cell in notebook.cells if cell.cell_type == "code")
    return (
        isinstance(outputs, list)
        and len(outputs) == code_cells
        and all(
            isinstance(entry, list)
            and len(entry) == 2
            and isinstance(entry[0], list)
            and all(isinstance(output, dict) for output in entry[0])
            for entry in outputs
        )
    )


def _big_output_warnings(deck: str, cells, outputs: list) -> list[str]:
    """Warnings for the cells whose output was cut at the limit (also when from the cache)."""
    from clm.execute.runner import OUTPUT_LIMIT, megabytes, truncated_bytes

    code_cells = [cell for cell in cells if cell.cell_type == "code"]
    warnings = []
    for cell, (cell_outputs, _) in zip(code_cells, outputs, strict=True):
        if dropped := truncated_bytes(cell_outputs):
            warnings.append(
                f"{deck}:{cell.line}: warning: the cell printed about "
                f"{megabytes(OUTPUT_LIMIT + dropped)} of output; the HTML and the cache keep "
                f"its first {OUTPUT_LIMIT / 1e6:g} MB and a note. Print less, e.g. a summary or "
                "the first rows"
            )
    return warnings


def _kept_failure(job: DeckExecutionJob, service, key: str, cells) -> KeptFailure | None:
    """The cell error the cache keeps under ``key``, unless the build reruns failures; one
    that names no cell of the notebook (a damaged entry) is dropped, and the code runs."""
    if job.session.rerun_failed:
        return None
    kept = service.kept_failure(key)
    if kept is not None and kept.cell_index is not None and not 0 <= kept.cell_index < len(cells):
        from clm.state.results import FAILURES

        service.cache.drop(FAILURES, key)
        return None
    return kept


def _kept_failure_message(
    deck: str, kept: KeptFailure, cells, members: list[ExecutedVariant]
) -> str:
    """A kept failure's report: the very message of the run that failed, and when it ran."""
    from clm.execute.base import ExecutionFailure

    failure = ExecutionFailure(kept.cell_index, kept.error, kept.cell_line, kept_as_result=True)
    return f"{_failure_message(deck, failure, cells, members)}\n{kept_note(kept)}"


def _failure_message(
    deck: str, failure: ExecutionFailure, cells, members: list[ExecutedVariant]
) -> str:
    languages = ", ".join(sorted({member.lang for member in members}))
    outputs = "\n".join(f"    {member.html}" for member in members)
    if failure.cell_index is None:
        where = deck
    else:
        cell = cells[failure.cell_index]
        # The statement that raised, else the cell's "# %%" line.
        line = cell.line + failure.cell_line if failure.cell_line else cell.line
        where = f"{deck}:{line}"
        source_lines = cell.source.splitlines()
        if failure.cell_line and 0 < failure.cell_line <= len(source_lines):
            where += f" (in the deck: {source_lines[failure.cell_line - 1].strip()})"
    return (
        f"{where}: {failure.error}\n"
        f"  languages: {languages}\n"
        f"  failed outputs (the last good version is kept):\n{outputs}"
    )
