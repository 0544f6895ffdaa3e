"""DOMAIN §5: routine average, composite, annual rank, tiers, quota, rewards, projection."""

from __future__ import annotations

from typing import Any

import pandas as pd
from test_rules_support import AREA, Store, store_fixture  # noqa: F401

from etl.rules import assessment, calendar
from etl.rules.settings import set_setting

ANNUAL = """
SELECT grid_code, routine_avg, year_end, composite, rank, tier, reward_yuan, over_quota,
    incomplete
FROM annual_ranking WHERE area = ? AND year = ? ORDER BY grid_code
"""
COLS = ["routine_avg", "year_end", "composite", "rank", "tier", "reward_yuan", "over_quota"]
COLS.append("incomplete")


def annual(s: Store, year: int) -> dict[str, dict[str, Any]]:
    return {r[0]: dict(zip(COLS, r[1:], strict=True)) for r in s.rows(ANNUAL, [AREA, year])}


def field(s: Store, year: int, name: str) -> dict[str, Any]:
    return {code: row[name] for code, row in annual(s, year).items()}


# Composite = routine average = year-end score, so the composite is the number itself.
SCENARIO = {
    "G01": 95,  # rank 1  一类
    "G02": 93,  # rank 2  一类
    "G03": 90,  # rank 3  二类
    "G04": 90,  # rank 3  二类
    "G05": 88,  # rank 5  二类
    "G06": 86,  # rank 6  二类
    "G07": 86,  # rank 6  二类 → five grids in a tier of four: over quota
    "G08": 84,  # rank 8  三类
    "G09": 82,  # rank 9  三类
    "G10": 59,  # rank 10, under the pass mark → 不达标 although inside the top 12
    "G11": 55,  # rank 11 不达标
}


def scenario(store: Store) -> None:
    store.registry(13)
    store.scores("2018-06", {**SCENARIO, "G12": 75})  # G12: no year-end score
    store.annual(2018, {**SCENARIO, "G13": 99})  # G13: no monthly score


def test_tiers_ranks_and_rewards(store: Store) -> None:
    scenario(store)
    rank = field(store, 2018, "rank")
    assert [rank[f"G{i:02d}"] for i in range(1, 12)] == [1, 2, 3, 3, 5, 6, 6, 8, 9, 10, 11]
    tier = field(store, 2018, "tier")
    assert [tier[f"G{i:02d}"] for i in range(1, 12)] == (
        ["一类"] * 2 + ["二类"] * 5 + ["三类"] * 2 + ["不达标"] * 2
    )
    reward = field(store, 2018, "reward_yuan")
    assert reward["G01"] == 20000 and reward["G05"] == 15000 and reward["G09"] == 10000
    assert reward["G10"] == 0 and reward["G11"] == 0


def test_tie_at_tier_boundary_marks_the_whole_tier_over_quota(store: Store) -> None:
    scenario(store)
    over = field(store, 2018, "over_quota")
    assert sorted(k for k, v in over.items() if v) == ["G03", "G04", "G05", "G06", "G07"]


def test_incomplete_grids_are_not_ranked(store: Store) -> None:
    scenario(store)
    rows = annual(store, 2018)
    assert rows["G12"] == {
        "routine_avg": 75.0,
        "year_end": None,
        "composite": None,
        "rank": None,
        "tier": None,
        "reward_yuan": None,
        "over_quota": False,
        "incomplete": True,
    }
    assert rows["G13"]["routine_avg"] is None and rows["G13"]["year_end"] == 99
    assert rows["G13"]["rank"] is None and rows["G13"]["incomplete"] is True


def test_annual_summary_counts_and_money(store: Store) -> None:
    scenario(store)
    summary = assessment.annual_summary(store.con, AREA, 2018).set_index("tier")
    assert summary["grids"].to_dict() == {
        "一类": 2, "二类": 5, "三类": 2, "达标": 0, "不达标": 2, "未完成": 2,
    }  # fmt: skip
    assert summary.loc["二类", "quota"] == 4 and summary.loc["二类", "over_quota"]
    assert not summary.loc["一类", "over_quota"]
    assert summary["total_yuan"].to_dict() == {
        "一类": 40000, "二类": 75000, "三类": 20000, "达标": 0, "不达标": 0, "未完成": 0,
    }  # fmt: skip
    assert summary["total_yuan"].sum() == 135000
    table = assessment.annual_table(store.con, AREA, 2018)
    assert list(table["grid_code"][:3]) == ["G01", "G02", "G03"]
    assert list(table["grid_code"][-2:]) == ["G12", "G13"]  # incomplete last


def test_settings_change_tiers_at_once(store: Store) -> None:
    scenario(store)
    set_setting(store.con, "tier3_ranks", 8)
    tier = field(store, 2018, "tier")
    assert tier["G08"] == "三类" and tier["G09"] == "达标"
    assert field(store, 2018, "reward_yuan")["G09"] == 5000
    set_setting(store.con, "pass_mark", 56)
    assert field(store, 2018, "tier")["G10"] == "达标"  # 59 ≥ 56, rank 10 > 8
    set_setting(store.con, "reward_tier1", 30000)
    assert field(store, 2018, "reward_yuan")["G01"] == 30000
    summary = assessment.annual_summary(store.con, AREA, 2018).set_index("tier")
    # 一类 2 × 30000, 二类 5 × 15000, 三类 1 × 10000 (G08), 达标 2 × 5000 (G09, G10)
    assert summary["total_yuan"].sum() == 60000 + 75000 + 10000 + 10000


def test_routine_average_skips_missing_months(store: Store) -> None:
    store.registry(2)
    store.scores("2018-05", {"G01": 90, "G02": 70})
    store.scores("2018-06", {"G02": 72})  # G01 missing: not a zero
    store.scores("2018-07", {"G01": 80, "G02": 74})
    store.annual(2018, {"G01": 70, "G02": 90})
    rows = annual(store, 2018)
    assert rows["G01"]["routine_avg"] == 85.0  # (90 + 80) / 2
    assert rows["G01"]["composite"] == 79.0  # 0.6 × 85 + 0.4 × 70
    assert rows["G02"]["routine_avg"] == 72.0
    assert rows["G02"]["composite"] == 79.2  # 0.6 × 72 + 0.4 × 90
    assert field(store, 2018, "rank") == {"G01": 2, "G02": 1}


def test_composite_rounds_half_up_and_rank_uses_the_rounded_value(store: Store) -> None:
    store.registry(3)
    store.scores("2018-05", {"G01": 85.0, "G02": 87.13, "G03": 80})
    store.scores("2018-06", {"G01": 85.25})
    store.annual(2018, {"G01": 90, "G02": 87, "G03": 80})
    c = field(store, 2018, "composite")
    # G01: 0.6 × 85.125 + 0.4 × 90 = 87.075 (87.07499… in binary) → 87.08
    # G02: 0.6 × 87.13 + 0.4 × 87 = 87.078 → 87.08: equal after rounding → shared rank 1
    assert c == {"G01": 87.08, "G02": 87.08, "G03": 80.0}
    assert field(store, 2018, "rank") == {"G01": 1, "G02": 1, "G03": 3}
    set_setting(store.con, "weight_routine", "0.5")  # weight_year_end becomes 0.5
    c = field(store, 2018, "composite")
    # G01: 0.5 × 85.125 + 0.5 × 90 = 87.5625 → 87.56; G02: 87.065 → 87.07
    assert c == {"G01": 87.56, "G02": 87.07, "G03": 80.0}


def test_ties_in_first_tier_put_three_grids_in_a_tier_of_two(store: Store) -> None:
    store.registry(4)
    store.scores("2018-05", {"G01": 90, "G02": 90, "G03": 90, "G04": 80})
    store.annual(2018, {"G01": 90, "G02": 90, "G03": 90, "G04": 80})
    assert field(store, 2018, "tier") == {"G01": "一类", "G02": "一类", "G03": "一类", "G04": "二类"}
    assert field(store, 2018, "over_quota") == {"G01": True, "G02": True, "G03": True, "G04": False}


def test_a_year_with_only_year_end_scores_has_incomplete_rows(store: Store) -> None:
    store.registry(2)
    store.scores("2018-05", {"G01": 90, "G02": 80})
    store.annual(2019, {"G01": 90})
    assert calendar.years(store.con, AREA) == [2018, 2019]
    rows = annual(store, 2019)
    assert set(rows) == {"G01", "G02"}
    assert all(r["incomplete"] for r in rows.values())


def test_provisional_standing_needed_year_end_scores(store: Store) -> None:
    store.registry(5)
    store.scores("2019-05", {"G01": 90, "G02": 80, "G03": 70, "G04": 50, "G05": 85})
    store.annual(2019, {"G05": 95})  # G05 already final: 0.6 × 85 + 0.4 × 95 = 89
    df = assessment.provisional_standing(store.con, AREA, 2019).set_index("grid_code")

    def val(code: str, col: str) -> Any:
        v = df.loc[code, col]
        return None if pd.isna(v) else v

    # Projected: G01 90, G05 89, G02 80, G03 70, G04 50
    assert df["provisional_rank"].to_dict() == {"G01": 1, "G05": 2, "G02": 3, "G03": 4, "G04": 5}
    assert df["provisional_tier"].to_dict() == {
        "G01": "一类", "G05": "一类", "G02": "二类", "G03": "二类", "G04": "不达标",
    }  # fmt: skip
    # G04: pass mark 60 needs (60 − 0.6 × 50) / 0.4 = 75; 一类 needs to tie the 2nd best
    # other (89): (89 − 30) / 0.4 = 147.5 > 100 → unreachable
    assert val("G04", "next_tier") == "达标" and val("G04", "needed_next") == 75.0
    assert val("G04", "needed_tier1") is None
    # G03: 一类 needs (89 − 42) / 0.4 = 117.5 → unreachable; 二类 (6 places, 4 others): pass
    assert val("G03", "needed_tier2") == 45.0 and val("G03", "needed_next") is None
    # G01 stays 一类 with ≥ (80 − 54) / 0.4 = 65 (2nd best other is G02's 80)
    assert val("G01", "needed_tier1") == 65.0 and val("G01", "next_tier") is None
    # G05 is final
    assert val("G05", "needed_tier1") is None and val("G05", "projected_composite") == 89.0


def test_provisional_needed_score_rounds_up_and_clamps_at_zero(store: Store) -> None:
    store.registry(2)
    store.scores("2019-05", {"G01": 100, "G02": 66.1})
    df = assessment.provisional_standing(store.con, AREA, 2019).set_index("grid_code")
    # G01: pass needs (60 − 60) / 0.4 = 0; 一类 with 1 other (< 2 places) → pass only → 0
    assert df.loc["G01", "needed_pass"] == 0.0 and df.loc["G01", "needed_tier1"] == 0.0
    # G02: (60 − 39.66) / 0.4 = 50.85
    assert df.loc["G02", "needed_pass"] == 50.85
