"""DOMAIN §6 monthly work report and §7 volunteer service: grid × month, zeros and gaps."""

from __future__ import annotations

from datetime import date
from typing import Any

from test_rules_support import AREA, Store, month, store_fixture  # noqa: F401

from etl.rules import reporting, volunteering
from etl.rules.settings import set_setting

STATUS = """
SELECT grid_code, status, submitted_on FROM report_status
WHERE area = ? AND month = ? ORDER BY grid_code
"""


def status(s: Store, mon: str) -> dict[str, tuple[str, Any]]:
    return {r[0]: (r[1], r[2]) for r in s.rows(STATUS, [AREA, month(mon)])}


def may_reports(store: Store) -> None:
    store.registry(5)
    store.reports(
        [
            ("G01", "2019-05", "2019-05-25"),  # on the deadline → on time
            ("G02", "2019-05", "2019-05-26"),  # a day late
            ("G03", "2019-05", "2019-05-28"),  # second submission, later in the sheet…
            ("G03", "2019-05", "2019-05-20"),  # …the first (earliest) one counts
        ]
    )
    # G04, G05: nothing for May


def test_on_time_late_and_first_submission(store: Store) -> None:
    may_reports(store)
    s = status(store, "2019-05")
    assert s["G01"] == ("按时", date(2019, 5, 25))
    assert s["G02"] == ("逾期", date(2019, 5, 26))
    assert s["G03"] == ("按时", date(2019, 5, 20))


def test_pending_until_the_deadline_then_missing(store: Store) -> None:
    may_reports(store)
    store.open(today="2019-05-25")  # the deadline day itself: still time
    assert status(store, "2019-05")["G04"] == ("待报送", None)
    store.open(today="2019-05-26")
    assert status(store, "2019-05")["G04"] == ("未报送", None)
    assert status(store, "2019-05")["G01"][0] == "按时"


def test_deadline_day_setting_applies_at_once(store: Store) -> None:
    may_reports(store)
    set_setting(store.con, "report_deadline_day", 26)
    assert status(store, "2019-05")["G02"][0] == "按时"
    set_setting(store.con, "report_deadline_day", 20)
    assert status(store, "2019-05")["G01"][0] == "逾期"
    assert status(store, "2019-05")["G03"][0] == "按时"  # 20th on a deadline of the 20th


def test_deadline_is_clamped_to_the_month_length(store: Store) -> None:
    # Settings allow 1–28 only; the macro still clamps (a value written by hand, day 31)
    assert store.one("SELECT report_deadline(DATE '2019-02-01', 31)") == date(2019, 2, 28)
    assert store.one("SELECT report_deadline(DATE '2020-02-01', 31)") == date(2020, 2, 29)
    assert store.one("SELECT report_deadline(DATE '2019-05-01', 25)") == date(2019, 5, 25)


def test_every_grid_and_month_of_the_data_range(store: Store) -> None:
    store.registry(2)
    store.scores("2019-03", {"G01": 90})  # the range starts with the first data of any kind
    store.reports([("G01", "2019-05", "2019-05-02")])
    rows = store.rows(
        "SELECT month, grid_code, status FROM report_status WHERE area = ? ORDER BY ALL", [AREA]
    )
    assert [(m.month, g, st) for m, g, st in rows] == [
        (3, "G01", "未报送"), (3, "G02", "未报送"),
        (4, "G01", "未报送"), (4, "G02", "未报送"),
        (5, "G01", "按时"), (5, "G02", "未报送"),
    ]  # fmt: skip


def test_missing_reports_with_contacts(store: Store) -> None:
    may_reports(store)
    store.open(today="2019-05-20")
    missing = reporting.missing_reports(store.con, AREA, "2019-05")
    # As of the 20th, the reports dated the 25th and the 26th have not arrived yet (issue 12).
    assert list(missing["grid_code"]) == ["G01", "G02", "G04", "G05"]
    assert set(missing["status"]) == {"待报送"}
    row = missing.set_index("grid_code").loc["G04"]
    assert row["contact_name"] == "联系人04" and row["contact_phone"] == "13800000004"
    assert row["leader_name"] == "领导04" and row["lead_unit"] == "牵头单位04"
    store.open(today="2019-06-01")
    assert set(reporting.missing_reports(store.con, AREA, "2019-05")["status"]) == {"未报送"}


def test_missing_reports_for_a_month_before_any_of_its_data(store: Store) -> None:
    # The current month is past the data range until its first report arrives
    may_reports(store)
    store.open(today="2019-06-10")
    missing = reporting.missing_reports(store.con, AREA, date(2019, 6, 1))
    assert len(missing) == 5 and set(missing["status"]) == {"待报送"}


def test_report_matrix(store: Store) -> None:
    may_reports(store)
    store.reports([("G01", "2019-04", "2019-04-30")])
    store.open(today="2019-05-20")
    m = reporting.report_matrix(store.con, AREA, 2019).set_index("grid_code")
    assert list(m.columns[:3]) == ["grid_name", "2019-04", "2019-05"]
    # As of the 20th: G01's May report is dated the 25th, so it has not arrived yet.
    assert m.loc["G01", "2019-04"] == "逾期" and m.loc["G01", "2019-05"] == "待报送"
    assert m.loc["G03", "2019-05"] == "按时"
    assert m.loc["G04", "2019-04"] == "未报送" and m.loc["G04", "2019-05"] == "待报送"
    assert m.loc["G04", ["on_time", "late", "missing", "pending"]].tolist() == [0, 0, 1, 1]
    assert m.loc["G01", ["on_time", "late", "missing", "pending"]].tolist() == [0, 1, 0, 1]
    store.open(today="2019-05-31")
    m = reporting.report_matrix(store.con, AREA, 2019).set_index("grid_code")
    assert m.loc["G01", ["on_time", "late", "missing", "pending"]].tolist() == [1, 1, 0, 0]


def test_a_report_dated_after_today_has_not_arrived_yet(store: Store) -> None:
    """Statuses are as of today (issue 12): with today pinned before a report's date, that
    report counts as not yet received — 待报送 before the deadline, 未报送 after it."""
    may_reports(store)
    store.open(today="2019-05-25")
    s = status(store, "2019-05")
    assert s["G01"][0] == "按时" and s["G02"][0] == "待报送"
    store.open(today="2019-05-26")
    assert status(store, "2019-05")["G02"][0] == "逾期"
    store.reports([("G04", "2019-05", "2019-06-03")])
    store.open(today="2019-06-01")
    assert status(store, "2019-05")["G04"][0] == "未报送"
    store.open(today="2019-06-03")
    assert status(store, "2019-05")["G04"][0] == "逾期"


# -- volunteer service (DOMAIN §7) -----------------------------------------------------------

VOLUNTEER = """
SELECT month, grid_code, activities, participants, hours, falls_short FROM volunteer_monthly
WHERE area = ? ORDER BY month, grid_code
"""


def test_volunteer_zeros_for_a_grid_without_activity(store: Store) -> None:
    store.registry(2)
    store.volunteer(
        [
            ("G01", "2019-01-05", 12, 2.5),
            ("G01", "2019-01-19", 8, 1.5),
            ("G01", "2019-03-02", 20, 3.0),
        ]
    )
    rows = [(m.month, *rest) for m, *rest in store.rows(VOLUNTEER, [AREA])]
    assert rows == [
        (1, "G01", 2, 20, 4.0, False), (1, "G02", 0, 0, 0.0, True),
        (2, "G01", 0, 0, 0.0, True), (2, "G02", 0, 0, 0.0, True),
        (3, "G01", 1, 20, 3.0, False), (3, "G02", 0, 0, 0.0, True),
    ]  # fmt: skip


def test_volunteer_matrix(store: Store) -> None:
    store.registry(2)
    store.scores("2019-04", {"G01": 90, "G02": 80})  # range Jan (volunteer) … Apr (scores)
    store.volunteer([("G01", "2019-01-05", 12, 2.5), ("G01", "2019-02-19", 8, 1.5)])
    m = volunteering.volunteer_matrix(store.con, AREA, 2019).set_index("grid_code")
    assert list(m.columns[1:5]) == ["2019-01", "2019-02", "2019-03", "2019-04"]
    assert m.loc["G02", ["2019-01", "2019-02", "2019-03", "2019-04"]].tolist() == [0, 0, 0, 0]
    assert m.loc["G02", "months_short"] == 4 and m.loc["G01", "months_short"] == 2
    assert m.loc["G01", "total_activities"] == 2 and m.loc["G01", "total_hours"] == 4.0
    hours = volunteering.volunteer_matrix(store.con, AREA, 2019, measure="hours")
    assert hours.set_index("grid_code").loc["G01", "2019-01"] == 2.5


def test_the_template_states_the_deadline_day_of_the_setting(store: Store, tmp_path: Any) -> None:
    import io

    from openpyxl import load_workbook

    from etl.output import template

    def instructions(db_file: Any) -> str:
        wb = load_workbook(io.BytesIO(template.template_bytes("reports", db_file)))
        return "\n".join(str(c.value) for c in wb["填写说明"]["A"] if c.value)

    assert "每月25日前（含）报送为按时" in instructions(tmp_path / "none" / "grid.duckdb")  # no database yet
    assert reporting.report_deadline_day(store.con) == 25
    set_setting(store.con, "report_deadline_day", 20)
    assert reporting.report_deadline_day(store.con) == 20
    assert "每月20日前（含）报送为按时" in instructions(store.path)
