"""Chart builders: DataFrame → Plotly figure, no Streamlit. One look for every page:
Chinese axis titles with units, red = warning, green = good, the same palette everywhere."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

RED = "#c62828"
GREEN = "#2e7d32"
BLUE = "#1f5fa8"
GREY = "#9e9e9e"
AMBER = "#f9a825"
LIGHT_BLUE = "#8fb3de"
PALETTE = ["#1f5fa8", "#e07b39", "#2e7d32", "#8e44ad", "#c62828", "#00838f", "#6d4c41", "#d81b60"]
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"

# 信息报送 status colours (issue: four clear colours) and their order.
REPORT_STATUS_COLORS = {"按时": GREEN, "逾期": AMBER, "未报送": RED, "待报送": LIGHT_BLUE}


def _layout(fig: go.Figure, *, height: int | None = None, legend: bool = True) -> go.Figure:
    fig.update_layout(
        font={"family": FONT, "size": 13},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=height,
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        plot_bgcolor="white",
        hoverlabel={"font_family": FONT},
    )
    fig.update_xaxes(gridcolor="#eeeeee", zeroline=False)
    fig.update_yaxes(gridcolor="#eeeeee", zeroline=False)
    return fig


def _label(row: pd.Series) -> str:
    return f"{row['grid_code']} {row['grid_name']}"


def ranking_bars(table: pd.DataFrame, title: str = "") -> go.Figure:
    """Horizontal bars of the month's totals, rank 1 on top; bottom three red, top three green."""
    ranked = table[~table["missing"].astype(bool)].sort_values(["rank", "grid_code"])
    labels = ranked.apply(_label, axis=1)
    colors = [
        RED if b else (GREEN if r <= 3 else BLUE)
        for b, r in zip(ranked["bottom_three"].astype(bool), ranked["rank"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=ranked["total"],
            y=labels,
            orientation="h",
            marker_color=colors,
            text=[f"{t:.1f}" for t in ranked["total"]],
            textposition="outside",
            customdata=ranked[["rank"]],
            hovertemplate="%{y}<br>总分 %{x:.1f} 分<br>第 %{customdata[0]} 名<extra></extra>",
        )
    )
    low = max(0.0, float(ranked["total"].min()) - 10) if len(ranked) else 0
    fig.update_xaxes(title_text="总分（分）", range=[low, 100 + 3])
    fig.update_yaxes(title_text="", autorange="reversed", type="category")
    fig.update_layout(title=title or None)
    return _layout(fig, height=max(320, 22 * len(ranked) + 80), legend=False)


def area_trend(averages: pd.DataFrame, title: str = "") -> go.Figure:
    """The area's average total per month."""
    fig = go.Figure(
        go.Scatter(
            x=averages["month"],
            y=averages["area_avg"],
            mode="lines+markers",
            line={"color": BLUE, "width": 3},
            name="片区平均分",
            hovertemplate="%{x|%Y年%m月}<br>平均分 %{y:.2f} 分<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="月份", tickformat="%Y年%m月")
    fig.update_yaxes(title_text="平均分（分）")
    fig.update_layout(title=title or None)
    return _layout(fig, height=300, legend=False)


def grid_totals(totals: pd.DataFrame, averages: pd.DataFrame | None = None) -> go.Figure:
    """Total score per month for one or several grids, with the area average dashed."""
    fig = go.Figure()
    for i, (code, part) in enumerate(totals.groupby("grid_code", sort=False)):
        name = f"{code} {part['grid_name'].iloc[0]}"
        fig.add_scatter(
            x=part["month"], y=part["total"], mode="lines+markers", name=name,
            line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
            hovertemplate=name + "<br>%{x|%Y年%m月}<br>总分 %{y:.1f} 分<extra></extra>",
        )  # fmt: skip
    if averages is not None and not averages.empty:
        fig.add_scatter(
            x=averages["month"], y=averages["area_avg"], mode="lines", name="片区平均",
            line={"color": GREY, "dash": "dash"},
            hovertemplate="片区平均<br>%{x|%Y年%m月}<br>%{y:.2f} 分<extra></extra>",
        )  # fmt: skip
    fig.update_xaxes(title_text="月份", tickformat="%Y年%m月")
    fig.update_yaxes(title_text="总分（分）")
    return _layout(fig, height=360)


def grid_ranks(totals: pd.DataFrame, n_grids: int | None = None) -> go.Figure:
    """Rank per month (rank 1 at the top); bottom-three months marked red."""
    fig = go.Figure()
    for i, (code, part) in enumerate(totals.groupby("grid_code", sort=False)):
        name = f"{code} {part['grid_name'].iloc[0]}"
        fig.add_scatter(
            x=part["month"], y=part["rank"], mode="lines+markers", name=name,
            line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
            marker={"size": 9, "color": [RED if b else PALETTE[i % len(PALETTE)]
                                         for b in part["bottom_three"].astype(bool)]},
            hovertemplate=name + "<br>%{x|%Y年%m月}<br>第 %{y} 名<extra></extra>",
        )  # fmt: skip
    fig.update_xaxes(title_text="月份", tickformat="%Y年%m月")
    top = (n_grids or int(totals["rank"].max() or 1)) + 0.5
    fig.update_yaxes(title_text="名次（第 1 名在上）", range=[top, 0.5], dtick=max(1, int(top) // 7))
    return _layout(fig, height=360)


def category_compare(grid_cats: pd.DataFrame, area_cats: pd.DataFrame, grid_label: str) -> go.Figure:
    """Grouped bars: the grid's score rate per category against the area average (percent)."""
    fig = go.Figure()
    fig.add_bar(
        x=grid_cats["category"], y=grid_cats["ratio"] * 100, name=grid_label, marker_color=BLUE,
        hovertemplate="%{x}<br>得分率 %{y:.1f}%<extra></extra>",
    )  # fmt: skip
    fig.add_bar(
        x=area_cats["category"], y=area_cats["ratio"] * 100, name="片区平均", marker_color=GREY,
        hovertemplate="%{x}<br>片区平均得分率 %{y:.1f}%<extra></extra>",
    )  # fmt: skip
    fig.update_xaxes(title_text="考核类别")
    fig.update_yaxes(title_text="得分率（%）", range=[0, 105])
    fig.update_layout(barmode="group")
    return _layout(fig, height=340)


def bump_chart(ranks: pd.DataFrame, highlight: Sequence[str] = ()) -> go.Figure:
    """Every grid's rank across the year's checks; chosen grids in colour, others grey."""
    fig = go.Figure()
    codes = list(dict.fromkeys(ranks["grid_code"]))
    for code in codes:
        part = ranks[ranks["grid_code"] == code]
        hot = code in highlight
        name = f"{code} {part['grid_name'].iloc[0]}"
        fig.add_scatter(
            x=part["month"], y=part["rank"], mode="lines+markers", name=name,
            line={"width": 3 if hot else 1,
                  "color": PALETTE[list(highlight).index(code) % len(PALETTE)] if hot else "#c7cdd6"},
            marker={"size": 7 if hot else 4}, showlegend=hot, opacity=1 if hot else 0.8,
            hovertemplate=name + "<br>%{x|%Y年%m月}<br>第 %{y} 名<extra></extra>",
        )  # fmt: skip
    n = int(ranks["rank"].max()) if len(ranks) else 1
    fig.update_xaxes(title_text="月份", tickformat="%Y年%m月")
    fig.update_yaxes(title_text="名次（第 1 名在上）", range=[n + 0.5, 0.5], dtick=max(1, n // 7))
    return _layout(fig, height=460)


def heatmap(
    matrix: pd.DataFrame, *, title_x: str = "月份", title_y: str = "网格", unit: str = "次",
    zero_red: bool = True,
) -> go.Figure:  # fmt: skip
    """Grid × month counts with the number in each cell; zero cells red (falls short)."""
    z = matrix.to_numpy(dtype=float)
    text = [[("" if v != v else f"{v:g}") for v in row] for row in z]
    colorscale = [[0, "#fdecea"], [0.0001, "#e3eef9"], [1, BLUE]] if zero_red else "Blues"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(matrix.columns),
            y=list(matrix.index),
            text=text,
            texttemplate="%{text}",
            colorscale=colorscale,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y}<br>%{x}<br>%{z:g} " + unit + "<extra></extra>",
        )  # fmt: skip
    )
    fig.update_xaxes(title_text=title_x, side="top", type="category")
    fig.update_yaxes(title_text=title_y, autorange="reversed", type="category")
    return _layout(fig, height=max(300, 24 * len(matrix) + 90), legend=False)


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
            y=list(statuses.index),
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
    return _layout(fig, height=max(300, 24 * len(statuses) + 90), legend=False)


def stacked_bars(frame: pd.DataFrame, x: str, parts: dict[str, tuple[str, str]], title_y: str) -> go.Figure:
    """Bars per x with stacked parts: parts = {column: (legend label, colour)}."""
    fig = go.Figure()
    for col, (label, color) in parts.items():
        fig.add_bar(x=frame[x], y=frame[col], name=label, marker_color=color,
                    hovertemplate="%{x}<br>" + label + " %{y}<extra></extra>")  # fmt: skip
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="", type="category")
    fig.update_yaxes(title_text=title_y)
    return _layout(fig, height=360)


def simple_bars(
    frame: pd.DataFrame, x: str, y: str, title_x: str, title_y: str, color: str = BLUE
) -> go.Figure:
    fig = go.Figure(go.Bar(x=frame[x], y=frame[y], marker_color=color, text=frame[y], textposition="outside"))
    fig.update_xaxes(title_text=title_x, type="category")
    fig.update_yaxes(title_text=title_y)
    return _layout(fig, height=340, legend=False)
