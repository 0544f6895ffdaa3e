"""路灯: the street-lamp night checks of the month against the plan's targets (DOMAIN §10):
rates per grid, the grids below target named worst first, grids without a check shown as
未检查, and the area's rates over the months."""

from __future__ import annotations

import streamlit as st

from etl.output import charts_lamps, lamptables, pageparts
from etl.rules import lamps
from etl.safetext import md
from pages import common

RESULT_STYLE = {
    lamptables.SHORT: "background-color: #fdecea; color: #8e1c1c; font-weight: 600",
    lamptables.UNCHECKED: "color: #757575",
    lamptables.MET: "color: #2e7d32",
}


def body() -> None:
    f = common.filters()
    common.sample_banner()
    st.title("路灯")
    if common.empty_month(f, need_scores=False):
        return
    label = common.month_label(f.month)
    targets = common.read(lamps.targets)
    st.caption(
        f"{md(f.area)} · {label} · 工作职责（三）目标：{targets.text}（两项都达到才算达标，按未四舍五入的比率判断）"
    )
    month = common.read(lamps.lamp_month, f.area, f.month)
    trend = common.read(lamps.lamp_trend, f.area)
    fig = lamps.lamp_figures(month)

    if fig.checked == 0:
        if trend.empty:
            st.info(f"{md(f.area)}暂无路灯检查记录，请先在「数据上传」页导入路灯检查表（模板可在该页下载）。")
            return
        st.info(f"{label}没有路灯检查记录；下方为各月情况。检查过的月份："
                + "、".join(common.month_label(m) for m in pageparts.checked_months(trend)))  # fmt: skip
    else:
        outer = st.container(horizontal=True, gap="medium")
        c = outer.container(horizontal=True, gap="medium")
        c.metric("检查网格", f"{fig.checked} / {fig.grids}",
                 help="本月有路灯夜间检查记录的网格；其余网格显示为未检查")  # fmt: skip
        c.metric("达标网格", f"{fig.meeting} 个")
        c = outer.container(horizontal=True, gap="medium")
        c.metric("未达标网格", f"{fig.below} 个", delta="需整改" if fig.below else "全部达标",
                 delta_arrow="off", delta_color="red" if fig.below else "green")  # fmt: skip
        c.metric(
            "全片区亮灯率",
            lamps.percent(fig.lit_rate),
            help=f"全片区装灯率 {lamps.percent(fig.install_rate)}",
        )

        st.subheader("未达标网格")
        below = lamps.below_target(month)
        if below.empty:
            st.success(f"{label}检查的 {fig.checked} 个网格全部达到装灯率、亮灯率目标。")
        else:
            common.red_banner(
                f"以下 {len(below)} 个网格{label}未达到路灯目标（按亮灯率、再按装灯率从低到高排列）："
            )
            st.markdown("\n".join(pageparts.below_target_lines(below, targets)))
        unchecked = lamptables.unchecked_names(month)
        if unchecked:
            st.caption("未检查（本月无记录）：" + "、".join(unchecked))

        st.subheader("各网格亮灯率")
        common.chart_html(charts_lamps.lamp_grid_bars(month, targets.lit))
        st.caption(f"绿色为达标，红色为未达标；红色虚线为亮灯率目标 {lamps.percent(targets.lit, 0)}。"
                   "比率显示到 0.1%，是否达标按未四舍五入的比率判断，所以显示为 95.0% 的网格也可能未达标。")  # fmt: skip

        st.subheader("各网格明细")
        table = lamptables.lamp_table(month, targets)
        st.dataframe(
            table.style.map(lambda v: RESULT_STYLE.get(v, ""), subset=["结果"]),
            hide_index=True,
            width="stretch",
        )
        stem = f"{f.area}_{f.month:%Y-%m}_路灯检查"
        common.table_downloads(st.container(horizontal=True), stem, table, sheet="路灯检查",
                               title=f"{f.area}路灯检查情况（{label}）",
                               highlight={"路灯检查": lamptables.short_flags(table)})  # fmt: skip

    if not trend.empty:
        st.subheader("全片区逐月情况")
        common.chart_html(charts_lamps.lamp_trend(trend, targets.install, targets.lit))
        st.caption("全片区装灯率 = 各检查网格已装之和 ÷ 应装之和；亮灯率 = 亮灯之和 ÷ 已装之和。")
        with st.expander("逐月数据"):
            st.dataframe(lamptables.lamp_trend_table(trend), hide_index=True, width="stretch")


common.run_page(body)
