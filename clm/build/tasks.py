"""The doit adapter: one task dict per output file, made from the output plan."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clm import __version__
from clm.build import actions
from clm.build.deck_checks import DeckVerdicts, check_decks
from clm.diagrams.tools import converter_versions
from clm.errors import CourseError
from clm.execute.environment import environment_fingerprint
from clm.leaks.guard import guard_tasks
from clm.plan.gc_pause import paused_garbage_collection
from clm.plan.layout import Kind
from clm.plan.outputs import OutputPlan, plan_spec
from clm.spec import CourseSpec
from clm.state import cache
from clm.state.checker import set_virtual_dependency
from clm.state.db import STATE_PATH
from clm.state.records import (
    connection,
    outputs_of_other_specs,
    reassign_outputs,
    record_output_folder,
)
from clm.state.store import open_store
from clm.templates import PACKAGE_TEMPLATES

# Bump when a change in clm changes what the outputs or executions contain.
CONVERSION_VERSION = "1"
STATE_FILE_PATH = STATE_PATH
STALE_TASK = "remove-stale-outputs"

# The spec this process planned last: the build history records it with each run.
planned_spec: str | None = None


@dataclass(frozen=True)
class Build:
    """Everything the task generator needs, computed once per doit invocation."""

    spec: CourseSpec
    plan: OutputPlan
    full: bool  # the whole course: only then are stale outputs removed
    templates: str | None  # the course's templates/ folder, if it has one
    template_deps: tuple[str, ...]
    engine_dep: str
    environment: str  # fingerprint of the kernels' Python environment
    environment_dep: str
    warnings: tuple[str, ...]
    converters_dep: str = ""  # the diagram converters' versions
    deck_errors: dict[str, CourseError] = field(default_factory=dict)  # see prepare_build


def engine_key() -> str:
    """What, besides the sources, decides the outputs: clm and its packaged templates."""
    digest = hashlib.md5(f"{__version__}|{CONVERSION_VERSION}".encode())
    for template in sorted(PACKAGE_TEMPLATES.glob("*.j2")):
        digest.update(template.name.encode())
        digest.update(template.read_bytes())
    return digest.hexdigest()


def prepare_build(
    spec_file: Path | str,
    only: str | None = None,
    languages: tuple[str, ...] | None = None,
    keep_bad_decks: bool = False,
) -> Build:
    """Read the spec, plan the course and check its decks; CourseError on bad input.

    With ``keep_bad_decks`` (the watcher) a deck that fails its checks is no
    error: the build lists it in ``deck_errors`` and its outputs are not built.

    Expects the working directory to be the course root (paths in tasks are
    relative to it, so the state survives moving the checkout).
    """
    global planned_spec
    spec, course, plan = plan_spec(spec_file, languages)
    planned_spec = spec.key
    if only:
        plan = select(plan, only)
    state_file = Path(STATE_FILE_PATH)
    cache.check_usable()  # before the workers fork: a damaged cache is replaced once
    _check_other_specs(spec, plan, state_file)
    record_output_folder(state_file, spec.key, plan.course.output)

    engine_dep = set_virtual_dependency("engine", engine_key())
    template_deps = course.templates
    templates = "templates" if course.templates else None
    decks = sorted({deck.deck.path for deck in plan.decks})
    verdicts = check_course_decks(spec, template_deps, templates, decks)
    if verdicts.errors and not keep_bad_decks:
        raise next(iter(verdicts.errors.values()))
    environment = environment_fingerprint(connection(state_file))
    return Build(
        spec=spec,
        plan=plan,
        full=not only and not languages,
        templates=templates,
        template_deps=template_deps,
        engine_dep=engine_dep,
        environment=environment,
        environment_dep=set_virtual_dependency("python-environment", environment),
        warnings=(*spec.warnings, *course.warnings, *verdicts.all_warnings()),
        converters_dep=set_virtual_dependency("diagram-converters", converter_versions()),
        deck_errors=verdicts.errors,
    )


def check_course_decks(
    spec: CourseSpec, template_deps: tuple[str, ...], templates: str | None, decks: list[str]
) -> DeckVerdicts:
    """The checks of `clm build` for some decks of the course, kept by content hash."""
    state_file = Path(STATE_FILE_PATH)
    store = open_store(state_file)
    hashes = {path: store.md5(path) for path in (*template_deps, *decks)}
    context = hashlib.md5(
        "|".join([engine_key(), *(f"{t}={hashes[t]}" for t in template_deps)]).encode()
    ).hexdigest()
    return check_decks(decks, hashes, spec.languages, templates, context, connection(state_file))


def select(plan: OutputPlan, only: str) -> OutputPlan:
    """Keep the decks and files of one topic (by id) or one section (by name)."""
    sections = plan.course.sections
    wanted = only.strip()
    topics = {t.path for s in sections for t in s.topics if t.id == wanted}
    if not topics:
        for section in sections:
            names = {section.name.get(lang) for lang in plan.course.languages}
            if wanted in names or wanted.casefold() in {n.casefold() for n in names}:
                topics.update(t.path for t in section.topics)
    if not topics:
        raise CourseError(f"--only '{only}' names neither a topic id nor a section of the course")
    diagrams = {
        d.source for s in sections for t in s.topics if t.path in topics for d in t.diagrams
    }
    return OutputPlan(
        course=plan.course,
        decks=tuple(d for d in plan.decks if d.deck.topic.path in topics),
        topic_data=tuple(j for j in plan.topic_data if j.source in topics),
        dir_groups=(),
        renders=tuple(r for r in plan.renders if r.diagram.source in diagrams),
        placements=tuple(j for j in plan.placements if j.source in diagrams),
    )


def _check_other_specs(spec: CourseSpec, plan: OutputPlan, state_file: Path) -> None:
    """Two specs must not write the same output; records of deleted specs are adopted."""
    others = outputs_of_other_specs(state_file, spec.key)
    if not others:
        return
    for other in {s for s in others.values() if not (spec.root / s).is_file()}:
        reassign_outputs(state_file, other, spec.key)
    others = {p: s for p, s in others.items() if (spec.root / s).is_file()}
    planned = plan.output_paths()
    clashes = sorted(planned & others.keys())
    if clashes:
        raise CourseError(
            f"'{clashes[0]}' (and {len(clashes) - 1} more outputs) is also written by the spec "
            f"{others[clashes[0]]}; two specs must not write the same output: give one of them "
            f"another 'output:' folder, or delete the other spec's outputs first with "
            f"`clm clean {others[clashes[0]]}`",
            spec.file,
        )


def task_dicts(build: Build) -> Iterator[dict]:
    """Every task of the build, as plain doit task dicts."""
    spec_key = build.spec.key
    output_root = build.plan.course.output
    common_deps = [*build.template_deps, build.engine_dep]
    for deck_plan in build.plan.decks:
        deck = deck_plan.deck.path
        titles = " / ".join(dict.fromkeys(title for _, title in deck_plan.deck.titles))
        yield _group(deck, f"{titles} ({deck_plan.section}, deck {deck_plan.number:02d})")
        deps = [deck, *common_deps]
        execution = deck_plan.execution
        html_by_run: dict[tuple[str, Kind], str] = {}
        for output in deck_plan.outputs:
            variant = output.variant
            executed = None
            if variant.executed and execution is not None:
                executed = execution.notebook(variant.lang, variant.kind)
                html_by_run[(variant.lang, variant.kind)] = output.path
            target = output.path
            yield {
                "basename": deck,
                "name": target,
                "actions": [
                    (
                        actions.build_output,
                        (
                            STATE_FILE_PATH,
                            spec_key,
                            output_root,
                            deck,
                            variant.lang,
                            variant.kind.value,
                            variant.format.value,
                            target,
                            deck_plan.deck.title(variant.lang),
                            build.templates,
                            executed,
                        ),
                    )
                ],
                "file_dep": [*deps, executed] if executed else deps,
                "targets": [target],
                "clean": [
                    (actions.remove_outputs, (STATE_FILE_PATH, spec_key, output_root, (target,)))
                ],
            }
        if execution is not None and html_by_run:
            notebooks = tuple(
                (lang, kind.value, path, html_by_run[(lang, kind)])
                for lang, kind, path in execution.notebooks
                if (lang, kind) in html_by_run
            )
            inputs = tuple((f.source, f.relative) for f in deck_plan.deck.topic.execution_inputs)
            yield {
                "basename": deck,
                "name": "execute",
                "actions": [
                    (
                        actions.execute_deck,
                        (
                            STATE_FILE_PATH,
                            deck,
                            notebooks,
                            inputs,
                            execution.timeout,
                            execution.allow_errors,
                            build.templates,
                            build.environment,
                        ),
                    )
                ],
                "file_dep": [*deps, build.environment_dep, *(source for source, _ in inputs)],
                "targets": [path for _, _, path, _ in notebooks],
            }
    for render in build.plan.renders:
        source = render.diagram.source
        yield _group(source, f"render the diagram {source}")
        yield {
            "basename": source,
            "name": "render",
            "actions": [
                (
                    actions.render_diagram,
                    (
                        STATE_FILE_PATH,
                        source,
                        render.formats,
                        tuple(zip(render.diagram.renders, render.targets, strict=True)),
                        render.diagram.includes,
                    ),
                )
            ],
            "file_dep": [source, *render.diagram.includes, build.converters_dep],
            "targets": list(render.targets),
        }
    grouped = {deck_plan.deck.path for deck_plan in build.plan.decks}
    grouped.update(render.diagram.source for render in build.plan.renders)
    copy_tasks = []
    for job, prefix in [
        *((j, "data") for j in build.plan.topic_data),
        *((j, "place") for j in build.plan.placements),
        *((j, "copy") for j in build.plan.dir_groups),
    ]:
        if job.source not in grouped:
            grouped.add(job.source)
            what = "topic data" if prefix == "data" else "dir-group"
            yield _group(job.source, f"copy the {what} of {job.source}")
        copies = tuple((c.source, c.target) for c in job.copies)
        targets = [target for _, target in copies]
        copy_tasks.append((f"{job.source}:{prefix}-{job.lang}", job))
        yield {
            "basename": job.source,
            "name": f"{prefix}-{job.lang}",
            "actions": [
                (
                    actions.copy_files,
                    (
                        STATE_FILE_PATH,
                        spec_key,
                        output_root,
                        copies,
                        f"{job.source}:{prefix}-{job.lang}",
                    ),
                )
            ],
            "file_dep": sorted({source for source, _ in copies}),
            "targets": targets,
            "clean": [
                (actions.remove_outputs, (STATE_FILE_PATH, spec_key, output_root, tuple(targets)))
            ],
        }
    yield from guard_tasks(
        build.plan,
        copy_tasks,
        build.spec.languages,
        build.templates,
        build.template_deps,
        build.engine_dep,
        build.environment_dep,
    )
    if build.full:
        planned = tuple(sorted(build.plan.output_paths()))
        yield {
            "basename": STALE_TASK,
            "doc": f"remove outputs that earlier builds of {spec_key} wrote and this one does not",
            "actions": [
                (actions.remove_stale_outputs, (STATE_FILE_PATH, spec_key, output_root, planned))
            ],
            "uptodate": [(nothing_stale, (STATE_FILE_PATH, spec_key, planned), {})],
        }


def _group(basename: str, doc: str) -> dict:
    """The group task of a deck or folder: it only gathers its subtasks.

    Marked up to date so doit never dispatches it to a worker: on a no-op of a
    large course, that is a thousand trips through the job queue saved.
    """
    return {"basename": basename, "name": None, "doc": doc, "uptodate": [True]}


def course_tasks_for_doit(build: Build) -> Iterator:
    """The build's tasks as doit Task objects (see clm.build.task_objects)."""
    from clm.build.task_objects import task_objects

    with paused_garbage_collection():
        yield from task_objects(task_dicts(build))


def nothing_stale(state_file: str, spec: str, planned: tuple[str, ...]) -> bool:
    from clm.state.records import recorded_outputs

    return not (recorded_outputs(Path(state_file), spec) - set(planned))


def print_warnings(build: Build) -> None:
    for warning in build.warnings:
        print(warning, file=sys.stderr)


__all__ = ["Build", "prepare_build", "task_dicts"]
