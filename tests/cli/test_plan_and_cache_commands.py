"""`clm plan` prints the build's jobs as data; `clm cache` outside a course changes nothing."""

from __future__ import annotations

import json

from clm.plan.variants import Kind
from clm.tasks.jobs import JOBS, job_from_dict
from tests.e2e.conftest import YAML_SPEC, copy_sources
from tests.e2e.helpers import run_clm, run_doit


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


def test_cache_export_replaces_a_file_only_with_force_and_never_leaves_half_a_file(tmp_path):
    from tests.conftest import deck_text, write_files

    spec = (
        "name: {de: Kurs, en: Course}\nsections:\n  - name: {de: Eins, en: One}\n    topics: [a]\n"
    )
    write_files(
        tmp_path,
        {"course.yaml": spec, "slides/module_100_a/topic_100_a.py": deck_text(code="print(1)")},
    )
    refused = run_clm(tmp_path, "cache", "export", "course.yaml")
    assert refused.returncode == 2
    assert "course.yaml exists" in refused.stderr and "--force" in refused.stderr
    assert (tmp_path / "course.yaml").read_text() == spec

    fresh = run_clm(tmp_path, "cache", "export", "cache.sqlite")
    assert fresh.returncode == 0, fresh.stderr
    again = run_clm(tmp_path, "cache", "export", "cache.sqlite")
    assert again.returncode == 2 and "cache.sqlite exists" in again.stderr
    (tmp_path / "old.sqlite").write_text("an old export")
    forced = run_clm(tmp_path, "cache", "export", "old.sqlite", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "old.sqlite").read_bytes().startswith(b"SQLite format 3")
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"
    nowhere = run_clm(tmp_path, "cache", "export", "missing/cache.sqlite")
    assert nowhere.returncode == 2 and "no such folder" in nowhere.stderr


def test_planning_and_listing_leave_no_state_behind(tmp_path):
    root = copy_sources(tmp_path / "course")
    (root / "dodo.py").write_text(
        f"from clm.dodo import course_tasks\nDOIT_CONFIG, task_course = course_tasks({YAML_SPEC!r})\n"
    )
    assert run_clm(root, "plan", YAML_SPEC, "--json").returncode == 0
    assert run_clm(root, "cache", "explain", "--spec", YAML_SPEC, "output/x.html").returncode == 2
    listed = run_doit(root, "list", "--all", "--status")
    assert listed.returncode == 0, listed.stderr
    names = [line.split()[1] for line in listed.stdout.splitlines() if line.strip()]
    execute = next(name for name in names if name.endswith(":execute"))
    info = run_doit(root, "info", execute)
    # doit info answers 1 for a task that is not up to date.
    assert info.returncode in (0, 1) and "status     :" in info.stdout, info.stderr
    assert not (root / ".clm").exists(), "clm plan, doit list and doit info write nothing"
    assert not (root / "output").exists()
