"""CLM 1.35's output targets as a spec gives them: names, paths and filters, checked.

Both readers hand each ``<output-target>`` (YAML: each entry of
``output-targets:``) to ``output_target``; its words are checked here, its path
by clm.spec.checks with the other output folders.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from clm.errors import CourseError
from clm.spec.model import OutputTargetSpec

# The kinds a target may list (clm.plan.variants.Kind holds their rules).
KINDS = ("code-along", "completed", "trainer", "recording", "partial")
FORMATS = ("html", "notebook", "code")
# CLM 1.35's old name of the recording kind, read with a warning as CLM does.
KIND_ALIASES = {"speaker": "recording"}
# Words CLM 1.35 knows that clm builds nothing for: a warning, not an error.
IGNORED_KINDS = {
    "recording-code-along": "clm does not build CLM's typing-replay notebooks; "
    "record from the code-along notebook with the recording one beside it",
}
IGNORED_FORMATS = {"jupyterlite": "clm builds no JupyterLite sites"}


def output_target(
    name: str,
    path: str,
    kinds: list[str],
    formats: list[str],
    languages: list[str],
    course_languages: tuple[str, ...],
    line: int | None,
    error: Callable[[str], CourseError],
    warn: Callable[[str], None],
) -> OutputTargetSpec:
    """One target, its words checked; ``error`` makes the CourseError for its line."""
    if not name.strip():
        raise error('an output target needs a name, e.g. name="students"')
    if not path.strip():
        raise error(
            f"the output target '{name}' has an empty path; give a folder relative to the "
            "course root, such as output/students"
        )
    found_kinds = _words(
        "kind", name, kinds, KINDS, IGNORED_KINDS, warn, error, aliases=KIND_ALIASES
    )
    found_formats = _words("format", name, formats, FORMATS, IGNORED_FORMATS, warn, error)
    for lang in languages:
        if lang not in course_languages:
            raise error(_unknown("language", lang, name, course_languages))
    if (kinds and not found_kinds) or (formats and not found_formats):
        raise error(
            f"the output target '{name}' lists no kind or format clm builds, so it would "
            "stay empty; list one or remove the target"
        )
    return OutputTargetSpec(
        name=name.strip(),
        path=path.strip(),
        kinds=tuple(found_kinds),
        formats=tuple(found_formats),
        languages=tuple(dict.fromkeys(lang.strip() for lang in languages)),
        line=line,
    )


def _words(
    what: str,
    target: str,
    words: list[str],
    known: tuple[str, ...],
    ignored: dict[str, str],
    warn: Callable[[str], None],
    error: Callable[[str], CourseError],
    aliases: dict[str, str] | None = None,
) -> list[str]:
    """A target's kinds or formats, each once: aliases resolved and ignored words left
    out (both with a warning), an unknown word an error."""
    found: list[str] = []
    for written in words:
        word = written.strip()
        if aliases and word in aliases:
            warn(
                f"the {what} '{word}' of the output target '{target}' is deprecated: it is "
                f"read as '{aliases[word]}' (notes and voiceover); write 'trainer' (notes "
                f"only) or '{aliases[word]}'"
            )
            word = aliases[word]
        if word in ignored:
            warn(f"the {what} '{word}' of the output target '{target}' is ignored: {ignored[word]}")
            continue
        if word not in known:
            raise error(_unknown(what, word, target, known))
        if word not in found:
            found.append(word)
    return found


def check_unique_names(targets: tuple[OutputTargetSpec, ...], error: Callable) -> None:
    seen: dict[str, int | None] = {}
    for target in targets:
        if target.name in seen:
            raise error(
                f"two output targets are named '{target.name}' (the first on line "
                f"{seen[target.name]}); give each a name of its own",
                target.line,
            )
        seen[target.name] = target.line


def _unknown(what: str, word: str, target: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return (
        f"unknown {what} '{word}' in the output target '{target}' "
        f"(expected one of: {', '.join(known)}){hint}"
    )
