"""`clm doctor` on the course's Python and the deck languages' kernels, and the
kernel-python line `clm init` writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from clm.cli.doctor import (
    _kernels,
    as_json,
    course_kernel_checks,
    healthy,
    kernel_checks,
    kernel_python_checks,
    report,
)
from clm.errors import CourseError
from clm.languages.table import CPP, PYTHON, RUST, TYPESCRIPT
from clm.scaffold import scaffold
from clm.spec import load_spec
from tests.conftest import deck_text
from tests.venvs import make_venv, write_distribution

SPEC = """\
name: Course
sections:
  - name: One
    topics: [first]
"""
FILES = {"slides/module_100_a/topic_100_first.py": deck_text()}


def test_a_course_without_the_key_runs_its_decks_in_clms_own_environment(make_course):
    spec = make_course(SPEC, FILES)
    (check,) = kernel_python_checks(spec.parent)
    assert check.found and check.path == sys.executable
    assert "course.yaml: clm's own environment" in check.purpose


def test_the_course_python_is_shown_with_its_ipykernel(make_course):
    spec = make_course("kernel-python: .venv\n" + SPEC, FILES)
    venv = spec.parent / ".venv"
    make_venv(venv)
    write_distribution(venv, "ipykernel", "6.29.5")
    (check,) = kernel_python_checks(spec.parent)
    assert check.found and check.path == str(venv / "bin" / "python")
    assert check.version.endswith("ipykernel 6.29.5")
    assert "kernel-python .venv" in check.purpose


def test_a_broken_course_python_is_reported_with_its_fix(make_course):
    spec = make_course("kernel-python: .venv\n" + SPEC, FILES)
    make_venv(spec.parent / ".venv")
    (check,) = kernel_python_checks(spec.parent)
    assert not check.found
    assert (
        "course.yaml:1:" in check.fix and "`.venv/bin/python -m pip install ipykernel`" in check.fix
    )


def test_clm_init_writes_a_commented_kernel_python_line(tmp_path):
    scaffold(tmp_path)
    text = (tmp_path / "course.yaml").read_text()
    comment = text.splitlines()[text.splitlines().index("# kernel-python: .venv") - 1]
    assert comment.startswith("# ") and "virtual environment" in comment
    assert load_spec(tmp_path / "course.yaml").kernel_python is None


@pytest.mark.parametrize("prog_lang", ["java", "typescript", "cpp", "csharp", "rust"])
def test_clm_init_writes_a_welcome_deck_in_the_courses_language(tmp_path, prog_lang):
    from clm.course.discovery import build_course
    from clm.languages import by_name

    written = scaffold(tmp_path, prog_lang)
    spec = load_spec(tmp_path / "course.yaml")
    assert spec.prog_lang == prog_lang and spec.kernel_python is None
    (deck,) = (path for path in written if path.name.startswith("slides_welcome"))
    assert deck.suffix == by_name(prog_lang).suffix
    (topic,) = build_course(spec).sections[0].topics
    assert topic.language == prog_lang and len(topic.decks) == 1


def test_clm_init_refuses_an_unknown_language(tmp_path):
    with pytest.raises(CourseError) as raised:
        scaffold(tmp_path, "jav")
    assert "did you mean 'java'?" in str(raised.value) and not list(tmp_path.iterdir())


def write_kernelspec(kernels: Path, name: str, argv0: str, display: str, language: str) -> Path:
    folder = kernels / name
    folder.mkdir(parents=True)
    spec = {"argv": [argv0, "{connection_file}"], "display_name": display, "language": language}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return folder


def specs_in(kernels: Path) -> dict[str, dict]:
    """The kernelspecs of one folder only, as Jupyter reads them."""
    manager = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)
    return manager.get_all_specs()


def by_name(checks) -> dict:
    return {check.name: check for check in checks}


def test_every_language_kernel_is_listed_with_its_folder_or_its_install_text(tmp_path):
    java = write_kernelspec(tmp_path, "java", sys.executable, "Java (jjava)", "java")
    python = write_kernelspec(tmp_path, "python3", "python", "Python 3 (ipykernel)", "python")
    bash = write_kernelspec(tmp_path, "bash", sys.executable, "Bash", "bash")
    checks = kernel_checks(specs_in(tmp_path))
    names = [check.name for check in checks]
    assert names == [
        "kernel python3",
        "kernel xcpp20",
        "kernel .net-csharp",
        "kernel java",
        "kernel deno",
        "kernel rust",
        "kernel bash",
    ]
    found = by_name(checks)
    assert found["kernel java"].found and found["kernel java"].path == str(java)
    assert found["kernel java"].version == "Java (jjava)"
    assert found["kernel java"].purpose == "runs Java decks"
    assert found["kernel python3"].found and found["kernel python3"].path == str(python)
    assert found["kernel bash"].found and found["kernel bash"].path == str(bash)
    assert "runs bash code" in found["kernel bash"].purpose
    cpp = found["kernel xcpp20"]
    assert not cpp.found and cpp.optional and cpp.fix == CPP.install
    assert cpp.purpose == "only needed for C++ decks"
    assert found["kernel deno"].fix == TYPESCRIPT.install
    assert healthy(checks) and as_json(checks)["ok"]


def test_missing_optional_kernels_read_as_not_installed_not_as_a_broken_setup(tmp_path):
    write_kernelspec(tmp_path, "python3", "python", "Python 3 (ipykernel)", "python")
    checks = kernel_checks(specs_in(tmp_path))
    text = report(checks)
    assert (
        f"absent   kernel rust: not installed (only needed for Rust decks); {RUST.install}"
        in text.splitlines()
    )
    assert "MISSING" not in text
    assert text.splitlines()[-1] == (
        "everything clm needs is installed; 5 optional kernels not installed"
    )
    assert healthy(checks)


def test_a_missing_python_kernel_is_an_error(tmp_path):
    write_kernelspec(tmp_path, "java", sys.executable, "Java (jjava)", "java")
    checks = kernel_checks(specs_in(tmp_path))
    python = by_name(checks)["kernel python3"]
    assert not python.found and not python.optional and python.fix == PYTHON.install
    text = report(checks)
    assert f"MISSING  kernel python3 (runs Python decks): {PYTHON.install}" in text.splitlines()
    assert text.splitlines()[-1] == "1 missing"
    assert not healthy(checks) and not as_json(checks)["ok"]


def test_a_kernelspec_whose_program_is_gone_is_not_installed(tmp_path):
    gone = tmp_path / "moved-venv" / "bin" / "deno"
    folder = write_kernelspec(tmp_path / "kernels", "deno", str(gone), "Deno", "typescript")
    deno = by_name(kernel_checks(specs_in(tmp_path / "kernels")))["kernel deno"]
    assert not deno.found and deno.optional and deno.purpose == "only needed for TypeScript decks"
    assert deno.fix == f"{folder}/kernel.json runs {gone}, which is not found: {TYPESCRIPT.install}"


# bash_kernel's kernel.json has a key jupyter_client's KernelSpec does not know.
@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")
def test_the_doctor_reads_the_kernelspecs_jupyter_finds(tmp_path, monkeypatch):
    kernels = tmp_path / "jupyter" / "kernels"
    java = write_kernelspec(kernels, "java", sys.executable, "Java (test)", "java")
    write_kernelspec(kernels, "zzz-extra", sys.executable, "Extra", "extra")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    found = by_name(_kernels())
    assert found["kernel java"].path == str(java) and found["kernel java"].version == "Java (test)"
    assert found["kernel zzz-extra"].found and found["kernel python3"].found


def test_a_kernel_the_course_needs_is_missing_for_that_course(make_course):
    spec = """\
name: Course
prog-lang: java
sections:
  - name: One
    topics:
      - first
      - {id: second, prog-lang: cpp}
      - {id: third, prog-lang: rust, evaluate: false}
"""
    course = make_course(spec, {})
    checks = course_kernel_checks(course.parent, {"python3", "java"})
    assert [(c.name, c.found, c.optional) for c in checks] == [("kernel xcpp20", False, False)]
    assert checks[0].purpose == "runs the C++ decks of course.yaml" and "xeus-cpp" in checks[0].fix
    assert not healthy(checks)
    assert course_kernel_checks(course.parent, {"python3", "java", "xcpp20"}) == []


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")
def test_only_graphviz_missing_is_reported_with_what_it_means_and_the_doctor_passes(
    monkeypatch, tmp_path
):
    import shutil

    from clm.cli.doctor import checks

    programs = tmp_path / "bin"
    programs.mkdir()
    for name in ("java", "chromium", "apt-get"):
        found = shutil.which(name)
        if found is None:
            pytest.skip(f"{name} is not installed here")
        (programs / name).symlink_to(found)
    monkeypatch.setenv("PATH", str(programs))  # all but graphviz's dot
    found = checks()
    dot = by_name(found)["dot"]
    assert not dot.found and dot.optional and dot.fix == "apt-get install graphviz"
    assert "smetana" in dot.purpose
    lines = report(found).splitlines()
    assert lines[-1].startswith("everything clm needs is installed; ")
    assert lines[-1].endswith(" and dot not installed")
    assert healthy(found)


@pytest.mark.posix_only("runs a shell script as a program")
def test_a_java_that_does_not_run_is_missing_with_the_systems_install_command(
    monkeypatch, tmp_path
):
    """macOS' /usr/bin/java is there without any Java: it says so and fails."""
    from clm.cli.doctor import _tool
    from clm.diagrams import tools

    monkeypatch.setattr("sys.platform", "darwin")
    java = tmp_path / "java"
    java.write_text("#!/bin/sh\necho 'Unable to locate a Java Runtime.' >&2\nexit 1\n")
    java.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    check = _tool("java", "runs PlantUML", tools.java, lambda path: [path, "-version"])
    assert not check.found and check.path == str(java)
    assert check.fix == (
        f"{java} does not run (Unable to locate a Java Runtime.): brew install --cask temurin"
    )


@pytest.mark.posix_only("stands a shell script in for the browser")
@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")
def test_on_windows_the_browser_is_found_and_never_started(monkeypatch, tmp_path):
    """Chrome and Edge on Windows open a window for --version: the doctor only looks."""
    from clm.cli.doctor import checks

    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.delenv("CLM_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("ProgramFiles", str(tmp_path / "Program Files"))
    chrome = tmp_path / "Program Files/Google/Chrome/Application/chrome.exe"
    chrome.parent.mkdir(parents=True)
    started = tmp_path / "started"
    chrome.write_text(f"#!/bin/sh\ntouch '{started}'\n")
    chrome.chmod(0o755)
    found = by_name(checks())
    assert found["chromium"].found and found["chromium"].path == str(chrome)
    assert found["chromium"].version is None and not started.exists()
    assert (
        found["java"].fix == "Java is not installed: winget install EclipseAdoptium.Temurin.21.JRE"
    )
