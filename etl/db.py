"""The DuckDB file: where it is, short-lived connections, the write lock and the schema."""

from __future__ import annotations

import hashlib
import os
import random
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from filelock import FileLock, Timeout

from etl.errors import GridError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "grid.duckdb"
SQL_DIR = Path(__file__).resolve().parent / "rules" / "sql"


def _busy_wait() -> float:
    """How long a connection or a writer waits for our own other writer before saying "busy"
    ($GRID_BUSY_WAIT seconds overrides the default of 20)."""
    raw = os.environ.get("GRID_BUSY_WAIT", "").strip()
    try:
        return max(0.0, float(raw)) if raw else 20.0
    except ValueError:
        return 20.0


BUSY_WAIT_SECONDS = _busy_wait()
# How long the DuckDB file may stay locked while none of our writers runs before we say that
# another program (a DuckDB shell, a script) holds it.
FOREIGN_LOCK_SECONDS = 3.0

# DuckDB runs each query on every core by default. A county's database (3-7 MB) holds a
# handful of row groups per table, and then the parallel window and hash operators only add
# work: the month's ranking took 48 ms of CPU on two threads and 33 ms on one, in the same
# 33-34 ms of wall time. Sessions of the dashboard run in parallel anyway. A province's
# database keeps every core (bench_views's, 10,000 grids and 5 million problems, is 63 MB).
# A SET, not a connect config: DuckDB refuses a second connection to one file with another
# config, and a file can grow past the mark while another thread has it open.
SMALL_DB_BYTES = 32 * 2**20


def _set_threads(con: duckdb.DuckDBPyConnection, p: Path) -> None:
    """One thread for a database below SMALL_DB_BYTES, every core above."""
    try:
        small = p.stat().st_size < SMALL_DB_BYTES
    except OSError:
        small = True  # a new database
    con.execute("SET threads = 1" if small else "RESET threads")


BUSY_MESSAGE = "数据库正忙：另一个导入、重建或修改正在进行，请稍后重试"
LOCKED_MESSAGE = "数据库文件正被其他程序占用（例如 DuckDB 命令行），请关闭后重试"


class DatabaseBusy(GridError):
    """Another of our writers holds the database; try again shortly. str() is for users."""

    text = BUSY_MESSAGE

    def __init__(self, path: str = "", detail: str = "") -> None:
        super().__init__(self.text + (f"（{detail}）" if detail else ""))
        self.path = path
        self.detail = detail


class DatabaseLocked(DatabaseBusy):
    """Another program (not this tool's writers) keeps the DuckDB file locked."""

    text = LOCKED_MESSAGE


class DatabaseMissing(GridError):
    """The database file does not exist yet."""

    def __init__(self, path: str) -> None:
        super().__init__(f"数据库文件不存在：{path}")
        self.path = path


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
    return today_override() or datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() or "Conflicting lock" in text


def _lock_holder(exc: Exception) -> tuple[str, int | None]:
    """('占用程序：duckdb，进程号 1234', 1234) from DuckDB's "Conflicting lock is held in
    /usr/bin/duckdb (PID 1234)"; ('', None) when the message does not say."""
    m = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
    if not m:
        return "", None
    program = re.split(r"[\\/]", m.group(1))[-1]
    return f"占用程序：{program}，进程号 {m.group(2)}", int(m.group(2))


# Every process of this tool marks, while it has the database open, a lock file named with its
# process id beside the database. DuckDB names the process holding its lock; when that process
# holds no such mark, another program holds the file.
_marks_guard = threading.Lock()
_marks: dict[str, tuple[int, FileLock]] = {}


def _mark_file(p: Path, pid: int) -> Path:
    return p.with_name(f"{p.name}.pid-{pid}.lock")


@contextmanager
def _marked(p: Path) -> Iterator[None]:
    name = str(_mark_file(p, os.getpid()))
    with _marks_guard:
        count, lock = _marks.get(name, (0, None))
        if lock is None:
            lock = FileLock(name, thread_local=False)
            lock.acquire()
        _marks[name] = (count + 1, lock)
    try:
        yield
    finally:
        with _marks_guard:
            count, lock = _marks[name]
            if count > 1:
                _marks[name] = (count - 1, lock)
            else:
                del _marks[name]
                lock.release()
                try:
                    Path(name).unlink(missing_ok=True)
                except OSError:
                    pass


def _ours(p: Path, pid: int) -> bool:
    """True when process `pid` is one of this tool's, with the database open."""
    if pid == os.getpid():
        return True
    mark = _mark_file(p, pid)
    return mark.exists() and _held_elsewhere(str(mark))


# When this process last found the file held by another program: later connections of the
# same moment (a page asks several times) then give up at once instead of waiting again.
_foreign_seen: dict[str, float] = {}


def _open(p: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retried while the file is locked.

    While one of our processes holds the file (a writer, or a reader such as a page or the
    command line making a bulletin) we wait up to BUSY_WAIT_SECONDS and then say "busy". While
    another program holds it for FOREIGN_LOCK_SECONDS, we say that program holds it
    (DatabaseLocked) instead of blaming an import.
    """
    start = time.monotonic()
    foreign_since: float | None = None
    delay = 0.02
    key = str(p)
    while True:
        try:
            con = duckdb.connect(str(p), read_only=read_only)
            _set_threads(con, p)
            return con
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            now = time.monotonic()
            holder, pid = _lock_holder(exc)
            if writer_active(p) or (pid is not None and _ours(p, pid)):
                foreign_since = None
                if now - start > BUSY_WAIT_SECONDS:
                    raise DatabaseBusy(key) from exc
            else:
                foreign_since = foreign_since if foreign_since is not None else now
                recently = now - _foreign_seen.get(key, -1e9) < 2 * FOREIGN_LOCK_SECONDS
                if recently or now - foreign_since > FOREIGN_LOCK_SECONDS:
                    _foreign_seen[key] = now
                    raise DatabaseLocked(key, holder) from exc
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 0.4)


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
    with _marked(p):
        con = _open(p)
        _foreign_seen.pop(str(p), None)
        try:
            _ensure_current_schema(con)
            pinned = today_override()
            if pinned is not None:
                con.execute("SET VARIABLE grid_today = ?::DATE", [pinned.isoformat()])
            yield con
        finally:
            con.close()


@contextmanager
def read_only(path: str | os.PathLike[str] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for `python -m etl sql` (a separate process: DuckDB refuses a
    read-only and a read-write connection to one file inside one process). Writes fail."""
    p = db_path(path)
    if not p.exists():
        raise DatabaseMissing(str(p))
    with _marked(p):
        con = _open(p, read_only=True)
        try:
            pinned = today_override()
            if pinned is not None:
                con.execute("SET VARIABLE grid_today = ?::DATE", [pinned.isoformat()])
            yield con
        finally:
            con.close()


def _lock_file(p: Path) -> str:
    return str(p) + ".lock"


# Writer locks this thread holds (so that a nested write_lock does not wait for itself).
_held = threading.local()


def _held_here() -> dict[str, int]:
    if not hasattr(_held, "paths"):
        _held.paths = {}
    return _held.paths  # type: ignore[no-any-return]


def writer_active(path: str | os.PathLike[str] | None = None) -> bool:
    """True while some process's writer (load, revert, rebuild, settings, notices, passwd,
    sample) holds the writer lock of this database, this thread excepted."""
    p = db_path(path)
    if _held_here().get(_lock_file(p)):
        return False
    return _held_elsewhere(_lock_file(p))


def _held_elsewhere(lock_file: str) -> bool:
    """True when another process (or connection) holds the file lock `lock_file` right now."""
    probe = FileLock(lock_file)
    try:
        probe.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:
        return False
    probe.release()
    return False


@contextmanager
def write_lock(path: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """One writer at a time, across processes (pages and command line), with a lock file.

    Every command that writes takes it. A second writer waits its turn for up to
    BUSY_WAIT_SECONDS, then gets DatabaseBusy. Re-entrant within one thread.
    """
    p = db_path(path)
    name = _lock_file(p)
    held = _held_here()
    if held.get(name):
        held[name] += 1
        try:
            yield
        finally:
            held[name] -= 1
        return
    p.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(name)
    try:
        lock.acquire(timeout=BUSY_WAIT_SECONDS)
    except Timeout as exc:
        raise DatabaseBusy(str(p)) from exc
    held[name] = 1
    try:
        yield
    finally:
        held.pop(name, None)
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
