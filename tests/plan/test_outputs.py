from __future__ import annotations

import posixpath
import textwrap

import pytest

from clm.course.discovery import build_course
from clm.course.model import may_narrate
from clm.errors import CourseError
from clm.plan.layout import MATHJAX_FROM_PAGE
from clm.plan.outputs import deck_variants, plan_course, plan_spec
from clm.plan.select import select_only
from clm.plan.variants import Format, Kind
from clm.spec import load_spec
from tests.conftest import deck_text

SPEC = """
    name: {de: Mein Kurs, en: My Course}
    sections:
      - name: {de: Woche 1, en: Week 1}
        topics: [intro, {id: setup, html: false}]
      - name: {de: Woche 2, en: Week 2}
        topics: [loops]
    dir-groups:
      - {name: Bonus, path: div}
"""

FILES = {
    "slides/m_1/topic_100_intro/slides_intro.py": deck_text("Einführung", "Introduction"),
    "slides/m_1/topic_100_intro/img/a.png": b"png",
    "slides/m_1/topic_110_setup/slides_setup.py": deck_text("Einrichtung", "Setup"),
    "slides/m_1/topic_110_setup/img/a.png": b"png",
    "slides/m_1/topic_120_loops.py": deck_text("Schleifen", "Loops"),
    "div/readme.md": "bonus",
}


def _plan(make_course, spec=SPEC, files=FILES, **kwargs):
    return plan_course(build_course(load_spec(make_course(spec, files))), **kwargs)


def test_outputs_per_deck(make_course):
    plan = _plan(make_course)
    # Per language: code-along and completed (with code), recording; without narration
    # the trainer files are recording's, written by the same task.
    counts = {deck.deck.path.rsplit("/", 1)[-1]: len(deck.outputs) for deck in plan.decks}
    assert counts == {"slides_intro.py": 14, "slides_setup.py": 8, "topic_120_loops.py": 14}
    # The trainer tier repeats shared's code-along and completed: copies of one output.
    files = {
        deck.deck.path.rsplit("/", 1)[-1]: sum(len(o.paths) for o in deck.outputs)
        for deck in plan.decks
    }
    assert files == {"slides_intro.py": 28, "slides_setup.py": 16, "topic_120_loops.py": 28}
    setup = next(d for d in plan.decks if d.deck.path.endswith("slides_setup.py"))
    assert setup.execution is None
    assert not [o for o in setup.outputs if o.variant.format is Format.HTML]


NARRATED = deck_text("Einführung", "Introduction") + (
    '\n# %% [markdown] tags=["voiceover"]\n# Welcome, and thank you for coming.\n'
)


def test_a_deck_with_narration_writes_trainer_and_recording_apart(make_course):
    files = {**FILES, "slides/m_1/topic_100_intro/slides_intro.py": NARRATED}
    plan = _plan(make_course, files=files)
    intro, setup, loops = plan.decks
    assert (intro.deck.narrated, setup.deck.narrated, loops.deck.narrated) == (True, False, False)
    assert len(intro.outputs) == 18 and sum(len(o.paths) for o in intro.outputs) == 28
    kinds = {kind for lang, kind, _ in intro.execution.notebooks}
    assert kinds == {Kind.COMPLETED, Kind.TRAINER, Kind.RECORDING}
    # Without narration: one execution per language and kind fewer, the trainer page
    # a copy of the recording page.
    assert {kind for _, kind, _ in loops.execution.notebooks} == {Kind.COMPLETED, Kind.RECORDING}
    (recording,) = [
        o
        for o in loops.outputs
        if o.variant.kind is Kind.RECORDING
        and o.variant.lang == "en"
        and o.variant.format is Format.HTML
    ]
    trainer = "output/trainer/My Course-en/Slides/Html/Trainer/Week 2/01 Loops.html"
    assert (
        recording.path == "output/speaker/My Course-en/Slides/Html/Recording/Week 2/01 Loops.html"
    )
    assert recording.copies == ((trainer, "output/trainer"),)
    assert recording.also == ((Kind.TRAINER, trainer),)


def test_a_course_template_that_narrates_keeps_every_deck_apart(make_course):
    spec = textwrap.dedent(SPEC) + "templates: templates\n"
    files = {**FILES, "templates/narration.j2": '# %% [markdown] tags=["voiceover"]\n'}
    plan = _plan(make_course, spec=spec, files=files)
    assert all(deck.deck.narrated for deck in plan.decks)
    assert len(plan.decks[0].outputs) == 18


def test_may_narrate_looks_for_the_tag_and_for_includes():
    assert may_narrate('# %% [markdown] tags=["voiceover"]\n')
    assert may_narrate('# j2 include "ws_100_iteration.py"\n')
    assert may_narrate("{% include 'part.j2' %}")
    assert not may_narrate("# %%\nprint('This course includes exercises.')\n")


def test_numbering_is_per_section_in_spec_order(make_course):
    plan = _plan(make_course)
    assert [(d.section, d.number) for d in plan.decks] == [
        ("Woche 1", 1),
        ("Woche 1", 2),
        ("Woche 2", 1),
    ]


def test_clm_1_35_tiers_by_default(make_course):
    paths = _plan(make_course).output_paths()
    for path in [
        "output/shared/Mein Kurs-de/Folien/Html/Code-Along/Woche 1/01 Einführung.html",
        "output/shared/My Course-en/Slides/Notebooks/Completed/Week 1/01 Introduction.ipynb",
        "output/shared/My Course-en/Slides/Python/Completed/Week 2/01 Loops.py",
        "output/trainer/My Course-en/Slides/Python/Completed/Week 2/01 Loops.py",
        "output/trainer/My Course-en/Slides/Html/Trainer/Week 1/01 Introduction.html",
        "output/speaker/My Course-en/Slides/Html/Recording/Week 1/01 Introduction.html",
        "output/shared/My Course-en/Bonus/readme.md",
        "output/trainer/Mein Kurs-de/Bonus/readme.md",
        "output/speaker/Mein Kurs-de/Bonus/readme.md",
    ]:
        assert path in paths
    assert not [path for path in paths if "/Partial/" in path or "/public/" in path]


def test_only_one_topic_keeps_the_targets_and_their_guarding_folder(make_course):
    plan = _plan(make_course)
    only = select_only(plan, "loops")
    assert [d.deck.path.rsplit("/", 1)[-1] for d in only.decks] == ["topic_120_loops.py"]
    assert only.targets == plan.targets and not only.dir_groups
    assert set(only.guards.values()) == {"output"}  # the tiers lie inside the output folder


def test_the_classic_tree_on_request(make_course):
    spec = textwrap.dedent(SPEC) + "output-layout: classic\nproject-slug: ignored-here\n"
    plan = _plan(make_course, spec=spec)
    paths = plan.output_paths()
    for path in [
        "output/public/De/Mein Kurs/Folien/Html/Code-Along/Woche 1/01 Einführung.html",
        "output/public/En/My Course/Slides/Notebooks/Completed/Week 1/01 Introduction.ipynb",
        "output/public/En/My Course/Slides/Python/Completed/Week 2/01 Loops.py",
        "output/speaker/En/My Course/Slides/Html/Speaker/Week 1/01 Introduction.html",
        "output/public/En/My Course/Bonus/readme.md",
        "output/public/De/Mein Kurs/Bonus/readme.md",
    ]:
        assert path in paths
    assert {len(deck.outputs) for deck in plan.decks} == {14, 8}
    assert not [path for path in paths if path.startswith("output/speaker") and "Bonus" in path]


def test_topic_data_beside_every_variant_and_shared_files_copied_once(make_course):
    plan = _plan(make_course)
    images = sorted(p for p in plan.output_paths() if p.endswith("img/a.png"))
    assert len(images) == 28  # 14 variant folders of Woche 1 per language, in three tiers
    copies = [c for job in plan.topic_data for c in job.copies if c.target.endswith("img/a.png")]
    assert len(copies) == len({c.target for c in copies})


def test_code_along_code(make_course):
    plan = _plan(make_course, spec=textwrap.dedent(SPEC) + "code-along-code: true\n")
    intro = plan.decks[0]
    assert len(intro.outputs) == 16  # code-along code added, trainer written with recording
    assert any(
        o.variant.kind is Kind.CODE_ALONG and o.variant.format is Format.CODE for o in intro.outputs
    )


def test_one_language(make_course):
    plan = _plan(make_course, languages=("en",))
    assert all(o.variant.lang == "en" for d in plan.decks for o in d.outputs)
    assert len(plan.decks[0].outputs) == 7
    assert deck_variants(plan.course, plan.decks[0].deck.topic, ("de",))[0].lang == "de"


def test_a_diagram_renders_once_and_is_placed_in_every_variant_folder(make_course):
    files = {**FILES, "slides/m_1/topic_100_intro/pu/flow.puml": "@startuml\na -> b\n@enduml\n"}
    plan = _plan(make_course, files=files)
    (render,) = plan.renders
    assert render.targets == (".clm/renders/slides/m_1/topic_100_intro/pu/flow.puml/flow.png",)
    placements = {job.lang: job for job in plan.placements}
    assert set(placements) == {"de", "en"}
    targets = [copy.target for copy in placements["en"].copies]
    # html and notebook of code-along and completed (twice), trainer and recording, and
    # code of completed (twice)
    assert len(targets) == 14
    assert all(t.endswith("/Week 1/img/flow.png") for t in targets)
    assert {copy.source for copy in placements["en"].copies} == set(render.targets)
    assert set(targets) <= plan.output_paths()


COURSE = {
    "name": {"de": "Mein Kurs", "en": "My Course"},
    "languages": ["de", "en"],
    "sections": [
        {
            "name": {"de": "Woche 1", "en": "Week 1"},
            "topics": [
                {
                    "id": "intro",
                    "path": "slides/m/topic_100_intro",
                    "decks": [
                        {
                            "path": "slides/m/topic_100_intro/slides_intro.py",
                            "titles": {"de": "Einführung", "en": "Introduction"},
                        }
                    ],
                    "data": [
                        {"source": "slides/m/topic_100_intro/data.csv", "relative": "data.csv"}
                    ],
                    "diagrams": [
                        {
                            "source": "slides/m/topic_100_intro/img/flow.puml",
                            "renders": ["flow.png"],
                        }
                    ],
                },
                {
                    "id": "setup",
                    "path": "slides/m/topic_110_setup.py",
                    "html": False,
                    "decks": [
                        {
                            "path": "slides/m/topic_110_setup.py",
                            "titles": {"de": "Einrichtung", "en": "Setup"},
                        }
                    ],
                },
            ],
        }
    ],
    "dir_groups": [
        {"name": "Bonus", "path": "div", "files": [{"source": "div/a.md", "relative": "a.md"}]}
    ],
}


def test_a_plan_from_a_dict_touches_no_file(tmp_path, monkeypatch):
    from clm.course.data import course_from_dict

    monkeypatch.chdir(tmp_path)  # an empty folder: nothing to read, nothing written
    plan = plan_course(course_from_dict(COURSE))
    assert [len(deck.outputs) for deck in plan.decks] == [18, 10]
    intro, setup = plan.decks
    assert intro.execution is not None and setup.execution is None
    assert (
        "output/shared/My Course-en/Slides/Html/Completed/Week 1/01 Introduction.html"
        in plan.output_paths()
    )
    assert (
        "output/speaker/Mein Kurs-de/Folien/Notebooks/Recording/Woche 1/02 Einrichtung.ipynb"
        in plan.output_paths()
    )
    assert [render.targets for render in plan.renders] == [
        (".clm/renders/slides/m/topic_100_intro/img/flow.puml/flow.png",)
    ]
    assert {job.lang for job in plan.dir_groups} == {"de", "en"}
    assert "output/shared/Mein Kurs-de/Bonus/a.md" in plan.output_paths()
    assert list(tmp_path.iterdir()) == []


def test_an_asset_tagged_with_a_language_goes_to_that_language_only(make_course):
    files = {
        **FILES,
        "slides/m_1/topic_100_intro/img/flow.de.png": b"png",
        "slides/m_1/topic_100_intro/img/flow.en.png": b"png",
        "slides/m_1/topic_100_intro/data/table.de.tar.gz": b"tar",  # not a tag: before .tar
        "slides/m_1/topic_100_intro/img/model.v2.png": b"png",
        "slides/m_1/topic_100_intro/img/map.fr.png": b"png",  # fr: not a course language
        "slides/m_1/topic_100_intro/embeddings.de.puml": "@startuml\nA -> B\n@enduml\n",
    }
    plan = _plan(make_course, files=files)

    def names(jobs) -> dict[str, set[str]]:
        """The file names the copy jobs write, by language."""
        return {
            lang: {
                c.target.rpartition("/")[2] for job in jobs if job.lang == lang for c in job.copies
            }
            for lang in ("de", "en")
        }

    copied = names(plan.topic_data)
    assert {"flow.de.png", "table.de.tar.gz", "model.v2.png", "map.fr.png", "a.png"} <= copied["de"]
    assert "flow.en.png" not in copied["de"]
    assert {"flow.en.png", "table.de.tar.gz", "model.v2.png", "map.fr.png", "a.png"} <= copied["en"]
    assert "flow.de.png" not in copied["en"]
    placed = names(plan.placements)
    assert placed == {"de": {"embeddings.de.png"}, "en": set()}


def test_skip_errors_runs_past_errors_and_says_so_apart_from_allow_errors(make_course):
    spec = """
        name: {de: Mein Kurs, en: My Course}
        skip-errors: true
        sections:
          - name: {de: Woche 1, en: Week 1}
            topics:
              - intro
              - {id: setup, skip-errors: false, allow-errors: true}
              - {id: loops, allow-errors: true}
    """
    intro, setup, loops = (deck.execution for deck in _plan(make_course, spec).decks)
    # The course's default reaches a topic that says nothing; skip-errors wins over
    # allow-errors; both run past errors, only skip-errors clears them afterwards.
    assert (intro.allow_errors, intro.skip_errors) == (True, True)
    assert (setup.allow_errors, setup.skip_errors) == (True, False)
    assert (loops.allow_errors, loops.skip_errors) == (True, True)
    # Each is a setting the execution task depends on: changing it runs the task again.
    assert len({intro.settings, setup.settings}) == 2


TARGETS = """
    output-targets:
      - {name: students, path: output/students, kinds: [code-along], languages: [en]}
      - {name: staff, path: staff, kinds: [trainer, completed], formats: [html]}
"""


@pytest.mark.parametrize(
    ("extra", "copies"),
    [
        ("", 6),  # three tiers, two languages
        ("output-layout: classic\n", 4),  # public and speaker, two languages
        (TARGETS, 3),  # students in English; staff in both
    ],
)
def test_every_html_page_finds_mathjax_by_one_relative_path(make_course, extra, copies):
    plan = _plan(make_course, spec=textwrap.dedent(SPEC) + textwrap.dedent(extra))
    pages = [
        path
        for deck in plan.decks
        for output in deck.outputs
        if output.variant.format is Format.HTML
        for path in output.paths
    ]
    reached = {posixpath.normpath(f"{posixpath.dirname(p)}/{MATHJAX_FROM_PAGE}") for p in pages}
    # Every copy is one a page loads, one per course folder with pages, and an output.
    assert reached == set(plan.mathjax)
    assert len(plan.mathjax) == copies
    assert set(plan.mathjax) <= plan.output_paths()


def test_no_mathjax_copy_where_no_page_loads_one(make_course):
    assert not _plan(make_course, spec=textwrap.dedent(SPEC) + "mathjax: cdn\n").mathjax
    plan = _plan(make_course)
    assert not select_only(plan, "setup").mathjax  # html: false
    assert select_only(plan, "loops").mathjax == plan.mathjax


def test_a_dir_group_over_the_mathjax_copy_is_a_spec_error(make_course):
    spec = textwrap.dedent(SPEC).replace(
        "{name: Bonus, path: div}", "{name: Slides/Html/mathjax, path: div}"
    )
    files = {**FILES, "div/tex-svg-full.js": "// not MathJax"}
    with pytest.raises(CourseError) as caught:
        plan_spec(make_course(spec, files))
    message = str(caught.value)
    assert "Slides/Html/mathjax/tex-svg-full.js' would be written twice" in message
    assert "by MathJax of the HTML pages and by the dir-group 'div'" in message
