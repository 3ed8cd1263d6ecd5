"""A build that nothing changed answers from file stamps; every kind of input is still seen.

After each edit the course is built again with the edited file's stamp set to an
older time than the build's (so that only the comparison with the last build's
stamps can find it, never the clock), and the build after that finds nothing
changed. At the end, the outputs are those of a clean build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from clm.execute.runtimes import kernelspec_folder
from tests.conftest import write_files
from tests.e2e.helpers import (
    CHECKOUT,
    _env,
    executed_tasks,
    output_files,
    run_clm,
    work_counts,
)

SPEC = """\
name: {de: Kurs, en: Course}
prog-lang: python
sections:
  - name: {de: Eins, en: One}
    topics:
      - id: uses
        include: [{source: shared/numbers.txt, as: data/numbers.txt}]
      - {id: typed, prog-lang: typescript}
"""
TOPIC = "slides/module_100_a/topic_100_uses"
DECK = f"{TOPIC}/slides_uses.py"
TS_DECK = "slides/module_100_a/topic_200_typed/slides_typed.ts"
USES = """\
# j2 from 'macros.j2' import header
# j2 from 'notes.j2' import remark
# {{ header("Nutzt", "Uses") }}

# %% [markdown] lang="de" tags=["slide"]
# ## Hallo
# {{ remark() }}
#
# ![Bild](img/picture.png)

# %% [markdown] lang="en" tags=["slide"]
# ## Hello
# {{ remark() }}
#
# ![Picture](img/picture.png)

# %%
from tools import double
print(double(sum(map(int, open("data/numbers.txt").read().split()))))
"""
TYPED = """\
// j2 from 'macros.j2' import header
// {{ header("Getippt", "Typed") }}

// %% [markdown] lang="de" tags=["slide"]
// ## Typen

// %% [markdown] lang="en" tags=["slide"]
// ## Types

// %%
const answer: number = 6 * 7;
answer
"""
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
    b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)
FILES = {
    "course.yaml": SPEC,
    "shared/numbers.txt": "1 2 3\n",
    "templates/notes.j2": "{% macro remark() -%}\nEine Bemerkung\n{%- endmacro %}\n",
    DECK: USES,
    f"{TOPIC}/tools.py": "def double(value):\n    return 2 * value\n",
    f"{TOPIC}/data/table.csv": "a,b\n1,2\n",
    f"{TOPIC}/img/picture.png": PNG,
    f"{TOPIC}/pu/flow.puml": "@startuml\nAlice -> Bob: hello\n@enduml\n",
    TS_DECK: TYPED,
}
NOTHING_CHANGED = "nothing changed since the build of"


def _age(path: Path, seconds: float) -> None:
    """Give ``path`` (and everything under it) a stamp ``seconds`` in the past."""
    past = time.time() - seconds
    for each in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(each, (past, past))


class Course:
    def __init__(self, root: Path, env: dict[str, str]):
        self.root = root
        self.env = env

    def build(self, *python_first: str) -> tuple[dict[str, int], str]:
        if python_first:  # run clm with a change made in its process first
            code = "; ".join([*python_first, "from clm.cli.main import main",
                              "sys.exit(main(['build', 'course.yaml']))"])  # fmt: skip
            result = subprocess.run(
                [sys.executable, "-c", f"import sys; {code}"],
                cwd=self.root,
                capture_output=True,
                text=True,
                timeout=600,
                env={**_env(), **self.env},
            )
        else:
            result = run_clm(self.root, "build", "course.yaml", env=self.env)
        said = result.stdout + result.stderr
        assert result.returncode == 0, said
        return {**work_counts(result), "ran": len(executed_tasks(result))}, said

    def edit(self, relative: str, change) -> None:
        """Change a file, then date it back: older than the build, but not as it was."""
        path = self.root / relative
        if isinstance(change, bytes):
            path.write_bytes(change)
        else:
            path.write_text(change(path.read_text()))
        _age(path, 30)

    def rebuilt(self, what: str, *python_first: str) -> dict[str, int]:
        counts, said = self.build(*python_first)
        assert NOTHING_CHANGED not in said, f"{what}: the change was not seen\n{said}"
        again, said = self.build(*python_first)
        assert NOTHING_CHANGED in said, f"{what}: the build after was not a no-op\n{said}"
        assert again["ran"] == again["written"] == again["kernels"] == 0, said
        return counts


def test_every_kind_of_input_is_seen_and_an_unchanged_course_is_answered_by_stamps(tmp_path):
    root = tmp_path / "course"
    write_files(root, FILES)
    kernels = tmp_path / "jupyter" / "kernels" / "deno"
    installed = kernelspec_folder("deno")
    assert installed is not None, "the deno kernel is not installed (scripts/setup.sh does it)"
    shutil.copytree(installed, kernels)
    packages = tmp_path / "packages"
    packages.mkdir()
    env = {
        "JUPYTER_PATH": str(tmp_path / "jupyter"),
        "PYTHONPATH": os.pathsep.join([str(CHECKOUT), str(packages)]),
    }
    course = Course(root, env)
    cold, said = course.build()
    assert cold["kernels"] >= 2 and cold["rendered"] == 1, said
    _age(root, 60)  # every source older than the clock's resolution, and so every stamp
    _age(packages, 60)
    counts, said = course.build()
    assert NOTHING_CHANGED not in said and counts["written"] == 0, said  # new stamps: looked at
    counts, said = course.build()
    assert NOTHING_CHANGED in said and counts == {**work_counts_of_nothing(), "ran": 0}, said

    course.edit(DECK, lambda text: text.replace("## Hallo", "## Hi"))
    deck = course.rebuilt("deck")
    assert deck["written"] > 0 and deck["kernels"] == 0

    course.edit("shared/numbers.txt", lambda text: "4 5 6\n")
    assert course.rebuilt("include")["kernels"] >= 1

    course.edit(f"{TOPIC}/tools.py", lambda text: text.replace("2 *", "3 *"))
    assert course.rebuilt("helper")["kernels"] >= 1

    course.edit(f"{TOPIC}/data/table.csv", lambda text: text + "3,4\n")
    assert course.rebuilt("data")["written"] >= 1

    course.edit(f"{TOPIC}/img/picture.png", PNG + b"\x00")
    assert course.rebuilt("image")["written"] >= 1

    course.edit(f"{TOPIC}/pu/flow.puml", lambda text: text.replace("hello", "hi"))
    assert course.rebuilt("diagram")["rendered"] == 1

    course.edit("templates/notes.j2", lambda text: text.replace("Eine", "Keine"))
    assert course.rebuilt("template")["written"] > 0

    course.edit("course.yaml", lambda text: text.replace("de: Eins", "de: Erstens"))
    assert course.rebuilt("spec")["written"] > 0

    # The TypeScript deck's kernelspec: another file, as an update of the kernel makes it.
    spec = json.loads((kernels / "kernel.json").read_text())
    (kernels / "kernel.json").write_text(json.dumps({**spec, "metadata": {"updated": True}}))
    assert course.rebuilt("kernel")["kernels"] >= 1

    # A package installed into the decks' environment (as pip leaves it).
    write_files(packages, {"extra-1.0.dist-info/METADATA": "Name: extra\nVersion: 1.0\n"})
    assert course.rebuilt("environment")["kernels"] >= 1

    version = "import clm; clm.__version__ = '99.0'"
    assert course.rebuilt("clm's version", version)["ran"] > 0  # the same pages again

    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns(".clm", "output"))
    Course(clean, env).build(version)
    assert output_files(clean / "output") == output_files(root / "output")


def work_counts_of_nothing() -> dict[str, int]:
    names = ("kernels", "spares", "cached", "written", "rendered", "jvms", "browsers")
    return {**dict.fromkeys(names, 0), "renders-cached": 0, "cluster": 0, "shared": 0, "kept": 0}
