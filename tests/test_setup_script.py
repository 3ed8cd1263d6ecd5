"""scripts/setup.sh's steps, interrupted at their worst moment, are repaired by the next run.

Each test runs a step of scripts/setup-steps.sh alone in bash, as setup.sh runs
it, on a virtual environment of its own in a temporary folder; pip installs
only a wheel the test makes, never from the network.
"""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.linux_only(reason="scripts/setup.sh's steps: bash on Debian")

STEPS = Path(__file__).resolve().parents[1] / "scripts" / "setup-steps.sh"
HANG_GUARD = 600  # seconds: creating a venv on a loaded machine can be slow


def step(script: str, *args: str | Path, env: dict[str, str] | None = None):
    """``script`` in bash with setup's steps sourced (and ``set -euo pipefail``, as
    setup.sh has it); ``$1``, ``$2``, ... are ``args``."""
    return subprocess.run(
        ["bash", "-c", f'set -euo pipefail\nsource "{STEPS}"\n{script}', "step", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        env=env,
    )


def pip_works(venv: Path) -> bool:
    return subprocess.run([venv / "bin" / "python", "-m", "pip", "--version"]).returncode == 0


@pytest.fixture(scope="module")
def venv_interrupted_before_pip(tmp_path_factory) -> Path:
    """A venv as `python3 -m venv` leaves it when stopped before it installed pip."""
    venv = tmp_path_factory.mktemp("setup") / ".venv"
    subprocess.run(["python3", "-m", "venv", "--without-pip", venv], check=True)
    return venv


@pytest.fixture(scope="module")
def repaired(venv_interrupted_before_pip) -> tuple[Path, subprocess.CompletedProcess]:
    venv = venv_interrupted_before_pip
    assert not pip_works(venv)
    return venv, step('ensure_venv "$1"', venv)


def test_a_venv_without_pip_is_made_anew(repaired):
    venv, done = repaired
    assert done.returncode == 0, done.stderr
    assert "incomplete" in done.stdout and "creating it anew" in done.stdout
    assert pip_works(venv)


def test_a_venv_whose_python_does_not_run_is_made_anew(tmp_path):
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(tmp_path / "a-python-that-was-removed")
    done = step('venv_works "$1" || echo broken', venv)
    assert done.stdout.strip() == "broken"


def a_wheel(folder: Path, name: str = "clm_setup_probe") -> Path:
    """A tiny real wheel, for pip to install without an index."""
    wheel = folder / f"{name}-1.0-py3-none-any.whl"
    info = f"{name}-1.0.dist-info"
    files = {
        f"{name}.py": "ANSWER = 42\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{path},,\n" for path in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in {**files, f"{info}/RECORD": record}.items():
            archive.writestr(path, text)
    return wheel


def test_the_install_stamp_is_written_only_after_pip_succeeded(repaired, tmp_path):
    venv, _ = repaired
    stamp = venv / ".clm-probe"
    offline = {**os.environ, "PIP_NO_INDEX": "1"}
    # An install that fails, as one stopped half way does, leaves no stamp.
    failed = step(
        'pip_install_once "$1" probe v1 "a probe" "$2"',
        venv,
        tmp_path / "missing-1.0-py3-none-any.whl",
        env=offline,
    )
    assert failed.returncode != 0
    assert not stamp.exists()
    wheel = a_wheel(tmp_path)
    done = step('pip_install_once "$1" probe v1 "a probe" "$2"', venv, wheel, env=offline)
    assert done.returncode == 0, done.stderr
    assert stamp.read_text() == "v1\n"
    assert not Path(f"{stamp}.part").exists()
    python = venv / "bin" / "python"
    imported = subprocess.run([python, "-c", "import clm_setup_probe"], capture_output=True)
    assert imported.returncode == 0
    # Stamped: the next run installs nothing (a broken wheel would fail it).
    wheel.write_bytes(b"not a wheel")
    assert (
        step('pip_install_once "$1" probe v1 "a probe" "$2"', venv, wheel, env=offline).returncode
        == 0
    )


def test_a_file_is_renamed_from_its_part_only_when_made_whole(tmp_path):
    target = tmp_path / "share" / "clm" / "tool.jar"
    target.parent.mkdir(parents=True)
    Path(f"{target}.part").write_text("half a download")  # a run stopped mid-way
    # A download that fails (or is stopped) half way leaves no file that passes for done.
    failed = step('make_file "$1" bash -c \'echo half > "$1"; exit 3\' fetch', target)
    assert failed.returncode != 0
    assert not target.exists() and not Path(f"{target}.part").exists()
    done = step('make_file "$1" bash -c \'echo whole > "$1"\' fetch', target)
    assert done.returncode == 0, done.stderr
    assert target.read_text() == "whole\n"
    assert not Path(f"{target}.part").exists()
    again = step('make_file "$1" false', target)  # there: nothing is fetched again
    assert again.returncode == 0 and target.read_text() == "whole\n"


def test_a_half_written_or_foreign_kernelspec_is_placed_anew(tmp_path):
    spec = tmp_path / "share" / "jupyter" / "kernels" / "bash"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text('{"argv": ["/venv/bin/pyth')  # cut off mid-write
    current = 'kernelspec_current "$1" "$2" && echo current || echo stale'
    assert step(current, spec, "/venv/bin/python").stdout.strip() == "stale"
    made = tmp_path / "scratch" / "bash"
    made.mkdir(parents=True)
    (made / "kernel.json").write_text('{"argv": ["/venv/bin/python", "-m", "bash_kernel"]}')
    Path(f"{spec}.part").mkdir()  # left by a run stopped while moving the folder in
    done = step('place_kernelspec "$1" "$2"', spec, made)
    assert done.returncode == 0, done.stderr
    assert step(current, spec, "/venv/bin/python").stdout.strip() == "current"
    assert step(current, spec, "/other/venv/bin/python").stdout.strip() == "stale"
    assert not Path(f"{spec}.part").exists()


def test_setup_installs_again_when_the_pinned_versions_change(tmp_path):
    """The install stamp holds a digest of pyproject.toml and constraints.txt: moving a
    pin (constraints.txt alone) must change it, or setup would keep the old versions."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "constraints.txt").write_text("jupytext==1.19.6\n")

    def digest() -> str:
        done = step('dependencies_digest "$1"', tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    before = digest()
    (tmp_path / "constraints.txt").write_text("jupytext==1.19.7\n")
    after_pin = digest()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "y"\n')
    assert len({before, after_pin, digest()}) == 3
