"""The XML vocabulary of CLM 1.35's course specs, and what clm makes of each word.

Every element and attribute CLM documents (``clm info spec-files``) is either
honoured (clm.spec.xml_reader reads it) or listed here with the reason clm
does nothing with it: a spec that uses one builds, with one warning naming
them all. Anything else is an error naming the closest known word, so a typo
never passes for an ignored setting.
"""

from __future__ import annotations

# Elements clm reads, by parent; a child listed in IGNORED_ELEMENTS is known too.
ELEMENTS: dict[str, tuple[str, ...]] = {
    "course": (
        "name",
        "prog-lang",
        "description",
        "certificate",
        "github",
        "sections",
        "dir-groups",
        "author",
        "organization",
        "kernel-python",
        "project-slug",
        "output-targets",
    ),
    "output-targets": ("output-target",),
    "output-target": ("path", "kinds", "formats", "languages"),
    "kinds": ("kind",),
    "formats": ("format",),
    "languages": ("language",),
    "sections": ("section",),
    "section": ("name", "topics", "include"),
    "topics": ("topic", "subsection"),
    "subsection": ("topic",),
    "topic": ("dir-group", "include"),
    "dir-groups": ("dir-group",),
    "dir-group": ("name", "path", "subdirs"),
    "subdirs": ("subdir",),
    # CLM's repository settings, and the old bilingual form clm keeps as metadata.
    "github": (
        "repository-base",
        "remote-path",
        "remote-template",
        "include-speaker",
        "project-slug",
        "de",
        "en",
    ),
}

# Attributes clm reads, by element (clm's own settings on <course> and <topic> among them).
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "course": (
        "cell-timeout",
        "code-along-code",
        "diagram-formats",
        "allow-errors",
        "skip-errors",
        "allow-outside",
        "templates",
        "kernel",
        "output-layout",
        "max-path-length",
        "long-paths",
        "mathjax",
    ),
    "output-target": ("name",),
    "section": ("enabled", "module"),
    "subsection": ("enabled",),
    "topic": (
        "id",
        "html",
        "evaluate",
        "skip-errors",
        "author",
        "prog-lang",
        "module",
        "cell-timeout",
        "allow-errors",
        "kernel",
    ),
    "dir-group": ("include-root-files", "recursive", "lang"),
    "include": ("source", "as", "optional"),
}

_REPOSITORIES = "clm does not create or push git repositories"
_SCHEDULE = "it only shapes CLM's schedule and outline exports"

# CLM elements clm does nothing with, by parent, with the reason.
IGNORED_ELEMENTS: dict[str, dict[str, str]] = {
    "course": {
        "release-channels": _REPOSITORIES,
        "jupyterlite": "clm builds no JupyterLite sites",
        "tasks": "clm has no `clm run` task runner; use the spec's commands in a script",
        "sidecar-layout": "clm does not record HTTP cassettes",
        "image-options": "clm copies images as they are",
        "branding": "clm's title macro shows author and organization only",
    },
    "output-target": {
        "remote-path": _REPOSITORIES,
        "jupyterlite": "clm builds no JupyterLite sites",
    },
    "subsection": {
        "name": _SCHEDULE,
        "activity": "activities are schedule rows without a deck",
    },
}

# CLM attributes clm does nothing with, by element, with the reason.
IGNORED_ATTRIBUTES: dict[str, dict[str, str]] = {
    "output-target": {"distribute": _REPOSITORIES},
    "section": {
        "id": "clm selects sections with --only",
        "optional": _SCHEDULE,
        "http-replay": "clm does not record or replay HTTP traffic",
    },
    "subsection": {"weekday": _SCHEDULE, "optional": _SCHEDULE},
    "topic": {
        "http-replay": "clm does not record or replay HTTP traffic",
        "export": _SCHEDULE,
    },
}


def known_children(parent: str) -> tuple[str, ...]:
    return (*ELEMENTS.get(parent, ()), *IGNORED_ELEMENTS.get(parent, {}))


def known_attributes(element: str) -> tuple[str, ...]:
    return (*ATTRIBUTES.get(element, ()), *IGNORED_ATTRIBUTES.get(element, {}))
