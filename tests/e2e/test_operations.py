"""Asking a real build what it did: every report, human and JSON (checked against its schema)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from clm.cli.schemas import SCHEMAS
from clm.leaks.guard import GUARD_TASK
from tests.e2e.conftest import YAML_SPEC
from tests.e2e.helpers import _env, output_files, run_clm, work_counts

pytestmark = pytest.mark.slow

FILES_DECK = "slides/module_200_data/topic_200_files/slides_files.py"
TEMPERATURES = "slides/module_200_data/topic_200_files/data/temperatures.csv"
FAILED_HTML = "output/shared/Python Basics-en/Slides/Html/Completed/Week 2 Data and Flow/01 Reading Files.html"


def report(root: Path, *args: str) -> dict:
    """A report's --json output, validated against its documented schema."""
    result = run_clm(root, *args, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    name = " ".join(args[:2]) if " ".join(args[:2]) in SCHEMAS else args[0]
    jsonschema.validate(data, SCHEMAS[name])
    return data


@pytest.fixture(scope="module")
def failing(tmp_path_factory, built):
    """The built example with a data file that makes one deck's code raise, built again."""
    root = Path(shutil.copytree(built, tmp_path_factory.mktemp("failing") / "python-basics"))
    data = root / TEMPERATURES
    good = data.read_text()
    data.write_text(good.replace("Tuesday,14.0", "Tuesday,warm"))
    result = run_clm(root, "build", YAML_SPEC)
    assert result.returncode == 1, result.stdout + result.stderr
    return root, good


def test_status_names_the_last_run_and_its_failure(failing):
    root, _ = failing
    data = report(root, "status")
    assert data["last_run"]["result"] == "failed" and not data["running"]
    (failure,) = data["failures"]
    assert failure["task"] == f"{FILES_DECK}:execute"
    assert re.search(rf"{re.escape(FILES_DECK)}:\d+ .*ValueError", failure["error"])
    # The execution, the four pages it holds back (completed and recording HTML per
    # language: one task writes completed to the shared and the trainer tier, one the
    # recording page and, the deck having no narration, the trainer page) and the leak
    # check of executed pages.
    assert data["out_of_date"] == 6
    assert data["cache"]["executions"] >= 11
    human = run_clm(root, "status").stdout
    assert "failed" in human and f"{FILES_DECK}:execute" in human and "ValueError" in human


def test_jobs_list_show_and_runs(failing):
    root, _ = failing
    failed = report(root, "jobs", "list", "--failed")
    (job,) = failed["jobs"]
    assert job["status"] == "failed" and job["from_cache"] is None
    everything = report(root, "jobs", "list", "--run", str(failed["run"]))
    statuses = {j["task"]: j["status"] for j in everything["jobs"]}
    assert statuses[f"{FILES_DECK}:execute"] == "failed"
    assert sum(s == "not-rebuilt" for s in statuses.values()) == 5  # 4 pages, their leak check
    first_run = report(root, "jobs", "list", "--run", "1")["jobs"]
    assert len(first_run) > 100 and all(j["status"] == "ok" for j in first_run)
    executions = [j for j in first_run if j["task"].endswith(":execute")]
    assert executions and all(j["from_cache"] is False for j in executions)
    shown = report(root, "jobs", "show", str(job["id"]))
    assert shown == job
    human = run_clm(root, "jobs", "show", str(job["id"])).stdout
    assert "ValueError" in human and "failed outputs" in human
    assert run_clm(root, "jobs", "show", "999999").returncode == 2


def test_cache_stats_and_explain(failing):
    root, _ = failing
    stats = report(root, "cache", "stats")
    assert stats["executions"] >= 11 and stats["renders"] == 2 and stats["bytes"] > 0
    explained = report(root, "cache", "explain", FAILED_HTML)
    assert explained["status"] == "run"
    assert explained["upstream"][0]["task"] == f"{FILES_DECK}:execute"
    assert explained["cache"]["kind"] == "execution" and explained["cache"]["hit"] is False
    assert "ValueError" in explained["cache"]["kept_failure"]["error"]
    fine = "output/shared/Python Basics-en/Slides/Html/Completed/Week 1 Basics/02 Data Types.html"
    explained = report(root, "cache", "explain", fine)
    assert explained["status"] == "up-to-date" and explained["cache"]["hit"] is True
    human = run_clm(root, "cache", "explain", FAILED_HTML).stdout
    assert "would be rebuilt" in human and "does not hold it" in human
    assert "kept failure from " in human
    assert run_clm(root, "cache", "explain", "output/nothing.html").returncode == 2


def test_retry_failed_rebuilds_exactly_the_failed_outputs(failing, tmp_path):
    original, good = failing
    root = Path(shutil.copytree(original, tmp_path / "python-basics"))
    (root / TEMPERATURES).write_text(good)  # the cause is fixed
    before = _mtimes(root)
    retried = run_clm(root, "jobs", "retry", "--failed", "--json")
    assert retried.returncode == 0, retried.stderr
    data = json.loads(retried.stdout)
    jsonschema.validate(data, SCHEMAS["jobs retry"])
    assert data["exit_code"] == 0 and len(data["tasks"]) == 6
    assert f"{GUARD_TASK}:executed-html" in data["tasks"]
    jobs = report(root, "jobs", "list")["jobs"]
    assert sorted(j["task"] for j in jobs) == sorted(data["tasks"])
    assert all(j["status"] == "ok" for j in jobs)
    after = _mtimes(root)
    touched = {p for p in after if after[p] != before.get(p)}
    # Only the pages whose last good version was kept may be rewritten (their bytes
    # come out as before, so they are not); no other output is touched.
    pages = {
        t.split(":", 1)[1]
        for t in data["tasks"]
        if not t.endswith(":execute") and not t.startswith(GUARD_TASK)
    }
    assert len(pages) == 4 and touched <= pages


def _mtimes(root: Path) -> dict[str, int]:
    return {
        f"output/{path}": (root / "output" / path).stat().st_mtime_ns
        for path in output_files(root / "output")
    }


def test_workers_list_during_a_real_build(built, tmp_path):
    root = Path(shutil.copytree(built, tmp_path / "python-basics"))
    shutil.rmtree(root / "output")
    (root / ".clm" / "state.sqlite").unlink()
    deck = root / FILES_DECK
    deck.write_text(deck.read_text() + "\n# %%\nimport time\ntime.sleep(4)\n")
    launched = time.time()
    build = subprocess.Popen(
        [sys.executable, "-m", "doit"], cwd=root, stdout=subprocess.DEVNULL, env=_env()
    )
    try:
        seen: list[dict] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and build.poll() is None:
            data = report(root, "workers", "list")
            seen = [w for w in data["workers"] if w["task"]]
            if seen:
                break
            time.sleep(0.3)
        assert seen, "no worker reported a task"
        assert all(w["heartbeat"] >= launched for w in seen)  # this build's workers
        status = report(root, "status")
        assert status["running"] is True
    finally:
        build.wait(timeout=300)
    assert report(root, "workers", "list")["workers"] == []


def test_schema_lists_and_prints_the_schemas():
    result = subprocess.run(
        [sys.executable, "-m", "clm", "schema", "jobs", "show"], capture_output=True, text=True
    )
    assert json.loads(result.stdout) == SCHEMAS["jobs show"]
    listing = subprocess.run(
        [sys.executable, "-m", "clm", "schema"], capture_output=True, text=True
    )
    assert "cache explain" in listing.stdout


def test_a_second_build_waits_for_the_first_and_no_wait_refuses(built, tmp_path):
    root = Path(shutil.copytree(built, tmp_path / "python-basics"))
    deck = root / FILES_DECK
    deck.write_text(deck.read_text() + "\n# %%\nimport time\ntime.sleep(3)\n")
    first = subprocess.Popen(
        [sys.executable, "-m", "clm", "build", YAML_SPEC],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
    )
    try:
        deadline = time.monotonic() + 120
        while not report(root, "status")["running"]:
            assert time.monotonic() < deadline, "the first build never took the lock"
            time.sleep(0.1)
        refused = run_clm(root, "build", YAML_SPEC, "--no-wait")
        assert refused.returncode == 2
        assert f"process {first.pid}" in refused.stderr and "--no-wait" in refused.stderr
        second = run_clm(root, "build", YAML_SPEC)
        assert first.poll() is not None, "the second build ran beside the first"
    finally:
        first.wait(timeout=300)
    assert first.returncode == 0
    assert "waiting for it" in second.stdout + second.stderr
    assert f"process {first.pid}" in second.stdout + second.stderr
    assert second.returncode == 0
    # The first build did everything: the second found it all up to date.
    assert work_counts(second)["written"] == 0 and ".  " not in second.stdout


@pytest.mark.parametrize("pages", [2, 12])
def test_a_sigkilled_build_leaves_no_process_and_the_next_does_only_the_rest(
    built, tmp_path, pages
):
    """SIGKILL to the doit process alone: its workers and kernels must not outlive it."""
    from tests.e2e.conftest import copy_sources
    from tests.e2e.helpers import executed_tasks, run_doit
    from tests.e2e.test_watch import _alive, _descendants

    root = copy_sources(tmp_path / "python-basics")
    build = subprocess.Popen(
        [sys.executable, "-m", "doit"], cwd=root, stdout=subprocess.DEVNULL, env=_env()
    )
    deadline = time.monotonic() + 300
    children: set[int] = set()
    while len(list((root / "output").rglob("*.html"))) < pages:
        assert time.monotonic() < deadline and build.poll() is None
        children.update(_descendants(build.pid))
        time.sleep(0.05)
    children.update(_descendants(build.pid))
    build.kill()
    build.wait()
    assert children, "the build ran no worker"
    deadline = time.monotonic() + 120  # a hang guard: the workers end on their own
    while [pid for pid in children if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in children if _alive(pid)]
    assert survivors == [], [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in survivors]

    killed = report(root, "jobs", "list")
    assert report(root, "status")["last_run"]["result"] == "interrupted"
    done = {j["task"] for j in killed["jobs"] if j["status"] == "ok"}
    assert done
    result = run_doit(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not done & set(executed_tasks(result))  # finished work is not done again
    assert output_files(root / "output") == output_files(built / "output")
