"""网格档案: the registry (DOMAIN §1) and a schematic map of the area's grids coloured by the
chosen month's total. The map is a drawing shipped with the app (etl/output/gridmap.py): no tiles,
works offline."""

from __future__ import annotations

import streamlit as st

from etl.output import charts_map, gridmap, pageparts, tables
from etl.rules import registry
from etl.safetext import md
from pages import common


def body() -> None:
    common.sample_banner()
    st.title("网格档案")
    f = common.filters()
    area, month = f.area, f.month
    reg = common.read(registry.registry, area)
    if reg.empty:
        st.info(f"{md(area)}暂无网格名册，请先在「数据上传」页导入网格名册。")
        return
    layout = gridmap.layout_cells(reg)
    parts = pageparts.block_counts(layout.blocks)
    st.caption(f"{md(area)} · 共 {len(reg)} 个网格" + (f"（{parts}）" if parts else ""))

    st.subheader("网格分布示意图")
    scores = common.read(registry.map_scores, area, month)
    if month is None:
        st.caption(f"{md(area)}暂无月度考核得分，各网格显示为灰色。")
    else:
        n_scored = pageparts.scored_count(scores)
        st.caption(
            f"颜色为{common.month_label(month)}总分（红低绿高，灰色为缺检或无得分，红框为末位三名），"
            f"已考核 {n_scored} 个网格。示意图不代表实际边界和面积。"
        )
    common.plot(charts_map.grid_map(layout, scores), key="map")

    st.subheader("网格名册")
    st.caption("每个网格的挂点县领导、牵头单位、责任单位、网格范围和工作站联系人，以最新导入的网格名册为准。")
    shown = tables.registry_display(reg)
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(shown), 1050),
        column_config={
            "责任单位": st.column_config.TextColumn(width="large"),
            "网格范围": st.column_config.TextColumn(width="medium"),
        },
    )
    stem = f"{area}_网格名册"
    common.table_downloads(st.container(horizontal=True), stem, shown, sheet="网格名册",
                           title=f"{area}城市网格化管理网格名册")  # fmt: skip


common.run_page(body)
