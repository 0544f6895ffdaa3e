"""问题台账: problems found by patrols, handed over and rectified (DOMAIN §8): counts and rates
by grid and by duty category, for the year or the month, and the overdue list."""

from __future__ import annotations

import streamlit as st

from etl.output import htmlcharts, pageparts, tables
from etl.rules import findings, headline
from etl.safetext import md
from pages import common

SCOPES = {"year": "全年", "month": "本月"}


def paint_overdue(frame):  # noqa: ANN001, ANN202
    """Overdue counts above zero in red (the cell, not the row: most rows may have one)."""
    red = "background-color: #fdecea; color: #8e1c1c; font-weight: 600"
    return frame.style.map(lambda v: red if v > 0 else "", subset=["逾期未整改"])


def body() -> None:
    f = common.filters()
    common.sample_banner()
    st.title("问题台账")
    if common.empty_month(f, need_scores=False):
        return
    label = common.month_label(f.month)
    scope = st.segmented_control(
        "统计范围",
        list(SCOPES),
        format_func=SCOPES.get,
        default="year",
        key="problem_scope",
        help="按问题的发现日期归入月份",
    )
    scope = scope or "year"
    month = f.month if scope == "month" else None
    period = label if month else f"{f.year}年"
    figures = common.read(findings.problem_figures, f.area, f.year, month)
    cats = common.read(findings.problem_categories, f.area, f.year, month)
    totals = pageparts.problem_totals(figures)
    found, done, on_time, overdue = totals.found, totals.rectified, totals.rectified_on_time, totals.overdue
    st.caption(
        f"{md(f.area)} · {period}发现的问题 · 整改率 = 已整改 ÷ 发现；按时整改率 = 期限内整改 ÷ 已整改；"
        f"基数少于 {tables.SMALL_SAMPLE} 个标「样本少」"
    )
    st.caption(common.as_of(f).text.replace("状态", "整改状态", 1))
    if found == 0:
        st.info(f"{period}暂无巡查问题记录。如已巡查，请先在「数据上传」页导入问题台账。")
    else:
        # Two pairs side by side: one row of four on a laptop, two columns on a phone.
        outer = st.container(horizontal=True, gap="medium")
        c = outer.container(horizontal=True, gap="medium")
        c.metric("发现问题", f"{found:,} 个")
        c.metric(
            "逾期未整改",
            f"{overdue:,} 个",
            delta="需督办" if overdue else "无",
            delta_arrow="off",
            delta_color="red" if overdue else "green",
        )
        c = outer.container(horizontal=True, gap="medium")
        for name, part, whole in (("整改率", done, found), ("按时整改率", on_time, done)):
            small = " · 样本少" if 0 < whole < tables.SMALL_SAMPLE else ""
            c.metric(
                name,
                common.fmt_pct(part / whole) if whole else "—",
                delta=f"{part} / {whole}{small}",
                delta_color="off",
                delta_arrow="off",
            )

        st.subheader("按网格")
        by_grid = tables.problem_display(figures, by="grid")
        st.dataframe(
            paint_overdue(by_grid), hide_index=True, width="stretch", height=min(38 + 35 * len(by_grid), 1050)
        )
        common.chart_html(htmlcharts.problem_bars_html(figures))

        st.subheader("按问题类别")
        by_cat = tables.problem_display(cats, by="category")
        st.dataframe(paint_overdue(by_cat), hide_index=True, width="stretch")
        common.chart_html(htmlcharts.problem_bars_html(cats))

    st.subheader("逾期未整改问题清单")
    overdue_list = tables.overdue_display(common.read(findings.overdue_problems, f.area))
    if overdue_list.empty:
        st.success("目前没有逾期未整改的问题。")
        return
    today = common.read(headline.month_figures, f.area, f.month).today
    st.caption(
        f"截至 {today.year}年{today.month}月{today.day}日，整个台账中已过整改期限仍未整改的问题，逾期最久的在前（不限统计范围）。"
    )
    st.dataframe(
        overdue_list,
        hide_index=True,
        width="stretch",
        column_config={"问题描述": st.column_config.TextColumn(width="medium")},
    )
    stem = f"{f.area}_逾期未整改问题_{today:%Y-%m-%d}"
    common.table_downloads(st.container(horizontal=True), stem, overdue_list, sheet="逾期未整改",
                           title=f"{f.area}逾期未整改问题清单（截至{today:%Y-%m-%d}）")  # fmt: skip


common.run_page(body)
