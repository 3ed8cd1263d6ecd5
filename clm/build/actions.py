"""The functions doit runs in its worker processes.

Module-level functions with small, picklable arguments (strings and tuples),
so tasks also run under the spawn start method (macOS, Windows). Each returns
None on success or a ``TaskFailed`` whose message is meant for the author.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import sqlite3
from pathlib import Path

from doit.exceptions import TaskFailed

from clm.build.files import copy_atomic, remove_empty_folders, write_atomic
from clm.deck.source import read_deck
from clm.errors import CourseError, DiskFull, is_disk_full
from clm.paths import OutsideFolder, holding_folder, refusal
from clm.plan.layout import Format, Kind
from clm.state.records import (
    forget_outputs,
    output_folders,
    recorded_among,
    recorded_outputs,
)
from clm.workers.lifetime import working_on


class DiskFullFailure(TaskFailed):
    """A task could not write because a file system is full; the build stops at once."""


def stops_when_disk_full(action):
    """Turn a full file system anywhere in ``action`` into a DiskFullFailure naming the path.

    Every later write would fail the same way, so a message per output (with
    a traceback) would only bury the one thing the author needs to know.
    """

    @functools.wraps(action)
    def guarded(state_file: str, *args, **kwargs):
        try:
            return action(state_file, *args, **kwargs)
        except DiskFull as full:
            return DiskFullFailure(str(full))
        except (OSError, sqlite3.Error) as error:
            if not is_disk_full(error):
                raise
            if getattr(error, "filename", None):
                return DiskFullFailure(str(DiskFull(error.filename)))
            # SQLite does not say which file; the state and the cache share .clm/.
            folder = Path(state_file).parent
            return DiskFullFailure(str(DiskFull(folder, "cannot write the build state or cache")))

    return guarded


def _environment(templates: str | None):
    from clm.deck.jinja import environment

    return environment(templates)


@stops_when_disk_full
def build_output(
    state_file: str,
    spec: str,
    output_root: str,
    deck: str,
    lang: str,
    kind: str,
    fmt: str,
    target: str,
    title: str,
    templates: str | None,
    executed: str | None,
) -> TaskFailed | None:
    """Write one output file of a deck."""
    working_on(f"{deck}:{target}", state_file)
    from clm.deck import formats

    try:
        if executed is not None:
            import nbformat

            notebook = nbformat.read(executed, as_version=4)
        else:
            from clm.deck.notebook import variant_notebook

            text = read_deck(deck)
            notebook, _ = variant_notebook(
                _environment(templates), text, Path(deck), lang, Kind(kind), Format(fmt)
            )
    except CourseError as exc:
        return TaskFailed(str(exc))
    if fmt == Format.HTML:
        data = formats.html_bytes(notebook, title)
    elif fmt == Format.NOTEBOOK:
        data = formats.notebook_bytes(notebook)
    else:
        data = formats.code_bytes(notebook)
    try:
        write_atomic(Path(target), data, Path(state_file), spec, inside=Path(output_root))
    except OutsideFolder as exc:
        return TaskFailed(str(exc))
    return None


# Bump when a change in clm changes what an execution produces.
EXECUTION_VERSION = "1"


def _code_of(cells) -> list:
    """What the kernel will run: the code cells and the tags that change how they run."""
    return [(c.source, c.has("raises-exception")) for c in cells if c.cell_type == "code"]


def execution_key(code: list, environment: str, inputs: list, allow_errors: bool) -> str:
    """The cache key of one execution: everything that decides what the code prints."""
    from clm.execute.kernels import KERNEL_NAME

    text = json.dumps(
        {
            "clm-execution": EXECUTION_VERSION,
            "kernel": KERNEL_NAME,
            "environment": environment,
            "code": code,
            "inputs": inputs,
            "allow-errors": allow_errors,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def execution_groups(
    deck: str,
    notebooks: tuple[tuple[str, str, str, str], ...],
    inputs: tuple[tuple[str, str], ...],
    allow_errors: bool,
    templates: str | None,
    environment: str,
) -> dict[str, list]:
    """The deck's executed variants grouped by execution key: one execution per group.

    Each member is (language, kind, executed notebook, HTML output, notebook,
    cells, code). Raises CourseError for a deck that cannot be read.
    """
    from clm.deck.notebook import variant_notebook
    from clm.state.store import file_md5

    text = read_deck(deck)
    env = _environment(templates)
    input_hashes = sorted((relative, file_md5(source)) for source, relative in inputs)
    groups: dict[str, list] = {}
    for lang, kind, target, html in notebooks:
        notebook, cells = variant_notebook(env, text, Path(deck), lang, Kind(kind), Format.HTML)
        code = _code_of(cells)
        key = execution_key(code, environment, input_hashes, allow_errors)
        groups.setdefault(key, []).append((lang, kind, target, html, notebook, cells, code))
    return groups


@stops_when_disk_full
def execute_deck(
    state_file: str,
    deck: str,
    notebooks: tuple[tuple[str, str, str, str], ...],
    inputs: tuple[tuple[str, str], ...],
    timeout: float,
    allow_errors: bool,
    templates: str | None,
    environment: str,
) -> TaskFailed | dict:
    """Give each executed variant of a deck its outputs, running each distinct code once.

    ``notebooks`` lists (language, kind, executed notebook path, HTML output).
    Variants with the same code (completed and speaker, languages) share one
    execution, and an execution whose key is in the cache runs no kernel.
    """
    working_on(f"{deck}:execute", state_file)
    import copy

    import nbformat

    from clm.execute.runner import CellFailure, run_notebook
    from clm.state import cache, counters

    try:
        groups = execution_groups(deck, notebooks, inputs, allow_errors, templates, environment)
    except CourseError as exc:
        return TaskFailed(str(exc))

    kernel_inputs = [(Path(source), relative) for source, relative in inputs]
    failures = []
    warnings: dict[str, None] = {}  # in order, once each: groups may share a cell
    ran = False
    for key, members in groups.items():
        _, _, _, _, first, cells, _ = members[0]
        outputs = cache.get(key)
        if outputs is not None and not _usable(outputs, first):
            cache.drop("executions", key)
            outputs = None
        if outputs is None:
            ran = True
            try:
                executed = run_notebook(copy.deepcopy(first), kernel_inputs, timeout, allow_errors)
            except CellFailure as failure:
                failures.append(_failure_message(deck, failure, cells, members))
                continue
            outputs = [
                (cell.outputs, cell.execution_count)
                for cell in executed.cells
                if cell.cell_type == "code"
            ]
            cache.put(key, outputs)
        else:
            counters.add(counters.CACHE_HITS)
        warnings.update(dict.fromkeys(_big_output_warnings(deck, cells, outputs)))
        for _, _, target, _, notebook, _, _ in members:
            # Members share the code, not the prose: pair code cells in order.
            code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
            for cell, (cell_outputs, count) in zip(code_cells, outputs, strict=True):
                cell.outputs = [nbformat.from_dict(output) for output in cell_outputs]
                cell.execution_count = count
            data = nbformat.writes(notebook, version=4).encode("utf-8")
            try:
                write_atomic(
                    Path(target), data, Path(state_file), None, inside=Path(state_file).parent
                )
            except OutsideFolder as exc:
                return TaskFailed(str(exc))
    if failures:
        return TaskFailed("\n".join(failures))
    if warnings:  # the reporter and the watcher print them
        return {"from_cache": not ran, "warnings": list(warnings)}
    return {"from_cache": not ran}


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


def _failure_message(deck: str, failure, cells, members) -> str:
    languages = ", ".join(sorted({lang for lang, *_ in members}))
    outputs = "\n".join(f"    {member[3]}" for member in members)
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


@stops_when_disk_full
def render_diagram(
    state_file: str,
    source: str,
    formats: tuple[str, ...],
    targets: tuple[tuple[str, str], ...],
    includes: tuple[str, ...] = (),
) -> TaskFailed | dict:
    """Render a diagram into ``.clm/renders/``; ``targets`` pairs file names and paths."""
    working_on(f"{source}:render", state_file)
    from clm.diagrams.errors import DiagramError
    from clm.diagrams.render import render

    data = Path(source).read_bytes()
    included = [(path, Path(path).read_bytes()) for path in includes if Path(path).is_file()]
    try:
        files, from_cache = render(source, data, formats, included, [n for n, _ in targets])
    except DiagramError as error:
        return TaskFailed(str(error))
    produced = dict(files)
    if set(produced) != {name for name, _ in targets}:
        return TaskFailed(
            f"{source}: rendered {', '.join(sorted(produced))}, but the plan expected "
            f"{', '.join(name for name, _ in targets)}; the file changed while building, "
            "build again"
        )
    try:
        for name, target in targets:
            write_atomic(
                Path(target), produced[name], Path(state_file), None, inside=Path(state_file).parent
            )
    except OutsideFolder as exc:
        return TaskFailed(str(exc))
    return {"from_cache": from_cache}


@stops_when_disk_full
def copy_files(
    state_file: str,
    spec: str,
    output_root: str,
    copies: tuple[tuple[str, str], ...],
    job_name: str,
) -> TaskFailed | None:
    """Copy topic data or a dir-group into the output folder (the task ``job_name``)."""
    working_on(job_name, state_file)
    try:
        for source, target in copies:
            copy_atomic(
                Path(source), Path(target), Path(state_file), spec, inside=Path(output_root)
            )
    except OutsideFolder as exc:
        return TaskFailed(str(exc))
    return None


def remove_outputs(
    state_file: str, spec: str, output_root: str, paths: tuple[str, ...]
) -> TaskFailed | None:
    """Delete files clm wrote for this spec (and only those), then empty folders."""
    refused = delete_recorded(state_file, spec, output_root, paths)
    return TaskFailed("\n".join(refused)) if refused else None


def delete_recorded(
    state_file: str, spec: str, output_root: str, paths: tuple[str, ...]
) -> list[str]:
    """Delete those of ``paths`` recorded for ``spec``; returns why some were refused.

    A recorded path outside the output folder (an older clm could record one)
    is never deleted: its record is dropped and the refusal reported.
    """
    recorded = recorded_among(Path(state_file), spec, paths)
    # The spec's earlier output folders too: moving 'output:' leaves stale files there.
    folders = [Path(output_root), *map(Path, output_folders(Path(state_file), spec))]
    removed, refused = [], []
    for path in paths:
        if path not in recorded:
            continue
        folder = holding_folder(Path(path), folders)
        if folder is None:
            error = refusal(Path(path), Path(output_root), "delete")
            refused.append(f"{error}; it was left in place and is no longer counted as an output")
        else:
            with contextlib.suppress(FileNotFoundError):
                Path(path).unlink()
            remove_empty_folders(Path(path).parent, folder)
        removed.append(path)
    forget_outputs(Path(state_file), removed)
    return refused


def remove_stale_outputs(
    state_file: str, spec: str, output_root: str, planned: tuple[str, ...]
) -> TaskFailed | None:
    """Remove what the spec's earlier builds wrote and this plan no longer produces."""
    stale = recorded_outputs(Path(state_file), spec) - set(planned)
    return remove_outputs(state_file, spec, output_root, tuple(sorted(stale)))
