"""What the Jinja pre-pass of a deck sees besides the deck (planning reads it without Jinja)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from clm.languages import Language, of_deck
from clm.templates import PACKAGE_TEMPLATES


@dataclass(frozen=True)
class Prepass:
    """What the pre-pass of a deck sees besides the deck: templates and the title's names.

    Templates are looked up in the course's templates folder (when the spec uses
    one), then in clm's own, then in the deck's folder: that is where CLM finds
    the workshop files decks include (``# j2 include "ws_100_iteration.py"``),
    and a sibling never shadows a macro file. A frozen record of strings, so
    it travels in every job.
    """

    templates: str | None = None  # the course's templates folder
    author: str = ""
    organization: tuple[tuple[str, str], ...] = ()  # (language, name)
    # The files outside the templates folders that the deck includes, as the
    # plan found them (clm.deck.includes): a warm process sees their edits.
    includes: tuple[str, ...] = ()
    # The deck's topic's programming language: what a Markdown deck is written in.
    language: str | None = None

    def language_of(self, deck: str | Path) -> Language:
        """The deck's language (a Markdown deck's is its topic's)."""
        return of_deck(deck, self.language)

    def search_path(self, deck: Path) -> list[str]:
        folders = self.language_of(deck).template_folders
        return search_path(self.templates, str(deck.parent), folders)

    def for_deck(
        self, author: str | None, includes: tuple[str, ...], language: str | None = None
    ) -> Prepass:
        """The pre-pass of one deck: its topic's author, if it has one, its includes and
        its topic's programming language."""
        return dataclasses.replace(
            self,
            author=self.author if author is None else author,
            includes=includes,
            language=language,
        )

    def variables(self, lang: str, fmt: str, prog_lang: str = "python") -> dict[str, object]:
        """The globals a deck and the macros it imports see (CLM's, and ``format`` and
        ``prog_lang``, the deck's programming language)."""
        return {
            "lang": lang,
            "prog_lang": prog_lang,
            "format": fmt,
            "is_notebook": fmt == "notebook",
            "is_html": fmt == "html",
            "author": self.author,
            "organization": dict(self.organization).get(lang, ""),
        }


def search_path(
    course_templates: str | None,
    deck_folder: str | None,
    packaged: tuple[str, ...] = ("python",),
) -> list[str]:
    """The course's templates, clm's own for the deck's language (``packaged`` names
    their folders), the deck's folder."""
    search = [course_templates] if course_templates else []
    search += [str(PACKAGE_TEMPLATES / folder) for folder in packaged]
    if deck_folder is not None:
        search.append(deck_folder)
    return search
