"""The words of the monthly work bulletin (工作简报): the lead paragraph written from the
figures, the 路灯 and 工作机制 paragraphs, the closing asks, and the small phrases the Word
document and the workbook share. Plain functions of etl/rules/bulletin.BulletinData; every
flag they test (bottom three, streaks, late or missing reports) is a column of the views."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from etl.output import document, lamptables, tables
from etl.output.notice_text import ISSUER_SHORT
from etl.rules import lamps, mechanism
from etl.rules.bulletin import BulletinData


def grid_label(code: object, name: object) -> str:
    return f"{code} {name}"


def md(value: object, year: int) -> str:
    return document.month_day(pd.Timestamp(value).date(), year)  # type: ignore[arg-type]


def months_text(months: list[date]) -> str:
    parts, year = [], None
    for d in months:
        parts.append(f"{d.year}年{d.month}月" if d.year != year else f"{d.month}月")
        year = d.year
    return "、".join(parts)


def pct(part: float, whole: float) -> str:
    return f"{part / whole * 100:.1f}%"


def _scored(frame: pd.DataFrame) -> str:
    """'02 建设中路西网格（72分）、18 城东社区网格（76分）'."""
    return "、".join(
        f"{grid_label(r.grid_code, r.grid_name)}（{document.number(r.total)}分）" for r in frame.itertuples()
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
            names = "、".join(grid_label(r.grid_code, r.grid_name) for r in part.itertuples())
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
        text += f"；截至{md(f.today, d.month.year)}，{len(missing)}个网格" + (
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
        text += f"问题整改方面，本月巡查发现问题{found}个，已整改{fixed}个，整改率{pct(fixed, found)}"
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
    ties = tables.ties_heading(len(d.bottom))
    return f"{ties}：" if ties else "排在末位三名的是"


def lamp_sentence(d: BulletinData) -> str:
    """The summary's 路灯 sentence (DOMAIN §10), '' when the month had no lamp check."""
    if not d.lamp_checked:
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
    if not d.lamp_checked:
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
            f"{grid_label(r['grid_code'], r['grid_name'])}（{lamps.shortfall_text(r, t)}）"
            for r in below.to_dict("records")
        )
        text += f"，{len(below)}个网格未达标（按亮灯率、装灯率从低到高）：{names}"
    text += "。"
    unchecked = lamptables.unchecked_names(d.lamp)
    if unchecked:
        text += f"{'、'.join(unchecked)}本月未检查。"
    return text


def work_sentence(d: BulletinData) -> str:
    """The summary's 工作机制 sentence (DOMAIN §11), '' when the reports carry no counts."""
    if not d.work_tracked:
        return ""
    assert d.work is not None
    w = mechanism.work_figures(d.work)
    text = f"工作机制方面，各网格报送例会{w.meetings}次、徒步巡查{w.patrols}次、图片{w.pictures}张"
    if w.tracked:
        text += (
            f"，{w.short}个网格例会不足{w.expected}次" if w.short else f"，各网格例会均不少于{w.expected}次"
        )
    return text + "。"


def work_paragraph(d: BulletinData) -> str:
    """The bulletin's 工作机制 paragraph: meetings, foot patrols and pictures from the reports,
    and the grids whose meetings fell short (a grid that reported none falls short too)."""
    if not d.work_tracked:
        return ""
    assert d.work is not None
    w = mechanism.work_figures(d.work)
    text = (
        f"《实施方案》要求各网格工作站每周集中开会一次并做好记录、坚持徒步巡查并做好巡查记录、报送信息须图文并茂。"
        f"据本月报送的工作信息，各网格共召开例会{w.meetings}次、徒步巡查{w.patrols}次、报送图片{w.pictures}张"
    )
    if not w.tracked:
        return text + "（报送记录未填写例会次数，例会情况未统计）。"
    short = d.work[d.work["meetings_short"].fillna(False).astype(bool)]
    if len(short):
        names = "、".join(
            f"{grid_label(r.grid_code, r.grid_name)}（{'未报送' if pd.isna(r.meetings) else f'{int(r.meetings)}次'}）"
            for r in short.itertuples()
        )
        text += f"。{len(short)}个网格例会少于每月{w.expected}次：{names}"
    else:
        text += f"，各网格例会均不少于每月{w.expected}次"
    return text + "。"


def people(r: Any) -> str:
    """'（挂点县领导：吴健辉，牵头单位：县司法局）'."""
    return f"（挂点县领导：{r.leader_name}，牵头单位：{r.lead_unit}）"


def with_contact(r: Any) -> str:
    contact = "，".join(
        x
        for x in (
            f"联系人{r.contact_name}" if isinstance(r.contact_name, str) and r.contact_name else "",
            f"电话{r.contact_phone}" if isinstance(r.contact_phone, str) and r.contact_phone else "",
        )
        if x
    )
    return grid_label(r.grid_code, r.grid_name) + (f"（{contact}）" if contact else "")


def short_name(name: object) -> str:
    text = str(name or "")
    return text[:-2] if text.endswith("网格") and len(text) > 2 else text


def requirements(d: BulletinData) -> list[tuple[str, str]]:
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
    if d.lamp_checked and lamps.lamp_figures(d.lamp).below:  # type: ignore[arg-type]
        asks.append(
            (
                "抓好路灯整改。",
                "路灯未达标的网格要督促有关部门补装缺装路灯、及时修复不亮路灯，确保装灯率、亮灯率达到《实施方案》要求；"
                f"{ISSUER_SHORT}将在下次夜间检查中复查。",
            )
        )
    if d.work_tracked and mechanism.work_figures(d.work).short:  # type: ignore[arg-type]
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
