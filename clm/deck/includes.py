"""Which files a deck's pre-pass reads besides the deck: its includes, imports and extends.

CLM courses include the workshop files next to a deck (``# j2 include
"ws_100_iteration.py"``); an edit to such a file must rebuild exactly the decks
that include it, so each included file becomes a dependency of its deck. The
names come from the deck's Jinja syntax tree, without rendering it; a file
found is read for its own includes in turn. Only files outside clm's own
templates count (those are part of clm's engine key).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from clm.deck.prepass import Prepass
from clm.paths import lexically_within
from clm.templates import is_packaged

DYNAMIC = "\0"  # in a list of referenced names: a name computed when the deck renders


@dataclass(frozen=True)
class References:
    """The template names a file refers to, in order, with the line of each."""

    names: tuple[tuple[str, int], ...] = ()
    computed: tuple[int, ...] = ()  # lines whose name only rendering can tell

    def to_text(self) -> str:
        lines = [f"{line} {name}" for name, line in self.names]
        lines += [f"{line} {DYNAMIC}" for line in self.computed]
        return "\n".join(lines)

    @classmethod
    def from_text(cls, text: str) -> References:
        names, computed = [], []
        for row in filter(None, text.split("\n")):
            line, name = row.split(" ", 1)
            if name == DYNAMIC:
                computed.append(int(line))
            else:
                names.append((name, int(line)))
        return cls(tuple(names), tuple(computed))


def references(text: str, prefix: str = "# j2") -> References:
    """The names ``text`` (a deck or template, ``prefix`` lines allowed) refers to.

    A file that is not valid Jinja refers to nothing here: the deck checks
    report the syntax error, with its line.
    """
    import jinja2
    from jinja2 import nodes

    from clm.deck.jinja import environment, to_template_source

    try:
        tree = environment(None).parse(to_template_source(text, prefix))
    except jinja2.TemplateSyntaxError:
        return References()
    names, computed = [], []
    for node in tree.find_all((nodes.Extends, nodes.FromImport, nodes.Import, nodes.Include)):
        template = node.template
        choices = template.items if isinstance(template, nodes.Tuple | nodes.List) else [template]
        for choice in choices:
            if isinstance(choice, nodes.Const) and isinstance(choice.value, str):
                names.append((choice.value, node.lineno))
            else:
                computed.append(node.lineno)
    return References(tuple(names), tuple(computed))


@dataclass
class DeckIncludes:
    """What the pre-pass of one deck reads besides the deck and the templates folders."""

    files: list[str] = field(default_factory=list)  # course-relative, in the order found
    warnings: list[str] = field(default_factory=list)


def deck_includes(
    deck: str,
    prepass: Prepass,
    references_of: Callable[[str], References],
    is_file: Callable[[str], bool] = os.path.isfile,
) -> DeckIncludes:
    """The files the deck includes (and what they include), found like Jinja finds them.

    ``references_of(path)`` gives a file's references (the build keeps them by
    content hash); ``is_file`` may remember its answers for a planning (every
    deck looks for macros.j2). A name Jinja would find in clm's own templates,
    or one it finds nowhere (the deck checks report that), adds nothing.
    """
    found = DeckIncludes()
    search = prepass.search_path(Path(deck))
    pending, seen = [deck], {deck}
    while pending:
        path = pending.pop(0)
        refs = references_of(path)
        for line in refs.computed:
            found.warnings.append(
                f"{path}:{line}: warning: this template name is computed when the deck is "
                "rendered, so clm cannot tell which file it reads and an edit to that file "
                "will not rebuild the deck; write the name as a string"
            )
        for name, _ in refs.names:
            source = _resolve(name, search, is_file)
            if source is None or source in seen:
                continue
            seen.add(source)
            pending.append(source)
            if prepass.templates is None or not lexically_within(source, prepass.templates):
                found.files.append(source)
    return found


def _resolve(name: str, search: list[str], is_file: Callable[[str], bool]) -> str | None:
    """The file Jinja's FileSystemLoader loads for ``name``; None for clm's own or none."""
    pieces = [piece for piece in name.split("/") if piece and piece != "."]
    if any(piece == ".." or os.sep in piece for piece in pieces) or not pieces:
        return None  # Jinja refuses such a name
    for folder in search:
        candidate = posixpath.join(folder, *pieces)
        if is_file(candidate):
            return None if is_packaged(folder) else posixpath.normpath(candidate)
    return None
