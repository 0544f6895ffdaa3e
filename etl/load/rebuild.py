"""Rebuild: replay the event log (etl/load/eventlog.py) into a fresh database.

Loads are checked and inserted again from their archived bytes (etl/load/store.py), reverts
repeated, settings and notice events applied as logged (eventlog.replay_setting/replay_notice).
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from etl import db
from etl.errors import GridError
from etl.load import eventlog, store

BACKUPS_KEPT = 3


class RebuildFailed(GridError):
    """Rebuild stopped; the database was left as it was. str() is a Chinese message."""


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
                eventlog.reconcile(con, p)
                held = con.execute(
                    "SELECT batch_id, file_name, sha256 FROM batch ORDER BY batch_id"
                ).fetchall()
        events = eventlog.committed_events(p)
        logged_files = {e.get("sha256") for e in events if e["event"] == "load"}
        unlogged = [f"#{b}「{name}」" for b, name, sha in held if sha not in logged_files]
        if in_place and unlogged:
            # Replacing the database would lose them: the log is incomplete (deleted or edited).
            shown = "、".join(unlogged[:5]) + (f" 等 {len(unlogged)} 个批次" if len(unlogged) > 5 else "")
            raise RebuildFailed(
                f"存档日志 {db.archive_dir(p) / eventlog.LOG_NAME} 中没有批次 {shown}的记录，重建会丢失它们，"
                "已停止；数据库未作任何改动"
            )
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            counts = _replay(events, p, tmp)
            eventlog.fault("rebuild_replayed")
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
                options = store.Options.from_json(ev.get("options"))
                extraction = store.check(con, data, ev["file_name"], options)
                if extraction.errors:
                    first = "；".join(str(i) for i in extraction.errors[:3])
                    raise RebuildFailed(
                        f"存档文件 {f.name}（批次 #{ev['batch_id']}「{ev['file_name']}」）按现行规则不能再导入："
                        f"{first}；数据库未作任何改动"
                    )
                id_map[ev["batch_id"]] = store.insert_batch(
                    con, out, extraction, file_name=ev["file_name"], digest=ev["sha256"],
                    archive_name=ev["archive_name"], options=options, loaded_by=ev.get("loaded_by", ""),
                    loaded_at=datetime.fromisoformat(ev["loaded_at"]), txn=txn, log=False,
                )  # fmt: skip
                counts["loads"] += 1
            elif ev["event"] == "revert" and ev["batch_id"] in id_map:
                store.revert_in(con, out, id_map[ev["batch_id"]], by=ev.get("by", ""),
                                at=datetime.fromisoformat(ev["at"]), txn=txn, log=False)  # fmt: skip
                counts["reverts"] += 1
            elif ev["event"] == "setting":
                with eventlog.logged(con, out, [], txn=txn, log=False):
                    eventlog.replay_setting(con, ev)
                counts["settings"] += 1
            elif ev["event"] == "notice":
                with eventlog.logged(con, out, [], txn=txn, log=False):
                    for one in group:
                        eventlog.replay_notice(con, one)
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
