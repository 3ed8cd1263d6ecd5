"""Another revision of clm, checked out as a git worktree under benchmarks/work/.

Builds run it by pointing PYTHONPATH at the worktree (measure.author_env), with
this checkout's interpreter: both sides start Python alike.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from measure import CHECKOUT


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(CHECKOUT), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


def checkout_of(revision: str, work: Path) -> tuple[Path, str]:
    """A worktree of ``revision`` under ``work`` (kept between runs); its folder and commit."""
    commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}")
    folder = work / f"clm-{commit[:10]}"
    if not (folder / "clm" / "__init__.py").exists():
        _git("worktree", "prune")  # a worktree folder removed by hand stays registered
        _git("worktree", "add", "--detach", "--force", str(folder), commit)
    return folder, commit
