"""`clm plan` prints the build's jobs as data; `clm cache` outside a course changes nothing."""

from __future__ import annotations

import json

from clm.build.jobs import JOBS, job_from_dict
from clm.plan.variants import Kind
from tests.e2e.conftest import YAML_SPEC, copy_sources
from tests.e2e.helpers import run_clm


def test_plan_json_prints_one_job_a_line_that_reads_back_as_its_record(tmp_path):
    root = copy_sources(tmp_path / "course")
    result = run_clm(root, "plan", YAML_SPEC, "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = {line["job"] for line in lines}
    assert {"output", "execution", "render", "copy", "removal"} <= kinds <= set(JOBS)
    html = next(line for line in lines if line["job"] == "output" and line["format"] == "html")
    assert html["task"].endswith(html["target"]) and html["kind"] in {k.value for k in Kind}
    # The trainer tier's completed page is the shared tier's, written by the same job.
    completed = next(
        line for line in lines if line["job"] == "output" and line["kind"] == "completed"
    )
    assert completed["target"].startswith("output/shared/")
    assert [path for path, _ in completed["copies"]] == [
        completed["target"].replace("output/shared/", "output/trainer/", 1)
    ]
    for line in lines:
        job = job_from_dict(line)
        assert json.loads(json.dumps({"task": line["task"], **line})) == line
        assert line["job"] == type(job).JOB
    assert not (root / "output").exists(), "planning builds nothing"
    text = run_clm(root, "plan", YAML_SPEC, "--only", "Week 1: Basics", "--lang", "en")
    assert text.returncode == 0, text.stderr
    assert "jobs (" in text.stdout.splitlines()[-1]
    assert "target trainer: output/trainer (code-along, completed, trainer)" in text.stdout
    assert len(text.stdout.splitlines()) < len(lines)


def test_cache_commands_outside_a_course_say_so_and_create_nothing(tmp_path):
    for args in (["cache"], ["cache", "stats"], ["cache", "clear"], ["cache", "export", "x.db"]):
        result = run_clm(tmp_path, *args)
        assert result.returncode == 2, (args, result.stdout)
        assert "is no course" in result.stderr and "--course" in result.stderr
    assert list(tmp_path.iterdir()) == []
