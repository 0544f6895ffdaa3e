"""The one look of every dashboard chart, no Streamlit: colours, the axis rules (month ticks,
score and rank axes, count steps) shared by the HTML charts (htmlcharts, charts_scores,
charts_reports) and the Plotly ones (charts_lamps, charts_map), and for Plotly its words in
Chinese and the common layout. Chinese axis titles with units, red = warning, green = good."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

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
# Reward tiers: three greens from dark to light, each at least twice as bright as the one
# before (contrast ratio ≥ 2), so 一类 and 二类 are told apart at a glance.
TIER_COLORS = {"一类": "#1b5e20", "二类": "#43a047", "三类": "#a5d6a7", "达标": LIGHT_BLUE, "不达标": RED}
# Score colours of the schematic map: low red, middle amber, high green (soft, dark text).
SCORE_SCALE = [[0.0, "#e57373"], [0.5, "#ffe082"], [1.0, "#81c784"]]
MISSING_FILL = "#e0e0e0"


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


def themed(fig: go.Figure, *, height: int | None = None, legend: bool = True) -> go.Figure:
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


def month_ticks(months: Sequence[object], most: int = 8) -> list[tuple[pd.Timestamp, str]]:
    """One tick per checked month ('3月<br>2019年' at the first tick and at each January, else
    '3月'), thinned to at most `most` ticks: (month, label) pairs. The year goes on a second
    line so that neighbouring labels never run together on a phone ('10月2019年1月')."""
    ms = sorted({pd.Timestamp(m) for m in months if m is not None and not pd.isna(m)})
    vals = ms[:: max(1, -(-len(ms) // most))]
    return [
        (d, f"{d.month}月<br>{d.year}年" if i == 0 or vals[i - 1].year != d.year else f"{d.month}月")
        for i, d in enumerate(vals)
    ]


def with_month_ticks(fig: go.Figure, months: Sequence[object], most: int = 8) -> go.Figure:
    """The x axis of month_ticks, upright. Plotly's automatic date ticks repeat a month
    ('2019年01月' three times) when a few months span the axis."""
    ticks = month_ticks(months, most)
    if not ticks:
        return fig
    ms = sorted({pd.Timestamp(m) for m in months if m is not None and not pd.isna(m)})
    pad = pd.Timedelta(days=12)
    fig.update_xaxes(
        tickmode="array",
        tickvals=[d for d, _ in ticks],
        ticktext=[t for _, t in ticks],
        tickangle=0,
        range=[ms[0] - pad, ms[-1] + pad],
    )
    return fig


@dataclass(frozen=True)
class ScoreAxis:
    """A score line chart's y axis: ticks every `step` from `low` to `high`; `note` says where
    it starts when that is not 0 ('，纵轴自 80 分起', else '')."""

    low: float
    high: float
    step: float
    note: str


def score_axis(values: Sequence[object] | pd.Series, span: float = 10) -> ScoreAxis | None:
    """Round ticks (every 1, 2 or 5 points) over a range at least `span` points wide, so that
    a one-point change does not fill the chart. A line chart need not start at zero; when it
    does not, the note says where it starts. None without a known value."""
    known = [float(v) for v in values if v is not None and not pd.isna(v)]  # type: ignore[arg-type]
    if not known:
        return None
    lo, hi = min(known), max(known)
    mid = (lo + hi) / 2
    lo, hi = min(lo, mid - span / 2), max(hi, mid + span / 2)
    step = next(s for s in (1, 2, 5, 10, 20) if (hi - lo) / s <= 6)
    lo = max(0.0, (lo // step) * step)
    hi = min(100.0, -(-hi // step) * step) if hi <= 100 else -(-hi // step) * step
    if hi - lo < span:
        hi = lo + span
    return ScoreAxis(lo, hi, step, f"，纵轴自 {lo:g} 分起" if lo > 0 else "")


def count_step(most: int, ticks: int = 8) -> int:
    """A round tick step (1, 2, 5, 10, 20, 50 …) for a count axis up to `most`."""
    step = 1
    while most / step > ticks:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step


def rank_ticks(n: int) -> list[int]:
    """Rank axis ticks 1, 5, 10, … up to n (rank 1 always labelled)."""
    n = max(1, int(n))
    step = 5 if n <= 40 else 10
    return [1] + [v for v in range(step, n + 1, step) if v > 1]


def short_name(name: object) -> str:
    """A grid name without its trailing 网格 (华园路网格 → 华园路), to save width on phones."""
    text = str(name or "")
    return plotly_text(text[:-2] if text.endswith("网格") and len(text) > 2 else text)
