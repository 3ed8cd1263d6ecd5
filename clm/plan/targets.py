"""The output targets of a course: which folder gets which kinds, formats and languages.

A spec chooses one of three shapes (clm.spec.model.LAYOUTS):

- CLM 1.35's default tiers, by access: ``shared`` (code-along and completed,
  for students), ``trainer`` (those and the trainer kind) and ``speaker`` (the
  recording kind), each below the output folder;
- the targets of its ``<output-targets>`` (YAML ``output-targets:``), which
  replace the tiers;
- the classic tree clm and CLM wrote until 2025, ``public/`` and ``speaker/``,
  for courses whose publishing scripts expect it (``output-layout: classic``).
"""

from __future__ import annotations

from dataclasses import dataclass

from clm.course.model import Course
from clm.plan.variants import ALL_FORMATS, RULES, Format, Kind

# What a target that lists no kinds holds: every kind, as in CLM 1.35.
DEFAULT_KINDS = tuple(Kind)
TIERS = (
    ("shared", (Kind.CODE_ALONG, Kind.COMPLETED)),
    ("trainer", (Kind.CODE_ALONG, Kind.COMPLETED, Kind.TRAINER)),
    ("speaker", (Kind.RECORDING,)),
)


@dataclass(frozen=True)
class Target:
    """One folder of outputs and what it holds."""

    name: str
    path: str  # POSIX, relative to the course root
    kinds: tuple[Kind, ...]
    formats: tuple[Format, ...] = ALL_FORMATS
    languages: tuple[str, ...] = ()  # empty: every language of the course
    classic: bool = False  # the 2025 tree: <path>/<Lang>/<course name>/…
    dir_groups: bool = True  # dir-groups are copied into it
    # The folder whose real location its files must stay in (clm.paths.guarding_folder):
    # the output folder for a target inside it, else the target's own, as checked in
    # the spec. A target folder inside the output folder may not be a symlink elsewhere.
    guard: str = ""

    @property
    def for_students(self) -> bool:
        """Whether it holds student kinds only: nothing in it may show trainer text."""
        return all(RULES[kind].for_students for kind in self.kinds)

    def shows(self, lang: str) -> bool:
        return not self.languages or lang in self.languages


def course_targets(course: Course) -> tuple[Target, ...]:
    """The targets the course's spec asks for, in the spec's order."""
    output = course.output

    def guard(path: str) -> str:
        return output if path.startswith(f"{output}/") else path

    if course.output_layout == "classic":
        return (
            Target(
                "public",
                f"{output}/public",
                (Kind.CODE_ALONG, Kind.COMPLETED),
                classic=True,
                guard=output,
            ),
            Target(
                "speaker",
                f"{output}/speaker",
                (Kind.RECORDING,),
                classic=True,
                dir_groups=False,
                guard=output,
            ),
        )
    if course.output_targets:
        return tuple(
            Target(
                spec.name,
                spec.path,
                tuple(Kind(kind) for kind in spec.kinds) or DEFAULT_KINDS,
                tuple(Format(fmt) for fmt in spec.formats) or ALL_FORMATS,
                spec.languages,
                guard=guard(spec.path),
            )
            for spec in course.output_targets
        )
    return tuple(Target(name, f"{output}/{name}", kinds, guard=output) for name, kinds in TIERS)


def select_targets(targets: tuple[Target, ...], names: tuple[str, ...]) -> tuple[Target, ...]:
    """The targets ``clm build --targets`` names, in the spec's order; ValueError naming an
    unknown one."""
    known = {target.name for target in targets}
    for name in names:
        if name not in known:
            raise ValueError(
                f"--targets: the course has no target '{name}' (its targets: "
                f"{', '.join(target.name for target in targets)})"
            )
    return tuple(target for target in targets if target.name in names)
