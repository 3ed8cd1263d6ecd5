"""CLM 1.35's XML vocabulary: what clm honours, what it ignores with one warning, what it refuses."""

from __future__ import annotations

import pytest

from clm.course.discovery import build_course
from clm.errors import CourseError
from clm.spec import load_spec

SPEC = """\
<?xml version="1.0" encoding="UTF-8"?>
<course>
    <name><de>Kurs</de><en>Course</en></name>
    <prog-lang>python</prog-lang>
    <project-slug>course</project-slug>
    <author>Dr. Jane Smith</author>
    <organization><de>Meine Akademie</de><en>My Academy</en></organization>
    <kernel-python>.venv</kernel-python>
    <github>
        <repository-base>https://github.com/example</repository-base>
        <include-speaker>true</include-speaker>
    </github>
    <sections>
        <section id="w01" optional="true" module="module_100_basics">
            <name>Woche 1</name>
            <topics>
                <subsection weekday="mon">
                    <name><de>Montag</de><en>Monday</en></name>
                    <topic>intro</topic>
                    <activity kind="project"><de>Projekt</de><en>Project</en></activity>
                </subsection>
                <subsection weekday="tue" enabled="false">
                    <topic>not_written_yet</topic>
                </subsection>
                <topic id="static" evaluate="no" author="Prof. Bob" export="false"/>
                <topic id="flaky" skip-errors="yes" http-replay="true">
                    <include source="shared/helpers" as="helpers"/>
                </topic>
            </topics>
        </section>
        <section enabled="false">
            <name>Roadmap</name>
            <topics><topic>does_not_exist</topic></topics>
        </section>
        <section module="module_200_archive">
            <name><de>Archiv</de></name>
            <topics><topic>intro</topic></topics>
        </section>
    </sections>
    <dir-groups>
        <dir-group include-root-files="true" recursive="false" lang="de">
            <name><de>Beispiele</de><en>Examples</en></name>
            <path>code</path>
            <subdirs><subdir>one</subdir></subdirs>
        </dir-group>
    </dir-groups>
    <output-targets>
        <output-target name="students"><path>./output/students</path></output-target>
    </output-targets>
    <tasks><task name="t"><step>build {spec}</step></task></tasks>
</course>
"""

FILES = {
    "slides/module_100_basics/topic_100_intro/slides_intro.py": "# %%\nx = 1\n",
    "slides/module_100_basics/topic_110_static/slides_static.py": "# %%\nx = 1\n",
    "slides/module_100_basics/topic_120_flaky/slides_flaky.py": "# %%\nx = 1\n",
    "slides/module_200_archive/topic_100_intro/slides_intro.py": "# %%\nx = 2\n",
    "code/README.md": "read me",
    "code/one/a.py": "a",
    "code/one/deeper/b.py": "b",
    "code/two/c.py": "c",
}


def _spec(make_course, text: str = SPEC):
    return load_spec(make_course(text, FILES, name="course-specs/course.xml"))


def test_clms_settings_are_honoured(make_course):
    spec = _spec(make_course)
    assert spec.author == "Dr. Jane Smith"
    assert spec.organization.get("de") == "Meine Akademie"
    assert spec.kernel_python == ".venv" and spec.kernel_python_line == 8
    assert spec.templates is None, "a CLM spec uses no templates folder it does not name"
    assert [s.name.get("en") for s in spec.sections] == ["Woche 1", "Archiv"]
    topics = spec.sections[0].topics
    assert [t.id for t in topics] == ["intro", "static", "flaky"]
    static, flaky = topics[1], topics[2]
    assert static.evaluate is False and static.author == "Prof. Bob"
    # CLM's skip-errors clears the cells that raised: not allow-errors, which shows them.
    assert (flaky.skip_errors, flaky.allow_errors) == (True, None)
    (include,) = flaky.includes
    assert (include.source, include.into, include.optional) == ("shared/helpers", "helpers", False)
    assert spec.sections[1].topics[0].module == "module_200_archive"
    (group,) = spec.dir_groups
    assert (group.include_root_files, group.recursive, group.lang) == (True, False, "de")
    assert group.name.get("en") == "Examples"


def test_what_clm_ignores_is_one_warning_naming_each_setting_and_why(make_course):
    spec = _spec(make_course)
    (warning,) = [w for w in spec.warnings if "ignores" in w]
    for word in (
        "<github>",
        "<tasks>",
        "<activity>",
        'http-replay="…" on <topic>',
        'id="…" on <section>',
        'weekday="…" on <subsection>',
    ):
        assert word in warning, word
    assert "<project-slug>" not in warning and "<output-targets>" not in warning
    assert "<include>" not in warning  # clm splices includes as CLM does
    assert spec.project_slug == "course"
    (target,) = spec.output_targets
    assert (target.name, target.path) == ("students", "output/students")
    assert "course.xml:9:" in warning  # the first ignored setting's line
    assert "git repositories" in warning


def test_a_module_binding_picks_the_topic_of_that_module(make_course):
    course = build_course(_spec(make_course))
    archive = course.sections[1].topics[0]
    assert archive.path == "slides/module_200_archive/topic_100_intro"


def test_dir_group_attributes_choose_files_and_language(make_course):
    course = build_course(_spec(make_course))
    (group,) = course.dir_groups
    assert sorted(f.relative for f in group.files) == ["README.md", "one/a.py"]
    assert group.lang == "de"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "<project-slug>course</project-slug>",
            "<project-slag>course</project-slag>",
            "unknown element <project-slag>",
        ),
        (
            "<project-slug>course</project-slug>",
            "<project-slag>course</project-slag>",
            "did you mean <project-slug>?",
        ),
        ('evaluate="no"', 'evalute="no"', "did you mean 'evaluate'?"),
        ('<topic id="static"', '<topic id="static" skip-error="1"', "'skip-errors'"),
        ('<topic id="flaky"', '<topic id="flaky" evaluate="maybe"', "must be true or false"),
        ('<topic id="flaky"', "<topic", "has no id"),
        ('<topic id="static" ', '<topic id="static" html="" ', None),
        (
            "<topic>intro</topic>\n                    <activity",
            '<topic id="x">intro</topic>\n                    <activity',
            "give the id once",
        ),
        ('lang="de"', 'lang="fr"', "expected one of de, en"),
        (
            "<include-speaker>true</include-speaker>",
            "<include-speakers>true</include-speakers>",
            "did you mean <include-speaker>?",
        ),
        (
            '<section module="module_200_archive">',
            '<section module="module_300_gone">',
            "is not in the module slides/module_300_gone/",
        ),
        ("<course>", '<course max-path-length="-1">', "a whole number of characters"),
        ("<course>", '<course long-paths="fail">', "expected one of warn, error, ignore"),
    ],
)
def test_mistakes_are_errors_with_the_line(make_course, old, new, message):
    text = SPEC.replace(old, new, 1)
    assert text != SPEC
    if message is None:
        _spec(make_course, text)
        return
    spec_file = make_course(text, FILES, name="course-specs/course.xml")
    with pytest.raises(CourseError) as caught:
        build_course(load_spec(spec_file))
    assert message in str(caught.value)
    assert caught.value.path == spec_file and caught.value.line is not None


def test_a_topic_id_written_after_a_child_element_is_refused(make_course):
    text = SPEC.replace(
        '<topic id="flaky" skip-errors="yes" http-replay="true">',
        '<topic skip-errors="yes">',
    ).replace('as="helpers"/>', 'as="helpers"/>\n                    flaky')
    with pytest.raises(CourseError, match='the text "flaky" after a child element'):
        _spec(make_course, text)
