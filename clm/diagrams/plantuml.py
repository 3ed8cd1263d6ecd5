"""PlantUML through one long-lived ``java -jar plantuml.jar -pipe`` per worker.

A JVM costs 0.6–1 s to start, a diagram through a warm pipe 0.02–0.1 s, so
each worker process starts PlantUML once, on its first diagram, and feeds it
every later one. PlantUML answers each diagram with the picture, or with
``ERROR / line / message`` (``--no-error-image -pipeNoStderr``), followed by a
delimiter; an error picture is never asked for, so none can be shipped.
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import time
from pathlib import Path

from clm.diagrams import tools
from clm.diagrams.errors import DiagramError
from clm.diagrams.names import picture_names

DELIMITER = b"@@clm-plantuml-diagram-end@@"
PNG_DPI = 200  # what CLM renders at
RENDER_TIMEOUT = 120.0  # seconds for one diagram, layout included

_START = re.compile(r"^[ \t]*@start(\w+)", re.MULTILINE)
_END = re.compile(r"^[ \t]*@end(\w+)", re.MULTILINE)
_DPI = re.compile(r"^[ \t]*skinparam[ \t]+dpi\b", re.MULTILINE | re.IGNORECASE)


def diagram_blocks(text: str) -> list[tuple[int, str]]:
    """The ``@startX … @endX`` blocks of a source: (line of ``@startX``, the block's text)."""
    blocks = []
    position = 0
    while (start := _START.search(text, position)) is not None:
        end = _END.search(text, start.end())
        if end is None:
            break
        stop = text.find("\n", end.end())
        stop = len(text) if stop < 0 else stop
        blocks.append((text.count("\n", 0, start.start()) + 1, text[start.start() : stop]))
        position = stop
    return blocks


def block_count(data: bytes) -> int:
    """How many pictures a source gives, without a JVM: one per ``@start…`` block.

    0 for a file that only holds definitions for other diagrams to ``!include``.
    """
    return len(_START.findall(data.decode("utf-8", errors="replace")))


# ``!include file``, ``!include_many``, ``!include_once``, ``!includesub file!PART``;
# not the standard library (``<C4/C4>``) and not URLs.
_INCLUDE = re.compile(r"^([ \t]*!include(?:_many|_once|sub)?[ \t]+)([^<\s][^\n]*?)[ \t]*$", re.M)


def _include_target(reference: str) -> str | None:
    """The file an include names, without a ``!N`` or ``!PART`` selector; None for URLs."""
    reference = reference.strip().strip('"')
    if "://" in reference:
        return None
    path, bang, selector = reference.rpartition("!")
    return path if bang and path and "/" not in selector else reference


def includes(source: Path) -> list[Path]:
    """Every local file a source includes, directly or through other includes."""
    found: dict[Path, None] = {}
    pending = [source]
    while pending:
        current = pending.pop()
        try:
            text = current.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in _INCLUDE.finditer(text):
            target = _include_target(match.group(2))
            if target is None:
                continue
            path = Path(os.path.normpath(current.parent / target))
            if path not in found and path != source and path.is_file():
                found[path] = None
                pending.append(path)
    return list(found)


def _absolute_includes(source: str, block: str) -> str:
    """Includes made absolute: the one JVM runs in the course root, not beside the file."""
    folder = Path(source).resolve().parent

    def absolute(match: re.Match) -> str:
        target = _include_target(match.group(2))
        if target is None or Path(target).is_absolute():
            return match.group(0)
        rest = match.group(2).strip().strip('"')[len(target) :]
        return f"{match.group(1)}{folder / target}{rest}"

    return _INCLUDE.sub(absolute, block)


def _check_blocks(source: str, text: str) -> list[tuple[int, str]]:
    blocks = diagram_blocks(text)
    if not blocks:
        start = _START.search(text)
        if start is None:
            raise DiagramError(f"{source}:1: no @startuml found; a PlantUML file starts with it")
        line = text.count("\n", 0, start.start()) + 1
        raise DiagramError(
            f"{source}:{line}: @start{start.group(1)} has no matching @end{start.group(1)}"
        )
    return blocks


class PlantUml:
    """One PlantUML process, started on the first render, reused for every later one."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self.started = 0  # JVMs this object has started

    def _start(self) -> subprocess.Popen:
        command = [
            tools.java(),
            "-Djava.awt.headless=true",
            "-jar",
            str(tools.plantuml_jar()),
            "-pipe",
            "-pipedelimitor",
            DELIMITER.decode(),
            "-pipeNoStderr",
            "--no-error-image",
        ]
        dot = tools.dot()
        # Without graphviz, PlantUML's own port of dot (smetana) lays the diagrams out.
        command += ["--dot-path", dot] if dot else ["--pragma", "layout=smetana"]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,  # select() sees the pipe itself, no Python buffer in between
            # PlantUML and Java print in the system locale; diagrams are UTF-8.
            env={**os.environ, "JAVA_TOOL_OPTIONS": "-Dfile.encoding=UTF-8"},
        )
        self.started += 1
        return self._process

    def render(self, source: str | Path, data: bytes, formats: tuple[str, ...]) -> list:
        """[(file name, bytes)]: ``<stem>.<fmt>``, further blocks as ``<stem>-N.<fmt>``."""
        source = str(source)
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
        blocks = _check_blocks(source, text)
        names = iter(picture_names(source, len(blocks), formats))
        return [
            (next(names), self._ask(source, line, block, fmt))
            for line, block in blocks
            for fmt in formats
        ]

    def _ask(self, source: str, line: int, block: str, fmt: str) -> bytes:
        injected = 0
        if fmt == "png" and not _DPI.search(block):
            first, _, rest = block.partition("\n")
            block = f"{first}\nskinparam dpi {PNG_DPI}\n{rest}"
            injected = 1
        request = f"@@@format {fmt}\n{_absolute_includes(source, block)}\n".encode()
        answer = self._exchange(source, request)
        if answer.startswith(b"ERROR\n"):
            _, reported, *message = answer.decode("utf-8", errors="replace").split("\n")
            # PlantUML counts from the @start line (0); skip the line clm added.
            offset = int(reported) if reported.strip().isdigit() else 0
            if offset > injected:
                offset -= injected
            text = " ".join(part.strip() for part in message if part.strip())
            raise DiagramError(f"{source}:{line + offset}: PlantUML: {text or 'syntax error'}")
        if not answer:
            raise DiagramError(f"{source}:{line}: PlantUML produced no {fmt.upper()} picture")
        return answer

    def _exchange(self, source: str, request: bytes) -> bytes:
        process = self._process if self._process and self._process.poll() is None else None
        process = process or self._start()
        try:
            process.stdin.write(request)
            process.stdin.flush()
            return self._read_answer(process)
        except (BrokenPipeError, TimeoutError, EOFError) as error:
            self.close()
            raise DiagramError(f"{source}: PlantUML stopped answering ({error})") from None

    @staticmethod
    def _read_answer(process: subprocess.Popen) -> bytes:
        deadline = time.monotonic() + RENDER_TIMEOUT
        answer = bytearray()
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while (end := answer.find(DELIMITER)) < 0:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise TimeoutError(f"no answer within {RENDER_TIMEOUT:.0f} s")
                chunk = os.read(process.stdout.fileno(), 1 << 16)
                if not chunk:
                    raise EOFError("the JVM exited")
                answer += chunk
        # Each answer is the picture, the delimiter and a newline, which may arrive
        # with the next answer: a picture never starts with a newline.
        return bytes(answer[:end]).lstrip(b"\r\n")

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
