"""Run a notebook's code in a fresh Jupyter kernel, keeping each cell's output bounded."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import math
import queue
from collections.abc import Callable
from dataclasses import dataclass

from nbclient import NotebookClient
from nbformat.notebooknode import NotebookNode

from clm.execute.kernels import KernelPool
from clm.languages import KERNEL_NAME, by_name

# The output one cell may keep: beyond it, every HTML page and the cache would
# carry it all (200 MB of prints made four 200 MB pages and a 1.2 GB cache).
OUTPUT_LIMIT = 10_000_000
# The metadata key of the note that stands for what a cell printed beyond the limit:
# it travels with the cached outputs, so a cache hit still knows about it.
TRUNCATED_KEY = "clm_truncated_bytes"


@dataclass
class CellFailure(Exception):
    """A cell raised (or ran too long); ``cell_index`` counts the notebook's cells."""

    cell_index: int | None
    error: str  # "ZeroDivisionError: division by zero"
    cell_line: int | None  # line inside the cell of the last frame there
    raised: bool = False  # the cell's code raised (not a timeout, not a dead kernel)

    def __str__(self) -> str:
        return self.error


# How nbclient says a kernel never became ready (jupyter_client's wait_for_ready).
_NO_ANSWER = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")


class _KernelDied(Exception):
    def __init__(self, message: str, cell_index: int | None):
        super().__init__(message)
        self.cell_index = cell_index


@dataclass(frozen=True)
class KernelChoice:
    """What runs a notebook: a kernelspec, the language its errors are read in, and
    for ipykernel the interpreter (None: this process's)."""

    kernel: str = KERNEL_NAME
    language: str = "python"
    python: str | None = None


def run_notebook(
    notebook: NotebookNode,
    inputs: list[tuple[str, bytes]],
    timeout: float,
    allow_errors: bool,
    choice: KernelChoice | None = None,
    on_cell: Callable[[int], None] | None = None,
    *,
    kernels: KernelPool,
) -> NotebookNode:
    """Execute ``notebook`` in place with the given files around it, in a fresh kernel
    from ``kernels``; returns it.

    The kernel runs in a scratch folder holding the deck's execution inputs
    (``inputs`` pairs relative paths with their bytes), so what the code
    writes never lands among the course sources. A kernel that dies is
    replaced once; a second death is reported like a failing cell, and so is a
    kernelspec that is not installed. ``on_cell`` hears each cell's index as the
    kernel is sent it.
    """
    import copy

    from jupyter_client.kernelspec import NoSuchKernel

    choice = choice or KernelChoice()
    original = copy.deepcopy(notebook)
    try:
        try:
            return _run_once(notebook, inputs, timeout, allow_errors, choice, on_cell, kernels)
        except _KernelDied:
            notebook.cells = original.cells
            try:
                return _run_once(notebook, inputs, timeout, allow_errors, choice, on_cell, kernels)
            except _KernelDied as died:
                error = f"the kernel died twice: {died}"
                raise CellFailure(died.cell_index, error, None) from None
    except NoSuchKernel:
        error = f"no Jupyter kernel named '{choice.kernel}' is installed"
        raise CellFailure(None, error, None) from None


def _run_once(
    notebook,
    inputs,
    timeout: float,
    allow_errors: bool,
    choice: KernelChoice,
    on_cell: Callable[[int], None] | None,
    kernels: KernelPool,
) -> NotebookNode:
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    kernel = kernels.fresh_kernel(choice.python, choice.kernel)
    client = None
    try:
        for relative, data in inputs:
            target = kernel.workdir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        running: list[int] = []  # each cell's index as it is sent to the kernel

        def sent(cell_index: int) -> None:
            running.append(cell_index)
            if on_cell is not None:
                on_cell(cell_index)

        client = _BoundedClient(
            notebook,
            km=kernel.manager,
            # nbclient's timeout is an Integer trait: traitlets before 5.15 refuse 60.0.
            timeout=math.ceil(timeout),
            allow_errors=allow_errors,
            record_timing=False,
            resources={"metadata": {"path": str(kernel.workdir)}},
            on_cell_execute=lambda cell, cell_index: sent(cell_index),
        )
        loop = _loop_keeping_signal_handlers()
        try:
            client.execute()
        except (KeyboardInterrupt, SystemExit):
            # The process is ending: what the execution left pending must not wake up
            # during the kernel's shutdown and report (on stderr) that the kernel died.
            # nbclient turns the cancel into DeadKernelError, which asyncio would print
            # as never retrieved once the task is collected (at a spawned worker's exit).
            for task in asyncio.all_tasks(loop):
                task.cancel()
                task.add_done_callback(_retrieved)
            raise
        except CellTimeoutError:
            index = running[-1] if running else None
            raise CellFailure(
                index, f"the cell ran past its timeout of {timeout:g} s", None
            ) from None
        except DeadKernelError as exc:
            raise _KernelDied(str(exc), running[-1] if running else None) from None
        except RuntimeError as exc:
            # A kernel that never answered (it died at startup: a TCP port another
            # kernel took meanwhile, a JVM out of memory) is replaced like a dead one.
            if not str(exc).startswith(_NO_ANSWER):
                raise
            raise _KernelDied(str(exc), None) from None
        except CellExecutionError as exc:
            errors = by_name(choice.language).errors
            index = _failed_cell(notebook)
            cell_line, error = None, f"{exc.ename}: {exc.evalue}"
            if index is not None:
                cell = notebook.cells[index]
                traceback = list(cell.outputs[-1].get("traceback", []))
                cell_line = errors.cell_line(traceback, exc.evalue, cell.source)
                error = errors.message(exc.ename, exc.evalue, traceback)
            raise CellFailure(index, error, cell_line, _of_the_code(exc)) from None
    finally:
        # nbclient leaves a client it did not start the kernel for connected: its
        # heartbeat thread and sockets would stay, one set per notebook, until a
        # worker of a large course spends its time switching between them.
        if client is not None and client.kc is not None:
            client.kc.stop_channels()
        if client is not None:
            # A failed start leaves nbclient's exit hook registered: it would keep the
            # client until the worker ends, then fail there on the kernel it let go.
            atexit.unregister(client._cleanup_kernel)
        kernel.shutdown()
    return notebook


def truncated_bytes(outputs: list[dict]) -> int:
    """How much output a cell printed beyond the limit (0: everything was kept)."""
    return sum(output.get("metadata", {}).get(TRUNCATED_KEY, 0) for output in outputs)


def _size(output: dict) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", "").encode())
    return len(json.dumps(output))


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


class _BoundedClient(NotebookClient):
    """A client that keeps at most OUTPUT_LIMIT bytes of each cell's output, and the
    output a kernel sends after it said the cell is done.

    Output beyond the limit is dropped as it arrives, so a runaway loop of
    prints costs neither memory nor disk; the cell ends with a visible note
    saying how much was left out. Errors are always kept: they are the news.

    Deno's kernel often sends a cell's printed text and value after its "idle"
    status, where nbclient has stopped listening for that cell: such a message
    still names its cell's request, so it is put into that cell, whenever it
    arrives. After the last cell (and after a failing one) a kernel-info
    request, answered in order, flushes whatever is still on its way.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, on_cell_executed=self._add_note, **kwargs)
        self._kept: dict[int, tuple[int, int]] = {}  # cell index: (outputs, bytes) so far
        self._dropped: dict[int, int] = {}
        self._requests: dict[str, tuple[NotebookNode, int]] = {}  # msg_id: (cell, index)
        code = [i for i, cell in enumerate(self.nb.cells) if cell.cell_type == "code"]
        self._last_code_cell = code[-1] if code else None

    async def _async_poll_output_msg(
        self, parent_msg_id: str, cell: NotebookNode, cell_index: int
    ) -> None:
        from nbclient.exceptions import CellExecutionComplete
        from nbclient.util import ensure_async

        assert self.kc is not None
        self._requests[parent_msg_id] = (cell, cell_index)
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            parent = msg["parent_header"].get("msg_id")
            if parent == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return
            else:
                self._late(msg)

    def _late(self, msg: dict) -> None:
        """A message about an earlier cell: its output goes to that cell."""
        from nbclient.exceptions import CellExecutionComplete

        earlier = self._requests.get(msg["parent_header"].get("msg_id"))
        if earlier is None or msg["msg_type"] == "status":
            return
        with contextlib.suppress(CellExecutionComplete):
            self.process_message(msg, *earlier)

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        from nbclient.exceptions import CellExecutionError

        try:
            executed = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        except CellExecutionError:
            await self._flush_late_output()
            raise
        if cell_index == self._last_code_cell:
            await self._flush_late_output()
        return executed

    async def _flush_late_output(self, timeout: float = 30.0) -> None:
        """Ask the kernel for its info and take in what arrives before its reply is done."""
        from nbclient.util import ensure_async

        if self.kc is None:
            return
        request = self.kc.kernel_info()
        deadline = asyncio.get_running_loop().time() + timeout
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=left))
            except queue.Empty:
                return
            if msg["parent_header"].get("msg_id") == request:
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    return
            else:
                self._late(msg)

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None or out.get("output_type") == "error":
            return out
        count, used = self._kept.get(cell_index, (0, 0))
        if len(outs) != count + 1:  # cleared (clear_output) since: count again
            used = sum(_size(o) for o in outs[:-1])
        size = _size(out)
        room = max(OUTPUT_LIMIT - used, 0)
        if size > room:
            self._dropped[cell_index] = self._dropped.get(cell_index, 0) + size - room
            if out["output_type"] == "stream" and room:
                out["text"] = out["text"].encode()[:room].decode(errors="ignore")
                size = room
            elif display_id:  # nbclient may update it in place: keep its place, empty
                out["data"], out["metadata"], size = {}, {}, 0
            else:
                outs.pop()
                size = 0
        self._kept[cell_index] = (len(outs), used + size)
        return out

    def _add_note(self, cell, cell_index, execute_reply) -> None:
        import nbformat

        dropped = self._dropped.get(cell_index)
        if dropped:
            note = (
                f"[clm] {megabytes(dropped)} more output of this cell is not shown: "
                f"a cell keeps at most {OUTPUT_LIMIT / 1e6:g} MB of output."
            )
            cell.outputs.append(
                nbformat.v4.new_output(
                    "display_data", data={"text/plain": note}, metadata={TRUNCATED_KEY: dropped}
                )
            )


def _retrieved(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()


def _refuse_signal_handler(*args, **kwargs) -> None:
    raise RuntimeError("clm keeps its own SIGINT and SIGTERM handlers")


def _loop_keeping_signal_handlers() -> asyncio.AbstractEventLoop:
    """The event loop notebooks run on, which stops nbclient taking over SIGINT and SIGTERM.

    nbclient would turn them into "shut the kernel down and carry on": the
    worker then reports a dead kernel, runs the notebook again and waits for
    its next job, and the build that sent SIGTERM waits for the worker forever.
    Without them a signal ends the execution like anywhere else (nbclient
    skips its handlers when the event loop refuses them, as off the main thread).
    """
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    loop.add_signal_handler = _refuse_signal_handler
    return loop


# What a cell raises because of the machine it ran on, not its code: Ctrl-C reaching
# the kernel, memory or a disk that ran out.
_NOT_OF_THE_CODE = ("KeyboardInterrupt", "MemoryError")
_DISK_FULL = ("No space left on device", "Disk quota exceeded")


def _of_the_code(exc) -> bool:
    """Whether a cell's error would come again from the same code, inputs and environment."""
    evalue = str(exc.evalue)
    return exc.ename not in _NOT_OF_THE_CODE and not any(text in evalue for text in _DISK_FULL)


def _failed_cell(notebook: NotebookNode) -> int | None:
    for index in range(len(notebook.cells) - 1, -1, -1):
        cell = notebook.cells[index]
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.outputs):
            return index
    return None
