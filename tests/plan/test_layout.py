from __future__ import annotations

import pytest

from clm.languages.table import CSHARP, JAVA, PYTHON, RUST, TYPESCRIPT
from clm.paths import sanitize
from clm.plan.layout import deck_file_name, dir_group_folder, variant_folder
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


def test_variant_folders_follow_clm():
    folder = variant_folder(
        "output", Variant("de", Kind.CODE_ALONG, Format.HTML), "Mein Kurs", "Woche 1", PYTHON
    )
    assert folder == "output/public/De/Mein Kurs/Folien/Html/Code-Along/Woche 1"
    folder = variant_folder(
        "output", Variant("en", Kind.SPEAKER, Format.NOTEBOOK), "My Course", "Week 1", PYTHON
    )
    assert folder == "output/speaker/En/My Course/Slides/Notebooks/Speaker/Week 1"
    folder = variant_folder(
        "out", Variant("en", Kind.COMPLETED, Format.CODE), "C# Course", "Week 1", PYTHON
    )
    assert folder == "out/public/En/CSharp Course/Slides/Python/Completed/Week 1"


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
    found = variant_folder("out", variant, "Course", "Week 1", language)
    assert found == f"out/public/En/Course/Slides/{folder}/Completed/Week 1"


def test_dir_group_folders():
    assert (
        dir_group_folder("output", "en", "My Course", "Bonus") == "output/public/En/My Course/Bonus"
    )
    assert (
        dir_group_folder("output", "de", "Kurs", "Code/Solutions")
        == "output/public/De/Kurs/Code/Solutions"
    )
    assert dir_group_folder("output", "de", "Kurs", "") == "output/public/De/Kurs"
