"""Headline figures of a month for the overview page (DOMAIN §4, §6–§8 in a few numbers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from etl.rules.calendar import MonthLike, month_start


@dataclass(frozen=True)
class MonthFigures:
    """Headline figures of (area, month) for the overview."""

    n_grids: int
    n_ranked: int
    n_missing: int
    average: float | None
    prev_average: float | None
    reported: int  # 按时 + 逾期
    on_time: int
    not_reported: int  # 未报送 + 待报送
    deadline: date
    days_to_deadline: int  # negative: days past the deadline
    no_volunteer: int
    problems_open: int  # 整改中, whole ledger of the area as of today
    problems_overdue: int  # 逾期未整改
    streak_warnings: int
    today: date
    future_dated: int = 0  # first report dated after today: suspect, not in `reported` (issue 12)


FIGURES = """
WITH r AS (
    SELECT count(*)::INTEGER AS n_grids,
        count(rank)::INTEGER AS n_ranked,
        count(*) FILTER (WHERE missing)::INTEGER AS n_missing,
        avg(total) AS average,
        count(*) FILTER (WHERE streak >= 3)::INTEGER AS streaks
    FROM monthly_ranking WHERE area = $area AND month = $month
),
prev AS (
    SELECT avg(total) AS prev_average FROM monthly_ranking
    WHERE area = $area AND month = (
        SELECT max(month) FROM area_month WHERE area = $area AND month < $month)
),
rep AS (
    SELECT count(*) FILTER (WHERE status IN ('按时', '逾期'))::INTEGER AS reported,
        count(*) FILTER (WHERE status = '按时')::INTEGER AS on_time,
        count(*) FILTER (WHERE submitted_on > grid_today())::INTEGER AS future_dated
    FROM report_status WHERE area = $area AND month = $month
),
vol AS (
    SELECT count(*) FILTER (WHERE activities = 0)::INTEGER AS no_volunteer
    FROM volunteer_monthly WHERE area = $area AND month = $month
),
prob AS (
    SELECT count(*) FILTER (WHERE status = '整改中')::INTEGER AS open,
        count(*) FILTER (WHERE status = '逾期未整改')::INTEGER AS overdue
    FROM problem_status WHERE area = $area
)
SELECT r.n_grids, r.n_ranked, r.n_missing, r.average, prev.prev_average,
    coalesce(rep.reported, 0), coalesce(rep.on_time, 0),
    report_deadline($month, s.report_deadline_day) AS deadline,
    coalesce(vol.no_volunteer, 0), prob.open, prob.overdue, r.streaks, grid_today(),
    (SELECT count(*) FROM grid WHERE area = $area)::INTEGER AS registry_grids,
    coalesce(rep.future_dated, 0)
FROM r, prev, rep, vol, prob, rule_setting s
"""


def month_figures(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> MonthFigures:
    m = month_start(month)
    row = con.execute(FIGURES, {"area": area, "month": m}).fetchall()[0]
    (n_grids, n_ranked, n_missing, average, prev_average, reported, on_time, deadline,
     no_volunteer, open_, overdue, streaks, today, registry_grids, future_dated) = row  # fmt: skip
    n_grids = n_grids or registry_grids
    return MonthFigures(
        n_grids=n_grids,
        n_ranked=n_ranked,
        n_missing=n_missing,
        average=average,
        prev_average=prev_average,
        reported=reported,
        on_time=on_time,
        not_reported=n_grids - reported,
        deadline=deadline,
        days_to_deadline=(deadline - today).days,
        no_volunteer=no_volunteer,
        problems_open=open_ or 0,
        problems_overdue=overdue or 0,
        streak_warnings=streaks,
        today=today,
        future_dated=future_dated,
    )
