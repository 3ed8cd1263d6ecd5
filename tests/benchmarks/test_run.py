"""The benchmark's own logic: the failing course it generates, what it reads from clm's
run record after a real build, what touch-all touches, and the table it prints."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from measure import doit  # noqa: E402
from records import deck_seconds, last_build, rebuilt  # noqa: E402
from synthetic import generate  # noqa: E402
from table import Row, misses, render  # noqa: E402
from touch import input_files, summary, touch_all  # noqa: E402

# Off the path again: benchmarks/dask.py would stand in for Dask in later tests of this
# process ("'dask' is not a package").
sys.path.remove(str(BENCHMARKS))


def decks_of(root: Path) -> list[Path]:
    return sorted(root.glob("slides/*/topic_*/slides_*.py"))


def test_every_third_deck_raises(tmp_path: Path) -> None:
    generate(tmp_path, 7, failing_every=3)
    raising = [deck.name for deck in decks_of(tmp_path) if "fails on purpose" in deck.read_text()]
    assert raising == ["slides_lesson_2.py", "slides_lesson_5.py"]


def test_touch_all_touches_every_input_and_nothing_else(tmp_path: Path) -> None:
    generate(tmp_path, 2)
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "page.html").write_text("built")
    (tmp_path / ".clm").mkdir()
    (tmp_path / ".clm" / "state.sqlite").write_text("state")
    before = {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*") if path.is_file()}
    contents = {path: path.read_bytes() for path in before}

    counts = touch_all(tmp_path)

    touched = {path for path in before if path.stat().st_mtime_ns != before[path]}
    assert touched == set(input_files(tmp_path))
    assert tmp_path / "output" / "page.html" not in touched
    assert tmp_path / ".clm" / "state.sqlite" not in touched
    assert all(path.read_bytes() == contents[path] for path in before)
    assert summary(counts) == "2 decks, 2 data, 2 images, 2 specs, 1 templates, 1 other"


@pytest.mark.slow
def test_a_failing_course_as_the_benchmark_reads_it(tmp_path: Path) -> None:
    generate(tmp_path, 3, failing_every=3)
    failing = decks_of(tmp_path)[2].relative_to(tmp_path).as_posix()

    cold = doit(tmp_path, check=False)

    assert cold.exit_code != 0, cold.output[-2000:]
    record = last_build(tmp_path)
    assert record.result == "failed"
    assert record.failed == 1
    assert [task for task, status, _ in record.jobs if status == "failed"] == [f"{failing}:execute"]
    healthy = decks_of(tmp_path)[0].relative_to(tmp_path).as_posix()
    assert deck_seconds(record, healthy) > 0

    touch_all(tmp_path)
    doit(tmp_path, check=False)

    # The failing deck may run again (unless clm keeps its failure); nothing else may.
    assert all(task.startswith(f"{failing}:") for task in rebuilt(last_build(tmp_path)))


def test_the_table_judges_each_row_against_its_target() -> None:
    rows = [
        Row("no-op", "1000", 0.41, "s", 0.5, "median of 7"),
        Row("one-deck edit", "1000", 2.5, "s", 2.0),
        Row("touch-all: tasks rebuilt", "1000", 3, "tasks", 0),
        Row("peak memory, no-op", "1000", 61.4, "MB"),
    ]

    lines = render(rows).splitlines()

    assert len({len(line) for line in lines}) == 1  # the columns line up
    assert [line.split("|")[6].strip() for line in lines[2:]] == ["PASS", "MISS", "MISS", ""]
    assert "0.82" in lines[2] and "1.25" in lines[3]  # value / target
    assert "3 tasks" in lines[4] and "0 tasks" in lines[4]
    assert [row.measure for row in misses(rows)] == ["one-deck edit", "touch-all: tasks rebuilt"]
