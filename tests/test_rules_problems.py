"""DOMAIN §8 patrol findings ledger: status, overdue, on-time rectification, figures."""

from __future__ import annotations

from datetime import date

import pandas as pd
from test_rules_support import AREA, Store, month, store_fixture  # noqa: F401

from etl.output import tables
from etl.rules import findings

TODAY = "2019-06-15"


def ledger(store: Store) -> None:
    store.registry(2)
    store.problems(
        [
            # grid, found, category, deadline, rectified
            ("G01", "2019-05-03", "环境卫生", "2019-05-10", "2019-05-09"),  # P1 on time
            ("G01", "2019-05-04", "环境卫生", "2019-05-10", "2019-05-20"),  # P2 late
            ("G01", "2019-05-05", "公共秩序", "2019-06-30", None),  # P3 open
            ("G01", "2019-05-06", "公共秩序", "2019-06-01", None),  # P4 overdue 14 days
            ("G01", "2019-05-07", "公共秩序", "2019-06-15", None),  # P5 due today: open
            ("G01", "2019-05-08", "基础设施", None, "2019-05-30"),  # P6 no deadline: on time
            ("G02", "2019-06-02", "环境卫生", "2019-06-10", None),  # P7 June, overdue 5 days
        ]
    )
    store.open(today=TODAY)


def test_status_of_each_problem(store: Store) -> None:
    ledger(store)
    rows = store.rows(
        "SELECT found_on, status, on_time, days_overdue FROM problem_status WHERE area = ? ORDER BY found_on",
        [AREA],
    )
    assert [(f.day, st, ot, d) for f, st, ot, d in rows] == [
        (3, "已整改", True, None),
        (4, "已整改", False, None),
        (5, "整改中", None, None),
        (6, "逾期未整改", None, 14),
        (7, "整改中", None, None),
        (8, "已整改", True, None),
        (2, "逾期未整改", None, 5),
    ]


def test_problem_monthly_counts(store: Store) -> None:
    ledger(store)
    rows = store.rows(
        "SELECT grid_code, category, found, rectified, overdue, rectified_on_time, open"
        " FROM problem_monthly WHERE area = ? AND month = ? ORDER BY category",
        [AREA, month("2019-05")],
    )
    assert sorted(rows) == [
        ("G01", "公共秩序", 3, 0, 1, 0, 2),
        ("G01", "基础设施", 1, 1, 0, 1, 0),
        ("G01", "环境卫生", 2, 2, 0, 1, 0),
    ]


def test_problem_figures_per_grid(store: Store) -> None:
    ledger(store)
    year = findings.problem_figures(store.con, AREA, 2019).set_index("grid_code")
    g1 = year.loc["G01"]
    assert (g1["found"], g1["rectified"], g1["rectified_on_time"]) == (6, 3, 2)
    assert (g1["overdue"], g1["open"]) == (1, 2)
    assert g1["rectification_rate"] == 0.5  # 3 / 6
    assert abs(g1["on_time_rate"] - 2 / 3) < 1e-12  # 2 of 3 rectified on time
    g2 = year.loc["G02"]
    assert (g2["found"], g2["rectified"], g2["overdue"]) == (1, 0, 1)
    assert g2["rectification_rate"] == 0.0 and pd.isna(g2["on_time_rate"])
    may = findings.problem_figures(store.con, AREA, 2019, month="2019-05").set_index("grid_code")
    assert may.loc["G02", "found"] == 0  # every grid listed, zeros included
    assert pd.isna(may.loc["G02", "rectification_rate"])


def test_the_grid_table_puts_the_overdue_count_by_the_name(store: Store) -> None:
    """问题台账's 按网格 table as shown: a phone shows its first three columns, so the count a
    leader chases (逾期未整改) comes right after the grid."""
    ledger(store)
    shown = tables.problem_display(findings.problem_figures(store.con, AREA, 2019), by="grid")
    assert list(shown.columns[:4]) == ["网格", "逾期未整改", "整改率", "按时整改率"]
    g1 = shown.iloc[0]
    assert (g1["逾期未整改"], g1["整改率"]) == (1, "50.0%（3/6）")


def test_overdue_problems_longest_first(store: Store) -> None:
    ledger(store)
    overdue = findings.overdue_problems(store.con, AREA)
    assert list(overdue["days_overdue"]) == [14, 5]
    assert list(overdue["grid_code"]) == ["G01", "G02"]
    assert overdue.iloc[0]["leader_name"] == "领导01"
    assert overdue.iloc[0]["deadline"] == pd.Timestamp(date(2019, 6, 1))


def test_overdue_follows_today(store: Store) -> None:
    ledger(store)
    store.open(today="2019-07-01")  # P3 (deadline 06-30) and P5 (06-15) are now overdue
    overdue = findings.overdue_problems(store.con, AREA)
    assert list(overdue["days_overdue"]) == [30, 21, 16, 1]


def test_newer_problem_batch_replaces_the_grid_month(store: Store) -> None:
    ledger(store)
    fix = store.problems([("G01", "2019-05-03", "环境卫生", "2019-05-10", "2019-05-09")])
    figures = findings.problem_figures(store.con, AREA, 2019).set_index("grid_code")
    assert figures.loc["G01", "found"] == 1 and figures.loc["G02", "found"] == 1
    store.revert(fix)
    figures = findings.problem_figures(store.con, AREA, 2019).set_index("grid_code")
    assert figures.loc["G01", "found"] == 6
