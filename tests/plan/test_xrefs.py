"""Where a deck's cross-references lead in each of its outputs, worked out from the plan."""

from __future__ import annotations

from clm.course.discovery import build_course
from clm.plan.outputs import plan_course
from clm.plan.variants import Format, Kind
from clm.plan.xrefs import LinkTargets, Reference
from clm.spec import load_spec
from tests.conftest import deck_text

SPEC = """
    name: {de: Kurs, en: Course}
    sections:
      - name: {de: Woche 1, en: Week 1}
        topics: [intro, loops, {id: setup, html: false}]
      - name: {de: Woche 2, en: Week 2}
        topics: [pair]
"""

NARRATED = '\n# %% [markdown] tags=["voiceover"]\n# Welcome.\n'
FILES = {
    "slides/m_1/topic_100_intro.py": deck_text("Einführung", "Intro"),
    "slides/m_1/topic_110_loops.py": deck_text("Schleifen", "Loops (for & while)") + NARRATED,
    "slides/m_1/topic_120_setup.py": deck_text("Einrichtung", "Setup"),
    "slides/m_1/topic_130_pair/slides_010_first.py": deck_text("Eins", "One"),
    "slides/m_1/topic_130_pair/slides_020_second.py": deck_text("Zwei", "Two"),
}


def _plan(make_course):
    return plan_course(build_course(load_spec(make_course(SPEC, FILES))))


def _deck(plan, name):
    return next(d for d in plan.decks if d.deck.path.endswith(name))


def _output(deck, lang, kind, fmt):
    return next(
        o
        for o in deck.outputs
        if (o.variant.lang, o.variant.kind, o.variant.format) == (lang, kind, fmt)
    )


def test_each_output_links_to_the_same_variant_of_the_target(make_course):
    plan = _plan(make_course)
    intro = _deck(plan, "topic_100_intro.py")
    links = LinkTargets(plan).links(intro, [Reference("loops", 5), Reference("pair/second", 6)])
    assert links.findings == ()
    html = _output(intro, "en", Kind.COMPLETED, Format.HTML)
    assert dict(links.hrefs[html.path]) == {
        "loops": "02%20Loops%20%28for%20_%20while%29.html",  # the same section
        "pair/second": "../Week%202/02%20Two.html",  # by the deck's name without its number
    }
    notebook = _output(intro, "de", Kind.CODE_ALONG, Format.NOTEBOOK)
    assert dict(links.hrefs[notebook.path])["pair/second"] == "../Woche%202/02%20Zwei.ipynb"
    code = _output(intro, "en", Kind.COMPLETED, Format.CODE)
    assert dict(links.hrefs[code.path]) == {"loops": "", "pair/second": ""}  # text only


def test_every_href_leads_to_a_planned_output(make_course):
    import posixpath
    from urllib.parse import unquote

    plan = _plan(make_course)
    written = plan.output_paths()
    targets = LinkTargets(plan)
    for deck in plan.decks:
        links = targets.links(deck, [Reference("loops", 1), Reference("pair/slides_010_first", 2)])
        for output in deck.outputs:
            for _, href in links.hrefs[output.path]:
                if href:  # the path and each copy in another target: the same bytes
                    for path in output.paths:
                        assert (
                            posixpath.normpath(
                                posixpath.join(posixpath.dirname(path), unquote(href))
                            )
                            in written
                        ), (path, href)


def test_a_narrated_deck_links_to_the_trainer_file_of_one_without_narration(make_course):
    plan = _plan(make_course)
    loops = _deck(plan, "topic_110_loops.py")  # narrated: its own trainer outputs
    trainer = _output(loops, "en", Kind.TRAINER, Format.HTML)
    links = LinkTargets(plan).links(loops, [Reference("intro", 3)])
    assert dict(links.hrefs[trainer.path]) == {"intro": "01%20Intro.html"}
    intro = _deck(plan, "topic_100_intro.py")
    assert not [o for o in intro.outputs if o.variant.kind is Kind.TRAINER]  # recording's copy


def test_missing_targets_and_an_ambiguous_topic_are_findings(make_course):
    plan = _plan(make_course)
    intro = _deck(plan, "topic_100_intro.py")
    references = [
        Reference("lops", 4),
        Reference("pair/third", 5),
        Reference("pair", 6),
        Reference("setup", 7),
    ]
    links = LinkTargets(plan).links(intro, references)
    found = {(f.reference.line, f.missing): f.problem for f in links.findings}
    assert found[(4, True)] == "names no topic of the course (did you mean 'loops'?)"
    assert found[(5, True)].startswith("names no deck of topic 'pair'")
    assert found[(6, False)].startswith("names topic 'pair', which has 2 decks")
    assert found[(7, True)].startswith("leads to a deck that has no output beside this deck's")
    html = _output(intro, "en", Kind.COMPLETED, Format.HTML)
    hrefs = dict(links.hrefs[html.path])
    assert hrefs["lops"] == hrefs["pair/third"] == hrefs["setup"] == ""  # the text alone
    assert hrefs["pair"] == "../Week%202/01%20One.html"  # the lowest-numbered deck
    notebook = _output(intro, "en", Kind.COMPLETED, Format.NOTEBOOK)
    assert dict(links.hrefs[notebook.path])["setup"] == "03%20Setup.ipynb"


def test_a_split_topic_leads_each_language_to_its_own_half(make_course):
    files = {
        **FILES,
        "slides/m_1/topic_140_split/slides_intro.de.py": deck_text("Geteilt", "Geteilt"),
        "slides/m_1/topic_140_split/slides_intro.en.py": deck_text("Split", "Split"),
    }
    spec = SPEC.replace("topics: [pair]", "topics: [pair, split]")
    plan = plan_course(build_course(load_spec(make_course(spec, files))))
    intro = _deck(plan, "topic_100_intro.py")
    references = [Reference("split", 5), Reference("split/slides_intro", 6)]
    links = LinkTargets(plan).links(intro, references)
    assert links.findings == ()  # two halves are one deck: nothing ambiguous
    english = dict(links.hrefs[_output(intro, "en", Kind.COMPLETED, Format.HTML).path])
    german = dict(links.hrefs[_output(intro, "de", Kind.COMPLETED, Format.HTML).path])
    assert english == {"split": "../Week%202/03%20Split.html"} | {
        "split/slides_intro": "../Week%202/03%20Split.html"
    }
    assert german["split"] == "../Woche%202/03%20Geteilt.html"
