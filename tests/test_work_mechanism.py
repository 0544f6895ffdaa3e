"""DOMAIN §11 work mechanism: meetings, patrols and pictures summed from the report rows per grid
and month (NULL when no row carries the column), meetings_short against the meetings_expected
setting, NULL for an area that never reports meetings, over the area's whole data range."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import write_xlsx

from etl import db
from etl.load import store
from etl.load.issues import FileRejected
from etl.rules.settings import set_setting


@pytest.fixture
def seeded(seeded_copy: Path) -> Path:
    return seeded_copy


def load(path: Path, db_file: Path) -> store.LoadResult:
    try:
        return store.load_path(path, path=db_file)
    except FileRejected as exc:
        pytest.fail("\n".join([str(exc), *map(str, exc.issues)]))


def rows(db_file: Path, area: str, month: str) -> dict[str, tuple[Any, ...]]:
    with db.connect(db_file) as con:
        return {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT grid_code, meetings, patrols, pictures, meetings_short FROM work_mechanism_monthly"
                " WHERE area = ? AND month = ?",
                [area, date.fromisoformat(month + "-01")],
            ).fetchall()
        }


def county_reports(files: Path, db_file: Path) -> None:
    head = ["网格", "所属月份", "报送日期", "标题", "图片数", "例会次数", "巡查次数"]
    data = [
        ["01", "2019-03", "2019-03-10", "一", 3, 2, 5],
        ["01", "2019-03", "2019-03-20", "二", 2, 2, 6],  # two rows: 4 meetings, meets
        ["02", "2019-03", "2019-03-20", "一", 0, 3, 8],  # 3 < 4: short
        ["03", "2019-03", "2019-03-20", "一", 1, None, 4],  # meetings blank: NULL, short
        ["04", "2019-03", "2019-03-20", "一", 1, 5, None],
        ["01", "2019-04", "2019-04-20", "一", 1, 4, 1],
    ]
    load(write_xlsx(files / "报送.xlsx", {"信息报送": [head, *data]}), db_file)


def test_sums_nulls_and_shortfall(seeded: Path, files: Path) -> None:
    county_reports(files, seeded)
    march = rows(seeded, "县城", "2019-03")
    assert march["01"] == (4, 11, 5, False)
    assert march["02"] == (3, 8, 0, True)
    assert march["03"] == (None, 4, 1, True)
    assert march["04"] == (5, None, 1, False)
    assert march["05"] == (None, None, None, True)  # sent nothing: falls short too
    assert len(march) == 28


def test_expected_meetings_is_a_setting(seeded: Path, files: Path) -> None:
    county_reports(files, seeded)
    with db.connect(seeded) as con:
        set_setting(con, "meetings_expected", "3")
    march = rows(seeded, "县城", "2019-03")
    assert [march[c][3] for c in ("01", "02", "03", "05")] == [False, False, True, True]


def test_an_area_that_never_reports_meetings_is_not_tracked(seeded: Path, files: Path) -> None:
    county_reports(files, seeded)
    town = [["网格", "报送日期", "图片数"], ["官渡1", "2019-03-12", 4], ["官渡2", "2019-03-13", 2]]
    load(write_xlsx(files / "官渡镇报送.xlsx", {"信息报送": town}), seeded)
    got = rows(seeded, "官渡镇", "2019-03")
    assert got == {
        "官渡1": (None, None, 4, None),
        "官渡2": (None, None, 2, None),
        "官渡3": (None, None, None, None),
    }
    assert rows(seeded, "县城", "2019-03")["05"][3] is True  # the county still tracks them


def test_a_row_for_every_grid_and_month_of_the_data_range(seeded: Path, files: Path) -> None:
    county_reports(files, seeded)
    # A lamp check in June extends the county seat's data range to June (data of any kind).
    lamps = [["网格", "月份", "应装路灯数", "已装路灯数", "亮灯数"], ["01", "2019-06", 10, 10, 10]]
    load(write_xlsx(files / "路灯.xlsx", {"路灯检查": lamps}), seeded)
    with db.connect(seeded) as con:
        months = con.execute(
            "SELECT month, count(*) FROM work_mechanism_monthly WHERE area = '县城' GROUP BY 1 ORDER BY 1"
        ).fetchall()
        same = con.execute(
            "SELECT count(*) FROM work_mechanism_monthly w FULL JOIN volunteer_monthly v"
            " USING (area, month, grid_code) WHERE w.grid_code IS NULL OR v.grid_code IS NULL"
        ).fetchall()
    assert months == [(date(2019, m, 1), 28) for m in (3, 4, 5, 6)]
    assert same == [(0,)]  # the same grid × month range as volunteer_monthly
    assert rows(seeded, "县城", "2019-05")["01"] == (None, None, None, True)


def test_superseded_reports_do_not_count(seeded: Path, files: Path) -> None:
    county_reports(files, seeded)
    head = ["网格", "所属月份", "报送日期", "会议次数"]
    load(write_xlsx(files / "更正.xlsx", {"信息报送": [head, ["02", "2019-03", "2019-03-21", 4]]}), seeded)
    assert rows(seeded, "县城", "2019-03")["02"] == (4, None, None, False)


def test_column_types(seeded: Path, files: Path) -> None:
    county_reports(files, seeded)
    with db.connect(seeded) as con:
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = 'work_mechanism_monthly'"
            ).fetchall()
        )
    assert [types[c] for c in ("area", "month", "grid_code", "meetings", "patrols", "pictures", "meetings_short")] == [
        "VARCHAR", "DATE", "VARCHAR", "INTEGER", "INTEGER", "INTEGER", "BOOLEAN",
    ]  # fmt: skip


def test_negative_counts_in_reports_are_row_errors(seeded: Path, files: Path) -> None:
    head = ["网格", "报送日期", "会议次数", "巡查次数"]
    f = write_xlsx(
        files / "坏.xlsx", {"信息报送": [head, ["01", "2019-03-10", -1, 3], ["02", "2019-03-10", 2, -4]]}
    )
    with pytest.raises(FileRejected) as exc:
        store.load_path(f, path=seeded)
    assert [(i.row, i.column, i.value, i.message) for i in exc.value.errors] == [
        (2, "会议次数", -1, "不能为负数"),
        (3, "巡查次数", -4, "不能为负数"),
    ]
