"""The cross-references of a build's decks: found, resolved and judged while planning.

A deck's references (clm.deck.xrefs) are found once per content and kept in the
state, so a no-op build reads none of its decks; where they lead is worked out
from the plan on every build (clm.plan.xrefs), since a target's title or number
decides its output's name. Each referring deck's hrefs are the value of one
virtual dependency of its HTML and notebook outputs: a target retitled or
moved rebuilds exactly the outputs linking to it.

A missing target is a warning naming deck:line, and the link shows as its text;
``clm build --fail-on-missing-xref`` or ``CLM_FAIL_ON_MISSING_XREF=1`` make it
an error of that deck, which then fails alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from clm import CHECKS_VERSION
from clm.deck.xrefs import deck_references
from clm.encoding import read_deck
from clm.errors import CourseError
from clm.languages import of_deck
from clm.plan.outputs import DeckPlan
from clm.plan.variants import Format
from clm.plan.xrefs import LinkTargets, Reference
from clm.state.checker import virtual_dependency
from clm.state.store import StateStore
from clm.state.verdicts import Kept, keep_verdicts, kept_verdicts
from clm.tasks.switches import switch

FAIL_VARIABLE = "CLM_FAIL_ON_MISSING_XREF"


def fail_on_missing(given: bool | None) -> bool:
    """Whether a missing target fails its deck: the command line's choice, else
    CLM_FAIL_ON_MISSING_XREF's, else not; CourseError for a value that says neither."""
    return switch(given, FAIL_VARIABLE, "make a missing cross-reference target an error")


@dataclass(frozen=True)
class CrossReferences:
    """What the build does with the decks' references."""

    # By deck, then output path: (reference, href; "" drops the link and keeps its text).
    hrefs: dict[str, dict[str, tuple[tuple[str, str], ...]]] = field(default_factory=dict)
    # By deck: the virtual dependency its HTML and notebook outputs take, and its value.
    dependencies: dict[str, tuple[str, str]] = field(default_factory=dict)
    warnings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by deck
    errors: dict[str, CourseError] = field(default_factory=dict)  # with fail_on_missing
    found: dict[str, tuple[Reference, ...]] = field(default_factory=dict)  # by deck

    def dependency(self, deck: str, fmt: Format) -> str | None:
        """The links dependency of ``deck``'s output of ``fmt``: a code output has none (its
        links are dropped, whatever they lead to)."""
        found = self.dependencies.get(deck)
        return None if found is None or fmt is Format.CODE else found[0]

    def values(self) -> dict[str, str]:
        return dict(self.dependencies.values())

    def all_warnings(self) -> list[str]:
        return [warning for found in self.warnings.values() for warning in found]


def cross_references(
    decks: Iterable[DeckPlan],
    targets: LinkTargets,
    store: StateStore,
    kept: Kept,
    fail: bool,
) -> CrossReferences:
    """Find the references of ``decks``, resolve them against ``targets`` and judge them."""
    decks = list(decks)
    found = _KeptReferences(store, kept).of({d.deck.path: d.deck.topic.language for d in decks})
    hrefs: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
    dependencies: dict[str, tuple[str, str]] = {}
    warnings: dict[str, tuple[str, ...]] = {}
    failed: dict[str, CourseError] = {}
    for deck_plan in decks:
        deck = deck_plan.deck.path
        references = found.get(deck, ())
        if not references:
            continue
        links = targets.links(deck_plan, references)
        hrefs[deck] = links.hrefs
        shown = sorted(
            (path, pairs) for path, pairs in links.hrefs.items() if not _is_code(deck_plan, path)
        )
        value = hashlib.md5(repr(shown).encode()).hexdigest()
        dependencies[deck] = (virtual_dependency(f"links:{deck}"), value)
        errors, said = [], []
        for finding in links.findings:
            where = CourseError("", deck, finding.reference.line)
            what = f"the cross-reference clm:{finding.reference.ref} {finding.problem}"
            if finding.missing and fail:
                errors.append(CourseError(f"{what}: {finding.fix}", deck, finding.reference.line))
            elif finding.missing:
                said.append(
                    f"{where}warning: {what}, so the link shows as its text only: {finding.fix}"
                )
            else:
                said.append(f"{where}warning: {what}: {finding.fix}")
        if said:
            warnings[deck] = tuple(said)
        if errors:
            first, *others = errors
            if others:
                lines = ", ".join(str(error.line) for error in others)
                first = CourseError(
                    f"{first.message} (and {len(others)} more missing targets, lines {lines})",
                    first.path,
                    first.line,
                )
            failed[deck] = first
    found = {deck: references for deck, references in found.items() if references}
    return CrossReferences(hrefs, dependencies, warnings, failed, found)


def _is_code(deck: DeckPlan, path: str) -> bool:
    return any(o.path == path and o.variant.format is Format.CODE for o in deck.outputs)


class _KeptReferences:
    """A deck's references, found once per content and kept in the state."""

    def __init__(self, store: StateStore, kept: Kept):
        self.store = store
        self.kept = kept

    def _key(self, path: str, language: str) -> str | None:
        try:
            digest = self.store.md5(path)
        except OSError:
            return None  # gone meanwhile: the plan's next look reports it
        # The suffix (and a Markdown deck's topic language) decides how cells are marked;
        # a plain key: a no-op build of a large course makes a thousand of them.
        return f"xrefs|{CHECKS_VERSION}|{path.rpartition('.')[2]}|{language}|{digest}"

    def of(self, languages: dict[str, str]) -> dict[str, tuple[Reference, ...]]:
        """The references of each deck in ``languages`` (its topic's language, by path)."""
        keys = {
            path: key
            for path, language in sorted(languages.items())
            if (key := self._key(path, language)) is not None
        }
        known = kept_verdicts(self.kept, list(keys.values()))
        found: dict[str, tuple[Reference, ...]] = {}
        new = []
        for path, key in keys.items():
            if key in known:
                found[path] = _from_text(known[key])
                continue
            try:
                found[path] = deck_references(read_deck(path), of_deck(path, languages[path]))
            except (OSError, CourseError):
                continue  # unreadable: the deck checks say why, with the file
            new.append((key, _to_text(found[path])))
        keep_verdicts(self.kept, new)
        return found


def _to_text(references: tuple[Reference, ...]) -> str:
    return "\n".join(f"{reference.line} {reference.ref}" for reference in references)


def _from_text(text: str) -> tuple[Reference, ...]:
    if not text:
        return ()  # most decks
    rows = (row.split(" ", 1) for row in filter(None, text.split("\n")))
    return tuple(Reference(ref, int(line)) for line, ref in rows)
