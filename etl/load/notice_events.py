"""Recording notices: issue, respond, close (DOMAIN §9).

Each is an event appended to the `notice_event` table (never updated or deleted) and to the
event log in the same transaction (etl/load/eventlog.py), so that `python -m etl rebuild`
replays them; the `notice` view folds the events into one row per notice. Issuing is idempotent: a notice is identified by
(area, month, grid, kind), and one that has already been issued is never issued again. What a
notice said is kept with it (the facts as JSON, the number, the dates), so its document is the
same later even if the data changes. What to issue comes from etl/rules/notices.draft_notices.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from typing import Any

import pandas as pd

from etl import db
from etl.errors import GridError
from etl.load import eventlog
from etl.rules import calendar
from etl.rules.notices import NUMBER_PREFIX, draft_notices, due_on, grid_today


class NoSuchNotice(GridError):
    """No issued notice has that id."""


class NoticeClosed(GridError):
    """The notice is already closed (已办结); nothing more can be recorded on it."""


class BadNoticeDate(GridError):
    """A date that cannot be right for the notice (before it was issued, or before its month)."""


NEXT_EVENT = "SELECT coalesce(max(event_id), 0) + 1 FROM notice_event"
ISSUED_IN_YEAR = "SELECT count(*) FROM notice_event WHERE action = 'issue' AND year(on_date) = ?"
ONE_NOTICE = "SELECT * FROM notice WHERE notice_id = ?"


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def issue_notices(
    area: str,
    month: calendar.MonthLike,
    *,
    path: str | os.PathLike[str] | None = None,
    on: date | None = None,
    by: str = "",
    ids: list[str] | None = None,
) -> pd.DataFrame:
    """Record the month's drafted notices (or those of `ids` among them) as issued on `on`
    (default today), due `notice_due_days` later. Already issued notices are left as they are,
    so running it twice issues nothing new. Returns the newly issued notices (the `notice` view's
    columns)."""
    p = db.db_path(path)
    m = calendar.month_start(month)
    by = by or eventlog.default_user()
    with eventlog.writing(p) as con:
        on = on or grid_today(con)
        if on < m:
            raise BadNoticeDate(f"下发日期 {on:%Y-%m-%d} 早于通知所涉月份 {m:%Y年%m月}，请检查日期")
        drafts = draft_notices(con, area, m)
        if ids is not None:
            drafts = drafts[drafts["notice_id"].isin(list(ids))]
        todo = drafts[~drafts["issued"].astype(bool)]
        if todo.empty:
            return con.execute(ONE_NOTICE, [""]).df()
        due = due_on(con, on)
        first_id = con.execute(NEXT_EVENT).fetchall()[0][0]
        seq = con.execute(ISSUED_IN_YEAR, [on.year]).fetchall()[0][0]
        now = _now()
        events = []
        for i, d in enumerate(todo.to_dict("records")):
            events.append(
                {
                    "event_id": first_id + i,
                    "notice_id": d["notice_id"],
                    "action": "issue",
                    "area": area,
                    "month": m,
                    "grid_code": d["grid_code"],
                    "kind": d["kind"],
                    "on_date": on,
                    "due_on": due,
                    "notice_no": f"{NUMBER_PREFIX}〔{on.year}〕{seq + i + 1}号",
                    "facts": json.dumps(d["facts"], ensure_ascii=False),
                    "note": None,
                    "recorded_at": now,
                    "recorded_by": by,
                }
            )
        with eventlog.logged(con, p, [eventlog.notice_line(e) for e in events]):
            for event in events:
                eventlog.insert_notice_event(con, event)
        issued = con.execute(
            "SELECT * FROM notice WHERE list_contains(?::VARCHAR[], notice_id) ORDER BY notice_no",
            [[e["notice_id"] for e in events]],
        ).df()
    return issued


def _record(
    action: str, nid: str, on: date | None, by: str, note: str, path: str | os.PathLike[str] | None
) -> dict[str, Any]:
    p = db.db_path(path)
    by = by or eventlog.default_user()
    with eventlog.writing(p) as con:
        rows = con.execute(ONE_NOTICE, [nid]).df().to_dict("records")
        if not rows:
            raise NoSuchNotice(f"没有这份已下发的通知（{nid}）：先下发通知，再登记回复或办结")
        n = rows[0]
        on = on or grid_today(con)
        issued_on = pd.Timestamp(n["issued_on"]).date()
        what = "回复日期" if action == "respond" else "办结日期"
        if on < issued_on:
            raise BadNoticeDate(f"{what} {on:%Y-%m-%d} 早于通知下发日期 {issued_on:%Y-%m-%d}，请检查日期")
        if n["status"] == "已办结":
            closed = pd.Timestamp(n["closed_on"]).date()
            if action == "close":
                return {"already": True, "notice_id": nid, "closed_on": closed}
            raise NoticeClosed(f"这份通知已于 {closed:%Y-%m-%d} 办结，不能再登记回复")
        event = {
            "event_id": con.execute(NEXT_EVENT).fetchall()[0][0],
            "notice_id": nid,
            "action": action,
            "area": n["area"],
            "month": pd.Timestamp(n["month"]).date(),
            "grid_code": n["grid_code"],
            "kind": n["kind"],
            "on_date": on,
            "note": note.strip() or None,
            "recorded_at": _now(),
            "recorded_by": by,
        }
        with eventlog.logged(con, p, [eventlog.notice_line(event)]):
            eventlog.insert_notice_event(con, event)
    return {"already": False, **event}


def record_response(
    nid: str,
    *,
    on: date | None = None,
    by: str = "",
    note: str = "",
    path: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Record that the grid's response (整改报告 / 书面说明) was received on `on` (default today)."""
    return _record("respond", nid, on, by, note, path)


def close_notice(
    nid: str,
    *,
    on: date | None = None,
    by: str = "",
    note: str = "",
    path: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Record that the rectification was verified and the notice closed (已办结). Closing a
    closed notice changes nothing (the result says already=True)."""
    return _record("close", nid, on, by, note, path)
