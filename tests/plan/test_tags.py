"""The tag table: every tag once, with the kinds that drop it and what it protects."""

from __future__ import annotations

from pathlib import Path

from clm.deck.source import check_source
from clm.leaks import snippets
from clm.plan import tags
from clm.plan.kinds import Kind
from clm.plan.variants import KEPT_IN_CODE_ALONG, RULES

# CLM 1.35's rules, written out by kind: the table, read by tag, must give the same.
_STUDENT_NEVER = {"del", "notes", "voiceover", "private"}
CLM_135 = {
    Kind.CODE_ALONG: _STUDENT_NEVER | {"alt", "completed"},
    Kind.COMPLETED: _STUDENT_NEVER | {"start"},
    Kind.TRAINER: {"del", "start", "voiceover"},
    Kind.RECORDING: {"del", "start"},
    Kind.PARTIAL: _STUDENT_NEVER | {"start"},
}


def test_each_kind_drops_the_tags_clm_135_drops():
    for kind, dropped in CLM_135.items():
        assert RULES[kind].removed == dropped, kind
    assert {"keep", "start"} == KEPT_IN_CODE_ALONG


def test_each_tag_is_in_the_table_once():
    names = [tag.name for tag in tags.TAGS]
    assert len(names) == len(set(names)) == len(tags.TAGS_BY_NAME)


def test_the_leak_guard_reads_the_table_in_its_message_order():
    assert snippets.NEVER_PUBLIC == ("private", "del", "notes", "voiceover")
    assert snippets.NOT_IN_CODE_ALONG == ("alt", "completed", "answer")
    assert {"keep", "start"} == snippets.KEPT_CODE


def test_a_student_kind_drops_no_cell_the_guard_lets_through_and_vice_versa():
    # Every tag the guard keeps out of every student output is dropped by the
    # student kinds; code-along drops or stubs what the guard keeps out of it.
    for kind in (Kind.CODE_ALONG, Kind.COMPLETED, Kind.PARTIAL):
        assert set(snippets.NEVER_PUBLIC) <= RULES[kind].removed
    assert set(snippets.NOT_IN_CODE_ALONG) - {"answer"} <= RULES[Kind.CODE_ALONG].removed


def test_a_tag_on_the_wrong_cell_type_is_named():
    text = (
        '# %% [markdown] tags=["keep"]\n# text\n'
        '# %% tags=["notes"]\nx = 1\n'
        '# %% tags=["nonsense"]\ny = 2\n'
    )
    warnings = check_source(text, Path("slides_x.py"))
    assert any("tag 'keep' belongs on a code cell" in w for w in warnings)
    assert any("tag 'notes' belongs on a markdown cell" in w for w in warnings)
    assert any("unknown tag 'nonsense' (known: alt, answer, completed, del," in w for w in warnings)
