"""Chosen grids over time (网格趋势): totals, ranks and category scores at every check, the
year's rank history, and one month's categories against the area average."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from etl.rules.calendar import MonthLike, month_start


@dataclass(frozen=True)
class GridHistory:
    """totals: month, grid_code, grid_name, total, rank, n_ranked, missing, bottom_three,
    streak. averages: month, area_avg (the area's ranked grids), overall_avg (every area in
    the database), n_ranked. categories: month, grid_code, category, score, max_points,
    ratio (long form, rubric order)."""

    totals: pd.DataFrame
    averages: pd.DataFrame
    categories: pd.DataFrame


HISTORY_TOTALS = """
SELECT r.month, r.grid_code, g.grid_name, r.total, r.rank, r.n_ranked, r.missing,
    r.bottom_three, r.streak, r.top_three
FROM monthly_ranking r
JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND list_contains(?::VARCHAR[], r.grid_code)
ORDER BY r.month, g.sort_order
"""


HISTORY_AVERAGES = """
WITH area_avg AS (
    SELECT month, avg(total) AS area_avg, count(total)::INTEGER AS n_ranked
    FROM monthly_ranking
    WHERE area = ?
    GROUP BY month
),
overall AS (
    SELECT s.month, avg(round(s.total, 4)) AS overall_avg
    FROM cur_monthly_score s
    SEMI JOIN cur_grid_registry g ON g.area = s.area AND g.grid_code = s.grid_code
    WHERE s.month IN (SELECT month FROM area_month WHERE area = ?)
    GROUP BY s.month
)
SELECT a.month, a.area_avg, o.overall_avg, a.n_ranked
FROM area_avg a
LEFT JOIN overall o USING (month)
ORDER BY a.month
"""


HISTORY_CATEGORIES = """
SELECT month, grid_code, category, score, max_points, ratio
FROM monthly_category_score
WHERE area = ? AND list_contains(?::VARCHAR[], grid_code)
ORDER BY month, category_order, first_item, grid_code
"""


def grid_history(con: duckdb.DuckDBPyConnection, area: str, grid_codes: Sequence[str]) -> GridHistory:
    """Totals, ranks and category scores of the chosen grids at every check of the area,
    with the area's average (and the all-areas average) per month for comparison."""
    codes = list(grid_codes)
    return GridHistory(
        totals=con.execute(HISTORY_TOTALS, [area, codes]).df(),
        averages=con.execute(HISTORY_AVERAGES, [area, area]).df(),
        categories=con.execute(HISTORY_CATEGORIES, [area, codes]).df(),
    )


RANK_HISTORY = """
SELECT r.month, r.grid_code, g.grid_name, r.total, r.rank, r.n_ranked, r.missing,
    r.bottom_three, r.streak, r.top_three
FROM monthly_ranking r
JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND year(r.month) = ?
ORDER BY r.month, g.sort_order
"""


def rank_history(con: duckdb.DuckDBPyConnection, area: str, year: int) -> pd.DataFrame:
    """Every grid's total and rank at each check of the year (for the bump chart)."""
    return con.execute(RANK_HISTORY, [area, int(year)]).df()


CATEGORY_COMPARISON = """
WITH chosen AS (
    SELECT grid_code, grid_name, sort_order FROM grid
    WHERE area = $area AND list_contains($codes::VARCHAR[], grid_code)
),
scores AS (
    SELECT c.* FROM monthly_category_score c
    SEMI JOIN grid g ON g.area = c.area AND g.grid_code = c.grid_code
    WHERE c.area = $area AND c.month = $month
),
area_avg AS (
    SELECT category, min(category_order) AS category_order, min(first_item) AS first_item,
        sum(score) / nullif(sum(max_points), 0) AS area_ratio, avg(score) AS area_score,
        max(max_points) AS max_points
    FROM scores
    GROUP BY category
)
SELECT ch.grid_code, ch.grid_name, a.category, s.score, a.max_points, s.ratio,
    a.area_score, a.area_ratio
FROM area_avg a
CROSS JOIN chosen ch
LEFT JOIN scores s ON s.category = a.category AND s.grid_code = ch.grid_code
ORDER BY a.category_order, a.first_item, ch.sort_order
"""


def category_comparison(
    con: duckdb.DuckDBPyConnection, area: str, month: MonthLike, grid_codes: Sequence[str]
) -> pd.DataFrame:
    """Score rate per category of the chosen grids against the area average for one month:
    grid_code, grid_name, category, score, max_points, ratio (NaN when the grid was not
    scored), area_score, area_ratio (sum of scores / sum of maxima over the area's grids)."""
    params = {"area": area, "month": month_start(month), "codes": list(grid_codes)}
    return con.execute(CATEGORY_COMPARISON, params).df()
