"""Split decks as CLM 1.35 has them: slides_x.de.py and slides_x.en.py are one deck.

Each half feeds the outputs of its own language, both share one number, and a
half without its other half (or a deck there both whole and split) fails alone,
naming both files.
"""

from __future__ import annotations

from tests.conftest import write_files
from tests.e2e.helpers import run_clm

SPEC = """\
name: {de: Kurs, en: Course}
output-layout: classic
sections:
  - name: {de: Eins, en: One}
    topics: [split, after]
"""
TOPIC = "slides/module_100_a/topic_100_split"
HALF = """\
# j2 from 'macros.j2' import header{suffix}
# {{{{ {call} }}}}

# %% [markdown] tags=["slide"]
# ## {heading}

# %%
print({code})
"""
GERMAN = HALF.format(suffix="_de", call='header_de("Geteilt")', heading="Hallo", code="6 * 7")
ENGLISH = HALF.format(suffix="", call='header("Geteilt", "Split")', heading="Hello", code="6 * 7")
AFTER = HALF.format(suffix="", call='header("Danach", "After")', heading="Hi", code="1 + 1")
FILES = {
    "course.yaml": SPEC,
    f"{TOPIC}/slides_intro.de.py": GERMAN,
    f"{TOPIC}/slides_intro.en.py": ENGLISH,
    "slides/module_100_a/topic_200_after.py": AFTER,
}
HTML = "output/public/{lang}/{course}/{slides}/Html/Completed/{section}"


def _html(root, lang: str) -> dict[str, str]:
    """The completed HTML files of a language, by name."""
    names = {
        "de": ("De", "Kurs", "Folien", "Eins"),
        "en": ("En", "Course", "Slides", "One"),
    }[lang]
    folder = root / HTML.format(lang=names[0], course=names[1], slides=names[2], section=names[3])
    return {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.html")}


def _course(tmp_path, files: dict[str, str]):
    root = tmp_path / "course"
    write_files(root, files)
    return root


def test_a_split_pair_is_one_deck_each_half_feeding_its_own_language(tmp_path):
    root = _course(tmp_path, FILES)
    result = run_clm(root, "build")
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    german, english = _html(root, "de"), _html(root, "en")
    # One number for the pair; the German title from header_de, the English from header.
    assert sorted(german) == ["01 Geteilt.html", "02 Danach.html"]
    assert sorted(english) == ["01 Split.html", "02 After.html"]
    assert "Hallo" in german["01 Geteilt.html"] and "Hello" not in german["01 Geteilt.html"]
    assert "Hello" in english["01 Split.html"] and "Hallo" not in english["01 Split.html"]
    assert "<pre>42" in german["01 Geteilt.html"] and "<pre>42" in english["01 Split.html"]
    # Both halves run the same code: it ran once, the other half took its outputs.
    assert "clm: 2 kernels ran deck code" in report and "1 execution from the cache" in report
    # No German file from the English half, nor the other way round.
    everything = {path.name for path in (root / "output").rglob("*") if path.is_file()}
    assert not any("Split" in name for name in everything if name.startswith("01 Geteilt"))
    assert "01 Geteilt.ipynb" in everything and "01 Split.ipynb" in everything
    assert not any(name.startswith("01 Hello") or "intro" in name for name in everything)


def test_a_lone_half_fails_alone_and_names_the_missing_half(tmp_path):
    files = {**FILES}
    del files[f"{TOPIC}/slides_intro.en.py"]
    root = _course(tmp_path, files)
    result = run_clm(root, "build")
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    lone, missing = f"{TOPIC}/slides_intro.de.py", f"{TOPIC}/slides_intro.en.py"
    assert f"FAILED {lone}:checks" in report
    assert (
        f"{lone}: the German half of a split deck, without its English half {missing}; add "
        "that, or rename this file to slides_intro.py to make it a deck of both languages"
    ) in report
    assert "Traceback" not in report
    assert sorted(_html(root, "en")) == ["02 After.html"]  # the rest of the course built
    # Adding the other half mends it.
    write_files(root, {missing: ENGLISH})
    mended = run_clm(root, "build")
    assert mended.returncode == 0, mended.stdout + mended.stderr
    assert sorted(_html(root, "en")) == ["01 Split.html", "02 After.html"]


def test_a_deck_both_whole_and_split_fails_naming_every_file(tmp_path):
    whole = f"{TOPIC}/slides_intro.py"
    files = {**FILES, whole: AFTER.replace("Danach", "Ganz")}
    root = _course(tmp_path, files)
    result = run_clm(root, "build")
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    message = (
        f"the deck is here whole ({whole}) and split into halves ({TOPIC}/slides_intro.de.py "
        f"and {TOPIC}/slides_intro.en.py); keep one form"
    )
    for deck in (whole, f"{TOPIC}/slides_intro.de.py", f"{TOPIC}/slides_intro.en.py"):
        assert f"FAILED {deck}:checks" in report
        assert f"{deck}: {message}" in report
    assert sorted(_html(root, "de")) == ["02 Danach.html"]


def test_a_course_of_one_language_needs_only_its_half(tmp_path):
    files = {
        **FILES,
        "course.yaml": SPEC.replace("output-layout", "languages: [en]\noutput-layout"),
    }
    del files[f"{TOPIC}/slides_intro.de.py"]
    root = _course(tmp_path, files)
    result = run_clm(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(_html(root, "en")) == ["01 Split.html", "02 After.html"]
