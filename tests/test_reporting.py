"""One voice: what a run says goes through clm.session.reporter, checked from the source.

Outside the Reporter's module and the command line (clm/cli/, whose job is to
print), no module prints or writes to sys.stdout or sys.stderr itself: it
takes the run's Reporter, a callback, or returns what happened. Otherwise a
terminal's status line is broken by a stray line, and a CI log gets escape
sequences from one sink while another knows better.
"""

from __future__ import annotations

import ast
from pathlib import Path

import clm

PACKAGE = Path(clm.__file__).parent
ALLOWED = {
    "session/reporter.py",  # the one voice
    # Run as a script in the course's interpreter: its stdout is the answer clm reads.
    "execute/probe.py",
}
STREAMS = {"stdout", "stderr"}


def _is_stream(node: ast.expr) -> bool:
    """``sys.stdout`` or ``sys.stderr``."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr in STREAMS
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    )


def speaking(tree: ast.Module) -> list[int]:
    """Lines that print, write to a standard stream, or hand one on to be written to."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "print":
            found.append(node.lineno)  # called, or passed on as a `say`
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "write" and _is_stream(func.value):
                found.append(node.lineno)
            if any(_is_stream(arg) for arg in node.args) or any(
                _is_stream(keyword.value) for keyword in node.keywords
            ):
                found.append(node.lineno)
        elif isinstance(node, ast.arguments):
            defaults = [default for default in (*node.defaults, *node.kw_defaults) if default]
            found.extend(default.lineno for default in defaults if _is_stream(default))
    return sorted(found)


def _offenders() -> dict[str, list[int]]:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        if module in ALLOWED or module.startswith("cli/"):
            continue
        if path.parent.name == "scaffold" and path.name != "__init__.py":
            continue  # files `clm init` copies into a course, not modules of clm
        lines = speaking(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if lines:
            offenders[module] = lines
    return offenders


def test_only_the_reporter_and_the_command_line_write_to_the_terminal():
    assert _offenders() == {}, "say it through the run's Reporter (clm.session.reporter)"


def test_the_check_sees_what_it_looks_for():
    def lines(source: str) -> list[int]:
        return speaking(ast.parse(source))

    assert lines("print('x')") == [1]
    assert lines("import sys\nprint('x', file=sys.stderr)") == [2, 2]
    assert lines("import sys\nsys.stderr.write('x')") == [2]
    assert lines("import sys\nacquire(path, say=print)") == [2]
    assert lines("import sys\ndef f(out=sys.stdout):\n    pass") == [2]
    assert lines("import sys\nWatcher(spec, sys.stdout)") == [2]
    # Flushing before os._exit says nothing; nor does a reporter or a file of one's own.
    assert lines("import sys\nfor s in (sys.stdout, sys.stderr):\n    s.flush()") == []
    assert lines("reporter.warning('x')\nfile.write(data)") == []
