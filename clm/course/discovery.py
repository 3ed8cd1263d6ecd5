"""Turn a spec into a course: find topics under slides/, their decks and files."""

from __future__ import annotations

import difflib
import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from clm import languages
from clm.course.headers import deck_titles, header_line
from clm.course.ignored import is_ignored
from clm.course.model import (
    COMPANION_FOLDER,
    DIAGRAM_SUFFIXES,
    IMAGE_SUFFIXES,
    SIDECAR_FOLDERS,
    SIDECAR_SUFFIXES,
    SPLIT_LANGUAGES,
    Clash,
    Course,
    Deck,
    Diagram,
    DirGroup,
    Section,
    Topic,
    TopicFile,
    companion_names,
    is_companion_name,
    is_deck_name,
    may_narrate,
    split_half,
)
from clm.diagrams.sources import included_files, render_names
from clm.encoding import read_deck
from clm.errors import CourseError
from clm.paths import CourseArea, is_within, plain_relative, real
from clm.spec.checks import course_area
from clm.spec.includes import merged
from clm.spec.model import CourseSpec, DirGroupSpec, IncludeSpec, TopicRef

_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
RENDER_FOLDER = "img"  # where renders sit beside the deck outputs, as decks link them
_STRING_LITERAL = re.compile(r"""["']([^"'\n]{1,200})["']""")


def topic_id(entry_name: str) -> str | None:
    """``topic_110_loops.py`` → ``loops``; None for names that are no topic."""
    stem = entry_name.rsplit(".", 1)[0] if "." in entry_name else entry_name
    parts = stem.split("_", 2)
    return parts[2] if len(parts) == 3 and parts[2] else None


@dataclass(frozen=True)
class _Found:
    id: str
    path: str
    is_dir: bool
    linked: bool = False  # slides/, the module or the topic is a symlink: resolve it


def _is_dir(entry: os.DirEntry) -> bool:
    """A symlink loop is no folder here; using it as a topic names the loop."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def index_topics(root: Path) -> dict[str, list[_Found]]:
    """Every topic under slides/, by id (an id may be found more than once)."""
    found: dict[str, list[_Found]] = {}
    slides = root / "slides"
    slides_linked = slides.is_symlink()
    for module in sorted(os.scandir(slides), key=lambda e: e.name):
        if not _is_dir(module) or module.name.startswith(("_", ".")):
            continue
        for entry in sorted(os.scandir(module.path), key=lambda e: e.name):
            if entry.name.startswith(("_", ".")) or is_ignored(entry.name):
                continue
            is_dir = _is_dir(entry)
            if not is_dir and not is_deck_name(entry.name):
                continue
            tid = topic_id(entry.name)
            if tid is None:
                continue
            path = f"slides/{module.name}/{entry.name}"
            linked = slides_linked or module.is_symlink() or entry.is_symlink()
            found.setdefault(tid, []).append(_Found(tid, path, is_dir, linked))
    return found


def _walk_files(
    area: CourseArea, folder: str, start_real: Path | None = None, recursive: bool = True
) -> Iterator[tuple[str, str]]:
    """(path from the course root, path from ``folder``) of the files below ``folder``
    (only those directly in it unless ``recursive``), skipping never-copied names.

    Symlinks are followed where they stay in the course area and are an error
    where they lead out of it, form a loop, or lead nowhere.
    """
    start = area.root / folder

    def walk(current: Path, prefix: str, chain: tuple[Path, ...]) -> Iterator[tuple[str, str]]:
        files, folders = [], []
        for entry in sorted(os.scandir(current), key=lambda e: e.name):
            if is_ignored(entry.name):
                continue
            relative = f"{prefix}{entry.name}"
            target = None
            if entry.is_symlink():
                target = area.resolve(f"{folder}/{relative}")
                if target.is_dir() and any(is_within(ancestor, target) for ancestor in chain):
                    raise CourseError(
                        f"a symlink loop: it leads to {target}, a folder that holds the link "
                        "itself; point it elsewhere or remove it",
                        f"{folder}/{relative}",
                    )
            if entry.is_dir():
                folders.append((entry, target))
            else:
                files.append(relative)
        for relative in files:
            yield f"{folder}/{relative}", relative
        if not recursive:
            return
        for entry, target in folders:
            below = (*chain, target or chain[-1] / entry.name)
            yield from walk(Path(entry.path), f"{prefix}{entry.name}/", below)

    yield from walk(start, "", (start_real or area.resolve(folder),))


def _scan_directory_topic(
    area: CourseArea, found: _Found, real_path: Path, formats: tuple[str, ...]
) -> tuple[tuple, tuple, tuple, tuple, frozenset[str]]:
    """(decks, data, execution inputs, diagrams, sidecar files) of a topic folder."""
    decks, data, inputs, diagrams, sidecars = _classify(
        area, _walk_files(area, found.path, real_path), formats
    )
    # A committed old render of a diagram gives way to the fresh one, and what
    # diagrams include is part of their sources, not of the outputs.
    placed = {f"{RENDER_FOLDER}/{name}" for diagram in diagrams for name in diagram.renders}
    included = {path for diagram in diagrams for path in diagram.includes}
    data = [f for f in data if f.relative not in placed and f.source not in included]
    inputs = [f for f in inputs if f.source not in included]
    return tuple(decks), tuple(data), tuple(inputs), tuple(diagrams), frozenset(sidecars)


def _classify(
    area: CourseArea,
    files: Iterable[tuple[str, str]],
    formats: tuple[str, ...],
    decks_too: bool = True,
) -> tuple[list, list, list, list, list]:
    """(decks, data, execution inputs, diagrams, sidecar files) among a topic's ``files``,
    each (path from the course root, path from the topic folder)."""
    root = area.root
    decks, data, inputs, diagrams, sidecars = [], [], [], [], []
    stems: dict[str, str] = {}
    for source, relative in files:
        name = posixpath.basename(relative)
        stem, suffix = posixpath.splitext(name)
        suffix = suffix.lower()
        if decks_too and "/" not in relative and is_deck_name(name):
            decks.append(source)
        elif _is_sidecar(relative):
            sidecars.append(source)  # where the decks' companions are looked up
            continue
        elif suffix in DIAGRAM_SUFFIXES:
            if stem in stems:
                raise CourseError(
                    f"two diagram sources with the stem '{stem}' in one topic "
                    f"({stems[stem]} and {source}) would both render to img/{stem}.png; "
                    "rename one of them",
                    source,
                )
            renders = render_names(source, (root / source).read_bytes(), formats)
            if renders:  # else a file only for other diagrams to include
                stems[stem] = source
                diagrams.append(Diagram(source, renders, _includes(area, source)))
        else:
            data.append(TopicFile(source, relative))
            if suffix not in IMAGE_SUFFIXES:
                inputs.append(TopicFile(source, relative))
    return decks, data, inputs, diagrams, sidecars


def _companion(root: Path, deck: str, sidecars: frozenset[str] | None) -> str | None:
    """The deck's voiceover companion, beside it or in its voiceover/ folder, if any.

    ``sidecars`` are the sidecar files of the deck's topic folder, when it has
    one (its scan found them); a deck directly in a module folder is looked up
    on disk.
    """
    if sidecars is not None and not sidecars:
        return None  # the topic folder has no sidecar at all
    folder, name = posixpath.split(deck)
    for relative in companion_names(name):
        path = posixpath.join(folder, relative)
        if path in sidecars if sidecars is not None else (root / path).is_file():
            return path
    return None


def _is_sidecar(relative: str) -> bool:
    """A file only CLM's authoring tools read: narration and HTTP cassettes."""
    if "voiceover" not in relative and "cassette" not in relative:
        return False  # every sidecar's path names one of the two; most files are data
    parts = relative.split("/")
    return (
        is_companion_name(parts[-1])
        or parts[0] == COMPANION_FOLDER
        or parts[0] in SIDECAR_FOLDERS
        or relative.endswith(SIDECAR_SUFFIXES)
    )


def _includes(area: CourseArea, source: str) -> tuple[str, ...]:
    """What a diagram includes, all of it inside the course area."""
    includes = included_files(area.root, source)
    for path in includes:
        if not area.contains(real(area.root / path)):
            raise CourseError(
                f"it includes {path}, which lies outside the course root {area.root}; copy "
                "that file into the course, or name its folder under 'allow-outside:'",
                source,
            )
    return includes


def _scan_file_topic(
    area: CourseArea, found: _Found, text: str, language: languages.Language
) -> tuple[tuple, tuple]:
    """The sibling files a single-file topic brings: images, imported modules, named files."""
    root = area.root
    folder = posixpath.dirname(found.path)

    def sibling(reference: str) -> str | None:
        if "://" in reference or reference.startswith(("/", "#", "data:")):
            return None
        written = plain_relative(reference.split("#")[0].split("?")[0])
        if written is None or written == PurePosixPath("."):
            return None  # above the deck's folder: no sibling
        relative = written.as_posix()
        name = written.name
        if is_ignored(name):
            return None
        if is_deck_name(name) or posixpath.splitext(name)[1].lower() in DIAGRAM_SUFFIXES:
            return None
        if not (root / folder / relative).is_file():
            return None
        area.resolve(f"{folder}/{relative}")  # a link out of the course is an error
        return relative

    images: dict[str, None] = {}
    for pattern in (_IMG_SRC, _MD_IMAGE):
        for match in pattern.finditer(text):
            if (relative := sibling(match.group(1))) is not None:
                images[relative] = None
    inputs: dict[str, None] = {}
    imports = re.finditer(language.imports, text, re.M) if language.imports else ()
    for match in imports:
        names = [match.group(1)] if match.group(1) else re.split(r"[\s,]+", match.group(2))
        for name in names:
            module_name = name.split(".")[0].strip()
            module = f"{module_name}{language.module_suffix}"
            if module_name and (relative := sibling(module)) is not None:
                inputs[relative] = None
    for match in _STRING_LITERAL.finditer(text):
        relative = sibling(match.group(1))
        if relative is not None and posixpath.splitext(relative)[1].lower() not in IMAGE_SUFFIXES:
            inputs[relative] = None
    data = [TopicFile(f"{folder}/{r}", r) for r in {**images, **inputs}]
    return tuple(sorted(data, key=lambda f: f.relative)), tuple(
        TopicFile(f"{folder}/{r}", r) for r in sorted(inputs)
    )


class _Discovery:
    def __init__(self, spec: CourseSpec):
        self.spec = spec
        self.root = spec.root
        self.area = course_area(spec)
        self.warnings: list[str] = []
        self.index = index_topics(self.root)
        self.titles: dict[str, tuple[tuple[str, str], ...]] = {}
        self.title_lines: dict[str, int | None] = {}
        self.narration: dict[str, bool] = {}  # deck → may_narrate(its text)
        self.deck_errors: dict[str, CourseError] = {}  # decks that fail alone
        self.included: set[str] = set()  # what the topics' includes splice in
        self.scans: dict[str, tuple] = {}

    def resolve(self, ref: TopicRef) -> _Found:
        candidates = self.index.get(ref.id)
        if candidates and ref.module is not None:
            # CLM's module binding: the id is looked up in that module folder only.
            candidates = [c for c in candidates if c.path.startswith(f"slides/{ref.module}/")]
            if not candidates:
                raise CourseError(
                    f"topic '{ref.id}' is not in the module slides/{ref.module}/ the spec binds "
                    "it to; fix the module name or move the topic",
                    self.spec.file,
                    ref.line,
                )
        if not candidates:
            close = difflib.get_close_matches(ref.id, list(self.index), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise CourseError(
                f"topic '{ref.id}' not found under slides/ (a topic id is the folder or file "
                f"name minus its first two '_' parts, e.g. topic_110_{ref.id}){hint}",
                self.spec.file,
                ref.line,
            )
        if len(candidates) > 1:
            places = " and ".join(str(c.path) for c in candidates)
            raise CourseError(
                f"topic id '{ref.id}' is found twice: {places}; rename one so the id is unique",
                self.spec.file,
                ref.line,
            )
        return candidates[0]

    def _no_deck(self, ref: TopicRef, found: _Found, data: tuple[TopicFile, ...]) -> str:
        suffix = self.language(ref).suffix
        sources = [
            f.relative for f in data if "/" not in f.relative and f.relative.endswith(suffix)
        ]
        hint = f"; is {sources[0]} meant to be slides_{sources[0]}?" if sources else ""
        return str(
            CourseError(
                f"warning: topic '{ref.id}' ({found.path}) has no deck and builds nothing: "
                f"a deck's file name starts with slides_ or topic_ and ends in {suffix}{hint}",
                self.spec.file,
                ref.line,
            )
        )

    def language(self, ref: TopicRef) -> languages.Language:
        return languages.by_name(ref.prog_lang or self.spec.prog_lang)

    def check_languages(self, ref: TopicRef, decks: tuple[str, ...]) -> None:
        """Every deck of the topic is written in the topic's language."""
        language = self.language(ref)
        for deck in decks:
            if deck.endswith(languages.MARKDOWN_SUFFIX):
                continue  # a Markdown deck is written in its topic's language
            found = languages.of_deck(deck)
            if found is language:
                continue
            if ref.prog_lang is not None:
                why, line = f"its prog-lang is {language.name}", ref.line
            else:
                why = f"the course's prog-lang is {language.name}"
                line = self.spec.prog_lang_line or ref.line
            stem = posixpath.splitext(posixpath.basename(deck))[0]
            raise CourseError(
                f"the deck {deck} is a {found.title} file, but {why}, so its decks are "
                f"{language.title} ({language.suffix}) files: rename it to "
                f"{stem}{language.suffix}, or give topic '{ref.id}' prog-lang: {found.name}",
                self.spec.file,
                line,
            )

    def deck_titles(self, deck: str, text: str | None = None) -> tuple:
        """The deck's titles; a deck that cannot be read or titled gets its file stem
        and an error of its own (it fails alone, the course builds)."""
        if deck not in self.titles:
            try:
                if text is None:
                    text = read_deck(deck, self.root)
                self.titles[deck] = deck_titles(text, deck, self.spec.languages)
            except CourseError as error:
                self.deck_errors.setdefault(deck, error)
                self.titles[deck] = deck_titles("", deck, self.spec.languages)
                text = text or ""
            self.title_lines[deck] = header_line(text)
            self.narration[deck] = may_narrate(text)
        return self.titles[deck]

    def splice(
        self, ref: TopicRef, topic: str, includes: tuple[IncludeSpec, ...], scan: tuple
    ) -> tuple:
        """The topic's scan with what its includes splice in; a file of its own wins.

        A missing source fails the topic's decks (unless the include is optional).
        """
        decks, data, inputs, diagrams, sidecars = scan
        single_file = is_deck_name(posixpath.basename(topic))
        folder = posixpath.dirname(topic) if single_file else topic
        own = {f.relative for f in data}
        own.update(posixpath.relpath(d.source, folder) for d in diagrams)
        renders = {name for diagram in diagrams for name in diagram.renders}
        files: list[tuple[str, str]] = []
        for include in includes:
            self.included.add(include.source)
            if not os.path.lexists(self.root / include.source):
                if not include.optional:
                    missing = CourseError(
                        f"the include of {include.source} (as {include.into}) into topic "
                        f"'{ref.id}' finds nothing there; fix its source, or make it optional",
                        self.spec.file,
                        include.line,
                    )
                    for deck in decks:
                        self.deck_errors.setdefault(deck, missing)
                continue
            if self.area.resolve(include.source, self.spec.file, include.line).is_dir():
                walked = [
                    (source, f"{include.into}/{relative}")
                    for source, relative in _walk_files(self.area, include.source)
                ]
            else:
                walked = [(include.source, include.into)]
            shadowed = [relative for _, relative in walked if relative in own]
            if shadowed:
                warning = str(
                    CourseError(
                        f"warning: topic '{ref.id}' has its own {shadowed[0]}"
                        + (f" (and {len(shadowed) - 1} more)" if len(shadowed) > 1 else "")
                        + f", so the include of {include.source} does not replace it (a "
                        "topic's own files win, as in CLM); remove one of the two",
                        self.spec.file,
                        include.line,
                    )
                )
                if warning not in self.warnings:  # once, also for a topic in two sections
                    self.warnings.append(warning)
            files += [(source, relative) for source, relative in walked if relative not in own]
        _, more_data, more_inputs, more_diagrams, _ = _classify(
            self.area, files, self.spec.diagram_formats, decks_too=False
        )
        for diagram in more_diagrams:
            for name in renders.intersection(diagram.renders):
                raise CourseError(
                    f"the included diagram {diagram.source} renders to img/{name}, as a "
                    f"diagram of topic '{ref.id}' does; rename one of them",
                    self.spec.file,
                    ref.line,
                )
        return (
            decks,
            (*data, *more_data),
            (*inputs, *more_inputs),
            (*diagrams, *more_diagrams),
            sidecars,
        )

    def topic(self, ref: TopicRef, section_includes: tuple[IncludeSpec, ...] = ()) -> Topic:
        found = self.resolve(ref)
        if found.path not in self.scans:
            # The root is a real path: below it, only links need resolving.
            real_path = (
                self.area.resolve(found.path, self.spec.file, ref.line)
                if found.linked
                else self.root / found.path
            )
            if found.is_dir:
                self.scans[found.path] = _scan_directory_topic(
                    self.area, found, real_path, self.spec.diagram_formats
                )
                if not self.scans[found.path][0]:
                    self.warnings.append(self._no_deck(ref, found, self.scans[found.path][1]))
            else:
                try:
                    text = read_deck(found.path, self.root)
                except CourseError as error:  # the deck fails alone
                    self.deck_errors[found.path] = error
                    text = ""
                self.deck_titles(found.path, text)
                language = languages.of_deck(found.path, self.language(ref).name)
                data, inputs = _scan_file_topic(self.area, found, text, language)
                self.scans[found.path] = ((found.path,), data, inputs, (), None)
        scan = self.scans[found.path]
        includes = merged(section_includes, ref.includes)
        if includes:
            scan = self.splice(ref, found.path, includes, scan)
        decks, data, inputs, diagrams, _ = scan
        self.check_languages(ref, decks)
        return Topic(
            id=ref.id,
            path=found.path,
            decks=decks,
            data=data,
            execution_inputs=inputs,
            diagrams=diagrams,
            html=ref.html,
            allow_errors=self.spec.allow_errors if ref.allow_errors is None else ref.allow_errors,
            skip_errors=self.spec.skip_errors if ref.skip_errors is None else ref.skip_errors,
            cell_timeout=ref.cell_timeout or self.spec.cell_timeout,
            evaluate=ref.evaluate,
            author=ref.author,
            language=self.language(ref).name,
            kernel=ref.kernel or self.spec.kernel,
        )


def _shared_files(
    root: Path, section_name: str, topics: tuple[Topic, ...]
) -> tuple[tuple[Clash, ...], frozenset[str]]:
    """Topics of one section share an output folder: the paths two of them bring with
    different content (each clash once), and every source whose path another brings."""
    clashes: dict[str, Clash] = {}
    shared: set[str] = set()
    renders: dict[str, tuple[str, Topic]] = {}
    for topic in topics:
        for diagram in topic.diagrams:
            for name in diagram.renders:
                relative = f"{RENDER_FOLDER}/{name}"
                first, owner = renders.setdefault(relative, (diagram.source, topic))
                if first != diagram.source:
                    shared.update((first, diagram.source))
                    clashes.setdefault(
                        relative,
                        Clash(
                            section_name,
                            relative,
                            (first, diagram.source),
                            (owner.path, topic.path),
                        ),
                    )
    files: dict[str, tuple[str, Topic]] = {}
    for topic in topics:
        for file in topic.data:
            first, owner = files.setdefault(file.relative, (file.source, topic))
            if first == file.source:
                continue
            shared.update((first, file.source))
            a, b = root / first, root / file.source
            if a.stat().st_size != b.stat().st_size or a.read_bytes() != b.read_bytes():
                clashes.setdefault(
                    file.relative,
                    Clash(
                        section_name, file.relative, (first, file.source), (owner.path, topic.path)
                    ),
                )
    return tuple(clashes.values()), frozenset(shared)


_LANGUAGE_NAMES = {"de": "German", "en": "English"}


def split_decks(
    decks: tuple[str, ...], languages: tuple[str, ...]
) -> dict[str, tuple[str | None, CourseError | None]]:
    """(language, error) of a topic's decks that are or meet a split deck's halves.

    As CLM 1.35 pairs them, ``slides_x.de.py`` and ``slides_x.en.py`` are one deck.
    A half without its other half (in a course that has both languages) and a
    deck that is there both whole and split are errors of those files: they
    fail alone, the course builds.
    """
    families: dict[str, dict[str | None, str]] = {}
    for deck in decks:
        folder, name = posixpath.split(deck)
        half = split_half(name)
        family = deck if half is None else posixpath.join(folder, half[0])
        families.setdefault(family, {})[None if half is None else half[1]] = deck
    found: dict[str, tuple[str | None, CourseError | None]] = {}
    for family, members in families.items():
        halves = [lang for lang in members if lang is not None]
        if not halves:
            continue
        message = None
        if None in members:
            split = " and ".join(members[lang] for lang in halves)
            message = (
                f"the deck is here whole ({family}) and split into halves ({split}); keep "
                "one form: delete or rename the whole deck or the halves"
            )
        elif len(halves) == 1:
            (lang,) = halves
            other = next(other for other in SPLIT_LANGUAGES if other != lang)
            if other in languages:
                folder, name = posixpath.split(family)
                stem, suffix = posixpath.splitext(name)
                missing = posixpath.join(folder, f"{stem}.{other}{suffix}")
                message = (
                    f"the {_LANGUAGE_NAMES[lang]} half of a split deck, without its "
                    f"{_LANGUAGE_NAMES[other]} half {missing}; add that, or rename this "
                    f"file to {name} to make it a deck of both languages"
                )
        for lang, deck in members.items():
            found[deck] = (lang, None if message is None else CourseError(message, deck))
    return found


def _dir_group_files(area: CourseArea, group: DirGroupSpec) -> tuple[TopicFile, ...]:
    """The files of a dir-group; the spec checks made sure each subdir is a folder in it.

    As in CLM: without subdirs the whole folder (only its own files when not
    ``recursive``); with subdirs those, and the folder's own files when the
    group says ``include-root-files``.
    """
    path, recursive = group.path, group.recursive
    if group.subdirs is None:
        walked = _walk_files(area, path, recursive=recursive)
        return tuple(TopicFile(source, relative) for source, relative in walked)
    files = []
    if group.include_root_files:
        walked = _walk_files(area, path, recursive=False)
        files += [TopicFile(source, relative) for source, relative in walked]
    for subdir in group.subdirs:
        walked = _walk_files(area, f"{path}/{subdir}", recursive=recursive)
        files += [TopicFile(source, f"{subdir}/{relative}") for source, relative in walked]
    return tuple(files)


def build_course(spec: CourseSpec) -> Course:
    """Resolve every topic the spec uses; raises CourseError on the first problem."""
    discovery = _Discovery(spec)
    templates = (
        tuple(source for source, _ in _walk_files(discovery.area, spec.templates))
        if spec.templates and (spec.root / spec.templates).is_dir()
        else ()
    )
    # A macro of the course's own may make voiceover cells in any deck.
    narrating_templates = any(
        may_narrate((spec.root / template).read_text(encoding="utf-8", errors="replace"))
        for template in templates
    )
    sections = []
    for section_spec in spec.sections:
        topics = tuple(discovery.topic(ref, section_spec.includes) for ref in section_spec.topics)
        clashes, shared = _shared_files(spec.root, section_spec.name.get(spec.languages[0]), topics)
        decks = []
        for topic in topics:
            # Halves pair inside a topic folder; a single-file topic is one deck whatever
            # its name (topic_100_x.de.py is the topic x.de).
            single_file = topic.folder != topic.path
            halves = {} if single_file else split_decks(topic.decks, spec.languages)
            for deck in topic.decks:
                companion = _companion(spec.root, deck, discovery.scans[topic.path][4])
                titles = discovery.deck_titles(deck)
                narrated = bool(narrating_templates or companion or discovery.narration[deck])
                lang, error = halves.get(deck, (None, None))
                decks.append(
                    Deck(
                        deck,
                        topic,
                        titles,
                        discovery.title_lines[deck],
                        companion,
                        narrated,
                        lang=lang,
                        error=discovery.deck_errors.get(deck) or error,
                    )
                )
        sections.append(
            Section(section_spec.name, tuple(decks), topics, clashes=clashes, shared=shared)
        )
    dir_groups = [
        DirGroup(
            group.name,
            _dir_group_files(discovery.area, group),
            group.path,
            group.line,
            group.lang,
        )
        for group in spec.dir_groups
    ]
    return Course(
        name=spec.name,
        languages=spec.languages,
        prog_lang=spec.prog_lang,
        sections=tuple(sections),
        dir_groups=tuple(dir_groups),
        templates=templates,
        output=spec.output,
        code_along_code=spec.code_along_code,
        diagram_formats=spec.diagram_formats,
        warnings=tuple(discovery.warnings),
        output_layout=spec.output_layout,
        output_targets=spec.output_targets,
        project_slug=spec.project_slug,
        included=tuple(sorted(discovery.included)),
        mathjax=spec.mathjax,
    )
