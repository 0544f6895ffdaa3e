"""DATA_CONTRACT §1 "Bad input": one test per kind of bad file.

Each test checks the exact Chinese message of every issue (sheet, Excel row, column header,
value), that load_path raises FileRejected, and that the database and its archive are exactly
as they were: a refused file changes nothing.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    RUBRIC,
    item_scores,
    leader_of,
    monthly_rows,
    registry_rows,
    snapshot,
    write_csv,
    write_xlsx,
)
from openpyxl import Workbook

from etl.load import store
from etl.load.issues import FileRejected, show_value
from etl.load.read import RESAVE

HEADER = ["月份", "网格", *[c for c, _, _ in RUBRIC], "总分"]


@pytest.fixture
def seeded(seeded_copy: Path) -> Path:
    """conftest's `seeded` (registry + rubric), copied from one built per session: faster."""
    return seeded_copy


def archive_listing(db_file: Path) -> dict[str, bytes]:
    folder = db_file.parent / "archive"
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())} if folder.exists() else {}


def refused(db_file: Path, path: Path, **kwargs: Any) -> FileRejected:
    """Load a bad file: it must be rejected and leave the database and archive untouched."""
    before, archived = snapshot(db_file), archive_listing(db_file)
    with pytest.raises(FileRejected) as info:
        store.load_path(path, path=db_file, **kwargs)
    after = snapshot(db_file)
    if not before:  # no database yet: the load may create the schema (and its bookkeeping), no data
        assert {t: rows for t, rows in after.items() if rows and t != "meta"} == {}
    else:
        assert after == before
    assert archive_listing(db_file) == archived
    return info.value


def where(exc: FileRejected) -> list[tuple[Any, ...]]:
    """(sheet, row, column, value as shown, message) of every error."""
    return [(i.sheet, i.row, i.column, show_value(i.value), i.message) for i in exc.errors]


def row(ref: Any, g: int = 5, month: str = "2019-03", total: Any = None, **changes: Any) -> list[Any]:
    """A monthly row for grid reference `ref`, scores of grid g, items changed by code."""
    scores: list[Any] = item_scores(g)
    for code, value in changes.items():
        scores[int(code[1:]) - 1] = value
    return [month, ref, *scores, sum(item_scores(g)) if total is None else total]


def sheet(files: Path, rows: list[list[Any]], name: str = "考核.xlsx", sheet_name: str = "S") -> Path:
    return write_xlsx(files / name, {sheet_name: rows})


# ---- Grids -------------------------------------------------------------------------------------


def test_unknown_grid_names_the_closest_grids(seeded: Path, files: Path) -> None:
    f = sheet(files, [HEADER, row("01", 1), row("第99网格"), row("测试7街网格"), row("G30")])
    exc = refused(seeded, f)
    assert str(exc) == "考核.xlsx：发现 3 个错误，整个文件未导入"
    assert where(exc) == [
        ("S", 3, "网格", "第99网格", "网格名册中没有这个网格；最接近的是：28 测试28路网格、27 测试27路网格、26 测试26路网格。请改为名册中的网格编号或名称（模板中可从下拉列表选择）"),
        ("S", 4, "网格", "测试7街网格", "网格名册中没有这个网格；最接近的是：07 测试7路网格、27 测试27路网格、17 测试17路网格。请改为名册中的网格编号或名称（模板中可从下拉列表选择）"),
        ("S", 5, "网格", "G30", "网格名册中没有这个网格；最接近的是：28 测试28路网格、27 测试27路网格、26 测试26路网格。请改为名册中的网格编号或名称（模板中可从下拉列表选择）"),
    ]  # fmt: skip
    assert str(exc.errors[0]) == (
        "[错误] 工作表「S」第3行「网格」列，值「第99网格」："
        "网格名册中没有这个网格；最接近的是：28 测试28路网格、27 测试27路网格、26 测试26路网格。请改为名册中的网格编号或名称（模板中可从下拉列表选择）"
    )


def test_grid_matching_two_areas_by_digits_is_ambiguous(seeded: Path, files: Path) -> None:
    # "G01" is 01 (县城) or 官渡1 (官渡镇) by the digits of the code, and no other row settles the area.
    exc = refused(seeded, sheet(files, [HEADER, row("G01", 1)]))
    assert where(exc) == [
        (
            "S",
            2,
            "网格",
            "G01",
            "网格不唯一，可能是：01 测试1路网格（县城）、官渡1 官渡1片网格（官渡镇）；请写网格编号",
        )
    ]


def test_leader_of_two_grids_is_ambiguous(seeded: Path, files: Path) -> None:
    registry = registry_rows()
    registry[3][5] = leader_of(1)  # grid 02 now has grid 01's leader
    store.load_path(write_xlsx(files / "网格划分表（新）.xlsx", {"网格划分": registry}), path=seeded)
    exc = refused(seeded, sheet(files, [HEADER, row(leader_of(1), 1)]))
    assert where(exc) == [
        ("S", 2, "网格", leader_of(1),
         "网格不唯一，可能是：01 测试1路网格（县城）、02 测试2路网格（县城）；请写网格编号")
    ]  # fmt: skip


def test_scores_before_any_registry_or_rubric(db_file: Path, files: Path) -> None:
    exc = refused(db_file, sheet(files, monthly_rows("2019-03")))
    assert where(exc) == [("S", None, None, "", "尚未导入评分细则：请先导入评分细则，再导入月度考核得分")]
    vol = [["网格", "活动日期", "活动名称"], ["07", "2019-03-02", "清洁"]]
    exc = refused(db_file, sheet(files, vol, "志愿.xlsx"))
    assert where(exc) == [
        ("S", None, None, "", "尚未导入网格名册：请先导入网格划分表（网格名册），再导入其他数据")
    ]


# ---- Scores ------------------------------------------------------------------------------------


def test_score_above_the_item_maximum(seeded: Path, files: Path) -> None:
    exc = refused(seeded, sheet(files, [HEADER, row("05", A2=26)]))
    assert [str(i) for i in exc.issues] == [
        "[错误] 工作表「S」第2行「A2」列，值「26」：「A2 环境卫生」得分 26 超过满分 20（网格 05 测试5路网格）"
    ]


def test_score_above_the_maximum_under_a_category_header(seeded: Path, files: Path) -> None:
    rows = [["网格", *[f"{cat}（{mx}分）" for _, cat, mx in RUBRIC]], ["第五网格", *item_scores(5)]]
    rows[1][2] = 20.5
    exc = refused(seeded, sheet(files, rows, "2019年3月.xlsx"))
    assert where(exc) == [
        ("S", 2, "环境卫生(20分)", "20.5", "「A2 环境卫生」得分 20.5 超过满分 20（网格 05 测试5路网格）")
    ]


def test_negative_score(seeded: Path, files: Path) -> None:
    exc = refused(seeded, sheet(files, [HEADER, row("05", A1=-1)]))
    assert where(exc) == [("S", 2, "A1", "-1", "得分不能为负数（满分 10）（网格 05 测试5路网格）")]


def test_deduction_above_the_item_maximum(seeded: Path, files: Path) -> None:
    rows = [
        ["网格", "A1", "环境卫生扣分", *[c for c, _, _ in RUBRIC[2:]]],
        ["01", 10, 21, 15, 15, 10, 5, 10, 5, 10],
    ]
    exc = refused(seeded, sheet(files, rows, "2019年3月扣分.xlsx"))
    assert where(exc) == [
        ("S", 2, "环境卫生扣分", "21", "扣分 21 超出范围，应在 0 到满分 20 之间（网格 01 测试1路网格）")
    ]


def test_total_not_equal_to_the_item_sum(seeded: Path, files: Path) -> None:
    exc = refused(seeded, sheet(files, [HEADER, row("05", total=90)]))
    assert where(exc) == [
        ("S", 2, "总分", "90", "总分与各项得分之和 97.5 不一致，请核对（网格 05 测试5路网格）")
    ]


def test_total_within_a_hundredth_is_accepted(seeded: Path, files: Path) -> None:
    res = store.load_path(sheet(files, [HEADER, row("05", total=97.505)]), path=seeded)
    assert res.row_count == 1


def test_duplicate_grid_in_one_month(seeded: Path, files: Path) -> None:
    exc = refused(seeded, sheet(files, [HEADER, row("05"), row("01", 1), row("第五网格", 6)]))
    assert where(exc) == [("S", 4, "网格", "第五网格", "同一月份网格重复：05 测试5路网格 已在第2行出现")]


def test_same_grid_and_month_on_two_sheets(seeded: Path, files: Path) -> None:
    # Excel names a copied sheet "5月 (2)": both copies hold May for the same grids.
    f = write_xlsx(
        files / "考核.xlsx",
        {
            "5月": monthly_rows("2019-05", grids=range(1, 3)),
            "5月 (2)": monthly_rows("2019-05", 1, grids=range(2, 4)),
        },
    )
    exc = refused(seeded, f)
    assert [str(i) for i in exc.errors] == [
        "[错误] 工作表「5月 (2)」第2行「网格」列，值「02」：同一月份网格重复：网格02 已在工作表「5月」第3行出现"
    ]


def test_text_where_a_number_belongs(seeded: Path, files: Path) -> None:
    exc = refused(seeded, sheet(files, [HEADER, row("05", A3="优", total=""), row("06", 6, total="九十")]))
    assert where(exc) == [
        ("S", 2, "A3", "优", "应为数字（网格 05 测试5路网格）"),
        ("S", 3, "总分", "九十", "应为数字（网格 06 测试6路网格）"),
    ]


def test_blank_item_score(seeded: Path, files: Path) -> None:
    exc = refused(seeded, sheet(files, [HEADER, row("05", A4=None, total="")]))
    assert where(exc) == [
        ("S", 2, "A4", "", "得分为空；未检查的项目请填 0 或满分，整行未检请删去该行（网格 05 测试5路网格）")
    ]


def test_unknown_rubric_item_column(seeded: Path, files: Path) -> None:
    rows = [[*HEADER[:-1], "A10（5分）"], row("05")[:-1] + [3], row("06", 6)[:-1] + [4]]
    exc = refused(seeded, sheet(files, rows))
    # The header is shown as matched (half-width brackets), not exactly as typed.
    assert where(exc) == [
        ("S", 1, "A10(5分)", "A10(5分)", "评分细则中没有这个考核项目；请核对列名，或先导入新的评分细则")
    ]


def test_missing_rubric_category_column(seeded: Path, files: Path) -> None:
    rows = [
        [h for h in HEADER if h not in ("A2", "总分")],
        [x for i, x in enumerate(row("05")) if i not in (3, 11)],
    ]
    exc = refused(seeded, sheet(files, rows))
    assert [str(i) for i in exc.errors] == [
        "[错误] 工作表「S」第1行「环境卫生」列：缺少考核类别「环境卫生」的得分列（评分细则中有此类别）"
    ]


# ---- Columns, months, dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["月份", "网格名", *HEADER[2:]], row("05")],
         "像是「月度考核得分」表，但缺少必需的列：网格。请按模板补齐列名"),
        ([["网格", "活动名称", "参与人数"], ["01", "清洁家园", 3]],
         "像是「志愿服务」表，但缺少必需的列：活动日期。请按模板补齐列名"),
        ([["网格", "活动日期", "参与人数"], ["01", "2019-05-03", 3]],
         "像是「志愿服务」表，但缺少必需的列：活动名称。请按模板补齐列名"),
    ],
    ids=["monthly-网格", "volunteer-活动日期", "volunteer-活动名称"],
)  # fmt: skip
def test_missing_required_column(seeded: Path, files: Path, rows: list[list[Any]], message: str) -> None:
    exc = refused(seeded, sheet(files, rows))
    assert where(exc) == [("S", 1, None, "", message)]


def test_unreadable_dates(seeded: Path, files: Path) -> None:
    rows = [["网格", "活动日期", "活动名称"], ["01", "明天", "清洁"], ["02", "2019-02-30", "清洁"],
            ["03", "5月3日", "清洁"], ["04", "2019-05-03", "清洁"]]  # fmt: skip
    exc = refused(seeded, sheet(files, rows, "志愿服务.xlsx", "志愿服务"))
    assert where(exc) == [
        ("志愿服务", 2, "活动日期", "明天", "应为日期，如 2018-05-03 或 2018年5月3日"),
        ("志愿服务", 3, "活动日期", "2019-02-30", "不是有效的日期"),
        ("志愿服务", 4, "活动日期", "5月3日", "应为日期，如 2018-05-03 或 2018年5月3日"),
    ]


def test_unreadable_month_cells(seeded: Path, files: Path) -> None:
    exc = refused(seeded, sheet(files, [HEADER, row("05", month="五月"), row("06", 6, month="2019-13")]))
    assert where(exc) == [
        ("S", 2, "月份", "五月", "应为月份，如 2018-05 或 2018年5月"),
        ("S", 3, "月份", "2019-13", "不是有效的月份"),
    ]


def test_month_not_found_anywhere(seeded: Path, files: Path) -> None:
    rows = [["翁源县城市网格化管理月度考核评分表"], HEADER[1:], row("05")[1:]]
    exc = refused(seeded, sheet(files, rows, "考核表.xlsx", "Sheet1"))
    assert [str(i) for i in exc.errors] == [
        "[错误] 工作表「Sheet1」：找不到考核月份：表中没有「月份」列，标题、工作表名和文件名中也没有月份"
        "（如 2018年5月）。请加一列「月份」，或在上传时选择月份"
    ]


def test_year_not_found_anywhere(seeded: Path, files: Path) -> None:
    exc = refused(seeded, sheet(files, [["网格", "年终考核得分"], ["01", 95]], "年终考核.xlsx"))
    assert where(exc) == [
        ("S", None, None, "", "找不到考核年度：表中没有「年度」列，标题和文件名中也没有年份。"
         "请加一列「年度」，或在上传时选择年度")
    ]  # fmt: skip


def test_problem_category_not_one_of_the_duties(seeded: Path, files: Path) -> None:
    rows = [["网格", "发现日期", "问题类别"], ["01", "2019-05-01", "消防安全"], ["02", "2019-05-01", 9],
            ["03", "2019-05-01", "0"], ["04", "2019-05-01", 2]]  # fmt: skip
    exc = refused(seeded, sheet(files, rows, "问题台账.xlsx"))
    assert where(exc) == [
        ("S", 2, "问题类别", "消防安全", "问题类别应为八项职责之一（公益宣传、环境卫生、基础设施、公共秩序、行业管理、"
         "居民自治、志愿服务、其他任务、工作机制）或其编号 1–8"),
        ("S", 3, "问题类别", "9", "类别编号应为 1–8"),
        ("S", 4, "问题类别", "0", "类别编号应为 1–8"),
    ]  # fmt: skip


def test_rectification_before_the_problem_was_found(seeded: Path, files: Path) -> None:
    rows = [["网格", "发现日期", "问题类别", "整改期限", "整改完成日期"],
            ["01", "2019-05-05", 1, "2019-05-01", None],
            ["02", "2019-05-05", 1, None, "2019-05-04"]]  # fmt: skip
    exc = refused(seeded, sheet(files, rows, "问题台账.xlsx"))
    assert where(exc) == [
        ("S", 2, "整改期限", "2019-05-01", "整改期限早于发现日期，请核对"),
        ("S", 3, "整改完成日期", "2019-05-04", "整改完成日期早于发现日期，请核对"),
    ]


def test_annual_score_outside_0_to_100(seeded: Path, files: Path) -> None:
    exc = refused(
        seeded, sheet(files, [["网格", "年终考核得分", "年度"], ["01", 101, 2018], ["02", -1, 2018]])
    )
    assert where(exc) == [
        ("S", 2, "年终考核得分", "101", "年终考核得分应在 0 到 100 之间（网格 01 测试1路网格）"),
        ("S", 3, "年终考核得分", "-1", "年终考核得分应在 0 到 100 之间（网格 02 测试2路网格）"),
    ]


# ---- Whole files --------------------------------------------------------------------------------


def encrypted_workbook_bytes() -> bytes:
    """What Excel writes for a password-protected .xlsx: an OLE compound file (CFB v3: header,
    one FAT sector, one directory sector) holding EncryptionInfo and EncryptedPackage streams
    instead of a zip. Checked to parse with olefile; its contents are placeholders."""
    free, end, fat_sector, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    streams = [("EncryptionInfo", b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"\x00" * 4088),
               ("EncryptedPackage", struct.pack("<Q", 4096) + bytes(range(256)) * 16)]  # fmt: skip
    size = 512
    fat, starts = [fat_sector, end], []
    for _, data in streams:
        n = -(-len(data) // size)
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [end]
    fat += [free] * (size // 4 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *[free] * 108)

    def entry(name: str, kind: int, right: int, child: int, start: int, length: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00" if name else b""
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", none, right, child) + bytes(36) + struct.pack("<IQ", start, length))  # fmt: skip

    directory = entry("Root Entry", 5, none, 1, end, 0)
    directory += entry(streams[0][0], 2, 2, none, starts[0], len(streams[0][1]))
    directory += entry(streams[1][0], 2, none, none, starts[1], len(streams[1][1]))
    directory += entry("", 0, none, none, 0, 0)
    body = b"".join(data.ljust(-(-len(data) // size) * size, b"\x00") for _, data in streams)
    return header + struct.pack(f"<{size // 4}I", *fat) + directory + body


def docx_bytes(tmp: Path) -> bytes:
    f = tmp / "w.docx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return f.read_bytes()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("考核.xlsx", lambda tmp: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
         "这是 PDF 文件，不是表格，请上传 .xlsx、.xls 或 .csv 文件"),
        ("考核.xlsx", lambda tmp: bytes((i * 7919 + 13) % 251 for i in range(3000)),
         "文件扩展名是 Excel，但内容不是 Excel 表格（文件已损坏或被改名）"),
        ("考核.xlsx", lambda tmp: b"\x89PNG\r\n\x1a\n" + bytes(100),
         "这是图片，不是表格，请上传 .xlsx、.xls 或 .csv 文件"),
        ("考核.xlsx", docx_bytes, "这是 Word 文档，不是 Excel 表格，请上传 .xlsx、.xls 或 .csv 文件"),
        ("考核.xlsx", lambda tmp: b"", "文件是空的（0 字节）"),
        ("考核.pdf", lambda tmp: b"hello", "不支持的文件类型「.pdf」，请上传 .xlsx、.xlsm、.xls 或 .csv 文件"),
        ("考核.csv", lambda tmp: b"\xff\xfe\x80abc,def\n", "CSV 文件编码无法识别（既不是 UTF-8 也不是 GBK），本系统读取 UTF-8 或 GBK 编码的 CSV。" + RESAVE),
    ],
    ids=["pdf", "random-bytes", "png", "docx", "zero-bytes", "pdf-extension", "csv-undecodable"],
)  # fmt: skip
def test_file_not_a_spreadsheet(seeded: Path, files: Path, name: str, make: Any, message: str) -> None:
    f = files / name
    f.write_bytes(make(files))
    exc = refused(seeded, f)
    assert [str(i) for i in exc.issues] == [f"[错误] {message}"]
    assert str(exc) == f"{name}：发现 1 个错误，整个文件未导入"


def test_truncated_xlsx(seeded: Path, files: Path) -> None:
    data = write_xlsx(files / "good.xlsx", {"S": monthly_rows("2019-03")}).read_bytes()
    f = files / "考核.xlsx"
    f.write_bytes(data[: len(data) // 2])
    exc = refused(seeded, f)
    assert [i.message for i in exc.issues] == [
        "文件已损坏或不完整（无法解压），请重新从 Excel 另存为 .xlsx 后上传"
    ]


def test_encrypted_workbook(seeded: Path, files: Path) -> None:
    f = files / "加密.xlsx"
    f.write_bytes(encrypted_workbook_bytes())
    exc = refused(seeded, f)
    assert [i.message for i in exc.issues] == [
        "工作簿设置了打开密码（已加密），请在 Excel 中取消密码后再上传"
    ]


def test_empty_workbook_and_empty_csv(seeded: Path, files: Path) -> None:
    Workbook().save(files / "空.xlsx")
    exc = refused(seeded, files / "空.xlsx")
    assert [i.message for i in exc.issues] == ["工作簿是空的，没有任何数据"]
    exc = refused(seeded, write_csv(files / "空.csv", [[], []]))
    assert [i.message for i in exc.issues] == ["工作簿是空的，没有任何数据"]


def test_header_only_sheet(seeded: Path, files: Path) -> None:
    rows = [["翁源县城市网格化管理月度考核评分表（2019年3月）"], HEADER[1:], [], ["合计"], ["制表人："]]
    exc = refused(seeded, sheet(files, rows))
    assert [str(i) for i in exc.issues] == [
        "[错误] 文件中没有任何数据行（只有表头），没有可导入的内容",
        "[提示] 工作表「S」：工作表没有数据行",
    ]


def test_no_sheet_recognised(seeded: Path, files: Path) -> None:
    f = write_xlsx(files / "通讯录.xlsx", {"通讯录": [["姓名", "电话"], ["张三", "13700000000"]]})
    exc = refused(seeded, f)
    assert [str(i) for i in exc.issues] == [
        "[错误] 没有识别出任何可导入的工作表。表头应包含模板中的列名，如「网格」「月份」和各考核项目，"
        "可先下载模板对照",
        "[提示] 工作表「通讯录」：未识别的工作表（找不到模板中的表头），已跳过",
    ]


def test_every_error_of_a_file_is_reported_at_once(seeded: Path, files: Path) -> None:
    rows = [
        ["翁源县城市网格化管理月度考核评分表（2019年3月）"],
        HEADER[1:],
        row("01", 1)[1:],
        row("02", 2, A2=26)[1:],  # above the maximum
        row("第99网格", 3, A1=-2)[1:],  # unknown grid and a negative score
        row("04", 4, total=50)[1:],  # total differs from the item sum
        row("05", 5, A5="优", total="")[1:],  # text for a number
        row("第一网格", 6)[1:],
    ]  # 01 again
    vol = [["网格", "活动日期", "活动名称"], ["07", "明天", "清洁"], ["08", "2019-03-02", ""]]
    exc = refused(seeded, write_xlsx(files / "多处错误.xlsx", {"3月": rows, "志愿服务": vol}))
    assert str(exc) == "多处错误.xlsx：发现 8 个错误，整个文件未导入"
    assert len(exc.errors) == 8
    assert [(i.sheet, i.row, i.column) for i in exc.errors] == [
        ("3月", 4, "A2"), ("3月", 5, "网格"), ("3月", 5, "A1"), ("3月", 6, "总分"), ("3月", 7, "A5"),
        ("3月", 8, "网格"), ("志愿服务", 2, "活动日期"), ("志愿服务", 3, "活动名称"),
    ]  # fmt: skip
    assert exc.errors[-1].message == "不能为空"


def test_good_score_sheet_and_bad_volunteer_sheet_loads_nothing(seeded: Path, files: Path) -> None:
    vol = [["网格", "活动日期", "活动名称"], ["07", "2019-03-02", "清洁"], ["第99网格", "2019-03-02", "清洁"]]
    f = write_xlsx(files / "三月.xlsx", {"3月": monthly_rows("2019-03"), "志愿服务": vol})
    exc = refused(seeded, f)
    assert where(exc) == [
        ("志愿服务", 3, "网格", "第99网格",
         "网格名册中没有这个网格；最接近的是：28 测试28路网格、27 测试27路网格、26 测试26路网格。请改为名册中的网格编号或名称（模板中可从下拉列表选择）")
    ]  # fmt: skip
    assert store.history(seeded)["file_name"].tolist() == ["评分细则.xlsx", "网格划分表.xlsx"]


def test_missing_file_is_reported_in_chinese(seeded: Path, files: Path) -> None:
    exc = refused(seeded, files / "不存在.xlsx")
    message = exc.issues[0].message
    assert message.startswith("无法读取文件")
    assert not re.search(r"[A-Za-z]", message), message
