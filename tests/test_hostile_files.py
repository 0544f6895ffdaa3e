"""Issue 10 §1: reading is bounded and isolated.

Every hostile workbook from the issue, built in code, is refused with a Chinese message that
names the sheet, what is too large and the limit; nothing reaches the database or the archive;
the CLI exits 1 without a traceback; the upload page shows a red message and keeps running. A
reader that dies (native abort, memory cap, time limit) takes only its child process with it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import registry_rows, write_csv, write_xlsx
from openpyxl import Workbook

from etl import db
from etl.errors import FileUnreadable
from etl.load import preview, sandbox, store
from etl.load.issues import FileRejected
from etl.load.sandbox import read_workbook
from tests import hostile

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def seeded(seeded_copy: Path) -> Path:
    return seeded_copy


def batches(db_file: Path) -> int:
    with db.connect(db_file) as con:
        return con.execute("SELECT count(*) FROM batch").fetchall()[0][0]


def archived(db_file: Path) -> list[str]:
    folder = db.archive_dir(db_file)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def refusal(db_file: Path, path: Path) -> str:
    """Load `path`: it must be refused as a whole with one error and change nothing."""
    before, files_before = batches(db_file), archived(db_file)
    with pytest.raises(FileRejected) as info:
        store.load_path(path, path=db_file)
    assert batches(db_file) == before
    assert archived(db_file) == files_before
    errors = info.value.errors
    assert len(errors) == 1, errors
    return errors[0].message


def small_bomb(folder: Path) -> Path:
    return hostile.zip_bomb(folder, megabytes=64)  # the ratio gives it away; 64 MB builds fast


BUILDERS = {**{k: v[0] for k, v in hostile.CASES.items()}, "zip_bomb": small_bomb}


@pytest.mark.parametrize("case", sorted(hostile.CASES))
def test_hostile_file_is_refused_in_chinese_and_writes_nothing(seeded: Path, files: Path, case: str) -> None:
    path = BUILDERS[case](files)
    message = refusal(seeded, path)
    for words in hostile.CASES[case][1]:
        assert words in message, message
    assert not re.search(
        r"[A-Za-z]{4,}", re.sub(r"[A-Z]{1,3}\d+|xl/\S+|Excel|\.xlsx|\.xls|\.csv", "", message)
    )


def test_the_lone_cell_file_is_a_few_kilobytes(files: Path) -> None:
    assert hostile.lone_cell_openpyxl(files).stat().st_size < 8 * 1024
    assert hostile.huge_shared_string(files, megabytes=40).stat().st_size < 512 * 1024


def test_a_lying_range_does_not_hide_the_last_cell(files: Path) -> None:
    path = hostile.lone_cell_lying(files, "A200000")
    with pytest.raises(FileUnreadable, match="有单元格位于 A200000（第 200,000 行），超过上限 100,000 行"):
        read_workbook(path.read_bytes(), path.name)


def test_leading_zeros_do_not_hide_a_far_row(files: Path) -> None:
    far = '<row r="900000"><c r="KN900000"><v>2</v></c></row>'
    rows = far + '<row r="1"><c r="KN0000001"><v>1</v></c><c r="KM0000001"><v>1</v></c></row>'
    path = hostile.write_workbook(files / "zeros.xlsx", hostile._sheet_xml(rows))
    with pytest.raises(FileUnreadable, match="有单元格位于 KN900000（第 900,000 行）"):
        read_workbook(path.read_bytes(), path.name)


def test_the_limits_themselves_are_accepted(files: Path) -> None:
    """Column KN (300) and row 100,000 are still read: the limits are inclusive."""
    for ref in ("KN10", "A100000"):
        wb = Workbook()
        wb.active[ref] = "最后一格"
        wb.active["A1"] = "第一格"
        wb.save(files / f"{ref}.xlsx")
        sheets = read_workbook((files / f"{ref}.xlsx").read_bytes(), f"{ref}.xlsx")
        rows = sheets[0].rows
        assert rows[0][0] == "第一格"
        assert rows[-1][-1] == "最后一格"


def test_too_many_cells_in_all(files: Path) -> None:
    """Each sheet within the limits, the workbook not: 11 sheets of 100,000 × 3 cells."""
    wb = Workbook()
    wb.remove(wb.active)
    for i in range(11):
        ws = wb.create_sheet(f"表{i + 1}")
        ws["A1"] = "x"
        ws["C100000"] = 1
    wb.save(files / "many.xlsx")
    with pytest.raises(FileUnreadable, match="整个工作簿的表格范围合计达 3,300,000 个单元格.*上限 3,000,000"):
        read_workbook((files / "many.xlsx").read_bytes(), "many.xlsx")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["月份", "备注"], ["2019-03", "长" * 40_000]], "CSV 文件第 2 行有一格文字超过 32,767 个字符"),
        ([[f"列{i}" for i in range(301)]], "第 301 列，即 KO 列），超过上限 300 列"),
        ([["编号"]] + [[i] for i in range(100_001)], "第 100,001 行），超过上限 100,000 行"),
    ],
    ids=["long-field", "301-columns", "100001-rows"],
)
def test_hostile_csv(seeded: Path, files: Path, rows: list[list[Any]], message: str) -> None:
    path = write_csv(files / "大表.csv", rows)
    assert message in refusal(seeded, path)


def test_a_normal_file_is_read_once_per_check(
    seeded: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = sandbox.read_isolated

    def counting(data: bytes, file_name: str) -> list[Any]:
        calls.append(file_name)
        return real(data, file_name)

    monkeypatch.setattr(sandbox, "read_isolated", counting)
    path = write_xlsx(files / "考核.xlsx", {"S": [["月份", "网格", "A1"], ["2019-03", "01", 5]]})
    preview.preview_bytes(path.read_bytes(), path.name, path=seeded)
    assert calls == ["考核.xlsx"]
    with pytest.raises(FileRejected):
        store.load_path(path, path=seeded)
    assert calls == ["考核.xlsx", "考核.xlsx"]


# --- a reader that dies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "env", "message"),
    [
        ("abort", {}, "文件无法安全读取：读取程序意外中止"),
        ("memory", {"GRID_READ_MEMORY_MB": "300"}, "文件无法安全读取：读取所需内存超过上限（300 MB）"),
        ("hang", {"GRID_READ_TIMEOUT": "3"}, "文件无法安全读取：读取超过 3 秒仍未完成"),
    ],
)
def test_a_dying_reader_is_a_chinese_refusal(
    seeded: Path, files: Path, monkeypatch: pytest.MonkeyPatch, fault: str, env: dict[str, str], message: str
) -> None:
    if fault == "memory" and sys.platform == "win32":
        pytest.skip("no memory cap on Windows (the time limit still applies)")
    monkeypatch.setenv("GRID_READ_FAULT", fault)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert message in refusal(seeded, hostile.normal_workbook(files))


def test_a_panicking_reader_is_a_chinese_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Python-level crash of the reader (pyo3's PanicException is not an Exception)."""
    monkeypatch.setenv("GRID_READ_FAULT", "panic")
    with pytest.raises(FileUnreadable, match="文件无法安全读取：读取时出错"):
        read_workbook(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "a.xls")


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["xfd1048576", "shared_string_40mb", "abort"])
def test_cli_load_refuses_with_exit_1_and_no_traceback(seeded: Path, files: Path, case: str) -> None:
    env = {**os.environ, "GRID_DB": str(seeded)}
    if case == "abort":
        path, expected = hostile.normal_workbook(files), "文件无法安全读取：读取程序意外中止"
        env["GRID_READ_FAULT"] = "abort"
    else:
        builder, words = hostile.CASES[case]
        path, expected = builder(files), words[-1]
    before = batches(seeded)
    done = subprocess.run(
        [sys.executable, "-m", "etl", "load", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done
    assert expected in done.stdout
    assert "整个文件未导入" in done.stdout
    assert done.stderr == ""
    assert "Traceback" not in done.stdout
    assert batches(seeded) == before


# --- the upload page --------------------------------------------------------------------------


@pytest.fixture
def page_env(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from streamlit import config

    monkeypatch.setenv("GRID_DB", str(seeded))
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")  # this machine's user may upload
    yield seeded
    config.set_option("server.address", before)


def _upload(at: Any, path: Path) -> Any:
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return at.file_uploader[0].set_value([(path.name, path.read_bytes(), mime)]).run()


def test_upload_page_shows_a_red_chinese_message_and_keeps_running(page_env: Path, files: Path) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    _upload(at, hostile.lone_cell_openpyxl(files))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("XFD1048576" in e and "上限 100,000 行" in e for e in errors), errors
    # Labels are markdown: the file name is escaped (\_, \.) and shows as typed.
    assert any("✗ 孤立单元格_XFD1048576.xlsx" in e.label.replace("\\", "") for e in at.expander)
    # The same session goes on: a good file is checked normally afterwards.
    good = write_xlsx(files / "网格划分表.xlsx", {"网格划分": registry_rows()})
    _upload(at, good)
    assert not at.exception
    assert [e.value for e in at.error] == []
    assert batches(page_env) == 2


def test_upload_page_survives_a_native_abort(
    page_env: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("GRID_READ_FAULT", "abort")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/upload.py").run()
    _upload(at, hostile.normal_workbook(files))
    assert not at.exception
    assert any("文件无法安全读取：读取程序意外中止" in e.value for e in at.error)


@pytest.mark.browser
def test_browser_upload_of_the_lone_cell_file_and_the_server_answers(seeded: Path, files: Path) -> None:
    from tests.browser import browser, running_app, settle

    path = hostile.lone_cell_openpyxl(files)
    with running_app(seeded) as url, browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{url}/upload")
        settle(page)
        page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files([str(path)])
        page.locator('[data-testid="stAlertContentError"]').first.wait_for(timeout=90_000)
        text = page.locator('[data-testid="stAlertContentError"]').first.inner_text()
        assert "XFD1048576" in text and "上限 100,000 行" in text
        with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as r:
            assert r.read().strip() == b"ok"
        page.goto(f"{url}/upload")
        settle(page)
        assert "数据上传" in page.locator('[data-testid="stMain"] h1').first.inner_text()
    assert batches(seeded) == 2


# --- how the child is started ---------------------------------------------------------------


@pytest.mark.parametrize("zygote", ["1", "0"], ids=["zygote", "one-off (as on Windows)"])
def test_both_ways_of_starting_the_reader(files: Path, monkeypatch: pytest.MonkeyPatch, zygote: str) -> None:
    monkeypatch.setenv("GRID_READ_ZYGOTE", zygote)
    good = hostile.normal_workbook(files)
    assert read_workbook(good.read_bytes(), good.name)[0].rows[1] == ["2019-03", "01", 10]
    bad = hostile.lone_cell_lying(files)
    with pytest.raises(FileUnreadable, match="XFD1048576"):
        read_workbook(bad.read_bytes(), bad.name)
    monkeypatch.setenv("GRID_READ_FAULT", "abort")
    with pytest.raises(FileUnreadable, match="文件无法安全读取：读取程序意外中止"):
        read_workbook(good.read_bytes(), good.name)
    monkeypatch.delenv("GRID_READ_FAULT")
    assert read_workbook(good.read_bytes(), good.name)[0].name == hostile.SHEET  # a later read is fine


def test_concurrent_reads_from_several_sessions(files: Path) -> None:
    """Streamlit sessions are threads: reads at the same moment all get their answer."""
    from concurrent.futures import ThreadPoolExecutor

    good, bad = hostile.normal_workbook(files), hostile.far_cell(files)

    def one(path: Path) -> str:
        try:
            return read_workbook(path.read_bytes(), path.name)[0].name
        except FileUnreadable as exc:
            return str(exc)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, [good, bad, good, bad]))
    assert results[0] == results[2] == hostile.SHEET
    assert "AAA100000" in results[1] and "AAA100000" in results[3]
