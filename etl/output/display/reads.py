"""What the wall screen reads beyond the other modules' read functions, and the reshaping the
page must not do: each function is `f(con, area, month)` with bound parameters, cached by the
page through pages/common.read, and returns what one panel builder takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from etl.rules import calendar, findings, lamps, mechanism, rankings, reporting, trends


@dataclass(frozen=True)
class ReportBoard:
    """Every registry grid's report status for the month as of `today` (report_status)."""

    rows: pd.DataFrame  # grid_code, grid_name, …, status, submitted_on, deadline
    deadline: date
    today: date


def panel_reports(con: duckdb.DuckDBPyConnection, area: str, month: calendar.MonthLike) -> ReportBoard:
    m = calendar.month_start(month)
    rows = reporting.report_roster(con, area, m)
    deadline, today = con.execute(
        "SELECT report_deadline(?::DATE, report_deadline_day), grid_today() FROM rule_setting", [m]
    ).fetchall()[0]
    if rows.empty:  # a month beyond the data range: every registry grid still to report
        missing = reporting.missing_reports(con, area, m)
        rows = missing.assign(submitted_on=None)
    return ReportBoard(rows=rows, deadline=deadline, today=today)


VOLUNTEER = """
SELECT v.grid_code, g.grid_name, g.leader_name, g.lead_unit, v.activities, v.participants, v.hours
FROM volunteer_monthly v
JOIN grid g ON g.area = v.area AND g.grid_code = v.grid_code
WHERE v.area = ? AND v.month = ?
ORDER BY g.sort_order
"""


def panel_volunteer(con: duckdb.DuckDBPyConnection, area: str, month: calendar.MonthLike) -> pd.DataFrame:
    """Per registry grid: activities, participants and hours of the month (DOMAIN §7)."""
    return con.execute(VOLUNTEER, [area, calendar.month_start(month)]).df()


@dataclass(frozen=True)
class TrendData:
    averages: pd.DataFrame  # trends.grid_history(...).averages
    ranks: pd.DataFrame  # its totals (with rank) of `codes`
    codes: tuple[str, ...]  # the month's first and last ranked grid


def panel_trend(con: duckdb.DuckDBPyConnection, area: str, month: calendar.MonthLike) -> TrendData:
    """The area's averages at every check, and the history of the month's first and last grid."""
    ranking = rankings.month_ranking(con, area, month)
    ranked = ranking[~ranking["missing"].astype(bool)].sort_values("rank")
    codes: tuple[str, ...] = ()
    if len(ranked):
        codes = tuple(dict.fromkeys([ranked["grid_code"].iloc[0], ranked["grid_code"].iloc[-1]]))
    history = trends.grid_history(con, area, codes)
    return TrendData(averages=history.averages, ranks=history.totals, codes=codes)


@dataclass(frozen=True)
class ProblemsData:
    figures: pd.DataFrame  # findings.problem_figures of the month
    overdue: pd.DataFrame  # findings.overdue_problems (every month, as of today)
    today: date


def panel_problems(con: duckdb.DuckDBPyConnection, area: str, month: calendar.MonthLike) -> ProblemsData:
    m = calendar.month_start(month)
    (today,) = con.execute("SELECT grid_today()").fetchall()[0]
    return ProblemsData(
        figures=findings.problem_figures(con, area, m.year, m),
        overdue=findings.overdue_problems(con, area),
        today=today,
    )


@dataclass(frozen=True)
class LampsData:
    frame: pd.DataFrame  # lamps.lamp_month of the check's month
    check: date  # the month of the check shown
    targets: lamps.LampTargets
    work: mechanism.WorkFigures


def panel_lamps(con: duckdb.DuckDBPyConnection, area: str, month: calendar.MonthLike) -> LampsData:
    """The check of the shown month, else the latest check before it, else the latest."""
    m = calendar.month_start(month)
    checks = lamps.lamp_months(con, area)
    earlier = [c for c in checks if c <= m]
    check = earlier[-1] if earlier else (checks[-1] if checks else m)
    return LampsData(
        frame=lamps.lamp_month(con, area, check),
        check=check,
        targets=lamps.targets(con),
        work=mechanism.work_figures(mechanism.work_month(con, area, check)),
    )
