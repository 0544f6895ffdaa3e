"""The store: batches, loading a file whole or not at all, revert and history.

Every load is one batch. Rows are never deleted or updated: the cur_* views decide which rows
count (the newest active batch per kind, area, period and grid). The original bytes of every
file are archived beside the database, and every load and revert is one logged transaction of
the event log (etl/load/eventlog.py), from which etl/load/rebuild.py replays the database.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import astuple, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any

import duckdb
import pandas as pd

from etl import db
from etl.errors import GridError
from etl.load import eventlog, registry_guard
from etl.load.extract import extract_file
from etl.load.extraction import Context, Extraction, RubricItem
from etl.load.issues import FileRejected, Issue
from etl.load.kinds import KIND_LABELS, vocabulary
from etl.load.parse import GridEntry

# Kinds whose batch replaces the whole table rather than (area, period, grid) keys.
WHOLE_KINDS = tuple(k.name for k in vocabulary().kinds.values() if k.period == "whole")
# The storage tables a batch may write: each kind's declared table and item table (columns.toml:
# the item scores that a monthly score sheet carries besides its totals).
TABLES = tuple(dict.fromkeys(t for k in vocabulary().kinds.values() for t in (k.table, k.item_table) if t))


class NoSuchBatch(GridError):
    """No batch has that id."""

    def __init__(self, batch_id: int) -> None:
        super().__init__(f"没有编号为 #{batch_id} 的批次")
        self.batch_id = batch_id


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
    with eventlog.writing(p, create=True):
        pass  # connect() creates tables and views
    return p


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


@dataclass(frozen=True)
class Extracted:
    """A file as extract_file turned it into records, and what it was extracted from: `key` is
    a digest of the bytes' SHA-256, the file name, the user's kind/month/year, the registry and
    rubric in force and today's date, everything extraction depends on. The upload preview
    keeps it and the load that follows reuses it when the key is the same then (one reading of
    the file); any difference (other bytes, options, a registry or rubric loaded meanwhile, a
    new day) extracts again. The checks against the database itself (duplicates, a registry
    that drops grids with history) are never reused: `validate` runs them every time."""

    key: str
    extraction: Extraction


def extraction_key(digest: str, ctx: Context) -> str:
    """The digest of everything an extraction depends on (ctx.file_name set by the caller)."""
    raw = [
        digest, ctx.file_name, ctx.kind, ctx.month.isoformat() if ctx.month else None, ctx.year,
        ctx.today.isoformat(), [astuple(g) for g in ctx.grids], [astuple(r) for r in ctx.rubric],
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(raw, ensure_ascii=False).encode("utf-8")).hexdigest()


def extract_once(data: bytes, file_name: str, ctx: Context, reuse: Extracted | None = None) -> Extracted:
    """Extract a file with this context, or hand back `reuse` when it was extracted from the
    same bytes and the same context (an extraction with errors is never reused: a file that
    could not be read in time is read again)."""
    ctx.file_name = PurePath(file_name).name
    key = extraction_key(sha256_of(data), ctx)
    if reuse is not None and reuse.key == key and not reuse.extraction.errors:
        return reuse
    return Extracted(key, extract_file(data, file_name, ctx))


def extract(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    options: Options,
    reuse: Extracted | None = None,
) -> Extracted:
    """Extract a file against the database's registry and rubric (or reuse an extraction of it
    made against the same ones); writes nothing."""
    ctx = current_context(con)
    ctx.kind, ctx.month, ctx.year = options.kind, options.month, options.year
    return extract_once(data, file_name, ctx, reuse)


def validate(con: duckdb.DuckDBPyConnection, extracted: Extracted, options: Options) -> Extraction:
    """The extraction with the checks against the database's rows added (a new registry that
    leaves out grids with history); a new Extraction, `extracted` stays as it was."""
    base = extracted.extraction
    dropped = registry_guard.dropped_grids(con, base, options.allow_drop)
    return replace(base, issues=[*base.issues, *dropped])


def check(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    options: Options,
    reuse: Extracted | None = None,
) -> Extraction:
    """Validate a file against the database's registry, rubric and rows; writes nothing."""
    return validate(con, extract(con, data, file_name, options, reuse), options)


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
    reuse: Extracted | None = None,
) -> LoadResult:
    """Validate and load one file atomically. Raises FileRejected (nothing written) on errors.

    `reuse` is the upload preview's extraction of the file: used when the bytes, options,
    registry and rubric are the same now (store.Extracted), else the file is extracted again.
    Either way the checks against the database run here, under the writer lock."""
    options = options or Options()
    file_name = PurePath(file_name).name
    digest = sha256_of(data)
    p = db.db_path(path)
    if not p.exists():
        # Check before creating anything: a refused file leaves no trace, not even a database.
        ctx = Context(kind=options.kind, month=options.month, year=options.year)
        reuse = extract_once(data, file_name, ctx, reuse)
        if reuse.extraction.errors:
            raise FileRejected(file_name, reuse.extraction.issues)
    with eventlog.writing(p, create=True) as con:
        dup = active_duplicate(con, digest)
        if dup is not None:
            return LoadResult(file_name, "skipped", None, [], 0, duplicate_of=dup)
        extraction = check(con, data, file_name, options, reuse)
        if extraction.errors:
            raise FileRejected(file_name, extraction.issues)
        loaded_at = loaded_at or datetime.now().replace(microsecond=0)
        loaded_by = loaded_by or eventlog.default_user()
        archive_name = f"{digest[:20]}{PurePath(file_name).suffix.lower() or '.bin'}"
        archive = db.archive_dir(p)
        archive.mkdir(parents=True, exist_ok=True)
        if not (archive / archive_name).exists():
            tmp = archive / (archive_name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(archive / archive_name)
        eventlog.fault("after_archive")
        batch_id = insert_batch(
            con, p, extraction, file_name=file_name, digest=digest, archive_name=archive_name,
            options=options, loaded_by=loaded_by, loaded_at=loaded_at,
        )  # fmt: skip
    return LoadResult(
        file_name, "loaded", batch_id, extraction.kinds, extraction.row_count,
        sorted({x for s in extraction.sheets for x in s.periods}),
        sorted({a for s in extraction.sheets for a in s.areas}),
        [i for i in extraction.issues if i.severity == "warning"],
    )  # fmt: skip


def insert_batch(
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
    with eventlog.logged(con, p, [event], txn=txn, log=log):
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
    with eventlog.writing(p) as con:
        return revert_in(
            con, p, batch_id, by=by or eventlog.default_user(), at=at or datetime.now().replace(microsecond=0)
        )


def revert_in(
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
    with eventlog.logged(con, p, [event], txn=txn, log=log):
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
