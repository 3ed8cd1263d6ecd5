"""How a cold build scales with Dask workers: sleep-bound decks on a real cluster here.

    python benchmarks/dask.py            # W = 1, 2, 4, 8 (about five minutes)
    python benchmarks/dask.py --quick    # W = 1 and 4, fewer decks

Needs ``clm[dask]``. The course (benchmarks/work/dask-course/) has 16 decks
whose one code cell sleeps 2 s, so CPU does not limit how many notebooks run
at once. For each W a scheduler and W worker processes (one thread each) are
started with Dask's own commands on 127.0.0.1, and the course is built cold
(no ``.clm/``, no output) with ``clm build -j J --executor dask://…``.

Measured per build:

* wall time of the whole build, and of its cluster phase (from the start of
  ``clm build`` to the end of the last task on the cluster);
* notebooks in flight: the most tasks the workers ran at once, from Dask's
  task stream (worker-side start and stop of each task, kernel start included);
* cells sleeping at once: the most overlapping ``time.sleep`` spans, as the
  notebooks printed them (the cache holds what they printed).

A local build (``clm build -j J``, no cluster) is the baseline. The cluster
phase must reach 0.8·W notebooks in flight whatever ``-j`` is: W = 8 is also
built with ``-j 1``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# This file's name is the dask package's: its folder must not be where `import dask` looks.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

WORK = HERE / "work" / "dask-course"
SLEEP = 2.0
CHECKOUT = Path(__file__).resolve().parents[1]

DECK = """\
# j2 from 'macros.j2' import header
# {{{{ header("Schlaf {n}", "Sleep {n}") }}}}

# %% [markdown] lang="de" tags=["slide"]
# ## Warten

# %% [markdown] lang="en" tags=["slide"]
# ## Waiting

# %%
import time
began = time.time()
time.sleep({sleep})
print("slept", {n}, began, time.time())
"""


def write_course(root: Path, decks: int) -> None:
    shutil.rmtree(root, ignore_errors=True)
    topics = [f"sleep_{n:02d}" for n in range(decks)]
    (root / "slides/module_100_sleep").mkdir(parents=True)
    spec = (
        "name: {de: Schlafkurs, en: Sleep course}\n"
        "sections:\n"
        "  - name: {de: Schlaf, en: Sleep}\n"
        f"    topics: [{', '.join(topics)}]\n"
    )
    (root / "course.yaml").write_text(spec)
    for n, topic in enumerate(topics):
        deck = root / f"slides/module_100_sleep/topic_{100 + n}_{topic}.py"
        deck.write_text(DECK.format(n=n, sleep=SLEEP))


def fresh(root: Path) -> None:
    for name in (".clm", "output"):
        shutil.rmtree(root / name, ignore_errors=True)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(CHECKOUT)}


def _written_address(file: Path) -> str | None:
    try:
        return json.loads(file.read_text())["address"]
    except (FileNotFoundError, ValueError, KeyError):
        return None


class Cluster:
    """``dask scheduler`` and ``dask worker --nworkers W`` on 127.0.0.1."""

    def __init__(self, workers: int, folder: Path):
        dask = str(Path(sys.executable).parent / "dask")
        self.file = folder / "scheduler.json"
        self.file.unlink(missing_ok=True)
        self.log = (folder / f"cluster-{workers}.log").open("w")
        common = {"stdout": self.log, "stderr": self.log, "env": _env(), "cwd": folder}
        self.scheduler = subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(self.file)],
            **common,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        # The file appears before its JSON is written: an empty or partial file means "not yet".
        while (address := _written_address(self.file)) is None:
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        self.address = address
        self.worker = subprocess.Popen(
            [dask, "worker", "--scheduler-file", str(self.file), "--nworkers", str(workers),
             "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
            **common,
        )  # fmt: skip
        from distributed import Client

        self.client = Client(self.address, timeout=30)
        self.client.wait_for_workers(workers, timeout=120)
        self.client.get_task_stream(count=0)  # installs the scheduler's task stream

    def tasks(self, since: float) -> list[tuple[float, float]]:
        """(start, stop) of each clm task the workers computed since ``since``."""
        spans = []
        for record in self.client.get_task_stream(start=since):
            if not str(record.get("key", "")).startswith("clm-execution-"):
                continue
            for part in record.get("startstops", ()):
                if part.get("action") == "compute":
                    spans.append((part["start"], part["stop"]))
        return spans

    def close(self) -> None:
        self.client.close()
        for process in (self.worker, self.scheduler):
            process.terminate()
        for process in (self.worker, self.scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.log.close()


def most_at_once(spans: list[tuple[float, float]], slack: float = 0.05) -> int:
    """The most spans running at one instant, just after one of them started.

    One worker thread's tasks touch end to start; the clocks of two
    processes round apart by a few ms, so touching spans are not counted as
    overlapping within ``slack`` seconds.
    """
    instants = [start + slack for start, _ in spans]
    return max(
        (sum(1 for start, stop in spans if start <= now < stop) for now in instants), default=0
    )


def sleep_spans(root: Path) -> list[tuple[float, float]]:
    """The sleeps the notebooks printed, from the cache's stored outputs."""
    spans = []
    with sqlite3.connect(root / ".clm/cache.sqlite") as cache:
        for (value,) in cache.execute("select outputs from executions"):
            for cell_outputs, _ in json.loads(value):
                for output in cell_outputs:
                    for line in output.get("text", "").splitlines():
                        if line.startswith("slept "):
                            _, _, began, ended = line.split()
                            spans.append((float(began), float(ended)))
    return spans


@dataclass
class Row:
    where: str
    workers: int
    jobs: int
    wall: float
    phase: float | None
    in_flight: int | None
    sleeping: int
    ran: int


def build(root: Path, jobs: int, cluster: Cluster | None) -> Row:
    fresh(root)
    command = [sys.executable, "-m", "clm", "build", "-j", str(jobs)]
    if cluster is not None:
        command += ["--executor", cluster.address.replace("tcp://", "dask://")]
    began = time.time()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, env=_env())
    wall = time.time() - began
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    spans = cluster.tasks(began) if cluster is not None else []
    return Row(
        "dask" if cluster else "local",
        0 if cluster is None else len(cluster.client.scheduler_info()["workers"]),
        jobs,
        wall,
        max(stop for _, stop in spans) - began if spans else None,
        most_at_once(spans) if cluster else None,
        most_at_once(sleep_spans(root)),
        len(spans),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="W = 1 and 4, 8 decks")
    args = parser.parse_args()
    counts = [1, 4] if args.quick else [1, 2, 4, 8]
    decks = 8 if args.quick else 16
    root = WORK / "course"
    write_course(root, decks)
    rows = [build(root, 2, None)]
    with tempfile.TemporaryDirectory(prefix="clm-dask-bench-") as scratch:
        for workers in counts:
            cluster = Cluster(workers, Path(scratch))
            try:
                rows.append(build(root, 2, cluster))
                if workers == counts[-1]:
                    rows.append(build(root, 1, cluster))
            finally:
                cluster.close()
    print(
        f"\n{decks} decks, one cell each sleeping {SLEEP:g} s; cold builds on {os.cpu_count()} cores\n"
    )
    print(
        "| executor | W | -j | cold build | cluster phase | notebooks in flight | "
        "≥ 0.8·W | cells sleeping at once | speed-up of the phase vs W=1 |"
    )
    print("|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    base = next((r.phase for r in rows if r.where == "dask" and r.workers == 1), None)
    for row in rows:
        phase = "-" if row.phase is None else f"{row.phase:.1f} s"
        flight = "-" if row.in_flight is None else str(row.in_flight)
        enough = (
            "-"
            if row.in_flight is None
            else ("yes" if row.in_flight >= 0.8 * row.workers else "NO")
        )
        speedup = "-" if row.phase is None or base is None else f"{base / row.phase:.2f}"
        print(f"| {row.where} | {row.workers or '-'} | {row.jobs} | {row.wall:.1f} s | {phase} "
              f"| {flight} | {enough} | {row.sleeping} | {speedup} |")  # fmt: skip


if __name__ == "__main__":
    main()
