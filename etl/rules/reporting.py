"""The monthly work report (DOMAIN §6): status per grid and month, the grids to chase, counts
per status, and reports dated after today."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from etl.rules.calendar import MonthLike, month_start, pivot_months

REPORT_YEAR = """
SELECT r.grid_code, g.grid_name, r.month, r.status, r.submitted_on, g.sort_order
FROM report_status r
JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND year(r.month) = ?
ORDER BY g.sort_order, r.month
"""


# Computed for any month, also one beyond the data range (the current month before the first
# report arrives): the status comes from the same report_state macro as report_status.
MISSING_REPORTS = """
WITH sub AS (
    SELECT grid_code, min(submitted_on) AS submitted_on
    FROM cur_report
    WHERE area = ? AND month = ?
    GROUP BY grid_code
),
dl AS (
    SELECT report_deadline(?::DATE, report_deadline_day) AS deadline FROM rule_setting
)
SELECT g.grid_code, g.grid_name, report_state(s.submitted_on, dl.deadline) AS status,
    dl.deadline, g.contact_name, g.contact_phone, g.leader_name, g.leader_title, g.lead_unit
FROM grid g
CROSS JOIN dl
LEFT JOIN sub s ON s.grid_code = g.grid_code
WHERE g.area = ? AND report_state(s.submitted_on, dl.deadline) IN ('未报送', '待报送')
ORDER BY g.sort_order
"""


def report_matrix(con: duckdb.DuckDBPyConnection, area: str, year: int) -> pd.DataFrame:
    """Grid rows × month columns ('2018-05') holding 按时/逾期/未报送/待报送, then the counts
    on_time, late, missing, pending per grid."""
    df = con.execute(REPORT_YEAR, [area, int(year)]).df()
    wide = pivot_months(df, "status")
    if df.empty:
        return wide
    counts = (
        df.assign(
            on_time=df["status"] == "按时",
            late=df["status"] == "逾期",
            missing=df["status"] == "未报送",
            pending=df["status"] == "待报送",
        )
        .groupby("grid_code")[["on_time", "late", "missing", "pending"]]
        .sum()
        .astype("int64")
    )
    return wide.merge(counts, left_on="grid_code", right_index=True, how="left")


def has_reports(con: duckdb.DuckDBPyConnection, area: str) -> bool:
    """Has any report of the area been loaded (any month)? Without one, every grid shows as
    未报送, which may only mean the area's report sheet was never loaded."""
    return bool(
        con.execute("SELECT EXISTS (SELECT 1 FROM cur_report WHERE area = ?)", [area]).fetchall()[0][0]
    )


def report_deadline_day(con: duckdb.DuckDBPyConnection) -> int:
    """The day of the month reports are due (setting report_deadline_day, DOMAIN §6)."""
    return int(con.execute("SELECT report_deadline_day FROM rule_setting").fetchall()[0][0])


REPORT_ROSTER = """
SELECT r.grid_code, g.grid_name, g.leader_name, g.lead_unit, g.contact_name, g.contact_phone,
    r.status, r.submitted_on, r.deadline
FROM report_status r
JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND r.month = ?
ORDER BY g.sort_order
"""


def report_roster(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> pd.DataFrame:
    """Every grid's report status for the month (report_status) with its leader, lead unit and
    contact, in registry order: the display's 信息报送 panel and the bulletin read this."""
    return con.execute(REPORT_ROSTER, [area, month_start(month)]).df()


def missing_reports(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> pd.DataFrame:
    """Grids with no report for the month (未报送 past the deadline, 待报送 before), with the
    contact to chase (催报) and the leader and lead unit."""
    m = month_start(month)
    return con.execute(MISSING_REPORTS, [area, m, m, area]).df()


REPORT_MONTH = """
SELECT
    count(*) FILTER (WHERE r.status = '按时')::INTEGER AS on_time,
    count(*) FILTER (WHERE r.status = '逾期')::INTEGER AS late,
    count(*) FILTER (WHERE r.status = '未报送')::INTEGER AS missing,
    count(*) FILTER (WHERE r.status = '待报送')::INTEGER AS pending,
    count(*)::INTEGER AS grids
FROM report_status r
SEMI JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND r.month = ?
"""


@dataclass(frozen=True)
class ReportCounts:
    """Grids per report status (DOMAIN §6) for one month; grids = 0 outside the data range."""

    on_time: int
    late: int
    missing: int
    pending: int
    grids: int


def report_counts(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> ReportCounts:
    row = con.execute(REPORT_MONTH, [area, month_start(month)]).fetchall()[0]
    return ReportCounts(*row)


FUTURE_REPORTS = """
SELECT r.grid_code, g.grid_name, r.submitted_on
FROM report_status r
JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND r.month = ? AND r.submitted_on > grid_today()
ORDER BY r.submitted_on, r.grid_code
"""


def future_reports(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> pd.DataFrame:
    """The month's first reports dated after today: impossible as of today, most likely a typo;
    the pages flag them (grid_code, grid_name, submitted_on)."""
    return con.execute(FUTURE_REPORTS, [area, month_start(month)]).df()
