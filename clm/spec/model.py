"""What a course spec says, independent of the file format it came in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from clm.spec.long_paths import MAX_PATH_LENGTH


@dataclass(frozen=True)
class Text:
    """A text given per language, or one text for every language."""

    by_lang: tuple[tuple[str, str], ...] = ()
    default: str | None = None

    @classmethod
    def plain(cls, text: str) -> Text:
        return cls(default=text)

    @classmethod
    def of(cls, mapping: dict[str, str]) -> Text:
        return cls(by_lang=tuple(sorted(mapping.items())))

    def get(self, lang: str) -> str:
        for key, value in self.by_lang:
            if key == lang:
                return value
        if self.default is not None:
            return self.default
        # A text given for other languages only: fall back to English, then any.
        values = dict(self.by_lang)
        return values.get("en") or next(iter(values.values()), "")


@dataclass(frozen=True)
class IncludeSpec:
    """CLM's ``<include>``: a file or folder of the course spliced into a topic's folder."""

    source: str  # POSIX path relative to the course root
    into: str  # POSIX path relative to the topic folder (CLM's ``as``)
    optional: bool = False  # a missing source is skipped instead of failing the topic
    line: int | None = None  # where the spec has it


@dataclass(frozen=True)
class TopicRef:
    """One entry of a section's topic list."""

    id: str
    line: int
    html: bool = True
    allow_errors: bool | None = None  # a cell that raises shows its traceback
    # A cell that raises loses its outputs, and a warning names it (CLM's
    # skip-errors); it wins over allow_errors when both are set.
    skip_errors: bool | None = None
    cell_timeout: float | None = None
    evaluate: bool = True  # False: built from the deck, never executed
    author: str | None = None  # overrides the course's author in the title macro
    prog_lang: str | None = None  # overrides the course's programming language
    kernel: str | None = None  # overrides the kernelspec its decks run in
    module: str | None = None  # the module folder under slides/ the id is looked up in
    includes: tuple[IncludeSpec, ...] = ()  # its own, before its section's are merged in


@dataclass(frozen=True)
class SectionSpec:
    name: Text
    topics: tuple[TopicRef, ...]
    line: int
    includes: tuple[IncludeSpec, ...] = ()  # spliced into each of its topics


@dataclass(frozen=True)
class DirGroupSpec:
    """A folder of the course copied as a whole into each language's course folder."""

    name: Text
    path: str
    subdirs: tuple[str, ...] | None
    line: int
    subdir_lines: tuple[int, ...] = field(default=(), compare=False)  # one per subdir
    # CLM's dir-group attributes: the files directly in ``path`` besides the
    # subdirs, whether folders below are copied, and the one language it is for.
    include_root_files: bool = False
    recursive: bool = True
    lang: str | None = None


@dataclass(frozen=True)
class OutputTargetSpec:
    """One of CLM 1.35's ``<output-targets>``: a folder and the outputs it holds.

    Empty filters hold everything: every kind, every format, every language of
    the course.
    """

    name: str
    path: str  # relative to the course root
    kinds: tuple[str, ...] = ()  # Kind values, aliases resolved
    formats: tuple[str, ...] = ()  # Format values
    languages: tuple[str, ...] = ()
    line: int | None = None


# The output trees a spec may ask for: CLM 1.35's tiers (or its targets), or the
# public/speaker tree clm and CLM wrote until 2025.
LAYOUTS = ("tiers", "classic")

# Where HTML pages load MathJax from: a copy in the output tree (no request to
# anyone), a public CDN, or else the http(s) URL of a MathJax 3 script.
MATHJAX_LOCAL = "local"
MATHJAX_CDN = "cdn"


def mathjax_problem(value: str) -> str | None:
    """What is wrong with a spec's MathJax setting, or None."""
    if value in (MATHJAX_LOCAL, MATHJAX_CDN):
        return None
    scheme, _, rest = value.partition("://")
    if scheme in ("https", "http") and rest and not any(c.isspace() for c in value):
        return None
    return (
        f"unknown mathjax setting '{value}' (expected {MATHJAX_LOCAL}: a copy beside the "
        f"pages, {MATHJAX_CDN}: a public CDN, or the https:// URL of a MathJax 3 script)"
    )


@dataclass(frozen=True)
class CourseSpec:
    """A parsed course spec. Paths are relative to ``root``, the course root."""

    file: Path
    root: Path
    name: Text
    sections: tuple[SectionSpec, ...]
    prog_lang: str = "python"
    prog_lang_line: int | None = None
    # The kernelspec decks run in, instead of their language's (e.g. xcpp17).
    kernel: str | None = None
    languages: tuple[str, ...] = ("de", "en")
    output: str = "output"
    output_line: int | None = None
    cell_timeout: float = 600.0
    code_along_code: bool = False
    diagram_formats: tuple[str, ...] = ("png",)
    allow_errors: bool = False
    skip_errors: bool = False  # the topics' default, as allow_errors
    dir_groups: tuple[DirGroupSpec, ...] = ()
    # Folders outside the course root that symlinks in the course may lead into.
    allow_outside: tuple[str, ...] = ()
    allow_outside_line: int | None = None
    name_line: int | None = None
    # The course's own Jinja templates folder, searched before clm's. YAML specs
    # use templates/ when it exists; CLM's XML specs only the folder they name.
    templates: str | None = "templates"
    templates_line: int | None = None
    author: str = ""  # the title macro's author line ("" shows none)
    organization: Text = field(default_factory=lambda: Text.plain(""))
    # The interpreter (or virtual environment) whose ipykernel runs the decks, as
    # written in the spec; None runs them in clm's own environment.
    kernel_python: str | None = None
    kernel_python_line: int | None = None
    # The output tree: CLM 1.35's tiers, replaced by ``output_targets`` when the spec
    # has some, or the classic public/speaker tree (``output-layout: classic``).
    output_layout: str = "tiers"
    output_layout_line: int | None = None
    output_targets: tuple[OutputTargetSpec, ...] = ()
    # Names the course folders ``{project-slug}-{lang}`` (else the course name).
    project_slug: str | None = None
    project_slug_line: int | None = None
    # Output paths longer than this, in characters from the course root, are told once
    # per spec: a warning, an error or nothing, as ``long_paths`` says (clm.spec.long_paths).
    max_path_length: int = MAX_PATH_LENGTH
    max_path_length_line: int | None = None
    long_paths: str = "warn"
    long_paths_line: int | None = None
    mathjax: str = MATHJAX_LOCAL  # see mathjax_problem
    # The shared cache's settings the spec gives: (remote|trust|push|key, value, line).
    cache_settings: tuple[tuple[str, str | tuple[str, ...], int | None], ...] = ()
    metadata: dict[str, Text] = field(default_factory=dict, compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        """The spec's identity in the build state: its path from the course root."""
        return self.file.resolve().relative_to(self.root.resolve()).as_posix()
