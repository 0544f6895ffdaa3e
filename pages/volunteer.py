"""志愿服务: activities per grid and month (at least one a month, DOMAIN §7), zero months in
red, totals of participants and hours, and the grids that fell short this month."""

from __future__ import annotations

import streamlit as st

from etl.output import charts_reports, tables
from etl.rules import volunteering
from etl.safetext import md
from pages import common


def body() -> None:
    f = common.filters()
    common.sample_banner()
    st.title("志愿服务")
    if common.empty_month(f, need_scores=False):
        return
    label = common.month_label(f.month)
    wide = common.read(volunteering.volunteer_matrix, f.area, f.year)
    totals = common.read(volunteering.volunteer_totals, f.area, f.month)
    st.caption(
        f"{md(f.area)} · {label} · 要求：每个网格每月至少开展一次志愿服务活动 · {common.as_of(f).text}"
    )
    if wide.empty or (totals.year_activities == 0 and totals.month_grids == 0):
        st.info(f"{md(f.area)}{f.year}年暂无志愿服务记录，请先在「数据上传」页导入志愿服务活动登记表。")
        return

    # Two pairs side by side: one row of four on a laptop, two columns on a phone.
    outer = st.container(horizontal=True, gap="medium")
    c = outer.container(horizontal=True, gap="medium")
    c.metric(
        f"{f.month.month}月活动次数",
        f"{totals.month_activities:,} 次",
        help="本月全部网格开展的志愿服务活动次数",
    )
    c.metric(f"{f.month.month}月参与人次", f"{totals.month_participants:,} 人次")
    c = outer.container(horizontal=True, gap="medium")
    c.metric(f"{f.month.month}月服务时长", f"{common.fmt_num(totals.month_hours, 1)} 小时")
    c.metric(
        "本月未开展活动网格",
        f"{totals.month_short} 个",
        delta="未达每月一次要求" if totals.month_short else "全部达标",
        delta_arrow="off",
        delta_color="red" if totals.month_short else "green",
    )
    st.caption(
        f"{f.year}年累计：活动 {totals.year_activities:,} 次，参与 {totals.year_participants:,} 人次，"
        f"服务 {common.fmt_num(totals.year_hours, 1)} 小时；未开展活动的网格月份共 {totals.year_short_months} 个。"
    )

    st.subheader("本月未开展活动的网格")
    short = common.read(volunteering.volunteer_short, f.area, f.month)
    if totals.month_grids == 0:
        st.info(f"{label}暂无志愿服务数据。")
    elif short.empty:
        st.success(f"{label}各网格均已开展志愿服务活动。")
    else:
        if totals.month_activities == 0:
            st.warning(f"{label}还没有任何志愿服务记录；如果本月记录尚未上传，请先上传后再看此名单。")
        common.red_banner(f"以下 {len(short)} 个网格{label}未开展志愿服务活动，未达到每月至少一次的要求：")
        st.dataframe(
            tables.chase_list(short),
            hide_index=True,
            width="stretch",
        )

    st.subheader("各网格每月活动次数")
    matrix = tables.chart_matrix(wide)
    st.html(charts_reports.activity_table(matrix))
    st.caption(f"{f.year}年：数字为当月活动次数；红色为当月未开展活动（0 次）。")

    st.subheader(f"{f.year}年各网格累计")
    shown = tables.volunteer_display(wide)

    red = "background-color: #fdecea; color: #8e1c1c; font-weight: 600"
    st.dataframe(
        shown.style.map(lambda v: red if v > 0 else "", subset=["未开展活动月数"]),
        hide_index=True,
        width="stretch",
        column_config={"服务时长（小时）": st.column_config.NumberColumn(format="%.1f")},
    )


common.run_page(body)
