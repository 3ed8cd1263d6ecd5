"""The Jinja pre-pass of every deck of a plan: the course's settings, the topic's author,
the files the deck includes.

The included files are dependencies of the deck's tasks (an edit to a workshop
file rebuilds exactly the decks that include it). Finding them parses each
deck's Jinja once per content: the names a file refers to are kept in the
state under its content hash, so a no-op build reads them instead of parsing.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable

from clm import CHECKS_VERSION
from clm.course.model import Deck
from clm.deck.includes import DeckIncludes, References, deck_includes, references
from clm.deck.prepass import Prepass
from clm.encoding import read_deck
from clm.errors import CourseError
from clm.languages import of_deck
from clm.spec import CourseSpec
from clm.state.store import StateStore
from clm.state.verdicts import Kept, keep_verdicts, kept_verdicts


def course_prepass(spec: CourseSpec, templates: str | None) -> Prepass:
    """What every deck's pre-pass sees, before its topic's author and its includes."""
    organization = tuple((lang, spec.organization.get(lang)) for lang in spec.languages)
    return Prepass(templates, spec.author, organization)


def deck_prepasses(
    decks: Iterable[Deck], course: Prepass, store: StateStore, kept: Kept
) -> tuple[dict[str, Prepass], list[str]]:
    """The pre-pass of each deck, by path, and the warnings finding its includes gave."""
    decks = list(decks)
    references_of = _KeptReferences(store, kept)
    references_of.look_up(deck.path for deck in decks)
    prepasses: dict[str, Prepass] = {}
    warnings: list[str] = []
    is_file = functools.cache(os.path.isfile)
    for deck in decks:
        if deck.path in prepasses:
            continue
        found: DeckIncludes = deck_includes(deck.path, course, references_of, is_file)
        warnings += found.warnings
        prepasses[deck.path] = course.for_deck(
            deck.topic.author, tuple(found.files), deck.topic.language
        )
    references_of.keep()
    return prepasses, warnings


class _KeptReferences:
    """A file's template references, parsed once per content and kept in the state."""

    def __init__(self, store: StateStore, kept: Kept):
        self.store = store
        self.kept = kept
        self.new: list[tuple[str, str]] = []
        self.known: dict[str, References] = {}
        self.keys: dict[str, str | None] = {}  # by path: look_up and the walk ask alike

    def _key(self, path: str) -> str | None:
        if path not in self.keys:
            try:
                digest = self.store.md5(path)
            except OSError:
                digest = None  # gone meanwhile: the plan's next look reports it
            prefix = of_deck(path).jinja_prefix
            self.keys[path] = (
                None
                if digest is None
                else hashlib.md5(
                    f"references|{CHECKS_VERSION}|{prefix}|{digest}".encode()
                ).hexdigest()
            )
        return self.keys[path]

    def look_up(self, paths: Iterable[str]) -> None:
        """Read what the state keeps for ``paths`` in one go (a no-op build parses nothing)."""
        keys = [key for key in map(self._key, paths) if key is not None]
        for key, text in kept_verdicts(self.kept, keys).items():
            self.known[key] = References.from_text(text)

    def __call__(self, path: str) -> References:
        key = self._key(path)
        if key is None:
            return References()
        if key in self.known:
            return self.known[key]
        kept = kept_verdicts(self.kept, [key])
        if key in kept:
            found = References.from_text(kept[key])
        else:
            try:
                found = references(read_deck(path), of_deck(path).jinja_prefix)
            except CourseError:
                found = References()  # not UTF-8: the deck checks say so, with the file
            self.new.append((key, found.to_text()))
        self.known[key] = found
        return found

    def keep(self) -> None:
        keep_verdicts(self.kept, self.new)
        self.new = []


def execution_inputs(deck: Deck, prepasses: dict[str, Prepass]) -> tuple[tuple[str, str], ...]:
    """(source, relative) of the topic files the deck's code may read.

    A file some deck of the topic includes (a workshop file) is part of those
    decks' text, not something code reads: it is no input of a deck whose
    code does not name it, so an edit to it re-runs only the decks that
    include it.
    """
    topic = deck.topic
    included = {path for other in topic.decks for path in prepasses[other].includes}
    inputs = topic.execution_inputs
    if not included.intersection(f.source for f in inputs):
        return tuple((f.source, f.relative) for f in inputs)
    code = _code_text(deck.path)
    return tuple(
        (f.source, f.relative)
        for f in inputs
        if f.source not in included
        or f.source in prepasses[deck.path].includes
        or _named(f.relative, code, of_deck(deck.path, topic.language).module_suffix)
    )


def _code_text(deck: str) -> str:
    """The deck without its Jinja lines (an include line names the file it includes)."""
    try:
        text = read_deck(deck)
    except (OSError, CourseError):
        return ""
    prefix = of_deck(deck).jinja_prefix
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(prefix))


def _named(relative: str, code: str, module_suffix: str | None) -> bool:
    """Whether the code names the file, or imports it as a module (by its stem)."""
    name = relative.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    return name in code or (
        module_suffix is not None and name.endswith(module_suffix) and stem in code
    )
