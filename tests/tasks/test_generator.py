"""The doit adapter, from a plan made of plain data: no course on disk, no doit run."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from clm.course.data import course_from_dict
from clm.deck.prepass import Prepass
from clm.plan.outputs import plan_course
from clm.session.spec import SessionSpec
from clm.spec.model import CourseSpec, Text
from clm.tasks.generator import MATHJAX_TASK, STALE_TASK, task_dicts
from clm.tasks.jobs import DeckExecutionJob, OutputJob, RenderJob, job_from_dict, job_json
from clm.tasks.prepare import Build
from tests.plan.test_outputs import COURSE


def _build() -> Build:
    spec = CourseSpec(Path("/course/course.yaml"), Path("/course"), Text.plain("Course"), ())
    plan = plan_course(course_from_dict(COURSE))
    course = Prepass(author="A. Author", organization=(("de", "Akademie"), ("en", "Academy")))
    prepasses = {
        deck.path: course.for_deck(None, (f"{deck.path}.ws.py",))
        for section in plan.course.sections
        for deck in section.decks
    }
    return Build(
        session=SessionSpec("/course"),
        spec=spec,
        plan=plan,
        full=True,
        templates=None,
        template_deps=(),
        engine_dep="clm:engine",
        environments={"python3": "env-fingerprint"},
        environment_deps={"python3": "clm:kernel-environment-python3"},
        warnings=(),
        converters_dep="clm:diagram-converters",
        prepasses=prepasses,
    )


def test_every_action_gets_one_frozen_record_that_survives_json(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tasks = list(task_dicts(_build()))
    jobs = [(t, action[1][0]) for t in tasks for action in t.get("actions", ())]
    assert jobs, "the plan has jobs"
    for task, job in jobs:
        assert len(task["actions"]) == 1 and len(task["actions"][0][1]) == 1
        name = f"{task['basename']}:{task['name']}" if task.get("name") else task["basename"]
        assert job_from_dict(json.loads(job_json(name, job))) == job
    assert list(tmp_path.iterdir()) == [], "making tasks writes nothing"


def test_html_pages_are_made_from_the_executed_notebooks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tasks = {(t["basename"], t.get("name")): t for t in task_dicts(_build())}
    deck = "slides/m/topic_100_intro/slides_intro.py"
    execution = tasks[(deck, "execute")]
    (job,) = (action[1][0] for action in execution["actions"])
    assert isinstance(job, DeckExecutionJob) and job.environment == "env-fingerprint"
    # completed, trainer and recording in each language: one execution serves them
    assert sorted((lang, kind) for lang, kind, *_ in job.notebooks) == [
        (lang, kind) for lang in ("de", "en") for kind in ("completed", "recording", "trainer")
    ]
    assert "clm:kernel-environment-python3" in execution["file_dep"]
    pages = {html: notebook for _, _, notebook, html in job.notebooks}
    for html, notebook in pages.items():
        output = tasks[(deck, html)]
        assert output["actions"][0][1][0].executed == notebook
        assert notebook in output["file_dep"]
        # shared's completed page is written to the trainer tier too, by the same task
        if "/Completed/" in html:
            assert output["targets"] == [html, html.replace("/shared/", "/trainer/")]
    notebook_page = next(t for (d, t) in tasks if d == deck and t and t.endswith(".ipynb"))
    plain = tasks[(deck, notebook_page)]
    record: OutputJob = plain["actions"][0][1][0]
    assert record.executed is None and record.format == "notebook"
    # The setup deck has html: false, so it runs no code.
    assert ("slides/m/topic_110_setup.py", "execute") not in tasks


def test_renders_placements_and_stale_removal(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tasks = {(t["basename"], t.get("name")): t for t in task_dicts(_build())}
    render = tasks[("slides/m/topic_100_intro/img/flow.puml", "render")]
    job: RenderJob = render["actions"][0][1][0]
    assert job.converter == "plantuml"
    assert job.targets == (
        ("flow.png", ".clm/renders/slides/m/topic_100_intro/img/flow.puml/flow.png"),
    )
    assert "clm:diagram-converters" in render["file_dep"]
    stale = tasks[(STALE_TASK, None)]
    assert stale["actions"][0][1][0].stale and stale["uptodate"]


def test_one_task_copies_mathjax_for_clean_and_pages_depend_on_where_it_comes_from(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    build = dataclasses.replace(
        _build(), mathjax_dep="clm:html-mathjax", mathjax_file_dep="clm:mathjax-file"
    )
    tasks = {(t["basename"], t.get("name")): t for t in task_dicts(build)}
    copy = tasks[(MATHJAX_TASK, None)]
    assert build.plan.mathjax and copy["targets"] == list(build.plan.mathjax)
    assert copy["file_dep"] == ["clm:mathjax-file"]  # the pinned version, not the cache
    (removal,) = copy["clean"]
    assert removal[1][0].paths == build.plan.mathjax
    outputs = [
        task
        for task in tasks.values()
        if any(isinstance(args[0], OutputJob) for _, args in task.get("actions", ()))
    ]
    pages = [task for task in outputs if task["name"].endswith(".html")]
    assert pages and all("clm:html-mathjax" in task["file_dep"] for task in pages)
    assert not [t for t in outputs if t not in pages and "clm:html-mathjax" in t["file_dep"]]


def test_the_files_a_deck_includes_are_inputs_of_its_tasks_and_reach_its_jobs(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    tasks = {(t["basename"], t.get("name")): t for t in task_dicts(_build())}
    deck = "slides/m/topic_100_intro/slides_intro.py"
    included = f"{deck}.ws.py"
    for (basename, name), task in tasks.items():
        if basename != deck or name is None:
            continue
        assert included in task["file_dep"], name
        job = task["actions"][0][1][0]
        prepass = job.prepass()
        assert prepass.includes == (included,)
        assert prepass.variables("de", "html")["organization"] == "Akademie"
        assert prepass.variables("en", "notebook")["is_notebook"]
        assert prepass.author == "A. Author"
    guard = next(t for (b, n), t in tasks.items() if b == "check-public-outputs" and n)
    assert included in guard["file_dep"]
    assert guard["actions"][0][1][0].prepasses()[deck].includes == (included,)


def test_the_guard_reads_everything_again_when_its_rules_change(tmp_path, monkeypatch):
    import clm.leaks.guard
    from clm.state.checker import ContentChecker

    monkeypatch.chdir(tmp_path)

    def rules_state() -> set[str]:
        guards = [
            task
            for task in task_dicts(_build())
            if task["basename"] == "check-public-outputs" and task.get("name")
        ]
        assert guards
        rules = {dep for guard in guards for dep in guard["file_dep"] if dep.endswith("leak-guard")}
        assert rules == {clm.leaks.guard.RULES_DEPENDENCY}, rules
        # The value planning gives the run's checker (see prepare_build).
        values = {clm.leaks.guard.RULES_DEPENDENCY: clm.leaks.guard.rules_value()}
        return {ContentChecker(values).get_state(dep, None) for dep in rules}

    before = rules_state()
    # clm's version may stay while the guard's rules grow stronger: the outputs that
    # passed the old rules are read again under the new ones.
    monkeypatch.setattr(clm.leaks.guard, "GUARD_VERSION", f"{clm.leaks.guard.GUARD_VERSION}-next")
    assert rules_state() != before
