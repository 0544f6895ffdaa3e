"""Pure helpers and read functions behind the issue-4 pages: the annual what-if (DOMAIN §5)
equals the annual_ranking view, rates carry their counts, registry and matrices as shown."""

from __future__ import annotations

import pandas as pd
import pytest
from test_rules_support import AREA, Store, store_fixture  # noqa: F401

from etl import board, queries
from etl.settings import set_setting

VIEW_COLUMNS = [
    "composite",
    "rank",
    "tier",
    "reward_yuan",
    "over_quota",
    "tier_quota",
    "tier_count",
    "incomplete",
]

SCENARIO = {  # composite = routine average = year-end score (see test_rules_annual)
    "G01": 95, "G02": 93, "G03": 90, "G04": 90, "G05": 88, "G06": 86, "G07": 86, "G08": 84,
    "G09": 82, "G10": 59, "G11": 55,
}  # fmt: skip


def scenario(store: Store) -> None:
    """Ties at a tier edge (二类 over quota), grids under the pass mark, incomplete grids."""
    store.registry(13)
    store.scores("2018-06", {**SCENARIO, "G12": 75})  # G12: no year-end score
    store.annual(2018, {**SCENARIO, "G13": 99})  # G13: no monthly score


def comparable(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Rows as plain Python values (NaN, NA and None all None), by grid."""
    out = []
    for r in frame.sort_values("grid_code").to_dict("records"):
        out.append(
            tuple(None if v is None or v is pd.NA or v != v else v for v in (r[c] for c in VIEW_COLUMNS))
        )
    return out


def what_if_at_stored(con: object, table: pd.DataFrame) -> pd.DataFrame:
    rules = board.annual_rules(con)  # type: ignore[arg-type]
    return board.annual_what_if(
        table, rules.w_routine, rules.pass_mark, rules.limits, rules.amounts, w_year_end=rules.w_year_end
    )


def test_what_if_at_default_settings_equals_the_view(store: Store) -> None:
    scenario(store)
    table = queries.annual_table(store.con, AREA, 2018)
    test = board.annual_what_if(table, 0.6, 60)  # the defaults of DOMAIN §5
    assert comparable(test) == comparable(table)
    assert sorted(test.loc[test["over_quota"], "grid_code"]) == ["G03", "G04", "G05", "G06", "G07"]
    assert list(test["grid_code"][-2:]) == ["G12", "G13"]  # incomplete last, as in the view


def test_what_if_equals_the_view_after_settings_change(store: Store) -> None:
    scenario(store)
    set_setting(store.con, "weight_routine", 0.7)
    set_setting(store.con, "pass_mark", 85)
    set_setting(store.con, "tier3_ranks", 8)
    set_setting(store.con, "reward_pass", 3000)
    table = queries.annual_table(store.con, AREA, 2018)
    test = what_if_at_stored(store.con, table)
    assert comparable(test) == comparable(table)
    summary = board.tier_summary(test, (2, 6, 8), (20000, 15000, 10000, 3000))
    stored = queries.annual_summary(store.con, AREA, 2018)
    pd.testing.assert_frame_equal(
        summary[["tier", "grids", "total_yuan", "over_quota"]],
        stored[["tier", "grids", "total_yuan", "over_quota"]],
        check_dtype=False,
    )


def test_what_if_rounds_like_the_view(store: Store) -> None:
    """87.075 is 87.07499… in binary: the view still gives 87.08, and so must the what-if."""
    store.registry(3)
    store.scores("2018-05", {"G01": 85.0, "G02": 87.13, "G03": 80})
    store.scores("2018-06", {"G01": 85.25})
    store.annual(2018, {"G01": 90, "G02": 87, "G03": 80})
    table = queries.annual_table(store.con, AREA, 2018)
    test = board.annual_what_if(table, 0.6, 60)
    assert comparable(test) == comparable(table)
    assert test.set_index("grid_code").loc["G01", "composite"] == 87.08


def test_what_if_changes_nothing_stored(store: Store) -> None:
    scenario(store)
    table = queries.annual_table(store.con, AREA, 2018)
    test = board.annual_what_if(table, 0.3, 90)
    tiers = dict(zip(test["grid_code"], test["tier"], strict=True))
    assert tiers["G03"] == "二类" and tiers["G05"] == "不达标"  # 90 ≥ 90 passes, 88 does not
    assert board.annual_rules(store.con).pass_mark == 60
    assert queries.annual_table(store.con, AREA, 2018)["tier"].tolist() == table["tier"].tolist()


def test_summary_of_the_view_matches_annual_summary(store: Store) -> None:
    scenario(store)
    table = queries.annual_table(store.con, AREA, 2018)
    mine = board.tier_summary(table)
    stored = queries.annual_summary(store.con, AREA, 2018)
    assert mine["total_yuan"].tolist() == stored["total_yuan"].tolist()
    assert mine["grids"].tolist() == stored["grids"].tolist()
    assert mine["over_quota"].tolist() == stored["over_quota"].tolist()


def test_annual_display_flags_conflicts_and_incomplete(store: Store) -> None:
    scenario(store)
    shown = board.annual_display(queries.annual_table(store.con, AREA, 2018)).set_index("网格")
    assert shown.loc["G05 第05网格", "备注"] == "名额冲突：二类超出1个"
    assert shown.loc["G12 第12网格", "备注"] == "未完成：缺年终考核得分"
    assert shown.loc["G13 第13网格", "备注"] == "未完成：本年无月度考核得分"
    assert shown.loc["G10 第10网格", "备注"] == "发督查整改通知书"
    assert shown.loc["G12 第12网格", "等次"] == "未完成"


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (17, 20, "85.0%（17/20）"),
        (5, 5, "100.0%（5/5）"),
        (3, 4, "75.0%（3/4） 样本少"),
        (0, 3, "0.0%（0/3） 样本少"),
        (0, 0, "—"),
        (None, None, "—"),
    ],
)
def test_rate_text_shows_the_count_and_small_samples(part: object, whole: object, text: str) -> None:
    assert board.rate_text(part, whole) == text


def test_screen_text_writes_a_dash_for_missing_numbers() -> None:
    frame = pd.DataFrame({"排名": pd.array([1, None], dtype="Int64"), "分": [96.4, float("nan")]})
    shown = board.screen_text(frame, {"排名": "{:d}", "分": "{:.2f}"})
    assert shown.to_dict("list") == {"排名": ["1", "—"], "分": ["96.40", "—"]}


def test_chart_matrix_labels_rows_and_months() -> None:
    wide = pd.DataFrame(
        {"grid_code": ["01", "02"], "grid_name": ["建设北路网格", "网格"], "2019-01": [1, 0], "2019-11": [2, 3],
         "total_activities": [3, 3]}
    )  # fmt: skip
    m = board.chart_matrix(wide, ["02"])
    assert list(m.index) == ["02 网格"] and list(m.columns) == ["1月", "11月"]
    assert list(board.chart_matrix(wide).index) == ["01 建设北路", "02 网格"]


def test_streak_summary_counts_bottom_three_months() -> None:
    totals = pd.DataFrame(
        {
            "month": pd.to_datetime(["2019-01-01", "2019-02-01", "2019-03-01", "2019-04-01"]),
            "grid_code": ["07"] * 4,
            "grid_name": ["华园路网格"] * 4,
            "missing": [False, False, True, False],
            "bottom_three": [True, True, False, True],
            "streak": [1, 2, 0, 1],
        }
    )
    row = board.streak_summary(totals, "2019-04").iloc[0].to_dict()
    assert row == {"网格": "07 华园路", "当前连续": 1, "最长连续": 2, "进入末位三名": 3,
                   "末位月份": "2019年1月、2019年2月、2019年4月", "考核次数": 4, "缺检次数": 1}  # fmt: skip


def test_registry_display_joins_units(store: Store) -> None:
    store.registry(2)
    shown = board.registry_display(board.registry(store.con, AREA))
    assert shown["责任单位"].tolist() == ["住建局、城管局", "住建局、城管局"]
    assert list(shown.columns)[:4] == ["编号", "网格名称", "大网格", "挂点县领导"]


@pytest.mark.parametrize(
    ("yuan", "text"), [(235000, "23.5 万元"), (240000, "24 万元"), (5000, "5,000 元"), (0, "0 元")]
)
def test_yuan_text(yuan: int, text: str) -> None:
    assert board.yuan_text(yuan) == text


def test_tier_summary_display_adds_the_total(store: Store) -> None:
    scenario(store)
    shown = board.tier_summary_display(queries.annual_summary(store.con, AREA, 2018)).set_index("等次")
    assert shown.loc["合计", "金额（元）"] == "135,000" and shown.loc["合计", "网格数"] == 13
    assert shown.loc["二类", "名额冲突"] == "是" and shown.loc["达标", "名额"] == "—"
