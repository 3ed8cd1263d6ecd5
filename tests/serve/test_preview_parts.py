"""The preview's own logic: which paths it serves, where the script goes, what it tells whom."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from clm.plan.outputs import plan_spec
from clm.plan.variants import Kind
from clm.serve.course_page import course_rows, render_course
from clm.serve.news import Newsroom
from clm.serve.server import PreviewServer, inside, with_live_script
from clm.watch.cycles import Cycle, Watched
from tests.conftest import write_files

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python-basics"
DECK = "slides/a/slides_a.py"
PAGE = "public/En/A/01 A.html"


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_only_what_lies_below_the_output_folder_is_found(tmp_path):
    root = tmp_path / "output"
    (root / "public").mkdir(parents=True)
    (root / "public" / "page.html").write_text("<p>")
    (tmp_path / "secret.txt").write_text("no")
    (root / "link").symlink_to(tmp_path)
    resolved = root.resolve()
    assert inside(resolved, "/public/page.html") == resolved / "public" / "page.html"
    assert inside(resolved, "/") == resolved
    for path in ("/../secret.txt", "/public/../../secret.txt", "/link/secret.txt", "/a\\..\\b"):
        assert inside(resolved, path) is None, path
    assert inside(resolved, "/missing.html") is None


def test_the_live_script_goes_before_the_last_body_end_or_at_the_end():
    page = b"<html><body><p>&lt;/body&gt;</p></BODY></html>"
    served = with_live_script(page, 'a "b".html', "e-3")
    assert served.endswith(b"</script>\n</BODY></html>")
    assert b'data-page="a &quot;b&quot;.html" data-version="e-3"' in served
    assert with_live_script(b"<p>no body", "x.html", "e-0").startswith(b"<p>no body<script")


def _watched(failing_targets=("output/" + PAGE,)) -> Watched:
    tasks = {
        f"{DECK}:execute": SimpleNamespace(subtask_of=DECK, targets=[".clm/executed/a.ipynb"]),
        f"{DECK}:html": SimpleNamespace(subtask_of=DECK, targets=list(failing_targets)),
    }
    plan = SimpleNamespace(
        course=SimpleNamespace(output="output"),
        decks=[SimpleNamespace(deck=SimpleNamespace(path=DECK))],
    )
    return Watched(plan, tasks)


def _cycle(number: int, outcomes: dict, updated=()) -> Cycle:
    return Cycle(number, 0.1, len(outcomes), 0, 0, 0, tuple(updated), outcomes, None, "done")


def test_a_failure_holds_until_the_task_is_up_to_date_again_and_a_rewrite_bumps_the_version():
    news, watcher = Newsroom(), _watched()
    seq, version, failure = news.tune_in(PAGE)
    assert failure is None and version.endswith("-0")

    news.cycle_started(watcher, set(watcher.tasks))
    assert news.snapshot().states[DECK].state == "rebuilding"
    message = f"{DECK}:22 (in the deck: raise): ValueError"
    news.cycle_finished(watcher, _cycle(1, {f"{DECK}:execute": message, f"{DECK}:html": message}))
    items = news.wait(seq, timeout=1)
    assert [item.failures for item in items] == [{}, {PAGE: message}]
    assert news.snapshot().states[DECK].message == message

    # A cycle that does not look at the deck leaves its failure standing.
    news.cycle_finished(watcher, _cycle(2, {}))
    assert news.tune_in(PAGE)[2] == message
    news.cycle_finished(
        watcher,
        _cycle(3, {f"{DECK}:execute": None, f"{DECK}:html": None}, updated=["output/" + PAGE]),
    )
    seq, version, failure = news.tune_in(PAGE)
    assert failure is None and version.endswith("-1")
    assert DECK not in news.snapshot().states


def test_a_waiting_browser_wakes_when_the_preview_closes():
    news = Newsroom()
    woken: list = []
    waiter = threading.Thread(target=lambda: woken.append(news.wait(0, timeout=30)))
    waiter.start()
    news.close()
    waiter.join(timeout=60)  # a hang guard
    assert woken == [None]


def test_the_course_page_shows_the_chosen_languages_and_kinds(monkeypatch):
    monkeypatch.chdir(EXAMPLE)
    _, _, plan = plan_spec("course-specs/python-basics.yaml", ("en",))  # as --lang en
    rows = course_rows(plan, (Kind.COMPLETED,))
    assert rows.columns == (("en", Kind.COMPLETED),)
    assert rows.decks == len(plan.decks)
    (first,) = rows.sections[0].decks[:1]
    assert [link.label for link in first.cells[0]] == ["HTML", "notebook", "code"]
    plan = plan_spec("course-specs/python-basics.yaml")[2]
    everything = course_rows(plan, None)
    assert len(everything.columns) == 2 * 4  # the default tiers build every kind but partial
    # A trainer page written with the recording page is linked under trainer too.
    assert everything.pages == sum(
        (o.variant.format.value == "html") * (1 + len(o.also))
        for d in plan.decks
        for o in d.outputs
    )
    news = Newsroom()
    page = render_course(rows, news.snapshot(), whole=True)
    assert "Python Basics" in page and "building" in page
    assert page.count('class="deck-row') == len(plan.decks)


TARGETED_SPEC = """\
name: Targeted
prog-lang: python
output-targets:
  - name: site
    path: site
    kinds: [code-along]
  - name: students
    path: output/students
    kinds: [code-along]
    formats: [html]
sections:
  - name: One
    topics: [a]
"""


def test_the_course_page_links_a_targets_copy_below_the_output_folder(tmp_path, monkeypatch):
    write_files(
        tmp_path / "course",
        {
            "course.yaml": TARGETED_SPEC,
            "slides/module_100_one/topic_100_a/slides_a.py": "# %% [markdown]\n# # A\n",
        },
    )
    monkeypatch.chdir(tmp_path / "course")
    rows = course_rows(plan_spec("course.yaml", ("en",))[2], None)
    assert rows.columns == (("en", Kind.CODE_ALONG),)  # no column no target builds
    ((link,),) = rows.sections[0].decks[0].cells
    # The site target lies outside the output folder; the students' copy is served.
    assert link.url.startswith("/students/") and link.url.endswith(".html")


def test_a_local_preview_answers_only_requests_naming_this_machine():
    news = Newsroom()
    local = PreviewServer(("127.0.0.1", 0), news)
    wide = PreviewServer(("0.0.0.0", 0), news)
    try:
        for host in ("127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "127.1.2.3"):
            assert local.admits(host), host
        for host in ("evil.example:8000", "192.168.1.5:8000", "", "127.0.0.1.evil.example"):
            assert not local.admits(host), host
        assert wide.admits("course.lan:8000")
    finally:
        local.server_close()
        wide.server_close()


def test_a_page_written_during_a_cycle_is_told_at_once_and_only_once():
    news, watched = Newsroom(), _watched()
    message = f"{DECK}:3: NameError"
    news.cycle_finished(watched, _cycle(1, {f"{DECK}:html": message}))
    seq = news.tune_in(PAGE)[0]
    news.cycle_started(watched, {f"{DECK}:html"})
    news.pages_written(watched, ["output/" + PAGE, ".clm/executed/a.ipynb"])
    news.pages_written(watched, ["output/" + PAGE])  # told already
    news.cycle_finished(watched, _cycle(2, {f"{DECK}:html": None}, updated=["output/" + PAGE]))
    items = news.wait(seq, timeout=1)
    assert [(set(item.updated), item.failures) for item in items] == [
        (set(), {PAGE: message}),  # the cycle starts
        ({PAGE}, {}),  # the page is rewritten: no longer failing, reload it
        (set(), {}),  # the cycle ends
    ]
    assert news.tune_in(PAGE)[1].endswith("-1")
