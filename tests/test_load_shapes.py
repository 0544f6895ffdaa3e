"""DATA_CONTRACT §1: the shapes real office sheets come in, and that each of them loads.

Every file is built in code, loaded into a fresh database holding the 28 + 3 grid registry and
the nine-item rubric (`seeded`), and checked the way a user would: grid codes, months, totals.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    RUBRIC,
    item_scores,
    leader_of,
    monthly_rows,
    registry_rows,
    rubric_rows,
    write_csv,
    write_xls,
    write_xlsx,
)
from openpyxl import load_workbook

from etl import cli, db
from etl.load import store
from etl.load.issues import FileRejected

CODES = [c for c, _, _ in RUBRIC]


def query(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with db.connect(path) as con:
        return con.execute(sql, params or []).fetchall()


def totals(path: Path, month: str) -> dict[str, float]:
    """grid_code → total of the month's current scores."""
    rows = query(path, "SELECT grid_code, total FROM cur_monthly_score WHERE month = ?", [month])
    return dict(rows)


def expected_total(g: int, shift: int = 0) -> float:
    return sum(item_scores(g, shift))


def no_month(rows: list[list[Any]]) -> list[list[Any]]:
    """monthly_rows without its 月份 column."""
    return [r[1:] for r in rows]


@pytest.fixture
def seeded(seeded_copy: Path) -> Path:
    """conftest's `seeded` (registry + rubric), copied from one built per session: faster."""
    return seeded_copy


def load(path: Path, db_file: Path, **kwargs: Any) -> store.LoadResult:
    """Load a file that must load; a refusal fails the test listing every issue."""
    try:
        return store.load_path(path, path=db_file, **kwargs)
    except FileRejected as exc:
        pytest.fail("\n".join([str(exc), *map(str, exc.issues)]))


# ---- Titles, two-row merged headers, footers ---------------------------------------------


def office_sheet() -> tuple[list[list[Any]], list[str]]:
    """The May sheet as the office sends it: title, two header rows, 序号, footers."""
    title = "翁源县城市网格化管理月度考核评分表（2018年5月）"
    upper = ["序号", "网格", "挂点县领导", "考核项目", *[""] * 8, "总分", "排名", "备注"]
    lower = ["", "", "", *[f"{cat}（{mx}分）" for _, cat, mx in RUBRIC], "", "", ""]
    rows: list[list[Any]] = [[title], ["填报单位：县网格办"], upper, lower]
    for g in range(1, 29):
        s = item_scores(g)
        rows.append([g, f"第{g}网格", leader_of(g), *s, sum(s), g, "已复核" if g == 3 else None])
    rows += [
        ["合计", "", "", *[100] * 9, 2500],
        ["平均分", "", "", *[9.5] * 9, 95.1],
        [],
        ["备注：缺检网格按零分计。"],
        ["制表人：张三", "", "", "", "", "审核：李四"],
        [None, "审核：王五"],
        [],
    ]
    merges = ["A1:O1", "A3:A4", "B3:B4", "C3:C4", "D3:L3", "M3:M4", "N3:N4", "O3:O4"]
    return rows, merges


def test_title_two_row_merged_header_and_footers_load(seeded: Path, files: Path) -> None:
    rows, merges = office_sheet()
    f = write_xlsx(files / "考核表.xlsx", {"评分表": rows}, {"评分表": merges})
    res = load(f, seeded)
    assert (res.status, res.kinds, res.row_count, res.periods) == (
        "loaded",
        ["monthly_scores"],
        28,
        ["2018-05"],
    )
    assert res.issues == []
    assert totals(seeded, "2018-05-01") == {f"{g:02d}": expected_total(g) for g in range(1, 29)}
    # Data starts on Excel row 5 (title, unit line, two header rows); footers are not data.
    first, last = query(seeded, "SELECT min(excel_row), max(excel_row) FROM cur_monthly_score")[0]
    assert (first, last) == (5, 32)
    items = query(
        seeded,
        "SELECT item_code, category, max_points, score FROM cur_monthly_item_score"
        " WHERE grid_code = '02' ORDER BY item_code",
    )
    assert items == [(c, cat, float(mx), s) for (c, cat, mx), s in zip(RUBRIC, item_scores(2), strict=True)]
    assert query(seeded, "SELECT note FROM cur_monthly_score WHERE grid_code = '03'") == [("已复核",)]


def test_a_stated_rank_that_differs_is_a_warning_not_a_refusal(seeded: Path, files: Path) -> None:
    rows, merges = office_sheet()
    rows[4][13] = 5  # grid 1 has the best total: rank 1, not 5
    res = load(write_xlsx(files / "排名.xlsx", {"评分表": rows}, {"评分表": merges}), seeded)
    assert res.row_count == 28
    assert [str(i) for i in res.issues] == [
        "[提示] 工作表「评分表」第5行「排名」列，值「5」：表中排名 5 与按总分计算的排名 1 不同；以计算结果为准"
    ]


def test_unknown_sheet_beside_a_score_sheet_is_skipped_with_a_notice(seeded: Path, files: Path) -> None:
    f = write_xlsx(
        files / "考核.xlsx",
        {"2019年3月": monthly_rows("2019-03"), "联系方式": [["姓名", "电话"], ["张三", "13700000000"]]},
    )
    res = load(f, seeded)
    assert res.row_count == 28
    assert [str(i) for i in res.issues] == [
        "[提示] 工作表「联系方式」：未识别的工作表（找不到模板中的表头），已跳过"
    ]


# ---- Where the month comes from ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "sheet", "file_name", "options", "month"),
    [
        ("翁源县月度考核评分表（2019年4月）", "Sheet1", "考核表.xlsx", None, "2019-04-01"),
        (None, "Sheet1", "2019年6月考核.xlsx", None, "2019-06-01"),
        (None, "Sheet1", "10_2019-07_月度考核.xlsx", None, "2019-07-01"),
        (None, "Sheet1", "考核表201908.xlsx", None, "2019-08-01"),
        (None, "2019年9月", "考核表.xlsx", None, "2019-09-01"),
        ("2019年度网格考核", "10月", "考核表.xlsx", None, "2019-10-01"),
        (None, "Sheet1", "考核表.xlsx", date(2019, 11, 1), "2019-11-01"),
        ("翁源县城市网格化管理月度考核评分表", "Sheet1", "考核表.xlsx", date(2019, 12, 1), "2019-12-01"),
    ],
    ids=[
        "title",
        "file-name",
        "file-name-dash",
        "file-name-yyyymm",
        "sheet-name",
        "sheet-month-title-year",
        "options",
        "options-with-title",
    ],  # fmt: skip
)
def test_month_taken_from_title_name_or_options(
    seeded: Path, files: Path, title: str | None, sheet: str, file_name: str, options: date | None, month: str
) -> None:
    rows = no_month(monthly_rows("", grids=range(1, 6)))
    if title:
        rows.insert(0, [title])
    res = load(write_xlsx(files / file_name, {sheet: rows}), seeded, options=store.Options(month=options))
    assert res.periods == [month[:7]]
    assert totals(seeded, month) == {f"{g:02d}": expected_total(g) for g in range(1, 6)}


def test_one_sheet_holding_several_months(seeded: Path, files: Path) -> None:
    rows = monthly_rows("2019-04", grids=range(1, 4))
    rows += monthly_rows("2019年5月", 2, grids=range(1, 4))[1:]
    rows += monthly_rows(201906, 4, grids=range(1, 4))[1:]
    rows += monthly_rows(datetime(2019, 7, 1), 6, grids=range(1, 4))[1:]
    res = load(write_xlsx(files / "半年汇总.xlsx", {"汇总": rows}), seeded)
    assert res.periods == ["2019-04", "2019-05", "2019-06", "2019-07"]
    assert res.row_count == 12
    for month, shift in (("2019-04-01", 0), ("2019-05-01", 2), ("2019-06-01", 4), ("2019-07-01", 6)):
        assert totals(seeded, month) == {f"{g:02d}": expected_total(g, shift) for g in range(1, 4)}


# ---- Grid references -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "code"),
    [
        (7, "07"),
        ("07", "07"),
        ("G07", "07"),
        ("第7网格", "07"),
        ("7号网格", "07"),
        ("第七网格", "07"),
        ("网格七", "07"),
        ("第十二网格", "12"),
        ("测试14路", "14"),
        (leader_of(20), "20"),
        ("镇干部1", "官渡1"),
    ],
)
def test_grid_reference_forms(seeded: Path, files: Path, ref: Any, code: str) -> None:
    rows = monthly_rows("2019-03", grids=[9])
    rows[1][1] = ref
    load(write_xlsx(files / "考核.xlsx", {"S": rows}), seeded)
    assert totals(seeded, "2019-03-01") == {code: expected_total(9)}


def test_every_reference_form_in_one_sheet(seeded: Path, files: Path) -> None:
    refs = {3: "第三网格", 5: "网格五", 7: 7, 8: "08", 9: "G09", 10: "第10网格", 11: "11号网格",
            12: "第十二网格", 14: "测试14路网格", 20: leader_of(20), 21: "２１"}  # fmt: skip
    rows = [["月份", "网格", *CODES]] + [["2019-03", ref, *item_scores(g)] for g, ref in refs.items()]
    res = load(write_xlsx(files / "考核.xlsx", {"S": rows}), seeded)
    assert res.row_count == len(refs)
    assert totals(seeded, "2019-03-01") == {f"{g:02d}": expected_total(g) for g in refs}


def test_town_grids_resolve_to_the_town_area(seeded: Path, files: Path) -> None:
    rows = [["月份", "网格", *CODES],
            ["2019-03", "官渡1", *item_scores(1)],
            ["2019-03", "官渡2片网格", *item_scores(2)],
            ["2019-03", "镇干部3", *item_scores(3)]]  # fmt: skip
    res = load(write_xlsx(files / "官渡镇2019年3月.xlsx", {"官渡镇": rows}), seeded)
    assert res.areas == ["官渡镇"]
    got = query(seeded, "SELECT area, grid_code, total FROM cur_monthly_score ORDER BY grid_code")
    assert got == [("官渡镇", f"官渡{g}", expected_total(g)) for g in (1, 2, 3)]
    assert query(seeded, "SELECT area FROM batch WHERE batch_id = ?", [res.batch_id]) == [("官渡镇",)]


def test_town_sheet_settles_a_digit_reference_in_the_town(seeded: Path, files: Path) -> None:
    # "G01" alone matches both 01 (县城) and 官渡1 by digits; the other rows are all town grids.
    rows = [["月份", "网格", *CODES],
            ["2019-03", "官渡2", *item_scores(2)],
            ["2019-03", "官渡3", *item_scores(3)],
            ["2019-03", "G01", *item_scores(1)]]  # fmt: skip
    load(write_xlsx(files / "官渡镇.xlsx", {"S": rows}), seeded)
    got = query(seeded, "SELECT area, grid_code FROM cur_monthly_score ORDER BY grid_code")
    assert got == [("官渡镇", "官渡1"), ("官渡镇", "官渡2"), ("官渡镇", "官渡3")]


# ---- File formats ----------------------------------------------------------------------------


def test_legacy_xls_with_title_and_excel_date_months(seeded: Path, files: Path) -> None:
    rows = monthly_rows("", grids=range(1, 29))
    for r in rows[1:]:
        r[0] = datetime(2019, 2, 1)
    rows.insert(0, ["翁源县城市网格化管理月度考核评分表"])
    rows.append(["制表人：张三"])
    res = load(write_xls(files / "考核表.xls", {"二月": rows}), seeded)
    assert (res.kinds, res.periods, res.row_count) == (["monthly_scores"], ["2019-02"], 28)
    assert totals(seeded, "2019-02-01") == {f"{g:02d}": expected_total(g) for g in range(1, 29)}


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_encodings_with_title_leader_names_and_month_in_file_name(
    seeded: Path, files: Path, encoding: str
) -> None:
    header = ["序号", "网格", "挂点县领导", *[f"{cat}（{mx}分）" for _, cat, mx in RUBRIC], "总分", "备注"]
    rows: list[list[Any]] = [["翁源县城市网格化管理月度考核评分表"], header]
    for g in range(1, 29):
        s = item_scores(g)
        rows.append([g, leader_of(g), leader_of(g), *s, sum(s), "良好 继续保持" if g == 1 else ""])
    rows.append(["制表人：张三"])
    res = load(write_csv(files / "13_2019年7月考核.csv", rows, encoding=encoding), seeded)
    assert (res.periods, res.row_count) == (["2019-07"], 28)
    assert totals(seeded, "2019-07-01") == {f"{g:02d}": expected_total(g) for g in range(1, 29)}
    assert query(seeded, "SELECT note FROM cur_monthly_score WHERE grid_code = '01'") == [("良好 继续保持",)]


def test_full_width_digits_spaces_and_units(seeded: Path, files: Path) -> None:
    rows = [["月份", "网格", *CODES, "总分"],
            ["２０１９－１０", "０３", "１０分", "２０", "15分", " 15 ", "10 分", 5, 10, 5, "１０", "１００分"],
            ["2019年10月", "第４网格", "９．５", 20, 15, 15, 10, 5, 10, 5, 10, "99.5"]]  # fmt: skip
    res = load(write_xlsx(files / "全角.xlsx", {"S": rows}), seeded)
    assert res.row_count == 2
    assert totals(seeded, "2019-10-01") == {"03": 100.0, "04": 99.5}


def test_deduction_columns_give_maximum_minus_deduction(seeded: Path, files: Path) -> None:
    rows = [["网格", "公益宣传扣分", "环境卫生扣分", "A3扣分", "A4", "A5", "A6", "A7", "A8", "A9"],
            ["01", 1, 2.5, 0, 15, 10, 5, 10, 5, 10],
            ["02", 0, "20分", 15, 15, 10, 5, 10, 5, 10]]  # fmt: skip
    load(write_xlsx(files / "2019年3月扣分表.xlsx", {"扣分": rows}), seeded)
    got = query(
        seeded,
        "SELECT grid_code, item_code, score FROM cur_monthly_item_score"
        " WHERE item_code IN ('A1', 'A2', 'A3') ORDER BY grid_code, item_code",
    )
    assert got == [("01", "A1", 9.0), ("01", "A2", 17.5), ("01", "A3", 15.0),
                   ("02", "A1", 10.0), ("02", "A2", 0.0), ("02", "A3", 0.0)]  # fmt: skip
    assert totals(seeded, "2019-03-01") == {"01": 96.5, "02": 65.0}


# ---- Several kinds in one workbook -----------------------------------------------------------


def volunteer_rows() -> list[list[Any]]:
    return [["网格", "活动日期", "活动名称", "组织单位", "参与人数", "服务时长"],
            ["01", "2019-05-03", "清洁家园", "县团委", "12人", "2.5小时"],
            ["第二网格", date(2019, 5, 8), "关爱老人", "", 5, 1],
            ["官渡1", "2019年5月9日", "义诊", "镇卫生院", "８", "3"]]  # fmt: skip


def problem_rows() -> list[list[Any]]:
    return [["网格", "发现日期", "问题类别", "问题描述", "整改期限", "整改完成日期"],
            ["03", "2019年5月3日", 2, "垃圾堆放", "2019-05-10", "2019-05-09"],
            ["03", "2019/5/4", "基础设施", "路灯损坏", "", ""],
            ["04", "20190505", "8", "其他", None, None]]  # fmt: skip


def test_scores_volunteer_and_problems_in_one_workbook_are_one_batch(seeded: Path, files: Path) -> None:
    f = write_xlsx(
        files / "五月汇总.xlsx",
        {"2019年5月考核": monthly_rows("2019-05"), "志愿服务": volunteer_rows(), "问题台账": problem_rows()},
    )
    res = load(f, seeded)
    assert res.kinds == ["monthly_scores", "volunteer", "problems"]
    assert res.row_count == 28 + 3 + 3
    assert query(seeded, "SELECT kind, row_count, status FROM batch WHERE batch_id = ?", [res.batch_id]) == [
        ("monthly_scores,volunteer,problems", 34, "active")
    ]
    assert len(totals(seeded, "2019-05-01")) == 28
    assert query(
        seeded,
        "SELECT area, grid_code, activity_date, title, organiser, participants, hours FROM cur_volunteer"
        " ORDER BY activity_date",
    ) == [
        ("县城", "01", date(2019, 5, 3), "清洁家园", "县团委", 12, 2.5),
        ("县城", "02", date(2019, 5, 8), "关爱老人", None, 5, 1.0),
        ("官渡镇", "官渡1", date(2019, 5, 9), "义诊", "镇卫生院", 8, 3.0),
    ]
    assert query(
        seeded,
        "SELECT grid_code, month, found_on, category, deadline, rectified_on FROM cur_problem ORDER BY 3",
    ) == [
        ("03", date(2019, 5, 1), date(2019, 5, 3), "环境卫生", date(2019, 5, 10), date(2019, 5, 9)),
        ("03", date(2019, 5, 1), date(2019, 5, 4), "基础设施", None, None),
        ("04", date(2019, 5, 1), date(2019, 5, 5), "其他任务", None, None),
    ]
    assert {b for (b,) in query(seeded, "SELECT DISTINCT batch_id FROM volunteer_activity")} == {res.batch_id}


def test_registry_rubric_and_scores_in_one_workbook_into_an_empty_database(
    db_file: Path, files: Path
) -> None:
    registry = registry_rows()
    # A grid that exists only in this workbook's registry, scored on the next sheet.
    registry.insert(-2, [32, "29", "新城网格", "县城", "东片", "新领导", "副县长", "县住建局", "县城管局",
                         "新城片区", "联系人29", "13700000029"])  # fmt: skip
    rubric = rubric_rows()
    rubric.insert(-1, ["A10", "安全生产", "按安全生产标准评分", 5])
    scores = [["月份", "网格", *CODES, "安全生产（5分）", "总分"]]
    scores += [["2019-03", f"{g:02d}", *item_scores(g), 4, expected_total(g) + 4] for g in range(1, 30)]
    f = write_xlsx(files / "全套.xlsx", {"2019年3月": scores, "网格划分": registry, "评分细则": rubric})
    res = load(f, db_file)
    assert res.kinds == ["grids", "rubric", "monthly_scores"]
    assert res.row_count == 32 + 10 + 29
    assert query(db_file, "SELECT count(*) FROM cur_grid_registry") == [(32,)]
    assert query(db_file, "SELECT max_points FROM cur_rubric WHERE item_code = 'A10'") == [(5.0,)]
    assert totals(db_file, "2019-03-01")["29"] == expected_total(29) + 4
    assert query(
        db_file, "SELECT score FROM cur_monthly_item_score WHERE grid_code = '29' AND item_code = 'A10'"
    ) == [(4.0,)]


# ---- Other kinds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "file_name", "options", "year"),
    [
        ("翁源县2018年度网格化管理年终考核得分表", "年终.xlsx", None, 2018),
        (None, "2017年度年终考核.xlsx", None, 2017),
        (None, "年终.xlsx", 2016, 2016),
    ],
    ids=["title", "file-name", "options"],
)
def test_annual_scores_year_from_title_name_or_options(
    seeded: Path, files: Path, title: str | None, file_name: str, options: int | None, year: int
) -> None:
    rows: list[list[Any]] = [["序号", "网格", "挂点县领导", "年终考核得分", "备注"]]
    rows += [[g, f"{g:02d}", leader_of(g), 80 + g / 2, ""] for g in range(1, 29)]
    rows += [["合计", "", "", 2500], ["制表人：张三"]]
    if title:
        rows.insert(0, [title])
    res = load(write_xlsx(files / file_name, {"年终": rows}), seeded, options=store.Options(year=options))
    assert (res.kinds, res.periods, res.row_count) == (["annual_scores"], [str(year)], 28)
    got = dict(query(seeded, "SELECT grid_code, year_end FROM cur_annual_score WHERE year = ?", [year]))
    assert got == {f"{g:02d}": 80 + g / 2 for g in range(1, 29)}


def test_reports_month_defaults_to_the_submission_month_and_is_overridden(seeded: Path, files: Path) -> None:
    rows = [["网格", "报送日期", "所属月份", "标题", "图片数", "会议次数", "巡查次数"],
            ["01", "2019-05-20", "", "五月信息", 3, 1, 4],
            ["02", "2019-06-02", "2019-05", "五月补报", "2张", 0, 2],
            ["03", date(2019, 6, 3), None, "六月信息", 1, "1次", 1],
            ["04", "2019年6月4日", "2019年5月", "五月迟报", None, None, None]]  # fmt: skip
    res = load(write_xlsx(files / "信息报送登记.xlsx", {"信息报送": rows}), seeded)
    assert (res.kinds, res.periods, res.row_count) == (["reports"], ["2019-05", "2019-06"], 4)
    assert query(
        seeded,
        "SELECT grid_code, month, submitted_on, title, pictures, meetings, patrols FROM cur_report ORDER BY 1",
    ) == [
        ("01", date(2019, 5, 1), date(2019, 5, 20), "五月信息", 3, 1, 4),
        ("02", date(2019, 5, 1), date(2019, 6, 2), "五月补报", 2, 0, 2),
        ("03", date(2019, 6, 1), date(2019, 6, 3), "六月信息", 1, 1, 1),
        ("04", date(2019, 5, 1), date(2019, 6, 4), "五月迟报", None, None, None),
    ]


def test_volunteer_sheet_with_units_and_date_forms(seeded: Path, files: Path) -> None:
    rows = [["序号", "所属网格", "时间", "活动内容", "组织单位", "志愿者人数", "时长"],
            [1, "第一网格", "2019.5.3", "清洁家园", "县团委", "12人", "2.5小时"],
            [2, "第二网格", 43593, "关爱老人", None, "５人", "1 小时"],
            [3, "第三网格", "20190510", "交通劝导", "交警大队", 6, 2],
            ["合计", "", "", "", "", 23, 5.5]]  # fmt: skip
    res = load(write_xlsx(files / "志愿服务.xlsx", {"志愿服务": rows}), seeded)
    assert (res.kinds, res.row_count) == (["volunteer"], 3)
    assert query(
        seeded, "SELECT grid_code, month, activity_date, participants, hours FROM cur_volunteer ORDER BY 1"
    ) == [
        ("01", date(2019, 5, 1), date(2019, 5, 3), 12, 2.5),
        ("02", date(2019, 5, 1), date(2019, 5, 8), 5, 1.0),
        ("03", date(2019, 5, 1), date(2019, 5, 10), 6, 2.0),
    ]


DUTIES = ["公益宣传", "环境卫生", "基础设施", "公共秩序", "行业管理", "居民自治", "志愿服务", "其他任务"]


def test_problem_category_given_as_number_maps_to_the_duty(seeded: Path, files: Path) -> None:
    rows: list[list[Any]] = [["网格", "巡查日期", "类别", "问题描述", "地点"]]
    rows += [[f"{n:02d}", "2019-05-06", n if n % 2 else str(n), f"问题{n}", "某路"] for n in range(1, 9)]
    rows += [
        ["09", "2019-05-06", "工作机制", "台账不全", ""],
        ["10", "2019-05-06", "2.环境卫生", "乱堆放", ""],
    ]
    res = load(write_xlsx(files / "问题台账.xlsx", {"台账": rows}), seeded)
    assert (res.kinds, res.row_count) == (["problems"], 10)
    got = dict(query(seeded, "SELECT grid_code, category FROM cur_problem"))
    assert got == {**{f"{n:02d}": DUTIES[n - 1] for n in range(1, 9)}, "09": "工作机制", "10": "环境卫生"}


# ---- Templates round trip -------------------------------------------------------------------


def fill(path: Path, rows: dict[int, dict[str, Any]]) -> Path:
    """Write values into the template's data sheet by header: {excel_row: {header: value}}."""
    wb = load_workbook(path)
    ws = wb.worksheets[1]
    headers = {c.value: c.column for c in ws[1]}
    for r, values in rows.items():
        for h, v in values.items():
            ws.cell(row=r, column=headers[h], value=v)
    wb.save(path)
    return path


def template(kind: str, files: Path, db_file: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = files / f"{kind}模板.xlsx"
    assert cli.main(["template", kind, "-o", str(out), "--db", str(db_file)]) == 0
    assert "模板" in capsys.readouterr().out
    return out


def test_monthly_template_round_trip(seeded: Path, files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = template("monthly_scores", files, seeded, capsys)
    headers = [c.value for c in load_workbook(f).worksheets[1][1]]
    assert headers[:3] == ["网格", "月份", "A1 公益宣传（10分）"]
    # The template lists the 28 county grids; grid 28 is left unfilled (not checked this month).
    values = {}
    for g in range(1, 28):
        row = {"月份": "2019-08", **dict(zip(headers[2:11], item_scores(g), strict=True))}
        values[g + 1] = row
    values[3]["总分"] = expected_total(2)
    res = load(fill(f, values), seeded)
    assert (res.kinds, res.periods, res.row_count) == (["monthly_scores"], ["2019-08"], 27)
    assert [str(i) for i in res.issues] == [
        "[提示] 工作表「月度考核」第29行「网格」列，值「28」：该行没有任何得分，按缺检处理（未导入）"
    ]
    assert totals(seeded, "2019-08-01") == {f"{g:02d}": expected_total(g) for g in range(1, 28)}


def test_annual_template_round_trip(seeded: Path, files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = template("annual_scores", files, seeded, capsys)
    res = load(fill(f, {g + 1: {"年终考核得分": 90 - g, "年度": 2019} for g in range(1, 29)}), seeded)
    assert (res.kinds, res.periods, res.row_count) == (["annual_scores"], ["2019"], 28)
    assert dict(query(seeded, "SELECT grid_code, year_end FROM cur_annual_score")) == {
        f"{g:02d}": 90.0 - g for g in range(1, 29)
    }


@pytest.mark.parametrize(
    ("kind", "rows", "sql", "expected"),
    [
        ("reports", {2: {"网格": "05", "报送日期": "2019-05-23", "标题": "五月信息", "图片数": 2}},
         "SELECT grid_code, month, submitted_on, title, pictures FROM cur_report",
         [("05", date(2019, 5, 1), date(2019, 5, 23), "五月信息", 2)]),
        ("volunteer", {2: {"网格": "06", "活动日期": "2019-05-04", "活动名称": "植树", "参与人数": 20, "服务时长": 3}},
         "SELECT grid_code, activity_date, title, participants, hours FROM cur_volunteer",
         [("06", date(2019, 5, 4), "植树", 20, 3.0)]),
        ("problems", {2: {"网格": "07", "发现日期": "2019-05-05", "问题类别": "公共秩序", "问题描述": "占道经营",
                          "整改期限": "2019-05-12"}},
         "SELECT grid_code, found_on, category, description, deadline FROM cur_problem",
         [("07", date(2019, 5, 5), "公共秩序", "占道经营", date(2019, 5, 12))]),
    ],
    ids=["reports", "volunteer", "problems"],
)  # fmt: skip
def test_event_templates_round_trip(
    seeded: Path,
    files: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    rows: dict,
    sql: str,
    expected: list,
) -> None:
    f = template(kind, files, seeded, capsys)
    res = load(fill(f, rows), seeded)
    assert (res.kinds, res.row_count) == ([kind], 1)
    assert query(seeded, sql) == expected


def test_registry_and_rubric_templates_round_trip(
    seeded: Path, files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grids = template("grids", files, seeded, capsys)
    res = load(fill(grids, {r: {"牵头单位": f"单位{r}"} for r in range(2, 33)}), seeded)
    assert (res.kinds, res.row_count) == (["grids"], 31)
    assert query(seeded, "SELECT area, grid_code, grid_name, leader_name, lead_unit FROM cur_grid_registry"
                 " WHERE grid_code IN ('01', '官渡3') ORDER BY sort_order") == [
        ("县城", "01", "测试1路网格", leader_of(1), "单位2"),
        ("官渡镇", "官渡3", "官渡3片网格", "镇干部3", "单位32"),
    ]  # fmt: skip
    rubric = template("rubric", files, seeded, capsys)
    res = load(fill(rubric, {3: {"分值": 25}}), seeded)
    assert (res.kinds, res.row_count) == (["rubric"], 9)
    assert query(seeded, "SELECT max_points FROM cur_rubric WHERE item_code = 'A2'") == [(25.0,)]


# ---- Known bugs (see the reasons) -------------------------------------------------------------


def test_free_text_keeps_its_chinese_punctuation(seeded: Path, files: Path) -> None:
    title = "关于“创文”工作的报告（第一期）：已完成，待复查"
    rows = [["网格", "报送日期", "标题"], ["01", "2019-05-20", title]]
    load(write_xlsx(files / "信息报送.xlsx", {"信息报送": rows}), seeded)
    assert query(seeded, "SELECT title FROM cur_report") == [(title,)]


def test_a_row_with_a_blank_month_cell_is_not_silently_dropped(seeded: Path, files: Path) -> None:
    rows = monthly_rows("2019-03", grids=range(1, 4))
    rows[2][0] = None  # grid 02's month left blank
    try:
        res = store.load_path(write_xlsx(files / "考核.xlsx", {"S": rows}), path=seeded)
    except FileRejected:
        return  # refusing the file is an acceptable answer
    # Loaded: then every row with scores must be loaded, or the user told why not.
    assert res.row_count == 3 or any(i.row == 3 for i in res.issues)


def test_a_row_with_a_blank_year_cell_is_not_silently_dropped(seeded: Path, files: Path) -> None:
    rows = [["网格", "年终考核得分", "年度"], ["01", 91, 2018], ["02", 92, None], ["03", 93, 2018]]
    try:
        res = store.load_path(write_xlsx(files / "年终.xlsx", {"S": rows}), path=seeded)
    except FileRejected:
        return  # refusing the file is an acceptable answer
    assert res.row_count == 3 or any(i.row == 3 for i in res.issues)


def test_month_typed_as_number_2019_1_warns_about_october(seeded: Path, files: Path) -> None:
    rows = monthly_rows("2019-03", grids=range(1, 3))
    rows[1][0] = 2019.1  # what Excel keeps of a typed 2019.10
    rows[2][0] = 2019.1
    res = store.load_path(write_xlsx(files / "考核.xlsx", {"S": rows}), path=seeded)
    assert res.periods == ["2019-01"]
    assert [i.message for i in res.issues] == [
        "月份按 2019年1月 读取；如果原意是 2019年10月，请把单元格设为文本后写 2019-10"
    ] * 2


def test_preview_rows_have_chinese_headers(seeded: Path, files: Path) -> None:
    from etl.load import preview

    path = write_xlsx(files / "考核.xlsx", {"S": monthly_rows("2019-03", grids=range(1, 3))})
    pv = preview.preview_bytes(path.read_bytes(), path.name, path=seeded)
    (frame,) = pv.sample_rows().values()
    assert list(frame.columns) == ["片区", "月份", "网格", "总分", "备注", "Excel行号"]
