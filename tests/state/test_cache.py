"""The results cache file: executions and renders, export, import and pruning."""

from __future__ import annotations

import sqlite3

from clm.state import cache

PICTURES = [("flow.png", b"\x89PNG\n\x00binary\n"), ("flow.svg", b"<svg/>"), ("empty.png", b"")]


def test_renders_come_back_byte_for_byte(tmp_path):
    path = tmp_path / "cache.sqlite"
    assert cache.get_render("k", path) is None
    cache.put_render("k", PICTURES, path)
    assert cache.get_render("k", path) == PICTURES
    stats = cache.stats(path)
    assert (stats.entries, stats.executions, stats.renders) == (1, 0, 1)


def test_export_and_import_carry_both_kinds(tmp_path):
    source, target = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    cache.put("e", [[[], 1]], source)
    cache.put_render("r", PICTURES, source)
    exported = tmp_path / "exported.sqlite"
    cache.export_cache(exported, source)
    assert cache.import_cache(exported, target) == 2
    assert cache.get_render("r", target) == PICTURES
    assert cache.import_cache(exported, target) == 0  # nothing new the second time


def test_a_cache_exported_before_renders_were_cached_imports(tmp_path):
    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as conn:
        conn.execute(
            "create table executions (key text primary key, outputs text not null, "
            "size integer not null, created real not null, last_used real not null)"
        )
        conn.execute("insert into executions values ('e', '[]', 2, 0, 0)")
    assert cache.import_cache(old, tmp_path / "new.sqlite") == 1


def test_prune_drops_the_least_recently_used_of_either_kind(tmp_path):
    path = tmp_path / "cache.sqlite"
    cache.put_render("old", [("a.png", b"x" * 1000)], path)
    cache.put("newer", [[[], 1]], path)
    cache.put_render("newest", [("b.png", b"y" * 1000)], path)
    cache.get_render("newest", path)
    removed = cache.prune(1100, path)
    assert removed == 1
    assert cache.get_render("old", path) is None
    assert cache.get_render("newest", path) is not None and cache.get("newer", path) is not None
