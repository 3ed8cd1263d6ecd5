"""PlantUML through the real jar: pictures, dpi, layout without graphviz, errors."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from clm.diagrams import tools
from clm.diagrams.errors import DiagramError, MissingTool
from clm.diagrams.plantuml import PlantUml, block_count, diagram_blocks
from tests.diagrams.pictures import assert_drawing

SEQUENCE = b"""@startuml
Alice -> Bob: Guten Tag
Bob --> Alice: Hello
@enduml
"""
CLASS = b"""@startuml
class Course {
  +name: str
}
class Deck
Course "1" *-- "many" Deck
@enduml
"""
ACTIVITY = b"""@startuml
start
:Read the spec;
if (changed?) then (yes)
  :rebuild;
else (no)
endif
stop
@enduml
"""

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="needs Java (setup.sh)")


@pytest.fixture(scope="module")
def plantuml():
    converter = PlantUml()
    yield converter
    converter.close()


@pytest.mark.parametrize("data", [SEQUENCE, CLASS, ACTIVITY], ids=["sequence", "class", "activity"])
def test_renders_png_and_svg_of_the_same_drawing(plantuml, data):
    files = dict(plantuml.render("pu/flow.puml", data, ("png", "svg")))
    assert set(files) == {"flow.png", "flow.svg"}
    ET.fromstring(files["flow.svg"])
    image = assert_drawing(files["flow.png"], files["flow.svg"])
    # 200 dpi against the SVG's 96: the PNG is about twice as large.
    assert image.width > 1.8 * float(ET.fromstring(files["flow.svg"]).get("width").rstrip("px"))


def test_one_jvm_serves_every_diagram(plantuml):
    for data in (SEQUENCE, CLASS, ACTIVITY):
        plantuml.render("x.puml", data, ("png",))
    assert plantuml.started == 1


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_class_diagram_without_graphviz_uses_plantumls_own_layout(monkeypatch, tmp_path):
    java = tools.java()
    (tmp_path / "java").symlink_to(java)
    monkeypatch.setenv("PATH", str(tmp_path))  # java only: no dot
    assert tools.dot() is None
    converter = PlantUml()
    try:
        files = dict(converter.render("pu/classes.puml", CLASS, ("png", "svg")))
    finally:
        converter.close()
    assert_drawing(files["classes.png"], files["classes.svg"])


def test_a_syntax_error_names_the_line_in_the_file(plantuml):
    source = b"' the spec reader\n\n@startuml\nAlice -> Bob: fine\nthis is no plantuml\n@enduml\n"
    for formats in (("png",), ("svg",)):
        with pytest.raises(DiagramError, match=r"^pu/bad\.puml:5: PlantUML: Syntax Error"):
            plantuml.render("pu/bad.puml", source, formats)
    # The pipe stays usable after an error.
    assert dict(plantuml.render("pu/ok.puml", SEQUENCE, ("png",)))["ok.png"][:4] == b"\x89PNG"


def test_unbalanced_or_empty_sources_are_reported_without_a_jvm():
    converter = PlantUml()
    with pytest.raises(DiagramError, match=r"^a\.puml:2: @startuml has no matching @enduml"):
        converter.render("a.puml", b"\n@startuml\nAlice -> Bob\n", ("png",))
    with pytest.raises(DiagramError, match=r"^b\.puml:1: no @startuml found"):
        converter.render("b.puml", b"Alice -> Bob\n", ("png",))
    assert converter.started == 0


def test_each_start_block_gives_its_own_picture(plantuml):
    data = SEQUENCE + b"\n@startmindmap\n* Course\n** Deck\n@endmindmap\n"
    assert block_count(data) == 2
    assert [line for line, _ in diagram_blocks(data.decode())] == [1, 6]
    files = dict(plantuml.render("pu/two.puml", data, ("png",)))
    assert set(files) == {"two.png", "two-2.png"}
    assert files["two.png"] != files["two-2.png"]


def test_a_files_own_dpi_wins(plantuml):
    own = SEQUENCE.replace(b"@startuml\n", b"@startuml\nskinparam dpi 96\n")
    small = dict(plantuml.render("s.puml", own, ("png",)))["s.png"]
    large = dict(plantuml.render("s.puml", SEQUENCE, ("png",)))["s.png"]
    assert len(small) < len(large)


def test_renders_are_repeatable(plantuml):
    first = plantuml.render("r.puml", ACTIVITY, ("png", "svg"))
    assert plantuml.render("r.puml", ACTIVITY, ("png", "svg")) == first


def test_a_missing_jar_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("CLM_PLANTUML_JAR", str(tmp_path / "nowhere.jar"))
    with pytest.raises(MissingTool, match=r"nowhere\.jar, which is no file: .*run `clm setup`"):
        PlantUml().render("x.puml", SEQUENCE, ("png",))


def test_includes_resolve_beside_the_file_and_are_found_for_dependencies(plantuml, tmp_path):
    from clm.diagrams.plantuml import includes

    (tmp_path / "pu" / "shared").mkdir(parents=True)
    (tmp_path / "pu" / "shared" / "style.iuml").write_text(
        "!include colors.iuml\nparticipant StyleMarker\n"
    )
    (tmp_path / "pu" / "shared" / "colors.iuml").write_text("participant ColorMarker\n")
    main = tmp_path / "pu" / "main.puml"
    main.write_text("@startuml\n!include shared/style.iuml\nAlice -> Bob\n@enduml\n")
    assert sorted(p.name for p in includes(main)) == ["colors.iuml", "style.iuml"]
    svg = dict(plantuml.render(str(main), main.read_bytes(), ("svg",)))["main.svg"]
    assert b"StyleMarker" in svg and b"ColorMarker" in svg
    assert block_count((tmp_path / "pu" / "shared" / "style.iuml").read_bytes()) == 0
