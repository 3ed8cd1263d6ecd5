"""The output plan: every file a build produces and what it is made from.

Pure data, computed from the course model without touching a kernel, a
converter or the output folder, so it can be printed, compared and tested.
Paths are POSIX strings relative to the course root.
"""

from __future__ import annotations

import dataclasses
import operator
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from clm import languages as prog_langs
from clm.course.discovery import RENDER_FOLDER, build_course
from clm.course.model import Clash, Course, Deck, Diagram, Topic, tagged_language
from clm.errors import CourseError
from clm.paths import MAX_NAME_BYTES, name_bytes
from clm.plan.gc_pause import paused_garbage_collection
from clm.plan.layout import (
    course_folder,
    deck_file_name,
    dir_group_folder,
    mathjax_copy,
    variant_folder,
)
from clm.plan.targets import Target, course_targets, select_targets
from clm.plan.variants import Format, Kind, Variant, has_format
from clm.spec import CourseSpec, load_spec
from clm.spec.model import MATHJAX_LOCAL
from clm.state.workspace import EXECUTED, RENDERS

_TARGET = operator.itemgetter(1)  # of a Copy


# DeckOutput and Copy are named tuples rather than frozen dataclasses: a course of
# 1,000 decks plans some 20,000 of one and 60,000 of the other, and a frozen
# dataclass takes four times as long to make.


class DeckOutput(NamedTuple):
    """One variant of a deck, written to the first target showing it and copied, byte for
    byte, into the others (a tier repeats another's kinds)."""

    variant: Variant
    path: str
    root: str = ""  # the target folder ``path`` is in
    copies: tuple[tuple[str, str], ...] = ()  # (path, target folder) of the copies
    # Other kinds whose files are among the copies, being the same bytes (a deck
    # without narration shows trainer and recording alike): (kind, its first path).
    also: tuple[tuple[Kind, str], ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        if not self.copies:
            return (self.path,)
        return (self.path, *[path for path, _ in self.copies])


@dataclass(frozen=True)
class Execution:
    """Running a deck's code for its executed HTML, per language and executed kind."""

    notebooks: tuple[tuple[str, Kind, str], ...]  # (language, kind, executed .ipynb)
    timeout: float
    allow_errors: bool  # a cell that raises does not stop the run
    kernel: str = prog_langs.KERNEL_NAME  # the kernelspec that runs the code
    skip_errors: bool = False  # ... and loses its outputs afterwards, with a warning

    @property
    def settings(self) -> str:
        """What of the spec decides the executed notebooks besides the code: a value the
        execution task depends on, so that changing a setting runs it again."""
        errors = "skip" if self.skip_errors else "show" if self.allow_errors else "fail"
        return f"timeout={self.timeout:g} errors={errors}"

    def notebook(self, lang: str, kind: Kind) -> str:
        return next(path for lg, k, path in self.notebooks if lg == lang and k is kind)


@dataclass(frozen=True)
class DeckPlan:
    deck: Deck
    section: str  # the section's name in the course's first language, for messages
    number: int
    outputs: tuple[DeckOutput, ...]
    execution: Execution | None
    blocked_by: tuple[Clash, ...] = ()  # clashes that hold its outputs back
    # Why it cannot be built, found while planning (Deck.error, a name too long):
    # its tasks fail with it, and the rest of the course builds.
    error: CourseError | None = None


class Copy(NamedTuple):
    source: str
    target: str
    root: str = ""  # the target folder it is copied into


@dataclass(frozen=True)
class CopyJob:
    """Files copied into the output for one language: a topic's data or a dir-group."""

    source: str  # the topic or dir-group folder, which names the task
    lang: str
    copies: tuple[Copy, ...]
    line: int | None = None  # a dir-group's line in the spec


@dataclass(frozen=True)
class Render:
    """Rendering one diagram source into ``.clm/renders/``; placements copy it on."""

    diagram: Diagram
    formats: tuple[str, ...]
    targets: tuple[str, ...]  # under RENDERS, one per name in diagram.renders


@dataclass(frozen=True)
class HeldBack:
    """A clash, and the copies it holds back: their targets keep their last good version."""

    clash: Clash
    targets: tuple[str, ...]


@dataclass(frozen=True)
class OutputPlan:
    course: Course
    decks: tuple[DeckPlan, ...]
    topic_data: tuple[CopyJob, ...]
    dir_groups: tuple[CopyJob, ...]
    renders: tuple[Render, ...] = ()
    placements: tuple[CopyJob, ...] = ()  # renders into img/, per diagram and language
    held_back: tuple[HeldBack, ...] = ()
    targets: tuple[Target, ...] = ()  # where the outputs go, in the spec's order
    mathjax: tuple[str, ...] = ()  # the copies of MathJax the HTML pages load

    @property
    def guards(self) -> dict[str, str]:
        """Each target folder's guarding folder (Target.guard)."""
        return {target.path: target.guard or target.path for target in self.targets}

    def output_paths(self) -> set[str]:
        """Every file this plan writes under the output folder (or keeps, held back)."""
        return set(self.outputs())

    def outputs(self) -> Iterator[str]:
        """Every file this plan writes under the output folder (or keeps, held back), in
        plan order; a path twice where two jobs claim it."""
        for deck in self.decks:
            for output in deck.outputs:
                yield from output.paths
        for job in (*self.topic_data, *self.dir_groups, *self.placements):
            for copy in job.copies:
                yield copy.target
        for held in self.held_back:
            yield from held.targets
        yield from self.mathjax


def mathjax_copies(course: Course, decks: tuple[DeckPlan, ...]) -> tuple[str, ...]:
    """Where MathJax is copied for the HTML pages of ``decks``: once in every course
    folder holding one of them, nowhere when the pages load it from elsewhere (the
    spec's ``mathjax:``)."""
    if course.mathjax != MATHJAX_LOCAL:
        return ()
    return tuple(
        sorted(
            {
                mathjax_copy(path)
                for deck in decks
                for output in deck.outputs
                if output.variant.format is Format.HTML
                for path in output.paths
            }
        )
    )


@cache
def target_variants(
    target: Target, html: bool, code_along_code: bool, languages: tuple[str, ...]
) -> tuple[Variant, ...]:
    """The variants of a topic's decks that ``target`` shows, by language, kind and format."""
    return tuple(
        Variant(lang, kind, fmt)
        for lang in languages
        if target.shows(lang)
        for kind in target.kinds
        for fmt in Format
        if fmt in target.formats and has_format(kind, fmt, html, code_along_code)
    )


def deck_variants(course: Course, topic: Topic, languages: tuple[str, ...]) -> tuple[Variant, ...]:
    """Every variant of a topic's decks, in any target of the course."""
    found = {
        variant: None
        for target in course_targets(course)
        for variant in target_variants(target, topic.html, course.code_along_code, languages)
    }
    return tuple(sorted(found, key=_variant_order(languages)))


def _variant_order(languages: tuple[str, ...]):
    kinds, formats = list(Kind), list(Format)
    return lambda v: (languages.index(v.lang), kinds.index(v.kind), formats.index(v.format))


# One variant's places: the variant, the (folder, target folder) of each target showing
# it (the first target's first), and the other kinds shown by the same file, with the
# folder of their first target.
_Places = tuple[Variant, tuple[tuple[str, str], ...], tuple[tuple[Kind, str], ...]]


@dataclass(frozen=True)
class _TopicPlaces:
    """Where a topic's decks go, worked out once for all its decks, per variant in plan
    order: for decks with narration, and for decks without, whose trainer files are
    copies of the recording files (_trainer_as_recording)."""

    narrated: tuple[_Places, ...]
    plain: tuple[_Places, ...]
    language: prog_langs.Language

    def folders(self, lang: str) -> list[tuple[str, str]]:
        """Every (variant folder, target folder) of a language, each once, sorted."""
        return sorted(
            {place for v, places, _ in self.narrated if v.lang == lang for place in places}
        )


def _topic_places(
    course: Course, topic: Topic, folders: _SectionFolders, langs: tuple[str, ...]
) -> _TopicPlaces:
    language = prog_langs.by_name(topic.language)
    grouped: dict[Variant, list[tuple[str, str]]] = {}
    for target in folders.targets:
        for variant in target_variants(target, topic.html, course.code_along_code, langs):
            place = (folders.folder(target, variant, language), target.path)
            kept = grouped.setdefault(variant, [])
            if all(place[0] != folder for folder, _ in kept):
                kept.append(place)
    narrated = tuple(
        (variant, tuple(kept), ())
        for variant, kept in sorted(grouped.items(), key=lambda item: folders.order(item[0]))
    )
    return _TopicPlaces(narrated, _trainer_as_recording(narrated), language)


def _trainer_as_recording(variants: tuple[_Places, ...]) -> tuple[_Places, ...]:
    """A deck without narration shows the trainer what the recording shows (they differ
    only in voiceover cells): each trainer file becomes a copy of the recording file of
    its language and format, written by the same task from the same execution (four
    tasks and one execution per language fewer for each such deck)."""
    recording = {
        (v.lang, v.format): index
        for index, (v, _, _) in enumerate(variants)
        if v.kind is Kind.RECORDING
    }
    merged: list[_Places | None] = list(variants)
    for index, (variant, places, _) in enumerate(variants):
        into = recording.get((variant.lang, variant.format))
        if variant.kind is not Kind.TRAINER or into is None:
            continue
        target = merged[into]
        assert target is not None
        merged[into] = (
            target[0],
            (*target[1], *places),
            (*target[2], (Kind.TRAINER, places[0][0])),
        )
        merged[index] = None
    return tuple(entry for entry in merged if entry is not None)


def _deck_plan(deck: Deck, number: int, folders: _SectionFolders, places: _TopicPlaces) -> DeckPlan:
    topic = deck.topic
    language = places.language
    names: dict[tuple[str, Format], str] = {}
    outputs = []
    error = deck.error
    for variant, kept, others_kinds in places.narrated if deck.narrated else places.plain:
        if deck.lang not in (None, variant.lang):
            continue  # the other half of a split deck writes it
        name = names.get((variant.lang, variant.format))
        if name is None:
            name = deck_file_name(number, deck.title(variant.lang), variant.format, language)
            if error is None and name_bytes(name) > MAX_NAME_BYTES:
                error = _name_too_long(deck, variant.lang, name)
            names[(variant.lang, variant.format)] = name
        (folder, root), *others = kept
        copies = tuple((f"{other}/{name}", other_root) for other, other_root in others)
        also = tuple((kind, f"{other}/{name}") for kind, other in others_kinds)
        outputs.append(DeckOutput(variant, f"{folder}/{name}", root, copies, also))
    executed = [o.variant for o in outputs if o.variant.executed]
    execution = None
    # Without HTML nothing shows what the code prints; evaluate="no" builds
    # the HTML from the deck as it is, with empty outputs.
    if topic.html and topic.evaluate and executed:
        notebooks = tuple(
            (v.lang, v.kind, f"{EXECUTED}/{deck.path}/{v.lang}-{v.kind}.ipynb") for v in executed
        )
        kernel = topic.kernel or language.kernel
        # skip-errors runs past errors as allow-errors does (the same execution, the
        # same cache entry), and clears the cells that raised afterwards.
        allow_errors = topic.allow_errors or topic.skip_errors
        execution = Execution(
            notebooks, topic.cell_timeout, allow_errors, kernel, skip_errors=topic.skip_errors
        )
    return DeckPlan(deck, folders.label, number, tuple(outputs), execution, error=error)


def _families(decks: tuple[Deck, ...]) -> list[str]:
    return list(dict.fromkeys(deck.family for deck in decks))


def _name_too_long(deck: Deck, lang: str, name: str) -> CourseError:
    line = deck.title_line
    source = f"the {lang} title" if line else "the deck's file name (it has no header call)"
    return CourseError(
        f"{source} makes the output file name '{name[:40]}…' {name_bytes(name)} bytes long; "
        f"file systems allow at most {MAX_NAME_BYTES} bytes per name: shorten it",
        deck.path,
        line,
    )


class _SectionFolders:
    """The variant folders of one section, computed once rather than per deck."""

    def __init__(self, course: Course, section, targets: tuple[Target, ...], langs):
        self.course = course
        self.targets = targets
        self.names = {lang: section.name.get(lang) for lang in course.languages}
        self.label = self.names[course.languages[0]]
        self.langs = langs
        self.order = _variant_order(langs)
        self._folders: dict[tuple[Target, Variant, str], str] = {}
        self._places: dict[tuple[bool, str], _TopicPlaces] = {}

    def places(self, topic: Topic) -> _TopicPlaces:
        """Where the topic's decks go: the same for every topic of the section with its
        programming language and HTML setting."""
        key = (topic.html, topic.language)
        places = self._places.get(key)
        if places is None:
            places = self._places[key] = _topic_places(self.course, topic, self, self.langs)
        return places

    def folder(self, target: Target, variant: Variant, language: prog_langs.Language) -> str:
        key = (target, variant, language.name)
        folder = self._folders.get(key)
        if folder is None:
            course = course_folder(
                target, variant.lang, self.course.name.get(variant.lang), self.course.project_slug
            )
            folder = self._folders[key] = variant_folder(
                course, target, variant, self.names[variant.lang], language
            )
        return folder


def plan_spec(
    spec_file: str | os.PathLike,
    languages: tuple[str, ...] | None = None,
    target_names: tuple[str, ...] | None = None,
) -> tuple[CourseSpec, Course, OutputPlan]:
    """Read a spec, discover its course and plan it (or only the targets named):
    everything before doit."""
    with paused_garbage_collection():
        spec = load_spec(spec_file)
        course = build_course(spec)
        targets = None
        if target_names:
            try:
                targets = select_targets(course_targets(course), target_names)
            except ValueError as exc:
                raise CourseError(str(exc), spec.file) from None
        plan = plan_course(course, languages, targets)
        _check_unique_targets(spec, plan)
        return spec, course, plan


def _check_unique_targets(spec: CourseSpec, plan: OutputPlan) -> None:
    """No two outputs may share a path (doit would only say "common target").

    Deck outputs are distinct by construction (numbered per section, sections in
    distinct folders); what is copied beside them may clash with them or itself.
    """
    # The common case, quickly: every copy's target is new. Only a clash takes the
    # slower walk below, which knows who wrote what first.
    seen = {path for deck in plan.decks for output in deck.outputs for path in output.paths}
    expected = len(seen)
    for job in (*plan.topic_data, *plan.placements, *plan.dir_groups):
        seen.update(map(_TARGET, job.copies))
        expected += len(job.copies)
    seen.update(plan.mathjax)
    expected += len(plan.mathjax)
    if len(seen) == expected:  # no target was there before
        return
    written: dict[str, str] = {}

    def claim(target: str, origin: str, line: int | None = None) -> None:
        first = written.setdefault(target, origin)
        if first != origin:
            raise CourseError(
                f"'{target}' would be written twice, by {first} and by {origin}; "
                "give one of them another name",
                spec.file,
                line,
            )

    for deck in plan.decks:
        origin = f"the deck {deck.deck.path}"
        written.update(dict.fromkeys((p for o in deck.outputs for p in o.paths), origin))
    written.update(dict.fromkeys(plan.mathjax, "MathJax of the HTML pages"))
    for job in (*plan.topic_data, *plan.placements):
        for copy in job.copies:
            claim(copy.target, f"the files of {job.source}")
    for job in plan.dir_groups:
        for copy in job.copies:
            claim(copy.target, f"the dir-group '{job.source}' (line {job.line})", job.line)


def plan_course(
    course: Course,
    languages: tuple[str, ...] | None = None,
    targets: tuple[Target, ...] | None = None,
) -> OutputPlan:
    """Plan the whole course, or only some of its languages or targets."""
    langs = languages or course.languages
    for lang in langs:
        if lang not in course.languages:
            raise CourseError(
                f"language '{lang}' is not one of the course's languages "
                f"({', '.join(course.languages)})"
            )
    targets = course_targets(course) if targets is None else targets
    decks: list[DeckPlan] = []
    topic_data: list[CopyJob] = []
    rendered: dict[str, Render] = {}
    placements: dict[tuple[str, str], list[Copy]] = {}
    held_back: list[HeldBack] = []
    for section in course.sections:
        folders = _SectionFolders(course, section, targets, langs)
        claimed: set[str] = set()  # a file two topics of the section bring is copied once
        clashes = {clash.relative: clash for clash in section.clashes}
        held: dict[str, list[str]] = {relative: [] for relative in clashes}
        # A split deck's two halves are one deck, with one number.
        numbers = {family: n for n, family in enumerate(_families(section.decks), start=1)}
        for topic in section.topics:
            topic_decks = [deck for deck in section.decks if deck.topic is topic]
            blocking = tuple(c for c in section.clashes if topic.path in c.topics)
            places = folders.places(topic)
            for deck in topic_decks:
                plan = _deck_plan(deck, numbers[deck.family], folders, places)
                decks.append(dataclasses.replace(plan, blocked_by=blocking) if blocking else plan)
            variant_folders = {lang: places.folders(lang) for lang in langs}
            for lang in langs:
                copies = []
                # A file tagged with another language (img/x.en.png) is not this one's.
                files = [
                    file
                    for file in topic.data
                    if tagged_language(file.relative.rpartition("/")[2], course.languages)
                    in (None, lang)
                ]
                for folder, root in variant_folders[lang] if topic_decks else ():
                    for file in files:
                        target = f"{folder}/{file.relative}"
                        if target in claimed:
                            continue
                        claimed.add(target)
                        if file.relative in clashes:
                            held[file.relative].append(target)
                        else:
                            copies.append(Copy(file.source, target, root))
                if copies:
                    topic_data.append(CopyJob(topic.path, lang, tuple(copies)))
            for diagram in topic.diagrams if topic_decks else ():
                render = rendered.get(diagram.source)
                if render is None:
                    targets_of_render = tuple(
                        f"{RENDERS}/{diagram.source}/{n}" for n in diagram.renders
                    )
                    render = rendered[diagram.source] = Render(
                        diagram, course.diagram_formats, targets_of_render
                    )
                for lang in langs:
                    # A topic used in two sections places its renders in both.
                    for target, name in zip(render.targets, diagram.renders, strict=True):
                        if tagged_language(name, course.languages) not in (None, lang):
                            continue  # embeddings.de.drawio is drawn for German pages only
                        relative = f"{RENDER_FOLDER}/{name}"
                        for folder, root in variant_folders[lang]:
                            placed = f"{folder}/{relative}"
                            if relative in clashes:
                                if placed not in held[relative]:
                                    held[relative].append(placed)
                            else:
                                placements.setdefault((diagram.source, lang), []).append(
                                    Copy(target, placed, root)
                                )
        held_back += [HeldBack(clashes[relative], tuple(held[relative])) for relative in clashes]
    return OutputPlan(
        course,
        tuple(decks),
        tuple(topic_data),
        _dir_groups(course, targets, langs),
        tuple(rendered.values()),
        tuple(
            CopyJob(source, lang, tuple(copies)) for (source, lang), copies in placements.items()
        ),
        tuple(held_back),
        targets,
        mathjax_copies(course, tuple(decks)),
    )


def _dir_groups(
    course: Course, targets: tuple[Target, ...], langs: tuple[str, ...]
) -> tuple[CopyJob, ...]:
    """Each dir-group's copies per language, into every target that takes dir-groups."""
    jobs = []
    for group in course.dir_groups:
        for lang in langs:
            if group.lang not in (None, lang):
                continue
            copies = []
            for target in targets:
                if not (target.dir_groups and target.shows(lang)):
                    continue
                course_name = course.name.get(lang)
                course_path = course_folder(target, lang, course_name, course.project_slug)
                folder = dir_group_folder(course_path, group.name.get(lang))
                copies += [
                    Copy(file.source, f"{folder}/{file.relative}", target.path)
                    for file in group.files
                ]
            jobs.append(CopyJob(group.path, lang, tuple(copies), group.line))
    return tuple(jobs)
