"""The course as clm sees it: sections of topics, topics of decks and files."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from clm import languages
from clm.diagrams.names import diagram_kind
from clm.errors import CourseError
from clm.spec.model import MATHJAX_LOCAL, OutputTargetSpec, Text

# CLM's authoring sidecars: read by no deck's code, copied into no output.
SIDECAR_SUFFIXES = (".http-cassette.yaml",)
SIDECAR_FOLDERS = frozenset({"cassettes", "_cassettes"})
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".ico", ".tif", ".tiff"}
)
DIAGRAM_SUFFIXES = frozenset({".puml", ".pu", ".plantuml", ".drawio"})
# A deck's file name starts with one of these, as in CLM 1.35 (a project is a deck too).
DECK_PREFIXES = ("slides_", "topic_", "project_")


COMPANION_PREFIX = "voiceover_"
COMPANION_FOLDER = "voiceover"


def companion_names(deck_name: str) -> tuple[str, str]:
    """Where a deck's companion may be, relative to the deck's folder, in CLM's order."""
    name = deck_name
    for prefix in DECK_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    file = f"{COMPANION_PREFIX}{name}"
    return file, posixpath.join(COMPANION_FOLDER, file)


_INCLUDE = re.compile(r"""\binclude\s+["']""")


def may_narrate(text: str) -> bool:
    """Whether a deck's or template's text may bring voiceover cells: it names the tag,
    or it includes another file (which may)."""
    if "voiceover" in text:
        return True
    return "include" in text and _INCLUDE.search(text) is not None


def is_companion_name(name: str) -> bool:
    return name.startswith(COMPANION_PREFIX)


def is_deck_name(name: str) -> bool:
    """``slides_…``, ``topic_…`` or ``project_…`` with the suffix of a deck language
    (``.py``, ``.java``, …)."""
    return name.startswith(DECK_PREFIXES) and languages.of_file(name) is not None


# The halves of a split deck, as CLM 1.35 names them: slides_x.de.py and slides_x.en.py
# are one deck, each half feeding the outputs of its language only.
SPLIT_LANGUAGES = ("de", "en")


def split_half(name: str) -> tuple[str, str] | None:
    """(the bilingual name, the language) of a split deck's half: ``slides_x.de.py`` →
    ``("slides_x.py", "de")``; None for a deck of every language."""
    stem, dot, suffix = name.rpartition(".")
    family, dot_lang, lang = stem.rpartition(".")
    if not (dot and dot_lang) or lang not in SPLIT_LANGUAGES:
        return None
    return f"{family}.{suffix}", lang


def tagged_language(name: str, languages: tuple[str, ...]) -> str | None:
    """The one language a file of a topic is for, as CLM names it: ``diagram.de.png``,
    ``intro.en.mp4`` (the tag right before the last extension); None for every language.

    ``table.de.tar.gz`` and ``model.v2.png`` name none, nor does a tag that is not one
    of the course's ``languages``.
    """
    stem, dot, _ = name.rpartition(".")
    if not dot:
        return None
    _, dot, tag = stem.rpartition(".")
    return tag if dot and tag in languages else None


@dataclass(frozen=True)
class TopicFile:
    """A file a topic brings: where it is, and where it goes beside the deck outputs."""

    source: str  # POSIX path relative to the course root
    relative: str  # POSIX path relative to the deck's folder (source and output alike)


@dataclass(frozen=True)
class Diagram:
    """A PlantUML or draw.io source and the pictures it renders to, as named in img/."""

    source: str  # POSIX path relative to the course root
    renders: tuple[str, ...]  # e.g. ("arch.png", "arch-2.png"): one per page or @start block
    includes: tuple[str, ...] = ()  # files a PlantUML source !includes: part of its render

    @property
    def converter(self) -> str:
        """``drawio`` or ``plantuml``: what renders it (the render job carries it)."""
        return diagram_kind(self.source)


@dataclass(frozen=True)
class Topic:
    """A topic as a section uses it, with the settings the spec gives it there."""

    id: str
    path: str  # the topic folder, or the single-file topic itself
    decks: tuple[str, ...]
    data: tuple[TopicFile, ...]  # copied beside every deck output of the topic
    execution_inputs: tuple[TopicFile, ...]  # what the decks' code may read
    diagrams: tuple[Diagram, ...]  # rendered into img/ beside every deck output
    html: bool = True
    allow_errors: bool = False  # a cell that raises shows its traceback
    skip_errors: bool = False  # a cell that raises loses its outputs, with a warning
    cell_timeout: float = 600.0
    evaluate: bool = True  # False: its decks are built, never executed
    author: str | None = None  # the title macro's author for its decks, if not the course's
    language: str = "python"  # the programming language of its decks (clm.languages)
    kernel: str | None = None  # the kernelspec its decks run in; None: their language's

    @property
    def folder(self) -> str:
        """The folder decks of this topic run in and link relative to."""
        return (
            posixpath.dirname(self.path)
            if is_deck_name(posixpath.basename(self.path))
            else self.path
        )


@dataclass(frozen=True)
class Deck:
    path: str  # POSIX path relative to the course root
    topic: Topic
    titles: tuple[tuple[str, str], ...]  # (language, title)
    title_line: int | None = None  # the header call the titles come from
    companion: str | None = None  # its voiceover companion file (clm.deck.companions)
    # Whether it may show voiceover cells (see may_narrate); without them the trainer
    # kind shows exactly what recording shows, and the plan writes both from one task.
    narrated: bool = True
    lang: str | None = None  # a split deck's half feeds the outputs of this language only
    # Found while the course was read (a lone half, an unreadable title): the deck's
    # tasks fail with it, and every other deck builds.
    error: CourseError | None = None

    def title(self, lang: str) -> str:
        return dict(self.titles)[lang]

    @property
    def family(self) -> str:
        """The deck's path without a half's language: both halves of a split deck
        share it, and with it their number."""
        if self.lang is None:
            return self.path
        folder, name = posixpath.split(self.path)
        half = split_half(name)
        return self.path if half is None else posixpath.join(folder, half[0])


@dataclass(frozen=True)
class Clash:
    """Two topics of one section bring one path (beside their decks) with different content.

    Which of the two would end up in the section's output folder is a matter of
    chance, so neither is copied and the decks of both topics are not built;
    the rest of the course builds.
    """

    section: str  # the section's name in the course's first language
    relative: str  # the path both bring, relative to the deck outputs' folder
    sources: tuple[str, str]
    topics: tuple[str, str]  # the two topics' paths

    @property
    def message(self) -> str:
        a, b = self.sources
        if a.endswith(tuple(DIAGRAM_SUFFIXES)):
            what = f"render '{self.relative}' (from {a} and {b})"
            fix = "rename one of the diagrams"
        else:
            what = f"bring '{self.relative}' with different content ({a} and {b})"
            fix = "make the two files equal or rename one"
        return (
            f"topics of section '{self.section}' both {what}, so neither is copied and the "
            f"decks of both topics are not built; {fix}"
        )


@dataclass(frozen=True)
class Section:
    name: Text
    decks: tuple[Deck, ...]
    topics: tuple[Topic, ...]
    clashes: tuple[Clash, ...] = ()
    # Sources whose path beside the decks another topic of the section brings
    # too: an edit to one can make or mend a clash, so the watcher plans again.
    shared: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DirGroup:
    name: Text
    files: tuple[TopicFile, ...]  # `relative` is below the group's output folder
    path: str
    line: int | None = None  # where the spec lists it, for messages
    lang: str | None = None  # the one language it is copied for; None: every language


@dataclass(frozen=True)
class Course:
    name: Text
    languages: tuple[str, ...]
    prog_lang: str
    sections: tuple[Section, ...]
    dir_groups: tuple[DirGroup, ...]
    templates: tuple[str, ...]  # the course's own Jinja templates
    output: str
    code_along_code: bool = False
    diagram_formats: tuple[str, ...] = ("png",)
    warnings: tuple[str, ...] = ()  # things the author should know, each naming file and line
    # Where the outputs go (clm.plan.targets): CLM 1.35's tiers or the spec's
    # targets, or the classic public/speaker tree; course folders named by the slug.
    output_layout: str = "tiers"
    output_targets: tuple[OutputTargetSpec, ...] = ()
    project_slug: str | None = None
    # The sources the spec's <include>s splice into topics, files and folders alike.
    included: tuple[str, ...] = ()
    # Where its HTML pages load MathJax from (clm.spec.model.mathjax_problem).
    mathjax: str = MATHJAX_LOCAL
