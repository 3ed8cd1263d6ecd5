"""The tests beside the end-to-end ones on every Python clm supports that this machine has.

    python -m pip install -c constraints.txt nox   # once
    nox                      # each of 3.11 to 3.14 found; the others are skipped, and said so
    nox -s tests-3.12 -- -k spec                    # one version, pytest arguments after --

Each session installs clm with the versions constraints.txt pins (those pins must install
on every version listed). The end-to-end tests (tests/e2e, the suite's slow part) run on
the machine's own Python in scripts/test.sh. Needs what scripts/setup.sh installs on the
machine (Java, graphviz, Chromium) and into .venv/ (the PlantUML jar, the kernelspecs).
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

PYTHONS = ["3.11", "3.12", "3.13", "3.14"]
REPO = Path(__file__).resolve().parent
EXTRAS = "dev,dask,shared-cache,s3"

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = False


def _pyenv_interpreters_first() -> None:
    """pyenv installs every version, but its shims run only the selected ones: put each
    version's own folder on PATH so that nox finds python3.12 and the others."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    folders = sorted(str(bin_) for bin_ in versions.glob("3.*/bin") if bin_.is_dir())
    if folders:
        os.environ["PATH"] = os.pathsep.join([*folders, os.environ.get("PATH", "")])


def _use_what_setup_installed(session: nox.Session) -> dict[str, str]:
    """What setup.sh put beside .venv's packages, as scripts/test-deps.sh uses it: the
    files in share/clm (the PlantUML jar, CLM's documentation wheel), linked into the
    session's environment, and the kernelspecs of Deno and bash_kernel (JUPYTER_PATH)."""
    venv = Path(os.environ.get("CLM_VENV", REPO / ".venv"))
    share = Path(session.virtualenv.location) / "share" / "clm"
    share.mkdir(parents=True, exist_ok=True)
    for file in (venv / "share" / "clm").glob("*"):
        link = share / file.name
        if file.is_file() and not link.exists():
            link.symlink_to(file)
    jupyter_path = [str(venv / "share" / "jupyter"), os.environ.get("JUPYTER_PATH", "")]
    return {"JUPYTER_PATH": os.pathsep.join(filter(None, jupyter_path))}


_pyenv_interpreters_first()


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    constraints = str(REPO / "constraints.txt")
    session.install("-c", constraints, "-e", f".[{EXTRAS}]")
    # draw.io's viewer, as setup.sh installs it.
    session.install("--no-deps", "-c", constraints, "jupyterlab_drawio_render_extension")
    arguments = session.posargs or ["-q", "-p", "no:cacheprovider", "--ignore=tests/e2e"]
    session.run("python", "-m", "pytest", *arguments, env=_use_what_setup_installed(session))
