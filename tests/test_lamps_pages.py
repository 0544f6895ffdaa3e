"""What users see of DOMAIN §10 and §11: the 路灯 page (AppTest), the reports and trend pages'
work-mechanism sections, the display's 路灯 panel, the bulletin's paragraphs and the 路灯未达标
notice, on one database built in code through the real loader."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl import db
from etl.load import store
from etl.load.sample import build_sample_db
from etl.output import bulletin_text, notice_text
from etl.output.display.frame import panel_order
from etl.output.display.work import lamps_panel
from etl.rules import bulletin, calendar, lamps, mechanism, notices, reporting
from tests.conftest import monthly_rows, registry_rows, rubric_rows, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
MARCH = date(2019, 3, 1)


def lamp_counts(g: int, month: int) -> tuple[int, int, int]:
    required = 100 + g
    installed = required if g % 4 else required - 2
    lit = installed - (g % 3) * (month - 1)
    return required, installed, lit


def build_lamp_db(folder: Path) -> Path:
    """Registry, rubric, Feb and Mar 2019 scores, lamp checks of both months (grid 19 not checked
    in March, grid 12 at 94.96 %, grid 08 at exactly 95 %), March reports with meetings, and a
    town report without them."""
    path = folder / "grid.duckdb"

    def load(name: str, sheets: dict[str, list[list[Any]]]) -> None:
        store.load_path(write_xlsx(folder / name, sheets), path=path)

    load("网格.xlsx", {"网格划分": registry_rows()})
    load("细则.xlsx", {"评分细则": rubric_rows()})
    for m in ("2019-02", "2019-03"):
        load(f"{m}.xlsx", {"月度考核": monthly_rows(m)})
    head = ["网格", "月份", "应装路灯数", "已装路灯数", "亮灯数"]
    feb = [[f"{g:02d}", "2019-02", *lamp_counts(g, 2)] for g in range(1, 29)]
    mar = [[f"{g:02d}", "2019-03", *lamp_counts(g, 3)] for g in range(1, 29) if g != 19]
    mar[11] = ["12", "2019-03", 2105, 2105, 1999]  # 94.96 %: shows 95.0 %, falls short
    mar[7] = ["08", "2019-03", 40, 40, 38]  # exactly 95 %: meets
    load("路灯.xlsx", {"二月": [head, *feb], "三月": [head, *mar]})
    reports = [["网格", "所属月份", "报送日期", "图片数", "例会次数", "巡查次数"]]
    reports += [[f"{g:02d}", "2019-03", "2019-03-20", 2, 2 + g % 4, 10] for g in range(1, 28)]
    load("报送.xlsx", {"信息报送": reports})
    load("官渡镇报送.xlsx", {"信息报送": [["网格", "报送日期"], ["官渡1", "2019-03-12"]]})
    return path


@pytest.fixture(scope="module")
def app_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lamp_db(tmp_path_factory.mktemp("lamp_pages"))


@pytest.fixture
def env(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from streamlit import config

    monkeypatch.setenv("GRID_DB", str(app_db))
    monkeypatch.setenv("GRID_TODAY", "2019-04-10")
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield app_db
    config.set_option("server.address", before)


def open_page(page: str, area: str = "县城", month: str = "2019-03") -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.switch_page(f"pages/{page}.py")
    at.query_params.update({"area": area, "year": month[:4], "month": month})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    return at


def table(at: AppTest, column: str) -> pd.DataFrame:
    for d in at.dataframe:
        value = d.value if isinstance(d.value, pd.DataFrame) else d.value.data
        if column in value.columns:
            return value
    raise AssertionError(column)


def test_lamps_page_shows_the_month_against_the_targets(env: Path) -> None:
    at = open_page("lamps")
    assert [t.value for t in at.title] == ["路灯"]
    metrics = {m.label: m.value for m in at.metric}
    with db.connect(env) as con:
        n_meet, n_below = con.execute(
            "SELECT count(*) FILTER (WHERE meets_target), count(*) FILTER (WHERE NOT meets_target)"
            " FROM lamp_monthly WHERE month = ?",
            [MARCH],
        ).fetchall()[0]
        worst = [
            c
            for (c,) in con.execute(
                "SELECT grid_code FROM lamp_monthly WHERE month = ? AND NOT meets_target ORDER BY shortfall_rank",
                [MARCH],
            ).fetchall()
        ]
    assert metrics["检查网格"] == "27 / 28"
    assert metrics["达标网格"] == f"{n_meet} 个" and metrics["未达标网格"] == f"{n_below} 个"
    listing = next(m.value for m in at.markdown if m.value.startswith("1. "))
    order = [line.split("**")[1].split()[0] for line in listing.splitlines()]
    assert order == worst  # worst first, as lamp_monthly ranks them
    assert "亮灯率 95.0%（实为 94.96%），低于 95%" in listing
    shown = table(at, "结果").set_index("网格")
    assert list(shown.columns[:3]) == ["结果", "亮灯率", "装灯率"]  # what a phone shows first
    assert shown.loc["19 测试19路网格", "结果"] == "未检查"  # not dropped
    assert shown.loc["12 测试12路网格", ["亮灯率", "结果"]].tolist() == ["95.0%", "未达标"]
    assert shown.loc["08 测试8路网格", ["亮灯率", "结果"]].tolist() == ["95.0%", "达标"]
    charts = [
        e.proto.body
        for e in at.get("html")
        if 'class="line-chart' in e.proto.body or 'class="rank-bars' in e.proto.body
    ]
    assert len(charts) == 2  # per grid, and the area over the months


def test_lamps_page_month_without_a_check(env: Path, app_db: Path) -> None:
    at = open_page("lamps", area="官渡镇")
    assert any("暂无路灯检查记录" in i.value for i in at.info)


def test_reports_page_shows_the_work_mechanism(env: Path) -> None:
    at = open_page("reports")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["例会不足的网格"] == "14 个"  # 13 grids with 2 or 3 meetings, and grid 28 sent nothing
    shown = table(at, "例会情况").set_index("网格")
    assert shown.loc["28 测试28路网格"].tolist() == ["—", "不足（应≥4次）", "—", "—", 0]
    assert shown.loc["02 测试2路网格", "例会情况"] == "达标"  # 2 + 2 % 4 = 4 meetings
    assert shown.loc["04 测试4路网格", "例会情况"] == "不足（应≥4次）"  # 2 meetings
    # The grid × month meetings table names grids as the 报送 table above it does.
    [meetings] = [h.value for h in at.get("html") if "每月例会" in h.value or "gm-wrap" in h.value][-1:]
    assert ">02 测试2路</th>" in meetings and "测试2路网格</th>" not in meetings


def test_reports_page_says_not_tracked(env: Path) -> None:
    at = open_page("reports", area="官渡镇")
    assert any("未统计" in i.value for i in at.info)
    assert set(table(at, "例会情况")["例会情况"]) == {"未统计"}


def test_reports_page_says_when_an_area_has_no_report_loaded(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped sample's 官渡镇 has monthly scores but no report loaded: every grid is 未报送
    by the rules, and the page says that may only mean the sheet was not loaded; 县城 has
    reports: no such note."""
    county = open_page("reports")
    assert not any("还没有导入过任何信息报送记录" in w.value for w in county.warning)
    monkeypatch.setenv("GRID_TODAY", "2020-01-10")  # the sample runs to December 2019
    sample_db = tmp_path / "grid.duckdb"
    build_sample_db(sample_db)
    with db.connect(sample_db) as con:
        assert not reporting.has_reports(con, "官渡镇") and reporting.has_reports(con, "县城")
        month = calendar.months(con, "官渡镇")[-1]
    monkeypatch.setenv("GRID_DB", str(sample_db))
    town = open_page("reports", area="官渡镇", month=f"{month:%Y-%m}")
    assert any("官渡镇还没有导入过任何信息报送记录" in w.value for w in town.warning)
    assert any("本片区还没有信息报送记录" in i.value for i in town.info)


def test_trend_page_shows_meetings_over_time(env: Path) -> None:
    at = open_page("trends")
    assert any("例会" in (c.value or "") for c in at.caption)


def test_display_panel(app_db: Path) -> None:
    with db.connect(app_db) as con:
        frame = lamps.lamp_month(con, "县城", MARCH)
        targets = lamps.targets(con)
        work = mechanism.work_figures(mechanism.work_month(con, "县城", MARCH))
    html, _ = lamps_panel(frame, MARCH, targets, work)
    assert "2019年3月检查网格" in html and "27/28" in html
    assert "未检查：19 测试19路网格" in html
    assert "例会不足4次的网格" in html
    assert "lamps" in panel_order(None)
    empty, _ = lamps_panel(frame.assign(checked=False), MARCH, targets)
    assert "暂无路灯检查记录" in empty


def test_bulletin_paragraphs(app_db: Path) -> None:
    with db.connect(app_db) as con:
        d = bulletin.bulletin_data(con, "县城", MARCH)
    lamp = bulletin_text.lamp_paragraph(d)
    assert lamp.startswith(
        "按照《实施方案》路灯装灯率100%、亮灯率95%的要求，本月对27个网格的路灯进行了夜间检查"
    )
    assert "12 测试12路网格（亮灯率 95.0%（实为 94.96%），低于 95%）" in lamp
    assert lamp.endswith("19 测试19路网格本月未检查。")
    work = bulletin_text.work_paragraph(d)
    assert "14个网格例会少于每月4次" in work and "28 测试28路网格（未报送）" in work
    assert "路灯方面，夜间检查27个网格" in bulletin_text.summary_text(d)


def test_notice_for_a_grid_below_target(app_db: Path) -> None:
    with db.connect(app_db) as con:
        drafts = notices.draft_notices(con, "县城", MARCH)
    lamp = drafts[drafts["kind"] == "路灯未达标"].set_index("grid_code")
    assert "08" not in lamp.index and "12" in lamp.index
    assert notice_text.reason(lamp.loc["12", "facts"]) == "亮灯率 95.0%（实为 94.96%），低于 95%"
    text = notice_text.facts_paragraphs(lamp.loc["12", "facts"])[0]
    assert "应装路灯2105盏，已装2105盏，亮灯1999盏" in text
    assert os.environ.get("GRID_DB")  # the test never touched data/grid.duckdb
