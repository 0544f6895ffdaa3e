"""Read functions for the pages: one area at a time, values always bound as parameters.

The rules live in etl/rules/sql/views.sql; these functions select from the views, join the grid
registry for names and people, and reshape (pivot) for tables and charts. Months are passed
as a date (any day of the month) or 'YYYY-MM' text and come back as the first day.
Each function filters by area in its SQL so that DuckDB pushes the filter into the views and
computes one area only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

MonthLike = date | str

# The tier order used by every table, best first; None means incomplete.
TIERS: tuple[str, ...] = ("一类", "二类", "三类", "达标", "不达标")
INCOMPLETE = "未完成"
NEXT_TIER: dict[str, str | None] = {
    "不达标": "达标",
    "达标": "三类",
    "三类": "二类",
    "二类": "一类",
    "一类": None,
}
VOLUNTEER_MEASURES = ("activities", "participants", "hours")


def month_start(value: MonthLike) -> date:
    """First day of the month of a date, a datetime, or 'YYYY-MM' / 'YYYY-MM-DD' text."""
    if isinstance(value, datetime):
        return date(value.year, value.month, 1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        year, month = int(text[:4]), int(text[5:7])
        return date(year, month, 1)
    except ValueError:
        raise ValueError(f"月份应写成 2018-05 或日期，收到 {value!r}") from None


def _month_label(d: date | datetime | pd.Timestamp) -> str:
    return f"{d.year:04d}-{d.month:02d}"


# ------------------------------------------------------------------------------------------
# Pickers

AREAS = """
SELECT area FROM grid GROUP BY area ORDER BY min(sort_order), area
"""

CHECKED_MONTHS = """
SELECT month FROM area_month WHERE area = ? ORDER BY month
"""

DATA_MONTHS = """
SELECT month FROM area_data_month WHERE area = ? ORDER BY month
"""

YEARS = """
SELECT DISTINCT year(month)::INTEGER AS year FROM area_data_month WHERE area = ?
UNION
SELECT DISTINCT year FROM cur_annual_score WHERE area = ?
ORDER BY year
"""


def areas(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Areas of the current registry, in registry order (县城 first in the default data)."""
    return [r[0] for r in con.execute(AREAS).fetchall()]


def months(con: duckdb.DuckDBPyConnection, area: str) -> list[date]:
    """The area's checked months (months with any monthly score), oldest first."""
    return [r[0] for r in con.execute(CHECKED_MONTHS, [area]).fetchall()]


def data_months(con: duckdb.DuckDBPyConnection, area: str) -> list[date]:
    """Every month of the area's data range (reports, volunteer, problems, scores)."""
    return [r[0] for r in con.execute(DATA_MONTHS, [area]).fetchall()]


def years(con: duckdb.DuckDBPyConnection, area: str) -> list[int]:
    """Years with any data of the area, oldest first."""
    return [r[0] for r in con.execute(YEARS, [area, area]).fetchall()]


# ------------------------------------------------------------------------------------------
# Monthly ranking (DOMAIN §4)

MONTH_RANKING = """
SELECT
    r.rank, r.rank_change, r.prev_rank,
    r.grid_code, g.grid_name, g.big_grid, g.leader_name, g.leader_title, g.lead_unit,
    r.total, r.n_ranked, r.bottom_three, r.streak, r.missing, r.top_three,
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
    best_category, worst_category.
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


# ------------------------------------------------------------------------------------------
# History of chosen grids


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


# ------------------------------------------------------------------------------------------
# Annual assessment (DOMAIN §5)

# Every annual read takes its rows from the annual_assessment macro of views.sql (the view
# annual_ranking is that macro at the stored settings); a what-if passes other weights or pass
# mark as bound parameters, so it is computed by the same SQL and nothing is stored.
ASSESSMENT = """annual_assessment(w_routine := $w_routine::DOUBLE, w_year_end := $w_year_end::DOUBLE,
    pass_at := $pass_mark::DOUBLE)"""

ANNUAL_TABLE = """
SELECT a.rank, a.grid_code, g.grid_name, g.big_grid, g.leader_name, g.leader_title,
    g.lead_unit, a.n_months, a.routine_avg, a.year_end, a.composite, a.tier, a.reward_yuan,
    a.over_quota, a.tier_quota, a.tier_count, a.incomplete
FROM {source} a
JOIN grid g ON g.area = a.area AND g.grid_code = a.grid_code
WHERE a.area = $area AND a.year = $year
ORDER BY a.rank NULLS LAST, g.sort_order
"""

ANNUAL_SUMMARY = """
WITH tiers AS (
    SELECT * FROM (VALUES
        (1, '一类'), (2, '二类'), (3, '三类'), (4, '达标'), (5, '不达标'), (6, '未完成')
    ) AS t(ord, tier)
),
members AS (
    SELECT coalesce(tier, '未完成') AS tier, grid_code, reward_yuan, over_quota
    FROM {source}
    WHERE area = $area AND year = $year
)
SELECT
    t.tier,
    count(m.grid_code)::INTEGER AS grids,
    tier_quota(t.tier, s.tier1_ranks, s.tier2_ranks, s.tier3_ranks) AS quota,
    tier_reward(t.tier, s.reward_tier1, s.reward_tier2, s.reward_tier3, s.reward_pass) AS reward_each,
    coalesce(sum(m.reward_yuan), 0)::BIGINT AS total_yuan,
    coalesce(bool_or(m.over_quota), false) AS over_quota
FROM tiers t
CROSS JOIN rule_setting s
LEFT JOIN members m USING (tier)
GROUP BY t.ord, t.tier, s.tier1_ranks, s.tier2_ranks, s.tier3_ranks, s.reward_tier1,
    s.reward_tier2, s.reward_tier3, s.reward_pass
ORDER BY t.ord
"""


def annual_table(con: duckdb.DuckDBPyConnection, area: str, year: int) -> pd.DataFrame:
    """The year's ranking, one row per registry grid, incomplete grids last."""
    return con.execute(ANNUAL_TABLE.format(source="annual_ranking"), {"area": area, "year": int(year)}).df()


def annual_summary(con: duckdb.DuckDBPyConnection, area: str, year: int) -> pd.DataFrame:
    """Per tier (一类 … 不达标, then 未完成): grids, quota, reward_each, total_yuan,
    over_quota. The money to budget is total_yuan.sum()."""
    return con.execute(ANNUAL_SUMMARY.format(source="annual_ranking"), {"area": area, "year": int(year)}).df()


def _what_if_params(
    area: str, year: int, w_routine: float, pass_mark: float, w_year_end: float | None
) -> dict:
    w2 = (1.0 - float(w_routine)) if w_year_end is None else float(w_year_end)
    return {"area": area, "year": int(year), "w_routine": float(w_routine), "w_year_end": w2,
            "pass_mark": float(pass_mark)}  # fmt: skip


def annual_what_if(
    con: duckdb.DuckDBPyConnection,
    area: str,
    year: int,
    w_routine: float,
    pass_mark: float,
    w_year_end: float | None = None,
) -> pd.DataFrame:
    """annual_table as it would be with other weights or pass mark (DOMAIN §5), computed by the
    view's own macro; nothing is stored. The year-end weight is 1 − w_routine unless given."""
    params = _what_if_params(area, year, w_routine, pass_mark, w_year_end)
    return con.execute(ANNUAL_TABLE.format(source=ASSESSMENT), params).df()


def annual_what_if_summary(
    con: duckdb.DuckDBPyConnection,
    area: str,
    year: int,
    w_routine: float,
    pass_mark: float,
    w_year_end: float | None = None,
) -> pd.DataFrame:
    """annual_summary of annual_what_if."""
    params = _what_if_params(area, year, w_routine, pass_mark, w_year_end)
    return con.execute(ANNUAL_SUMMARY.format(source=ASSESSMENT), params).df()


# DOMAIN §5 for a year in progress: annual_assessment with project_year_end (a grid without its
# year-end score is projected at its routine average), and needed_for_rank for the year-end
# score that reaches each tier's rank limit (both macros of views.sql).
PROVISIONAL = """
WITH a AS (
    SELECT * FROM annual_assessment(project_year_end := true) WHERE area = $area AND year = $year
),
f AS (
    SELECT a.*, list_sort(list_filter(list(a.composite) OVER (), lambda x: x IS NOT NULL), 'DESC') AS field
    FROM a
),
n AS (
    SELECT f.*, f.routine_avg IS NOT NULL AND f.year_end IS NULL AS pending,
        s.weight_routine AS w1, s.weight_year_end AS w2, s.pass_mark AS pm,
        s.tier1_ranks, s.tier2_ranks, s.tier3_ranks
    FROM f CROSS JOIN rule_setting s
),
k AS (
    SELECT *,
        CASE WHEN pending THEN needed_year_end(routine_avg, pm, w1, w2) END AS needed_pass,
        nth_best_other(composite, field, tier3_ranks) AS k3,
        nth_best_other(composite, field, tier2_ranks) AS k2,
        nth_best_other(composite, field, tier1_ranks) AS k1
    FROM n
),
y AS (
    SELECT *,
        needed_year_end(routine_avg, k3, w1, w2) AS y3,
        needed_year_end(routine_avg, k2, w1, w2) AS y2,
        needed_year_end(routine_avg, k1, w1, w2) AS y1
    FROM k
),
needs AS (
    SELECT *,
        needed_for_rank(needed_pass, k3, y3) AS needed_tier3,
        needed_for_rank(needed_pass, k2, y2) AS needed_tier2,
        needed_for_rank(needed_pass, k1, y1) AS needed_tier1,
        CASE tier WHEN '不达标' THEN '达标' WHEN '达标' THEN '三类' WHEN '三类' THEN '二类'
            WHEN '二类' THEN '一类' END AS next_tier
    FROM y
)
SELECT needs.grid_code, g.grid_name, g.leader_name, needs.n_months, needs.routine_avg, needs.year_end,
    needs.composite AS projected_composite,
    needs.rank AS provisional_rank,
    needs.tier AS provisional_tier,
    needs.next_tier,
    CASE next_tier WHEN '达标' THEN needed_pass WHEN '三类' THEN needed_tier3
        WHEN '二类' THEN needed_tier2 WHEN '一类' THEN needed_tier1 END AS needed_next,
    needed_pass, needed_tier3, needed_tier2, needed_tier1
FROM needs
JOIN grid g ON g.area = needs.area AND g.grid_code = needs.grid_code
ORDER BY provisional_rank NULLS LAST, g.sort_order
"""


def provisional_standing(con: duckdb.DuckDBPyConnection, area: str, year: int) -> pd.DataFrame:
    """Standing in a year still in progress, and the year-end score each grid needs.

    Assumption (to show to users): a grid whose year-end score is not in yet keeps its
    level, i.e. its projected composite is round(w1·avg + w2·avg, 2) with avg its routine
    average so far; a grid with its year-end score has its real composite. Grids with no
    monthly score yet are not projected.

    To reach a tier whose rank limit is L, grid g needs a composite at least equal to the
    L-th best projected composite among the *other* grids (then at most L − 1 others are
    strictly above it, so its competition rank is ≤ L), and at least the pass mark. Solving
    w1·avg + w2·x ≥ target for x gives the needed year-end score, rounded up to 2 decimals
    and clamped at 0; None when above 100 (unreachable). All of it is SQL (PROVISIONAL).

    Columns: grid_code, grid_name, leader_name, n_months, routine_avg, year_end,
    projected_composite, provisional_rank, provisional_tier, next_tier, needed_next (the
    score needed for next_tier), needed_pass, needed_tier3, needed_tier2, needed_tier1.
    The needed_* values are None for a grid whose year-end score is already in (final).
    """
    frame = con.execute(PROVISIONAL, {"area": area, "year": int(year)}).df()
    for column in ["needed_next", "needed_pass", "needed_tier3", "needed_tier2", "needed_tier1",
                   "projected_composite"]:  # fmt: skip
        frame[column] = pd.array(frame[column].tolist(), dtype="Float64")
    frame["provisional_rank"] = pd.array(frame["provisional_rank"].tolist(), dtype="Int64")
    return frame


# ------------------------------------------------------------------------------------------
# Monthly work report (DOMAIN §6)

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


def _pivot_months(
    df: pd.DataFrame, value: str, keys: Sequence[str] = ("grid_code", "grid_name")
) -> pd.DataFrame:
    """grid rows × 'YYYY-MM' columns, registry order kept."""
    if df.empty:
        return pd.DataFrame(columns=list(keys))
    df = df.assign(month_label=[_month_label(m) for m in df["month"]])
    order = df.drop_duplicates("grid_code")[list(keys)].reset_index(drop=True)
    wide = df.pivot(index="grid_code", columns="month_label", values=value)
    wide = wide[sorted(wide.columns)]
    wide.columns = [str(c) for c in wide.columns]
    return order.merge(wide, left_on="grid_code", right_index=True, how="left")


def report_matrix(con: duckdb.DuckDBPyConnection, area: str, year: int) -> pd.DataFrame:
    """Grid rows × month columns ('2018-05') holding 按时/逾期/未报送/待报送, then the counts
    on_time, late, missing, pending per grid."""
    df = con.execute(REPORT_YEAR, [area, int(year)]).df()
    wide = _pivot_months(df, "status")
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


# ------------------------------------------------------------------------------------------
# Volunteer service (DOMAIN §7)

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
    wide = _pivot_months(df, measure)
    if df.empty:
        return wide
    totals = df.groupby("grid_code").agg(
        total_activities=("activities", "sum"),
        total_participants=("participants", "sum"),
        total_hours=("hours", "sum"),
        months_short=("falls_short", "sum"),
    )
    return wide.merge(totals, left_on="grid_code", right_index=True, how="left")


# ------------------------------------------------------------------------------------------
# Patrol findings ledger (DOMAIN §8)

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
