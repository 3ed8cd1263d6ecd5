"""A dir-group's subdirs stay inside its path, exist, and are listed once; the output
folder is checked where it really is, with symlinks resolved (issue items 1 and 5)."""

from __future__ import annotations

import os

import pytest

from clm.errors import CourseError
from clm.spec import load_spec

SPEC = """\
name: K
sections: []
dir-groups:
  - name: B
    path: div/a/b/c/d
    subdirs:
      - x
      - {subdir}
"""

FILES = {"div/a/b/c/d/x/one.txt": "1", "div/a/b/c/d/y/two.txt": "2", "div/a/b/c/d/y/z/t": "3"}


@pytest.mark.parametrize(
    ("subdir", "message"),
    [
        ('"../../../../../slides"', "must name a folder inside that path"),
        ('"../../../../../../../outside"', "must name a folder inside that path"),
        ("y/../../x", "must name a folder inside that path"),
        ("/etc", "must name a folder inside that path"),
        ('"C:/x"', "must name a folder inside that path"),
        ('"."', "must name a folder inside that path"),
        ("missing", "the subdir 'missing' of the dir-group 'div/a/b/c/d' does not exist"),
        ("x", "is already copied by the subdir 'x' (line 7)"),
        ("./x/", "is already copied by the subdir 'x' (line 7)"),
        ("x/deeper", "is already copied by the subdir 'x' (line 7)"),
    ],
)
def test_bad_subdirs_name_their_line(make_course, subdir, message):
    spec_file = make_course(SPEC.format(subdir=subdir), {**FILES, "div/a/b/c/d/x/deeper/f": ""})
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert message in str(caught.value)
    assert (caught.value.path, caught.value.line) == (spec_file, 8)


def test_a_subdir_holding_an_earlier_one_is_an_error(make_course):
    spec_file = make_course(SPEC.replace("- x", "- y/z").format(subdir="y"), FILES)
    with pytest.raises(CourseError, match="holds the subdir 'y/z' \\(line 7\\)") as caught:
        load_spec(spec_file)
    assert caught.value.line == 8


def test_plain_and_nested_subdirs_are_normalised(make_course):
    spec = load_spec(make_course(SPEC.format(subdir="./y/z/"), FILES))
    assert spec.dir_groups[0].subdirs == ("x", "y/z")
    assert spec.dir_groups[0].path == "div/a/b/c/d"


XML = """\
<course>
    <name>K</name>
    <sections/>
    <dir-groups>
        <dir-group>
            <name>B</name>
            <path>div/a/b/c/d</path>
            <subdirs>
                <subdir>x</subdir>
                <subdir>{subdir}</subdir>
            </subdirs>
        </dir-group>
    </dir-groups>
</course>
"""


@pytest.mark.parametrize(
    ("subdir", "message"),
    [
        ("../../../../../slides", "must name a folder inside that path"),
        ("missing", "does not exist: there is no folder div/a/b/c/d/missing"),
    ],
)
def test_xml_subdirs_are_checked_at_their_line(make_course, subdir, message):
    spec_file = make_course(XML.format(subdir=subdir), FILES, name="course-specs/k.xml")
    with pytest.raises(CourseError, match=message) as caught:
        load_spec(spec_file)
    assert (caught.value.path, caught.value.line) == (spec_file, 10)


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_a_subdir_symlinked_out_of_the_course_is_an_error(make_course, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    spec_file = make_course(SPEC.format(subdir="link"), FILES)
    os.symlink(outside, spec_file.parent / "div/a/b/c/d/link")
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert caught.value.line == 8
    assert f"div/a/b/c/d/link is a symlink to {outside}, outside the course root" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("slides/out", "lies inside slides/ (through the symlink out → "),
        ("templates", "lies inside templates/ (through the symlink out → "),
        ("div", "lies inside the dir-group path 'div/a/b/c/d'"),
        (".", "the course root itself"),
        ("..", "outside the course"),
    ],
)
@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_an_output_folder_symlinked_into_the_sources_is_refused(make_course, target, message):
    spec_file = make_course(SPEC.format(subdir="y") + "output: out\n", FILES)
    root = spec_file.parent
    (root / "slides/out").mkdir(parents=True)
    (root / "templates").mkdir()
    link_target = {"div": "div/a/b/c/d/y"}.get(target, target)
    os.symlink(link_target, root / "out")
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert message in str(caught.value)
    assert (caught.value.path, caught.value.line) == (spec_file, 9)


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_an_output_folder_below_a_symlinked_folder_is_refused(make_course):
    spec_file = make_course("name: K\nsections: []\noutput: build/out\n", {})
    root = spec_file.parent
    os.symlink("slides", root / "build")
    with pytest.raises(CourseError, match="lies inside slides/ \\(through the symlink build"):
        load_spec(spec_file)


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_an_output_folder_linked_out_of_the_course_needs_allow_outside(make_course, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    spec_file = make_course("name: K\nsections: []\noutput: out\n", {})
    os.symlink(site, spec_file.parent / "out")
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert f"the output folder 'out' resolves to {site} (through the symlink out" in str(
        caught.value
    )
    assert caught.value.line == 3
    spec_file.write_text("name: K\nsections: []\noutput: out\nallow-outside: [../site]\n")
    assert load_spec(spec_file).output == "out"
