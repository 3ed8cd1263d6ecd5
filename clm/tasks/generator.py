"""The doit adapter: one task dict per output file, made from the output plan.

Each action gets one frozen job record (clm.tasks.jobs); prepared_tasks is what
every entry point calls first (clm.dodo, the CLI, the watcher).
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from doit.task import Task

from clm.languages import is_ipykernel
from clm.leaks.guard import guard_tasks
from clm.plan.gc_pause import paused_garbage_collection
from clm.plan.variants import Format, Kind
from clm.session.reporter import Reporter
from clm.session.session import Session
from clm.tasks.actions import (
    build_output,
    copy_files,
    copy_mathjax,
    nothing_stale,
    refuse,
    remove_outputs,
)
from clm.tasks.execution import execute_deck
from clm.tasks.jobs import (
    ClashJob,
    CopyJob,
    DeckErrorJob,
    DeckExecutionJob,
    MathJaxJob,
    OutputJob,
    RemovalJob,
    RenderJob,
)
from clm.tasks.prepare import Build, execution_settings_dep, prepare_build

if TYPE_CHECKING:
    from clm.state.doit_state import DoitState
    from clm.tasks.unchanged import Shortcut
from clm.tasks.prepasses import execution_inputs
from clm.tasks.rendering import render_diagram

STALE_TASK = "remove-stale-outputs"
MATHJAX_TASK = "copy-mathjax"
CLASH_TASK = "refuse-clashing-files"
DECK_CHECK = "checks"  # the task of a deck that fails its checks, beside its outputs
_SOURCE_AND_TARGET = operator.itemgetter(0, 1)  # of a clm.plan.outputs.Copy


def task_dicts(build: Build) -> Iterator[dict]:
    """Every task of the build, as plain doit task dicts, each action with its job record."""
    spec_key = build.spec.key
    output_root = build.plan.course.output
    guards = build.plan.guards
    roots = tuple(dict.fromkeys(guards.values()))  # what every write must stay in
    common_deps = [*build.template_deps, build.engine_dep]

    def removal(paths: tuple[str, ...]) -> list:
        job = RemovalJob(build.session, spec_key, output_root, paths, output_roots=roots)
        return [(remove_outputs, (job,))]

    clash_tasks = {}
    output_tasks: list[str] = []  # the names the stale removal keeps records of
    if build.plan.held_back:
        yield {
            "basename": CLASH_TASK,
            "name": None,
            "doc": "paths two topics of a section bring with different content",
        }
    for number, held in enumerate(build.plan.held_back, 1):
        name = f"{number}-{held.clash.relative}"
        clash_tasks[held.clash] = f"{CLASH_TASK}:{name}"
        yield {
            "basename": CLASH_TASK,
            "name": name,
            "actions": [(refuse, (ClashJob(held.clash.message),))],
            "file_dep": list(held.clash.sources),
            "targets": list(held.targets),
            "clean": removal(held.targets),
        }
    for deck_plan in build.plan.decks:
        deck = deck_plan.deck.path
        titles = " / ".join(dict.fromkeys(title for _, title in deck_plan.deck.titles))
        yield _group(deck, f"{titles} ({deck_plan.section}, deck {deck_plan.number:02d})")
        prepass = build.prepasses[deck]
        prepass_fields = {
            "templates": prepass.templates,
            "author": prepass.author,
            "organization": prepass.organization,
            "includes": prepass.includes,
            "language": prepass.language,
        }
        # A kernel the spec chose is named in the notebooks; the language's own is implied.
        chosen_kernel = (
            {"kernel": deck_plan.deck.topic.kernel} if deck_plan.deck.topic.kernel else {}
        )
        companion = deck_plan.deck.companion
        deck_extras = {**chosen_kernel, **({"companion": companion} if companion else {})}
        deps = [deck, *prepass.includes, *filter(None, [companion]), *common_deps]
        # A clash holds every task of the deck back: doit runs none after the
        # clash's task failed, and runs them again once it is mended.
        blocked = (
            {"task_dep": [clash_tasks[clash] for clash in deck_plan.blocked_by]}
            if deck_plan.blocked_by
            else {}
        )
        deps += [source for clash in deck_plan.blocked_by for source in clash.sources]
        error = build.deck_errors.get(deck)
        if error is not None:
            # A deck that fails its checks fails alone: its own tasks are held back
            # (doit runs none after the failed check), every other deck builds.
            yield {
                "basename": deck,
                "name": DECK_CHECK,
                "actions": [(refuse, (DeckErrorJob(deck, str(error)),))],
                "file_dep": deps,
            }
            held = blocked.get("task_dep", [])
            blocked = {"task_dep": [*held, f"{deck}:{DECK_CHECK}"]}
        execution = deck_plan.execution
        html_by_run: dict[tuple[str, Kind], str] = {}
        for output in deck_plan.outputs:
            variant = output.variant
            executed = None
            if variant.executed and execution is not None:
                executed = execution.notebook(variant.lang, variant.kind)
                html_by_run[(variant.lang, variant.kind)] = output.path
            target = output.path
            links = build.xrefs.hrefs.get(deck, {}).get(target, ())
            links_dep = build.xrefs.dependency(deck, variant.format)
            job = OutputJob(
                session=build.session,
                spec=spec_key,
                output_root=guards[output.root],
                deck=deck,
                lang=variant.lang,
                kind=variant.kind.value,
                format=variant.format.value,
                target=target,
                title=deck_plan.deck.title(variant.lang),
                executed=executed,
                **prepass_fields,
                **deck_extras,
                copies=output.copies,
                output_roots=roots,
                links=links,
                mathjax=build.plan.course.mathjax,
            )
            page_deps = [build.mathjax_dep] if variant.format is Format.HTML else []
            paths = output.paths
            output_tasks.append(f"{deck}:{target}")
            yield {
                "basename": deck,
                "name": target,
                "actions": [(build_output, (job,))],
                "file_dep": [*deps, *filter(None, [executed, links_dep]), *page_deps],
                "targets": list(paths),
                "clean": removal(paths),
                **blocked,
            }
        if execution is not None and html_by_run:
            notebooks = tuple(
                (lang, kind.value, path, html_by_run[(lang, kind)])
                for lang, kind, path in execution.notebooks
                if (lang, kind) in html_by_run
            )
            inputs = execution_inputs(deck_plan.deck, build.prepasses)
            kernel = execution.kernel
            job = DeckExecutionJob(
                session=build.session,
                deck=deck,
                notebooks=notebooks,
                inputs=inputs,
                timeout=execution.timeout,
                allow_errors=execution.allow_errors,
                skip_errors=execution.skip_errors,
                environment=build.environments[kernel],
                kernel_python=build.kernel_python if is_ipykernel(kernel) else None,
                kernel=kernel,
                **prepass_fields,
                **({"companion": companion} if companion else {}),
            )
            environment_dep = build.environment_deps[kernel]
            yield {
                "basename": deck,
                "name": "execute",
                "actions": [(execute_deck, (job,))],
                "file_dep": [
                    *deps,
                    environment_dep,
                    execution_settings_dep(deck),
                    *(source for source, _ in inputs),
                ],
                "targets": [path for _, _, path, _ in notebooks],
                **blocked,
            }
    for render in build.plan.renders:
        source = render.diagram.source
        yield _group(source, f"render the diagram {source}")
        job = RenderJob(
            build.session,
            source,
            render.diagram.converter,
            render.formats,
            tuple(zip(render.diagram.renders, render.targets, strict=True)),
            render.diagram.includes,
        )
        yield {
            "basename": source,
            "name": "render",
            "actions": [(render_diagram, (job,))],
            "file_dep": [source, *render.diagram.includes, build.converters_dep],
            "targets": list(render.targets),
        }
    grouped = {deck_plan.deck.path for deck_plan in build.plan.decks}
    grouped.update(render.diagram.source for render in build.plan.renders)
    copy_tasks = []
    for copy_job, prefix in [
        *((j, "data") for j in build.plan.topic_data),
        *((j, "place") for j in build.plan.placements),
        *((j, "copy") for j in build.plan.dir_groups),
    ]:
        if copy_job.source not in grouped:
            grouped.add(copy_job.source)
            what = "topic data" if prefix == "data" else "dir-group"
            yield _group(copy_job.source, f"copy the {what} of {copy_job.source}")
        copies = tuple(map(_SOURCE_AND_TARGET, copy_job.copies))  # tens of thousands
        targets = [target for _, target in copies]
        name = f"{copy_job.source}:{prefix}-{copy_job.lang}"
        copy_tasks.append((name, copy_job))
        job = CopyJob(build.session, spec_key, output_root, copies, name, output_roots=roots)
        yield {
            "basename": copy_job.source,
            "name": f"{prefix}-{copy_job.lang}",
            "actions": [(copy_files, (job,))],
            "file_dep": sorted({source for source, _ in copies}),
            "targets": targets,
            "clean": removal(tuple(targets)),
        }
    if build.plan.mathjax:
        targets = build.plan.mathjax
        job = MathJaxJob(
            build.session, spec_key, output_root, targets, MATHJAX_TASK, output_roots=roots
        )
        yield {
            "basename": MATHJAX_TASK,
            "doc": "copy MathJax beside the HTML pages (fetched once per user and machine)",
            "actions": [(copy_mathjax, (job,))],
            "file_dep": [build.mathjax_file_dep],
            "targets": list(targets),
            "clean": removal(targets),
        }
    yield from guard_tasks(
        build.session,
        build.plan,
        copy_tasks,
        build.spec.languages,
        build.prepasses,
        build.template_deps,
        build.engine_dep,
        build.environment_deps,
        frozenset(build.deck_errors),
    )
    # A deck planning found wrong is planned under a stand-in name (its file stem, when
    # its title cannot be read): nothing is stale until it is mended, so that its last
    # good outputs stay.
    if build.full and not any(deck.error for deck in build.plan.decks):
        # In plan order: the removal only ever asks what is not among them (sorting the
        # paths of a large course cost a build a quarter of a second).
        planned = tuple(dict.fromkeys(build.plan.outputs()))
        job = RemovalJob(
            build.session,
            spec_key,
            output_root,
            planned,
            stale=True,
            output_roots=roots,
            tasks=tuple(output_tasks),
        )
        yield {
            "basename": STALE_TASK,
            "doc": f"remove outputs that earlier builds of {spec_key} wrote and this one does not",
            "actions": [(remove_outputs, (job,))],
            "uptodate": [(nothing_stale, (job,), {})],
        }


def _group(basename: str, doc: str) -> dict:
    """The group task of a deck or folder: it only gathers its subtasks.

    Marked up to date so doit never dispatches it to a worker: on a no-op of a
    large course, that is a thousand trips through the job queue saved.
    """
    return {"basename": basename, "name": None, "doc": doc, "uptodate": [True]}


def course_tasks_for_doit(build: Build, shortcut: Shortcut | None = None) -> Iterator[Task]:
    """The build's tasks as doit Task objects (see clm.tasks.task_objects); with a
    ``shortcut``, only those it does not know up to date."""
    from clm.tasks.task_objects import task_objects

    with paused_garbage_collection():
        dicts = task_dicts(build)
        if shortcut is not None:
            dicts = iter(shortcut.select(dicts))
        yield from task_objects(dicts)


def build_session(build: Build, reporter: Reporter, shortcut: Shortcut | None = None) -> Session:
    """The session of a run of ``build``'s tasks, saying what it does through ``reporter``;
    a ``shortcut`` (of a build of the whole course) leaves a snapshot when it ends."""
    return Session(
        build.session,
        build.spec.key,
        whole_course=build.full,
        reporter=reporter,
        shortcut=shortcut if build.full else None,
    )


def prepared_tasks(
    spec_file: Path,
    only: str | None = None,
    languages: tuple[str, ...] | None = None,
    *,
    reporter: Reporter | None = None,
    warn: bool = True,
    targets: tuple[str, ...] | None = None,
    keep: bool = True,
    state: DoitState | None = None,
    fail_on_missing_xref: bool | None = None,
    rerun_failed: bool | None = None,
    shortcut: Shortcut | None = None,
) -> tuple[Build, dict[str, Task]]:
    """Plan the course, say its warnings (to ``reporter``; the plan's only with ``warn``)
    and make its doit tasks, by name.

    What every entry point does first: ``doit`` (clm.dodo), ``clm build``,
    ``clm jobs retry``, the watcher and ``clm cache explain``. CourseError on
    bad input; expects the working directory to be the course root. Without
    ``keep`` nothing is written (see prepare_build). ``state`` is the doit run's that
    the tasks are for: planning keeps its hashes in its store and gives it the values of
    the tasks' virtual dependencies. ``fail_on_missing_xref``: whether a missing
    cross-reference target fails its deck (None: as CLM_FAIL_ON_MISSING_XREF says);
    ``rerun_failed``: whether kept failures run again (None: as CLM_RERUN_FAILED says).
    With a ``shortcut`` (a build of the whole course that looked at its files before
    planning), the tasks it knows up to date are left out (see clm.tasks.unchanged).
    """
    store = state.store if state is not None and keep else None
    with paused_garbage_collection():
        build = prepare_build(
            spec_file, only, languages, targets, keep, store, fail_on_missing_xref, rerun_failed
        )
    if state is not None:
        state.values.update(build.values)
    if reporter is not None:
        if build.damaged_cache is not None:
            reporter.warning(build.damaged_cache)
        for warning in build.warnings if warn else ():
            reporter.warning(warning)
    if shortcut is not None and build.full:
        shortcut.prepare(build)
    else:
        shortcut = None
    return build, {task.name: task for task in course_tasks_for_doit(build, shortcut)}


__all__ = ["Build", "prepare_build", "prepared_tasks", "task_dicts"]
