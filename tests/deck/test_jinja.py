from __future__ import annotations

from pathlib import Path

import pytest

from clm.deck.jinja import compile_deck, environment, render_deck, to_template_source
from clm.deck.prepass import Prepass
from clm.errors import CourseError


def _render(text: str, lang: str, fmt: str, prepass: Prepass | None = None) -> str:
    prepass = prepass or Prepass()
    deck = Path("d.py")
    env = environment(prepass.templates)
    return render_deck(compile_deck(env, text, deck, prepass.variables(lang, fmt)), deck, lang, fmt)


def test_statement_lines_become_jinja_statements():
    assert to_template_source("# j2 if lang == 'de'\nx\n# j2 endif\n") == (
        "{% if lang == 'de' %}\nx\n{% endif %}\n"
    )


def test_header_macro_expands_to_a_title_slide_per_language():
    text = "# j2 from 'macros.j2' import header\n# {{ header('Titel', 'Title') }}\n\n# %%\nx = 1\n"
    rendered = _render(text, "de", "html")
    assert rendered.count('# %% [markdown] lang="de" tags=["slide"]') == 1
    assert rendered.count('# %% [markdown] lang="en" tags=["slide"]') == 1
    assert "Titel" in rendered and "Title" in rendered
    assert rendered.endswith("# %%\nx = 1\n")


def test_globals_lang_and_format():
    text = "# j2 if format == 'code'\ncode-only\n# j2 endif\n{{ lang }}\n"
    assert _render(text, "en", "code") == "code-only\nen\n"
    assert _render(text, "de", "html") == "de\n"


def test_course_templates_come_first(tmp_path):
    (tmp_path / "macros.j2").write_text("{% macro header(a, b) %}course header{% endmacro %}")
    text = "# j2 from 'macros.j2' import header\n{{ header('a', 'b') }}\n"
    assert _render(text, "de", "html", Prepass(str(tmp_path))) == "course header\n"


def test_undefined_name_names_the_authors_line():
    text = "# j2 from 'macros.j2' import header\n# {{ header('a', 'b') }}\n\n# %%\n# {{ undefined_thing }}\n"
    with pytest.raises(CourseError, match="'undefined_thing' is undefined") as caught:
        _render(text, "de", "html")
    assert caught.value.line == 5


def test_syntax_error_names_the_line():
    with pytest.raises(CourseError, match="Jinja syntax error") as caught:
        compile_deck(environment(None), "a\n# j2 if x\nb\n", Path("d.py"))
    assert caught.value.line is not None


def test_missing_template():
    with pytest.raises(CourseError, match=r"template 'nope\.j2' not found") as caught:
        _render("x\n# j2 from 'nope.j2' import y\n", "de", "html")
    assert caught.value.line == 2
