"""Time the leak guard alone, on synthetic courses too large to build here.

    python benchmarks/leak_guard.py               # 60 and 1,000 decks
    python benchmarks/leak_guard.py --sizes 60

The planned public files are written with stand-ins of realistic size (an
nbconvert page carries 280 kB of styles; notebooks and scripts are the real
ones), so the figures are the guard's own: reading every public file (a cold
build, or a changed protected text), the check after a one-deck edit, and
doit's up-to-date check of the guard tasks on a no-op, which every build pays.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate

WORK = Path(__file__).resolve().parent / "work"
STATUS = """
import time
from doit.dependency import Dependency
from clm.languages.table import PYTHON
from clm.state.backend import SqliteStateDB
from clm.state.doit_state import DoitState
from clm.state.workspace import Workspace
from clm.tasks.prepare import prepare_build
from clm.tasks.generator import course_tasks_for_doit
build = prepare_build("course.yaml")
tasks = {t.name: t for t in course_tasks_for_doit(build)}
guards = [t for name, t in tasks.items() if name.startswith("check-public-outputs:")]
start = time.perf_counter()
state = DoitState(Workspace.at("."), build.values)
dependency = Dependency(
    SqliteStateDB, ".clm/state.sqlite", checker_cls=state.checker, codec_cls=state.codec
)
loaded = time.perf_counter()
if "--save" in __import__("sys").argv:
    for task in guards:
        dependency.get_status(task, tasks)
        dependency.save_success(task)
    dependency.close()
    raise SystemExit
statuses = [dependency.get_status(task, tasks).status for task in guards]
assert statuses == ["up-to-date"] * len(guards), statuses
print(time.perf_counter() - start, sum(len(t.file_dep) for t in guards))
"""


def write_stand_ins(root: Path) -> list[tuple]:
    """Write every planned public file; returns the guard's actions."""
    from clm.deck.formats import code_bytes, html_bytes, notebook_bytes
    from clm.deck.notebook import variant_notebook
    from clm.languages.table import PYTHON
    from clm.plan.variants import Format, Kind
    from clm.tasks.generator import task_dicts
    from clm.tasks.prepare import prepare_build

    os.chdir(root)
    build = prepare_build("course.yaml")
    page = html_bytes(__import__("nbformat").v4.new_notebook(), "stand-in")
    for deck in build.plan.decks:
        text = Path(deck.deck.path).read_text(encoding="utf-8")
        notebooks: dict = {}
        for output in deck.outputs:
            variant = output.variant
            if variant.kind is Kind.RECORDING:
                continue
            run = (variant.lang, variant.kind)
            if run not in notebooks:
                notebooks[run] = variant_notebook(
                    build.prepasses[deck.deck.path],
                    text,
                    Path(deck.deck.path),
                    *run,
                    Format.NOTEBOOK,
                )
            notebook, cells = notebooks[run]
            if variant.format is Format.HTML:
                body = "".join(f"<p>{cell.source}</p>\n" for cell in cells).encode()
                data = page.replace(b"</body>", body + b"</body>")
            elif variant.format is Format.NOTEBOOK:
                data = notebook_bytes(notebook)
            else:
                data = code_bytes(notebook, PYTHON)
            Path(output.path).parent.mkdir(parents=True, exist_ok=True)
            Path(output.path).write_bytes(data)
    for job in (*build.plan.topic_data, *build.plan.dir_groups):
        for copy in job.copies:
            Path(copy.target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(copy.source, copy.target)
    return [
        spec["actions"][0]
        for spec in task_dicts(build)
        if spec["basename"] == "check-public-outputs" and spec.get("name")
    ]


def run_guards(actions: list[tuple]) -> float:
    """Run the guard's actions here, as a warmed-up doit worker would."""
    from clm.workers.warm_up import warm_up

    warm_up()  # what a worker does before its first job (done once per process)
    start = time.perf_counter()
    for function, args in actions:
        assert function(*args) is None
    return time.perf_counter() - start


def forget_checks() -> None:
    from clm.state.workspace import Workspace

    conn = Workspace.at(Path.cwd()).state()
    for table in ("leak_decks", "leak_checked", "leak_forbidden"):
        conn.execute(f"delete from {table}")
    conn.execute("delete from meta where key like 'leak-guard%'")


def measure(size: int) -> list[tuple[str, int, float | int]]:
    root = WORK / f"guard-{size}"
    if root.exists():
        shutil.rmtree(root)
    generate(root, size)
    actions = write_stand_ins(root)
    files = sum(len(_public(args)) for _, args in actions)
    rows: list[tuple[str, int, float | int]] = [("public files", size, files)]
    rows.append(("every file read (cold)", size, run_guards(actions)))
    rows.append(("nothing changed", size, run_guards(actions)))
    forget_checks()
    run_guards(actions)
    rows.append(("decks known, every file read", size, _files_only(actions)))
    deck = next(Path("slides").rglob("slides_lesson_1.py"))
    deck.write_text(deck.read_text().replace("Wir lesen die Datei", "Wir lesen jetzt die Datei"))
    edited = [
        p for _, args in actions for p in _public(args) if "Lektion 1." in p or "Lesson 1." in p
    ]
    for path in edited:
        Path(path).write_bytes(Path(path).read_bytes() + b"\n")
    rows.append(("one-deck edit", size, run_guards(actions)))
    python = [sys.executable, "-c", STATUS]
    subprocess.run([*python, "--save"], check=True)
    seconds, deps = subprocess.run(
        python, check=True, capture_output=True, text=True
    ).stdout.split()
    rows.append(("doit no-op status check", size, float(seconds)))
    rows.append(("file dependencies", size, int(deps)))
    return rows


def _public(args: tuple) -> tuple[str, ...]:
    """The public files a guard action reads (its one argument is a GuardJob)."""
    (job,) = args
    return job.public


def _files_only(actions: list[tuple]) -> float:
    from clm.state.workspace import Workspace

    conn = Workspace.at(Path.cwd()).state()
    conn.execute("delete from leak_checked")
    return run_guards(actions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 1000])
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        rows += measure(size)
    print(f"{'measure':<32}{'decks':>7}{'value':>10}")
    for name, size, value in rows:
        shown = f"{value:>10.3f}" if isinstance(value, float) else f"{value:>10}"
        print(f"{name:<32}{size:>7}{shown}")


if __name__ == "__main__":
    main()
