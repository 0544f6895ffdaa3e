"""The work bulletin's tables as a workbook, one per sheet (Chinese headers, frozen header,
widths), the bottom three and other rows that fall short in red. Facts from
etl/rules/bulletin.py; `build_bulletin_xlsx` is what the command line and the pages call."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from etl.output import bulletin_text as words
from etl.output import document, export, lamptables
from etl.rules import calendar
from etl.rules.bulletin import BulletinData, bulletin_data


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
            ("整改率", words.pct(int(p["rectified"].sum()), found) if found else "—"),
            ("逾期未整改", int(p["overdue"].sum())),
            ("概述", words.summary_text(d)),
        ],
        columns=["指标", "数值"],
    )
    categories = [c for c, _ in d.categories]
    ranking = export.ranking_display(d.ranking, categories)
    bottom_flags = [
        bool(b) and not bool(m) for b, m in zip(d.ranking["bottom_three"], d.ranking["missing"], strict=True)
    ]
    warned = d.ranked["grid_code"].isin(d.warned)  # rankings.streak_warnings
    warn = d.ranked[d.ranked["bottom_three"].astype(bool) | warned].sort_values("rank")
    warnings = pd.DataFrame(
        {
            "排名": warn["rank"].astype("Int64"),
            "网格": [
                words.grid_label(c, n) for c, n in zip(warn["grid_code"], warn["grid_name"], strict=True)
            ],
            "总分": warn["total"].astype(float),
            "连续末位次数": warn["streak"].astype("int64"),
            "挂点县领导": warn["leader_name"],
            "职务": warn["leader_title"].fillna(""),
            "牵头单位": warn["lead_unit"],
            "要求": [
                "挂点县领导向县主要领导书面说明" if c in d.warned else "限期整改" for c in warn["grid_code"]
            ],
        }
    )
    late_or_missing = d.reports[d.reports["status"] != "按时"]
    reports = pd.DataFrame(
        {
            "网格": [
                words.grid_label(c, n)
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
            "网格": [words.grid_label(c, n) for c, n in zip(nv["grid_code"], nv["grid_name"], strict=True)],
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
    if d.lamp_checked:
        table = lamptables.lamp_table(d.lamp, d.lamp_targets)  # type: ignore[arg-type]
        sheets["路灯"] = table
        highlight["路灯"] = lamptables.short_flags(table)
    if d.work_tracked:
        sheets["工作机制"] = lamptables.work_table(d.work)  # type: ignore[arg-type]
        highlight["工作机制"] = [str(s).startswith("不足") for s in sheets["工作机制"]["例会情况"]]
    return sheets, highlight


def _problem_table(p: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "网格": [words.grid_label(c, n) for c, n in zip(p["grid_code"], p["grid_name"], strict=True)],
            "发现": p["found"].astype("int64"),
            "已整改": p["rectified"].astype("int64"),
            "整改中": p["open"].astype("int64"),
            "逾期未整改": p["overdue"].astype("int64"),
            "整改率": [
                words.pct(k, n) if n else "—" for k, n in zip(p["rectified"], p["found"], strict=True)
            ],
            "按时整改率": [
                words.pct(k, n) if n else "—"
                for k, n in zip(p["rectified_on_time"], p["rectified"], strict=True)
            ],
            "挂点县领导": p["leader_name"],
        }
    )


def build_bulletin_xlsx(
    con: duckdb.DuckDBPyConnection,
    area: str,
    month: calendar.MonthLike,
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
