"""What a build starts ends with it: processes a cell starts, and kernels' scratch folders."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import run_clm
from tests.e2e.stopping import Build, sleepy_course
from tests.e2e.test_watch import Watcher, _alive

pytestmark = [
    pytest.mark.slow,
    pytest.mark.linux_only(reason="reads /proc/PID/cwd; SIGKILL to process groups"),
]

SCRATCH_PREFIX = "clm-kernel-"  # what tempfile.mkdtemp names a kernel's scratch folder
SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [starter]
"""


def test_a_process_a_cell_starts_in_a_session_of_its_own_ends_with_the_kernel(tmp_path):
    root = tmp_path / "course"
    pid_file = tmp_path / "started.pid"
    code = (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],\n"
        "                     start_new_session=True, stdin=subprocess.DEVNULL,\n"
        "                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))"
    )
    write_files(
        root,
        {
            "course.yaml": SPEC,
            "slides/module_100_a/topic_100_starter.py": deck_text("Start", "Start", code),
        },
    )
    result = run_clm(root, "build", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    started = int(pid_file.read_text())
    try:
        deadline = time.monotonic() + 120  # only a hang: the process sleeps 600 s otherwise
        while _alive(started) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(started), "the process the cell started outlived the build"
    finally:
        if _alive(started):
            os.kill(started, signal.SIGKILL)


def _scratch_folders(pids) -> set[Path]:
    """The scratch folders that processes among ``pids`` work in (a kernel's cwd is inside)."""
    found = set()
    for pid in pids:
        try:
            cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            continue
        if cwd.parent.name.startswith(SCRATCH_PREFIX):
            found.add(cwd.parent)
    return found


@pytest.mark.parametrize("next_build", ["clm build", "doit auto"])
def test_the_next_build_sweeps_the_scratch_folders_a_killed_build_left(
    tmp_path, monkeypatch, next_build
):
    # A temporary folder of the test's own: any clm build on the machine sweeps the
    # folders of dead builds in the shared one, and other work may run builds meanwhile.
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    root = tmp_path / "course"
    started = sleepy_course(root)
    build = Build(root, "doit")
    try:
        build.wait_for(started)
        scratch = _scratch_folders(build.below)
        assert scratch, "no kernel works in a scratch folder"
        os.killpg(build.process.pid, signal.SIGKILL)  # no clean-up at all
        build.process.wait()
        # Kernels run in sessions of their own; they notice their worker is gone.
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in build.below) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        build.kill()
    assert all(folder.exists() for folder in scratch)
    started.touch()  # from now on the sleepy cell only makes its file
    deck = root / "slides/module_100_a/topic_100_sleepy/slides_sleepy.py"
    deck.write_text(deck.read_text().replace("time.sleep(30)", "time.sleep(0)"))
    if next_build == "clm build":
        result = run_clm(root, "build")
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        Watcher(root).stop()  # it has brought the course up to date when it watches
    assert [folder for folder in scratch if folder.exists()] == []
