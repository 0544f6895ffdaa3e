"""Score charts (Plotly, no Streamlit): the grid trends, ranks through the year, category score
rates and bottom-three streaks. (The month's ranking bars, the annual composite bars and the
area's average line are HTML: etl/output/htmlcharts.py.)"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from etl.output.charts_theme import (
    GREY,
    PALETTE,
    RED,
    themed,
    with_month_ticks,
    with_rank_ticks,
    with_score_axis,
)
from etl.safetext import plotly_text


def _label(row: pd.Series) -> str:
    return plotly_text(f"{row['grid_code']} {row['grid_name']}")


def grid_totals(totals: pd.DataFrame, averages: pd.DataFrame | None = None) -> go.Figure:
    """Total score per month for one or several grids, with the area average dashed."""
    fig = go.Figure()
    for i, (code, part) in enumerate(totals.groupby("grid_code", sort=False)):
        name = plotly_text(f"{code} {part['grid_name'].iloc[0]}")
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
    fig.update_xaxes(title_text="月份")
    values = pd.concat(
        [totals["total"], averages["area_avg"] if averages is not None else pd.Series(dtype=float)]
    )
    with_score_axis(fig, values, "总分（分）")
    months = list(totals["month"]) + (list(averages["month"]) if averages is not None else [])
    return with_month_ticks(themed(fig, height=360), months)


def grid_ranks(totals: pd.DataFrame, n_grids: int | None = None) -> go.Figure:
    """Rank per month (rank 1 at the top); bottom-three months marked red."""
    fig = go.Figure()
    for i, (code, part) in enumerate(totals.groupby("grid_code", sort=False)):
        name = plotly_text(f"{code} {part['grid_name'].iloc[0]}")
        fig.add_scatter(
            x=part["month"], y=part["rank"], mode="lines+markers", name=name,
            line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
            marker={"size": 9, "color": [RED if b else PALETTE[i % len(PALETTE)]
                                         for b in part["bottom_three"].astype(bool)]},
            hovertemplate=name + "<br>%{x|%Y年%m月}<br>第 %{y} 名<extra></extra>",
        )  # fmt: skip
    fig.update_xaxes(title_text="月份")
    n = n_grids or int(totals["rank"].max() or 1)
    fig.update_yaxes(title_text="名次（第 1 名在上）", range=[n + 0.5, 0.5])
    return with_rank_ticks(with_month_ticks(themed(fig, height=360), list(totals["month"])), n)


def bump_chart(ranks: pd.DataFrame, highlight: Sequence[str] = ()) -> go.Figure:
    """Every grid's rank across the year's checks; chosen grids in colour, others grey.
    The grey grids are one trace (each grid's line ends at a gap), drawn under the chosen
    ones: a trace per grid cost the browser a chart's worth of work per grid."""
    fig = go.Figure()
    codes = list(dict.fromkeys(ranks["grid_code"]))
    names = {c: plotly_text(f"{c} {n}") for c, n in zip(ranks["grid_code"], ranks["grid_name"], strict=True)}
    others = ranks[~ranks["grid_code"].isin(list(highlight))]
    if len(others):
        xs: list[object] = []
        ys: list[object] = []
        texts: list[str | None] = []
        for code, part in others.groupby("grid_code", sort=False):
            xs += [*part["month"], None]
            ys += [None if pd.isna(v) else int(v) for v in part["rank"]] + [None]
            texts += [names[code]] * len(part) + [None]
        fig.add_scatter(
            x=xs, y=ys, text=texts, mode="lines+markers", name="其他网格",
            line={"width": 1, "color": "#c7cdd6"}, marker={"size": 4}, showlegend=False, opacity=0.8,
            hovertemplate="%{text}<br>%{x|%Y年%m月}<br>第 %{y} 名<extra></extra>",
        )  # fmt: skip
    for code in codes:
        if code not in highlight:
            continue
        part = ranks[ranks["grid_code"] == code]
        name = names[code]
        fig.add_scatter(
            x=part["month"], y=part["rank"], mode="lines+markers", name=name,
            line={"width": 3, "color": PALETTE[list(highlight).index(code) % len(PALETTE)]},
            marker={"size": 7}, showlegend=True, opacity=1,
            hovertemplate=name + "<br>%{x|%Y年%m月}<br>第 %{y} 名<extra></extra>",
        )  # fmt: skip
    n = int(ranks["rank"].max()) if ranks["rank"].notna().any() else 1
    fig.update_xaxes(title_text="月份")
    fig.update_yaxes(title_text="名次（第 1 名在上）", range=[n + 0.5, 0.5])
    return with_rank_ticks(with_month_ticks(themed(fig, height=460), list(ranks["month"])), n)


def category_bars(comparison: pd.DataFrame) -> go.Figure:
    """Score rate per category, horizontal grouped bars: each chosen grid in a palette colour
    and the area average in grey (trends.category_comparison). Horizontal so that the nine
    category names stay readable on a phone."""
    fig = go.Figure()
    cats = list(dict.fromkeys(comparison["category"]))
    for i, (code, part) in enumerate(comparison.groupby("grid_code", sort=False)):
        name = plotly_text(f"{code} {part['grid_name'].iloc[0]}")
        fig.add_bar(
            y=part["category"],
            x=part["ratio"] * 100,
            name=name,
            orientation="h",
            marker_color=PALETTE[i % len(PALETTE)],
            customdata=part[["score", "max_points"]].to_numpy(dtype=float),
            hovertemplate=name + "<br>%{y}：%{customdata[0]:.1f} / %{customdata[1]:g} 分"
            "<br>得分率 %{x:.1f}%<extra></extra>",
        )
    avg = comparison.drop_duplicates("category")
    fig.add_bar(
        y=avg["category"],
        x=avg["area_ratio"] * 100,
        name="片区平均",
        orientation="h",
        marker_color=GREY,
        customdata=avg[["area_score", "max_points"]].to_numpy(dtype=float),
        hovertemplate="片区平均<br>%{y}：%{customdata[0]:.2f} / %{customdata[1]:g} 分"
        "<br>得分率 %{x:.1f}%<extra></extra>",
    )
    n_bars = comparison["grid_code"].nunique() + 1
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_xaxes(title_text="得分率（%）", range=[0, 101], tick0=0, dtick=20)
    fig.update_yaxes(
        title_text="", autorange="reversed", type="category", categoryorder="array", categoryarray=cats
    )
    return themed(fig, height=max(300, len(cats) * (10 * n_bars + 14) + 110))


def streak_bars(totals: pd.DataFrame) -> go.Figure:
    """Streak length at each check in the bottom three (0 otherwise) for the chosen grids;
    the line at 3 is where the leader must explain in writing (DOMAIN §4). Grids never in
    the bottom three have no bars and are left out, so that the others stand on their month."""
    fig = go.Figure()
    for i, (code, part) in enumerate(totals.groupby("grid_code", sort=False)):
        if not (part["streak"].fillna(0) > 0).any():
            continue
        name = plotly_text(f"{code} {part['grid_name'].iloc[0]}")
        streak = part["streak"].fillna(0).astype(int)
        fig.add_bar(
            x=part["month"],
            y=streak,
            name=name,
            marker={
                "color": PALETTE[i % len(PALETTE)],
                "line": {"color": [RED if s >= 3 else "rgba(0,0,0,0)" for s in streak], "width": 2},
            },
            customdata=part[["rank"]].astype("float").to_numpy(),
            hovertemplate=name + "<br>%{x|%Y年%m月}<br>连续末位 %{y} 次<br>当月第 %{customdata[0]} 名"
            "<extra></extra>",
        )
    top = max(3, int(totals["streak"].max() or 0)) + 0.6
    fig.add_hline(y=3, line={"color": RED, "dash": "dash", "width": 1.5})
    fig.add_annotation(
        x=1,
        xref="paper",
        xanchor="right",
        y=3,
        yanchor="bottom",
        text="≥3 次须书面说明",
        showarrow=False,
        font={"color": RED, "size": 11},
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="月份")
    fig.update_yaxes(title_text="连续末位次数（次）", range=[0, top], dtick=1)
    return with_month_ticks(themed(fig, height=300), list(totals["month"]))
