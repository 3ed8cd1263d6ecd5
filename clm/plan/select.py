"""Part of a plan: what `clm build --only` keeps (languages are chosen while planning)."""

from __future__ import annotations

import dataclasses

from clm.errors import CourseError
from clm.plan.outputs import OutputPlan, mathjax_copies


def select_only(plan: OutputPlan, only: str) -> OutputPlan:
    """Keep the decks and files of one topic (by id) or one section (by name)."""
    sections = plan.course.sections
    wanted = only.strip()
    topics = {t.path for s in sections for t in s.topics if t.id == wanted}
    if not topics:
        for section in sections:
            names = {section.name.get(lang) for lang in plan.course.languages}
            if wanted in names or wanted.casefold() in {n.casefold() for n in names}:
                topics.update(t.path for t in section.topics)
    if not topics:
        raise CourseError(f"--only '{only}' names neither a topic id nor a section of the course")
    diagrams = {
        d.source for s in sections for t in s.topics if t.path in topics for d in t.diagrams
    }
    decks = tuple(d for d in plan.decks if d.deck.topic.path in topics)
    return dataclasses.replace(
        plan,
        decks=decks,
        topic_data=tuple(j for j in plan.topic_data if j.source in topics),
        dir_groups=(),
        renders=tuple(r for r in plan.renders if r.diagram.source in diagrams),
        placements=tuple(j for j in plan.placements if j.source in diagrams),
        held_back=tuple(h for h in plan.held_back if topics.intersection(h.clash.topics)),
        mathjax=mathjax_copies(plan.course, decks),
    )
