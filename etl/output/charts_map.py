"""The schematic grid map (Plotly, no Streamlit): cells coloured by the month's total."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from etl.output.charts_theme import MISSING_FILL, RED, SCORE_SCALE, short_name, themed
from etl.output.gridmap import GridMap
from etl.safetext import plotly_text


def _wrap(text: str, width: int) -> str:
    return "<br>".join(text[i : i + width] for i in range(0, len(text), width)) if text else ""


def grid_map(layout: GridMap, scores: pd.DataFrame, title: str = "") -> go.Figure:
    """The schematic map (etl.output.gridmap.layout_cells) with cells coloured by the month's total
    on a continuous red → green scale; grids without a score grey. scores: registry.map_scores.
    Drawn with filled scatter shapes, no tiles: works offline and on a 390-px phone."""
    cells = layout.cells.merge(
        scores.drop(columns=["grid_name"], errors="ignore"), on="grid_code", how="left"
    )
    known = cells["total"].dropna().astype(float)
    cmin = float(known.min()) if len(known) else 0.0
    cmax = float(known.max()) if len(known) else 100.0
    if cmax - cmin < 1:
        cmin, cmax = cmin - 1, cmax + 1
    fig = go.Figure()
    for road in layout.roads.to_dict("records"):
        fig.add_shape(
            type="rect",
            x0=road["x0"] + 0.06,
            x1=road["x1"] - 0.06,
            y0=road["y0"],
            y1=road["y1"],
            fillcolor="#cfd8dc",
            line={"width": 0},
            layer="below",
        )
        if road["label"]:
            fig.add_annotation(
                x=(road["x0"] + road["x1"]) / 2,
                y=road["y1"] / 2,
                showarrow=False,
                text="<br>".join(road["label"]),
                font={"size": 13, "color": "#37474f"},
            )
    for block in layout.blocks.to_dict("records"):
        if block["block"]:
            fig.add_annotation(
                x=(block["x0"] + block["x1"]) / 2,
                y=0.0,
                yanchor="top",
                showarrow=False,
                text=f"<b>{block['block']}</b>（{block['n_grids']}个网格）",
                font={"size": 13, "color": "#263238"},
            )
    for c in cells.to_dict("records"):
        total = c.get("total")
        has = total is not None and not pd.isna(total)
        if has:
            fill = sample_colorscale(SCORE_SCALE, [(float(total) - cmin) / (cmax - cmin)])[0]
            state = f"总分 {float(total):.1f} 分<br>第 {int(c['rank'])} 名（共 {int(c['n_ranked'])} 个）"
            if c.get("bottom_three"):
                state += "<br>末位三名"
        else:
            fill = MISSING_FILL
            state = (
                "本月缺检" if c.get("n_ranked") is not None and not pd.isna(c.get("n_ranked")) else "暂无得分"
            )
        hover = f"<b>{plotly_text(c['grid_code'])} {plotly_text(c['grid_name'])}</b><br>{state}"
        if c.get("leader_name"):
            hover += f"<br>挂点县领导：{plotly_text(c['leader_name'])}"
        if c.get("block"):
            hover += f"<br>{plotly_text(c['block'])}"
        bottom = bool(has and c.get("bottom_three"))
        fig.add_scatter(
            x=[c["x0"], c["x1"], c["x1"], c["x0"], c["x0"]],
            y=[c["y0"], c["y0"], c["y1"], c["y1"], c["y0"]],
            fill="toself",
            fillcolor=fill,
            mode="lines",
            line={"color": RED if bottom else "white", "width": 2.5 if bottom else 1},
            hoveron="fills",
            hoverinfo="text",
            text=hover,
            name="",
            showlegend=False,
        )
    short = [short_name(n) for n in cells["grid_name"]]

    def cell_value(total: object, n_ranked: object) -> str:
        if total is not None and not pd.isna(total):  # type: ignore[call-overload]
            return f"{float(total):.1f}分"  # type: ignore[arg-type]
        checked = n_ranked is not None and not pd.isna(n_ranked)  # type: ignore[call-overload]
        return "缺检" if checked else "—"  # the area was checked that month, this grid was not

    checks = cells["n_ranked"] if "n_ranked" in cells.columns else [None] * len(cells)
    values = [cell_value(t, n) for t, n in zip(cells["total"], checks, strict=True)]
    fig.add_scatter(
        x=cells["cx"],
        y=cells["cy"],
        mode="text",
        hoverinfo="skip",
        showlegend=False,
        text=[
            f"<b>{c}</b><br>{_wrap(s, 5)}<br>{v}"
            for c, s, v in zip(cells["grid_code"], short, values, strict=True)
        ],
        textfont={"size": 11, "color": "#1a1a1a"},
    )
    if len(known):
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            hoverinfo="skip",
            showlegend=False,
            marker={
                "color": [cmin, cmax],
                "cmin": cmin,
                "cmax": cmax,
                "colorscale": SCORE_SCALE,
                "showscale": True,
                "colorbar": {
                    "orientation": "h",
                    "x": 0.5,
                    "xanchor": "center",
                    "y": -0.02,
                    "yanchor": "top",
                    "thickness": 10,
                    "len": 0.9,
                    "title": {"text": "总分（分）", "side": "right"},
                },
            },
        )
    fig.update_xaxes(visible=False, range=[-0.05, layout.width + 0.05], fixedrange=True)
    fig.update_yaxes(visible=False, range=[layout.height + 0.05, -0.05], fixedrange=True)
    fig.update_layout(title=title or None, dragmode=False)
    rows = int(layout.cells["row"].max() + 1) if len(layout.cells) else 1
    fig = themed(fig, height=max(260, 64 * rows + 110), legend=False)
    fig.update_layout(margin={"l": 4, "r": 4, "t": 10, "b": 50 if len(known) else 10})
    return fig
