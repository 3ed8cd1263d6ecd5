"""Read the XML course specs of the CLM tool, unchanged (spec appendix)."""

from __future__ import annotations

import difflib
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from clm.errors import CourseError
from clm.languages import unknown as unknown_language
from clm.spec.clm_vocabulary import (
    IGNORED_ATTRIBUTES,
    IGNORED_ELEMENTS,
    known_attributes,
    known_children,
)
from clm.spec.includes import BadInclude, duplicate, include_spec
from clm.spec.long_paths import MAX_PATH_LENGTH, read_long_paths, read_max_path_length
from clm.spec.model import (
    LAYOUTS,
    MATHJAX_LOCAL,
    CourseSpec,
    DirGroupSpec,
    IncludeSpec,
    OutputTargetSpec,
    SectionSpec,
    Text,
    TopicRef,
    mathjax_problem,
)
from clm.spec.targets import check_unique_names, output_target

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
        self.ignored: dict[str, tuple[int, str]] = {}  # word → (first line, reason)

    def line(self, element: ET.Element) -> int:
        return self.lines.get(id(element), 1)

    def error(self, element: ET.Element, message: str) -> CourseError:
        return CourseError(message, self.file, self.line(element))

    def warn(self, element: ET.Element, message: str) -> None:
        self.warnings.append(str(CourseError(message, self.file, self.line(element))))

    def check_children(self, element: ET.Element) -> None:
        """Every child must be a word CLM knows here; those clm ignores are noted."""
        allowed = known_children(element.tag)
        ignored = IGNORED_ELEMENTS.get(element.tag, {})
        for child in element:
            if not isinstance(child.tag, str):
                continue  # a comment or processing instruction
            if child.tag in ignored:
                self.ignore(child, f"<{child.tag}>", ignored[child.tag])
            elif child.tag not in allowed:
                close = difflib.get_close_matches(child.tag, allowed, n=1)
                hint = f"; did you mean <{close[0]}>?" if close else ""
                raise self.error(
                    child,
                    f"unknown element <{child.tag}> in <{element.tag}> "
                    f"(expected one of: {', '.join(f'<{a}>' for a in allowed)}){hint}",
                )

    def check_attributes(self, element: ET.Element) -> None:
        allowed = known_attributes(element.tag)
        ignored = IGNORED_ATTRIBUTES.get(element.tag, {})
        for name in element.attrib:
            if name in ignored:
                self.ignore(element, f'{name}="…" on <{element.tag}>', ignored[name])
            elif name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                expected = ", ".join(allowed) if allowed else "none"
                raise self.error(
                    element,
                    f"unknown attribute '{name}' on <{element.tag}> (expected: {expected}){hint}",
                )

    def ignore(self, element: ET.Element, word: str, reason: str) -> None:
        """Note a CLM setting clm does nothing with (one warning lists them all)."""
        if word not in self.ignored:
            self.ignored[word] = (self.line(element), reason)

    def ignored_warning(self) -> str | None:
        if not self.ignored:
            return None
        listed = "; ".join(
            f"{word} (line {line}: {reason})" for word, (line, reason) in self.ignored.items()
        )
        return str(
            CourseError(
                f"warning: clm builds this CLM spec but ignores {listed}",
                self.file,
                min(line for line, _ in self.ignored.values()),
            )
        )

    def text(self, element: ET.Element, what: str, languages: tuple[str, ...]) -> Text:
        """CLM's bilingual-or-simple text: <de>/<en> children, or one text for both.

        A text given for one language only serves the other too, as in CLM.
        """
        children = [child for child in element if isinstance(child.tag, str)]
        if not children:
            return Text.plain((element.text or "").strip())
        for child in children:
            if child.tag not in languages:
                raise self.error(
                    child,
                    f"unknown element <{child.tag}> in {what} (expected one of: "
                    f"{', '.join(f'<{lang}>' for lang in languages)}, or plain text)",
                )
        if (element.text or "").strip():
            raise self.error(
                element, f"{what} mixes plain text with <de>/<en>; write one or the other"
            )
        values = {child.tag: (child.text or "").strip() for child in children}
        given = next(iter(values.values()))
        return Text.of({lang: values.get(lang, given) for lang in languages})

    def boolean(self, element: ET.Element, name: str) -> bool | None:
        value = element.get(name)
        if value is None or not value.strip():
            return None  # as CLM reads an empty one: the default
        if value.strip().lower() in TRUE_WORDS:
            return True
        if value.strip().lower() in FALSE_WORDS:
            return False
        raise self.error(
            element, f'attribute {name}="{value}" on <{element.tag}> must be true or false'
        )

    def checked(self, element: ET.Element, name: str, read, default):
        """The attribute ``name`` as ``read`` takes it (which raises ValueError about a
        value it does not take); ``default`` without it."""
        value = element.get(name)
        if value is None:
            return default
        try:
            return read(value.strip())
        except ValueError as problem:
            raise self.error(element, f'attribute {name}="{value}": {problem}') from None

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
    except LookupError as exc:  # expat asks Python for an encoding the declaration names
        raise CourseError(
            f"the XML declaration names an encoding Python does not know ({exc}); "
            'write encoding="UTF-8" or leave it out',
            file,
            1,
        ) from None
    reader = _Reader(file, lines)
    if course.tag != "course":
        raise reader.error(course, f"expected the root element <course>, found <{course.tag}>")
    reader.check_children(course)
    reader.check_attributes(course)
    languages = ("de", "en")

    name = course.find("name")
    if name is None:
        raise reader.error(course, "<course> has no <name>")
    sections_element = course.find("sections")
    if sections_element is None:
        raise reader.error(course, "<course> has no <sections>")
    reader.check_children(sections_element)

    dir_groups: list[DirGroupSpec] = []
    sections: list[SectionSpec] = []
    for section in sections_element.findall("section"):
        reader.check_attributes(section)
        if reader.boolean(section, "enabled") is False:
            continue  # as in CLM: dropped whole, its topics need not exist yet
        reader.check_children(section)
        section_name = section.find("name")
        if section_name is None:
            raise reader.error(section, "<section> has no <name>")
        topics_element = section.find("topics")
        if topics_element is None:
            reader.warn(section, "<section> has no <topics>; it is skipped")
            continue
        reader.check_children(topics_element)
        module = (section.get("module") or "").strip() or None
        topics = []
        for topic in _topic_elements(reader, topics_element):
            topics.append(_topic(reader, topic, module))
            dir_groups.extend(
                _dir_group(reader, group, languages) for group in topic.findall("dir-group")
            )
        sections.append(
            SectionSpec(
                name=reader.text(section_name, "the section <name>", languages),
                topics=tuple(topics),
                line=reader.line(section),
                includes=_includes(reader, section),
            )
        )

    groups_element = course.find("dir-groups")
    if groups_element is not None:
        reader.check_children(groups_element)
        dir_groups.extend(_dir_group(reader, group, languages) for group in groups_element)

    prog_lang_element = course.find("prog-lang")
    prog_lang = _plain(prog_lang_element) or "python"
    if problem := unknown_language(prog_lang):
        raise reader.error(prog_lang_element, f"<prog-lang>: {problem}")
    diagram_formats = tuple(
        part for part in (course.get("diagram-formats") or "png").replace(",", " ").split() if part
    )
    for fmt in diagram_formats:
        if fmt not in ("png", "svg"):
            raise reader.error(course, f"unknown diagram format '{fmt}' (expected: png, svg)")
    metadata = {
        tag: reader.text(element, f"<{tag}>", languages)
        for tag in ("description", "certificate")
        if (element := course.find(tag)) is not None
    }
    github = course.find("github")
    if github is not None:
        _github(reader, github, languages, metadata)
    slug_element = course.find("project-slug")
    if slug_element is None and github is not None:
        slug_element = github.find("project-slug")
        if slug_element is not None:
            reader.warn(
                slug_element,
                "<project-slug> inside <github> is deprecated (as in CLM 1.35); move it to "
                "the top level of <course>",
            )
    targets = _output_targets(reader, course.find("output-targets"), languages)
    layout = (course.get("output-layout") or "tiers").strip()
    if layout not in LAYOUTS:
        raise reader.error(
            course,
            f'<course output-layout="{layout}">: expected one of {", ".join(LAYOUTS)} '
            "(classic writes the public/speaker tree of clm's 2025 courses)",
        )
    if layout == "classic" and targets:
        raise reader.error(
            course,
            '<course output-layout="classic"> and <output-targets> exclude each other: the '
            "classic tree has fixed folders; remove one of the two",
        )
    mathjax = (course.get("mathjax") or MATHJAX_LOCAL).strip()
    if problem := mathjax_problem(mathjax):
        raise reader.error(course, f'<course mathjax="{mathjax}">: {problem}')
    if (ignored := reader.ignored_warning()) is not None:
        reader.warnings.insert(0, ignored)
    return CourseSpec(
        file=file,
        root=root,
        name=reader.text(name, "the course <name>", languages),
        name_line=reader.line(name),
        sections=tuple(sections),
        prog_lang=prog_lang,
        prog_lang_line=reader.line(prog_lang_element) if prog_lang_element is not None else None,
        kernel=(course.get("kernel") or "").strip() or None,
        languages=languages,
        cell_timeout=reader.seconds(course, "cell-timeout") or 600.0,
        code_along_code=bool(reader.boolean(course, "code-along-code")),
        diagram_formats=diagram_formats,
        allow_errors=bool(reader.boolean(course, "allow-errors")),
        skip_errors=bool(reader.boolean(course, "skip-errors")),
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
        output_layout=layout,
        output_layout_line=reader.line(course) if course.get("output-layout") else None,
        output_targets=targets,
        project_slug=_plain(slug_element) or None,
        project_slug_line=_line_of(reader, slug_element),
        max_path_length=reader.checked(
            course, "max-path-length", read_max_path_length, MAX_PATH_LENGTH
        ),
        max_path_length_line=reader.line(course) if course.get("max-path-length") else None,
        long_paths=reader.checked(course, "long-paths", read_long_paths, "warn"),
        long_paths_line=reader.line(course) if course.get("long-paths") else None,
        mathjax=mathjax,
        warnings=tuple(reader.warnings),
    )


def _output_targets(
    reader: _Reader, element: ET.Element | None, languages: tuple[str, ...]
) -> tuple[OutputTargetSpec, ...]:
    """CLM 1.35's <output-targets>: each target's words checked, names unique."""
    if element is None:
        return ()
    reader.check_children(element)
    targets = []
    for target in element.findall("output-target"):
        reader.check_attributes(target)
        reader.check_children(target)

        def words(container: str, item: str, target: ET.Element = target) -> list[str]:
            found = target.find(container)
            if found is None:
                return []
            reader.check_children(found)
            return [(entry.text or "").strip() for entry in found.findall(item) if entry.text]

        targets.append(
            output_target(
                target.get("name", ""),
                _plain(target.find("path")),
                words("kinds", "kind"),
                words("formats", "format"),
                words("languages", "language"),
                languages,
                reader.line(target),
                lambda message, target=target: reader.error(target, message),
                lambda message, target=target: reader.warn(target, f"warning: {message}"),
            )
        )
    found = tuple(targets)
    check_unique_names(found, lambda message, line: CourseError(message, reader.file, line))
    return found


def _plain(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _line_of(reader: _Reader, element: ET.Element | None) -> int | None:
    return reader.line(element) if element is not None else None


def _github(
    reader: _Reader, github: ET.Element, languages: tuple[str, ...], metadata: dict[str, Text]
) -> None:
    """The old bilingual <github> form is kept as metadata; CLM's repository settings are
    noted as ignored."""
    reader.check_children(github)
    children = [child for child in github if isinstance(child.tag, str)]
    if all(child.tag in languages for child in children):
        metadata["github"] = reader.text(github, "<github>", languages)
    else:
        reader.ignore(github, "<github>", "clm does not create or push git repositories")


def _topic_elements(reader: _Reader, topics: ET.Element) -> list[ET.Element]:
    """The <topic>s in order, those of enabled <subsection>s among them (CLM flattens them)."""
    found = []
    for child in topics:
        if child.tag == "topic":
            found.append(child)
        elif child.tag == "subsection":
            reader.check_attributes(child)
            reader.check_children(child)
            if reader.boolean(child, "enabled") is not False:
                found.extend(child.findall("topic"))
    return found


def _topic(reader: _Reader, topic: ET.Element, section_module: str | None) -> TopicRef:
    reader.check_attributes(topic)
    reader.check_children(topic)
    text_id = (topic.text or "").strip()
    attribute_id = (topic.get("id") or "").strip()
    if text_id and attribute_id:
        raise reader.error(
            topic, f'<topic id="{attribute_id}"> also has the text "{text_id}"; give the id once'
        )
    topic_id = attribute_id or text_id
    if not topic_id:
        after = next(((c.tail or "").strip() for c in topic if (c.tail or "").strip()), "")
        hint = f' (the text "{after}" after a child element is not its id)' if after else ""
        raise reader.error(
            topic, f'<topic> has no id{hint}; write it as id="…" or as the element\'s text'
        )
    html_attribute = topic.get("html")
    html = not html_attribute
    if html_attribute and html_attribute.strip().lower() in TRUE_WORDS:
        reader.warn(
            topic,
            f'<topic html="{html_attribute}">: as in CLM, any non-empty html attribute '
            "turns HTML output off for this topic",
        )
    prog_lang = (topic.get("prog-lang") or "").strip() or None
    if prog_lang is not None and (problem := unknown_language(prog_lang)):
        raise reader.error(topic, f'<topic prog-lang="{prog_lang}">: {problem}')
    return TopicRef(
        id=topic_id,
        line=reader.line(topic),
        html=html,
        allow_errors=reader.boolean(topic, "allow-errors"),
        skip_errors=reader.boolean(topic, "skip-errors"),
        cell_timeout=reader.seconds(topic, "cell-timeout"),
        evaluate=reader.boolean(topic, "evaluate") is not False,
        author=topic.get("author"),
        prog_lang=prog_lang,
        kernel=(topic.get("kernel") or "").strip() or None,
        module=(topic.get("module") or "").strip() or section_module,
        includes=_includes(reader, topic),
    )


def _includes(reader: _Reader, parent: ET.Element) -> tuple[IncludeSpec, ...]:
    """The ``<include>`` children of a section or topic."""
    includes = []
    for element in parent.findall("include"):
        reader.check_attributes(element)
        reader.check_children(element)
        source = element.get("source")
        if source is None:
            raise reader.error(element, '<include> has no source="…" (a path from the course root)')
        try:
            include = include_spec(
                source,
                element.get("as"),
                bool(reader.boolean(element, "optional")),
                reader.line(element),
            )
        except BadInclude as problem:
            raise reader.error(element, f"<include>: {problem}") from None
        includes.append(include)
    if (twice := duplicate(includes)) is not None:
        second, first = twice
        raise CourseError(
            f'two <include> of one <{parent.tag}> go to as="{second.into}" (the other on line '
            f'{first.line}); give one of them another as="…"',
            reader.file,
            second.line,
        )
    return tuple(includes)


def _dir_group(reader: _Reader, group: ET.Element, languages: tuple[str, ...]) -> DirGroupSpec:
    reader.check_attributes(group)
    reader.check_children(group)
    path = group.find("path")
    if path is None or not (path.text or "").strip():
        raise reader.error(group, "<dir-group> has no <path>")
    name = group.find("name")
    subdirs_element = group.find("subdirs")
    subdirs, subdir_lines = None, ()
    if subdirs_element is not None:
        reader.check_children(subdirs_element)
        subdirs = tuple((sub.text or "").strip() for sub in subdirs_element.findall("subdir"))
        subdir_lines = tuple(reader.line(sub) for sub in subdirs_element.findall("subdir"))
    lang = (group.get("lang") or "").strip() or None
    if lang is not None and lang not in languages:
        raise reader.error(
            group, f'<dir-group lang="{lang}">: expected one of {", ".join(languages)}'
        )
    return DirGroupSpec(
        name=reader.text(name, "the dir-group <name>", languages)
        if name is not None
        else Text.plain(""),
        path=(path.text or "").strip(),
        subdirs=subdirs,
        line=reader.line(group),
        subdir_lines=subdir_lines,
        include_root_files=bool(reader.boolean(group, "include-root-files")),
        recursive=reader.boolean(group, "recursive") is not False,
        lang=lang,
    )
