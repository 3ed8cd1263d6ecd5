"""The jobs of a build as frozen records: what each task's action is given.

clm.tasks.generator makes one record per action from the output plan; doit hands
it to a worker, and ``doit info``, ``clm cache explain`` and ``clm plan --json``
read the very same record. Records hold strings, numbers, None and tuples of
them only: they pickle for spawned workers and print as one line of JSON.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from clm.deck.prepass import Prepass
from clm.languages import KERNEL_NAME
from clm.leaks.guard import GuardJob
from clm.paths import guarding_folder
from clm.session.spec import SessionSpec
from clm.spec.model import MATHJAX_LOCAL


class _PrepassFields:
    """The fields a job gives the Jinja pre-pass of its deck (see clm.deck.jinja.Prepass)."""

    templates: str | None
    author: str
    organization: tuple[tuple[str, str], ...]
    includes: tuple[str, ...]
    language: str | None  # the deck's topic's programming language (a Markdown deck's)

    def prepass(self) -> Prepass:
        return Prepass(self.templates, self.author, self.organization, self.includes, self.language)


@dataclass(frozen=True)
class OutputJob(_PrepassFields):
    """Write one output of a deck: one language, kind and format, in each target showing it."""

    JOB: ClassVar[str] = "output"
    session: SessionSpec
    spec: str
    output_root: str  # the folder the write must really stay in (Target.guard)
    deck: str
    lang: str
    kind: str
    format: str
    target: str
    title: str
    executed: str | None  # the executed notebook an HTML page is made from
    templates: str | None = None  # the course's templates folder, if it uses one
    author: str = ""
    organization: tuple[tuple[str, str], ...] = ()  # (language, name)
    includes: tuple[str, ...] = ()  # the files the deck's pre-pass includes
    kernel: str | None = None  # the kernelspec its notebook names; None: its language's
    companion: str | None = None  # the deck's voiceover companion file, if it has one
    # The same file in other targets (a tier repeats another's kinds): (path, target
    # folder); each write must stay in its guarding folder among ``output_roots``.
    copies: tuple[tuple[str, str], ...] = ()
    output_roots: tuple[str, ...] = ()
    language: str | None = None  # the topic's programming language (a Markdown deck's)
    # Where the deck's cross-references lead from this output: (what follows "clm:",
    # its href; "" shows the link's text alone). See clm.tasks.xrefs.
    links: tuple[tuple[str, str], ...] = ()
    mathjax: str = MATHJAX_LOCAL  # where an HTML page loads MathJax from (the spec's setting)

    def written(self) -> tuple[tuple[str, str], ...]:
        """Every (path, guarding folder) this job writes its bytes to."""
        if not self.copies:
            return ((self.target, self.output_root),)
        return (
            (self.target, self.output_root),
            *(
                (path, guarding_folder(path, self.output_roots) or self.output_root)
                for path, _ in self.copies
            ),
        )


@dataclass(frozen=True)
class DeckExecutionJob(_PrepassFields):
    """Run a deck's code once per distinct code, for its executed variants."""

    JOB: ClassVar[str] = "execution"
    session: SessionSpec
    deck: str
    notebooks: tuple[tuple[str, str, str, str], ...]  # (language, kind, executed notebook, HTML)
    inputs: tuple[tuple[str, str], ...]  # (source, path relative to the notebook)
    timeout: float
    allow_errors: bool
    environment: str  # the kernels' environment fingerprint, part of the cache key
    templates: str | None = None
    author: str = ""
    organization: tuple[tuple[str, str], ...] = ()
    includes: tuple[str, ...] = ()
    kernel_python: str | None = None  # the interpreter whose ipykernel runs it; None: clm's own
    kernel: str = KERNEL_NAME  # the kernelspec that runs it
    companion: str | None = None  # the deck's voiceover companion file, if it has one
    language: str | None = None  # the topic's programming language (a Markdown deck's)
    skip_errors: bool = False  # the cells that raised lose their outputs, with a warning


@dataclass(frozen=True)
class RenderJob:
    """Render a diagram source into ``.clm/renders/``."""

    JOB: ClassVar[str] = "render"
    session: SessionSpec
    source: str
    converter: str  # drawio or plantuml
    formats: tuple[str, ...]
    targets: tuple[tuple[str, str], ...]  # (picture file name, path under .clm/renders/)
    includes: tuple[str, ...] = ()  # the files a PlantUML source includes


@dataclass(frozen=True)
class CopyJob:
    """Copy files into the output folder: a topic's data, a dir-group, placed pictures."""

    JOB: ClassVar[str] = "copy"
    session: SessionSpec
    spec: str
    output_root: str
    copies: tuple[tuple[str, str], ...]  # (source, target)
    task_name: str  # for the heartbeat
    # The folders every copy must really stay in (output_root when empty): Target.guard.
    output_roots: tuple[str, ...] = ()

    def roots(self) -> tuple[str, ...]:
        return self.output_roots or (self.output_root,)


@dataclass(frozen=True)
class MathJaxJob:
    """Copy the MathJax clm pins (clm.downloads.pinned.MATHJAX) beside the HTML pages,
    fetching it into the per-user cache first when it is not there."""

    JOB: ClassVar[str] = "mathjax"
    session: SessionSpec
    spec: str
    output_root: str
    targets: tuple[str, ...]  # one copy per course folder with HTML pages
    task_name: str  # for the heartbeat
    output_roots: tuple[str, ...] = ()  # as CopyJob's

    def roots(self) -> tuple[str, ...]:
        return self.output_roots or (self.output_root,)


@dataclass(frozen=True)
class RemovalJob:
    """Delete outputs clm wrote for the spec: ``doit clean``, or what a plan no longer has."""

    JOB: ClassVar[str] = "removal"
    session: SessionSpec
    spec: str
    output_root: str
    paths: tuple[str, ...]  # with ``stale``: the outputs the plan keeps
    stale: bool = False
    output_roots: tuple[str, ...] = ()  # the guarding folders (output_root when empty)
    # With ``stale``: the names of the build's output tasks; the records of older tasks
    # named after this spec's outputs are dropped (clm.state.backend.old_task_records).
    tasks: tuple[str, ...] = ()

    def roots(self) -> tuple[str, ...]:
        return self.output_roots or (self.output_root,)


@dataclass(frozen=True)
class ClashJob:
    """Refuse a path two topics of a section bring with different content (see Clash)."""

    JOB: ClassVar[str] = "clash"
    message: str


@dataclass(frozen=True)
class DeckErrorJob:
    """Refuse a deck that fails its checks (a malformed header, a Jinja error): its
    outputs keep their last good version, the rest of the course builds."""

    JOB: ClassVar[str] = "deck-error"
    deck: str
    message: str


JOBS: dict[str, type] = {
    job.JOB: job
    for job in (
        OutputJob,
        DeckExecutionJob,
        RenderJob,
        CopyJob,
        MathJaxJob,
        RemovalJob,
        GuardJob,
        ClashJob,
        DeckErrorJob,
    )
}


def task_jobs(task: Any) -> list:
    """The job records of a doit task's actions (group tasks have none)."""
    return [a.args[0] for a in task.actions if a.args and hasattr(a.args[0], "JOB")]


def job_dict(job: Any) -> dict:
    """A job as plain data, its kind under ``job``."""
    return {"job": job.JOB, **dataclasses.asdict(job)}


def job_from_dict(data: dict, kinds: dict[str, type] = JOBS) -> Any:
    """The job a ``job_dict`` (or its JSON) describes; KeyError or TypeError if none does."""
    fields = {key: _tuples(value) for key, value in data.items() if key not in ("job", "task")}
    if isinstance(fields.get("session"), dict):
        fields["session"] = SessionSpec(
            **{key: _tuples(value) for key, value in fields["session"].items()}
        )
    return kinds[data["job"]](**fields)


def job_json(task: str, job: Any) -> str:
    """One line of ``clm plan --json``."""
    return json.dumps({"task": task, **job_dict(job)}, ensure_ascii=False)


def _tuples(value: Any) -> Any:
    """JSON gives lists where the records hold tuples."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    return value
