"""Where outputs go: CLM's output trees and their file names.

In each target (clm.plan.targets) a language's course folder holds
``<Folien|Slides>/<Html|Notebooks|code folder>/<Kind>/<Section>/<NN> <Title>.<ext>``
and the dir-groups. The course folder is ``{project-slug}-{lang}`` (or the
course name and the language) in CLM 1.35's targets, and ``<Lang>/<course name>``
in the classic tree.
"""

from __future__ import annotations

import posixpath

from clm.languages import Language
from clm.paths import sanitize
from clm.plan.targets import Target
from clm.plan.variants import Format, Kind, Variant

KIND_FOLDERS = {
    Kind.CODE_ALONG: "Code-Along",
    Kind.COMPLETED: "Completed",
    Kind.TRAINER: "Trainer",
    Kind.RECORDING: "Recording",
    Kind.PARTIAL: "Partial",
}
# The classic tree calls the recording kind by its old name.
CLASSIC_KIND_FOLDERS = {**KIND_FOLDERS, Kind.RECORDING: "Speaker"}
FORMAT_FOLDERS = {Format.HTML: "Html", Format.NOTEBOOK: "Notebooks"}
SLIDES_FOLDERS = {"de": "Folien", "en": "Slides"}
SUFFIXES = {Format.HTML: ".html", Format.NOTEBOOK: ".ipynb"}

# The MathJax that HTML pages load, one copy in each course folder's Html folder,
# beside its kinds. Every page lies two folders below that (kind, section), so
# each names it alike: the copies of a page in other targets stay the same bytes.
MATHJAX_FILE = "mathjax/tex-svg-full.js"
MATHJAX_FROM_PAGE = f"../../{MATHJAX_FILE}"


def language_folder(lang: str) -> str:
    return lang.capitalize()


def course_folder(target: Target, lang: str, course_name: str, slug: str | None = None) -> str:
    """The folder of one language's course in ``target``."""
    if target.classic:
        return f"{target.path}/{language_folder(lang)}/{sanitize(course_name)}"
    return f"{target.path}/{sanitize(slug or course_name)}-{lang}"


def format_folder(fmt: Format, language: Language) -> str:
    """``Html``, ``Notebooks``, or the plain code's folder of the deck's language."""
    return language.code_folder if fmt is Format.CODE else FORMAT_FOLDERS[fmt]


def variant_folder(
    course: str, target: Target, variant: Variant, section_name: str, language: Language
) -> str:
    """The folder holding one variant of a section's decks, below the ``course`` folder."""
    slides = SLIDES_FOLDERS.get(variant.lang, "Slides")
    fmt = format_folder(variant.format, language)
    kind = (CLASSIC_KIND_FOLDERS if target.classic else KIND_FOLDERS)[variant.kind]
    return f"{course}/{slides}/{fmt}/{kind}/{sanitize(section_name)}"


def deck_file_name(number: int, title: str, fmt: Format, language: Language) -> str:
    suffix = language.suffix if fmt is Format.CODE else SUFFIXES[fmt]
    return f"{number:02d} {sanitize(title)}{suffix}"


def dir_group_folder(course: str, group_name: str) -> str:
    """A dir-group's folder below the ``course`` folder; its name may hold "/" for nested
    folders, "" for the course folder itself."""
    parts = [sanitize(part) for part in group_name.replace("\\", "/").split("/") if part.strip()]
    return "/".join([course, *parts])


def mathjax_copy(page: str) -> str:
    """Where the MathJax that the HTML page ``page`` loads lies (see variant_folder)."""
    html_folder = posixpath.dirname(posixpath.dirname(posixpath.dirname(page)))
    return f"{html_folder}/{MATHJAX_FILE}"
