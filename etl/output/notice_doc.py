"""Each notice as its own Word document, addressed to the grid's lead unit (or, for a written
explanation, to its leader), stating the facts and the deadline; the month's notices as a .zip
or a folder; the notice tables as the page shows them. Facts come from etl/rules/notices.py
(drafts) or the `notice` view (issued notices, exactly as issued); words from notice_text.py."""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from etl.output import document
from etl.output.document import FANGSONG, HEI, SIZE_2, SIZE_3, SONG
from etl.output.notice_text import (
    ISSUER,
    ISSUER_SHORT,
    PLAN,
    facts_paragraphs,
    file_name,
    month_text,
    months_text,
    reason,
    requirement,
    title_of,
)
from etl.rules import calendar
from etl.rules.notices import EXPLANATION, NUMBER_PREFIX, draft_notices, due_on, grid_today, list_notices


def notice_docx(
    facts: dict[str, Any], *, issued_on: date, due_on: date, notice_no: str | None = None
) -> bytes:
    """One notice as an editable Word document: red masthead, number, title, addressee, the
    facts, what to do by when, issuer and date, and who gets a copy."""
    f = facts
    kind = f["kind"]
    doc = document.new_document()
    document.core_properties(doc, f"{title_of(kind)}（{f['grid_code']} {f['grid_name']}）", ISSUER_SHORT)
    document.paragraph(doc, ISSUER, font=SONG, size=30, bold=True, color=document.RED,
                       align=WD_ALIGN_PARAGRAPH.CENTER, line=36)  # fmt: skip
    number = notice_no or f"{NUMBER_PREFIX}〔{issued_on.year}〕　号"
    p = document.paragraph(doc, number, size=SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER, line=28, before=6)
    document.rule(p, size_eighths=24)
    document.paragraph(doc, title_of(kind), font=SONG, size=SIZE_2, bold=True,
                       align=WD_ALIGN_PARAGRAPH.CENTER, line=36, before=14, after=6)  # fmt: skip
    grid = f"{f['grid_code']} {f['grid_name']}"
    leader = f"{f['leader_name']}同志"
    if kind == EXPLANATION:
        document.paragraph(doc, f"{leader}：", size=SIZE_3, indent=False, line=28)
        months = months_text(f["bottom_months"])
        body = [
            f"您挂点的{grid}（牵头单位：{f['lead_unit']}）在{months}的常规检查中，连续{f['streak']}次排在"
            f"末位三名；{month_text(f['month'])}总分{document.number(f['total'])}分，在{f['area']}"
            f"{f['n_ranked']}个参与排名的网格中排第{f['rank']}名。",
            f"根据{PLAN}“连续3次检查排在末位三名的网格，挂点县领导须向县主要领导进行书面说明”的规定，"
            f"请您于{document.chinese_date(due_on)}前就该网格连续排在末位的原因及整改措施，向县主要领导作出书面说明，"
            f"说明材料同时抄送{ISSUER_SHORT}。",
            "特此通知。",
        ]
        copy = f"{f['lead_unit']}（{grid}牵头单位）"
    else:
        document.paragraph(doc, f"{f['lead_unit']}：", size=SIZE_3, indent=False, line=28)
        intro = f"根据{PLAN}有关要求，经督查，你单位牵头负责的{grid}（挂点县领导：{leader}）存在以下问题："
        body = [intro, *facts_paragraphs(f), requirement(f, due_on), "特此通知。"]
        copy = f"{leader}（{grid}挂点县领导）"
    for text in body:
        document.paragraph(doc, text, size=SIZE_3, line=28)
    document.paragraph(doc, "", size=SIZE_3, line=28)
    sign = document.paragraph(doc, ISSUER, size=SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT, line=28)
    sign.paragraph_format.right_indent = Pt(SIZE_3 * 2)
    when = document.paragraph(doc, document.chinese_date(issued_on), size=SIZE_3,
                              align=WD_ALIGN_PARAGRAPH.RIGHT, line=28)  # fmt: skip
    when.paragraph_format.right_indent = Pt(SIZE_3 * 3)
    # 版记: who gets a copy, between two thin rules.
    foot = document.paragraph(doc, size=document.SIZE_4, indent=False, line=26, before=10)
    document.rule(foot, color="000000", size_eighths=8, where="top")
    document.rule(foot, color="000000", size_eighths=8, where="bottom")
    document.runs(foot, [("抄送：", HEI), (f"{copy}。", FANGSONG)], size=document.SIZE_4)
    return document.to_bytes(doc)


def month_documents(
    con: duckdb.DuckDBPyConnection, area: str, month: calendar.MonthLike, which: str = "all"
) -> list[tuple[str, bytes]]:
    """(file name, .docx bytes) for the month's notices: 'issued' ones exactly as issued (their
    stored facts, number and dates), 'draft' ones not yet issued as they would be issued today,
    or 'all' of both. Registry order within each kind."""
    m = calendar.month_start(month)
    out: list[tuple[str, bytes]] = []
    if which in ("all", "issued"):
        for n in list_notices(con, area, m).to_dict("records"):
            facts = json.loads(n["facts"])
            out.append(
                (
                    file_name(facts),
                    notice_docx(
                        facts,
                        issued_on=pd.Timestamp(n["issued_on"]).date(),
                        due_on=pd.Timestamp(n["due_on"]).date(),
                        notice_no=n["notice_no"],
                    ),
                )
            )
    if which in ("all", "draft"):
        today = grid_today(con)
        due = due_on(con, today)
        drafts = draft_notices(con, area, m)
        for d in drafts[~drafts["issued"].astype(bool)].to_dict("records"):
            out.append((file_name(d["facts"]), notice_docx(d["facts"], issued_on=today, due_on=due)))
    return out


def zip_bytes(files: list[tuple[str, bytes]]) -> bytes:
    """The documents in one .zip (UTF-8 names: Windows 10+ and WPS open them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
    return buf.getvalue()


def month_zip(
    con: duckdb.DuckDBPyConnection, area: str, month: calendar.MonthLike, which: str = "draft"
) -> bytes:
    """month_documents(…, which) as one .zip (the page's download)."""
    return zip_bytes(month_documents(con, area, month, which))


def write_documents(files: list[tuple[str, bytes]], folder: str | os.PathLike[str]) -> list[Path]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files:
        target = out / name
        tmp = target.with_suffix(".docx.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        written.append(target)
    return written


# ------------------------------------------------------------------------------------------
# The tables as the page shows and downloads them


def _day(v: Any) -> str:
    return "" if v is None or pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}"


def notices_display(frame: pd.DataFrame) -> pd.DataFrame:
    """list_notices as shown and downloaded, Chinese headers."""
    return pd.DataFrame(
        {
            "编号": frame["notice_no"],
            "月份": [f"{pd.Timestamp(v):%Y-%m}" for v in frame["month"]],
            "网格": [f"{c} {n}" for c, n in zip(frame["grid_code"], frame["grid_name"], strict=True)],
            "类型": frame["kind"],
            "事由": [reason(json.loads(f)) for f in frame["facts"]],
            "状态": frame["status"],
            "下发日期": [_day(v) for v in frame["issued_on"]],
            "回复期限": [_day(v) for v in frame["due_on"]],
            "回复日期": [_day(v) for v in frame["responded_on"]],
            "办结日期": [_day(v) for v in frame["closed_on"]],
            "挂点县领导": frame["leader_name"],
            "牵头单位": frame["lead_unit"],
        }
    )


def drafts_display(drafts: pd.DataFrame) -> pd.DataFrame:
    """draft_notices as shown: grid, kind, reason, people, whether already issued."""
    return pd.DataFrame(
        {
            "网格": [f"{c} {n}" for c, n in zip(drafts["grid_code"], drafts["grid_name"], strict=True)],
            "类型": drafts["kind"],
            "事由": [reason(f) for f in drafts["facts"]],
            "挂点县领导": drafts["leader_name"],
            "牵头单位": drafts["lead_unit"],
            "下发情况": ["已下发" if x else "待下发" for x in drafts["issued"]],
        }
    )
