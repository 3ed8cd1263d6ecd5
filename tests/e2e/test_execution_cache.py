"""Each distinct code runs once, never for prose, and the cache travels as one file."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import copy_sources
from tests.e2e.helpers import output_files, run_clm, run_doit, work_counts

pytestmark = pytest.mark.slow

INTRO = "slides/module_100_basics/topic_100_intro/slides_intro.py"
TYPES = "slides/module_100_basics/topic_110_variables/slides_types.py"
FILES = "slides/module_200_data/topic_200_files/slides_files.py"
TEMPERATURES = "slides/module_200_data/topic_200_files/data/temperatures.csv"
LOGO = "slides/module_100_basics/topic_100_intro/img/python-logo.png"
FILES_HTML = "output/shared/Python Basics-en/Slides/Html/Completed/Week 2 Data and Flow/01 Reading Files.html"
TYPES_HTML = "output/shared/Python Basics-en/Slides/Html/Completed/Week 1 Basics/02 Data Types.html"


def test_cold_build_runs_each_distinct_code_once(built_run):
    _, result = built_run
    counts = work_counts(result)
    # Eight decks have HTML; three of them get a second run: language-specific
    # code (intro) or private code cells for the speaker (functions, tag tour).
    assert counts["kernels"] == 11
    assert counts["cached"] == 0


@pytest.mark.parametrize(("deck", "kernels"), [(TYPES, 1), (INTRO, 2)])
def test_one_kernel_per_distinct_code_of_a_deck(tmp_path, deck, kernels):
    root = copy_sources(tmp_path / "python-basics")
    result = run_doit(root, deck)
    assert result.returncode == 0, result.stdout + result.stderr
    assert work_counts(result)["kernels"] == kernels


def test_markdown_edit_runs_no_code_and_updates_the_html(course_copy):
    deck = course_copy / TYPES
    deck.write_text(
        deck.read_text().replace("## Every value has a type", "## Every value has its type")
    )
    result = run_doit(course_copy)
    counts = work_counts(result)
    assert counts["kernels"] == 0 and counts["cached"] == 1
    assert "Every value has its type" in (course_copy / TYPES_HTML).read_text()


def test_code_edit_runs_one_kernel_per_distinct_code(course_copy):
    deck = course_copy / TYPES
    deck.write_text(
        deck.read_text().replace('int("17") + float("0.5")', 'int("17") + float("1.5")')
    )
    result = run_doit(course_copy)
    assert work_counts(result)["kernels"] == 1
    assert "18.5" in (course_copy / TYPES_HTML).read_text()


def test_a_data_file_change_re_executes_the_deck_that_reads_it(course_copy):
    data = course_copy / TEMPERATURES
    data.write_text(data.read_text().replace("Thursday,18.0", "Thursday,28.0"))
    result = run_doit(course_copy)
    assert work_counts(result)["kernels"] == 1
    assert "15.86" in (course_copy / FILES_HTML).read_text()  # the new mean temperature


def test_an_image_change_executes_nothing(course_copy):
    image = course_copy / LOGO
    image.write_bytes(image.read_bytes() + b"\0")
    counts = work_counts(run_doit(course_copy))
    assert counts["kernels"] == 0 and counts["cached"] == 0


def test_a_fresh_clone_with_only_the_cache_runs_no_code_and_makes_the_same_bytes(built, tmp_path):
    exported = tmp_path / "course-cache.sqlite"
    assert run_clm(built, "cache", "export", str(exported)).returncode == 0
    clone = copy_sources(tmp_path / "clone" / "python-basics", fresh_mtimes=True)
    imported = run_clm(clone, "cache", "import", str(exported))
    # 11 executions and the renders of the two diagrams
    assert imported.returncode == 0 and "imported 13 new entries" in imported.stdout
    result = run_doit(clone)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = work_counts(result)
    assert counts["kernels"] == 0 and counts["cached"] == 11
    assert counts["renders-cached"] == 2 and counts["jvms"] == counts["browsers"] == 0
    assert output_files(clone / "output") == output_files(built / "output")


def test_prune_keeps_the_cache_under_a_size(course_copy):
    result = run_clm(course_copy, "cache", "prune", "--max-size", "1K")
    assert result.returncode == 0, result.stderr
    stats = run_clm(course_copy, "cache")
    size = int(stats.stdout.split("renders, ")[1].split(" bytes")[0].replace(",", ""))
    assert size <= 1024
