"""Symlinks are judged by where they lead: out of the course is an error naming the link
and its target, a loop is an error naming it, and allow-outside opens named folders
(issue item 2); a topic without a deck is a warning (item 5)."""

from __future__ import annotations

import os

import pytest

from clm.course.discovery import build_course
from clm.errors import CourseError
from clm.spec import load_spec
from tests.conftest import deck_text

TOPIC = "slides/module_100_a/topic_100_welcome"
SPEC = """\
name: K
sections:
  - name: One
    topics: [welcome]
"""
FILES = {f"{TOPIC}/slides_welcome.py": deck_text(), "div/group/keep.txt": "keep"}


def _course(make_course, spec=SPEC, files=None):
    spec_file = make_course(spec, {**FILES, **(files or {})})
    return spec_file, spec_file.parent


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_a_dir_group_that_is_a_symlink_to_etc_is_an_error(make_course):
    spec_file, root = _course(make_course, SPEC + "dir-groups:\n  - {name: B, path: div/etc}\n")
    os.symlink("/etc", root / "div/etc")
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert (caught.value.path, caught.value.line) == (spec_file, 6)
    assert "div/etc is a symlink to /etc, outside the course root" in str(caught.value)


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_a_dir_group_below_a_symlinked_folder_names_that_link(make_course, tmp_path):
    outside = tmp_path / "shared"
    (outside / "etc").mkdir(parents=True)
    spec_file, root = _course(make_course, SPEC + "dir-groups:\n  - {name: B, path: ext/etc}\n")
    os.symlink(outside, root / "ext")
    with pytest.raises(CourseError, match=f"ext is a symlink to {outside}, outside"):
        load_spec(spec_file)


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
@pytest.mark.parametrize("target", ["/etc/hostname", "outside.txt"])
def test_a_topic_file_symlinked_out_of_the_course_is_an_error(make_course, tmp_path, target):
    spec_file, root = _course(make_course)
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    real_target = target if target.startswith("/") else str(outside)
    os.symlink(real_target, root / TOPIC / "data.txt")
    with pytest.raises(CourseError) as caught:
        build_course(load_spec(spec_file))
    assert caught.value.path.as_posix() == f"{TOPIC}/data.txt"
    assert f"a symlink to {os.path.realpath(real_target)}, outside the course root" in str(
        caught.value
    )


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_a_file_in_a_dir_group_symlinked_out_is_an_error(make_course):
    spec_file, root = _course(make_course, SPEC + "dir-groups:\n  - {name: B, path: div/group}\n")
    os.symlink("/etc/hostname", root / "div/group/hostname")
    with pytest.raises(CourseError, match="div/group/hostname: a symlink to /etc/hostname"):
        build_course(load_spec(spec_file))


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_a_single_file_topic_and_its_siblings_are_checked(make_course, tmp_path):
    spec = SPEC.replace("[welcome]", "[loops]")
    outside = tmp_path / "numbers.txt"
    outside.write_text("1\n")
    code = 'open("numbers.txt").read()'
    spec_file, root = _course(
        make_course, spec, {"slides/module_100_a/topic_110_loops.py": deck_text(code=code)}
    )
    os.symlink(outside, root / "slides/module_100_a/numbers.txt")
    with pytest.raises(CourseError) as caught:
        build_course(load_spec(spec_file))
    assert f"module_100_a/numbers.txt: a symlink to {outside}, outside" in str(caught.value)

    os.unlink(root / "slides/module_100_a/numbers.txt")
    deck = root / "slides/module_100_a/topic_110_loops.py"
    outside_deck = tmp_path / "deck.py"
    outside_deck.write_text(deck.read_text())
    deck.unlink()
    os.symlink(outside_deck, deck)
    with pytest.raises(CourseError) as caught:
        build_course(load_spec(spec_file))
    assert (caught.value.path, caught.value.line) == (spec_file, 4)
    assert "topic_110_loops.py is a symlink to " in str(caught.value)


@pytest.mark.parametrize(
    ("make_link", "message"),
    [
        (lambda t: os.symlink("loop", t / "loop"), "a symlink loop (it leads back to itself)"),
        (lambda t: os.symlink("..", t / "up"), "a symlink loop: it leads to "),
        (lambda t: os.symlink(".", t / "here"), "a symlink loop: it leads to "),
        (lambda t: os.symlink("gone.txt", t / "dangling"), "a symlink to gone.txt, which does"),
    ],
)
def test_loops_and_dangling_links_are_errors_naming_them(make_course, make_link, message):
    spec_file, root = _course(make_course)
    make_link(root / TOPIC)
    with pytest.raises(CourseError) as caught:
        build_course(load_spec(spec_file))
    assert message in str(caught.value)
    assert caught.value.path.parent.as_posix() == TOPIC


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_two_folders_linked_to_each_other_are_a_loop(make_course):
    spec_file, root = _course(make_course, SPEC + "dir-groups:\n  - {name: B, path: div/group}\n")
    (root / "div/other").mkdir()
    os.symlink("../other", root / "div/group/to-other")
    os.symlink("../group", root / "div/other/to-group")
    with pytest.raises(CourseError, match="div/group/to-other/to-group: a symlink loop"):
        build_course(load_spec(spec_file))


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_symlinks_inside_the_course_are_followed(make_course):
    spec = SPEC + "dir-groups:\n  - {name: B, path: div/group}\n"
    spec_file, root = _course(make_course, spec, {"shared/pics/a.png": b"png", "shared/b.txt": "b"})
    os.symlink("../../shared/pics", root / "div/group/pics")
    os.symlink("../../shared/b.txt", root / "div/group/b.txt")
    course = build_course(load_spec(spec_file))
    assert [f.relative for f in course.dir_groups[0].files] == ["b.txt", "keep.txt", "pics/a.png"]


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_allow_outside_opens_the_named_folder_only(make_course, tmp_path):
    shared = tmp_path / "shared-assets"
    shared.mkdir()
    (shared / "logo.png").write_bytes(b"png")
    spec = SPEC + "allow-outside: [../shared-assets]\ndir-groups:\n  - {name: B, path: div/group}\n"
    spec_file, root = _course(make_course, spec)
    os.symlink(shared / "logo.png", root / "div/group/logo.png")
    os.symlink(shared, root / TOPIC / "assets")
    course = build_course(load_spec(spec_file))
    assert "logo.png" in [f.relative for f in course.dir_groups[0].files]
    assert "assets/logo.png" in [f.relative for f in course.sections[0].topics[0].data]

    os.symlink("/etc/hostname", root / "div/group/hostname")
    with pytest.raises(CourseError, match="hostname: a symlink to /etc/hostname"):
        build_course(load_spec(spec_file))


def test_allow_outside_in_xml_and_a_missing_folder(make_course, tmp_path):
    (tmp_path / "shared").mkdir()
    xml = '<course allow-outside="../shared, ../missing"><name>K</name><sections/></course>\n'
    spec_file = make_course(xml, {}, name="course-specs/k.xml")
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert "the allow-outside folder '../missing' does not exist" in str(caught.value)
    spec_file.write_text(xml.replace(", ../missing", ""))
    assert load_spec(spec_file).allow_outside == ("../shared",)


def test_a_topic_without_a_deck_is_a_warning(make_course):
    spec = SPEC.replace("[welcome]", "[welcome, misnamed]")
    files = {"slides/module_100_a/topic_200_misnamed/welcome.py": deck_text()}
    spec_file, _ = _course(make_course, spec, files)
    course = build_course(load_spec(spec_file))
    assert course.sections[0].topics[1].decks == ()
    assert course.warnings == (
        f"{spec_file}:4: warning: topic 'misnamed' (slides/module_100_a/topic_200_misnamed) "
        "has no deck and builds nothing: a deck's file name starts with slides_ or topic_ "
        "and ends in .py; is welcome.py meant to be slides_welcome.py?",
    )
