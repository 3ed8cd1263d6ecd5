"""Every cell header form found in a real CLM course, one deck each, built whole.

The forms jupytext reads build as jupytext reads them (their ``lang`` routes
the cell); the typos fail only their own deck, the build exits 1 and every
other deck is built, by ``clm build`` and by plain ``doit`` alike.
"""

from __future__ import annotations

import pytest

from tests.conftest import write_files
from tests.e2e.helpers import run_clm, run_doit

LENIENT = {
    "spaces_around_equals": '// %% [markdown] lang = "en" tags = ["slide"]',
    "two_spaces_after_marker": '//  %%  [markdown] lang="en"  tags=["slide"]',
    "no_space_in_list": '// %% [markdown] tags=["slide","keep"] lang="en"',
    "lang_before_tags": '// %% [markdown] lang="en" tags=["slide"]',
    "space_before_bracket": '// %% [markdown] tags=["slide", "keep" ] lang="en"',
    "single_quotes": "// %% [markdown] tags=['slide'] lang=\"en\"",
}
TYPOS = {
    "unclosed_list": ('// %% [markdown] lang="en" tags=["slide"', "a '[' is not closed"),
    "stray_bracket": ('// %% [markdown] lang="en"] tags=["slide"]', "a ']' has no '['"),
    "unquoted_tag": ('// %% [markdown] lang="en" tags=["subslide", alt]', "not in quotes"),
}
DECK = """\
// j2 from 'macros.j2' import header
// {{{{ header("{name}", "{name}") }}}}

{header}
// ## Only English {name}

// %% [markdown] lang="de" tags=["slide"]
// ## Nur Deutsch {name}

// %%
int answer = 42;
"""
SPEC = """\
name: {{de: Kurs, en: Course}}
prog-lang: java
output-layout: classic
sections:
  - name: {{de: Eins, en: One}}
    topics:
{topics}
"""
DODO = 'from clm.dodo import course_tasks\nDOIT_CONFIG, task_course = course_tasks("course.yaml")\n'


def _deck(name: str) -> str:
    return f"slides/module_100_a/topic_{100 + 10 * _NAMES.index(name)}_{name}.java"


_NAMES = [*LENIENT, *TYPOS]


def _course(root) -> None:
    # evaluate: no: the headers are the point here, not the Java kernel.
    topics = "\n".join(f"      - {{id: {name}, evaluate: no}}" for name in _NAMES)
    files = {"course.yaml": SPEC.format(topics=topics), "dodo.py": DODO}
    for name, header in LENIENT.items():
        files[_deck(name)] = DECK.format(name=name, header=header)
    for name, (header, _) in TYPOS.items():
        files[_deck(name)] = DECK.format(name=name, header=header)
    write_files(root, files)


@pytest.mark.parametrize("runner", ["clm build", "doit"])
def test_lenient_headers_build_as_jupytext_reads_them_and_typos_fail_alone(tmp_path, runner):
    root = tmp_path / "course"
    _course(root)
    result = run_clm(root, "build") if runner == "clm build" else run_doit(root)
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    assert "Traceback" not in report
    html = {
        lang: root / f"output/public/{lang.title()}/{course}/{slides}/Html/Code-Along/{section}"
        for lang, course, slides, section in (
            ("en", "Course", "Slides", "One"),
            ("de", "Kurs", "Folien", "Eins"),
        )
    }
    for number, name in enumerate(_NAMES, start=1):
        english = html["en"] / f"{number:02d} {name}.html"
        german = html["de"] / f"{number:02d} {name}.html"
        if name in LENIENT:
            # lang="en" was read: the cell is in the English page only.
            assert f"Only English {name}" in english.read_text(encoding="utf-8"), name
            assert f"Only English {name}" not in german.read_text(encoding="utf-8"), name
            assert f"FAILED {_deck(name)}" not in report
        else:
            line, problem = 4, TYPOS[name][1]
            assert f"FAILED {_deck(name)}:checks" in report, name
            assert f"{_deck(name)}:{line}: malformed cell header" in report and problem in report
            assert not english.exists() and not german.exists()
