"""Chart builders: DataFrame → Plotly figure, no Streamlit. One look for every page:
Chinese axis titles with units, red = warning, green = good, the same palette everywhere."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from etl.output.gridmap import GridMap
from etl.rules.lamps import percent
from etl.safetext import plotly_text

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


# Plotly's own words (toolbar tooltips, the double-click hint, month names) in Chinese. Plotly
# takes a locale's dictionary through its config (`locales`), so nothing needs registering in
# the browser; st.plotly_chart passes `config` through.
PLOTLY_ZH = {
    "dictionary": {
        "Autoscale": "自动缩放",
        "Box Select": "框选",
        "Compare data on hover": "悬停时比较数据",
        "Double-click on legend to isolate one trace": "双击图例只显示这一项",
        "Double-click to zoom back out": "双击恢复原始大小",
        "Download plot as a PNG": "下载图片（PNG）",
        "Download plot as a png": "下载图片（PNG）",
        "Download plot": "下载图片",
        "Lasso Select": "套索选择",
        "Pan": "平移",
        "Produced with Plotly.js": "由 Plotly.js 生成",
        "Reset": "重置",
        "Reset axes": "还原坐标轴",
        "Reset view": "还原视图",
        "Reset views": "还原视图",
        "Show closest data on hover": "悬停时显示最近的数据",
        "Snapshot succeeded": "图片已生成",
        "Sorry, there was a problem downloading your snapshot!": "抱歉，图片下载失败！",
        "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候……",
        "Toggle Spike Lines": "显示/隐藏辅助线",
        "Toggle show closest data on hover": "显示/隐藏最近数据",
        "Zoom": "缩放",
        "Zoom in": "放大",
        "Zoom out": "缩小",
        "trace": "数据系列",
    },
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["日", "一", "二", "三", "四", "五", "六"],
        "months": [f"{m}月" for m in range(1, 13)],
        "shortMonths": [f"{m}月" for m in range(1, 13)],
        "date": "%Y-%m-%d",
    },
}
PLOTLY_CONFIG = {
    "displaylogo": False,
    "locale": "zh-CN",
    "locales": {"zh-CN": PLOTLY_ZH},
    # Only what a leader uses: save the picture, zoom and pan, reset.
    "modeBarButtonsToRemove": [
        "select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "hoverClosestCartesian",
        "hoverCompareCartesian",
    ],
    "toImageButtonOptions": {"format": "png", "filename": "图表", "scale": 2},
}  # fmt: skip


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
    return plotly_text(f"{row['grid_code']} {row['grid_name']}")


def ranking_bars(table: pd.DataFrame, title: str = "") -> go.Figure:
    """Horizontal bars of the month's totals, rank 1 on top; bottom three red, top three green."""
    ranked = table[~table["missing"].astype(bool)].sort_values(["rank", "grid_code"])
    labels = ranked.apply(_label, axis=1)
    colors = [
        RED if b else (GREEN if t else BLUE)
        for b, t in zip(ranked["bottom_three"].astype(bool), ranked["top_three"].astype(bool), strict=True)
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
    # Bars start at zero (issue 12): a bar's length is the score, so 70 is not drawn as half of 95.
    fig.update_xaxes(title_text="总分（分）", range=[0, 100 + 9], tick0=0, dtick=10)
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
    fig.update_xaxes(title_text="月份")
    with_score_axis(fig, averages["area_avg"], "平均分（分）")
    fig.update_layout(title=title or None)
    return with_month_ticks(_layout(fig, height=300, legend=False), list(averages["month"]))


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
    return with_month_ticks(_layout(fig, height=360), months)


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
    return with_rank_ticks(with_month_ticks(_layout(fig, height=360), list(totals["month"])), n)


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
        name = plotly_text(f"{code} {part['grid_name'].iloc[0]}")
        fig.add_scatter(
            x=part["month"], y=part["rank"], mode="lines+markers", name=name,
            line={"width": 3 if hot else 1,
                  "color": PALETTE[list(highlight).index(code) % len(PALETTE)] if hot else "#c7cdd6"},
            marker={"size": 7 if hot else 4}, showlegend=hot, opacity=1 if hot else 0.8,
            hovertemplate=name + "<br>%{x|%Y年%m月}<br>第 %{y} 名<extra></extra>",
        )  # fmt: skip
    n = int(ranks["rank"].max()) if ranks["rank"].notna().any() else 1
    fig.update_xaxes(title_text="月份")
    fig.update_yaxes(title_text="名次（第 1 名在上）", range=[n + 0.5, 0.5])
    return with_rank_ticks(with_month_ticks(_layout(fig, height=460), list(ranks["month"])), n)


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
            y=[plotly_text(v) for v in matrix.index],
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


# ------------------------------------------------------------------------------------------
# Issue 4 pages: trends, annual, volunteer, reports, problems, grids.

TIER_COLORS = {"一类": "#1b5e20", "二类": GREEN, "三类": "#66bb6a", "达标": LIGHT_BLUE, "不达标": RED}
# Score colours of the schematic map: low red, middle amber, high green (soft, dark text).
SCORE_SCALE = [[0.0, "#e57373"], [0.5, "#ffe082"], [1.0, "#81c784"]]
MISSING_FILL = "#e0e0e0"


def with_month_ticks(fig: go.Figure, months: Sequence[object], most: int = 8) -> go.Figure:
    """One tick per checked month ('2019年3月' at the first tick and at each January, else
    '3月'), thinned to at most `most` ticks, upright. Plotly's automatic date ticks repeat a
    month ('2019年01月' three times) when a few months span the axis."""
    ms = sorted({pd.Timestamp(m) for m in months if m is not None and not pd.isna(m)})
    if not ms:
        return fig
    step = max(1, -(-len(ms) // most))
    vals = ms[::step]
    # The year goes on a second line (first tick and each new year) so that neighbouring labels
    # never run together on a phone ('10月2019年1月').
    text = [
        f"{d.month}月<br>{d.year}年" if i == 0 or vals[i - 1].year != d.year else f"{d.month}月"
        for i, d in enumerate(vals)
    ]
    pad = pd.Timedelta(days=12)
    fig.update_xaxes(
        tickmode="array", tickvals=vals, ticktext=text, tickangle=0, range=[ms[0] - pad, ms[-1] + pad]
    )
    return fig


def with_score_axis(
    fig: go.Figure, values: Sequence[object] | pd.Series, title: str, span: float = 10
) -> go.Figure:
    """The y axis of a score line chart: round ticks (every 1, 2 or 5 points) over a range at
    least `span` points wide, so that a one-point change does not fill the chart. A line
    chart need not start at zero; when it does not, the axis title says where it starts."""
    known = [float(v) for v in values if v is not None and not pd.isna(v)]  # type: ignore[arg-type]
    if not known:
        fig.update_yaxes(title_text=title)
        return fig
    lo, hi = min(known), max(known)
    mid = (lo + hi) / 2
    lo, hi = min(lo, mid - span / 2), max(hi, mid + span / 2)
    step = next(s for s in (1, 2, 5, 10, 20) if (hi - lo) / s <= 6)
    lo = max(0.0, (lo // step) * step)
    hi = min(100.0, -(-hi // step) * step) if hi <= 100 else -(-hi // step) * step
    if hi - lo < span:
        hi = lo + span
    note = f"，纵轴自 {lo:g} 分起" if lo > 0 else ""
    fig.update_yaxes(
        title_text=title.replace("）", note + "）") if title.endswith("）") else title + note,
        range=[lo - step * 0.15, hi + step * 0.15],
        tick0=0,
        dtick=step,
        tickformat="d",
    )
    return fig


def _count_step(most: int, ticks: int = 8) -> int:
    """A round tick step (1, 2, 5, 10, 20, 50 …) for a count axis up to `most`."""
    step = 1
    while most / step > ticks:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step


def with_rank_ticks(fig: go.Figure, n: int) -> go.Figure:
    """Rank axis ticks 1, 5, 10, … (rank 1 always labelled) on a reversed rank axis."""
    n = max(1, int(n))
    step = 5 if n <= 40 else 10
    vals = [1] + [v for v in range(step, n + 1, step) if v > 1]
    fig.update_yaxes(tickmode="array", tickvals=vals, ticktext=[str(v) for v in vals])
    return fig


def category_bars(comparison: pd.DataFrame) -> go.Figure:
    """Score rate per category, horizontal grouped bars: each chosen grid in a palette colour
    and the area average in grey (board.category_comparison). Horizontal so that the nine
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
    return _layout(fig, height=max(300, len(cats) * (10 * n_bars + 14) + 110))


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
    return with_month_ticks(_layout(fig, height=300), list(totals["month"]))


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
    _month_columns(fig, list(matrix.columns))
    fig.update_yaxes(title_text="", autorange="reversed", type="category", fixedrange=True)
    fig = _layout(fig, height=max(120, 22 * len(matrix) + 50), legend=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 46, "b": 6})
    return fig


def _month_columns(fig: go.Figure, columns: list[str]) -> None:
    """Month columns ('1月' … '12月') labelled by their number, upright, under a 月份 title on
    top: twelve columns then fit on a 390-px phone without turning the labels."""
    numbers = [c[:-1] if c.endswith("月") else c for c in columns]
    fig.update_xaxes(
        title_text="月份",
        title_standoff=4,
        side="top",
        type="category",
        fixedrange=True,
        tickmode="array",
        tickvals=columns,
        ticktext=numbers,
        tickangle=0,
    )


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
    _month_columns(fig, list(statuses.columns))
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


def problem_bars(frame: pd.DataFrame) -> go.Figure:
    """Horizontal stacked bars per grid (queries.problem_figures) or per category
    (board.problem_categories): 已整改 green, 整改中 blue, 逾期未整改 red. Rows without
    problems are left out."""
    frame = frame[frame["found"] > 0]
    if "category" in frame.columns:
        labels = list(frame["category"])
    else:
        labels = [
            f"{plotly_text(c)} {_short(n)}"
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
    fig.update_xaxes(title_text="问题数（个）", rangemode="tozero", tickformat="d", dtick=_count_step(most))
    fig.update_yaxes(title_text="", autorange="reversed", type="category")
    return _layout(fig, height=max(220, 20 * len(frame) + 110))


def annual_bars(table: pd.DataFrame, pass_mark: float) -> go.Figure:
    """Composite per ranked grid, rank 1 on top, coloured by tier; the pass mark dashed red."""
    ranked = table[table["composite"].notna()].sort_values(["rank", "grid_code"])
    labels = [
        f"{plotly_text(c)} {_short(n)}" for c, n in zip(ranked["grid_code"], ranked["grid_name"], strict=True)
    ]
    tiers = [str(t) for t in ranked["tier"]]
    # The figure sits inside the bar (white on the dark tiers) so that a phone does not cut it.
    ink = ["white" if t in ("一类", "二类", "不达标") else "#1a1a1a" for t in tiers]
    fig = go.Figure(
        go.Bar(
            x=ranked["composite"].astype(float),
            y=labels,
            orientation="h",
            marker_color=[TIER_COLORS.get(t, GREY) for t in tiers],
            text=[f"{float(c):.2f} · {t}" for c, t in zip(ranked["composite"], tiers, strict=True)],
            textposition="auto",
            insidetextanchor="end",
            insidetextfont={"color": ink},
            outsidetextfont={"color": "#1a1a1a"},
            cliponaxis=False,
            customdata=[[int(r), t] for r, t in zip(ranked["rank"], tiers, strict=True)],
            hovertemplate="%{y}<br>综合得分 %{x:.2f} 分<br>第 %{customdata[0]} 名 · %{customdata[1]}"
            "<extra></extra>",
        )
    )
    fig.add_vline(x=pass_mark, line={"color": RED, "dash": "dash", "width": 1.5})
    fig.update_xaxes(title_text="综合得分（分）", range=[0, 101], tick0=0, dtick=10)
    fig.update_yaxes(title_text="", autorange="reversed", type="category")
    fig.update_layout(uniformtext={"minsize": 11, "mode": "show"}, bargap=0.15)
    return _layout(fig, height=max(300, 24 * len(ranked) + 80), legend=False)


def _short(name: object) -> str:
    """A grid name without its trailing 网格 (华园路网格 → 华园路), to save width on phones."""
    text = str(name or "")
    return plotly_text(text[:-2] if text.endswith("网格") and len(text) > 2 else text)


def _wrap(text: str, width: int) -> str:
    return "<br>".join(text[i : i + width] for i in range(0, len(text), width)) if text else ""


def grid_map(layout: GridMap, scores: pd.DataFrame, title: str = "") -> go.Figure:
    """The schematic map (etl.output.gridmap.layout_cells) with cells coloured by the month's total
    on a continuous red → green scale; grids without a score grey. scores: board.map_scores.
    Drawn with filled scatter shapes, no tiles: works offline and on a 390-px phone."""
    from plotly.colors import sample_colorscale

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
    short = [_short(n) for n in cells["grid_name"]]

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
    fig = _layout(fig, height=max(260, 64 * rows + 110), legend=False)
    fig.update_layout(margin={"l": 4, "r": 4, "t": 10, "b": 50 if len(known) else 10})
    return fig


# ---- Street lighting and the work mechanism (DOMAIN §10, §11) -----------------------------


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
    return _layout(fig, height=max(200, 24 * len(checked) + 70), legend=False)


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
    return with_month_ticks(_layout(fig, height=320), list(trend["month"]))


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
    _month_columns(fig, list(matrix.columns))
    fig.update_yaxes(title_text="", autorange="reversed", type="category", fixedrange=True)
    fig = _layout(fig, height=max(120, 22 * len(matrix) + 50), legend=False)
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
    return with_month_ticks(_layout(fig, height=320), list(history["month"]))
