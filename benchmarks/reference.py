"""The floor for a cold build: each deck executed once with plain nbclient, then exported.

    python benchmarks/reference.py [--decks 60]

For every deck of the synthetic course: one fresh kernel (IPC transport) runs
the code once, and nbconvert writes the same six HTML files clm writes (two
languages × code-along, completed, speaker), in as many processes as clm uses
workers. No caching, no incremental logic, no other formats: what is left is the
unavoidable work, which clm's cold build is measured against.
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate

WORK = Path(__file__).resolve().parent / "work"


def _deck_job(args: tuple[str, str, str]) -> int:
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    from clm.deck.notebook import variant_notebook
    from clm.deck.prepass import Prepass
    from clm.plan.variants import Format, Kind

    deck, topic_folder, output = args
    text = Path(deck).read_text(encoding="utf-8")
    prepass = Prepass()
    executed = None
    exporter = HTMLExporter(template_name="lab", embed_images=False)
    written = 0
    for lang in ("de", "en"):
        for kind in Kind:
            notebook, _ = variant_notebook(prepass, text, Path(deck), lang, kind, Format.HTML)
            if kind is not Kind.CODE_ALONG:
                if executed is None:
                    with tempfile.TemporaryDirectory() as scratch:
                        work = Path(scratch) / "work"
                        shutil.copytree(topic_folder, work)
                        manager = KernelManager(transport="ipc", ip=str(Path(scratch) / "ipc"))
                        client = NotebookClient(copy.deepcopy(notebook), timeout=600)
                        client.km = manager
                        executed = client.execute(cwd=str(work))
                        manager.shutdown_kernel(now=True)
                ran = iter(c for c in executed.cells if c.cell_type == "code")
                for cell in notebook.cells:
                    if cell.cell_type == "code":
                        cell.outputs = next(ran).outputs
            body, _ = exporter.from_notebook_node(notebook)
            target = Path(output) / f"{Path(deck).stem}-{lang}-{kind}.html"
            target.write_text(body, encoding="utf-8")
            written += 1
    return written


def run(root: Path, processes: int) -> tuple[float, int]:
    decks = sorted(root.glob("slides/*/topic_*/slides_*.py"))
    output = root / "reference-output"
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir()
    jobs = [(str(deck), str(deck.parent), str(output)) for deck in decks]
    start = time.perf_counter()
    with multiprocessing.Pool(processes) as pool:
        written = sum(pool.map(_deck_job, jobs, chunksize=1))
    return time.perf_counter() - start, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decks", type=int, default=60)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    root = WORK / f"reference-{args.decks}"
    if not (root / "course.yaml").exists():
        generate(root, args.decks)
    seconds, written = run(root, args.processes)
    print(f"reference: {args.decks} decks, {written} HTML files, {seconds:.1f} s")


if __name__ == "__main__":
    main()
