"""The DuckDB file: where it is, short-lived connections, the write lock and the schema."""

from __future__ import annotations

import hashlib
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "grid.duckdb"
SQL_DIR = Path(__file__).resolve().parent / "sql"

# How long a connection or a load waits for another process before saying "busy".
BUSY_WAIT_SECONDS = 20.0


class DatabaseBusy(Exception):
    """Another process holds the database; try again shortly."""


class DatabaseMissing(Exception):
    """The database file does not exist yet."""


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: an explicit path, else $GRID_DB, else data/grid.duckdb."""
    if path:
        return Path(path)
    env = os.environ.get("GRID_DB")
    return Path(env) if env else DEFAULT_DB


def archive_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Folder beside the database file that keeps every loaded file's original bytes."""
    return db_path(path).parent / "archive"


def today_override() -> date | None:
    """GRID_TODAY=YYYY-MM-DD pins "today" for tests and demonstrations."""
    raw = os.environ.get("GRID_TODAY", "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def today() -> date:
    """Today in Asia/Shanghai (DOMAIN §6); GRID_TODAY pins it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return today_override() or datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() or "Conflicting lock" in text


@contextmanager
def connect(
    path: str | os.PathLike[str] | None = None, *, create: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-write connection, retried while another process holds the file.

    Every connection in this project is read-write: DuckDB refuses, inside one process, to
    open the same file once read-only and once read-write, and the dashboard both reads and
    loads. Connections are closed straight after use so that the command line can write.
    """
    p = db_path(path)
    if not create and not p.exists():
        raise DatabaseMissing(str(p))
    p.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + BUSY_WAIT_SECONDS
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(p))
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusy(str(p)) from exc
                raise
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 0.5)
    try:
        _ensure_current_schema(con)
        pinned = today_override()
        if pinned is not None:
            con.execute("SET VARIABLE grid_today = ?::DATE", [pinned.isoformat()])
        yield con
    finally:
        con.close()


@contextmanager
def write_lock(path: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Serialise writers across processes (page and command line) with a lock file."""
    p = db_path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(p) + ".lock")
    try:
        lock.acquire(timeout=BUSY_WAIT_SECONDS)
    except Timeout as exc:
        raise DatabaseBusy(str(p)) from exc
    try:
        yield
    finally:
        lock.release()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, rolled back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def sql_file(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create tables and (re)create every view; idempotent."""
    con.execute(sql_file("schema.sql"))
    views = SQL_DIR / "views.sql"
    if views.exists():
        con.execute(views.read_text(encoding="utf-8"))


@cache
def schema_hash() -> str:
    """Fingerprint of schema.sql and views.sql: a database built by older code gets new views."""
    h = hashlib.sha256()
    for name in ("schema.sql", "views.sql"):
        f = SQL_DIR / name
        if f.exists():
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _ensure_current_schema(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create tables and views when the database was built by other code (an upgrade).

    Opening a connection is exclusive across processes, so no other process can be doing the
    same; a concurrent thread of this process may, and then its work is as good as ours.
    """
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchall()
    except duckdb.CatalogException:
        row = []
    if row and row[0][0] == schema_hash():
        return
    try:
        with transaction(con):
            ensure_schema(con)
            con.execute(
                "INSERT INTO meta VALUES ('schema', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [schema_hash()],
            )
    except duckdb.TransactionException:
        pass  # another thread of this process did it at the same moment


def data_version(path: str | os.PathLike[str] | None = None) -> str:
    """A cheap token that changes whenever the database file changes (no connection needed)."""
    p = db_path(path)
    parts = []
    for f in (p, Path(str(p) + ".wal")):
        try:
            st = f.stat()
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except FileNotFoundError:
            parts.append("-")
    return "|".join(parts)
