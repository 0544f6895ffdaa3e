"""The clerk's import without surprises (issue 13): the preview names missing grids, registry
changes and conversions; a month picker when no month is written; suggestions that put the
grid a sheet lacks first; revert preview; links after a load; a clean start; encodings;
downloads rounded as shown."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import RUBRIC, leader_of, monthly_rows, registry_rows, write_csv, write_xlsx
from streamlit.testing.v1 import AppTest

from etl import cli, db
from etl.load import preview, revert_preview, sample, store
from etl.load.issues import FileRejected
from etl.load.read import RESAVE
from etl.output import export, tables
from etl.rules import assessment
from tests import appdata

ROOT = Path(__file__).resolve().parent.parent


def check(path: Path, f: Path, **options: object) -> preview.FilePreview:
    return preview.preview_bytes(f.read_bytes(), f.name, store.Options(**options), path=path,
                                 today=date(2019, 4, 10))  # fmt: skip


# ---- 1. The preview names what the file lacks, adds and converts --------------------------------


def test_a_september_sheet_without_grid_28_names_it(seeded_copy: Path, files: Path) -> None:
    f = write_xlsx(files / "9月考核.xlsx", {"9月": monthly_rows("2019-09", grids=range(1, 28))})
    pv = check(seeded_copy, f)
    assert pv.loadable
    assert pv.changes == [
        "新增 县城 2019年9月 27 个网格的月度考核得分",
        "县城 2019年9月（工作表「9月」）缺少 28 测试28路网格：导入后该月记为缺检",
    ]


def test_a_year_end_sheet_without_grid_15_names_it(seeded_copy: Path, files: Path) -> None:
    rows = [["2019年度年终考核得分"], ["网格", "年终考核得分"]]
    rows += [[f"{g:02d}", 90] for g in range(1, 29) if g != 15]
    pv = check(seeded_copy, write_xlsx(files / "年终.xlsx", {"年终": rows}))
    assert "县城 2019年度（工作表「年终」）缺少 15 测试15路网格：导入后该网格年度考评记为未完成" in pv.changes


def test_a_correction_of_a_few_grids_keeps_the_others(seeded_copy: Path, files: Path) -> None:
    store.load_path(write_xlsx(files / "3月.xlsx", {"S": monthly_rows("2019-03")}), path=seeded_copy)
    f = write_xlsx(files / "3月更正.xlsx", {"S": monthly_rows("2019-03", totals_shift=1, grids=[1, 2])})
    pv = check(seeded_copy, f)
    assert not any("缺检" in c for c in pv.changes)
    assert "县城 2019年3月（工作表「S」）不含 03 测试3路网格、04 测试4路网格、05 测试5路网格、06 测试6路网格、" \
           "07 测试7路网格、08 测试8路网格、09 测试9路网格、10 测试10路网格 等 26 个网格：保留已导入的得分" in pv.changes  # fmt: skip


def test_two_missing_grids_are_both_named(seeded_copy: Path, files: Path) -> None:
    f = write_xlsx(
        files / "9月.xlsx",
        {"S": monthly_rows("2019-09", grids=[g for g in range(1, 29) if g not in (7, 28)])},
    )
    assert (
        "县城 2019年9月（工作表「S」）缺少 07 测试7路网格、28 测试28路网格：导入后这些网格该月记为缺检"
        in check(seeded_copy, f).changes
    )


def test_a_new_registry_names_grids_added_and_changed(seeded_copy: Path, files: Path) -> None:
    rows = registry_rows()
    rows[2 + 6][2] = "新华路网格"  # grid 07 renamed
    rows[2 + 2][5] = "李新官"  # grid 03: new leader
    rows.insert(2 + 28, [29, "29", "新城网格", "县城", "东片", "王新", "副县长", "县29局", "", "", "", ""])
    pv = check(seeded_copy, write_xlsx(files / "网格划分表（新）.xlsx", {"网格划分": rows}))
    assert pv.loadable, [str(i) for i in pv.errors]
    assert "名册新增网格：县城 29 新城网格" in pv.changes
    assert (
        f"名册有变化的网格：03 测试3路网格（挂点县领导 {leader_of(3)} → 李新官）；"
        "07 新华路网格（名称 测试7路网格 → 新华路网格）"
    ) in pv.changes


def test_conversions_are_said_before_loading(seeded_copy: Path, files: Path) -> None:
    header = ["网格", "A1", "环境卫生扣分", *[c for c, _, _ in RUBRIC[2:]]]
    rows = [header] + [[f"{g:02d}", 10, 2, 15, 15, 10, 5, 10, 5, 10] for g in range(1, 29)]
    rows[7][0] = "第七网格"
    rows[3][0] = leader_of(3)
    pv = check(seeded_copy, write_xlsx(files / "2019年5月扣分表.xlsx", {"扣分": rows}))
    assert pv.loadable, [str(i) for i in pv.errors]
    assert pv.changes[1:] == [
        "工作表「扣分」的「环境卫生扣分」是扣分：已按「得分 = 满分 − 扣分」换算为得分",
        f"工作表「扣分」按挂点县领导姓名认出网格：{leader_of(3)} → 03 测试3路网格",
        "工作表「扣分」网格写法已统一为编号：第七网格 → 07 测试7路网格",
        "工作表「扣分」表中没有月份列：按文件名「2019年5月扣分表.xlsx」取月份为 2019年5月",
    ]
    # The score is the maximum minus the deduction.
    assert {r["total"] for r in pv.extraction.sheets[0].tables["monthly_score"]} == {98.0}


# ---- 3. Suggestions and bad cells ----------------------------------------------------------------


def test_an_unknown_grid_suggests_the_grid_the_sheet_lacks_first(seeded_copy: Path, files: Path) -> None:
    rows = monthly_rows("2019-09")
    rows[7][1] = "第99网格"  # the row of grid 07
    pv = check(seeded_copy, write_xlsx(files / "9月.xlsx", {"S": rows}))
    assert [(i.row, i.message) for i in pv.errors] == [
        (8, "网格名册中没有这个网格；本表缺少的网格：07 测试7路网格（可能就是这一行）；"
            "其他接近的是：28 测试28路网格、27 测试27路网格。请改为名册中的网格编号或名称（模板中可从下拉列表选择）")
    ]  # fmt: skip


def test_a_bad_cell_names_its_grid(seeded_copy: Path, files: Path) -> None:
    rows = monthly_rows("2019-09")
    rows[12][4] = "优"  # grid 12, A3
    rows[12][-1] = ""
    pv = check(seeded_copy, write_xlsx(files / "9月.xlsx", {"S": rows}))
    assert [str(i) for i in pv.errors] == [
        "[错误] 工作表「S」第13行「A3」列，值「优」：应为数字（网格 12 测试12路网格）"
    ]


# ---- 2. Month picker choices and page-neutral messages ---------------------------------------------


@pytest.fixture(scope="module")
def app_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clerk")
    return appdata.build(folder / "grid.duckdb", folder / "files")


def copy_db(app_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "db" / "grid.duckdb"
    shutil.copytree(app_db.parent, copy.parent, ignore=shutil.ignore_patterns("files"))
    return copy


def no_month_sheet(folder: Path, name: str = "考核表.xlsx") -> Path:
    rows = [["翁源县城市网格化管理月度考核评分表"], [r for r in monthly_rows()[0][1:]]]
    rows += [r[1:] for r in monthly_rows(grids=range(1, 29))[1:]]
    return write_xlsx(folder / name, {"Sheet1": rows})


def test_month_choices_start_after_the_latest_check(app_db: Path, tmp_path: Path) -> None:
    pv = check(app_db, no_month_sheet(tmp_path))
    assert not pv.loadable and pv.extraction.needs_month
    assert str(pv.errors[0]) == (
        "[错误] 工作表「Sheet1」：找不到考核月份：表中没有「月份」列，标题、工作表名和文件名中也没有月份"
        "（如 2018年5月）。请加一列「月份」，或在上传时选择月份"
    )
    assert "命令行" not in str(pv.errors[0]) and "--month" not in str(pv.errors[0])
    assert pv.month_choices[:3] == [date(2019, 4, 1), date(2019, 3, 1), date(2019, 2, 1)]
    assert pv.month_choices[-1] == date(2018, 1, 1)
    assert len(pv.month_choices) == len(set(pv.month_choices)) == 16


def test_month_named_in_the_file_name_comes_next(app_db: Path, tmp_path: Path) -> None:
    pv = check(app_db, no_month_sheet(tmp_path, "9月考核表.xlsx"))
    # September of the latest check's year is after today (2019-04-10): last year's comes next.
    assert pv.month_choices[:4] == [date(2019, 4, 1), date(2018, 9, 1), date(2019, 3, 1), date(2019, 2, 1)]
    # Historical sheets stay choosable, and a chosen month makes the file loadable.
    assert date(2018, 5, 1) in pv.month_choices
    again = check(app_db, no_month_sheet(tmp_path, "9月考核表.xlsx"), month=date(2018, 5, 1))
    assert again.loadable and again.changes[0] == "新增 县城 2018年5月 28 个网格的月度考核得分"


def test_the_command_line_keeps_its_own_hint(
    seeded_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["load", str(no_month_sheet(tmp_path)), "--db", str(seeded_copy)])
    out = capsys.readouterr().out
    assert code == 1
    assert "    （命令行：加 --month 2018-05 指定月份）" in out.splitlines()


# ---- 4. Revert preview ------------------------------------------------------------------------------


def test_revert_preview_lists_rows_that_stop_counting_and_rank_moves(app_db: Path, tmp_path: Path) -> None:
    copy = copy_db(app_db, tmp_path)
    res = store.load_path(
        write_xlsx(tmp_path / "3月更正.xlsx", {"S": monthly_rows("2019-03", 9, range(1, 6))}), path=copy
    )
    before = store.history(copy)
    rp = revert_preview.revert_preview(res.batch_id, path=copy)
    assert rp.changes == ["县城 2019年3月：5 个网格的月度考核得分不再计入，其中 5 个网格恢复批次 #5 的得分"]
    moves = rp.rank_moves.set_index("网格")
    assert moves.loc["06", ["原排名", "撤销后排名"]].tolist() == [3, 6]
    assert moves.loc["05", ["原排名", "撤销后排名"]].tolist() == [7, 5]
    # The original March batch: 23 grids lose their score, 5 already replaced.
    rp = revert_preview.revert_preview(5, path=copy)
    assert rp.changes[0].startswith("县城 2019年3月：23 个网格的月度考核得分不再计入；网格06、网格07")
    assert rp.changes[0].endswith("等 23 个网格 将没有得分（该月记为缺检）")
    assert rp.changes[1] == "本批次另有 5 行月度考核得分已被后来导入的批次取代，撤销对它们没有影响"
    assert revert_preview.revert_preview(1, path=copy).changes == [
        "网格名册将为空：撤销后没有有效的网格名册，请再导入一份"
    ]
    assert store.history(copy).equals(before)  # nothing written


# ---- 5. Links after a load --------------------------------------------------------------------------


def town_sheet(folder: Path) -> Path:
    rows = [["月份", "网格", *[c for c, _, _ in RUBRIC]]]
    for m in range(1, 10):
        for i in (1, 2, 3):
            rows.append([f"2019-{m:02d}", f"官渡{i}", 10, 20, 15, 15, 10, 5, 10, 5, 10 - i])
    return write_xlsx(folder / "官渡镇2019年1-9月考核.xlsx", {"官渡镇": rows})


def test_links_go_to_the_town_and_every_month(app_db: Path, tmp_path: Path) -> None:
    pv = check(app_db, town_sheet(tmp_path))
    assert pv.loadable
    links = pv.links()
    assert [p for p, _, _ in links] == ["pages/ranking.py"] * 9
    assert [q for _, _, q in links] == [
        {"area": "官渡镇", "year": "2019", "month": f"2019-{m:02d}"} for m in range(1, 10)
    ]
    assert links[0][1] == "查看官渡镇 2019年1月排名 →"


# ---- 6. Clean start ---------------------------------------------------------------------------------


def test_first_run_never_samples_into_a_named_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = Path(os.environ["GRID_DB"])  # conftest names a fresh database for every test
    assert cli.main(["sample", "--first-run"]) == 0
    assert "不写入示例数据" in capsys.readouterr().out
    assert not named.exists() and not db.archive_dir(named).exists()
    assert cli.main(["sample", "--first-run", "--db", str(tmp_path / "x.duckdb")]) == 0
    assert not (tmp_path / "x.duckdb").exists()
    assert sample.first_run_database() is None


def make_dry_run(*args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})}).stdout  # fmt: skip


def test_make_run_samples_only_when_asked() -> None:
    assert "etl sample --first-run" in make_dry_run()
    assert "etl sample" not in make_dry_run("SAMPLE=0")
    assert "streamlit run dashboard.py --server.address=localhost --server.port=8502" in make_dry_run(
        "PORT=8502"
    )


def test_clearing_the_sample_keeps_it_aside(db_file: Path, files: Path) -> None:
    store.load_path(write_xlsx(files / "网格划分表.xlsx", {"网格划分": registry_rows()}), path=db_file,
                    loaded_by=sample.SAMPLE_USER)  # fmt: skip
    sample_files = sorted(p.name for p in sample.SAMPLE_DIR.iterdir())
    backup = sample.clear_sample_db(db_file)
    assert backup is not None and (backup / db_file.name).exists() and (backup / "archive").is_dir()
    assert store.history(db_file).empty
    assert sorted(p.name for p in sample.SAMPLE_DIR.iterdir()) == sample_files
    store.load_path(write_xlsx(files / "网格划分表2.xlsx", {"网格划分": registry_rows()[:5]}), path=db_file,
                    loaded_by="张三")  # fmt: skip
    with pytest.raises(sample.NotOnlySample):
        sample.clear_sample_db(db_file)


def test_the_empty_overview_points_to_the_upload_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRID_DB", str(tmp_path / "none" / "grid.duckdb"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    text = " ".join(i.value for i in at.info)
    assert "数据上传" in text and "python" not in text and "etl" not in text
    links = [e for e in at.get("page_link") if "数据上传" in e.proto.label]
    assert links and links[0].proto.page.endswith("upload")


# ---- 7. Encodings -----------------------------------------------------------------------------------

TRADITIONAL = [
    ["網格", "月份", "公益宣傳"],
    ["中山路網格", "2019年9月", "9.5"],
    ["建設路網格", "2019年9月", "10"],
]


@pytest.mark.parametrize(
    ("encoding", "likely"),
    [("big5", "CSV 文件像是 Big5（繁体中文）编码"), ("utf-16", "CSV 文件是 UTF-16（Unicode 文本）编码"),
     ("utf-16-le", "CSV 文件是 UTF-16（Unicode 文本）编码")],
)  # fmt: skip
def test_a_csv_in_another_encoding_is_named(
    seeded_copy: Path, files: Path, encoding: str, likely: str
) -> None:
    f = write_csv(files / "考核.csv", TRADITIONAL, encoding=encoding)
    with pytest.raises(FileRejected) as exc:
        store.load_path(f, path=seeded_copy)
    assert [i.message for i in exc.value.issues] == [
        f"{likely}，本系统读取 UTF-8 或 GBK 编码的 CSV。{RESAVE}"
    ]
    assert "另存为」，保存类型选「CSV UTF-8（逗号分隔）」" in RESAVE


def test_a_gbk_csv_still_loads(seeded_copy: Path, files: Path) -> None:
    f = write_csv(files / "2019年3月.csv", monthly_rows("2019-03"), encoding="gbk")
    assert store.load_path(f, path=seeded_copy).row_count == 28


# ---- 8. Rounded as shown; no None, nan or raw names -------------------------------------------------


def test_the_annual_download_is_rounded_as_shown(app_db: Path, tmp_path: Path) -> None:
    copy = copy_db(app_db, tmp_path)
    # April for every grid: grid 05 (missing in February) averages three months, 96.33333…
    store.load_path(write_xlsx(tmp_path / "4月.xlsx", {"S": monthly_rows("2019-04", 1)}), path=copy)
    with db.connect(copy) as con:
        table = assessment.annual_table(con, "县城", 2019)
    assert table.set_index("grid_code").loc["05", "routine_avg"] == pytest.approx(96.3333333)
    shown = tables.annual_display(table).set_index("网格")
    assert shown.loc["05 测试5路网格", "常规考核平均分"] == 96.33
    text = export.csv_bytes(tables.annual_display(table)).decode("utf-8-sig")
    assert not re.search(r"\d\.\d{3,}", text), text[:300]


def test_parsed_rows_show_no_none_nan_or_field_names(seeded_copy: Path, files: Path) -> None:
    rows = monthly_rows("2019-09")
    rows[0].append("备注")
    for r in rows[1:]:
        r.append(None)
    rows[3][-1] = "复查"
    pv = check(seeded_copy, write_xlsx(files / "9月.xlsx", {"S": rows}))
    frames = pv.sample_rows()
    assert frames
    for frame in frames.values():
        cells = {str(v) for c in frame.columns for v in frame[c].tolist()}
        assert not cells & {"None", "nan", "NaN", "<NA>", "NaT"}
        assert all(not re.fullmatch(r"[a-z_]+", c) for c in frame.columns), list(frame.columns)
        assert "备注" in frame.columns


# ---- The upload page (AppTest): picker at the message, recheck without re-uploading, links -------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plain(text: str) -> str:
    """A page text without the markdown escapes the page puts before data (etl.safetext.md)."""
    return re.sub(r"\\(.)", r"\1", text)


@pytest.fixture
def local_server() -> object:
    """Served on the loopback address, as `make run` does: loading needs no password."""
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", before)


def upload_page(path: Path, monkeypatch: pytest.MonkeyPatch, today: str = "2019-04-10") -> AppTest:
    monkeypatch.setenv("GRID_DB", str(path))
    monkeypatch.setenv("GRID_TODAY", today)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("pages/upload.py")
    return at.run()


def test_the_month_picker_makes_the_file_loadable(
    app_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_server: None
) -> None:
    copy = copy_db(app_db, tmp_path)
    at = upload_page(copy, monkeypatch)
    f = no_month_sheet(tmp_path)
    at.file_uploader[0].set_value((f.name, f.read_bytes(), XLSX)).run()
    assert not at.exception
    pickers = [s for s in at.selectbox if s.label.startswith("考核月份")]
    assert len(pickers) == 1
    picker = pickers[0]
    assert picker.value is None
    assert picker.options[:3] == ["2019年4月", "2019年3月", "2019年2月"]
    assert any("表中没有写考核月份" in w.value for w in at.warning)
    assert not any(
        "命令行" in str(t.value) or "--month" in str(t.value) for t in [*at.table, *at.info, *at.warning]
    )
    assert not [b for b in at.button if b.label == "确认导入"]

    picker.select(date(2019, 4, 1)).run()  # the same upload, rechecked at once
    assert not at.exception
    assert [e.label for e in at.expander if plain(e.label).startswith("✓ 考核表.xlsx：可以导入")]
    text = " ".join(str(t.value) for t in at.text)
    assert "新增 县城 2019年4月 28 个网格的月度考核得分" in text
    assert [s.value for s in at.selectbox if s.label.startswith("考核月份")] == [date(2019, 4, 1)]

    next(b for b in at.button if b.label == "确认导入").click().run()
    assert not at.exception
    assert plain(at.success[0].value).startswith(
        "考核表.xlsx：已导入为批次 #9（月度考核得分，2019-04，28 行）"
    )
    links = [(e.proto.page, plain(e.proto.label), e.proto.query_string) for e in at.get("page_link")]
    assert ("查看县城 2019年4月排名 →") in [lbl for _, lbl, _ in links]
    with db.connect(copy) as con:
        assert con.execute(
            "SELECT count(*) FROM cur_monthly_score WHERE month = '2019-04-01'"
        ).fetchall() == [(28,)]


def test_links_after_a_town_load_and_the_revert_preview(
    app_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_server: None
) -> None:
    copy = copy_db(app_db, tmp_path)
    at = upload_page(copy, monkeypatch, today="2019-10-10")  # September is past: loadable
    f = town_sheet(tmp_path)
    at.file_uploader[0].set_value((f.name, f.read_bytes(), XLSX)).run()
    next(b for b in at.button if b.label == "确认导入").click().run()
    assert not at.exception
    links = [e.proto for e in at.get("page_link") if plain(e.proto.label).startswith("查看官渡镇")]
    assert len(links) == 9
    assert all("area=%E5%AE%98%E6%B8%A1%E9%95%87" in p.query_string for p in links), links[0].query_string
    assert [re.search(r"month=([\d-]+)", p.query_string).group(1) for p in links] == [
        f"2019-{m:02d}" for m in range(1, 10)
    ]
    # The newest batch selected for revert: its preview is shown before the confirm button.
    text = " ".join(str(t.value) for t in at.text)
    assert (
        "官渡镇 2019年1月至9月（共 9 个月，每月）：3 个网格的月度考核得分不再计入；网格官渡1、网格官渡2、网格官渡3 将没有得分（该月不再有考核）"
        in text
    )


def test_a_year_end_sheet_without_a_year_offers_the_years(seeded_copy: Path, files: Path) -> None:
    store.load_path(write_xlsx(files / "3月.xlsx", {"S": monthly_rows("2019-03")}), path=seeded_copy)
    f = write_xlsx(
        files / "年终考核.xlsx", {"S": [["网格", "年终考核得分"], *[[f"{g:02d}", 90] for g in range(1, 29)]]}
    )
    pv = check(seeded_copy, f)
    assert pv.extraction.needs_year and not pv.loadable
    assert pv.year_choices == [2019, 2018]  # the year with monthly scores and no year-end yet first
    assert check(seeded_copy, f, year=2019).loadable


def test_the_clear_sample_button_starts_an_empty_database(
    db_file: Path, files: Path, monkeypatch: pytest.MonkeyPatch, local_server: None
) -> None:
    store.load_path(write_xlsx(files / "网格划分表.xlsx", {"网格划分": registry_rows()}), path=db_file,
                    loaded_by=sample.SAMPLE_USER)  # fmt: skip
    at = upload_page(db_file, monkeypatch)
    assert any("随软件附带的示例数据" in i.value for i in at.info)
    next(b for b in at.button if b.label == "清空示例数据，开始导入本县数据").click().run()
    assert not at.exception
    assert plain(at.success[0].value).startswith("已清空示例数据（示例数据库已移到 sample-backup-")
    assert not [b for b in at.button if b.label == "清空示例数据，开始导入本县数据"]
    assert store.history(db_file).empty
    assert list(db_file.parent.glob("sample-backup-*/grid.duckdb"))
