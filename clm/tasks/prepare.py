"""Preparing a build: read the spec, plan the course, check its decks, fix the values
every task depends on (clm's engine, the environment of each kernel the decks run
in, the converters).

What it computes, a ``Build``, is all the doit adapter (clm.tasks.generator) needs.
CourseError for bad input, naming file and line.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from clm import CONVERSION_VERSION, __version__
from clm.deck.prepass import Prepass
from clm.diagrams.tools import converter_versions
from clm.errors import CourseError
from clm.execute import environment as python_environment
from clm.execute import fingerprints, interpreter
from clm.execute.runtimes import is_missing
from clm.languages import KERNEL_NAME, is_ipykernel
from clm.plan.outputs import OutputPlan, plan_spec
from clm.plan.select import select_only
from clm.session.spec import SessionSpec
from clm.spec import CourseSpec
from clm.state import cache
from clm.state.checker import set_virtual_dependency
from clm.state.records import (
    outputs_of_other_specs,
    reassign_outputs,
    record_output_folder,
)
from clm.state.store import StateStore, open_store, reading_store
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
from clm.tasks.prepasses import course_prepass, deck_prepasses
from clm.tasks.shared_cache import shared_settings
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
    kernel_python: str | None = None  # the course's interpreter; None: clm's own
    deck_errors: dict[str, CourseError] = field(default_factory=dict)  # see prepare_build
    # Every deck's Jinja pre-pass (the files it includes among it), by deck path.
    prepasses: dict[str, Prepass] = field(default_factory=dict)

    def spare_kernel(self) -> tuple[str | None, str] | None:
        """(interpreter, kernel) of the kernel most of the course's decks run in, if it is
        installed: the one a watch worker boots before its first notebook."""
        counts = Counter(deck.execution.kernel for deck in self.plan.decks if deck.execution)
        for kernel, _ in counts.most_common(1):
            if not is_missing(self.environments[kernel]):
                return (self.kernel_python if is_ipykernel(kernel) else None), kernel
        return None


@dataclass(frozen=True)
class Probe:
    """Where planning looks at what earlier builds worked out: content hashes, kept
    deck checks and fingerprints; with ``keeps`` it keeps what it works out anew."""

    store: StateStore
    kept: Kept

    @classmethod
    def of(cls, workspace: Workspace, keep: bool) -> Probe:
        if keep:
            return cls(open_store(workspace), Kept.of(workspace, keep=True))
        return cls(reading_store(workspace), Kept.of(workspace, keep=False))


def engine_key() -> str:
    """What, besides the sources, decides the outputs: clm and its packaged templates."""
    digest = hashlib.md5(f"{__version__}|{CONVERSION_VERSION}".encode())
    for template in packaged_files():
        digest.update(str(template.relative_to(PACKAGE_TEMPLATES)).encode())
        digest.update(template.read_bytes())
    return digest.hexdigest()


def prepare_build(
    spec_file: Path | str,
    only: str | None = None,
    languages: tuple[str, ...] | None = None,
    keep_bad_decks: bool = False,
    targets: tuple[str, ...] | None = None,
    keep: bool = True,
) -> Build:
    """Read the spec, plan the course and check its decks; CourseError on bad input.

    With ``keep_bad_decks`` (the watcher) a deck that fails its checks is no
    error: the build lists it in ``deck_errors`` and its outputs are not built.
    Without ``keep`` (``clm plan``, ``doit list``) it writes nothing: what earlier
    builds kept is read if there is a state, and what it works out is not kept.

    Expects the working directory to be the course root (paths in tasks are
    relative to it, so the state survives moving the checkout).
    """
    spec, course, plan = plan_spec(spec_file, languages, targets)
    if only:
        plan = select_only(plan, only)
    workspace = Workspace.at(spec.root)
    session = SessionSpec.of(workspace, shared_settings(spec))
    probe = Probe.of(workspace, keep)
    damaged_cache = None
    if keep:
        # Before the workers start: a damaged cache is replaced once, not by each of them.
        damaged_cache = cache.check_usable(workspace.cache_file)
    if workspace.exists():
        _check_other_specs(spec, plan, workspace, adopt=keep)
    if keep:
        for folder in dict.fromkeys(plan.guards.values()):
            record_output_folder(workspace, spec.key, folder)

    engine_dep = set_virtual_dependency("engine", engine_key())
    template_deps = course.templates
    templates = spec.templates if course.templates else None
    every_deck = (deck for section in plan.course.sections for deck in section.decks)
    prepasses, include_warnings = deck_prepasses(
        every_deck, course_prepass(spec, templates), probe.store, probe.kept
    )
    decks = sorted({deck.deck.path for deck in plan.decks})
    verdicts = check_course_decks(probe, spec, template_deps, prepasses, decks, plan)
    if verdicts.errors and not keep_bad_decks:
        raise next(iter(verdicts.errors.values()))
    kernel_python = interpreter.kernel_python(spec)
    environments = {}
    for kernel in sorted({deck.execution.kernel for deck in plan.decks if deck.execution}):
        if not is_ipykernel(kernel):
            environments[kernel] = _runtime_environment(probe.kept, kernel)
        elif kernel_python is None:
            environments[kernel] = _environment(probe.kept)
        else:
            environments[kernel] = _course_environment(probe.kept, spec, kernel_python)
    return Build(
        session=session,
        spec=spec,
        plan=plan,
        full=not only and not languages and not targets,
        templates=templates,
        template_deps=template_deps,
        engine_dep=engine_dep,
        environments=environments,
        environment_deps={
            kernel: set_virtual_dependency(f"kernel-environment-{kernel}", fingerprint)
            for kernel, fingerprint in environments.items()
        },
        warnings=(
            *spec.warnings,
            *course.warnings,
            *include_warnings,
            *verdicts.all_warnings(),
        ),
        damaged_cache=damaged_cache,
        converters_dep=set_virtual_dependency("diagram-converters", converter_versions()),
        deck_errors=verdicts.errors,
        prepasses=prepasses,
        kernel_python=kernel_python,
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


def _course_environment(kept: Kept, spec: CourseSpec, python: str) -> str:
    """The fingerprint of the course's own interpreter; CourseError when it cannot run kernels.

    The interpreter is asked (a subprocess) only when it, or a folder it imports
    from, changed since it was last asked; a no-op build stats a few files.
    """
    known = kept_interpreter(kept, python)
    described = None if known is None else python_environment.Interpreter.from_json(known)
    if described is None or not python_environment.still_current(described, python):
        described = interpreter.described(spec, python)
        keep_interpreter(kept, python, described.to_json())
    interpreter.check_ipykernel(spec, python, described)
    return described.fingerprint


def check_course_decks(
    probe: Probe,
    spec: CourseSpec,
    template_deps: tuple[str, ...],
    prepasses: dict[str, Prepass],
    decks: list[str],
    plan: OutputPlan,
) -> DeckVerdicts:
    """The checks of `clm build` for some decks of the course, kept by content hash."""
    store = probe.store
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
    return check_decks(decks, hashes, spec.languages, prepasses, context, probe.kept, companions)


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
