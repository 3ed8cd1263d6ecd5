"""A cell error is a result: the next build reports it again without running the code.

Real builds in subprocesses on small courses. Each failing deck writes a line
into a file outside the course every time its code runs, so that a test
counts the runs themselves, besides the kernels the build's closing line counts.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import run_clm, run_doit, work_counts

pytestmark = pytest.mark.slow

SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [good, broken]
  - name: {de: Zwei, en: Two}
    topics: [slow, dying]
"""
GOOD = "slides/module_100_a/topic_100_good.py"
BROKEN = "slides/module_100_a/topic_110_broken/slides_broken.py"
DATA = "slides/module_100_a/topic_110_broken/limit.txt"
SLOW = "slides/module_200_b/topic_200_slow.py"
DYING = "slides/module_200_b/topic_210_dying.py"
KEPT = re.compile(r"^  kept failure from a run on \d{4}-\d\d-\d\d \d\d:\d\d UTC: ")
DODO = 'from clm.dodo import course_tasks\nDOIT_CONFIG, task_course = course_tasks("course.yaml")\n'


def _counting(runs: Path, code: str) -> str:
    """``code`` after a line that notes the run in ``runs``."""
    return f"open({str(runs)!r}, 'a').write('ran\\n')\n{code}"


def broken_code(runs: Path, extra: str = "") -> str:
    """Reads limit.txt beside the deck and raises (line 13 of the deck: the division)."""
    return _counting(runs, f"limit = int(open('limit.txt').read()){extra}\nlimit / 0")


def course(root: Path, runs: Path, *, slow_and_dying: bool = False) -> Path:
    files = {
        "course.yaml": SPEC if slow_and_dying else SPEC.split("  - name: {de: Zwei")[0],
        "dodo.py": DODO,
        GOOD: deck_text("Gut", "Good", "print(6 * 7)"),
        BROKEN: deck_text("Kaputt", "Broken", broken_code(runs / "broken")),
        DATA: "3",
    }
    if slow_and_dying:
        files["course.yaml"] = files["course.yaml"].replace(
            "topics: [slow, dying]", "topics: [{id: slow, cell-timeout: 2}, dying]"
        )
        files[SLOW] = deck_text("Langsam", "Slow", _counting(runs / "slow", "while True: pass"))
        files[DYING] = deck_text(
            "Stirbt", "Dies", _counting(runs / "dying", "import os\nos._exit(1)")
        )
    write_files(root, files)
    return root


def completed_html(root: Path, deck: str) -> str:
    """The path of the deck's completed English HTML page, as the build writes it."""
    from clm.plan.outputs import plan_spec
    from clm.plan.variants import Format, Kind

    _, _, plan = plan_spec(root / "course.yaml")
    (deck_plan,) = [d for d in plan.decks if d.deck.path == deck]
    (path,) = [
        o.path
        for o in deck_plan.outputs
        if o.variant.lang == "en" and o.variant.kind is Kind.COMPLETED
        and o.variant.format is Format.HTML
    ]  # fmt: skip
    return path


def runs_of(runs: Path, deck: str) -> int:
    path = runs / deck
    return len(path.read_text().splitlines()) if path.exists() else 0


def failure_report(result, deck: str) -> list[str]:
    """The lines a build printed about the failure of the deck's execute task."""
    lines = (result.stdout + result.stderr).splitlines()
    start = lines.index(f"FAILED {deck}:execute:") + 1
    report = []
    for line in lines[start:]:
        if not (line.startswith(f"{deck}:") or line.startswith("  ")):
            break
        report.append(line)
    return report


def as_run_again(first: list[str], again) -> None:
    """``again`` ran the deck (it is no kept failure) and failed as ``first`` says."""
    report = failure_report(again, BROKEN)
    assert report == first, "\n".join(report)


@pytest.fixture
def runs(tmp_path) -> Path:
    folder = tmp_path / "runs"
    folder.mkdir()
    return folder


@pytest.fixture
def failed_once(tmp_path, runs):
    """A course whose broken deck failed in one build: (root, that build)."""
    root = course(tmp_path / "course", runs)
    first = run_clm(root, "build")
    assert first.returncode == 1, first.stdout + first.stderr
    assert runs_of(runs, "broken") == 1
    return root, first


def test_the_second_build_reports_the_same_failure_as_kept_and_starts_no_kernel(failed_once, runs):
    root, first = failed_once
    report = failure_report(first, BROKEN)
    assert report[0] == f"{BROKEN}:13 (in the deck: limit / 0): ZeroDivisionError: division by zero"

    second = run_clm(root, "build")
    assert second.returncode == 1, second.stdout + second.stderr
    assert runs_of(runs, "broken") == 1  # not run again
    kept = failure_report(second, BROKEN)
    assert kept[:-1] == report  # the same deck:line, message and failed outputs
    assert KEPT.match(kept[-1]) and "clm build --rerun-failed" in kept[-1], kept[-1]
    counts = work_counts(second)
    assert counts["kernels"] == 0 and counts["spares"] == 0 and counts["kept"] == 1
    assert "1 kept failure reported without running" in second.stdout

    status = json.loads(run_clm(root, "status", "--json").stdout)
    (failure,) = [job for job in status["failures"] if job["task"] == f"{BROKEN}:execute"]
    assert failure["kept_on"] and failure["kept_on"] in kept[-1]
    assert status["cache"]["failures"] == 1
    text = run_clm(root, "status").stdout
    assert f"kept failure from {failure['kept_on']}: {BROKEN}:13" in text
    explained = run_clm(root, "cache", "explain", completed_html(root, BROKEN))
    assert "kept failure from " in explained.stdout, explained.stdout + explained.stderr
    assert "ZeroDivisionError: division by zero" in explained.stdout

    # An entry naming no cell of the deck cannot be its failure: dropped, and the code runs.
    with contextlib.closing(sqlite3.connect(root / ".clm/cache.sqlite")) as cache, cache:
        cache.execute("update failures set failure = json_set(failure, '$.cell_index', 99)")
    damaged = run_clm(root, "build")
    assert damaged.returncode == 1 and runs_of(runs, "broken") == 2
    assert failure_report(damaged, BROKEN) == report


def test_a_code_edit_an_input_edit_and_rerun_failed_each_run_it_again(failed_once, runs):
    root, first = failed_once
    report = failure_report(first, BROKEN)
    deck = root / BROKEN

    # A code edit: another key, so the code runs (its line moved one down).
    deck.write_text(deck_text("Kaputt", "Broken", broken_code(runs / "broken", "\nlimit += 1")))
    edited = run_clm(root, "build")
    assert edited.returncode == 1 and runs_of(runs, "broken") == 2
    assert failure_report(edited, BROKEN)[0].startswith(f"{BROKEN}:14 ")
    assert not any(KEPT.match(line) for line in failure_report(edited, BROKEN))
    deck.write_text(deck_text("Kaputt", "Broken", broken_code(runs / "broken")))
    assert run_clm(root, "build").returncode == 1 and runs_of(runs, "broken") == 2  # kept

    # An execution input edit: the file the code reads.
    (root / DATA).write_text("4")
    as_run_again(report, run_clm(root, "build"))
    assert runs_of(runs, "broken") == 3

    # --rerun-failed, and for doit CLM_RERUN_FAILED=1.
    assert run_clm(root, "build").returncode == 1 and runs_of(runs, "broken") == 3  # kept
    # Spawned workers: the setting reaches them in their job records, not by a fork.
    rerun = run_clm(root, "build", "--rerun-failed", env={"CLM_START_METHOD": "spawn"})
    as_run_again(report, rerun)
    assert runs_of(runs, "broken") == 4 and work_counts(rerun)["kernels"] == 1
    doit = run_doit(root, env={"CLM_RERUN_FAILED": "1"})
    assert doit.returncode != 0 and runs_of(runs, "broken") == 5
    as_run_again(report, doit)
    kept = run_doit(root)
    assert kept.returncode != 0 and runs_of(runs, "broken") == 5
    assert KEPT.match(failure_report(kept, BROKEN)[-1])

    refused = run_clm(root, "build", env={"CLM_RERUN_FAILED": "maybe"})
    assert refused.returncode == 2 and "CLM_RERUN_FAILED='maybe' says neither" in refused.stderr


def test_a_rerun_that_succeeds_replaces_the_kept_failure(tmp_path, runs):
    """A flaky cell (here: it reads a file outside the course, no input of the deck)."""
    flag = tmp_path / "flag.txt"
    root = course(tmp_path / "course", runs)
    code = _counting(runs / "broken", f"print(open({str(flag)!r}).read())")
    (root / BROKEN).write_text(deck_text("Kaputt", "Broken", code))
    assert run_clm(root, "build").returncode == 1 and runs_of(runs, "broken") == 1
    flag.write_text("mended")
    still = run_clm(root, "build")
    assert still.returncode == 1 and runs_of(runs, "broken") == 1
    assert "FileNotFoundError" in failure_report(still, BROKEN)[0]

    rerun = run_clm(root, "build", "--rerun-failed")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert runs_of(runs, "broken") == 2
    flag.unlink()  # the success is the result now: nothing runs, nothing fails
    again = run_clm(root, "build")
    assert again.returncode == 0 and runs_of(runs, "broken") == 2
    status = json.loads(run_clm(root, "status", "--json").stdout)
    assert status["cache"]["failures"] == 0


def test_a_timeout_and_a_killed_kernel_are_not_kept(tmp_path, runs):
    root = course(tmp_path / "course", runs, slow_and_dying=True)
    first = run_clm(root, "build")
    assert first.returncode == 1
    assert "the cell ran past its timeout of 2 s" in failure_report(first, SLOW)[0]
    assert "the kernel died twice" in failure_report(first, DYING)[0]
    slow, dying = runs_of(runs, "slow"), runs_of(runs, "dying")
    assert (slow, dying) == (1, 2)  # a dead kernel is replaced once

    second = run_clm(root, "build")
    assert second.returncode == 1
    assert (runs_of(runs, "slow"), runs_of(runs, "dying")) == (2, 4)  # run again
    for deck in (SLOW, DYING):
        assert not any(KEPT.match(line) for line in failure_report(second, deck))
    assert work_counts(second)["kept"] == 1  # the broken deck's only


def test_a_kept_failure_from_the_shared_cache_is_reported_without_running(tmp_path, runs):
    pytest.importorskip("cryptography")
    keys = tmp_path / "keys"
    keys.mkdir()
    assert run_clm(keys, "cache", "keygen").returncode == 0
    store = (tmp_path / "store").as_uri()
    ci = course(tmp_path / "ci", runs)
    (ci / "clm-cache.pub").write_bytes((keys / "clm-cache.pub").read_bytes())
    env = {
        "CLM_CACHE_REMOTE": store,
        "CLM_CACHE_PUSH": "ci-main",
        "CLM_CACHE_KEY": str(keys / "clm-cache.key"),
    }
    pushed = run_clm(ci, "build", env=env)
    assert pushed.returncode == 1 and runs_of(runs, "broken") == 1
    report = failure_report(pushed, BROKEN)

    clone = course(tmp_path / "clone", runs)
    (clone / "clm-cache.pub").write_bytes((keys / "clm-cache.pub").read_bytes())
    result = run_clm(clone, "build", env={"CLM_CACHE_REMOTE": store})
    assert result.returncode == 1, result.stdout + result.stderr
    assert runs_of(runs, "broken") == 1  # the failure CI found, not found again
    kept = failure_report(result, BROKEN)
    assert kept[:-1] == report and KEPT.match(kept[-1])
    counts = work_counts(result)
    assert counts["kernels"] == 0 and counts["kept"] == 1 and counts["shared"] == 2

    rerun = run_clm(clone, "build", "--rerun-failed", env={"CLM_CACHE_REMOTE": store})
    assert rerun.returncode == 1 and runs_of(runs, "broken") == 2
    as_run_again(report, rerun)


def test_the_preview_shows_a_kept_failure_as_one(failed_once):
    from tests.e2e.test_watch import Watcher

    root, _ = failed_once
    preview = Watcher(root, ("clm", "serve", "course.yaml", "--port", "0"))
    try:
        (line,) = [line for line in preview.seen if line.startswith("clm: serving ")]
        url = line.split()[2].rstrip("/")
        cycle = "\n".join(preview.seen)  # the first cycle, before it watches
        assert f"FAILED {BROKEN}:execute" in cycle and "  kept failure from a run on " in cycle
        page = urllib.request.urlopen(url + "/", timeout=60).read().decode()
        row = page[page.index(f'data-deck="{BROKEN}"') :]
        label = row[: row.index("</td>", row.index('class="state"'))]
        assert "kept failure" in label, label
        assert "kept failure from a run on " in row[: row.index("</tr>", row.index("</tr>") + 5)]
    finally:
        preview.kill()
