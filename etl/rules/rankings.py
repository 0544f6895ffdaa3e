"""The monthly ranking (DOMAIN §4): one month's table with its category scores, rank changes,
best and worst categories, bottom-three streaks, and the podium.

Every function filters by area in its SQL so that DuckDB pushes the filter into the views and
computes one area only."""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.rules.calendar import MonthLike, month_start

MONTH_RANKING = """
SELECT
    r.rank, r.rank_change, r.prev_rank,
    r.grid_code, g.grid_name, g.big_grid, g.leader_name, g.leader_title, g.lead_unit,
    r.total, r.n_ranked, r.bottom_three, r.streak, r.missing, r.top_three, r.status_text,
    e.best_category, e.worst_category
FROM monthly_ranking r
JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
LEFT JOIN (SELECT * FROM category_extremes WHERE area = ? AND month = ?) e
    ON e.grid_code = r.grid_code
WHERE r.area = ? AND r.month = ?
ORDER BY r.rank NULLS LAST, r.sort_order
"""


MONTH_CATEGORY_SCORES = """
SELECT grid_code, category, score, max_points, ratio, category_order
FROM monthly_category_score
WHERE area = ? AND month = ?
ORDER BY category_order, first_item, grid_code
"""


def month_category_scores(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> pd.DataFrame:
    """Long form: grid_code, category, score, max_points, ratio (rubric order)."""
    m = month_start(month)
    return con.execute(MONTH_CATEGORY_SCORES, [area, m]).df()


def month_ranking(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> pd.DataFrame:
    """The month's ranking table, one row per registry grid, ranked first, missing last.

    Columns: rank, rank_change (vs the previous check, > 0 = moved up), prev_rank, grid_code,
    grid_name, big_grid, leader_name, leader_title, lead_unit, one column per category (its
    score, rubric order), total, n_ranked, bottom_three, streak, missing, top_three,
    status_text (the 状态 of every ranking table, from the view), best_category, worst_category.
    """
    m = month_start(month)
    table = con.execute(MONTH_RANKING, [area, m, area, m]).df()
    cats = month_category_scores(con, area, m)
    if cats.empty:
        return table
    order = list(dict.fromkeys(cats["category"]))
    wide = cats.pivot(index="grid_code", columns="category", values="score")[order]
    wide.columns = [str(c) for c in wide.columns]
    merged = table.merge(wide, left_on="grid_code", right_index=True, how="left")
    fixed = list(table.columns)
    at = fixed.index("total")
    return merged[fixed[:at] + list(wide.columns) + fixed[at:]]


RANK_CHANGES = """
SELECT r.grid_code, g.grid_name, g.leader_name, r.rank, r.prev_rank, r.rank_change, r.total,
    r.missing
FROM monthly_ranking r
JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND r.month = ?
ORDER BY r.rank_change DESC NULLS LAST, r.rank NULLS LAST, r.sort_order
"""


def rank_changes(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> pd.DataFrame:
    """Rank now and at the area's previous check; biggest climbers first.
    rank_change is NULL when either check had the grid missing (or for the first check)."""
    return con.execute(RANK_CHANGES, [area, month_start(month)]).df()


CATEGORY_EXTREMES = """
SELECT e.month, e.grid_code, g.grid_name, e.best_category, e.best_ratio,
    e.worst_category, e.worst_ratio
FROM category_extremes e
JOIN grid g ON g.area = e.area AND g.grid_code = e.grid_code
WHERE e.area = ? AND (?::DATE IS NULL OR e.month = ?::DATE)
ORDER BY e.month, g.sort_order
"""


def category_extremes(
    con: duckdb.DuckDBPyConnection, area: str, month: MonthLike | None = None
) -> pd.DataFrame:
    """Best and worst category (by score / max) per grid-month; one month or all."""
    m = month_start(month) if month is not None else None
    return con.execute(CATEGORY_EXTREMES, [area, m, m]).df()


STREAK_WARNINGS = """
SELECT r.grid_code, g.grid_name, g.big_grid, g.leader_name, g.leader_title, g.lead_unit,
    r.streak, r.rank, r.total, r.n_ranked
FROM monthly_ranking r
JOIN grid g ON g.area = r.area AND g.grid_code = r.grid_code
WHERE r.area = ? AND r.month = ? AND r.streak >= 3
ORDER BY r.streak DESC, r.rank DESC, g.sort_order
"""


def streak_warnings(con: duckdb.DuckDBPyConnection, area: str, month: MonthLike) -> pd.DataFrame:
    """Grids in the bottom three at 3 or more consecutive checks ending this month: their
    leader owes the county's principal leaders a written explanation (DOMAIN §4)."""
    return con.execute(STREAK_WARNINGS, [area, month_start(month)]).df()


def podium(ranking: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month's front and its bottom three (the view's top_three and bottom_three flags,
    DOMAIN §4), each in rank order, from rankings.month_ranking."""
    ranked = ranking[~ranking["missing"].astype(bool)].sort_values(["rank", "grid_code"])
    return ranked[ranked["top_three"].astype(bool)], ranked[ranked["bottom_three"].astype(bool)]
