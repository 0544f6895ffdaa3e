"""Rectification notices (督查整改通知书) and requests for a written explanation (书面说明通知).

DOMAIN §9 and the plan (八、九): grids that fall short get a rectification notice; the leader
of a grid three times running in the bottom three explains in writing to the county's
principal leaders. This module:

* drafts them: `draft_notices` lists exactly the (grid, kind) pairs of the `notice_draft` view
  (views.sql, where each rule is written down), with the facts each notice states;
* records them: `issue_notices`, `record_response`, `close_notice` append events to the
  `notice_event` table (never updated or deleted) and to the archive log, so that
  `python -m etl rebuild` replays them; the `notice` view folds the events into one row per
  notice with its status (待回复 / 已回复 / 已办结 / 逾期未回复);
* writes each notice as its own Word document, addressed to the grid's lead unit (or, for a
  written explanation, to its leader), stating the facts and the deadline.

Issuing is idempotent: a notice is identified by (area, month, grid, kind), and one that has
already been issued is never issued again. What a notice said is kept with it (the facts as
JSON, the number, the dates), so its document is the same later even if the data changes.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from etl import db
from etl.errors import GridError
from etl.load import eventlog
from etl.output import document
from etl.output.document import FANGSONG, HEI, SIZE_2, SIZE_3, SONG
from etl.rules import lamps, queries, settings

KINDS: tuple[str, ...] = (
    "末位整改",
    "书面说明",
    "未按时报送",
    "无志愿服务",
    "逾期问题",
    "年度不达标",
    "路灯未达标",
)
LAMPS = "路灯未达标"
STATUSES: tuple[str, ...] = ("待回复", "逾期未回复", "已回复", "已办结")
OPEN_STATUSES: tuple[str, ...] = ("待回复", "逾期未回复", "已回复")
EXPLANATION = "书面说明"
ISSUER = "翁源县“两创”办公室"
ISSUER_SHORT = "县“两创”办"
PLAN = "《翁源县城市网格化管理工作实施方案》（翁委办〔2018〕7号）"
# Document numbers: one sequence per calendar year of issue. The prefix is the office's own
# code; staff can change the number in the Word file if theirs differs.
NUMBER_PREFIX = "翁两创督"


class NoSuchNotice(GridError):
    """No issued notice has that id."""


class NoticeClosed(GridError):
    """The notice is already closed (已办结); nothing more can be recorded on it."""


class BadNoticeDate(GridError):
    """A date that cannot be right for the notice (before it was issued, or before its month)."""


def notice_id(area: str, month: queries.MonthLike, grid_code: str, kind: str) -> str:
    """The natural key of a notice: 'area|YYYY-MM|grid_code|kind'."""
    return f"{area}|{queries.month_start(month):%Y-%m}|{grid_code}|{kind}"


def grid_today(con: duckdb.DuckDBPyConnection) -> date:
    """Today as the views see it (grid_today(); GRID_TODAY pins it for tests)."""
    return con.execute("SELECT grid_today()").fetchall()[0][0]


def today() -> date:
    """Today in Asia/Shanghai (GRID_TODAY pins it), without a connection: for date pickers."""
    pinned = db.today_override()
    return pinned or datetime.now(ZoneInfo("Asia/Shanghai")).date()


def due_days(con: duckdb.DuckDBPyConnection) -> int:
    return int(settings.get_setting(con, "notice_due_days"))


# ------------------------------------------------------------------------------------------
# Drafting: which grids, and the facts each notice states

DRAFTS = """
SELECT d.grid_code, d.kind, g.grid_name, g.big_grid, g.leader_name, g.leader_title, g.lead_unit,
    g.contact_name, g.contact_phone, n.issued_on, n.status
FROM notice_draft d
JOIN grid g ON g.area = d.area AND g.grid_code = d.grid_code
LEFT JOIN notice n
    ON n.area = d.area AND n.month = d.month AND n.grid_code = d.grid_code AND n.kind = d.kind
WHERE d.area = ? AND d.month = ?
ORDER BY d.kind_order, g.sort_order, d.grid_code
"""

REPORTS = """
SELECT grid_code, submitted_on, status, deadline FROM report_status WHERE area = ? AND month = ?
"""

OVERDUE = """
SELECT grid_code, found_on, category, subcategory, location, description, handler, deadline,
    days_overdue
FROM problem_status
WHERE area = ? AND month = ? AND status = '逾期未整改'
ORDER BY grid_code, found_on, deadline
"""

BOTTOM_HISTORY = """
SELECT grid_code, month, bottom_three FROM monthly_ranking
WHERE area = ? AND month <= ?
ORDER BY grid_code, month DESC
"""

VOLUNTEER_SHORT_YEAR = """
SELECT grid_code, count(*) FILTER (WHERE falls_short)::INTEGER AS months_short
FROM volunteer_monthly
WHERE area = ? AND year(month) = ? AND month <= ?
GROUP BY grid_code
"""

DRAFT_COLUMNS = [
    "notice_id", "area", "month", "grid_code", "grid_name", "leader_name", "leader_title", "lead_unit",
    "kind", "reason", "facts", "issued", "issued_on", "status",
]  # fmt: skip


def _day(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def draft_notices(con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike) -> pd.DataFrame:
    """Every notice the rules call for in (area, month), one row per (grid, kind), in the order
    of KINDS then the registry: notice_id, area, month, grid_code, grid_name, leader_name,
    leader_title, lead_unit, kind, reason (one line, Chinese), facts (dict: what the notice
    states), issued (already recorded as issued), issued_on, status (of the issued notice)."""
    m = queries.month_start(month)
    hits = con.execute(DRAFTS, [area, m]).df()
    if hits.empty:
        return pd.DataFrame(columns=DRAFT_COLUMNS)
    context = _Context.load(con, area, m, set(hits["kind"]))
    rows = []
    for h in hits.to_dict("records"):
        facts = {
            "area": area,
            "month": f"{m:%Y-%m}",
            "grid_code": h["grid_code"],
            "grid_name": h["grid_name"],
            "big_grid": h["big_grid"] if isinstance(h["big_grid"], str) else "",
            "leader_name": h["leader_name"],
            "leader_title": h["leader_title"] if isinstance(h["leader_title"], str) else "",
            "lead_unit": h["lead_unit"],
            "kind": h["kind"],
            **context.facts(h["kind"], h["grid_code"]),
        }
        issued = h["issued_on"] is not None and not pd.isna(h["issued_on"])
        rows.append(
            {
                "notice_id": notice_id(area, m, h["grid_code"], h["kind"]),
                "area": area,
                "month": m,
                "grid_code": h["grid_code"],
                "grid_name": h["grid_name"],
                "leader_name": h["leader_name"],
                "leader_title": facts["leader_title"],
                "lead_unit": h["lead_unit"],
                "kind": h["kind"],
                "reason": reason(facts),
                "facts": facts,
                "issued": issued,
                "issued_on": pd.Timestamp(h["issued_on"]).date() if issued else None,
                "status": h["status"] if issued else None,
            }
        )
    return pd.DataFrame(rows, columns=DRAFT_COLUMNS)


@dataclass
class _Context:
    """The month's figures behind every kind of notice, read once per draft."""

    month: date
    today: date
    ranking: dict[str, dict[str, Any]]
    categories: pd.DataFrame
    area_avg: float | None
    reports: dict[str, dict[str, Any]]
    overdue: dict[str, list[dict[str, Any]]]
    bottom_months: dict[str, list[date]]
    volunteer_short: dict[str, int]
    annual: dict[str, dict[str, Any]]
    rules: dict[str, Any]
    lamp_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    lamp_targets: lamps.LampTargets | None = None

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, area: str, m: date, kinds: set[str]) -> _Context:
        ranking = queries.month_ranking(con, area, m)
        ranked = ranking[~ranking["missing"].astype(bool)] if not ranking.empty else ranking
        reports = {r["grid_code"]: r for r in con.execute(REPORTS, [area, m]).df().to_dict("records")}
        overdue: dict[str, list[dict[str, Any]]] = {}
        if "逾期问题" in kinds:
            for r in con.execute(OVERDUE, [area, m]).df().to_dict("records"):
                overdue.setdefault(r["grid_code"], []).append(r)
        bottom: dict[str, list[date]] = {}
        if EXPLANATION in kinds or "末位整改" in kinds:
            for code, part in con.execute(BOTTOM_HISTORY, [area, m]).df().groupby("grid_code"):
                run = []
                for month_value, flag in zip(part["month"], part["bottom_three"], strict=True):
                    if not flag:
                        break
                    run.append(pd.Timestamp(month_value).date())
                bottom[str(code)] = sorted(run)
        short = {c: int(n) for c, n in con.execute(VOLUNTEER_SHORT_YEAR, [area, m.year, m]).fetchall()}
        annual: dict[str, dict[str, Any]] = {}
        if "年度不达标" in kinds:
            table = queries.annual_table(con, area, m.year)
            n_ranked = int(table["rank"].notna().sum())
            for r in table.to_dict("records"):
                annual[r["grid_code"]] = {**r, "n_ranked": n_ranked}
        rules = con.execute("SELECT * FROM rule_setting").df().to_dict("records")[0]
        lamp_rows: dict[str, dict[str, Any]] = {}
        lamp_targets = None
        if LAMPS in kinds:
            lamp_rows = {r["grid_code"]: r for r in lamps.lamp_month(con, area, m).to_dict("records")}
            lamp_targets = lamps.targets(con)
        return cls(
            month=m,
            today=grid_today(con),
            ranking={r["grid_code"]: r for r in ranking.to_dict("records")},
            categories=queries.month_category_scores(con, area, m),
            area_avg=float(ranked["total"].mean()) if len(ranked) else None,
            reports=reports,
            overdue=overdue,
            bottom_months=bottom,
            volunteer_short=short,
            annual=annual,
            rules=rules,
            lamp_rows=lamp_rows,
            lamp_targets=lamp_targets,
        )

    def _weak_categories(self, grid_code: str, n: int = 2) -> list[list[Any]]:
        """The grid's n categories with the lowest score rate that lost points."""
        cats = self.categories[self.categories["grid_code"] == grid_code]
        cats = cats[cats["score"] < cats["max_points"]].sort_values(["ratio", "category_order"])
        return [
            [c, float(s), float(x)] for c, s, x in cats[["category", "score", "max_points"]].head(n).values
        ]

    def facts(self, kind: str, grid_code: str) -> dict[str, Any]:
        r = self.ranking.get(grid_code, {})
        rank_facts = {
            "rank": None if pd.isna(r.get("rank")) else int(r["rank"]),
            "n_ranked": int(r.get("n_ranked") or 0),
            "total": _num(r.get("total")),
            "streak": int(r.get("streak") or 0),
        }
        if kind == "末位整改":
            return {
                **rank_facts,
                "area_avg": None if self.area_avg is None else round(self.area_avg, 2),
                "weak_categories": self._weak_categories(grid_code),
            }
        if kind == EXPLANATION:
            months = self.bottom_months.get(grid_code, [])[-rank_facts["streak"] :]
            return {**rank_facts, "bottom_months": [f"{x:%Y-%m}" for x in months]}
        if kind == "未按时报送":
            rep = self.reports.get(grid_code, {})
            return {
                "status": rep.get("status"),
                "deadline": _day(rep.get("deadline")),
                "submitted_on": _day(rep.get("submitted_on")),
                "as_of": self.today.isoformat(),
            }
        if kind == "无志愿服务":
            return {"year": self.month.year, "months_short_year": self.volunteer_short.get(grid_code, 1)}
        if kind == "逾期问题":
            problems = [
                {
                    "found_on": _day(p["found_on"]),
                    "category": p["category"],
                    "subcategory": p["subcategory"] if isinstance(p["subcategory"], str) else "",
                    "location": p["location"] if isinstance(p["location"], str) else "",
                    "description": p["description"] if isinstance(p["description"], str) else "",
                    "handler": p["handler"] if isinstance(p["handler"], str) else "",
                    "deadline": _day(p["deadline"]),
                    "days_overdue": None if pd.isna(p["days_overdue"]) else int(p["days_overdue"]),
                }
                for p in self.overdue.get(grid_code, [])
            ]
            return {"problems": problems, "as_of": self.today.isoformat()}
        if kind == "年度不达标":
            a = self.annual.get(grid_code, {})
            return {
                "year": self.month.year,
                "composite": _num(a.get("composite")),
                "routine_avg": None
                if _num(a.get("routine_avg")) is None
                else round(float(a["routine_avg"]), 2),
                "year_end": _num(a.get("year_end")),
                "rank": None if pd.isna(a.get("rank")) else int(a["rank"]),
                "n_ranked": a.get("n_ranked"),
                "pass_mark": float(self.rules["pass_mark"]),
                "weight_routine": float(self.rules["weight_routine"]),
                "weight_year_end": float(self.rules["weight_year_end"]),
            }
        if kind == LAMPS and self.lamp_targets is not None:
            r = self.lamp_rows[grid_code]
            return {
                "required": int(r["required"]),
                "installed": int(r["installed"]),
                "lit": int(r["lit"]),
                "install_rate": _num(r["install_rate"]),
                "lit_rate": _num(r["lit_rate"]),
                "install_target": self.lamp_targets.install,
                "lit_target": self.lamp_targets.lit,
                "shortfall": lamps.shortfall_text(r, self.lamp_targets),
            }
        raise ValueError(kind)


def _md(iso: str | None, year: int) -> str:
    """'2019-03-25' → '3月25日' (with the year when it is not `year`, the notice's year)."""
    return document.month_day(date.fromisoformat(iso), year) if iso else ""


def _month_text(ym: str) -> str:
    return f"{int(ym[:4])}年{int(ym[5:7])}月"


def _months_text(months: list[str]) -> str:
    """['2019-01', '2019-02', '2019-03'] → '2019年1月、2月、3月' (the year once per year)."""
    parts, year = [], None
    for ym in months:
        y, m = int(ym[:4]), int(ym[5:7])
        parts.append(f"{y}年{m}月" if y != year else f"{m}月")
        year = y
    return "、".join(parts)


def reason(f: dict[str, Any]) -> str:
    """One line saying why the grid gets the notice (tables, lists, file names)."""
    kind, n, year = f["kind"], document.number, int(f["month"][:4])
    if kind == "末位整改":
        return f"第{f['rank']}名（共{f['n_ranked']}个），总分{n(f['total'])}分，列末位三名"
    if kind == EXPLANATION:
        return f"连续{f['streak']}次检查排在末位三名（{_months_text(f['bottom_months'])}）"
    if kind == "未按时报送":
        if f.get("submitted_on"):
            return f"{_md(f['submitted_on'], year)}才报送，晚于{_md(f['deadline'], year)}截止日期"
        return f"截止日期{_md(f['deadline'], year)}已过，未报送工作信息"
    if kind == "无志愿服务":
        return "本月未开展志愿服务活动"
    if kind == "逾期问题":
        problems = f["problems"]
        longest = max((p["days_overdue"] or 0 for p in problems), default=0)
        return f"{len(problems)}个问题逾期未整改（最长逾期{longest}天）"
    if kind == "年度不达标":
        return f"{f['year']}年度综合得分{n(f['composite'])}分，低于达标线{n(f['pass_mark'])}分"
    if kind == LAMPS:
        return f["shortfall"]
    return kind


# ------------------------------------------------------------------------------------------
# Recording: issue, respond, close (append-only events, logged for rebuild)

NEXT_EVENT = "SELECT coalesce(max(event_id), 0) + 1 FROM notice_event"
ISSUED_IN_YEAR = "SELECT count(*) FROM notice_event WHERE action = 'issue' AND year(on_date) = ?"
ONE_NOTICE = "SELECT * FROM notice WHERE notice_id = ?"


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def issue_notices(
    area: str,
    month: queries.MonthLike,
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
    m = queries.month_start(month)
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
        due = on + timedelta(days=due_days(con))
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


# ------------------------------------------------------------------------------------------
# Reading: issued notices and their figures

LIST = """
SELECT n.area, n.month, n.grid_code, n.kind, n.issued_on, n.due_on, n.responded_on, n.closed_on,
    n.status, n.notice_id, n.notice_no, n.facts, n.issued_by, n.response_note, n.close_note,
    n.responded_late, n.days_overdue,
    coalesce(g.grid_name, json_extract_string(n.facts, '$.grid_name')) AS grid_name,
    coalesce(g.leader_name, json_extract_string(n.facts, '$.leader_name')) AS leader_name,
    coalesce(g.lead_unit, json_extract_string(n.facts, '$.lead_unit')) AS lead_unit
FROM notice n
LEFT JOIN grid g ON g.area = n.area AND g.grid_code = n.grid_code
WHERE n.area = $area
    AND ($month::DATE IS NULL OR n.month = $month::DATE)
    AND (NOT $open_only OR n.status <> '已办结')
ORDER BY n.month DESC, list_position($kinds::VARCHAR[], n.kind), g.sort_order, n.grid_code
"""


def list_notices(
    con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike | None = None, open_only: bool = False
) -> pd.DataFrame:
    """Issued notices of the area (one month, or all), newest month first; open_only leaves
    out closed ones. The `notice` view's columns plus grid_name, leader_name, lead_unit."""
    m = queries.month_start(month) if month is not None else None
    params = {"area": area, "month": m, "open_only": open_only, "kinds": list(KINDS)}
    return con.execute(LIST, params).df()


@dataclass(frozen=True)
class NoticeFigures:
    """Issued notices of an area as of today (the overview's figure)."""

    issued: int
    open: int  # not closed: 待回复 + 逾期未回复 + 已回复
    awaiting: int  # 待回复
    overdue: int  # 逾期未回复
    responded: int  # 已回复, to verify and close


FIGURES = """
SELECT count(*)::INTEGER,
    count(*) FILTER (WHERE status <> '已办结')::INTEGER,
    count(*) FILTER (WHERE status = '待回复')::INTEGER,
    count(*) FILTER (WHERE status = '逾期未回复')::INTEGER,
    count(*) FILTER (WHERE status = '已回复')::INTEGER
FROM notice WHERE area = ?
"""


def notice_figures(con: duckdb.DuckDBPyConnection, area: str) -> NoticeFigures:
    return NoticeFigures(*con.execute(FIGURES, [area]).fetchall()[0])


def notices_display(frame: pd.DataFrame) -> pd.DataFrame:
    """list_notices as shown and downloaded, Chinese headers."""

    def day(v: Any) -> str:
        return "" if v is None or pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}"

    return pd.DataFrame(
        {
            "编号": frame["notice_no"],
            "月份": [f"{pd.Timestamp(v):%Y-%m}" for v in frame["month"]],
            "网格": [f"{c} {n}" for c, n in zip(frame["grid_code"], frame["grid_name"], strict=True)],
            "类型": frame["kind"],
            "事由": [reason(json.loads(f)) for f in frame["facts"]],
            "状态": frame["status"],
            "下发日期": [day(v) for v in frame["issued_on"]],
            "回复期限": [day(v) for v in frame["due_on"]],
            "回复日期": [day(v) for v in frame["responded_on"]],
            "办结日期": [day(v) for v in frame["closed_on"]],
            "挂点县领导": frame["leader_name"],
            "牵头单位": frame["lead_unit"],
        }
    )


def drafts_display(drafts: pd.DataFrame) -> pd.DataFrame:
    """draft_notices as shown: grid, kind, reason, people, whether already issued."""
    return pd.DataFrame(
        {
            "网格": [f"{c} {n}" for c, n in zip(drafts["grid_code"], drafts["grid_name"], strict=True)],
            "类型": drafts["kind"],
            "事由": drafts["reason"],
            "挂点县领导": drafts["leader_name"],
            "牵头单位": drafts["lead_unit"],
            "下发情况": ["已下发" if x else "待下发" for x in drafts["issued"]],
        }
    )


# ------------------------------------------------------------------------------------------
# Documents


def title_of(kind: str) -> str:
    return "书面说明通知" if kind == EXPLANATION else "督查整改通知书"


def file_name(facts: dict[str, Any]) -> str:
    """'2019-03_26_河口村网格_末位整改.docx' (characters Windows refuses are replaced)."""
    name = str(facts["grid_name"])[:40]  # file names are limited to 255 bytes (UTF-8: 3 per 汉字)
    stem = f"{facts['month']}_{str(facts['grid_code'])[:30]}_{name}_{facts['kind']}"
    return re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "_", stem) + ".docx"


def _facts_paragraphs(f: dict[str, Any]) -> list[str]:
    """What the notice states, as numbered sentences (末位整改 …) or one paragraph."""
    n, month, year = document.number, _month_text(f["month"]), int(f["month"][:4])
    kind = f["kind"]
    if kind == "末位整改":
        text = (
            f"{month}常规检查中，该网格总分{n(f['total'])}分，在{f['area']}{f['n_ranked']}个参与排名的网格中"
            f"排第{f['rank']}名，列末位三名"
        )
        if f.get("area_avg") is not None:
            text += f"，低于片区平均分{n(f['area_avg'])}分"
        text += "。"
        if f.get("weak_categories"):
            weak = "、".join(f"{c}（得{n(s)}分，满分{n(x)}分）" for c, s, x in f["weak_categories"])
            text += f"失分较多的项目是{weak}。"
        if f.get("streak", 0) >= 2:
            text += f"这是该网格连续第{f['streak']}次检查排在末位三名。"
        return [text]
    if kind == "未按时报送":
        day = date.fromisoformat(f["deadline"]).day if f.get("deadline") else 25
        text = (
            f"按照《实施方案》要求，各网格牵头单位联系人应在每月{day}日前报送本网格工作开展情况。"
            f"该网格{month}的工作信息"
        )
        if f.get("submitted_on"):
            text += f"于{_md(f['submitted_on'], year)}才报送，晚于{_md(f['deadline'], year)}的截止日期。"
        else:
            text += f"截至{_md(f['as_of'], year)}仍未报送（截止日期为{_md(f['deadline'], year)}）。"
        return [text]
    if kind == "无志愿服务":
        text = f"该网格{month}未开展志愿服务活动，未达到《实施方案》“每个月开展一次志愿者服务活动”的要求。"
        if f.get("months_short_year", 0) > 1:
            text += f"{f['year']}年以来，该网格已有{f['months_short_year']}个月未开展志愿服务活动。"
        return [text]
    if kind == "逾期问题":
        lines = [f"该网格{month}巡查发现的以下{len(f['problems'])}个问题，已超过整改期限仍未整改到位："]
        for i, p in enumerate(f["problems"], start=1):
            what = p["category"] + (f"（{p['subcategory']}）" if p.get("subcategory") else "")
            place = "，".join(x for x in (p.get("location"), p.get("description")) if x)
            handler = f"，交办{p['handler']}" if p.get("handler") else ""
            late = (
                f"，截至{_md(f['as_of'], year)}已逾期{p['days_overdue']}天" if p.get("days_overdue") else ""
            )
            lines.append(
                f"{i}. {_md(p['found_on'], year)}发现，{what}：{place or '（未填写问题描述）'}{handler}，"
                f"整改期限{_md(p['deadline'], year)}{late}。"
            )
        return lines
    if kind == "年度不达标":
        w1, w2 = f["weight_routine"] * 100, f["weight_year_end"] * 100
        text = (
            f"{f['year']}年度综合考核中，该网格常规考核平均分{n(f['routine_avg'])}分，年终考核得分"
            f"{n(f['year_end'])}分，按常规考核占{n(w1, 0)}%、年终考核占{n(w2, 0)}%计算，综合得分"
            f"{n(f['composite'])}分，低于{n(f['pass_mark'])}分的达标线，考核等次为不达标。"
        )
        return [text]
    if kind == LAMPS:
        pct = lamps.percent
        text = (
            f"{month}路灯夜间检查中，该网格应装路灯{f['required']}盏，已装{f['installed']}盏，亮灯{f['lit']}盏，"
            f"装灯率{pct(f['install_rate'])}，亮灯率{pct(f['lit_rate'])}，"
            f"未达到《实施方案》装灯率{pct(f['install_target'], 0)}、亮灯率{pct(f['lit_target'], 0)}的要求"
            f"（{f['shortfall']}）。"
        )
        return [text]
    return []


def _requirement(f: dict[str, Any], due: date) -> str:
    kind, due_text = f["kind"], document.chinese_date(due)
    if kind == "未按时报送" and f.get("submitted_on"):
        # Reported, but late: nothing to send again, only the reason and the habit to fix.
        act = (
            f"于{due_text}前书面说明{_month_text(f['month'])}工作信息逾期报送的原因，"
            f"今后严格在每月截止日期前报送"
        )
    elif kind == "未按时报送":
        act = f"于{due_text}前补报{_month_text(f['month'])}工作信息，并书面说明未按时报送的原因"
    elif kind == "无志愿服务":
        act = f"于{due_text}前组织开展志愿服务活动，并将活动情况（含图片）和整改措施书面报送{ISSUER_SHORT}"
    elif kind == "逾期问题":
        act = f"督促有关部门于{due_text}前将上述问题整改到位，并将整改情况（含整改前后对比图片）书面报送{ISSUER_SHORT}"
    elif kind == LAMPS:
        act = (
            f"督促有关部门于{due_text}前补装、修复路灯，并将整改情况（含夜间亮灯图片）书面报送{ISSUER_SHORT}"
        )
    else:
        act = f"于{due_text}前完成整改，并将整改情况书面报送{ISSUER_SHORT}"
    return (
        f"请你单位高度重视，认真分析原因，落实整改措施，{act}。对不按时整改的网格，"
        "将按照《实施方案》规定在全县通报批评并从重扣分。"
    )


def notice_docx(
    facts: dict[str, Any], *, issued_on: date, due_on: date, notice_no: str | None = None
) -> bytes:
    """One notice as an editable Word document: red masthead, number, title, addressee, the
    facts, what to do by when, issuer and date, and who gets a copy."""
    f = facts
    kind = f["kind"]
    doc = document.new_document()
    document.core_properties(doc, f"{title_of(kind)}（{f['grid_code']} {f['grid_name']}）", ISSUER_SHORT)
    document.paragraph(doc, ISSUER, font=SONG, size=30, bold=True, color=document.RED,
                       align=WD_ALIGN_PARAGRAPH.CENTER, line=36)  # fmt: skip
    number = notice_no or f"{NUMBER_PREFIX}〔{issued_on.year}〕　号"
    p = document.paragraph(doc, number, size=SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER, line=28, before=6)
    document.rule(p, size_eighths=24)
    document.paragraph(doc, title_of(kind), font=SONG, size=SIZE_2, bold=True,
                       align=WD_ALIGN_PARAGRAPH.CENTER, line=36, before=14, after=6)  # fmt: skip
    grid = f"{f['grid_code']} {f['grid_name']}"
    leader = f"{f['leader_name']}同志"
    if kind == EXPLANATION:
        document.paragraph(doc, f"{leader}：", size=SIZE_3, indent=False, line=28)
        months = _months_text(f["bottom_months"])
        body = [
            f"您挂点的{grid}（牵头单位：{f['lead_unit']}）在{months}的常规检查中，连续{f['streak']}次排在"
            f"末位三名；{_month_text(f['month'])}总分{document.number(f['total'])}分，在{f['area']}"
            f"{f['n_ranked']}个参与排名的网格中排第{f['rank']}名。",
            f"根据{PLAN}“连续3次检查排在末位三名的网格，挂点县领导须向县主要领导进行书面说明”的规定，"
            f"请您于{document.chinese_date(due_on)}前就该网格连续排在末位的原因及整改措施，向县主要领导作出书面说明，"
            f"说明材料同时抄送{ISSUER_SHORT}。",
            "特此通知。",
        ]
        copy = f"{f['lead_unit']}（{grid}牵头单位）"
    else:
        document.paragraph(doc, f"{f['lead_unit']}：", size=SIZE_3, indent=False, line=28)
        intro = f"根据{PLAN}有关要求，经督查，你单位牵头负责的{grid}（挂点县领导：{leader}）存在以下问题："
        body = [intro, *_facts_paragraphs(f), _requirement(f, due_on), "特此通知。"]
        copy = f"{leader}（{grid}挂点县领导）"
    for text in body:
        document.paragraph(doc, text, size=SIZE_3, line=28)
    document.paragraph(doc, "", size=SIZE_3, line=28)
    sign = document.paragraph(doc, ISSUER, size=SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT, line=28)
    sign.paragraph_format.right_indent = Pt(SIZE_3 * 2)
    when = document.paragraph(doc, document.chinese_date(issued_on), size=SIZE_3,
                              align=WD_ALIGN_PARAGRAPH.RIGHT, line=28)  # fmt: skip
    when.paragraph_format.right_indent = Pt(SIZE_3 * 3)
    # 版记: who gets a copy, between two thin rules.
    foot = document.paragraph(doc, size=document.SIZE_4, indent=False, line=26, before=10)
    document.rule(foot, color="000000", size_eighths=8, where="top")
    document.rule(foot, color="000000", size_eighths=8, where="bottom")
    document.runs(foot, [("抄送：", HEI), (f"{copy}。", FANGSONG)], size=document.SIZE_4)
    return document.to_bytes(doc)


def month_documents(
    con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike, which: str = "all"
) -> list[tuple[str, bytes]]:
    """(file name, .docx bytes) for the month's notices: 'issued' ones exactly as issued (their
    stored facts, number and dates), 'draft' ones not yet issued as they would be issued today,
    or 'all' of both. Registry order within each kind."""
    m = queries.month_start(month)
    out: list[tuple[str, bytes]] = []
    if which in ("all", "issued"):
        for n in list_notices(con, area, m).to_dict("records"):
            facts = json.loads(n["facts"])
            out.append(
                (
                    file_name(facts),
                    notice_docx(
                        facts,
                        issued_on=pd.Timestamp(n["issued_on"]).date(),
                        due_on=pd.Timestamp(n["due_on"]).date(),
                        notice_no=n["notice_no"],
                    ),
                )
            )
    if which in ("all", "draft"):
        today = grid_today(con)
        due = today + timedelta(days=due_days(con))
        drafts = draft_notices(con, area, m)
        for d in drafts[~drafts["issued"].astype(bool)].to_dict("records"):
            out.append((file_name(d["facts"]), notice_docx(d["facts"], issued_on=today, due_on=due)))
    return out


def zip_bytes(files: list[tuple[str, bytes]]) -> bytes:
    """The documents in one .zip (UTF-8 names: Windows 10+ and WPS open them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
    return buf.getvalue()


def month_zip(
    con: duckdb.DuckDBPyConnection, area: str, month: queries.MonthLike, which: str = "draft"
) -> bytes:
    """month_documents(…, which) as one .zip (the page's download)."""
    return zip_bytes(month_documents(con, area, month, which))


def write_documents(files: list[tuple[str, bytes]], folder: str | os.PathLike[str]) -> list[Path]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files:
        target = out / name
        tmp = target.with_suffix(".docx.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        written.append(target)
    return written
