"""Issue 10 §4 and §5: hostile text and implausible dates.

Names that are formulas, markdown, control characters, emoji or 100 characters long load (the
controls stripped) and then travel safely into every .xlsx (text, never a formula), CSV (a
leading quote), Word document and notice. Dates before 2000, more than a year ahead, and
months that have not yet come are errors of the file, with the row; 2018 data still loads.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import monthly_rows, registry_rows, rubric_rows, write_csv, write_xlsx
from docx import Document

from etl import db, safetext
from etl.load import notice_events, store
from etl.load.issues import FileRejected
from etl.output import bulletin_docx, bulletin_xlsx, export, notice_doc, template
from etl.rules import calendar, rankings

TODAY = "2019-04-10"
FORMULA = "=cmd|' /C calc'!A0"
LEADER_FORMULA = '=HYPERLINK("http://example.invalid/","点我")'
MARKDOWN = "![x](http://example.invalid/x.png)"
LONG = "🌟" + "长" * 98 + "格"  # exactly 100 characters
CONTROLS_RAW = "测试\x1b[31m\x0b网格\x07"
CONTROLS_CLEAN = "测试[31m网格"
MATH = r"$\frac{1}{$网格"  # matplotlib would read $…$ as a (broken) formula in a chart label
HOSTILE = {26: FORMULA, 27: CONTROLS_RAW, 28: LONG, 1: MARKDOWN, 2: "+SUM(A1)", 3: "@A1", 4: "-1+2", 25: MATH}


def hostile_registry() -> list[list[Any]]:
    rows = registry_rows()
    for row in rows[2:30]:
        g = int(row[1])
        if g in HOSTILE:
            row[2] = HOSTILE[g]
        if g == 26:
            row[5] = LEADER_FORMULA
        if g == 27:
            row[7] = "<b>县\x1f单位</b>&amp;"
    return rows


def excel_escaped(rows: list[list[Any]]) -> list[list[Any]]:
    """Control characters as Excel stores them in the sheet XML (_x001B_), which openpyxl
    would refuse as such and which the reader decodes back into the characters."""
    out = []
    for row in rows:
        out.append([
            "".join(f"_x{ord(c):04X}_" if ord(c) < 32 and c not in "\t\n" else c for c in v)
            if isinstance(v, str) else v
            for v in row
        ])  # fmt: skip
    return out


def write_text_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Like conftest.write_xlsx, but text cells are text even when they start with '=' (as a
    user's '=cmd typed with a leading apostrophe is stored)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row, start=1):
                cell = ws.cell(row=i, column=j, value=v)
                if isinstance(v, str):
                    cell.data_type = "s"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Registry with hostile names, rubric, three months of 2019 (grids 26–28 last every time),
    problems from a CSV whose descriptions carry control characters."""
    root = tmp_path_factory.mktemp("hostile")
    path = root / "db" / "grid.duckdb"
    store.load_path(
        write_text_xlsx(root / "网格划分表.xlsx", {"网格划分": excel_escaped(hostile_registry())}), path=path
    )
    store.load_path(write_xlsx(root / "评分细则.xlsx", {"评分细则": rubric_rows()}), path=path)
    for i, month in enumerate(["2019-01", "2019-02", "2019-03"]):
        rows = monthly_rows(month, totals_shift=3 * i)
        store.load_path(write_xlsx(root / f"{month}_月度考核.xlsx", {"月度考核": rows}), path=path)
    problems = [["网格", "发现日期", "问题类别", "问题描述", "整改期限", "整改完成日期"]]
    for g in range(1, 29):
        problems.append([f"{g:02d}", "2019-03-05", "环境卫生", f"垃圾\x01堆放\x1b{g}", "2019-03-12", ""])
    store.load_path(write_csv(root / "问题台账.csv", problems), path=path)
    return path


@pytest.fixture
def hostile_db(hostile_template: Path, db_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import shutil

    shutil.copytree(hostile_template.parent, db_file.parent)
    monkeypatch.setenv("GRID_TODAY", TODAY)
    return db_file


def names(path: Path) -> dict[str, tuple[str, str, str]]:
    with db.connect(path) as con:
        rows = con.execute(
            "SELECT grid_code, grid_name, leader_name, lead_unit FROM cur_grid_registry"
        ).fetchall()
    return {c: (n, lead, unit) for c, n, lead, unit in rows}


def test_control_characters_are_stripped_on_load_and_names_kept_as_written(hostile_db: Path) -> None:
    got = names(hostile_db)
    assert got["27"][0] == CONTROLS_CLEAN
    assert got["27"][2] == "<b>县单位</b>&amp;"
    assert got["26"] == (FORMULA, LEADER_FORMULA, "县26局")
    assert got["28"][0] == LONG
    assert got["01"][0] == MARKDOWN
    with db.connect(hostile_db) as con:
        descriptions = [r[0] for r in con.execute("SELECT description FROM problem").fetchall()]
    assert descriptions and all("\x01" not in d and "\x1b" not in d for d in descriptions)
    assert "垃圾堆放26" in descriptions


def _xlsx_text_cells(data: bytes) -> dict[str, Any]:
    """Every non-empty cell value → its openpyxl cell (last one wins), across all sheets."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out: dict[str, Any] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    out[str(cell.value)] = cell
    return out


def _assert_literal_text(data: bytes, *texts: str) -> None:
    cells = _xlsx_text_cells(data)
    for text in texts:
        assert text in cells, text
        assert cells[text].data_type == "s", (text, cells[text].data_type)
    # No formula anywhere in the raw sheet XML.
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_bulletin_xlsx_and_table_download_store_names_as_text(hostile_db: Path) -> None:
    with db.connect(hostile_db) as con:
        data = bulletin_xlsx.build_bulletin_xlsx(con, "县城", "2019-03")
        table = rankings.month_ranking(con, "县城", date(2019, 3, 1))
    _assert_literal_text(data, FORMULA, LEADER_FORMULA, "+SUM(A1)", "@A1", "-1+2", LONG, MARKDOWN)
    shown = export.ranking_display(table, [])
    _assert_literal_text(export.xlsx_bytes({"排名": shown}, title=FORMULA), FORMULA, LEADER_FORMULA)


def test_csv_download_neutralises_formula_cells_but_keeps_numbers(hostile_db: Path) -> None:
    with db.connect(hostile_db) as con:
        table = rankings.month_ranking(con, "县城", date(2019, 3, 1))
    frame = export.ranking_display(table, [])
    frame["差值"] = -1.5
    text = export.csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    col = {name: i for i, name in enumerate(rows[0])}  # the download's column order may change
    code, grid, leader = col["网格编号"], col["网格名称"], col["挂点县领导"]
    by_code = {r[code]: r for r in rows[1:]}
    assert by_code["26"][grid] == "'" + FORMULA
    assert by_code["26"][leader] == "'" + LEADER_FORMULA
    assert by_code["02"][grid] == "'+SUM(A1)"
    assert by_code["03"][grid] == "'@A1"
    assert by_code["04"][grid] == "'-1+2"
    assert by_code["01"][grid] == MARKDOWN  # not a formula: left alone
    assert by_code["26"][-1] == "-1.5"  # a negative number stays a number
    risky = [c for r in rows for c in r if c.startswith(safetext.CSV_TRIGGERS)]
    assert risky and all(float(c) < 0 for c in risky)  # only the numbers


def test_csv_text_rules() -> None:
    frame = pd.DataFrame({"名称": ["=1+1", "\tx", "\rx", "正常", None], "分": [-3.5, 1, 2, 3, 4]})
    text = export.csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'\tx", "'\rx", "正常", ""]
    assert '"\'\rx"' in text  # quoted as a whole: a carriage return never splits a row
    assert rows[1][1] == "-3.5"


def test_template_lists_hostile_names_as_text(hostile_db: Path) -> None:
    data = template.template_bytes("monthly_scores", hostile_db)
    _assert_literal_text(data, f"26 {FORMULA}", "04 -1+2")
    grids = template.template_bytes("grids", hostile_db)
    _assert_literal_text(grids, FORMULA, LEADER_FORMULA, LONG)


def test_bulletin_docx_and_notices_never_crash_on_loaded_text(hostile_db: Path, tmp_path: Path) -> None:
    with db.connect(hostile_db) as con:
        docx = bulletin_docx.build_bulletin_docx(con, "县城", "2019-03")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    tables = "\n".join(c.text for t in Document(io.BytesIO(docx)).tables for r in t.rows for c in r.cells)
    assert FORMULA in tables or FORMULA in text
    issued = notice_events.issue_notices("县城", "2019-03", path=hostile_db)
    assert {"26", "27", "28"} <= set(issued["grid_code"])
    with db.connect(hostile_db) as con:
        files = notice_doc.month_documents(con, "县城", "2019-03", "all")
    assert len(files) >= len(issued)
    written = notice_doc.write_documents(files, tmp_path / "通知")
    assert len(written) == len({n for n, _ in files})
    for name, data in files:
        assert len(name.encode("utf-8")) <= 255
        body = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        assert "\x1b" not in body
    long_doc = next(d for n, d in files if "长长" in n)
    assert LONG in "\n".join(p.text for p in Document(io.BytesIO(long_doc)).paragraphs)
    formula_doc = next(d for n, d in files if n.split("_")[1] == "26")
    assert LEADER_FORMULA in "\n".join(p.text for p in Document(io.BytesIO(formula_doc)).paragraphs)


def test_documents_survive_text_loaded_before_this_check(tmp_path: Path) -> None:
    """A database filled by older code may still hold control characters and a 10,000-character
    name: the Word writer strips what XML refuses and bounds the document title."""
    facts = {
        "kind": "末位整改", "month": "2019-03", "grid_code": "X\x1b1", "grid_name": "名" * 10000 + "\x0b",
        "leader_name": "领导\x00", "lead_unit": "单位\x1f", "area": "县城", "total": 80.0, "rank": 28,
        "n_ranked": 28, "streak": 3, "months": ["2019-01", "2019-02", "2019-03"],
    }  # fmt: skip
    name = notice_doc.file_name(facts)
    assert len(name.encode("utf-8")) <= 255 and "\x1b" not in name
    try:
        data = notice_doc.notice_docx(facts, issued_on=date(2019, 4, 10), due_on=date(2019, 4, 20))
    except KeyError:
        pytest.skip("notice facts need more fields than this minimal set")
    Document(io.BytesIO(data))


# ---- §5: names over 100 characters, implausible dates -----------------------------------------


def test_name_over_100_characters_is_refused_with_its_row(db_file: Path, files: Path) -> None:
    rows = registry_rows()
    rows[5][2] = "超" * 101  # grid 04, Excel row 6
    rows[7][5] = "领" * 150  # grid 06's leader, Excel row 8
    with pytest.raises(FileRejected) as info:
        store.load_path(write_xlsx(files / "名册.xlsx", {"网格划分": rows}), path=db_file)
    errors = {(i.row, i.column): i.message for i in info.value.errors}
    assert errors[(6, "网格名称")].startswith("名称过长（101 个字符），最多 100 个字符")
    assert errors[(8, "挂点领导")].startswith("名称过长（150 个字符）")
    assert not db_file.exists()


def _monthly(month: Any, grids: range = range(1, 29)) -> list[list[Any]]:
    rows = monthly_rows("2019-03", grids=grids)
    for r in rows[1:]:
        r[0] = month
    return rows


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2099-12", "月份在本月（2026年12月）之后，尚未到来，请核对"),
        ("2027-01", "月份在本月（2026年12月）之后，尚未到来，请核对"),
        ("1999-12", "月份早于 2000年1月，不像是真实月份，请核对"),
    ],
)
def test_future_or_ancient_month_is_an_error_of_the_row(
    seeded_copy: Path, files: Path, monkeypatch: pytest.MonkeyPatch, month: str, message: str
) -> None:
    monkeypatch.setenv("GRID_TODAY", "2026-12-02")
    f = write_xlsx(files / "月度.xlsx", {"月度考核": _monthly(month, range(1, 3))})
    with pytest.raises(FileRejected) as info:
        store.load_path(f, path=seeded_copy)
    found = [(i.sheet, i.row, i.column, i.message) for i in info.value.errors]
    assert ("月度考核", 2, "月份", message) in found
    assert ("月度考核", 3, "月份", message) in found


def test_current_month_and_2018_history_load(
    seeded_copy: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRID_TODAY", "2026-12-02")
    now = store.load_path(
        write_xlsx(files / "本月.xlsx", {"月度考核": _monthly("2026-12")}), path=seeded_copy
    )
    old = store.load_path(
        write_xlsx(files / "2018.xlsx", {"月度考核": _monthly("2018-05")}), path=seeded_copy
    )
    assert now.periods == ["2026-12"] and old.periods == ["2018-05"]


def test_month_from_title_or_option_must_not_be_in_the_future(
    seeded_copy: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRID_TODAY", "2026-12-02")
    rows = [["翁源县2099年12月网格考核"], *[r[1:] for r in monthly_rows("x")]]
    with pytest.raises(FileRejected) as info:
        store.load_path(write_xlsx(files / "考核.xlsx", {"考核": rows}), path=seeded_copy)
    assert [str(i) for i in info.value.errors] == [
        "[错误] 工作表「考核」：标题中的2099年12月：月份在本月（2026年12月）之后，尚未到来，请核对"
    ]
    plain = [r[1:] for r in monthly_rows("x")]
    with pytest.raises(FileRejected) as info:
        store.load_path(write_xlsx(files / "考核.xlsx", {"考核": plain}), path=seeded_copy,
                        options=store.Options(month=date(2027, 3, 1)))  # fmt: skip
    assert "上传时填写的月份（--month）中的2027年3月：月份在本月（2026年12月）之后" in str(
        info.value.errors[0]
    )


def test_annual_year_in_the_future_is_refused(
    seeded_copy: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRID_TODAY", "2026-12-02")
    rows = [["网格", "年度", "年终考核得分"], ["01", 2027, 90], ["02", 2026, 91], ["03", 1999, 92]]
    with pytest.raises(FileRejected) as info:
        store.load_path(write_xlsx(files / "年终.xlsx", {"年终考核": rows}), path=seeded_copy)
    found = {(i.row, i.message) for i in info.value.errors}
    assert found == {(2, "年度在今年（2026年）之后，尚未到来，请核对"), (4, "年度早于 2000 年，请核对")}


def test_volunteer_dates_of_1900_and_9999_are_refused(
    seeded_copy: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRID_TODAY", "2026-12-02")
    rows = [
        ["网格", "活动日期", "活动名称", "组织单位", "参与人数", "服务时长"],
        ["01", date(1900, 1, 1), "清洁家园", "县文明办", 12, 2],
        ["02", date(9999, 12, 31), "清洁家园", "县文明办", 12, 2],
        ["03", "2027-01-05", "清洁家园", "县文明办", 12, 2],  # within a year, but a month to come
        ["04", date(2018, 6, 1), "清洁家园", "县文明办", 12, 2],
    ]
    with pytest.raises(FileRejected) as info:
        store.load_path(write_xlsx(files / "志愿.xlsx", {"志愿服务": rows}), path=seeded_copy)
    found = {(i.row, i.column, i.message) for i in info.value.errors}
    assert found == {
        (2, "活动日期", "日期早于 2000-01-01，不像是真实日期，请核对"),
        (3, "活动日期", "日期晚于 2027-12-02（今天起一年以后），不像是真实日期，请核对"),
        (4, "活动日期", "所属月份在本月（2026年12月）之后，尚未到来，请核对"),
    }


def test_deadline_may_lie_ahead_but_not_in_9999(
    seeded_copy: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRID_TODAY", "2026-12-02")
    header = ["网格", "发现日期", "问题类别", "问题描述", "整改期限", "整改完成日期"]
    ahead = [header, ["01", date(2026, 11, 20), "环境卫生", "垃圾", date(2027, 6, 30), None]]
    res = store.load_path(write_csv(files / "问题.csv", ahead), path=seeded_copy)
    assert res.row_count == 1
    far = [header, ["01", date(2026, 11, 21), "环境卫生", "垃圾", "9999-12-31", None]]
    with pytest.raises(FileRejected) as info:
        store.load_path(write_csv(files / "问题2.csv", far), path=seeded_copy)
    assert [(i.row, i.column, i.value) for i in info.value.errors] == [(2, "整改期限", "9999-12-31")]


def test_year_options_stay_within_the_data_range(hostile_db: Path, files: Path) -> None:
    """The sidebar's years come from the data; with dates bounded they are a handful."""
    with db.connect(hostile_db) as con:
        years = calendar.years(con, "县城")
    assert years == [2019]
    far = [["网格", "活动日期", "活动名称"], ["01", date(1900, 1, 1), "x"], ["02", date(9999, 1, 1), "y"]]
    with pytest.raises(FileRejected):
        store.load_path(write_xlsx(files / "v.xlsx", {"志愿服务": far}), path=hostile_db)
    with db.connect(hostile_db) as con:
        assert calendar.years(con, "县城") == [2019]


def test_strip_controls_keeps_tab_and_newline() -> None:
    assert safetext.strip_controls("a\tb\r\nc\x00d\x1b\x85e\ud800") == "a\tb\ncde"
    assert safetext.md(MARKDOWN) == r"\!\[x\]\(http\://example\.invalid/x\.png\)"
    assert safetext.md("a\nb :red[x] $x$") == r"a b \:red\[x\] \$x\$"


# ---- Names render as plain text on the pages -------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def local_app(hostile_db: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from streamlit import config

    monkeypatch.setenv("GRID_DB", str(hostile_db))
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield hostile_db
    config.set_option("server.address", before)


def _page(path: str | None) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if path:
        at.switch_page(path)
    for key, value in {"area": "县城", "year": "2019", "month": "2019-03"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_markdown_in_a_name_is_plain_text_on_the_overview(local_app: Path) -> None:
    at = _page(None)
    texts = [m.value for m in at.markdown]
    assert not any("![x](" in t for t in texts)  # never an image the browser would fetch
    # The podium is HTML cards (st.html): markdown means nothing there, the name is escaped text.
    html = [e.proto.body for e in at.get("html")]
    podium = [h for h in html if "rank-cards" in h]
    assert podium and f"01 {MARKDOWN}" in podium[0]
    assert not any("<img" in h for h in podium)


def test_markdown_in_a_value_is_plain_text_in_the_upload_issue_table(local_app: Path, tmp_path: Path) -> None:
    rows = [["月份", "网格", *[f"A{i}" for i in range(1, 10)]], ["2019-03", "![y](http://example.invalid/y.png)",
            10, 20, 15, 15, 10, 5, 10, 5, 10]]  # fmt: skip
    data = write_xlsx(tmp_path / "坏表.xlsx", {"月度考核": rows}).read_bytes()
    at = _page("pages/upload.py")
    at.file_uploader[0].set_value([("坏表.xlsx", data, "application/octet-stream")]).run()
    assert not at.exception
    cells = [str(v) for v in at.table[0].value.to_numpy().ravel()]
    assert r"\!\[y\]\(http\://example\.invalid/y\.png\)" in cells
    assert not any("![y](" in c for c in cells)


def test_chart_labels_show_names_literally() -> None:
    """A name stays a name in a chart: escaped in the HTML charts' legend and tooltips, and
    Plotly (the map and the lamp charts), which reads <a href>, <b> and %{…} in labels and hover
    text, gets it through safetext.plotly_text."""
    from etl.output import charts_scores

    name = '<a href="http://example.invalid/">点我</a>%{y}'
    totals = pd.DataFrame({"grid_code": ["01"], "grid_name": [name], "month": [pd.Timestamp("2019-03-01")],
                           "total": [90.0], "rank": [1], "bottom_three": [False]})  # fmt: skip
    html = charts_scores.grid_totals(totals)
    assert "<a href" not in html and "%{y}" in html
    assert (
        html.count("01 &lt;a href=&quot;http://example.invalid/&quot;&gt;点我&lt;/a&gt;%{y}") == 2
    )  # legend, tooltip
    assert safetext.plotly_text(name) == '&lt;a href="http://example.invalid/"&gt;点我&lt;/a&gt;%&#123;y}'
    assert safetext.plotly_text("A & B") == "A &amp; B"
