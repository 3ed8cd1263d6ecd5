"""Check decks before anything is built: a bad deck builds nothing.

A deck that is not UTF-8, a header call without literals, a malformed cell
header and a Jinja error (an undefined name, a missing template) are found
here, with the author's file and line; unknown tags and foreign languages are
warnings. A deck is checked again only when its content, the templates or
clm changed: the verdicts are kept in the state, keyed by content hash, and
a kept verdict still brings its warnings, so they are shown on every build
until the author fixes them. ``clm build`` and the watcher run the same checks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from clm import CHECKS_VERSION
from clm.deck.checks import check_deck
from clm.deck.prepass import Prepass
from clm.errors import CourseError
from clm.state.verdicts import Kept, keep_verdicts, kept_verdicts


@dataclass(frozen=True)
class DeckVerdicts:
    """What checking some decks found, by deck path."""

    warnings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    errors: dict[str, CourseError] = field(default_factory=dict)

    def all_warnings(self) -> list[str]:
        return [warning for found in self.warnings.values() for warning in found]


def check_decks(
    decks: list[str],
    hashes: dict[str, str],
    languages: tuple[str, ...],
    prepasses: dict[str, Prepass],
    context_key: str,
    kept: Kept,
    companions: dict[str, str] | None = None,
) -> DeckVerdicts:
    """Check the decks, reusing kept verdicts; a failing deck is checked again next time.

    ``hashes`` holds the content hash of every deck, of every file one includes
    and of every voiceover companion in ``companions`` (by deck).
    """
    companions = companions or {}
    keys = {
        deck: _key(deck, hashes, languages, prepasses[deck], context_key, companions.get(deck))
        for deck in decks
    }
    known = kept_verdicts(kept, list(keys.values()))
    verdicts = DeckVerdicts()
    unchecked = []
    for deck in decks:
        if keys[deck] in known:
            found = known[keys[deck]]
            verdicts.warnings[deck] = tuple(found.split("\n")) if found else ()
        else:
            unchecked.append(deck)
    if not unchecked:
        return verdicts

    checked = []
    for deck in unchecked:
        try:
            companion = companions.get(deck)
            warnings = check_deck(
                Path(deck), languages, prepasses[deck], Path(companion) if companion else None
            )
        except CourseError as error:
            verdicts.errors[deck] = error
            continue
        verdicts.warnings[deck] = tuple(warnings)
        checked.append((keys[deck], "\n".join(warnings)))
    keep_verdicts(kept, checked)
    return verdicts


def _key(
    deck: str,
    hashes: dict[str, str],
    languages: tuple[str, ...],
    prepass: Prepass,
    context: str,
    companion: str | None,
) -> str:
    included = ",".join(f"{path}={hashes[path]}" for path in prepass.includes)
    narrated = f"{companion}={hashes[companion]}" if companion else ""
    text = (
        f"{CHECKS_VERSION}|{deck}|{hashes[deck]}|{context}|{','.join(languages)}|"
        f"{prepass.author}|{prepass.organization}|{included}|{narrated}"
    )
    return hashlib.md5(text.encode()).hexdigest()
