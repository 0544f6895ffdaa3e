"""The words of a notice: the one-line reason (tables, lists), the facts as the notice states
them, what the grid must do by when, titles and file names. Plain functions of a notice's
facts (etl/rules/notices.draft_notices, or the facts stored when it was issued), so that an
issued notice reads the same later even if the data changes."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from etl.output import document
from etl.rules import lamps
from etl.rules.notices import EXPLANATION, LAMPS

ISSUER = "翁源县“两创”办公室"
ISSUER_SHORT = "县“两创”办"
PLAN = "《翁源县城市网格化管理工作实施方案》（翁委办〔2018〕7号）"


def title_of(kind: str) -> str:
    return "书面说明通知" if kind == EXPLANATION else "督查整改通知书"


def file_name(facts: dict[str, Any]) -> str:
    """'2019-03_26_河口村网格_末位整改.docx' (characters Windows refuses are replaced)."""
    name = str(facts["grid_name"])[:40]  # file names are limited to 255 bytes (UTF-8: 3 per 汉字)
    stem = f"{facts['month']}_{str(facts['grid_code'])[:30]}_{name}_{facts['kind']}"
    return re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "_", stem) + ".docx"


def md(iso: str | None, year: int) -> str:
    """'2019-03-25' → '3月25日' (with the year when it is not `year`, the notice's year)."""
    return document.month_day(date.fromisoformat(iso), year) if iso else ""


def month_text(ym: str) -> str:
    return f"{int(ym[:4])}年{int(ym[5:7])}月"


def months_text(months: list[str]) -> str:
    """['2019-01', '2019-02', '2019-03'] → '2019年1月、2月、3月' (the year once per year)."""
    parts, year = [], None
    for ym in months:
        y, m = int(ym[:4]), int(ym[5:7])
        parts.append(f"{y}年{m}月" if y != year else f"{m}月")
        year = y
    return "、".join(parts)


def reason(f: dict[str, Any]) -> str:
    """One line saying why the grid gets the notice (tables, lists, file names)."""
    kind, n, year = f["kind"], document.number, int(f["month"][:4])
    if kind == "末位整改":
        return f"第{f['rank']}名（共{f['n_ranked']}个），总分{n(f['total'])}分，列末位三名"
    if kind == EXPLANATION:
        return f"连续{f['streak']}次检查排在末位三名（{months_text(f['bottom_months'])}）"
    if kind == "未按时报送":
        if f.get("submitted_on"):
            return f"{md(f['submitted_on'], year)}才报送，晚于{md(f['deadline'], year)}截止日期"
        return f"截止日期{md(f['deadline'], year)}已过，未报送工作信息"
    if kind == "无志愿服务":
        return "本月未开展志愿服务活动"
    if kind == "逾期问题":
        problems = f["problems"]
        longest = max((p["days_overdue"] or 0 for p in problems), default=0)
        return f"{len(problems)}个问题逾期未整改（最长逾期{longest}天）"
    if kind == "年度不达标":
        return f"{f['year']}年度综合得分{n(f['composite'])}分，低于达标线{n(f['pass_mark'])}分"
    if kind == LAMPS:
        return f["shortfall"]
    return kind


def facts_paragraphs(f: dict[str, Any]) -> list[str]:
    """What the notice states, as numbered sentences (逾期问题) or one paragraph."""
    n, month, year = document.number, month_text(f["month"]), int(f["month"][:4])
    kind = f["kind"]
    if kind == "末位整改":
        text = (
            f"{month}常规检查中，该网格总分{n(f['total'])}分，在{f['area']}{f['n_ranked']}个参与排名的网格中"
            f"排第{f['rank']}名，列末位三名"
        )
        if f.get("area_avg") is not None:
            text += f"，低于片区平均分{n(f['area_avg'])}分"
        text += "。"
        if f.get("weak_categories"):
            weak = "、".join(f"{c}（得{n(s)}分，满分{n(x)}分）" for c, s, x in f["weak_categories"])
            text += f"失分较多的项目是{weak}。"
        if f.get("streak", 0) >= 2:
            text += f"这是该网格连续第{f['streak']}次检查排在末位三名。"
        return [text]
    if kind == "未按时报送":
        # The deadline is the report_status view's (report_deadline macro), stored with the facts.
        by = f"每月{date.fromisoformat(f['deadline']).day}日前" if f.get("deadline") else "每月截止日期前"
        text = f"按照《实施方案》要求，各网格牵头单位联系人应在{by}报送本网格工作开展情况。该网格{month}的工作信息"
        if f.get("submitted_on"):
            text += f"于{md(f['submitted_on'], year)}才报送，晚于{md(f['deadline'], year)}的截止日期。"
        else:
            text += f"截至{md(f['as_of'], year)}仍未报送（截止日期为{md(f['deadline'], year)}）。"
        return [text]
    if kind == "无志愿服务":
        text = f"该网格{month}未开展志愿服务活动，未达到《实施方案》“每个月开展一次志愿者服务活动”的要求。"
        if f.get("months_short_year", 0) > 1:
            text += f"{f['year']}年以来，该网格已有{f['months_short_year']}个月未开展志愿服务活动。"
        return [text]
    if kind == "逾期问题":
        lines = [f"该网格{month}巡查发现的以下{len(f['problems'])}个问题，已超过整改期限仍未整改到位："]
        for i, p in enumerate(f["problems"], start=1):
            what = p["category"] + (f"（{p['subcategory']}）" if p.get("subcategory") else "")
            place = "，".join(x for x in (p.get("location"), p.get("description")) if x)
            handler = f"，交办{p['handler']}" if p.get("handler") else ""
            late = f"，截至{md(f['as_of'], year)}已逾期{p['days_overdue']}天" if p.get("days_overdue") else ""
            lines.append(
                f"{i}. {md(p['found_on'], year)}发现，{what}：{place or '（未填写问题描述）'}{handler}，"
                f"整改期限{md(p['deadline'], year)}{late}。"
            )
        return lines
    if kind == "年度不达标":
        w1, w2 = f["weight_routine"] * 100, f["weight_year_end"] * 100
        text = (
            f"{f['year']}年度综合考核中，该网格常规考核平均分{n(f['routine_avg'])}分，年终考核得分"
            f"{n(f['year_end'])}分，按常规考核占{n(w1, 0)}%、年终考核占{n(w2, 0)}%计算，综合得分"
            f"{n(f['composite'])}分，低于{n(f['pass_mark'])}分的达标线，考核等次为不达标。"
        )
        return [text]
    if kind == LAMPS:
        pct = lamps.percent
        text = (
            f"{month}路灯夜间检查中，该网格应装路灯{f['required']}盏，已装{f['installed']}盏，亮灯{f['lit']}盏，"
            f"装灯率{pct(f['install_rate'])}，亮灯率{pct(f['lit_rate'])}，"
            f"未达到《实施方案》装灯率{pct(f['install_target'], 0)}、亮灯率{pct(f['lit_target'], 0)}的要求"
            f"（{f['shortfall']}）。"
        )
        return [text]
    return []


def requirement(f: dict[str, Any], due: date) -> str:
    """What the grid must do by `due`: a late report is explained, a missing one sent."""
    kind, due_text = f["kind"], document.chinese_date(due)
    if kind == "未按时报送" and f.get("submitted_on"):
        # Reported, but late: nothing to send again, only the reason and the habit to fix.
        act = (
            f"于{due_text}前书面说明{month_text(f['month'])}工作信息逾期报送的原因，"
            f"今后严格在每月截止日期前报送"
        )
    elif kind == "未按时报送":
        act = f"于{due_text}前补报{month_text(f['month'])}工作信息，并书面说明未按时报送的原因"
    elif kind == "无志愿服务":
        act = f"于{due_text}前组织开展志愿服务活动，并将活动情况（含图片）和整改措施书面报送{ISSUER_SHORT}"
    elif kind == "逾期问题":
        act = f"督促有关部门于{due_text}前将上述问题整改到位，并将整改情况（含整改前后对比图片）书面报送{ISSUER_SHORT}"
    elif kind == LAMPS:
        act = (
            f"督促有关部门于{due_text}前补装、修复路灯，并将整改情况（含夜间亮灯图片）书面报送{ISSUER_SHORT}"
        )
    else:
        act = f"于{due_text}前完成整改，并将整改情况书面报送{ISSUER_SHORT}"
    return (
        f"请你单位高度重视，认真分析原因，落实整改措施，{act}。对不按时整改的网格，"
        "将按照《实施方案》规定在全县通报批评并从重扣分。"
    )
