"""Grid × month charts of the monthly work (Plotly, no Streamlit): 信息报送 status, volunteer
activity counts, meetings (DOMAIN §6, §7, §11), and the meetings / patrols / pictures lines."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl.output.charts_theme import (
    BLUE,
    PALETTE,
    RED,
    REPORT_STATUS_COLORS,
    month_columns,
    themed,
    with_month_ticks,
)
from etl.safetext import plotly_text


def status_heatmap(statuses: pd.DataFrame, title_x: str = "月份", title_y: str = "网格") -> go.Figure:
    """Grid × month report status in four colours (按时/逾期/未报送/待报送)."""
    order = list(REPORT_STATUS_COLORS)
    codes = {s: i for i, s in enumerate(order)}
    z = statuses.apply(lambda col: col.map(lambda s: codes.get(s, float("nan")))).to_numpy(dtype=float)
    n = len(order)
    scale = []
    for i, s in enumerate(order):
        scale += [[i / n, REPORT_STATUS_COLORS[s]], [(i + 1) / n, REPORT_STATUS_COLORS[s]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(statuses.columns),
            y=[plotly_text(v) for v in statuses.index],
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            showscale=False,
            xgap=2,
            ygap=2,
            text=statuses.fillna("").to_numpy(),
            texttemplate="%{text}",
            textfont={"size": 10},
            hovertemplate="%{y}<br>%{x}<br>%{text}<extra></extra>",
        )  # fmt: skip
    )
    fig.update_xaxes(title_text=title_x, side="top", type="category")
    fig.update_yaxes(title_text=title_y, autorange="reversed", type="category")
    return themed(fig, height=max(300, 24 * len(statuses) + 90), legend=False)


def report_heatmap(statuses: pd.DataFrame) -> go.Figure:
    """status_heatmap with a legend of the four status colours, for phones and laptops."""
    fig = status_heatmap(statuses, title_x="", title_y="")
    # One character per cell (按/逾/未/待 are distinct) fits twelve months on a phone; the hover
    # and the legend carry the full word.
    full = statuses.fillna("").to_numpy()
    fig.data[0].text = [[s[:1] for s in row] for row in full]
    fig.data[0].customdata = full
    fig.data[0].hovertemplate = "%{y}<br>%{x}：%{customdata}<extra></extra>"
    fig.data[0].textfont = {"size": 11}
    month_columns(fig, list(statuses.columns))
    for status, color in REPORT_STATUS_COLORS.items():
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=status,
            hoverinfo="skip",
            marker={"symbol": "square", "size": 12, "color": color},
        )
    fig.update_xaxes(fixedrange=True)
    fig.update_yaxes(fixedrange=True)
    fig.update_layout(
        showlegend=True,
        # The legend sits in a bottom margin of its own (two lines on a phone), not on the cells.
        legend={"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0, "title": None},
        margin={"l": 10, "r": 10, "t": 46, "b": 52},
        height=max(190, 22 * len(statuses) + 110),
    )
    return fig


def activity_heatmap(matrix: pd.DataFrame, unit: str = "次") -> go.Figure:
    """Grid × month volunteer activity counts: a zero month (falls short of one a month) is
    a strong red cell with a white 0, other counts in blues."""
    z = matrix.to_numpy(dtype=float)
    zmax = max(1.0, float(pd.Series(z.ravel()).max(skipna=True) or 1.0))
    cut = 0.5 / zmax  # everything below 0.5 (i.e. 0) is red
    scale = [[0.0, RED], [cut, RED], [cut, "#dbe8f6"], [1.0, BLUE]]
    text = [[("" if v != v else f"{v:g}") for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(matrix.columns),
            y=[plotly_text(v) for v in matrix.index],
            zmin=0,
            zmax=zmax,
            colorscale=scale,
            showscale=False,
            xgap=2,
            ygap=2,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 11},
            hovertemplate="%{y}<br>%{x}：%{z:g} " + unit + "<extra></extra>",
        )
    )
    month_columns(fig, list(matrix.columns))
    fig.update_yaxes(title_text="", autorange="reversed", type="category", fixedrange=True)
    fig = themed(fig, height=max(120, 22 * len(matrix) + 50), legend=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 46, "b": 6})
    return fig


def meetings_heatmap(matrix: pd.DataFrame, expected: int) -> go.Figure:
    """Grid × month meetings (etl.rules.lamps.work_matrix): a month short of `expected` meetings is a
    strong red cell like a zero-volunteer month; '—' marks a month without a reported count
    (also short). Other months in blues."""
    z = matrix.to_numpy(dtype=float)
    shown = [[0.0 if v != v else v for v in row] for row in z]
    zmax = max(float(expected) + 1, float(pd.Series(z.ravel()).max(skipna=True) or 0))
    cut = max(0.0, (expected - 0.5) / zmax)
    scale = [[0.0, RED], [cut, RED], [min(1.0, cut + 1e-6), "#dbe8f6"], [1.0, BLUE]]
    text = [[("—" if v != v else f"{v:g}") for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=shown,
            x=list(matrix.columns),
            y=list(matrix.index),
            zmin=0,
            zmax=zmax,
            colorscale=scale,
            showscale=False,
            xgap=2,
            ygap=2,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 11},
            hovertemplate="%{y}<br>%{x}：%{text} 次例会<extra></extra>",
        )
    )
    month_columns(fig, list(matrix.columns))
    fig.update_yaxes(title_text="", autorange="reversed", type="category", fixedrange=True)
    fig = themed(fig, height=max(120, 22 * len(matrix) + 50), legend=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 46, "b": 6})
    return fig


def work_lines(history: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Meetings, patrols and pictures of one or a few grids over the months (etl.rules.lamps
    .work_history), one colour per grid, one dash per measure; y from zero."""
    fig = go.Figure()
    dashes = {"meetings": ("例会", "solid"), "patrols": ("巡查", "dot"), "pictures": ("图片", "dash")}
    for i, (code, part) in enumerate(history.groupby("grid_code", sort=False)):
        for col, (name, dash) in dashes.items():
            fig.add_scatter(
                x=pd.to_datetime(part["month"]),
                y=part[col],
                name=f"{labels.get(str(code), code)} {name}",
                mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)], "dash": dash},
                connectgaps=False,
                hovertemplate=f"{labels.get(str(code), code)} {name}" + " %{y} <extra></extra>",
            )
    fig.update_xaxes(title_text="月份")
    fig.update_yaxes(title_text="次数 / 张数", rangemode="tozero")
    return with_month_ticks(themed(fig, height=320), list(history["month"]))
