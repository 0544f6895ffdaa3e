"""DOMAIN §4: monthly rank, missing grids, bottom three, streaks; supersede and revert.

Every expected figure is computed by hand from the rows written in the test.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from test_rules_support import AREA, Store, month, store_fixture  # noqa: F401

from etl.rules import calendar, rankings, trends

RANKING = """
SELECT grid_code, total, rank, n_ranked, bottom_three, streak, missing
FROM monthly_ranking WHERE area = ? AND month = ? ORDER BY grid_code
"""


def ranking(s: Store, mon: str, area: str = AREA) -> dict[str, dict[str, Any]]:
    cols = ["total", "rank", "n_ranked", "bottom_three", "streak", "missing"]
    return {r[0]: dict(zip(cols, r[1:], strict=True)) for r in s.rows(RANKING, [area, month(mon)])}


def column(s: Store, mon: str, name: str) -> dict[str, Any]:
    return {code: row[name] for code, row in ranking(s, mon).items()}


def test_competition_rank_with_a_tie_in_the_middle(store: Store) -> None:
    store.registry(5)
    store.scores("2018-05", {"G01": 95, "G02": 90, "G03": 90, "G04": 85, "G05": 70})
    assert column(store, "2018-05", "rank") == {"G01": 1, "G02": 2, "G03": 2, "G04": 4, "G05": 5}
    assert set(column(store, "2018-05", "n_ranked").values()) == {5}


def test_float_noise_in_totals_does_not_break_a_tie(store: Store) -> None:
    store.registry(3)
    # 70.1 + 0.2 as summed from items is 70.30000000000001
    store.scores("2018-05", {"G01": 70.1 + 0.2, "G02": 70.3, "G03": 60})
    assert column(store, "2018-05", "rank") == {"G01": 1, "G02": 1, "G03": 3}
    assert column(store, "2018-05", "total")["G01"] == 70.3


def test_bottom_three_domain_example(store: Store) -> None:
    # DOMAIN §4: totals 91, 88, 80, 80, 75 → bottom three = 80, 80, 75
    store.registry(5)
    store.scores("2018-05", {"G01": 91, "G02": 88, "G03": 80, "G04": 80, "G05": 75})
    assert column(store, "2018-05", "bottom_three") == {
        "G01": False,
        "G02": False,
        "G03": True,
        "G04": True,
        "G05": True,
    }


def test_bottom_three_tie_at_the_edge_takes_more_than_three(store: Store) -> None:
    # 91, 80, 80, 80, 75, 70: each 80 has only 2 strictly lower → all three 80s are in: 5 grids
    store.registry(6)
    store.scores("2018-05", {"G01": 91, "G02": 80, "G03": 80, "G04": 80, "G05": 75, "G06": 70})
    bottom = column(store, "2018-05", "bottom_three")
    assert sorted(k for k, v in bottom.items() if v) == ["G02", "G03", "G04", "G05", "G06"]
    assert column(store, "2018-05", "rank") == {
        "G01": 1, "G02": 2, "G03": 2, "G04": 2, "G05": 5, "G06": 6,
    }  # fmt: skip


def test_tie_at_the_very_bottom(store: Store) -> None:
    # 95, 90, 85, 70, 70: the two 70s have 0 lower, 85 has 2 lower → bottom three 85, 70, 70
    store.registry(5)
    store.scores("2018-05", {"G01": 95, "G02": 90, "G03": 85, "G04": 70, "G05": 70})
    bottom = column(store, "2018-05", "bottom_three")
    assert sorted(k for k, v in bottom.items() if v) == ["G03", "G04", "G05"]
    assert column(store, "2018-05", "rank")["G04"] == 4
    assert column(store, "2018-05", "rank")["G05"] == 4


def test_missing_grid_is_shown_not_ranked(store: Store) -> None:
    store.registry(5)
    store.scores("2018-05", {"G01": 95, "G02": 90, "G03": 85, "G04": 80})
    r = ranking(store, "2018-05")
    assert r["G05"] == {
        "total": None,
        "rank": None,
        "n_ranked": 4,
        "bottom_three": False,
        "streak": 0,
        "missing": True,
    }
    assert r["G04"]["rank"] == 4 and r["G04"]["n_ranked"] == 4
    # with 4 ranked, bottom three = the 3 lowest ranked; the missing grid is not among them
    assert sorted(k for k, v in r.items() if v["bottom_three"]) == ["G02", "G03", "G04"]


def test_three_or_fewer_ranked_all_bottom_three(store: Store) -> None:
    store.registry(5)
    store.scores("2018-05", {"G01": 95, "G02": 60, "G03": 70})
    bottom = column(store, "2018-05", "bottom_three")
    assert bottom == {"G01": True, "G02": True, "G03": True, "G04": False, "G05": False}


def test_scores_of_grids_outside_the_registry_are_ignored(store: Store) -> None:
    store.registry(4)
    store.scores("2018-05", {"G01": 95, "G02": 90, "G03": 85, "G04": 80, "G99": 10})
    r = ranking(store, "2018-05")
    assert "G99" not in r
    assert r["G01"]["n_ranked"] == 4
    assert r["G01"]["bottom_three"] is False  # 3 ranked registry grids are lower
    assert sorted(k for k, v in r.items() if v["bottom_three"]) == ["G02", "G03", "G04"]


def test_only_checked_months_have_rows(store: Store) -> None:
    store.registry(2)
    store.scores("2018-05", {"G01": 90, "G02": 80})
    store.scores("2018-07", {"G01": 90})
    assert calendar.months(store.con, AREA) == [month("2018-05"), month("2018-07")]
    assert store.one("SELECT count(*) FROM monthly_ranking WHERE area = ?", [AREA]) == 4


def _bottom_streak_area(store: Store, months: list[str], g05_missing: set[str]) -> None:
    """5 grids; G05 lowest every month, except months where it is missing."""
    store.registry(5)
    for mon in months:
        totals = {"G01": 95.0, "G02": 90.0, "G03": 88.0, "G04": 85.0, "G05": 60.0}
        if mon in g05_missing:
            del totals["G05"]
        store.scores(mon, totals)


def test_streak_counts_consecutive_checks_and_missing_breaks_it(store: Store) -> None:
    months = ["2018-04", "2018-05", "2018-06", "2018-07", "2018-08"]
    _bottom_streak_area(store, months, g05_missing={"2018-07"})
    streak = {m: column(store, m, "streak")["G05"] for m in months}
    assert streak == {"2018-04": 1, "2018-05": 2, "2018-06": 3, "2018-07": 0, "2018-08": 1}
    assert column(store, "2018-07", "missing")["G05"] is True
    # G01 never in the bottom three
    assert {column(store, m, "streak")["G01"] for m in months} == {0}
    # G02 (90) has 3 lower while G05 is there, only 2 lower in July → bottom three in July
    assert [column(store, m, "streak")["G02"] for m in months] == [0, 0, 0, 1, 0]


def test_status_text_names_missing_bottom_and_streaks(store: Store) -> None:
    months = ["2018-04", "2018-05", "2018-06", "2018-07", "2018-08"]
    _bottom_streak_area(store, months, g05_missing={"2018-07"})
    status = {
        m: rankings.month_ranking(store.con, AREA, m).set_index("grid_code")["status_text"] for m in months
    }
    assert [status[m]["G05"] for m in months] == [
        "末位",
        "末位（连续2次）",
        "末位（连续3次）",
        "缺检",
        "末位",
    ]
    assert {status[m]["G01"] for m in months} == {""}


def test_streak_of_four_across_december_january(store: Store) -> None:
    months = ["2018-10", "2018-11", "2018-12", "2019-01"]
    _bottom_streak_area(store, months, g05_missing=set())
    assert column(store, "2019-01", "streak")["G05"] == 4
    warnings = rankings.streak_warnings(store.con, AREA, "2019-01")
    # G03 88 and G04 85 are bottom three every month too (fewer than 3 below them)
    assert warnings.set_index("grid_code")["streak"].to_dict() == {"G05": 4, "G04": 4, "G03": 4}
    assert warnings.iloc[0]["leader_name"] in {"领导05", "领导04", "领导03"}
    assert rankings.streak_warnings(store.con, AREA, "2018-11").empty  # streak 2 only


def test_month_without_any_check_does_not_break_a_streak(store: Store) -> None:
    # No check at all in August: the checks are July then September, consecutive
    months = ["2018-06", "2018-07", "2018-09"]
    _bottom_streak_area(store, months, g05_missing=set())
    assert column(store, "2018-09", "streak")["G05"] == 3


def test_rank_change_against_previous_check(store: Store) -> None:
    store.registry(3)
    store.scores("2018-05", {"G01": 90, "G02": 80, "G03": 70})
    store.scores("2018-06", {"G01": 70, "G02": 80})
    store.scores("2018-07", {"G01": 95, "G02": 80, "G03": 60})
    changes = rankings.rank_changes(store.con, AREA, "2018-06").set_index("grid_code")
    assert changes.loc["G01", "rank_change"] == -1  # 1 → 2: moved down
    assert changes.loc["G02", "rank_change"] == 1  # 2 → 1: moved up
    assert changes.loc["G03", "missing"]
    assert pd.isna(changes.loc["G03", "rank_change"])
    july = rankings.rank_changes(store.con, AREA, "2018-07").set_index("grid_code")
    assert july.loc["G01", "rank_change"] == 1
    assert pd.isna(july.loc["G03", "rank_change"])  # missing the month before


def test_month_ranking_table_with_categories(store: Store) -> None:
    store.registry(3)
    store.rubric()
    store.scores(
        "2018-05",
        {"G01": 27.5, "G02": 30, "G03": 20},
        items={
            "G01": {"A1": 9, "A2": 18.5},  # 0.9, 0.925
            "G02": {"A1": 10, "A2": 20},  # 1.0, 1.0: tie → first in rubric order
            "G03": {"A1": 5, "A2": 15},  # 0.5, 0.75
        },
    )
    table = rankings.month_ranking(store.con, AREA, month("2018-05"))
    assert list(table["grid_code"]) == ["G02", "G01", "G03"]
    cols = list(table.columns)
    assert cols.index("公益宣传") < cols.index("环境卫生") < cols.index("total")
    row = table.set_index("grid_code").loc["G01"]
    assert row["公益宣传"] == 9 and row["环境卫生"] == 18.5 and row["total"] == 27.5
    assert row["grid_name"] == "第01网格" and row["leader_name"] == "领导01"
    assert row["lead_unit"] == "牵头单位01" and row["big_grid"] == "西片"
    assert row["best_category"] == "环境卫生" and row["worst_category"] == "公益宣传"
    best = table.set_index("grid_code").loc["G02"]
    assert best["best_category"] == "公益宣传" and best["worst_category"] == "公益宣传"
    every = rankings.category_extremes(store.con, AREA)  # all months
    assert every.set_index("grid_code")["worst_ratio"].to_dict() == {"G01": 0.9, "G02": 1.0, "G03": 0.5}


def test_month_ranking_lists_missing_grids_last(store: Store) -> None:
    store.registry(3)
    store.scores("2018-05", {"G02": 80, "G03": 90})
    table = rankings.month_ranking(store.con, AREA, "2018-05")
    assert list(table["grid_code"]) == ["G03", "G02", "G01"]
    assert list(table["missing"]) == [False, False, True]


def test_areas_are_ranked_separately(store: Store) -> None:
    store.registries({"县城": ["G01", "G02"], "江尾镇": ["J01", "J02"]})
    store.scores("2018-05", {"G01": 90, "G02": 80}, area="县城")
    store.scores("2018-05", {"J01": 50, "J02": 60}, area="江尾镇")
    assert calendar.areas(store.con) == ["县城", "江尾镇"]
    assert column(store, "2018-05", "rank") == {"G01": 1, "G02": 2}
    town = ranking(store, "2018-05", area="江尾镇")
    assert {k: v["rank"] for k, v in town.items()} == {"J01": 2, "J02": 1}


def test_grid_history_with_area_average(store: Store) -> None:
    store.registry(3)
    store.rubric()
    store.scores("2018-05", {"G01": 90, "G02": 80, "G03": 70}, items={"G01": {"A1": 8}})
    store.scores("2018-06", {"G01": 85, "G02": 95})
    hist = trends.grid_history(store.con, AREA, ["G01", "G03"])
    ranks = hist.totals[["grid_code", "rank"]].astype(object).replace({pd.NA: None})
    assert ranks.values.tolist() == [["G01", 1], ["G03", 3], ["G01", 2], ["G03", None]]
    assert hist.averages["area_avg"].tolist() == [80.0, 90.0]
    assert hist.averages["n_ranked"].tolist() == [3, 2]
    assert hist.categories[["grid_code", "category", "score"]].values.tolist() == [["G01", "公益宣传", 8.0]]


# -- supersede and revert (DATA_CONTRACT §2, through the cur_* views) -----------------------


def test_newer_batch_supersedes_only_its_grids_and_revert_restores(store: Store) -> None:
    store.registry(3)
    store.scores("2018-05", {"G01": 90, "G02": 80, "G03": 70})
    fix = store.scores("2018-05", {"G03": 95})  # corrected sheet for G03 only
    assert column(store, "2018-05", "total") == {"G01": 90, "G02": 80, "G03": 95}
    assert column(store, "2018-05", "rank") == {"G01": 2, "G02": 3, "G03": 1}
    store.revert(fix)
    assert column(store, "2018-05", "total") == {"G01": 90, "G02": 80, "G03": 70}
    assert column(store, "2018-05", "rank") == {"G01": 1, "G02": 2, "G03": 3}


def test_reverting_the_only_batch_of_a_month_removes_the_check(store: Store) -> None:
    store.registry(2)
    store.scores("2018-05", {"G01": 90, "G02": 80})
    june = store.scores("2018-06", {"G01": 90, "G02": 80})
    store.revert(june)
    assert calendar.months(store.con, AREA) == [month("2018-05")]


def test_newer_registry_replaces_the_grid_list(store: Store) -> None:
    store.registry(2)
    store.scores("2018-05", {"G01": 90, "G02": 80, "G03": 70})
    assert set(ranking(store, "2018-05")) == {"G01", "G02"}
    store.registry(3)
    assert column(store, "2018-05", "rank") == {"G01": 1, "G02": 2, "G03": 3}


def test_top_three_is_rank_one_to_three_with_ties_and_never_a_missing_grid(store: Store) -> None:
    # 95, 90, 90, 88, 88, 70 and G07 missing: ranks 1, 2, 2, 4, 4, 6 → the front is G01–G03
    store.registry(7)
    store.scores("2018-05", {"G01": 95, "G02": 90, "G03": 90, "G04": 88, "G05": 88, "G06": 70})
    flags = dict(
        store.rows("SELECT grid_code, top_three FROM monthly_ranking WHERE month = ?", [month("2018-05")])
    )
    assert flags == {"G01": True, "G02": True, "G03": True, "G04": False, "G05": False, "G06": False,
                     "G07": False}  # fmt: skip
    # 95, 90, 90, 90, 80, 70, 60: the tie at rank 2 takes four grids into the front
    store.scores("2018-06", {"G01": 95, "G02": 90, "G03": 90, "G04": 90, "G05": 80, "G06": 70, "G07": 60})
    front = store.rows("SELECT grid_code FROM monthly_ranking WHERE month = ? AND top_three ORDER BY 1",
                       [month("2018-06")])  # fmt: skip
    assert [r[0] for r in front] == ["G01", "G02", "G03", "G04"]
    shown = rankings.month_ranking(store.con, AREA, "2018-06")
    assert shown.loc[shown["top_three"], "grid_code"].tolist() == ["G01", "G02", "G03", "G04"]


def test_a_grid_in_the_bottom_three_is_never_also_in_the_front(store: Store) -> None:
    # Five ranked grids 95, 90, 90, 90, 80: each 90 has one grid strictly lower, so the three
    # 90s are in the bottom three (DOMAIN §4) though ranked 2nd; the front is G01 alone.
    store.registry(5)
    store.scores("2018-06", {"G01": 95, "G02": 90, "G03": 90, "G04": 90, "G05": 80})
    assert column(store, "2018-06", "bottom_three") == {"G01": False, "G02": True, "G03": True, "G04": True,
                                                        "G05": True}  # fmt: skip
    flags = dict(
        store.rows("SELECT grid_code, top_three FROM monthly_ranking WHERE month = ?", [month("2018-06")])
    )
    assert flags == {"G01": True, "G02": False, "G03": False, "G04": False, "G05": False}
    # The DOMAIN example, 91, 88, 80, 80, 75: the 80s ranked 3rd are bottom three, not front.
    store.scores("2018-07", {"G01": 91, "G02": 88, "G03": 80, "G04": 80, "G05": 75})
    top, bottom = rankings.podium(rankings.month_ranking(store.con, AREA, "2018-07"))
    assert top["grid_code"].tolist() == ["G01", "G02"]
    assert bottom["grid_code"].tolist() == ["G03", "G04", "G05"]
