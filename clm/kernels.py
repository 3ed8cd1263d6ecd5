"""Jupyter kernels for running decks: a fresh one per notebook, the next one warm.

Starting a kernel takes 0.6–1 s, often most of a small deck's cost. Each
worker keeps at most one spare: while a notebook runs, the kernel for the next
one is already booting. Every kernel gets its own scratch folder as working
directory (the spare's is filled when it is handed out), talks over IPC
sockets in that folder (no TCP port races between workers), and runs numeric
libraries on one thread, since the workers already use every core.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from multiprocessing import util
from pathlib import Path

from clm.state import counters

KERNEL_NAME = "python3"
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

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            if self.manager.has_kernel:
                run_sync(self.manager.shutdown_kernel)(now=True)
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)


def _start_kernel() -> Kernel:
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    scratch = Path(tempfile.mkdtemp(prefix="clm-kernel-"))
    workdir = scratch / "work"
    workdir.mkdir()
    manager = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(scratch / "ipc"))
    # The kernel's own log lines (stderr) are noise in a build log; what the
    # code prints arrives as cell output.
    run_sync(manager.start_kernel)(
        cwd=str(workdir), env={**os.environ, **SINGLE_THREADED}, stderr=subprocess.DEVNULL
    )
    return Kernel(manager, scratch, workdir)


class KernelPool:
    """Hands out fresh kernels and keeps one spare booting."""

    def __init__(self) -> None:
        self._spare: Kernel | None = None
        util.Finalize(self, KernelPool.close, args=(self,), exitpriority=10)

    def fresh_kernel(self) -> Kernel:
        kernel = self._spare or _start_kernel()
        self._spare = None
        self._spare = _start_kernel()
        counters.add(counters.SPARE_KERNELS)
        return kernel

    def prestart(self) -> None:
        """Boot the spare now, e.g. in a worker waiting for its first notebook."""
        if self._spare is None:
            self._spare = _start_kernel()
            counters.add(counters.SPARE_KERNELS)

    def close(self) -> None:
        if self._spare is not None:
            spare, self._spare = self._spare, None
            spare.shutdown()


_pool: KernelPool | None = None
_pool_pid: int | None = None


def pool() -> KernelPool:
    """This process's pool (a forked worker makes its own)."""
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        _pool, _pool_pid = KernelPool(), os.getpid()
    return _pool
