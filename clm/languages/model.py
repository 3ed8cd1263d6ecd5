"""The record of one language: how its decks mark cells and Jinja lines, how jupytext
reads and writes them, which kernel runs them and how that kernel reports errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class CellSyntax:
    """How a deck's text marks its cells.

    ``percent``: every cell starts with a comment line ``<comment> %%`` (jupytext's
    percent format). ``markdown``: the deck is Markdown; code cells are fenced
    blocks of the language, and markdown cells with metadata are
    ``<!-- #region … -->`` blocks (jupytext's md format, as CLM reads Rust decks).
    """

    style: str  # "percent" or "markdown"
    comment: str = "#"  # the line comment of the language (percent style)
    fence: str = ""  # the info string of a code fence (markdown style)

    @cached_property
    def _header(self) -> re.Pattern[str]:
        comment = re.escape(self.comment)
        if self.style == "percent":
            # Where jupytext starts a cell, and only there: the marker may be indented
            # and spaced (`  //  %%`), may have more than two % when followed by a
            # blank (a cell depth), and `<codecell>` or `In[ ]:` alone start one too.
            return re.compile(
                rf"^\s*{comment}\s*(?:%%%*(?P<rest>\s.*)"
                rf"|(?P<bare>%%|<codecell>|In\[[0-9 ]*\]:?)\s*)$"
            )
        return re.compile(
            rf"^(?:```{re.escape(self.fence)}(?=\s|$)(?P<code>.*?)"
            rf"|<!--\s*#(?P<kind>region|md|markdown|raw)(?P<meta>(?:\s.*?)?)\s*-->)\s*$"
        )

    def header(self, line: str) -> tuple[str | None, str] | None:
        """For a line that starts a cell: (its cell type if the marker says it, the rest).

        The rest is what the percent parser reads (``[markdown] lang="de" …``);
        None for a line that starts no cell.
        """
        match = self._header.match(line)
        if match is None:
            return None
        if self.style == "percent":
            return None, match.group("rest") or ""
        if match.group("kind") is None:
            return "code", match.group("code")
        kind = "raw" if match.group("kind") == "raw" else "markdown"
        return kind, match.group("meta").rstrip()

    def mark(self, line: str, key: str, value: int) -> str:
        """The header ``line`` with ``key=value`` added to its metadata."""
        line = line.rstrip()
        if self.style == "markdown" and line.endswith("-->"):
            return f"{line[:-3].rstrip()} {key}={value} -->"
        match = self._header.match(line)
        if self.style == "percent" and match is not None and match.group("bare"):
            # `<codecell>` and `In[ ]:` take no metadata: the same cell start as `%%` does.
            line = f"{line[: match.start('bare')]}%%"
        return f"{line} {key}={value}"


@dataclass(frozen=True)
class KernelErrors:
    """How a language's kernel reports an error: where in the cell, and what.

    ``line``: a pattern whose group is the line number in the cell, found in
    the error's traceback (the last match counts). ``snippet``: a pattern whose
    group is the source the kernel rejected, for kernels that quote the code
    instead of naming its line (JShell); the line is looked up in the cell, and
    the traceback's other lines are the compiler's message. ``headline``: the
    traceback's first line names the error better than ``ename: evalue``.
    """

    line: str | None = None
    snippet: str | None = None
    # The traceback's first line says it best (JJava's evalue reads
    # "java.lang.RuntimeException, boom"; its traceback "java.lang.RuntimeException: boom").
    headline: bool = False

    def cell_line(self, traceback: list[str], evalue: str, source: str) -> int | None:
        plain = _ANSI.sub("", "\n".join(traceback))
        if self.line and (lines := re.findall(self.line, plain)):
            return int(lines[-1])
        if self.snippet and (quoted := re.search(self.snippet, evalue, re.S)):
            first = next((row.strip() for row in quoted.group(1).splitlines() if row.strip()), "")
            for number, row in enumerate(source.splitlines(), start=1):
                if first and first in row:
                    return number
        return None

    def message(self, ename: str, evalue: str, traceback: list[str]) -> str:
        """``ename: evalue``, or the compiler's own words for a rejected snippet."""
        if self.snippet and re.search(self.snippet, evalue, re.S):
            said = [
                row.strip()
                for row in _ANSI.sub("", "\n".join(traceback)).splitlines()
                if row.strip() and not row.lstrip().startswith("|")
            ]
            if said:
                return f"{ename}: {'; '.join(said)}"
        if self.headline:
            lines = _ANSI.sub("", "\n".join(traceback)).splitlines()
            if first := next((row.strip() for row in lines if row.strip()), None):
                return first
        return f"{ename}: {evalue}"


@dataclass(frozen=True)
class Language:
    """One programming language of decks, with CLM's names for it."""

    name: str  # the spec's prog-lang: "java"
    title: str  # for people: "Java"
    suffix: str  # of its decks and of its plain code: ".java"
    cells: CellSyntax
    jinja_prefix: str  # a deck line starting with it is a Jinja statement: "// j2"
    jupytext_format: str  # how jupytext reads its decks
    code_format: str  # how jupytext writes its plain code output
    kernel: str  # the kernelspec its decks run in
    kernel_display: str  # the kernelspec's display name, for the notebook metadata
    language_info: dict = field(hash=False, compare=False)
    code_folder: str = ""  # the folder of the plain code outputs: "Java"
    templates: str = "python"  # the folder of clm's templates (clm/templates/) it uses
    # Folders of clm's templates searched after ``templates``: a Markdown deck's
    # macros are the same for every language, its logo is its language's.
    more_templates: tuple[str, ...] = ()
    install: str = ""  # how to get its kernel, for messages
    errors: KernelErrors = KernelErrors()
    # Sibling files its code reads by naming their stem (a Python import): inputs.
    module_suffix: str | None = None
    imports: str | None = None  # a pattern whose groups name the imported modules

    @property
    def template_folders(self) -> tuple[str, ...]:
        """Its folders of clm's templates, in search order."""
        return (self.templates, *self.more_templates)

    @property
    def comment(self) -> str:
        return self.cells.comment

    def kernelspec(self, kernel: str | None = None) -> dict[str, str]:
        """The notebook's kernelspec metadata for ``kernel`` (None: the language's own)."""
        name = kernel or self.kernel
        display = self.kernel_display if name == self.kernel else name
        return {"name": name, "display_name": display, "language": self.language_info["name"]}
