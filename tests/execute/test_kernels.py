"""Kernels' scratch folders: a build removes those whose owner died, and only those."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clm.execute.kernels import OWNER_FILE, SCRATCH_PREFIX, sweep_scratch_folders


def test_only_folders_whose_owner_is_dead_are_swept():
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True)  # fmt: skip
    dead, live, unmarked = (Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX)) for _ in range(3))
    (dead / OWNER_FILE).write_text(finished.stdout.strip())
    (live / OWNER_FILE).write_text(str(os.getpid()))
    try:
        swept = sweep_scratch_folders()
        assert dead in swept and not dead.exists()
        assert live.exists() and unmarked.exists()
    finally:
        for folder in (live, unmarked):
            shutil.rmtree(folder)


def test_a_folder_whose_owner_is_a_zombie_is_swept():
    """A killed build's worker can linger as a zombie where init is slow to reap it."""
    owner = subprocess.Popen([sys.executable, "-c", "pass"])
    while Path(f"/proc/{owner.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        time.sleep(0.01)  # not waited for: it ends as a zombie
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    (folder / OWNER_FILE).write_text(str(owner.pid))
    try:
        assert folder in sweep_scratch_folders()
    finally:
        owner.wait()
        shutil.rmtree(folder, ignore_errors=True)
