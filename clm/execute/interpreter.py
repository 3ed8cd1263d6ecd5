"""The course's own Python (``kernel-python`` in the spec): the interpreter it names, and
what is wrong with it, said with the command that fixes it.

The value is a virtual environment's folder (its ``bin/python`` runs the
kernels) or an interpreter file, relative to the course root or absolute, as
CLM takes it. A virtual environment's python is used by its path, links not
followed: followed, it would be the base interpreter, without the packages.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path, PurePath

from clm.errors import CourseError
from clm.execute.environment import Interpreter, ProbeFailed, describe
from clm.spec import CourseSpec

# Where a virtual environment keeps its interpreter: POSIX, then Windows.
VENV_PYTHONS = (PurePath("bin", "python"), PurePath("Scripts", "python.exe"))


def kernel_python(spec: CourseSpec) -> str | None:
    """The absolute path of the interpreter that runs the spec's decks; None: clm's own.

    CourseError, naming the spec's ``kernel-python`` line, when there is none.
    """
    if spec.kernel_python is None:
        return None
    written = spec.kernel_python
    path = Path(os.path.abspath(spec.root / written))
    if path.is_dir():
        for candidate in VENV_PYTHONS:
            if (path / candidate).is_file():
                return str(path / candidate)
        raise spec_error(
            spec,
            f"the folder {path} has no bin/python, so it is no virtual environment; "
            f"make one there with `{_new_venv(written)}`",
        )
    if not path.exists():
        raise spec_error(spec, f"{path} does not exist; {_missing_fix(written)}")
    if not os.access(path, os.X_OK):
        raise spec_error(
            spec,
            f"{path} is not an executable file; name a Python interpreter or a virtual "
            f"environment's folder, e.g. one made with `{_new_venv('.venv')}`",
        )
    return str(path)


def described(spec: CourseSpec, python: str) -> Interpreter:
    """Ask the course's interpreter about itself; CourseError when it cannot answer."""
    try:
        return describe(python)
    except ProbeFailed as failed:
        raise spec_error(
            spec,
            f"{python} is no working Python: {failed}; name a working interpreter or a "
            f"virtual environment's folder, e.g. one made with `{_new_venv('.venv')}`",
        ) from None


def check_ipykernel(spec: CourseSpec, python: str, interpreter: Interpreter) -> None:
    """CourseError when the course's interpreter cannot run kernels."""
    if interpreter.ipykernel is None:
        raise spec_error(
            spec,
            f"{python} (Python {interpreter.version}) has no ipykernel, which runs the decks; "
            f"install it with `{_shown(spec, python)} -m pip install ipykernel`",
        )


def spec_error(spec: CourseSpec, problem: str) -> CourseError:
    return CourseError(
        f"kernel-python {spec.kernel_python!r}: {problem}", spec.file, spec.kernel_python_line
    )


def _new_venv(folder: str) -> str:
    """The commands that make a virtual environment able to run kernels."""
    python = PurePath(folder, *VENV_PYTHONS[0].parts).as_posix()
    return (
        f"python3 -m venv {shlex.quote(folder)} && {shlex.quote(python)} -m pip install ipykernel"
    )


def _missing_fix(written: str) -> str:
    path = PurePath(written)
    if not path.name.startswith("python"):  # a folder's name: the virtual environment to make
        return f"make the virtual environment with `{_new_venv(written)}`"
    if path.parent.name in ("bin", "Scripts"):  # a virtual environment's interpreter
        return f"make the virtual environment with `{_new_venv(str(path.parent.parent))}`"
    return (
        "install that Python, or name a virtual environment's folder instead, e.g. one "
        f"made with `{_new_venv('.venv')}`"
    )


def _shown(spec: CourseSpec, python: str) -> str:
    """The interpreter as a command typed in the course root: relative if written so."""
    if spec.kernel_python is None or os.path.isabs(spec.kernel_python):
        return shlex.quote(python)
    relative = Path(os.path.relpath(python, spec.root)).as_posix()
    return shlex.quote(relative if "/" in relative else f"./{relative}")
