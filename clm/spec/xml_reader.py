"""Read the XML course specs of the CLM tool, unchanged (spec appendix)."""

from __future__ import annotations

import difflib
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from clm.errors import CourseError
from clm.spec.model import CourseSpec, DirGroupSpec, SectionSpec, Text, TopicRef

COURSE_CHILDREN = (
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
)
COURSE_ATTRIBUTES = (
    "templates",
    "cell-timeout",
    "code-along-code",
    "diagram-formats",
    "allow-errors",
    "allow-outside",
)
TOPIC_ATTRIBUTES = ("html", "cell-timeout", "allow-errors")
TRUE_WORDS = ("true", "yes", "1", "on")
FALSE_WORDS = ("false", "no", "0", "off")


def _parse(data: bytes) -> tuple[ET.Element, dict[int, int]]:
    """Parse XML with expat, remembering the line where each element starts."""
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}
    parser = expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        lines[id(builder.start(tag, attrs))] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.Parse(data, True)
    return builder.close(), lines


class _Reader:
    def __init__(self, file: Path, lines: dict[int, int]):
        self.file = file
        self.lines = lines
        self.warnings: list[str] = []

    def line(self, element: ET.Element) -> int:
        return self.lines.get(id(element), 1)

    def error(self, element: ET.Element, message: str) -> CourseError:
        return CourseError(message, self.file, self.line(element))

    def warn(self, element: ET.Element, message: str) -> None:
        self.warnings.append(str(CourseError(message, self.file, self.line(element))))

    def check_children(self, element: ET.Element, allowed: tuple[str, ...], what: str) -> None:
        for child in element:
            if child.tag not in allowed:
                close = difflib.get_close_matches(child.tag, allowed, n=1)
                hint = f"; did you mean <{close[0]}>?" if close else ""
                raise self.error(
                    child,
                    f"unknown element <{child.tag}> in {what} "
                    f"(expected one of: {', '.join(f'<{a}>' for a in allowed)}){hint}",
                )

    def check_attributes(self, element: ET.Element, allowed: tuple[str, ...], what: str) -> None:
        for name in element.attrib:
            if name not in allowed:
                expected = ", ".join(allowed) if allowed else "none"
                raise self.error(
                    element, f"unknown attribute '{name}' on {what} (expected: {expected})"
                )

    def text(self, element: ET.Element, what: str, languages: tuple[str, ...]) -> Text:
        if len(element) == 0:
            return Text.plain((element.text or "").strip())
        self.check_children(element, languages, what)
        values = {child.tag: (child.text or "").strip() for child in element}
        missing = [lang for lang in languages if lang not in values]
        if missing:
            raise self.error(element, f"{what} has no <{missing[0]}> text")
        return Text.of(values)

    def boolean(self, element: ET.Element, name: str) -> bool | None:
        value = element.get(name)
        if value is None:
            return None
        if value.strip().lower() in TRUE_WORDS:
            return True
        if value.strip().lower() in FALSE_WORDS:
            return False
        raise self.error(element, f'attribute {name}="{value}" must be true or false')

    def seconds(self, element: ET.Element, name: str) -> float | None:
        value = element.get(name)
        if value is None:
            return None
        try:
            seconds = float(value)
        except ValueError:
            seconds = 0.0
        if seconds <= 0:
            raise self.error(
                element, f'attribute {name}="{value}" must be a positive number of seconds'
            )
        return seconds


def read_xml_spec(file: Path, root: Path) -> CourseSpec:
    try:
        course, lines = _parse(file.read_bytes())
    except expat.ExpatError as exc:
        message = expat.errors.messages.get(exc.code, str(exc))
        raise CourseError(f"not well-formed XML: {message}", file, exc.lineno) from None
    reader = _Reader(file, lines)
    if course.tag != "course":
        raise reader.error(course, f"expected the root element <course>, found <{course.tag}>")
    reader.check_children(course, COURSE_CHILDREN, "<course>")
    reader.check_attributes(course, COURSE_ATTRIBUTES, "<course>")
    languages = ("de", "en")

    name = course.find("name")
    if name is None:
        raise reader.error(course, "<course> has no <name>")
    sections_element = course.find("sections")
    if sections_element is None:
        raise reader.error(course, "<course> has no <sections>")
    reader.check_children(sections_element, ("section",), "<sections>")

    dir_groups: list[DirGroupSpec] = []
    sections: list[SectionSpec] = []
    for section in sections_element:
        reader.check_children(section, ("name", "topics"), "<section>")
        section_name = section.find("name")
        if section_name is None:
            raise reader.error(section, "<section> has no <name>")
        topics_element = section.find("topics")
        if topics_element is None:
            reader.warn(section, "<section> has no <topics>; it is skipped")
            continue
        reader.check_children(topics_element, ("topic",), "<topics>")
        topics = []
        for topic in topics_element:
            topics.append(_topic(reader, topic))
            reader.check_children(topic, ("dir-group",), "<topic>")
            dir_groups.extend(_dir_group(reader, group) for group in topic.findall("dir-group"))
        sections.append(
            SectionSpec(
                name=reader.text(section_name, "the section <name>", languages),
                topics=tuple(topics),
                line=reader.line(section),
            )
        )

    groups_element = course.find("dir-groups")
    if groups_element is not None:
        reader.check_children(groups_element, ("dir-group",), "<dir-groups>")
        dir_groups.extend(_dir_group(reader, group) for group in groups_element)

    prog_lang = course.find("prog-lang")
    diagram_formats = tuple(
        part for part in (course.get("diagram-formats") or "png").replace(",", " ").split() if part
    )
    for fmt in diagram_formats:
        if fmt not in ("png", "svg"):
            raise reader.error(course, f"unknown diagram format '{fmt}' (expected: png, svg)")
    metadata = {
        tag: reader.text(element, f"<{tag}>", languages)
        for tag in ("description", "certificate", "github")
        if (element := course.find(tag)) is not None
    }
    return CourseSpec(
        file=file,
        root=root,
        name=reader.text(name, "the course <name>", languages),
        name_line=reader.line(name),
        sections=tuple(sections),
        prog_lang=(prog_lang.text or "python").strip() if prog_lang is not None else "python",
        languages=languages,
        cell_timeout=reader.seconds(course, "cell-timeout") or 600.0,
        code_along_code=bool(reader.boolean(course, "code-along-code")),
        diagram_formats=diagram_formats,
        allow_errors=bool(reader.boolean(course, "allow-errors")),
        dir_groups=tuple(dir_groups),
        # Comma-separated, as diagram-formats: CLM ignores attributes of <course>.
        allow_outside=tuple(
            part.strip() for part in (course.get("allow-outside") or "").split(",") if part.strip()
        ),
        allow_outside_line=reader.line(course) if course.get("allow-outside") else None,
        # CLM never reads a course's templates/ folder: a CLM spec uses one only
        # when it names it (a clm attribute, which CLM ignores).
        templates=(course.get("templates") or "").strip() or None,
        templates_line=reader.line(course) if course.get("templates") else None,
        author=_plain(course.find("author")),
        organization=(
            reader.text(organization, "<organization>", languages)
            if (organization := course.find("organization")) is not None
            else Text.plain("")
        ),
        kernel_python=_plain(course.find("kernel-python")) or None,
        kernel_python_line=_line_of(reader, course.find("kernel-python")),
        metadata=metadata,
        warnings=tuple(reader.warnings),
    )


def _plain(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _line_of(reader: _Reader, element: ET.Element | None) -> int | None:
    return reader.line(element) if element is not None else None


def _topic(reader: _Reader, topic: ET.Element) -> TopicRef:
    reader.check_attributes(topic, TOPIC_ATTRIBUTES, "<topic>")
    topic_id = (topic.text or "").strip()
    if not topic_id:
        raise reader.error(topic, "<topic> has no id (write it as the element's text)")
    html_attribute = topic.get("html")
    html = not html_attribute
    if html_attribute and html_attribute.strip().lower() in TRUE_WORDS:
        reader.warn(
            topic,
            f'<topic html="{html_attribute}">: as in CLM, any non-empty html attribute '
            "turns HTML output off for this topic",
        )
    return TopicRef(
        id=topic_id,
        line=reader.line(topic),
        html=html,
        allow_errors=reader.boolean(topic, "allow-errors"),
        cell_timeout=reader.seconds(topic, "cell-timeout"),
    )


def _dir_group(reader: _Reader, group: ET.Element) -> DirGroupSpec:
    reader.check_children(group, ("name", "path", "subdirs"), "<dir-group>")
    path = group.find("path")
    if path is None or not (path.text or "").strip():
        raise reader.error(group, "<dir-group> has no <path>")
    name = group.find("name")
    subdirs_element = group.find("subdirs")
    subdirs, subdir_lines = None, ()
    if subdirs_element is not None:
        reader.check_children(subdirs_element, ("subdir",), "<subdirs>")
        subdirs = tuple((sub.text or "").strip() for sub in subdirs_element)
        subdir_lines = tuple(reader.line(sub) for sub in subdirs_element)
    return DirGroupSpec(
        name=Text.plain((name.text or "").strip() if name is not None else ""),
        path=(path.text or "").strip(),
        subdirs=subdirs,
        line=reader.line(group),
        subdir_lines=subdir_lines,
    )
