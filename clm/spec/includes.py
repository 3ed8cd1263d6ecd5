"""CLM's ``<include source="…" as="…" optional="…">``: a file or folder of the course
spliced into a topic, as the spec writes it.

Both spec formats check an include the same way, before anything touches the
disk: ``source`` is relative to the course root, ``as`` to the topic folder,
neither may be absolute or climb out with ``..``; ``as`` defaults to the
source's last name and holds no wildcard. Where the source is, and whether it
exists, is discovery's business (clm.course.includes).
"""

from __future__ import annotations

import posixpath
import re

from clm.spec.model import IncludeSpec

_WILDCARD = re.compile(r"[*?\[\]]")


class BadInclude(ValueError):
    """What is wrong with an include, said for the author; the reader adds file and line."""


def include_spec(source: str, into: str | None, optional: bool, line: int) -> IncludeSpec:
    """The include as clm uses it, its paths in POSIX form; BadInclude when it cannot be."""
    source_path = _relative(source, "source", "the course root")
    if into is None or not into.strip():
        into_path = posixpath.basename(source_path)
    else:
        into_path = _relative(into, "as", "the topic folder")
        if _WILDCARD.search(into_path):
            raise BadInclude(f'as="{into}" holds a wildcard; name the one path it goes to')
    return IncludeSpec(source_path, into_path, optional, line)


def _relative(written: str, what: str, base: str) -> str:
    """``written`` (with / or \\) as a plain relative POSIX path below ``base``."""
    text = written.strip().replace("\\", "/")
    if not text:
        raise BadInclude(f"{what} is empty; name a path relative to {base}")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise BadInclude(f'{what}="{written}" is absolute; write it relative to {base}')
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise BadInclude(f'{what}="{written}" climbs out with ".."; write it relative to {base}')
    if not parts:
        raise BadInclude(f'{what}="{written}" names {base} itself; name a file or folder in it')
    return "/".join(parts)


def merged(section: tuple[IncludeSpec, ...], topic: tuple[IncludeSpec, ...]) -> tuple:
    """A topic's includes: its section's, then its own; its own replaces a section's
    include with the same ``as``, as in CLM."""
    by_place = {include.into: include for include in section}
    by_place.update({include.into: include for include in topic})
    return tuple(by_place.values())


def duplicate(includes: list[IncludeSpec]) -> tuple[IncludeSpec, IncludeSpec] | None:
    """Two includes of one element with the same ``as``, if any (the second and the first)."""
    seen: dict[str, IncludeSpec] = {}
    for include in includes:
        if include.into in seen:
            return include, seen[include.into]
        seen[include.into] = include
    return None
