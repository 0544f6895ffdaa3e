"""The monthly work bulletin (工作简报) the county office sends to the leading group (plan 六(五)):
a Word document in the usual shape of a county bulletin, and the same tables as a workbook.

`bulletin_data` reads everything once (etl/rules/queries.py, etl/rules/board.py, a few sums here);
`summary_text` writes the lead paragraph from the figures; `build_bulletin_docx` and
`build_bulletin_xlsx` lay it out. Both are plain functions of a connection: the command line
(`python -m etl bulletin`) and the pages' download buttons call the same code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from etl.errors import GridError
from etl.output import doccharts, document, export
from etl.output.document import FANGSONG, HEI, KAI, SIZE_3, SIZE_4, SIZE_SMALL_4, SIZE_SMALL_5, SONG
from etl.output.notices import ISSUER, ISSUER_SHORT, PLAN
from etl.rules import board, lamps, queries, settings

NUMERALS = "一二三四五六七八九十"


BULLETIN_DAY = 5  # the bulletin of a month is dated the 5th of the following month


class NoCheck(GridError):
    """The area has no monthly check in that month, so there is nothing to report."""


def bulletin_date(month: queries.MonthLike) -> date:
    """The date a month's bulletin carries unless another is chosen: the BULLETIN_DAY-th of the
    following month (the month's reports are due on the 25th; the office compiles the bulletin
    in the first days of the next month). Not the day the file happens to be generated."""
    m = queries.month_start(month)
    return date(m.year + (m.month == 12), m.month % 12 + 1, BULLETIN_DAY)


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
    as_of: date  # the date its statuses are computed for: issued_on, or today if that is later
    issue_no: int  # within the year
    issue_total: int  # since the first check of the area
    figures: board.MonthFigures
    ranking: pd.DataFrame  # queries.month_ranking
    categories: list[tuple[str, float]]  # (category, max points), rubric order
    streaks: pd.DataFrame  # queries.streak_warnings
    streak_months: dict[str, list[date]]
    reports: pd.DataFrame  # per registry grid: status, submitted_on, deadline, contact…
    volunteer: pd.DataFrame  # per registry grid: activities, participants, hours
    problems: pd.DataFrame  # queries.problem_figures for the month
    averages: pd.DataFrame  # queries.grid_history(...).averages up to the month
    notice_due_days: int
    lamp: pd.DataFrame | None = None  # lamps.lamp_month: every registry grid, checked or not
    lamp_targets: lamps.LampTargets | None = None
    work: pd.DataFrame | None = None  # lamps.work_month

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

BOTTOM_RUNS = """
SELECT grid_code, month, bottom_three FROM monthly_ranking
WHERE area = ? AND month <= ? AND list_contains(?::VARCHAR[], grid_code)
ORDER BY grid_code, month DESC
"""


def bulletin_data(
    con: duckdb.DuckDBPyConnection,
    area: str,
    month: queries.MonthLike,
    issue_no: int | None = None,
    issued_on: date | None = None,
) -> BulletinData:
    """Read the month's figures and tables; NoCheck when the month was not checked.
    issued_on: the bulletin's date (default bulletin_date(month)); report and problem statuses
    are as of that date, or as of today when the date lies ahead (a draft written early)."""
    m = queries.month_start(month)
    if m not in queries.months(con, area):
        raise NoCheck(f"{area}{m.year}年{m.month}月没有月度考核数据，无法生成简报（请先导入该月考核表）")
    issued = issued_on or bulletin_date(m)
    today = con.execute("SELECT grid_today()").fetchall()[0][0]
    with as_of(con, min(issued, today)):
        return _read(con, area, m, issue_no, issued)


def _read(
    con: duckdb.DuckDBPyConnection, area: str, m: date, issue_no: int | None, issued: date
) -> BulletinData:
    in_year, total = con.execute(ISSUE_NUMBERS, {"area": area, "month": m}).fetchall()[0]
    cats = queries.month_category_scores(con, area, m)
    categories = [
        (str(c), float(x)) for c, x in cats.groupby("category", sort=False)["max_points"].max().items()
    ]
    streaks = queries.streak_warnings(con, area, m)
    runs: dict[str, list[date]] = {}
    if not streaks.empty:
        history = con.execute(BOTTOM_RUNS, [area, m, list(streaks["grid_code"])]).df()
        for code, part in history.groupby("grid_code"):
            run = []
            for value, flag in zip(part["month"], part["bottom_three"], strict=True):
                if not flag:
                    break
                run.append(pd.Timestamp(value).date())
            runs[str(code)] = sorted(run)
    averages = queries.grid_history(con, area, ()).averages
    averages = averages[[pd.Timestamp(x).date() <= m for x in averages["month"]]].reset_index(drop=True)
    figures = board.month_figures(con, area, m)
    return BulletinData(
        area=area,
        month=m,
        issued_on=issued,
        as_of=figures.today,
        issue_no=issue_no or in_year,
        issue_total=total,
        figures=figures,
        ranking=queries.month_ranking(con, area, m),
        categories=categories,
        streaks=streaks,
        streak_months=runs,
        reports=queries.report_roster(con, area, m),
        volunteer=con.execute(VOLUNTEER, [area, m]).df(),
        problems=queries.problem_figures(con, area, m.year, m),
        averages=averages,
        notice_due_days=int(settings.get_setting(con, "notice_due_days")),
        lamp=lamps.lamp_month(con, area, m),
        lamp_targets=lamps.targets(con),
        work=lamps.work_month(con, area, m),
    )


# ------------------------------------------------------------------------------------------
# Words


def _grid(code: object, name: object) -> str:
    return f"{code} {name}"


def _md(value: object, year: int) -> str:
    return document.month_day(pd.Timestamp(value).date(), year)  # type: ignore[arg-type]


def _months_text(months: list[date]) -> str:
    parts, year = [], None
    for d in months:
        parts.append(f"{d.year}年{d.month}月" if d.year != year else f"{d.month}月")
        year = d.year
    return "、".join(parts)


def _pct(part: float, whole: float) -> str:
    return f"{part / whole * 100:.1f}%"


def _scored(frame: pd.DataFrame) -> str:
    """'02 建设中路西网格（72分）、18 城东社区网格（76分）'."""
    return "、".join(
        f"{_grid(r.grid_code, r.grid_name)}（{document.number(r.total)}分）" for r in frame.itertuples()
    )


def summary_text(d: BulletinData) -> str:
    """The lead paragraph, written from the figures: grids checked, average and change, best and
    worst, reports, volunteer activities, problems found and rectified."""
    f, n = d.figures, document.number
    month = document.chinese_month(d.month)
    text = f"{month}，{ISSUER_SHORT}会同有关部门对{d.area}{f.n_grids}个网格开展了常规检查，{f.n_ranked}个网格参与排名"
    if f.n_missing:
        text += f"（{f.n_missing}个网格缺检）"
    text += f"，平均得分{n(f.average)}分"
    if f.average is not None and f.prev_average is not None:
        change = round(f.average - f.prev_average, 2)
        if change > 0:
            text += f"，比上次检查提高{n(change)}分"
        elif change < 0:
            text += f"，比上次检查下降{n(-change)}分"
        else:
            text += "，与上次检查持平"
    text += f"。排在前三名的是{_scored(d.top)}；{bottom_phrase(d)}{_scored(d.bottom)}"
    if not d.streaks.empty:
        groups = []
        for streak, part in d.streaks.sort_values(["streak", "rank"], ascending=[False, True]).groupby(
            "streak", sort=False
        ):
            names = "、".join(_grid(r.grid_code, r.grid_name) for r in part.itertuples())
            groups.append(f"{names}已连续{int(streak)}次")
        text += f"，其中{'，'.join(groups)}排在末位三名"
    text += "。"
    reported = f.reported
    text += f"信息报送方面，{reported}个网格已报送工作信息，其中按时报送{f.on_time}个"
    if len(d.late):
        text += f"、逾期报送{len(d.late)}个"
    missing = d.not_reported
    if len(missing):
        past = (missing["status"] == "未报送").all()
        text += f"；截至{_md(f.today, d.month.year)}，{len(missing)}个网格" + (
            "未报送" if past else "尚未报送"
        )
    text += "。"
    v = d.volunteer
    acts, people, hours = int(v["activities"].sum()), int(v["participants"].sum()), float(v["hours"].sum())
    text += f"志愿服务方面，各网格共开展志愿服务活动{acts}次，参与{people}人次，服务{n(hours, 1)}小时"
    short = len(d.no_volunteer)
    text += f"，{short}个网格未开展活动。" if short else "，所有网格均按要求开展了活动。"
    p = d.problems
    found, fixed, overdue = int(p["found"].sum()), int(p["rectified"].sum()), int(p["overdue"].sum())
    if found:
        text += f"问题整改方面，本月巡查发现问题{found}个，已整改{fixed}个，整改率{_pct(fixed, found)}"
        text += f"，逾期未整改{overdue}个。" if overdue else "，无逾期未整改问题。"
    else:
        text += "本月未登记巡查发现的问题。"
    lamp = lamp_sentence(d)
    if lamp:
        text += lamp
    work = work_sentence(d)
    if work:
        text += work
    return text


def bottom_phrase(d: BulletinData) -> str:
    """'排在末位三名的是', or with ties that make more than three '末位（含并列）共5个网格：'."""
    n = len(d.bottom)
    return f"末位（含并列）共{n}个网格：" if n > 3 else "排在末位三名的是"


def _lamp_checked(d: BulletinData) -> bool:
    return d.lamp is not None and d.lamp_targets is not None and bool(d.lamp["checked"].astype(bool).any())


def lamp_sentence(d: BulletinData) -> str:
    """The summary's 路灯 sentence (DOMAIN §10), '' when the month had no lamp check."""
    if not _lamp_checked(d):
        return ""
    assert d.lamp is not None and d.lamp_targets is not None
    f = lamps.lamp_figures(d.lamp)
    text = (
        f"路灯方面，夜间检查{f.checked}个网格，全片区装灯率{lamps.percent(f.install_rate)}、"
        f"亮灯率{lamps.percent(f.lit_rate)}，"
    )
    return text + (f"{f.below}个网格未达标。" if f.below else "检查的网格全部达标。")


def lamp_paragraph(d: BulletinData) -> str:
    """The bulletin's 路灯 paragraph: targets, figures, the grids below target worst first,
    the grids not checked. '' when the month had no lamp check."""
    if not _lamp_checked(d):
        return ""
    assert d.lamp is not None and d.lamp_targets is not None
    t = d.lamp_targets
    f = lamps.lamp_figures(d.lamp)
    text = (
        f"按照《实施方案》路灯装灯率{lamps.percent(t.install, 0)}、亮灯率{lamps.percent(t.lit, 0)}的要求，"
        f"本月对{f.checked}个网格的路灯进行了夜间检查，全片区装灯率{lamps.percent(f.install_rate)}，"
        f"亮灯率{lamps.percent(f.lit_rate)}，{f.meeting}个网格达标"
    )
    below = lamps.below_target(d.lamp)
    if len(below):
        names = "；".join(
            f"{_grid(r['grid_code'], r['grid_name'])}（{lamps.shortfall_text(r, t)}）"
            for r in below.to_dict("records")
        )
        text += f"，{len(below)}个网格未达标（按亮灯率、装灯率从低到高）：{names}"
    text += "。"
    unchecked = lamps.unchecked_names(d.lamp)
    if unchecked:
        text += f"{'、'.join(unchecked)}本月未检查。"
    return text


def _work_tracked(d: BulletinData) -> bool:
    return d.work is not None and lamps.any_counts(d.work)


def work_sentence(d: BulletinData) -> str:
    """The summary's 工作机制 sentence (DOMAIN §11), '' when the reports carry no counts."""
    if not _work_tracked(d):
        return ""
    assert d.work is not None
    w = lamps.work_figures(d.work)
    text = f"工作机制方面，各网格报送例会{w.meetings}次、徒步巡查{w.patrols}次、图片{w.pictures}张"
    if w.tracked:
        text += (
            f"，{w.short}个网格例会不足{w.expected}次" if w.short else f"，各网格例会均不少于{w.expected}次"
        )
    return text + "。"


def work_paragraph(d: BulletinData) -> str:
    """The bulletin's 工作机制 paragraph: meetings, foot patrols and pictures from the reports,
    and the grids whose meetings fell short (a grid that reported none falls short too)."""
    if not _work_tracked(d):
        return ""
    assert d.work is not None
    w = lamps.work_figures(d.work)
    text = (
        f"《实施方案》要求各网格工作站每周集中开会一次并做好记录、坚持徒步巡查并做好巡查记录、报送信息须图文并茂。"
        f"据本月报送的工作信息，各网格共召开例会{w.meetings}次、徒步巡查{w.patrols}次、报送图片{w.pictures}张"
    )
    if not w.tracked:
        return text + "（报送记录未填写例会次数，例会情况未统计）。"
    short = d.work[d.work["meetings_short"].fillna(False).astype(bool)]
    if len(short):
        names = "、".join(
            f"{_grid(r.grid_code, r.grid_name)}（{'未报送' if pd.isna(r.meetings) else f'{int(r.meetings)}次'}）"
            for r in short.itertuples()
        )
        text += f"。{len(short)}个网格例会少于每月{w.expected}次：{names}"
    else:
        text += f"，各网格例会均不少于每月{w.expected}次"
    return text + "。"


def _people(r: Any) -> str:
    """'（挂点县领导：吴健辉，牵头单位：县司法局）'."""
    return f"（挂点县领导：{r.leader_name}，牵头单位：{r.lead_unit}）"


def _with_contact(r: Any) -> str:
    contact = "，".join(
        x
        for x in (
            f"联系人{r.contact_name}" if isinstance(r.contact_name, str) and r.contact_name else "",
            f"电话{r.contact_phone}" if isinstance(r.contact_phone, str) and r.contact_phone else "",
        )
        if x
    )
    return _grid(r.grid_code, r.grid_name) + (f"（{contact}）" if contact else "")


# ------------------------------------------------------------------------------------------
# Tables (shared by the .docx and the .xlsx)


def _split_label(name: str) -> str:
    """A category header on two lines in a narrow column: '公益\n宣传'."""
    if len(name) <= 2:
        return name
    half = (len(name) + 1) // 2
    return f"{name[:half]}\n{name[half:]}"


def _short(name: object) -> str:
    text = str(name or "")
    return text[:-2] if text.endswith("网格") and len(text) > 2 else text


def ranking_rows(d: BulletinData) -> tuple[list[str], list[list[object]], list[bool], list[bool]]:
    """Header, rows, bottom-three flags and missing flags of the full ranking table."""
    header = ["排名", "网格", "挂点\n县领导"]
    header += [f"{_split_label(c)}\n({document.number(x)})" for c, x in d.categories]
    header.append("总分")
    rows, red, grey = [], [], []
    for r in d.ranking.to_dict("records"):
        missing = bool(r["missing"])
        row: list[object] = ["缺检" if missing else int(r["rank"]), f"{r['grid_code']} {_short(r['grid_name'])}",
                             r["leader_name"]]  # fmt: skip
        for c, _ in d.categories:
            v = r.get(c)
            row.append("" if v is None or pd.isna(v) else document.number(v))
        row.append("" if missing else document.number(r["total"]))
        rows.append(row)
        red.append(bool(r["bottom_three"]) and not missing)
        grey.append(missing)
    return header, rows, red, grey


def xlsx_tables(d: BulletinData) -> tuple[dict[str, pd.DataFrame], dict[str, list[bool]]]:
    """The bulletin's tables as sheets (Chinese headers) and the rows to colour red."""
    f = d.figures
    v = d.volunteer
    p = d.problems
    found = int(p["found"].sum())
    overview = pd.DataFrame(
        [
            ("月份", document.chinese_month(d.month)),
            ("期号", f"{d.month.year}年第{d.issue_no}期（总第{d.issue_total}期）"),
            ("网格总数", f.n_grids),
            ("参与排名网格", f.n_ranked),
            ("缺检网格", f.n_missing),
            ("平均分", None if f.average is None else round(float(f.average), 2)),
            ("上次检查平均分", None if f.prev_average is None else round(float(f.prev_average), 2)),
            ("末位三名网格数（含并列）", len(d.bottom)),
            ("连续三次末位预警", len(d.streaks)),
            ("已报送工作信息", f.reported),
            ("按时报送", f.on_time),
            ("逾期报送", len(d.late)),
            ("未报送", len(d.not_reported)),
            ("志愿服务活动（次）", int(v["activities"].sum())),
            ("参与人次", int(v["participants"].sum())),
            ("服务时长（小时）", float(v["hours"].sum())),
            ("未开展志愿服务网格", len(d.no_volunteer)),
            ("巡查发现问题", found),
            ("已整改", int(p["rectified"].sum())),
            ("整改率", _pct(int(p["rectified"].sum()), found) if found else "—"),
            ("逾期未整改", int(p["overdue"].sum())),
            ("概述", summary_text(d)),
        ],
        columns=["指标", "数值"],
    )
    categories = [c for c, _ in d.categories]
    ranking = export.ranking_display(d.ranking, categories)
    bottom_flags = [
        bool(b) and not bool(m) for b, m in zip(d.ranking["bottom_three"], d.ranking["missing"], strict=True)
    ]
    warn = d.ranked[(d.ranked["bottom_three"].astype(bool)) | (d.ranked["streak"] >= 3)].sort_values("rank")
    warnings = pd.DataFrame(
        {
            "排名": warn["rank"].astype("Int64"),
            "网格": [_grid(c, n) for c, n in zip(warn["grid_code"], warn["grid_name"], strict=True)],
            "总分": warn["total"].astype(float),
            "连续末位次数": warn["streak"].astype("int64"),
            "挂点县领导": warn["leader_name"],
            "职务": warn["leader_title"].fillna(""),
            "牵头单位": warn["lead_unit"],
            "要求": ["挂点县领导向县主要领导书面说明" if s >= 3 else "限期整改" for s in warn["streak"]],
        }
    )
    late_or_missing = d.reports[d.reports["status"] != "按时"]
    reports = pd.DataFrame(
        {
            "网格": [
                _grid(c, n)
                for c, n in zip(late_or_missing["grid_code"], late_or_missing["grid_name"], strict=True)
            ],
            "状态": late_or_missing["status"],
            "报送日期": [
                "" if pd.isna(x) else f"{pd.Timestamp(x):%Y-%m-%d}" for x in late_or_missing["submitted_on"]
            ],
            "截止日期": [f"{pd.Timestamp(x):%Y-%m-%d}" for x in late_or_missing["deadline"]],
            "联系人": late_or_missing["contact_name"].fillna(""),
            "联系电话": late_or_missing["contact_phone"].fillna(""),
            "挂点县领导": late_or_missing["leader_name"],
            "牵头单位": late_or_missing["lead_unit"],
        }
    )
    nv = d.no_volunteer
    volunteer = pd.DataFrame(
        {
            "网格": [_grid(c, n) for c, n in zip(nv["grid_code"], nv["grid_name"], strict=True)],
            "挂点县领导": nv["leader_name"],
            "牵头单位": nv["lead_unit"],
            "联系人": nv["contact_name"].fillna(""),
            "联系电话": nv["contact_phone"].fillna(""),
        }
    )
    problems = _problem_table(p)
    trend = pd.DataFrame(
        {
            "月份": [f"{pd.Timestamp(x):%Y-%m}" for x in d.averages["month"]],
            "平均分": d.averages["area_avg"].astype(float).round(2),
            "参与排名网格": d.averages["n_ranked"].astype("int64"),
        }
    )
    sheets = {
        "概况": overview,
        "月度排名": ranking,
        "末位与预警": warnings,
        "信息报送": reports,
        "无志愿服务": volunteer,
        "问题整改": problems,
        "平均分走势": trend,
    }
    highlight = {
        "月度排名": bottom_flags,
        "末位与预警": [True] * len(warnings),
        "信息报送": [s == "未报送" for s in reports["状态"]],
        "无志愿服务": [True] * len(volunteer),
        "问题整改": [int(x) > 0 for x in p["overdue"]],
    }
    if _lamp_checked(d):
        table = lamps.lamp_table(d.lamp, d.lamp_targets)  # type: ignore[arg-type]
        sheets["路灯"] = table
        highlight["路灯"] = lamps.short_flags(table)
    if _work_tracked(d):
        sheets["工作机制"] = lamps.work_table(d.work)  # type: ignore[arg-type]
        highlight["工作机制"] = [str(s).startswith("不足") for s in sheets["工作机制"]["例会情况"]]
    return sheets, highlight


def _problem_table(p: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "网格": [_grid(c, n) for c, n in zip(p["grid_code"], p["grid_name"], strict=True)],
            "发现": p["found"].astype("int64"),
            "已整改": p["rectified"].astype("int64"),
            "整改中": p["open"].astype("int64"),
            "逾期未整改": p["overdue"].astype("int64"),
            "整改率": [_pct(k, n) if n else "—" for k, n in zip(p["rectified"], p["found"], strict=True)],
            "按时整改率": [
                _pct(k, n) if n else "—" for k, n in zip(p["rectified_on_time"], p["rectified"], strict=True)
            ],
            "挂点县领导": p["leader_name"],
        }
    )


# ------------------------------------------------------------------------------------------
# The Word document


def _keep_with_note(table: Table) -> None:
    """The table's last row stays on the page of the note under it (no note alone on a page)."""
    for cell in table.rows[-1].cells:
        for para in cell.paragraphs:
            para.paragraph_format.keep_with_next = True


def _cell_margins(table: Table, mm: float = 0.8) -> None:
    """Narrow left/right cell margins so that nine category columns fit a portrait page."""
    tblpr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(mm * 56.7)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tblpr.append(margins)


def _body(doc: DocxDocument, text: str) -> None:
    document.paragraph(doc, text, size=SIZE_4, line=26)


def _lead(doc: DocxDocument, lead: str, text: str) -> Paragraph:
    """A paragraph opening with a 楷体 lead-in: '（一）末位三名。……'."""
    p = document.paragraph(doc, size=SIZE_4, line=26)
    return document.runs(p, [(lead, KAI), (text, FANGSONG)], size=SIZE_4)


def _caption(doc: DocxDocument, text: str) -> None:
    """A table title (表1 …), kept on the page of its table."""
    p = document.paragraph(doc, text, font=HEI, size=SIZE_SMALL_4, align=WD_ALIGN_PARAGRAPH.CENTER, line=22,
                           before=6, after=4)  # fmt: skip
    p.paragraph_format.keep_with_next = True


def build_bulletin_docx(
    con: duckdb.DuckDBPyConnection,
    area: str,
    month: queries.MonthLike,
    issue_no: int | None = None,
    issued_on: date | None = None,
) -> bytes:
    """The month's bulletin as an editable Word document."""
    d = bulletin_data(con, area, month, issue_no, issued_on)
    return bulletin_docx(d)


def bulletin_docx(d: BulletinData) -> bytes:
    f, n = d.figures, document.number
    month = document.chinese_month(d.month)
    doc = document.new_document()
    width_mm = document.text_width(doc) / 36000
    document.core_properties(doc, f"网格化管理工作简报 {d.month.year}年第{d.issue_no}期", ISSUER_SHORT)

    # 报头: red title, issue number, issuer and date, red rule.
    document.paragraph(doc, "网格化管理工作简报", font=SONG, size=34, bold=True, color=document.RED,
                       align=WD_ALIGN_PARAGRAPH.CENTER, line=50, before=6)  # fmt: skip
    document.paragraph(doc, f"{d.month.year}年第{d.issue_no}期（总第{d.issue_total}期）", font=KAI,
                       size=SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER, line=30, before=6, after=6)  # fmt: skip
    masthead = document.left_right(doc, f"{ISSUER}编", document.chinese_date(d.issued_on), size=SIZE_3)
    masthead.paragraph_format.line_spacing = Pt(30)
    document.rule(masthead, size_eighths=24)

    title = f"{month}{d.area}网格化管理常规检查情况通报"
    document.paragraph(doc, title, font=SONG, size=20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, line=34,
                       before=14, after=8)  # fmt: skip

    section = iter(NUMERALS)

    document.heading(doc, f"{next(section)}、总体情况")
    _body(doc, summary_text(d))
    if len(d.averages) >= 2:
        png = doccharts.area_trend_png(d.averages, d.month, width_mm=width_mm)
        document.picture(doc, png, width_mm, f"图1  {d.area}各次检查平均分走势")

    document.heading(doc, f"{next(section)}、检查排名情况")
    _body(doc, "各网格得分及排名见表1，总分排行见图2。")
    _caption(doc, f"表1  {month}{d.area}网格化管理常规检查得分排名")
    header, rows, red, grey = ranking_rows(d)
    ncat = len(d.categories)
    fixed = 9 + 25 + 15 + 11
    cat_w = max(8.0, min(12.0, (width_mm - fixed) / max(ncat, 1)))
    widths = [9, 25, 15, *[cat_w] * ncat, 11]
    table = document.table(doc, header, rows, widths, size=SIZE_SMALL_5, highlight=red, grey=grey)
    _cell_margins(table)
    note = "注：表头括号内为该项满分"
    if any(red):
        note += "；红色底纹为末位三名（并列全部计入）"
    if f.n_missing:
        note += "；灰色底纹为缺检网格，不参与排名"
    _keep_with_note(table)
    document.paragraph(
        doc, note + "。", font=KAI, size=SIZE_SMALL_5, indent=False, line=16, before=3, after=6
    )
    png = doccharts.ranking_bars_png(d.ranking, width_mm=width_mm * 0.92)
    document.picture(doc, png, width_mm * 0.92, f"图2  {month}各网格总分排行")

    document.heading(doc, f"{next(section)}、末位及预警情况")
    parts = [
        f"{_grid(r.grid_code, r.grid_name)}{_people(r)}，总分{n(r.total)}分，排第{int(r.rank)}名"
        for r in d.bottom.itertuples()
    ]
    _lead(
        doc,
        "（一）末位三名。",
        f"本月{'排在末位三名的网格是' if len(d.bottom) <= 3 else f'末位（含并列）共{len(d.bottom)}个网格'}："
        f"{'；'.join(parts)}。请以上网格对照检查中发现的问题，认真分析原因，"
        f"限期整改到位，并于{d.notice_due_days}日内将整改情况书面报送{ISSUER_SHORT}。",
    )
    if d.streaks.empty:
        _lead(doc, "（二）连续末位预警。", "本月没有连续3次检查排在末位三名的网格。")
    else:
        texts = []
        for r in d.streaks.itertuples():
            months = _months_text(d.streak_months.get(r.grid_code, [])[-int(r.streak) :])
            texts.append(
                f"{_grid(r.grid_code, r.grid_name)}已连续{int(r.streak)}次检查（{months}）排在末位三名，"
                f"按照{PLAN}“连续3次检查排在末位三名的网格，挂点县领导须向县主要领导进行书面说明”的规定，"
                f"请挂点县领导{r.leader_name}同志向县主要领导作出书面说明"
            )
        _lead(doc, "（二）连续末位预警。", "；".join(texts) + "。")

    document.heading(doc, f"{next(section)}、信息报送情况")
    deadline = _md(f.deadline, d.month.year)
    text = f"本月应报送网格{f.n_grids}个，报送截止日期为{deadline}。已报送{f.reported}个，其中按时报送{f.on_time}个"
    if len(d.late):
        late = "、".join(
            f"{_grid(r.grid_code, r.grid_name)}（{_md(r.submitted_on, d.month.year)}报送）"
            for r in d.late.itertuples()
        )
        text += f"，逾期报送{len(d.late)}个：{late}"
    text += "。"
    missing = d.not_reported
    if len(missing):
        names = "；".join(_with_contact(r) for r in missing.itertuples())
        verb = "未报送" if (missing["status"] == "未报送").all() else "尚未报送"
        text += f"截至{_md(f.today, d.month.year)}，仍有{len(missing)}个网格{verb}：{names}。请以上网格牵头单位尽快补报。"
    else:
        text += "所有网格均已报送。"
    _body(doc, text)

    document.heading(doc, f"{next(section)}、志愿服务开展情况")
    v = d.volunteer
    text = (
        f"本月各网格共开展志愿服务活动{int(v['activities'].sum())}次，参与{int(v['participants'].sum())}人次，"
        f"服务{n(float(v['hours'].sum()), 1)}小时。"
    )
    nv = d.no_volunteer
    if len(nv):
        names = "；".join(f"{_grid(r.grid_code, r.grid_name)}{_people(r)}" for r in nv.itertuples())
        text += (
            f"{len(nv)}个网格本月未开展志愿服务活动，未达到《实施方案》“每个月开展一次志愿者服务活动”的要求："
            f"{names}。"
        )
    else:
        text += "所有网格均按要求开展了志愿服务活动。"
    _body(doc, text)

    document.heading(doc, f"{next(section)}、巡查问题整改情况")
    p = d.problems
    found, fixed, overdue = int(p["found"].sum()), int(p["rectified"].sum()), int(p["overdue"].sum())
    if found:
        on_time = int(p["rectified_on_time"].sum())
        text = f"本月各网格巡查发现问题{found}个，已整改{fixed}个，整改率{_pct(fixed, found)}"
        if fixed:
            text += f"，其中按时整改{on_time}个，按时整改率{_pct(on_time, fixed)}"
        if int(p["open"].sum()):
            text += f"；整改中{int(p['open'].sum())}个"
        late_grids = p[p["overdue"] > 0]
        if overdue:
            names = "、".join(
                f"{_grid(r.grid_code, r.grid_name)}（{int(r.overdue)}个）" for r in late_grids.itertuples()
            )
            text += f"；逾期未整改{overdue}个，涉及{len(late_grids)}个网格：{names}"
        shown = p[(p["open"] > 0) | (p["overdue"] > 0)]
        done = p[(p["found"] > 0) & (p["open"] == 0) & (p["overdue"] == 0)]
        if len(done):
            text += f"；其余{len(done)}个网格发现的问题已全部整改"
        text += "。" + ("未整改到位的网格见表2。" if len(shown) else "")
        _body(doc, text)
        if len(shown):
            _problem_docx_table(doc, month, shown)
    else:
        _body(doc, "本月未登记巡查发现的问题。")

    for heading, text in (("路灯亮灯情况", lamp_paragraph(d)), ("工作机制落实情况", work_paragraph(d))):
        if text:
            document.heading(doc, f"{next(section)}、{heading}")
            _body(doc, text)

    asks = _requirements(d)
    last = None
    if asks:
        document.heading(doc, f"{next(section)}、下一步工作要求")
        for i, ask in enumerate(asks):
            lead, text = ask
            last = _lead(doc, f"（{NUMERALS[i]}）{lead}", text)

    # 版记: 报、送、发 between rules, never alone on the last page.
    if last is not None:
        last.paragraph_format.keep_with_next = True
    document.paragraph(doc, "", size=SIZE_4, line=26).paragraph_format.keep_with_next = True
    lines = [
        ("报：", "县“两创”领导小组各成员。"),
        ("送：", "各网格挂点县领导。"),
        ("发：", "各网格牵头单位、责任单位。"),
    ]
    for i, (lead, text) in enumerate(lines):
        para = document.paragraph(doc, size=SIZE_4, indent=False, line=26)
        para.paragraph_format.keep_with_next = i < len(lines) - 1
        if i == 0:
            document.rule(para, color="000000", size_eighths=8, where="top")
        if i == len(lines) - 1:
            document.rule(para, color="000000", size_eighths=8, where="bottom")
        document.runs(para, [(lead, HEI), (text, FANGSONG)], size=SIZE_4)
    return document.to_bytes(doc)


def _problem_docx_table(doc: DocxDocument, month: str, shown: pd.DataFrame) -> None:
    """表2: grids with open or overdue problems. A rate column is left out when every row
    reads the same (it would add nothing), and so is a count column of zeros."""
    rows = [
        {
            "网格": f"{r.grid_code} {_short(r.grid_name)}",
            "发现": int(r.found),
            "已整改": int(r.rectified),
            "整改中": int(r.open),
            "逾期未整改": int(r.overdue),
            "整改率": _pct(r.rectified, r.found),
            "按时整改率": _pct(r.rectified_on_time, r.rectified) if r.rectified else "—",
            "挂点县领导": r.leader_name,
        }
        for r in shown.itertuples()
    ]
    widths = {"网格": 34, "发现": 14, "已整改": 16, "整改中": 16, "逾期未整改": 20, "整改率": 18, "按时整改率": 20,
              "挂点县领导": 22}  # fmt: skip
    keep = [
        c
        for c in widths
        if c in ("网格", "发现", "逾期未整改", "挂点县领导")
        or (c in ("已整改", "整改中") and any(row[c] for row in rows))
        or (c in ("整改率", "按时整改率") and len({row[c] for row in rows}) > 1)
    ]
    _caption(doc, f"表2  {month}未整改到位网格的巡查问题情况")
    red = [row["逾期未整改"] > 0 for row in rows]
    table = document.table(doc, keep, [[row[c] for c in keep] for row in rows], [widths[c] for c in keep],
                           size=SIZE_SMALL_5, highlight=red)  # fmt: skip
    if any(red):
        _keep_with_note(table)
        document.paragraph(doc, "注：红色底纹为有逾期未整改问题的网格。", font=KAI, size=SIZE_SMALL_5, indent=False,
                           line=16, before=3, after=6)  # fmt: skip


def _requirements(d: BulletinData) -> list[tuple[str, str]]:
    """Closing asks, only for what fell short this month."""
    asks: list[tuple[str, str]] = []
    if len(d.bottom):
        asks.append(
            (
                "抓好末位整改。",
                f"排在末位三名的网格要对照检查发现的问题逐项整改，挂点县领导要亲自过问、亲自督促；"
                f"{ISSUER_SHORT}将在下次检查中对整改情况进行复查，对不按时整改的网格在全县通报批评并从重扣分。",
            )
        )
    if len(d.late) or len(d.not_reported):
        day = f"{d.figures.deadline.day}日"
        asks.append(
            (
                "按时报送信息。",
                f"各网格牵头单位联系人要在每月{day}前将本网格工作开展情况和信息动态（含图片）报送{ISSUER_SHORT}，"
                "确保工作简报按时编发。",
            )
        )
    if len(d.no_volunteer):
        asks.append(
            (
                "常态开展志愿服务。",
                "各网格每月至少开展一次志愿服务活动，动员网格内干部职工和居民在广东省志愿服务信息网络平台注册，"
                "围绕群众关心的热点难点问题开展服务。",
            )
        )
    if _lamp_checked(d) and lamps.lamp_figures(d.lamp).below:  # type: ignore[arg-type]
        asks.append(
            (
                "抓好路灯整改。",
                "路灯未达标的网格要督促有关部门补装缺装路灯、及时修复不亮路灯，确保装灯率、亮灯率达到《实施方案》要求；"
                f"{ISSUER_SHORT}将在下次夜间检查中复查。",
            )
        )
    if _work_tracked(d) and lamps.work_figures(d.work).short:  # type: ignore[arg-type]
        asks.append(
            (
                "落实工作机制。",
                "各网格工作站要坚持每周集中开会一次并做好会议记录，坚持徒步巡查并做好巡查记录，"
                "报送信息做到图文并茂。",
            )
        )
    if int(d.problems["overdue"].sum()):
        asks.append(
            (
                "加快问题整改。",
                "对巡查发现并交办的问题，各牵头单位要督促责任部门在整改期限内整改到位，并做好回查跟进；"
                "逾期未整改的问题要说明原因、明确时限。",
            )
        )
    return asks


# ------------------------------------------------------------------------------------------
# The workbook


def build_bulletin_xlsx(
    con: duckdb.DuckDBPyConnection,
    area: str,
    month: queries.MonthLike,
    issue_no: int | None = None,
    issued_on: date | None = None,
) -> bytes:
    """The bulletin's tables as a workbook, one per sheet: frozen header, widths, the bottom
    three (and other rows that fall short) in red."""
    d = bulletin_data(con, area, month, issue_no, issued_on)
    sheets, highlight = xlsx_tables(d)
    title = (
        f"{d.area}网格化管理工作简报（{document.chinese_month(d.month)}，{d.month.year}年第{d.issue_no}期）"
    )
    return export.xlsx_bytes(sheets, title=title, highlight=highlight)
