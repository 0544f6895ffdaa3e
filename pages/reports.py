"""信息报送: each grid's monthly work report (due by the report_deadline_day setting, DOMAIN §6):
status per grid and month in four colours, the chase list (催报名单) of the month with contacts
and phones, and the meetings, foot patrols and pictures the reports carry (DOMAIN §11)."""

from __future__ import annotations

import streamlit as st

from etl.output import charts_reports, lamptables, pageparts, tables
from etl.rules import mechanism, registry, reporting
from etl.safetext import md
from pages import common


def body() -> None:
    f = common.filters()
    common.sample_banner()
    st.title("信息报送")
    if common.empty_month(f, need_scores=False):
        return
    label = common.month_label(f.month)
    counts = common.read(reporting.report_counts, f.area, f.month)
    missing = common.read(reporting.missing_reports, f.area, f.month)
    deadline = pageparts.report_deadline(missing)
    day = common.read(reporting.report_deadline_day)
    st.caption(
        f"{md(f.area)} · {label} · 各网格牵头单位联系人须在每月{day}日前报送当月工作信息（文字和图片）"
    )
    st.caption(common.as_of(f).text)
    common.future_reports_warning(f)
    if not common.read(reporting.has_reports, f.area):
        st.warning(f"{md(f.area)}还没有导入过任何信息报送记录，下面的“未报送”也可能只是报送登记表尚未导入。"
                   "请先在「数据上传」页导入本片区的信息报送登记表。")  # fmt: skip

    n = counts.grids or len(common.read(registry.registry, f.area))
    # Two pairs side by side: one row of four on a laptop, two columns (reported / not) on a phone.
    outer = st.container(horizontal=True, gap="medium")
    c = outer.container(horizontal=True, gap="medium")
    c.metric("按时报送", f"{counts.on_time} / {n}")
    c.metric("逾期报送", f"{counts.late} 个", help=f"{day}日之后才报送")
    c = outer.container(horizontal=True, gap="medium")
    c.metric(
        "未报送",
        f"{counts.missing} 个",
        delta="需催报" if counts.missing else None,
        delta_color="inverse",
        delta_arrow="off",
        help="截止日已过仍未报送",
    )
    c.metric("待报送", f"{counts.pending} 个", help="还未报送，截止日未到")

    st.subheader("催报名单")
    chase = tables.chase_list(missing)
    if chase.empty:
        st.success(f"{label}各网格均已报送工作信息。")
    else:
        due = (
            f"（截止日 {deadline.year}年{deadline.month}月{deadline.day}日）" if deadline is not None else ""
        )
        st.markdown(f"以下 **{len(chase)}** 个网格{label}尚未报送{due}，请联系工作站联系人催报：")
        st.dataframe(
            chase.style.apply(
                lambda r: ["color: #8e1c1c; font-weight: 600" if r["状态"] == "未报送" else ""] * len(r),
                axis=1,
            ),
            hide_index=True,
            width="stretch",
        )
        stem = f"{f.area}_{f.month:%Y-%m}_催报名单"
        common.table_downloads(st.container(horizontal=True), stem, chase, sheet="催报名单",
                               xlsx_label="下载催报名单（.xlsx）",
                               title=f"{f.area}网格工作信息催报名单（{label}）")  # fmt: skip

    st.subheader(f"{f.year}年报送情况")
    matrix = common.read(reporting.report_matrix, f.area, f.year)
    statuses = tables.chart_matrix(matrix)
    if statuses.empty:
        st.info(f"{f.year}年暂无信息报送记录，请先在「数据上传」页导入信息报送登记表。")
        return
    st.html(charts_reports.report_table(statuses))
    st.caption(
        f"按时：{day}日前（含）首次报送；逾期：{day}日后报送；未报送：截止日已过仍未报送；待报送：截止日未到。"
    )
    with st.expander("各网格全年报送次数"):
        st.dataframe(tables.report_year_display(matrix), hide_index=True, width="stretch")
    work_mechanism(f, label)


def work_mechanism(f: common.Filters, label: str) -> None:
    """Meetings, foot patrols and pictures the reports carry (DOMAIN §11)."""
    st.subheader("工作机制：例会、徒步巡查、图片")
    month = common.read(mechanism.work_month, f.area, f.month)
    figures = mechanism.work_figures(month)
    if not common.read(reporting.has_reports, f.area):
        st.info("本片区还没有信息报送记录，例会、巡查、图片次数无从统计，显示为“未统计”。")
    elif not figures.tracked:
        st.info("本片区的信息报送记录从未填写会议次数（例会次数），例会情况显示为“未统计”。"
                "如需统计，请在报送登记表中加「会议次数」列。")  # fmt: skip
    else:
        c = st.container(horizontal=True, gap="medium")
        c.metric(f"{f.month.month}月例会", f"{figures.meetings} 次")
        c.metric(f"{f.month.month}月徒步巡查", f"{figures.patrols} 次")
        c.metric(f"{f.month.month}月图片", f"{figures.pictures} 张")
        c.metric(
            "例会不足的网格",
            f"{figures.short} 个",
            delta=f"每月应≥{figures.expected}次" if figures.short else "全部达标",
            delta_arrow="off",
            delta_color="red" if figures.short else "green",
        )
    red = "background-color: #fdecea; color: #8e1c1c; font-weight: 600"
    table = lamptables.work_table(month)
    st.dataframe(
        table.style.map(lambda v: red if str(v).startswith("不足") else "", subset=["例会情况"]),
        hide_index=True,
        width="stretch",
    )
    st.caption(f"{label}：各网格当月报送记录中的例会、巡查、图片数之和；“—”为当月未报送或未填写，"
               f"按例会不足计（每周集中开会一次，每月应≥{figures.expected}次）。")  # fmt: skip
    if figures.tracked:
        matrix = lamptables.work_matrix(common.read(mechanism.work_year, f.area, f.year))
        if not matrix.empty:
            st.markdown(f"**{f.year}年各网格每月例会次数**（红色为不足{figures.expected}次）")
            st.html(charts_reports.meetings_table(matrix, figures.expected))


common.run_page(body)
