"""Run a notebook's code in a fresh Jupyter kernel."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbformat.notebooknode import NotebookNode

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")


@dataclass
class CellFailure(Exception):
    """A cell raised (or ran too long); ``cell_index`` counts the notebook's cells."""

    cell_index: int | None
    error: str  # "ZeroDivisionError: division by zero"
    cell_line: int | None  # line inside the cell of the last frame there

    def __str__(self) -> str:
        return self.error


def run_notebook(
    notebook: NotebookNode, inputs: list[tuple[Path, str]], timeout: float, allow_errors: bool
) -> NotebookNode:
    """Execute ``notebook`` in place with the given files around it; returns it.

    The kernel runs in a scratch folder holding the deck's execution inputs
    (``inputs`` maps source files to their relative paths), so what the code
    writes never lands among the course sources.
    """
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    with tempfile.TemporaryDirectory(prefix="clm-run-") as scratch:
        workdir = Path(scratch) / "work"
        workdir.mkdir()
        for source, relative in inputs:
            target = workdir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        client = NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=timeout,
            allow_errors=allow_errors,
            record_timing=False,
            resources={"metadata": {"path": str(workdir)}},
        )
        # Our own (async) kernel manager: IPC sockets in the scratch folder avoid
        # TCP port races between parallel workers; we shut the kernel down.
        manager = client.create_kernel_manager()
        manager.transport = "ipc"
        manager.ip = str(Path(scratch) / "kernel")
        try:
            # The kernel's own log lines (its stderr) are noise in a build log; what
            # the code prints arrives as cell output.
            client.execute(cwd=str(workdir), stderr=subprocess.DEVNULL)
        except CellTimeoutError:
            index = _last_started_cell(notebook)
            raise CellFailure(
                index, f"the cell ran past its timeout of {timeout:g} s", None
            ) from None
        except DeadKernelError as exc:
            raise CellFailure(
                _last_started_cell(notebook), f"the kernel died: {exc}", None
            ) from None
        except CellExecutionError as exc:
            index = _failed_cell(notebook)
            cell_line = None
            if index is not None:
                traceback = "\n".join(notebook.cells[index].outputs[-1].get("traceback", []))
                lines = _CELL_LINE.findall(_ANSI.sub("", traceback))
                cell_line = int(lines[-1]) if lines else None
            raise CellFailure(index, f"{exc.ename}: {exc.evalue}", cell_line) from None
        finally:
            if manager.has_kernel:
                run_sync(manager.shutdown_kernel)(now=True)
    return notebook


def _failed_cell(notebook: NotebookNode) -> int | None:
    for index in range(len(notebook.cells) - 1, -1, -1):
        cell = notebook.cells[index]
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.outputs):
            return index
    return None


def _last_started_cell(notebook: NotebookNode) -> int | None:
    started = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and cell.get("execution_count") is not None
    ]
    return started[-1] if started else None
