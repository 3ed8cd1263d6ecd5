"""Planning a course whose decks run in another kernel: its fingerprint is asked for once."""

from __future__ import annotations

import json
import os

import pytest

from clm.tasks.generator import task_dicts
from clm.tasks.prepare import prepare_build

SPEC = """\
name: Course
languages: [en]
prog-lang: java
kernel: toy
sections:
  - name: One
    topics: [first]
"""
DECK = "slides/module_100_a/topic_100_first.java"
JAVA_DECK = '// %% [markdown]\n// # First\n\n// %%\nSystem.out.println("x");\n'


@pytest.mark.posix_only("runs a shell script as a program")
def test_the_runtime_is_asked_once_and_again_after_it_changed(make_course, monkeypatch, tmp_path):
    spec = make_course(SPEC, {DECK: JAVA_DECK})
    kernels = tmp_path / "jupyter"
    runs = tmp_path / "runs.log"
    program = tmp_path / "toy-runtime"
    program.write_text(f'#!/bin/sh\necho run >> "{runs}"\necho "toy 1.0"\n')
    program.chmod(0o755)
    (kernels / "kernels" / "toy").mkdir(parents=True)
    (kernels / "kernels" / "toy" / "kernel.json").write_text(
        json.dumps({"argv": [str(program), "{connection_file}"], "display_name": "Toy"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(kernels))
    monkeypatch.chdir(spec.parent)
    first = prepare_build(spec)
    assert list(first.environments) == ["toy"] and len(runs.read_text().splitlines()) == 1
    (job,) = (
        action[1][0]
        for task in task_dicts(first)
        if task.get("name") == "execute"
        for action in task["actions"]
    )
    assert (job.kernel, job.kernel_python) == ("toy", None)
    assert job.environment == first.environments["toy"]
    again = prepare_build(spec)
    assert again.environments == first.environments
    assert len(runs.read_text().splitlines()) == 1, "a no-op planning runs no runtime"
    program.write_text(program.read_text().replace("1.0", "2.0"))
    os.utime(program, ns=(1, 1))
    upgraded = prepare_build(spec)
    assert upgraded.environments["toy"] != first.environments["toy"]
    assert len(runs.read_text().splitlines()) == 2
