"""Read functions and display builders behind the issue-4 pages: the annual what-if (DOMAIN §5,
computed by the annual_assessment macro of views.sql with other settings), rates carry their
counts, registry and matrices as shown."""

from __future__ import annotations

import pandas as pd
import pytest
from test_rules_support import AREA, Store, store_fixture  # noqa: F401

from etl.output import tables
from etl.rules import assessment, registry
from etl.rules.settings import set_setting

SCENARIO = {  # composite = routine average = year-end score (see test_rules_annual)
    "G01": 95, "G02": 93, "G03": 90, "G04": 90, "G05": 88, "G06": 86, "G07": 86, "G08": 84,
    "G09": 82, "G10": 59, "G11": 55,
}  # fmt: skip


def scenario(store: Store) -> None:
    """Ties at a tier edge (二类 over quota), grids under the pass mark, incomplete grids."""
    store.registry(13)
    store.scores("2018-06", {**SCENARIO, "G12": 75})  # G12: no year-end score
    store.annual(2018, {**SCENARIO, "G13": 99})  # G13: no monthly score


def by_grid(frame: pd.DataFrame, column: str) -> dict[str, object]:
    return {c: (None if pd.isna(v) else v) for c, v in zip(frame["grid_code"], frame[column], strict=True)}


def test_what_if_with_a_higher_pass_mark_and_other_weights(store: Store) -> None:
    scenario(store)
    test = assessment.annual_what_if(store.con, AREA, 2018, 0.3, 90)
    # composite = average = year-end whatever the weights; pass mark 90: 90 passes, 88 does not
    assert by_grid(test, "tier") == {
        "G01": "一类", "G02": "一类", "G03": "二类", "G04": "二类", **dict.fromkeys(
            ["G05", "G06", "G07", "G08", "G09", "G10", "G11"], "不达标"), "G12": None, "G13": None,
    }  # fmt: skip
    assert by_grid(test, "rank")["G04"] == 3 and by_grid(test, "reward_yuan")["G05"] == 0
    assert not test["over_quota"].any()  # 二类 now holds 2 of its 4
    assert list(test["grid_code"][-2:]) == ["G12", "G13"]  # incomplete last, as in the view
    summary = assessment.annual_what_if_summary(store.con, AREA, 2018, 0.3, 90).set_index("tier")
    assert summary["grids"].to_dict() == {
        "一类": 2,
        "二类": 2,
        "三类": 0,
        "达标": 0,
        "不达标": 7,
        "未完成": 2,
    }
    assert int(summary["total_yuan"].sum()) == 2 * 20000 + 2 * 15000


def test_what_if_weights_and_rounding(store: Store) -> None:
    """87.075 is 87.07499… in binary: the rule still rounds it to 87.08, and other weights give
    other composites (G01: average 85.125, year-end 90)."""
    store.registry(3)
    store.scores("2018-05", {"G01": 85.0, "G02": 87.13, "G03": 80})
    store.scores("2018-06", {"G01": 85.25})
    store.annual(2018, {"G01": 90, "G02": 87, "G03": 80})
    at_60 = assessment.annual_what_if(store.con, AREA, 2018, 0.6, 60)
    assert by_grid(at_60, "composite") == {"G01": 87.08, "G02": 87.08, "G03": 80.0}
    assert by_grid(at_60, "rank") == {"G01": 1, "G02": 1, "G03": 3}
    at_50 = assessment.annual_what_if(store.con, AREA, 2018, 0.5, 60)
    assert by_grid(at_50, "composite") == {"G01": 87.56, "G02": 87.07, "G03": 80.0}  # 87.5625, 87.065
    assert by_grid(at_50, "rank") == {"G01": 1, "G02": 2, "G03": 3}
    explicit = assessment.annual_what_if(store.con, AREA, 2018, 0.5, 60, w_year_end=0.5)
    assert by_grid(explicit, "composite") == by_grid(at_50, "composite")


def test_what_if_keeps_the_stored_tier_limits_and_rewards(store: Store) -> None:
    scenario(store)
    set_setting(store.con, "tier3_ranks", 8)
    set_setting(store.con, "reward_pass", 3000)
    test = assessment.annual_what_if(store.con, AREA, 2018, 0.7, 80)
    # ranks 1, 2, 3, 3, 5, 6, 6, 8, 9: 三类 ends at rank 8 now; 59 and 55 fail at 80
    tiers, money = by_grid(test, "tier"), by_grid(test, "reward_yuan")
    assert (tiers["G07"], tiers["G08"], tiers["G09"], tiers["G10"]) == ("二类", "三类", "达标", "不达标")
    assert (money["G08"], money["G09"]) == (10000, 3000)
    summary = assessment.annual_what_if_summary(store.con, AREA, 2018, 0.7, 80).set_index("tier")
    assert summary.loc["三类", "quota"] == 2 and summary.loc["达标", "reward_each"] == 3000


def test_what_if_changes_nothing_stored(store: Store) -> None:
    scenario(store)
    table = assessment.annual_table(store.con, AREA, 2018)
    test = assessment.annual_what_if(store.con, AREA, 2018, 0.3, 90)
    tiers = dict(zip(test["grid_code"], test["tier"], strict=True))
    assert tiers["G03"] == "二类" and tiers["G05"] == "不达标"  # 90 ≥ 90 passes, 88 does not
    assert assessment.annual_rules(store.con).pass_mark == 60
    assert assessment.annual_table(store.con, AREA, 2018)["tier"].tolist() == table["tier"].tolist()


def test_annual_display_flags_conflicts_and_incomplete(store: Store) -> None:
    scenario(store)
    shown = tables.annual_display(assessment.annual_table(store.con, AREA, 2018)).set_index("网格")
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
    assert tables.rate_text(part, whole) == text


def test_screen_text_writes_a_dash_for_missing_numbers() -> None:
    frame = pd.DataFrame({"排名": pd.array([1, None], dtype="Int64"), "分": [96.4, float("nan")]})
    shown = tables.screen_text(frame, {"排名": "{:d}", "分": "{:.2f}"})
    assert shown.to_dict("list") == {"排名": ["1", "—"], "分": ["96.40", "—"]}


def test_chart_matrix_labels_rows_and_months() -> None:
    wide = pd.DataFrame(
        {"grid_code": ["01", "02"], "grid_name": ["建设北路网格", "网格"], "2019-01": [1, 0], "2019-11": [2, 3],
         "total_activities": [3, 3]}
    )  # fmt: skip
    m = tables.chart_matrix(wide, ["02"])
    assert list(m.index) == ["02 网格"] and list(m.columns) == ["1月", "11月"]
    assert list(tables.chart_matrix(wide).index) == ["01 建设北路", "02 网格"]


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
    row = tables.streak_summary(totals, "2019-04").iloc[0].to_dict()
    assert row == {"网格": "07 华园路", "当前连续": 1, "最长连续": 2, "进入末位三名": 3,
                   "末位月份": "2019年1月、2019年2月、2019年4月", "考核次数": 4, "缺检次数": 1}  # fmt: skip


def test_registry_display_joins_units(store: Store) -> None:
    store.registry(2)
    shown = tables.registry_display(registry.registry(store.con, AREA))
    assert shown["责任单位"].tolist() == ["住建局、城管局", "住建局、城管局"]
    assert list(shown.columns)[:4] == ["编号", "网格名称", "大网格", "挂点县领导"]


@pytest.mark.parametrize(
    ("yuan", "text"), [(235000, "23.5 万元"), (240000, "24 万元"), (5000, "5,000 元"), (0, "0 元")]
)
def test_yuan_text(yuan: int, text: str) -> None:
    assert tables.yuan_text(yuan) == text


def test_tier_summary_display_adds_the_total(store: Store) -> None:
    scenario(store)
    shown = tables.tier_summary_display(assessment.annual_summary(store.con, AREA, 2018)).set_index("等次")
    assert shown.loc["合计", "金额（元）"] == "135,000" and shown.loc["合计", "网格数"] == 13
    assert shown.loc["二类", "名额冲突"] == "是" and shown.loc["达标", "名额"] == "—"
