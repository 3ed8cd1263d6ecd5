"""A course model from plain data: what discovery would find, written down as a dict.

For tools that know a course's files without a folder on disk, and for tests
of the plan: ``plan_course(course_from_dict({...}))`` touches no file.
"""

from __future__ import annotations

from typing import Any

from clm.course.model import Course, Deck, Diagram, DirGroup, Section, Topic, TopicFile
from clm.spec.model import OutputTargetSpec, Text


def _text(value: str | dict[str, str]) -> Text:
    return Text.plain(value) if isinstance(value, str) else Text.of(value)


def _files(items: list[dict]) -> tuple[TopicFile, ...]:
    return tuple(TopicFile(item["source"], item["relative"]) for item in items)


def _topic(data: dict[str, Any]) -> tuple[Topic, list[dict]]:
    decks = data.get("decks", [])
    topic = Topic(
        id=data["id"],
        path=data["path"],
        decks=tuple(deck["path"] for deck in decks),
        data=_files(data.get("data", [])),
        execution_inputs=_files(data.get("execution_inputs", [])),
        diagrams=tuple(
            Diagram(d["source"], tuple(d["renders"]), tuple(d.get("includes", ())))
            for d in data.get("diagrams", [])
        ),
        html=data.get("html", True),
        allow_errors=data.get("allow_errors", False),
        skip_errors=data.get("skip_errors", False),
        cell_timeout=data.get("cell_timeout", 600.0),
        evaluate=data.get("evaluate", True),
        author=data.get("author"),
    )
    return topic, decks


def course_from_dict(data: dict[str, Any]) -> Course:
    """A Course from ``data``; KeyError names a missing field.

    ``{"name": …, "languages": [...], "sections": [{"name": …, "topics": [{"id",
    "path", "decks": [{"path", "titles": {lang: title}}], "data", "diagrams", …}]}],
    "dir_groups": [{"name", "path", "files"}], "output", "prog_lang", …}``; names
    are a string or a dict by language, files ``{"source", "relative"}``.
    """
    sections = []
    for section in data["sections"]:
        topics, decks = [], []
        for topic_data in section["topics"]:
            topic, topic_decks = _topic(topic_data)
            topics.append(topic)
            decks += [
                Deck(
                    deck["path"],
                    topic,
                    tuple(deck["titles"].items()),
                    deck.get("title_line"),
                    deck.get("companion"),
                )
                for deck in topic_decks
            ]
        sections.append(Section(_text(section["name"]), tuple(decks), tuple(topics)))
    return Course(
        name=_text(data["name"]),
        languages=tuple(data["languages"]),
        prog_lang=data.get("prog_lang", "python"),
        sections=tuple(sections),
        dir_groups=tuple(
            DirGroup(_text(g["name"]), _files(g.get("files", [])), g["path"], g.get("line"))
            for g in data.get("dir_groups", [])
        ),
        templates=tuple(data.get("templates", ())),
        output=data.get("output", "output"),
        code_along_code=data.get("code_along_code", False),
        diagram_formats=tuple(data.get("diagram_formats", ("png",))),
        output_layout=data.get("output_layout", "tiers"),
        output_targets=tuple(
            OutputTargetSpec(
                t["name"],
                t["path"],
                tuple(t.get("kinds", ())),
                tuple(t.get("formats", ())),
                tuple(t.get("languages", ())),
            )
            for t in data.get("output_targets", [])
        ),
        project_slug=data.get("project_slug"),
    )
