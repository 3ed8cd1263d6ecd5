"""Kernels' scratch folders: a build removes those whose owner died, and only those."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from clm.execute.kernels import OWNER_FILE, SCRATCH_PREFIX, sweep_scratch_folders
from tests.venvs import make_venv


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


@pytest.mark.linux_only(reason="reads /proc")
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


@pytest.mark.linux_only(reason="reads /proc")
def test_a_kernel_runs_in_the_interpreter_a_job_names_and_no_spare_crosses_over(tmp_path, kernels):
    import nbformat

    from clm.execute.kernels import KernelPool
    from clm.execute.runner import KernelChoice, run_notebook

    python = str(make_venv(tmp_path / "course-venv", borrow_clm_packages=True))
    kernels = KernelPool()
    try:
        course = kernels.fresh_kernel(python)
        assert course.python == python
        assert _interpreter_of(course) == python
        course.shutdown()
        own = kernels.fresh_kernel()  # the spare runs the course's Python: not this one
        assert own.python is None and _interpreter_of(own) == sys.executable
        own.shutdown()
    finally:
        kernels.close()
    # Through the runner, as the executor calls it.
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys\nsys.prefix")])
    run_notebook(
        notebook,
        [],
        timeout=30,
        allow_errors=False,
        choice=KernelChoice(python=python),
        kernels=kernels,
    )
    assert notebook.cells[0].outputs[0]["data"]["text/plain"] == repr(str(tmp_path / "course-venv"))


def _interpreter_of(kernel) -> str:
    """The program the kernel process was started as."""
    return Path(f"/proc/{kernel.pid}/cmdline").read_bytes().split(b"\0")[0].decode()
