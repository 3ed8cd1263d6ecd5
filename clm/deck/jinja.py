"""The Jinja pre-pass: statement lines (``# j2 …``, ``// j2 …``) and ``{{ … }}`` expressions,
rendered per variant."""

from __future__ import annotations

import contextlib
import os
import re
import traceback
from functools import cache, lru_cache
from pathlib import Path

import jinja2

from clm.deck.prepass import Prepass, search_path
from clm.deck.source import mark_cell_lines
from clm.errors import CourseError
from clm.languages import Language, of_deck
from clm.templates import is_packaged

DECK_TEMPLATE_NAME = "<deck>"


class _SharedCode(jinja2.BytecodeCache):
    """Compiled templates for every environment of the process.

    Each deck folder has an environment of its own (its folder is searched
    first), and all of them load the same templates of clm and of the course:
    compiled once, by file and content, instead of once per deck folder.
    """

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self._code.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


@cache
def _shared_code() -> _SharedCode:
    return _SharedCode()


@cache
def environment(
    course_templates: str | None,
    deck_folder: str | None = None,
    packaged: tuple[str, ...] = ("python",),
) -> jinja2.Environment:
    """One environment per templates folder, deck folder and clm's templates for the
    deck's language (see clm.deck.prepass)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(search_path(course_templates, deck_folder, packaged)),
        bytecode_cache=_shared_code(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


@cache
def _statement(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^[ \t]*{re.escape(prefix)}[ \t]+(.*?)[ \t]*$", re.M)


def to_template_source(text: str, prefix: str = "# j2") -> str:
    """Turn statement lines (``prefix …``) into Jinja statements, keeping every line
    where it was."""
    return _statement(prefix).sub(r"{% \1 %}", text)


def compile_deck(
    env: jinja2.Environment,
    text: str,
    deck: Path,
    variables: dict | None = None,
    language: Language | None = None,
) -> jinja2.Template:
    """The deck as a template; ``variables`` become its globals, which the macros it
    imports see too (Jinja hands an imported template the globals it lacks)."""
    prefix = (language or of_deck(deck)).jinja_prefix
    try:
        # A deck is rendered for every language and format: compiled once, each
        # variant's template is made from the same code with its own globals.
        code = _compiled(env, to_template_source(text, prefix))
        return env.template_class.from_code(env, code, env.make_globals(variables), None)
    except jinja2.TemplateSyntaxError as exc:
        line = exc.lineno if exc.filename in (None, DECK_TEMPLATE_NAME, "<template>") else None
        where = "" if line else f" (in template {exc.name or exc.filename}, line {exc.lineno})"
        raise CourseError(f"Jinja syntax error: {exc.message}{where}", deck, line) from None
    except jinja2.TemplateNotFound as exc:
        raise _not_found(env, exc, deck, None) from None


@lru_cache(maxsize=64)
def _compiled(env: jinja2.Environment, source: str):
    return env.compile(source)


def _not_found(
    env: jinja2.Environment, exc: jinja2.TemplateNotFound, deck: Path, line: int | None
) -> CourseError:
    searched = getattr(env.loader, "searchpath", [])
    names = ["clm's templates" if is_packaged(folder) else f"{folder}/" for folder in searched]
    return CourseError(
        f"template '{exc.name}' not found in {', '.join(names) or 'any folder'}; "
        "check the name, or put the file next to the deck",
        deck,
        line,
    )


def render_deck(template: jinja2.Template, deck: Path, lang: str, fmt: str) -> str:
    try:
        return template.render()
    except jinja2.TemplateNotFound as exc:
        raise _not_found(template.environment, exc, deck, _deck_line(exc)) from None
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


def render_variant(prepass: Prepass, text: str, deck: Path, lang: str, fmt: str) -> str:
    """The deck after the Jinja pre-pass for one language and format, cell lines marked.

    The one place a deck meets Jinja: building, executing, checking and the leak
    guard all read a variant's text from here. A process renders each variant
    once while neither the deck nor what it can include changes (a warm watch
    worker sees a saved template at once: the key holds their stamps).
    """
    language = prepass.language_of(deck)
    env = environment(prepass.templates, str(deck.parent), language.template_folders)
    stamp = _includes_stamp(prepass, deck)
    return _rendered(env, prepass, text, str(deck), lang, fmt, stamp)


@lru_cache(maxsize=512)
def _rendered(
    env: jinja2.Environment,
    prepass: Prepass,
    text: str,
    deck: str,
    lang: str,
    fmt: str,
    stamp: tuple,
) -> str:
    language = prepass.language_of(deck)
    template = compile_deck(
        env,
        mark_cell_lines(text, language),
        Path(deck),
        prepass.variables(lang, fmt, language.name),
        language,
    )
    return render_deck(template, Path(deck), lang, fmt)


def _includes_stamp(prepass: Prepass, deck: Path) -> tuple:
    """Size and modification time of every file the deck can include, clm's own aside.

    The course's templates folder counts whole; of the deck's folder only its
    own files (a new one may be what an include finds) and the included files
    the plan found: the folder may be a module holding other topics, or hold
    big data folders.
    """
    files = []
    if prepass.templates:
        for parent, _, names in os.walk(prepass.templates):
            files += [os.path.join(parent, name) for name in names]
    with contextlib.suppress(OSError):
        files += [entry.path for entry in os.scandir(deck.parent) if not entry.is_dir()]
    stamp = []
    for path in {*files, *prepass.includes}:
        with contextlib.suppress(OSError):
            info = os.stat(path)
            stamp.append((path, info.st_size, info.st_mtime_ns))
    return tuple(sorted(stamp))
