"""Output paths too long for Windows: one warning per spec (or an error, or nothing, as the
spec says) naming the longest path, its length, the limit and how to shorten it."""

from __future__ import annotations

import pytest

from clm.errors import CourseError
from clm.plan.path_lengths import long_paths, path_length
from clm.tasks.prepare import plan
from tests.conftest import deck_text

SPEC = """\
name: Course
sections:
  - name: One
    topics: [first, second]
dir-groups:
  - {name: Extras, path: extras}
"""
LONG = "A title that goes on " * 6  # 126 characters: its outputs pass 180
FILES = {
    "slides/module_100_a/topic_100_first.py": deck_text("Erstes", LONG.strip()),
    "slides/module_100_a/topic_110_second.py": deck_text("Zweites", "Second"),
    "extras/readme.md": "read me",
}


def _planned(make_course, settings: str = "", files: dict | None = None):
    return plan(make_course(settings + SPEC, FILES if files is None else files))


def _path_warnings(planned) -> list[str]:
    return [warning for warning in planned.warnings if "characters" in warning]


def test_one_warning_names_the_longest_path_its_length_the_limit_and_the_fixes(make_course):
    planned = _planned(make_course)
    too_long = [path for path in planned.plan.output_paths() if len(path) > 180]
    longest = max(too_long, key=len)
    (warning,) = _path_warnings(planned)  # one for the spec, not one per output
    assert warning.startswith(f"{planned.spec.file}: warning: {len(too_long)} output paths are ")
    assert "longer than 180 characters (Windows opens paths of up to 259, and 79 " in warning
    assert f"the longest {len(longest)}: {longest}; shorten them: a shorter output folder" in (
        warning
    )
    assert f"(the longest part of that path is '{longest.rsplit('/', 1)[1]}'" in warning
    assert "a higher 'max-path-length'" in warning


def test_a_path_as_long_as_the_limit_passes_and_one_character_more_does_not(make_course):
    longest = max(map(len, _planned(make_course).plan.output_paths()))
    assert not _path_warnings(_planned(make_course, f"max-path-length: {longest}\n"))
    (warning,) = _path_warnings(_planned(make_course, f"max-path-length: {longest - 1}\n"))
    # The spec's own limit is named at its line, and the number is no longer Windows' margin.
    assert ":1: warning: " in warning
    assert f"longer than {longest - 1} characters (the spec's max-path-length; " in warning
    assert "output path is longer" in warning


def test_copied_files_count_as_outputs(make_course):
    name = "a file with a long name, " * 6 + ".md"
    files = {**FILES, "slides/module_100_a/topic_100_first.py": deck_text(), f"extras/{name}": ""}
    (warning,) = _path_warnings(_planned(make_course, files=files))
    assert f"Extras/{name}" in warning


def test_with_long_paths_error_the_build_stops_at_that_line(make_course):
    with pytest.raises(CourseError) as caught:
        _planned(make_course, "long-paths: error\n")
    assert caught.value.line == 1
    assert "output paths are longer than 180 characters" in caught.value.message


def test_with_long_paths_ignore_nothing_is_said(make_course):
    assert not _path_warnings(_planned(make_course, "long-paths: ignore\n"))


def test_a_clm_xml_spec_sets_both_on_its_course_element(make_course):
    spec = make_course(
        '<course max-path-length="50" long-paths="error">\n'
        "<name>Course</name><sections><section><name>One</name><topics>"
        "<topic>first</topic></topics></section></sections></course>\n",
        {"slides/module_100_a/topic_100_first.py": deck_text("Erstes", "First")},
        name="course.xml",
    )
    with pytest.raises(CourseError) as caught:
        plan(spec)
    assert "output paths are longer than 50 characters" in str(caught.value)


def test_windows_counts_a_character_beyond_the_basic_plane_twice():
    assert path_length("Grüße") == 5
    assert path_length("\U0001f680") == 2
    assert long_paths(["ab", "a\U0001f680"], 2).longest == "a\U0001f680"
    assert long_paths(["ab", "aü"], 2) is None
