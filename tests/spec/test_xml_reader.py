from __future__ import annotations

import pytest

from clm.errors import CourseError
from clm.spec import load_spec

XML_SPEC = """\
<?xml version="1.0" encoding="UTF-8"?>
<course cell-timeout="90" code-along-code="true">
    <name>
        <de>Mein Kurs</de>
        <en>My Course</en>
    </name>
    <prog-lang>python</prog-lang>
    <description><de>Beschreibung</de><en>Description</en></description>
    <certificate><de>Zertifikat</de><en>Certificate</en></certificate>
    <github><de>https://example.org/de</de><en>https://example.org/en</en></github>
    <sections>
        <section>
            <name><de>Woche 1</de><en>Week 1</en></name>
            <topics>
                <topic>intro</topic>
                <topic html="false">setup</topic>
                <topic allow-errors="true" skip-errors="no">errors
                    <dir-group><name>Extra</name><path>div/extra</path></dir-group>
                </topic>
            </topics>
        </section>
        <section>
            <name><de>Ohne Themen</de><en>No topics</en></name>
        </section>
    </sections>
    <dir-groups>
        <dir-group>
            <name>Code/Solutions</name>
            <path>code/solutions</path>
            <subdirs><subdir>Example_1</subdir><subdir>Example_3</subdir></subdirs>
        </dir-group>
        <dir-group><name></name><path>root-files</path></dir-group>
    </dir-groups>
</course>
"""

FILES = {
    "div/extra/a.txt": "a",
    "code/solutions/Example_1/x.py": "",
    "code/solutions/Example_3/y.py": "",
    "root-files/r.md": "",
}


def test_reads_a_clm_spec(make_course):
    spec = load_spec(make_course(XML_SPEC, FILES, name="course-specs/course.xml"))
    assert spec.name.get("de") == "Mein Kurs" and spec.name.get("en") == "My Course"
    assert spec.cell_timeout == 90 and spec.code_along_code is True
    assert len(spec.sections) == 1
    assert [(t.id, t.html, t.allow_errors, t.skip_errors) for t in spec.sections[0].topics] == [
        ("intro", True, None, None),
        ("setup", False, None, None),
        ("errors", True, True, False),
    ]
    assert [(g.name.get("en"), g.path, g.subdirs) for g in spec.dir_groups] == [
        ("Extra", "div/extra", None),
        ("Code/Solutions", "code/solutions", ("Example_1", "Example_3")),
        ("", "root-files", None),
    ]
    assert spec.metadata["github"].get("en") == "https://example.org/en"
    assert any("has no <topics>; it is skipped" in w for w in spec.warnings)


def test_html_attribute_reading_as_true_still_disables_html_with_a_warning(make_course):
    text = XML_SPEC.replace('<topic html="false">setup', '<topic html="yes">setup')
    spec = load_spec(make_course(text, FILES, name="course-specs/course.xml"))
    assert spec.sections[0].topics[1].html is False
    assert any('html="yes"' in w for w in spec.warnings)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "<prog-lang>python</prog-lang>",
            "<prog-language>python</prog-language>",
            7,
            "unknown element <prog-language>",
        ),
        ("<topic>intro</topic>", "<topic></topic>", 15, "<topic> has no id"),
        ('cell-timeout="90"', 'cell-timeout="soon"', 2, "positive number of seconds"),
        ("<de>Woche 1</de>", "Woche<de>Woche 1</de>", 13, "mixes plain text"),
        ("<de>Woche 1</de>", "<fr>Semaine 1</fr>", 13, "unknown element <fr>"),
        ("<path>root-files</path>", "<path>../x</path>", 32, "leaves the course root"),
        ("</course>", "", 33, "not well-formed XML"),
        ("<de>Mein Kurs</de>", "<de></de>", 3, "the course name (de) is empty"),
        ("<de>Mein Kurs</de>", "<de>  </de>", 3, "the course name (de) is empty"),
        ("<de>Mein Kurs</de>", "<de>//</de>", 3, "the course name (de) '//' leaves only '__'"),
        ('encoding="UTF-8"', 'encoding="klingon"', 1, "names an encoding Python does not know"),
        ("<name>Extra</name>", "<name>code/solutions</name>", 27, "differ only in case"),
    ],
)
def test_errors_name_file_and_line(make_course, old, new, line, message):
    text = XML_SPEC.replace(old, new, 1)
    if old == "</course>":
        text = text.rstrip()[: -len("</course>")] + "\n"
    spec_file = make_course(text, FILES, name="course-specs/course.xml")
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert message in str(caught.value)
    assert caught.value.path == spec_file
    assert caught.value.line == line


def test_skip_errors_is_read_apart_from_allow_errors(make_course):
    text = XML_SPEC.replace(
        '<course cell-timeout="90"', '<course skip-errors="yes" cell-timeout="90"'
    )
    text = text.replace("<topic>intro</topic>", '<topic skip-errors="no">intro</topic>')
    spec = load_spec(make_course(text, FILES, name="course-specs/course.xml"))
    assert (spec.skip_errors, spec.allow_errors) == (True, False)
    intro = spec.sections[0].topics[0]
    assert (intro.skip_errors, intro.allow_errors) == (False, None)


def test_mathjax_is_an_attribute_of_course_and_local_without_it(make_course):
    spec = load_spec(make_course(XML_SPEC, FILES, name="course-specs/course.xml"))
    assert spec.mathjax == "local"
    text = XML_SPEC.replace('<course cell-timeout="90"', '<course mathjax="cdn" cell-timeout="90"')
    spec = load_spec(make_course(text, FILES, name="course-specs/course.xml"))
    assert spec.mathjax == "cdn"
    text = XML_SPEC.replace(
        '<course cell-timeout="90"', '<course mathjax="nearby" cell-timeout="90"'
    )
    with pytest.raises(CourseError) as caught:
        load_spec(make_course(text, FILES, name="course-specs/course.xml"))
    assert caught.value.line == 2
    assert "unknown mathjax setting 'nearby'" in str(caught.value)
