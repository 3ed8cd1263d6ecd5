"""Find and read course specs: YAML natively, CLM XML unchanged."""

from __future__ import annotations

import os
from pathlib import Path

from clm.errors import CourseError
from clm.spec.model import CourseSpec, DirGroupSpec, SectionSpec, Text, TopicRef

__all__ = [
    "CourseSpec",
    "DirGroupSpec",
    "SectionSpec",
    "Text",
    "TopicRef",
    "course_root",
    "course_specs",
    "default_spec",
    "load_spec",
    "locate_spec",
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


def course_specs(folder: Path) -> list[Path]:
    """The specs of the course in ``folder``: ``course.yaml``, else those in ``course-specs/``."""
    for name in ("course.yaml", "course.yml"):
        if (folder / name).is_file():
            return [folder / name]
    specs_folder = folder / "course-specs"
    if not specs_folder.is_dir():
        return []
    return sorted(p for p in specs_folder.iterdir() if p.suffix in SPEC_SUFFIXES)


def default_spec(folder: Path) -> Path:
    """``course.yaml`` in the folder, else the single spec in ``course-specs/``."""
    specs_folder = folder / "course-specs"
    candidates = course_specs(folder)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise CourseError(
            f"no course spec found: expected {folder / 'course.yaml'} or one spec in {specs_folder}"
        )
    names = ", ".join(str(c.relative_to(folder)) for c in candidates)
    raise CourseError(f"several course specs in {specs_folder} ({names}); name the one to build")


def locate_spec(spec: str | os.PathLike | None, folder: Path | None = None) -> Path:
    """The spec a command means, as an absolute path: the one named, else the default
    spec of ``folder`` (the working directory); CourseError when there is none."""
    if spec is not None:
        return Path(spec).resolve()
    return default_spec(folder or Path.cwd()).resolve()


def load_spec(spec_file: Path | str) -> CourseSpec:
    """Read and check a spec; every problem is a CourseError naming file and line."""
    # The readers and checks (and YAML) are imported only to read a spec: a build that
    # finds nothing changed never does.
    from clm.spec.checks import check_spec
    from clm.spec.xml_reader import read_xml_spec
    from clm.spec.yaml_reader import read_yaml_spec

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
    return check_spec(spec)
