"""Where outputs go: the CLM-compatible output tree and its file names."""

from __future__ import annotations

from clm.languages import Language
from clm.paths import sanitize
from clm.plan.variants import Format, Kind, Variant

KIND_FOLDERS = {Kind.CODE_ALONG: "Code-Along", Kind.COMPLETED: "Completed", Kind.SPEAKER: "Speaker"}
FORMAT_FOLDERS = {Format.HTML: "Html", Format.NOTEBOOK: "Notebooks"}
SLIDES_FOLDERS = {"de": "Folien", "en": "Slides"}
SUFFIXES = {Format.HTML: ".html", Format.NOTEBOOK: ".ipynb"}


def language_folder(lang: str) -> str:
    return lang.capitalize()


def course_folder(output: str, lang: str, course_name: str, speaker: bool = False) -> str:
    """The folder of one language's course, in the public or the speaker tree."""
    audience = "speaker" if speaker else "public"
    return f"{output}/{audience}/{language_folder(lang)}/{sanitize(course_name)}"


def format_folder(fmt: Format, language: Language) -> str:
    """``Html``, ``Notebooks``, or the plain code's folder of the deck's language."""
    return language.code_folder if fmt is Format.CODE else FORMAT_FOLDERS[fmt]


def variant_folder(
    output: str, variant: Variant, course_name: str, section_name: str, language: Language
) -> str:
    """The folder holding one variant of a section's decks in ``language``."""
    course = course_folder(output, variant.lang, course_name, variant.kind is Kind.SPEAKER)
    slides = SLIDES_FOLDERS.get(variant.lang, "Slides")
    fmt = format_folder(variant.format, language)
    return f"{course}/{slides}/{fmt}/{KIND_FOLDERS[variant.kind]}/{sanitize(section_name)}"


def deck_file_name(number: int, title: str, fmt: Format, language: Language) -> str:
    suffix = language.suffix if fmt is Format.CODE else SUFFIXES[fmt]
    return f"{number:02d} {sanitize(title)}{suffix}"


def dir_group_folder(output: str, lang: str, course_name: str, group_name: str) -> str:
    """A dir-group's folder; its name may hold "/" for nested folders, "" for the course."""
    parts = [sanitize(part) for part in group_name.replace("\\", "/").split("/") if part.strip()]
    return "/".join([course_folder(output, lang, course_name), *parts])
