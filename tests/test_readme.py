"""What the README shows is true: each YAML example is read by clm as the README says
(a course spec, a fragment of one, or the pre-commit hook), and every clm command the
README's examples run is one clm's command line takes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from clm.cli.main import _parser
from clm.spec import load_spec

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
YAML_FENCE = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)
# The least a spec needs around a fragment that shows one key (output-targets, say).
SPEC_FRAME = {"name": {"de": "Kurs", "en": "Course"}, "sections": []}


def yaml_examples() -> list[tuple[int, str]]:
    """Each ```yaml block of the README with the line its text starts on."""
    text = README.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, block.start(1)) + 1, block.group(1))
        for block in YAML_FENCE.finditer(text)
    ]


def spec_examples() -> list[tuple[int, str]]:
    return [
        (line, text) for line, text in yaml_examples() if isinstance(yaml.safe_load(text), dict)
    ]


def test_the_readme_has_yaml_examples_and_each_is_a_spec_or_the_pre_commit_hook():
    """Guards the extraction: a fence written another way would leave examples unchecked."""
    examples = yaml_examples()
    assert len(spec_examples()) >= 2
    for line, text in examples:
        example = yaml.safe_load(text)
        assert isinstance(example, dict) or example[0]["hooks"], f"README.md:{line}"


def make_folders_the_spec_names(root: Path, spec: dict) -> None:
    """A reader's course has the folders the example names: they are not the example's
    to prove."""
    (root / "slides").mkdir(parents=True)
    if "templates" in spec:
        (root / spec["templates"]).mkdir()
    for group in spec.get("dir-groups", []):
        path = root / group["path"]
        path.mkdir(parents=True, exist_ok=True)
        for subdir in group.get("subdirs", []):
            (path / subdir).mkdir(parents=True, exist_ok=True)
    for outside in spec.get("allow-outside", []):
        (root / outside).mkdir(parents=True, exist_ok=True)


@pytest.mark.parametrize(
    ("line", "text"), spec_examples(), ids=[f"README.md:{line}" for line, _ in spec_examples()]
)
def test_a_spec_example_of_the_readme_is_read_by_clm(line, text, tmp_path):
    example = yaml.safe_load(text)
    fragment = "sections" not in example
    spec_text = yaml.safe_dump(SPEC_FRAME) + text if fragment else text
    root = tmp_path / "course"
    make_folders_the_spec_names(root, example)
    spec_file = root / "course.yaml"
    spec_file.write_text(spec_text, encoding="utf-8")

    spec = load_spec(spec_file)  # a CourseError here names the README's mistake

    assert spec.name.get("en") == (example.get("name") or SPEC_FRAME["name"])["en"]


def readme_clm_commands() -> list[str]:
    """The clm command lines of the README's pre-commit hook."""
    return [
        hook["entry"]
        for line, text in yaml_examples()
        if isinstance(example := yaml.safe_load(text), list)
        for repo in example
        for hook in repo["hooks"]
    ]


def ci_example_clm_commands() -> list[str]:
    """Every clm command line run by examples/ci/build-course.yml."""
    workflow = yaml.safe_load((REPO / "examples" / "ci" / "build-course.yml").read_text())
    lines = [
        line.strip()
        for job in workflow["jobs"].values()
        for step in job["steps"]
        for line in step.get("run", "").splitlines()
    ]
    return [re.sub(r"^(\w+=\S+\s+)+", "", line) for line in lines if re.search(r"\bclm ", line)]


def clm_command_cases():
    for command in readme_clm_commands() + ci_example_clm_commands():
        yield pytest.param(command, id=command)


@pytest.mark.parametrize("command", list(clm_command_cases()))
def test_a_clm_command_the_examples_run_is_one_clm_takes(command):
    words = shlex.split(command)
    assert words[0] == "clm"
    _parser().parse_args(words[1:])  # argparse exits (SystemExit 2) on what it does not take
