"""Small real file systems that fill up or refuse writes: a tmpfs mounted for one test."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def small_disk():
    """Mount a tmpfs of ``size`` on a folder; unmounted at the end of the test."""
    mounted: list[Path] = []

    def mount(folder: Path, size: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path, leave: int = 0) -> None:
    """Write a file into ``folder`` until its file system has at most ``leave`` bytes free."""
    with open(folder / "filler", "wb") as filler:
        try:
            while True:
                free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
                if free <= leave:
                    return
                filler.write(b"\0" * min(65536, free - leave))
                filler.flush()
        except OSError:
            return


@pytest.fixture
def read_only(small_disk):
    """Make a folder refuse writes, also to root: a tmpfs remounted read-only (EROFS) where
    this process may mount, else its permission bits (EACCES; root ignores those)."""
    made_read_only: list[Path] = []

    def make(folder: Path) -> Path:
        if os.geteuid() != 0:
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o555)
            made_read_only.append(folder)
            return folder
        kept = folder.with_name(folder.name + ".kept")
        if folder.exists():
            folder.rename(kept)
        small_disk(folder, "64m")  # a course's outputs: MathJax's copies alone take 14 MB
        if kept.exists():  # what the folder held, now on the tmpfs
            shutil.copytree(kept, folder, dirs_exist_ok=True, symlinks=True)
            shutil.rmtree(kept)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        return folder

    yield make
    for folder in made_read_only:
        folder.chmod(0o755)
