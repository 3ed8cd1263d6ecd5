from __future__ import annotations

import pytest

from clm.errors import CourseError
from clm.spec import Text, load_spec

FULL_SPEC = """
    name: {de: Mein Kurs, en: My Course}
    prog-lang: python
    languages: [de, en]
    output: build/out
    cell-timeout: 120
    code-along-code: true
    diagram-formats: [png, svg]
    sections:
      - name: {de: Woche 1, en: Week 1}
        topics:
          - intro
          - {id: setup, html: false}
          - {id: errors, allow-errors: true, cell-timeout: 5}
          - {id: skipped, skip-errors: true}
      - name: Extras
        topics: [intro]
    dir-groups:
      - {name: Bonus, path: div}
      - {name: {de: Lösungen, en: Solutions}, path: div, subdirs: [a, b]}
"""


def test_reads_every_setting(make_course):
    spec_file = make_course(FULL_SPEC, {"div/a/x.txt": "x", "div/b/y.txt": "y"})
    spec = load_spec(spec_file)
    assert spec.name == Text.of({"de": "Mein Kurs", "en": "My Course"})
    assert spec.languages == ("de", "en")
    assert spec.output == "build/out"
    assert spec.cell_timeout == 120
    assert spec.code_along_code is True
    assert spec.diagram_formats == ("png", "svg")
    first, extras = spec.sections
    assert [t.id for t in first.topics] == ["intro", "setup", "errors", "skipped"]
    assert first.topics[1].html is False
    assert first.topics[2].allow_errors is True and first.topics[2].cell_timeout == 5
    assert first.topics[2].skip_errors is None
    assert (first.topics[3].skip_errors, first.topics[3].allow_errors) == (True, None)
    assert extras.name.get("de") == extras.name.get("en") == "Extras"
    assert spec.dir_groups[1].subdirs == ("a", "b")
    assert spec.dir_groups[1].name.get("de") == "Lösungen"
    assert spec.key == "course.yaml"


def test_defaults(make_course):
    spec = load_spec(make_course("name: K\nsections: []\n", {}))
    assert spec.languages == ("de", "en")
    assert spec.output == "output"
    assert spec.cell_timeout == 600
    assert spec.code_along_code is False


@pytest.mark.parametrize(
    ("spec_text", "line", "message"),
    [
        ("name: K\nsectons: []\n", 2, "unknown key 'sectons' in the course spec"),
        (
            "name: K\nsections:\n  - name: A\n    topic: [x]\n",
            4,
            "unknown key 'topic' in a section",
        ),
        ("name: K\nsections:\n  - topics: [x]\n", 3, "a section needs a 'name'"),
        ("name: K\nsections: []\ncell-timeout: -3\n", 3, "positive number of seconds"),
        ("name: K\nsections: []\ncode-along-code: maybe\n", 3, "true or false"),
        ("name: {de: K}\nsections: []\n", 1, "has no text for en"),
        ("name: K\nsections: [\n", 3, "not valid YAML"),
        ("name: K\nsections: []\noutput: ../elsewhere\n", 3, "leaves the course root"),
        ("name: K\nsections: []\noutput: /tmp/out\n", 3, "leaves the course root"),
        ("name: K\nsections: []\noutput: slides/out\n", 3, "lies inside slides/"),
        ("name: K\nsections: []\noutput: templates\n", 3, "lies inside templates/"),
        ("sections: []\n", 1, "has no 'name'"),
        # PyYAML's own errors (a constructor for an unknown tag, a value its tag cannot
        # read, a control character) were raw tracebacks without the spec's name.
        ("name: !custom foo\nsections: []\n", 1, "unknown YAML tag '!custom'"),
        ("name: !custom {de: K, en: C}\nsections: []\n", 1, "unknown YAML tag '!custom'"),
        ("name: K\nsections: !list []\n", 2, "unknown YAML tag '!list'"),
        ("name: K\n!key sections: []\n", 2, "unknown YAML tag '!key'"),
        (
            "name: !!python/name:os.system ''\nsections: []\n",
            1,
            "unknown YAML tag '!!python/name:os.system'",
        ),
        ("name: K\nsections: []\ncell-timeout: !!int soon\n", 3, "'soon' is not a valid !!int"),
        ("name: K\nsections: []\nauthor: !!timestamp x\n", 3, "'x' is not a valid !!timestamp"),
        ("name: K\nsections: []\nallow-errors: !!bool maybe\n", 3, "'maybe' is not a valid !!bool"),
        ("name: K\nsections: []\nauthor: \x00\n", 3, "control characters are not allowed"),
        ("name: &a K\nsections: []\nauthor: &a x\n", 3, "found duplicate anchor"),
        ("name: K\nsections: []\nauthor: *nowhere\n", 3, "found undefined alias"),
        ("name: 'K\nsections: []\n", 3, "while scanning a quoted scalar (line 1)"),
        ("name: K\nsections: []\n? [a]\n: 1\n", 3, "expected a plain word as a key"),
        ("name: K\nsections: []\nmax-path-length: 0\n", 3, "a whole number of characters"),
        ("name: K\nsections: []\nmax-path-length: long\n", 3, "a whole number of characters"),
        ("name: K\nsections: []\nlong-paths: off\n", 3, "expected one of warn, error, ignore"),
    ],
)
def test_errors_name_file_line_and_expectation(make_course, spec_text, line, message):
    spec_file = make_course(spec_text, {})
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert caught.value.path == spec_file
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{spec_file}:{line}: ")


def test_unknown_key_suggests_the_closest(make_course):
    with pytest.raises(CourseError, match="did you mean 'sections'"):
        load_spec(make_course("name: K\nsectons: []\n", {}))


def test_output_inside_a_dir_group_is_an_error(make_course):
    spec_file = make_course(
        "name: K\nsections: []\noutput: div/out\ndir-groups:\n  - {name: B, path: div}\n",
        {"div/x.txt": "x"},
    )
    with pytest.raises(CourseError, match="inside the dir-group path 'div'") as caught:
        load_spec(spec_file)
    assert caught.value.line == 3


def test_dir_group_leaving_the_root(make_course):
    spec_file = make_course("name: K\nsections: []\ndir-groups:\n  - {name: B, path: ../x}\n", {})
    with pytest.raises(CourseError, match="leaves the course root") as caught:
        load_spec(spec_file)
    assert caught.value.line == 4


def test_course_root_needs_slides(tmp_path):
    spec_file = tmp_path / "course.yaml"
    spec_file.write_text("name: K\nsections: []\n")
    with pytest.raises(CourseError, match="no slides/ folder"):
        load_spec(spec_file)


def test_course_specs_folder_means_the_parent_is_the_root(make_course):
    spec_file = make_course("name: K\nsections: []\n", {}, name="course-specs/k.yaml")
    spec = load_spec(spec_file)
    assert spec.root == spec_file.parent.parent
    assert spec.key == "course-specs/k.yaml"


def test_a_spec_that_is_not_utf8_names_its_line_and_the_fix(tmp_path):
    (tmp_path / "slides").mkdir()
    spec = tmp_path / "course.yaml"
    spec.write_bytes("name: {de: Kurs, en: Course}\nsections: []\n# Grüße\n".encode("latin-1"))
    with pytest.raises(CourseError) as raised:
        load_spec(spec)
    assert str(raised.value).startswith(f"{spec}:3: the spec is not UTF-8: byte 0xfc in column 5")
    assert "save it as UTF-8" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ('""', "the course name (de) is empty"),
        ("'   '", "the course name (de) is empty"),
        ("{de: '', en: Course}", "the course name (de) is empty"),
        ("'///'", "the course name (de) '///' leaves only '___' as a folder name"),
        ("'?!'", "the course name (de) '?!' leaves only '_' as a folder name"),
    ],
)
def test_a_course_name_that_makes_no_folder_name_is_an_error(make_course, name, problem):
    """An empty course name became an output folder named '_'."""
    spec_file = make_course(f"sections: []\nname: {name}\n", {})
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert str(caught.value).startswith(f"{spec_file}:2: {problem}")
    assert "give it a name with letters or digits" in str(caught.value)


def test_a_section_name_that_makes_no_folder_name_is_an_error(make_course):
    spec_file = make_course("name: K\nsections:\n  - {name: '', topics: []}\n", {})
    with pytest.raises(CourseError, match=r"course.yaml:3: the section name \(de\) is empty"):
        load_spec(spec_file)


def test_dir_group_folders_differing_only_in_case_are_an_error(make_course):
    """`Bonus/Extra` and `bonus` were two folders on Linux and one on Windows and macOS."""
    spec_file = make_course(
        "name: K\nsections: []\ndir-groups:\n"
        "  - {name: Bonus/Extra, path: a}\n  - {name: Code, path: b}\n  - {name: bonus, path: b}\n",
        {"a/x.txt": "x", "b/y.txt": "y"},
    )
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert str(caught.value).startswith(
        f"{spec_file}:6: the dir-group folders 'Bonus' (line 4) and 'bonus' (in the de course "
        "folder) differ only in case"
    )


def test_dir_groups_sharing_a_folder_spelt_alike_are_fine(make_course):
    spec_file = make_course(
        "name: K\nsections: []\ndir-groups:\n"
        "  - {name: Code, path: a, recursive: false}\n  - {name: Code/Solutions, path: b}\n",
        {"a/x.txt": "x", "b/y.txt": "y"},
    )
    assert len(load_spec(spec_file).dir_groups) == 2


def test_output_targets_differing_only_in_case_are_an_error(make_course):
    spec_file = make_course(
        "name: K\nsections: []\noutput-targets:\n"
        "  - {name: a, path: out/Students}\n  - {name: b, path: out/students}\n",
        {},
    )
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert str(caught.value).startswith(
        f"{spec_file}:5: the output target folders 'out/Students' (line 4) and 'out/students'"
    )


def test_an_output_folder_that_is_a_file_is_an_error(make_course):
    spec_file = make_course("name: K\nsections: []\noutput: out\n", {"out": "not a folder"})
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert str(caught.value) == (
        f"{spec_file}:3: the output folder 'out' is a file; clm needs a folder there: move the "
        "file or choose another folder"
    )


def test_skip_errors_is_a_course_default_as_allow_errors(make_course):
    spec = load_spec(make_course("name: K\nskip-errors: true\nsections: []\n", {}))
    assert (spec.skip_errors, spec.allow_errors) == (True, False)
    with pytest.raises(
        CourseError, match=r"course\.yaml:3: expected 'skip-errors' as true or false"
    ):
        load_spec(make_course("name: K\nsections: []\nskip-errors: maybe\n", {}))


@pytest.mark.parametrize(
    ("setting", "read"),
    [
        ("", "local"),
        ("mathjax: local\n", "local"),
        ("mathjax: cdn\n", "cdn"),
        (
            "mathjax: https://maths.example.org/mathjax/tex-svg.js\n",
            "https://maths.example.org/mathjax/tex-svg.js",
        ),
    ],
)
def test_mathjax_is_local_unless_the_spec_names_a_cdn(make_course, setting, read):
    spec = load_spec(make_course(f"name: K\nsections: []\n{setting}", {}))
    assert spec.mathjax == read


@pytest.mark.parametrize(
    "value", ["offline", "cdnjs", "../mathjax/tex-svg.js", "https://", "ftp://x/y.js"]
)
def test_an_unknown_mathjax_setting_names_its_line_and_the_choices(make_course, value):
    spec_file = make_course(f"name: K\nsections: []\nmathjax: '{value}'\n", {})
    with pytest.raises(CourseError) as caught:
        load_spec(spec_file)
    assert str(caught.value).startswith(f"{spec_file}:3: unknown mathjax setting '{value}'")
    assert "local" in str(caught.value) and "cdn" in str(caught.value)
