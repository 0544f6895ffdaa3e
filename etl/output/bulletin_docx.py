"""The monthly work bulletin (工作简报) as an editable Word document in the usual shape of a
county bulletin: masthead, summary, ranking table and chart, bottom three and streak warnings,
reports, volunteer activities, problems, lamps, work mechanism, closing asks, distribution.
Facts from etl/rules/bulletin.py, words from bulletin_text.py. The command line (`python -m
etl bulletin`) and the pages' download buttons call `build_bulletin_docx`."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from etl.output import bulletin_text as words
from etl.output import doccharts, document, tables
from etl.output.document import FANGSONG, HEI, KAI, SIZE_3, SIZE_4, SIZE_SMALL_4, SIZE_SMALL_5, SONG
from etl.output.notice_text import ISSUER, ISSUER_SHORT, PLAN
from etl.rules import calendar
from etl.rules.bulletin import BulletinData, bulletin_data

NUMERALS = "一二三四五六七八九十"


def _split_label(name: str) -> str:
    """A category header on two lines in a narrow column: '公益\n宣传'."""
    if len(name) <= 2:
        return name
    half = (len(name) + 1) // 2
    return f"{name[:half]}\n{name[half:]}"


def ranking_rows(d: BulletinData) -> tuple[list[str], list[list[object]], list[bool], list[bool]]:
    """Header, rows, bottom-three flags and missing flags of the full ranking table."""
    header = ["排名", "网格", "挂点\n县领导"]
    header += [f"{_split_label(c)}\n({document.number(x)})" for c, x in d.categories]
    header.append("总分")
    rows, red, grey = [], [], []
    for r in d.ranking.to_dict("records"):
        missing = bool(r["missing"])
        row: list[object] = ["缺检" if missing else int(r["rank"]), f"{r['grid_code']} {words.short_name(r['grid_name'])}",
                             r["leader_name"]]  # fmt: skip
        for c, _ in d.categories:
            v = r.get(c)
            row.append("" if v is None or pd.isna(v) else document.number(v))
        row.append("" if missing else document.number(r["total"]))
        rows.append(row)
        red.append(bool(r["bottom_three"]) and not missing)
        grey.append(missing)
    return header, rows, red, grey


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
    month: calendar.MonthLike,
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
    _body(doc, words.summary_text(d))
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
        f"{words.grid_label(r.grid_code, r.grid_name)}{words.people(r)}，总分{n(r.total)}分，排第{int(r.rank)}名"
        for r in d.bottom.itertuples()
    ]
    _lead(
        doc,
        "（一）末位三名。",
        f"本月{tables.ties_heading(len(d.bottom)) or '排在末位三名的网格是'}："
        f"{'；'.join(parts)}。请以上网格对照检查中发现的问题，认真分析原因，"
        f"限期整改到位，并于{d.notice_due_days}日内将整改情况书面报送{ISSUER_SHORT}。",
    )
    if d.streaks.empty:
        _lead(doc, "（二）连续末位预警。", "本月没有连续3次检查排在末位三名的网格。")
    else:
        texts = []
        for r in d.streaks.itertuples():
            months = words.months_text(d.streak_months.get(r.grid_code, [])[-int(r.streak) :])
            texts.append(
                f"{words.grid_label(r.grid_code, r.grid_name)}已连续{int(r.streak)}次检查（{months}）排在末位三名，"
                f"按照{PLAN}“连续3次检查排在末位三名的网格，挂点县领导须向县主要领导进行书面说明”的规定，"
                f"请挂点县领导{r.leader_name}同志向县主要领导作出书面说明"
            )
        _lead(doc, "（二）连续末位预警。", "；".join(texts) + "。")

    document.heading(doc, f"{next(section)}、信息报送情况")
    deadline = words.md(f.deadline, d.month.year)
    text = f"本月应报送网格{f.n_grids}个，报送截止日期为{deadline}。已报送{f.reported}个，其中按时报送{f.on_time}个"
    if len(d.late):
        late = "、".join(
            f"{words.grid_label(r.grid_code, r.grid_name)}（{words.md(r.submitted_on, d.month.year)}报送）"
            for r in d.late.itertuples()
        )
        text += f"，逾期报送{len(d.late)}个：{late}"
    text += "。"
    missing = d.not_reported
    if len(missing):
        names = "；".join(words.with_contact(r) for r in missing.itertuples())
        verb = "未报送" if (missing["status"] == "未报送").all() else "尚未报送"
        text += f"截至{words.md(f.today, d.month.year)}，仍有{len(missing)}个网格{verb}：{names}。请以上网格牵头单位尽快补报。"
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
        names = "；".join(
            f"{words.grid_label(r.grid_code, r.grid_name)}{words.people(r)}" for r in nv.itertuples()
        )
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
        text = f"本月各网格巡查发现问题{found}个，已整改{fixed}个，整改率{words.pct(fixed, found)}"
        if fixed:
            text += f"，其中按时整改{on_time}个，按时整改率{words.pct(on_time, fixed)}"
        if int(p["open"].sum()):
            text += f"；整改中{int(p['open'].sum())}个"
        late_grids = p[p["overdue"] > 0]
        if overdue:
            names = "、".join(
                f"{words.grid_label(r.grid_code, r.grid_name)}（{int(r.overdue)}个）"
                for r in late_grids.itertuples()
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

    for heading, text in (
        ("路灯亮灯情况", words.lamp_paragraph(d)),
        ("工作机制落实情况", words.work_paragraph(d)),
    ):
        if text:
            document.heading(doc, f"{next(section)}、{heading}")
            _body(doc, text)

    asks = words.requirements(d)
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
            "网格": f"{r.grid_code} {words.short_name(r.grid_name)}",
            "发现": int(r.found),
            "已整改": int(r.rectified),
            "整改中": int(r.open),
            "逾期未整改": int(r.overdue),
            "整改率": words.pct(r.rectified, r.found),
            "按时整改率": words.pct(r.rectified_on_time, r.rectified) if r.rectified else "—",
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
