"""A course's own Python runs its decks: what that environment has is what the HTML shows,
an upgrade there re-executes, prose edits still run nothing, and a broken one builds nothing."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import run_clm, work_counts
from tests.venvs import build_wheel, make_venv, pip_install

pytestmark = pytest.mark.slow

SPEC = """\
name: Course
languages: [en]
kernel-python: .venv
sections:
  - name: One
    topics: [versions]
"""
SPEC_LINE = 3  # of kernel-python
# The same course the CLM way: its spec in course-specs/, the venv at the course root.
XML_SPEC = """\
<?xml version="1.0" encoding="UTF-8"?>
<course>
    <name>Course</name>
    <prog-lang>python</prog-lang>
    <kernel-python>.venv</kernel-python>
    <sections>
        <section>
            <name>One</name>
            <topics><topic>versions</topic></topics>
        </section>
    </sections>
</course>
"""
DECK = "slides/module_100_a/topic_100_versions.py"
HTML = "output/shared/Course-en/Slides/Html/Completed/One/01 Title.html"


def _course(root: Path, spec: tuple[str, str] = ("course.yaml", SPEC)) -> Path:
    code = "import coursepkg\nprint('coursepkg', coursepkg.VERSION)"
    write_files(root, {spec[0]: spec[1], DECK: deck_text(code=code)})
    return root


def _coursepkg(folder: Path, version: str) -> str:
    """A wheel of the package only the course's environment has."""
    modules = {"coursepkg/__init__.py": f"VERSION = {version!r}\n"}
    return str(build_wheel(folder, "coursepkg", version, modules))


def test_the_decks_run_in_the_course_environment_and_its_upgrades_re_execute(tmp_path):
    root = _course(tmp_path / "course", ("course-specs/course.xml", XML_SPEC))
    python = make_venv(root / ".venv")
    # ipykernel comes from PyPI, as a course author installs it: about 18 s here
    # (measured; the venv itself takes 0.1 s without pip, whose pip is clm's).
    pip_install(python, f"ipykernel=={metadata.version('ipykernel')}", offline=False)
    pip_install(python, _coursepkg(tmp_path / "wheels", "1.0"))
    clms_own = subprocess.run([sys.executable, "-c", "import coursepkg"], capture_output=True)
    assert clms_own.returncode != 0, "clm's own environment must lack coursepkg"

    first = run_clm(root, "build", "--lang", "en")
    assert first.returncode == 0, first.stdout + first.stderr
    assert work_counts(first)["kernels"] == 1
    assert "coursepkg 1.0" in (root / HTML).read_text()

    pip_install(python, _coursepkg(tmp_path / "wheels", "2.0"))
    upgraded = run_clm(root, "build", "--lang", "en")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert work_counts(upgraded)["kernels"] == 1
    html = (root / HTML).read_text()
    assert "coursepkg 2.0" in html and "coursepkg 1.0" not in html

    deck = root / DECK
    deck.write_text(deck.read_text().replace("## Hello", "## Hello again"))
    prose = run_clm(root, "build", "--lang", "en")
    assert prose.returncode == 0, prose.stdout + prose.stderr
    counts = work_counts(prose)
    assert counts["kernels"] == 0 and counts["cached"] == 1
    assert "Hello again" in (root / HTML).read_text()


def test_a_missing_interpreter_builds_nothing_and_names_the_spec_line(tmp_path):
    root = _course(tmp_path / "course")
    result = run_clm(root, "build")
    assert result.returncode == 2
    assert f"course.yaml:{SPEC_LINE}: kernel-python '.venv'" in result.stderr
    assert "`python3 -m venv .venv && .venv/bin/python -m pip install ipykernel`" in result.stderr
    assert not (root / "output").exists()


def test_an_interpreter_without_ipykernel_builds_nothing_and_says_how_to_install_it(tmp_path):
    root = _course(tmp_path / "course")
    make_venv(root / ".venv")
    result = run_clm(root, "build")
    assert result.returncode == 2
    assert f"course.yaml:{SPEC_LINE}: kernel-python '.venv'" in result.stderr
    assert "has no ipykernel" in result.stderr
    assert "`.venv/bin/python -m pip install ipykernel`" in result.stderr
    assert not (root / "output").exists()


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_an_interpreter_printing_bytes_that_are_not_utf8_is_named_with_what_it_printed(
    tmp_path, stream
):
    """Its output was decoded strictly: a raw UnicodeDecodeError instead of the spec line."""
    root = _course(tmp_path / "course", ("course.yaml", SPEC.replace(".venv", "python")))
    redirect = " >&2" if stream == "stderr" else ""
    (root / "python").write_bytes(
        b"#!/bin/sh\nprintf 'Gr\\374\\337e aus Latin-1\\n'" + redirect.encode() + b"\nexit "
        + (b"3" if stream == "stderr" else b"0") + b"\n"
    )  # fmt: skip
    (root / "python").chmod(0o755)
    result = run_clm(root, "build")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "UnicodeDecodeError" not in result.stderr
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert f"course.yaml:{SPEC_LINE}: kernel-python 'python': " in error
    assert "is no working Python" in error and "Gr\ufffd\ufffde aus Latin-1" in error
    assert "name a working interpreter or a virtual environment's folder" in error
    assert not (root / "output").exists()
