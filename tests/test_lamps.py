"""DOMAIN §10 street lighting: the `lamps` kind in every shape an office sends, every bad row,
the exact target thresholds of lamp_monthly, supersede and revert, template and preview.

Files are built in code and loaded into a real DuckDB file holding the 28 + 3 grid registry."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import leader_of, write_csv, write_xls, write_xlsx
from openpyxl import load_workbook

from etl import cli, db
from etl.load import preview, store
from etl.load.issues import FileRejected
from etl.rules.settings import set_setting
from tests.conftest import snapshot

HEAD = ["网格", "月份", "应装路灯数", "已装路灯数", "亮灯数"]


@pytest.fixture
def seeded(seeded_copy: Path) -> Path:
    return seeded_copy


def load(path: Path, db_file: Path, **kwargs: Any) -> store.LoadResult:
    try:
        return store.load_path(path, path=db_file, **kwargs)
    except FileRejected as exc:
        pytest.fail("\n".join([str(exc), *map(str, exc.issues)]))


def rejected(path: Path, db_file: Path, **kwargs: Any) -> list[tuple[Any, ...]]:
    """Load a file that must be refused; returns its errors as (sheet, row, column, value, message)
    and checks that nothing of it reached the database."""
    before = snapshot(db_file)
    with pytest.raises(FileRejected) as exc:
        store.load_path(path, path=db_file, **kwargs)
    assert snapshot(db_file) == before
    return [(i.sheet, i.row, i.column, i.value, i.message) for i in exc.value.issues if i.severity == "error"]


def lamps(db_file: Path, sql: str = "", params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with db.connect(db_file) as con:
        return con.execute(
            sql
            or "SELECT area, month, grid_code, required, installed, lit FROM cur_lamp_check ORDER BY 1, 2, 3",
            params or [],
        ).fetchall()


def counts(g: int) -> tuple[int, int, int]:
    """Deterministic (required, installed, lit) for grid g, always consistent."""
    required = 40 + 10 * g
    installed = required - (g % 3)
    lit = installed - (g % 4)
    return required, installed, lit


# ---- Shapes --------------------------------------------------------------------------------


def test_clean_sheet_with_month_column(seeded: Path, files: Path) -> None:
    rows = [HEAD] + [[f"{g:02d}", "2019-03", *counts(g)] for g in range(1, 29)]
    res = load(write_xlsx(files / "路灯.xlsx", {"路灯检查": rows}), seeded)
    assert (res.kinds, res.row_count, res.periods) == (["lamps"], 28, ["2019-03"])
    got = lamps(seeded)
    assert len(got) == 28
    assert got[6] == ("县城", date(2019, 3, 1), "07", *counts(7))


def office_rows() -> list[list[Any]]:
    """The night-check sheet as the office sends it: title with the month, 序号, alias headers,
    grids as 第N网格 / names / leaders, a full-width number, 合计 and 制表人 footers."""
    rows: list[list[Any]] = [
        ["翁源县城区路灯夜间检查情况表（2019年3月）"],
        ["检查时间：3月12日晚"],
        ["序号", "网格", "设计路灯数", "装灯数", "亮灯", "亮灯率", "备注"],
    ]
    for g in range(1, 29):
        if g == 19:
            continue  # not checked: no row
        ref: Any = f"第{g}网格" if g % 3 == 0 else (f"测试{g}路网格" if g % 3 == 1 else leader_of(g))
        r, i, lit = counts(g)
        rows.append([g, ref, r, i, lit, f"{lit / i:.1%}", "抽查" if g == 5 else None])
    rows[5][3] = "１２０"  # grid 03: full-width digits (required 70 … see below)
    rows[5][2], rows[5][4] = 130, 118
    rows += [["合计", "", 9999, 9990, 9000, ""], [], ["制表人：张三", "", "", "审核：李四"]]
    return rows


def test_office_sheet_title_month_aliases_references_and_footers(seeded: Path, files: Path) -> None:
    res = load(write_xlsx(files / "城区路灯夜间检查.xlsx", {"Sheet1": office_rows()}), seeded)
    assert (res.row_count, res.periods) == (27, ["2019-03"])
    got = {c: (r, i, lit) for _, _, c, r, i, lit in lamps(seeded)}
    assert "19" not in got and len(got) == 27
    assert got["03"] == (130, 120, 118)  # full-width 120
    for g in (1, 2, 4, 28):  # by name, by leader, by name, by 第N网格
        assert got[f"{g:02d}"] == counts(g)
    note = lamps(seeded, "SELECT note FROM cur_lamp_check WHERE grid_code = '05'")
    assert note == [("抽查",)]


def test_legacy_xls_with_title_month(seeded: Path, files: Path) -> None:
    rows = [["路灯检查表 2019年4月"], ["序号", "网格编号", "应装数", "已装数", "亮灯盏数"]]
    rows += [[g, f"{g:02d}", *counts(g)] for g in range(1, 11)]
    res = load(write_xls(files / "路灯检查.xls", {"四月": rows}), seeded)
    assert (res.row_count, res.periods) == (10, ["2019-04"])
    assert lamps(seeded)[9] == ("县城", date(2019, 4, 1), "10", *counts(10))


def test_gbk_csv_month_in_file_name_and_leader_names(seeded: Path, files: Path) -> None:
    rows = [["网格", "路灯总数", "已装路灯数", "亮灯数"]]
    rows += [[leader_of(g), *counts(g)] for g in range(1, 6)]
    res = load(write_csv(files / "2019年5月路灯检查.csv", rows, encoding="gbk"), seeded)
    assert (res.row_count, res.periods) == (5, ["2019-05"])
    assert lamps(seeded)[0] == ("县城", date(2019, 5, 1), "01", *counts(1))


def test_one_sheet_holding_several_months(seeded: Path, files: Path) -> None:
    rows = [["检查月份", "网格", "应装路灯数", "已装路灯数", "亮灯数"]]
    for m in ("2019年1月", "2019.2", "201903"):
        rows += [[m, f"{g:02d}", *counts(g)] for g in range(1, 29)]
    res = load(write_xlsx(files / "一季度路灯.xlsx", {"一季度": rows}), seeded)
    assert (res.row_count, res.periods) == (84, ["2019-01", "2019-02", "2019-03"])
    with db.connect(seeded) as con:
        months = con.execute("SELECT month, count(*) FROM lamp_monthly GROUP BY 1 ORDER BY 1").fetchall()
    assert months == [(date(2019, m, 1), 28) for m in (1, 2, 3)]


def test_town_area_grids(seeded: Path, files: Path) -> None:
    rows = [["官渡镇路灯检查（2019年3月）"], ["网格", "应装路灯数", "已装路灯数", "亮灯数"]]
    rows += [["官渡1", 30, 30, 29], ["官渡2片网格", 20, 18, 18], ["镇干部3", 10, 10, 10]]
    res = load(write_xlsx(files / "官渡镇路灯.xlsx", {"官渡镇": rows}), seeded)
    assert res.areas == ["官渡镇"]
    with db.connect(seeded) as con:
        got = con.execute(
            "SELECT grid_code, meets_target FROM lamp_monthly WHERE area = '官渡镇' ORDER BY 1"
        ).fetchall()
    assert got == [("官渡1", True), ("官渡2", False), ("官渡3", True)]


def test_month_only_from_the_option(seeded: Path, files: Path) -> None:
    rows = [HEAD[:1] + HEAD[2:]] + [[f"{g:02d}", *counts(g)] for g in range(1, 4)]
    f = write_xlsx(files / "路灯.xlsx", {"检查": rows})
    errors = rejected(f, seeded)
    assert len(errors) == 1 and "找不到路灯检查月份" in errors[0][4]
    res = load(f, seeded, options=store.Options(month=date(2019, 6, 1)))
    assert res.periods == ["2019-06"]


def test_kind_forced_on_the_command_line(
    seeded: Path, files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEAD] + [[f"{g:02d}", "2019-03", *counts(g)] for g in range(1, 4)]
    f = write_xlsx(files / "x.xlsx", {"表1": rows})
    assert cli.main(["load", str(f), "--kind", "lamps", "--db", str(seeded)]) == 0
    assert "路灯检查" in capsys.readouterr().out


def test_unchecked_grid_left_blank_is_a_warning_not_a_row(seeded: Path, files: Path) -> None:
    rows = [HEAD, ["01", "2019-03", *counts(1)], ["02", "2019-03", None, None, None]]
    res = load(write_xlsx(files / "路灯.xlsx", {"路灯检查": rows}), seeded)
    assert res.row_count == 1
    assert [(i.row, i.message) for i in res.issues] == [(3, "该行没有检查数据，按未检查处理（未导入）")]


# ---- Bad rows: every one reported, the file refused whole --------------------------------


def test_every_bad_row_is_reported_at_once_and_nothing_loads(seeded: Path, files: Path) -> None:
    good = [HEAD, ["01", "2019-03", 50, 50, 48]]
    load(write_xlsx(files / "先导入.xlsx", {"路灯检查": good}), seeded)
    rows = [
        HEAD,
        ["02", "2019-03", 60, 60, 57],  # row 2: fine
        ["03", "2019-03", -5, 0, 0],  # row 3: negative required
        ["04", "2019-03", 60, -1, 0],  # row 4: negative installed
        ["05", "2019-03", 60, 60, -2],  # row 5: negative lit
        ["06", "2019-03", 60, 58, 59],  # row 6: lit > installed
        ["07", "2019-03", 60, 61, 50],  # row 7: installed > required
        ["08", "2019-03", 0, 0, 0],  # row 8: nothing required
        ["第99网格", "2019-03", 10, 10, 10],  # row 9: unknown grid
        ["02", "2019-03", 60, 60, 57],  # row 10: grid 02 twice in March
        ["09", "2019-03", "很多", 10, 10],  # row 11: not a number
        ["10", "2019-03", 60, 50, None],  # row 12: lit missing
    ]
    errors = rejected(write_xlsx(files / "坏路灯.xlsx", {"路灯检查": rows}), seeded)
    by_row = {(r, c): (v, m) for _, r, c, v, m in errors}
    assert all(s == "路灯检查" for s, *_ in errors)
    assert by_row[(3, "应装路灯数")] == (-5, "不能为负数")
    assert by_row[(4, "已装路灯数")] == (-1, "不能为负数")
    assert by_row[(5, "亮灯数")] == (-2, "不能为负数")
    assert by_row[(6, "亮灯数")] == (59, "亮灯数 59 超过已装路灯数 58，请核对（亮灯不能多于已装）")
    assert by_row[(7, "已装路灯数")] == (61, "已装路灯数 61 超过应装路灯数 60，请核对（已装不能多于应装）")
    assert by_row[(8, "应装路灯数")] == (0, "应装路灯数应大于 0；没有应装路灯的网格请不要写入该行")
    assert by_row[(9, "网格")][0] == "第99网格" and "网格名册中没有这个网格" in by_row[(9, "网格")][1]
    assert by_row[(10, "网格")] == ("02", "同一月份网格重复：02 测试2路网格 已在第2行出现")
    assert by_row[(11, "应装路灯数")][0] == "很多"
    assert by_row[(12, "亮灯数")][1] == "不能为空"
    assert sorted({r for _, r, *_ in errors}) == list(range(3, 13))
    assert lamps(seeded) == [("县城", date(2019, 3, 1), "01", 50, 50, 48)]


def test_bad_rows_name_the_grid_and_full_width_values(seeded: Path, files: Path) -> None:
    rows = [["翁源县城区路灯夜间检查情况表（2019年3月）"], ["序号", "网格", "设计路灯数", "装灯数", "亮灯"]]
    rows += [[1, "第1网格", 40, 40, "４１"]]
    errors = rejected(write_xlsx(files / "路灯.xlsx", {"三月": rows}), seeded)
    assert errors == [("三月", 3, "亮灯", "４１", "亮灯数 41 超过已装路灯数 40，请核对（亮灯不能多于已装）")]


def test_same_grid_month_on_two_sheets_is_an_error(seeded: Path, files: Path) -> None:
    a = [HEAD, ["01", "2019-03", 50, 50, 48]]
    b = [HEAD, ["01", "2019-03", 50, 50, 49]]
    errors = rejected(write_xlsx(files / "两表.xlsx", {"甲": a, "乙": b}), seeded)
    assert [(s, r) for s, r, *_ in errors] == [("乙", 2)]
    assert "已在工作表「甲」第2行出现" in errors[0][4]


def test_missing_required_column_is_named(seeded: Path, files: Path) -> None:
    rows = [["网格", "月份", "应装路灯数", "已装路灯数"]] + [
        ["01", "2019-03", 50, 50],
        ["02", "2019-03", 5, 5],
    ]
    errors = rejected(
        write_xlsx(files / "缺列.xlsx", {"路灯": rows}), seeded, options=store.Options(kind="lamps")
    )
    assert len(errors) == 1 and "亮灯数" in errors[0][4]


# ---- The rule: exact thresholds (DOMAIN §10) -----------------------------------------------


def rule_rows(db_file: Path) -> dict[str, tuple[Any, ...]]:
    with db.connect(db_file) as con:
        return {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT grid_code, install_rate, lit_rate, meets_target, shortfall_rank FROM lamp_monthly"
            ).fetchall()
        }


def test_exact_thresholds(seeded: Path, files: Path) -> None:
    rows = [
        HEAD,
        ["01", "2019-03", 20, 20, 19],  # 19/20 = 0.95 exactly, installed = required: meets
        ["02", "2019-03", 40, 40, 38],  # 38/40 = 0.95: meets
        ["03", "2019-03", 200, 200, 190],  # 190/200: meets
        ["04", "2019-03", 199, 199, 189],  # 0.94975…: just below, shows 95.0 %: does not meet
        ["05", "2019-03", 2105, 2105, 1999],  # 0.94964…: does not meet
        ["06", "2019-03", 2400, 2399, 2399],  # install 0.99958…: does not meet
        ["07", "2019-03", 85, 0, 0],  # nothing installed: lit rate NULL, does not meet
        ["08", "2019-03", 100, 100, 100],  # all lit
    ]
    load(write_xlsx(files / "门槛.xlsx", {"路灯检查": rows}), seeded)
    got = rule_rows(seeded)
    assert got["01"] == (1.0, 0.95, True, None)
    assert got["02"] == (1.0, 0.95, True, None)
    assert got["03"] == (1.0, 0.95, True, None)
    assert got["04"][2] is False and round(got["04"][1] * 100, 1) == 95.0
    assert got["05"][2] is False
    assert got["06"][:3] == (2399 / 2400, 1.0, False)
    assert got["07"] == (0.0, None, False, 1)  # no lamp lit counts worst
    assert got["08"] == (1.0, 1.0, True, None)
    # worst first: lowest lit rate (none first), then lowest install rate
    order = sorted((v[3], k) for k, v in got.items() if v[3] is not None)
    assert [k for _, k in order] == ["07", "05", "04", "06"]


def test_targets_are_settings(seeded: Path, files: Path) -> None:
    rows = [HEAD, ["01", "2019-03", 20, 20, 18], ["02", "2019-03", 20, 19, 19]]
    load(write_xlsx(files / "路灯.xlsx", {"路灯检查": rows}), seeded)
    assert [v[2] for _, v in sorted(rule_rows(seeded).items())] == [False, False]
    with db.connect(seeded) as con:
        set_setting(con, "lamp_lit_target", "0.9")
        set_setting(con, "lamp_install_target", "0.95")
    assert [v[2] for _, v in sorted(rule_rows(seeded).items())] == [True, True]


def test_grids_outside_the_registry_are_not_in_the_view(seeded: Path, files: Path) -> None:
    load(write_xlsx(files / "路灯.xlsx", {"路灯检查": [HEAD, ["01", "2019-03", 5, 5, 5]]}), seeded)
    with db.connect(seeded) as con:
        con.execute("UPDATE grid_registry SET grid_code = 'X01' WHERE grid_code = '01'")
        assert con.execute("SELECT count(*) FROM lamp_monthly").fetchall() == [(0,)]


# ---- Supersede, revert, notices draft -------------------------------------------------------


def test_reupload_supersedes_per_grid_and_revert_restores(seeded: Path, files: Path) -> None:
    first = [HEAD] + [[f"{g:02d}", "2019-03", 50, 50, 45] for g in range(1, 29)]
    load(write_xlsx(files / "三月.xlsx", {"路灯检查": first}), seeded)
    fix = [HEAD] + [[f"{g:02d}", "2019-03", 50, 50, 50] for g in (2, 3)]
    f = write_xlsx(files / "三月更正.xlsx", {"路灯检查": fix})
    pv = preview.preview_bytes(f.read_bytes(), f.name, path=seeded)
    assert pv.changes == [
        "路灯检查 2019年3月 2个网格，0个网格未达标；其中替换已导入的 网格02、网格03 的记录（将以本文件为准）"
    ]
    res = load(f, seeded)
    q = "SELECT grid_code, lit FROM cur_lamp_check WHERE grid_code IN ('01', '02', '03') ORDER BY 1"
    assert lamps(seeded, q) == [("01", 45), ("02", 50), ("03", 50)]
    store.revert(res.batch_id, path=seeded)
    assert lamps(seeded, q) == [("01", 45), ("02", 45), ("03", 45)]


def test_preview_describes_a_new_lamp_file(seeded: Path, files: Path) -> None:
    rows = [["翁源县城区路灯夜间检查情况表（2019年3月）"], HEAD[:1] + HEAD[2:]]
    rows += [[f"{g:02d}", 100, 100, 96 if g > 3 else 90] for g in range(1, 28)]
    f = write_xlsx(files / "路灯.xlsx", {"路灯": rows})
    pv = preview.preview_bytes(f.read_bytes(), f.name, path=seeded)
    assert pv.recognised() == ["路灯检查（工作表「路灯」，27 行，2019年3月）"]
    # The month read off the title is stated like a score sheet's (issue 13's conversions).
    assert pv.changes == [
        "路灯检查 2019年3月 27个网格，3个网格未达标",
        "工作表「路灯」表中没有月份列：按标题「翁源县城区路灯夜间检查情况表(2019年3月)」取月份为 2019年3月",
    ]
    assert list(pv.sample_rows())[0] == "路灯检查 · 路灯"
    assert lamps(seeded) == []  # the preview wrote nothing


def test_below_target_grids_are_notice_drafts(seeded: Path, files: Path) -> None:
    rows = [HEAD, ["01", "2019-03", 20, 20, 19], ["02", "2019-03", 20, 20, 18]]
    load(write_xlsx(files / "路灯.xlsx", {"路灯检查": rows}), seeded)
    q = "SELECT grid_code, kind FROM notice_draft WHERE kind = '路灯未达标'"
    assert lamps(seeded, q) == [("02", "路灯未达标")]


# ---- Template ---------------------------------------------------------------------------------


def test_template_round_trip(seeded: Path, files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = files / "模板.xlsx"
    assert cli.main(["template", "lamps", "-o", str(out), "--db", str(seeded)]) == 0
    assert "路灯检查" in capsys.readouterr().out
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["填写说明", "路灯检查"]
    ws = wb["路灯检查"]
    assert [c.value for c in ws[1]] == ["网格", "月份", "应装路灯数", "已装路灯数", "亮灯数", "备注"]
    assert ws.cell(2, 1).value == "01" and ws.cell(29, 1).value == "28"  # grids pre-filled
    assert "亮灯不能多于已装" in " ".join(str(c.value) for c in wb["填写说明"]["A"] if c.value)
    for r in range(2, 30):
        g = int(ws.cell(r, 1).value)
        ws.cell(r, 2, "2019-03")
        for c, v in enumerate(counts(g), start=3):
            ws.cell(r, c, v)
    wb.save(out)
    res = load(out, seeded)
    assert (res.kinds, res.row_count) == (["lamps"], 28)
