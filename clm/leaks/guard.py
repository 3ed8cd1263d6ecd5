"""The leak guard: after every build, no student output may show protected text.

Student outputs are the code-along, completed and partial files of every
target, and what is copied into a target that holds student kinds only (the
shared tier, the classic public tree).

It is the doit task ``check-public-outputs``, in three parts (see
``guard_tasks``). Each depends on every deck of the course, the templates and
the public files it reads (for copies: their sources, and it runs after their
tasks), so doit runs it after everything that writes there and skips it on a
no-op. When it runs it reads the files actually on disk, however they were
made (a kind rule, a copied dir-group or topic file, a template), and looks for
snippets of protected cells (``clm.leaks.snippets``), read the way a reader
of the file sees them (``clm.leaks.words``). A placed diagram render is read
with its source (its pixels show the source's words), and after the cells ran,
the files in a student folder that no task wrote are read too.

It is incremental twice over. Each deck's snippets are kept in the state,
keyed by the deck's content, the templates and clm's rules, so only edited
decks are read again. Each file found clean is recorded with its size and
mtime together with a digest of the forbidden text: a file is read again only
when it was rewritten, and every file is read again when the forbidden text
changed (a new private sentence may be in a file written long ago).

A file that leaks is removed, and the task fails naming the file and the cell,
so the build exits 1. The file's own task then finds its target missing and
writes it again on the next build, where the guard removes it again: the build
keeps failing until the source is fixed.
"""

from __future__ import annotations

import hashlib
import os
import stat as file_mode
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from doit.exceptions import TaskFailed

from clm import GUARD_VERSION
from clm.deck.prepass import Prepass
from clm.encoding import decode_utf8
from clm.errors import CourseError
from clm.leaks.words import SNIPPET_WORDS, file_keys
from clm.plan.variants import STUDENT_KINDS, Kind
from clm.session.spec import SessionSpec
from clm.state import leak_records
from clm.state.checker import virtual_dependency
from clm.state.db import Connection
from clm.templates import PACKAGE_TEMPLATES, packaged_files
from clm.workers.lifetime import working_on

if TYPE_CHECKING:
    from clm.leaks.snippets import DeckSnippets, ForbiddenText, Origin
    from clm.plan.outputs import Copy, CopyJob, OutputPlan

GUARD_TASK = "check-public-outputs"
_NAMED_CELLS = 3  # per leaking file; the rest are counted
RULES_DEPENDENCY = virtual_dependency("leak-guard")  # what every check depends on


def rules_value() -> str:
    """The value of RULES_DEPENDENCY: stronger rules read again what older ones passed,
    and clm's version alone may not move."""
    return f"{GUARD_VERSION}|{SNIPPET_WORDS}"


def guard_tasks(
    session: SessionSpec,
    plan: OutputPlan,
    copy_tasks: list[tuple[str, CopyJob]],
    languages: tuple[str, ...],
    prepasses: dict[str, Prepass],
    template_deps: tuple[str, ...],
    engine_dep: str,
    environment_deps: dict[str, str] | None = None,
    bad_decks: frozenset[str] = frozenset(),
) -> Iterator[dict]:
    """The doit task dicts of the guard, for the outputs of ``plan``.

    ``bad_decks`` fail their checks: their tasks do not run, and their outputs
    (last good versions, checked when they were written) are left out, so that
    one bad deck holds back no check and is not read.

    ``copy_tasks`` names the task of each copy job. No file the guard reads is
    one of its file dependencies: the guard depends on what those files are
    made from (decks, templates, clm itself, the environment of their kernel
    (``environment_deps``, by kernelspec) and the execution inputs of executed
    pages, the sources of copies) and runs after the tasks that write them. A no-op then stats no output once more, and doit
    adds no implicit dependency per output (it checks each against a list of
    those already added: quadratic in the number of outputs).

    Executed HTML pages and placed diagrams get a check of their own: a failing
    cell or a missing converter holds back the check of what it feeds (doit runs
    no task after a failed one), and must not hold back the check of every
    notebook, script and copied file of the course.
    """
    student_roots = {target.path for target in plan.targets if target.for_students}
    every_deck = {
        deck.path: deck
        for section in plan.course.sections
        for deck in section.decks
        if deck.path not in bad_decks
    }
    decks = tuple(every_deck)
    companions = tuple(every_deck[deck].companion or "" for deck in decks)
    course = prepasses[decks[0]] if decks else Prepass()
    included = tuple(dict.fromkeys(path for deck in decks for path in prepasses[deck].includes))
    checks: dict[str, _Check] = {name: _Check() for name in ("files", "executed-html", "diagrams")}
    code_along = []
    kept: list[str] = []  # the student files of bad decks: planned, not read
    for deck in plan.decks:
        if deck.deck.path in bad_decks:
            kept += [
                path
                for output in deck.outputs
                if output.variant.kind in STUDENT_KINDS
                for path in output.paths
            ]
            continue
        inputs = [f.source for f in deck.deck.topic.execution_inputs]
        for output in deck.outputs:
            if output.variant.kind not in STUDENT_KINDS:
                continue
            executed = deck.execution is not None and output.variant.executed
            check = checks["executed-html" if executed else "files"]
            check.add_output(output.paths, f"{deck.deck.path}:{output.path}")
            if executed and deck.execution is not None:
                kernel_dep = (environment_deps or {}).get(deck.execution.kernel)
                check.file_dep.update(dict.fromkeys([*filter(None, [kernel_dep]), *inputs]))
            if output.variant.kind is Kind.CODE_ALONG:
                code_along.extend(output.paths)
    placements = {id(job) for job in plan.placements}
    copied_from = []
    drawn_from = []
    for task, job in copy_tasks:
        public = [copy for copy in job.copies if copy.root in student_roots]
        if public:
            checks["diagrams" if id(job) in placements else "files"].add_copies(task, public)
            copied_from += [(copy.target, copy.source) for copy in public]
            if id(job) in placements:
                # The words a render shows are its source's: the pixels cannot be read.
                drawn_from += [(copy.target, job.source) for copy in public]
                checks["diagrams"].file_dep[job.source] = None
    # A cell that runs may write anywhere: what lies in a student folder and no task
    # wrote is read by the check that runs after the cells.
    if checks["executed-html"].files:
        checks["executed-html"].roots = tuple(sorted(student_roots))
        checks["executed-html"].other_roots = tuple(
            sorted({target.path for target in plan.targets} - student_roots)
        )
        checks["executed-html"].planned = (
            *(f for c in checks.values() for f in c.files),
            *kept,
            *plan.mathjax,  # clm's own script: written by a task, holds no course text
        )
    yield {
        "basename": GUARD_TASK,
        "name": None,
        "doc": "check that no private, notes, voiceover or del text (nor alt, completed or "
        "answer text in code-along) reached a student output",
    }
    for name, check in checks.items():
        if not check.files:
            continue
        job = GuardJob(
            session=session,
            guard=name,
            decks=decks,
            languages=languages,
            templates=course.templates,
            organization=course.organization,
            authors=tuple(prepasses[deck].author for deck in decks),
            includes=tuple(prepasses[deck].includes for deck in decks),
            companions=companions,
            template_deps=template_deps,
            public=tuple(check.files),
            code_along=tuple(code_along),
            copied_from=tuple(copied_from),
            drawn_from=tuple(drawn_from) if name == "diagrams" else (),
            roots=check.roots,
            planned=check.planned,
            other_roots=check.other_roots,
        )
        yield {
            "basename": GUARD_TASK,
            "name": name,
            "actions": [(check_public_outputs, (job,))],
            "file_dep": [
                *decks,
                *included,
                *filter(None, companions),
                *template_deps,
                engine_dep,
                RULES_DEPENDENCY,
                *filter(None, check.file_dep),
            ],
            "task_dep": check.task_dep,
        }


class _Check:
    """What one check of the guard reads, and what it waits for."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.file_dep: dict[str, None] = {}
        self.task_dep: list[str] = []
        self.roots: tuple[str, ...] = ()  # student folders to look through for unplanned files
        self.planned: tuple[str, ...] = ()  # every student file the build writes
        self.other_roots: tuple[str, ...] = ()  # trainer folders, maybe inside a student one

    def add_output(self, paths: tuple[str, ...], task: str) -> None:
        self.files.extend(paths)
        self.task_dep.append(task)

    def add_copies(self, task: str, copies: list[Copy]) -> None:
        self.files += [copy.target for copy in copies]
        self.file_dep.update((copy.source, None) for copy in copies)
        self.task_dep.append(task)


@dataclass(frozen=True)
class GuardJob:
    """One check of the guard: the public files it reads and what they must not contain."""

    JOB: ClassVar[str] = "leak-check"
    session: SessionSpec
    guard: str  # files, executed-html or diagrams
    decks: tuple[str, ...]
    languages: tuple[str, ...]
    templates: str | None
    organization: tuple[tuple[str, str], ...]
    authors: tuple[str, ...]  # one per deck: the title's author
    includes: tuple[tuple[str, ...], ...]  # one per deck: the files its pre-pass includes
    template_deps: tuple[str, ...]
    public: tuple[str, ...]
    code_along: tuple[str, ...]
    copied_from: tuple[tuple[str, str], ...]
    companions: tuple[str, ...] = ()  # one per deck: its voiceover companion, or ""
    drawn_from: tuple[tuple[str, str], ...] = ()  # a placed render and its diagram source
    roots: tuple[str, ...] = ()  # student folders, searched for files no task wrote
    planned: tuple[str, ...] = ()  # what the build writes in ``roots`` (the rest is not its)
    other_roots: tuple[str, ...] = ()  # the folders of the other targets: not searched

    def prepasses(self) -> dict[str, Prepass]:
        return {
            deck: Prepass(self.templates, author, self.organization, includes)
            for deck, author, includes in zip(self.decks, self.authors, self.includes, strict=True)
        }


def check_public_outputs(job: GuardJob) -> TaskFailed | None:
    """Read the public files written since the last check; remove and report any leak.

    A file in a student folder that no task wrote (a cell wrote it while it ran,
    or someone put it there) is read too; a leak in it fails the build, but the
    file is left for its owner to remove.
    """
    guard = job.guard
    working_on(f"{GUARD_TASK}:{guard}", job.session.state_file)
    conn = job.session.workspace().state()
    companions = dict(zip(job.decks, job.companions, strict=True)) if job.companions else {}
    forbidden = _forbidden(conn, job.prepasses(), job.languages, job.template_deps, companions)
    digest = _digest(forbidden)
    reader = _Reader(forbidden, frozenset(job.code_along), dict(job.drawn_from))
    leaks = reader.check(conn, guard, digest, job.public, remove=True)
    if job.roots:
        unplanned = _unplanned(job.roots, frozenset(job.planned), job.other_roots)
        leaks += reader.check(conn, f"{guard}:unplanned", digest, unplanned, remove=False)
    if leaks:
        return TaskFailed(leak_message(leaks, dict(job.copied_from), dict(job.drawn_from)))
    return None


@dataclass(frozen=True)
class Leak:
    """A public file that shows protected text, and whether the guard removed it."""

    path: str
    origins: list[Origin]
    removed: bool = True


class _Reader:
    """Reads public files against the forbidden text; a diagram's source once per check."""

    def __init__(
        self, forbidden: ForbiddenText, code_along: frozenset[str], drawn_from: dict[str, str]
    ) -> None:
        self.forbidden = forbidden
        self.code_along = code_along
        self.drawn_from = drawn_from
        self._sources: dict[str, set[int]] = {}

    def keys(self, path: str) -> set[int]:
        keys = file_keys(path, Path(path).read_bytes())
        source = self.drawn_from.get(path)
        if source is not None:
            if source not in self._sources:
                try:
                    self._sources[source] = file_keys(source, Path(source).read_bytes())
                except OSError:
                    self._sources[source] = set()
            keys |= self._sources[source]
        return keys

    def check(
        self,
        conn: Connection,
        guard: str,
        digest: str,
        paths: Iterable[str],
        remove: bool,
    ) -> list[Leak]:
        """The leaks among ``paths`` not found clean since they were last written."""
        kept = leak_records.checked_files(conn, guard, digest)
        checked = kept or {}
        leaks: list[Leak] = []
        clean: list[tuple[str, int, int]] = []
        for path in paths:
            try:
                stat = os.stat(path)
                if not file_mode.S_ISREG(stat.st_mode):
                    continue  # a FIFO or a device is never published, and would block a read
                if checked.get(path) == (stat.st_size, stat.st_mtime_ns):
                    continue
                origins = self.forbidden.leaks(self.keys(path), path in self.code_along)
            except (FileNotFoundError, IsADirectoryError):
                continue
            if origins:
                if remove:
                    Path(path).unlink()
                leaks.append(Leak(path, origins, remove))
            else:
                clean.append((path, stat.st_size, stat.st_mtime_ns))
        leaked = [leak.path for leak in leaks]
        leak_records.record_check(conn, guard, digest, kept is None, clean, leaked)
        return leaks


def _unplanned(
    roots: tuple[str, ...], planned: frozenset[str], other_roots: tuple[str, ...]
) -> list[str]:
    """The files below ``roots`` that the build does not write. The folder of another
    target is not searched, wherever it lies (a trainer target inside a student one)."""
    skipped = {*roots, *other_roots}
    found = []
    for root in roots:
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [name for name in subfolders if f"{folder}/{name}" not in skipped]
            found += [
                path
                for name in names
                if (path := f"{folder}/{name}") not in planned and _is_file(path)
            ]
    return found


def _is_file(path: str) -> bool:
    """A regular file, or a link to one: a FIFO a cell left would block the read."""
    try:
        return file_mode.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def leak_message(
    leaks: list[Leak], copied_from: dict[str, str], drawn_from: dict[str, str] | None = None
) -> str:
    drawn_from = drawn_from or {}
    count = len(leaks)
    removed = [leak for leak in leaks if leak.removed]
    lines = [
        f"{count} student output{'s' if count != 1 else ''} contained text that must not be "
        f"public{'; ' + _removed(len(removed)) if removed else ''}. Fix the cell's tags, "
        "the template, the diagram or the copied file, and build again:"
    ]
    for leak in leaks:
        named = "; ".join(
            f"text of {'an' if o.tag[0] in 'aeiou' else 'a'} {o.tag} cell ({o.deck}:{o.line}): "
            f'"{o.words} …"'
            for o in leak.origins[:_NAMED_CELLS]
        )
        more = len(leak.origins) - _NAMED_CELLS
        if more > 0:
            named += f"; and of {more} more protected cell{'s' if more != 1 else ''}"
        path = leak.path
        if path in drawn_from:
            source = f" (rendered from {drawn_from[path]})"
        elif path in copied_from:
            source = f" (copied from {copied_from[path]})"
        elif not leak.removed:
            source = " (no task of the build wrote it: a cell that ran, or someone, put it there)"
        else:
            source = ""
        fix = "" if leak.removed else "; it was left in place: remove it and what writes it"
        lines.append(f"{path}{source}: contains {named}{fix}")
    return "\n".join(lines)


def _removed(count: int) -> str:
    return f"{'they were' if count != 1 else 'it was'} removed, so it is not published"


def _forbidden(
    conn: Connection,
    prepasses: dict[str, Prepass],
    languages: tuple[str, ...],
    template_deps: tuple[str, ...],
    companions: dict[str, str],
) -> ForbiddenText:
    """The course's forbidden text: kept for the decks as they are, else made again
    from each deck's snippets, reading only the decks that changed."""
    from clm.leaks.snippets import DeckSnippets, ForbiddenText, deck_snippets, forbidden_text

    context = _context(languages, template_deps)
    texts: dict[str, bytes] = {}
    keys: dict[str, str] = {}
    for deck, prepass in prepasses.items():
        try:
            texts[deck] = Path(deck).read_bytes()
            digest = hashlib.md5(texts[deck] + context)
            digest.update(repr((prepass.author, prepass.organization)).encode())
            for path in prepass.includes:
                digest.update(path.encode() + b"\0" + Path(path).read_bytes())
            if companion := companions.get(deck):
                digest.update(b"companion\0" + Path(companion).read_bytes())
        except OSError:
            texts.pop(deck, None)
            continue
        keys[deck] = digest.hexdigest()
    course_key = hashlib.md5("\n".join(f"{d}={k}" for d, k in keys.items()).encode()).hexdigest()
    kept = leak_records.kept_forbidden(conn, course_key)
    if kept is not None:
        return ForbiddenText.from_json(kept)

    stored = leak_records.kept_decks(conn)
    found: list[DeckSnippets] = []
    new_rows = []
    for deck, key in keys.items():
        known = stored.get(deck)
        if known is not None and known[0] == key:
            found.append(DeckSnippets.from_row(*known[1:]))
            continue
        try:
            # As the build reads it: a deck with CR line endings is one line otherwise.
            text = decode_utf8(texts[deck], deck, "deck")
            snippets = deck_snippets(
                prepasses[deck], text, deck, languages, companions.get(deck) or None
            )
        except CourseError:
            continue  # a deck clm cannot read fails the build before it starts
        found.append(snippets)
        new_rows.append((deck, key, *snippets.to_row()))
    forbidden = forbidden_text(found)
    leak_records.keep_forbidden(conn, new_rows, course_key, forbidden.to_json())
    return forbidden


def _context(languages: tuple[str, ...], template_deps: tuple[str, ...]) -> bytes:
    """What besides the deck decides its snippets: the rules, languages and templates."""
    digest = hashlib.md5(f"{GUARD_VERSION}|{SNIPPET_WORDS}|{','.join(languages)}".encode())
    templates = [(Path(path).name, Path(path)) for path in template_deps]
    templates += [(str(path.relative_to(PACKAGE_TEMPLATES)), path) for path in packaged_files()]
    for name, template in templates:
        digest.update(name.encode())
        digest.update(template.read_bytes() if template.is_file() else b"")
    return digest.digest()


def _digest(forbidden: ForbiddenText) -> str:
    digest = hashlib.md5()
    for name, table in (("public", forbidden.public), ("code-along", forbidden.code_along)):
        digest.update(name.encode())
        for key in sorted(table):
            digest.update(f"{key}\n".encode())
    return digest.hexdigest()
