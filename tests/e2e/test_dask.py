"""Building on a real Dask cluster (a LocalCluster of 2 worker processes on 127.0.0.1).

The cluster runs in a process of its own (tests/e2e/dask_cluster.py); builds
run as an author runs them, ``clm build --executor dask://…`` in a
subprocess. Every test ends with no kernel process left that its builds or clusters
started (tagged through the environment, see tests.e2e.helpers.started_here).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clm.execute.cluster import ANSWER_TIMEOUT_VARIABLE
from tests.conftest import deck_text, write_files
from tests.e2e.conftest import YAML_SPEC, copy_sources
from tests.e2e.helpers import _env, output_files, run_clm, started_here, work_counts
from tests.e2e.stopping import Build, last_run
from tests.e2e.test_watch import _alive
from tests.remote.servers import Blackhole

pytest.importorskip("distributed")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.linux_only(reason="process groups, SIGKILL, /proc/PID/stat"),
]

KILLED_WORKER_AFTER = 1  # failures a task may cause before it is a KilledWorker


class Cluster:
    """A LocalCluster in its own process: ``executor`` names it for ``clm build``."""

    def __init__(self, log: Path, workers: int = 2, extra_path: Path | None = None):
        env = _env()
        if extra_path is not None:
            env["PYTHONPATH"] = f"{extra_path}{os.pathsep}{env['PYTHONPATH']}"
        env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = str(KILLED_WORKER_AFTER)
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.dask_cluster", str(workers)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=env,
            cwd=log.parent,  # not the checkout: its clm.egg-info is no part of an environment
        )
        line = self.process.stdout.readline()
        assert line, f"the cluster did not start: {log.read_text()[-3000:]}"
        self.address = json.loads(line)["address"]
        self.executor = self.address.replace("tcp://", "dask://")

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = Cluster(tmp_path_factory.mktemp("dask") / "cluster.log")
    yield started
    started.close()


@pytest.fixture(autouse=True)
def no_kernel_survives():
    """Every kernel a test's builds start, here or on the cluster, is gone at its end."""
    before = set(_kernel_processes())
    yield
    deadline = time.monotonic() + 20
    while (left := set(_kernel_processes()) - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"kernel processes left behind: {sorted(left)}"


def _kernel_processes() -> list[int]:
    """The live kernels this test session's builds and clusters started, here or on a worker."""
    found = []
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = status.read_bytes()
        except OSError:
            continue
        pid = int(status.parent.name)
        if b"ipykernel_launcher" in command and _alive(pid) and started_here(pid):
            found.append(pid)
    return found


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


SPEC = """\
name: {{de: Kurs, en: Course}}
sections:
  - name: {{de: Eins, en: One}}
    topics: [{topics}]
"""


def small_course(root: Path, codes: dict[str, str]) -> Path:
    """A course of one deck per (topic, code); returns its root."""
    files = {"course.yaml": SPEC.format(topics=", ".join(codes))}
    for number, (topic, code) in enumerate(codes.items()):
        deck = f"slides/module_100_a/topic_{100 + number}_{topic}.py"
        files[deck] = deck_text(topic.title(), topic.title(), code)
    write_files(root, files)
    return root


def _html(root: Path, title: str) -> str:
    [page] = [
        page
        for page in (root / "output/shared/Course-en").rglob(f"* {title}.html")
        if "Completed" in page.parts
    ]
    return page.read_text()


def _cache_entries(root: Path) -> int:
    path = root / ".clm/cache.sqlite"
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as cache:
        try:
            return cache.execute("select count(*) from executions").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def test_outputs_are_byte_identical_to_a_local_build(built, cluster, tmp_path):
    root = copy_sources(tmp_path / "python-basics")
    result = run_clm(root, "build", YAML_SPEC, "--executor", cluster.executor)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    counts = work_counts(result)
    # The example's 11 executions ran on the cluster; here, none ran, all came from the cache.
    assert counts["cluster"] == 11 and counts["kernels"] == 0 and counts["cached"] == 11
    assert "executions done" in result.stderr
    assert output_files(root / "output") == output_files(built / "output")
    status = run_clm(root, "status", "--json")
    shown = json.loads(status.stdout)["cluster"]
    assert shown["address"] == cluster.address and not shown["active"]
    assert (shown["submitted"], shown["done"], shown["in_flight"]) == (11, 11, 0)

    # A prose edit changes the HTML, and sends nothing to the cluster.
    deck = root / "slides/module_100_basics/topic_110_variables/slides_types.py"
    deck.write_text(deck.read_text().replace("## Every value has a type", "## Every value: a type"))
    again = run_clm(root, "build", YAML_SPEC, "--executor", cluster.executor)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    counts = work_counts(again)
    assert counts["cluster"] == 0 and counts["kernels"] == 0 and counts["cached"] == 1
    assert "executions done" not in again.stderr


def test_a_failing_cell_runs_once_and_fails_its_deck_at_its_line(cluster, tmp_path):
    runs = tmp_path / "runs.txt"
    root = small_course(
        tmp_path / "course",
        {
            "good": "print(6 * 7)",
            "broken": f"open({str(runs)!r}, 'a').write('ran\\n')\n1 / 0",
        },
    )
    result = run_clm(root, "build", "--executor", cluster.executor)
    assert result.returncode == 1, result.stdout + result.stderr
    assert runs.read_text() == "ran\n"  # once on the cluster, never again here
    assert "topic_101_broken.py:12 (in the deck: 1 / 0): ZeroDivisionError" in result.stdout
    counts = work_counts(result)
    assert counts["cluster"] == 2 and counts["kernels"] == 0
    assert "42" in _html(root, "Good")


def test_a_cell_error_from_the_cluster_is_kept_and_not_sent_again(cluster, tmp_path):
    runs = tmp_path / "runs.txt"
    root = small_course(
        tmp_path / "course",
        {"good": "print(6 * 7)", "broken": f"open({str(runs)!r}, 'a').write('ran\\n')\n1 / 0"},
    )
    first = run_clm(root, "build", "--executor", cluster.executor)
    assert first.returncode == 1 and runs.read_text() == "ran\n"
    assert "kept failure from" not in first.stdout  # found by this very build

    again = run_clm(root, "build", "--executor", cluster.executor)
    assert again.returncode == 1, again.stdout + again.stderr
    assert runs.read_text() == "ran\n"  # neither sent to the cluster nor run here
    assert "topic_101_broken.py:12 (in the deck: 1 / 0): ZeroDivisionError" in again.stdout
    assert "  kept failure from a run on " in again.stdout
    counts = work_counts(again)
    assert counts["cluster"] == 0 and counts["kernels"] == 0 and counts["kept"] == 1

    rerun = run_clm(root, "build", "--executor", cluster.executor, "--rerun-failed")
    assert rerun.returncode == 1 and runs.read_text() == "ran\nran\n"
    assert work_counts(rerun)["cluster"] == 1 and "kept failure from" not in rerun.stdout


def test_a_skip_errors_deck_runs_on_the_cluster_and_its_raised_cell_is_cleared(cluster, tmp_path):
    root = small_course(
        tmp_path / "course", {"skipped": "print('printed' + '-then-raised')\n1 / 0"}
    )
    spec = root / "course.yaml"
    spec.write_text(spec.read_text().replace("[skipped]", "[{id: skipped, skip-errors: true}]"))
    result = run_clm(root, "build", "--executor", cluster.executor)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = work_counts(result)
    assert counts["cluster"] == 1 and counts["kernels"] == 0
    assert "  slides/module_100_a/topic_100_skipped.py:12: ZeroDivisionError" in result.stderr
    html = _html(root, "Skipped")
    assert "printed-then-raised" not in html and "ZeroDivisionError" not in html


def test_a_worker_killed_mid_notebook_is_replaced_and_the_build_completes(cluster, tmp_path):
    started = tmp_path / "started"
    root = small_course(
        tmp_path / "course",
        {
            "slow": f"import time\nopen({str(started)!r}, 'a').write('x')\n"
            "time.sleep(4)\nprint('slept')"
        },
    )
    build = Build(root, "clm build", ("--executor", cluster.executor))
    try:
        build.wait_for(started)
        # The kernel that runs the cell, and the worker process above it.
        kernel = next(pid for pid in _kernel_processes() if _is_below(pid, cluster.process.pid))
        worker = _parent(kernel)
        assert worker is not None and worker != cluster.process.pid
        # What the build is waiting for, as the reports show it meanwhile.
        listed = run_clm(root, "workers", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        shown = json.loads(listed.stdout)["cluster"]
        assert shown["active"] and shown["address"] == cluster.address
        assert (shown["submitted"], shown["done"], shown["in_flight"]) == (1, 0, 1)
        assert len(shown["workers"]) == 2
        status = run_clm(root, "status")
        assert f"cluster {cluster.address}: 2 workers; this build's executions: 0/1 done, " in (
            status.stdout
        )
        os.kill(worker, signal.SIGKILL)
        code, output, _ = build.end(timeout=180)
    finally:
        build.kill()
    assert code == 0, output
    assert started.read_text() == "xx"  # ran again, on the worker the nanny started anew
    assert "slept" in _html(root, "Slow")


def _is_below(pid: int, ancestor: int) -> bool:
    while pid not in (0, 1):
        parent = _parent(pid)
        if parent is None:
            return False
        if parent == ancestor:
            return True
        pid = parent
    return False


def test_a_deck_that_kills_every_worker_fails_at_its_cell(cluster, tmp_path):
    root = small_course(
        tmp_path / "course",
        {
            "good": "print(6 * 7)",
            "poison": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
        },
    )
    result = run_clm(root, "build", "--executor", cluster.executor)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "topic_101_poison.py:10: every Dask worker that ran it died (KilledWorker)" in (
        result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert "42" in _html(root, "Good")
    assert _cache_entries(root) == 1


def test_a_worker_with_another_environment_refuses_and_nothing_is_cached(tmp_path):
    extra = tmp_path / "extra-site"
    info = extra / "course_helper-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: course-helper\nVersion: 1.0\n")
    other = Cluster(tmp_path / "cluster.log", workers=1, extra_path=extra)
    try:
        root = small_course(tmp_path / "course", {"good": "print(6 * 7)"})
        result = run_clm(root, "build", "--executor", other.executor)
    finally:
        other.close()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "refused to run it" in result.stdout
    assert "course-helper: not installed here, 1.0 on the worker" in result.stdout
    assert _cache_entries(root) == 0
    assert work_counts(result)["kernels"] == 0


def test_ctrl_c_keeps_the_finished_results_and_the_rerun_sends_only_the_rest(cluster, tmp_path):
    codes = {"quick": "print(1)"}
    codes.update({f"slow{n}": f"import time\ntime.sleep(3)\nprint({n})" for n in range(4)})
    root = small_course(tmp_path / "course", codes)
    build = Build(root, "clm build", ("--executor", cluster.executor))
    try:
        deadline = time.monotonic() + 120
        while _cache_entries(root) < 1:
            assert build.process.poll() is None, build.process.communicate()[0]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(build.process.pid, signal.SIGINT)
        code, output, _ = build.end(timeout=300)
    finally:
        build.kill()
    assert code == 130, output
    assert "what the cluster sent is kept in the cache" in output
    assert "Traceback" not in output
    kept = _cache_entries(root)
    assert 1 <= kept < len(codes)
    assert last_run(root)["result"] == "interrupted"

    rerun = run_clm(root, "build", "--executor", cluster.executor)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert work_counts(rerun)["cluster"] == len(codes) - kept
    assert _cache_entries(root) == len(codes)


# Where a scheduler is meant not to answer, the build need not wait the 10 s a real one gets.
SHORT_ANSWER = {ANSWER_TIMEOUT_VARIABLE: "4"}


def test_an_unreachable_scheduler_fails_fast_or_falls_back_when_asked(tmp_path):
    root = small_course(tmp_path / "course", {"good": "print(6 * 7)"})
    result = run_clm(
        root, "build", "--executor", "dask://127.0.0.1:9", timeout=300, env=SHORT_ANSWER
    )
    assert result.returncode == 1, result.stdout + result.stderr
    [message] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "the Dask scheduler at tcp://127.0.0.1:9 did not answer within 4 s" in message
    assert "Traceback" not in result.stderr
    assert not (root / "output").exists()

    fallback = run_clm(
        root,
        "build",
        env={"CLM_EXECUTOR": "dask://127.0.0.1:9,fallback=local", **SHORT_ANSWER},
        timeout=300,
    )
    assert fallback.returncode == 0, fallback.stdout + fallback.stderr
    assert "running the decks here (fallback=local)" in fallback.stderr
    assert work_counts(fallback)["kernels"] == 1
    assert "42" in _html(root, "Good")


def test_a_bad_executor_is_a_usage_error(tmp_path):
    root = small_course(tmp_path / "course", {"good": "print(6 * 7)"})
    result = run_clm(root, "build", "--executor", "dask:/nowhere")
    assert result.returncode == 2
    assert "names no executor; say local, or dask://HOST:PORT" in result.stderr


def test_a_large_input_file_travels_once_for_every_deck_that_reads_it(cluster, tmp_path):
    root = tmp_path / "course"
    size = 1_500_000
    code = "print('read', len(open('data/big.bin', 'rb').read()), {n})"
    write_files(
        root,
        {
            "course.yaml": SPEC.format(topics="big"),
            "slides/module_100_a/topic_100_big/slides_one.py": deck_text(
                "Eins", "One", code.format(n=1)
            ),
            "slides/module_100_a/topic_100_big/slides_two.py": deck_text(
                "Zwei", "Two", code.format(n=2)
            ),
            "slides/module_100_a/topic_100_big/data/big.bin": os.urandom(size),
        },
    )
    result = run_clm(root, "build", "--executor", cluster.executor)
    assert result.returncode == 0, result.stdout + result.stderr
    assert work_counts(result)["cluster"] == 2
    assert f"read {size} 1" in _html(root, "One") and f"read {size} 2" in _html(root, "Two")
    assert len(_scheduler_keys(cluster, "clm-input-")) == 1


def _scheduler_keys(cluster: Cluster, prefix: str) -> set[str]:
    """The keys starting with ``prefix`` the scheduler has seen tasks of, lately."""
    script = (
        "import json, sys\n"
        "from distributed import Client\n"
        "with Client(sys.argv[1], timeout=30) as client:\n"
        "    log = client.run_on_scheduler(\n"
        "        lambda dask_scheduler: [str(entry[0]) for entry in dask_scheduler.transition_log]\n"
        "    )\n"
        "print(json.dumps(log))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, cluster.address],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return {key for key in json.loads(done.stdout) if key.startswith(prefix)}


def _scheduler_address(file: Path, within: float = 60) -> str:
    """The address ``dask scheduler --scheduler-file`` writes.

    The scheduler creates the file before it writes the JSON into it, so an empty or
    partial file means "not yet", as distributed's own Client treats it.
    """
    deadline = time.monotonic() + within
    while True:
        with contextlib.suppress(FileNotFoundError, ValueError, KeyError):
            return json.loads(file.read_text())["address"]
        assert time.monotonic() < deadline, f"the scheduler wrote no address to {file}"
        time.sleep(0.1)


class SchedulerAndWorkers:
    """`dask scheduler` and `dask worker` as processes of their own, each killable alone
    (no nanny restarts a killed worker, no LocalCluster outlives its scheduler)."""

    def __init__(self, folder: Path, threads: int = 1):
        dask = str(Path(sys.executable).parent / "dask")
        scheduler_file = folder / "scheduler.json"
        self.log = (folder / "cluster.log").open("w")
        common = {"stdout": self.log, "stderr": self.log, "env": _env(), "cwd": folder}
        self.scheduler = subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(scheduler_file)],
            **common,
        )  # fmt: skip
        self.workers: subprocess.Popen | None = None
        try:
            self.address = _scheduler_address(scheduler_file)
            self.workers = subprocess.Popen(
                [dask, "worker", self.address, "--nworkers", "1", "--nthreads", str(threads),
                 "--no-dashboard", "--host", "127.0.0.1"],
                process_group=0,
                **common,
            )  # fmt: skip
        except BaseException:
            self.close()
            raise
        self.executor = self.address.replace("tcp://", "dask://")

    def kill_workers(self) -> None:
        if self.workers is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.workers.pid, signal.SIGKILL)
            self.workers.wait()

    def kill_scheduler(self) -> None:
        self.scheduler.kill()
        self.scheduler.wait()

    def close(self) -> None:
        self.kill_workers()
        if self.scheduler.poll() is None:
            self.scheduler.terminate()
            try:
                self.scheduler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_scheduler()
        self.log.close()


def test_a_cluster_that_loses_every_worker_fails_the_build_instead_of_waiting(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("CLM_DASK_WORKER_WAIT", "3")
    dask = SchedulerAndWorkers(tmp_path)
    try:
        started = tmp_path / "started"
        root = small_course(
            tmp_path / "course",
            {"slow": f"open({str(started)!r}, 'w').close()\nimport time\ntime.sleep(60)"},
        )
        build = Build(root, "clm build", ("--executor", dask.executor))
        try:
            build.wait_for(started)
            dask.kill_workers()
            code, output, _ = build.end(timeout=300)
        finally:
            build.kill()
        assert code == 1, output
        assert "has had no workers for 3 s, and 1 execution waits for one" in output
        assert "Traceback" not in output
        assert last_run(root)["result"] == "failed"
    finally:
        dask.close()


@pytest.fixture
def blackhole():
    """A scheduler address that accepts connections and never answers."""
    hole = Blackhole()
    yield hole
    hole.close()


def test_a_scheduler_that_never_answers_stops_the_build_at_the_deadline_it_names(
    blackhole, tmp_path
):
    root = small_course(tmp_path / "course", {"good": "print(6 * 7)"})
    executor = f"dask://127.0.0.1:{blackhole.port}"
    result = run_clm(root, "build", "--executor", executor, timeout=300, env=SHORT_ANSWER)
    assert result.returncode == 1, result.stdout + result.stderr
    address = f"tcp://127.0.0.1:{blackhole.port}"
    [message] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert f"the Dask scheduler at {address} did not answer within 4 s" in message
    assert "fallback=local to run here instead" in message
    assert "Traceback" not in result.stderr
    assert blackhole.accepted, "the build never connected"
    assert last_run(root)["result"] == "failed"


def test_a_scheduler_that_never_answers_is_left_for_a_local_build_with_fallback(
    blackhole, tmp_path
):
    root = small_course(tmp_path / "course", {"good": "print(6 * 7)"})
    executor = f"dask://127.0.0.1:{blackhole.port},fallback=local"
    result = run_clm(root, "build", "--executor", executor, timeout=300, env=SHORT_ANSWER)
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stderr.splitlines() if "fallback=local" in line]
    assert len(warnings) == 1, result.stderr
    assert "did not answer within 4 s" in warnings[0] and warnings[0].startswith("clm: warning:")
    assert work_counts(result)["kernels"] == 1
    assert "42" in _html(root, "Good")
    assert last_run(root)["result"] == "ok"


def _waits_on_the_cluster_only(started: Path) -> str:
    """A cell that sleeps the first time it runs (on the cluster), not when it runs again."""
    return (
        f"import os, time\nif not os.path.exists({str(started)!r}):\n"
        f"    open({str(started)!r}, 'w').close()\n    time.sleep(120)\nprint('woke')"
    )


@pytest.mark.parametrize("fallback", [False, True], ids=["alone", "fallback"])
def test_a_scheduler_killed_mid_build_fails_what_it_did_not_finish_or_runs_it_here(
    tmp_path, fallback
):
    dask = SchedulerAndWorkers(tmp_path, threads=2)
    try:
        started = tmp_path / "started"
        root = small_course(
            tmp_path / "course",
            {"quick": "print(6 * 7)", "slow": _waits_on_the_cluster_only(started)},
        )
        executor = f"{dask.executor},fallback=local" if fallback else dask.executor
        build = Build(root, "clm build", ("--executor", executor))
        try:
            build.wait_for(started)
            deadline = time.monotonic() + 120
            while _cache_entries(root) < 1:  # the quick deck's result is in
                assert build.process.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
            dask.kill_scheduler()
            code, output, _ = build.end(timeout=300)
        finally:
            build.kill()
    finally:
        dask.close()
    assert "Traceback" not in output and "CancelledError" not in output, output
    assert " - distributed." not in output, output  # Dask's own log lines: clm said it
    assert "42" in _html(root, "Quick")
    gone = f"the Dask cluster at {dask.address} went away"
    if fallback:
        assert code == 0, output
        assert f"clm: warning: {gone}" in output
        assert "running the 1 execution it did not finish here (fallback=local)" in output
        assert "woke" in _html(root, "Slow")
        assert last_run(root)["result"] == "ok"
    else:
        assert code == 1, output
        [message] = [line for line in output.splitlines() if line.startswith(f"error: {gone}")]
        assert "1 deck it did not finish fails: " in message and "topic_101_slow.py" in message
        assert "build again once the cluster is back" in message
        assert "fallback=local" in message
        assert f"topic_101_slow.py: not run: {gone}" in output
        shown = last_run(root)
        assert shown["result"] == "failed" and shown["failed"] >= 1


def test_a_scheduler_that_stops_answering_mid_build_fails_what_it_did_not_finish(tmp_path):
    dask = SchedulerAndWorkers(tmp_path)
    try:
        started = tmp_path / "started"
        root = small_course(tmp_path / "course", {"slow": _waits_on_the_cluster_only(started)})
        build = Build(root, "clm build", ("--executor", dask.executor))
        try:
            build.wait_for(started)
            os.kill(dask.scheduler.pid, signal.SIGSTOP)  # its port still accepts, it says nothing
            code, output, _ = build.end(timeout=300)
        finally:
            build.kill()
            os.kill(dask.scheduler.pid, signal.SIGCONT)
    finally:
        dask.close()
    assert code == 1, output
    silent = f"error: the Dask scheduler at {dask.address} did not answer within 10 s"
    [message] = [line for line in output.splitlines() if line.startswith(silent)]
    assert "topic_100_slow.py" in message and "fallback=local" in message
    assert "Traceback" not in output
    assert last_run(root)["result"] == "failed"


def test_status_tells_of_a_cluster_build_killed_before_doit_ran(tmp_path):
    other = Cluster(tmp_path / "cluster.log", workers=1)
    try:
        started = tmp_path / "started"
        root = small_course(tmp_path / "course", {"slow": "print(1)"})
        assert run_clm(root, "build").returncode == 0  # the last run so far: ok
        deck = root / "slides/module_100_a/topic_100_slow.py"
        deck.write_text(deck.read_text().replace("print(1)", _waits_on_the_cluster_only(started)))
        build = Build(root, "clm build", ("--executor", other.executor))
        try:
            build.wait_for(started)
            os.killpg(build.process.pid, signal.SIGKILL)  # no clean-up at all
            build.process.wait()
        finally:
            build.kill()
        assert last_run(root)["result"] == "interrupted"
    finally:
        other.close()


def test_what_the_shared_cache_holds_is_not_sent_to_the_cluster(cluster, tmp_path):
    pytest.importorskip("cryptography")
    keys = tmp_path / "keys"
    keys.mkdir()
    assert run_clm(keys, "cache", "keygen").returncode == 0
    store = tmp_path / "store"
    codes = {"good": "print(6 * 7)", "other": "print(2 + 3)"}
    ci = small_course(tmp_path / "ci", codes)
    shutil.copy(keys / "clm-cache.pub", ci)
    pushing = {
        "CLM_CACHE_REMOTE": store.as_uri(),
        "CLM_CACHE_PUSH": "ci-main",
        "CLM_CACHE_KEY": str(keys / "clm-cache.key"),
    }
    assert run_clm(ci, "build", env=pushing).returncode == 0
    # As while another build is still pushing: its results are there, its manifest is not.
    shutil.rmtree(store / "manifests")

    clone = small_course(tmp_path / "clone", codes)
    shutil.copy(keys / "clm-cache.pub", clone)
    env = {"CLM_CACHE_REMOTE": store.as_uri()}
    result = run_clm(clone, "build", "--executor", cluster.executor, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = work_counts(result)
    assert counts["cluster"] == 0 and counts["kernels"] == 0 and counts["shared"] == 2
