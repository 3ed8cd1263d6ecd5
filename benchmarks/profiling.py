"""Where a no-op's time goes: cProfile's cumulative top entries, and Python's import times."""

from __future__ import annotations

import io
import pstats
import sys
import sysconfig
import tempfile
from pathlib import Path

from measure import CHECKOUT, author_env, doit_command, timed


def profile(root: Path, top: int = 30) -> str:
    """The ``top`` entries by cumulative time of a ``python -m doit`` in ``root``."""
    with tempfile.TemporaryDirectory() as scratch:
        stats_file = Path(scratch) / "noop.prof"
        run = timed(
            [sys.executable, "-m", "cProfile", "-o", str(stats_file), *doit_command()[1:]],
            root,
            author_env(),
        )
        report = io.StringIO()
        stats = pstats.Stats(str(stats_file), stream=report)
        stats.sort_stats("cumulative").print_stats(top)
    return f"no-op under cProfile: {run.seconds:.3f} s\n{shorter_paths(report.getvalue().strip())}"


def shorter_paths(text: str) -> str:
    """Paths relative to where they were found: clm's checkout, site-packages, the stdlib.

    pstats' own strip_dirs() keeps only the file names, and a table of
    ``__init__.py:1(<module>)`` does not say which package took the time.
    """
    prefixes = sorted(
        {str(CHECKOUT), sysconfig.get_path("purelib"), sysconfig.get_path("stdlib")},
        key=len,
        reverse=True,
    )
    for prefix in prefixes:
        text = text.replace(prefix + "/", "")
    return text


def import_times(root: Path, top: int = 30) -> str:
    """The ``top`` imports by cumulative time of a ``python -X importtime -m doit`` in ``root``."""
    run = timed([sys.executable, "-X", "importtime", *doit_command()[1:]], root, author_env())
    imports = []  # (cumulative µs, self µs, module as printed: indented by nesting)
    for line in run.output.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        own, cumulative, module = line.removeprefix("import time:").split("|", 2)
        imports.append((int(cumulative), int(own), module[1:].rstrip()))  # nesting kept
    total = sum(cumulative for cumulative, _, module in imports if not module.startswith(" "))
    lines = [
        f"no-op with -X importtime: {run.seconds:.3f} s; {len(imports)} modules imported, "
        f"top-level imports {total / 1000:.1f} ms in all",
        f"{'cumulative':>11} {'self':>8}  module",
    ]
    for cumulative, own, module in sorted(imports, reverse=True)[:top]:
        lines.append(f"{cumulative / 1000:>9.1f}ms {own / 1000:>6.1f}ms {module}")
    return "\n".join(lines)
