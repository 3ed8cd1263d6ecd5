"""The Jinja pre-pass: ``# j2`` statement lines and ``{{ … }}`` expressions, rendered per variant."""

from __future__ import annotations

import contextlib
import os
import re
import traceback
from functools import cache, lru_cache
from pathlib import Path

import jinja2

from clm.deck.source import mark_cell_lines
from clm.errors import CourseError
from clm.templates import PACKAGE_TEMPLATES

DECK_TEMPLATE_NAME = "<deck>"
_STATEMENT = re.compile(r"^[ \t]*# j2[ \t]+(.*?)[ \t]*$", re.M)


@cache
def environment(course_templates: str | None) -> jinja2.Environment:
    """One environment per course: its templates/ first, then clm's own."""
    search = [course_templates] if course_templates else []
    search.append(str(PACKAGE_TEMPLATES))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def to_template_source(text: str) -> str:
    """Turn ``# j2 …`` lines into Jinja statements, keeping every line where it was."""
    return _STATEMENT.sub(r"{% \1 %}", text)


def compile_deck(env: jinja2.Environment, text: str, deck: Path) -> jinja2.Template:
    try:
        return env.from_string(to_template_source(text))
    except jinja2.TemplateSyntaxError as exc:
        line = exc.lineno if exc.filename in (None, DECK_TEMPLATE_NAME, "<template>") else None
        where = "" if line else f" (in template {exc.name or exc.filename}, line {exc.lineno})"
        raise CourseError(f"Jinja syntax error: {exc.message}{where}", deck, line) from None
    except jinja2.TemplateNotFound as exc:
        raise CourseError(
            f"template '{exc.name}' not found in templates/ or clm's templates", deck
        ) from None


def render_deck(template: jinja2.Template, deck: Path, lang: str, fmt: str) -> str:
    try:
        return template.render(lang=lang, format=fmt)
    except jinja2.TemplateNotFound as exc:
        line = _deck_line(exc)
        raise CourseError(
            f"template '{exc.name}' not found in the course's templates/ or clm's templates",
            deck,
            line,
        ) from None
    except jinja2.UndefinedError as exc:
        raise CourseError(
            f"{exc.message} in the Jinja pre-pass (lang={lang!r}, format={fmt!r}); "
            "define it, import it with '# j2 from … import …', or fix the spelling",
            deck,
            _deck_line(exc),
        ) from None
    except jinja2.TemplateError as exc:
        raise CourseError(f"Jinja error: {exc}", deck, _deck_line(exc)) from None


def _deck_line(exc: BaseException) -> int | None:
    """The deck line of the innermost frame that ran template code of the deck itself."""
    line = getattr(exc, "lineno", None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == "<template>":
            line = frame.lineno
    return line


def render_variant(env: jinja2.Environment, text: str, deck: Path, lang: str, fmt: str) -> str:
    """The deck after the Jinja pre-pass for one language and format, cell lines marked.

    The one place a deck meets Jinja: building, executing, checking and the leak
    guard all read a variant's text from here. A process renders each variant
    once while neither the deck nor the course's templates change (a warm
    watch worker sees a saved template at once: the key holds their stamps).
    """
    return _rendered(env, text, str(deck), lang, fmt, _templates_stamp(env))


@lru_cache(maxsize=512)
def _rendered(
    env: jinja2.Environment, text: str, deck: str, lang: str, fmt: str, stamp: tuple
) -> str:
    template = compile_deck(env, mark_cell_lines(text), Path(deck))
    return render_deck(template, Path(deck), lang, fmt)


def _templates_stamp(env: jinja2.Environment) -> tuple:
    """Size and modification time of every file the course's templates folder holds."""
    folders = getattr(env.loader, "searchpath", [])[:-1]  # clm's own templates do not change
    stamp = []
    for folder in folders:
        for parent, _, files in os.walk(folder):
            for name in files:
                with contextlib.suppress(OSError):
                    info = os.stat(os.path.join(parent, name))
                    stamp.append((parent, name, info.st_size, info.st_mtime_ns))
    return tuple(sorted(stamp))
