"""The annual assessment (DOMAIN §5): the year's ranking and tiers, the money per tier, the
what-if with other weights or pass mark, and the standing of a year still in progress."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

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


@dataclass(frozen=True)
class AnnualRules:
    """The settings behind DOMAIN §5 (stored in `setting`, defaults in views.sql)."""

    w_routine: float
    w_year_end: float
    pass_mark: float
    limits: tuple[int, int, int]  # last rank of 一类, 二类, 三类
    amounts: tuple[int, int, int, int]  # reward per grid: 一类, 二类, 三类, 达标


RULES = """
SELECT weight_routine, weight_year_end, pass_mark, tier1_ranks, tier2_ranks, tier3_ranks,
    reward_tier1, reward_tier2, reward_tier3, reward_pass
FROM rule_setting
"""


def annual_rules(con: duckdb.DuckDBPyConnection) -> AnnualRules:
    """The stored (effective) annual assessment settings."""
    r = con.execute(RULES).fetchall()[0]
    return AnnualRules(
        w_routine=float(r[0]),
        w_year_end=float(r[1]),
        pass_mark=float(r[2]),
        limits=(int(r[3]), int(r[4]), int(r[5])),
        amounts=(int(r[6]), int(r[7]), int(r[8]), int(r[9])),
    )
