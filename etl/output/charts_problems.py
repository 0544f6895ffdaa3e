"""The 问题台账 chart (Plotly, no Streamlit): problems per grid or category by rectification state."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl.output.charts_theme import GREEN, LIGHT_BLUE, RED, count_step, short_name, themed
from etl.safetext import plotly_text


def problem_bars(frame: pd.DataFrame) -> go.Figure:
    """Horizontal stacked bars per grid (findings.problem_figures) or per category
    (findings.problem_categories): 已整改 green, 整改中 blue, 逾期未整改 red. Rows without
    problems are left out."""
    frame = frame[frame["found"] > 0]
    if "category" in frame.columns:
        labels = list(frame["category"])
    else:
        labels = [
            f"{plotly_text(c)} {short_name(n)}"
            for c, n in zip(frame["grid_code"], frame["grid_name"], strict=True)
        ]
    frame = frame.assign(_label=labels)
    label = "_label"
    fig = go.Figure()
    parts = {"rectified": ("已整改", GREEN), "open": ("整改中", LIGHT_BLUE), "overdue": ("逾期未整改", RED)}
    for col, (name, color) in parts.items():
        fig.add_bar(
            y=frame[label],
            x=frame[col],
            name=name,
            orientation="h",
            marker_color=color,
            hovertemplate="%{y}<br>" + name + " %{x} 个<extra></extra>",
        )
    most = int(frame["found"].max()) if len(frame) else 1
    fig.update_layout(barmode="stack", bargap=0.3, legend={"traceorder": "normal"})
    fig.update_xaxes(title_text="问题数（个）", rangemode="tozero", tickformat="d", dtick=count_step(most))
    fig.update_yaxes(title_text="", autorange="reversed", type="category")
    return themed(fig, height=max(220, 20 * len(frame) + 110))
