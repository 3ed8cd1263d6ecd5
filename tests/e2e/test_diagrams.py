"""The example course's diagrams: rendered by the real converters, placed beside every deck."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import YAML_SPEC
from tests.e2e.helpers import executed_tasks, output_files, run_clm, run_doit, work_counts

pytestmark = pytest.mark.slow

FLOW = "slides/module_100_basics/topic_100_intro/pu/program_flow.puml"
BINDING = "slides/module_100_basics/topic_110_variables/drawio/name_binding.drawio"
WEEK_1 = {
    "de": "Python-Grundlagen-de/Folien/{}/Woche 1 Grundlagen",
    "en": "Python Basics-en/Slides/{}/Week 1 Basics",
}


def _variant_folders(lang: str) -> list[str]:
    template = WEEK_1[lang]
    folders = []
    for tier, kinds in (
        ("shared", ("Code-Along", "Completed")),
        ("trainer", ("Code-Along", "Completed", "Trainer")),
        ("speaker", ("Recording",)),
    ):
        folders += [
            f"{tier}/{template.format(f'{fmt}/{k}')}"
            for k in kinds
            for fmt in ("Html", "Notebooks")
        ]
        if "Completed" in kinds:
            folders.append(f"{tier}/{template.format('Python/Completed')}")
    return folders


def test_renders_sit_beside_every_deck_output(built):
    renders = {
        "program_flow.png": (built / f".clm/renders/{FLOW}/program_flow.png").read_bytes(),
        "name_binding.png": (built / f".clm/renders/{BINDING}/name_binding.png").read_bytes(),
    }
    for lang in ("de", "en"):
        for folder in _variant_folders(lang):
            for name, data in renders.items():
                placed = built / "output" / folder / "img" / name
                assert placed.read_bytes() == data, placed
    assert renders["program_flow.png"].startswith(b"\x89PNG")
    assert not list((built / "slides").rglob("*.png.clm-tmp"))


def test_a_no_op_build_starts_no_jvm_and_no_browser(course_copy):
    counts = work_counts(run_doit(course_copy))
    assert (counts["jvms"], counts["browsers"], counts["rendered"]) == (0, 0, 0)


def test_editing_a_diagram_rerenders_only_it_and_replaces_it(course_copy):
    before = output_files(course_copy / "output")
    source = course_copy / FLOW
    source.write_text(source.read_text().replace(":Compile to bytecode;", ":Compile it;"))
    result = run_doit(course_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = work_counts(result)
    assert (counts["rendered"], counts["jvms"], counts["browsers"]) == (1, 1, 0)
    assert counts["kernels"] == 0
    after = output_files(course_copy / "output")
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed and all(path.endswith("/img/program_flow.png") for path in changed)
    assert len(changed) == 28  # per language: shared 5, trainer 7, speaker 2 variant folders
    assert not any(task.endswith(":render") and BINDING in task for task in executed_tasks(result))


def test_a_syntax_error_names_the_line_and_ships_no_error_picture(course_copy):
    before = output_files(course_copy / "output")
    source = course_copy / FLOW
    lines = source.read_text().splitlines()
    lines.insert(3, "this is not plantuml at all")
    source.write_text("\n".join(lines) + "\n")
    result = run_clm(course_copy, "build", YAML_SPEC)
    assert result.returncode == 1
    assert f"{FLOW}:4: PlantUML: Syntax Error" in result.stdout + result.stderr
    after = output_files(course_copy / "output")
    assert after == before  # the last good render stays; nothing else needed rebuilding


def test_a_missing_converter_fails_its_renders_and_builds_the_rest(course_copy):
    source = course_copy / BINDING
    source.write_text(
        source.read_text()
        .replace(">refers to<", ">points at<")
        .replace('value="refers to"', 'value="points at"')
    )
    deck = course_copy / "slides/module_100_basics/topic_110_variables/slides_types.py"
    deck.write_text(deck.read_text() + "\n# %% [markdown]\n# One more slide.\n")
    # Only the virtual environment on PATH: no Chromium (kernels run on sys.executable).
    result = run_clm(
        course_copy, "build", YAML_SPEC, env={"PATH": str(Path(sys.executable).parent)}
    )
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "no Chromium, Chrome or Edge is installed: " in output
    assert f"{BINDING}:render" in output
    html = (
        course_copy
        / "output/shared/Python Basics-en/Slides/Html/Completed/Week 1 Basics/02 Data Types.html"
    )
    assert "One more slide." in html.read_text()
