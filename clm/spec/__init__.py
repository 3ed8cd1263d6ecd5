"""Find and read course specs: YAML natively, CLM XML unchanged."""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath

from clm.errors import CourseError
from clm.spec.model import CourseSpec, DirGroupSpec, SectionSpec, Text, TopicRef
from clm.spec.xml_reader import read_xml_spec
from clm.spec.yaml_reader import read_yaml_spec

__all__ = [
    "CourseSpec",
    "DirGroupSpec",
    "SectionSpec",
    "Text",
    "TopicRef",
    "course_root",
    "default_spec",
    "load_spec",
]

SPEC_SUFFIXES = (".yaml", ".yml", ".xml")


def course_root(spec_file: Path) -> Path:
    """The spec's folder, or its parent when the folder is named ``course-specs``."""
    folder = spec_file.resolve().parent
    root = folder.parent if folder.name == "course-specs" else folder
    if not (root / "slides").is_dir():
        raise CourseError(
            f"no slides/ folder in {root}: the course root is the spec's folder "
            "(or its parent when the spec sits in course-specs/) and must contain slides/",
            spec_file,
        )
    return root


def default_spec(folder: Path) -> Path:
    """``course.yaml`` in the folder, else the single spec in ``course-specs/``."""
    for name in ("course.yaml", "course.yml"):
        if (folder / name).is_file():
            return folder / name
    specs_folder = folder / "course-specs"
    candidates = (
        sorted(p for p in specs_folder.iterdir() if p.suffix in SPEC_SUFFIXES)
        if specs_folder.is_dir()
        else []
    )
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise CourseError(
            f"no course spec found: expected {folder / 'course.yaml'} or one spec in {specs_folder}"
        )
    names = ", ".join(str(c.relative_to(folder)) for c in candidates)
    raise CourseError(f"several course specs in {specs_folder} ({names}); name the one to build")


def load_spec(spec_file: Path | str) -> CourseSpec:
    """Read and check a spec; every problem is a CourseError naming file and line."""
    spec_file = Path(spec_file)
    if not spec_file.is_file():
        raise CourseError("course spec not found", spec_file)
    root = course_root(spec_file)
    if spec_file.suffix == ".xml":
        spec = read_xml_spec(spec_file, root)
    elif spec_file.suffix in (".yaml", ".yml"):
        spec = read_yaml_spec(spec_file, root)
    else:
        raise CourseError("unknown spec format: expected a .yaml, .yml or .xml file", spec_file)
    output = _check_paths(spec)
    return dataclasses.replace(spec, output=output.as_posix())


def _inside_root(spec: CourseSpec, path: str, what: str, line: int | None) -> PurePosixPath:
    """A path from the spec, as a normalised relative path that stays in the course root."""
    posix = PurePosixPath(path.replace("\\", "/"))
    parts: list[str] = []
    for part in posix.parts:
        if part == "..":
            if not parts:
                parts = ["..", *parts]
                break
            parts.pop()
        elif part != ".":
            parts.append(part)
    if posix.is_absolute() or (parts and parts[0] == "..") or ":" in path:
        raise CourseError(
            f"{what} '{path}' leaves the course root {spec.root}; give a path relative to it",
            spec.file,
            line,
        )
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def _check_paths(spec: CourseSpec) -> PurePosixPath:
    output = _inside_root(spec, spec.output, "the output folder", spec.output_line)
    if output == PurePosixPath("."):
        raise CourseError(
            "the output folder cannot be the course root itself; use a subfolder such as 'output'",
            spec.file,
            spec.output_line,
        )
    forbidden = [("slides", "slides/"), ("templates", "templates/"), (".clm", ".clm/")]
    for group in spec.dir_groups:
        source = _inside_root(spec, group.path, "the dir-group path", group.line)
        if not (spec.root / source).is_dir():
            raise CourseError(
                f"dir-group folder '{group.path}' does not exist", spec.file, group.line
            )
        for subdir in group.subdirs or ():
            _inside_root(spec, f"{group.path}/{subdir}", "the dir-group subdir", group.line)
        forbidden.append((source.as_posix(), f"the dir-group path '{group.path}'"))
    for folder, what in forbidden:
        folder_path = PurePosixPath(folder)
        if output == folder_path or folder_path in output.parents:
            raise CourseError(
                f"the output folder '{spec.output}' lies inside {what}; clm would read its own "
                "outputs as sources. Choose a folder outside it, e.g. 'output'",
                spec.file,
                spec.output_line,
            )
    return output
