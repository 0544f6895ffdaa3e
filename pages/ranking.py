"""月度排名: the month's full ranking, bottom three highlighted, missing grids as 缺检."""

from __future__ import annotations

import streamlit as st

from etl import charts, export, queries
from pages import common


def body() -> None:
    f = common.filters()
    common.sample_banner()
    st.title("月度排名")
    if common.empty_month(f):
        return
    label = common.month_label(f.month)
    table = common.read(queries.month_ranking, f.area, f.month)
    cats = common.read(queries.month_category_scores, f.area, f.month)
    categories = list(dict.fromkeys(cats["category"])) if not cats.empty else []
    shown = export.ranking_display(table, categories)
    n_ranked = int((~table["missing"].astype(bool)).sum())
    n_missing = len(table) - n_ranked
    n_bottom = int(table["bottom_three"].astype(bool).sum())
    st.caption(
        f"{f.area} · {label} · 参与排名 {n_ranked} 个网格"
        + (f" · 缺检 {n_missing} 个" if n_missing else "")
        + f" · 末位 {n_bottom} 个（并列时末位可多于三个）"
    )
    flags = (table["bottom_three"].astype(bool) | table["missing"].astype(bool)).tolist()

    def paint(row):  # noqa: ANN001, ANN202
        i = row.name
        if table["missing"].iloc[i]:
            return ["color: #757575; background-color: #f2f2f2"] * len(row)
        if table["bottom_three"].iloc[i]:
            return ["background-color: #fdecea; color: #8e1c1c; font-weight: 600"] * len(row)
        if row["排名"] is not None and row["排名"] <= 3:
            return ["background-color: #e8f5e9"] * len(row)
        return [""] * len(row)

    number_cols = {c: st.column_config.NumberColumn(c, format="%.1f") for c in [*categories, "总分"]}
    st.dataframe(
        shown.style.apply(paint, axis=1),
        hide_index=True,
        height=min(38 + 35 * len(shown), 1050),
        column_config={"排名": st.column_config.NumberColumn("排名", format="%d"), **number_cols},
    )
    stem = f"{f.area}_{f.month:%Y-%m}_月度排名"
    c1, c2, c3, c4, _ = st.columns([1, 1, 1, 1, 1])
    c1.download_button(
        "下载 Excel（.xlsx）",
        export.xlsx_bytes(
            {"月度排名": shown},
            title=f"{f.area}网格化管理月度考核排名（{label}）",
            highlight={"月度排名": flags},
        ),  # fmt: skip
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )
    c2.download_button("下载 CSV", export.csv_bytes(shown), file_name=f"{stem}.csv", mime="text/csv",
                       icon=":material/download:")  # fmt: skip
    common.bulletin_buttons(f, (c3, c4))
    st.subheader("总分排行")
    common.plot(charts.ranking_bars(table))
    st.caption("绿色：前三名；红色：末位（并列全部计入）；缺检网格不参与排名。")


common.run_page(body)
