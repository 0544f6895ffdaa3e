"""The event log: every write to the database, as lines of an append-only file beside it.

Loads, reverts, settings changes and notice events are appended to `archive/batches.jsonl`,
from which `etl.load.rebuild` replays the database. One writer at a time: every write runs
inside `writing()` (the writer lock of etl/db.py, then a reconcile) and `logged()` (one
transaction). The database decides what happened: each write logs its events as pending (with a
transaction id) before the commit, commits that id with the data (table write_txn) and bumps the
data version, then confirms it in the log; `reconcile` confirms or aborts what a crash left
pending, so the log never disagrees with the database, and a rebuild replays only confirmed
events, each once.

The events that are not batches (settings, notices) are replayed here too, with the SQL they
need, so that a rebuild depends only on the load layer and etl/rules/settings.py.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from etl import db
from etl.rules import settings

LOG_NAME = "batches.jsonl"
# Names of archived originals: the first 20 hex digits of the SHA-256 and the suffix.
ARCHIVE_NAME = re.compile(r"^[0-9a-f]{20}\.[0-9a-z]{1,8}$")


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some service accounts
        return "未知"


def fault(point: str) -> None:
    """Test hook for the crash tests: GRID_FAULT=<point> kills the process right there (as a
    power cut would), GRID_PAUSE=<point>:<seconds> holds it there for a moment (at most 10 s)."""
    if os.environ.get("GRID_FAULT") == point:
        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)
    pause = os.environ.get("GRID_PAUSE", "")
    if pause.startswith(point + ":"):
        try:
            time.sleep(min(10.0, float(pause.split(":", 1)[1])))
        except ValueError:
            pass


# ---- Writing: the writer lock, one logged transaction, the data version ------------------------


@contextmanager
def writing(
    path: str | os.PathLike[str] | None = None, *, create: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one way to write: the writer lock, a connection, and the log reconciled first."""
    p = db.db_path(path)
    with db.write_lock(p), db.connect(p, create=create) as con:
        reconcile(con, p)
        yield con


def bump_version(con: duckdb.DuckDBPyConnection) -> None:
    """Count one more change of the data (meta 'version'), inside the writing transaction."""
    con.execute(
        "INSERT INTO meta VALUES ('version', '1') ON CONFLICT (key) DO UPDATE"
        " SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS VARCHAR)"
    )


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
        bump_version(con)
        if log:
            append_log(path, [{**e, "txn": txn} for e in events])
            fault("after_pending")
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # the failed COMMIT already ended the transaction
        raise
    if log:
        fault("after_commit")
        try:
            append_log(path, [{"event": "commit", "txn": txn}])
        except OSError:
            pass  # the data is committed; the next writer's reconcile confirms it
        fault("after_confirm")


# ---- The log file ------------------------------------------------------------------------------


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


# ---- Reconcile: the log follows the database after a crash -------------------------------------


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


# ---- Events that are not batches: settings and notices -----------------------------------------


def change_setting(key: str, value: str, *, path: str | os.PathLike[str] | None = None) -> None:
    """Change one setting (etl.rules.settings validates it) and log it so that rebuild repeats it."""
    p = db.db_path(path)
    with writing(p, create=True) as con:
        at = con.execute("SELECT (now() AT TIME ZONE 'Asia/Shanghai')::TIMESTAMP").fetchall()[0][0]
        with logged(con, p, [{"event": "setting", "key": key, "value": value, "at": at.isoformat()}]):
            settings.set_setting(con, key, value, at=at)


def replay_setting(con: duckdb.DuckDBPyConnection, event: dict[str, Any]) -> None:
    """Apply one logged settings change at its logged time (rebuild, inside its transaction)."""
    settings.set_setting(con, event["key"], event["value"], at=datetime.fromisoformat(event["at"]))


# The notice_event table is append-only: issue, respond and close are rows of it
# (etl/load/notice_events.py records them; a rebuild inserts the logged ones again).
NOTICE_FIELDS = ("event_id", "notice_id", "action", "area", "month", "grid_code", "kind", "on_date", "due_on",
                 "notice_no", "facts", "note", "recorded_at", "recorded_by")  # fmt: skip
INSERT_NOTICE_EVENT = f"""
INSERT INTO notice_event ({", ".join(NOTICE_FIELDS)})
VALUES ({", ".join("$" + f for f in NOTICE_FIELDS)})
"""


def insert_notice_event(con: duckdb.DuckDBPyConnection, event: dict[str, Any]) -> None:
    """One row of notice_event (inside the caller's logged transaction)."""
    con.execute(INSERT_NOTICE_EVENT, {k: event.get(k) for k in NOTICE_FIELDS})


def notice_line(event: dict[str, Any]) -> dict[str, Any]:
    """A notice event as a line of the log (dates as ISO text)."""
    out: dict[str, Any] = {"event": "notice"}
    for k in NOTICE_FIELDS:
        v = event.get(k)
        out[k] = v.isoformat() if isinstance(v, date | datetime) else v
    return out


def replay_notice(con: duckdb.DuckDBPyConnection, line: dict[str, Any]) -> None:
    """Insert one logged notice event as it was (rebuild, inside its transaction)."""
    event = dict(line)
    for k in ("month", "on_date", "due_on"):
        if event.get(k):
            event[k] = date.fromisoformat(event[k])
    event["recorded_at"] = datetime.fromisoformat(event["recorded_at"])
    insert_notice_event(con, event)
