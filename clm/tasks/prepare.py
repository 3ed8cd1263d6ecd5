"""Preparing a build: read the spec, plan the course, check its decks, fix the values
every task depends on (clm's engine, the environment of each kernel the decks run
in, the converters).

What it computes, a ``Build``, is all the doit adapter (clm.tasks.generator) needs.
CourseError for bad input, naming file and line.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from clm import CONVERSION_VERSION, __version__
from clm.deck.prepass import Prepass
from clm.diagrams.tools import converter_versions
from clm.downloads.pinned import MATHJAX
from clm.errors import CourseError
from clm.execute import environment as python_environment
from clm.execute import fingerprints, interpreter
from clm.execute.runtimes import is_missing
from clm.languages import KERNEL_NAME, is_ipykernel
from clm.leaks import guard
from clm.plan.outputs import OutputPlan, plan_spec
from clm.plan.path_lengths import check_path_lengths
from clm.plan.select import select_only
from clm.plan.xrefs import LinkTargets
from clm.session.spec import SessionSpec
from clm.spec import CourseSpec
from clm.state import cache
from clm.state.checker import virtual_dependency
from clm.state.records import (
    outputs_of_other_specs,
    reassign_outputs,
    record_output_folder,
)
from clm.state.store import StateStore, reading_store
from clm.state.verdicts import (
    Kept,
    keep_fingerprint,
    keep_interpreter,
    keep_runtime,
    kept_fingerprint,
    kept_interpreter,
    kept_runtime,
)
from clm.state.workspace import Workspace
from clm.tasks.deck_checks import DeckVerdicts, check_decks
from clm.tasks.kept_failures import rerun_failed
from clm.tasks.prepasses import course_prepass, deck_prepasses
from clm.tasks.shared_cache import shared_settings
from clm.tasks.xrefs import CrossReferences, cross_references, fail_on_missing
from clm.templates import PACKAGE_TEMPLATES, packaged_files


@dataclass(frozen=True)
class Build:
    """Everything the task generator needs, computed once per doit invocation."""

    session: SessionSpec  # what each job's action needs of the build (its workspace)
    spec: CourseSpec
    plan: OutputPlan
    full: bool  # the whole course: only then are stale outputs removed
    templates: str | None  # the course's templates folder, if it uses one
    template_deps: tuple[str, ...]
    engine_dep: str
    # By kernelspec the decks run in: the fingerprint of what it runs (a Python
    # environment, a JDK and its kernel), and the virtual dependency holding it.
    environments: dict[str, str]
    environment_deps: dict[str, str]
    warnings: tuple[str, ...]
    # Set when the results cache was found damaged, put aside and started again.
    damaged_cache: str | None = None
    converters_dep: str = ""  # the diagram converters' versions
    mathjax_dep: str = ""  # where the HTML pages load MathJax from (the spec's setting)
    mathjax_file_dep: str = ""  # the MathJax clm pins, which the pages' copies are of
    kernel_python: str | None = None  # the course's interpreter; None: clm's own
    # The folders the course's interpreter imports from: a change in one may change
    # its environment (clm.tasks.unchanged stamps them).
    interpreter_folders: tuple[str, ...] = ()
    deck_errors: dict[str, CourseError] = field(default_factory=dict)  # see prepare_build
    # Every deck's Jinja pre-pass (the files it includes among it), by deck path.
    prepasses: dict[str, Prepass] = field(default_factory=dict)
    # The value of each virtual dependency of the tasks (engine_dep, …): what doit's
    # checker of a run of them compares (clm.state.doit_state.DoitState.values).
    values: dict[str, str] = field(default_factory=dict)
    # Where the decks' cross-references lead in each output (clm.tasks.xrefs).
    xrefs: CrossReferences = field(default_factory=CrossReferences)

    def spare_kernel(self) -> tuple[str | None, str] | None:
        """(interpreter, kernel) of the kernel most of the course's decks run in, if it is
        installed: the one a watch worker boots before its first notebook."""
        counts = Counter(deck.execution.kernel for deck in self.plan.decks if deck.execution)
        for kernel, _ in counts.most_common(1):
            if not is_missing(self.environments[kernel]):
                return (self.kernel_python if is_ipykernel(kernel) else None), kernel
        return None


@dataclass(frozen=True)
class Known:
    """Where planning looks at what earlier builds worked out: content hashes, kept
    deck checks and fingerprints; with ``keeps`` it keeps what it works out anew."""

    store: StateStore
    kept: Kept

    @classmethod
    def of(cls, workspace: Workspace, store: StateStore | None) -> Known:
        """What keeps what it works out in ``store`` (the run's), or only reads."""
        if store is not None:
            return cls(store, Kept.of(workspace, keep=True))
        return cls(reading_store(workspace), Kept.of(workspace, keep=False))


def execution_settings_dep(deck: str) -> str:
    """The value a deck's execution task depends on for its spec settings (Execution.settings)."""
    return virtual_dependency(f"execution-settings:{deck}")


def engine_key() -> str:
    """What, besides the sources, decides the outputs: clm and its packaged templates."""
    digest = hashlib.md5(f"{__version__}|{CONVERSION_VERSION}".encode())
    for template in packaged_files():
        digest.update(str(template.relative_to(PACKAGE_TEMPLATES)).encode())
        digest.update(template.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Planned:
    """The course as planned from its files alone: what a build would write, and from what."""

    spec: CourseSpec
    plan: OutputPlan
    full: bool  # the whole course: only then are stale outputs removed
    templates: str | None  # the course's templates folder, if it uses one
    template_deps: tuple[str, ...]
    warnings: tuple[str, ...]  # the spec's and the course's
    # The decks cross-references may lead to: the whole course's, even when only a part
    # is planned; and whether a missing target fails its deck.
    link_targets: LinkTargets | None = None
    fail_on_missing_xref: bool = False
    rerun_failed: bool = False  # run the executions with kept failures again


@dataclass(frozen=True)
class Facts:
    """What planning learns by looking beyond the course's text: at its decks' checks
    and includes, and at the interpreters and runtimes the decks run in. Plain data."""

    prepasses: dict[str, Prepass]  # every deck's Jinja pre-pass, by deck path
    verdicts: DeckVerdicts
    include_warnings: tuple[str, ...]
    kernel_python: str | None  # the course's interpreter; None: clm's own
    environments: dict[str, str]  # by kernelspec: the fingerprint of what it runs
    interpreter_folders: tuple[str, ...] = ()  # what the course's interpreter imports from
    # Set when the results cache was found damaged, put aside and started again.
    damaged_cache: str | None = None
    xrefs: CrossReferences = field(default_factory=CrossReferences)


def plan(
    spec_file: Path | str,
    only: str | None = None,
    languages: tuple[str, ...] | None = None,
    targets: tuple[str, ...] | None = None,
    fail_on_missing_xref: bool | None = None,
    rerun: bool | None = None,
) -> Planned:
    """Read the spec and plan the course (or the part ``only``, ``languages`` and
    ``targets`` choose); CourseError on bad input. Reads the course's files, writes nothing.

    ``fail_on_missing_xref``: whether a missing cross-reference target fails its deck
    (None: as CLM_FAIL_ON_MISSING_XREF says, else not). ``rerun``: whether executions
    with kept failures run again (None: as CLM_RERUN_FAILED says, else not)."""
    fail = fail_on_missing(fail_on_missing_xref)
    rerun = rerun_failed(rerun)
    spec, course, planned = plan_spec(spec_file, languages, targets)
    # Of everything the chosen languages and targets write, also with --only: the one
    # warning a spec gets reads the same in every build of it.
    long_paths = check_path_lengths(spec, planned)
    link_targets = LinkTargets(planned)
    if only:
        planned = select_only(planned, only)
    return Planned(
        spec=spec,
        plan=planned,
        full=not only and not languages and not targets,
        templates=spec.templates if course.templates else None,
        template_deps=course.templates,
        warnings=(*spec.warnings, *course.warnings, *([long_paths] if long_paths else [])),
        link_targets=link_targets,
        fail_on_missing_xref=fail,
        rerun_failed=rerun,
    )


def probe(workspace: Workspace, planned: Planned, store: StateStore | None) -> Facts:
    """Check the planned decks and fingerprint what they run in, reusing what earlier
    builds worked out; CourseError when the course cannot be built (two specs writing
    one output, an interpreter without ipykernel).

    With a ``store`` (a build's) it records the course's output folders and keeps
    what it works out anew, hashes in ``store``; without (``clm plan``, ``doit
    list``) it writes nothing.
    """
    spec, plan = planned.spec, planned.plan
    keep = store is not None
    damaged_cache = None
    if keep:
        # Before the workers start: a damaged cache is replaced once, not by each of them.
        damaged_cache = cache.check_usable(workspace.cache_file)
    if workspace.exists():
        _check_other_specs(spec, plan, workspace, adopt=keep)
    if keep:
        for folder in dict.fromkeys(plan.guards.values()):
            record_output_folder(workspace, spec.key, folder)
    known = Known.of(workspace, store)
    every_deck = (deck for section in plan.course.sections for deck in section.decks)
    prepasses, include_warnings = deck_prepasses(
        every_deck, course_prepass(spec, planned.templates), known.store, known.kept
    )
    decks = sorted({deck.deck.path for deck in plan.decks})
    verdicts = check_course_decks(known, spec, planned.template_deps, prepasses, decks, plan)
    xrefs = CrossReferences()
    if planned.link_targets is not None:
        xrefs = cross_references(
            plan.decks, planned.link_targets, known.store, known.kept, planned.fail_on_missing_xref
        )
    kernel_python = interpreter.kernel_python(spec)
    environments = {}
    folders: tuple[str, ...] = ()
    for kernel in sorted({deck.execution.kernel for deck in plan.decks if deck.execution}):
        if not is_ipykernel(kernel):
            environments[kernel] = _runtime_environment(known.kept, kernel)
        elif kernel_python is None:
            environments[kernel] = _environment(known.kept)
        else:
            described = _course_interpreter(known.kept, spec, kernel_python)
            environments[kernel] = described.fingerprint
            folders = tuple(folder for folder, _ in described.stamps)
    return Facts(
        damaged_cache=damaged_cache,
        prepasses=prepasses,
        verdicts=verdicts,
        include_warnings=tuple(include_warnings),
        kernel_python=kernel_python,
        environments=environments,
        interpreter_folders=folders,
        xrefs=xrefs,
    )


def prepare_build(
    spec_file: Path | str,
    only: str | None = None,
    languages: tuple[str, ...] | None = None,
    targets: tuple[str, ...] | None = None,
    keep: bool = True,
    store: Callable[[], StateStore] | None = None,
    fail_on_missing_xref: bool | None = None,
    rerun: bool | None = None,
) -> Build:
    """Plan the course and probe it: the ``Build`` its tasks are made from; CourseError
    on bad input.

    A deck that fails its checks stops nothing: the build lists it in
    ``deck_errors``, its own tasks fail, and every other deck builds.
    Without ``keep`` (``clm plan``, ``doit list``) it writes nothing (see probe).
    With ``keep``, the hashes it computes go to the store ``store()`` opens (the
    run's, which its doit backend writes), or to one of its own, written before it
    returns.

    Expects the working directory to be the course root (paths in tasks are
    relative to it, so the state survives moving the checkout).
    """
    planned = plan(spec_file, only, languages, targets, fail_on_missing_xref, rerun)
    workspace = Workspace.at(planned.spec.root)
    if not keep:
        facts = probe(workspace, planned, None)
    elif store is not None:
        facts = probe(workspace, planned, store())
    else:
        workspace.make_folder()
        own = StateStore(workspace.state_file.resolve())
        try:
            facts = probe(workspace, planned, own)
        except BaseException:
            own.connection.close()
            raise
        own.close()  # its hashes written
    return _build(workspace, planned, facts)


def _build(workspace: Workspace, planned: Planned, facts: Facts) -> Build:
    spec = planned.spec
    verdicts = facts.verdicts
    engine_dep = virtual_dependency("engine")
    values = {engine_dep: engine_key(), guard.RULES_DEPENDENCY: guard.rules_value()}
    environment_deps = {
        kernel: virtual_dependency(f"kernel-environment-{kernel}") for kernel in facts.environments
    }
    values.update({environment_deps[k]: value for k, value in facts.environments.items()})
    converters_dep = virtual_dependency("diagram-converters")
    values[converters_dep] = converter_versions()
    mathjax_dep = virtual_dependency("html-mathjax")
    values[mathjax_dep] = planned.plan.course.mathjax
    mathjax_file_dep = virtual_dependency("mathjax-file")
    values[mathjax_file_dep] = f"{MATHJAX.label} {MATHJAX.member} {MATHJAX.integrity}"
    xrefs = facts.xrefs
    values.update(xrefs.values())
    values.update(
        (execution_settings_dep(deck_plan.deck.path), deck_plan.execution.settings)
        for deck_plan in planned.plan.decks
        if deck_plan.execution is not None
    )
    return Build(
        session=SessionSpec.of(workspace, shared_settings(spec), planned.rerun_failed),
        spec=spec,
        plan=planned.plan,
        full=planned.full,
        templates=planned.templates,
        template_deps=planned.template_deps,
        engine_dep=engine_dep,
        environments=facts.environments,
        environment_deps=environment_deps,
        warnings=(
            *planned.warnings,
            *facts.include_warnings,
            *verdicts.all_warnings(),
            *xrefs.all_warnings(),
        ),
        damaged_cache=facts.damaged_cache,
        converters_dep=converters_dep,
        mathjax_dep=mathjax_dep,
        mathjax_file_dep=mathjax_file_dep,
        # A deck failing its checks says so first; a missing link target second.
        deck_errors={**xrefs.errors, **verdicts.errors},
        prepasses=facts.prepasses,
        kernel_python=facts.kernel_python,
        interpreter_folders=facts.interpreter_folders,
        values=values,
        xrefs=xrefs,
    )


def _environment(kept: Kept) -> str:
    """The kernels' environment fingerprint, computed again only when sys.path changed."""
    stamp = fingerprints.stamp(KERNEL_NAME)
    known = kept_fingerprint(kept, stamp)
    if known is not None:
        return known
    fingerprint = fingerprints.of_kernel(KERNEL_NAME).value
    keep_fingerprint(kept, stamp, fingerprint)
    return fingerprint


def _runtime_environment(kept: Kept, kernel: str) -> str:
    """The fingerprint of a kernel other than ipykernel, asked for again only when its
    kernelspec or program changed (see clm.execute.runtimes)."""
    stamp = fingerprints.stamp(kernel)
    known = kept_runtime(kept, kernel, stamp)
    if known is not None:
        return known
    fingerprint = fingerprints.of_kernel(kernel).value
    if not is_missing(fingerprint):
        keep_runtime(kept, kernel, stamp, fingerprint)
    return fingerprint


def _course_interpreter(
    kept: Kept, spec: CourseSpec, python: str
) -> python_environment.Interpreter:
    """What the course's own interpreter is (its fingerprint, its folders); CourseError
    when it cannot run kernels.

    The interpreter is asked (a subprocess) only when it, or a folder it imports
    from, changed since it was last asked; a no-op build stats a few files.
    """
    known = kept_interpreter(kept, python)
    described = None if known is None else python_environment.Interpreter.from_json(known)
    if described is None or not python_environment.still_current(described, python):
        described = interpreter.described(spec, python)
        keep_interpreter(kept, python, described.to_json())
    interpreter.check_ipykernel(spec, python, described)
    return described


def check_course_decks(
    known: Known,
    spec: CourseSpec,
    template_deps: tuple[str, ...],
    prepasses: dict[str, Prepass],
    decks: list[str],
    plan: OutputPlan,
) -> DeckVerdicts:
    """The checks of `clm build` for some decks of the course, kept by content hash.

    A deck planning found wrong (DeckPlan.error) is not checked: that error is its verdict.
    """
    store = known.store
    misplanned = {d.deck.path: d.error for d in plan.decks if d.error is not None}
    planned = {deck: misplanned[deck] for deck in decks if deck in misplanned}
    decks = [deck for deck in decks if deck not in planned]
    included = {path for deck in decks for path in prepasses[deck].includes}
    wanted = set(decks)
    companions = {
        d.deck.path: d.deck.companion
        for d in plan.decks
        if d.deck.companion and d.deck.path in wanted
    }
    hashes = {
        path: store.md5(path) for path in (*template_deps, *decks, *included, *companions.values())
    }
    context = hashlib.md5(
        "|".join([engine_key(), *(f"{t}={hashes[t]}" for t in template_deps)]).encode()
    ).hexdigest()
    verdicts = check_decks(
        decks, hashes, spec.languages, prepasses, context, known.kept, companions
    )
    verdicts.errors.update(planned)
    return verdicts


def _check_other_specs(
    spec: CourseSpec, plan: OutputPlan, workspace: Workspace, adopt: bool
) -> None:
    """Two specs must not write the same output; records of deleted specs are adopted
    (when ``adopt``: by a planning that may write)."""
    others = outputs_of_other_specs(workspace, spec.key)
    if not others:
        return
    for other in {s for s in others.values() if not (spec.root / s).is_file()}:
        if adopt:
            reassign_outputs(workspace, other, spec.key)
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
