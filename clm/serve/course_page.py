"""The preview's course page: every section, deck and output, with each deck's state.

A plain HTML page (one stylesheet, no framework) that works without
JavaScript, where a meta refresh stands in for the live updates. The rows are
computed once per plan, the states on every request.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote

import jinja2

from clm.plan.outputs import OutputPlan
from clm.plan.variants import Format, Kind
from clm.serve.news import Snapshot, page_name

FORMAT_LABELS = {Format.HTML: "HTML", Format.NOTEBOOK: "notebook", Format.CODE: "code"}
FORMAT_ORDER = {fmt: index for index, fmt in enumerate(FORMAT_LABELS)}  # the page first


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    main: bool  # the HTML page, which the preview reloads


@dataclass(frozen=True)
class DeckRow:
    path: str
    number: int
    title: str
    cells: tuple[tuple[Link, ...], ...]  # one per column


@dataclass(frozen=True)
class SectionRows:
    name: str
    decks: tuple[DeckRow, ...]


@dataclass(frozen=True)
class CourseRows:
    title: str
    columns: tuple[tuple[str, Kind], ...]  # (language, kind)
    sections: tuple[SectionRows, ...]
    decks: int
    pages: int


def page_url(page: str) -> str:
    return "/" + quote(page)


def course_rows(plan: OutputPlan, kinds: tuple[Kind, ...] | None) -> CourseRows:
    """The course page's table: the languages the plan builds, the kinds it shows (None: all)."""
    course = plan.course
    variants = {o.variant for deck in plan.decks for o in deck.outputs}
    built = {variant.lang for variant in variants}
    langs = tuple(lang for lang in course.languages if lang in built) or course.languages
    # Only the kinds some target builds get a column: a course with one student target
    # has no trainer or recording column to leave empty.
    planned = {variant.kind for variant in variants}
    planned.update(kind for d in plan.decks for o in d.outputs for kind, _ in o.also)
    shown = tuple(kind for kind in Kind if kind in planned and (not kinds or kind in kinds))
    columns = tuple((lang, kind) for lang in langs for kind in shown)
    first = langs[0]
    sections: dict[str, list[DeckRow]] = {}  # in the plan's order
    pages = 0
    for deck in plan.decks:
        by_column: dict[tuple[str, Kind], list[Link]] = {}
        for output in sorted(deck.outputs, key=lambda o: FORMAT_ORDER[o.variant.format]):
            # Any target's copy below the output folder can be served; one outside it cannot.
            names = (page_name(course.output, path) for path in output.paths)
            page = next((name for name in names if name is not None), None)
            if page is None:
                continue
            variant = output.variant
            main = variant.format is Format.HTML
            label = FORMAT_LABELS[variant.format]
            pages += main
            by_column.setdefault((variant.lang, variant.kind), []).append(
                Link(label, page_url(page), main)
            )
            for kind, path in output.also:  # the same page, under its other kind's name
                other = page_name(course.output, path)
                if other is not None:
                    pages += main
                    by_column.setdefault((variant.lang, kind), []).append(
                        Link(label, page_url(other), main)
                    )
        sections.setdefault(deck.section, []).append(
            DeckRow(
                path=deck.deck.path,
                number=deck.number,
                title=deck.deck.title(first),
                cells=tuple(tuple(by_column.get(column, ())) for column in columns),
            )
        )
    return CourseRows(
        title=course.name.get(first) or "",
        columns=columns,
        sections=tuple(SectionRows(name, tuple(decks)) for name, decks in sections.items()),
        decks=len(plan.decks),
        pages=pages,
    )


@functools.cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("clm.serve", "."),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_course(rows: CourseRows | None, snapshot: Snapshot, *, whole: bool) -> str:
    """The course page (``whole``), or only its changing part, which the page's script
    fetches after each cycle."""
    template = _templates().get_template("course_page.html")
    return template.render(
        rows=rows,
        snap=snapshot,
        states=snapshot.states,
        failed=sum(state.state == "failed" for state in snapshot.states.values()),
        whole=whole,
    )
