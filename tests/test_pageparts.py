"""The page builders of etl/output/pageparts.py on the annual scenario of test_board_pages
(ties over a quota, grids under the pass mark, incomplete grids) and on a month's ranking:
what the pages count, colour and name, computed outside the pages."""

from __future__ import annotations

import types

import pytest
from test_board_pages import scenario
from test_rules_support import AREA, Store, store_fixture  # noqa: F401

from etl.output import pageparts
from etl.rules import assessment, rankings, registry
from pages import common


def test_annual_view_counts_and_committee_sentences(store: Store) -> None:
    scenario(store)
    table = assessment.annual_table(store.con, AREA, 2018)
    summary = assessment.annual_summary(store.con, AREA, 2018)
    view = pageparts.annual_view(table, summary)
    assert (view.n_grids, view.n_done, view.waiting, view.in_progress) == (13, 11, 1, True)
    assert view.n_final == 12  # G13 has a year-end score but no monthly score
    assert view.over_quota == 1 and view.failing == 2
    assert view.total_yuan == pageparts.total_yuan(summary) == int(summary["total_yuan"].sum())
    (conflict,) = pageparts.quota_conflicts(table, summary)
    assert conflict.startswith("名额冲突：二类名额") and "G03" in conflict and "G04" in conflict
    incomplete = pageparts.incomplete_grids(table, 1)
    assert (
        incomplete is not None
        and incomplete.startswith("未完成考评 2 个网格")
        and incomplete.endswith("等 2 个网格（见下表）")
    )
    assert pageparts.incomplete_grids(table.iloc[0:0], 8) is None


def test_tier_changes_name_the_grids_the_what_if_moves(store: Store) -> None:
    scenario(store)
    table = assessment.annual_table(store.con, AREA, 2018)
    same = assessment.annual_what_if(store.con, AREA, 2018, 0.5, 60, 0.5)
    assert pageparts.tier_changes(table, same) == []
    strict = assessment.annual_what_if(store.con, AREA, 2018, 0.3, 90)
    changed = pageparts.tier_changes(table, strict)
    assert any(c.endswith("→ **不达标**") and "G05" in c for c in changed)


def test_ranking_view_kinds_and_flags(store: Store) -> None:
    store.registry(6)
    store.scores("2018-06", {"G01": 95, "G02": 90, "G03": 85, "G04": 80, "G05": 70})  # G06 缺检
    table = rankings.month_ranking(store.con, AREA, "2018-06")
    view = pageparts.ranking_view(table, rankings.month_category_scores(store.con, AREA, "2018-06"))
    assert (view.n_ranked, view.n_missing, view.n_bottom) == (5, 1, 3)
    kinds = dict(zip(table["grid_code"], view.kinds, strict=True))
    assert kinds == {"G01": "top", "G02": "top", "G03": "bottom", "G04": "bottom", "G05": "bottom",
                     "G06": "missing"}  # fmt: skip
    assert view.flags == [k in ("bottom", "missing") for k in view.kinds]
    assert pageparts.default_grids(table) == ["G01", "G05"]
    assert view.bottom_line == "末位三名：第3名 G03 第03 85.0分；第4名 G04 第04 80.0分；第5名 G05 第05 70.0分"


def test_the_bottom_line_names_ties_and_streaks(store: Store) -> None:
    """月度排名's red line above the table: the bottom grids by rank, ties all named with their
    count, and a grid two or more times in a row in the bottom three with its streak."""
    store.registry(6)
    store.scores("2018-05", {"G01": 95, "G02": 90, "G03": 85, "G04": 80, "G05": 70, "G06": 60})
    store.scores("2018-06", {"G01": 95, "G02": 90, "G03": 70, "G04": 70, "G05": 70, "G06": 70})
    line = pageparts.bottom_line(rankings.month_ranking(store.con, AREA, "2018-06"))
    assert line == ("末位（含并列）共4个网格：第3名 G03 第03 70.0分；第3名 G04 第04 70.0分（连续2次）；"
                    "第3名 G05 第05 70.0分（连续2次）；第3名 G06 第06 70.0分（连续2次）")  # fmt: skip
    assert pageparts.bottom_line(rankings.month_ranking(store.con, AREA, "2018-07")) == ""


def test_cached_reads_key_on_the_function_module_and_name() -> None:
    """common.read caches the read function itself, hashed by its module and name (hash_funcs):
    Streamlit cannot hash a function argument on its own, and two functions of one name in
    different modules must not share a cache entry."""
    assert common._function_key(rankings.month_ranking) == "etl.rules.rankings.month_ranking"
    twin = types.FunctionType(rankings.month_ranking.__code__, rankings.month_ranking.__globals__)
    twin.__module__ = "etl.rules.elsewhere"
    with pytest.raises(TypeError):  # Streamlit's last-resort hash of an argument fails on a function
        rankings.month_ranking.__reduce__()
    assert common._function_key(twin) != common._function_key(rankings.month_ranking)
    assert common._function_key(registry.registry) == "etl.rules.registry.registry"
