"""Every XML example in CLM 1.35's own documentation is a spec clm reads (honoured or
warned about, never refused).

The documentation is read from CLM's wheel, which scripts/setup.sh fetches from
PyPI (CLM is not installed). Its examples are often fragments (a <section>, a
<topic>, an <output-target>): each is placed where CLM's format puts it, in
the smallest course around it. Comments are dropped first: one example has
"--" inside a comment, which no XML parser accepts, CLM's included.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from clm.spec.xml_reader import read_xml_spec

CLM_VERSION = "1.35.0"
WHEEL = (
    Path(sys.prefix)
    / "share"
    / "clm"
    / f"coding_academy_lecture_manager-{CLM_VERSION}-py3-none-any.whl"
)
TOPICS = "<topics><topic>intro</topic></topics>"
SECTIONS = f"<sections><section><name>S</name>{TOPICS}</section></sections>"
# Where a fragment goes, by its root element ({} is the fragment).
PLACES = {
    "section": "<sections>{}</sections>",
    "topic": "<sections><section><name>S</name><topics>{}</topics></section></sections>",
    "subsection": "<sections><section><name>S</name><topics>{}</topics></section></sections>",
    "activity": (
        "<sections><section><name>S</name><topics><subsection>{}</subsection></topics>"
        "</section></sections>"
    ),
    "include": (
        '<sections><section><name>S</name><topics><topic id="intro">{}</topic></topics>'
        "</section></sections>"
    ),
    "dir-group": "<dir-groups>{}</dir-groups>",
    "name": "<dir-groups><dir-group>{}<path>code</path></dir-group></dir-groups>",
    "output-target": "<output-targets>{}</output-targets>",
    "channel": '<release-channels source-target="t">{}</release-channels>',
    "task": "<tasks>{}</tasks>",
}


def _examples() -> list[tuple[str, str]]:
    if not WHEEL.is_file():
        return []
    found = []
    with zipfile.ZipFile(WHEEL) as wheel:
        for name in sorted(wheel.namelist()):
            if not (name.startswith("clm/cli/info_topics/") and name.endswith(".md")):
                continue
            text = wheel.read(name).decode("utf-8")
            for block in re.finditer(r"```xml\n(.*?)```", text, re.S):
                line = text.count("\n", 0, block.start()) + 1
                found.append((f"{Path(name).name}:{line}", block.group(1)))
    return found


def _as_course(example: str) -> str:
    body = re.sub(r"<\?xml[^>]*\?>", "", example)
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    elements = [e for e in ET.fromstring(f"<example>{body}</example>") if isinstance(e.tag, str)]
    if len(elements) == 1 and elements[0].tag == "course":
        course = elements[0]  # a whole spec; "…" may stand for its name and sections
        if course.find("name") is None:
            course.insert(0, ET.fromstring("<name>Course</name>"))
        if course.find("sections") is None:
            course.append(ET.fromstring(SECTIONS))
        return ET.tostring(course, encoding="unicode")
    placed = "".join(
        PLACES.get(e.tag, "{}").format(ET.tostring(e, encoding="unicode")) for e in elements
    )
    if not any(
        e.tag in ("section", "topic", "subsection", "activity", "include") for e in elements
    ):
        placed += SECTIONS
    return f"<course><name>Course</name>{placed}</course>"


EXAMPLES = _examples()


def test_the_documentation_is_there():
    assert WHEEL.is_file(), f"{WHEEL} is missing: run scripts/setup.sh"
    assert len(EXAMPLES) >= 40, "CLM 1.35 documents its XML in some 40 examples"


@pytest.mark.parametrize(("where", "example"), EXAMPLES, ids=[where for where, _ in EXAMPLES])
def test_every_example_of_clms_documentation_is_read(tmp_path, where, example):
    spec_file = tmp_path / "course-specs" / "course.xml"
    spec_file.parent.mkdir()
    spec_file.write_text(_as_course(example), encoding="utf-8")
    spec = read_xml_spec(spec_file, tmp_path)  # raises CourseError for a refused spec
    assert spec.name.get("en")
    ignored = [w for w in spec.warnings if "clm builds this CLM spec but ignores" in w]
    assert len(ignored) <= 1, "one warning per spec lists what clm ignores"
