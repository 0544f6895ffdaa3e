"""Issue 11: one exception base. A GridError reaches the user as its Chinese message, at the
command line and on a page; anything else is a bug, logged with its traceback, and the user
reads one Chinese sentence, never an English traceback."""

from __future__ import annotations

import argparse
import logging
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl import cli, db
from etl.errors import FileUnreadable, GridError
from etl.load import notice_events, parse, store
from pages import common

CJK = re.compile(r"[\u4e00-\u9fff]")


class OddCondition(GridError):
    """A condition no edge knows by name."""


def raising(exc: BaseException) -> tuple[object, str]:
    def handler(args: argparse.Namespace) -> int:
        raise exc

    return handler, "测试 / test"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_message_is_str_and_message() -> None:
    exc = OddCondition("这个月还没有考核数据")
    assert str(exc) == exc.message == "这个月还没有考核数据"
    assert CJK.search(GridError().message)
    assert isinstance(parse.CellError("格式不对"), ValueError)  # callers may still catch ValueError
    for plain in (store.NoSuchBatch(7), db.DatabaseMissing("/x/grid.duckdb"), db.DatabaseBusy("/x")):
        assert CJK.search(plain.message), plain.message
    assert store.NoSuchBatch(7).message == "没有编号为 #7 的批次"
    assert str(db.DatabaseLocked("/x", "占用程序：duckdb")) == f"{db.LOCKED_MESSAGE}（占用程序：duckdb）"


@pytest.mark.parametrize(
    "exc",
    [
        OddCondition("某项设置不允许这样改"),
        notice_events.NoticeClosed("这份通知已办结"),
        FileUnreadable("文件是空的"),
    ],
)
def test_cli_prints_a_grid_error_as_its_chinese_message_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, exc: GridError
) -> None:
    monkeypatch.setitem(cli.COMMANDS, "history", raising(exc))
    code, out, err = run(capsys, "history", "--db", str(tmp_path / "grid.duckdb"))
    assert code == 1
    assert out.strip() == f"✗ {exc.message}"
    assert err == ""
    assert not (tmp_path / cli.ERROR_LOG).exists()  # not a bug: nothing logged


def test_cli_turns_an_unexpected_exception_into_one_chinese_sentence_and_logs_the_traceback(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setitem(cli.COMMANDS, "history", raising(KeyError("internal_state")))
    with caplog.at_level(logging.ERROR, logger="etl"):
        code, out, err = run(capsys, "history", "--db", str(tmp_path / "grid.duckdb"))
    assert code == 1
    log_file = tmp_path / cli.ERROR_LOG
    assert out.strip() == cli.BUG_MESSAGE.format(where=log_file)
    assert "Traceback" not in out + err and "KeyError" not in out + err and "internal_state" not in out + err
    logged = log_file.read_text(encoding="utf-8")
    assert "python -m etl history failed" in logged
    assert "Traceback (most recent call last)" in logged and "KeyError: 'internal_state'" in logged
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [KeyError]


def test_cli_logs_to_the_temporary_folder_when_the_database_folder_cannot_be_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setattr(cli.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    monkeypatch.setitem(cli.COMMANDS, "history", raising(RuntimeError("boom")))
    code, out, _ = run(capsys, "history", "--db", str(blocked / "grid.duckdb"))
    assert code == 1
    assert out.strip() == cli.BUG_MESSAGE.format(where=tmp_path / "tmp" / cli.ERROR_LOG)
    assert "RuntimeError: boom" in (tmp_path / "tmp" / cli.ERROR_LOG).read_text(encoding="utf-8")


PAGE = """
from etl.errors import GridError
from pages import common


class OddCondition(GridError):
    pass


def body():
    import streamlit as st

    st.title("测试页")
    kind = st.session_state.get("kind")
    if kind == "expected":
        raise OddCondition("这个片区还没有路灯数据")
    if kind == "bug":
        raise ZeroDivisionError("internal detail")
    st.write("正常")


common.run_page(body)
"""


def page(kind: str) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=30)
    at.session_state["kind"] = kind
    return at.run()


def test_a_page_shows_a_grid_error_as_its_message() -> None:
    at = page("expected")
    assert not at.exception
    assert [w.value for w in at.warning] == ["这个片区还没有路灯数据。"]
    assert [e.value for e in at.error] == []


def test_a_page_logs_a_bug_and_shows_one_chinese_sentence(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="dashboard"):
        at = page("bug")
    assert not at.exception  # no traceback box for the user
    assert [e.value for e in at.error] == [common.PAGE_FAILED]
    shown = " ".join(x.value for x in [*at.error, *at.warning, *at.markdown])
    assert "ZeroDivisionError" not in shown and "internal detail" not in shown
    bugs = [r for r in caplog.records if r.name == "dashboard" and r.exc_info]
    assert [r.exc_info[0] for r in bugs] == [ZeroDivisionError]


def test_a_page_without_trouble_shows_neither() -> None:
    at = page("")
    assert not at.exception and not at.error and not at.warning
