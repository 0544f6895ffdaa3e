"""Issue 7: the monthly work bulletin (工作简报) as Word and as Excel, the chart images with
Chinese, the command line, and (when LibreOffice is installed) the PDF a printer would get.

Data: tests/appdata.py, March 2019, today pinned to 2019-04-10 (grid 07 has not reported;
every fourth grid had no volunteer activity; grids 26–28 are the bottom three, at the third
check in a row)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import warnings
from datetime import date
from pathlib import Path

import pytest
from conftest import item_scores, leader_of, write_xlsx
from docx import Document
from openpyxl import load_workbook

from etl import cli, db
from etl.load import store
from etl.output import bulletin_docx, bulletin_text, bulletin_xlsx, doccharts
from etl.rules import bulletin, headline, rankings, trends
from tests import appdata

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "test-output"
TODAY = "2019-04-10"
MARCH = "2019-03"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bulletin")
    return appdata.build(root / "db" / "grid.duckdb", root / "files")


@pytest.fixture
def app_db(template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The appdata database (only read here), today pinned."""
    monkeypatch.setenv("GRID_DB", str(template))
    monkeypatch.setenv("GRID_TODAY", TODAY)
    return template


@pytest.fixture(scope="module")
def docx_bytes(template: Path) -> bytes:
    """March's bulletin, built once for the tests that read it (a build draws two charts)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRID_TODAY", TODAY)
        with db.connect(template) as con:
            return bulletin_docx.build_bulletin_docx(con, "县城", MARCH)


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def section(texts: list[str], heading: str) -> str:
    """The text from a heading (一、… 二、…) to the next one."""
    start = next(i for i, t in enumerate(texts) if t.endswith(heading))
    rest = texts[start + 1 :]
    end = next((i for i, t in enumerate(rest) if re.match(r"^[一二三四五六七八九十]、", t)), len(rest))
    return "\n".join(rest[:end])


def test_the_bulletin_heading(docx_bytes: bytes) -> None:
    texts = [t for t in paragraphs(docx_bytes) if t.strip()]
    assert texts[:4] == [
        "网格化管理工作简报",
        "2019年第3期（总第3期）",
        "翁源县“两创”办公室编\t2019年4月5日",
        "2019年3月县城网格化管理常规检查情况通报",
    ]
    headings = [t for t in texts if re.match(r"^[一二三四五六七]、", t)]
    assert headings == [
        "一、总体情况",
        "二、检查排名情况",
        "三、末位及预警情况",
        "四、信息报送情况",
        "五、志愿服务开展情况",
        "六、巡查问题整改情况",
        "七、下一步工作要求",
    ]
    assert texts[-3:] == [
        "报：县“两创”领导小组各成员。",
        "送：各网格挂点县领导。",
        "发：各网格牵头单位、责任单位。",
    ]


def test_the_summary_is_written_from_the_figures(app_db: Path, docx_bytes: bytes) -> None:
    with db.connect() as con:
        fig = headline.month_figures(con, "县城", MARCH)
        summary = bulletin_text.summary_text(bulletin.bulletin_data(con, "县城", MARCH))
    assert section(paragraphs(docx_bytes), "总体情况").startswith(summary)
    assert summary.startswith(
        "2019年3月，县“两创”办会同有关部门对县城28个网格开展了常规检查，28个网格参与排名，"
    )
    assert f"平均得分{fig.average:.2f}".rstrip("0").rstrip(".") in summary
    assert f"比上次检查下降{fig.prev_average - fig.average:.2f}".rstrip("0") in summary
    assert "排在前三名的是01 测试1路网格" in summary
    assert "其中26 测试26路网格、27 测试27路网格、28 测试28路网格已连续3次排在末位三名" in summary
    assert "27个网格已报送工作信息，其中按时报送22个、逾期报送5个；截至4月5日，1个网格未报送。" in summary
    assert "共开展志愿服务活动21次，参与252人次，服务52.5小时，7个网格未开展活动。" in summary
    assert "本月巡查发现问题28个，已整改19个，整改率67.9%，逾期未整改9个。" in summary


def test_the_ranking_table_holds_every_ranked_grid_in_order(app_db: Path, docx_bytes: bytes) -> None:
    with db.connect() as con:
        ranking = rankings.month_ranking(con, "县城", MARCH)
    table = Document(io.BytesIO(docx_bytes)).tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header[:3] == ["排名", "网格", "挂点\n县领导"] and header[-1] == "总分"
    assert header[3] == "公益\n宣传\n(10)" and len(header) == 3 + 9 + 1
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[1].split()[0] for r in rows] == list(ranking["grid_code"])
    assert [int(r[0]) for r in rows] == list(ranking["rank"])
    assert [float(r[-1]) for r in rows] == list(ranking["total"])
    assert rows[0][1:3] == ["01 测试1路", leader_of(1)]
    assert len(rows) == 28


def test_a_missing_grid_is_shown_as_missing_at_the_end(app_db: Path) -> None:
    with db.connect() as con:
        data = bulletin_docx.build_bulletin_docx(con, "县城", "2019-02")
    rows = [[c.text for c in r.cells] for r in Document(io.BytesIO(data)).tables[0].rows[1:]]
    assert rows[-1][:2] == ["缺检", "05 测试5路"] and rows[-1][-1] == ""
    assert len(rows) == 28
    assert "（1个网格缺检）" in "".join(paragraphs(data))


def test_bottom_three_streaks_reports_and_volunteer_grids_are_named(docx_bytes: bytes) -> None:
    texts = paragraphs(docx_bytes)
    warn = section(texts, "末位及预警情况")
    for g in (26, 27, 28):
        assert f"{g} 测试{g}路网格（挂点县领导：{leader_of(g)}，牵头单位：县{g}局），总分" in warn
    assert f"请挂点县领导{leader_of(28)}同志向县主要领导作出书面说明" in warn
    assert "已连续3次检查（2019年1月、2月、3月）排在末位三名" in warn
    reports = section(texts, "信息报送情况")
    assert "仍有1个网格未报送：07 测试7路网格（联系人联系人7，电话13700000007）" in reports
    assert "逾期报送5个：05 测试5路网格（3月27日报送）" in reports
    volunteer = section(texts, "志愿服务开展情况")
    for g in range(4, 29, 4):
        assert f"{g:02d} 测试{g}路网格（挂点县领导：{leader_of(g)}" in volunteer
    assert "03 测试3路网格" not in volunteer
    problems = section(texts, "巡查问题整改情况")
    assert "逾期未整改9个，涉及9个网格：03 测试3路网格（1个）" in problems


def test_the_problem_table_and_its_red_rows(docx_bytes: bytes) -> None:
    table = Document(io.BytesIO(docx_bytes)).tables[1]
    # Only grids with something left to do; columns that would read the same on every row
    # (已整改 0, 整改率 0.0%, 按时整改率 —) are left out.
    assert [c.text for c in table.rows[0].cells] == ["网格", "发现", "逾期未整改", "挂点县领导"]
    rows = {r.cells[0].text.split()[0]: r for r in table.rows[1:]}
    assert sorted(rows) == [f"{g:02d}" for g in range(3, 28, 3)]
    assert [c.text for c in rows["03"].cells] == ["03 测试3路", "1", "1", leader_of(3)]
    red = {code for code, r in rows.items() if "FBE4E4" in r.cells[0]._tc.xml}
    assert red == {f"{g:02d}" for g in range(3, 28, 3)}
    texts = paragraphs(docx_bytes)
    assert "其余19个网格发现的问题已全部整改。未整改到位的网格见表2。" in section(texts, "巡查问题整改情况")


def test_two_chart_images_are_in_the_document(docx_bytes: bytes) -> None:
    doc = Document(io.BytesIO(docx_bytes))
    assert len(doc.inline_shapes) == 2
    images = [p for p in doc.part.package.parts if p.content_type == "image/png"]
    assert len(images) == 2 and all(p.blob.startswith(b"\x89PNG") for p in images)
    captions = [t for t in paragraphs(docx_bytes) if t.startswith("图")]
    assert captions == ["图1  县城各次检查平均分走势", "图2  2019年3月各网格总分排行"]


def test_issue_number_and_date_can_be_given(app_db: Path) -> None:
    with db.connect() as con:
        data = bulletin_docx.build_bulletin_docx(con, "县城", MARCH, issue_no=12, issued_on=date(2019, 4, 3))
    texts = [t for t in paragraphs(data) if t.strip()]
    assert texts[1:3] == ["2019年第12期（总第3期）", "翁源县“两创”办公室编\t2019年4月3日"]


def test_a_month_without_a_check_has_no_bulletin(app_db: Path) -> None:
    with db.connect() as con, pytest.raises(bulletin.NoCheck, match="县城2019年12月没有月度考核数据"):
        bulletin_docx.build_bulletin_docx(con, "县城", "2019-12")


# ---- The workbook -------------------------------------------------------------------------------------


def test_the_xlsx_holds_the_same_tables_one_per_sheet(app_db: Path) -> None:
    with db.connect() as con:
        data = bulletin_xlsx.build_bulletin_xlsx(con, "县城", MARCH)
        ranking = rankings.month_ranking(con, "县城", MARCH)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [
        "概况",
        "月度排名",
        "末位与预警",
        "信息报送",
        "无志愿服务",
        "问题整改",
        "平均分走势",
    ]
    ws = wb["月度排名"]
    assert ws["A1"].value == "县城网格化管理工作简报（2019年3月，2019年第3期）"
    assert ws.freeze_panes == "A3"
    header = [c.value for c in ws[2]]
    assert (
        header[:4] == ["排名", "变化", "网格编号", "网格名称"] and "总分" in header and "环境卫生" in header
    )
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[2] for r in rows] == list(ranking["grid_code"])
    red = [r[0].row for r in ws.iter_rows(min_row=3) if r[0].fill.fgColor.rgb.endswith("FDECEA")]
    assert [ws.cell(row=i, column=3).value for i in red] == ["26", "27", "28"]
    assert ws.column_dimensions["D"].width > 10
    reports = list(wb["信息报送"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1]) for r in reports] == [
        ("05 测试5路网格", "逾期"),
        ("07 测试7路网格", "未报送"),
        ("10 测试10路网格", "逾期"),
        ("15 测试15路网格", "逾期"),
        ("20 测试20路网格", "逾期"),
        ("25 测试25路网格", "逾期"),
    ]
    volunteer = [r[0] for r in wb["无志愿服务"].iter_rows(min_row=3, values_only=True)]
    assert volunteer == [f"{g:02d} 测试{g}路网格" for g in range(4, 29, 4)]
    warn = [r[1] for r in wb["末位与预警"].iter_rows(min_row=3, values_only=True)]
    assert warn == ["26 测试26路网格", "27 测试27路网格", "28 测试28路网格"]
    overview = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=3, values_only=True)}
    assert overview["参与排名网格"] == 28 and overview["未报送"] == 1 and overview["逾期未整改"] == 9


# ---- Issue 12: ties, the bulletin date and "as of", print-readable charts ----------------------


def test_ties_that_make_more_than_three_are_counted_and_named(template: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Grids 24 and 25 re-scored to 84 like grid 26: fewer than three grids are strictly lower
    for all three, so the bottom three are five grids."""
    db_file = tmp_path / "db" / "grid.duckdb"
    shutil.copytree(template.parent, db_file.parent)
    monkeypatch.setenv("GRID_DB", str(db_file))
    monkeypatch.setenv("GRID_TODAY", TODAY)
    same = item_scores(26, 6)
    with db.connect() as con:
        assert float(
            rankings.month_ranking(con, "县城", MARCH).set_index("grid_code").loc["26", "total"]
        ) == sum(same)
    rows = [["月份", "网格", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "总分"],
            ["2019-03", "24", *same, sum(same)], ["2019-03", "25", *same, sum(same)]]  # fmt: skip
    store.load_path(write_xlsx(tmp_path / "更正.xlsx", {"3月": rows}), path=db_file)
    with db.connect() as con:
        data = bulletin.bulletin_data(con, "县城", MARCH)
        docx = bulletin_docx.bulletin_docx(data)
    assert list(data.bottom["grid_code"]) == ["24", "25", "26", "27", "28"]
    summary = bulletin_text.summary_text(data)
    assert (
        "末位（含并列）共5个网格：24 测试24路网格（84分）、25 测试25路网格（84分）、26 测试26路网格（84分）"
        in summary
    )
    assert "排在末位三名的是" not in summary
    warn = section(paragraphs(docx), "末位及预警情况")
    assert warn.startswith("（一）末位三名。本月末位（含并列）共5个网格：24 测试24路网格（挂点县领导：")


def test_the_bulletin_is_dated_by_its_rule_and_states_facts_as_of_that_date(app_db: Path) -> None:
    assert bulletin.bulletin_date("2019-03") == date(2019, 4, 5)
    assert bulletin.bulletin_date("2019-12") == date(2020, 1, 5)
    with db.connect() as con:
        default = bulletin.bulletin_data(con, "县城", MARCH)  # today is pinned to 2019-04-10
        early = bulletin.bulletin_data(con, "县城", MARCH, issued_on=date(2019, 3, 26))
        ahead = bulletin.bulletin_data(con, "县城", "2019-02", issued_on=date(2019, 5, 1))
        # The connection's own "today" is put back afterwards.
        assert con.execute("SELECT grid_today()").fetchall()[0][0] == date(2019, 4, 10)
    assert (default.issued_on, default.as_of) == (date(2019, 4, 5), date(2019, 4, 5))
    assert "截至4月5日，1个网格未报送" in bulletin_text.summary_text(default)
    # Dated 3-26: the late reports of 3-27 had not arrived; the bulletin says so, as of 3-26.
    assert early.as_of == date(2019, 3, 26)
    assert list(early.late["grid_code"]) == [] and len(early.not_reported) == 6
    assert "截至3月26日，6个网格未报送" in bulletin_text.summary_text(early)
    # A date ahead of today: the facts are those known today.
    assert (ahead.issued_on, ahead.as_of) == (date(2019, 5, 1), date(2019, 4, 10))


def test_charts_print_at_9_points_or_more_and_bars_start_at_zero(app_db: Path) -> None:
    from matplotlib.text import Text

    with db.connect() as con:
        d = bulletin.bulletin_data(con, "县城", MARCH)
    for fig in (doccharts.ranking_bars_figure(d.ranking), doccharts.area_trend_figure(d.averages, d.month)):
        texts = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
        assert texts and min(t.get_fontsize() for t in texts) >= 9, sorted({t.get_fontsize() for t in texts})
    bars = doccharts.ranking_bars_figure(d.ranking).axes[0]
    assert bars.get_xlim()[0] == 0
    assert [t.get_text() for t in bars.get_yticklabels()][:3] == ["01 测试1路", "02 测试2路", "03 测试3路"]


# ---- Charts: Chinese renders from the shipped font ----------------------------------------------------


def test_the_shipped_font_covers_gb2312_and_matplotlib_uses_it() -> None:
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    assert doccharts.FONT_FILE.stat().st_size < 5.5 * 1024 * 1024
    assert (doccharts.FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8").count(
        "SIL OPEN FONT LICENSE"
    ) == 1
    covered = set(TTFont(doccharts.FONT_FILE)["cmap"].getBestCmap())
    gb2312 = set()
    for hi in range(0xB0, 0xF8):  # the 6,763 hanzi
        for lo in range(0xA1, 0xFF):
            try:
                gb2312.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    assert len(gb2312) == 6763 and gb2312 <= covered
    assert {ord(c) for c in "，。、：；（）“”《》—…·↑↓①"} <= covered
    families = doccharts.register_font()
    assert families[0] == "Grid Sans SC"
    found = font_manager.findfont(
        font_manager.FontProperties(family="Grid Sans SC"), fallback_to_default=False
    )
    assert Path(found) == doccharts.FONT_FILE


def test_charts_render_without_a_missing_glyph(app_db: Path) -> None:
    with db.connect() as con:
        ranking = rankings.month_ranking(con, "县城", MARCH)
        averages = trends.grid_history(con, "县城", ()).averages
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        bars = doccharts.ranking_bars_png(ranking, "2019年3月各网格总分（翁源县城）")
        trend = doccharts.area_trend_png(averages, date(2019, 3, 1), "县城平均分走势")
    assert bars.startswith(b"\x89PNG") and trend.startswith(b"\x89PNG")
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "bulletin-ranking-bars.png").write_bytes(bars)
    (OUTPUT / "bulletin-area-trend.png").write_bytes(trend)


# ---- Command line ---------------------------------------------------------------------------------------


def cli_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    try:
        code = cli.main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


def test_cli_bulletin_writes_docx_and_xlsx(
    app_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "简报" / "2019-03.docx"
    assert cli_main(capsys, "bulletin", "--month", MARCH, "-o", str(target)) == (
        0, f"✓ 已生成县城2019年3月工作简报（Word 简报）：{target}\n"
    )  # fmt: skip
    assert paragraphs(target.read_bytes())[0] == "网格化管理工作简报"
    sheet = tmp_path / "2019-03.xlsx"
    code, out = cli_main(
        capsys, "bulletin", "--month", MARCH, "--area", "县城", "-o", str(sheet), "--issue", "5"
    )
    assert code == 0 and "（Excel 表格）" in out
    assert load_workbook(sheet)["概况"]["B4"].value == "2019年第5期（总第3期）"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--month", "2019-12", "-o", "x.docx"],
            1,
            "✗ 县城2019年12月没有月度考核数据，无法生成简报（请先导入该月考核表）",
        ),
        (
            ["--month", MARCH, "-o", "x.pdf"],
            2,
            "✗ 输出文件应以 .docx（Word 简报）或 .xlsx（Excel 表格）结尾，收到：x.pdf",
        ),
        (
            ["--month", MARCH, "-o", "x.docx", "--area", "火星"],
            1,
            "✗ 没有名为「火星」的片区（以网格名册中的片区为准）",
        ),
        (["--month", "2019-13", "-o", "x.docx"], 2, "月份格式不对：2019-13（应为 YYYY-MM，如 2018-05）"),
    ],
)
def test_cli_bulletin_errors(
    app_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    got, out = cli_main(capsys, "bulletin", *args)
    assert got == code and message.replace("x.pdf", "x.pdf") in out


# ---- The printed look: LibreOffice → PDF → first page as PNG --------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_bulletin_converts_to_pdf_and_its_first_page_renders(docx_bytes: bytes, tmp_path: Path) -> None:
    source = tmp_path / "简报.docx"
    source.write_bytes(docx_bytes)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "简报.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "网格化管理工作简报" in text and "2019年第3期" in text.replace(" ", "")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: PDF made, no PNG")
    OUTPUT.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(OUTPUT / "bulletin-page1")], check=True, timeout=60)  # fmt: skip
    png = OUTPUT / "bulletin-page1.png"
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 20_000


# ---- The real app: the download buttons build the files on click ----------------------------------------


@pytest.fixture(scope="module")
def app_url(template: Path):  # noqa: ANN201
    """One server for the browser tests below (they only read the database)."""
    from tests.browser import running_app

    with running_app(template, today=TODAY) as url:
        yield url


@pytest.mark.browser
def test_download_buttons_in_the_real_app(app_url: str, tmp_path: Path) -> None:
    import zipfile

    from tests.browser import browser, download, errors_on, settle

    url = app_url
    with browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        page.goto(f"{url}/ranking?area=县城&year=2019&month={MARCH}")
        settle(page)
        assert errors_on(page) == []
        target = download(page, page.get_by_role("button", name="工作简报（Word）").first, tmp_path)
        page.goto(f"{url}/notices?area=县城&year=2019&month={MARCH}")
        settle(page)
        assert errors_on(page) == []
        bundle = download(
            page, page.get_by_role("button", name=re.compile("下载待下发通知草稿")).first, tmp_path
        )
    assert target.name == "县城_2019-03_工作简报.docx"
    assert paragraphs(target.read_bytes())[0] == "网格化管理工作简报"
    assert bundle.name == "县城_2019-03_整改通知_草稿.zip"
    assert len(zipfile.ZipFile(bundle).namelist()) == 28


@pytest.mark.browser
def test_the_page_dates_the_bulletin_as_picked(app_url: str, tmp_path: Path) -> None:
    """Issue 12 §6: pick the bulletin date beside the buttons (default the 5th of the following
    month); the Word file is dated that day and states its facts as of that day."""
    from tests.browser import browser, download, errors_on, settle

    url = app_url
    with browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        page.goto(f"{url}/ranking?area=县城&year=2019&month={MARCH}")
        settle(page)

        def picked() -> list[str | None]:  # the date field's year, month and day segments
            return [page.get_by_role("spinbutton", name=f"{part}，简报日期").get_attribute("aria-valuenow")
                    for part in ("年", "月", "日")]  # fmt: skip

        assert picked() == ["2019", "4", "5"]
        page.get_by_role("spinbutton", name="月，简报日期").click()
        page.keyboard.type("03")
        page.get_by_role("spinbutton", name="日，简报日期").click()
        page.keyboard.type("26")
        page.locator('[data-testid="stMain"] h1').click()  # the field sends its date on blur
        settle(page)
        assert picked() == ["2019", "3", "26"]
        assert errors_on(page) == []
        target = download(page, page.get_by_role("button", name="工作简报（Word）").first, tmp_path)
    texts = [t for t in paragraphs(target.read_bytes()) if t.strip()]
    assert texts[2] == "翁源县“两创”办公室编\t2019年3月26日"
    # As of 3-26 the late reports of 3-27 had not arrived: six grids had not reported.
    assert "截至3月26日，6个网格未报送" in "\n".join(texts)
