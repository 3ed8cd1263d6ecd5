"""Output paths too long for Windows, found in one pass over the plan and told once per spec.

The limit and what a path beyond it is are the spec's (clm.spec.long_paths).
Only what the build writes into its output folders counts: people open those,
in Explorer, in zip tools and in their own programs. What clm keeps in ``.clm/``
only clm opens; its paths are the decks' own plus some 40 characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clm.errors import CourseError
from clm.plan.outputs import OutputPlan
from clm.spec import CourseSpec
from clm.spec.long_paths import COURSE_FOLDER_RESERVE, MAX_PATH_LENGTH, WINDOWS_MAX_PATH


@dataclass(frozen=True)
class LongPaths:
    """The output paths beyond a limit: how many, and the longest of them."""

    count: int
    longest: str
    length: int


def path_length(path: str) -> int:
    """``path``'s length as Windows counts it: in UTF-16 units (an emoji takes two)."""
    return len(path) if path.isascii() else len(path.encode("utf-16-le")) // 2


def long_paths(paths: Iterable[str], limit: int) -> LongPaths | None:
    """The paths longer than ``limit``; None when there are none."""
    count, longest, length = 0, "", 0
    for path in paths:
        # len() never exceeds the length in UTF-16 units: most paths end here.
        if len(path) <= limit and (path.isascii() or path_length(path) <= limit):
            continue
        count += 1
        if (units := path_length(path)) > length:
            longest, length = path, units
    return LongPaths(count, longest, length) if count else None


def check_path_lengths(spec: CourseSpec, plan: OutputPlan) -> str | None:
    """The spec's one warning about output paths longer than its max-path-length, or
    None; with ``long-paths: error`` a CourseError instead."""
    if spec.long_paths == "ignore":
        return None
    found = long_paths(plan.outputs(), spec.max_path_length)
    if found is None:
        return None
    message = _message(spec, found)
    if spec.long_paths == "error":
        raise CourseError(message, spec.file, spec.long_paths_line)
    return str(CourseError(f"warning: {message}", spec.file, spec.max_path_length_line))


def _message(spec: CourseSpec, found: LongPaths) -> str:
    limit = spec.max_path_length
    paths = "1 output path is" if found.count == 1 else f"{found.count} output paths are"
    if limit == MAX_PATH_LENGTH:
        reason = (
            f"Windows opens paths of up to {WINDOWS_MAX_PATH}, and {COURSE_FOLDER_RESERVE} are "
            "left for the course's folder, such as C:\\Users\\<name>\\Documents\\<course>\\"
        )
    else:
        reason = f"the spec's max-path-length; Windows opens paths of up to {WINDOWS_MAX_PATH}"
    part = max(found.longest.split("/"), key=path_length)
    return (
        f"{paths} longer than {limit} characters ({reason}), the longest {found.length}: "
        f"{found.longest}; shorten them: a shorter output folder ('output:', or a target's "
        f"'path:'), shorter titles or file names (the longest part of that path is '{part}', "
        f"{path_length(part)} characters), or, where the course sits in a short folder, a "
        "higher 'max-path-length' ('long-paths: ignore' checks none)"
    )
