"""The store: batches, loading a file whole or not at all, revert, history and rebuild.

Every load is one batch. Rows are never deleted or updated: the cur_* views decide which rows
count (the newest active batch per kind, area, period and grid). The original bytes of every
file are archived beside the database with an append-only log of events, from which
`rebuild` replays the database.

One writer at a time: every write runs inside `writing()` (the writer lock of etl/db.py, then a
reconcile). The database decides what happened: each write logs its events as pending (with a
transaction id) before the commit, commits that id with the data, then confirms it in the log;
`reconcile` confirms or aborts what a crash left pending, so the log never disagrees with the
database, and `rebuild` replays only confirmed events, each once.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any

import duckdb
import pandas as pd

from etl import db
from etl.load import registry_guard
from etl.load.extract import KIND_LABELS, Context, Extraction, RubricItem, extract_file, vocabulary
from etl.load.issues import FileRejected, Issue
from etl.load.parse import GridEntry

LOG_NAME = "batches.jsonl"
# Kinds whose batch replaces the whole table rather than (area, period, grid) keys.
WHOLE_KINDS = tuple(k.name for k in vocabulary().kinds.values() if k.period == "whole")
# The storage tables a batch may write: each kind's declared table (columns.toml), plus the
# item scores that a monthly score sheet carries besides its totals.
TABLES = tuple(dict.fromkeys([*(k.table for k in vocabulary().kinds.values()), "monthly_item_score"]))


class NoSuchBatch(Exception):
    """No batch has that id."""


class RebuildFailed(Exception):
    """Rebuild stopped; the database was left as it was. str() is a Chinese message."""


@dataclass
class LoadResult:
    """What happened to one file."""

    file_name: str
    status: str  # 'loaded' | 'skipped'
    batch_id: int | None
    kinds: list[str]
    row_count: int
    periods: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # warnings
    duplicate_of: int | None = None

    def summary(self) -> str:
        kinds = "、".join(KIND_LABELS.get(k, k) for k in self.kinds)
        if self.status == "skipped":
            return f"{self.file_name}：与已导入的批次 #{self.duplicate_of} 完全相同，已跳过"
        periods = periods_text(self.periods)
        return f"{self.file_name}：已导入为批次 #{self.batch_id}（{kinds}，{periods}，{self.row_count} 行）"


def periods_text(periods: list[str]) -> str:
    if not periods:
        return "无期间"
    if len(periods) <= 3:
        return "、".join(periods)
    return f"{periods[0]} 至 {periods[-1]} 共 {len(periods)} 期"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- Opening ------------------------------------------------------------------------------


def init_db(path: str | os.PathLike[str] | None = None) -> Path:
    """Create the database file and schema if needed (idempotent); returns its path."""
    p = db.db_path(path)
    with writing(p, create=True):
        pass  # connect() creates tables and views
    return p


@contextmanager
def writing(
    path: str | os.PathLike[str] | None = None, *, create: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one way to write: the writer lock, a connection, and the log reconciled first."""
    p = db.db_path(path)
    with db.write_lock(p), db.connect(p, create=create) as con:
        reconcile(con, p)
        yield con


def _fault(point: str) -> None:
    """Test hook for the crash tests: GRID_FAULT=<point> kills the process right there (as a
    power cut would), GRID_PAUSE=<point>:<seconds> holds it there for a moment (at most 10 s)."""
    if os.environ.get("GRID_FAULT") == point:
        import signal

        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)
    pause = os.environ.get("GRID_PAUSE", "")
    if pause.startswith(point + ":"):
        try:
            time.sleep(min(10.0, float(pause.split(":", 1)[1])))
        except ValueError:
            pass


@contextmanager
def logged(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    events: list[dict[str, Any]],
    *,
    txn: str | None = None,
    log: bool = True,
) -> Iterator[None]:
    """One transaction whose events are written to the archive log, crash-safe at any instant.

    The body does the database work. Then the transaction id goes into write_txn, the events
    are appended to the log as pending (carrying the id), the transaction commits, and a
    'commit' line confirms them. A crash before the commit leaves a pending entry that
    `reconcile` marks aborted (its id is not in the database); a crash after it leaves one that
    it confirms. Replaying (log=False) keeps the logged id, so the rebuilt database agrees with
    the log as the old one did.
    """
    txn = txn or uuid.uuid4().hex
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("INSERT INTO write_txn VALUES (?)", [txn])
        _bump_version(con)
        if log:
            append_log(path, [{**e, "txn": txn} for e in events])
            _fault("after_pending")
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # the failed COMMIT already ended the transaction
        raise
    if log:
        _fault("after_commit")
        try:
            append_log(path, [{"event": "commit", "txn": txn}])
        except OSError:
            pass  # the data is committed; the next writer's reconcile confirms it
        _fault("after_confirm")


def current_context(con: duckdb.DuckDBPyConnection) -> Context:
    """The registry and rubric in force, as extraction needs them."""
    grids = [
        GridEntry(a, c, n, lead)
        for a, c, n, lead in con.execute(
            "SELECT area, grid_code, grid_name, leader_name FROM cur_grid_registry ORDER BY sort_order"
        ).fetchall()
    ]
    rubric = [
        RubricItem(c, cat, content or "", float(mx))
        for c, cat, content, mx in con.execute(
            "SELECT item_code, category, content, max_points FROM cur_rubric ORDER BY sort_order"
        ).fetchall()
    ]
    return Context(grids=grids, rubric=rubric)


# ---- Checking and loading -------------------------------------------------------------------


@dataclass
class Options:
    """What the user said about a file (DATA_CONTRACT §4: --kind, --month, --year), and
    --allow-drop: a new registry may leave out grids with history (etl/load/registry_guard.py)."""

    kind: str | None = None
    month: date | None = None
    year: int | None = None
    allow_drop: bool = False

    def as_json(self) -> str:
        raw: dict[str, Any] = {
            "kind": self.kind,
            "month": self.month.isoformat() if self.month else None,
            "year": self.year,
        }
        if self.allow_drop:  # only when given: older log lines stay as they were
            raw["allow_drop"] = True
        return json.dumps(raw)

    @classmethod
    def from_json(cls, text: str | None) -> Options:
        raw = json.loads(text or "{}")
        month = date.fromisoformat(raw["month"]) if raw.get("month") else None
        return cls(
            kind=raw.get("kind"), month=month, year=raw.get("year"), allow_drop=bool(raw.get("allow_drop"))
        )


def check(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, options: Options) -> Extraction:
    """Validate a file against the database's registry and rubric; writes nothing."""
    ctx = current_context(con)
    ctx.kind, ctx.month, ctx.year = options.kind, options.month, options.year
    extraction = extract_file(data, file_name, ctx)
    extraction.issues += registry_guard.dropped_grids(con, extraction, options.allow_drop)
    return extraction


def active_duplicate(con: duckdb.DuckDBPyConnection, digest: str) -> int | None:
    """The active batch loaded from the same bytes (DATA_CONTRACT §2: skipped with a notice).
    A file loaded with the wrong month is corrected by reverting that batch and loading again."""
    row = con.execute(
        "SELECT min(batch_id) FROM batch WHERE sha256 = ? AND status = 'active'", [digest]
    ).fetchall()
    return row[0][0] if row and row[0][0] is not None else None


def batch_periods(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[str]:
    row = con.execute("SELECT periods FROM batch WHERE batch_id = ?", [batch_id]).fetchall()
    return list(row[0][0] or []) if row else []


def load_bytes(
    data: bytes,
    file_name: str,
    *,
    path: str | os.PathLike[str] | None = None,
    options: Options | None = None,
    loaded_by: str = "",
    loaded_at: datetime | None = None,
) -> LoadResult:
    """Validate and load one file atomically. Raises FileRejected (nothing written) on errors."""
    options = options or Options()
    file_name = PurePath(file_name).name
    digest = sha256_of(data)
    p = db.db_path(path)
    if not p.exists():
        # Check before creating anything: a refused file leaves no trace, not even a database.
        ctx = Context(kind=options.kind, month=options.month, year=options.year)
        first = extract_file(data, file_name, ctx)
        if first.errors:
            raise FileRejected(file_name, first.issues)
    with writing(p, create=True) as con:
        dup = active_duplicate(con, digest)
        if dup is not None:
            return LoadResult(file_name, "skipped", None, [], 0, duplicate_of=dup)
        extraction = check(con, data, file_name, options)
        if extraction.errors:
            raise FileRejected(file_name, extraction.issues)
        loaded_at = loaded_at or datetime.now().replace(microsecond=0)
        loaded_by = loaded_by or default_user()
        archive_name = f"{digest[:20]}{PurePath(file_name).suffix.lower() or '.bin'}"
        archive = db.archive_dir(p)
        archive.mkdir(parents=True, exist_ok=True)
        if not (archive / archive_name).exists():
            tmp = archive / (archive_name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(archive / archive_name)
        _fault("after_archive")
        batch_id = _insert_batch(
            con, p, extraction, file_name=file_name, digest=digest, archive_name=archive_name,
            options=options, loaded_by=loaded_by, loaded_at=loaded_at,
        )  # fmt: skip
    return LoadResult(
        file_name, "loaded", batch_id, extraction.kinds, extraction.row_count,
        sorted({x for s in extraction.sheets for x in s.periods}),
        sorted({a for s in extraction.sheets for a in s.areas}),
        [i for i in extraction.issues if i.severity == "warning"],
    )  # fmt: skip


def _insert_batch(
    con: duckdb.DuckDBPyConnection,
    p: Path,
    extraction: Extraction,
    *,
    file_name: str,
    digest: str,
    archive_name: str,
    options: Options,
    loaded_by: str,
    loaded_at: datetime,
    txn: str | None = None,
    log: bool = True,
) -> int:
    """Insert a checked file as the next batch, logged (or, replaying, with the logged id)."""
    areas = sorted({a for s in extraction.sheets for a in s.areas})
    periods = sorted({x for s in extraction.sheets for x in s.periods})
    grids = sorted({g for s in extraction.sheets for g in s.grids})
    # Writers are serialised, so the next id cannot be taken by anyone else meanwhile.
    batch_id = con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batch").fetchall()[0][0]
    event = {
        "event": "load",
        "batch_id": batch_id,
        "file_name": file_name,
        "sha256": digest,
        "archive_name": archive_name,
        "options": options.as_json(),
        "loaded_at": loaded_at.isoformat(),
        "loaded_by": loaded_by,
    }
    with logged(con, p, [event], txn=txn, log=log):
        con.execute(
            "INSERT INTO batch (batch_id, file_name, sha256, kind, area, periods, grids, row_count,"
            " loaded_at, loaded_by, status, options, archive_name)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
            [
                batch_id, file_name, digest, ",".join(extraction.kinds), ",".join(areas), periods, grids,
                extraction.row_count, loaded_at, loaded_by, options.as_json(), archive_name,
            ],
        )  # fmt: skip
        for sheet in extraction.sheets:
            for table, rows in sheet.tables.items():
                _insert(con, table, batch_id, rows)
    return int(batch_id)


def load_path(file: str | os.PathLike[str], **kwargs: Any) -> LoadResult:
    f = Path(file)
    try:
        data = f.read_bytes()
    except FileNotFoundError:
        raise FileRejected(f.name, [Issue("无法读取文件：文件不存在，请检查路径和文件名", "error")]) from None
    except IsADirectoryError:
        raise FileRejected(f.name, [Issue("无法读取文件：这是一个文件夹，不是文件", "error")]) from None
    except OSError:
        raise FileRejected(f.name, [Issue("无法读取文件：没有权限或文件正被其他程序占用", "error")]) from None
    return load_bytes(data, f.name, **kwargs)


def _insert(con: duckdb.DuckDBPyConnection, table: str, batch_id: int, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if table not in TABLES:
        raise ValueError(table)
    frame = pd.DataFrame.from_records(rows)
    frame.insert(0, "batch_id", batch_id)
    con.register("_incoming", frame)
    try:
        # Table names come from TABLES above, never from user input.
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


def _bump_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO meta VALUES ('version', '1') ON CONFLICT (key) DO UPDATE"
        " SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS VARCHAR)"
    )


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some service accounts
        return "未知"


# ---- Revert, history -------------------------------------------------------------------------


def revert(
    batch_id: int,
    *,
    path: str | os.PathLike[str] | None = None,
    by: str = "",
    at: datetime | None = None,
) -> dict[str, Any]:
    """Mark a batch reverted: its rows stop counting, what it superseded counts again."""
    p = db.db_path(path)
    with writing(p) as con:
        return _revert_in(
            con, p, batch_id, by=by or default_user(), at=at or datetime.now().replace(microsecond=0)
        )


def _revert_in(
    con: duckdb.DuckDBPyConnection,
    p: Path,
    batch_id: int,
    *,
    by: str,
    at: datetime,
    txn: str | None = None,
    log: bool = True,
) -> dict[str, Any]:
    rows = con.execute(
        "SELECT batch_id, file_name, status FROM batch WHERE batch_id = ?", [batch_id]
    ).fetchall()
    if not rows:
        raise NoSuchBatch(batch_id)
    _, file_name, status = rows[0]
    if status == "reverted":
        return {"batch_id": batch_id, "file_name": file_name, "already": True}
    event = {"event": "revert", "batch_id": batch_id, "at": at.isoformat(), "by": by}
    with logged(con, p, [event], txn=txn, log=log):
        con.execute(
            "UPDATE batch SET status = 'reverted', reverted_at = ?, reverted_by = ? WHERE batch_id = ?",
            [at, by, batch_id],
        )
    return {"batch_id": batch_id, "file_name": file_name, "already": False}


HISTORY_SQL = """
SELECT batch_id, loaded_at, loaded_by, file_name, kind, area, periods, row_count, status,
       reverted_at, reverted_by, sha256, archive_name
FROM batch ORDER BY batch_id DESC
"""


def history(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    with db.connect(path) as con:
        return con.execute(HISTORY_SQL).df()


def archived_file(archive_name: str, path: str | os.PathLike[str] | None = None) -> Path:
    """The archived original of a batch (for download)."""
    f = db.archive_dir(path) / PurePath(archive_name).name
    if not f.exists():
        raise FileNotFoundError(str(f))
    return f


# ---- The archive log, reconcile and rebuild ----------------------------------------------------

# Names of archived originals: the first 20 hex digits of the SHA-256 and the suffix.
ARCHIVE_NAME = re.compile(r"^[0-9a-f]{20}\.[0-9a-z]{1,8}$")


def append_log(path: Path, events: dict[str, Any] | list[dict[str, Any]]) -> None:
    """Append events to the log as lines, in one write, flushed to disk before returning."""
    lines = [events] if isinstance(events, dict) else events
    archive = db.archive_dir(path)
    archive.mkdir(parents=True, exist_ok=True)
    f = archive / LOG_NAME
    text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lines)
    with open(f, "a+b") as fh:
        # A crash in the middle of a line leaves it without its newline: start on a new line.
        if fh.tell() > 0:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                text = "\n" + text
        fh.write(text.encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


def read_log(path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Every line of the log (events and their commit/abort lines); a line cut short by a
    crash is skipped."""
    f = db.archive_dir(path) / LOG_NAME
    if not f.exists():
        return []
    out = []
    for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and "event" in entry:
            out.append(entry)
    return out


def _outcomes(entries: list[dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
    """txn -> 'commit' | 'abort' as the log says, and the txns still pending, in log order."""
    decided: dict[str, str] = {}
    seen: list[str] = []
    for e in entries:
        txn = e.get("txn")
        if not txn:
            continue
        if e["event"] in ("commit", "abort"):
            decided.setdefault(txn, e["event"])
        elif txn not in seen:
            seen.append(txn)
    return decided, [t for t in seen if t not in decided]


def committed_events(path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """The log's events that are in the database, in order, each once: confirmed ones, and
    those of logs written before transaction ids existed."""
    entries = read_log(path)
    decided, _ = _outcomes(entries)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for e in entries:
        if e["event"] in ("commit", "abort"):
            continue
        txn = e.get("txn")
        if txn:
            if decided.get(txn) != "commit":
                continue
            key = json.dumps(e, sort_keys=True, ensure_ascii=False)
            if key in seen:
                continue  # the same event logged twice
            seen.add(key)
        out.append(e)
    return out


def reconcile(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str] | None = None) -> dict[str, int]:
    """Make the log follow the database after a crash (called under the writer lock).

    A pending entry whose transaction id is in the database is confirmed; one whose id is not
    is marked aborted. Archived files that no confirmed load and no batch refers to (a load
    stopped before its commit) and half-written temporary files are removed.
    """
    p = db.db_path(path)
    entries = read_log(p)
    decided, pending = _outcomes(entries)
    counts = {"confirmed": 0, "aborted": 0, "removed": 0}
    for txn in pending:
        found = con.execute("SELECT count(*) FROM write_txn WHERE txn = ?", [txn]).fetchall()[0][0]
        outcome = "commit" if found else "abort"
        append_log(p, [{"event": outcome, "txn": txn, "by": "reconcile"}])
        decided[txn] = outcome
        counts["confirmed" if found else "aborted"] += 1
    archive = db.archive_dir(p)
    if not archive.is_dir():
        return counts
    keep = {
        e.get("archive_name")
        for e in entries
        if e["event"] == "load" and decided.get(e.get("txn") or "", "commit") == "commit"
    }
    keep |= {r[0] for r in con.execute("SELECT DISTINCT archive_name FROM batch").fetchall()}
    for f in archive.iterdir():
        if f.is_file() and (f.name.endswith(".tmp") or (ARCHIVE_NAME.match(f.name) and f.name not in keep)):
            f.unlink(missing_ok=True)
            counts["removed"] += 1
    return counts


def recover(path: str | os.PathLike[str] | None = None) -> dict[str, int]:
    """Reconcile the log with the database now (the next writer would do it anyway)."""
    p = db.db_path(path)
    if not p.exists():
        return {"confirmed": 0, "aborted": 0, "removed": 0}
    with db.write_lock(p), db.connect(p) as con:
        return reconcile(con, p)


BACKUPS_KEPT = 3


def rebuild(
    path: str | os.PathLike[str] | None = None, target: str | os.PathLike[str] | None = None
) -> dict[str, int]:
    """Replay the archive log into a fresh database (at target, default: replacing path).

    Every confirmed event is replayed once, in its original order with its original time and
    user: loads, reverts, settings changes and notice events (issued, response, closed), so the
    new database answers every view as the old one did. It all happens under the writer lock:
    the new database is built in a file beside the target and swapped in with one rename (the
    old file is kept under backup-rebuild-*/), so no load, revert or second rebuild can slip in
    between and be lost. On any failure the old database stays as it was and the temporary
    file is removed; RebuildFailed says why in Chinese.
    """
    p = db.db_path(path)
    dest = Path(target) if target else p
    in_place = dest.resolve() == p.resolve()
    tmp = dest.with_name(dest.name + ".rebuild")
    with db.write_lock(p):
        held: list[tuple[int, str, str]] = []
        if p.exists():
            with db.connect(p) as con:
                reconcile(con, p)
                held = con.execute(
                    "SELECT batch_id, file_name, sha256 FROM batch ORDER BY batch_id"
                ).fetchall()
        events = committed_events(p)
        logged_files = {e.get("sha256") for e in events if e["event"] == "load"}
        unlogged = [f"#{b}「{name}」" for b, name, sha in held if sha not in logged_files]
        if in_place and unlogged:
            # Replacing the database would lose them: the log is incomplete (deleted or edited).
            shown = "、".join(unlogged[:5]) + (f" 等 {len(unlogged)} 个批次" if len(unlogged) > 5 else "")
            raise RebuildFailed(
                f"存档日志 {db.archive_dir(p) / LOG_NAME} 中没有批次 {shown}的记录，重建会丢失它们，"
                "已停止；数据库未作任何改动"
            )
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            counts = _replay(events, p, tmp)
            _fault("rebuild_replayed")
            if in_place and p.exists():
                _swap_in(tmp, p)
            elif in_place:
                _replace_file(tmp, p)
            else:
                _replace_file(tmp, dest)
                if db.archive_dir(dest) != db.archive_dir(p) and db.archive_dir(p).exists():
                    # A rebuild elsewhere carries the archive along, so it can be rebuilt again.
                    shutil.copytree(db.archive_dir(p), db.archive_dir(dest), dirs_exist_ok=True)
        finally:
            for f in (tmp, Path(str(tmp) + ".wal")):
                f.unlink(missing_ok=True)
    return counts


def _replay(events: list[dict[str, Any]], p: Path, out: Path) -> dict[str, int]:
    """Build a database at `out` from the logged events (the caller holds p's writer lock)."""
    from etl.output import notices
    from etl.rules import settings

    for f in (out, Path(str(out) + ".wal")):
        f.unlink(missing_ok=True)
    archive = db.archive_dir(p)
    counts = {"loads": 0, "reverts": 0, "settings": 0, "notices": 0}
    id_map: dict[int, int] = {}
    # Consecutive notice events of one transaction (an issue of several notices) go together.
    groups: list[list[dict[str, Any]]] = []
    for ev in events:
        if groups and ev["event"] == "notice" and ev.get("txn") and groups[-1][0].get("txn") == ev.get("txn"):
            groups[-1].append(ev)
        else:
            groups.append([ev])
    with db.connect(out, create=True) as con:
        for group in groups:
            ev = group[0]
            txn = ev.get("txn")
            if ev["event"] == "load":
                f = archive / PurePath(ev["archive_name"]).name
                try:
                    data = f.read_bytes()
                except OSError:
                    raise RebuildFailed(
                        f"存档文件缺失：{f}（批次 #{ev['batch_id']}「{ev['file_name']}」），"
                        "无法重建；数据库未作任何改动"
                    ) from None
                options = Options.from_json(ev.get("options"))
                extraction = check(con, data, ev["file_name"], options)
                if extraction.errors:
                    first = "；".join(str(i) for i in extraction.errors[:3])
                    raise RebuildFailed(
                        f"存档文件 {f.name}（批次 #{ev['batch_id']}「{ev['file_name']}」）按现行规则不能再导入："
                        f"{first}；数据库未作任何改动"
                    )
                id_map[ev["batch_id"]] = _insert_batch(
                    con, out, extraction, file_name=ev["file_name"], digest=ev["sha256"],
                    archive_name=ev["archive_name"], options=options, loaded_by=ev.get("loaded_by", ""),
                    loaded_at=datetime.fromisoformat(ev["loaded_at"]), txn=txn, log=False,
                )  # fmt: skip
                counts["loads"] += 1
            elif ev["event"] == "revert" and ev["batch_id"] in id_map:
                _revert_in(con, out, id_map[ev["batch_id"]], by=ev.get("by", ""),
                           at=datetime.fromisoformat(ev["at"]), txn=txn, log=False)  # fmt: skip
                counts["reverts"] += 1
            elif ev["event"] == "setting":
                with logged(con, out, [], txn=txn, log=False):
                    settings.set_setting(con, ev["key"], ev["value"], at=datetime.fromisoformat(ev["at"]))
                counts["settings"] += 1
            elif ev["event"] == "notice":
                with logged(con, out, [], txn=txn, log=False):
                    for one in group:
                        notices.replay_event(con, one)
                counts["notices"] += len(group)
        con.execute("CHECKPOINT")
    return counts


def _replace_file(src: Path, dest: Path) -> None:
    """os.replace, retried for a few seconds (Windows refuses while a reader has dest open)."""
    deadline = time.monotonic() + 5.0
    while True:
        try:
            os.replace(src, dest)
            return
        except PermissionError:
            if time.monotonic() > deadline:
                raise db.DatabaseLocked(str(dest)) from None
            time.sleep(0.2)


def _swap_in(new: Path, p: Path) -> None:
    """Put the rebuilt file in place of p with one rename, keeping the old one as a backup."""
    with db.connect(p) as con:
        con.execute("CHECKPOINT")  # the old file is whole, its .wal empty
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = p.parent / f"backup-rebuild-{stamp}"
    n = 1
    while backup.exists():
        n += 1
        backup = p.parent / f"backup-rebuild-{stamp}-{n}"
    backup.mkdir()
    try:
        os.link(p, backup / p.name)
    except OSError:
        shutil.copy2(p, backup / p.name)
    wal = Path(str(p) + ".wal")
    if wal.exists():
        # Never let the old database's journal be replayed onto the new file.
        os.replace(wal, backup / wal.name)
    _replace_file(new, p)
    old = sorted(b for b in p.parent.glob("backup-rebuild-*") if b.is_dir())
    for b in old[:-BACKUPS_KEPT]:
        shutil.rmtree(b, ignore_errors=True)


def change_setting(key: str, value: str, *, path: str | os.PathLike[str] | None = None) -> None:
    """Change one setting (etl.rules.settings validates it) and log it so that rebuild repeats it."""
    from etl.rules import settings

    p = db.db_path(path)
    with writing(p, create=True) as con:
        at = con.execute("SELECT (now() AT TIME ZONE 'Asia/Shanghai')::TIMESTAMP").fetchall()[0][0]
        with logged(con, p, [{"event": "setting", "key": key, "value": value, "at": at.isoformat()}]):
            settings.set_setting(con, key, value, at=at)
