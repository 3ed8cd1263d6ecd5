"""Time a 20-deck bilingual Java course in the real JJava kernel: builds, kernel starts, spares.

    python benchmarks/java_course.py           # medians of three (about ten minutes)
    python benchmarks/java_course.py --quick   # one repetition of each

The course (Java decks of a few Markdown cells and four small code cells, one
println each) is generated under benchmarks/work/java-course/. Three tables:

1. ``clm build`` subprocesses: a cold build (no ``.clm/``, no output) with the
   default worker count (``-j``: the cores) and with ``-j 1``, a no-op, a
   Markdown edit of one deck and a code edit of another, each with the wall
   time, the counts of clm's summary line and the kernel processes seen. The
   latter are counted independently of clm's counters: the builds get a
   TMPDIR of their own, and a thread here notes every kernel scratch folder
   (``clm-kernel-*``, one per kernel started) that appears in it.
2. Kernel start cost, in this process: ``_start_kernel(None, kernel)`` for
   ``java`` and ``python3``, until it returns, until the kernel answers a
   kernel_info request, and until it ran a trivial cell; then its shutdown.
3. The spare-kernel effect: the 20 decks' notebooks run one after another in
   this process through ``run_notebook``, once with one ``KernelPool`` (the
   next kernel boots while a notebook runs) and once with a pool that starts
   each kernel when asked (``_start_kernel``) and keeps no spare (the runner
   shuts every kernel down after its notebook). Both totals include shutting
   down every kernel, the pool's last spare too.

Repetitions are interleaved (cold builds alternate their worker counts, the
two ways of table 3 alternate their order) and figures are medians; every run
is listed beside its median, since a shared machine is noisy.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

WORK = Path(__file__).resolve().parent / "work" / "java-course"
DECKS = 20
DECKS_PER_SECTION = 10
# Two languages, each: HTML and notebook of code-along, completed, speaker; the Java file.
OUTPUTS_PER_DECK = 14
SCRATCH_PREFIX = "clm-kernel-"  # clm.execute.kernels.SCRATCH_PREFIX, without importing clm here
SUMMARY = re.compile(
    r"clm: (?P<ran>\d+) kernels? ran deck code \((?P<spares>\d+) spares? started ahead\), "
    r"(?P<cached>\d+) executions? from the cache, (?P<written>\d+) outputs? written"
)


def deck_text(index: int) -> str:
    return f"""// j2 from 'macros.j2' import header
// {{{{ header("Lektion {index}", "Lesson {index}") }}}}

// %% [markdown] lang="de" tags=["slide"]
// ## Ganze Zahlen ({index})
//
// Wir rechnen mit `int`.

// %% [markdown] lang="en" tags=["slide"]
// ## Integers ({index})
//
// We compute with `int`.

// %% tags=["keep"]
System.out.println("deck {index}");

// %%
int base = {index};
int square = base * base;
square

// %% [markdown] lang="de" tags=["notes"]
// Hinweis für Vortragende zu Lektion {index}.

// %% [markdown] lang="en" tags=["notes"]
// Speaker note for lesson {index}.

// %%
String title = "Lesson " + base;
title.length()

// %%
Math.max(square, 10)
"""


def deck_path(root: Path, index: int) -> Path:
    topic = root / "slides" / "module_100_java" / f"topic_{100 + index:03d}_lesson_{index}"
    return topic / f"slides_lesson_{index}.java"


def generate(root: Path, decks: int) -> None:
    """A Java course of ``decks`` topics (``prog-lang: java``) at ``root``, made afresh."""
    shutil.rmtree(root, ignore_errors=True)
    sections: list[list[str]] = []
    for index in range(decks):
        deck = deck_path(root, index)
        deck.parent.mkdir(parents=True)
        deck.write_text(deck_text(index), encoding="utf-8")
        if index % DECKS_PER_SECTION == 0:
            sections.append([])
        sections[-1].append(f"lesson_{index}")
    lines = ["name: {de: Java-Kurs, en: Java Course}", "prog-lang: java", "sections:"]
    for number, topics in enumerate(sections, start=1):
        lines.append(f"  - name: {{de: Teil {number}, en: Part {number}}}")
        lines.append(f"    topics: [{', '.join(topics)}]")
    (root / "course.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- 1. builds ------------------------------------------------------------------------


class KernelFolders:
    """Notes every kernel scratch folder that appears in ``folder`` while it runs."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self._look()
            self._stop.wait(0.02)  # a kernel lives for a second at least

    def _look(self) -> None:
        with os.scandir(self.folder) as entries:
            self.seen.update(e.name for e in entries if e.name.startswith(SCRATCH_PREFIX))

    def __enter__(self) -> KernelFolders:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._look()


@dataclass
class Build:
    seconds: float
    ran: int  # clm's summary: kernels that ran deck code
    spares: int  # spares started ahead
    cached: int  # executions served from the cache
    written: int  # outputs written
    processes: int  # kernel scratch folders seen: kernels really started


def build(root: Path, tmp: Path, jobs: int | None = None) -> Build:
    args = [sys.executable, "-m", "clm", "build"] + (["-j", str(jobs)] if jobs else [])
    env = {**os.environ, "TMPDIR": str(tmp), "NO_COLOR": "1", "TERM": "dumb"}
    with KernelFolders(tmp) as kernels:
        start = time.perf_counter()
        result = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(args)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    found = SUMMARY.search(result.stdout)
    if found is None:
        raise SystemExit(f"no summary line in the output of {' '.join(args)}:\n{result.stdout}")
    counts = {name: int(value) for name, value in found.groupdict().items()}
    return Build(seconds, processes=len(kernels.seen), **counts)


def cold(root: Path, tmp: Path, jobs: int | None) -> Build:
    shutil.rmtree(root / ".clm", ignore_errors=True)
    shutil.rmtree(root / "output", ignore_errors=True)
    return build(root, tmp, jobs)


class Editor:
    """Edits that never repeat, so an edited execution is never in the cache."""

    def __init__(self, root: Path):
        self.root = root
        self.count = 0

    def _edit(self, index: int, pattern: str, replacement: str) -> None:
        self.count += 1
        deck = deck_path(self.root, index)
        text, found = re.subn(
            pattern, replacement.format(n=self.count), deck.read_text(encoding="utf-8"), count=1
        )
        if not found:
            raise SystemExit(f"{deck}: nothing matches {pattern!r}")
        deck.write_text(text, encoding="utf-8")

    def markdown(self) -> None:
        """The German slide's prose of deck 1: its German outputs change, its code does not."""
        self._edit(1, r"Wir rechnen.* mit", "Wir rechnen ({n}) mit")

    def code(self) -> None:
        """A code cell of deck 2 that is not kept: its code-along outputs do not change."""
        self._edit(2, r"int base = [^;]*;", "int base = 2 + {n};")


def all_ran(b: Build) -> bool:
    """every deck's code ran in a kernel, none came from the cache, every output was written"""
    return b.ran == DECKS and b.cached == 0 and b.written == DECKS * OUTPUTS_PER_DECK


def nothing(b: Build) -> bool:
    """no kernel process started, nothing written"""
    return b.ran == b.spares == b.processes == b.written == 0


def from_cache(b: Build) -> bool:
    """no kernel process started, the one execution came from the cache"""
    return b.ran == b.spares == b.processes == 0 and b.cached == 1


def one_kernel(b: Build) -> bool:
    """one kernel ran the deck's code, nothing came from the cache"""
    return b.ran == 1 and b.cached == 0


@dataclass
class Measure:
    name: str
    workers: str
    expect: Callable[[Build], bool]  # what every run must show
    builds: list[Build] = field(default_factory=list)


def build_table(root: Path, tmp: Path, reps: int, single: bool) -> list[Measure]:
    default = str(os.cpu_count() or 1)
    cold_default = Measure("cold build", default, all_ran)
    cold_single = Measure("cold build", "1", all_ran)
    noop = Measure("no-op", default, nothing)
    markdown = Measure("markdown edit, one deck", default, from_cache)
    code = Measure("code edit, one deck", default, one_kernel)
    editor = Editor(root)
    for rep in range(reps):
        colds: list[tuple[Measure, int | None]] = [(cold_default, None)]
        if single:
            colds.insert(rep % 2, (cold_single, 1))
        for measure, jobs in colds:
            measure.builds.append(cold(root, tmp, jobs))
            print(f"  {measure.name}, -j {measure.workers}: {measure.builds[-1]}", flush=True)
        for measure, edit in ((noop, None), (markdown, editor.markdown), (code, editor.code)):
            if edit is not None:
                edit()
            measure.builds.append(build(root, tmp))
            print(f"  {measure.name}: {measure.builds[-1]}", flush=True)
        noop.builds.append(build(root, tmp))  # after the edits too
    return [cold_default] + ([cold_single] if single else []) + [noop, markdown, code]


def print_build_table(measures: list[Measure]) -> None:
    head = (
        "| measure | -j | median s | per deck s | runs (s) | kernels ran code | spares started "
        "| kernel processes | from cache | outputs written | as expected |"
    )
    print(head)
    print("|" + "---|" * head.count(" | ") + "---|")
    for m in measures:
        seconds = [b.seconds for b in m.builds]
        median = statistics.median(seconds)
        per_deck = f"{median / DECKS:.2f}" if m.name.startswith("cold") else ""

        def counts(attribute: str, builds: list[Build] = m.builds) -> str:
            values = sorted({getattr(b, attribute) for b in builds})
            return "/".join(map(str, values))

        ok = all(m.expect(b) for b in m.builds)
        print(
            f"| {m.name} | {m.workers} | {median:.2f} | {per_deck} | "
            f"{', '.join(f'{s:.2f}' for s in seconds)} | {counts('ran')} | {counts('spares')} | "
            f"{counts('processes')} | {counts('cached')} | {counts('written')} | "
            f"{'yes' if ok else 'NO'} |"
        )
    print("\nexpected:")
    for m in measures:
        print(f"- {m.name}, -j {m.workers}: {m.expect.__doc__}")
    print(
        "- kernel processes: the scratch folders seen, one per kernel started; they include "
        "each worker's last spare, which no deck uses"
    )
    medians = {
        (m.name, m.workers): statistics.median(b.seconds for b in m.builds) for m in measures
    }
    default = str(os.cpu_count() or 1)
    ratios = [
        ("cold -j 1 / cold -j " + default, ("cold build", "1"), ("cold build", default)),
        ("cold / no-op", ("cold build", default), ("no-op", default)),
        (
            "code edit / markdown edit",
            ("code edit, one deck", default),
            ("markdown edit, one deck", default),
        ),
    ]
    print("\n| ratio of medians | value |\n|---|---|")
    for name, top, bottom in ratios:
        if top in medians and bottom in medians:
            print(f"| {name} | {medians[top] / medians[bottom]:.1f}x |")


# --- 2. kernel starts ----------------------------------------------------------------


@dataclass
class Start:
    started: float  # _start_kernel returned
    ready: float  # the kernel answered kernel_info
    ran: float  # a trivial cell ran
    shutdown: float  # Kernel.shutdown() took


def start_once(kernel: str) -> Start:
    from jupyter_core.utils import run_sync

    from clm.execute.kernels import _start_kernel

    began = time.perf_counter()
    started_kernel = _start_kernel(None, kernel)
    started = time.perf_counter()
    client = started_kernel.manager.client()
    try:
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=120)
        ready = time.perf_counter()
        reply = run_sync(client.execute_interactive)(
            "1 + 1", timeout=120, output_hook=lambda message: None
        )
        ran = time.perf_counter()
        if reply["content"]["status"] != "ok":
            raise SystemExit(f"{kernel}: the trivial cell failed: {reply['content']}")
    finally:
        client.stop_channels()
        stopping = time.perf_counter()
        started_kernel.shutdown()
    gone = time.perf_counter()
    return Start(started - began, ready - began, ran - began, gone - stopping)


def start_table(reps: int) -> dict[str, list[Start]]:
    kernels = ("java", "python3")
    for kernel in kernels:
        start_once(kernel)  # untimed: the JVM's and Python's files in the page cache
    figures: dict[str, list[Start]] = {kernel: [] for kernel in kernels}
    for rep in range(reps):
        for kernel in kernels if rep % 2 == 0 else kernels[::-1]:
            figures[kernel].append(start_once(kernel))
    return figures


def print_start_table(figures: dict[str, list[Start]]) -> None:
    def median(kernel: str, attribute: str) -> float:
        return statistics.median(getattr(s, attribute) for s in figures[kernel])

    print(
        "| kernel | `_start_kernel` returned | kernel_info answered | trivial cell ran "
        "| shutdown | runs (s to trivial cell) |"
    )
    print("|---|---|---|---|---|---|")
    for kernel, starts in figures.items():
        runs = ", ".join(f"{s.ran:.2f}" for s in starts)
        print(
            f"| {kernel} | {median(kernel, 'started'):.3f} | {median(kernel, 'ready'):.3f} | "
            f"{median(kernel, 'ran'):.3f} | {median(kernel, 'shutdown'):.3f} | {runs} |"
        )
    ratios = [
        median("java", attribute) / median("python3", attribute)
        for attribute in ("started", "ready", "ran", "shutdown")
    ]
    print(f"| java / python3 | {' | '.join(f'{r:.1f}x' for r in ratios)} | |")


# --- 3. the spare kernel ---------------------------------------------------------------


def deck_notebooks(root: Path, decks: int) -> list:
    """Each deck's completed English notebook, as the build sends it to the kernel."""
    from clm.deck.notebook import variant_notebook
    from clm.deck.prepass import Prepass
    from clm.plan.variants import Format, Kind

    notebooks = []
    for index in range(decks):
        deck = deck_path(root, index)
        text = deck.read_text(encoding="utf-8")
        notebook, _ = variant_notebook(
            Prepass(), text, deck, "en", Kind.COMPLETED, Format.HTML, "java"
        )
        notebooks.append(notebook)
    return notebooks


def sequential(notebooks: list, spare: bool, tmp: Path) -> tuple[float, int]:
    """Seconds to run ``notebooks`` one after another, and the kernels started."""
    from clm.execute import kernels
    from clm.execute.runner import KernelChoice, run_notebook

    class NoSpare(kernels.KernelPool):
        """A pool that starts each kernel when it is asked for one, and keeps no spare."""

        def fresh_kernel(self, python: str | None = None, kernel: str = "python3"):
            self.handed_out += 1
            return kernels._start_kernel(python, kernel)

    pool = kernels.KernelPool() if spare else NoSpare()
    saved = tempfile.tempdir
    tempfile.tempdir = str(tmp)  # the kernels' scratch folders, for KernelFolders to count
    choice = KernelChoice(kernel="java", language="java")
    try:
        with KernelFolders(tmp) as started:
            start = time.perf_counter()
            for index, notebook in enumerate(notebooks):
                ran = run_notebook(copy.deepcopy(notebook), [], 60, False, choice, kernels=pool)
                printed = "".join(
                    o.get("text", "") for c in ran.cells for o in c.get("outputs", [])
                )
                if f"deck {index}" not in printed:
                    raise SystemExit(f"deck {index} did not print its line: {printed!r}")
            pool.close()
            seconds = time.perf_counter() - start
    finally:
        tempfile.tempdir = saved
    return seconds, len(started.seen)


def spare_table(notebooks: list, reps: int, tmp: Path) -> dict[bool, list[tuple[float, int]]]:
    figures: dict[bool, list[tuple[float, int]]] = {True: [], False: []}
    for rep in range(reps):
        for spare in (True, False) if rep % 2 == 0 else (False, True):
            figures[spare].append(sequential(notebooks, spare, tmp))
            seconds, started = figures[spare][-1]
            print(f"  {'pool' if spare else 'no spare'}: {seconds:.2f} s, {started} kernels")
    return figures


def print_spare_table(figures: dict[bool, list[tuple[float, int]]], decks: int) -> None:
    medians = {spare: statistics.median(s for s, _ in runs) for spare, runs in figures.items()}
    print(f"| {decks} notebooks, one process | total s | per deck s | runs (s) | kernels started |")
    print("|---|---|---|---|---|")
    for spare, name in (
        (True, "one KernelPool (a spare boots while a notebook runs)"),
        (False, "fresh `_start_kernel` per notebook, no spare"),
    ):
        runs = ", ".join(f"{s:.2f}" for s, _ in figures[spare])
        started = "/".join(str(n) for n in sorted({n for _, n in figures[spare]}))
        print(
            f"| {name} | {medians[spare]:.2f} | {medians[spare] / decks:.2f} | {runs} | {started} |"
        )
    saved = (medians[False] - medians[True]) / decks
    print(
        f"| no spare / pool | {medians[False] / medians[True]:.2f}x | {saved:+.2f} s saved "
        "per deck by the spare | | |"
    )


# --- main -------------------------------------------------------------------------------


def java_version() -> str:
    result = subprocess.run(["java", "-version"], capture_output=True, text=True)
    return (result.stderr or result.stdout).splitlines()[0] if result.returncode == 0 else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repetition of each")
    parser.add_argument("--no-single", action="store_true", help="skip the cold builds with -j 1")
    args = parser.parse_args()
    reps, starts = (1, 2) if args.quick else (3, 5)
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average at the start: {load} ({os.cpu_count()} cores)")
    print(f"{java_version()}; Python {sys.version.split()[0]}")
    print(f"{DECKS} Java decks, {reps} repetition(s)\n", flush=True)

    generate(WORK, DECKS)
    tmp = Path(tempfile.mkdtemp(prefix="clm-java-bench-"))
    try:
        print("builds:", flush=True)
        measures = build_table(WORK, tmp, reps, not args.no_single)
        print("kernel starts:", flush=True)
        start_figures = start_table(starts)
        print("spare kernel:", flush=True)
        spare_figures = spare_table(deck_notebooks(WORK, DECKS), reps, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\nload average at the end: {load}\n")
    print_build_table(measures)
    print()
    print_start_table(start_figures)
    print()
    print_spare_table(spare_figures, DECKS)


if __name__ == "__main__":
    main()
