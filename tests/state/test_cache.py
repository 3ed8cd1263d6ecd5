"""The results cache file: executions, renders and kept failures, export, import and pruning."""

from __future__ import annotations

import sqlite3

import pytest

from clm.errors import CourseError
from clm.state import cache
from clm.state.results import (
    EXECUTIONS,
    FAILURES,
    RENDERS,
    KeptFailure,
    cached_failure,
    cached_files,
    cached_outputs,
    encode_failure,
    encode_outputs,
    pack_files,
)


def put(key: str, outputs: list, path) -> None:
    cache.SqliteResultsCache(path).put(EXECUTIONS, key, encode_outputs(outputs))


def get(key: str, path) -> list | None:
    return cached_outputs(cache.SqliteResultsCache(path), key)


def put_render(key: str, files: list, path) -> None:
    cache.SqliteResultsCache(path).put(RENDERS, key, pack_files(files))


def get_render(key: str, path) -> list | None:
    return cached_files(cache.SqliteResultsCache(path), key)


PICTURES = [("flow.png", b"\x89PNG\n\x00binary\n"), ("flow.svg", b"<svg/>"), ("empty.png", b"")]


def test_renders_come_back_byte_for_byte(tmp_path):
    path = tmp_path / "cache.sqlite"
    assert get_render("k", path) is None
    put_render("k", PICTURES, path)
    assert get_render("k", path) == PICTURES
    stats = cache.stats(path)
    assert (stats.entries, stats.executions, stats.renders) == (1, 0, 1)


def test_export_and_import_carry_both_kinds(tmp_path):
    source, target = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    put("e", [[[], 1]], source)
    put_render("r", PICTURES, source)
    exported = tmp_path / "exported.sqlite"
    cache.export_cache(exported, source)
    assert cache.import_cache(exported, target) == 2
    assert get_render("r", target) == PICTURES
    assert cache.import_cache(exported, target) == 0  # nothing new the second time


def executions_only(path) -> None:
    """A cache file as clm wrote it before renders (and failures) were kept: one entry."""
    with sqlite3.connect(path) as conn:
        conn.execute(
            "create table executions (key text primary key, outputs text not null, "
            "size integer not null, created real not null, last_used real not null)"
        )
        conn.execute("insert into executions values ('e', '[]', 2, 0, 0)")


def test_a_cache_exported_before_renders_were_cached_imports(tmp_path):
    old = tmp_path / "old.sqlite"
    executions_only(old)
    assert cache.import_cache(old, tmp_path / "new.sqlite") == 1


def test_prune_drops_the_least_recently_used_of_either_kind(tmp_path):
    path = tmp_path / "cache.sqlite"
    put_render("old", [("a.png", b"x" * 1000)], path)
    put("newer", [[[], 1]], path)
    put_render("newest", [("b.png", b"y" * 1000)], path)
    get_render("newest", path)
    removed = cache.prune(1100, path)
    assert removed == 1
    assert get_render("old", path) is None
    assert get_render("newest", path) is not None and get("newer", path) is not None


def test_a_damaged_cache_is_put_aside_and_replaced(tmp_path, caplog):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is no SQLite file" * 10)
    assert cache.stats(path).entries == 0
    assert (tmp_path / "cache.sqlite.damaged").read_bytes().startswith(b"this is no")
    # Found by whatever opened it first: told through logging, not printed by the state.
    (warning,) = [record.getMessage() for record in caplog.records]
    assert warning.startswith(f"warning: {path}: the results cache could not be read")
    assert "moved to" in warning and "cache.sqlite.damaged" in warning
    put("e", [[[], 1]], path)
    assert get("e", path) == [[[], 1]]


def test_the_check_before_a_build_returns_the_warning(tmp_path, capsys):
    path = tmp_path / "cache.sqlite"
    assert cache.check_usable(path) is None
    cache.db.unregister(path).close()
    path.write_bytes(b"this is no SQLite file" * 10)
    warning = cache.check_usable(path)
    assert warning.startswith(f"warning: {path}: the results cache could not be read")
    assert "cache.sqlite.damaged" in warning
    assert capsys.readouterr() == ("", "")  # the entry point says it, through its reporter
    assert cache.check_usable(path) is None
    put("e", [[[], 1]], path)
    assert get("e", path) == [[[], 1]]


def test_damage_found_past_opening_is_put_aside_too(tmp_path, capsys):
    path = tmp_path / "cache.sqlite"
    put("e", [[[], 1]], path)
    assert cache.replace_if_damaged(path) is None
    cache.connection(path).execute("pragma wal_checkpoint(truncate)")
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the header survives, the pages do not
    path.write_bytes(bytes(data))
    assert "could not be read" in cache.replace_if_damaged(path)
    assert capsys.readouterr() == ("", "")
    assert cache.stats(path).entries == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello\n", "not a clm cache export (file is not a database)"),
        ("create table executions (a, b)", "its table 'executions' has the columns a, b"),
        ("create table notes (a, b)", "it has no table of executions, renders or failures"),
    ],
)
def test_importing_a_file_that_is_no_cache_changes_nothing(tmp_path, content, message):
    target = tmp_path / "cache.sqlite"
    put("e", [[[], 1]], target)
    source = tmp_path / "other.db"
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        with sqlite3.connect(source) as conn:
            conn.execute(content)
    with pytest.raises(CourseError) as raised:
        cache.import_cache(source, target)
    assert str(raised.value).startswith(f"{source}: ")
    assert message in str(raised.value)
    assert "clm cache export FILE" in str(raised.value)
    assert cache.stats(target).entries == 1


def test_entries_that_cannot_be_read_are_dropped(tmp_path):
    path = tmp_path / "cache.sqlite"
    put("execution", [[[], 1]], path)
    put_render("render", PICTURES, path)
    conn = cache.connection(path)
    conn.execute("update executions set outputs = '[[[], 1'")
    conn.execute("update renders set files = x'00ff'")
    assert get("execution", path) is None
    assert get_render("render", path) is None
    assert cache.stats(path).entries == 0


FAILURE = KeptFailure(3, "ZeroDivisionError: division by zero", 2, "2026-12-08T09:15:02Z")


def put_failure(key: str, path, failure: KeptFailure = FAILURE) -> None:
    cache.SqliteResultsCache(path).put(FAILURES, key, encode_failure(failure))


def test_a_kept_failure_comes_back_and_counts_in_the_stats(tmp_path):
    path = tmp_path / "cache.sqlite"
    put_failure("k", path)
    assert cached_failure(cache.SqliteResultsCache(path), "k") == FAILURE
    assert FAILURE.ran_on == "2026-12-08 09:15 UTC"
    stats = cache.stats(path)
    assert (stats.entries, stats.executions, stats.failures) == (1, 0, 1)
    assert cache.peek(path, FAILURES, "k") == encode_failure(FAILURE)
    cache.connection(path).execute("update failures set failure = '{\"error\": 1}'")
    assert cached_failure(cache.SqliteResultsCache(path), "k") is None  # damaged: dropped
    assert cache.stats(path).failures == 0


def test_a_cache_made_before_failures_were_kept_opens_and_keeps_them(tmp_path):
    old = tmp_path / "cache.sqlite"
    executions_only(old)
    put_failure("f", old)
    assert get("e", old) == [] and cache.stats(old).failures == 1


def test_export_import_and_prune_carry_kept_failures(tmp_path):
    source, target = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    put_failure("failed", source)
    put_failure("mended", source)
    exported = tmp_path / "exported.sqlite"
    cache.export_cache(exported, source)
    put("mended", [[[], 1]], target)  # a later run of the same code succeeded here
    assert cache.import_cache(exported, target) == 1
    stored = cache.SqliteResultsCache(target)
    assert stored.contains(FAILURES, "failed") and not stored.contains(FAILURES, "mended")

    assert cache.prune(0, target) == 2
    assert cache.stats(target).entries == 0
