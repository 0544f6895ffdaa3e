"""Street lighting charts (Plotly, no Streamlit; DOMAIN §10): each grid's 亮灯率 and the area's
装灯率 / 亮灯率 over the checked months."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl.output.charts_theme import AMBER, BLUE, GREEN, GREY, RED, themed, with_month_ticks
from etl.rules.lamps import percent


def lamp_grid_bars(frame: pd.DataFrame, lit_target: float) -> go.Figure:
    """Horizontal bars of each checked grid's 亮灯率 (etl.rules.lamps.lamp_month rows), from 0 to 100 %,
    registry order top down: green when the grid meets both targets, red when it does not (a
    grid with nothing installed shows an empty red bar). The lit target is a dashed line."""
    checked = frame[frame["checked"].astype(bool)]
    labels = [f"{c} {n}" for c, n in zip(checked["grid_code"], checked["grid_name"], strict=True)]
    rates = [None if pd.isna(x) else float(x) * 100 for x in checked["lit_rate"]]
    meets = checked["meets_target"].astype(bool).tolist()
    text = ["未装灯" if pd.isna(x) else percent(x) for x in checked["lit_rate"]]
    fig = go.Figure(
        go.Bar(
            x=[0 if r is None else r for r in rates],
            y=labels,
            orientation="h",
            marker_color=[GREEN if m else RED for m in meets],
            text=text,
            textposition="outside",
            cliponaxis=False,
            customdata=[[f"{float(i) * 100:.2f}%"] for i in checked["install_rate"]],
            hovertemplate="%{y}<br>亮灯率 %{text}<br>装灯率 %{customdata[0]}<extra></extra>",
        )
    )
    fig.add_vline(x=lit_target * 100, line_dash="dash", line_color=GREY)
    fig.update_xaxes(
        title_text="亮灯率（%）", range=[0, 112], fixedrange=True, tickvals=[0, 20, 40, 60, 80, 100]
    )
    fig.update_yaxes(autorange="reversed", type="category", fixedrange=True)
    return themed(fig, height=max(200, 24 * len(checked) + 70), legend=False)


def lamp_trend(trend: pd.DataFrame, install_target: float, lit_target: float) -> go.Figure:
    """The area's 装灯率 and 亮灯率 per checked month (etl.rules.lamps.lamp_trend), y from 0 to 100 %,
    the two targets as dashed lines."""
    fig = go.Figure()
    months = pd.to_datetime(trend["month"])
    for col, name, color in (("install_rate", "装灯率", BLUE), ("lit_rate", "亮灯率", AMBER)):
        values = [None if pd.isna(x) else float(x) * 100 for x in trend[col]]
        fig.add_scatter(
            x=months,
            y=values,
            name=name,
            mode="lines+markers+text" if len(values) <= 12 else "lines+markers",
            line={"color": color, "width": 3},
            text=[None if v is None else f"{v:.1f}" for v in values],
            textposition="bottom center",
            hovertemplate=name + " %{y:.1f}%<extra></extra>",
        )
    for target, name, color in ((install_target, "装灯率目标", BLUE), (lit_target, "亮灯率目标", AMBER)):
        fig.add_hline(y=target * 100, line_dash="dash", line_color=color, opacity=0.6,
                      annotation_text=f"{name} {target * 100:g}%", annotation_position="top left")  # fmt: skip
    fig.update_xaxes(title_text="检查月份")
    fig.update_yaxes(title_text="比率（%）", range=[0, 108], tickvals=[0, 20, 40, 60, 80, 100])
    return with_month_ticks(themed(fig, height=320), list(trend["month"]))
