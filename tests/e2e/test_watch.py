"""A real `doit auto` on a copy of the built example course: each save rebuilds what it reaches.

Every test makes one change, waits for the watcher's cycle to end (a generous
deadline catches only a hang: a loaded machine may take long), and compares every file under output/ by bytes and mtime: exactly the expected
outputs changed, no other file was touched.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from clm.plan.outputs import plan_spec
from clm.plan.variants import Kind
from tests.e2e.conftest import YAML_SPEC
from tests.e2e.helpers import _env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.linux_only(reason="process groups, SIGHUP, /proc/PID/stat"),
]

VARIABLES = "slides/module_100_basics/topic_110_variables/slides_variables.py"
TYPES = "slides/module_100_basics/topic_110_variables/slides_types.py"
FILES_DECK = "slides/module_200_data/topic_200_files/slides_files.py"
TOOLS = "slides/module_200_data/topic_200_files/temperature_tools.py"
TEMPERATURES = "slides/module_200_data/topic_200_files/data/temperatures.csv"
LOGO = "slides/module_100_basics/topic_100_intro/img/python-logo.png"
FLOW = "slides/module_100_basics/topic_100_intro/pu/program_flow.puml"
CYCLE_DONE = re.compile(r"^cycle (\d+) done in ([\d.]+) s")
WITHIN = 300.0  # seconds: a hang guard, never a measure of speed


class Watcher:
    """`python -m doit auto` (or another watching command) in a course, its output read
    line by line."""

    def __init__(
        self,
        root: Path,
        command: tuple[str, ...] = ("doit", "auto"),
        env: dict[str, str] | None = None,
    ):
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-m", *command],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env or _env(),
            start_new_session=True,  # its own process group, as in a terminal
        )
        self.lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()  # None: it ended
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(re.compile(r"^clm: watching "))

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, pattern: re.Pattern, timeout: float = WITHIN) -> list[str]:
        """The lines up to and including the first that matches; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        lines = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {pattern.pattern!r} in {timeout} s:\n" + "\n".join(lines))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                self.lines.put(None)  # for the next to wait
                raise AssertionError(
                    f"no {pattern.pattern!r}: the command ended:\n" + "\n".join(lines)
                )
            lines.append(line)
            self.seen.append(line)
            if pattern.search(line):
                return lines

    def cycle(self) -> list[str]:
        return self.wait_for(CYCLE_DONE)

    def quiet_for(self, seconds: float) -> bool:
        """True when the watcher starts no cycle for ``seconds``."""
        try:
            line = self.lines.get(timeout=seconds)
        except queue.Empty:
            return True
        if line is None:
            self.lines.put(None)
            return True
        self.seen.append(line)
        return False

    def stop(self, signum: int = signal.SIGINT) -> None:
        """Ctrl-C (SIGINT to the process group, as a terminal sends it), and its end."""
        os.killpg(self.process.pid, signum)
        self.process.wait(timeout=WITHIN)

    def kill(self) -> None:
        """What a test leaves running ends: SIGKILL, if it has not ended yet."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def watcher(course_copy):
    watching = Watcher(course_copy)
    yield watching
    watching.kill()


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in (root / "output").rglob("*")
        if path.is_file()
    }


def changed(before: dict, after: dict) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def outputs_of(
    root: Path, deck: str, *, lang: str | None = None, kinds=tuple(Kind), copies: bool = True
) -> set[str]:
    """The deck's output files; without ``copies`` only the first target's, which name the
    deck's tasks (one task writes a variant into every target)."""
    _, _, plan = plan_spec(root / YAML_SPEC)
    (deck_plan,) = [d for d in plan.decks if d.deck.path == deck]
    return {
        path
        for o in deck_plan.outputs
        if (lang is None or o.variant.lang == lang) and o.variant.kind in kinds
        for path in (o.paths if copies else (o.path,))
    }


def planned_paths(root: Path) -> set[str]:
    return plan_spec(root / YAML_SPEC)[2].output_paths()


def copies_of(root: Path, source: str) -> set[str]:
    _, _, plan = plan_spec(root / YAML_SPEC)
    return {c.target for job in plan.topic_data for c in job.copies if c.source == source}


def test_a_markdown_edit_rebuilds_that_languages_outputs_of_the_deck(watcher, course_copy):
    before = snapshot(course_copy)
    deck = course_copy / VARIABLES
    deck.write_text(deck.read_text().replace("## Names for values", "## Names for things"))
    lines = watcher.cycle()
    after = snapshot(course_copy)
    assert changed(before, after) == outputs_of(course_copy, VARIABLES, lang="en")
    assert "0 kernels ran deck code" in lines[-1]
    html = "output/shared/Python Basics-en/Slides/Html/Completed/Week 1 Basics/03 Variables.html"
    assert f"updated: {html}" in lines
    assert "Names for things" in (course_copy / html).read_text()


def test_a_code_edit_runs_one_kernel_and_rebuilds_the_executed_outputs(watcher, course_copy):
    before = snapshot(course_copy)
    deck = course_copy / VARIABLES
    deck.write_text(deck.read_text().replace("answer = answer + 1", "answer = answer + 2"))
    lines = watcher.cycle()
    after = snapshot(course_copy)
    # The edited cell is emptied in code-along, so only the executed kinds change.
    expected = outputs_of(
        course_copy, VARIABLES, kinds=(Kind.COMPLETED, Kind.TRAINER, Kind.RECORDING)
    )
    assert changed(before, after) == expected
    assert "1 kernel ran deck code" in lines[-1]


def test_a_helper_module_edit_reexecutes_the_deck_that_imports_it(watcher, course_copy):
    before = snapshot(course_copy)
    helper = course_copy / TOOLS
    helper.write_text(helper.read_text() + "\n# a comment the deck does not see\n")
    lines = watcher.cycle()
    after = snapshot(course_copy)
    # The copies beside the decks change; the deck runs again, but its pages come out the same.
    assert changed(before, after) == copies_of(course_copy, TOOLS)
    assert "1 kernel ran deck code" in lines[-1]


def test_an_image_replaced_by_a_rename_is_recopied_and_runs_nothing(watcher, course_copy):
    from PIL import Image

    before = snapshot(course_copy)
    fresh = course_copy / (LOGO + ".new")
    Image.new("RGB", (16, 16), (200, 30, 30)).save(fresh, format="PNG")
    os.replace(fresh, course_copy / LOGO)
    lines = watcher.cycle()
    after = snapshot(course_copy)
    assert changed(before, after) == copies_of(course_copy, LOGO)
    assert "0 kernels ran deck code" in lines[-1]


def test_a_save_through_a_temporary_file_counts_as_an_edit_of_the_deck(watcher, course_copy):
    before = snapshot(course_copy)
    deck = course_copy / TYPES
    temporary = deck.with_name(deck.name + "~")  # as editors write before renaming
    temporary.write_text(deck.read_text().replace("## Converting", "## Converting values"))
    os.replace(temporary, deck)
    lines = watcher.cycle()
    after = snapshot(course_copy)
    assert changed(before, after) == outputs_of(course_copy, TYPES, lang="en")
    assert any(line.startswith(f"changed: {TYPES}") for line in lines)


def test_a_diagram_edit_rerenders_it_and_replaces_its_pictures(watcher, course_copy):
    before = snapshot(course_copy)
    source = course_copy / FLOW
    source.write_text(source.read_text().replace(":Compile to bytecode;", ":Compile it;"))
    lines = watcher.cycle()
    after = snapshot(course_copy)
    _, _, plan = plan_spec(course_copy / YAML_SPEC)
    placed = {c.target for job in plan.placements if job.source == FLOW for c in job.copies}
    assert len(placed) == 28  # per language: shared 5, trainer 7, speaker 2 variant folders
    assert changed(before, after) == placed
    assert "1 diagram rendered (1 JVM and 0 browsers started)" in lines[-1]


def test_a_new_deck_title_renames_its_outputs(watcher, course_copy):
    before = snapshot(course_copy)
    old = outputs_of(course_copy, TYPES)
    deck = course_copy / TYPES
    deck.write_text(deck.read_text().replace('"Data Types"', '"Types of Data"'))
    watcher.cycle()
    after = snapshot(course_copy)
    new = outputs_of(course_copy, TYPES)
    assert {p for p in new if p.startswith("output/shared/Python Basics-en")} != {
        p for p in old if p.startswith("output/shared/Python Basics-en")
    }
    assert all("Types of Data" in p for p in new - old)
    assert changed(before, after) == (old - new) | (new - old)
    assert not (old - new) & after.keys()


def test_narration_saved_into_a_deck_splits_its_trainer_files_from_recording(watcher, course_copy):
    page = "Slides/Html/{kind}/Week 1 Basics/02 Data Types.html"
    trainer = course_copy / "output/trainer/Python Basics-en" / page.format(kind="Trainer")
    recording = course_copy / "output/speaker/Python Basics-en" / page.format(kind="Recording")
    assert trainer.read_bytes() == recording.read_bytes()  # one task writes both
    narration = "Today we meet the types of data, slowly and with examples."
    deck = course_copy / TYPES
    deck.write_text(
        deck.read_text() + f'\n# %% [markdown] lang="en" tags=["voiceover"]\n# {narration}\n'
    )
    watcher.cycle()
    assert narration in recording.read_text()
    assert narration not in trainer.read_text()  # the trainer kind drops voiceover
    assert "Types" in trainer.read_text()


def test_a_spec_edit_removes_a_topic_and_brings_it_back(watcher, course_copy):
    spec = course_copy / YAML_SPEC
    original = spec.read_text()
    planned = planned_paths(course_copy)
    before = snapshot(course_copy)
    spec.write_text(original.replace("      - tag_tour\n", ""))
    watcher.cycle()
    without = snapshot(course_copy)
    expected = planned - planned_paths(course_copy)
    assert expected and all("Tag" in p or "/img/" in p or "/data/" in p for p in expected)
    assert changed(before, without) == expected
    assert not expected & without.keys()

    spec.write_text(original)
    lines = watcher.cycle()
    back = snapshot(course_copy)
    assert back.keys() == before.keys()
    # Everything is back with the same bytes; only the re-created files are new.
    assert {p for p in back if back[p][0] != before[p][0]} == set()
    assert changed(before, back) == expected
    assert "0 kernels ran deck code" in lines[-1]  # the executions come from the cache


def test_a_deleted_data_file_fails_the_deck_and_its_return_rebuilds_it(watcher, course_copy):
    data = course_copy / TEMPERATURES
    content = data.read_bytes()
    copies = copies_of(course_copy, TEMPERATURES)
    before = snapshot(course_copy)
    data.unlink()
    lines = watcher.cycle()
    after = snapshot(course_copy)
    report = "\n".join(lines)
    assert re.search(rf"{re.escape(FILES_DECK)}:\d+", report), report
    assert changed(before, after) == copies  # the copies go, the pages keep their last version
    assert not copies & after.keys()

    data.write_bytes(content)
    lines = watcher.cycle()
    restored = snapshot(course_copy)
    assert restored.keys() == before.keys()
    assert {p for p in restored if restored[p][0] != before[p][0]} == set()
    assert changed(before, restored) == copies
    assert watcher.quiet_for(2.0), "the watcher keeps rebuilding"


def test_a_data_clash_holds_back_only_its_topics_and_mending_it_rebuilds_them(watcher, course_copy):
    # The printing topic (a single-file topic) brings the module's greetings.txt
    # into the folder of Week 1; the variables topic now brings another one.
    shared = course_copy / "slides/module_100_basics/greetings.txt"
    rival = course_copy / "slides/module_100_basics/topic_110_variables/greetings.txt"
    before = snapshot(course_copy)
    rival.write_text("Hallo from another topic\n")
    report = "\n".join(watcher.cycle())
    assert "both bring 'greetings.txt' with different content" in report, report
    assert str(rival.relative_to(course_copy)) in report
    assert changed(before, snapshot(course_copy)) == set(), "held back: nothing is written"

    deck = course_copy / VARIABLES
    deck.write_text(deck.read_text().replace("## Names for values", "## Names for things"))
    watcher.cycle()
    assert changed(before, snapshot(course_copy)) == set(), "the variables decks wait"

    rival.write_bytes(shared.read_bytes())  # mended: both bring the same file
    lines = watcher.cycle()
    after = snapshot(course_copy)
    assert outputs_of(course_copy, VARIABLES, lang="en") <= changed(before, after), lines
    html = "output/shared/Python Basics-en/Slides/Html/Completed/Week 1 Basics/03 Variables.html"
    assert "Names for things" in (course_copy / html).read_text()
    assert watcher.quiet_for(2.0), "the watcher keeps rebuilding"


def test_ctrl_c_ends_the_watcher_at_once_and_leaves_no_process(watcher):
    children = _descendants(watcher.process.pid)
    assert children, "the watcher runs worker processes"
    watcher.stop()
    assert all_end(children) == []


def test_a_closed_terminal_ends_the_watcher_as_ctrl_c_does(watcher):
    """SIGHUP ended the watcher on the spot, its workers left to notice on their own."""
    children = _descendants(watcher.process.pid)
    watcher.stop(signal.SIGHUP)
    assert watcher.process.returncode == 0
    assert watcher.wait_for(re.compile(r"^clm: stopped watching"))
    assert all_end(children) == []


def test_a_killed_watcher_takes_its_workers_and_kernels_along(watcher):
    children = _descendants(watcher.process.pid)
    watcher.process.kill()  # SIGKILL to the watcher alone: it cannot clean up
    watcher.process.wait()
    assert all_end(children) == []


def all_end(pids: list[int]) -> list[int]:
    """Those of ``pids`` still alive after a generous wait for them all to end."""
    deadline = time.monotonic() + WITHIN
    while [pid for pid in pids if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    return [pid for pid in pids if _alive(pid)]


def _descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        parent = pending.pop()
        for child in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = child.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(child.parent.name))
                pending.append(int(child.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
