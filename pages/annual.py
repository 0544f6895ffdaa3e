"""年度考评: composite, rank, tier and reward of every grid (DOMAIN §5), committee flags, the
provisional standing of a year in progress, and a what-if that changes nothing stored."""

from __future__ import annotations

import streamlit as st

from etl.output import htmlcharts, pageparts, tables
from etl.rules import assessment
from etl.safetext import md
from pages import common

ROW_STYLE = {  # by tables.annual_row_kind
    "conflict": "background-color: #fff3e0; color: #8a4b00; font-weight: 600",
    "missing": "color: #757575; background-color: #f2f2f2",
    "bottom": "background-color: #fdecea; color: #8e1c1c",
}


def paint_rows(frame):  # noqa: ANN001, ANN202
    def paint(row):  # noqa: ANN001, ANN202
        return [ROW_STYLE.get(tables.annual_row_kind(row), "")] * len(row)

    return tables.screen_text(frame, FORMATS).style.apply(paint, axis=1)


FORMATS = {
    "排名": "{:d}",
    "综合得分": "{:.2f}",
    "奖励（元）": "{:,}",
    "常规考核平均分": "{:.2f}",
    "年终考核得分": "{:.1f}",
}
RIGHT = {c: st.column_config.TextColumn(c, alignment="right") for c in FORMATS}
COLUMN_CONFIG = {**RIGHT, "备注": st.column_config.TextColumn(width="medium")}
MAX_NAMED = 8  # grids named in a flag; more are counted
PROVISIONAL_FORMATS = {
    "暂定排名": "{:d}",
    "预计综合得分": "{:.2f}",
    "常规考核平均分": "{:.2f}",
    "年终考核得分": "{:.1f}",
}


def committee_flags(table, summary) -> None:  # noqa: ANN001
    """Over-quota tiers and incomplete grids, for the assessment committee to settle."""
    for text in pageparts.quota_conflicts(table, summary):
        st.warning(text, icon=":material/balance:")
    incomplete = pageparts.incomplete_grids(table, MAX_NAMED)
    if incomplete:
        st.warning(incomplete, icon=":material/pending:")


def what_if(table, rules: assessment.AnnualRules, area: str, year: int) -> None:  # noqa: ANN001
    """Other weights and pass mark, computed by the view's own SQL; nothing is stored."""
    st.caption("在此调整权重和达标线只用于测算，不会修改系统设置，也不影响上方正式结果。")
    c1, c2 = st.columns(2)
    pct = c1.slider(
        "常规考核权重（%）",
        min_value=0,
        max_value=100,
        step=1,
        value=round(rules.w_routine * 100),
        key=f"whatif_weight_{year}",
        help="年终考核权重 = 100% − 常规考核权重",
    )
    mark = c2.number_input(
        "达标线（分）",
        min_value=0.0,
        max_value=100.0,
        step=1.0,
        value=float(rules.pass_mark),
        key=f"whatif_pass_{year}",
        format="%.1f",
    )
    st.markdown(
        f"测算口径：综合得分 = 常规考核平均分 × **{pct}%** + 年终考核得分 × **{100 - pct}%**，"
        f"达标线 **{mark:g}** 分。"
    )
    test = common.read(assessment.annual_what_if, area, year, pct / 100, mark, (100 - pct) / 100)
    summary = common.read(assessment.annual_what_if_summary, area, year, pct / 100, mark, (100 - pct) / 100)
    changed = pageparts.tier_changes(table, test)
    row = st.container(horizontal=True, gap="medium")
    row.metric("测算奖励总额", tables.yuan_text(pageparts.total_yuan(summary)))
    row.metric("等次变化的网格", f"{len(changed)} 个")
    if changed:
        st.markdown("；".join(changed))
    shown = tables.annual_display(test)
    st.dataframe(
        paint_rows(shown),
        hide_index=True,
        width="stretch",
        column_config=COLUMN_CONFIG,
        key=f"whatif_table_{year}",
    )


def provisional(n_final: int, area: str, year: int) -> None:
    """A year in progress: standing so far and the year-end score each grid needs."""
    st.subheader("年度进行中：暂定名次")
    prov = common.read(assessment.provisional_standing, area, year)
    shown = tables.provisional_display(prov, pending_only=True)
    st.caption(
        f"下表为还没有年终考核得分的 {len(shown)} 个网格"
        + (f"（另有 {n_final} 个网格已录入，结果见上方）" if n_final else "")
        + "。暂定排名按全部网格计算：尚未年终考核的网格，年终得分暂按其常规考核平均分计（即保持现有水平）；"
        "「所需年终得分」是在其他网格成绩不变的前提下进入上一等次的最低年终考核得分。"
    )
    config = {c: st.column_config.TextColumn(c, alignment="right") for c in PROVISIONAL_FORMATS}
    config["冲击上一等次所需年终得分"] = st.column_config.TextColumn(width="medium")
    st.dataframe(
        tables.screen_text(shown, PROVISIONAL_FORMATS),
        hide_index=True,
        width="stretch",
        column_config=config,
        height=min(38 + 35 * len(shown), 1050),
    )


def body() -> None:
    f = common.filters()
    common.sample_banner()
    st.title("年度考评")
    table = common.read(assessment.annual_table, f.area, f.year)
    if table.empty:
        st.info(f"{md(f.area)}{f.year}年暂无考核数据，请先在「数据上传」页导入月度考核表和年终考核得分。")
        return
    rules = common.read(assessment.annual_rules)
    summary = common.read(assessment.annual_summary, f.area, f.year)
    w1, w2 = round(rules.w_routine * 100), round(rules.w_year_end * 100)
    st.caption(
        f"{md(f.area)} · {f.year}年度 · 综合得分 = 常规考核平均分 × {w1}% + 年终考核得分 × {w2}%（保留两位小数）"
        f" · 达标线 {rules.pass_mark:g} 分"
    )
    view = pageparts.annual_view(table, summary)
    n_done, in_progress = view.n_done, view.in_progress
    if in_progress and n_done == 0:
        st.info(
            f"{f.year}年度年终考核得分尚未录入（{view.waiting} 个网格），还不能评定等次。"
            "下表是按已有月度考核得分测算的暂定名次，以及各网格冲击上一等次所需的年终考核得分。",
            icon=":material/hourglass_top:",
        )
        provisional(view.n_final, f.area, f.year)
        return
    if in_progress:
        st.info(
            f"{f.year}年度考评尚未完成：{view.waiting} 个网格还没有年终考核得分。"
            "下表为已完成网格的排名，暂定名次和各网格冲击上一等次所需的年终得分见下方「年度进行中」。",
            icon=":material/hourglass_top:",
        )
    fail = view.failing
    # Two pairs side by side: one row of four on a laptop, two columns on a phone.
    outer = st.container(horizontal=True, gap="medium")
    row = outer.container(horizontal=True, gap="medium")
    row.metric("参与考评网格", f"{n_done} / {view.n_grids}")
    row.metric("奖励总额", tables.yuan_text(view.total_yuan), help="一类、二类、三类、达标网格奖励之和",
               delta="含名额冲突的网格，待定" if view.over_quota else None, delta_color="off",
               delta_arrow="off")  # fmt: skip
    row = outer.container(horizontal=True, gap="medium")
    row.metric(
        "名额冲突",
        f"{view.over_quota} 个等次",
        delta="待考评委员会研究" if view.over_quota else None,
        delta_color="inverse",
        delta_arrow="off",
    )
    row.metric(
        "不达标网格",
        f"{fail} 个",
        delta="发督查整改通知书" if fail else None,
        delta_color="inverse",
        delta_arrow="off",
    )
    committee_flags(table, summary)

    st.subheader("考评结果")
    shown = tables.annual_display(table)
    wide, narrow = common.wide_and_narrow("annual")
    wide.dataframe(
        paint_rows(shown),
        hide_index=True,
        width="stretch",
        column_config=COLUMN_CONFIG,
        height=min(38 + 35 * len(shown), 1050),
    )
    narrow.html(tables.annual_cards_html(shown))
    stem = f"{f.area}_{f.year}年_年度考评"
    common.table_downloads(
        st.container(horizontal=True), stem, shown, sheet="年度考评", title=f"{f.area}网格化管理{f.year}年度考评结果",
        sheets={"年度考评": shown, "奖励汇总": tables.tier_summary_display(summary)},
    )  # fmt: skip

    st.subheader("奖惩汇总")
    st.dataframe(tables.tier_summary_display(summary), hide_index=True, width="stretch")
    st.caption(
        f"名额：一类前 {rules.limits[0]} 名，二类第 {rules.limits[0] + 1}–{rules.limits[1]} 名，"
        f"三类第 {rules.limits[1] + 1}–{rules.limits[2]} 名；综合得分低于达标线为不达标（无奖励，发整改通知书）。"
        "并列可使某一等次超出名额，由考评委员会研究。"
    )
    if n_done:
        st.subheader("综合得分")
        common.chart_html(htmlcharts.annual_bars_html(table, rules.pass_mark))

    if in_progress:
        provisional(view.n_final, f.area, f.year)

    st.subheader("假设测算")
    with st.expander("调整权重和达标线，看结果如何变化（不保存）"):
        what_if(table, rules, f.area, f.year)


common.run_page(body)
