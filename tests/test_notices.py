"""Issue 7: rectification notices and written explanations: drafted for exactly the grids the
rules say, issued once, responses and closing with dates, overdue past the due date, each
notice a Word document, the command line, rebuild, and the page.

Data: tests/appdata.py (March 2019: grids 26–28 bottom three at all three checks, grid 07 no
report, every fifth grid late, every fourth grid no volunteer activity, every third grid's
problem not rectified). Today is pinned with GRID_TODAY.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import leader_of
from docx import Document

from etl import cli, db
from etl.load import eventlog, notice_events, rebuild
from etl.output import notice_doc, notice_text
from etl.rules import assessment, findings, notices, rankings, reporting
from tests import appdata

TODAY = "2019-04-10"
MARCH = "2019-03"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("notices")
    return appdata.build(root / "db" / "grid.duckdb", root / "files")


@pytest.fixture
def app_db(template: Path, db_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the appdata database (and its archive), today pinned to 2019-04-10."""
    shutil.copytree(template.parent, db_file.parent)
    monkeypatch.setenv("GRID_TODAY", TODAY)
    return db_file


def drafted(month: str = MARCH, area: str = "县城") -> pd.DataFrame:
    with db.connect() as con:
        return notices.draft_notices(con, area, month)


def by_kind(frame: pd.DataFrame) -> dict[str, list[str]]:
    return {k: sorted(frame.loc[frame["kind"] == k, "grid_code"]) for k in frame["kind"].unique()}


def notice_rows(
    sql: str = "SELECT * FROM notice ORDER BY notice_no", params: list[Any] | None = None
) -> pd.DataFrame:
    with db.connect() as con:
        return con.execute(sql, params or []).df()


def codes(numbers: range) -> list[str]:
    return [f"{g:02d}" for g in numbers]


def cli_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    try:
        code = cli.main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


# ---- Drafting: exactly the grids the rules say -------------------------------------------------


def test_march_drafts_are_exactly_the_rule_hits(app_db: Path) -> None:
    frame = drafted()
    assert by_kind(frame) == {
        "末位整改": ["26", "27", "28"],
        "书面说明": ["26", "27", "28"],  # bottom three in January, February and March
        # no report by the 25th: 07 sent none, every fifth grid sent on the 27th
        "未按时报送": ["05", "07", "10", "15", "20", "25"],
        "无志愿服务": codes(range(4, 29, 4)),
        "逾期问题": codes(range(3, 28, 3)),  # found 3-05, due 3-12, never rectified
    }
    assert list(dict.fromkeys(frame["kind"])) == [
        "末位整改",
        "书面说明",
        "未按时报送",
        "无志愿服务",
        "逾期问题",
    ]
    assert frame["notice_id"].is_unique and len(frame) == 28
    assert not frame["issued"].any()
    reasons = dict(zip(frame["notice_id"], map(notice_text.reason, frame["facts"]), strict=True))
    assert reasons["县城|2019-03|07|未按时报送"] == "截止日期3月25日已过，未报送工作信息"
    assert reasons["县城|2019-03|05|未按时报送"] == "3月27日才报送，晚于3月25日截止日期"
    assert reasons["县城|2019-03|28|书面说明"] == "连续3次检查排在末位三名（2019年1月、2月、3月）"
    assert reasons["县城|2019-03|03|逾期问题"] == "1个问题逾期未整改（最长逾期29天）"
    # The town has no checks, reports or problems: nothing drafted there.
    assert drafted(area="官渡镇").empty


def test_drafts_agree_with_the_read_functions(app_db: Path) -> None:
    """The same grids, computed the way the pages show them."""
    with db.connect() as con:
        ranking = rankings.month_ranking(con, "县城", MARCH)
        missing = reporting.missing_reports(con, "县城", MARCH)
        problems = findings.problem_figures(con, "县城", 2019, MARCH)
        status = con.execute(
            "SELECT grid_code, status FROM report_status WHERE area = '县城' AND month = '2019-03-01'"
        ).df()
        volunteer = con.execute(
            "SELECT grid_code FROM volunteer_monthly WHERE area = '县城' AND month = '2019-03-01' AND activities = 0"
        ).df()
    kinds = by_kind(drafted())
    assert kinds["末位整改"] == sorted(ranking.loc[ranking["bottom_three"], "grid_code"])
    assert kinds["书面说明"] == sorted(ranking.loc[ranking["streak"] >= 3, "grid_code"])
    assert set(missing["grid_code"]) == {"07"} <= set(kinds["未按时报送"])
    assert kinds["未按时报送"] == sorted(status.loc[status["status"] != "按时", "grid_code"])
    assert kinds["无志愿服务"] == sorted(volunteer["grid_code"])
    assert kinds["逾期问题"] == sorted(problems.loc[problems["overdue"] > 0, "grid_code"])


def test_before_the_deadline_a_missing_report_is_not_yet_a_notice(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRID_TODAY", "2019-03-24")
    assert "07" not in by_kind(drafted()).get("未按时报送", [])  # 待报送: the 25th has not passed
    monkeypatch.setenv("GRID_TODAY", "2019-03-26")
    assert "07" in by_kind(drafted())["未按时报送"]


def test_problems_rectified_or_not_yet_due_get_no_notice(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRID_TODAY", "2019-03-12")  # the deadline day itself: not overdue yet
    assert "逾期问题" not in by_kind(drafted())
    monkeypatch.setenv("GRID_TODAY", "2019-03-13")
    assert by_kind(drafted())["逾期问题"] == codes(range(3, 28, 3))


def test_year_end_notices_for_every_failing_grid(app_db: Path) -> None:
    eventlog.change_setting("pass_mark", "88", path=app_db)
    with db.connect() as con:
        annual = assessment.annual_table(con, "县城", 2019)
    failing = sorted(annual.loc[annual["tier"] == "不达标", "grid_code"])
    assert 0 < len(failing) < 27  # some pass, some fail; grid 28 is incomplete (no year-end score)
    december = drafted("2019-12")
    assert by_kind(december) == {"年度不达标": failing}
    f = december["facts"].iloc[0]
    assert f["pass_mark"] == 88.0 and f["composite"] < 88
    assert "低于达标线88分" in notice_text.reason(december["facts"].iloc[0])
    assert "年度不达标" not in by_kind(drafted())  # only at year end
    text = doc_text(notice_doc.notice_docx(f, issued_on=date(2020, 1, 6), due_on=date(2020, 1, 13)))
    assert "按常规考核占60%、年终考核占40%计算" in text and "低于88分的达标线，考核等次为不达标" in text
    assert "于2020年1月13日前完成整改" in text and "翁两创督〔2020〕　号" in text


# ---- Issuing, responses, closing ------------------------------------------------------------------


def test_the_notice_view_has_the_agreed_columns(app_db: Path) -> None:
    notice_events.issue_notices("县城", MARCH)
    columns = list(notice_rows().columns)
    assert columns[:9] == [
        "area", "month", "grid_code", "kind", "issued_on", "due_on", "responded_on", "closed_on", "status"
    ]  # fmt: skip


def test_issuing_records_dates_numbers_and_facts_once(app_db: Path) -> None:
    new = notice_events.issue_notices("县城", MARCH, by="张三")
    assert len(new) == 28
    rows = notice_rows()
    assert set(rows["status"]) == {"待回复"}
    assert set(rows["issued_on"].dt.date) == {date(2019, 4, 10)}
    assert set(rows["due_on"].dt.date) == {date(2019, 4, 17)}  # notice_due_days = 7
    assert sorted(rows["notice_no"]) == sorted(f"翁两创督〔2019〕{i}号" for i in range(1, 29))
    assert set(rows["issued_by"]) == {"张三"}
    facts = json.loads(rows.set_index("notice_id").loc["县城|2019-03|26|末位整改", "facts"])
    assert (facts["rank"], facts["n_ranked"], facts["leader_name"]) == (26, 28, leader_of(26))
    # Twice: nothing new, nothing duplicated.
    assert notice_events.issue_notices("县城", MARCH).empty
    assert len(notice_rows()) == 28
    assert drafted()["issued"].all()


def test_issuing_some_then_the_rest(app_db: Path) -> None:
    first = notice_events.issue_notices(
        "县城", MARCH, ids=["县城|2019-03|07|未按时报送"], on=date(2019, 4, 1)
    )
    assert list(first["grid_code"]) == ["07"] and first["notice_no"].iloc[0] == "翁两创督〔2019〕1号"
    rest = notice_events.issue_notices("县城", MARCH, on=date(2019, 4, 2))
    assert len(rest) == 27 and "07|未按时报送" not in "".join(rest["notice_id"])
    issued_on = notice_rows().set_index("notice_id")["issued_on"].dt.date
    assert issued_on["县城|2019-03|07|未按时报送"] == date(2019, 4, 1)
    assert issued_on["县城|2019-03|05|未按时报送"] == date(2019, 4, 2)
    with pytest.raises(notice_events.BadNoticeDate, match="早于通知所涉月份"):
        notice_events.issue_notices("县城", "2019-02", on=date(2019, 1, 31))


def test_status_follows_responses_closing_and_the_due_date(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice_events.issue_notices("县城", MARCH, on=date(2019, 4, 10))
    a, b, c = "县城|2019-03|26|末位整改", "县城|2019-03|28|书面说明", "县城|2019-03|07|未按时报送"

    def status(nid: str) -> dict[str, Any]:
        return notice_rows("SELECT * FROM notice WHERE notice_id = ?", [nid]).iloc[0].to_dict()

    monkeypatch.setenv("GRID_TODAY", "2019-04-17")  # the due date itself: still in time
    assert status(a)["status"] == "待回复"
    notice_events.record_response(a, on=date(2019, 4, 15), by="李四", note="收到整改报告")
    assert status(a)["status"] == "已回复"
    assert (
        status(a)["responded_on"].date() == date(2019, 4, 15) and status(a)["response_note"] == "收到整改报告"
    )

    monkeypatch.setenv("GRID_TODAY", "2019-04-18")  # one day past due, no response
    assert (status(b)["status"], status(b)["days_overdue"]) == ("逾期未回复", 1)
    assert status(a)["status"] == "已回复"  # responded in time stays so
    notice_events.record_response(b, on=date(2019, 4, 20))
    assert (status(b)["status"], status(b)["responded_late"]) == ("已回复", True)

    notice_events.close_notice(a, on=date(2019, 4, 25), by="王五", note="现场复查合格")
    assert (status(a)["status"], status(a)["closed_on"].date()) == ("已办结", date(2019, 4, 25))
    assert notice_events.close_notice(a, on=date(2019, 4, 26))["already"] is True
    with pytest.raises(notice_events.NoticeClosed, match="已于 2019-04-25 办结"):
        notice_events.record_response(a, on=date(2019, 4, 26))
    # Closed without a response (verified on site) is closed too; an overdue one stays overdue.
    notice_events.close_notice(c, on=date(2019, 4, 30))
    assert status(c)["status"] == "已办结"
    with pytest.raises(notice_events.BadNoticeDate, match="早于通知下发日期 2019-04-10"):
        notice_events.record_response("县城|2019-03|27|末位整改", on=date(2019, 4, 9))
    with pytest.raises(notice_events.NoSuchNotice):
        notice_events.record_response("县城|2019-03|01|末位整改")
    # Nothing is ever deleted: the events pile up, one row per fact recorded.
    events = notice_rows("SELECT action, count(*) AS n FROM notice_event GROUP BY action ORDER BY action")
    assert dict(zip(events["action"], events["n"], strict=True)) == {"close": 2, "issue": 28, "respond": 2}
    with db.connect() as con:
        figures = notices.notice_figures(con, "县城")
    assert (figures.issued, figures.open, figures.overdue, figures.responded) == (28, 26, 25, 1)


def test_due_days_is_a_setting_and_issued_deadlines_keep(app_db: Path) -> None:
    notice_events.issue_notices("县城", MARCH, ids=["县城|2019-03|26|末位整改"], on=date(2019, 4, 10))
    eventlog.change_setting("notice_due_days", "10", path=app_db)
    notice_events.issue_notices("县城", MARCH, ids=["县城|2019-03|27|末位整改"], on=date(2019, 4, 10))
    due = notice_rows().set_index("grid_code")["due_on"].dt.date.to_dict()
    assert due == {"26": date(2019, 4, 17), "27": date(2019, 4, 20)}


def test_rebuild_replays_notices(app_db: Path, tmp_path: Path) -> None:
    notice_events.issue_notices("县城", MARCH, on=date(2019, 4, 10), by="张三")
    notice_events.record_response("县城|2019-03|26|末位整改", on=date(2019, 4, 12), note="已整改")
    notice_events.close_notice("县城|2019-03|26|末位整改", on=date(2019, 4, 14))
    before = notice_rows("SELECT * FROM notice ORDER BY notice_id")
    events = notice_rows("SELECT * FROM notice_event ORDER BY event_id")
    target = tmp_path / "rebuilt" / "grid.duckdb"
    counts = rebuild.rebuild(app_db, target)
    assert counts["notices"] == 30
    with db.connect(target) as con:
        after = con.execute("SELECT * FROM notice ORDER BY notice_id").df()
        replayed = con.execute("SELECT * FROM notice_event ORDER BY event_id").df()
    pd.testing.assert_frame_equal(before, after)
    pd.testing.assert_frame_equal(events, replayed)


# ---- Documents -------------------------------------------------------------------------------------


def doc_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_each_notice_is_a_word_document_with_the_facts(app_db: Path) -> None:
    with db.connect() as con:
        drafts = dict(notice_doc.month_documents(con, "县城", MARCH, which="draft"))
    assert len(drafts) == 28
    bottom = doc_text(drafts["2019-03_26_测试26路网格_末位整改.docx"])
    assert "督查整改通知书" in bottom and "县26局：" in bottom
    assert f"挂点县领导：{leader_of(26)}同志" in bottom
    assert "在县城28个参与排名的网格中排第26名，列末位三名" in bottom
    assert "于2019年4月17日前完成整改" in bottom  # drafted today (4-10) + 7 days
    assert "翁两创督〔2019〕　号" in bottom  # a draft has no number yet
    explain = doc_text(drafts["2019-03_28_测试28路网格_书面说明.docx"])
    assert "书面说明通知" in explain and explain.splitlines()[3] == f"{leader_of(28)}同志："
    assert "2019年1月、2月、3月的常规检查中，连续3次排在末位三名" in explain
    assert "向县主要领导作出书面说明" in explain and "抄送：县28局" in explain
    problems = doc_text(drafts["2019-03_03_测试3路网格_逾期问题.docx"])
    assert "1. 3月5日发现，环境卫生：垃圾堆放，整改期限3月12日，截至4月10日已逾期29天。" in problems
    missing = doc_text(drafts["2019-03_07_测试7路网格_未按时报送.docx"])
    assert "截至4月10日仍未报送（截止日期为3月25日）" in missing
    assert "于2019年4月17日前补报2019年3月工作信息" in missing


def test_a_late_report_is_not_told_to_report_again(app_db: Path) -> None:
    """Grid 05 reported on 3-27, after the 25th: its notice states the late date and asks for
    the reason, and never orders it to 补报 what it has already sent (grid 07 sent nothing)."""
    with db.connect() as con:
        drafts = dict(notice_doc.month_documents(con, "县城", MARCH, which="draft"))
    late = doc_text(drafts["2019-03_05_测试5路网格_未按时报送.docx"])
    assert "于3月27日才报送，晚于3月25日的截止日期" in late
    assert "于2019年4月17日前书面说明2019年3月工作信息逾期报送的原因，今后严格在每月截止日期前报送" in late
    assert "补报" not in late and "仍未报送" not in late
    missing = doc_text(drafts["2019-03_07_测试7路网格_未按时报送.docx"])
    assert "补报" in missing and "逾期报送的原因" not in missing


def test_issued_documents_keep_what_was_issued(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notice_events.issue_notices("县城", MARCH, on=date(2019, 4, 10))
    monkeypatch.setenv("GRID_TODAY", "2019-06-01")
    with db.connect() as con:
        issued = dict(notice_doc.month_documents(con, "县城", MARCH, which="issued"))
        assert notice_doc.month_documents(con, "县城", MARCH, which="draft") == []
        archive = zipfile.ZipFile(io.BytesIO(notice_doc.month_zip(con, "县城", MARCH, "issued")))
    text = doc_text(issued["2019-03_26_测试26路网格_末位整改.docx"])
    assert "翁两创督〔2019〕" in text and "2019年4月10日" in text and "于2019年4月17日前完成整改" in text
    assert sorted(archive.namelist()) == sorted(issued)


# ---- Command line -------------------------------------------------------------------------------------


def test_cli_notices_issues_once_and_writes_one_file_each(
    app_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "通知"
    code, text = cli_main(capsys, "notices", "--month", MARCH, "-o", str(out), "--by", "张三")
    assert code == 0, text
    lines = text.splitlines()
    assert lines[0] == f"✓ 县城2019年3月：新下发 28 份通知，共写出 28 个文件：{out}"
    assert len(list(out.glob("*.docx"))) == 28
    code, text = cli_main(capsys, "notices", "--month", MARCH, "-o", str(out))
    assert code == 0
    assert (
        text.splitlines()[0]
        == f"✓ 县城2019年3月：新下发 0 份通知（另有 28 份此前已下发，未重复登记），共写出 28 个文件：{out}"
    )
    assert len(notice_rows()) == 28 and len(list(out.glob("*.docx"))) == 28


def test_cli_notices_draft_records_nothing(
    app_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = cli_main(capsys, "notices", "--month", MARCH, "-o", str(tmp_path / "草稿"), "--draft")
    assert code == 0 and "其中未下发的 28 份已生成草稿（未登记下发）" in text
    assert notice_rows().empty


def test_cli_notices_errors(app_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = cli_main(capsys, "notices", "--month", MARCH, "-o", str(tmp_path), "--area", "火星")
    assert (code, text) == (1, "✗ 没有名为「火星」的片区（以网格名册中的片区为准）\n")
    code, text = cli_main(capsys, "notices", "--month", MARCH, "-o", str(tmp_path), "--date", "2019-02-30")
    assert code == 2 and "日期格式不对：2019-02-30（应为 YYYY-MM-DD，如 2019-04-05）" in text
    code, text = cli_main(capsys, "notices", "--month", MARCH, "-o", str(tmp_path), "--date", "2019-02-28")
    assert (code, text) == (1, "✗ 下发日期 2019-02-28 早于通知所涉月份 2019年03月，请检查日期\n")


# ---- Pages -----------------------------------------------------------------------------------------------


def open_page(page: str) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard.py"), default_timeout=60)
    at.session_state["upload_user"] = "张三"  # signed in (the upload page's sign-in)
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    for key, value in {"area": "县城", "year": "2019", "month": MARCH}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    return at


def test_notices_page_issues_and_records_a_response(app_db: Path) -> None:
    at = open_page("notices")
    assert at.title[0].value == "整改通知"
    assert {m.label: m.value for m in at.metric}["本月应发"] == "28 份"
    assert len(at.multiselect[0].value) == 28
    [issue] = [b for b in at.button if b.label.startswith("登记下发")]
    issue.click().run()
    assert not at.exception
    assert any("已登记下发 28 份通知" in s.value for s in at.success)
    assert {m.label: m.value for m in at.metric}["本月待下发"] == "0 份"
    # By its label: the sidebar's pickers may come before or after it in the element tree.
    [pick] = [s for s in at.selectbox if s.label == "通知"]
    pick.set_value("县城|2019-03|27|末位整改")
    at.text_input[-1].input("收到整改报告")
    [respond] = [b for b in at.button if b.label == "登记收到回复"]
    respond.click().run()
    assert not at.exception and [e.value for e in at.error] == []
    row = notice_rows("SELECT * FROM notice WHERE notice_id = '县城|2019-03|27|末位整改'").iloc[0]
    assert (row["status"], row["response_note"], row["responded_by"]) == ("已回复", "收到整改报告", "张三")


def test_overview_shows_open_and_overdue_notices(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notice_events.issue_notices("县城", MARCH, on=date(2019, 4, 1))
    monkeypatch.setenv("GRID_TODAY", "2019-04-10")  # due 4-08: all 28 overdue
    at = open_page("overview")
    assert {m.label: m.value for m in at.metric}["整改通知 未办结/逾期"] == "28 / 28"
    labels = [b.label for b in at.get("download_button")]
    assert "工作简报（Word）" in labels and "简报表格（Excel）" in labels


def test_overview_says_how_many_notices_wait_to_be_issued(app_db: Path) -> None:
    """Nothing issued yet: the card's 0 / 0 would read as nothing to do; its note counts the
    month's notices still to issue, and clears once they are issued."""
    card = "整改通知 未办结/逾期"
    at = open_page("overview")
    [m] = [m for m in at.metric if m.label == card]
    assert (m.value, m.proto.delta) == ("0 / 0", "本月待下发 28 份")
    with db.connect() as con:
        assert notices.pending_count(con, "县城", MARCH) == len(drafted()) == 28
    notice_events.issue_notices("县城", MARCH, on=date(2019, 4, 9))  # due later than today
    at = open_page("overview")
    [m] = [m for m in at.metric if m.label == card]
    assert (m.value, m.proto.delta) == ("28 / 0", "无逾期")
