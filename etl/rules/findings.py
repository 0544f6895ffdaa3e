"""The patrol findings ledger (DOMAIN §8): problems found and rectified per grid and per duty
category, and the problems past their deadline."""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import declared
from etl.rules.calendar import MonthLike, month_start

PROBLEM_FIGURES = """
WITH p AS (
    SELECT grid_code,
        sum(found) AS found, sum(rectified) AS rectified,
        sum(rectified_on_time) AS rectified_on_time,
        sum(overdue) AS overdue, sum(open) AS open
    FROM problem_monthly
    WHERE area = ? AND year(month) = ? AND (?::DATE IS NULL OR month = ?::DATE)
    GROUP BY grid_code
)
SELECT g.grid_code, g.grid_name, g.leader_name, g.lead_unit,
    coalesce(p.found, 0)::INTEGER AS found,
    coalesce(p.rectified, 0)::INTEGER AS rectified,
    coalesce(p.rectified_on_time, 0)::INTEGER AS rectified_on_time,
    coalesce(p.overdue, 0)::INTEGER AS overdue,
    coalesce(p.open, 0)::INTEGER AS open,
    CASE WHEN p.found > 0 THEN p.rectified / p.found END AS rectification_rate,
    CASE WHEN p.rectified > 0 THEN p.rectified_on_time / p.rectified END AS on_time_rate
FROM grid g
LEFT JOIN p ON p.grid_code = g.grid_code
WHERE g.area = ?
ORDER BY g.sort_order
"""


def problem_figures(
    con: duckdb.DuckDBPyConnection, area: str, year: int, month: MonthLike | None = None
) -> pd.DataFrame:
    """Per registry grid, problems found in the year (or in one month of it): found,
    rectified, rectified_on_time, overdue, open, rectification_rate (rectified / found),
    on_time_rate (rectified_on_time / rectified); rates NULL when the base is 0."""
    m = month_start(month) if month is not None else None
    return con.execute(PROBLEM_FIGURES, [area, int(year), m, m, area]).df()


OVERDUE_PROBLEMS = """
SELECT p.grid_code, g.grid_name, g.leader_name, g.lead_unit, p.found_on, p.category,
    p.subcategory, p.location, p.description, p.handler, p.deadline, p.days_overdue
FROM problem_status p
JOIN grid g ON g.area = p.area AND g.grid_code = p.grid_code
WHERE p.area = ? AND p.status = '逾期未整改'
ORDER BY p.days_overdue DESC, g.sort_order, p.found_on
"""


def overdue_problems(con: duckdb.DuckDBPyConnection, area: str) -> pd.DataFrame:
    """Problems past their deadline and not rectified (逾期未整改), longest overdue first."""
    return con.execute(OVERDUE_PROBLEMS, [area]).df()


PROBLEM_CATEGORIES = """
SELECT p.category,
    sum(p.found)::INTEGER AS found,
    sum(p.rectified)::INTEGER AS rectified,
    sum(p.rectified_on_time)::INTEGER AS rectified_on_time,
    sum(p.overdue)::INTEGER AS overdue,
    sum(p.open)::INTEGER AS open
FROM problem_monthly p
SEMI JOIN grid g ON g.area = p.area AND g.grid_code = p.grid_code
WHERE p.area = $area AND year(p.month) = $year AND ($month::DATE IS NULL OR p.month = $month::DATE)
GROUP BY p.category
ORDER BY coalesce(list_position($order::VARCHAR[], p.category), 1000), p.category
"""


def problem_categories(
    con: duckdb.DuckDBPyConnection, area: str, year: int, month: MonthLike | None = None
) -> pd.DataFrame:
    """Problems found in the year (or one month of it) per duty category (DOMAIN §8), in the
    order of the duties: category, found, rectified, rectified_on_time, overdue, open."""
    params = {
        "area": area,
        "year": int(year),
        "month": month_start(month) if month is not None else None,
        "order": list(declared.problem_categories()),
    }
    return con.execute(PROBLEM_CATEGORIES, params).df()
