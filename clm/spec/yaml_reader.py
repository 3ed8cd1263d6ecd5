"""Read the native YAML course spec, keeping line numbers for every message."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from clm.encoding import decode_utf8
from clm.errors import CourseError
from clm.languages import unknown as unknown_language
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

COURSE_KEYS = (
    "name",
    "prog-lang",
    "languages",
    "output",
    "cell-timeout",
    "code-along-code",
    "diagram-formats",
    "allow-errors",
    "skip-errors",
    "sections",
    "dir-groups",
    "allow-outside",
    "description",
    "certificate",
    "github",
    "author",
    "organization",
    "templates",
    "kernel-python",
    "kernel",
    "cache-remote",
    "cache-trust",
    "cache-push",
    "cache-key",
    "output-targets",
    "output-layout",
    "project-slug",
    "max-path-length",
    "long-paths",
    "mathjax",
)
CACHE_KEYS = ("remote", "trust", "push", "key")  # as cache-<name>
SECTION_KEYS = ("name", "topics", "include")
TOPIC_KEYS = (
    "id",
    "html",
    "allow-errors",
    "skip-errors",
    "cell-timeout",
    "evaluate",
    "author",
    "prog-lang",
    "kernel",
    "include",
)
INCLUDE_KEYS = ("source", "as", "optional")
DIR_GROUP_KEYS = ("name", "path", "subdirs", "include-root-files", "recursive", "lang")
TARGET_KEYS = ("name", "path", "kinds", "formats", "languages")
DIAGRAM_FORMATS = ("png", "svg")


_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_YAML_TAGS = "tag:yaml.org,2002:"
# The tags plain YAML gives its values, written or not; the merge key `<<` and `=`
# resolve to the last two and are reported as unknown keys.
_PLAIN_TAGS = frozenset(
    {tag for tag in _CONSTRUCTOR.yaml_constructors if tag is not None}
    | {f"{_YAML_TAGS}merge", f"{_YAML_TAGS}value"}
)


class _Reader:
    def __init__(self, file: Path):
        self.file = file

    def error(self, node: yaml.Node, message: str) -> CourseError:
        return CourseError(message, self.file, node.start_mark.line + 1)

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"expected {what} as a mapping of keys to values")
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, f"expected a plain word as a key in {what}")
            key = key_node.value
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise self.error(
                    key_node,
                    f"unknown key '{key}' in {what} (expected one of: {', '.join(allowed)}){hint}",
                )
            if key in result:
                raise self.error(key_node, f"key '{key}' given twice in {what}")
            result[key] = value_node
        return result

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"expected {what} as a single value")
        try:
            return _CONSTRUCTOR.construct_object(node)
        # A value its tag cannot read (`!!int abc`, `!!timestamp x`): PyYAML's
        # constructors let the underlying int(), float() or regex error through.
        except (yaml.YAMLError, ValueError, KeyError, AttributeError, TypeError):
            raise self.error(
                node,
                f"{what}: '{node.value}' is not a valid {_short(node.tag)}; "
                "remove the tag or fix the value",
            ) from None

    def string(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what)
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.error(node, f"expected {what} as text")
        return str(value)

    def boolean(self, node: yaml.Node, what: str) -> bool:
        value = self.scalar(node, what)
        if not isinstance(value, bool):
            raise self.error(node, f"expected {what} as true or false")
        return value

    def seconds(self, node: yaml.Node, what: str) -> float:
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.error(node, f"expected {what} as a positive number of seconds")
        return float(value)

    def checked(self, read: Callable[[Any], Any]) -> Callable[[yaml.Node, str], Any]:
        """A parser of the values ``read`` takes from a scalar (it raises ValueError
        saying what it expects)."""

        def parse(node: yaml.Node, what: str) -> Any:
            try:
                return read(self.scalar(node, what))
            except ValueError as problem:
                raise self.error(node, f"{what}: {problem}") from None

        return parse

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"expected {what} as a list")
        return list(node.value)

    def strings(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        return tuple(
            self.string(item, f"each entry of {what}") for item in self.sequence(node, what)
        )

    def text(self, node: yaml.Node, what: str, languages: tuple[str, ...]) -> Text:
        if isinstance(node, yaml.MappingNode):
            values = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if not _LANGUAGE_CODE.match(key):
                    raise self.error(
                        key_node,
                        f"'{key}' in {what} is not a language code; write the text per "
                        f"language, e.g. {{{', '.join(f'{lang}: …' for lang in languages)}}}",
                    )
                values[key] = self.string(value_node, f"the {key} text of {what}")
            missing = [lang for lang in languages if lang not in values]
            if missing:
                raise self.error(node, f"{what} has no text for {', '.join(missing)}")
            return Text.of(values)
        return Text.plain(self.string(node, what))


def _compose(file: Path) -> yaml.Node | None:
    """The spec's YAML as nodes, with their lines; any YAML problem is a CourseError."""
    text = decode_utf8(file.read_bytes(), file, "spec")
    try:
        document = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            problem = f"{exc.context} (line {exc.context_mark.line + 1}), {problem}"
        raise CourseError(f"not valid YAML: {problem}", file, line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise CourseError(
            f"not valid YAML: {exc.reason} (character U+{code:04X}); remove it", file, line
        ) from None
    _check_tags(document, file)
    return document


def _check_tags(document: yaml.Node | None, file: Path) -> None:
    """No node may carry a tag of its own (`!custom`, `!!python/object`): a spec is plain data."""
    pending, seen = [document] if document is not None else [], set()
    while pending:
        node = pending.pop()
        if id(node) in seen:  # an alias: `&a [*a]` refers to itself
            continue
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            raise CourseError(
                f"unknown YAML tag '{_short(node.tag)}': a course spec holds plain values; "
                "remove the tag (quote a value that starts with '!')",
                file,
                node.start_mark.line + 1,
            )
        if isinstance(node, yaml.MappingNode):
            pending.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)


def _short(tag: str) -> str:
    """A tag as it is written: ``!!int`` for YAML's own, ``!custom`` as it is."""
    return "!!" + tag.removeprefix(_YAML_TAGS) if tag.startswith(_YAML_TAGS) else tag


def read_yaml_spec(file: Path, root: Path) -> CourseSpec:
    document = _compose(file)
    reader = _Reader(file)
    if document is None:
        raise CourseError("the spec is empty; it needs at least 'name' and 'sections'", file, 1)
    top = reader.mapping(document, "the course spec", COURSE_KEYS)

    languages: tuple[str, ...] = ("de", "en")
    if "languages" in top:
        languages = reader.strings(top["languages"], "'languages'")
        if not languages:
            raise reader.error(top["languages"], "'languages' must name at least one language")
    for required in ("name", "sections"):
        if required not in top:
            raise CourseError(
                f"the course spec has no '{required}'", file, document.start_mark.line + 1
            )

    def setting(key: str, parse, default):
        return parse(top[key], f"'{key}'") if key in top else default

    diagram_formats = setting("diagram-formats", reader.strings, ("png",))
    for fmt in diagram_formats:
        if fmt not in DIAGRAM_FORMATS:
            raise reader.error(
                top["diagram-formats"],
                f"unknown diagram format '{fmt}' (expected: {', '.join(DIAGRAM_FORMATS)})",
            )

    sections = tuple(
        _section(reader, node, languages) for node in reader.sequence(top["sections"], "'sections'")
    )
    dir_groups = tuple(
        _dir_group(reader, node, languages)
        for node in (
            reader.sequence(top["dir-groups"], "'dir-groups'") if "dir-groups" in top else ()
        )
    )
    metadata = {
        key: reader.text(top[key], f"'{key}'", languages)
        for key in ("description", "certificate", "github")
        if key in top
    }
    warnings: list[str] = []
    targets = tuple(
        _output_target(reader, node, languages, warnings)
        for node in (
            reader.sequence(top["output-targets"], "'output-targets'")
            if "output-targets" in top
            else ()
        )
    )
    check_unique_names(targets, lambda message, line: CourseError(message, file, line))
    layout = setting("output-layout", reader.string, "tiers")
    if layout not in LAYOUTS:
        raise reader.error(
            top["output-layout"],
            f"unknown output-layout '{layout}' (expected: {', '.join(LAYOUTS)}; "
            "classic writes the public/speaker tree of clm's 2025 courses)",
        )
    if layout == "classic" and targets:
        raise reader.error(
            top["output-layout"],
            "output-layout: classic and output-targets exclude each other: the classic tree "
            "has fixed folders; remove one of the two settings",
        )
    mathjax = setting("mathjax", reader.string, MATHJAX_LOCAL)
    if problem := mathjax_problem(mathjax):
        raise reader.error(top["mathjax"], problem)
    return CourseSpec(
        file=file,
        root=root,
        name=reader.text(top["name"], "the course name", languages),
        name_line=top["name"].start_mark.line + 1,
        sections=sections,
        prog_lang=_prog_lang(reader, top.get("prog-lang")) or "python",
        prog_lang_line=_line(top.get("prog-lang")),
        kernel=setting("kernel", reader.string, None),
        languages=languages,
        output=setting("output", reader.string, "output"),
        output_line=top["output"].start_mark.line + 1 if "output" in top else None,
        cell_timeout=setting("cell-timeout", reader.seconds, 600.0),
        code_along_code=setting("code-along-code", reader.boolean, False),
        diagram_formats=diagram_formats,
        allow_errors=setting("allow-errors", reader.boolean, False),
        skip_errors=setting("skip-errors", reader.boolean, False),
        dir_groups=dir_groups,
        allow_outside=setting("allow-outside", reader.strings, ()),
        allow_outside_line=top["allow-outside"].start_mark.line + 1
        if "allow-outside" in top
        else None,
        templates=setting("templates", reader.string, "templates"),
        templates_line=_line(top.get("templates")),
        author=setting("author", reader.string, ""),
        organization=(
            reader.text(top["organization"], "'organization'", languages)
            if "organization" in top
            else Text.plain("")
        ),
        kernel_python=setting("kernel-python", reader.string, None),
        kernel_python_line=_line(top.get("kernel-python")),
        cache_settings=tuple(
            (name, _cache_value(reader, top[f"cache-{name}"], name), _line(top[f"cache-{name}"]))
            for name in CACHE_KEYS
            if f"cache-{name}" in top
        ),
        metadata=metadata,
        output_layout=layout,
        output_layout_line=_line(top.get("output-layout")),
        output_targets=targets,
        project_slug=setting("project-slug", reader.string, None),
        project_slug_line=_line(top.get("project-slug")),
        max_path_length=setting(
            "max-path-length", reader.checked(read_max_path_length), MAX_PATH_LENGTH
        ),
        max_path_length_line=_line(top.get("max-path-length")),
        long_paths=setting("long-paths", reader.checked(read_long_paths), "warn"),
        long_paths_line=_line(top.get("long-paths")),
        mathjax=mathjax,
        warnings=tuple(warnings),
    )


def _output_target(
    reader: _Reader, node: yaml.Node, languages: tuple[str, ...], warnings: list[str]
) -> OutputTargetSpec:
    fields = reader.mapping(node, "an output target", TARGET_KEYS)
    line = node.start_mark.line + 1
    for required in ("name", "path"):
        if required not in fields:
            raise reader.error(node, f"an output target needs a '{required}'")

    def words(key: str) -> list[str]:
        return list(reader.strings(fields[key], f"'{key}'")) if key in fields else []

    return output_target(
        reader.string(fields["name"], "the output target's name"),
        reader.string(fields["path"], "the output target's path"),
        words("kinds"),
        words("formats"),
        words("languages"),
        languages,
        line,
        lambda message: CourseError(message, reader.file, line),
        lambda message: warnings.append(str(CourseError(f"warning: {message}", reader.file, line))),
    )


def _cache_value(reader: _Reader, node: yaml.Node, name: str) -> str | tuple[str, ...]:
    """A shared-cache setting: text, or for cache-trust a list of namespaces (or one text)."""
    if name == "trust" and isinstance(node, yaml.SequenceNode):
        return reader.strings(node, "'cache-trust'")
    return reader.string(node, f"'cache-{name}'")


def _prog_lang(reader: _Reader, node: yaml.Node | None) -> str | None:
    if node is None:
        return None
    name = reader.string(node, "'prog-lang'")
    if problem := unknown_language(name):
        raise reader.error(node, problem)
    return name


def _flag(reader: _Reader, fields: dict[str, yaml.Node], key: str) -> bool | None:
    """A topic's true/false setting; None where the topic leaves it to the course."""
    return reader.boolean(fields[key], f"'{key}'") if key in fields else None


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _section(reader: _Reader, node: yaml.Node, languages: tuple[str, ...]) -> SectionSpec:
    fields = reader.mapping(node, "a section", SECTION_KEYS)
    if "name" not in fields:
        raise reader.error(node, "a section needs a 'name'")
    topics = tuple(
        _topic(reader, item)
        for item in (reader.sequence(fields["topics"], "'topics'") if "topics" in fields else ())
    )
    return SectionSpec(
        name=reader.text(fields["name"], "the section name", languages),
        topics=topics,
        line=node.start_mark.line + 1,
        includes=_includes(reader, fields.get("include"), "a section"),
    )


def _includes(reader: _Reader, node: yaml.Node | None, owner: str) -> tuple[IncludeSpec, ...]:
    """A section's or topic's ``include:``: entries ``source`` or {source, as, optional}."""
    if node is None:
        return ()
    includes = []
    for item in reader.sequence(node, "'include'"):
        line = item.start_mark.line + 1
        if isinstance(item, yaml.ScalarNode):
            source, into, optional = reader.string(item, "an include source"), None, False
        else:
            fields = reader.mapping(item, "an include", INCLUDE_KEYS)
            if "source" not in fields:
                raise reader.error(
                    item, "an include needs a 'source' (a path from the course root)"
                )
            source = reader.string(fields["source"], "an include source")
            into = reader.string(fields["as"], "'as'") if "as" in fields else None
            optional = "optional" in fields and reader.boolean(fields["optional"], "'optional'")
        try:
            includes.append(include_spec(source, into, optional, line))
        except BadInclude as problem:
            raise reader.error(item, f"include: {problem}") from None
    if (twice := duplicate(includes)) is not None:
        second, first = twice
        raise CourseError(
            f"two includes of {owner} go to as: {second.into} (the other on line {first.line}); "
            "give one of them another 'as'",
            reader.file,
            second.line,
        )
    return tuple(includes)


def _topic(reader: _Reader, node: yaml.Node) -> TopicRef:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return TopicRef(id=reader.string(node, "a topic id"), line=line)
    fields = reader.mapping(node, "a topic", TOPIC_KEYS)
    if "id" not in fields:
        raise reader.error(node, "a topic entry needs an 'id'")
    return TopicRef(
        id=reader.string(fields["id"], "a topic id"),
        line=line,
        html=reader.boolean(fields["html"], "'html'") if "html" in fields else True,
        allow_errors=_flag(reader, fields, "allow-errors"),
        skip_errors=_flag(reader, fields, "skip-errors"),
        cell_timeout=(
            reader.seconds(fields["cell-timeout"], "'cell-timeout'")
            if "cell-timeout" in fields
            else None
        ),
        evaluate=reader.boolean(fields["evaluate"], "'evaluate'") if "evaluate" in fields else True,
        author=reader.string(fields["author"], "'author'") if "author" in fields else None,
        prog_lang=_prog_lang(reader, fields.get("prog-lang")),
        kernel=reader.string(fields["kernel"], "'kernel'") if "kernel" in fields else None,
        includes=_includes(reader, fields.get("include"), "a topic"),
    )


def _dir_group(reader: _Reader, node: yaml.Node, languages: tuple[str, ...]) -> DirGroupSpec:
    fields = reader.mapping(node, "a dir-group", DIR_GROUP_KEYS)
    for required in ("name", "path"):
        if required not in fields:
            raise reader.error(node, f"a dir-group needs a '{required}'")
    subdirs, subdir_lines = None, ()
    if "subdirs" in fields:
        subdirs = reader.strings(fields["subdirs"], "'subdirs'")
        subdir_lines = tuple(item.start_mark.line + 1 for item in fields["subdirs"].value)
    lang = reader.string(fields["lang"], "'lang'") if "lang" in fields else None
    if lang is not None and lang not in languages:
        raise reader.error(
            fields["lang"], f"'lang' of a dir-group must be one of: {', '.join(languages)}"
        )
    return DirGroupSpec(
        name=reader.text(fields["name"], "the dir-group name", languages),
        path=reader.string(fields["path"], "the dir-group path"),
        subdirs=subdirs,
        line=node.start_mark.line + 1,
        subdir_lines=subdir_lines,
        include_root_files=(
            reader.boolean(fields["include-root-files"], "'include-root-files'")
            if "include-root-files" in fields
            else False
        ),
        recursive=(
            reader.boolean(fields["recursive"], "'recursive'") if "recursive" in fields else True
        ),
        lang=lang,
    )
