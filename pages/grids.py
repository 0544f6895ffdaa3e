"""网格档案: the registry (DOMAIN §1) and a schematic map of the area's grids coloured by the
chosen month's total. The map is a drawing shipped with the app (etl/gridmap.py): no tiles,
works offline."""

from __future__ import annotations

from datetime import date

import streamlit as st

from etl import board, charts, export, gridmap, queries
from pages import common


def map_choice() -> tuple[str, date | None]:
    """Area and month for the map.

    The entry script leaves this page out of the sidebar picker (common.NO_FILTER_PAGES), and
    a picker drawn from inside a page would get page-scoped widget ids (Streamlit adds the
    page's script hash), losing the choice on the next page. So the page has its own two
    selectors above the map, starting from the choice made on the last page (or the URL);
    once the sidebar picker covers this page, it is used instead.
    """
    if "grids" not in common.NO_FILTER_PAGES:
        f = common.filters()
        return f.area, f.month
    areas = common.read(queries.areas)
    if not areas:
        raise common.NoData
    last = st.session_state.get("_filters")
    if "grids_area" not in st.session_state:
        wanted = last.area if last else st.query_params.get("area")
        st.session_state["grids_area"] = (
            wanted if wanted in areas else ("县城" if "县城" in areas else areas[0])
        )
    row = st.container(horizontal=True, gap="medium")
    area = row.selectbox("片区", areas, key="grids_area", width=140)
    months = [m.strftime("%Y-%m") for m in common.read(queries.months, area)]
    if not months:
        st.session_state.pop("grids_month", None)
        month = None
    else:
        if st.session_state.get("grids_month") not in months:
            wanted = f"{last.month:%Y-%m}" if last and last.month and last.area == area else None
            wanted = wanted or st.query_params.get("month")
            st.session_state["grids_month"] = wanted if wanted in months else months[-1]
        month = row.selectbox(
            "月份（地图颜色）", months, key="grids_month", format_func=common.month_label, width=170
        )
    params = {"area": area, **({"year": month[:4], "month": month} if month else {})}
    for k, v in params.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v
        # Hand the choice on to the sidebar picker of the next page (its keys are free here).
        st.session_state[k] = v
    return area, queries.month_start(month) if month else None


def body() -> None:
    common.sample_banner()
    st.title("网格档案")
    area, month = map_choice()
    reg = common.read(board.registry, area)
    if reg.empty:
        st.info(f"{area}暂无网格名册，请先在「数据上传」页导入网格名册。")
        return
    layout = gridmap.layout_cells(reg)
    parts = "、".join(f"{b.block} {b.n_grids} 个" for b in layout.blocks.itertuples() if b.block)
    st.caption(f"{area} · 共 {len(reg)} 个网格" + (f"（{parts}）" if parts else ""))

    st.subheader("网格分布示意图")
    scores = common.read(board.map_scores, area, month)
    if month is None:
        st.caption(f"{area}暂无月度考核得分，各网格显示为灰色。")
    else:
        n_scored = int(scores["total"].notna().sum())
        st.caption(
            f"颜色为{common.month_label(month)}总分（红低绿高，灰色为缺检或无得分，红框为末位三名），"
            f"已考核 {n_scored} 个网格。示意图不代表实际边界和面积。"
        )
    common.plot(charts.grid_map(layout, scores), key="map")

    st.subheader("网格名册")
    st.caption("每个网格的挂点县领导、牵头单位、责任单位、网格范围和工作站联系人，以最新导入的网格名册为准。")
    shown = board.registry_display(reg)
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
    buttons = st.container(horizontal=True)
    buttons.download_button(
        "下载 Excel（.xlsx）",
        export.xlsx_bytes({"网格名册": shown}, title=f"{area}城市网格化管理网格名册"),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )
    buttons.download_button(
        "下载 CSV",
        export.csv_bytes(shown),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
    )


common.run_page(body)
