"""The build state: one SQLite file under .clm/, shared by doit and the workers.

WAL lets one writer work beside many readers, so worker processes can record
what they wrote while the doit process commits each finished task.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from clm.errors import CourseError

STATE_FOLDER = ".clm"
STATE_FILE = "state.sqlite"
STATE_PATH = f"{STATE_FOLDER}/{STATE_FILE}"  # relative to the course root, every build's cwd

SCHEMA = """
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
"""


def state_path(root: Path) -> Path:
    return root / STATE_FOLDER / STATE_FILE


def ensure_state_folder(root: Path) -> Path:
    """Create .clm/ with a .gitignore, so the state never ends up in the course's git."""
    folder = root / STATE_FOLDER
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return folder


class UnreadableStateError(CourseError):
    """The state file exists but SQLite cannot read it (damaged, or not clm's)."""


BUSY_SECONDS = 60.0  # how long a writer waits for another (a commit takes milliseconds)


def open_database(
    path: Path, *, timeout: float = BUSY_SECONDS, existing: bool = False
) -> sqlite3.Connection:
    """A connection with the settings of every clm database: the state and the cache.

    Autocommit (clm opens its transactions itself, ``begin immediate``), WAL so
    that one writer works beside many readers (the workers), and synchronous
    ``normal``, which WAL keeps safe against a crash of the process. With
    ``existing`` a missing file is an error instead of being created.
    """
    target = f"{path.absolute().as_uri()}?mode=rw" if existing else str(path)
    connection = sqlite3.connect(
        target, uri=existing, timeout=timeout, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute("pragma journal_mode=wal")
        connection.execute("pragma synchronous=normal")
        connection.execute(f"pragma busy_timeout={int(timeout * 1000)}")
    except BaseException:
        connection.close()
        raise
    return connection


def connect(path: Path) -> sqlite3.Connection:
    ensure_state_folder(path.parent.parent)
    connection = open_database(path)
    try:
        connection.executescript(SCHEMA)
    except sqlite3.DatabaseError as error:
        connection.close()
        if not is_damage(error):
            raise  # locked, disk full, read-only: not the file's fault
        raise unreadable_state(path, error) from None
    return connection


def is_damage(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file itself is bad (as opposed to locked, full, read-only)."""
    return getattr(error, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def unreadable_state(path: Path, error: BaseException) -> UnreadableStateError:
    """The message for a damaged state file: what it is, what resetting it costs."""
    shown = _shown(path)
    return UnreadableStateError(
        f"the build state cannot be read ({error}). It only records what earlier builds "
        f"did: reset it with `rm {shown}*` and build again (every task runs once more; "
        "executions still come from the cache)",
        shown,
    )


def _shown(path: Path) -> str:
    """A path as the author knows it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
