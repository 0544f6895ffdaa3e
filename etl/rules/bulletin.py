"""The facts of the monthly work bulletin (工作简报, plan 六(五)), read once.

`bulletin_data` reads everything the bulletin says for an (area, month) as of the bulletin's
date: the read functions of etl/rules (by feature) and the views, with grid_today()
pinned on the connection while it reads. The words are in etl/output/bulletin_text.py, the
Word document in bulletin_docx.py and the workbook in bulletin_xlsx.py. The date rule (the 5th
of the following month) and the "as of" rule are macros of etl/rules/sql/views.sql.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache

import duckdb
import pandas as pd

from etl.errors import GridError
from etl.rules import (
    calendar,
    findings,
    headline,
    lamps,
    mechanism,
    rankings,
    reporting,
    rulesql,
    settings,
    trends,
)
from etl.rules.notices import streak_months


class NoCheck(GridError):
    """The area has no monthly check in that month, so there is nothing to report."""


def bulletin_date(month: calendar.MonthLike) -> date:
    """The date a month's bulletin carries unless another is chosen (the bulletin_date macro:
    the 5th of the following month), not the day the file happens to be generated."""
    return _bulletin_date(calendar.month_start(month))


@cache
def _bulletin_date(m: date) -> date:
    # Cached: a page asks on every run, often from a fresh thread (a new in-memory DuckDB).
    return rulesql.connect().execute("SELECT bulletin_date(?::DATE)", [m]).fetchall()[0][0]


@contextmanager
def as_of(con: duckdb.DuckDBPyConnection, day: date) -> Iterator[None]:
    """Statuses (reports, problems) computed for `day`: grid_today() pinned on the connection
    while the bulletin is read, put back afterwards."""
    before = con.execute("SELECT getvariable('grid_today')").fetchall()[0][0]
    con.execute("SET VARIABLE grid_today = ?::DATE", [day.isoformat()])
    try:
        yield
    finally:
        if before is None:
            con.execute("RESET VARIABLE grid_today")
        else:
            con.execute("SET VARIABLE grid_today = ?::DATE", [str(before)])


@dataclass(frozen=True)
class BulletinData:
    """Everything one bulletin says, read once."""

    area: str
    month: date
    issued_on: date  # the date printed on the bulletin
    as_of: date  # the date its statuses are computed for (the bulletin_as_of macro)
    issue_no: int  # within the year
    issue_total: int  # since the first check of the area
    figures: headline.MonthFigures
    ranking: pd.DataFrame  # rankings.month_ranking
    categories: list[tuple[str, float]]  # (category, max points), rubric order
    streaks: pd.DataFrame  # rankings.streak_warnings
    streak_months: dict[str, list[date]]  # the months of each grid's current streak
    reports: pd.DataFrame  # per registry grid: status, submitted_on, deadline, contact…
    volunteer: pd.DataFrame  # per registry grid: activities, participants, hours
    problems: pd.DataFrame  # findings.problem_figures for the month
    averages: pd.DataFrame  # trends.grid_history(...).averages up to the month
    notice_due_days: int
    lamp: pd.DataFrame | None = None  # lamps.lamp_month: every registry grid, checked or not
    lamp_targets: lamps.LampTargets | None = None
    work: pd.DataFrame | None = None  # mechanism.work_month

    @property
    def ranked(self) -> pd.DataFrame:
        return self.ranking[~self.ranking["missing"].astype(bool)]

    @property
    def bottom(self) -> pd.DataFrame:
        return self.ranked[self.ranked["bottom_three"].astype(bool)].sort_values(["rank", "grid_code"])

    @property
    def top(self) -> pd.DataFrame:
        return self.ranked[self.ranked["top_three"].astype(bool)].sort_values(["rank", "grid_code"])

    @property
    def not_reported(self) -> pd.DataFrame:
        return self.reports[self.reports["status"].isin(["未报送", "待报送"])]

    @property
    def late(self) -> pd.DataFrame:
        return self.reports[self.reports["status"] == "逾期"]

    @property
    def no_volunteer(self) -> pd.DataFrame:
        return self.volunteer[self.volunteer["activities"] == 0]

    @property
    def warned(self) -> set[str]:
        """Grids whose leader owes a written explanation (rankings.streak_warnings)."""
        return set(self.streaks["grid_code"])

    @property
    def lamp_checked(self) -> bool:
        """The month had a lamp check (the bulletin then has a 路灯 section)."""
        return (
            self.lamp is not None
            and self.lamp_targets is not None
            and bool(self.lamp["checked"].astype(bool).any())
        )

    @property
    def work_tracked(self) -> bool:
        """The month's reports carry meeting, patrol or picture counts."""
        return self.work is not None and mechanism.any_counts(self.work)


ISSUE_NUMBERS = """
SELECT count(*) FILTER (WHERE year(month) = year($month::DATE))::INTEGER, count(*)::INTEGER
FROM area_month WHERE area = $area AND month <= $month
"""

VOLUNTEER = """
SELECT v.grid_code, g.grid_name, g.leader_name, g.lead_unit, g.contact_name, g.contact_phone,
    v.activities, v.participants, v.hours
FROM volunteer_monthly v
JOIN grid g ON g.area = v.area AND g.grid_code = v.grid_code
WHERE v.area = ? AND v.month = ?
ORDER BY g.sort_order
"""


def bulletin_data(
    con: duckdb.DuckDBPyConnection,
    area: str,
    month: calendar.MonthLike,
    issue_no: int | None = None,
    issued_on: date | None = None,
) -> BulletinData:
    """Read the month's figures and tables; NoCheck when the month was not checked.
    issued_on: the bulletin's date (default bulletin_date(month)); report and problem statuses
    are as of that date, or as of today when the date lies ahead (a draft written early)."""
    m = calendar.month_start(month)
    if m not in calendar.months(con, area):
        raise NoCheck(f"{area}{m.year}年{m.month}月没有月度考核数据，无法生成简报（请先导入该月考核表）")
    issued = issued_on or bulletin_date(m)
    day = con.execute("SELECT bulletin_as_of(?::DATE)", [issued]).fetchall()[0][0]
    with as_of(con, day):
        return _read(con, area, m, issue_no, issued)


def _read(
    con: duckdb.DuckDBPyConnection, area: str, m: date, issue_no: int | None, issued: date
) -> BulletinData:
    in_year, total = con.execute(ISSUE_NUMBERS, {"area": area, "month": m}).fetchall()[0]
    cats = rankings.month_category_scores(con, area, m)
    categories = [
        (str(c), float(x)) for c, x in cats.groupby("category", sort=False)["max_points"].max().items()
    ]
    streaks = rankings.streak_warnings(con, area, m)
    averages = trends.grid_history(con, area, ()).averages
    averages = averages[[pd.Timestamp(x).date() <= m for x in averages["month"]]].reset_index(drop=True)
    figures = headline.month_figures(con, area, m)
    return BulletinData(
        area=area,
        month=m,
        issued_on=issued,
        as_of=figures.today,
        issue_no=issue_no or in_year,
        issue_total=total,
        figures=figures,
        ranking=rankings.month_ranking(con, area, m),
        categories=categories,
        streaks=streaks,
        streak_months=streak_months(con, area, m, list(streaks["grid_code"])),
        reports=reporting.report_roster(con, area, m),
        volunteer=con.execute(VOLUNTEER, [area, m]).df(),
        problems=findings.problem_figures(con, area, m.year, m),
        averages=averages,
        notice_due_days=int(settings.get_setting(con, "notice_due_days")),
        lamp=lamps.lamp_month(con, area, m),
        lamp_targets=lamps.targets(con),
        work=mechanism.work_month(con, area, m),
    )
