"""Rectification notices (督查整改通知书) and requests for a written explanation (书面说明通知):
what the rules call for and what has been issued (DOMAIN §9, the plan 八、九).

* `draft_notices` lists exactly the (grid, kind) pairs of the `notice_draft` view (views.sql,
  where each rule is written down), with the facts each notice states;
* `list_notices` and `notice_figures` read the `notice` view, which folds the events of
  `notice_event` into one row per notice with its status (待回复 / 已回复 / 已办结 / 逾期未回复).

Recording (issue, respond, close) is in etl/load/notice_events.py; the words and the Word
documents in etl/output/notice_text.py and notice_doc.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from etl import db
from etl.rules import assessment, calendar, lamps, rankings, settings

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
# Document numbers: one sequence per calendar year of issue. The prefix is the office's own
# code; staff can change the number in the Word file if theirs differs.
NUMBER_PREFIX = "翁两创督"


def notice_id(area: str, month: calendar.MonthLike, grid_code: str, kind: str) -> str:
    """The natural key of a notice: 'area|YYYY-MM|grid_code|kind'."""
    return f"{area}|{calendar.month_start(month):%Y-%m}|{grid_code}|{kind}"


def grid_today(con: duckdb.DuckDBPyConnection) -> date:
    """Today as the views see it (grid_today(); GRID_TODAY pins it for tests)."""
    return con.execute("SELECT grid_today()").fetchall()[0][0]


def today() -> date:
    """Today in Asia/Shanghai (GRID_TODAY pins it), without a connection: for date pickers."""
    pinned = db.today_override()
    return pinned or datetime.now(ZoneInfo("Asia/Shanghai")).date()


def due_days(con: duckdb.DuckDBPyConnection) -> int:
    return int(settings.get_setting(con, "notice_due_days"))


def due_on(con: duckdb.DuckDBPyConnection, issued_on: date) -> date:
    """The reply deadline of a notice issued on `issued_on` (the notice_due_on macro)."""
    return con.execute("SELECT notice_due_on(?::DATE)", [issued_on]).fetchall()[0][0]


STREAK_MONTHS = """
WITH h AS (
    SELECT grid_code, month, check_no, streak FROM monthly_ranking WHERE area = $area AND month <= $month
)
SELECT r.grid_code, list(h.month ORDER BY h.month) AS months
FROM h r
JOIN h ON h.grid_code = r.grid_code AND h.check_no > r.check_no - r.streak AND h.check_no <= r.check_no
WHERE r.month = $month AND r.streak > 0 AND list_contains($codes::VARCHAR[], r.grid_code)
GROUP BY r.grid_code
"""


def streak_months(
    con: duckdb.DuckDBPyConnection, area: str, month: calendar.MonthLike, codes: list[str]
) -> dict[str, list[date]]:
    """The months of each grid's bottom-three streak ending at `month` (monthly_ranking.streak
    checks back from this one), oldest first; grids not in the bottom three are left out."""
    if not codes:
        return {}
    params = {"area": area, "month": calendar.month_start(month), "codes": list(codes)}
    return {str(c): list(ms) for c, ms in con.execute(STREAK_MONTHS, params).fetchall()}


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

AREA_AVERAGE = "SELECT avg(total) FROM monthly_ranking WHERE area = ? AND month = ?"

VOLUNTEER_SHORT_YEAR = """
SELECT grid_code, count(*) FILTER (WHERE falls_short)::INTEGER AS months_short
FROM volunteer_monthly
WHERE area = ? AND year(month) = ? AND month <= ?
GROUP BY grid_code
"""

DRAFT_COLUMNS = [
    "notice_id", "area", "month", "grid_code", "grid_name", "leader_name", "leader_title", "lead_unit",
    "kind", "facts", "issued", "issued_on", "status",
]  # fmt: skip


def _day(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def draft_notices(con: duckdb.DuckDBPyConnection, area: str, month: calendar.MonthLike) -> pd.DataFrame:
    """Every notice the rules call for in (area, month), one row per (grid, kind), in the order
    of KINDS then the registry: notice_id, area, month, grid_code, grid_name, leader_name,
    leader_title, lead_unit, kind, facts (dict: what the notice states; notice_text.reason says
    it in one line), issued (already recorded as issued), issued_on, status (of the issued notice)."""
    m = calendar.month_start(month)
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
        ranking = rankings.month_ranking(con, area, m)
        reports = {r["grid_code"]: r for r in con.execute(REPORTS, [area, m]).df().to_dict("records")}
        overdue: dict[str, list[dict[str, Any]]] = {}
        if "逾期问题" in kinds:
            for r in con.execute(OVERDUE, [area, m]).df().to_dict("records"):
                overdue.setdefault(r["grid_code"], []).append(r)
        bottom: dict[str, list[date]] = {}
        if EXPLANATION in kinds:
            bottom = streak_months(con, area, m, list(ranking["grid_code"]))
        short = {c: int(n) for c, n in con.execute(VOLUNTEER_SHORT_YEAR, [area, m.year, m]).fetchall()}
        annual: dict[str, dict[str, Any]] = {}
        if "年度不达标" in kinds:
            table = assessment.annual_table(con, area, m.year)
            n_ranked = int(table["rank"].notna().sum())
            for r in table.to_dict("records"):
                annual[r["grid_code"]] = {**r, "n_ranked": n_ranked}
        rules = con.execute("SELECT * FROM rule_setting").df().to_dict("records")[0]
        lamp_rows: dict[str, dict[str, Any]] = {}
        lamp_targets = None
        if LAMPS in kinds:
            lamp_rows = {r["grid_code"]: r for r in lamps.lamp_month(con, area, m).to_dict("records")}
            lamp_targets = lamps.targets(con)
        average = con.execute(AREA_AVERAGE, [area, m]).fetchall()[0][0]
        return cls(
            month=m,
            today=grid_today(con),
            ranking={r["grid_code"]: r for r in ranking.to_dict("records")},
            categories=rankings.month_category_scores(con, area, m),
            area_avg=None if average is None else float(average),
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
            months = self.bottom_months.get(grid_code, [])
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


# ------------------------------------------------------------------------------------------
# Issued notices and their figures

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
    con: duckdb.DuckDBPyConnection,
    area: str,
    month: calendar.MonthLike | None = None,
    open_only: bool = False,
) -> pd.DataFrame:
    """Issued notices of the area (one month, or all), newest month first; open_only leaves
    out closed ones. The `notice` view's columns plus grid_name, leader_name, lead_unit."""
    m = calendar.month_start(month) if month is not None else None
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


def pending_count(con: duckdb.DuckDBPyConnection, area: str, month: calendar.MonthLike) -> int:
    """How many notices the rules call for in (area, month) are not issued yet (the overview's
    card; the 整改通知 page lists them): the DRAFTS rows without an issue date."""
    sql = f"SELECT count(*) FILTER (WHERE issued_on IS NULL)::INTEGER FROM ({DRAFTS})"
    return int(con.execute(sql, [area, calendar.month_start(month)]).fetchall()[0][0])
