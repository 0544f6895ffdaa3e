"""网格趋势: one or several grids over time: totals, ranks, categories, streaks, reports,
volunteer activity, meetings / patrols / pictures (DOMAIN §11), and every grid's rank through the year. The choice is kept in the URL
(?grid=07,12) so that a link reproduces the view."""

from __future__ import annotations

import streamlit as st

from etl.output import charts_reports, charts_scores, lamptables, pageparts, tables
from etl.rules import mechanism, rankings, registry, reporting, trends, volunteering
from etl.safetext import md
from pages import common

KEY = "trend_grids"
SAVED = "_trend_grids_saved"  # survives a visit to another page (widget state does not)
MAX_GRIDS = 6


def pick_grids(options: list[str], labels: dict[str, str], default: list[str]) -> list[str]:
    """The multiselect, initialised from ?grid= once, then from the user's last choice."""
    if KEY not in st.session_state:
        raw = st.query_params.get("grid")
        from_url = [c for c in dict.fromkeys(raw.split(",")) if c in options] if raw else []
        saved = [c for c in st.session_state.get(SAVED, []) if c in options]
        st.session_state[KEY] = (from_url or saved or default)[:MAX_GRIDS]
    else:
        before = list(st.session_state[KEY])
        kept = [c for c in before if c in options]
        if kept != before:  # the area changed under the choice
            st.session_state[KEY] = kept or default
    chosen = st.multiselect(
        "选择网格（可多选，最多 6 个）",
        options,
        key=KEY,
        format_func=lambda c: labels.get(c, c),
        max_selections=MAX_GRIDS,
        placeholder="请选择网格",
    )
    st.session_state[SAVED] = list(chosen)
    value = ",".join(chosen)
    if chosen and st.query_params.get("grid") != value:
        st.query_params["grid"] = value
    elif not chosen and "grid" in st.query_params:
        del st.query_params["grid"]
    return list(chosen)


def body() -> None:
    f = common.filters()
    common.sample_banner()
    st.title("网格趋势")
    if common.empty_month(f):
        return
    label = common.month_label(f.month)
    ranking = common.read(rankings.month_ranking, f.area, f.month)
    reg = common.read(registry.registry, f.area)
    labels = pageparts.grid_labels(reg)
    chosen = pick_grids(list(labels), labels, pageparts.default_grids(ranking))
    if not chosen:
        st.info("请在上方选择至少一个网格。")
        return
    # Registry order everywhere, so that a grid has the same colour in every chart.
    codes = [c for c in labels if c in chosen]
    history = common.read(trends.grid_history, f.area, tuple(codes))
    names = "、".join(labels[c] for c in codes)
    st.caption(f"{md(f.area)} · {md(names)} · 共 {history.averages.shape[0]} 次月度考核（全部月份）")

    st.subheader("总分走势")
    common.chart_html(charts_scores.grid_totals(history.totals, history.averages))
    st.subheader("名次走势")
    st.caption("纵轴为名次，第 1 名在最上方；红点为进入末位三名的月份。")
    common.chart_html(charts_scores.grid_ranks(history.totals, n_grids=len(ranking)))

    st.subheader("类别得分率")
    comparison = common.read(trends.category_comparison, f.area, f.month, tuple(codes))
    if comparison.empty:
        st.info(f"{label}暂无分类别得分。")
    else:
        missing = pageparts.unscored_grids(comparison, labels)
        if missing:
            st.caption(f"{md('、'.join(missing))} 本月缺检，无类别得分。")
        common.chart_html(charts_scores.category_bars(comparison))
        st.caption(f"{label}：得分率 = 类别得分 ÷ 类别满分；灰色为片区各网格的平均得分率。")

    st.subheader("末位记录")
    streaks = tables.streak_summary(history.totals, f.month)
    if not pageparts.ever_bottom(streaks):
        st.success("所选网格在全部月度考核中均未进入末位三名。")
    else:
        for alert in pageparts.streak_alerts(streaks, label):
            common.red_banner(alert)
        common.chart_html(charts_scores.streak_bars(history.totals))
    st.dataframe(streaks, hide_index=True, width="stretch")

    st.subheader("报送与志愿服务")
    reports = tables.chart_matrix(common.read(reporting.report_matrix, f.area, f.year), codes)
    if reports.empty:
        st.info(f"{f.year}年暂无信息报送记录。")
    else:
        st.markdown(f"**{f.year}年信息报送**（每月{common.read(reporting.report_deadline_day)}日前报送）")
        st.html(charts_reports.report_table(reports))
    volunteer = tables.chart_matrix(common.read(volunteering.volunteer_matrix, f.area, f.year), codes)
    if not volunteer.empty:
        st.markdown(f"**{f.year}年志愿服务活动次数**（每月至少一次，红色为未开展）")
        st.html(charts_reports.activity_table(volunteer))

    st.subheader("工作机制：例会、徒步巡查、图片")
    work = common.read(mechanism.work_history, f.area, tuple(codes))
    if not mechanism.any_counts(work):
        st.info("信息报送记录中没有例会、巡查、图片次数（未统计）。")
    else:
        common.chart_html(charts_reports.work_lines(work, labels, mechanism.meetings_guide(work)))
        short = lamptables.short_months(work, labels)
        st.caption(
            "每种颜色一个网格；断开处为当月未报送或未填写。"
            + (f"例会不足（每月应≥{mechanism.expected_meetings(work)}次）的月份：{short}" if short else "")
            + ("" if mechanism.tracked(work) else "本片区未统计例会次数。")
        )

    st.subheader("全部网格名次变化")
    ranks = common.read(trends.rank_history, f.area, f.year)
    # Drawn on request: a line for every grid of the area is the page's heaviest chart.
    if pageparts.any_ranked(ranks) and st.toggle(f"显示{f.year}年全部网格的名次变化图", key="trend_bump"):
        common.chart_html(charts_scores.bump_chart(ranks, highlight=codes))
        st.caption(f"{f.year}年各次考核：彩色为所选网格，灰色为其他网格；第 1 名在最上方。")


common.run_page(body)
