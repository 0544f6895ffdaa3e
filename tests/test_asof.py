"""One "as of" (issue 12): every status figure is computed for grid_today(); a past month is
final, the running month provisional; reports dated after today are named as suspect."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from etl import db
from etl.load import store
from etl.output import pageparts
from etl.rules import calendar, headline, reporting
from tests import appdata
from tests.conftest import write_xlsx


@pytest.fixture(scope="module")
def app_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("asof")
    return appdata.build(folder / "grid.duckdb", folder / "files")


def test_as_of_labels_final_and_provisional(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRID_TODAY", "2019-03-22")
    with db.connect(app_db) as con:
        march, february = calendar.as_of(con, "2019-03"), calendar.as_of(con, "2019-02")
        figures = headline.month_figures(con, "县城", "2019-03")
    assert march.today == february.today == figures.today == date(2019, 3, 22)
    assert not march.final and "状态截至2019年3月22日" in march.text and "暂定" in march.text
    assert february.final and "最终" in february.text


def test_reports_dated_after_today_are_named(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every fifth grid reports on the 27th (grid 07 never in March): 05, 10, 15, 20, 25.
    monkeypatch.setenv("GRID_TODAY", "2019-03-22")
    with db.connect(app_db) as con:
        future = reporting.future_reports(con, "县城", "2019-03")
        figures = headline.month_figures(con, "县城", "2019-03")
        earlier = reporting.future_reports(con, "县城", "2019-02")
    assert list(future["grid_code"]) == ["05", "10", "15", "20", "25"]
    assert {d.date() for d in future["submitted_on"]} == {date(2019, 3, 27)}
    assert figures.future_dated == 5 and figures.reported == 22  # not arrived yet as of today
    assert earlier.empty
    monkeypatch.setenv("GRID_TODAY", "2019-04-10")
    with db.connect(app_db) as con:
        assert reporting.future_reports(con, "县城", "2019-03").empty
        assert headline.month_figures(con, "县城", "2019-03").future_dated == 0


def test_the_overview_report_card_names_late_and_missing(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """总览's 信息报送 card: after the deadline it counts the late and the missing grids (27 / 28
    alone would hide five late reports); before, the days left; a report dated after today
    first. March: 05, 10, 15, 20, 25 report on the 27th, 07 never; February all on time."""
    cases = {
        ("2019-04-10", "2019-03"): ("27 / 28", "3月25日截止：逾期 5 个，未报送 1 个", "red"),
        ("2019-03-22", "2019-03"): ("22 / 28", "另有 5 个报送日期晚于今天，待核实", "red"),
        ("2019-04-10", "2019-02"): ("28 / 28", "2月25日截止：逾期 5 个", "red"),
    }
    for (today, month), expected in cases.items():
        monkeypatch.setenv("GRID_TODAY", today)
        with db.connect(app_db) as con:
            assert pageparts.report_card(headline.month_figures(con, "县城", month)) == expected, (
                today,
                month,
            )
    monkeypatch.setenv("GRID_TODAY", "2019-03-20")
    with db.connect(app_db) as con:
        value, note, colour = pageparts.report_card(headline.month_figures(con, "县城", "2019-03"))
    assert note == "另有 5 个报送日期晚于今天，待核实"  # the 27th is still ahead: suspect first
    on_time = dataclasses.replace(figures_of(app_db, "2019-02"), on_time=28)
    assert pageparts.report_card(on_time) == ("28 / 28", "2月25日截止，全部按时", "green")
    early = dataclasses.replace(on_time, reported=20, on_time=20, days_to_deadline=3)
    assert pageparts.report_card(early) == ("20 / 28", "距2月25日截止还有 3 天", "off")


def figures_of(db_file: Path, month: str) -> headline.MonthFigures:
    with db.connect(db_file) as con:
        return headline.month_figures(con, "县城", month)


def test_a_report_dated_after_today_is_flagged_on_load(
    seeded: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRID_TODAY", "2019-03-22")
    rows = [["网格", "报送日期", "标题"], ["03", "2019-03-20", "三月工作"], ["04", "2019-03-27", "三月工作"]]
    result = store.load_path(write_xlsx(files / "报送.xlsx", {"信息报送": rows}), path=seeded)
    assert result.status == "loaded" and result.row_count == 2  # a warning, not a refusal
    [warning] = result.issues
    assert warning.severity == "warning" and warning.row == 3 and warning.column == "报送日期"
    assert warning.message == "报送日期晚于今天（2019-03-22），请核对；导入后在该日期到来之前按尚未报送计"
