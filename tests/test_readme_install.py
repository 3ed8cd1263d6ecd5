"""The install steps the project shows are true: examples/ci/build-course.yml's install
steps are valid shell whose pip lines name clm as the project calls itself (with extras
it has) and packages that resolve; constraints.txt's pins lie inside pyproject.toml's
ranges, and name draw.io's viewer at the version clm looks for.

Cheap on purpose: clm's own resolution (`pip install .` in a fresh environment) is
scripts/check-install.sh's and the oldest/newest legs' (scripts/test-deps.sh), so here
only the other packages are resolved, without their dependencies, as the example installs
them."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from clm.diagrams.tools import DRAWIO_VIEWER_VERSION

REPO = Path(__file__).resolve().parents[1]
CI_EXAMPLE = REPO / "examples" / "ci" / "build-course.yml"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
HANG_GUARD = 300  # seconds: pip asks the package index


def install_steps() -> list[dict]:
    workflow = yaml.safe_load(CI_EXAMPLE.read_text())
    return [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("name", "").startswith("Install")
    ]


def pip_installs() -> list[list[str]]:
    """The arguments of each `pip install` line of the install steps."""
    commands = []
    for step in install_steps():
        for line in step["run"].splitlines():
            words = shlex.split(line, comments=True)
            if words[:2] == ["pip", "install"]:
                commands.append(words[2:])
    return commands


def test_the_ci_example_installs_clm_the_diagram_tools_and_the_plantuml_jar():
    steps = " ".join(step["run"] for step in install_steps())
    for needed in ("graphviz", "clm setup", "jupyterlab_drawio_render_extension", "jre"):
        assert needed in steps


@pytest.mark.parametrize("step", install_steps(), ids=lambda step: step["name"])
def test_an_install_step_of_the_ci_example_is_valid_shell(step):
    checked = subprocess.run(["bash", "-n"], input=step["run"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_ci_example_installs_clm_by_its_name_with_extras_it_has():
    clm = [Requirement(word) for args in pip_installs() for word in args if "clm" in word]
    assert len(clm) == 1
    assert clm[0].name == PROJECT["name"] and clm[0].url
    assert clm[0].extras <= set(PROJECT["optional-dependencies"])


def test_the_other_packages_the_ci_example_installs_resolve(tmp_path):
    others = [args for args in pip_installs() if not any("clm" in word for word in args)]
    assert others
    for args in others:
        resolved = subprocess.run(
            [
                *(sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"),
                *("--quiet", "--disable-pip-version-check", "--target", str(tmp_path), *args),
            ],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
        assert resolved.returncode == 0, f"pip install {shlex.join(args)}: {resolved.stderr}"


def constraints() -> dict[str, str]:
    """constraints.txt as canonical name → pinned version."""
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def test_every_pin_lies_inside_its_range_in_pyproject():
    pins = constraints()
    ranges = list(PROJECT["dependencies"])
    for extra in PROJECT["optional-dependencies"].values():
        ranges += extra
    for text in ranges:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"constraints.txt pins no {requirement.name}"
        assert requirement.specifier.contains(pinned, prereleases=True), (
            f"constraints.txt pins {requirement.name}=={pinned}, outside pyproject's {text}"
        )


def test_the_viewer_is_pinned_at_the_version_clm_looks_for():
    assert constraints()["jupyterlab-drawio-render-extension"] == DRAWIO_VIEWER_VERSION
    assert f"jupyterlab_drawio_render_extension=={DRAWIO_VIEWER_VERSION}" in CI_EXAMPLE.read_text()


def test_every_extra_the_readme_installs_is_one_clm_has():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    named = {
        extra.strip()
        for extras in re.findall(r"(?:clm|\.)\[([a-z0-9,-]+)\]", text)
        for extra in extras.split(",")
    }
    assert named  # the install lines were found
    assert named <= set(PROJECT["optional-dependencies"])
