"""<include source as optional> as both spec formats read it, and its errors."""

from __future__ import annotations

import pytest

from clm.errors import CourseError
from clm.spec import load_spec
from clm.spec.includes import merged
from clm.spec.model import IncludeSpec

XML = """\
<course>
    <name><de>Kurs</de><en>Course</en></name>
    <sections>
        <section>
            <name>Eins</name>
            <include source="shared\\helpers" as="helpers"/>
            <topics>
                <topic id="a">{topic}</topic>
            </topics>
        </section>
    </sections>
</course>
"""
YAML = """\
name: Kurs
sections:
  - name: Eins
    include: [shared/helpers]
    topics:
      - id: a
        include:
          - shared/data.csv
          - {source: shared/flow.drawio, as: drawio/flow.drawio, optional: yes}
"""


def _xml(make_course, topic: str):
    return load_spec(make_course(XML.format(topic=topic), {}, name="course-specs/course.xml"))


def test_xml_includes_of_sections_and_topics(make_course):
    spec = _xml(make_course, '<include source="./shared/data.csv" as="data/x.csv" optional="yes"/>')
    (section,) = spec.sections
    assert section.includes == (IncludeSpec("shared/helpers", "helpers", False, 6),)
    assert section.topics[0].includes == (IncludeSpec("shared/data.csv", "data/x.csv", True, 8),)


def test_yaml_includes_as_paths_or_mappings(make_course):
    spec = load_spec(make_course(YAML, {}))
    (section,) = spec.sections
    assert section.includes == (IncludeSpec("shared/helpers", "helpers", False, 4),)
    assert section.topics[0].includes == (
        IncludeSpec("shared/data.csv", "data.csv", False, 8),
        IncludeSpec("shared/flow.drawio", "drawio/flow.drawio", True, 9),
    )


@pytest.mark.parametrize(
    ("include", "message"),
    [
        ('<include as="x"/>', '<include> has no source="…"'),
        ('<include source="/etc/passwd"/>', 'source="/etc/passwd" is absolute'),
        ('<include source="C:\\data"/>', 'source="C:\\data" is absolute'),
        ('<include source="../other/x.py"/>', 'climbs out with ".."'),
        ('<include source="shared/x.py" as="../x.py"/>', 'as="../x.py" climbs out'),
        ('<include source="shared/x.py" as="img/*.png"/>', "holds a wildcard"),
        ('<include source="shared/x.py" optional="maybe"/>', 'optional="maybe"'),
        ('<include source="shared/x.py" into="y"/>', "unknown attribute 'into'"),
        (
            '<include source="a/x.py"/><include source="b/x.py"/>',
            'two <include> of one <topic> go to as="x.py" (the other on line 8)',
        ),
    ],
)
def test_a_bad_xml_include_names_the_line_and_the_fix(make_course, include, message):
    with pytest.raises(CourseError) as caught:
        _xml(make_course, include)
    assert message in str(caught.value)
    assert caught.value.line == 8


def test_a_bad_yaml_include_names_the_line(make_course):
    text = YAML.replace("shared/data.csv", "../data.csv")
    with pytest.raises(CourseError, match=r"include: source=\"../data.csv\" climbs out") as caught:
        load_spec(make_course(text, {}))
    assert caught.value.line == 8


def test_a_topics_include_replaces_its_sections_with_the_same_as():
    section = (IncludeSpec("shared/a", "lib"), IncludeSpec("shared/b", "b"))
    topic = (IncludeSpec("mine/lib", "lib"),)
    assert merged(section, topic) == (IncludeSpec("mine/lib", "lib"), IncludeSpec("shared/b", "b"))
