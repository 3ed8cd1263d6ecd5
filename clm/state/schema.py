"""The tables of clm's two SQLite files, in one place.

The state holds what builds did (doit's records, file hashes, outputs, the
history, kept checks, the leak guard's findings); the results cache holds what
code printed (or how a cell of it raised) and diagrams rendered, and travels on its own (``clm cache
export``), so it is a file of its own.
"""

STATE_SCHEMA = """
create table if not exists doit_tasks (task_id text primary key, data text not null);
create table if not exists file_hashes (
    path text primary key, size integer not null, mtime_ns integer not null, md5 text not null
);
create table if not exists outputs (path text primary key, spec text not null);
create table if not exists temp_files (path text primary key, pid integer not null);
create table if not exists checked_decks (key text primary key, warnings text not null);
create table if not exists meta (key text primary key, value text not null);
create table if not exists runs (
    id integer primary key autoincrement,
    pid integer not null,
    command text not null,
    spec text,
    started real not null,
    ended real,
    result text,
    executed integer not null default 0,
    failed integer not null default 0,
    uptodate integer not null default 0,
    not_rebuilt integer not null default 0,
    counters text
);
create table if not exists jobs (
    id integer primary key autoincrement,
    run integer not null,
    task text not null,
    status text not null,
    started real,
    ended real,
    from_cache integer,
    error text
);
create index if not exists jobs_by_run on jobs (run, status);
create index if not exists jobs_by_task on jobs (task);
create table if not exists workers (
    pid integer primary key,
    run integer,
    task text,
    started real not null,
    heartbeat real not null
);
create table if not exists run_counters (
    run text not null, name text not null, value integer not null, primary key (run, name)
);
create table if not exists cluster_failures (key text primary key, failure text not null);
create table if not exists leak_decks (
    deck text primary key, key text not null,
    protected text not null, public blob not null, code_along blob not null
);
create table if not exists leak_forbidden (key text primary key, data text not null);
create table if not exists leak_checked (
    guard text not null, path text not null, size integer not null, mtime_ns integer not null,
    primary key (guard, path)
);
"""

CACHE_SCHEMA = """
create table if not exists executions (
    key text primary key,
    outputs text not null,
    size integer not null,
    created real not null,
    last_used real not null
);
create table if not exists renders (
    key text primary key,
    files blob not null,
    size integer not null,
    created real not null,
    last_used real not null
);
create table if not exists failures (
    key text primary key,
    failure text not null,
    size integer not null,
    created real not null,
    last_used real not null
);
"""
