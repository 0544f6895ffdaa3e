"""Charts as PNG images for Word documents (matplotlib, no display needed).

The dashboard draws with Plotly in the browser (etl/output/charts_*.py); a .docx needs pictures, and
they must show Chinese on any machine, offline. The project ships a subset of Noto Sans CJK SC
(etl/output/fonts/GridSansSC-Regular.otf, built by tools/subset_cjk_font.py, OFL) and registers it
with matplotlib here; a system CJK font, when there is one, covers any rare character the
subset lacks (matplotlib falls back glyph by glyph along the family list).
Colours follow etl/output/charts_theme.py: red = bottom three, green = top three, blue otherwise.
"""

from __future__ import annotations

import io
import threading
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "GridSansSC-Regular.otf"
FONT_FAMILY = "Grid Sans SC"
# After the shipped subset: full CJK fonts of Linux, Windows and macOS, then matplotlib's own.
FALLBACK = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "DejaVu Sans",
]
RED = "#c62828"
GREEN = "#2e7d32"
BLUE = "#1f5fa8"
GREY = "#9e9e9e"
DPI = 200
# Print sizes in points: nothing under MIN_PT on paper at the width the bulletin places the
# chart (document.picture scales the image to the text width, about 160 mm, i.e. 1:1).
MIN_PT = 9.0
LABEL_PT = 9.5
TITLE_PT = 10.5
MM = 1 / 25.4  # inches per millimetre

_lock = threading.Lock()
_registered = False


def register_font() -> list[str]:
    """Add the shipped CJK font to matplotlib's font manager (once); the family list to use."""
    global _registered
    with _lock:
        if not _registered:
            font_manager.fontManager.addfont(str(FONT_FILE))
            _registered = True
    known = {f.name for f in font_manager.fontManager.ttflist}
    return [FONT_FAMILY, *(f for f in FALLBACK if f in known)]


def _figure(width_mm: float, height_mm: float) -> Figure:
    fig = Figure(figsize=(width_mm * MM, height_mm * MM), dpi=DPI)
    fig.set_layout_engine("constrained")
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    return buf.getvalue()


def _style(ax: object, families: list[str]) -> None:
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)  # type: ignore[attr-defined]
    ax.grid(axis="x", color="#e6e6e6", linewidth=0.6)  # type: ignore[attr-defined]
    ax.set_axisbelow(True)  # type: ignore[attr-defined]
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:  # type: ignore[attr-defined]
        label.set_fontfamily(families)


def ranking_bars_png(table: pd.DataFrame, title: str = "", width_mm: float = 160) -> bytes:
    """Horizontal bars of the month's totals, rank 1 on top, with the score at each bar's end.
    table: rankings.month_ranking (missing grids are left out: they have no score)."""
    return _png(ranking_bars_figure(table, title, width_mm))


def ranking_bars_figure(table: pd.DataFrame, title: str = "", width_mm: float = 160) -> Figure:
    """The figure of ranking_bars_png (tests read its texts and axes)."""
    families = register_font()
    ranked = table[~table["missing"].astype(bool)].sort_values(["rank", "grid_code"])
    n = len(ranked)
    labels = [f"{r.grid_code} {_short(r.grid_name)}" for r in ranked.itertuples()]
    colors = [
        RED if b else (GREEN if t else BLUE)
        for b, t in zip(ranked["bottom_three"].astype(bool), ranked["top_three"].astype(bool), strict=True)
    ]
    fig = _figure(width_mm, max(60.0, 5.6 * n + 26))
    ax = fig.add_subplot()
    totals = ranked["total"].astype(float).tolist()
    ax.barh(range(n), totals, color=colors, height=0.68)
    ax.set_yticks(range(n), labels, fontsize=LABEL_PT, fontfamily=families)
    ax.invert_yaxis()
    # Bars from zero: their lengths compare the scores honestly (the figures are printed at
    # each bar's end for the small differences).
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    for i, t in enumerate(totals):
        ax.text(t + 0.8, i, _score(t), va="center", fontsize=MIN_PT, fontfamily=families)
    ax.set_xlabel("总分（分，满分100）", fontsize=LABEL_PT, fontfamily=families)
    ax.tick_params(axis="x", labelsize=LABEL_PT)
    ax.tick_params(axis="y", length=0)
    _style(ax, families)
    if title:
        ax.set_title(title.replace("$", r"\$"), fontsize=TITLE_PT, fontfamily=families, loc="left")
    legend = [("前三名", GREEN), ("末位三名（并列全部计入）", RED), ("其他网格", BLUE)]
    handles = [ax.bar(0, 0, color=c, label=name) for name, c in legend]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False,
               prop={"family": families, "size": MIN_PT})  # fmt: skip
    return fig


def area_trend_png(
    averages: pd.DataFrame, month: date | None = None, title: str = "", width_mm: float = 160
) -> bytes:
    """The area's average total at each check up to `month` (that month's point marked red).
    averages: trends.grid_history(...).averages (month, area_avg)."""
    return _png(area_trend_figure(averages, month, title, width_mm))


def area_trend_figure(
    averages: pd.DataFrame, month: date | None = None, title: str = "", width_mm: float = 160
) -> Figure:
    """The figure of area_trend_png."""
    families = register_font()
    frame = averages.copy()
    frame["month"] = [pd.Timestamp(m).date().replace(day=1) for m in frame["month"]]
    if month is not None:
        frame = frame[frame["month"] <= month]
    frame = frame.tail(24)
    fig = _figure(width_mm, 64)
    ax = fig.add_subplot()
    x = list(range(len(frame)))
    y = frame["area_avg"].astype(float).tolist()
    ax.plot(x, y, color=BLUE, linewidth=1.8, marker="o", markersize=3.5)
    if x:
        ax.plot([x[-1]], [y[-1]], marker="o", markersize=6, color=RED)
        ax.annotate(f"{y[-1]:.2f}", (x[-1], y[-1]), textcoords="offset points", xytext=(0, 7),
                    ha="center", fontsize=LABEL_PT, color=RED, fontfamily=families)  # fmt: skip
    # Every check labelled; the year under the first point and under each January.
    ticks = [
        f"{m.month}月\n{m.year}年" if m.month == 1 or not i else f"{m.month}月"
        for i, m in enumerate(frame["month"])
    ]
    ax.set_xticks(x, ticks, fontsize=MIN_PT, fontfamily=families)
    if y:
        pad = max(1.0, (max(y) - min(y)) * 0.25)
        ax.set_ylim(min(y) - pad, max(y) + pad * 1.6)
    ax.yaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
    # A line of averages, not bars: the axis is cut to show the movement, and says so.
    ax.set_ylabel("平均分（分，纵轴未从0开始）", fontsize=LABEL_PT, fontfamily=families)
    ax.tick_params(axis="y", labelsize=LABEL_PT)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
    _style(ax, families)
    ax.grid(axis="x", visible=False)
    if title:
        ax.set_title(title.replace("$", r"\$"), fontsize=TITLE_PT, fontfamily=families, loc="left")
    return fig


def _short(name: object) -> str:
    """A grid name as a chart label: without 网格, at most 12 characters, and '$' escaped so
    that matplotlib never reads a name as mathtext (an unbalanced formula would crash)."""
    text = str(name or "")
    text = text[:-2] if text.endswith("网格") and len(text) > 2 else text
    if len(text) > 12:
        text = text[:11] + "…"
    return text.replace("$", r"\$")


def _score(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")
