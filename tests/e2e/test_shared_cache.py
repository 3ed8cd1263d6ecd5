"""Builds sharing one cache: a folder (file://), and a real S3 API (moto's server on 127.0.0.1).

Main-branch CI pushes to ci-main with the course's private key; a fresh
clone that trusts ci-main reads it and runs no deck code. What a pull request
pushes, and what anybody edits in the store, never becomes a result there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import YAML_SPEC, copy_sources
from tests.e2e.helpers import output_files, run_clm, work_counts
from tests.e2e.stopping import Build, sleepy_course
from tests.remote.servers import blackhole, free_port, wait_for_port, web_server

pytest.importorskip("cryptography")
pytestmark = pytest.mark.slow

SMALL_SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [first, second]
"""


def small_course(root: Path) -> Path:
    from tests.conftest import deck_text, write_files

    write_files(
        root,
        {
            "course.yaml": SMALL_SPEC,
            "slides/module_100_a/topic_100_first.py": deck_text("Eins", "One", "print(6 * 7)"),
            "slides/module_100_a/topic_110_second.py": deck_text("Zwei", "Two", "print(2 + 3)"),
        },
    )
    return root


def keys_for(root: Path, keys: Path) -> None:
    """Give a checkout the course's key pair: the public key committed, the private one
    (CI's secret) where CLM_CACHE_KEY says."""
    shutil.copy(keys / "clm-cache.pub", root / "clm-cache.pub")


@pytest.fixture
def keys(tmp_path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    result = run_clm(folder, "cache", "keygen")
    assert result.returncode == 0, result.stderr
    return folder


def main_ci(store: str, keys: Path, **more: str) -> dict[str, str]:
    return {
        "CLM_CACHE_REMOTE": store,
        "CLM_CACHE_PUSH": "ci-main",
        "CLM_CACHE_KEY": str(keys / "clm-cache.key"),
        **more,
    }


def test_a_fresh_clone_trusting_the_store_runs_no_code_and_builds_the_same(built, keys, tmp_path):
    store = (tmp_path / "store").as_uri()
    ci = copy_sources(tmp_path / "ci")
    keys_for(ci, keys)
    pushed = run_clm(ci, "build", YAML_SPEC, env=main_ci(store, keys))
    assert pushed.returncode == 0, pushed.stdout[-3000:] + pushed.stderr[-3000:]
    assert "results pushed to ci-main, manifest" in pushed.stderr

    clone = copy_sources(tmp_path / "clone")
    keys_for(clone, keys)
    result = run_clm(clone, "build", YAML_SPEC, env={"CLM_CACHE_REMOTE": store})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    counts = work_counts(result)
    assert counts["kernels"] == 0 and counts["rendered"] == 0
    assert counts["shared"] == 13  # 11 executions and 2 diagrams' renders
    assert output_files(clone / "output") == output_files(built / "output")

    status = run_clm(clone, "status")
    assert "13 results from the shared cache in the last run" in status.stdout


def test_what_a_pull_request_pushes_never_reaches_a_build_that_trusts_ci_main(keys, tmp_path):
    store = (tmp_path / "store").as_uri()
    pull_request = small_course(tmp_path / "pr")
    keys_for(pull_request, keys)
    env = {**main_ci(store, keys), "CLM_CACHE_PUSH": "pr-5"}
    assert run_clm(pull_request, "build", env=env).returncode == 0

    main = small_course(tmp_path / "main")
    keys_for(main, keys)
    result = run_clm(main, "build", env={"CLM_CACHE_REMOTE": store})
    assert result.returncode == 0, result.stdout + result.stderr
    assert work_counts(result)["kernels"] == 2 and work_counts(result)["shared"] == 0

    # Trusting the pull request's namespace too is a choice a build can make.
    trusting = small_course(tmp_path / "trusting")
    keys_for(trusting, keys)
    both = {"CLM_CACHE_REMOTE": store, "CLM_CACHE_TRUST": "ci-main,pr-5"}
    result = run_clm(trusting, "build", env=both)
    assert work_counts(result)["kernels"] == 0 and work_counts(result)["shared"] == 2


def test_a_store_folder_exported_by_ci_is_a_store(keys, tmp_path):
    ci = small_course(tmp_path / "ci")
    keys_for(ci, keys)
    assert run_clm(ci, "build").returncode == 0
    env = {"CLM_CACHE_KEY": str(keys / "clm-cache.key")}
    exported = run_clm(
        ci, "cache", "export", f"{tmp_path / 'artifact'}/", "--namespace", "ci-main", env=env
    )
    assert exported.returncode == 0, exported.stderr
    assert "exported 2 results" in exported.stdout

    clone = small_course(tmp_path / "clone")
    keys_for(clone, keys)
    store = {"CLM_CACHE_REMOTE": (tmp_path / "artifact").as_uri()}
    result = run_clm(clone, "build", env=store)
    assert work_counts(result)["kernels"] == 0 and work_counts(result)["shared"] == 2
    checked = run_clm(clone, "cache", "verify", env=store)
    assert checked.returncode == 0 and "2 entries of ci-main verify" in checked.stdout


def test_a_bad_entry_is_a_miss_with_one_warning_and_verify_names_it(keys, tmp_path):
    store_folder = tmp_path / "store"
    ci = small_course(tmp_path / "ci")
    keys_for(ci, keys)
    assert run_clm(ci, "build", env=main_ci(store_folder.as_uri(), keys)).returncode == 0
    # Every blob replaced by other bytes: each entry now names a digest its blob lacks.
    for blob in (store_folder / "cas").rglob("*"):
        if blob.is_file():
            blob.write_bytes(b"[[[], null]]")

    clone = small_course(tmp_path / "clone")
    keys_for(clone, keys)
    env = {"CLM_CACHE_REMOTE": store_folder.as_uri()}
    result = run_clm(clone, "build", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert work_counts(result)["kernels"] == 2 and work_counts(result)["shared"] == 0
    assert (result.stdout + result.stderr).count("its blob does not match its digest") == 1
    assert (
        "42"
        in next((clone / "output/shared/Course-en").rglob("*Completed*/**/01 One.html")).read_text()
    )
    checked = run_clm(clone, "cache", "verify", env=env)
    assert checked.returncode == 1
    assert "0 entries of ci-main verify; 2 do not (its blob does not match its digest: 2)" in (
        checked.stdout
    )


# -- a real S3 API ----------------------------------------------------------------------


class S3Server:
    """moto's S3 server on 127.0.0.1, in a process of its own, with one bucket."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.log = log.open("w")
        moto = str(Path(sys.executable).parent / "moto_server")
        self.process = subprocess.Popen(
            [moto, "-H", "127.0.0.1", "-p", str(self.port)], stdout=self.log, stderr=self.log
        )
        self.env = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.port}",
            # moto answers slowly on a busy machine: a deadline for a real outage only
            "CLM_CACHE_TIMEOUT": "60",
        }
        wait_for_port(self.port, self.process)
        import boto3

        boto3.client("s3", region_name="us-east-1", endpoint_url=self.env["AWS_ENDPOINT_URL"],
                     aws_access_key_id="testing", aws_secret_access_key="testing",
                     ).create_bucket(Bucket="courses")  # fmt: skip

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def s3(tmp_path):
    pytest.importorskip("s3fs")
    server = S3Server(tmp_path / "moto.log")
    yield server
    server.stop()


def test_on_s3_a_fresh_clone_runs_no_code_and_builds_the_same(s3, keys, tmp_path):
    store = "s3://courses/clm-cache"
    ci = small_course(tmp_path / "ci")
    keys_for(ci, keys)
    pushed = run_clm(ci, "build", env={**s3.env, **main_ci(store, keys)})
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "clm: warning" not in pushed.stdout + pushed.stderr

    clone = small_course(tmp_path / "clone")
    keys_for(clone, keys)
    result = run_clm(clone, "build", env={**s3.env, "CLM_CACHE_REMOTE": store})
    assert result.returncode == 0, result.stdout + result.stderr
    counts = work_counts(result)
    assert counts["kernels"] == 0 and counts["shared"] == 2
    assert output_files(clone / "output") == output_files(ci / "output")


def test_an_s3_outage_mid_build_costs_only_local_executions(s3, keys, tmp_path):
    root = tmp_path / "course"
    started = sleepy_course(root, steady="print('steady')")
    keys_for(root, keys)
    deck = root / "slides/module_100_a/topic_100_sleepy/slides_sleepy.py"
    deck.write_text(deck.read_text().replace("time.sleep(30)", "time.sleep(3)"))
    env = {**s3.env, "CLM_CACHE_REMOTE": "s3://courses/clm-cache"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        build = Build(root, "clm build", ("-j", "1"))
        try:
            build.wait_for(started)
            s3.stop()  # while the first deck runs: the others' lookups find no store
            code, output, _ = build.end(timeout=180)
        finally:
            build.kill()
    assert code == 0, output
    assert "goes on without it" in output
    assert work_counts_text(output)["kernels"] == 3
    assert "Traceback" not in output


def work_counts_text(output: str) -> dict[str, int]:
    return work_counts(subprocess.CompletedProcess([], 0, output, ""))


def test_a_read_only_https_store_serves_a_fresh_clone(keys, tmp_path):
    """A store folder published by a plain web server (here Python's, on 127.0.0.1)."""
    ci = small_course(tmp_path / "ci")
    keys_for(ci, keys)
    assert run_clm(ci, "build").returncode == 0
    folder = tmp_path / "published"
    env = {"CLM_CACHE_KEY": str(keys / "clm-cache.key")}
    assert (
        run_clm(ci, "cache", "export", f"{folder}/", "--namespace", "ci-main", env=env).returncode
        == 0
    )
    with web_server(folder) as url:
        clone = small_course(tmp_path / "clone")
        keys_for(clone, keys)
        result = run_clm(clone, "build", env={"CLM_CACHE_REMOTE": url})
    assert result.returncode == 0, result.stdout + result.stderr
    assert work_counts(result)["kernels"] == 0 and work_counts(result)["shared"] == 2
    assert "clm: warning" not in result.stdout + result.stderr


def test_the_cache_commands_push_pull_promote_and_gc(keys, tmp_path):
    store = (tmp_path / "store").as_uri()
    ci = small_course(tmp_path / "ci")
    keys_for(ci, keys)
    assert run_clm(ci, "build").returncode == 0  # no store yet: the results are local only
    pushed = run_clm(ci, "cache", "push", env={**main_ci(store, keys), "CLM_CACHE_PUSH": "pr-9"})
    assert pushed.returncode == 0, pushed.stderr
    assert "2 results pushed to pr-9" in pushed.stdout

    author = small_course(tmp_path / "author")
    keys_for(author, keys)
    reading = {"CLM_CACHE_REMOTE": store}
    pulled = run_clm(author, "cache", "pull", env=reading)
    assert pulled.returncode == 0 and "pulled 0 results from ci-main" in pulled.stdout
    promoted = run_clm(
        author, "cache", "promote", "pr-9", "--to", "ci-main",
        env={**reading, "CLM_CACHE_KEY": str(keys / "clm-cache.key")},
    )  # fmt: skip
    assert promoted.returncode == 0, promoted.stderr
    assert "promoted 2 entries of pr-9's newest manifest to ci-main" in promoted.stdout
    pulled = run_clm(author, "cache", "pull", env=reading)
    assert "pulled 2 results from ci-main" in pulled.stdout
    result = run_clm(author, "build", env=reading)
    assert work_counts(result)["kernels"] == 0

    collected = run_clm(author, "cache", "gc", "--keep", "1", env=reading)
    assert collected.returncode == 0, collected.stderr
    assert "kept 4 entries" in collected.stdout  # 2 in pr-9, 2 in ci-main
    missing = run_clm(author, "cache", "gc", "--keep", "1")
    assert missing.returncode == 2 and "the course has no shared cache" in missing.stderr


def test_plain_doit_reads_ahead_when_it_builds_and_not_when_it_lists(keys, tmp_path):
    from tests.e2e.helpers import run_doit

    store = (tmp_path / "store").as_uri()
    ci = small_course(tmp_path / "ci")
    keys_for(ci, keys)
    assert run_clm(ci, "build", env=main_ci(store, keys)).returncode == 0

    clone = small_course(tmp_path / "clone")
    keys_for(clone, keys)
    (clone / "dodo.py").write_text(
        'from clm.dodo import course_tasks\nDOIT_CONFIG, task_course = course_tasks("course.yaml")\n'
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLM_CACHE_REMOTE", store)
        listed = run_doit(clone, "list")
        assert listed.returncode == 0, listed.stderr
        cache = clone / ".clm/cache.sqlite"
        assert not cache.exists() or _executions(cache) == 0
        built = run_doit(clone)
    assert built.returncode == 0, built.stdout + built.stderr
    assert work_counts(built)["kernels"] == 0 and work_counts(built)["shared"] == 2


def _executions(cache: Path) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(cache)) as db:
        return db.execute("select count(*) from executions").fetchone()[0]


# -- a store that is untrusted input --------------------------------------------------


@pytest.mark.parametrize("protocol", ["http", "s3"])
def test_a_store_that_never_answers_costs_one_deadline_and_one_warning(keys, tmp_path, protocol):
    clone = small_course(tmp_path / "clone")
    keys_for(clone, keys)
    with blackhole() as port:
        if protocol == "http":
            env = {"CLM_CACHE_REMOTE": f"http://127.0.0.1:{port}"}
        else:
            env = {
                "CLM_CACHE_REMOTE": "s3://courses/clm-cache",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            }
        # A generous limit only catches a hang: the old client waited minutes.
        result = run_clm(clone, "build", "-j", "2", env={**env, "CLM_CACHE_TIMEOUT": "3"},
                         timeout=240)  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.count("did not answer within 3 s") == 1, output
    assert "(set CLM_CACHE_TIMEOUT to wait longer)" in output and "Traceback" not in output
    assert work_counts(result)["shared"] == 0 and work_counts(result)["written"] > 0


def test_a_fifo_in_the_store_is_one_warning_in_a_build_and_named_by_verify(keys, tmp_path):
    store_folder = tmp_path / "store"
    ci = small_course(tmp_path / "ci")
    keys_for(ci, keys)
    assert run_clm(ci, "build", env=main_ci(store_folder.as_uri(), keys)).returncode == 0
    blob = next(path for path in (store_folder / "cas").rglob("*") if path.is_file())
    blob.unlink()
    os.mkfifo(blob)

    clone = small_course(tmp_path / "clone")
    keys_for(clone, keys)
    env = {"CLM_CACHE_REMOTE": store_folder.as_uri()}
    result = run_clm(clone, "build", env=env, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.count(f"{blob}: it is a FIFO") == 1, output
    assert work_counts(result)["shared"] == 1
    checked = run_clm(clone, "cache", "verify", env=env, timeout=300)
    assert checked.returncode == 1
    assert "1 do not (its blob is unreadable, it is a FIFO: 1)" in checked.stdout


def test_the_cache_commands_name_the_deadline_a_silent_store_missed(keys, tmp_path):
    course = small_course(tmp_path / "course")
    keys_for(course, keys)
    with blackhole() as port:
        env = {"CLM_CACHE_REMOTE": f"http://127.0.0.1:{port}", "CLM_CACHE_TIMEOUT": "2"}
        results = {
            command: run_clm(course, "cache", command, env=env, timeout=240)
            for command in ("verify", "pull")
        }
    for command, result in results.items():
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert f"http://127.0.0.1:{port} did not answer within 2 s" in result.stderr, command
        assert "Traceback" not in result.stderr


def test_on_s3_a_blob_is_read_no_further_than_its_entry_says(s3, keys, tmp_path, monkeypatch):
    from clm.remote.layered import RemoteCache
    from clm.remote.settings import RemoteSettings
    from clm.remote.store import Entry
    from tests.remote.test_shared_store import Memory

    for name, value in s3.env.items():
        monkeypatch.setenv(name, value)
    url = "s3://courses/untrusted"

    def remote(push: str | None = None) -> RemoteCache:
        key = keys / "clm-cache.key"
        return RemoteCache.open(
            RemoteSettings(url, ("ci-main",), push, key, keys / "clm-cache.pub", 60.0)
        )

    writer = remote("ci-main")
    assert writer.push("executions", "k1", b"[1]") and writer.push("executions", "k2", b"[2]")
    store = writer.store
    entry = store.fs.cat_file(store.entry_path("ci-main", "executions", "k1"))
    blob = Entry.from_json(entry).blob
    store.fs.pipe_file(store.blob_path(blob), b"[1]" + b" " * (8 << 20))
    store.fs.pipe_file(f"{store.manifest_folder('ci-main')}/LATEST", b"")  # empty: no range

    reader = remote()
    assert reader.prefetch(Memory()) == 0
    assert reader.fetch([("executions", "k1"), ("executions", "k2")]) == {
        ("executions", "k2"): b"[2]"
    }
    warnings = reader.take_warnings()
    assert reader.off is None, warnings
    assert any("LATEST names no manifest" in w for w in warnings), warnings
    assert any("it is longer than 3 bytes" in w for w in warnings), warnings
