"""What a read spec must satisfy before anything is planned: its paths and its output names.

Paths are checked twice: as written (relative, without climbing out) and as
they really are on disk, with symlinks resolved, so neither a ``..`` nor a
link can lead a read or a write out of the course.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath

from clm.errors import CourseError
from clm.paths import (
    MAX_NAME_BYTES,
    CourseArea,
    lexically_within,
    name_bytes,
    plain_relative,
    real,
    sanitize,
    stays_within,
)
from clm.spec.model import CourseSpec, DirGroupSpec, OutputTargetSpec, Text
from clm.state.workspace import FOLDER as STATE_FOLDER


def course_area(spec: CourseSpec) -> CourseArea:
    """The folders the course may read: its root and those ``allow-outside`` names."""
    return CourseArea(real(spec.root), tuple(real(spec.root / p) for p in spec.allow_outside))


def check_spec(spec: CourseSpec) -> CourseSpec:
    """The spec with its paths normalised; a CourseError naming the line for any problem."""
    for folder in spec.allow_outside:
        if not (spec.root / folder).is_dir():
            raise CourseError(
                f"the allow-outside folder '{folder}' does not exist (it is relative to the "
                f"course root {spec.root})",
                spec.file,
                spec.allow_outside_line,
            )
    area = course_area(spec)
    templates = _templates(spec, area)
    spec = dataclasses.replace(spec, templates=templates)
    groups = tuple(_dir_group(spec, area, group) for group in spec.dir_groups)
    output = _output(spec, area, groups, spec.output, spec.output_line, "the output folder")
    targets = tuple(_target(spec, area, groups, target) for target in spec.output_targets)
    _check_case(spec, [(target.path, target.line) for target in targets], "output target")
    _check_names(spec)
    return dataclasses.replace(
        spec, output=output.as_posix(), dir_groups=groups, output_targets=targets
    )


def _target(
    spec: CourseSpec, area: CourseArea, groups: tuple[DirGroupSpec, ...], target: OutputTargetSpec
) -> OutputTargetSpec:
    """A target's folder: CLM 1.35's rules (no absolute path, no '..', not the course
    root), then those of every output folder."""
    what = f"the path of the output target '{target.name}'"
    text = target.path.replace("\\", "/")
    if ".." in text.split("/"):
        raise CourseError(
            f"{what} '{target.path}' contains '..'; give a folder inside the course root "
            "without '..', such as output/students",
            spec.file,
            target.line,
        )
    path = _output(spec, area, groups, target.path, target.line, what)
    return dataclasses.replace(target, path=path.as_posix())


def _templates(spec: CourseSpec, area: CourseArea) -> str | None:
    """The templates folder, normalised; one the spec names explicitly must exist."""
    if spec.templates is None:
        return None
    line = spec.templates_line
    folder = _inside_root(spec, spec.templates, "the templates folder", line).as_posix()
    if line is not None:
        _existing_folder(
            spec,
            area,
            folder,
            line,
            f"the templates folder '{spec.templates}' does not exist (it is relative to the "
            f"course root {spec.root}); create it or drop the setting",
        )
    return folder


def _inside_root(spec: CourseSpec, path: str, what: str, line: int | None) -> PurePosixPath:
    """A path from the spec, as a normalised relative path that stays in the course root."""
    relative = None if ":" in path else plain_relative(path.replace("\\", "/"))  # C: a drive
    if relative is None:
        raise CourseError(
            f"{what} '{path}' leaves the course root {spec.root}; give a path relative to it",
            spec.file,
            line,
        )
    return relative


def _dir_group(spec: CourseSpec, area: CourseArea, group: DirGroupSpec) -> DirGroupSpec:
    source = _inside_root(spec, group.path, "the dir-group path", group.line).as_posix()
    _existing_folder(
        spec, area, source, group.line, f"dir-group folder '{group.path}' does not exist"
    )
    if group.subdirs is None:
        return dataclasses.replace(group, path=source)
    lines = group.subdir_lines or (group.line,) * len(group.subdirs)
    subdirs: dict[str, int] = {}
    for subdir, line in zip(group.subdirs, lines, strict=True):
        name = _plain_subdir(spec, group, subdir, line)
        _check_listed_once(spec, group, subdir, name, line, subdirs)
        _existing_folder(
            spec,
            area,
            f"{source}/{name}",
            line,
            f"the subdir '{subdir}' of the dir-group '{group.path}' does not exist: there is "
            f"no folder {source}/{name}; fix the name or remove the entry",
        )
        subdirs[name] = line
    return dataclasses.replace(group, path=source, subdirs=tuple(subdirs))


def _existing_folder(
    spec: CourseSpec, area: CourseArea, folder: str, line: int, missing: str
) -> None:
    """A folder the spec names must exist, and lead nowhere outside the course."""
    if not (spec.root / folder).is_dir() and area.first_link(folder) is None:
        raise CourseError(missing, spec.file, line)
    if not area.resolve(folder, spec.file, line).is_dir():
        raise CourseError(f"{folder} is not a folder", spec.file, line)


def _check_listed_once(
    spec: CourseSpec,
    group: DirGroupSpec,
    subdir: str,
    name: str,
    line: int,
    earlier: dict[str, int],
) -> None:
    """Two subdirs that are one folder, or one inside the other, would copy files twice."""
    key = name.casefold()
    for other, other_line in earlier.items():
        other_key = other.casefold()
        if key == other_key or key.startswith(other_key + "/"):
            problem = f"is already copied by the subdir '{other}' (line {other_line}); list it once"
        elif other_key.startswith(key + "/"):
            problem = (
                f"holds the subdir '{other}' (line {other_line}), which would be copied twice; "
                "list only one"
            )
        else:
            continue
        raise CourseError(
            f"the subdir '{subdir}' of the dir-group '{group.path}' {problem}", spec.file, line
        )


def _plain_subdir(spec: CourseSpec, group: DirGroupSpec, subdir: str, line: int) -> str:
    """A subdir names a folder inside the dir-group's path: no climbing, no absolute path."""
    text = subdir.replace("\\", "/")
    relative = None if ":" in text or ".." in text.split("/") else plain_relative(text)
    if relative is None or relative == PurePosixPath("."):
        raise CourseError(
            f"the subdir '{subdir}' of the dir-group '{group.path}' must name a folder inside "
            "that path, e.g. 'Example_1' or 'part/Example_1' (no '..', no leading '/', no drive)",
            spec.file,
            line,
        )
    return relative.as_posix()


def _output(
    spec: CourseSpec,
    area: CourseArea,
    groups: tuple[DirGroupSpec, ...],
    written: str,
    line: int | None,
    what: str,
) -> PurePosixPath:
    """An output folder (``output:`` or a target's path), normalised; it must be a plain
    folder inside the course, away from every source folder."""
    output = _inside_root(spec, written, what, line)
    if output == PurePosixPath("."):
        raise CourseError(
            f"{what} cannot be the course root itself; use a subfolder such as 'output'",
            spec.file,
            line,
        )
    sources = [("slides", "slides/"), (STATE_FOLDER, f"{STATE_FOLDER}/")]
    if spec.templates:
        sources.append((spec.templates, f"{spec.templates}/"))
    sources += [(group.path, f"the dir-group path '{group.path}'") for group in groups]
    for folder, source_what in sources:
        if lexically_within(output.as_posix(), folder):
            raise _output_inside(spec, written, line, source_what)
    # The same once more on disk: an output folder (or a folder above it) may be a
    # symlink into the sources, or out of the course.
    output_real = real(spec.root / output)
    link = area.first_link(output.as_posix())
    through = f" (through the symlink {link} → {real(spec.root / link)})" if link else ""
    if output_real == area.root:
        raise CourseError(
            f"{what} '{written}' resolves to the course root itself{through}; "
            "choose a plain folder inside the course, such as 'output'",
            spec.file,
            line,
        )
    if not area.contains(output_real):
        raise CourseError(
            f"{what} '{written}' resolves to {output_real}{through}, outside "
            "the course; choose a plain folder inside the course, such as 'output', or name "
            "the folder it leads to under 'allow-outside:'",
            spec.file,
            line,
        )
    for folder, source_what in sources:
        if stays_within(output_real, spec.root / folder):
            raise _output_inside(spec, written, line, source_what, through)
    if output_real.exists() and not output_real.is_dir():
        raise CourseError(
            f"{what} '{written}' is a file{through}; clm needs a folder there: move the file "
            "or choose another folder",
            spec.file,
            line,
        )
    return output


def _output_inside(
    spec: CourseSpec, written: str, line: int | None, what: str, through: str = ""
) -> CourseError:
    return CourseError(
        f"the output folder '{written}' lies inside {what}{through}; clm would read its own "
        "outputs as sources. Choose a folder outside it, e.g. 'output'",
        spec.file,
        line,
    )


def _check_names(spec: CourseSpec) -> None:
    """Course, section and dir-group names become folder names: each must fit a file
    system, and two sections must not share one folder."""
    if spec.project_slug is not None:
        _check_folder_name(spec, spec.project_slug, "project slug", spec.project_slug_line)
    for lang in spec.languages:
        _check_folder_name(spec, spec.name.get(lang), f"course name ({lang})", spec.name_line)
        _check_length(spec, spec.name, lang, "course name", spec.name_line)
        folders: dict[str, tuple[str, int]] = {}
        for section in spec.sections:
            name = section.name.get(lang)
            _check_folder_name(spec, name, f"section name ({lang})", section.line)
            _check_length(spec, section.name, lang, "section name", section.line)
            key = sanitize(name).casefold()
            if key in folders:
                other, other_line = folders[key]
                raise CourseError(
                    f"the sections '{other}' (line {other_line}) and '{name}' would share the "
                    f"output folder '{sanitize(name)}' ({lang}; folder names are cleaned of "
                    "characters such as / ? : and compared ignoring case); give them names "
                    "that differ in letters or digits",
                    spec.file,
                    section.line,
                )
            folders[key] = (name, section.line)
        for group in spec.dir_groups:
            for part in group.name.get(lang).replace("\\", "/").split("/"):
                _check_length(spec, Text.plain(part), lang, "dir-group name", group.line)
        groups = [(_folder(group.name.get(lang)), group.line) for group in spec.dir_groups]
        _check_case(spec, groups, "dir-group", f" (in the {lang} course folder)")


def _folder(name: str) -> str:
    """A dir-group's folder below the course folder, as the plan makes it."""
    return "/".join(sanitize(part) for part in name.replace("\\", "/").split("/") if part.strip())


def _check_case(
    spec: CourseSpec, folders: list[tuple[str, int | None]], what: str, where: str = ""
) -> None:
    """Folders (and the folders above them) that differ only in case are one folder on
    Windows and macOS: the later one would overwrite or merge into the earlier."""
    seen: dict[str, tuple[str, int | None]] = {}
    for folder, line in folders:
        parts = folder.split("/")
        for end in range(1, len(parts) + 1):
            prefix = "/".join(parts[:end])
            other, other_line = seen.setdefault(prefix.casefold(), (prefix, line))
            if other != prefix:
                raise CourseError(
                    f"the {what} folders '{other}' (line {other_line}) and '{prefix}'{where} "
                    "differ only in case, which Windows and macOS take for one folder; spell "
                    "them alike or give them different names",
                    spec.file,
                    line,
                )


def _check_folder_name(spec: CourseSpec, name: str, what: str, line: int | None) -> None:
    """A name that becomes a folder must leave something once cleaned: '' and '//' would
    both be a folder '_'."""
    folder = sanitize(name)
    if folder.strip("_"):
        return
    problem = (
        "is empty"
        if not name.strip()
        else f"'{name}' leaves only '{folder}' as a folder name once characters such as "
        "/ ? : are cleaned out"
    )
    raise CourseError(
        f"the {what} {problem}; give it a name with letters or digits", spec.file, line
    )


def _check_length(spec: CourseSpec, text: Text, lang: str, what: str, line: int | None) -> None:
    folder = sanitize(text.get(lang))
    if name_bytes(folder) > MAX_NAME_BYTES:
        raise CourseError(
            f"the {what} ({lang}) makes an output folder named '{folder[:40]}…' of "
            f"{name_bytes(folder)} bytes; file systems allow at most {MAX_NAME_BYTES} bytes "
            "per name: shorten it",
            spec.file,
            line,
        )
