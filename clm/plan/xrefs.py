"""Where a deck's ``clm:`` cross-references lead in each of its outputs.

Resolved from the output plan alone, without touching the output folder: a
reference leads from one output to the output of the target deck with the
same language, kind and format, in the same output target, as a relative href
(percent-encoded: output names hold spaces). A code output drops every link and
keeps its text, as CLM does. A reference whose target has no such output (an
unknown topic or deck, a topic without HTML) is missing; a topic of several
decks named without one leads to its first deck, with a warning.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches
from typing import NamedTuple
from urllib.parse import quote

from clm.course.discovery import topic_id
from clm.plan.outputs import DeckOutput, DeckPlan, OutputPlan
from clm.plan.variants import Format, Variant


class Reference(NamedTuple):
    """One ``[text](clm:…)`` reference of a deck: what follows ``clm:``, and its line."""

    ref: str
    line: int

    @property
    def topic(self) -> str:
        return self._target.partition("/")[0]

    @property
    def deck(self) -> str | None:
        """The deck named after the topic id (``clm:loops/slides_while``), if any."""
        return self._target.partition("/")[2] or None

    @property
    def _target(self) -> str:
        # CLM accepts an anchor (clm:loops#while) and ignores it: the link goes to the page.
        return self.ref.partition("#")[0]


class Finding(NamedTuple):
    """What is wrong with one reference of a deck: a missing target, or only a warning."""

    reference: Reference
    problem: str  # what is wrong, for the author
    fix: str
    missing: bool  # the link leads nowhere (an error where the course asks for that)


@dataclass(frozen=True)
class DeckLinks:
    """The hrefs of one deck's references, per output, and what is wrong with them."""

    hrefs: dict[str, tuple[tuple[str, str], ...]]  # by output path: (reference, href; "" drops)
    findings: tuple[Finding, ...]


class LinkTargets:
    """The decks a reference may name, by topic id, made from the whole course's plan
    (a build of one topic still links to the others)."""

    def __init__(self, plan: OutputPlan):
        self._decks: dict[str, dict[str, DeckPlan]] = {}
        for deck_plan in plan.decks:
            by_path = self._decks.setdefault(deck_plan.deck.topic.id, {})
            by_path.setdefault(deck_plan.deck.path, deck_plan)  # a topic's first use counts

    def target(
        self, reference: Reference, lang: str
    ) -> tuple[DeckPlan | None, tuple[str, str] | None]:
        """The deck ``reference`` leads to in ``lang``'s outputs, and what to tell the author
        (problem, fix): why there is none, or that the choice was ambiguous.

        A split deck (``slides_x.de.py`` and ``slides_x.en.py``) leads to the half of
        ``lang``.
        """
        decks = self._decks.get(reference.topic)
        if not decks:
            close = get_close_matches(reference.topic, self._decks, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            return None, (
                f"names no topic of the course{hint}",
                "fix the topic id, or add the topic to the spec",
            )
        serving = [d for d in decks.values() if d.deck.lang in (None, lang)]
        ordered = sorted(serving or decks.values(), key=lambda d: (d.number, d.deck.path))
        if reference.deck is not None:
            for deck_plan in ordered:
                if reference.deck in _deck_names(deck_plan.deck.family):
                    return deck_plan, None
            names = ", ".join(_stem(d.deck.family) for d in ordered)
            return None, (
                f"names no deck of topic '{reference.topic}' (its decks: {names})",
                "fix the deck's name after the '/'",
            )
        first = ordered[0]
        if len(ordered) == 1:
            return first, None
        stem = _stem(first.deck.family)
        return first, (
            f"names topic '{reference.topic}', which has {len(ordered)} decks; the link goes to "
            f"the first, {stem}",
            f"write clm:{reference.topic}/{stem} to say so",
        )

    def links(self, deck: DeckPlan, references: Iterable[Reference]) -> DeckLinks:
        """The hrefs of ``deck``'s references in each of its outputs, and the findings."""
        hrefs: dict[str, dict[str, str]] = {output.path: {} for output in deck.outputs}
        findings = []
        for reference in dict.fromkeys(references):
            noted = False
            missing: list[Variant] = []
            for output in deck.outputs:
                target, note = self.target(reference, output.variant.lang)
                if note is not None and not noted:
                    findings.append(Finding(reference, *note, target is None))
                    noted = True
                href = "" if target is None else _href(output, target)
                if target is not None and href is None:
                    missing.append(output.variant)
                hrefs[output.path][reference.ref] = href or ""
            if missing:
                findings.append(Finding(reference, *_not_built(missing), True))
        return DeckLinks(
            {path: tuple(pairs.items()) for path, pairs in hrefs.items() if pairs},
            tuple(findings),
        )


def _href(output: DeckOutput, target: DeckPlan) -> str | None:
    """The href from ``output`` to the same variant of ``target`` in the same output target:
    "" for a code output (its links are dropped), None when ``target`` has no such output."""
    variant = output.variant
    if variant.format is Format.CODE:
        return ""
    path = _same_variant(target, variant, output.root)
    if path is None:
        return None
    return quote(posixpath.relpath(path, posixpath.dirname(output.path)), safe="/")


def _same_variant(target: DeckPlan, variant: Variant, root: str) -> str | None:
    """The path of ``target``'s output of ``variant`` in the output target ``root``.

    A deck without narration writes its trainer file as a copy of its recording
    file (DeckOutput.also): that copy is its trainer output.
    """
    for output in target.outputs:
        shown = output.variant
        if shown.lang != variant.lang or shown.format is not variant.format:
            continue
        if shown.kind is variant.kind and output.root == root:
            return output.path
        for kind, path in output.also:
            if kind is variant.kind and path.startswith(f"{root}/"):
                return path
    return None


def _not_built(missing: list[Variant]) -> tuple[str, str]:
    shown = [f"{v.lang} {v.kind} {v.format}" for v in missing[:3]]
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return (
        f"leads to a deck that has no output beside this deck's {', '.join(shown)}{more} "
        "(its topic is built without HTML, or into other output targets)",
        "link to a topic built like this one",
    )


def _stem(path: str) -> str:
    return posixpath.basename(path).rsplit(".", 1)[0]


def _deck_names(path: str) -> set[str]:
    """What ``clm:topic/<name>`` may call a deck: its stem, or the stem without its prefix
    and number (``slides_010_while`` and ``while``), as in CLM."""
    name = posixpath.basename(path)
    return {_stem(path), *filter(None, [topic_id(name)])}
