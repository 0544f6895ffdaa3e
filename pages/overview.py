"""总览: the chosen month at a glance."""

from __future__ import annotations

import streamlit as st

from etl.output import htmlcharts, pageparts, tables
from etl.rules import headline, notices, rankings, trends
from etl.safetext import md
from pages import common


def body() -> None:
    f = common.filters()
    common.sample_banner()
    st.title(f"{md(f.area)}网格化管理总览")
    if common.empty_month(f):
        return
    label = common.month_label(f.month)
    fig = common.read(headline.month_figures, f.area, f.month)
    st.caption(f"{label} · {common.as_of(f).text}")
    warnings = common.read(rankings.streak_warnings, f.area, f.month)
    for banner in pageparts.streak_banners(warnings):
        st.markdown(banner, unsafe_allow_html=True)

    common.future_reports_warning(f)
    # The podium comes first: on a phone it is the first screen, before the secondary cards.
    ranking = common.read(rankings.month_ranking, f.area, f.month)
    top, bottom = rankings.podium(ranking)
    left, right = st.columns(2)
    left.markdown("**本月前三名**")
    left.html(tables.ranking_cards_html(top, leader=True))
    right.markdown("**本月末位三名**" + ("（含并列）" if len(bottom) > 3 else ""))
    right.html(tables.ranking_cards_html(bottom, leader=True))

    c = st.columns(3)
    c[0].metric("参与排名网格", f"{fig.n_ranked} / {fig.n_grids}",
                help="本月有考核得分的网格数 / 网格总数",
                delta=f"缺检 {fig.n_missing} 个" if fig.n_missing else None, delta_color="red",
                delta_arrow="off")  # fmt: skip
    delta = None
    if fig.average is not None and fig.prev_average is not None:
        delta = f"{fig.average - fig.prev_average:+.2f} 分（较上次）"
    c[1].metric("平均分", common.fmt_num(fig.average, 2) + " 分", delta=delta)
    value, note, colour = pageparts.report_card(fig)
    c[2].metric("信息报送（含逾期）", value, delta=note, delta_color=colour, delta_arrow="off",  # type: ignore[arg-type]
                help=f"已报送的网格数（含逾期）/ 网格总数，截至 {fig.today:%Y-%m-%d}")  # fmt: skip
    c = st.columns(4)
    c[0].metric("无志愿服务活动的网格", f"{fig.no_volunteer} 个",
                delta="每月至少开展一次" if fig.no_volunteer else "全部达标", delta_arrow="off",
                delta_color="red" if fig.no_volunteer else "green")  # fmt: skip
    c[1].metric("问题 整改中/逾期", f"{fig.problems_open} / {fig.problems_overdue}",
                delta=f"截至{fig.today.month}月{fig.today.day}日，全部月份", delta_arrow="off",
                delta_color="red" if fig.problems_overdue else "off",
                help=f"截至 {fig.today:%Y-%m-%d}，整个问题台账（不限所选月份）中整改中的问题数 / 逾期未整改的问题数")  # fmt: skip
    c[2].metric("连续三次末位预警", f"{fig.streak_warnings} 个",
                delta="需书面说明" if fig.streak_warnings else "无", delta_arrow="off",
                delta_color="red" if fig.streak_warnings else "off")  # fmt: skip
    nf = common.read(notices.notice_figures, f.area)
    pending = common.read(notices.pending_count, f.area, f.month)
    value, note, colour = pageparts.notice_card(nf, pending)
    c[3].metric("整改通知 未办结/逾期", value, delta=note, delta_arrow="off", delta_color=colour,  # type: ignore[arg-type]
                help=f"截至 {fig.today:%Y-%m-%d}，已下发的整改通知书和书面说明通知中未办结的份数 / 逾期未回复的份数"
                     "（全部月份）；本月按规则应发而未登记下发的另行提示")  # fmt: skip

    history = common.read(trends.grid_history, f.area, ())
    trend = htmlcharts.area_trend_html(history.averages, month=f.month)  # "" without a known average
    if trend:
        st.subheader("片区平均分走势")
        st.html(trend)
    st.page_link("pages/ranking.py", label=f"查看{label}完整排名 →")
    st.caption(f"{label}工作简报（报县“两创”领导小组）：")
    common.bulletin_buttons(f)


common.run_page(body)
