"""A full file system under .clm/ or the output folder: one message naming the path, exit 1.

Each test mounts a small tmpfs where the course keeps its state or its outputs
and fills it up. Before the fix a full .clm/ raised "database or disk is full"
in the doit process while a worker ran a cell, and the build hung; a full
output folder failed every output with a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import disks
from tests.e2e.helpers import without_coverage_noise
from tests.e2e.stopping import COMMANDS, Build, last_run, sleepy_course

pytestmark = pytest.mark.slow

NO_SPACE = "no space left on its file system"
small_disk = disks.small_disk  # the fixture
fill = disks.fill


def half_written(root: Path) -> list[str]:
    """Temporary files left behind, and outputs that do not end as their format ends."""
    found = [str(path) for path in root.rglob("*.clm-tmp")]
    for path in (root / "output").rglob("*"):
        if path.suffix == ".ipynb":
            try:
                json.loads(path.read_text())
            except ValueError:
                found.append(str(path))
        elif path.suffix == ".html" and not path.read_text().rstrip().endswith("</html>"):
            found.append(str(path))
    return found


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_full_state_folder_while_a_cell_runs_ends_the_build_with_one_message(
    tmp_path, small_disk, command
):
    root = tmp_path / "course"
    filled = root / "disk-filled"
    # This deck finishes only once the disk is full, so its results meet a full .clm/.
    started = sleepy_course(
        root,
        steady=(
            "import os, time\n"
            "deadline = time.monotonic() + 60\n"
            f"while not os.path.exists({str(filled)!r}) and time.monotonic() < deadline:\n"
            "    time.sleep(0.05)"
        ),
    )
    state = small_disk(root / ".clm", "4m")
    build = Build(root, command)
    try:
        build.wait_for(started)
        fill(state)
        filled.touch()
        code, output, _ = build.end(timeout=120)
    finally:
        build.kill()
    assert code is not None, f"the build hung on a full .clm/:\n{output}"
    assert code == 1, output
    assert output.count(NO_SPACE) == 1, output
    assert str(state) in output
    assert "Traceback" not in without_coverage_noise(output), output
    assert build.survivors() == []
    assert half_written(root) == []
    (state / "filler").unlink()
    assert last_run(root)["result"] != "ok"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_full_output_folder_stops_the_build_with_one_message_and_no_half_file(
    tmp_path, small_disk, command
):
    root = tmp_path / "course"
    started = sleepy_course(root, steady="print('steady')")
    started.touch()  # the sleepy deck's cell: sleep no more
    deck = root / "slides/module_100_a/topic_100_sleepy/slides_sleepy.py"
    deck.write_text(deck.read_text().replace("time.sleep(30)", "time.sleep(0)"))
    output_folder = small_disk(root / "output", "1m")
    fill(output_folder, leave=40_000)  # room for a few notebooks, not for an HTML page
    build = Build(root, command)
    try:
        code, output, _ = build.end(timeout=120)
    finally:
        build.kill()
    assert code == 1, output
    assert output.count(NO_SPACE) == 1, output
    assert f"{output_folder}/" in output
    assert "Traceback" not in without_coverage_noise(output), output
    assert half_written(root) == []
