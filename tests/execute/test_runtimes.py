"""The fingerprint of a kernel other than ipykernel: its kernelspec and its runtime's version."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from clm.execute import fingerprints, runtimes


def _kernelspec(folder: Path, version: str) -> Path:
    """A kernelspec named ``toy`` whose program says ``version``."""
    program = folder / "bin" / "toy-runtime"
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_text(f"#!/bin/sh\necho 'toy {version}'\n")
    program.chmod(0o755)
    spec = folder / "kernels" / "toy"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [str(program), "--connection", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Toy"}))
    return program


@pytest.mark.posix_only("runs a shell script as a program")
def test_the_fingerprint_follows_the_kernelspec_and_the_runtime_version(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    missing = fingerprints.of_runtime("toy")
    assert runtimes.is_missing(missing.value)
    assert missing.facts == ("kernelspec toy==not installed",)
    assert "toy" not in runtimes.installed_kernels()
    program = _kernelspec(tmp_path, "1.0")
    assert "toy" in runtimes.installed_kernels()
    first_stamp, first = runtimes.stamp("toy"), fingerprints.of_runtime("toy")
    assert not runtimes.is_missing(first.value)
    assert "toy runtime==toy 1.0" in first.facts
    assert runtimes.stamp("toy") == first_stamp, "nothing changed: the same stamp"
    assert fingerprints.of_runtime("toy") == first
    program.write_text("#!/bin/sh\necho 'toy 2.0'\n")  # a new runtime, same kernelspec
    os.utime(program, ns=(1, 1))
    assert runtimes.stamp("toy") != first_stamp
    assert fingerprints.of_runtime("toy").value != first.value
    assert runtimes.version_of(str(program)) == "toy 2.0"


@pytest.mark.posix_only("runs a shell script as a program")
def test_a_runtime_that_cannot_run_still_has_a_fingerprint(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    program = _kernelspec(tmp_path, "1.0")
    program.unlink()
    assert runtimes.version_of(None) == "no program"
    assert not runtimes.is_missing(fingerprints.of_runtime("toy").value)


@pytest.mark.posix_only("runs a shell script as a program")
def test_the_build_and_a_dask_worker_compute_one_fingerprint(tmp_path, monkeypatch):
    from clm.execute.cluster import worker_environment

    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    _kernelspec(tmp_path, "1.0")
    assert worker_environment("toy", None) == (
        fingerprints.of_runtime("toy").value,
        fingerprints.of_runtime("toy").facts,
    )
    ours, facts = worker_environment("python3", None)
    assert ours == fingerprints.of_kernel("python3").value
    assert facts[0].startswith("python==")
