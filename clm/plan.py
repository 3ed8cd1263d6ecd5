"""The output plan: every file a build produces and what it is made from.

Pure data, computed from the course model without touching a kernel, a
converter or the output folder, so it can be printed, compared and tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from clm.course.model import Course, Deck, Topic
from clm.layout import (
    EXECUTED_KINDS,
    Format,
    Kind,
    Variant,
    deck_file_name,
    dir_group_folder,
    variant_folder,
)

STATE_FOLDER = PurePosixPath(".clm")
EXECUTED_FOLDER = STATE_FOLDER / "executed"


@dataclass(frozen=True)
class DeckOutput:
    variant: Variant
    path: PurePosixPath  # relative to the course root


@dataclass(frozen=True)
class Execution:
    """Running a deck's code once per language and executed kind."""

    notebooks: tuple[tuple[str, Kind, PurePosixPath], ...]  # (language, kind, executed .ipynb)
    timeout: float
    allow_errors: bool

    def notebook(self, lang: str, kind: Kind) -> PurePosixPath:
        return next(p for lg, k, p in self.notebooks if lg == lang and k is kind)


@dataclass(frozen=True)
class DeckPlan:
    deck: Deck
    section: str  # the section's name in the first language, for messages
    number: int
    outputs: tuple[DeckOutput, ...]
    execution: Execution | None


@dataclass(frozen=True)
class Copy:
    source: PurePosixPath
    target: PurePosixPath


@dataclass(frozen=True)
class CopyJob:
    """Files copied into the output for one language: a topic's data or a dir-group."""

    source: PurePosixPath  # the topic or dir-group folder, for naming the task
    lang: str
    copies: tuple[Copy, ...]


@dataclass(frozen=True)
class OutputPlan:
    course: Course
    decks: tuple[DeckPlan, ...]
    topic_data: tuple[CopyJob, ...]
    dir_groups: tuple[CopyJob, ...]

    def output_paths(self) -> set[PurePosixPath]:
        """Every file this plan writes under the output folder."""
        paths = {output.path for deck in self.decks for output in deck.outputs}
        for job in (*self.topic_data, *self.dir_groups):
            paths.update(copy.target for copy in job.copies)
        return paths


def deck_variants(course: Course, topic: Topic) -> list[Variant]:
    variants = []
    for lang in course.languages:
        for kind in Kind:
            formats = [Format.HTML] if topic.html else []
            formats.append(Format.NOTEBOOK)
            if kind is Kind.COMPLETED or (kind is Kind.CODE_ALONG and course.code_along_code):
                formats.append(Format.CODE)
            variants.extend(Variant(lang, kind, fmt) for fmt in formats)
    return variants


def plan_course(course: Course, languages: tuple[str, ...] | None = None) -> OutputPlan:
    """Plan the whole course, or only some of its languages."""
    langs = languages or course.languages
    decks: list[DeckPlan] = []
    topic_data: list[CopyJob] = []
    for section in course.sections:
        section_names = {lang: section.name.get(lang) for lang in course.languages}
        numbers = {deck.path: index for index, deck in enumerate(section.decks, start=1)}
        claimed: set[PurePosixPath] = set()  # topic files shared by topics of the section
        for topic in section.topics:
            folders: dict[str, set[PurePosixPath]] = {lang: set() for lang in langs}
            for deck_path in topic.decks:
                deck = next(d for d in section.decks if d.path == deck_path and d.topic is topic)
                outputs = []
                for variant in deck_variants(course, topic):
                    if variant.lang not in langs:
                        continue
                    folder = variant_folder(
                        course.output,
                        variant,
                        course.name.get(variant.lang),
                        section_names[variant.lang],
                        course.prog_lang,
                    )
                    folders[variant.lang].add(folder)
                    name = deck_file_name(
                        numbers[deck.path],
                        deck.title(variant.lang),
                        variant.format,
                        course.prog_lang,
                    )
                    outputs.append(DeckOutput(variant, folder / name))
                execution = None
                if topic.html:
                    notebooks = tuple(
                        (lang, kind, EXECUTED_FOLDER / deck.path / f"{lang}-{kind}.ipynb")
                        for lang in langs
                        for kind in EXECUTED_KINDS
                    )
                    execution = Execution(notebooks, topic.cell_timeout, topic.allow_errors)
                decks.append(
                    DeckPlan(
                        deck=deck,
                        section=section_names[course.languages[0]],
                        number=numbers[deck.path],
                        outputs=tuple(outputs),
                        execution=execution,
                    )
                )
            for lang in langs:
                copies = []
                for folder in sorted(folders[lang]):
                    for file in topic.data:
                        target = folder / file.relative
                        if target not in claimed:
                            claimed.add(target)
                            copies.append(Copy(file.source, target))
                if copies:
                    topic_data.append(CopyJob(topic.path, lang, tuple(copies)))
    dir_groups = [
        CopyJob(
            group.path,
            lang,
            tuple(
                Copy(
                    file.source,
                    dir_group_folder(
                        course.output, lang, course.name.get(lang), group.name.get(lang)
                    )
                    / file.relative,
                )
                for file in group.files
            ),
        )
        for group in course.dir_groups
        for lang in langs
    ]
    return OutputPlan(course, tuple(decks), tuple(topic_data), tuple(dir_groups))
