"""Real virtual environments for a course's own Python, made in a temporary folder.

``python -m venv --without-pip`` makes one in a tenth of a second. What it
gets installed: a distribution written as pip leaves it (a ``dist-info``
folder, for the fingerprint), a real wheel installed by pip, or clm's own
site-packages on its path through a ``.pth`` file (so its ipykernel imports
without a download).
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

# clm's own site-packages: where its ipykernel (and everything ipykernel needs) is installed.
CLM_SITE_PACKAGES = sysconfig.get_paths()["purelib"]


def make_venv(folder: Path, *, borrow_clm_packages: bool = False) -> Path:
    """A new virtual environment in ``folder``; returns its ``bin/python``."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    if borrow_clm_packages:
        (site_packages(folder) / "clm-packages.pth").write_text(CLM_SITE_PACKAGES + "\n")
    return folder / "bin" / "python"


def site_packages(venv: Path) -> Path:
    return (
        venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    )


def write_distribution(venv: Path, name: str, version: str) -> None:
    """Record ``name`` ``version`` as installed, as pip does (metadata only, no modules)."""
    info = site_packages(venv) / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def build_wheel(folder: Path, name: str, version: str, modules: dict[str, str]) -> Path:
    """A pure-Python wheel of ``modules`` (path in the wheel: source), as a build backend makes."""
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        **modules,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{path},,\n" for path in [*files, f"{info}/RECORD"])
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def pip_install(python: Path, *requirements: str, offline: bool = True) -> None:
    """Install into the environment of ``python`` with clm's pip (the venv has none)."""
    index = ["--no-index", "--no-deps"] if offline else []
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            *index,
            *requirements,
        ],
        check=True,
        capture_output=True,
    )
