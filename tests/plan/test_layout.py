from __future__ import annotations

import pytest

from clm.languages.table import CSHARP, JAVA, PYTHON, RUST, TYPESCRIPT
from clm.paths import sanitize
from clm.plan.layout import course_folder, deck_file_name, dir_group_folder, variant_folder
from clm.plan.targets import Target
from clm.plan.variants import Format, Kind, Variant


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("C# für Einsteiger", "CSharp für Einsteiger"),
        ("Listen [und] {Mengen}", "Listen (und) (Mengen)"),
        ("a/b\\c$d#e%f&g<h>i*j=k^l€m|n", "a_b_c_d_e_f_g_h_i_j_k_l_m_n"),
        ("Was ist das? Ja! 'x' \"y\" `z`; a.b: c", "Was ist das Ja x y z ab c"),
        ("Woche 1: Grundlagen", "Woche 1 Grundlagen"),
        ("CON", "CON_"),
        ("lpt1", "lpt1_"),
        ("Ende. ", "Ende"),
        ("???", "_"),
    ],
)
def test_sanitize(name, expected):
    assert sanitize(name) == expected


PUBLIC = Target("public", "output/public", (Kind.CODE_ALONG, Kind.COMPLETED), classic=True)
SPEAKER = Target("speaker", "output/speaker", (Kind.RECORDING,), classic=True)
SHARED = Target("shared", "out/shared", (Kind.CODE_ALONG, Kind.COMPLETED))


def _folder(target, variant, course, section, language=PYTHON, slug=None):
    return variant_folder(
        course_folder(target, variant.lang, course, slug), target, variant, section, language
    )


def test_classic_variant_folders_follow_clm_2025():
    variant = Variant("de", Kind.CODE_ALONG, Format.HTML)
    folder = _folder(PUBLIC, variant, "Mein Kurs", "Woche 1")
    assert folder == "output/public/De/Mein Kurs/Folien/Html/Code-Along/Woche 1"
    variant = Variant("en", Kind.RECORDING, Format.NOTEBOOK)
    folder = _folder(SPEAKER, variant, "My Course", "Week 1")
    assert folder == "output/speaker/En/My Course/Slides/Notebooks/Speaker/Week 1"


def test_target_folders_follow_clm_1_35():
    variant = Variant("en", Kind.COMPLETED, Format.CODE)
    folder = _folder(SHARED, variant, "C# Course", "Week 1")
    assert folder == "out/shared/CSharp Course-en/Slides/Python/Completed/Week 1"
    folder = _folder(SHARED, variant, "C# Course", "Week 1", slug="csharp")
    assert folder == "out/shared/csharp-en/Slides/Python/Completed/Week 1"
    trainer = Target("trainer", "out/trainer", (Kind.TRAINER, Kind.RECORDING, Kind.PARTIAL))
    for kind, name in [
        (Kind.TRAINER, "Trainer"),
        (Kind.RECORDING, "Recording"),
        (Kind.PARTIAL, "Partial"),
    ]:
        folder = _folder(trainer, Variant("de", kind, Format.HTML), "Kurs", "Woche 1", slug="k")
        assert folder == f"out/trainer/k-de/Folien/Html/{name}/Woche 1"


def test_deck_file_names():
    assert (
        deck_file_name(1, "Titel auf Deutsch", Format.HTML, PYTHON) == "01 Titel auf Deutsch.html"
    )
    assert deck_file_name(12, "Was? Listen!", Format.NOTEBOOK, PYTHON) == "12 Was Listen.ipynb"
    assert deck_file_name(3, "x", Format.CODE, PYTHON) == "03 x.py"
    assert deck_file_name(3, "x", Format.CODE, JAVA) == "03 x.java"
    assert deck_file_name(3, "x", Format.HTML, JAVA) == "03 x.html"


@pytest.mark.parametrize(
    ("language", "folder"),
    [(JAVA, "Java"), (TYPESCRIPT, "TypeScript"), (CSHARP, "CSharp"), (RUST, "Rust")],
)
def test_plain_code_goes_to_the_folder_clm_names_for_the_language(language, folder):
    variant = Variant("en", Kind.COMPLETED, Format.CODE)
    found = _folder(SHARED, variant, "Course", "Week 1", language)
    assert found == f"out/shared/Course-en/Slides/{folder}/Completed/Week 1"


def test_dir_group_folders():
    course = course_folder(PUBLIC, "en", "My Course")
    assert dir_group_folder(course, "Bonus") == "output/public/En/My Course/Bonus"
    course = course_folder(SHARED, "de", "Kurs", "kurs")
    assert dir_group_folder(course, "Code/Solutions") == "out/shared/kurs-de/Code/Solutions"
    assert dir_group_folder(course, "") == "out/shared/kurs-de"
