"""Acceptance: the office files in ../shared/examples load (or are refused whole) and give the
independently computed results of expected.json. Skipped where the folder is absent, except in
CI (CI=true), where a missing folder fails every test: the acceptance test must not pass by not
running."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl import db
from etl.load import store
from etl.load.issues import FileRejected
from tests.conftest import SHARED_EXAMPLES, require_examples, snapshot


@pytest.fixture(autouse=True)
def _examples_present(request: pytest.FixtureRequest) -> None:
    if request.node.name.startswith("test_missing_examples_"):
        return
    require_examples(SHARED_EXAMPLES)


def test_missing_examples_fail_in_ci_and_skip_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "examples"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must be present in CI"):
        require_examples(gone)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require_examples(gone)
    require_examples(tmp_path)  # present: nothing happens


GOOD = [
    "01_网格划分表.xlsx",
    "02_考核评分细则.xlsx",
    "10_2018-04_月度考核.xlsx",
    "11_2018年5月考核表.xlsx",
    "22_信息报送登记.xlsx",
]


@pytest.fixture
def loaded(db_file: Path) -> Path:
    for name in GOOD:
        res = store.load_path(SHARED_EXAMPLES / name, path=db_file, loaded_by="测试")
        assert res.status == "loaded", name
    return db_file


def test_good_files_load(loaded: Path) -> None:
    with db.connect(loaded) as con:
        counts = dict(con.execute("SELECT kind, sum(row_count) FROM batch GROUP BY kind").fetchall())
    assert counts == {"grids": 33, "rubric": 9, "monthly_scores": 56, "reports": 250}


def test_gbk_csv_by_leader_names(loaded: Path) -> None:
    res = store.load_path(SHARED_EXAMPLES / "13_2018年7月考核.csv", path=loaded)
    assert res.row_count == 28 and res.periods == ["2018-07"]
    with db.connect(loaded) as con:
        total = con.execute(
            "SELECT total FROM cur_monthly_score WHERE grid_code = '01' AND month = '2018-07-01'"
        ).fetchall()
    assert total == [(100.0,)]  # 郑振华's row: 10, ２０, 15 … with a full-width 20


def test_monthly_ranking_matches_expected(loaded: Path) -> None:
    expected = json.loads((SHARED_EXAMPLES / "expected.json").read_text(encoding="utf-8"))["monthly_ranking"]
    with db.connect(loaded) as con:
        rows = con.execute(
            "SELECT area, strftime(month, '%Y-%m-%d'), grid_code, total, rank, n_ranked, bottom_three,"
            " streak, missing FROM monthly_ranking WHERE month IN ('2018-04-01', '2018-05-01')"
        ).fetchall()
    got = {(r[1], r[2]): r for r in rows}
    assert len(got) == len(expected)
    for e in expected:
        g = got[(e["month"], e["grid_code"])]
        assert (g[0], g[3], g[4], g[5], g[6], g[7], g[8]) == (
            e["area"], e["total"], e["rank"], e["n_ranked"], e["bottom_three"], e["streak"], e["missing"],
        ), e  # fmt: skip


def test_report_status_matches_expected(loaded: Path) -> None:
    expected = json.loads((SHARED_EXAMPLES / "expected.json").read_text(encoding="utf-8"))["report_status"]
    with db.connect(loaded) as con:
        rows = con.execute(
            "SELECT strftime(month, '%Y-%m-%d'), grid_code, strftime(submitted_on, '%Y-%m-%d'), status"
            " FROM report_status WHERE area = '县城' AND month IN ('2018-04-01', '2018-05-01')"
        ).fetchall()
    got = {(r[0], r[1]): (r[2], r[3]) for r in rows}
    assert len(got) == len(expected)
    for e in expected:
        assert got[(e["month"], e["grid_code"])] == (e["submitted_on"], e["status"]), e


@pytest.mark.parametrize(
    ("name", "message"),
    [
        # Issue 13: a bad cell names its grid; an unknown grid's suggestions start with the
        # registry grids the sheet lacks (第99网格 stands in the row of grid 07).
        ("above_max.xlsx", "「A2 环境卫生」得分 26 超过满分 20（网格 04 沿江路网格）"),
        (
            "unknown_grid.xlsx",
            "网格名册中没有这个网格；本表缺少的网格：07 华园路网格（可能就是这一行）；其他接近的是：28 中山路网格、27 龙英路网格。请改为名册中的网格编号或名称（模板中可从下拉列表选择）",
        ),
        (
            "half_bad_workbook.xlsx",
            "网格名册中没有这个网格；最接近的是：28 中山路网格、27 龙英路网格、26 青云路网格。请改为名册中的网格编号或名称（模板中可从下拉列表选择）",
        ),
    ],
)
def test_bad_files_refused_whole(loaded: Path, name: str, message: str) -> None:
    before = snapshot(loaded)
    with pytest.raises(FileRejected) as err:
        store.load_path(SHARED_EXAMPLES / "bad" / name, path=loaded)
    assert [i.message for i in err.value.errors] == [message]
    assert snapshot(loaded) == before
