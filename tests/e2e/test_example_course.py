"""The example course, built for real: kernels, files, doit's up-to-date checks."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import nbformat
import pytest

from clm.leaks.guard import GUARD_TASK
from tests.e2e.conftest import EXAMPLE, REPO, XML_SPEC, YAML_SPEC, copy_sources
from tests.e2e.helpers import _env, executed_tasks, output_files, run_doit

TAG_TOUR = "slides/module_200_data/topic_290_tag_tour/slides_tag_tour.py"
SENTINEL = re.compile(rb"SENTINEL_(PRIVATE|NOTES|DEL|ALT|ANSWER)_\d\d")
LITTER = re.compile(
    r"(\.puml|\.pu|\.plantuml|\.drawio|\.pyc|\.bak|\.bkp|~|\.clm-tmp)$|__pycache__|\.ipynb_checkpoints"
)

pytestmark = pytest.mark.slow

TIERS = ("shared", "trainer", "speaker")  # each gets the dir-groups, as in CLM 1.35


def _outputs(root: Path) -> list[Path]:
    return [p for p in (root / "output").rglob("*") if p.is_file()]


def _plan(root: Path, spec: str = YAML_SPEC):
    from clm.course.discovery import build_course
    from clm.plan.outputs import plan_course
    from clm.spec import load_spec

    return plan_course(build_course(load_spec(root / spec)))


def test_second_run_executes_nothing(built):
    result = run_doit(built)
    assert result.returncode == 0
    assert executed_tasks(result) == []


def test_every_planned_output_exists_twenty_eight_per_deck(built):
    plan = _plan(built)
    assert len(plan.decks) >= 6
    # Per language: shared 5 (code-along and completed, completed code), trainer those and
    # trainer's 2, speaker recording's 2; the HTML-only deck has 8 of these 28.
    counts = {deck.deck.path: sum(len(o.paths) for o in deck.outputs) for deck in plan.decks}
    assert set(counts.values()) == {28, 16}
    for path in plan.output_paths():
        assert (built / path).is_file(), path


def test_topic_data_sits_in_every_variant_folder(built):
    plan = _plan(built)
    for deck in plan.decks:
        for output in deck.outputs:
            folder = (built / output.path).parent
            for file in deck.deck.topic.data:
                assert (folder / file.relative).is_file(), (folder, file.relative)


def test_dir_groups(built):
    courses = ("Python-Grundlagen-de", "Python Basics-en")
    for group in (built / "output" / tier / course for tier in TIERS for course in courses):
        solutions = group / "Code/Solutions"
        assert (solutions / "Example_1").is_dir() and (solutions / "Example_3").is_dir()
        assert not (solutions / "Example_2").exists()
        assert sorted(p.name for p in solutions.iterdir()) == ["Example_1", "Example_3"]
        bonus = group / "Bonus"
        sources = sorted(
            p.relative_to(EXAMPLE / "div/workshops").as_posix()
            for p in (EXAMPLE / "div/workshops").rglob("*")
            if p.is_file()
        )
        assert (
            sorted(p.relative_to(bonus).as_posix() for p in bonus.rglob("*") if p.is_file())
            == sources
        )


def test_no_diagram_source_or_litter_in_the_output(built):
    litter = [p for p in _outputs(built) if LITTER.search(p.as_posix())]
    assert litter == []


def test_sentinels_stay_where_they_belong(built):
    found: dict[str, set[str]] = {}
    for path in _outputs(built):
        relative = path.relative_to(built / "output").as_posix()
        for match in SENTINEL.finditer(path.read_bytes()):
            found.setdefault(match.group(1).decode(), set()).add(relative)
    public = {tag: {p for p in paths if p.startswith("shared/")} for tag, paths in found.items()}
    for tag in ("PRIVATE", "NOTES", "DEL"):
        assert not public.get(tag), (tag, sorted(public.get(tag, ()))[:5])
    for tag in ("ALT", "ANSWER"):
        assert not [p for p in found.get(tag, ()) if "/Code-Along/" in p], tag
    assert "DEL" not in found
    # The sentinels do reach the outputs meant for them.
    assert any("/Trainer/" in p for p in found["PRIVATE"])
    assert any("/Recording/" in p for p in found["NOTES"])
    assert any("/Completed/" in p for p in found["ALT"])
    assert any("/Completed/" in p for p in found["ANSWER"])


def test_notebooks_are_valid_and_have_no_outputs(built):
    notebooks = [p for p in _outputs(built) if p.suffix == ".ipynb"]
    assert notebooks
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
        ids = [c.id for c in notebook.cells]
        assert len(ids) == len(set(ids))


def test_executed_outputs_only_in_completed_and_speaker_html(built):
    html_files = [p for p in _outputs(built) if p.suffix == ".html"]
    assert html_files
    for path in html_files:
        outputs = path.read_text(encoding="utf-8").count('class="jp-OutputArea-child')
        if "/Code-Along/" in path.as_posix():
            assert outputs == 0, path
        else:
            assert outputs > 0, path
    tour = built / "output/shared/Python Basics-en/Slides/Html/Completed/Week 2 Data and Flow"
    html = (tour / "03 A Tour of Every Tag.html").read_text(encoding="utf-8")
    assert "TypeError" in html  # the raises-exception cell shows its traceback


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_yaml_and_xml_specs_build_identical_trees_under_every_start_method(built, tmp_path, method):
    """``built`` is the YAML spec's tree, built with the platform's default (fork)."""
    root = copy_sources(tmp_path / "python-basics")
    result = subprocess.run(
        [sys.executable, "-m", "clm", "build", XML_SPEC],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
        env={**_env(), "CLM_START_METHOD": method},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert output_files(root / "output") == output_files(built / "output")


def test_touching_every_source_executes_nothing_and_rehashes_once(course_copy):
    sources = [
        p
        for p in course_copy.rglob("*")
        if p.is_file() and ".clm" not in p.parts and "output" not in p.parts
    ]
    later = time.time() + 10
    for path in sources:
        os.utime(path, (later, later))
    result = run_doit(course_copy)
    assert result.returncode == 0 and executed_tasks(result) == []
    with sqlite3.connect(course_copy / ".clm/state.sqlite") as conn:
        rows = dict(conn.execute("select path, mtime_ns from file_hashes"))
    stale = [p for p, mtime in rows.items() if (course_copy / p).stat().st_mtime_ns != mtime]
    assert rows and stale == []  # the next no-op hashes nothing
    assert executed_tasks(run_doit(course_copy)) == []


def test_editing_one_deck_rebuilds_only_that_deck(course_copy):
    deck = course_copy / TAG_TOUR
    deck.write_text(
        deck.read_text(encoding="utf-8") + "\n# %% [markdown]\n# One more line.\n", encoding="utf-8"
    )
    result = run_doit(course_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    ran = executed_tasks(result)
    # Besides the deck's tasks, only the leak guard runs: it reads the new public outputs.
    assert ran and all(name.startswith((TAG_TOUR + ":", GUARD_TASK + ":")) for name in ran), ran
    assert f"{TAG_TOUR}:execute" in ran


def test_changing_an_image_recopies_it_and_executes_no_deck(course_copy):
    image = sorted((course_copy / "slides").glob("*/topic_*/img/*.png"))[0]
    topic = image.parent.parent.relative_to(course_copy).as_posix()
    image.write_bytes(image.read_bytes() + b"\0")
    result = run_doit(course_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(executed_tasks(result)) == [
        f"{GUARD_TASK}:files",
        f"{topic}:data-de",
        f"{topic}:data-en",
    ]
    copies = [p for p in _outputs(course_copy) if p.name == image.name and p.parent.name == "img"]
    assert copies and all(p.read_bytes() == image.read_bytes() for p in copies)


def test_a_clone_elsewhere_with_another_venv_rebuilds_nothing(built, tmp_path):
    clone = copy_sources(tmp_path / "elsewhere" / "python-basics", fresh_mtimes=True)
    shutil.copytree(built / ".clm", clone / ".clm")
    shutil.copytree(built / "output", clone / "output")
    # A second virtual environment at another path that sees the same packages,
    # and clm imported from a second checkout of its source.
    venv = tmp_path / "other-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    checkout = tmp_path / "other-checkout"
    shutil.copytree(REPO / "clm", checkout / "clm", ignore=shutil.ignore_patterns("__pycache__"))
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "clm-elsewhere.pth").write_text(f"{checkout}\n{sysconfig.get_paths()['purelib']}\n")
    result = run_doit(clone, python=str(venv / "bin" / "python"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert executed_tasks(result) == []


def test_sigkill_mid_build_leaves_no_half_file(tmp_path):
    root = copy_sources(tmp_path / "python-basics")
    process = subprocess.Popen(
        [sys.executable, "-m", "doit"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=_env(),  # as the rerun's: the same environment fingerprint
    )
    deadline = time.time() + 300
    while time.time() < deadline and len(list((root / "output").rglob("*.html"))) < 6:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for path in _outputs(root):
        if path.suffix == ".ipynb" and not path.name.endswith(".clm-tmp"):
            nbformat.validate(nbformat.read(path, as_version=4))
        if path.suffix == ".html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path
    with sqlite3.connect(root / ".clm/state.sqlite") as conn:
        finished = {name for (name,) in conn.execute("select task_id from doit_tasks")}
    assert finished  # the killed run's finished tasks were committed as they finished
    result = run_doit(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not finished & set(executed_tasks(result))  # and are not done again
    assert [p for p in root.rglob("*.clm-tmp")] == []
    for path in _plan(root).output_paths():
        assert (root / path).is_file()


def test_the_clm_output_layout_literally(built):
    for path in [
        "output/shared/Python-Grundlagen-de/Folien/Html/Code-Along/Woche 1 Grundlagen/01 Einführung in Python.html",
        "output/shared/Python Basics-en/Slides/Notebooks/Completed/Week 1 Basics/01 Introduction to Python.ipynb",
        "output/shared/Python Basics-en/Slides/Python/Completed/Week 1 Basics/01 Introduction to Python.py",
        "output/speaker/Python Basics-en/Slides/Html/Recording/Week 1 Basics/01 Introduction to Python.html",
        "output/shared/Python Basics-en/Bonus/pizza/workshop_pizza.md",
        "output/shared/Python-Grundlagen-de/Folien/Html/Completed/Woche 1 Grundlagen/img/python-logo.png",
    ]:
        assert (built / path).is_file(), path
