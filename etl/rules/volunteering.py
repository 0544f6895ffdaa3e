"""Volunteer service (DOMAIN §7): activities, participants and hours per grid and month, the
month's and year's totals, and the grids short of one activity a month."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from etl.rules.calendar import MonthLike, month_start, pivot_months

VOLUNTEER_MEASURES = ("activities", "participants", "hours")


VOLUNTEER_YEAR = """
SELECT v.grid_code, g.grid_name, v.month, v.activities, v.participants, v.hours, v.falls_short
FROM volunteer_monthly v
JOIN grid g ON g.area = v.area AND g.grid_code = v.grid_code
WHERE v.area = ? AND year(v.month) = ?
ORDER BY g.sort_order, v.month
"""


def volunteer_matrix(
    con: duckdb.DuckDBPyConnection, area: str, year: int, measure: str = "activities"
) -> pd.DataFrame:
    """Grid rows × month columns of activities (or participants / hours), zeros shown, then
    total_activities, total_participants, total_hours and months_short (months with no
    activity: short of the one-a-month rule)."""
    if measure not in VOLUNTEER_MEASURES:
        raise ValueError(f"measure 应为 {VOLUNTEER_MEASURES} 之一，收到 {measure!r}")
    df = con.execute(VOLUNTEER_YEAR, [area, int(year)]).df()
    wide = pivot_months(df, measure)
    if df.empty:
        return wide
    totals = df.groupby("grid_code").agg(
        total_activities=("activities", "sum"),
        total_participants=("participants", "sum"),
        total_hours=("hours", "sum"),
        months_short=("falls_short", "sum"),
    )
    return wide.merge(totals, left_on="grid_code", right_index=True, how="left")


VOLUNTEER_TOTALS = """
SELECT
    coalesce(sum(activities) FILTER (WHERE month = $month), 0)::INTEGER AS month_activities,
    coalesce(sum(participants) FILTER (WHERE month = $month), 0)::INTEGER AS month_participants,
    coalesce(sum(hours) FILTER (WHERE month = $month), 0)::DOUBLE AS month_hours,
    count(*) FILTER (WHERE month = $month AND falls_short)::INTEGER AS month_short,
    count(*) FILTER (WHERE month = $month)::INTEGER AS month_grids,
    coalesce(sum(activities), 0)::INTEGER AS year_activities,
    coalesce(sum(participants), 0)::INTEGER AS year_participants,
    coalesce(sum(hours), 0)::DOUBLE AS year_hours,
    count(*) FILTER (WHERE falls_short)::INTEGER AS year_short_months
FROM volunteer_monthly v
SEMI JOIN grid g ON g.area = v.area AND g.grid_code = v.grid_code
WHERE v.area = $area AND year(v.month) = $year
"""


@dataclass(frozen=True)
class VolunteerTotals:
    """Activities, participants (人次) and hours of the month and of its year (DOMAIN §7)."""

    month_activities: int
    month_participants: int
    month_hours: float
    month_short: int  # grids with no activity in the month
    month_grids: int  # grids with a row for the month (0: month outside the data range)
    year_activities: int
    year_participants: int
    year_hours: float
    year_short_months: int  # grid-months with no activity


def volunteer_totals(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> VolunteerTotals:
    m = month_start(month)
    row = con.execute(VOLUNTEER_TOTALS, {"area": area, "month": m, "year": m.year}).fetchall()[0]
    return VolunteerTotals(*row)


VOLUNTEER_SHORT = """
SELECT v.grid_code, g.grid_name, g.big_grid, g.leader_name, g.lead_unit, g.contact_name,
    g.contact_phone
FROM volunteer_monthly v
JOIN grid g ON g.area = v.area AND g.grid_code = v.grid_code
WHERE v.area = ? AND v.month = ? AND v.falls_short
ORDER BY g.sort_order
"""


def volunteer_short(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> pd.DataFrame:
    """Grids with no volunteer activity in the month: short of one-a-month (DOMAIN §7)."""
    return con.execute(VOLUNTEER_SHORT, [area, month_start(month)]).df()
