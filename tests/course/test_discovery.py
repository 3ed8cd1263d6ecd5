from __future__ import annotations

import pytest

from clm.course.discovery import build_course, topic_id
from clm.errors import CourseError
from clm.spec import load_spec
from tests.conftest import deck_text

SPEC = """
    name: {de: Kurs, en: Course}
    sections:
      - name: {de: Eins, en: One}
        topics: [variables, loops]
"""

FILES = {
    "slides/module_100_basics/topic_100_variables/slides_variables.py": deck_text(
        "Variablen", "Variables"
    ),
    "slides/module_100_basics/topic_100_variables/slides_more.py": deck_text("Mehr", "More"),
    "slides/module_100_basics/topic_100_variables/img/box.png": b"png",
    "slides/module_100_basics/topic_100_variables/data/values.csv": "1,2\n",
    "slides/module_100_basics/topic_100_variables/helper.py": "X = 1\n",
    "slides/module_100_basics/topic_100_variables/pu/flow.puml": "@startuml\n@enduml\n",
    "slides/module_100_basics/topic_100_variables/drawio/boxes.drawio": "<mxfile/>",
    "slides/module_100_basics/topic_100_variables/__pycache__/helper.cpython-311.pyc": b"x",
    "slides/module_100_basics/topic_100_variables/.ipynb_checkpoints/x.py": "",
    "slides/module_100_basics/topic_100_variables/notes.bak": "",
    "slides/module_100_basics/topic_100_variables/old~": "",
    "slides/module_100_basics/topic_110_loops.py": deck_text(
        "Schleifen",
        "Loops",
        'import loop_tools\nfrom pathlib import Path\nPath("numbers.txt").read_text()\n'
        '# ![Bild](img/loop.png) and "missing.txt"',
    ),
    "slides/module_100_basics/loop_tools.py": "def go(): pass\n",
    "slides/module_100_basics/numbers.txt": "1\n",
    "slides/module_100_basics/img/loop.png": b"png",
    "slides/module_100_basics/img/unused.png": b"png",
    "slides/module_100_basics/_drafts/topic_900_loops.py": deck_text(),
}


def test_topic_ids():
    assert topic_id("topic_110_loops.py") == "loops"
    assert topic_id("topic_100_variables") == "variables"
    assert topic_id("topic_100_two_words") == "two_words"
    assert topic_id("img") is None


def test_directory_and_single_file_topics(make_course):
    course = build_course(load_spec(make_course(SPEC, FILES)))
    variables, loops = course.sections[0].topics
    topic = "slides/module_100_basics/topic_100_variables"
    assert variables.decks == (f"{topic}/slides_more.py", f"{topic}/slides_variables.py")
    assert sorted(f.relative for f in variables.data) == [
        "data/values.csv",
        "helper.py",
        "img/box.png",
    ]
    assert sorted(f.relative for f in variables.execution_inputs) == [
        "data/values.csv",
        "helper.py",
    ]
    assert [d.source for d in variables.diagrams] == [
        f"{topic}/drawio/boxes.drawio",
        f"{topic}/pu/flow.puml",
    ]
    assert [d.renders for d in variables.diagrams] == [("boxes.png",), ("flow.png",)]
    assert loops.decks == ("slides/module_100_basics/topic_110_loops.py",)
    assert [f.relative for f in loops.data] == ["img/loop.png", "loop_tools.py", "numbers.txt"]
    assert [f.relative for f in loops.execution_inputs] == ["loop_tools.py", "numbers.txt"]
    decks = course.sections[0].decks
    assert [d.title("en") for d in decks] == ["More", "Variables", "Loops"]
    assert decks[1].title("de") == "Variablen"


def test_unknown_topic_suggests_close_ids(make_course):
    spec_text = SPEC.replace("[variables, loops]", "[variables, lops]")
    spec_file = make_course(spec_text, FILES)
    with pytest.raises(
        CourseError, match=r"topic 'lops' not found.*did you mean 'loops'"
    ) as caught:
        build_course(load_spec(spec_file))
    assert caught.value.path == spec_file and caught.value.line == 4


def test_an_id_found_twice_names_both_paths(make_course):
    files = {**FILES, "slides/module_200_more/topic_300_loops/slides_x.py": deck_text()}
    with pytest.raises(CourseError) as caught:
        build_course(load_spec(make_course(SPEC, files)))
    message = str(caught.value)
    assert "found twice" in message
    assert "slides/module_100_basics/topic_110_loops.py" in message
    assert "slides/module_200_more/topic_300_loops" in message
    assert caught.value.line == 4


def test_header_arguments_must_be_literals(make_course):
    files = {**FILES}
    files["slides/module_100_basics/topic_110_loops.py"] = (
        "# j2 from 'macros.j2' import header\n# {{ header(title, 'Loops') }}\n"
    )
    course = build_course(load_spec(make_course(SPEC, files)))
    deck = course.sections[0].decks[-1]
    # The deck fails alone (its tasks report the error), named after its file meanwhile.
    assert deck.error is not None and "two plain string literals" in str(deck.error)
    assert deck.error.line == 2
    assert deck.title("en") == "topic_110_loops"


def test_a_deck_without_header_is_named_after_its_file(make_course):
    files = {**FILES, "slides/module_100_basics/topic_110_loops.py": "# %%\nx = 1\n"}
    course = build_course(load_spec(make_course(SPEC, files)))
    assert course.sections[0].decks[-1].title("de") == "topic_110_loops"


def test_topics_of_a_section_bringing_different_files_at_one_path(make_course):
    files = {
        **FILES,
        "slides/module_100_basics/topic_120_other/slides_other.py": deck_text(),
        "slides/module_100_basics/topic_120_other/helper.py": "X = 2\n",
    }
    spec_text = SPEC.replace("[variables, loops]", "[variables, other]")
    course = build_course(load_spec(make_course(spec_text, files)))
    (clash,) = course.sections[0].clashes
    assert clash.relative == "helper.py"
    assert clash.topics == (
        "slides/module_100_basics/topic_100_variables",
        "slides/module_100_basics/topic_120_other",
    )
    assert "both bring 'helper.py' with different content" in clash.message
    assert set(clash.sources) <= course.sections[0].shared


def test_identical_shared_files_are_fine(make_course):
    files = {
        **FILES,
        "slides/module_100_basics/topic_120_other/slides_other.py": deck_text(),
        "slides/module_100_basics/topic_120_other/helper.py": "X = 1\n",
    }
    spec_text = SPEC.replace("[variables, loops]", "[variables, other]")
    section = build_course(load_spec(make_course(spec_text, files))).sections[0]
    assert section.clashes == ()
    assert "slides/module_100_basics/topic_120_other/helper.py" in section.shared


def test_two_diagrams_with_one_stem(make_course):
    files = {
        **FILES,
        "slides/module_100_basics/topic_100_variables/drawio/flow.drawio": "<mxfile/>",
    }
    with pytest.raises(CourseError, match="two diagram sources with the stem 'flow'"):
        build_course(load_spec(make_course(SPEC, files)))


MULTI_PAGE = (
    '<mxfile><diagram id="a" name="One"><mxGraphModel><root/></mxGraphModel></diagram>'
    '<diagram id="b" name="Two"><mxGraphModel><root/></mxGraphModel></diagram></mxfile>'
)


def test_diagrams_name_a_render_per_page_block_and_format(make_course):
    topic = "slides/module_100_basics/topic_100_variables"
    files = {
        **FILES,
        f"{topic}/drawio/boxes.drawio": MULTI_PAGE,
        f"{topic}/pu/flow.puml": "@startuml\na -> b\n@enduml\n@startuml\nc -> d\n@enduml\n",
    }
    spec_text = SPEC + "    diagram-formats: [png, svg]\n"
    course = build_course(load_spec(make_course(spec_text, files)))
    boxes, flow = course.sections[0].topics[0].diagrams
    assert boxes.renders == ("boxes.png", "boxes.svg", "boxes-2.png", "boxes-2.svg")
    assert flow.renders == ("flow.png", "flow.svg", "flow-2.png", "flow-2.svg")
    assert (boxes.converter, flow.converter) == ("drawio", "plantuml")


def test_a_committed_render_gives_way_to_the_fresh_one(make_course):
    topic = "slides/module_100_basics/topic_100_variables"
    files = {**FILES, f"{topic}/img/flow.png": b"old render", f"{topic}/img/flowers.png": b"x"}
    course = build_course(load_spec(make_course(SPEC, files)))
    data = [f.relative for f in course.sections[0].topics[0].data]
    assert "img/flow.png" not in data and "img/flowers.png" in data


def test_included_plantuml_files_are_part_of_the_diagram_not_of_the_outputs(make_course):
    topic = "slides/module_100_basics/topic_100_variables"
    files = {
        **FILES,
        f"{topic}/pu/flow.puml": "@startuml\n!include common.puml\n!include style.iuml\n@enduml\n",
        f"{topic}/pu/common.puml": "skinparam shadowing false\n",
        f"{topic}/pu/style.iuml": "skinparam monochrome true\n",
    }
    course = build_course(load_spec(make_course(SPEC, files)))
    variables = course.sections[0].topics[0]
    flow = next(d for d in variables.diagrams if d.source.endswith("flow.puml"))
    assert sorted(flow.includes) == [f"{topic}/pu/common.puml", f"{topic}/pu/style.iuml"]
    assert [d.source.rsplit("/", 1)[1] for d in variables.diagrams] == ["boxes.drawio", "flow.puml"]
    assert not [f for f in variables.data if f.relative.startswith("pu/")]


def test_two_topics_of_a_section_rendering_to_one_name_clash(make_course):
    files = {
        **FILES,
        "slides/module_100_basics/topic_120_other/slides_other.py": deck_text(),
        "slides/module_100_basics/topic_120_other/flow.puml": "@startuml\n@enduml\n",
    }
    spec_text = SPEC.replace("[variables, loops]", "[variables, other]")
    (clash,) = build_course(load_spec(make_course(spec_text, files))).sections[0].clashes
    assert clash.relative == "img/flow.png"
    assert "both render 'img/flow.png' (from " in clash.message


def test_planning_imports_no_conversion_library(make_course):
    import subprocess
    import sys

    spec_file = make_course(SPEC, FILES)
    code = (
        "import sys\n"
        "from clm.spec import load_spec\n"
        "from clm.course.discovery import build_course\n"
        "from clm.plan.outputs import plan_course\n"
        f"plan_course(build_course(load_spec({str(spec_file)!r})))\n"
        "heavy = [m for m in ('jupytext', 'nbconvert', 'nbclient', 'nbformat', 'jinja2',"
        " 'playwright')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_project_decks_are_decks_as_in_clm(make_course):
    spec = SPEC.replace("[variables, loops]", "[variables, demo]")
    files = {
        "slides/module_100_basics/topic_100_variables/slides_variables.py": deck_text(
            "Variablen", "Variables"
        ),
        "slides/module_100_basics/topic_100_variables/project_200_game.py": deck_text(
            "Spiel", "Game"
        ),
        "slides/module_100_basics/project_300_demo.py": deck_text("Vorführung", "Demo"),
    }
    course = build_course(load_spec(make_course(spec, files)))
    decks = [deck.path.rsplit("/", 1)[-1] for deck in course.sections[0].decks]
    assert decks == ["project_200_game.py", "slides_variables.py", "project_300_demo.py"]
    (variables, demo) = course.sections[0].topics
    assert not [f for f in variables.data if f.relative.startswith("project_")]
    assert demo.path == "slides/module_100_basics/project_300_demo.py"
