"""The fingerprint of a course's interpreter, and the cheap stamp that says it still holds."""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from pathlib import Path

import psutil
import pytest

from clm.execute import environment, fingerprints
from clm.execute.environment import Interpreter, describe, still_current
from tests.venvs import make_venv, site_packages, write_distribution


def test_clms_own_interpreter_asked_from_outside_gives_clms_own_fingerprint():
    # The same hash whichever way it is computed: a course naming clm's own venv
    # shares its executions with a course naming none.
    assert describe(sys.executable).fingerprint == fingerprints.of_kernel("python3").value


def test_installing_upgrading_or_removing_a_package_changes_stamp_and_fingerprint(tmp_path):
    venv = tmp_path / ".venv"
    python = str(make_venv(venv))
    empty = describe(python)
    assert still_current(empty, python)
    write_distribution(venv, "coursepkg", "1.0")
    assert not still_current(empty, python)
    one = describe(python)
    assert still_current(one, python)
    shutil.rmtree(site_packages(venv) / "coursepkg-1.0.dist-info")
    write_distribution(venv, "coursepkg", "2.0")
    two = describe(python)
    shutil.rmtree(site_packages(venv) / "coursepkg-2.0.dist-info")
    gone = describe(python)
    assert len({empty.fingerprint, one.fingerprint, two.fingerprint}) == 3
    assert gone.fingerprint == empty.fingerprint  # the same packages, the same fingerprint


def test_the_same_packages_in_another_place_give_the_same_fingerprint(tmp_path):
    first, second = (str(make_venv(tmp_path / name)) for name in ("a", "b"))
    assert describe(first).fingerprint == describe(second).fingerprint


def test_a_user_site_folder_appearing_changes_the_stamp(tmp_path, monkeypatch):
    # An interpreter outside a venv imports from the user's site-packages once that
    # exists: the first `pip install --user` must be noticed.
    monkeypatch.setenv("PYTHONUSERBASE", str(tmp_path / "user"))
    python = str(Path(sys.base_prefix) / "bin" / "python3")
    described = describe(python)
    user_site = [Path(f) for f, _ in described.stamps if f.startswith(str(tmp_path))]
    if not user_site:
        pytest.skip(f"{python} has user site-packages switched off")
    assert still_current(described, python)
    user_site[0].mkdir(parents=True)
    assert not still_current(described, python)


def test_a_changed_pythonpath_is_a_changed_interpreter(tmp_path, monkeypatch):
    python = str(make_venv(tmp_path / ".venv"))
    described = describe(python)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert not still_current(described, python)


def test_the_kept_description_survives_json_and_an_unreadable_one_is_none(tmp_path):
    described = describe(str(make_venv(tmp_path / ".venv")))
    assert Interpreter.from_json(described.to_json()) == described
    assert Interpreter.from_json("[1, 2]") is None
    assert Interpreter.from_json("not json") is None


@pytest.mark.posix_only("runs a shell script as a program")
def test_a_probe_that_times_out_ends_the_interpreter_a_wrapper_script_started(
    tmp_path, monkeypatch
):
    # A shim (pyenv's, conda's) that runs the real interpreter as its child, here one
    # that never answers.
    started = tmp_path / "child.pid"
    wrapper = tmp_path / "python"
    wrapper.write_text(f"#!/bin/sh\nsleep 607 &\necho $! > {started}\nwait\n")
    wrapper.chmod(0o755)
    monkeypatch.setattr(environment, "PROBE_TIMEOUT", 2.0)
    with pytest.raises(environment.ProbeFailed, match="did not answer within 2 s"):
        environment.ask(str(wrapper))
    child = psutil.Process(int(started.read_text()))
    try:
        deadline = time.monotonic() + 60  # only a hang: it sleeps 607 s otherwise
        while _runs(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _runs(child), "the interpreter the wrapper started outlived the probe"
    finally:
        with contextlib.suppress(psutil.Error):
            child.kill()


def _runs(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_clms_own_stamp_follows_the_distributions_on_the_path(tmp_path, monkeypatch):
    # Not the folders' modification times, nor folders holding no distribution (a
    # console script's bin/ is on the path of `clm build`, not of `python -m doit`).
    before = environment.path_stamp()
    scripts, packages = tmp_path / "bin", tmp_path / "site"
    scripts.mkdir()
    packages.mkdir()
    monkeypatch.syspath_prepend(str(scripts))
    monkeypatch.syspath_prepend(str(packages))
    (scripts / "clm").write_text("#!/usr/bin/env python\n")
    (packages / "helper.py").write_text("")  # a file, no distribution
    assert environment.path_stamp() == before
    (packages / "extra-1.0.dist-info").mkdir()
    assert environment.path_stamp() != before
