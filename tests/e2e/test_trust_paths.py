"""Nothing outside the course root, no lost files, nothing silent: the issue's scenarios,
built for real with `clm build` and `clm clean` (items 1, 2, 5 and 7)."""

from __future__ import annotations

import os
import stat

import pytest

from clm.state.records import record_outputs
from clm.state.workspace import Workspace
from tests.conftest import deck_text, write_files
from tests.e2e.helpers import run_clm

TOPIC = "slides/module_100_a/topic_100_welcome"
DECK = f"{TOPIC}/slides_welcome.py"
SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [welcome]
"""


def _course(tmp_path, spec: str, files: dict | None = None):
    root = tmp_path / "course"
    write_files(root, {DECK: deck_text("Willkommen", "Welcome"), "course.yaml": spec})
    write_files(root, files or {})
    return root


def _errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_a_climbing_subdir_builds_nothing_and_clean_keeps_the_deck(tmp_path):
    spec = (
        SPEC + 'dir-groups:\n  - {name: B, path: div/a/b/c/d, subdirs: ["../../../../../slides"]}\n'
    )
    root = _course(tmp_path, spec, {"div/a/b/c/d/x.txt": "x"})
    deck = (root / DECK).read_bytes()
    build = run_clm(root, "build", "--lang", "en", "-j", "1")
    assert build.returncode == 2, build.stdout + build.stderr
    assert _errors(build) == [
        f"error: {root}/course.yaml:6: the subdir '../../../../../slides' of the dir-group "
        "'div/a/b/c/d' must name a folder inside that path, e.g. 'Example_1' or "
        "'part/Example_1' (no '..', no leading '/', no drive)"
    ]
    assert not (root / "output").exists()
    clean = run_clm(root, "clean")
    assert clean.returncode == 2
    assert (root / DECK).read_bytes() == deck


def test_clean_and_stale_removal_never_delete_outside_the_output_folder(tmp_path):
    root = _course(tmp_path, SPEC + "languages: [en]\n")
    deck = (root / DECK).read_bytes()
    build = run_clm(root, "build", "-j", "1")
    assert build.returncode == 0, build.stdout + build.stderr
    # What an older clm recorded for the dir-group with the climbing subdir.
    record_outputs(Workspace.at(root), "course.yaml", [DECK])

    again = run_clm(root, "build", "-j", "1")
    assert again.returncode == 1
    report = again.stdout + again.stderr
    assert f"refused to delete {DECK}: it lies outside the folder output" in report
    assert (root / DECK).read_bytes() == deck

    record_outputs(Workspace.at(root), "course.yaml", [DECK])
    clean = run_clm(root, "clean")
    assert clean.returncode == 1
    assert _errors(clean)[0].startswith(f"error: refused to delete {DECK}: it lies outside")
    # shared 5, trainer 7, speaker 2, and MathJax in each of the three
    assert "removed 17 outputs of course.yaml" in clean.stdout
    assert (root / DECK).read_bytes() == deck
    assert not [p for p in (root / "output").rglob("*") if p.is_file()]
    assert run_clm(root, "clean").returncode == 0, "the refused record is forgotten"


def test_an_output_subfolder_linked_into_slides_is_never_written_through(tmp_path):
    root = _course(tmp_path, SPEC)
    (root / "output").mkdir()
    os.symlink(f"../{TOPIC}", root / "output/shared")
    before = sorted(p.name for p in (root / TOPIC).iterdir())
    build = run_clm(root, "build", "--lang", "en", "-j", "1")
    assert build.returncode == 1
    report = build.stdout + build.stderr
    assert "refused to write output/shared/Course-en/Slides/Html/Code-Along/One/" in report
    assert sorted(p.name for p in (root / TOPIC).iterdir()) == before
    assert (root / "output/speaker/Course-en/Slides/Html/Recording/One/01 Welcome.html").exists()


def test_ln_s_etc_as_a_dir_group_copies_nothing(tmp_path):
    root = _course(tmp_path, SPEC + "dir-groups:\n  - {name: B, path: div/etc}\n")
    (root / "div").mkdir()
    os.symlink("/etc", root / "div/etc")
    build = run_clm(root, "build", "--lang", "en", "-j", "1")
    assert build.returncode == 2
    assert _errors(build) == [
        f"error: {root}/course.yaml:6: div/etc is a symlink to /etc, outside the course root "
        f"{root}; copy what the course needs into the course, or, if the course may read that "
        f"folder, name it in the spec: 'allow-outside: [{os.path.relpath('/etc', root)}]'"
    ]
    assert not (root / "output").exists()


@pytest.mark.parametrize("target", ["/etc/hostname", "outside"])
def test_a_topic_file_linked_out_of_the_course_is_not_copied(tmp_path, target):
    root = _course(tmp_path, SPEC)
    (tmp_path / "outside").write_text("private")
    os.symlink(target if target.startswith("/") else tmp_path / target, root / TOPIC / "data.txt")
    build = run_clm(root, "build", "--lang", "en", "-j", "1")
    assert build.returncode == 2
    real_target = os.path.realpath(target if target.startswith("/") else tmp_path / target)
    assert _errors(build)[0].startswith(
        f"error: {TOPIC}/data.txt: a symlink to {real_target}, outside the course root"
    )
    assert not (root / "output").exists()


def test_a_symlink_loop_is_a_message_not_a_traceback(tmp_path):
    root = _course(tmp_path, SPEC.replace("[welcome]", "[welcome, loops]"))
    os.symlink("topic_110_loops.py", root / "slides/module_100_a/topic_110_loops.py")
    build = run_clm(root, "build", "--lang", "en", "-j", "1")
    assert build.returncode == 2
    assert "Traceback" not in build.stderr
    assert _errors(build) == [
        f"error: {root}/course.yaml:4: slides/module_100_a/topic_110_loops.py is a symlink "
        "loop (it leads back to itself); point it at a real file or remove the link"
    ]


def test_copies_keep_their_permission_bits(tmp_path):
    spec = SPEC + "dir-groups:\n  - {name: B, path: div}\n"
    root = _course(tmp_path, spec, {f"{TOPIC}/secret.csv": "1,2\n", "div/notes.txt": "n"})
    (root / TOPIC / "secret.csv").chmod(0o600)
    (root / "div/notes.txt").chmod(0o640)
    build = run_clm(root, "build", "--lang", "en", "-j", "1")
    assert build.returncode == 0, build.stdout + build.stderr
    course = root / "output/shared/Course-en"

    def mode(path):
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(course / "Slides/Notebooks/Completed/One/secret.csv") == 0o600
    assert mode(course / "B/notes.txt") == 0o640
    assert mode(course / "Slides/Notebooks/Completed/One/01 Welcome.ipynb") == 0o644


def test_a_topic_without_a_deck_is_a_warning(tmp_path):
    spec = SPEC.replace("[welcome]", "[welcome, misnamed]")
    root = _course(
        tmp_path, spec, {"slides/module_100_a/topic_200_misnamed/welcome.py": deck_text()}
    )
    build = run_clm(root, "build", "--lang", "en", "-j", "1")
    assert build.returncode == 0, build.stdout + build.stderr
    assert (
        f"{root}/course.yaml:4: warning: topic 'misnamed' (slides/module_100_a/topic_200_misnamed)"
        " has no deck and builds nothing: a deck's file name starts with slides_ or topic_ and "
        "ends in .py; is welcome.py meant to be slides_welcome.py?"
    ) in build.stderr.splitlines()


LONG = "Ü" * 150  # 300 bytes in UTF-8
TWO_SECTIONS = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: %s}
    topics: [welcome]
  - name: {de: Zwei, en: %s}
    topics: [welcome]
"""


def test_a_300_byte_deck_title_fails_only_its_deck(tmp_path):
    files = {
        DECK: deck_text("Willkommen", LONG),
        "slides/module_100_a/topic_200_other.py": deck_text("Anders", "Other"),
    }
    root = _course(tmp_path, SPEC.replace("[welcome]", "[welcome, other]"), files)
    result = run_clm(root, "build", "--lang", "en", "-j", "1")
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    assert (
        f"{DECK}:2: the en title makes the output file name '01 {LONG[:37]}…' "
        "308 bytes long; file systems allow at most 255 bytes per name: shorten it"
    ) in report
    assert "Traceback" not in report
    built = {path.name for path in (root / "output").rglob("*") if path.is_file()}
    assert "02 Other.html" in built and not any(LONG[:10] in name for name in built)


CASES = {
    "a 300-byte section name": (
        SPEC.replace("en: One", f"en: {LONG}"),
        {},
        "course.yaml:3: the section name (en) makes an output folder named",
    ),
    "a 300-byte course name": (
        SPEC.replace("en: Course", f"en: {LONG}"),
        {},
        "course.yaml:1: the course name (en) makes an output folder named",
    ),
    "a 300-byte dir-group name": (
        SPEC + f"dir-groups:\n  - {{name: 'Extra/{LONG}', path: div}}\n",
        {"div/x.txt": "x"},
        "course.yaml:6: the dir-group name (de) makes an output folder named",
    ),
    "sections A/B and A_B": (
        TWO_SECTIONS % ("A/B", "A_B"),
        {},
        "course.yaml:5: the sections 'A/B' (line 3) and 'A_B' would share the output folder "
        "'A_B' (en;",
    ),
    "sections 'Woche 1?' and 'Woche 1'": (
        TWO_SECTIONS.replace("de: Eins", 'de: "Woche 1?"').replace("de: Zwei", "de: Woche 1")
        % ("One", "Two"),
        {},
        "course.yaml:5: the sections 'Woche 1?' (line 3) and 'Woche 1' would share the output "
        "folder 'Woche 1' (de;",
    ),
    "a subdir that does not exist": (
        SPEC + "dir-groups:\n  - name: B\n    path: div\n    subdirs:\n      - a\n      - b\n",
        {"div/a/x.txt": "x"},
        "course.yaml:10: the subdir 'b' of the dir-group 'div' does not exist: there is no "
        "folder div/b; fix the name or remove the entry",
    ),
    "two dir-groups writing one file": (
        SPEC + "dir-groups:\n  - {name: B, path: div/a}\n  - {name: 'B?', path: div/b}\n",
        {"div/a/x.txt": "a", "div/b/x.txt": "b"},
        "course.yaml:7: 'output/shared/Course-en/B/x.txt' would be written twice, by the "
        "dir-group 'div/a' (line 6) and by the dir-group 'div/b' (line 7)",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_names_build_nothing_and_exit_2(tmp_path, case):
    spec, files, message = CASES[case]
    root = _course(tmp_path, spec, files)
    result = run_clm(root, "build", "--lang", "en", "-j", "1")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = _errors(result)
    assert len(errors) == 1, result.stderr
    assert message in errors[0]
    assert not (root / "output").exists()
