"""月度排名: the month's full ranking, bottom three highlighted, missing grids as 缺检."""

from __future__ import annotations

import streamlit as st

from etl.output import htmlcharts, pageparts, tables
from etl.rules import rankings
from etl.safetext import md
from pages import common

# Row colours by pageparts.RankingView.kinds: 缺检 grey, bottom three red, front three green.
ROW_STYLE = {
    "missing": "color: #757575; background-color: #f2f2f2",
    "bottom": "background-color: #fdecea; color: #8e1c1c; font-weight: 600",
    "top": "background-color: #e8f5e9",
    "": "",
}


def body() -> None:
    f = common.filters()
    common.sample_banner()
    st.title("月度排名")
    if common.empty_month(f):
        return
    label = common.month_label(f.month)
    table = common.read(rankings.month_ranking, f.area, f.month)
    cats = common.read(rankings.month_category_scores, f.area, f.month)
    view = pageparts.ranking_view(table, cats)
    categories, shown = view.categories, view.shown
    st.caption(
        f"{md(f.area)} · {label} · 参与排名 {view.n_ranked} 个网格"
        + (f" · 缺检 {view.n_missing} 个" if view.n_missing else "")
        + f" · 末位 {view.n_bottom} 个（并列时末位可多于三个）"
    )
    if view.bottom_line:
        common.red_banner(view.bottom_line)

    def paint(row):  # noqa: ANN001, ANN202
        return [ROW_STYLE[view.kinds[row.name]]] * len(row)

    # On screen numbers are text so that a 缺检 row shows "—", not "None"; downloads keep numbers.
    formats = {"排名": "{:.0f}", **{c: "{:.1f}" for c in [*categories, "总分"]}}
    screen = tables.screen_text(shown, formats)
    # The deciding columns are pinned and narrow: at 1366×768 they fit without sideways
    # scrolling; the category scores and the leader follow and scroll under them.
    config = {c: st.column_config.TextColumn(c, alignment="right", width=64) for c in categories}
    config.update({
        "排名": st.column_config.TextColumn("排名", alignment="right", width=44, pinned=True),
        "变化": st.column_config.TextColumn("变化", width=48, pinned=True),
        "网格编号": st.column_config.TextColumn("编号", width=44, pinned=True),
        "网格名称": st.column_config.TextColumn("网格", width=112, pinned=True),
        "总分": st.column_config.TextColumn("总分", alignment="right", width=56, pinned=True),
        "状态": st.column_config.TextColumn("状态", width=118, pinned=True),
    })  # fmt: skip
    wide, narrow = common.wide_and_narrow("ranking")
    wide.dataframe(
        screen.style.apply(paint, axis=1),
        hide_index=True,
        height=min(38 + 35 * len(shown), 1050),
        column_config=config,
    )
    narrow.html(tables.ranking_cards_html(table))
    stem = f"{f.area}_{f.month:%Y-%m}_月度排名"
    row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
    common.table_downloads(row, stem, shown, sheet="月度排名", title=f"{f.area}网格化管理月度考核排名（{label}）",
                           highlight={"月度排名": view.flags})  # fmt: skip
    common.bulletin_buttons(f, (row, row))
    st.subheader("总分排行")
    st.html(htmlcharts.ranking_bars_html(table))
    st.caption("绿色：前三名；红色：末位（并列全部计入）；缺检网格不参与排名。")


common.run_page(body)
