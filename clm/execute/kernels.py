"""Jupyter kernels for running decks: a fresh one per notebook, the next one warm.

Starting a kernel takes 0.6–1 s, often most of a small deck's cost. Each
worker keeps at most one spare: while a notebook runs, the kernel for the next
one is already booting. Every kernel gets its own scratch folder as working
directory (the spare's is filled when it is handed out), and runs numeric
libraries on one thread, since the workers already use every core. An
ipykernel talks over IPC sockets in that folder (no TCP port races between
workers); the JVM's and Deno's kernels speak TCP only, on the loopback. A
kernel runs the kernelspec a job names (``python3``, ``java``, ``deno``, …),
a Python one in clm's own Python or in the course's interpreter; a spare is
only handed to a job that asks for the same.

A kernel takes along what the deck's code started: whatever runs below it
when it shuts down is killed, even in a session of its own. Its scratch folder
names the process that owns it, so a build can remove the folders that killed
builds and crashed watchers left behind, and only those.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from multiprocessing import util
from pathlib import Path

from clm.languages import KERNEL_NAME, is_ipykernel
from clm.system.processes import pid_alive

SCRATCH_PREFIX = "clm-kernel-"
OWNER_FILE = "owner"  # in a scratch folder: the pid of the process that made it
SINGLE_THREADED = {
    name: "1"
    for name in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
    )
}


@dataclass
class Kernel:
    manager: object  # jupyter_client AsyncKernelManager, already started
    scratch: Path  # removed with the kernel
    workdir: Path  # the kernel's working directory, inside scratch
    pid: int | None  # the kernel process
    python: str | None = None  # the interpreter it runs in; None: clm's own
    kernel: str = KERNEL_NAME  # its kernelspec

    @property
    def choice(self) -> tuple[str, str | None]:
        return self.kernel, self.python

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        from clm.system.processes import descendants, kill_processes

        # Looked up first: once the kernel is gone, its children belong to init.
        started = descendants(self.pid) if self.pid is not None else []
        try:
            if self.manager.has_kernel:
                run_sync(self.manager.shutdown_kernel)(now=True)
        finally:
            kill_processes(started)
            shutil.rmtree(self.scratch, ignore_errors=True)


def _start_kernel(python: str | None = None, kernel: str = KERNEL_NAME) -> Kernel:
    """Start ``kernel``; NoSuchKernel when no kernelspec of that name is installed."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    (scratch / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
    workdir = scratch / "work"
    workdir.mkdir()
    settings: dict = {"transport": "tcp", "ip": "127.0.0.1"}
    if is_ipykernel(kernel):
        settings = {"transport": "ipc", "ip": str(scratch / "ipc")}
        if python is not None:
            from clm.execute.kernelspecs import InterpreterSpecs

            settings["kernel_spec_manager"] = InterpreterSpecs(python=python)
    try:
        manager = AsyncKernelManager(kernel_name=kernel, **settings)
        # The kernel's own log lines (stderr) are noise in a build log; what the
        # code prints arrives as cell output.
        run_sync(manager.start_kernel)(
            cwd=str(workdir), env={**os.environ, **SINGLE_THREADED}, stderr=subprocess.DEVNULL
        )
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    pid = getattr(manager.provisioner, "pid", None)
    return Kernel(manager, scratch, workdir, pid, python, kernel)


def sweep_scratch_folders() -> list[Path]:
    """Remove the scratch folders of kernels whose owning process is dead; returns them."""
    swept = []
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        try:
            owner = int((folder / OWNER_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not ours to judge: being made right now, or not made by clm
        if not pid_alive(owner):
            shutil.rmtree(folder, ignore_errors=True)
            swept.append(folder)
    return swept


class KernelPool:
    """Hands out fresh kernels and keeps one spare booting.

    One per worker (clm.session.worker.JobContext owns it) and one per thread of a
    Dask worker (clm.execute.cluster): whoever runs notebooks is given its pool.
    """

    def __init__(self) -> None:
        self._spare: Kernel | None = None
        # Another thread may close the spare (release_spares) while this one works.
        self._lock = threading.Lock()
        # What this pool did, for the build to count: kernels handed out, spares booted.
        self.handed_out = 0
        self.spares_started = 0
        # At the process's exit: multiprocessing runs these in every child, however it
        # was started (and the atexit of a process that is not one).
        util.Finalize(self, KernelPool.close, args=(self,), exitpriority=10)

    def _take_spare(self) -> Kernel | None:
        with self._lock:
            found, self._spare = self._spare, None
        return found

    def _keep_spare(self, kernel: Kernel) -> None:
        with self._lock:
            kept, self._spare = self._spare, kernel
        if kept is not None:
            kept.shutdown()

    def fresh_kernel(self, python: str | None = None, kernel: str = KERNEL_NAME) -> Kernel:
        """A ``kernel`` (a Python one in ``python``, None: clm's own); the next one of it
        boots. NoSuchKernel when no such kernelspec is installed."""
        found = self._take_spare()
        if found is not None and found.choice != (kernel, python):
            found.shutdown()  # booted for another kernel (the previous deck's language)
            found = None
        found = found or _start_kernel(python, kernel)
        self._keep_spare(_start_kernel(python, kernel))
        self.handed_out += 1
        self.spares_started += 1
        return found

    def prestart(self, python: str | None = None, kernel: str = KERNEL_NAME) -> None:
        """Boot the spare now, e.g. in a worker waiting for its first notebook."""
        if self._spare is None:
            self._keep_spare(_start_kernel(python, kernel))
            self.spares_started += 1

    def close(self) -> bool:
        """Shut the spare kernel down; whether there was one."""
        spare = self._take_spare()
        if spare is not None:
            spare.shutdown()
        return spare is not None
