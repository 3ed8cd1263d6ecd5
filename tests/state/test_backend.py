from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from doit.dependency import Dependency, JSONCodec
from doit.task import Task

from clm.state.backend import SqliteStateDB, sweep_temp_files
from clm.state.checker import virtual_dependency
from clm.state.doit_state import DoitState
from clm.state.workspace import Workspace


def _manager(tmp_path, state: DoitState | None = None):
    """doit's dependency manager of a run, as DOIT_CONFIG makes it (see DoitState)."""
    state = state or DoitState(Workspace.at(tmp_path))
    return Dependency(
        SqliteStateDB,
        str(tmp_path / ".clm" / "state.sqlite"),
        checker_cls=state.checker,
        codec_cls=state.codec,
    )


def _rows(tmp_path):
    with sqlite3.connect(tmp_path / ".clm" / "state.sqlite") as conn:
        return dict(conn.execute("select task_id, data from doit_tasks"))


def _task(name, deps):
    return Task(name, [(print, ("x",))], file_dep=deps)


def test_each_success_is_committed_at_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("a")
    manager = _manager(tmp_path)
    manager.save_success(_task("one", ["a.txt"]))
    # Another connection sees it before the run ends (a SIGKILL now keeps it).
    assert "one" in _rows(tmp_path)
    assert (tmp_path / ".clm" / ".gitignore").read_text() == "*\n"
    manager.close()


def test_up_to_date_by_content_across_touch_and_relocation(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("a")
    manager = _manager(tmp_path)
    task = _task("one", ["a.txt"])
    assert manager.get_status(task, {}).status == "run"
    manager.save_success(task)
    manager.close()

    os.utime(tmp_path / "a.txt", (1, 1))  # touched: new mtime, same bytes
    manager = _manager(tmp_path)
    assert manager.get_status(_task("one", ["a.txt"]), {}).status == "up-to-date"
    manager.close()
    with sqlite3.connect(tmp_path / ".clm" / "state.sqlite") as conn:
        ((mtime,),) = conn.execute("select mtime_ns from file_hashes where path = 'a.txt'")
    assert mtime == 1_000_000_000  # the new mtime is remembered: no hashing next time

    (tmp_path / "a.txt").write_text("b")
    manager = _manager(tmp_path)
    assert manager.get_status(_task("one", ["a.txt"]), {}).status == "run"
    manager.close()


def test_hashes_each_file_once_per_change(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shared.bin").write_bytes(b"x" * 1000)
    hashed = []
    import clm.state.store as store

    real = store.file_md5
    monkeypatch.setattr(store, "file_md5", lambda path: hashed.append(path) or real(path))
    Workspace.at(tmp_path).state()  # a build makes its state before doit opens it
    manager = _manager(tmp_path)
    tasks = [_task(f"t{i}", ["shared.bin"]) for i in range(50)]
    for task in tasks:
        manager.get_status(task, {})
        manager.save_success(task)
    manager.close()
    assert hashed == ["shared.bin"]


def test_a_course_without_a_state_gets_one_at_the_first_record_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("a")
    manager = _manager(tmp_path)
    assert manager.get_status(_task("one", ["a.txt"]), {}).status == "run"
    assert not (tmp_path / ".clm").exists()  # what `doit list --status` and `doit info` do
    manager.save_success(_task("one", ["a.txt"]))
    manager.close()
    assert set(_rows(tmp_path)) == {"one"}


def test_virtual_dependencies_track_values(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    dep = virtual_dependency("test-engine")
    state = DoitState(Workspace.at(tmp_path), {dep: "v1"})
    manager = _manager(tmp_path, state)
    manager.save_success(_task("one", [dep]))
    assert manager.get_status(_task("one", [dep]), {}).status == "up-to-date"
    state.values[dep] = "v2"  # planning again (the watcher) found another value
    assert manager.get_status(_task("one", [dep]), {}).status == "run"
    manager.close()


def test_each_run_compares_its_own_values(tmp_path):
    # Two plans in one process (the watcher planning again, a test after another):
    # each run's checker answers with the values its own planning found.
    dep = virtual_dependency("engine")
    older = DoitState(Workspace.at(tmp_path), {dep: "v1"}).checker()
    newer = DoitState(Workspace.at(tmp_path), {dep: "v2"}).checker()
    assert (older.get_state(dep, None), newer.get_state(dep, None)) == ("v1", "v2")


def _hashed(root) -> set[str]:
    with sqlite3.connect(root / ".clm" / "state.sqlite") as conn:
        return {path for (path,) in conn.execute("select path from file_hashes")}


def test_each_run_records_its_hashes_in_its_own_state(tmp_path, monkeypatch):
    # Two courses' runs in one process: the hash a run's checker computes goes to the
    # state of that run's course, whichever course's state was opened last.
    first, second = tmp_path / "first", tmp_path / "second"
    for root in (first, second):
        root.mkdir()
        (root / "a.txt").write_text(root.name)
        Workspace.at(root).state()
    monkeypatch.chdir(first)
    one = _manager(first)
    two = _manager(second)
    one.save_success(_task("one", ["a.txt"]))
    one.close()
    two.close()
    assert (_hashed(first), _hashed(second)) == ({"a.txt"}, set())


def test_two_processes_keep_each_others_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("a")
    first = _manager(tmp_path)
    first.save_success(_task("one", ["a.txt"]))
    # A second doit process on the same state, while the first is still running.
    other = (
        "from doit.dependency import Dependency\n"
        "from doit.task import Task\n"
        "from clm.state.backend import SqliteStateDB\n"
        "from clm.state.doit_state import DoitState\n"
        "from clm.state.workspace import Workspace\n"
        "s = DoitState(Workspace.at('.'))\n"
        "m = Dependency(SqliteStateDB, '.clm/state.sqlite', checker_cls=s.checker, "
        "codec_cls=s.codec)\n"
        "m.save_success(Task('two', [(print, ('x',))], file_dep=['a.txt']))\n"
        "m.close()\n"
    )
    subprocess.run([sys.executable, "-c", other], check=True, cwd=tmp_path)
    first.save_success(_task("three", ["a.txt"]))
    first.close()
    assert set(_rows(tmp_path)) == {"one", "two", "three"}
    assert JSONCodec().decode(_rows(tmp_path)["two"])["deps:"] == ["a.txt"]


def test_sweep_removes_temp_files_of_dead_writers(tmp_path):
    workspace = Workspace.at(tmp_path)
    conn = workspace.state()
    orphan = tmp_path / "orphan.clm-tmp"
    orphan.write_text("half")
    living = tmp_path / "living.clm-tmp"
    living.write_text("in flight")
    conn.execute("insert into temp_files values (?, ?)", (str(orphan), 2**22 + 12345))
    conn.execute("insert into temp_files values (?, ?)", (str(living), os.getppid()))
    assert sweep_temp_files(workspace) == [str(orphan)]
    assert not orphan.exists() and living.exists()


def test_refresh_reads_the_records_again_only_after_another_process_wrote(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("a")
    manager = _manager(tmp_path)
    manager.save_success(_task("one", ["a.txt"]))
    backend = manager.backend
    raw = backend._raw
    backend.refresh()
    assert backend._raw is raw  # only this process wrote: nothing to read
    code = (
        "from tests.state.test_backend import _manager, _task\n"
        "from pathlib import Path\n"
        "manager = _manager(Path('.'))\n"
        "manager.save_success(_task('two', ['a.txt']))\n"
        "manager.close()\n"
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + str(_repo())}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert not backend.in_("two")
    backend.refresh()
    assert backend.in_("two") and backend.in_("one")
    manager.close()


def _repo():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]
